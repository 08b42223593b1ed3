/*
 * libFuzzer harness for the inline-PGP block splitter: which parts of a
 * received message are inline OpenPGP blocks (pgpmime_detect() form
 * INLINE), which leaves carry content outside any protection, and where
 * the armor lies in each inline part (pgpmime_find_armor() on the
 * transfer-decoded body).  Also built with tests/fuzz/driver.c to replay
 * tests/fuzz/corpus/inline/ in `make check`.
 *
 * Input: the raw message.  Over 1 MiB is skipped.
 *
 * A "leaf" below is what detection reports on: a part without children,
 * or a message/rfc822 (someone else's mail, taken whole).  Invariants
 * (abort()):
 *  - detection is CRYPTO_OK or CRYPTO_MALFORMED, the latter only with a
 *    multipart/encrypted or multipart/signed in the tree (outside any
 *    message/rfc822) and without a result;
 *  - no envelope: form NONE or INLINE, INLINE iff ninline > 0, nothing
 *    else set; an envelope: form ENCRYPTED or SIGNED, no inline parts,
 *    payload (and, SIGNED, signature) set; RFC 3156 envelopes have two
 *    children, the payload and signature in their place and the payload's
 *    parent is the envelope; an Exchange repair is an ENCRYPTED
 *    multipart/mixed whose child is the application/octet-stream payload
 *    right after an application/pgp-encrypted part;
 *  - every inline part and every unprotected path is a leaf (paths
 *    compared as mime_part_path() strings), all of them distinct, none
 *    inside the envelope (Exchange: not the payload); ninline +
 *    nunprotected <= the number of leaves <= mime_nparts();
 *  - nothing is lost silently: a leaf outside the envelope (Exchange:
 *    other than the payload and the mixed's application/pgp-encrypted
 *    parts, which detection may leave out) that is not listed decodes to
 *    blank text; an unprotected or dropped one does not; an inline one
 *    decodes; a dropped one is a text/plain or text/html leaf without a
 *    file name beside an ENCRYPTED envelope in a multipart/mixed, with no
 *    OpenPGP armor in it (crypto/pgpmime.h);
 *  - GpgOL: read only from the exact shape (a multipart/mixed root of a
 *    text/plain and a GpgOL_MIME_structure attachment); then the
 *    envelope is the root of the message it carries, and nothing of the
 *    outer message is listed; a failure there (MALFORMED, HOSTILE) needs
 *    that shape;
 *  - on each inline part, repeatedly from the end of the last block:
 *    pgpmime_find_armor() is -1, 0 or 1; 0 iff there is no BEGIN line of
 *    either kind; a block lies inside the text, starts with its kind's
 *    BEGIN line (the first one of that kind), contains its END line and
 *    ends at a line end or the end of the text; no complete block of the
 *    other kind starts earlier; -1 iff a BEGIN exists but no kind has a
 *    BEGIN followed by its END;
 *  - determinism: detecting twice on the same parse, and once on a
 *    MIME_SENSITIVE parse of the same bytes, gives the same result (parts
 *    compared by path); find_armor twice gives the same block;
 *  - an input without CR gives the same result once turned into CRLF
 *    (when that still parses).
 * Everything is freed (LeakSanitizer in the fuzzing build).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSG_BEGIN	"-----BEGIN PGP MESSAGE-----"
#define MSG_END		"-----END PGP MESSAGE-----"
#define CS_BEGIN	"-----BEGIN PGP SIGNED MESSAGE-----"
#define CS_END		"-----END PGP SIGNATURE-----"

/* MIME_MAX_DEPTH + 2 components of up to four digits and a dot */
#define PATHLEN		256

struct leaf {
	const struct mime_part	*p;
	char			 path[PATHLEN];
	int			 listed;
};

struct leaves {
	struct leaf	*v;
	size_t		 n, cap;
};

static const char *
path_of(const struct mime_part *p, char buf[PATHLEN])
{
	return mime_part_path(p, buf, PATHLEN);
}

static void
add_leaf(struct leaves *l, const struct mime_part *p)
{
	struct leaf *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = realloc(l->v, l->cap * sizeof *l->v)) == NULL)
			abort();
		l->v = nv;
	}
	l->v[l->n].p = p;
	(void)path_of(p, l->v[l->n].path);
	l->v[l->n].listed = 0;
	l->n++;
}

static void
gather(struct leaves *l, const struct mime_part *p)
{
	size_t i, n = mime_part_nchildren(p);

	if (n == 0 || mime_part_is(p, "message/rfc822")) {
		add_leaf(l, p);
		return;
	}
	for (i = 0; i < n; i++)
		gather(l, mime_part_child(p, i));
}

static int
cmp_leaf_path(const void *a, const void *b)
{
	return strcmp(((const struct leaf *)a)->path,
	    ((const struct leaf *)b)->path);
}

static struct leaf *
leaf_by_path(struct leaves *l, const char *path)
{
	struct leaf key;

	if (strlen(path) >= sizeof key.path)
		return NULL;
	strcpy(key.path, path);
	return bsearch(&key, l->v, l->n, sizeof *l->v, cmp_leaf_path);
}

static int
is_within(const struct mime_part *p, const struct mime_part *anc)
{
	for (; p != NULL; p = mime_part_parent(p))
		if (p == anc)
			return 1;
	return 0;
}

/* A PGP/MIME envelope type where find_envelope() looks. */
static int
has_envelope_type(const struct mime_part *p)
{
	size_t i;

	if (mime_part_is(p, "multipart/encrypted") ||
	    mime_part_is(p, "multipart/signed"))
		return 1;
	if (mime_part_is(p, "message/rfc822"))
		return 0;
	for (i = 0; i < mime_part_nchildren(p); i++)
		if (has_envelope_type(mime_part_child(p, i)))
			return 1;
	return 0;
}

static const char *find(const char *s, size_t n, const char *lit);

/* The outer shape GpgOL's attachment is read from (pgpmime.h). */
static int
gpgol_shape(const struct mime_part *root)
{
	const char *fn;

	if (!mime_part_is(root, "multipart/mixed") ||
	    mime_part_nchildren(root) != 2)
		return 0;
	fn = mime_part_filename(mime_part_child(root, 1));
	return fn != NULL && (strcasecmp(fn, "GpgOL_MIME_structure.mime") == 0 ||
	    strcasecmp(fn, "GpgOL_MIME_structure.txt") == 0) &&
	    mime_part_is(mime_part_child(root, 0), "text/plain");
}

/* A dropped part is what pgpmime.h says may be left out. */
static void
check_dropped(const struct pgp_detect *d, const struct mime_part *p)
{
	const struct mime_part *parent = mime_part_parent(p);
	struct buf *b = buf_new(0);

	if (d->form != PGP_FORM_ENCRYPTED || parent == NULL ||
	    !mime_part_is(parent, "multipart/mixed") ||
	    mime_part_filename(p) != NULL ||
	    (!mime_part_is(p, "text/plain") && !mime_part_is(p, "text/html")) ||
	    (parent != d->envelope &&
	    mime_part_parent(d->envelope) != parent))
		abort();
	if (mime_part_decode(p, b) != CRYPTO_OK ||
	    buf_len(b) > PGPMIME_DROP_MAX ||
	    find(buf_data(b), buf_len(b), "-----BEGIN PGP") != NULL)
		abort();
	buf_free(b);
}

/* -1: does not decode; 1: decodes to blank text; 0: content. */
static int
blank_body(const struct mime_part *p)
{
	struct buf *b = buf_new(0);
	const char *s;
	size_t i, n;
	int r = 1;

	if (mime_part_decode(p, b) != CRYPTO_OK)
		r = -1;
	s = buf_data(b);
	n = buf_len(b);
	for (i = 0; r == 1 && i < n; i++)
		if (strchr(" \t\n\v\f\r", s[i]) == NULL || s[i] == '\0')
			r = 0;
	buf_free(b);
	return r;
}

static const char *
find(const char *s, size_t n, const char *lit)
{
	return memmem(s, n, lit, strlen(lit));
}

/* Whether a BEGIN of this kind is followed by its END. */
static int
complete(const char *s, size_t n, const char *begin, const char *end)
{
	const char *p = find(s, n, begin);

	return p != NULL && find(p, n - (size_t)(p - s), end) != NULL;
}

/* One call at the start of s; the end of the block found, or 0. */
static size_t
check_armor_once(const char *s, size_t n)
{
	const char *begin, *end, *obegin, *oend, *q, *nl, *ob;
	enum pgp_armor kind = PGP_ARMOR_MESSAGE, kind2 = PGP_ARMOR_MESSAGE;
	size_t b = 0, e = 0, b2 = 0, e2 = 0;
	int r, r2, any, done;

	r = pgpmime_find_armor(s, n, &kind, &b, &e);
	r2 = pgpmime_find_armor(s, n, &kind2, &b2, &e2);
	if (r != r2 || (r == 1 && (kind != kind2 || b != b2 || e != e2)))
		abort();
	any = find(s, n, MSG_BEGIN) != NULL || find(s, n, CS_BEGIN) != NULL;
	done = complete(s, n, MSG_BEGIN, MSG_END) ||
	    complete(s, n, CS_BEGIN, CS_END);
	switch (r) {
	case 0:
		if (any)
			abort();
		return 0;
	case -1:
		if (!any || done)
			abort();
		return 0;
	case 1:
		break;
	default:
		abort();
	}
	if (!done)
		abort();
	if (kind == PGP_ARMOR_MESSAGE) {
		begin = MSG_BEGIN, end = MSG_END;
		obegin = CS_BEGIN, oend = CS_END;
	} else if (kind == PGP_ARMOR_CLEARSIGNED) {
		begin = CS_BEGIN, end = CS_END;
		obegin = MSG_BEGIN, oend = MSG_END;
	} else
		abort();
	if (b >= e || e > n || e - b < strlen(begin))
		abort();
	/* the first BEGIN of its kind */
	if (find(s, n, begin) != s + b)
		abort();
	/* up to the line end after the first END that follows it */
	if ((q = find(s + b, n - b, end)) == NULL)
		abort();
	q += strlen(end);
	nl = memchr(q, '\n', n - (size_t)(q - s));
	if (e != (nl != NULL ? (size_t)(nl + 1 - s) : n))
		abort();
	/* the first complete block wins */
	if ((ob = find(s, n, obegin)) != NULL && ob < s + b &&
	    find(ob, n - (size_t)(ob - s), oend) != NULL)
		abort();
	return e;
}

/* Every block in turn, as a consumer splitting the whole text would. */
static void
check_armor(const char *s, size_t n)
{
	size_t e;

	while ((e = check_armor_once(s, n)) > 0) {
		s += e;
		n -= e;
	}
}

static void
check_inline(const struct mime_part *p)
{
	struct buf *b = buf_new(0);

	if (mime_part_decode(p, b) != CRYPTO_OK)
		abort();
	check_armor(buf_data(b), buf_len(b));
	buf_free(b);
}

static void
check_envelope(const struct pgp_detect *d)
{
	const struct mime_part *env = d->envelope;
	size_t i, n;

	if (d->payload == NULL || d->ninline != 0)
		abort();
	if (d->exchange_repaired) {
		if (d->form != PGP_FORM_ENCRYPTED || d->signature != NULL ||
		    !mime_part_is(env, "multipart/mixed") ||
		    !mime_part_is(d->payload, "application/octet-stream") ||
		    mime_part_parent(d->payload) != env)
			abort();
		n = mime_part_nchildren(env);
		for (i = 1; i < n; i++)
			if (mime_part_child(env, i) == d->payload)
				break;
		if (i == n || !mime_part_is(mime_part_child(env, i - 1),
		    "application/pgp-encrypted"))
			abort();
		return;
	}
	if (mime_part_nchildren(env) != 2 || mime_part_parent(d->payload) != env)
		abort();
	switch (d->form) {
	case PGP_FORM_ENCRYPTED:
		if (!mime_part_is(env, "multipart/encrypted") ||
		    d->signature != NULL ||
		    d->payload != mime_part_child(env, 1) ||
		    !mime_part_is(mime_part_child(env, 0),
		    "application/pgp-encrypted"))
			abort();
		break;
	case PGP_FORM_SIGNED:
		if (!mime_part_is(env, "multipart/signed") ||
		    d->payload != mime_part_child(env, 0) ||
		    d->signature != mime_part_child(env, 1) ||
		    !mime_part_is(d->signature, "application/pgp-signature"))
			abort();
		break;
	default:
		abort();
	}
}

/*
 * 1: a leaf that is never listed (inside the RFC 3156 envelope, or the
 * Exchange payload); 2: one detection may leave out (the Exchange
 * mixed's application/pgp-encrypted parts); 0: any other.
 */
static int
excluded(const struct pgp_detect *d, const struct mime_part *p)
{
	if (d->envelope == NULL)
		return 0;
	if (!d->exchange_repaired)
		return is_within(p, d->envelope);
	if (p == d->payload)
		return 1;
	return mime_part_parent(p) == d->envelope &&
	    mime_part_is(p, "application/pgp-encrypted") ? 2 : 0;
}

static void
check_detect(const struct mime_msg *m, const struct pgp_detect *d)
{
	struct leaves l = { NULL, 0, 0 };
	struct leaf *lf;
	char path[PATHLEN];
	size_t i;
	int bl;

	if (d->gpgol) {
		/* the envelope is the carried message's root; the outer
		 * message's parts (placeholder, attachment) are not listed */
		if (d->inner == NULL || d->envelope != mime_root(d->inner) ||
		    !gpgol_shape(mime_root(m)) || d->nunprotected != 0 ||
		    d->ndropped != 0 || d->exchange_repaired)
			abort();
		check_envelope(d);
		return;
	}
	if (d->inner != NULL)
		abort();
	if (d->envelope == NULL) {
		if ((d->form != PGP_FORM_NONE && d->form != PGP_FORM_INLINE) ||
		    (d->form == PGP_FORM_INLINE) != (d->ninline > 0) ||
		    d->payload != NULL || d->signature != NULL ||
		    d->exchange_repaired)
			abort();
	} else
		check_envelope(d);
	if ((d->ninline > 0 && d->inline_parts == NULL) ||
	    (d->nunprotected > 0 && d->unprotected == NULL) ||
	    (d->ndropped > 0 && (d->dropped == NULL || d->envelope == NULL)))
		abort();

	gather(&l, mime_root(m));
	if (l.n > mime_nparts(m) ||
	    d->ninline + d->nunprotected + d->ndropped > l.n)
		abort();
	qsort(l.v, l.n, sizeof *l.v, cmp_leaf_path);
	for (i = 1; i < l.n; i++)
		if (strcmp(l.v[i - 1].path, l.v[i].path) == 0)
			abort();

	for (i = 0; i < d->ninline; i++) {
		if (d->inline_parts[i] == NULL ||
		    (lf = leaf_by_path(&l,
		    path_of(d->inline_parts[i], path))) == NULL ||
		    lf->p != d->inline_parts[i] || lf->listed ||
		    excluded(d, lf->p) == 1)
			abort();
		lf->listed = 1;
		check_inline(lf->p);
	}
	for (i = 0; i < d->nunprotected; i++) {
		if (d->unprotected[i] == NULL ||
		    (lf = leaf_by_path(&l, d->unprotected[i])) == NULL ||
		    lf->listed || excluded(d, lf->p) == 1)
			abort();
		lf->listed = 2;
	}
	for (i = 0; i < d->ndropped; i++) {
		if (d->dropped[i] == NULL ||
		    (lf = leaf_by_path(&l, d->dropped[i])) == NULL ||
		    lf->listed || excluded(d, lf->p) != 0)
			abort();
		check_dropped(d, lf->p);
		lf->listed = 3;
	}
	for (i = 0; i < l.n; i++) {
		switch (excluded(d, l.v[i].p)) {
		case 1:
			if (l.v[i].listed)
				abort();
			continue;
		case 2:
			continue;
		}
		bl = blank_body(l.v[i].p);
		if ((l.v[i].listed == 0 && bl != 1) ||
		    (l.v[i].listed >= 2 && bl == 1) ||
		    (l.v[i].listed == 1 && bl == -1))
			abort();
	}
	free(l.v);
}

static const char *
opt_path(const struct mime_part *p, char buf[PATHLEN])
{
	return p == NULL ? "-" : path_of(p, buf);
}

/* Same verdict, parts compared by path (a and b may be two parses). */
static void
check_same(const struct pgp_detect *a, const struct pgp_detect *b)
{
	char pa[PATHLEN], pb[PATHLEN];
	size_t i;

	if (a->form != b->form || a->exchange_repaired != b->exchange_repaired ||
	    a->gpgol != b->gpgol || a->ninline != b->ninline ||
	    a->nunprotected != b->nunprotected || a->ndropped != b->ndropped)
		abort();
	for (i = 0; i < a->ndropped; i++)
		if (strcmp(a->dropped[i], b->dropped[i]) != 0)
			abort();
	if (strcmp(opt_path(a->envelope, pa), opt_path(b->envelope, pb)) ||
	    strcmp(opt_path(a->payload, pa), opt_path(b->payload, pb)) ||
	    strcmp(opt_path(a->signature, pa), opt_path(b->signature, pb)))
		abort();
	for (i = 0; i < a->ninline; i++)
		if (strcmp(path_of(a->inline_parts[i], pa),
		    path_of(b->inline_parts[i], pb)) != 0)
			abort();
	for (i = 0; i < a->nunprotected; i++)
		if (strcmp(a->unprotected[i], b->unprotected[i]) != 0)
			abort();
}

/* LF-only mail (tests, mbox) means the same as its SMTP form in CRLF. */
static void
check_crlf(const uint8_t *data, size_t size, const struct pgp_detect *d)
{
	struct buf *c = buf_new(0);
	struct mime_msg *m = NULL;
	struct pgp_detect *dc = NULL;

	mime_canon_crlf((const char *)data, size, c);
	/* the longer text may cross a limit of mime_parse() */
	if (mime_parse(buf_data(c), buf_len(c), 0, &m) == CRYPTO_OK) {
		if (pgpmime_detect(m, &dc) != CRYPTO_OK)
			abort();
		check_same(d, dc);
	}
	pgp_detect_free(dc);
	mime_free(m);
	buf_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_msg *m = NULL, *m2 = NULL;
	struct pgp_detect *d = NULL, *d2 = NULL, *d3 = NULL;
	enum crypto_status st, st2;

	if (size > 1024 * 1024)
		return 0;
	if (mime_parse(data, size, 0, &m) != CRYPTO_OK) {
		mime_free(m);
		return 0;
	}
	st = pgpmime_detect(m, &d);
	st2 = pgpmime_detect(m, &d2);
	if (st != st2)
		abort();
	if (st != CRYPTO_OK) {
		if (d != NULL || d2 != NULL)
			abort();
		/* GpgOL's attachment: what it carries may be anything */
		if (!gpgol_shape(mime_root(m)) && (st != CRYPTO_MALFORMED ||
		    !has_envelope_type(mime_root(m))))
			abort();
		if (st != CRYPTO_MALFORMED && st != CRYPTO_HOSTILE)
			abort();
	} else {
		if (d == NULL || d2 == NULL)
			abort();
		check_detect(m, d);
		check_same(d, d2);
		/* the wiping flag changes nothing about the structure */
		if (mime_parse(data, size, MIME_SENSITIVE, &m2) != CRYPTO_OK)
			abort();
		if (pgpmime_detect(m2, &d3) != CRYPTO_OK)
			abort();
		check_same(d, d3);
		pgp_detect_free(d3);
		mime_free(m2);
		if (memchr(data, '\r', size) == NULL)
			check_crlf(data, size, d);
	}
	pgp_detect_free(d);
	pgp_detect_free(d2);
	mime_free(m);
	return 0;
}
