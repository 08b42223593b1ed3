#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"
#include "base/digits.h"
#include "base/id.h"
#include "base/xalloc.h"

const char *
pgp_form_str(enum pgp_form f)
{
	switch (f) {
	case PGP_FORM_NONE:
		return "none";
	case PGP_FORM_ENCRYPTED:
		return "pgp-mime-encrypted";
	case PGP_FORM_SIGNED:
		return "pgp-mime-signed";
	case PGP_FORM_INLINE:
		return "inline";
	}
	return "unknown";
}

static int
is_encrypted_envelope(const struct mime_part *p)
{
	const char *proto;

	if (!mime_part_is(p, "multipart/encrypted"))
		return 0;
	proto = mime_part_param(p, "protocol");
	/* S/MIME and others are not ours; a missing protocol is lenient */
	return proto == NULL ||
	    strcasecmp(proto, "application/pgp-encrypted") == 0;
}

static int
is_signed_envelope(const struct mime_part *p)
{
	const char *proto;

	if (!mime_part_is(p, "multipart/signed"))
		return 0;
	proto = mime_part_param(p, "protocol");
	return proto == NULL ||
	    strcasecmp(proto, "application/pgp-signature") == 0;
}

static const struct mime_part *
find_envelope(const struct mime_part *p)
{
	const struct mime_part *e;
	size_t i;

	if (is_encrypted_envelope(p) || is_signed_envelope(p))
		return p;
	/* a forwarded message/rfc822 is someone else's mail, not a form */
	if (mime_part_is(p, "message/rfc822"))
		return NULL;
	for (i = 0; i < mime_part_nchildren(p); i++)
		if ((e = find_envelope(mime_part_child(p, i))) != NULL)
			return e;
	return NULL;
}

/*
 * Exchange/Outlook turns multipart/encrypted into multipart/mixed with
 * [text/plain (empty)], application/pgp-encrypted, application/octet-stream.
 */
static const struct mime_part *
find_exchange(const struct mime_part *p, const struct mime_part **control,
    const struct mime_part **payload)
{
	const struct mime_part *c, *e;
	size_t i, n = mime_part_nchildren(p);

	if (mime_part_is(p, "multipart/mixed"))
		for (i = 0; i + 1 < n; i++) {
			c = mime_part_child(p, i);
			if (mime_part_is(c, "application/pgp-encrypted") &&
			    mime_part_is(mime_part_child(p, i + 1),
			    "application/octet-stream")) {
				*control = c;
				*payload = mime_part_child(p, i + 1);
				return p;
			}
		}
	if (mime_part_is(p, "message/rfc822"))
		return NULL;
	for (i = 0; i < n; i++)
		if ((e = find_exchange(mime_part_child(p, i), control,
		    payload)) != NULL)
			return e;
	return NULL;
}

/* RFC 3156's control part: "Version: 1" and nothing else but space. */
static int
is_version_1(const struct mime_part *p)
{
	struct buf *b = buf_new(0);
	const char *s;
	size_t n;
	int yes = 0;

	if (mime_part_nchildren(p) == 0 && mime_part_decode(p, b) == CRYPTO_OK) {
		s = buf_data(b);
		n = buf_len(b);
		while (n > 0 && isspace((unsigned char)*s))
			s++, n--;
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		yes = n == 10 && memcmp(s, "Version: 1", 10) == 0;
	}
	buf_free(b);
	return yes;
}

static int
decoded_blank(const struct mime_part *p)
{
	struct buf *b = buf_new(0);
	const char *s;
	size_t i, n;
	int blank = 1;

	if (mime_part_decode(p, b) != CRYPTO_OK)
		blank = 0;
	s = buf_data(b);
	n = buf_len(b);
	for (i = 0; blank && i < n; i++)
		if (!isspace((unsigned char)s[i]))
			blank = 0;
	buf_free(b);
	return blank;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n, m;

	if (s == NULL)
		return 0;
	n = strlen(s);
	m = strlen(suf);
	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static int
contains(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);

	return n >= m && memmem(s, n, lit, m) != NULL;
}

/* Text with an armored message or clearsigned text, or a PGP file. */
static int
is_inline_pgp(const struct mime_part *p)
{
	const char *fn = mime_part_filename(p), *s;
	struct buf *b;
	size_t n;
	int yes = 0;

	if (mime_part_nchildren(p) > 0)
		return 0;
	b = buf_new(0);
	if (mime_part_decode(p, b) != CRYPTO_OK)
		goto out;
	s = buf_data(b);
	n = buf_len(b);
	if (mime_part_is(p, "application/pgp-encrypted") && n > 0 &&
	    !contains(s, n, "Version: 1"))
		yes = 1;
	else if (has_suffix(fn, ".pgp") || has_suffix(fn, ".gpg") ||
	    has_suffix(fn, ".asc"))
		/* a binary OpenPGP message starts with a PKESK/SKESK tag */
		yes = contains(s, n, "-----BEGIN PGP MESSAGE-----") ||
		    (n > 0 && ((unsigned char)s[0] & 0x80) != 0 &&
		    !contains(s, n, "-----BEGIN PGP"));
	else if (strncasecmp(mime_part_ctype(p, (char[64]){ 0 }, 64),
	    "text/", 5) == 0)
		yes = contains(s, n, "-----BEGIN PGP MESSAGE-----") ||
		    contains(s, n, "-----BEGIN PGP SIGNED MESSAGE-----");
out:
	buf_free(b);
	return yes;
}

struct collect {
	struct pgp_detect	*d;
	const struct mime_part	*envelope;
	const struct mime_part	*exchange;
	const struct mime_part	*control;	/* Exchange's "Version: 1" */
	size_t			 cap_inline;
	size_t			 cap_unprot;
	size_t			 cap_drop;
	int			 want_inline;
};

static void
add_path(char ***list, size_t *n, size_t *cap, const struct mime_part *p)
{
	char path[128];

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	(*list)[(*n)++] = xstrdup(mime_part_path(p, path, sizeof path));
}

static void
add_unprotected(struct collect *c, const struct mime_part *p)
{
	add_path(&c->d->unprotected, &c->d->nunprotected, &c->cap_unprot, p);
}

/*
 * Charsets whose bytes below 0x80 are ASCII: there a byte search for
 * "BEGIN PGP" sees what a client shows.  In UTF-16, UTF-7, EBCDIC or
 * ISO-2022 the same text is other bytes, so such a part is never left
 * out quietly (it stays unprotected).
 */
static int
ascii_charset(const struct mime_part *p)
{
	const char *cs = mime_part_param(p, "charset");

	return cs == NULL || *cs == '\0' || strcasecmp(cs, "us-ascii") == 0 ||
	    strcasecmp(cs, "utf-8") == 0 ||
	    strncasecmp(cs, "iso-8859-", 9) == 0;
}

/*
 * What a reader of text/html sees, near enough to find armor in it:
 * tags left out, numeric character references (&#45; &#x2d;, with or
 * without ';') turned into their ASCII character, any other reference
 * (&nbsp; &hyphen; and non-ASCII numbers) into a space.
 */
static void
html_visible(const char *s, size_t n, struct buf *out)
{
	size_t i, j;
	unsigned long cp;
	int hex, digits, d;

	for (i = 0; i < n; i++) {
		if (s[i] == '<') {
			while (i < n && s[i] != '>')
				i++;
			buf_append(out, " ", 1);
			continue;
		}
		if (s[i] != '&') {
			buf_append(out, s + i, 1);
			continue;
		}
		j = i + 1;
		if (j < n && s[j] == '#') {
			hex = ++j < n && (s[j] == 'x' || s[j] == 'X');
			j += hex;
			cp = 0;
			for (digits = 0; j < n; j++, digits++) {
				d = hex ? hub_hex_digit((unsigned char)s[j]) :
				    s[j] >= '0' && s[j] <= '9' ? s[j] - '0' :
				    -1;
				if (d < 0)
					break;
				if (cp < 0x110000)
					cp = cp * (hex ? 16 : 10) +
					    (unsigned long)d;
			}
			if (digits == 0) {
				buf_append(out, "&", 1);
				continue;
			}
			buf_append(out, cp > 0 && cp < 0x80 ?
			    &(char){ (char)cp } : " ", 1);
		} else {
			while (j < n && isalnum((unsigned char)s[j]))
				j++;
			if (j == i + 1) {
				buf_append(out, "&", 1);
				continue;
			}
			buf_append(out, " ", 1);
		}
		if (j < n && s[j] == ';')
			j++;
		i = j - 1;
	}
}

/*
 * "BEGIN", anything but letters and digits (dashes, spaces, line ends,
 * NUL), "PGP", in any case: an armor header however it was spelled or
 * mangled, so that nothing that reads as one is left out quietly.
 */
static int
begin_pgp(const char *s, size_t n)
{
	size_t i, j;

	for (i = 0; i + 5 <= n; i++) {
		if (strncasecmp(s + i, "BEGIN", 5) != 0)
			continue;
		for (j = i + 5; j < n && !isalnum((unsigned char)s[j]); j++)
			;
		if (j + 3 <= n && strncasecmp(s + j, "PGP", 3) == 0)
			return 1;
	}
	return 0;
}

/*
 * A leaf that is clear text and nothing more, of at most max decoded
 * octets with no OpenPGP armor in it (a clearsigned or encrypted block
 * beside the envelope is OpenPGP data, never something to leave out
 * quietly): text/plain or text/html, in an ASCII-compatible charset, not
 * an attachment (no Content-Disposition but inline) and with no file
 * name in any spelling (mime_part_filename() reads RFC 2231 too).
 */
static int
clear_text(const struct mime_part *p, size_t max)
{
	struct buf *b, *h;
	int yes;

	if (mime_part_nchildren(p) > 0 || mime_part_filename(p) != NULL ||
	    mime_part_disposition(p) == MIME_DISP_OTHER ||
	    (!mime_part_is(p, "text/plain") && !mime_part_is(p, "text/html")) ||
	    !ascii_charset(p))
		return 0;
	b = buf_new(0);
	yes = mime_part_decode(p, b) == CRYPTO_OK && buf_len(b) <= max &&
	    !begin_pgp(buf_data(b), buf_len(b));
	if (yes && mime_part_is(p, "text/html")) {
		h = buf_new(0);
		html_visible(buf_data(b), buf_len(b), h);
		yes = !begin_pgp(buf_data(h), buf_len(h));
		buf_free(h);
	}
	buf_free(b);
	return yes;
}

/*
 * May this leaf outside the envelope be left out (pgpmime.h)?  Only
 * beside an encrypted envelope, in its multipart/mixed parent: the pEp
 * shape, or the Exchange re-wrap's own mixed.
 */
static int
droppable(const struct collect *c, const struct mime_part *p)
{
	const struct mime_part *parent = mime_part_parent(p);

	if (c->d->form != PGP_FORM_ENCRYPTED || parent == NULL ||
	    !mime_part_is(parent, "multipart/mixed"))
		return 0;
	if (parent != c->exchange && (c->envelope == NULL ||
	    mime_part_parent(c->envelope) != parent))
		return 0;
	return clear_text(p, PGPMIME_DROP_MAX);
}

static void
add_inline(struct collect *c, const struct mime_part *p)
{
	struct pgp_detect *d = c->d;

	if (d->ninline == c->cap_inline) {
		c->cap_inline = c->cap_inline ? c->cap_inline * 2 : 4;
		d->inline_parts = xreallocarray(d->inline_parts,
		    c->cap_inline, sizeof *d->inline_parts);
	}
	d->inline_parts[d->ninline++] = p;
}

/* Every leaf outside the envelope with content is reported. */
static void
collect(struct collect *c, const struct mime_part *p)
{
	size_t i, n;

	if (p == c->envelope)
		return;
	if (c->exchange != NULL && (p == c->d->payload || p == c->control))
		return;
	n = mime_part_nchildren(p);
	if (n > 0 && !mime_part_is(p, "message/rfc822")) {
		for (i = 0; i < n; i++)
			collect(c, mime_part_child(p, i));
		return;
	}
	if (c->want_inline && is_inline_pgp(p)) {
		add_inline(c, p);
		return;
	}
	if (decoded_blank(p))
		return;
	if (droppable(c, p))
		add_path(&c->d->dropped, &c->d->ndropped, &c->cap_drop, p);
	else
		add_unprotected(c, p);
}

static int
is_gpgol_name(const char *fn)
{
	return fn != NULL &&
	    (strcasecmp(fn, "GpgOL_MIME_structure.mime") == 0 ||
	    strcasecmp(fn, "GpgOL_MIME_structure.txt") == 0);
}

/*
 * Outlook with GpgOL: the PGP/MIME message as an attachment beside a
 * placeholder (pgpmime.h).  0: not that shape (detection goes on as for
 * any mail); 1: *env is the envelope at the root of d->inner;
 * -1: the shape, but what it carries is not one PGP/MIME envelope
 * (*st says why).
 */
static int
gpgol(const struct mime_part *root, struct pgp_detect *d,
    const struct mime_part **env, enum crypto_status *st)
{
	const struct mime_part *ph, *att, *r;
	struct buf *b;

	if (!mime_part_is(root, "multipart/mixed") ||
	    mime_part_nchildren(root) != 2)
		return 0;
	ph = mime_part_child(root, 0);
	att = mime_part_child(root, 1);
	if (mime_part_nchildren(att) > 0 ||
	    !is_gpgol_name(mime_part_filename(att)) ||
	    !clear_text(ph, PGPMIME_PLACEHOLDER_MAX))
		return 0;
	b = buf_new(0);
	if ((*st = mime_part_decode(att, b)) == CRYPTO_OK &&
	    buf_len(b) > MIME_MAX_SIZE)
		*st = CRYPTO_HOSTILE;
	if (*st == CRYPTO_OK)
		*st = mime_parse(buf_data(b), buf_len(b), 0, &d->inner);
	buf_free(b);
	if (*st != CRYPTO_OK)
		return -1;
	/* one level: the carried message is the envelope itself, and
	 * nothing in it is searched or unwrapped again */
	r = mime_root(d->inner);
	if (!is_encrypted_envelope(r) && !is_signed_envelope(r)) {
		*st = CRYPTO_MALFORMED;
		return -1;
	}
	d->gpgol = 1;
	*env = r;
	return 1;
}

enum crypto_status
pgpmime_detect(const struct mime_msg *m, struct pgp_detect **dp)
{
	const struct mime_part *root = mime_root(m), *env, *pay = NULL;
	const struct mime_part *ctl = NULL;
	struct collect c;
	struct pgp_detect *d;
	enum crypto_status st = CRYPTO_OK;
	int g;

	d = xcalloc(1, sizeof *d);
	memset(&c, 0, sizeof c);
	c.d = d;
	if ((g = gpgol(root, d, &env, &st)) < 0) {
		pgp_detect_free(d);
		return st;
	}
	if (g > 0 || (env = find_envelope(root)) != NULL) {
		if (mime_part_nchildren(env) != 2)
			goto malformed;
		d->envelope = env;
		if (is_encrypted_envelope(env)) {
			d->form = PGP_FORM_ENCRYPTED;
			d->payload = mime_part_child(env, 1);
			if (!mime_part_is(mime_part_child(env, 0),
			    "application/pgp-encrypted"))
				goto malformed;
		} else {
			d->form = PGP_FORM_SIGNED;
			d->payload = mime_part_child(env, 0);
			d->signature = mime_part_child(env, 1);
			if (!mime_part_is(d->signature,
			    "application/pgp-signature"))
				goto malformed;
		}
		c.envelope = env;
		/* GpgOL's placeholder is left out like Exchange's blank
		 * part, and the carried message is the envelope alone */
		if (d->gpgol) {
			*dp = d;
			return CRYPTO_OK;
		}
	} else if ((env = find_exchange(root, &ctl, &pay)) != NULL) {
		d->form = PGP_FORM_ENCRYPTED;
		d->exchange_repaired = 1;
		d->envelope = env;
		d->payload = pay;
		/* walk the mixed too: only the control part just before the
		 * payload, saying what RFC 3156 has it say, and the payload
		 * are ours; any other application/pgp-encrypted in it (or a
		 * control part carrying something else) is content outside
		 * the encryption */
		c.exchange = env;
		c.control = is_version_1(ctl) ? ctl : NULL;
	} else
		c.want_inline = 1;
	collect(&c, root);
	if (c.want_inline && d->ninline > 0)
		d->form = PGP_FORM_INLINE;
	*dp = d;
	return CRYPTO_OK;
malformed:
	pgp_detect_free(d);
	return CRYPTO_MALFORMED;
}

void
pgp_detect_free(struct pgp_detect *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nunprotected; i++)
		free(d->unprotected[i]);
	free(d->unprotected);
	for (i = 0; i < d->ndropped; i++)
		free(d->dropped[i]);
	free(d->dropped);
	free(d->inline_parts);
	mime_free(d->inner);
	free(d);
}

static int
armor_block(const char *s, size_t n, const char *begin, const char *end,
    size_t *b, size_t *e)
{
	const char *p, *q, *nl;

	if ((p = memmem(s, n, begin, strlen(begin))) == NULL)
		return 0;
	q = memmem(p, n - (size_t)(p - s), end, strlen(end));
	if (q == NULL)
		return -1;
	q += strlen(end);
	nl = memchr(q, '\n', n - (size_t)(q - s));
	*b = (size_t)(p - s);
	*e = nl != NULL ? (size_t)(nl + 1 - s) : n;
	return 1;
}

int
pgpmime_find_armor(const char *s, size_t n, enum pgp_armor *kind,
    size_t *begin, size_t *end)
{
	size_t mb = 0, me = 0, cb = 0, ce = 0;
	int m, c;

	m = armor_block(s, n, "-----BEGIN PGP MESSAGE-----",
	    "-----END PGP MESSAGE-----", &mb, &me);
	c = armor_block(s, n, "-----BEGIN PGP SIGNED MESSAGE-----",
	    "-----END PGP SIGNATURE-----", &cb, &ce);
	/* the first complete block wins; text around it is not protected */
	if (c > 0 && (m <= 0 || cb < mb)) {
		*kind = PGP_ARMOR_CLEARSIGNED;
		*begin = cb;
		*end = ce;
		return 1;
	}
	if (m > 0) {
		*kind = PGP_ARMOR_MESSAGE;
		*begin = mb;
		*end = me;
		return 1;
	}
	return m < 0 || c < 0 ? -1 : 0;
}

void
pgpmime_boundary(const char *data, size_t len, char out[48])
{
	unsigned char r[12];
	size_t i;

	/* '.' and '_' never occur in base64 armor; check the rest anyway */
	do {
		hub_random(r, sizeof r);
		memcpy(out, "hub.", 4);
		for (i = 0; i < sizeof r; i++)
			(void)snprintf(out + 4 + 2 * i, 3, "%02x", r[i]);
		memcpy(out + 4 + 2 * sizeof r, "._", 3);
	} while (data != NULL && contains(data, len, out));
}

static void
put_header(struct buf *out, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_append_str(out, name);
	buf_append_str(out, ": ");
	buf_append_str(out, value);
	buf_append_str(out, "\r\n");
}

static void
put_outer(struct buf *out, const struct crypto_headers *h)
{
	if (h == NULL)
		return;
	put_header(out, "From", h->from);
	put_header(out, "To", h->to);
	put_header(out, "Cc", h->cc);
	put_header(out, "Reply-To", h->reply_to);
	put_header(out, "Date", h->date);
	put_header(out, "Message-ID", h->message_id);
	/* the real subject travels inside, encrypted (RFC 9788) */
	if (h->subject != NULL)
		put_header(out, "Subject", "[...]");
	if (h->extra != NULL)
		buf_append_str(out, h->extra);
}

/* Offset just after the header block's terminating empty line. */
static int
split_headers(const char *s, size_t n, size_t *hend, size_t *bstart)
{
	size_t i;

	if (n >= 2 && s[0] == '\r' && s[1] == '\n') {
		*hend = 0;
		*bstart = 2;
		return 1;
	}
	for (i = 0; i + 3 < n; i++)
		if (memcmp(s + i, "\r\n\r\n", 4) == 0) {
			*hend = i + 2;
			*bstart = i + 4;
			return 1;
		}
	return 0;
}

/* A header value may fold (CRLF + WSP) but never start a new header. */
static int
value_ok(const char *v)
{
	size_t i;

	if (v == NULL)
		return 1;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] == '\r' && v[i + 1] == '\n' &&
		    (v[i + 2] == ' ' || v[i + 2] == '\t')) {
			i++;
			continue;
		}
		if (v[i] == '\r' || v[i] == '\n')
			return 0;
	}
	return 1;
}

static int
headers_ok(const struct crypto_headers *h)
{
	size_t n;

	if (h == NULL)
		return 1;
	if (h->extra != NULL && (n = strlen(h->extra)) > 0 &&
	    (n < 2 || strcmp(h->extra + n - 2, "\r\n") != 0))
		return 0;
	return value_ok(h->from) && value_ok(h->to) && value_ok(h->cc) &&
	    value_ok(h->reply_to) && value_ok(h->subject) &&
	    value_ok(h->date) && value_ok(h->message_id);
}

enum crypto_status
pgpmime_protect(const struct crypto_headers *h, const char *entity,
    size_t len, struct buf *out)
{
	struct buf *c = buf_new(BUF_SENSITIVE);
	const char *s, *q, *end;
	size_t hend, bstart;
	int have_ct = 0;

	if (!headers_ok(h)) {
		buf_free(c);
		return CRYPTO_BAD_ARGUMENT;
	}
	mime_canon_crlf(entity, len, c);
	s = buf_data(c);
	if (!split_headers(s, buf_len(c), &hend, &bstart)) {
		buf_free(c);
		return CRYPTO_MALFORMED;
	}
	if (h != NULL) {
		put_header(out, "From", h->from);
		put_header(out, "To", h->to);
		put_header(out, "Cc", h->cc);
		put_header(out, "Reply-To", h->reply_to);
		put_header(out, "Subject", h->subject);
		put_header(out, "Date", h->date);
		put_header(out, "Message-ID", h->message_id);
	}
	end = s + hend;
	for (q = s; q < end; ) {
		const char *e = q, *nl;

		/* one header with its continuation lines */
		do {
			nl = memchr(e, '\n', (size_t)(end - e));
			e = nl != NULL ? nl + 1 : end;
		} while (e < end && (*e == ' ' || *e == '\t'));
		if (!have_ct && strncasecmp(q, "content-type:", 13) == 0 &&
		    e - q >= 2) {
			have_ct = 1;
			buf_append(out, q, (size_t)(e - q) - 2);
			buf_append_str(out, "; protected-headers=\"v1\"\r\n");
		} else
			buf_append(out, q, (size_t)(e - q));
		q = e;
	}
	if (!have_ct)
		buf_append_str(out, "Content-Type: text/plain; charset=utf-8;"
		    " protected-headers=\"v1\"\r\n");
	buf_append(out, "\r\n", 2);
	buf_append(out, s + bstart, buf_len(c) - bstart);
	buf_free(c);
	return CRYPTO_OK;
}

void
pgpmime_build_encrypted(const struct crypto_headers *h, const char *armored,
    size_t len, struct buf *out)
{
	char b[48];

	pgpmime_boundary(armored, len, b);
	put_outer(out, h);
	buf_printf(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/encrypted;\r\n"
	    " protocol=\"application/pgp-encrypted\";\r\n"
	    " boundary=\"%s\"\r\n"
	    "\r\n"
	    "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
	    "--%s\r\n"
	    "Content-Type: application/pgp-encrypted\r\n"
	    "Content-Description: PGP/MIME version identification\r\n"
	    "\r\n"
	    "Version: 1\r\n"
	    "\r\n"
	    "--%s\r\n"
	    "Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
	    "Content-Description: OpenPGP encrypted message\r\n"
	    "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n"
	    "\r\n", b, b, b);
	mime_canon_crlf(armored, len, out);
	if (len == 0 || armored[len - 1] != '\n')
		buf_append_str(out, "\r\n");
	buf_printf(out, "\r\n--%s--\r\n", b);
}

void
pgpmime_build_signed(const char *entity, size_t len, const char *sig,
    size_t siglen, const char *micalg, struct buf *out)
{
	char b[48];

	pgpmime_boundary(entity, len, b);
	buf_printf(out, "Content-Type: multipart/signed; micalg=%s;\r\n"
	    " protocol=\"application/pgp-signature\";\r\n"
	    " boundary=\"%s\"\r\n"
	    "\r\n"
	    "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n"
	    "--%s\r\n", micalg, b, b);
	buf_append(out, entity, len);
	buf_printf(out, "\r\n--%s\r\n"
	    "Content-Type: application/pgp-signature;"
	    " name=\"signature.asc\"\r\n"
	    "Content-Description: OpenPGP digital signature\r\n"
	    "Content-Disposition: attachment; filename=\"signature.asc\"\r\n"
	    "\r\n", b);
	mime_canon_crlf(sig, siglen, out);
	if (siglen == 0 || sig[siglen - 1] != '\n')
		buf_append_str(out, "\r\n");
	buf_printf(out, "\r\n--%s--\r\n", b);
}
