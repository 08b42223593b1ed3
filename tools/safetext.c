/*
 * safetext: hubctl's rule for free text; see safetext.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "tools/safetext.h"
#include "base/utf8.h"

/* Where escaped text goes: a stream or a buffer. */
struct sink {
	FILE		*fp;
	struct buf	*b;
};

static void
emit(struct sink *k, const void *p, size_t n)
{
	if (k->fp != NULL)
		fwrite(p, 1, n, k->fp);
	else
		buf_append(k->b, p, n);
}

/* \xHH (an octet) or \uXXXX (a code point), lower-case hex. */
static void
emit_hex(struct sink *k, char kind, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	char e[6];
	size_t n = 0;
	int shift;

	e[n++] = '\\';
	e[n++] = kind;
	for (shift = kind == 'x' ? 4 : 12; shift >= 0; shift -= 4)
		e[n++] = hex[(v >> shift) & 0xf];
	emit(k, e, n);
}

int
safetext_check(const char *s, char *why, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t c;

	while (i < n) {
		if ((k = hub_utf8_dec(p + i, n - i, &c)) == 0) {
			snprintf(why, size, "invalid UTF-8 (octet 0x%02x) at "
			    "octet %zu", p[i], i);
			return -1;
		}
		if (hub_cp_control(c)) {
			snprintf(why, size, "control character U+%04X at "
			    "octet %zu", (unsigned)c, i);
			return -1;
		}
		if (hub_cp_format(c)) {
			snprintf(why, size, "bidirectional or format "
			    "character U+%04X at octet %zu", (unsigned)c, i);
			return -1;
		}
		i += k;
	}
	return 0;
}

static size_t
put_text(struct sink *sk, const char *s, size_t n, unsigned flags,
    int indent)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, cols = 0, run;
	uint32_t c;
	int j, pending = 0;

	while (i < n) {
		/* the indent of a line kept, unless it is empty */
		if (pending && p[i] != '\n') {
			for (j = 0; j < indent; j++)
				emit(sk, " ", 1);
			pending = 0;
		}
		/* a run of printable ASCII in one write */
		for (run = 0; i + run < n && p[i + run] >= 0x20 &&
		    p[i + run] < 0x7f; run++)
			;
		if (run > 0) {
			emit(sk, p + i, run);
			i += run;
			cols += run;
			continue;
		}
		if ((k = hub_utf8_dec(p + i, n - i, &c)) == 0) {
			emit_hex(sk, 'x', p[i]);
			cols += 4;
			i++;
			continue;
		}
		if (c == '\n' && (flags & SAFETEXT_KEEP_NL)) {
			emit(sk, "\n", 1);
			pending = 1;
			cols = (size_t)(indent > 0 ? indent : 0);
		} else if (c == '\t' && (flags & SAFETEXT_KEEP_TAB)) {
			emit(sk, "\t", 1);
			cols++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			emit(sk, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t",
			    2);
			cols += 2;
		} else if (c < 0x20 || c == 0x7f) {
			emit_hex(sk, 'x', c);
			cols += 4;
		} else if (hub_cp_control(c) || hub_cp_format(c)) {
			emit_hex(sk, 'u', c);
			cols += 6;
		} else {
			emit(sk, p + i, k);
			cols++;
		}
		i += k;
	}
	return cols;
}

size_t
safetext_write(FILE *fp, const char *s, size_t n, unsigned flags, int indent)
{
	struct sink sk = { fp, NULL };

	return put_text(&sk, s, n, flags, indent);
}

size_t
safetext_buf(struct buf *b, const char *s, size_t n, unsigned flags,
    int indent)
{
	struct sink sk = { NULL, b };

	return put_text(&sk, s, n, flags, indent);
}

char *
safetext_dup(const char *s, unsigned flags)
{
	struct buf *b = buf_new(BUF_SENSITIVE);
	char *r;

	safetext_buf(b, s, strlen(s), flags, 0);
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

void
safetext_json(FILE *fp, const char *s)
{
	json_fput_str(fp, s);
}

int
safetext_json_embed(FILE *fp, const char *json)
{
	const unsigned char *p = (const unsigned char *)json, *q;
	struct buf *b = buf_new(BUF_SENSITIVE);
	struct sink sk = { NULL, b };
	size_t i = 0;

	while (p[i] != '\0') {
		if (p[i] != '"') {
			/* structure, numbers, true, false, null, white space */
			if (strchr("{}[],:0123456789+-.eEtrufalsn \t\r\n",
			    p[i]) == NULL)
				goto bad;
			emit(&sk, p + i, 1);
			i++;
			continue;
		}
		/* a string: find its end, keeping the escapes it has */
		emit(&sk, "\"", 1);
		i++;
		for (q = p + i; *q != '\0' && *q != '"'; q++) {
			if (*q != '\\')
				continue;
			if (q[1] == '\0' ||
			    strchr("\"\\/bfnrtu", q[1]) == NULL)
				goto bad;
			if (q[1] == 'u' && (!isxdigit(q[2]) ||
			    !isxdigit(q[3]) || !isxdigit(q[4]) ||
			    !isxdigit(q[5])))
				goto bad;
			/* an escape stays as it is; only what is raw changes */
			if (q > p + i)
				json_append_raw(b, p + i, (size_t)(q - (p + i)));
			emit(&sk, q, 2);
			q++;
			i = (size_t)(q + 1 - p);
		}
		if (*q != '"')
			goto bad;
		json_append_raw(b, p + i, (size_t)(q - (p + i)));
		emit(&sk, "\"", 1);
		i = (size_t)(q + 1 - p);
	}
	fwrite(buf_data(b), 1, buf_len(b), fp);
	buf_free(b);
	return 0;
bad:
	buf_free(b);
	return -1;
}
