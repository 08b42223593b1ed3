/*
 * libFuzzer harness for the OpenPGP packet counter (pgp_packet_counts()),
 * which reads attacker-chosen framing and armor before gpg runs.  Also
 * built with tests/fuzz/driver.c to replay tests/fuzz/corpus/packets/ in
 * `make check`.
 *
 * Input: any octets, binary or armored.  Over 1 MiB is skipped.
 * Invariants (abort()):
 *  - the result is -1 or 0; on -1 every count is zero;
 *  - total >= pkesk + skesk + sig + onepass, total <= max, truncated 0
 *    or 1;
 *  - the same call twice gives the same counts;
 *  - with a small max m: total <= m, and when the unbounded count has
 *    fewer than m packets the counts are the same;
 *  - binary input without "-----BEGIN PGP " (and without a first line of
 *    19999 octets or more, which gpg reads cut) counts the same armored:
 *    BEGIN line, blank line, base64 in 64 columns, "=" and the CRC, END
 *    line.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/packets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of p[0, n) at o; returns its length */
static size_t
base64(char *o, const uint8_t *p, size_t n)
{
	size_t k = 0;
	unsigned long v;

	for (size_t i = 0; i < n; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		o[k++] = b64[v >> 18 & 63];
		o[k++] = b64[v >> 12 & 63];
		o[k++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		o[k++] = i + 2 < n ? b64[v & 63] : '=';
	}
	return k;
}

static unsigned long
crc24(const uint8_t *p, size_t n)
{
	unsigned long crc = 0xb704ceUL;

	while (n-- > 0) {
		crc ^= (unsigned long)*p++ << 16;
		for (int i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000UL)
				crc ^= 0x1864cfbUL;
		}
	}
	return crc & 0xffffffUL;
}

/* The armored form of p[0, n) (malloc'd, *alen). */
static char *
armor(const uint8_t *p, size_t n, size_t *alen)
{
	static const char begin[] = "-----BEGIN PGP MESSAGE-----\n\n";
	static const char end[] = "-----END PGP MESSAGE-----\n";
	uint8_t crc[3];
	unsigned long c;
	size_t k, w;
	char *a, *t;

	t = malloc(n / 3 * 4 + 4);
	a = malloc(sizeof begin + n / 3 * 4 + 4 + n / 48 + 2 + 7 +
	    sizeof end);
	if (t == NULL || a == NULL)
		abort();
	memcpy(a, begin, sizeof begin - 1);
	k = sizeof begin - 1;
	w = base64(t, p, n);
	for (size_t i = 0; i < w; i += 64) {
		memcpy(a + k, t + i, w - i < 64 ? w - i : 64);
		k += w - i < 64 ? w - i : 64;
		a[k++] = '\n';
	}
	c = crc24(p, n);
	crc[0] = (uint8_t)(c >> 16);
	crc[1] = (uint8_t)(c >> 8);
	crc[2] = (uint8_t)c;
	a[k++] = '=';
	k += base64(a + k, crc, 3);
	a[k++] = '\n';
	memcpy(a + k, end, sizeof end - 1);
	*alen = k + sizeof end - 1;
	free(t);
	return a;
}

static int
same(const struct pgp_packet_counts *a, const struct pgp_packet_counts *b)
{
	return a->pkesk == b->pkesk && a->skesk == b->skesk &&
	    a->sig == b->sig && a->onepass == b->onepass &&
	    a->total == b->total && a->truncated == b->truncated;
}

static void
check(int r, const struct pgp_packet_counts *c, size_t max)
{
	if (r != 0 && r != -1)
		abort();
	if (r == -1 && (c->pkesk != 0 || c->skesk != 0 || c->sig != 0 ||
	    c->onepass != 0 || c->total != 0 || c->truncated != 0))
		abort();
	if (c->total < c->pkesk + c->skesk + c->sig + c->onepass ||
	    c->total > max || (c->truncated != 0 && c->truncated != 1))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgp_packet_counts c, c2, cm;
	const uint8_t *nl;
	size_t m, alen;
	char *a;
	int r;

	if (size > 1024 * 1024)
		return 0;
	r = pgp_packet_counts(data, size, 4096, &c);
	check(r, &c, 4096);
	if (pgp_packet_counts(data, size, 4096, &c2) != r || !same(&c, &c2))
		abort();

	m = size > 0 ? data[size - 1] % 8 + 1 : 1;
	if (pgp_packet_counts(data, size, m, &cm) != r)
		abort();
	check(r, &cm, m);
	if (c.total < m && !same(&c, &cm))
		abort();
	if (c.total >= m && (cm.total != m || cm.pkesk > c.pkesk ||
	    cm.skesk > c.skesk || cm.sig > c.sig || cm.onepass > c.onepass))
		abort();

	if (memmem(data, size, "-----BEGIN PGP ", 15) != NULL)
		return 0;
	nl = memchr(data, '\n', size);
	if ((size_t)((nl != NULL ? nl : data + size) - data) >= 19999)
		return 0;
	a = armor(data, size, &alen);
	if (pgp_packet_counts(a, alen, 4096, &c2) != r || !same(&c, &c2))
		abort();
	free(a);
	return 0;
}
