/*
 * tlp: TLP 2.0 labels.  See lists/tlp.h for the rules; the comments here
 * say why the scanner looks the way it does.
 */
#include "config.h"

#include "lists/tlp.h"

#include "base/log.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

static const struct {
	const char	*name;	/* uppercase, as after "TLP:" */
	enum tlp	 label;
} names[] = {
	/* AMBER+STRICT before AMBER: the longer name must win. */
	{ "AMBER+STRICT", TLP_AMBER_STRICT },
	{ "AMBER", TLP_AMBER },
	{ "GREEN", TLP_GREEN },
	{ "CLEAR", TLP_CLEAR },
	{ "WHITE", TLP_CLEAR },
	{ "RED", TLP_RED },
};
#define NNAMES	(sizeof names / sizeof names[0])

const char *
tlp_str(enum tlp t)
{
	switch (t) {
	case TLP_NONE:
		return "none";
	case TLP_CLEAR:
		return "TLP:CLEAR";
	case TLP_GREEN:
		return "TLP:GREEN";
	case TLP_AMBER:
		return "TLP:AMBER";
	case TLP_AMBER_STRICT:
		return "TLP:AMBER+STRICT";
	case TLP_RED:
		return "TLP:RED";
	}
	return "unknown";
}

const char *
tlp_where_str(enum tlp_where w)
{
	switch (w) {
	case TLP_FROM_DEFAULT:
		return "default";
	case TLP_FROM_SUBJECT:
		return "subject";
	case TLP_FROM_BODY:
		return "body";
	case TLP_FROM_OUTER_SUBJECT:
		return "outer-subject";
	}
	return "unknown";
}

/* ASCII only: the locale must not change what a label is. */
static int
up(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static bool
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

/* Does s (n octets) start with the uppercase word w, any case? */
static bool
prefix_ci(const char *s, size_t n, const char *w, bool *lower)
{
	size_t i, wl = strlen(w);

	if (n < wl)
		return false;
	for (i = 0; i < wl; i++)
		if (up((unsigned char)s[i]) != w[i])
			return false;
	for (i = 0; i < wl; i++)
		if (is_lower((unsigned char)s[i]))
			*lower = true;
	return true;
}

int
tlp_from_name(const char *name, enum tlp *out)
{
	size_t i, n;
	bool lower = false;

	if (name == NULL)
		return -1;
	n = strlen(name);
	if (n == 4 && prefix_ci(name, n, "NONE", &lower)) {
		*out = TLP_NONE;
		return 0;
	}
	if (prefix_ci(name, n, "TLP:", &lower)) {
		name += 4;
		n -= 4;
	}
	for (i = 0; i < NNAMES; i++)
		if (strlen(names[i].name) == n &&
		    prefix_ci(name, n, names[i].name, &lower)) {
			*out = names[i].label;
			return 0;
		}
	return -1;
}

const char *
role_str(enum role r)
{
	switch (r) {
	case ROLE_MEMBER:
		return "member";
	case ROLE_PARTNER:
		return "partner";
	case ROLE_ADMIN:
		return "admin";
	}
	return "unknown";
}

int
role_from_name(const char *name, enum role *out)
{
	static const enum role all[] = { ROLE_MEMBER, ROLE_PARTNER,
	    ROLE_ADMIN };
	size_t i, j, n;
	const char *s;

	if (name == NULL)
		return -1;
	n = strlen(name);
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		s = role_str(all[i]);
		if (strlen(s) != n)
			continue;
		for (j = 0; j < n; j++)
			if (up((unsigned char)name[j]) !=
			    up((unsigned char)s[j]))
				break;
		if (j == n) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

/*
 * The scanner.  A subject or body is cut into lines at LF (a label never
 * spans lines) and a long line into pieces of about PIECE octets, cut
 * only before a character of combining class 0 (ASCII or another
 * starter), where NFKC of the parts is NFKC of the whole as far as any
 * ASCII output goes: composition only ever yields non-ASCII characters
 * and reordering stops at a starter.  A line of nothing but combining
 * marks is cut at PIECE_MAX anyway; that can only reorder marks, and
 * marks are all alike to the scanner.  Each piece is made valid UTF-8,
 * normalised (NFKC) and cleaned (see tlp.h; spaces collapsed), and
 * appended to text; every "TLP" in text is then judged on at most LOOK
 * octets from its start (a run of spaces is one octet by then, a name
 * longer than WORD_MAX is no name), so a start closer than LOOK to the
 * end of text waits for the next piece or the end of the line.  Only
 * the octet before the next start is kept between pieces.  Linear, and
 * memory is bounded by the piece size, not the input.
 */
#define PIECE		16384
#define PIECE_MAX	(4 * PIECE)
#define LOOK		128
#define WORD_MAX	16

struct scan {
	struct tlp_result *res;
	enum tlp_where	 where;
	enum tlp_where	 unr_where;	/* where the first unreadable was */
	uint8_t		*raw;		/* the piece, valid UTF-8 */
	size_t		 rawlen;
	bool		 ascii;		/* raw is all ASCII: NFKC is a no-op */
	uint8_t		*norm;		/* u8_normalize()'s result buffer */
	size_t		 normcap;
	uint8_t		*text;		/* cleaned; text[0..pos) judged */
	size_t		 len, cap, pos;
	bool		 space;		/* text ends in a (collapsed) space */
};

#define END	((ucs4_t)0x110000)	/* past the end of what may be read */

static bool
is_alnum(ucs4_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Before "TLP": what makes "XTLP" one word.  Only ASCII: 機密TLP:RED. */
static bool
is_word(ucs4_t c)
{
	return is_alnum(c) || c == '_';
}

/* After a name: what makes "REDACTED", "RED_x", "RED" + U+0301 or
 * "RED" + an invalid octet one word with it. */
static bool
is_cont(ucs4_t c)
{
	if (c == END)
		return false;
	if (c < 0x80)
		return is_word(c);
	return c == 0xfffd || uc_is_general_category(c, UC_CATEGORY_M);
}

/* The offending word of an unreadable marking, for the message. */
static bool
is_runword(ucs4_t c)
{
	if (c == END)
		return false;
	if (c < 0x80)
		return is_word(c) || c == '+' || c == '-';
	return c == 0xfffd || uc_is_general_category(c, UC_CATEGORY_L) ||
	    uc_is_general_category(c, UC_CATEGORY_M) ||
	    uc_is_general_category(c, UC_CATEGORY_N);
}

/* The character at p in text[0..e) and its length; END past e. */
static ucs4_t
at(const struct scan *sc, size_t p, size_t e, size_t *k)
{
	ucs4_t c;

	*k = 1;
	if (p >= e)
		return END;
	if (sc->text[p] < 0x80)
		return sc->text[p];
	*k = (size_t)u8_mbtouc(&c, sc->text + p, e - p);
	return c;
}

/* The ASCII octet at p, or 0 past e or at a non-ASCII character. */
static int
oct(const struct scan *sc, size_t p, size_t e)
{
	return p < e && sc->text[p] < 0x80 ? sc->text[p] : 0;
}

static void
grow(uint8_t **p, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;

	if (need <= *cap)
		return;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	*p = xreallocarray(*p, n, 1);
	*cap = n;
}

/* One label recognised: fold it into the result. */
static void
found(struct scan *sc, enum tlp label, unsigned warnings)
{
	struct tlp_result *res = sc->res;

	res->nlabels++;
	res->warnings |= warnings;
	/* Strictly greater: the first place the maximum was seen wins. */
	if (res->nlabels == 1 || label > res->label) {
		res->label = label;
		res->where = sc->where;
	}
}

/* Copy text[i..end) as tlp.h describes unreadable. */
static void
copy_unreadable(char *dst, const uint8_t *s, size_t n)
{
	size_t o = 0, k;
	ucs4_t c;
	int r;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	while (n > 0) {
		r = u8_mbtouc(&c, s, n);
		k = (size_t)r;
		/* text is valid UTF-8: only a character cut at n is not */
		if (c == 0xfffd && (k != 3 || memcmp(s, "\xef\xbf\xbd", 3)))
			break;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
			if (o + 1 >= TLP_UNREADABLE_MAX)
				break;
			dst[o++] = '?';
		} else {
			if (o + k >= TLP_UNREADABLE_MAX)
				break;
			memcpy(dst + o, s, k);
			o += k;
		}
		s += k;
		n -= k;
	}
	dst[o] = '\0';
}

/* A colon form at i that makes no label; from: where its word starts. */
static void
unreadable(struct scan *sc, size_t i, size_t from, size_t e)
{
	struct tlp_result *res = sc->res;
	size_t p = from, k, lim = i + TLP_UNREADABLE_MAX;
	ucs4_t c;

	if (res->nunreadable++ > 0)
		return;
	sc->unr_where = sc->where;
	if (lim > e)
		lim = e;
	while (p < lim && is_runword(c = at(sc, p, e, &k)))
		p += k;
	if (p > lim)
		p = lim;
	copy_unreadable(res->unreadable, sc->text + i, p - i);
}

/*
 * The ASCII letters and digits at p (at most WORD_MAX: a longer word is
 * no name), uppercased into w; their count.  *lower: one was lowercase.
 */
static size_t
word(const struct scan *sc, size_t p, size_t e, char *w, bool *lower)
{
	size_t n = 0;
	int c;

	while (n < WORD_MAX && is_alnum((ucs4_t)(c = oct(sc, p + n, e)))) {
		if (c >= 'a' && c <= 'z') {
			*lower = true;
			c -= 'a' - 'A';
		}
		w[n++] = (char)c;
	}
	w[n] = '\0';
	return n;
}

/*
 * Judge the "TLP" at text[i] (not after a word character), reading no
 * further than e: a label, an unreadable marking, or nothing.  tlp.h has
 * the rules; each branch below names the one it implements.
 */
static void
candidate(struct scan *sc, size_t i, size_t e)
{
	static const struct {
		const char	*name;
		enum tlp	 label;
	} plain[] = {
		{ "RED", TLP_RED }, { "AMBER", TLP_AMBER },
		{ "GREEN", TLP_GREEN }, { "CLEAR", TLP_CLEAR },
		{ "WHITE", TLP_CLEAR },
	};
	char w[WORD_MAX + 1], sw[WORD_MAX + 1];
	size_t p, q, n, k, r, ws, kk;
	unsigned warn = 0;
	bool lower = false, colon = false, sp1 = false, sp2 = false;
	enum tlp label;
	ucs4_t c;
	int pc = 0;

	if (up(oct(sc, i + 1, e)) != 'L' || up(oct(sc, i + 2, e)) != 'P')
		return;
	if (is_lower(oct(sc, i, e)) || is_lower(oct(sc, i + 1, e)) ||
	    is_lower(oct(sc, i + 2, e)))
		lower = true;
	p = i + 3;
	c = at(sc, p, e, &k);
	/* "TLPs", "TLP2", "TLP" + mark: another word ('_' is TLP_RED) */
	if (is_alnum(c) || (c != '_' && is_cont(c)))
		return;
	q = p + (oct(sc, p, e) == ' ');
	if (oct(sc, q, e) == ':') {
		/* the colon form: "TLP:", "TLP :", "TLP: " */
		colon = true;
		if (q > p)
			warn |= TLP_WARN_SPACE;
		q++;
		if (oct(sc, q, e) == ' ') {
			q++;
			warn |= TLP_WARN_SPACE;
		}
	} else {
		/* "TLP RED", "TLP-RED", "TLP_RED", "TLP - RED" */
		if (oct(sc, q, e) == '-' || oct(sc, q, e) == '_') {
			q++;
			q += oct(sc, q, e) == ' ';
		}
		if (q == p)
			return;
		warn |= TLP_WARN_SEPARATOR;
	}

	n = word(sc, q, e, w, &lower);
	for (k = 0; k < sizeof plain / sizeof plain[0]; k++)
		if (strcmp(w, plain[k].name) == 0)
			break;
	if (k == sizeof plain / sizeof plain[0])
		goto bad;	/* no name: TLP:REDD, TLP:, TLP:赤, TLP: the */
	label = plain[k].label;
	p = q + n;		/* just after the name */
	c = at(sc, p, e, &kk);

	if (label == TLP_AMBER) {
		/* AMBER, optional space, at most one joiner, optional
		 * space, STRICT */
		r = p;
		if (oct(sc, r, e) == ' ') {
			r++;
			sp1 = true;
		}
		if (oct(sc, r, e) != 0 && strchr("+-_/&([", oct(sc, r, e))) {
			pc = oct(sc, r, e);
			r++;
			if (oct(sc, r, e) == ' ') {
				r++;
				sp2 = true;
			}
		}
		ws = r;
		if (sp1 || pc != 0) {
			bool slower = false;

			n = word(sc, ws, e, sw, &slower);
			if (strcmp(sw, "STRICT") == 0 &&
			    !is_cont(at(sc, ws + n, e, &k))) {
				if (pc != '+')
					warn |= TLP_WARN_SEPARATOR;
				else if (sp1 || sp2)
					warn |= TLP_WARN_SPACE;
				if (slower)
					warn |= TLP_WARN_CASE;
				label = TLP_AMBER_STRICT;
				goto ok;
			}
		}
		/* AMBER+ not followed by STRICT, spaced or not */
		if (pc == '+') {
			q = ws;
			goto bad;
		}
		/* AMBER- or AMBER_ glued to anything but STRICT */
		if (!sp1 && (pc == '-' || pc == '_'))
			goto bad;
		if (is_cont(c))
			goto bad;
		goto ok;
	}
	/* RED_x, RED + mark, RED + U+FFFD, RED+ (glued) */
	if (is_cont(c) || c == '+')
		goto bad;
ok:
	if (lower)
		warn |= TLP_WARN_CASE;
	if (strcmp(w, "WHITE") == 0)
		warn |= TLP_WARN_WHITE;
	found(sc, label, warn);
	return;
bad:
	/* only the colon form is a marking: the rest is prose */
	if (colon)
		unreadable(sc, i, q, e);
}

/*
 * Judge every "TLP" in text[pos..len) that can be judged now: all of them
 * at the end of the line, else those at least LOOK octets from the end.
 * Then keep only the octet before the next start.
 */
static void
scan_text(struct scan *sc, bool eol)
{
	size_t i, lim, keep;
	const uint8_t *t = sc->text;

	if (eol)
		lim = sc->len;
	else
		lim = sc->len >= LOOK ? sc->len - LOOK + 1 : 0;
	for (i = sc->pos; i < lim; i++) {
		if (t[i] != 'T' && t[i] != 't')
			continue;
		if (i > 0 && t[i - 1] < 0x80 && is_word(t[i - 1]))
			continue;
		candidate(sc, i, eol ? sc->len : i + LOOK);
	}
	if (lim > sc->pos)
		sc->pos = lim;
	keep = sc->pos > 0 ? sc->pos - 1 : 0;
	if (keep > 0) {
		memmove(sc->text, sc->text + keep, sc->len - keep);
		sc->len -= keep;
		sc->pos -= keep;
	}
}

static void
put(struct scan *sc, int c)
{
	sc->text[sc->len++] = (uint8_t)c;
}

/* Append the normalised s[0..n) to text, cleaned as tlp.h says. */
static void
clean(struct scan *sc, const uint8_t *s, size_t n)
{
	size_t i, k;
	ucs4_t c;

	/* cleaning never makes text longer */
	grow(&sc->text, &sc->cap, sc->len + n);
	for (i = 0; i < n; i += k) {
		k = 1;
		c = s[i];
		if (c >= 0x80)
			k = (size_t)u8_mbtouc(&c, s + i, n - i);
		if (c == ' ' || c == '\t' || (c >= 0x80 &&
		    uc_is_general_category(c, UC_CATEGORY_Z))) {
			if (!sc->space)
				put(sc, ' ');
			sc->space = true;
			continue;
		}
		if (c >= 0x80 &&
		    (uc_is_general_category(c, UC_CATEGORY_Cf) ||
		    uc_is_property_default_ignorable_code_point(c)))
			continue;	/* invisible: U+200B, U+00AD ... */
		sc->space = false;
		if (c < 0x80) {
			put(sc, (int)c);
		} else if (uc_is_property_dash(c)) {
			put(sc, '-');
		} else if (c == 0x2236 || c == 0xa789 || c == 0x02f8 ||
		    c == 0x0589 || c == 0x05c3) {
			put(sc, ':');
		} else if (c == 0x2795 || c == 0x02d6) {
			put(sc, '+');
		} else {
			memcpy(sc->text + sc->len, s + i, k);
			sc->len += k;
		}
	}
}

/* Normalise and clean the piece in raw, then judge what can be. */
static void
flush(struct scan *sc, bool eol)
{
	uint8_t *r;
	size_t n;

	if (sc->rawlen > 0 && sc->ascii) {
		clean(sc, sc->raw, sc->rawlen);
	} else if (sc->rawlen > 0) {
		n = sc->normcap;
		r = u8_normalize(UNINORM_NFKC, sc->raw, sc->rawlen, sc->norm,
		    &n);
		if (r == NULL)
			fatal("tlp: u8_normalize");
		if (r != sc->norm) {
			free(sc->norm);
			sc->norm = r;
			sc->normcap = n;
		}
		clean(sc, r, n);
	}
	sc->rawlen = 0;
	sc->ascii = true;
	scan_text(sc, eol);
}

/* One line (no LF), any length. */
static void
scan_line(struct scan *sc, const uint8_t *s, size_t n)
{
	size_t i, k;
	ucs4_t c;

	sc->len = sc->pos = 0;
	sc->space = false;
	sc->rawlen = 0;
	sc->ascii = true;
	for (i = 0; i < n; i += k) {
		k = 1;
		c = s[i];
		if (c >= 0x80)
			k = (size_t)u8_mbtouc(&c, s + i, n - i);
		if (sc->rawlen >= PIECE && (c < 0x80 ||
		    uc_combining_class(c) == UC_CCC_NR ||
		    sc->rawlen >= PIECE_MAX))
			flush(sc, false);
		if (c < 0x80) {
			sc->raw[sc->rawlen++] = (uint8_t)c;
			continue;
		}
		sc->ascii = false;
		if (c == 0xfffd) {	/* invalid octets too */
			memcpy(sc->raw + sc->rawlen, "\xef\xbf\xbd", 3);
			sc->rawlen += 3;
		} else {
			memcpy(sc->raw + sc->rawlen, s + i, k);
			sc->rawlen += k;
		}
	}
	flush(sc, true);
}

static void
scan_all(struct scan *sc, const char *s, size_t n, enum tlp_where where)
{
	const uint8_t *p = (const uint8_t *)s, *nl;
	size_t left = n;

	sc->where = where;
	for (;;) {
		nl = memchr(p, '\n', left);
		if (nl == NULL) {
			scan_line(sc, p, left);
			return;
		}
		scan_line(sc, p, (size_t)(nl - p));
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

static void
scan_init(struct scan *sc, struct tlp_result *res)
{
	memset(sc, 0, sizeof *sc);
	memset(res, 0, sizeof *res);
	sc->res = res;
	/* a piece, plus one character, plus U+FFFD for a 1-octet one */
	sc->raw = xmalloc(PIECE_MAX + 8);
}

static void
scan_free(struct scan *sc)
{
	free(sc->raw);
	free(sc->norm);
	free(sc->text);
}

void
tlp_parse(const char *subject, const char *body, size_t body_len,
    enum tlp dflt, struct tlp_result *res)
{
	struct scan sc;

	scan_init(&sc, res);
	if (subject != NULL)
		scan_all(&sc, subject, strlen(subject), TLP_FROM_SUBJECT);
	if (body != NULL && body_len > 0)
		scan_all(&sc, body, body_len, TLP_FROM_BODY);
	scan_free(&sc);
	if (res->nlabels == 0) {
		res->label = dflt;
		res->where = TLP_FROM_DEFAULT;
	}
	/* fail safe: an unreadable marking could have said RED */
	if (res->nunreadable > 0 &&
	    (res->label < TLP_RED || res->nlabels == 0)) {
		res->label = TLP_RED;
		res->where = sc.unr_where;
	}
}

void
tlp_stricter(struct tlp_result *res, const char *outer_subject)
{
	struct tlp_result o;
	struct scan sc;

	if (outer_subject == NULL)
		return;
	scan_init(&sc, &o);
	scan_all(&sc, outer_subject, strlen(outer_subject),
	    TLP_FROM_OUTER_SUBJECT);
	scan_free(&sc);
	res->nlabels += o.nlabels;
	res->warnings |= o.warnings;
	if (o.nlabels > 0 && o.label > res->label) {
		res->label = o.label;
		res->where = TLP_FROM_OUTER_SUBJECT;
	}
	if (o.nunreadable > 0) {
		if (res->nunreadable == 0)
			memcpy(res->unreadable, o.unreadable,
			    sizeof res->unreadable);
		res->nunreadable += o.nunreadable;
		if (res->label < TLP_RED) {
			res->label = TLP_RED;
			res->where = TLP_FROM_OUTER_SUBJECT;
		}
	}
}

bool
tlp_may_receive(enum tlp t, enum role r, enum tlp clearance)
{
	switch (r) {
	case ROLE_MEMBER:
		return true;
	case ROLE_PARTNER:
		switch (t) {
		case TLP_CLEAR:
		case TLP_GREEN:
			return true;
		case TLP_AMBER:
		case TLP_AMBER_STRICT:
			/* Explicit clearance, at least this label; a RED
			 * clearance is meaningless but covers AMBER. */
			return clearance >= t;
		case TLP_RED:
		case TLP_NONE:
			return false;
		}
		return false;
	case ROLE_ADMIN:
		/* Admin subscriptions get notices, not posts. */
		return false;
	}
	return false;
}
