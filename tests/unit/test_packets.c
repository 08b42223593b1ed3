/*
 * Unit tests for crypto/packets: the top-level OpenPGP packet counts.
 * Packets are built by hand here (no gpg at run time): new-format headers
 * with 1-, 2- and 5-octet and partial body lengths, old-format headers of
 * every length type; session keys before encrypted data, detached and
 * one-pass signatures; the max bound, truncation, non-OpenPGP input.
 * Every binary case is counted again in several armored forms (headers,
 * CRLF, CRC, garbage, quoted-printable escapes) and must count the same.
 * The armor cases after that are the ways gpg 2.2 reads armor (checked
 * against gpg when these tests were written): a counter that read it
 * differently would let a message hide packets from the count.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/packets.h"

/* A growing byte string. */
struct bin {
	unsigned char	*p;
	size_t		 n, cap;
};

static void
put(struct bin *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
put1(struct bin *b, unsigned c)
{
	unsigned char o = (unsigned char)c;

	put(b, &o, 1);
}

static void
puts_(struct bin *b, const char *s)
{
	put(b, s, strlen(s));
}

/* n octets of a body (never a packet header or armor by accident). */
static void
body(struct bin *b, size_t n)
{
	while (n-- > 0)
		put1(b, 0x2a);
}

enum { L1, L2, L5 };	/* new-format length octets */

/* A new-format packet with a body of n octets, its length in form f. */
static void
pkt_new(struct bin *b, unsigned tag, size_t n, int f)
{
	put1(b, 0xc0 | tag);
	if (f == L1) {
		assert_true(n < 192);
		put1(b, (unsigned)n);
	} else if (f == L2) {
		assert_true(n >= 192 && n <= 8383);
		put1(b, (unsigned)((n - 192) >> 8) + 192);
		put1(b, (unsigned)((n - 192) & 0xff));
	} else {
		put1(b, 255);
		put1(b, (unsigned)(n >> 24));
		put1(b, (unsigned)(n >> 16) & 0xff);
		put1(b, (unsigned)(n >> 8) & 0xff);
		put1(b, (unsigned)n & 0xff);
	}
	body(b, n);
}

/* An old-format packet, length type lt (3: to the end, no length). */
static void
pkt_old(struct bin *b, unsigned tag, unsigned lt, size_t n)
{
	put1(b, 0x80 | tag << 2 | lt);
	if (lt == 0)
		put1(b, (unsigned)n);
	else if (lt == 1) {
		put1(b, (unsigned)(n >> 8));
		put1(b, (unsigned)n & 0xff);
	} else if (lt == 2) {
		put1(b, (unsigned)(n >> 24));
		put1(b, (unsigned)(n >> 16) & 0xff);
		put1(b, (unsigned)(n >> 8) & 0xff);
		put1(b, (unsigned)n & 0xff);
	}
	body(b, n);
}

/* n session keys (tag 1, as gpg writes them: 1-octet length). */
static void
pkesks(struct bin *b, size_t n)
{
	while (n-- > 0)
		pkt_new(b, 1, 12, L1);
}

static void
seipd(struct bin *b)
{
	pkt_new(b, 18, 60, L1);
}

/* --- the binary cases ---------------------------------------------- */

static void
b_empty(struct bin *b)
{
	(void)b;
}

static void
b_new1(struct bin *b)
{
	pkt_new(b, 1, 191, L1);
}

static void
b_new2_low(struct bin *b)
{
	pkt_new(b, 1, 192, L2);
}

static void
b_new2_high(struct bin *b)
{
	pkt_new(b, 1, 8383, L2);
	seipd(b);
}

static void
b_new5(struct bin *b)
{
	pkt_new(b, 1, 8384, L5);
	pkt_new(b, 3, 0, L5);
}

static void
b_old0(struct bin *b)
{
	pkt_old(b, 1, 0, 200);
	pkt_old(b, 9, 0, 0);
}

static void
b_old1(struct bin *b)
{
	pkt_old(b, 1, 1, 300);
	pkt_old(b, 1, 1, 0);
}

static void
b_old2(struct bin *b)
{
	pkt_old(b, 3, 2, 70000);
	pkt_old(b, 2, 2, 5);
}

/* old length type 3: the packet runs to the end, whatever follows */
static void
b_old3(struct bin *b)
{
	pkt_old(b, 1, 0, 10);
	pkt_old(b, 8, 3, 0);
	pkesks(b, 3);
}

/* a literal packet in partial chunks (1, 2, 512 octets), then a PKESK */
static void
b_partial(struct bin *b)
{
	put1(b, 0xc0 | 11);
	put1(b, 224);
	body(b, 1);
	put1(b, 225);
	body(b, 2);
	put1(b, 233);
	body(b, 512);
	put1(b, 10);
	body(b, 10);
	pkesks(b, 1);
}

/* the final length of a partial chain may take 2 octets */
static void
b_partial_long_end(struct bin *b)
{
	put1(b, 0xc0 | 18);
	put1(b, 230);			/* a chunk of 64 */
	body(b, 64);
	put1(b, 200);			/* 2 octets: 8 * 256 + 0 + 192 */
	put1(b, 0);
	body(b, 8 * 256 + 192);
	pkt_new(b, 2, 3, L1);
}

static void
b_pkesk5(struct bin *b)
{
	pkesks(b, 5);
	seipd(b);
}

static void
b_pkesk100(struct bin *b)
{
	pkesks(b, 100);
	seipd(b);
}

static void
b_skesk(struct bin *b)
{
	pkt_new(b, 3, 13, L1);
	pkt_new(b, 3, 13, L1);
	pkesks(b, 1);
	seipd(b);
}

/* a detached signature of three signature packets, old format as gpg */
static void
b_sig3(struct bin *b)
{
	pkt_old(b, 2, 1, 300);
	pkt_old(b, 2, 1, 310);
	pkt_new(b, 2, 90, L1);
}

/* a signed message: one-pass signature, literal data, signature */
static void
b_onepass(struct bin *b)
{
	pkt_old(b, 4, 0, 13);
	pkt_old(b, 11, 0, 20);
	pkt_old(b, 2, 1, 300);
}

/* the compressed packet's content is not counted (only the top level) */
static void
b_compressed(struct bin *b)
{
	pkt_old(b, 4, 0, 13);
	pkt_old(b, 8, 0, 50);
	pkt_old(b, 2, 1, 300);
}

/* a body longer than the data */
static void
b_trunc_body(struct bin *b)
{
	pkesks(b, 2);
	put1(b, 0xc0 | 18);
	put1(b, 100);
	body(b, 10);
}

/* a length that needs more octets than there are */
static void
b_trunc_len2(struct bin *b)
{
	pkesks(b, 1);
	put1(b, 0xc0 | 1);
	put1(b, 200);
}

static void
b_trunc_len5(struct bin *b)
{
	put1(b, 0xc0 | 1);
	put1(b, 255);
	put1(b, 0);
	put1(b, 0);
}

static void
b_trunc_old(struct bin *b)
{
	pkesks(b, 1);
	put1(b, 0x80 | 1 << 2 | 2);
	put1(b, 0);
}

static void
b_trunc_5len_huge(struct bin *b)
{
	put1(b, 0xc0 | 1);
	put1(b, 255);
	put1(b, 0xff);
	put1(b, 0xff);
	put1(b, 0xff);
	put1(b, 0xff);
	body(b, 3);
}

static void
b_trunc_partial(struct bin *b)
{
	put1(b, 0xc0 | 11);
	put1(b, 233);			/* 512 claimed */
	body(b, 100);
}

static void
b_trunc_partial_end(struct bin *b)
{
	put1(b, 0xc0 | 11);
	put1(b, 225);
	body(b, 2);			/* and no final length */
}

/* a first header octet without bit 7 is no OpenPGP at all */
static void
b_text(struct bin *b)
{
	puts_(b, "hello, this is plain text\n");
}

static void
b_bit7(struct bin *b)
{
	put1(b, 0x7f);
	pkesks(b, 3);
}

/* such an octet after the first packet: the count stops there */
static void
b_junk_after(struct bin *b)
{
	pkesks(b, 2);
	put1(b, 0x00);
	pkesks(b, 2);
}

/*
 * A binary message that holds armor inside a packet body: gpg reads
 * binary (first octet) and never looks at it; nor may the count.
 */
static void
b_armor_inside(struct bin *b)
{
	static const char a[] = "\n-----BEGIN PGP MESSAGE-----\n\n"
	    "-----END PGP MESSAGE-----\n";

	pkesks(b, 100);
	put1(b, 0xc0 | 18);
	put1(b, (unsigned)strlen(a));
	puts_(b, a);
}

struct want {
	int	rc;
	size_t	pkesk, skesk, sig, onepass, total;
	int	truncated;
};

static const struct bcase {
	const char	*name;
	void		(*build)(struct bin *);
	size_t		 max;
	struct want	 want;	/* rc pkesk skesk sig onepass total trunc */
} bcases[] = {
	{ "empty", b_empty, 4096, { 0, 0, 0, 0, 0, 0, 0 } },
	{ "new 1-octet", b_new1, 4096, { 0, 1, 0, 0, 0, 1, 0 } },
	{ "new 2-octet 192", b_new2_low, 4096, { 0, 1, 0, 0, 0, 1, 0 } },
	{ "new 2-octet 8383", b_new2_high, 4096, { 0, 1, 0, 0, 0, 2, 0 } },
	{ "new 5-octet", b_new5, 4096, { 0, 1, 1, 0, 0, 2, 0 } },
	{ "old 1-octet", b_old0, 4096, { 0, 1, 0, 0, 0, 2, 0 } },
	{ "old 2-octet", b_old1, 4096, { 0, 2, 0, 0, 0, 2, 0 } },
	{ "old 4-octet", b_old2, 4096, { 0, 0, 1, 1, 0, 2, 0 } },
	{ "old indeterminate", b_old3, 4096, { 0, 1, 0, 0, 0, 2, 0 } },
	{ "partial", b_partial, 4096, { 0, 1, 0, 0, 0, 2, 0 } },
	{ "partial, 2-octet end", b_partial_long_end, 4096,
	    { 0, 0, 0, 1, 0, 2, 0 } },
	{ "5 pkesk", b_pkesk5, 4096, { 0, 5, 0, 0, 0, 6, 0 } },
	{ "100 pkesk", b_pkesk100, 4096, { 0, 100, 0, 0, 0, 101, 0 } },
	{ "100 pkesk, max 10", b_pkesk100, 10, { 0, 10, 0, 0, 0, 10, 0 } },
	{ "100 pkesk, max 101", b_pkesk100, 101,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	{ "100 pkesk, max 1", b_pkesk100, 1, { 0, 1, 0, 0, 0, 1, 0 } },
	{ "skesk", b_skesk, 4096, { 0, 1, 2, 0, 0, 4, 0 } },
	{ "3 signatures", b_sig3, 4096, { 0, 0, 0, 3, 0, 3, 0 } },
	{ "3 signatures, max 2", b_sig3, 2, { 0, 0, 0, 2, 0, 2, 0 } },
	{ "one-pass", b_onepass, 4096, { 0, 0, 0, 1, 1, 3, 0 } },
	{ "compressed", b_compressed, 4096, { 0, 0, 0, 1, 1, 3, 0 } },
	{ "truncated body", b_trunc_body, 4096, { 0, 2, 0, 0, 0, 3, 1 } },
	{ "truncated 2-octet length", b_trunc_len2, 4096,
	    { 0, 1, 0, 0, 0, 1, 1 } },
	{ "truncated 5-octet length", b_trunc_len5, 4096,
	    { 0, 0, 0, 0, 0, 0, 1 } },
	{ "truncated old length", b_trunc_old, 4096,
	    { 0, 1, 0, 0, 0, 1, 1 } },
	{ "5-octet length past the end", b_trunc_5len_huge, 4096,
	    { 0, 1, 0, 0, 0, 1, 1 } },
	{ "truncated partial chunk", b_trunc_partial, 4096,
	    { 0, 0, 0, 0, 0, 0, 1 } },
	{ "partial chain without end", b_trunc_partial_end, 4096,
	    { 0, 0, 0, 0, 0, 0, 1 } },
	{ "plain text", b_text, 4096, { -1, 0, 0, 0, 0, 0, 0 } },
	{ "first octet without bit 7", b_bit7, 4096,
	    { -1, 0, 0, 0, 0, 0, 0 } },
	{ "junk after packets", b_junk_after, 4096,
	    { 0, 2, 0, 0, 0, 2, 1 } },
	{ "armor inside a binary packet", b_armor_inside, 4096,
	    { 0, 100, 0, 0, 0, 101, 0 } },
};

static void
check(const char *name, const void *p, size_t n, size_t max,
    const struct want *w)
{
	struct pgp_packet_counts c;
	int rc;

	memset(&c, 0x5a, sizeof c);
	rc = pgp_packet_counts(p, n, max, &c);
	if (rc != w->rc || c.pkesk != w->pkesk || c.skesk != w->skesk ||
	    c.sig != w->sig || c.onepass != w->onepass ||
	    c.total != w->total || c.truncated != w->truncated)
		fail_msg("%s: got rc %d pkesk %zu skesk %zu sig %zu onepass "
		    "%zu total %zu truncated %d; want rc %d pkesk %zu skesk "
		    "%zu sig %zu onepass %zu total %zu truncated %d", name,
		    rc, c.pkesk, c.skesk, c.sig, c.onepass, c.total,
		    c.truncated, w->rc, w->pkesk, w->skesk, w->sig,
		    w->onepass, w->total, w->truncated);
}

/* --- armor ----------------------------------------------------------- */

enum {
	A_HEADERS	= 1 << 0,	/* "Version: x", "Comment: y" */
	A_NOBLANK	= 1 << 1,	/* no blank line after them */
	A_WSBLANK	= 1 << 2,	/* the blank line is " \t" */
	A_CRLF		= 1 << 3,
	A_CRC		= 1 << 4,	/* the "=XXXX" line, else a bare "=" */
	A_GARBAGE	= 1 << 5,	/* non-base64 octets in the lines */
	A_QP		= 1 << 6,	/* each line's last character as =XY */
	A_PROSE		= 1 << 7,	/* text before the BEGIN line */
	A_WIDE		= 1 << 8,	/* 76 columns, not 64 */
	A_CLEARSIGN	= 1 << 9,	/* a cleartext signature's tail */
};

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static unsigned long
crc24(const unsigned char *p, size_t n)
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

/* base64 of p[0, n), "=" padded, into a (NUL-terminated). */
static void
base64(struct bin *a, const unsigned char *p, size_t n)
{
	unsigned long v;

	for (size_t i = 0; i < n; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		put1(a, (unsigned)b64[v >> 18 & 63]);
		put1(a, (unsigned)b64[v >> 12 & 63]);
		put1(a, i + 1 < n ? (unsigned)b64[v >> 6 & 63] : '=');
		put1(a, i + 2 < n ? (unsigned)b64[v & 63] : '=');
	}
}

/* The armored form of b in style st. */
static void
armor(struct bin *a, const struct bin *b, unsigned st)
{
	const char *eol = st & A_CRLF ? "\r\n" : "\n";
	struct bin t = { 0 };
	unsigned char crc[3];
	unsigned long c;
	size_t w = st & A_WIDE ? 76 : 64, i, k;

	if (st & A_PROSE) {
		puts_(a, "Here is the message:");
		puts_(a, eol);
		puts_(a, eol);
	}
	if (st & A_CLEARSIGN) {
		puts_(a, "-----BEGIN PGP SIGNED MESSAGE-----");
		puts_(a, eol);
		puts_(a, "Hash: SHA256");
		puts_(a, eol);
		puts_(a, eol);
		puts_(a, "- -----BEGIN PGP MESSAGE-----");
		puts_(a, eol);
		puts_(a, "text");
		puts_(a, eol);
		puts_(a, "-----BEGIN PGP SIGNATURE-----");
	} else
		puts_(a, "-----BEGIN PGP MESSAGE-----");
	puts_(a, eol);
	if (st & A_HEADERS) {
		puts_(a, "Version: x");
		puts_(a, eol);
		puts_(a, "Comment: y: z");
		puts_(a, eol);
	}
	if (!(st & A_NOBLANK)) {
		if (st & A_WSBLANK)
			puts_(a, " \t");
		puts_(a, eol);
	}
	base64(&t, b->p, b->n);
	for (i = 0; i < t.n; i += w) {
		k = t.n - i < w ? t.n - i : w;
		if (st & A_GARBAGE) {
			/* split the line with what gpg skips */
			put(a, t.p + i, k / 2);
			puts_(a, " *-\t~\xff!");
			put(a, t.p + i + k / 2, k - k / 2 - (st & A_QP ? 1 : 0));
		} else
			put(a, t.p + i, k - (st & A_QP ? 1 : 0));
		if (st & A_QP) {
			char x[4];

			(void)snprintf(x, sizeof x, "=%02X", t.p[i + k - 1]);
			puts_(a, x);
		}
		puts_(a, eol);
	}
	if (st & A_CRC) {
		c = crc24(b->p, b->n);
		crc[0] = (unsigned char)(c >> 16);
		crc[1] = (unsigned char)(c >> 8);
		crc[2] = (unsigned char)c;
		put1(a, '=');
		t.n = 0;
		base64(&t, crc, 3);
		put(a, t.p, t.n);
	} else
		put1(a, '=');	/* without it gpg reads END as base64 */
	puts_(a, eol);
	puts_(a, st & A_CLEARSIGN ? "-----END PGP SIGNATURE-----" :
	    "-----END PGP MESSAGE-----");
	puts_(a, eol);
	free(t.p);
}

static const unsigned styles[] = {
	0,
	A_CRC,
	A_HEADERS,
	A_HEADERS | A_CRC | A_CRLF,
	A_HEADERS | A_NOBLANK,
	A_HEADERS | A_WSBLANK | A_CRC,
	A_CRLF | A_WIDE,
	A_GARBAGE | A_CRC,
	A_QP,
	A_QP | A_GARBAGE | A_CRLF | A_CRC,
	A_PROSE | A_HEADERS | A_CRC,
	A_CLEARSIGN | A_CRC,
	A_CLEARSIGN | A_HEADERS | A_CRLF,
};

static void
test_binary(void **state)
{
	struct bin b = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof bcases / sizeof *bcases; i++) {
		b.n = 0;
		bcases[i].build(&b);
		check(bcases[i].name, b.p, b.n, bcases[i].max,
		    &bcases[i].want);
	}
	free(b.p);
}

/* Every binary case, armored in every style, counts the same. */
static void
test_armored_same(void **state)
{
	struct bin b = { 0 }, a = { 0 };
	char name[128];

	(void)state;
	for (size_t i = 0; i < sizeof bcases / sizeof *bcases; i++) {
		b.n = 0;
		bcases[i].build(&b);
		for (size_t s = 0; s < sizeof styles / sizeof *styles; s++) {
			a.n = 0;
			armor(&a, &b, styles[s]);
			(void)snprintf(name, sizeof name, "%s, armor style %#x",
			    bcases[i].name, styles[s]);
			check(name, a.p, a.n, bcases[i].max, &bcases[i].want);
		}
	}
	free(a.p);
	free(b.p);
}

/* The counts do not depend on anything but the input. */
static void
test_repeatable(void **state)
{
	struct pgp_packet_counts c1, c2;
	struct bin b = { 0 }, a = { 0 };

	(void)state;
	b_pkesk100(&b);
	armor(&a, &b, A_HEADERS | A_CRC);
	assert_int_equal(pgp_packet_counts(a.p, a.n, 4096, &c1), 0);
	assert_int_equal(pgp_packet_counts(a.p, a.n, 4096, &c2), 0);
	assert_true(c1.pkesk == c2.pkesk && c1.skesk == c2.skesk &&
	    c1.sig == c2.sig && c1.onepass == c2.onepass &&
	    c1.total == c2.total && c1.truncated == c2.truncated);
	assert_int_equal(c1.pkesk, 100);
	free(a.p);
	free(b.p);
}

/* --- the armor as gpg reads it ---------------------------------------- */

#define BEGIN	"-----BEGIN PGP MESSAGE-----\n"
#define END	"-----END PGP MESSAGE-----\n"

/*
 * The base64 lines of b_pkesk5 (no '=' padding: "@5=\n" ends it where
 * the count is to stop) and b_pkesk100 (ends in "=="), made once.
 */
static char *arm5, *arm100;

static char *
b64_of(void (*build)(struct bin *), size_t w)
{
	struct bin b = { 0 }, t = { 0 }, o = { 0 };

	build(&b);
	base64(&t, b.p, b.n);
	for (size_t i = 0; i < t.n; i += w) {
		put(&o, t.p + i, t.n - i < w ? t.n - i : w);
		put1(&o, '\n');
	}
	free(b.p);
	free(t.p);
	return (char *)o.p;
}

static int
setup(void **state)
{
	(void)state;
	arm5 = b64_of(b_pkesk5, 64);
	arm100 = b64_of(b_pkesk100, 64);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(arm5);
	free(arm100);
	return 0;
}

/* Replace each "@5" and "@100" in fmt by those bodies. */
static void
expand(struct bin *o, const char *fmt)
{
	o->n = 0;
	for (const char *p = fmt; *p != '\0';) {
		if (strncmp(p, "@100", 4) == 0) {
			puts_(o, arm100);
			p += 4;
		} else if (strncmp(p, "@5", 2) == 0) {
			puts_(o, arm5);
			p += 2;
		} else
			put1(o, (unsigned char)*p++);
	}
}

static const struct acase {
	const char	*name;
	const char	*text;
	struct want	 want;
} acases[] = {
	{ "plain", BEGIN "\n@100" END, { 0, 100, 0, 0, 0, 101, 0 } },
	{ "prose before", "Hi,\nsee: below\n\n" BEGIN "\n@5=\n" END,
	    { 0, 5, 0, 0, 0, 6, 0 } },
	{ "BEGIN with trailing white space", "-----BEGIN PGP MESSAGE----- \t"
	    "\n\n@5=\n" END, { 0, 5, 0, 0, 0, 6, 0 } },
	{ "every armor kind gpg knows", "-----BEGIN PGP ARMORED FILE-----\n"
	    "\n@5=\n" END, { 0, 5, 0, 0, 0, 6, 0 } },
	/* no BEGIN line gpg takes: not OpenPGP */
	{ "indented BEGIN", " " BEGIN "\n@5" END,
	    { -1, 0, 0, 0, 0, 0, 0 } },
	{ "unknown kind", "-----BEGIN PGP FOO-----\n\n@5" END,
	    { -1, 0, 0, 0, 0, 0, 0 } },
	{ "text after the dashes", "-----BEGIN PGP MESSAGE----- x\n\n@5"
	    END, { -1, 0, 0, 0, 0, 0, 0 } },
	{ "six dashes", "-----BEGIN PGP MESSAGE------\n\n@5" END,
	    { -1, 0, 0, 0, 0, 0, 0 } },
	{ "no armor, no packets", "-----BEGIN PGP\n", { -1, 0, 0, 0, 0, 0,
	    0 } },
	/* a BEGIN line gpg does not take does not hide the one it does */
	{ "decoy mid-line", "see -----BEGIN PGP MESSAGE-----\n\n" END BEGIN
	    "\n@100" END, { 0, 100, 0, 0, 0, 101, 0 } },
	{ "decoy unknown kind", "-----BEGIN PGP FOO-----\n\n"
	    "-----END PGP FOO-----\n" BEGIN "\n@100" END,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	{ "decoy unterminated", "-----BEGIN PGP MESSAGE\n\n" END BEGIN
	    "\n@100" END, { 0, 100, 0, 0, 0, 101, 0 } },
	/* header lines: up to a blank (or white) line or a non-header */
	{ "white space blank line", BEGIN "Version: x\n \t\r\n@100" END,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	{ "no blank line", BEGIN "Version: x\nComment:\n@100" END,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	{ "not a header: body", BEGIN "Version:x\n\n@5" END,
	    { -1, 0, 0, 0, 0, 0, 0 } },
	/* the body: to the first '=', skipping everything else */
	{ "dash line in the body", BEGIN "\n" "-----\n@100" END,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	{ "garbage in the body", BEGIN "\n" "-*- ~!\xc3\xa9\n@100" END,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	{ "'=' ends the body", BEGIN "\n=\n@100" END,
	    { 0, 0, 0, 0, 0, 0, 0 } },
	{ "'=XY' not quoted-printable", BEGIN "\n=41A\n@100" END,
	    { 0, 0, 0, 0, 0, 0, 0 } },
	{ "'=XY ' quoted-printable", BEGIN "\n=2D \n@100" END,
	    { 0, 100, 0, 0, 0, 101, 0 } },
	/* gpg keeps a lone character before '=': one octet, no packet */
	{ "lone character before '='", BEGIN "\nw=\n" END,
	    { 0, 0, 0, 0, 0, 0, 1 } },
	/*
	 * After '=' and the CRC, gpg reads on from the next armor.  It stops
	 * at a wrong CRC (this one); the count does not check it and reads
	 * on: more, never fewer.
	 */
	{ "two armors", BEGIN "\n@5=AAAA\n" END "between\n" BEGIN
	    "\n@100" END, { 0, 105, 0, 0, 0, 107, 0 } },
	{ "two armors, no CRC", BEGIN "\n@5=\n" END BEGIN "\n@5=\n" END,
	    { 0, 10, 0, 0, 0, 12, 0 } },
	{ "BEGIN on the CRC line's place", BEGIN "\n@5=\n" BEGIN "\n@100"
	    END, { 0, 5, 0, 0, 0, 6, 0 } },
	/* without '=', END and what follows are read as body */
	{ "no '=': END read as base64", BEGIN "\n@5" END BEGIN "\n@100" END,
	    { 0, 5, 0, 0, 0, 6, 1 } },
	/* a cleartext signature: its text skipped to the armor */
	{ "clearsigned", "-----BEGIN PGP SIGNED MESSAGE-----\n"
	    "Hash: SHA256\n\n- -----BEGIN PGP MESSAGE-----\n@5\n"
	    "-----BEGIN PGP SIGNATURE-----\n\n@100"
	    "-----END PGP SIGNATURE-----\n", { 0, 100, 0, 0, 0, 101, 0 } },
	{ "clearsigned, no blank line", "-----BEGIN PGP SIGNED MESSAGE-----\n"
	    "text\n-----BEGIN PGP SIGNATURE-----\n\n@5=\n"
	    "-----END PGP SIGNATURE-----\n", { 0, 5, 0, 0, 0, 6, 0 } },
	{ "clearsigned, NotDashEscaped",
	    "-----BEGIN PGP SIGNED MESSAGE-----\nNotDashEscaped: yes\n\n"
	    BEGIN "@5" "-----BEGIN PGP SIGNATURE-----\n\n@100"
	    "-----END PGP SIGNATURE-----\n", { 0, 100, 0, 0, 0, 101, 0 } },
};

static void
test_armor(void **state)
{
	struct bin t = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof acases / sizeof *acases; i++) {
		expand(&t, acases[i].text);
		check(acases[i].name, t.p, t.n, 4096, &acases[i].want);
	}
	free(t.p);
}

/*
 * gpg reads a line of 19999 octets or more as its first 19998 and drops
 * the rest: such a line is no BEGIN line; a first line that long makes
 * gpg read the data as binary, cut.
 */
static void
test_long_lines(void **state)
{
	struct bin t = { 0 }, b = { 0 };
	const struct want none = { -1, 0, 0, 0, 0, 0, 0 };
	const struct want p100 = { 0, 100, 0, 0, 0, 101, 0 };
	const struct want cut = { 0, 100, 0, 0, 0, 102, 0 };
	const struct want whole = { 0, 1, 0, 0, 0, 1, 1 };
	size_t pad;

	(void)state;
	/* a BEGIN line of 19998 octets counts; of 19999 it does not */
	for (pad = 19998 - 27; pad <= 19999 - 27; pad++) {
		t.n = 0;
		puts_(&t, "-----BEGIN PGP MESSAGE-----");
		for (size_t i = 0; i < pad; i++)
			put1(&t, ' ');
		puts_(&t, "\n\n");
		puts_(&t, arm100);
		puts_(&t, END);
		check(pad + 27 == 19998 ? "BEGIN line 19998" :
		    "BEGIN line 19999", t.p, t.n, 4096,
		    pad + 27 == 19998 ? &p100 : &none);
	}
	/* a long header line is skipped, not taken for the body */
	t.n = 0;
	puts_(&t, BEGIN);
	for (size_t i = 0; i < 30000; i++)
		put1(&t, 'A');
	puts_(&t, "\n\n");
	puts_(&t, arm100);
	puts_(&t, END);
	check("long header line", t.p, t.n, 4096, &p100);
	/*
	 * A packet of tag 0 (not binary to gpg) over a 30000-octet first
	 * line: cut, its 19993-octet body ends at the '\n' gpg puts at
	 * 19998, and 100 session keys follow; read whole, it would end in
	 * the line.
	 */
	b.n = 0;
	put1(&b, 0xc0);
	put1(&b, 255);
	put1(&b, 0);
	put1(&b, 0);
	put1(&b, 19993 >> 8);
	put1(&b, 19993 & 0xff);
	for (size_t i = 0; i < 30000; i++)
		put1(&b, 'A');
	put1(&b, '\n');
	b_pkesk100(&b);
	check("first line cut", b.p, b.n, 4096, &cut);
	/* a first octet gpg takes for binary: not cut */
	b.p[0] = 0xc0 | 1;
	check("binary not cut", b.p, b.n, 4096, &whole);
	free(t.p);
	free(b.p);
}

/* --- the splitter (issue 17 item 2) ------------------------------------- */

/* A v3 PKESK naming key id id..id+7, its body n octets long. */
static void
pkesk_v3(struct bin *b, unsigned char id, size_t n, int old)
{
	size_t i;

	assert_true(n >= 10 && n < 192);
	if (old) {
		put1(b, 0x80 | 1 << 2 | 0);
		put1(b, (unsigned)n);
	} else {
		put1(b, 0xc0 | 1);
		put1(b, (unsigned)n);
	}
	put1(b, 3);
	for (i = 0; i < 8; i++)
		put1(b, id + (unsigned)i);
	put1(b, 18);		/* ECDH */
	body(b, n - 10);
}

/* A SEIPD packet in partial body lengths: 512, 32, then 300 octets. */
static void
seipd_partial(struct bin *b)
{
	put1(b, 0xc0 | 18);
	put1(b, 0xe0 | 9);
	body(b, 512);
	put1(b, 0xe0 | 5);
	body(b, 32);
	put1(b, (unsigned)((300 - 192) >> 8) + 192);
	put1(b, (unsigned)((300 - 192) & 0xff));
	body(b, 300);
}

static void
test_split(void **state)
{
	struct bin b = { 0 }, c = { 0 };
	struct pgp_split sp;
	size_t i, n;
	size_t off[3];

	(void)state;
	/* three recipients, one in an old-format header, then SEIPD with
	 * partial lengths: the shape gpg writes */
	off[0] = b.n;
	pkesk_v3(&b, 0x10, 94, 0);
	off[1] = b.n;
	pkesk_v3(&b, 0x20, 94, 1);
	off[2] = b.n;
	pkesk_v3(&b, 0x30, 60, 0);
	n = b.n;
	seipd_partial(&b);
	assert_int_equal(pgp_split_encrypted(b.p, b.n, 16, &sp), 0);
	assert_int_equal(sp.npkesk, 3);
	assert_int_equal(sp.data_tag, 18);
	assert_int_equal(sp.data_off, n);
	assert_int_equal(sp.data_len, b.n - n);
	assert_int_equal(sp.data_len, 1 + 1 + 512 + 1 + 32 + 2 + 300);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sp.pkesk[i].off, off[i]);
		assert_int_equal(sp.pkesk[i].len, (i < 2 ? 96 : 62));
		assert_int_equal(sp.pkesk[i].keyid[0], 0x10 * (i + 1));
		assert_int_equal(sp.pkesk[i].keyid[7], 0x10 * (i + 1) + 7);
	}
	/* each copy, PKESK(i) + the data packet, is itself a message of
	 * one session key and one data packet, lengths preserved */
	for (i = 0; i < 3; i++) {
		struct pgp_split one;
		struct pgp_packet_counts pc;

		c.n = 0;
		put(&c, b.p + sp.pkesk[i].off, sp.pkesk[i].len);
		put(&c, b.p + sp.data_off, sp.data_len);
		assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &one), 0);
		assert_int_equal(one.npkesk, 1);
		assert_memory_equal(one.pkesk[0].keyid, sp.pkesk[i].keyid, 8);
		assert_int_equal(one.data_len, sp.data_len);
		assert_int_equal(pgp_packet_counts(c.p, c.n, 100, &pc), 0);
		assert_int_equal(pc.pkesk, 1);
		assert_int_equal(pc.encdata, 1);
		assert_int_equal(pc.total, 2);
		assert_int_equal(pc.truncated, 0);
		pgp_split_free(&one);
	}
	pgp_split_free(&sp);
	/* the max bound */
	assert_int_equal(pgp_split_encrypted(b.p, b.n, 2, &sp), -1);

	/* AEAD (tag 20; data packets have new-format headers only: their
	 * tags do not fit the old format's four bits) */
	c.n = 0;
	pkesk_v3(&c, 0x40, 20, 0);
	pkt_new(&c, 20, 1000, L2);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), 0);
	assert_int_equal(sp.data_tag, 20);
	assert_int_equal(sp.data_len, 1003);
	pgp_split_free(&sp);

	/* v6 PKESKs: a v4 recipient's key id is its fingerprint's end, a
	 * v6 one's its start */
	c.n = 0;
	put1(&c, 0xc0 | 1);
	put1(&c, 3 + 20 + 1 + 10);
	put1(&c, 6);
	put1(&c, 21);
	put1(&c, 4);
	for (i = 0; i < 20; i++)
		put1(&c, (unsigned)i);
	put1(&c, 18);
	body(&c, 10);
	put1(&c, 0xc0 | 1);
	put1(&c, 3 + 32 + 1 + 10);
	put1(&c, 6);
	put1(&c, 33);
	put1(&c, 6);
	for (i = 0; i < 32; i++)
		put1(&c, (unsigned)(0x80 + i));
	put1(&c, 25);
	body(&c, 10);
	pkt_new(&c, 18, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), 0);
	assert_int_equal(sp.npkesk, 2);
	assert_int_equal(sp.pkesk[0].keyid[0], 12);
	assert_int_equal(sp.pkesk[1].keyid[0], 0x80);
	pgp_split_free(&sp);

	/* refusals: every shape that is not PKESK+ then one data packet to
	 * the end */
	c.n = 0;			/* something after the data */
	pkesk_v3(&c, 0x10, 20, 0);
	pkt_new(&c, 18, 50, L1);
	pkt_new(&c, 2, 10, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* no session key at all */
	pkt_new(&c, 18, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* a passphrase's */
	pkesk_v3(&c, 0x10, 20, 0);
	pkt_new(&c, 3, 20, L1);
	pkt_new(&c, 18, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* SED, no integrity */
	pkesk_v3(&c, 0x10, 20, 0);
	pkt_new(&c, 9, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* no data packet */
	pkesk_v3(&c, 0x10, 20, 0);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* truncated data */
	pkesk_v3(&c, 0x10, 20, 0);
	seipd_partial(&c);
	assert_int_equal(pgp_split_encrypted(c.p, c.n - 1, 16, &sp), -1);
	c.n = 0;			/* a wildcard key id */
	pkesk_v3(&c, 0, 20, 0);
	memset(c.p + 3, 0, 8);
	pkt_new(&c, 18, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* a PKESK in partial lengths */
	put1(&c, 0xc0 | 1);
	put1(&c, 0xe0 | 4);
	put1(&c, 3);
	body(&c, 15);
	put1(&c, 4);
	body(&c, 4);
	pkt_new(&c, 18, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	c.n = 0;			/* an unknown PKESK version */
	pkesk_v3(&c, 0x10, 20, 0);
	c.p[2] = 5;
	pkt_new(&c, 18, 50, L1);
	assert_int_equal(pgp_split_encrypted(c.p, c.n, 16, &sp), -1);
	assert_int_equal(pgp_split_encrypted(c.p, 0, 16, &sp), -1);
	free(b.p);
	free(c.p);
}

/* --- shapes (issue 13 items 2 and 5) ------------------------------------ */

static void
test_shape(void **state)
{
	/* new-format packets, two-octet bodies: tag | 0xc0, length 2 */
#define PK(tag)	(unsigned char)(0xc0 | (tag)), 2, 0, 0
	static const unsigned char skesk_only[] = { PK(3), PK(18) };
	static const unsigned char two_skesk[] = { PK(3), PK(3), PK(18) };
	static const unsigned char pkesk_skesk[] = { PK(1), PK(3), PK(18) };
	static const unsigned char pkesk[] = { PK(1), PK(18) };
	static const unsigned char opaque[] = { PK(4), PK(11), PK(2) };
	static const unsigned char compressed[] = { PK(8) };
	static const unsigned char literal[] = { PK(11) };
	static const unsigned char seipd_only[] = { PK(18) };
	static const unsigned char sig_then_sed[] = { PK(2), PK(9) };
#undef PK
	static const struct {
		const char		*name;
		const unsigned char	*p;
		size_t			 n;
		enum pgp_shape		 shape;
		size_t			 literal, encdata;
	} t[] = {
		{ "passphrase only", skesk_only, sizeof skesk_only,
		    PGP_SHAPE_PASSPHRASE, 0, 1 },
		{ "two passphrases", two_skesk, sizeof two_skesk,
		    PGP_SHAPE_PASSPHRASE, 0, 1 },
		{ "passphrase and a key", pkesk_skesk, sizeof pkesk_skesk,
		    PGP_SHAPE_ENCRYPTED, 0, 1 },
		{ "a key", pkesk, sizeof pkesk, PGP_SHAPE_ENCRYPTED, 0, 1 },
		{ "opaque signed", opaque, sizeof opaque, PGP_SHAPE_SIGNED, 1,
		    0 },
		{ "gpg --sign (compressed)", compressed, sizeof compressed,
		    PGP_SHAPE_SIGNED, 0, 0 },
		{ "literal only", literal, sizeof literal, PGP_SHAPE_SIGNED, 1,
		    0 },
		/* encrypted data without a session key is gpg's to refuse */
		{ "encrypted data only", seipd_only, sizeof seipd_only,
		    PGP_SHAPE_ENCRYPTED, 0, 1 },
		{ "signature beside encrypted data", sig_then_sed,
		    sizeof sig_then_sed, PGP_SHAPE_ENCRYPTED, 0, 1 },
	};
	struct pgp_packet_counts c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		print_message("shape %s\n", t[i].name);
		assert_int_equal(pgp_packet_counts(t[i].p, t[i].n, 4096, &c),
		    0);
		assert_int_equal(c.truncated, 0);
		assert_int_equal(c.literal, t[i].literal);
		assert_int_equal(c.encdata, t[i].encdata);
		assert_int_equal(pgp_packet_shape(&c), t[i].shape);
	}
	/* nothing at all is not a signed message */
	memset(&c, 0, sizeof c);
	assert_int_equal(pgp_packet_shape(&c), PGP_SHAPE_ENCRYPTED);
}

/*
 * Packets of a key, not a message (review of d516705, F3): counted as
 * foreign, so decrypt refuses them before gpg answers with its
 * catch-all error; a marker packet (tag 10) is not foreign.
 */
static void
test_foreign(void **state)
{
#define PK(tag)	(unsigned char)(0xc0 | (tag)), 2, 0, 0
	static const unsigned char uid_only[] = { PK(13) };
	static const unsigned char uid_post[] = { PK(13), PK(1), PK(18) };
	static const unsigned char key_block[] = { PK(6), PK(13), PK(2),
	    PK(14), PK(2) };
	static const unsigned char misc[] = { PK(0), PK(5), PK(7), PK(12),
	    PK(17) };
	static const unsigned char marker_post[] = { PK(10), PK(1), PK(18) };
#undef PK
	static const struct {
		const unsigned char	*p;
		size_t			 n, foreign;
	} t[] = {
		{ uid_only, sizeof uid_only, 1 },
		{ uid_post, sizeof uid_post, 1 },
		{ key_block, sizeof key_block, 3 },
		{ misc, sizeof misc, 5 },
		{ marker_post, sizeof marker_post, 0 },
	};
	struct pgp_packet_counts c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(pgp_packet_counts(t[i].p, t[i].n, 4096, &c),
		    0);
		assert_int_equal(c.foreign, t[i].foreign);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_armored_same),
		cmocka_unit_test(test_repeatable),
		cmocka_unit_test(test_armor),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_foreign),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
