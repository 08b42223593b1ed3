/*
 * packets: OpenPGP packet framing.  See crypto/packets.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/packets.h"
#include "hub/base/xalloc.h"

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* The start of the next line after p, or end. */
static const char *
next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? nl + 1 : end;
}

/*
 * The armored body of s[0, n) decoded into *out (malloc'd, *outlen);
 * 0, or -1 when s holds no armor.  Armor headers ("Version: x") and the
 * CRC line are skipped; decoding stops at the END line.
 */
static int
dearmor(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	const char *end = s + n, *p, *b;
	unsigned char *o;
	unsigned acc = 0;
	size_t k = 0;
	int bits = 0, v;

	if ((b = memmem(s, n, "-----BEGIN PGP ", 15)) == NULL)
		return -1;
	p = next_line(b, end);
	/* armor headers end at the first blank line */
	for (const char *q = p; q < end; q = next_line(q, end)) {
		if (*q == '\n' || (*q == '\r' && q + 1 < end && q[1] == '\n')) {
			p = next_line(q, end);
			break;
		}
		if (memchr(q, ':', (size_t)(next_line(q, end) - q)) == NULL)
			break;	/* no headers: the body starts here */
	}
	o = xmalloc(n / 4 * 3 + 3);
	for (; p < end; p = next_line(p, end)) {
		if (*p == '=' || (end - p >= 5 && memcmp(p, "-----", 5) == 0))
			break;
		for (const char *c = p; c < end && *c != '\n'; c++) {
			if ((v = b64val((unsigned char)*c)) < 0)
				continue;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				o[k++] = (unsigned char)(acc >> bits);
			}
		}
	}
	*out = o;
	*outlen = k;
	return 0;
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

int
pgp_packet_counts(const void *data, size_t len, size_t max,
    struct pgp_packet_counts *out)
{
	unsigned char *bin = NULL;
	size_t blen = 0;
	int r;

	memset(out, 0, sizeof *out);
	if (dearmor(data, len, &bin, &blen) == 0) {
		r = walk(bin, blen, max, out);
		free(bin);
		return r;
	}
	return walk(data, len, max, out);
}
