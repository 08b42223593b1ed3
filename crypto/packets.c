/*
 * packets: OpenPGP packet framing.  See crypto/packets.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/packets.h"
#include "base/digits.h"
#include "base/xalloc.h"

/*
 * The armor is read the way gpg 2.2's armor filter (g10/armor.c) reads it,
 * so that the packets counted here are the packets gpg will act on: a
 * reader that stops earlier or starts elsewhere lets a message hide its
 * packets from the count (checked against gpg 2.2.40).  Lines are what
 * gpg's iobuf_read_line() returns: one of GPG_LINE_MAX - 1 octets or more
 * is cut to GPG_LINE_KEEP octets and its rest dropped.
 */
#define GPG_LINE_MAX	20000
#define GPG_LINE_KEEP	(GPG_LINE_MAX - 2)

static const char *const armor_names[] = {
	"MESSAGE", "PUBLIC KEY BLOCK", "SIGNATURE", "SIGNED MESSAGE",
	"ARMORED FILE", "PRIVATE KEY BLOCK", "SECRET KEY BLOCK",
};
#define ARMOR_SIGNATURE	2
#define ARMOR_CLEARSIGN	3

/*
 * The line at p: *len octets without its '\n' (cut as gpg cuts it, *cut
 * set), *nl whether gpg's copy ends in '\n'; returns the next line.
 */
static const char *
gpg_line(const char *p, const char *end, size_t *len, int *cut, int *nl)
{
	const char *e = memchr(p, '\n', (size_t)(end - p));
	size_t n = (size_t)((e != NULL ? e : end) - p);

	*cut = n >= GPG_LINE_MAX - 1;
	*len = *cut ? GPG_LINE_KEEP : n;
	*nl = e != NULL || *cut;
	return e != NULL ? e + 1 : end;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The length of l[0, len) as the C string gpg sees: up to a NUL. */
static size_t
c_len(const char *l, size_t len)
{
	const char *z = memchr(l, '\0', len);

	return z != NULL ? (size_t)(z - l) : len;
}

/* Which armor_names[] the line's BEGIN line names, or -1. */
static int
armor_header(const char *l, size_t len)
{
	const char *d, *e;
	size_t n = c_len(l, len), k;

	if (n < 15 || memcmp(l, "-----BEGIN PGP ", 15) != 0 ||
	    (d = memmem(l + 5, n - 5, "-----", 5)) == NULL)
		return -1;
	for (e = d + 5; e < l + n && is_ws(*e); e++)
		continue;
	if (e != l + n)
		return -1;	/* text after the dashes */
	for (size_t i = 0; i < sizeof armor_names / sizeof *armor_names;
	    i++) {
		k = strlen(armor_names[i]);
		if ((size_t)(d - l) == 15 + k &&
		    memcmp(l + 15, armor_names[i], k) == 0)
			return (int)i;
	}
	return -1;
}

/* gpg's "Key: value" syntax: a ':' followed by a space or the line end. */
static int
header_syntax(const char *l, size_t len, int nl)
{
	const char *c = memchr(l, ':', c_len(l, len));
	size_t i;

	if (c == NULL)
		return 0;
	i = (size_t)(c - l) + 1;
	return i < len ? l[i] == ' ' || l[i] == '\r' : nl;
}

static int
blank(const char *l, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_ws(l[i]))
			return 0;
	return 1;
}

/*
 * A cleartext signature's header line that gpg accepts: "Hash:" and a
 * comma-separated list of names, each a prefix of a hash gpg knows, or
 * "NotDashEscaped:" and something (sets *nde).
 */
static int
clear_header(const char *l, size_t len, int nl, int *nde)
{
	static const char *const hashes[] = {
		"RIPEMD160", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512",
	};
	const char *s, *t, *end;
	size_t n;
	int ok;

	if (!header_syntax(l, len, nl))
		return 0;
	n = c_len(l, len);
	if (n == len)
		while (n > 0 && is_ws(l[n - 1]))
			n--;
	if (n > 15 && memcmp(l, "NotDashEscaped:", 15) == 0) {
		*nde = 1;
		return 1;
	}
	if (n < 6 || n > 60 || memcmp(l, "Hash:", 5) != 0)
		return 0;
	end = l + n;
	for (s = l + 5;; s = t) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			return 1;
		for (t = s + 1; t < end && *t != ' ' && *t != '\t' &&
		    *t != ','; t++)
			continue;
		ok = 0;
		for (size_t i = 0; i < sizeof hashes / sizeof *hashes; i++)
			if ((size_t)(t - s) <= strlen(hashes[i]) &&
			    memcmp(s, hashes[i], (size_t)(t - s)) == 0)
				ok = 1;
		if (!ok)
			return 0;
		while (t < end && (*t == ' ' || *t == '\t'))
			t++;
		if (t < end && *t++ != ',')
			return 0;
	}
}

/*
 * After a cleartext signature's BEGIN line: past its header lines (the
 * line that ends them is dropped too) and its text, to the line after the
 * one that starts with five dashes (the signature's BEGIN line).
 */
static const char *
skip_cleartext(const char *p, const char *end)
{
	const char *q;
	size_t len;
	int cut, nl, nde = 0, r = 1;

	for (; r > 0 && p < end; p = q) {
		q = gpg_line(p, end, &len, &cut, &nl);
		if (!cut)
			r = clear_header(p, len, nl, &nde);
	}
	for (; p < end; p = q) {
		q = gpg_line(p, end, &len, &cut, &nl);
		if (len >= 5 && memcmp(p, "-----", 5) == 0 &&
		    (!nde || armor_header(p, len) == ARMOR_SIGNATURE))
			return q;
	}
	return end;
}

/* Past the armor header lines: the line the body starts on. */
static const char *
skip_headers(const char *p, const char *end)
{
	const char *q;
	size_t len;
	int cut, nl;

	for (; p < end; p = q) {
		q = gpg_line(p, end, &len, &cut, &nl);
		if (!cut && (blank(p, len) || !header_syntax(p, len, nl)))
			break;
	}
	return p;
}

/*
 * Decode the body starting at line p into o + *k: every base64 character
 * to the first '=' (a quoted-printable "=XY" decoded first, as gpg does
 * for broken MTAs) or the end of the data, whatever lines (END, BEGIN)
 * come between.  Returns where gpg looks for the next armor: the line
 * after the CRC (the first line after the '=' with something other than
 * '=' and white space), or end.
 */
static const char *
decode_body(const char *p, const char *end, unsigned char *o, size_t *k)
{
	const char *q = p;
	unsigned acc = 0;
	size_t len = 0, blen, i = 0;
	int bits = 0, c, v, cut, nl;

	for (; p < end; p = q) {
		q = gpg_line(p, end, &len, &cut, &nl);
		blen = len + (nl ? 1 : 0);	/* gpg's copy, with '\n' */
		for (i = 0; i < len; i++) {
			c = (unsigned char)p[i];
again:
			if ((v = hub_b64_digit((unsigned char)c)) >= 0) {
				acc = ((acc << 6) | (unsigned)v) & 0xfff;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					o[(*k)++] = (unsigned char)(acc >> bits);
				}
				continue;
			}
			if (c != '=')
				continue;	/* space, '-', anything */
			if (i + 3 < blen &&
			    hub_hex_digit((unsigned char)p[i + 1]) >= 0 &&
			    hub_hex_digit((unsigned char)p[i + 2]) >= 0 &&
			    (i + 3 == len ||
			    memchr("=\r\t ", p[i + 3], 5) != NULL)) {
				c = hub_hex_digit((unsigned char)p[i + 1]) << 4 |
				    hub_hex_digit((unsigned char)p[i + 2]);
				i += 2;
				goto again;
			}
			goto pad;
		}
	}
	return end;
pad:
	if (bits == 6)		/* gpg keeps a lone character */
		o[(*k)++] = (unsigned char)(acc << 2);
	for (i++;; i = 0) {
		while (i < len && (p[i] == '=' || p[i] == ' ' ||
		    p[i] == '\t' || p[i] == '\r'))
			i++;
		if (i < len)
			return q;
		if ((p = q) >= end)
			return end;
		q = gpg_line(p, end, &len, &cut, &nl);
	}
}

/*
 * The packet stream gpg reads from the armored text s[0, n), into *out
 * (malloc'd, *outlen); 0, or -1 when s holds no armor.  Like gpg: an
 * armor starts at the first line that is a known BEGIN line (lines gpg
 * cuts do not count); a cleartext signature's text is skipped; after a
 * body's '=' gpg looks for the next BEGIN line and reads on: the stream
 * is every armor's body, one after the other.  The CRC is not checked
 * (gpg stops at a wrong one: reading on only counts more).
 */
static int
dearmor(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	const char *end = s + n, *p = s, *q;
	unsigned char *o = NULL;
	size_t k = 0, len;
	int cut, nl, kind;

	while (p < end) {
		q = gpg_line(p, end, &len, &cut, &nl);
		kind = cut ? -1 : armor_header(p, len);
		p = q;
		if (kind < 0)
			continue;
		if (o == NULL)
			o = xmalloc(n + 3);
		if (kind == ARMOR_CLEARSIGN)
			p = skip_cleartext(p, end);
		p = decode_body(skip_headers(p, end), end, o, &k);
	}
	if (o == NULL)
		return -1;
	*out = o;
	*outlen = k;
	return 0;
}

/*
 * What gpg reads as binary when the first line of s[0, n) is too long for
 * it to look for armor: that line cut, its '\n', and the rest.
 */
static unsigned char *
cut_line(const char *s, size_t n, size_t *outlen)
{
	const char *end = s + n, *q;
	unsigned char *o;
	size_t len;
	int cut, nl;

	q = gpg_line(s, end, &len, &cut, &nl);
	o = xmalloc(n + 1);
	memcpy(o, s, len);
	o[len] = '\n';
	memcpy(o + len + 1, q, (size_t)(end - q));
	*outlen = len + 1 + (size_t)(end - q);
	return o;
}

static void
count(struct pgp_packet_counts *c, unsigned tag)
{
	c->total++;
	switch (tag) {
	case 1:
		c->pkesk++;
		break;
	case 2:
		c->sig++;
		break;
	case 3:
		c->skesk++;
		break;
	case 4:
		c->onepass++;
		break;
	case 8:
		c->compressed++;
		break;
	case 9: case 18: case 20:
		c->encdata++;
		break;
	case 11:
		c->literal++;
		break;
	case 0: case 5: case 6: case 7: case 12: case 13: case 14: case 17:
		c->foreign++;
		break;
	default:
		break;
	}
}

/* Walk binary packets; -1 if the first octet is no packet header. */
static int
walk(const unsigned char *d, size_t n, size_t max,
    struct pgp_packet_counts *c)
{
	size_t pos = 0, len, need;
	unsigned tag, lt;
	unsigned char b;

	while (pos < n && c->total < max) {
		b = d[pos];
		if ((b & 0x80) == 0) {
			if (c->total == 0)
				return -1;
			c->truncated = 1;
			break;
		}
		pos++;
		if (b & 0x40) {
			tag = b & 0x3f;
			for (;;) {
				if (pos >= n)
					goto trunc;
				if (d[pos] < 192) {
					len = d[pos];
					pos += 1;
				} else if (d[pos] < 224) {
					if (n - pos < 2)
						goto trunc;
					len = ((size_t)(d[pos] - 192) << 8) +
					    d[pos + 1] + 192;
					pos += 2;
				} else if (d[pos] == 255) {
					if (n - pos < 5)
						goto trunc;
					len = ((size_t)d[pos + 1] << 24) |
					    ((size_t)d[pos + 2] << 16) |
					    ((size_t)d[pos + 3] << 8) | d[pos + 4];
					pos += 5;
				} else {
					/* partial body: a chunk, then more */
					len = (size_t)1 << (d[pos] & 0x1f);
					pos += 1;
					if (len > n - pos)
						goto trunc;
					pos += len;
					continue;
				}
				break;
			}
		} else {
			tag = (b >> 2) & 0x0f;
			lt = b & 3;
			if (lt == 3)
				len = n - pos;	/* to the end of the data */
			else {
				need = lt == 0 ? 1 : lt == 1 ? 2 : 4;
				if (n - pos < need)
					goto trunc;
				for (len = 0; need > 0; need--)
					len = (len << 8) | d[pos++];
			}
		}
		count(c, tag);
		if (len > n - pos)
			goto trunc;
		pos += len;
	}
	return 0;
trunc:
	c->truncated = 1;
	return 0;
}

/*
 * Whether gpg reads d[0, n) as binary without looking for armor (armor.c
 * is_armored() as of gpg 2.2.40; later versions also take tag 20): a
 * first octet that starts a packet of a type that may begin a message,
 * without an indeterminate length where that type may not have one.
 */
static int
gpg_binary(const unsigned char *d, size_t n)
{
	unsigned tag;

	if (n == 0 || (d[0] & 0x80) == 0)
		return 0;
	tag = d[0] & 0x40 ? d[0] & 0x3fu : (d[0] >> 2) & 0x0fu;
	switch (tag) {
	case 8: case 9: case 11: case 16: case 18: case 61: case 63:
		return 1;	/* may have an indeterminate length */
	case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 10:
	case 12: case 13: case 14: case 17: case 19:
		if (d[0] & 0x40)
			return n < 2 || d[1] < 224 || d[1] == 255;
		return (d[0] & 3) != 3;
	default:
		return 0;
	}
}

int
pgp_packet_counts(const void *data, size_t len, size_t max,
    struct pgp_packet_counts *out)
{
	const char *s = data;
	unsigned char *bin = NULL;
	size_t blen = 0;
	int r, cut, nl;

	memset(out, 0, sizeof *out);
	if (len == 0)
		return 0;	/* (data may be NULL) */
	if (gpg_binary(data, len))
		return walk(data, len, max, out);
	(void)gpg_line(s, s + len, &blen, &cut, &nl);
	if (cut)
		bin = cut_line(s, len, &blen);
	else if (dearmor(s, len, &bin, &blen) == -1)
		return walk(data, len, max, out);
	r = walk(bin, blen, max, out);
	free(bin);
	return r;
}

enum pgp_shape
pgp_packet_shape(const struct pgp_packet_counts *c)
{
	if (c->pkesk == 0 && c->skesk > 0)
		return PGP_SHAPE_PASSPHRASE;
	/* gpg --sign: [one-pass signature,] literal data, signature, most
	 * often all inside one compressed packet; a session key or
	 * encrypted data anywhere at the top makes it not that */
	if (c->pkesk == 0 && c->skesk == 0 && c->encdata == 0 &&
	    c->sig + c->onepass + c->literal + c->compressed > 0)
		return PGP_SHAPE_SIGNED;
	return PGP_SHAPE_ENCRYPTED;
}

/*
 * One packet header at d[pos]: its tag, where its body starts and how
 * long the packet is, header included, to *end.  A partial body length
 * (new format) is followed chunk by chunk to the last one; *partial says
 * it was one, *open that the length ran to the end of the data (old
 * format, indeterminate).  -1 if the header is no header or the packet
 * runs past n.
 */
static int
split_header(const unsigned char *d, size_t n, size_t pos, unsigned *tag,
    size_t *body, size_t *end, int *partial, int *open)
{
	size_t len, need;
	unsigned lt;
	unsigned char b;

	*partial = *open = 0;
	if (pos >= n || ((b = d[pos++]) & 0x80) == 0)
		return -1;
	if ((b & 0x40) == 0) {
		*tag = (b >> 2) & 0x0f;
		lt = b & 3;
		if (lt == 3) {
			*open = 1;
			*body = pos;
			*end = n;
			return 0;
		}
		need = lt == 0 ? 1 : lt == 1 ? 2 : 4;
		if (n - pos < need)
			return -1;
		for (len = 0; need > 0; need--)
			len = (len << 8) | d[pos++];
		*body = pos;
	} else {
		*tag = b & 0x3f;
		*body = pos + 1;	/* (only read for non-partial packets) */
		for (;;) {
			if (pos >= n)
				return -1;
			if (d[pos] < 192) {
				len = d[pos];
				pos += 1;
			} else if (d[pos] < 224) {
				if (n - pos < 2)
					return -1;
				len = ((size_t)(d[pos] - 192) << 8) +
				    d[pos + 1] + 192;
				pos += 2;
			} else if (d[pos] == 255) {
				if (n - pos < 5)
					return -1;
				len = ((size_t)d[pos + 1] << 24) |
				    ((size_t)d[pos + 2] << 16) |
				    ((size_t)d[pos + 3] << 8) | d[pos + 4];
				pos += 5;
			} else {
				*partial = 1;
				len = (size_t)1 << (d[pos] & 0x1f);
				pos += 1;
				if (len > n - pos)
					return -1;
				pos += len;
				continue;
			}
			break;
		}
		if (!*partial)
			*body = pos;
	}
	if (len > n - pos)
		return -1;
	*end = pos + len;
	return 0;
}

/* The key id a PKESK's body names; -1 for a shape we do not read. */
static int
pkesk_keyid(const unsigned char *p, size_t n, unsigned char id[8])
{
	static const unsigned char zero[8];

	if (n >= 9 && p[0] == 3)
		memcpy(id, p + 1, 8);
	else if (n >= 3 && p[0] == 6 && p[2] == 4 && p[1] == 21 &&
	    n >= 3 + 20)
		memcpy(id, p + 3 + 12, 8);	/* v4: the fingerprint's end */
	else if (n >= 3 && p[0] == 6 && p[2] == 6 && p[1] == 33 &&
	    n >= 3 + 32)
		memcpy(id, p + 3, 8);		/* v6: its start */
	else
		return -1;
	/* a wildcard (gpg --throw-keyids) names nobody: we never ask for
	 * one, and could not tell whose copy it is */
	return memcmp(id, zero, 8) == 0 ? -1 : 0;
}

int
pgp_split_encrypted(const void *data, size_t len, size_t max,
    struct pgp_split *out)
{
	const unsigned char *d = data;
	size_t pos = 0, body, end, cap = 0;
	unsigned tag;
	int partial, open;

	memset(out, 0, sizeof *out);
	while (pos < len) {
		if (split_header(d, len, pos, &tag, &body, &end, &partial,
		    &open) != 0)
			goto bad;
		if (tag == 18 || tag == 20) {
			/* the one data packet, and the message's end */
			if (end != len || out->npkesk == 0)
				goto bad;
			out->data_off = pos;
			out->data_len = len - pos;
			out->data_tag = tag;
			return 0;
		}
		/* a session key packet has a definite length (RFC 9580
		 * §4.2.1.4: partial lengths are for data packets only) */
		if (tag != 1 || partial || open || out->npkesk >= max)
			goto bad;
		if (out->npkesk == cap) {
			cap = cap ? cap * 2 : 8;
			out->pkesk = xreallocarray(out->pkesk, cap,
			    sizeof *out->pkesk);
		}
		out->pkesk[out->npkesk].off = pos;
		out->pkesk[out->npkesk].len = end - pos;
		if (pkesk_keyid(d + body, end - body,
		    out->pkesk[out->npkesk].keyid) != 0)
			goto bad;
		out->npkesk++;
		pos = end;
	}
bad:
	pgp_split_free(out);
	return -1;
}

void
pgp_split_free(struct pgp_split *s)
{
	if (s == NULL)
		return;
	free(s->pkesk);
	memset(s, 0, sizeof *s);
}
