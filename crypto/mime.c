#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "base/digits.h"
#include "base/buf.h"
#include "base/xalloc.h"

/*
 * XXX: libetpan copies some header values (parameters, file names,
 * encoded words) into its own allocations and frees them unwiped.  For
 * cleartext those are small, but they are plaintext in freed heap; the
 * worker's core dumps are off for this reason too (STYLE.md 1.1).
 */
struct mime_msg {
	struct buf	*raw;		/* our copy, libetpan points in */
	struct mailmime	*top;		/* libetpan's root, a MESSAGE */
	struct mailmime	*root;		/* the message entity */
	size_t		 nparts;
	int		 sensitive;
	int		 closed;	/* see missing_closes() */
};

/* Parts are libetpan's own nodes behind an opaque name. */
#define MM(p)	((struct mailmime *)(void *)(p))
#define PART(m)	((const struct mime_part *)(const void *)(m))

static int
ci_prefix(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && strncasecmp(p, lit, n) == 0;
}

/* Offset of the blank line ending the header block at p, or len. */
static size_t
header_end(const char *p, size_t len)
{
	size_t i;

	if (len > 0 && p[0] == '\n')
		return 0;
	if (len > 1 && p[0] == '\r' && p[1] == '\n')
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < len && p[i + 1] == '\n')
			return i + 1;
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 1;
	}
	return len;
}

#define MAX_BOUNDARIES	(MIME_MAX_CONTAINERS + 8)
#define MAX_BOUNDARY	200

/*
 * Count the delimiter lines ("--" + a declared boundary) before libetpan
 * makes a part of each: 64 MiB of "--b" lines would be millions of parts
 * (gigabytes) before MIME_MAX_PARTS is checked on the parsed tree.  Every
 * "boundary=" value anywhere is taken as declared (a value in a body only
 * makes the count stricter); more distinct values than containers can
 * have is hostile in itself.
 */
static int
delimiters_ok(const char *p, size_t len)
{
	char bnd[MAX_BOUNDARIES][MAX_BOUNDARY + 1];
	size_t blen[MAX_BOUNDARIES], nb = 0, i, k, lines = 0;
	const char *end = p + len, *q, *v, *e;

	for (q = p; (q = memchr(q, '=', (size_t)(end - q))) != NULL;
	    q = e) {
		e = q + 1;
		if (q - p < 8 || strncasecmp(q - 8, "boundary", 8) != 0)
			continue;
		v = q + 1;
		if (v < end && *v == '"') {
			v++;
			for (e = v; e < end && *e != '"' && *e != '\n'; e++)
				;
		} else
			for (e = v; e < end && *e != ';' && *e != ' ' &&
			    *e != '\t' && *e != '\r' && *e != '\n'; e++)
				;
		k = (size_t)(e - v);
		if (k == 0 || k > MAX_BOUNDARY)
			continue;
		for (i = 0; i < nb; i++)
			if (blen[i] == k && memcmp(bnd[i], v, k) == 0)
				break;
		if (i < nb)
			continue;
		if (nb == MAX_BOUNDARIES)
			return 0;
		memcpy(bnd[nb], v, k);
		blen[nb++] = k;
	}
	if (nb == 0)
		return 1;
	for (q = p; q < end; q = e + 1) {
		if ((e = memchr(q, '\n', (size_t)(end - q))) == NULL)
			e = end;
		if (e - q < 3 || q[0] != '-' || q[1] != '-')
			continue;
		for (i = 0; i < nb; i++)
			if ((size_t)(e - q) >= blen[i] + 2 &&
			    memcmp(q + 2, bnd[i], blen[i]) == 0)
				break;
		if (i < nb && ++lines > MIME_MAX_PARTS + 2 * MIME_MAX_CONTAINERS)
			return 0;
	}
	return 1;
}

/*
 * Before libetpan sees the message: bound what makes its recursive
 * descent deep or its header parser slow.  Containers are counted from
 * the Content-Type lines that declare them (folding included), which
 * bounds the recursion depth whatever the boundaries look like.
 */
static enum crypto_status
prescan(const char *p, size_t len)
{
	const char *end = p + len, *q;
	size_t containers = 0;

	if (len > MIME_MAX_SIZE)
		return CRYPTO_HOSTILE;
	if (header_end(p, len) > MIME_MAX_HEADER)
		return CRYPTO_HOSTILE;
	for (q = p; q < end; ) {
		const char *nl;

		if (ci_prefix(q, end, "content-type:")) {
			const char *v = q + 13;

			while (v < end && (*v == ' ' || *v == '\t' ||
			    *v == '\r' || *v == '\n'))
				v++;
			if (ci_prefix(v, end, "multipart/") ||
			    ci_prefix(v, end, "message/"))
				if (++containers > MIME_MAX_CONTAINERS)
					return CRYPTO_HOSTILE;
		}
		if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL)
			break;
		q = nl + 1;
	}
	return delimiters_ok(p, len) ? CRYPTO_OK : CRYPTO_HOSTILE;
}

static size_t
nchildren(const struct mailmime *mm)
{
	if (mm->mm_type == MAILMIME_MULTIPLE)
		return clist_count(mm->mm_data.mm_multipart.mm_mp_list);
	if (mm->mm_type == MAILMIME_MESSAGE &&
	    mm->mm_data.mm_message.mm_msg_mime != NULL)
		return 1;
	return 0;
}

static struct mailmime *
child(const struct mailmime *mm, size_t i)
{
	clistiter *it;

	if (mm->mm_type == MAILMIME_MESSAGE)
		return i == 0 ? mm->mm_data.mm_message.mm_msg_mime : NULL;
	if (mm->mm_type != MAILMIME_MULTIPLE)
		return NULL;
	for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it))
		if (i-- == 0)
			return clist_content(it);
	return NULL;
}

static enum crypto_status
walk_limits(const struct mailmime *mm, int depth, size_t *count)
{
	enum crypto_status st;
	clistiter *it;

	if (depth > MIME_MAX_DEPTH || ++*count > MIME_MAX_PARTS)
		return CRYPTO_HOSTILE;
	if (mm->mm_mime_start != NULL &&
	    header_end(mm->mm_mime_start, mm->mm_length) > MIME_MAX_HEADER)
		return CRYPTO_HOSTILE;
	if (mm->mm_type == MAILMIME_MESSAGE) {
		if (mm->mm_data.mm_message.mm_msg_mime == NULL)
			return CRYPTO_OK;
		return walk_limits(mm->mm_data.mm_message.mm_msg_mime,
		    depth + 1, count);
	}
	if (mm->mm_type != MAILMIME_MULTIPLE)
		return CRYPTO_OK;
	for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it))
		if ((st = walk_limits(clist_content(it), depth + 1,
		    count)) != CRYPTO_OK)
			return st;
	return CRYPTO_OK;
}

/* Is there a close-delimiter line ("--" boundary "--") in p? */
static int
has_close(const char *p, size_t len, const char *b)
{
	const char *end = p + len, *q, *e;
	size_t k = strlen(b);

	for (q = p; q < end; q = e + 1) {
		if ((e = memchr(q, '\n', (size_t)(end - q))) == NULL)
			e = end;
		if ((size_t)(e - q) >= k + 4 && q[0] == '-' && q[1] == '-' &&
		    memcmp(q + 2, b, k) == 0 && q[k + 2] == '-' &&
		    q[k + 3] == '-')
			return 1;
	}
	return 0;
}

#define MAX_CLOSE_ROUNDS	3

/*
 * Outlook.com/Hotmail (Exchange) send multiparts without their
 * close-delimiter.  libetpan then ends the last part at the last line
 * that starts with "--" (an armor's END line), or fails: the payload is
 * cut.  RFC 2046 has no end for such a body but the end of the message,
 * so that is where the multiparts on the message's last-part chain (the
 * only ones that can reach it) are closed: their close-delimiters are
 * appended to our copy, innermost first, and the copy parsed again.
 * Only the end moves: no byte of what was received becomes part of
 * another part than the one that held it, nothing outside the envelope
 * reaches into it (EFAIL), and a part with its close is left alone.
 * Returns the number of delimiters appended to tail.
 */
static size_t
missing_closes(const struct mailmime *mm, const char *p, size_t len,
    struct buf *tail)
{
	const char *b[MIME_MAX_DEPTH + 1];
	size_t n = 0;
	clistiter *it;

	while (mm != NULL && n < MIME_MAX_DEPTH + 1) {
		if (mm->mm_type == MAILMIME_MESSAGE) {
			mm = mm->mm_data.mm_message.mm_msg_mime;
			continue;
		}
		if (mm->mm_type != MAILMIME_MULTIPLE)
			break;
		b[n] = mime_part_param(PART(mm), "boundary");
		if (b[n] == NULL || *b[n] == '\0' ||
		    strlen(b[n]) > MAX_BOUNDARY || has_close(p, len, b[n]))
			break;
		n++;
		it = clist_end(mm->mm_data.mm_multipart.mm_mp_list);
		mm = it != NULL ? clist_content(it) : NULL;
	}
	for (size_t i = n; i > 0; i--)
		buf_printf(tail, "\r\n--%s--\r\n", b[i - 1]);
	return n;
}

static void rfc2231_walk(struct mailmime *mm);

static enum crypto_status
parse_copy(struct mime_msg *m)
{
	struct mailmime *top = NULL;
	size_t idx = 0, count = 0;

	if (m->top != NULL)
		mailmime_free(m->top);
	m->top = m->root = NULL;
	if (mailmime_parse(buf_data(m->raw), buf_len(m->raw), &idx,
	    &top) != MAILIMF_NO_ERROR || top == NULL)
		return CRYPTO_MALFORMED;
	m->top = top;
	m->root = top->mm_type == MAILMIME_MESSAGE &&
	    top->mm_data.mm_message.mm_msg_mime != NULL ?
	    top->mm_data.mm_message.mm_msg_mime : top;
	m->nparts = 0;
	if (walk_limits(m->root, 0, &count) != CRYPTO_OK)
		return CRYPTO_HOSTILE;
	m->nparts = count;
	rfc2231_walk(m->root);
	return CRYPTO_OK;
}

enum crypto_status
mime_parse(const void *data, size_t len, int flags, struct mime_msg **mp)
{
	enum crypto_status st;
	struct mime_msg *m;
	struct buf *tail;
	int round;

	if (data == NULL && len > 0)
		return CRYPTO_BAD_ARGUMENT;
	if ((st = prescan(data, len)) != CRYPTO_OK)
		return st;
	m = xcalloc(1, sizeof *m);
	m->sensitive = (flags & MIME_SENSITIVE) != 0;
	m->raw = buf_new(m->sensitive ? BUF_SENSITIVE : 0);
	buf_append(m->raw, data, len);
	if ((st = parse_copy(m)) != CRYPTO_OK)
		goto fail;
	/* a multipart closed now may reveal one inside its last part that
	 * is not: a few rounds, each a parse of the whole copy */
	for (round = 0; round < MAX_CLOSE_ROUNDS; round++) {
		tail = buf_new(0);
		if (missing_closes(m->root, buf_data(m->raw),
		    buf_len(m->raw), tail) == 0) {
			buf_free(tail);
			break;
		}
		buf_append(m->raw, buf_data(tail), buf_len(tail));
		buf_free(tail);
		m->closed = 1;
		if ((st = parse_copy(m)) != CRYPTO_OK)
			goto fail;
	}
	*mp = m;
	return CRYPTO_OK;
fail:
	mime_free(m);
	return st;
}

int
mime_closed(const struct mime_msg *m)
{
	return m->closed;
}

void
mime_free(struct mime_msg *m)
{
	if (m == NULL)
		return;
	if (m->top != NULL)
		mailmime_free(m->top);
	buf_free(m->raw);
	free(m);
}

const struct mime_part *
mime_root(const struct mime_msg *m)
{
	return PART(m->root);
}

size_t
mime_nparts(const struct mime_msg *m)
{
	return m->nparts;
}

static const char *
discrete_name(const struct mailmime_discrete_type *d)
{
	switch (d->dt_type) {
	case MAILMIME_DISCRETE_TYPE_TEXT:
		return "text";
	case MAILMIME_DISCRETE_TYPE_IMAGE:
		return "image";
	case MAILMIME_DISCRETE_TYPE_AUDIO:
		return "audio";
	case MAILMIME_DISCRETE_TYPE_VIDEO:
		return "video";
	case MAILMIME_DISCRETE_TYPE_APPLICATION:
		return "application";
	default:
		return d->dt_extension != NULL ? d->dt_extension : "x-unknown";
	}
}

const char *
mime_part_ctype(const struct mime_part *p, char *buf, size_t size)
{
	const struct mailmime_content *ct = MM(p)->mm_content_type;
	const struct mailmime_type *t;
	const char *type = "text", *sub = "plain";
	size_t i;

	if (ct != NULL && (t = ct->ct_type) != NULL) {
		if (t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE)
			type = discrete_name(t->tp_data.tp_discrete_type);
		else if (t->tp_data.tp_composite_type->ct_type ==
		    MAILMIME_COMPOSITE_TYPE_MESSAGE)
			type = "message";
		else if (t->tp_data.tp_composite_type->ct_type ==
		    MAILMIME_COMPOSITE_TYPE_MULTIPART)
			type = "multipart";
		else
			type = t->tp_data.tp_composite_type->ct_token != NULL ?
			    t->tp_data.tp_composite_type->ct_token :
			    "x-unknown";
		sub = ct->ct_subtype != NULL ? ct->ct_subtype : "";
	}
	(void)snprintf(buf, size, "%s/%s", type, sub);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return buf;
}

int
mime_part_is(const struct mime_part *p, const char *ctype)
{
	char b[128];

	return strcasecmp(mime_part_ctype(p, b, sizeof b), ctype) == 0;
}

const char *
mime_part_param(const struct mime_part *p, const char *name)
{
	struct mailmime_content *ct = MM(p)->mm_content_type;
	clistiter *it;

	if (ct == NULL || ct->ct_parameters == NULL)
		return NULL;
	for (it = clist_begin(ct->ct_parameters); it != NULL;
	    it = clist_next(it)) {
		struct mailmime_parameter *pa = clist_content(it);

		if (pa->pa_name != NULL && strcasecmp(pa->pa_name, name) == 0)
			return pa->pa_value;
	}
	return NULL;
}

/*
 * RFC 2231 names.  libetpan knows only filename= and name=; filename*=,
 * filename*0=, filename*1*= (and name*...) come through as parameters
 * of those literal names.  A mail client shows the joined, decoded
 * name, so a name check must see that one: mime_parse() joins and
 * decodes them once and keeps the result on the part's Content-Type
 * under a parameter name no header can carry (a token has no space),
 * so its pointer lives as long as the parse, like every other.
 */
#define RFC2231_FILENAME	" filename"	/* from Content-Disposition */
#define RFC2231_NAME		" name"		/* from Content-Type */
#define RFC2231_MAX_SEGMENTS	64

struct param {
	const char	*name;
	const char	*value;
};

/* "base*", "base*N" or "base*N*" (N decimal, no leading zero): 1 and
 * *seg, *ext set (seg -1 for "base*"); 0 for anything else. */
static int
rfc2231_name(const char *name, const char *base, long *seg, int *ext)
{
	size_t n = strlen(base);
	const char *q;
	long k = 0;

	if (name == NULL || strncasecmp(name, base, n) != 0 || name[n] != '*')
		return 0;
	q = name + n + 1;
	if (*q == '\0') {
		*seg = -1;
		*ext = 1;
		return 1;
	}
	if (!isdigit((unsigned char)*q) || (q[0] == '0' && isdigit(
	    (unsigned char)q[1])))
		return 0;
	for (; isdigit((unsigned char)*q) && k < 100000; q++)
		k = k * 10 + (*q - '0');
	if (*q == '*')
		*ext = 1, q++;
	else
		*ext = 0;
	if (*q != '\0')
		return 0;
	*seg = k;
	return 1;
}

/* Append a %XX-encoded value; a NUL would cut the name short where a
 * client shows more, so it becomes U+FFFD. */
static void
pct_decode(const char *v, struct buf *out)
{
	int h, l;

	for (; *v != '\0'; v++) {
		if (v[0] == '%' && (h = hub_hex_digit((unsigned char)v[1])) >= 0 &&
		    (l = hub_hex_digit((unsigned char)v[2])) >= 0) {
			if (h == 0 && l == 0)
				buf_append(out, "\xef\xbf\xbd", 3);
			else
				buf_append(out, &(char){ (char)(h * 16 + l) },
				    1);
			v += 2;
		} else
			buf_append(out, v, 1);
	}
}

/* The raw bytes in charset to UTF-8; left as they are if iconv does
 * not know the charset or the bytes are not in it (the name is still a
 * name: only its spelling is uncertain). */
static char *
to_utf8(const char *cs, const char *s, size_t n)
{
	char *res, *in = (char *)s, *o;
	size_t inleft = n, oleft, cap;
	iconv_t cd;

	if (cs[0] != '\0' && strcasecmp(cs, "utf-8") != 0 &&
	    strcasecmp(cs, "us-ascii") != 0 &&
	    (cd = iconv_open("UTF-8", cs)) != (iconv_t)-1) {
		cap = 4 * n + 4;
		res = xmalloc(cap);
		o = res;
		oleft = cap - 1;
		if (iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1 &&
		    iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1 &&
		    memchr(res, '\0', (size_t)(o - res)) == NULL) {
			*o = '\0';
			iconv_close(cd);
			return res;
		}
		iconv_close(cd);
		free(res);
	}
	res = xmalloc(n + 1);
	memcpy(res, s, n);
	res[n] = '\0';
	return res;
}

/*
 * The name RFC 2231 parameters of base spell (§3 continuations, §4
 * charset'language'%XX), malloc'd; NULL if there are none.  Lenient
 * where a client is: a gap ends the name, a segment without its start
 * still makes a name (its raw value), so any base* parameter yields one.
 */
static char *
rfc2231_join(const struct param *ps, size_t n, const char *base)
{
	const struct param *seg[RFC2231_MAX_SEGMENTS], *whole = NULL;
	int exts[RFC2231_MAX_SEGMENTS];
	struct buf *b;
	const char *v, *q1, *q2, *first = NULL;
	char cs[64] = "", *res;
	long k;
	size_t i;
	int ext;

	/* one pass: a header of many parameters costs its length once */
	memset(seg, 0, sizeof seg);
	for (i = 0; i < n; i++) {
		if (!rfc2231_name(ps[i].name, base, &k, &ext) ||
		    ps[i].value == NULL)
			continue;
		if (first == NULL)
			first = ps[i].value;
		if (k == -1 && whole == NULL)
			whole = &ps[i];
		else if (k >= 0 && k < RFC2231_MAX_SEGMENTS && seg[k] == NULL) {
			seg[k] = &ps[i];
			exts[k] = ext;
		}
	}
	if (first == NULL)
		return NULL;
	b = buf_new(0);
	/* base* is the whole name (§4); else base*0, base*1, ... (§3) */
	for (k = whole != NULL ? -1 : 0; k < RFC2231_MAX_SEGMENTS; k++) {
		if (k >= 0 && seg[k] == NULL)
			break;
		v = k == -1 ? whole->value : seg[k]->value;
		ext = k == -1 ? 1 : exts[k];
		if (ext && k <= 0 && (q1 = strchr(v, '\'')) != NULL &&
		    (q2 = strchr(q1 + 1, '\'')) != NULL) {
			snprintf(cs, sizeof cs, "%.*s", (int)(q1 - v), v);
			v = q2 + 1;
		}
		if (ext)
			pct_decode(v, b);
		else
			buf_append_str(b, v);
		if (k == -1)
			break;
	}
	if (buf_len(b) == 0)
		buf_append_str(b, first);
	res = to_utf8(cs, buf_data(b), buf_len(b));
	buf_free(b);
	return res;
}

/* Keep the joined name on the part's Content-Type (see above). */
static void
rfc2231_keep(struct mailmime *mm, const char *key, char *val)
{
	struct mailmime_parameter *pa;
	char *k;

	if (val == NULL)
		return;
	k = xstrdup(key);
	if (mm->mm_content_type == NULL ||
	    mm->mm_content_type->ct_parameters == NULL ||
	    (pa = mailmime_parameter_new(k, val)) == NULL) {
		free(k);
		free(val);
		return;
	}
	if (clist_append(mm->mm_content_type->ct_parameters, pa) < 0)
		mailmime_parameter_free(pa);
}

static struct mailmime_disposition *
disposition_of(const struct mailmime *mm)
{
	clistiter *it;

	if (mm->mm_mime_fields == NULL)
		return NULL;
	for (it = clist_begin(mm->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);

		if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
			return f->fld_data.fld_disposition;
	}
	return NULL;
}

static size_t
list_len(clist *l)
{
	return l != NULL ? (size_t)clist_count(l) : 0;
}

static void
rfc2231_part(struct mailmime *mm)
{
	struct mailmime_disposition *dsp = disposition_of(mm);
	struct mailmime_content *ct = mm->mm_content_type;
	struct param *ps;
	clistiter *it;
	size_t n = 0;

	ps = xcalloc(list_len(dsp != NULL ? dsp->dsp_parms : NULL) +
	    list_len(ct != NULL ? ct->ct_parameters : NULL) + 1, sizeof *ps);
	if (dsp != NULL && dsp->dsp_parms != NULL)
		for (it = clist_begin(dsp->dsp_parms); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_disposition_parm *d = clist_content(it);

			if (d->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER) {
				ps[n].name = d->pa_data.pa_parameter->pa_name;
				ps[n++].value =
				    d->pa_data.pa_parameter->pa_value;
			}
		}
	rfc2231_keep(mm, RFC2231_FILENAME, rfc2231_join(ps, n, "filename"));
	n = 0;
	if (ct != NULL && ct->ct_parameters != NULL)
		for (it = clist_begin(ct->ct_parameters); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_parameter *pa = clist_content(it);

			ps[n].name = pa->pa_name;
			ps[n++].value = pa->pa_value;
		}
	rfc2231_keep(mm, RFC2231_NAME, rfc2231_join(ps, n, "name"));
	free(ps);
}

static void
rfc2231_walk(struct mailmime *mm)
{
	clistiter *it;

	rfc2231_part(mm);
	if (mm->mm_type == MAILMIME_MESSAGE) {
		if (mm->mm_data.mm_message.mm_msg_mime != NULL)
			rfc2231_walk(mm->mm_data.mm_message.mm_msg_mime);
	} else if (mm->mm_type == MAILMIME_MULTIPLE)
		for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			rfc2231_walk(clist_content(it));
}

/* A client shows the RFC 2231 name where there is one (§4's reason to
 * exist is a name filename= cannot spell), else the plain one. */
const char *
mime_part_filename(const struct mime_part *p)
{
	struct mailmime_single_fields sf;
	const char *v;

	if ((v = mime_part_param(p, RFC2231_FILENAME)) != NULL)
		return v;
	memset(&sf, 0, sizeof sf);
	mailmime_single_fields_init(&sf, MM(p)->mm_mime_fields,
	    MM(p)->mm_content_type);
	if (sf.fld_disposition_filename != NULL)
		return sf.fld_disposition_filename;
	if ((v = mime_part_param(p, RFC2231_NAME)) != NULL)
		return v;
	return sf.fld_content_name;
}

enum mime_disposition
mime_part_disposition(const struct mime_part *p)
{
	const struct mailmime_disposition *dsp = disposition_of(MM(p));

	if (dsp == NULL)
		return MIME_DISP_NONE;
	if (dsp->dsp_type != NULL &&
	    dsp->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_INLINE)
		return MIME_DISP_INLINE;
	return MIME_DISP_OTHER;
}

size_t
mime_part_nchildren(const struct mime_part *p)
{
	return nchildren(MM(p));
}

const struct mime_part *
mime_part_child(const struct mime_part *p, size_t i)
{
	struct mailmime *c = child(MM(p), i);

	return c != NULL ? PART(c) : NULL;
}

const struct mime_part *
mime_part_parent(const struct mime_part *p)
{
	struct mailmime *par = MM(p)->mm_parent;

	/* libetpan's top MESSAGE node is not a part of ours */
	if (par == NULL || par->mm_parent == NULL)
		return NULL;
	return PART(par);
}

const char *
mime_part_path(const struct mime_part *p, char *buf, size_t size)
{
	const struct mime_part *par;
	size_t idx[MIME_MAX_DEPTH + 2], n = 0, i, off = 0;

	while ((par = mime_part_parent(p)) != NULL &&
	    n < sizeof idx / sizeof idx[0]) {
		for (i = 0; i < mime_part_nchildren(par); i++)
			if (mime_part_child(par, i) == p)
				break;
		idx[n++] = i + 1;
		p = par;
	}
	if (size > 0)
		buf[0] = '\0';
	while (n-- > 0 && off < size) {
		int w = snprintf(buf + off, size - off, "%s%zu",
		    off ? "." : "", idx[n]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

void
mime_part_raw(const struct mime_part *p, const char **data, size_t *len)
{
	*data = MM(p)->mm_mime_start;
	*len = MM(p)->mm_length;
}

void
mime_part_body(const struct mime_part *p, const char **data, size_t *len)
{
	const struct mailmime *mm = MM(p);
	size_t h;

	if (mm->mm_body != NULL) {
		*data = mm->mm_body->dt_data.dt_text.dt_data;
		*len = mm->mm_body->dt_data.dt_text.dt_length;
		return;
	}
	/* message/rfc822 parts carry no body node: skip the headers */
	h = header_end(mm->mm_mime_start, mm->mm_length);
	if (h < mm->mm_length && mm->mm_mime_start[h] == '\r')
		h++;
	if (h < mm->mm_length)
		h++;
	*data = mm->mm_mime_start + h;
	*len = mm->mm_length - h;
}

int
mime_part_header(const struct mime_part *p, const char *name,
    struct buf *out)
{
	const char *s = MM(p)->mm_mime_start, *end, *q, *v;
	size_t nlen = strlen(name), hlen;

	if (s == NULL)
		return 0;
	hlen = header_end(s, MM(p)->mm_length);
	end = s + hlen;
	for (q = s; q < end; ) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *eol = nl != NULL ? nl + 1 : end;

		if ((size_t)(end - q) > nlen && q[nlen] == ':' &&
		    strncasecmp(q, name, nlen) == 0) {
			int sp = 0, any = 0;

			/* unfold: CRLF + WSP becomes one space */
			for (v = q + nlen + 1; v < end; v++) {
				if (*v == '\r')
					continue;
				if (*v == '\n') {
					if (v + 1 < end && (v[1] == ' ' ||
					    v[1] == '\t')) {
						sp = 1;
						continue;
					}
					break;
				}
				if (*v == ' ' || *v == '\t') {
					sp = 1;
					continue;
				}
				if (sp && any)
					buf_append(out, " ", 1);
				sp = 0;
				any = 1;
				buf_append(out, v, 1);
			}
			return 1;
		}
		q = eol;
	}
	return 0;
}

static int
encoding_of(const struct mailmime *mm)
{
	struct mailmime_single_fields sf;

	memset(&sf, 0, sizeof sf);
	mailmime_single_fields_init(&sf, mm->mm_mime_fields,
	    mm->mm_content_type);
	return sf.fld_encoding != NULL ? sf.fld_encoding->enc_type :
	    MAILMIME_MECHANISM_8BIT;
}

/* libetpan's base64 decoder skips garbage silently; we call it broken. */
static int
base64_ok(const char *p, size_t len)
{
	size_t i, n = 0, pad = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			n++;
			continue;
		}
		if (pad > 0 || !(isalnum(c) || c == '+' || c == '/'))
			return 0;
		n++;
	}
	return pad <= 2 && n % 4 == 0;
}

static void
add_address(const char *a, char ***addrs, size_t *n)
{
	char *c;
	size_t i;

	if (a == NULL)
		return;
	c = xstrdup(a);
	for (i = 0; c[i] != '\0'; i++)
		if (c[i] >= 'A' && c[i] <= 'Z')
			c[i] = (char)(c[i] - 'A' + 'a');
	*addrs = xreallocarray(*addrs, *n + 1, sizeof **addrs);
	(*addrs)[(*n)++] = c;
}

int
mime_addresses(const char *value, char ***addrs, size_t *n)
{
	struct mailimf_address_list *al = NULL;
	struct mailimf_address *a;
	struct mailimf_mailbox *mb;
	clistiter *it, *jt;
	size_t idx = 0, before = *n;

	if (mailimf_address_list_parse(value, strlen(value), &idx, &al) !=
	    MAILIMF_NO_ERROR)
		return -1;
	for (it = clist_begin(al->ad_list); it != NULL; it = clist_next(it)) {
		a = clist_content(it);
		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX) {
			add_address(a->ad_data.ad_mailbox->mb_addr_spec,
			    addrs, n);
			continue;
		}
		if (a->ad_data.ad_group->grp_mb_list == NULL)
			continue;
		for (jt = clist_begin(a->ad_data.ad_group->grp_mb_list->
		    mb_list); jt != NULL; jt = clist_next(jt)) {
			mb = clist_content(jt);
			add_address(mb->mb_addr_spec, addrs, n);
		}
	}
	mailimf_address_list_free(al);
	return (int)(*n - before);
}

enum crypto_status
mime_part_decode(const struct mime_part *p, struct buf *out)
{
	const char *body;
	size_t len, idx = 0, rlen = 0;
	char *res = NULL;
	int enc;

	mime_part_body(p, &body, &len);
	enc = encoding_of(MM(p));
	if (enc != MAILMIME_MECHANISM_BASE64 &&
	    enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		buf_append(out, body, len);
		return CRYPTO_OK;
	}
	if (enc == MAILMIME_MECHANISM_BASE64 && !base64_ok(body, len))
		return CRYPTO_MALFORMED;
	if (mailmime_part_parse(body, len, &idx, enc, &res, &rlen) !=
	    MAILIMF_NO_ERROR || res == NULL)
		return CRYPTO_MALFORMED;
	buf_append(out, res, rlen);
	/* the decoded copy may be plaintext: wipe libetpan's buffer too */
	hub_wipe(res, rlen);
	mailmime_decoded_part_free(res);
	return CRYPTO_OK;
}

enum crypto_status
mime_part_text_utf8(const struct mime_part *p, struct buf *out)
{
	enum crypto_status st;
	const char *cs = mime_part_param(p, "charset");
	struct buf *raw;
	iconv_t cd;
	char *in, *o, tmp[4096];
	size_t inleft, oleft;

	raw = buf_new(BUF_SENSITIVE);
	if ((st = mime_part_decode(p, raw)) != CRYPTO_OK)
		goto out;
	if (cs == NULL || *cs == '\0')
		cs = "US-ASCII";
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1) {
		/* unknown charset: keep ASCII, mark the rest */
		cd = iconv_open("UTF-8", "US-ASCII");
		if (cd == (iconv_t)-1) {
			st = CRYPTO_ENGINE_ERROR;
			goto out;
		}
	}
	in = (char *)buf_data(raw);
	inleft = buf_len(raw);
	while (inleft > 0) {
		o = tmp;
		oleft = sizeof tmp;
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 &&
		    errno != E2BIG) {
			buf_append(out, tmp, sizeof tmp - oleft);
			/* EILSEQ/EINVAL: one replacement, skip one byte */
			buf_append(out, "\xef\xbf\xbd", 3);
			in++;
			inleft--;
			(void)iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		buf_append(out, tmp, sizeof tmp - oleft);
	}
	/* flush a stateful encoding's shift sequence */
	o = tmp;
	oleft = sizeof tmp;
	(void)iconv(cd, NULL, NULL, &o, &oleft);
	buf_append(out, tmp, sizeof tmp - oleft);
	hub_wipe(tmp, sizeof tmp);
	iconv_close(cd);
out:
	buf_free(raw);
	return st;
}

void
mime_canon_crlf(const char *data, size_t len, struct buf *out)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (data[i] != '\n' || (i > 0 && data[i - 1] == '\r'))
			continue;
		buf_append(out, data + start, i - start);
		buf_append(out, "\r\n", 2);
		start = i + 1;
	}
	buf_append(out, data + start, len - start);
}
