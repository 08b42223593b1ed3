/*
 * extract: indicators from decoded text.  See extract.h for the decisions;
 * this file is refang (with an offset map), then one left-to-right scan
 * trying each matcher at every token boundary.
 */
#include "config.h"

#include "archive/extract.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

/* ---- refanged copy ------------------------------------------------------ */

struct fanged {
	char		*s;
	size_t		 len, cap;
	size_t		*from, *to;	/* input span that produced s[i] */
	unsigned char	*def;		/* s[i] came from a defanged form */
};

static void
fang_push(struct fanged *f, char c, size_t from, size_t to, int def)
{
	if (f->len == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->s = xreallocarray(f->s, f->cap + 1, 1);
		f->from = xreallocarray(f->from, f->cap, sizeof(size_t));
		f->to = xreallocarray(f->to, f->cap, sizeof(size_t));
		f->def = xreallocarray(f->def, f->cap, 1);
	}
	f->s[f->len] = c;
	f->from[f->len] = from;
	f->to[f->len] = to;
	f->def[f->len] = (unsigned char)def;
	f->len++;
	f->s[f->len] = '\0';
}

static void
fang_free(struct fanged *f)
{
	free(f->s);
	free(f->from);
	free(f->to);
	free(f->def);
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* Case-insensitive prefix test, bounded by len (the input has no NUL). */
static int
has_prefix(const char *s, size_t len, size_t i, const char *p)
{
	size_t n = strlen(p), k;

	if (len - i < n)
		return 0;
	for (k = 0; k < n; k++)
		if (lower((unsigned char)s[i + k]) != p[k])
			return 0;
	return 1;
}

static const struct { const char *in, *out; } brackets[] = {
	{ "[.]", "." }, { "(.)", "." }, { "{.}", "." },
	{ "[dot]", "." }, { "(dot)", "." }, { "{dot}", "." },
	{ "[://]", "://" }, { "[:]", ":" }, { "[/]", "/" },
	{ "[@]", "@" }, { "(@)", "@" },
	{ "[at]", "@" }, { "(at)", "@" }, { "{at}", "@" },
};

/* Full-width forms: U+FF0E . U+FF1A : U+FF0F / U+FF20 @ (EF BC xx). */
static char
fullwidth(const char *s, size_t len, size_t i)
{
	if (len - i < 3 || (unsigned char)s[i] != 0xef ||
	    (unsigned char)s[i + 1] != 0xbc)
		return 0;
	switch ((unsigned char)s[i + 2]) {
	case 0x8e: return '.';
	case 0x9a: return ':';
	case 0x8f: return '/';
	case 0xa0: return '@';
	}
	return 0;
}

/*
 * Compatibility letters and digits at s[i]: the full-width forms
 * U+FF01-U+FF5E ("ｌｏｇｉｎ．ｅｘａｍｐｌｅ．ｊｐ", typed by a Japanese
 * input method or on purpose) and the mathematical alphanumerics
 * U+1D400-U+1D7FF ("𝐞𝐯𝐢𝐥.com", an obfuscation), as their NFKC form when
 * that is one ASCII character (GNU libunistring, as lists/tlp.c).  Only
 * these blocks: NFKC also folds superscripts and circled digits, and a
 * footnote mark "evil.com¹" must not become "evil.com1".  Returns the
 * octets consumed, 0 for anything else; the character into *c.
 */
static size_t
compat_ascii(const char *s, size_t len, size_t i, char *c)
{
	uint8_t buf[16], *r;
	size_t k, rn = sizeof buf;
	uint32_t cp;

	if ((unsigned char)s[i] < 0x80 ||
	    (k = hub_utf8_dec((const unsigned char *)s + i, len - i, &cp)) ==
	    0)
		return 0;
	if (!(cp >= 0xff01 && cp <= 0xff5e) &&
	    !(cp >= 0x1d400 && cp <= 0x1d7ff))
		return 0;
	r = u8_normalize(UNINORM_NFKC, (const uint8_t *)s + i, k, buf, &rn);
	if (r == NULL)
		return 0;
	*c = rn == 1 && r[0] > 0x20 && r[0] < 0x7f ? (char)r[0] : 0;
	if (r != buf)
		free(r);
	return *c != 0 ? k : 0;
}

/* A bracket form at j, after up to three spaces starting at i; the spaces
 * on both sides belong to it ("evil [.] com").  Returns bytes consumed. */
static size_t
bracket_at(const char *s, size_t len, size_t i, const char **out)
{
	size_t j = i, k, b;

	while (j < len && j - i < 3 && s[j] == ' ')
		j++;
	for (b = 0; b < sizeof(brackets) / sizeof(brackets[0]); b++) {
		if (!has_prefix(s, len, j, brackets[b].in))
			continue;
		k = j + strlen(brackets[b].in);
		while (k < len && k - j < 3 + strlen(brackets[b].in) &&
		    s[k] == ' ')
			k++;
		*out = brackets[b].out;
		return k - i;
	}
	return 0;
}

static void
refang(const char *s, size_t len, struct fanged *f)
{
	const char *rep;
	size_t i = 0, n, k;
	char c;

	while (i < len) {
		if ((s[i] == ' ' || s[i] == '[' || s[i] == '(' ||
		    s[i] == '{') && (n = bracket_at(s, len, i, &rep)) > 0) {
			for (k = 0; rep[k] != '\0'; k++)
				fang_push(f, rep[k], i, i + n, 1);
			i += n;
		} else if ((c = fullwidth(s, len, i)) != 0) {
			fang_push(f, c, i, i + 3, 1);
			i += 3;
		} else if ((n = compat_ascii(s, len, i, &c)) > 0) {
			/* like the full-width punctuation: a deliberate
			 * defang as often as not */
			fang_push(f, c, i, i + n, 1);
			i += n;
		} else if (has_prefix(s, len, i, "hxxp")) {
			for (k = 0; k < 4; k++)
				fang_push(f, "http"[k], i + k, i + k + 1, 1);
			i += 4;
		} else {
			fang_push(f, s[i], i, i + 1, 0);
			i++;
		}
	}
}

/* ---- result set --------------------------------------------------------- */

/* The (type, value) pairs seen so far live in an open-addressed table of
 * indices, so a pasted feed of 100k indicators stays linear. */
struct set {
	struct indicator	*v;
	size_t			 n, cap;
	size_t			*slot;		/* index + 1; 0 is empty */
	size_t			 nslot;		/* power of two */
	const struct fanged	*f;
};

static size_t
pair_hash(enum ind_type t, const char *value)
{
	size_t h = 2166136261u ^ (size_t)t;

	for (; *value != '\0'; value++)
		h = (h ^ (unsigned char)*value) * 16777619u;
	return h;
}

/* The slot holding (t, value), or the empty slot where it would go. */
static size_t *
set_find(struct set *st, enum ind_type t, const char *value)
{
	size_t i = pair_hash(t, value) & (st->nslot - 1), k;

	while ((k = st->slot[i]) != 0 && (st->v[k - 1].type != t ||
	    strcmp(st->v[k - 1].value, value) != 0))
		i = (i + 1) & (st->nslot - 1);
	return &st->slot[i];
}

static void
set_grow(struct set *st)
{
	size_t i;

	free(st->slot);
	st->nslot = st->nslot ? st->nslot * 2 : 32;
	st->slot = xcalloc(st->nslot, sizeof(*st->slot));
	for (i = 0; i < st->n; i++)
		*set_find(st, st->v[i].type, st->v[i].value) = i + 1;
}

/* Adds the indicator found at f->s[a, b); takes value.  Keeps the first
 * span of a (type, value) pair. */
static void
emit(struct set *st, enum ind_type t, char *value, size_t a, size_t b,
    unsigned flags)
{
	struct indicator *ind;
	size_t i, *slot;

	if (2 * (st->n + 1) > st->nslot)
		set_grow(st);
	slot = set_find(st, t, value);
	if (*slot != 0) {
		free(value);
		return;
	}
	for (i = a; i < b; i++)
		if (st->f->def[i])
			flags |= IND_DEFANGED;
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 8;
		st->v = xreallocarray(st->v, st->cap, sizeof(*st->v));
	}
	*slot = st->n + 1;
	ind = &st->v[st->n++];
	ind->type = t;
	ind->value = value;
	ind->start = st->f->from[a];
	ind->end = st->f->to[b - 1];
	ind->flags = flags;
}

/* ---- character classes -------------------------------------------------- */

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int
is_word(int c)
{
	return is_alnum(c) || c == '_';
}

static int
is_hex(int c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

/* s[i], or NUL outside [0, len). */
static int
at(const struct fanged *f, size_t i)
{
	return i < f->len ? (unsigned char)f->s[i] : 0;
}

static int
before(const struct fanged *f, size_t i)
{
	return i > 0 ? (unsigned char)f->s[i - 1] : 0;
}

/* Token start: not inside a word, not after "x." (the tail of a dotted
 * run such as a version string) nor "a-" (the tail of a hyphenated name);
 * "9-" is allowed so both ends of "10.0.0.1-10.0.0.5" are found. */
static int
boundary(const struct fanged *f, size_t i)
{
	int p = before(f, i), pp = i >= 2 ? before(f, i - 1) : 0;

	if (is_word(p))
		return 0;
	if (p == '.')
		return !is_alnum(pp);
	return !(p == '-' && is_alpha(pp));
}

static char *
lowdup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (char)lower((unsigned char)d[i]);
	return d;
}

/* ---- domains ------------------------------------------------------------ */

static const char *const file_exts[] = {
	"zip", "exe", "py", "js", "doc", "docx", "xls", "xlsx", "pdf", "txt",
	"csv", "json", "sh", "ps1", "bat", "dll", "jpg", "png", "gif", "html",
	"htm", "php",
};

static const char *const reserved_tlds[] = {
	"example", "test", "invalid", "localhost",
};

static int
in_list(const char *w, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
last_label(const char *d)
{
	const char *dot = strrchr(d, '.');

	return dot ? dot + 1 : d;
}

/* End of a dotted name of [A-Za-z0-9-] labels starting at i (no trailing
 * dot); *labels counts them.  Returns i when there is none. */
static size_t
name_end(const struct fanged *f, size_t i, int *labels)
{
	size_t end = i, j = i, k;

	*labels = 0;
	for (;;) {
		for (k = j; is_alnum(at(f, k)) || at(f, k) == '-'; k++)
			;
		if (k == j || k - j > 63 || at(f, j) == '-' ||
		    at(f, k - 1) == '-')
			break;
		end = k;
		(*labels)++;
		if (at(f, k) != '.' || !is_alnum(at(f, k + 1)))
			break;
		j = k + 1;
	}
	return end - i > 253 ? i : end;
}

static int
domain_valid(const char *d)
{
	const psl_ctx_t *psl = psl_builtin();
	const char *tld = last_label(d);
	size_t i;

	for (i = 0; is_digit(tld[i]); i++)
		;
	if (tld[i] == '\0')
		return 0;	/* numeric TLD: version string, bad IP */
	if (in_list(tld, reserved_tlds, NELEM(reserved_tlds)))
		return 1;
	if (psl == NULL ||
	    !psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
		return 0;
	return !psl_is_public_suffix2(psl, d, PSL_TYPE_ICANN);
}

static int
ends_with_label(const char *d, const char *suffix)
{
	size_t n = strlen(d), m = strlen(suffix);

	if (n == m)
		return strcmp(d, suffix) == 0;
	return n > m && d[n - m - 1] == '.' && strcmp(d + n - m, suffix) == 0;
}

static unsigned
domain_doc(const char *d)
{
	static const char *const docs[] = {
		"example.com", "example.net", "example.org",
		"example", "test", "invalid", "localhost",
	};
	size_t i;

	for (i = 0; i < NELEM(docs); i++)
		if (ends_with_label(d, docs[i]))
			return IND_DOC;
	return 0;
}

static int
span_defanged(const struct fanged *f, size_t a, size_t b)
{
	for (; a < b; a++)
		if (f->def[a])
			return 1;
	return 0;
}

static size_t
match_domain(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	int labels, c;
	size_t end = name_end(f, i, &labels);
	char *d;

	if (labels < 2)
		return 0;
	c = at(f, end);
	if (is_word(c) || c == '-' || c == '@')
		return 0;
	d = lowdup(f->s + i, end - i);
	if (!domain_valid(d) ||
	    (in_list(last_label(d), file_exts, NELEM(file_exts)) &&
	    !span_defanged(f, i, end))) {
		free(d);
		return 0;
	}
	emit(st, IND_DOMAIN, d, i, end, domain_doc(d));
	return end - i;
}

/* ---- IPv4 / IPv6 / CIDR ------------------------------------------------- */

/* Dotted quad at i; no boundary checks.  Returns its length or 0. */
static size_t
ipv4_parse(const struct fanged *f, size_t i, uint32_t *addr)
{
	size_t j = i, k;
	unsigned part, oct;

	*addr = 0;
	for (part = 0; part < 4; part++) {
		if (part > 0 && at(f, j++) != '.')
			return 0;
		for (k = j, oct = 0; is_digit(at(f, k)) && k - j < 4; k++)
			oct = oct * 10 + (unsigned)(at(f, k) - '0');
		if (k == j || k - j > 3 || oct > 255 ||
		    (k - j > 1 && at(f, j) == '0'))
			return 0;
		*addr = *addr << 8 | oct;
		j = k;
	}
	return j - i;
}

/* "/n" with 0 <= n <= max at i, not followed by a digit; -1 if none. */
static int
prefix_parse(const struct fanged *f, size_t i, int max, size_t *n)
{
	int v = 0;
	size_t k = i + 1;

	if (at(f, i) != '/' || !is_digit(at(f, k)))
		return -1;
	for (; is_digit(at(f, k)) && k - i <= 3; k++)
		v = v * 10 + (at(f, k) - '0');
	if (is_word(at(f, k)) || v > max)
		return -1;
	*n = k - i;
	return v;
}

static unsigned
ipv4_doc(uint32_t a, int plen)
{
	static const struct { uint32_t net; int len; } docs[] = {
		{ 0xc0000200u, 24 }, { 0xc6336400u, 24 }, { 0xcb007100u, 24 },
		{ 0x0a000000u, 8 }, { 0xac100000u, 12 }, { 0xc0a80000u, 16 },
		{ 0x7f000000u, 8 },
	};
	size_t i;
	uint32_t mask;

	for (i = 0; i < NELEM(docs); i++) {
		mask = 0xffffffffu << (32 - docs[i].len);
		if (plen >= docs[i].len && (a & mask) == docs[i].net)
			return IND_DOC;
	}
	return 0;
}

static char *
ipv4_str(uint32_t a)
{
	return xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
}

static size_t
match_ipv4(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	uint32_t a;
	size_t n = ipv4_parse(f, i, &a), pn;
	int c, plen;
	char *s;

	if (n == 0)
		return 0;
	c = at(f, i + n);
	if (is_word(c) || (c == '.' && is_digit(at(f, i + n + 1))))
		return 0;	/* a fifth part: version string, OID */
	if ((plen = prefix_parse(f, i + n, 32, &pn)) < 0) {
		emit(st, IND_IPV4, ipv4_str(a), i, i + n, ipv4_doc(a, 32));
		return n;
	}
	a &= plen ? 0xffffffffu << (32 - plen) : 0;
	s = ipv4_str(a);
	emit(st, IND_CIDR, xasprintf("%s/%d", s, plen), i, i + n + pn,
	    ipv4_doc(a, plen));
	free(s);
	return n + pn;
}

static unsigned
ipv6_doc(const unsigned char *a, int plen)
{
	static const unsigned char loop[16] = { [15] = 1 };

	if (plen >= 32 && a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d &&
	    a[3] == 0xb8)
		return IND_DOC;
	if (plen >= 7 && (a[0] & 0xfe) == 0xfc)
		return IND_DOC;
	return plen == 128 && memcmp(a, loop, 16) == 0 ? IND_DOC : 0;
}

/* Length of the IPv6 literal at i (inet_pton-valid), or 0. */
static size_t
ipv6_parse(const struct fanged *f, size_t i, unsigned char *a)
{
	size_t k, colons = 0, hex = 0;
	char buf[INET6_ADDRSTRLEN + 8];

	for (k = i; is_hex(at(f, k)) || at(f, k) == ':' || at(f, k) == '.';
	    k++) {
		colons += at(f, k) == ':';
		hex += is_hex(at(f, k));
		if (k - i >= sizeof(buf) - 1)
			return 0;
	}
	while (k > i && at(f, k - 1) == '.')
		k--;
	if (k - i >= 2 && at(f, k - 1) == ':' && at(f, k - 2) != ':')
		k--;	/* "fe80::1:" ends a sentence, ":" is not ours */
	if (colons < 2 || hex == 0 || is_word(at(f, k)))
		return 0;
	memcpy(buf, f->s + i, k - i);
	buf[k - i] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? k - i : 0;
}

static size_t
match_ipv6(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	size_t n, pn, b;
	int plen;

	if (before(f, i) == ':' || before(f, i) == '.' ||
	    (n = ipv6_parse(f, i, a)) == 0)
		return 0;
	if ((plen = prefix_parse(f, i + n, 128, &pn)) < 0) {
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
		emit(st, IND_IPV6, xstrdup(buf), i, i + n,
		    ipv6_doc(a, 128));
		return n;
	}
	for (b = 0; b < 16; b++) {
		int keep = plen - (int)b * 8;

		if (keep <= 0)
			a[b] = 0;
		else if (keep < 8)
			a[b] &= (unsigned char)(0xff << (8 - keep));
	}
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	emit(st, IND_CIDR, xasprintf("%s/%d", buf, plen), i, i + n + pn,
	    ipv6_doc(a, plen));
	return n + pn;
}

/* ---- hashes, CVE, ASN --------------------------------------------------- */

static size_t
match_hash(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	size_t k, letters = 0;
	enum ind_type t;

	for (k = i; is_hex(at(f, k)); k++)
		letters += is_alpha(at(f, k));
	if (is_word(at(f, k)) || letters == 0)
		return 0;
	switch (k - i) {
	case 32: t = IND_MD5; break;
	case 40: t = IND_SHA1; break;
	case 64: t = IND_SHA256; break;
	case 128: t = IND_SHA512; break;
	default: return 0;
	}
	emit(st, t, lowdup(f->s + i, k - i), i, k, 0);
	return k - i;
}

static size_t
match_cve(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	size_t k;
	char *v;

	if (!has_prefix(f->s, f->len, i, "cve-"))
		return 0;
	for (k = i + 4; k < i + 8; k++)
		if (!is_digit(at(f, k)))
			return 0;
	if (at(f, k) != '-')
		return 0;
	for (k++; is_digit(at(f, k)) && k - i < 28; k++)
		;
	if (k - i < 13 || is_word(at(f, k)))
		return 0;
	v = xstrndup(f->s + i, k - i);
	memcpy(v, "CVE", 3);
	emit(st, IND_CVE, v, i, k, 0);
	return k - i;
}

static unsigned
asn_doc(uint64_t n)
{
	if ((n >= 64496 && n <= 65535) || (n >= 65536 && n <= 65551) ||
	    n >= 4200000000u || n == 0 || n == 23456)
		return IND_DOC;	/* RFC 5398 docs, RFC 6996 private, AS_TRANS */
	return 0;
}

static size_t
match_asn(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	size_t k = i + 2, d;
	uint64_t n = 0;

	if (at(f, i) != 'A' || at(f, i + 1) != 'S')
		return 0;
	if (at(f, k) == 'N')
		k++;
	if (at(f, k) == ' ')
		k++;
	for (d = k; is_digit(at(f, k)) && k - d < 11; k++)
		n = n * 10 + (uint64_t)(at(f, k) - '0');
	if (k == d || n > UINT32_MAX || is_word(at(f, k)) ||
	    (at(f, d) == '0' && k - d > 1))
		return 0;
	emit(st, IND_ASN, xasprintf("AS%llu", (unsigned long long)n), i, k,
	    asn_doc(n));
	return k - i;
}

/* ---- e-mail ------------------------------------------------------------- */

static int
is_local(int c)
{
	return is_alnum(c) || (c != 0 && strchr("._%+-", c) != NULL);
}

static size_t
match_email(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	size_t k, end;
	int labels;
	char *v;

	if (is_local(before(f, i)) || at(f, i) == '.')
		return 0;
	for (k = i; is_local(at(f, k)) && k - i <= 64; k++)
		;
	if (k == i || at(f, k) != '@' || at(f, k - 1) == '.')
		return 0;
	end = name_end(f, k + 1, &labels);
	if (labels < 2 || is_word(at(f, end)) || at(f, end) == '-')
		return 0;
	v = lowdup(f->s + i, end - i);
	if (!domain_valid(v + (k - i) + 1)) {
		free(v);
		return 0;
	}
	emit(st, IND_EMAIL, v, i, end, domain_doc(v + (k - i) + 1));
	return end - i;
}

/* ---- URLs --------------------------------------------------------------- */

static int
is_urlc(int c)
{
	return c > 0x20 && c < 0x7f && strchr("<>\"`", c) == NULL;
}

/* The URL's host at f->s[h, *he): emits it and returns its IND_DOC flag,
 * or -1 if it is not a host. */
static int
url_host(struct set *st, size_t h, size_t *he)
{
	const struct fanged *f = st->f;
	unsigned char a6[16];
	char buf[INET6_ADDRSTRLEN], *d;
	uint32_t a;
	size_t n;
	int labels;
	unsigned doc;

	if (at(f, h) == '[') {
		if ((n = ipv6_parse(f, h + 1, a6)) == 0 || at(f, h + 1 + n) != ']')
			return -1;
		*he = h + n + 2;
		inet_ntop(AF_INET6, a6, buf, sizeof(buf));
		emit(st, IND_IPV6, xstrdup(buf), h + 1, h + 1 + n,
		    ipv6_doc(a6, 128));
		return (int)ipv6_doc(a6, 128);
	}
	if ((n = ipv4_parse(f, h, &a)) > 0 && !is_alnum(at(f, h + n)) &&
	    at(f, h + n) != '.' && at(f, h + n) != '-') {
		*he = h + n;
		emit(st, IND_IPV4, ipv4_str(a), h, h + n, ipv4_doc(a, 32));
		return (int)ipv4_doc(a, 32);
	}
	*he = name_end(f, h, &labels);
	if (labels < 2 || at(f, *he) == '_')
		return -1;
	d = lowdup(f->s + h, *he - h);
	if (!domain_valid(d)) {
		free(d);
		return -1;
	}
	doc = domain_doc(d);
	emit(st, IND_DOMAIN, d, h, *he, doc);
	return (int)doc;
}

/* Drops trailing punctuation that belongs to the sentence, keeping a
 * closing bracket that has its opening one inside the URL. */
static size_t
url_trim(const struct fanged *f, size_t a, size_t e, size_t min)
{
	size_t k, open, close;
	int c;

	while (e > min) {
		c = at(f, e - 1);
		if (strchr(".,;:!?'*", c) != NULL) {
			e--;
			continue;
		}
		if (c != ')' && c != ']' && c != '}')
			break;
		for (k = a, open = close = 0; k < e; k++) {
			open += at(f, k) == (c == ')' ? '(' : c == ']' ? '[' : '{');
			close += at(f, k) == c;
		}
		if (close <= open)
			break;
		e--;
	}
	return e;
}

static size_t
url_scheme(const struct fanged *f, size_t i)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://" };
	size_t s;

	if (is_alnum(before(f, i)))
		return 0;
	for (s = 0; s < NELEM(schemes); s++)
		if (has_prefix(f->s, f->len, i, schemes[s]))
			return strlen(schemes[s]);
	return 0;
}

static size_t
match_url(struct set *st, size_t i)
{
	const struct fanged *f = st->f;
	size_t h = i + url_scheme(f, i), he, e, k, mark = st->n;
	int doc;
	char *v;

	if (h == i)
		return 0;
	for (k = h; is_urlc(at(f, k)) && strchr("/?#", at(f, k)) == NULL; k++)
		if (at(f, k) == '@')
			h = k + 1;	/* skip userinfo */
	for (e = h; is_urlc(at(f, e)); e++)
		;
	if ((doc = url_host(st, h, &he)) < 0)
		return 0;
	if (at(f, he) == ':' && is_digit(at(f, he + 1)))
		for (he++; is_digit(at(f, he)); he++)
			;
	if (strchr("/?#", at(f, he)) == NULL || at(f, he) == 0)
		e = he;
	e = url_trim(f, i, e, he);
	/* scheme and host are case-insensitive; userinfo and path are not */
	v = xstrndup(f->s + i, e - i);
	for (k = 0; k < e - i; k++)
		if (k < url_scheme(f, i) || (i + k >= h && i + k < he))
			v[k] = (char)lower((unsigned char)v[k]);
	emit(st, IND_URL, v, i, e, (unsigned)doc);
	if (st->n == mark + 2) {
		/* the host went in first; the URL reads better ahead of it */
		struct indicator u = st->v[mark + 1];
		size_t *su = set_find(st, u.type, u.value);
		size_t *sh = set_find(st, st->v[mark].type, st->v[mark].value);

		st->v[mark + 1] = st->v[mark];
		st->v[mark] = u;
		*su = mark + 1;
		*sh = mark + 2;
	}
	return e - i;
}

/* ---- driver ------------------------------------------------------------- */

typedef size_t (*matcher)(struct set *, size_t);

static size_t
match_at(struct set *st, size_t i)
{
	static const matcher ms[] = {
		match_url, match_email, match_ipv6, match_ipv4, match_hash,
		match_cve, match_asn, match_domain,
	};
	size_t m, n;

	if (!boundary(st->f, i) && !url_scheme(st->f, i))
		return 0;
	for (m = 0; m < NELEM(ms); m++)
		if ((n = ms[m](st, i)) > 0)
			return n;
	return 0;
}

size_t
extract_indicators(const char *text, size_t len, struct indicator **out)
{
	struct fanged f = { 0 };
	struct set st = { 0 };
	size_t i = 0, n;

	refang(text, len, &f);
	st.f = &f;
	while (i < f.len) {
		n = match_at(&st, i);
		i += n ? n : 1;
	}
	fang_free(&f);
	free(st.slot);
	*out = st.v;
	return st.n;
}

void
indicators_free(struct indicator *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].value);
	free(v);
}

const char *
ind_type_str(enum ind_type t)
{
	static const char *const names[] = {
		[IND_IPV4] = "ipv4", [IND_IPV6] = "ipv6", [IND_CIDR] = "cidr",
		[IND_DOMAIN] = "domain", [IND_URL] = "url",
		[IND_EMAIL] = "email", [IND_MD5] = "md5", [IND_SHA1] = "sha1",
		[IND_SHA256] = "sha256", [IND_SHA512] = "sha512",
		[IND_CVE] = "cve", [IND_ASN] = "asn",
	};

	if ((size_t)t >= NELEM(names))
		return "unknown";
	return names[t];
}
