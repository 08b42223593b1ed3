/*
 * text: a decrypted post's MIME tree to the UTF-8 text the archive
 * extracts indicators from (see text.h for what is taken and skipped).
 *
 * Every intermediate copy is a BUF_SENSITIVE buf: all of it is plaintext.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "archive/text.h"
#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "base/buf.h"
#include "base/digits.h"
#include "base/utf8.h"

#define NAME_MAX_OCTETS	200	/* of an attachment name in the intro line */
#define WORD_MAX	2048	/* octets of one RFC 2047 encoded word */

struct sink {
	struct buf	*out;
	size_t		 base;		/* buf_len(out) when we started */
	size_t		 nparts;
	size_t		 max;		/* octets of output */
	size_t		 max_parts;
	int		 all;		/* every alternative (labels) */
	int		 truncated;
	int		 full;		/* a bound was hit: stop walking */
};

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static void
put_utf8(struct buf *out, uint32_t cp)
{
	unsigned char b[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		buf_append(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 3);
	} else {
		b[0] = (unsigned char)(0xf0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 4);
	}
}

/*
 * Header values and file names arrive as raw octets (8-bit headers in
 * whatever charset the sender's client liked), or as the decoded text
 * of encoded words, which a stranger chose: keep valid UTF-8, make the
 * rest U+FFFD; controls (C0, DEL and C1: NEL is a line break to some)
 * become spaces, so one line stays one line; characters that reorder
 * what is shown (bidi overrides and isolates, U+2028/9) become U+FFFD,
 * so "TLP:RED" cannot be made to look like something else.
 */
void
text_clean(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = hub_utf8_dec(u + i, n - i, &cp)) == 0) {
			put_utf8(out, 0xfffd);
			i++;
		} else if (hub_cp_control(cp)) {
			buf_append(out, " ", 1);
			i += k;
		} else if (hub_cp_format(cp)) {
			put_utf8(out, 0xfffd);
			i += k;
		} else {
			buf_append(out, s + i, k);
			i += k;
		}
	}
}

/*
 * The converter of the last charset seen in one header value: a value
 * of thousands of encoded words (a stranger's) opens iconv once per
 * charset change, not once per word.  cd == (iconv_t)-1 with a name:
 * iconv does not know that charset.
 */
struct cs_cache {
	char	 name[64];
	iconv_t	 cd;
};

static iconv_t
cs_open(struct cs_cache *cc, const char *cs)
{
	if (cc->name[0] != '\0' && strcasecmp(cc->name, cs) == 0) {
		if (cc->cd != (iconv_t)-1)
			/* each encoded word starts in the initial shift
			 * state (RFC 2047 §5: words decode on their own) */
			(void)iconv(cc->cd, NULL, NULL, NULL, NULL);
		return cc->cd;
	}
	if (cc->cd != (iconv_t)-1)
		iconv_close(cc->cd);
	snprintf(cc->name, sizeof cc->name, "%s", cs);
	cc->cd = iconv_open("UTF-8", cs);
	return cc->cd;
}

static void
cs_close(struct cs_cache *cc)
{
	if (cc->cd != (iconv_t)-1)
		iconv_close(cc->cd);
	cc->cd = (iconv_t)-1;
	cc->name[0] = '\0';
}

/* Charset to UTF-8 for an encoded word; the body path is mime's own.
 * An octet the charset cannot decode becomes U+FFFD. */
static void
put_charset(struct buf *out, struct cs_cache *cc, const char *cs,
    const char *s, size_t n)
{
	struct buf *tmp;
	iconv_t cd;
	char *in = (char *)s, *o, chunk[512];
	size_t inleft = n, oleft;

	if ((cd = cs_open(cc, cs)) == (iconv_t)-1) {
		text_clean(out, s, n);
		return;
	}
	tmp = buf_new(BUF_SENSITIVE);
	while (inleft > 0) {
		o = chunk;
		oleft = sizeof chunk;
		if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 &&
		    errno != E2BIG) {
			buf_append(tmp, chunk, sizeof chunk - oleft);
			buf_append(tmp, "\xef\xbf\xbd", 3);
			in++;
			inleft--;
			(void)iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		buf_append(tmp, chunk, sizeof chunk - oleft);
	}
	o = chunk;
	oleft = sizeof chunk;
	(void)iconv(cd, NULL, NULL, &o, &oleft);
	buf_append(tmp, chunk, sizeof chunk - oleft);
	hub_wipe(chunk, sizeof chunk);
	/* a decoded control (=0A in a Q word) must not split the line */
	text_clean(out, buf_data(tmp), buf_len(tmp));
	buf_free(tmp);
}

/*
 * One RFC 2047 encoded word at s[0, n): on success its decoded text is
 * appended and its length returned, else 0 (then it is plain text).
 */
static size_t
encoded_word(const char *s, size_t n, struct cs_cache *cc, struct buf *out)
{
	char cs[64];
	const char *q, *t, *end;
	size_t cslen, i;
	struct buf *raw;
	char enc;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	/* A word has no white space (RFC 2047 §5) and is short (75, but
	 * some senders put a whole subject in one): looking no further
	 * keeps a value of many unterminated "=?" linear, not quadratic. */
	if (n > WORD_MAX)
		n = WORD_MAX;
	for (i = 2; i < n && s[i] != ' ' && s[i] != '\t'; i++)
		;
	n = i;
	if ((q = memchr(s + 2, '?', n - 2)) == NULL)
		return 0;
	cslen = (size_t)(q - (s + 2));
	if (cslen == 0 || cslen >= sizeof cs || (size_t)(q - s) + 3 >= n ||
	    q[2] != '?')
		return 0;
	enc = (char)toupper((unsigned char)q[1]);
	if (enc != 'B' && enc != 'Q')
		return 0;
	t = q + 3;
	for (end = t; end + 1 < s + n; end++)
		if (end[0] == '?' && end[1] == '=')
			break;
	if (end + 1 >= s + n)
		return 0;
	memcpy(cs, s + 2, cslen);
	cs[cslen] = '\0';
	/* RFC 2231 language suffix: "ISO-2022-JP*ja" */
	if ((q = strchr(cs, '*')) != NULL)
		cs[q - cs] = '\0';

	raw = buf_new(BUF_SENSITIVE);
	if (enc == 'Q') {
		for (i = 0; t + i < end; i++) {
			unsigned char c = (unsigned char)t[i];
			int h, l;

			if (c == '_')
				c = ' ';
			else if (c == '=' && t + i + 2 < end &&
			    (h = hub_hex_digit((unsigned char)t[i + 1])) >= 0 &&
			    (l = hub_hex_digit((unsigned char)t[i + 2])) >= 0) {
				c = (unsigned char)(h << 4 | l);
				i += 2;
			}
			buf_append(raw, &c, 1);
		}
	} else {
		unsigned acc = 0;
		int bits = 0, v;

		for (i = 0; t + i < end; i++) {
			if ((v = hub_b64_digit((unsigned char)t[i])) < 0)
				continue;	/* padding, stray space */
			acc = (acc << 6 | (unsigned)v) & 0xffffff;
			bits += 6;
			if (bits >= 8) {
				unsigned char c;

				bits -= 8;
				c = (unsigned char)(acc >> bits);
				buf_append(raw, &c, 1);
			}
		}
	}
	put_charset(out, cc, cs, buf_data(raw), buf_len(raw));
	buf_free(raw);
	return (size_t)(end + 2 - s);
}

/* A header value with its encoded words decoded, as one clean line. */
static void
put_header_value(struct buf *out, const char *v, size_t n)
{
	struct buf *w = buf_new(BUF_SENSITIVE);
	struct cs_cache cc = { "", (iconv_t)-1 };
	size_t i = 0, k, ws = 0, wsn = 0;
	int after_word = 0;

	while (i < n) {
		if (v[i] == ' ' || v[i] == '\t') {
			if (wsn++ == 0)
				ws = i;
			i++;
			continue;
		}
		buf_reset(w);
		if ((k = encoded_word(v + i, n - i, &cc, w)) > 0) {
			/* RFC 2047 6.2: space between two words is not text */
			if (wsn > 0 && !after_word)
				text_clean(out, v + ws, wsn);
			buf_append(out, buf_data(w), buf_len(w));
			after_word = 1;
		} else {
			if (wsn > 0)
				text_clean(out, v + ws, wsn);
			for (k = 1; i + k < n && v[i + k] != ' ' &&
			    v[i + k] != '\t'; k++)
				;
			text_clean(out, v + i, k);
			after_word = 0;
		}
		wsn = 0;
		i += k;
	}
	cs_close(&cc);
	buf_free(w);
}

/* Where the header block ends: at the empty line, or the end. */
static size_t
header_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '\n')
			return i;
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			return i;
		while (i < n && s[i] != '\n')
			i++;
		i++;
	}
	return n;
}

/*
 * The first header called name in the block s[0, n), unfolded, appended
 * decoded to out; 0 when there is none.
 */
static int
header_get(const char *s, size_t n, const char *name, struct buf *out)
{
	size_t nlen = strlen(name), i = 0, e, j;
	struct buf *v;

	n = header_len(s, n);
	while (i < n) {
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		if (e - i > nlen && s[i + nlen] == ':' &&
		    strncasecmp(s + i, name, nlen) == 0)
			break;
		i = e + 1;
	}
	if (i >= n)
		return 0;
	v = buf_new(BUF_SENSITIVE);
	for (j = i + nlen + 1; j < n; j++) {
		if (s[j] == '\r')
			continue;
		if (s[j] == '\n') {
			if (j + 1 < n && (s[j + 1] == ' ' || s[j + 1] == '\t'))
				continue;
			break;
		}
		buf_append(v, s + j, 1);
	}
	for (i = 0; i < buf_len(v) && (buf_data(v)[i] == ' ' ||
	    buf_data(v)[i] == '\t'); i++)
		;
	for (e = buf_len(v); e > i && (buf_data(v)[e - 1] == ' ' ||
	    buf_data(v)[e - 1] == '\t'); e--)
		;
	put_header_value(out, buf_data(v) + i, e - i);
	buf_free(v);
	return 1;
}

/*
 * A part's own header block.  libetpan starts the entity inside a
 * message/rfc822 at the enclosing part's headers, so there the block
 * is the start of the parent's body instead.
 */
static void
part_headers(const struct mime_part *p, const char **s, size_t *n)
{
	const struct mime_part *par = mime_part_parent(p);
	char ct[128];

	if (par != NULL && strncmp(mime_part_ctype(par, ct, sizeof ct),
	    "message/", 8) == 0)
		mime_part_body(par, s, n);
	else
		mime_part_raw(p, s, n);
	if (*s == NULL)
		*n = 0;
}

static int
is_attachment(const struct mime_part *p)
{
	struct buf *d;
	const char *s;
	size_t n;
	int att;

	if (mime_part_filename(p) != NULL)
		return 1;
	part_headers(p, &s, &n);
	d = buf_new(BUF_SENSITIVE);
	att = header_get(s, n, "Content-Disposition", d) &&
	    strncasecmp(buf_data(d), "attachment", 10) == 0;
	buf_free(d);
	return att;
}

static int
name_is_text(const char *name)
{
	static const char *const ext[] = {
		".txt", ".csv", ".json", ".log", ".ioc"
	};
	size_t n, e, i;

	if (name == NULL)
		return 0;
	n = strlen(name);
	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		e = strlen(ext[i]);
		if (n > e && strcasecmp(name + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/*
 * The file name as a reader would see it: Japanese clients still send
 * RFC 2047 words in filename= ("=?ISO-2022-JP?B?...?="), against RFC
 * 2231, so the name is decoded like a header before its extension counts.
 */
static int
decoded_name(const struct mime_part *p, struct buf *out)
{
	const char *name = mime_part_filename(p);

	if (name == NULL)
		return 0;
	put_header_value(out, name, strlen(name));
	return 1;
}

/* CRLF to LF: the archive stores text, not wire format. */
static void
put_lf(struct buf *out, const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\r' || s[i + 1] != '\n')
			continue;
		buf_append(out, s + start, i - start);
		start = i + 1;
	}
	buf_append(out, s + start, n - start);
}

/* ---- HTML, crudely ---------------------------------------------------- */

static const char *
find_ci(const char *s, const char *end, const char *lit)
{
	size_t l = strlen(lit);

	for (; (size_t)(end - s) >= l; s++)
		if (strncasecmp(s, lit, l) == 0)
			return s;
	return NULL;
}

/* An entity at s[0, n) (s[0] == '&'): its length, or 0 if not one. */
static size_t
put_entity(struct buf *out, const char *s, size_t n)
{
	static const struct {
		const char *name;
		const char *text;
	} named[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" },
		{ "quot;", "\"" }, { "apos;", "'" },
		/* a plain space: U+00A0 would glue words for the extractor */
		{ "nbsp;", " " },
	};
	size_t i, l;

	if (n > 2 && s[1] == '#') {
		uint32_t cp = 0;
		int hex = s[2] == 'x' || s[2] == 'X', d, any = 0;

		for (i = hex ? 3 : 2; i < n && i < 12; i++) {
			d = hex ? hub_hex_digit((unsigned char)s[i]) :
			    (isdigit((unsigned char)s[i]) ? s[i] - '0' : -1);
			if (d < 0)
				break;
			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
			any = 1;
		}
		if (!any || i >= n || s[i] != ';')
			return 0;
		/* "evil&#46;com" is an obfuscation, not prose */
		put_utf8(out, cp < 0x20 && cp != '\n' && cp != '\t' ?
		    ' ' : cp);
		return i + 1;
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		l = strlen(named[i].name);
		if (n > l && strncasecmp(s + 1, named[i].name, l) == 0) {
			buf_append_str(out, named[i].text);
			return l + 1;
		}
	}
	return 0;
}

static void
put_decoded(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (s[i] == '&' && (k = put_entity(out, s + i, n - i)) > 0) {
			i += k;
			continue;
		}
		for (k = i + 1; k < n && s[k] != '&'; k++)
			;
		buf_append(out, s + i, k - i);
		i = k;
	}
}

static int
block_tag(const char *t)
{
	static const char *const tags[] = {
		"br", "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2",
		"h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "title",
		"dt", "dd"
	};
	size_t i;

	for (i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strcmp(t, tags[i]) == 0)
			return 1;
	return 0;
}

/*
 * Tag names go, attribute values stay (an href= is where a phish's URL
 * is), each value between spaces so it does not glue to the text.  A
 * tag without values leaves nothing, so "evil<b>.com</b>" stays one
 * name.
 */
static void
html_strip(struct buf *out, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *q;
	char tag[16];
	size_t tl;
	int closing;

	while (p < end) {
		if (*p == '&') {
			size_t k = put_entity(out, p, (size_t)(end - p));

			if (k == 0)
				buf_append(out, p++, 1);
			else
				p += k;
			continue;
		}
		if (*p != '<') {
			for (q = p + 1; q < end && *q != '<' && *q != '&'; q++)
				;
			buf_append(out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = find_ci(p + 4, end, "-->");
			p = q != NULL ? q + 3 : end;
			continue;
		}
		q = p + 1;
		closing = q < end && *q == '/';
		if (closing || (q < end && (*q == '!' || *q == '?')))
			q++;
		if (q >= end || (!isalpha((unsigned char)*q) && !closing &&
		    q == p + 1)) {
			/* "a < b": a literal, not a tag */
			buf_append(out, p++, 1);
			continue;
		}
		for (tl = 0; q < end && isalnum((unsigned char)*q); q++)
			if (tl + 1 < sizeof tag)
				tag[tl++] = (char)tolower((unsigned char)*q);
		tag[tl] = '\0';
		/* attributes: skip names, keep values */
		while (q < end && *q != '>') {
			const char *v;
			char quote;

			if (*q != '=') {
				q++;
				continue;
			}
			for (q++; q < end && isspace((unsigned char)*q); q++)
				;
			if (q < end && (*q == '"' || *q == '\'')) {
				quote = *q++;
				for (v = q; q < end && *q != quote; q++)
					;
			} else {
				for (v = q; q < end && *q != '>' &&
				    !isspace((unsigned char)*q); q++)
					;
				quote = 0;
			}
			if (q > v) {
				buf_append(out, " ", 1);
				put_decoded(out, v, (size_t)(q - v));
				buf_append(out, " ", 1);
			}
			if (quote && q < end)
				q++;
		}
		p = q < end ? q + 1 : end;
		if (block_tag(tag))
			buf_append(out, "\n", 1);
		else if (strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0)
			buf_append(out, " ", 1);
		/* CSS is noise ("1.5em", "font.family") for the extractor */
		if (!closing && strcmp(tag, "style") == 0) {
			q = find_ci(p, end, "</style");
			p = q != NULL ? q : end;
		}
	}
}

/* ---- output ----------------------------------------------------------- */

/*
 * One piece of text (intro line, then body) onto the output, after a
 * blank line when it is not the first, within sk->max.
 */
static void
commit(struct sink *sk, const char *intro, const char *s, size_t n)
{
	size_t used, room, il = intro != NULL ? strlen(intro) : 0;
	int first;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (s[0] == '\n' || s[0] == '\r')) {
		s++;
		n--;
	}
	if (n == 0 || sk->full)
		return;
	used = buf_len(sk->out) - sk->base;
	first = used == 0;
	/* separator, intro line, final newline */
	if (used + (first ? 0 : 1) + il + (il ? 1 : 0) + 1 >= sk->max) {
		sk->truncated = sk->full = 1;
		return;
	}
	room = sk->max - used - (first ? 0 : 1) - il - (il ? 1 : 0) - 1;
	if (!first)
		buf_append(sk->out, "\n", 1);
	if (il > 0) {
		buf_append(sk->out, intro, il);
		buf_append(sk->out, "\n", 1);
	}
	if (n > room) {
		n = room;
		while (n > 0 && is_cont((unsigned char)s[n]))
			n--;
		sk->truncated = sk->full = 1;
	}
	buf_append(sk->out, s, n);
	buf_append(sk->out, "\n", 1);
}

/* Declared or named as text (HTML included). */
static int
texty_part(const struct mime_part *p)
{
	struct buf *nm;
	char ct[128];
	int yes;

	mime_part_ctype(p, ct, sizeof ct);
	if (strncmp(ct, "text/", 5) == 0 || strcmp(ct, "application/json") == 0)
		return 1;
	nm = buf_new(BUF_SENSITIVE);
	yes = decoded_name(p, nm) && name_is_text(buf_data(nm));
	buf_free(nm);
	return yes;
}

static void
take(struct sink *sk, const struct mime_part *p, int att, int html)
{
	struct buf *raw, *lf, *piece = NULL, *intro = NULL;

	if (sk->nparts >= sk->max_parts) {
		sk->truncated = sk->full = 1;
		return;
	}
	raw = buf_new(BUF_SENSITIVE);
	lf = buf_new(BUF_SENSITIVE);
	/* a broken part costs its own text, not the post's; read for the
	 * label, a text that cannot be decoded is text not read */
	if (mime_part_text_utf8(p, raw) != CRYPTO_OK) {
		if (sk->all && texty_part(p))
			sk->truncated = 1;
		goto out;
	}
	/* NUL never occurs in text: a binary file wearing a .log name */
	if (memchr(buf_data(raw), '\0', buf_len(raw)) != NULL)
		goto out;
	sk->nparts++;
	put_lf(lf, buf_data(raw), buf_len(raw));
	if (html) {
		piece = buf_new(BUF_SENSITIVE);
		html_strip(piece, buf_data(lf), buf_len(lf));
	}
	if (att) {
		char ct[128];
		struct buf *nm = buf_new(BUF_SENSITIVE);

		if (!decoded_name(p, nm))
			buf_append_str(nm, mime_part_ctype(p, ct, sizeof ct));
		intro = buf_new(BUF_SENSITIVE);
		buf_append_str(intro, "[attachment ");
		if (buf_len(nm) > NAME_MAX_OCTETS) {
			size_t k = NAME_MAX_OCTETS;

			while (k > 0 && is_cont((unsigned char)
			    buf_data(nm)[k]))
				k--;
			buf_append(intro, buf_data(nm), k);
			buf_append_str(intro, "...");
		} else
			buf_append(intro, buf_data(nm), buf_len(nm));
		buf_append_str(intro, "]");
		buf_free(nm);
	}
	if (piece != NULL)
		commit(sk, intro != NULL ? buf_data(intro) : NULL,
		    buf_data(piece), buf_len(piece));
	else
		commit(sk, intro != NULL ? buf_data(intro) : NULL,
		    buf_data(lf), buf_len(lf));
out:
	buf_free(intro);
	buf_free(piece);
	buf_free(lf);
	buf_free(raw);
}

static void
leaf(struct sink *sk, const struct mime_part *p)
{
	char ct[128];
	int att, texty, html;

	mime_part_ctype(p, ct, sizeof ct);
	if (strcmp(ct, "application/pgp-signature") == 0 ||
	    strcmp(ct, "application/pgp-keys") == 0)
		return;
	if (sk->all) {
		/* for the label: whatever a recipient could read as text,
		 * whatever its type or name says (take() skips what holds a
		 * NUL: binary) */
		take(sk, p, is_attachment(p), strcmp(ct, "text/html") == 0);
		return;
	}
	texty = strcmp(ct, "text/plain") == 0 ||
	    strcmp(ct, "text/csv") == 0 ||
	    strcmp(ct, "application/json") == 0;
	html = strcmp(ct, "text/html") == 0;
	att = is_attachment(p);
	if (att) {
		struct buf *nm = buf_new(BUF_SENSITIVE);
		int named;

		named = decoded_name(p, nm) && name_is_text(buf_data(nm));
		buf_free(nm);
		/* an HTML page is a file here, taken only by its name */
		if (texty || named)
			take(sk, p, 1, 0);
	} else if (texty || html)
		take(sk, p, 0, html);
}

static void
forwarded_headers(struct sink *sk, const struct mime_part *p)
{
	static const char *const names[] = { "From", "Subject", "Reply-To" };
	struct buf *b = buf_new(BUF_SENSITIVE);
	struct buf *v = buf_new(BUF_SENSITIVE);
	const char *s;
	size_t n, i;

	/* the inner message's headers open the rfc822 part's body */
	mime_part_body(p, &s, &n);
	if (s == NULL)
		n = 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		buf_reset(v);
		if (!header_get(s, n, names[i], v) || buf_len(v) == 0)
			continue;
		buf_printf(b, "%s: ", names[i]);
		buf_append(b, buf_data(v), buf_len(v));
		buf_append(b, "\n", 1);
	}
	commit(sk, "[forwarded message]", buf_data(b), buf_len(b));
	buf_free(v);
	buf_free(b);
}

static int
plain_inline(const struct mime_part *p)
{
	return mime_part_is(p, "text/plain") && !is_attachment(p);
}

static void
walk(struct sink *sk, const struct mime_part *p, int depth)
{
	const struct mime_part *c;
	size_t i, nc;
	char ct[128];
	int skip_html = 0;

	/* mime_parse bounds the depth; this only keeps a bug finite */
	if (sk->full || depth > MIME_MAX_DEPTH + 2)
		return;
	mime_part_ctype(p, ct, sizeof ct);
	nc = mime_part_nchildren(p);
	if (strncmp(ct, "multipart/", 10) == 0) {
		if (strcmp(ct, "multipart/alternative") == 0 && !sk->all)
			for (i = 0; i < nc; i++)
				if ((c = mime_part_child(p, i)) != NULL &&
				    plain_inline(c))
					skip_html = 1;
		for (i = 0; i < nc && !sk->full; i++) {
			if ((c = mime_part_child(p, i)) == NULL)
				continue;
			if (skip_html && mime_part_is(c, "text/html"))
				continue;
			walk(sk, c, depth + 1);
		}
		return;
	}
	if (strncmp(ct, "message/", 8) == 0) {
		if (strcmp(ct, "message/rfc822") == 0 ||
		    strcmp(ct, "message/global") == 0)
			forwarded_headers(sk, p);
		for (i = 0; i < nc && !sk->full; i++)
			if ((c = mime_part_child(p, i)) != NULL)
				walk(sk, c, depth + 1);
		return;
	}
	leaf(sk, p);
}

static int
text_walk(const struct mime_part *root, struct buf *out, int *truncated,
    size_t max, size_t max_parts, int all)
{
	struct sink sk;

	if (truncated != NULL)
		*truncated = 0;
	if (root == NULL || out == NULL ||
	    (buf_flags(out) & BUF_SENSITIVE) == 0)
		return -1;
	memset(&sk, 0, sizeof sk);
	sk.out = out;
	sk.base = buf_len(out);
	sk.max = max;
	sk.max_parts = max_parts;
	sk.all = all;
	walk(&sk, root, 0);
	if (truncated != NULL)
		*truncated = sk.truncated;
	return 0;
}

int
text_of_post(const struct mime_part *root, struct buf *out, int *truncated)
{
	return text_walk(root, out, truncated, TEXT_MAX, TEXT_MAX_PARTS, 0);
}

int
text_readable(const struct mime_part *root, struct buf *out, int *truncated)
{
	return text_walk(root, out, truncated, MIME_MAX_SIZE, MIME_MAX_PARTS,
	    1);
}

void
text_header_utf8(const char *value, struct buf *out)
{
	if (value != NULL)
		put_header_value(out, value, strlen(value));
}

/* ---- context snippets -------------------------------------------------- */

void
text_context(const char *text, size_t len, size_t start, size_t end,
    char *dst, size_t max)
{
	size_t ls, le, a, b, budget, w, span, i, o = 0;
	int marks;

	if (max == 0)
		return;
	dst[0] = '\0';
	if (text == NULL)
		return;
	if (start > len)
		start = len;
	if (end > len)
		end = len;
	if (end < start)
		end = start;
	for (ls = start; ls > 0 && text[ls - 1] != '\n'; ls--)
		;
	for (le = end; le < len && text[le] != '\n'; le++)
		;
	if (le > ls && le > end && text[le - 1] == '\r')
		le--;
	budget = max - 1;
	a = ls;
	b = le;
	if (le - ls > budget) {
		/* room for "..." on both sides, when there is room at all */
		marks = budget > 6;
		w = marks ? budget - 6 : budget;
		span = end - start;
		if (span >= w)
			a = start;
		else
			a = start - ((start - ls) < (w - span) / 2 ?
			    (start - ls) : (w - span) / 2);
		b = a + w;
		if (b > le) {
			b = le;
			a = le - w;
		}
		/* a side that is not cut gives its mark's room back */
		if (marks && a == ls)
			b = b + 3 < le ? b + 3 : le;
		else if (marks && b == le)
			a = a > ls + 3 ? a - 3 : ls;
		while (a < b && is_cont((unsigned char)text[a]))
			a++;
		while (b > a && b < le && is_cont((unsigned char)text[b]))
			b--;
		if (!marks) {
			/* too small for marks: the cut shows by itself */
			ls = a;
			le = b;
		}
	}
	if (a > ls) {
		memcpy(dst, "...", 3);
		o = 3;
	}
	for (i = a; i < b; i++) {
		unsigned char c = (unsigned char)text[i];

		dst[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	if (b < le) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}
