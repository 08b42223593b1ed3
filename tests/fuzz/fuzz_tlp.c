/*
 * libFuzzer harness for lists/tlp: tlp_parse() on a subject and a body,
 * tlp_stricter() on an outer subject.  Also built without libFuzzer,
 * with tests/fuzz/driver.c, to replay the corpus in `make check`.
 *
 * Input format (seeds in tests/fuzz/corpus/tlp/ follow it):
 *   byte 0   the list default: value % 6 as enum tlp (0 = TLP_NONE)
 *   byte 1-  the subject up to the first LF (or the end; it stops at a
 *            NUL too, as a C string would), then the body: everything
 *            after that LF, NULs included.  The outer subject for
 *            tlp_stricter() is the body's first line (up to a NUL).
 * Inputs under 1 or over 64 KiB octets are skipped.
 *
 * Besides not crashing (or reading outside the input: the body is copied
 * into an exact-size allocation so ASan sees overreads), the result must
 * keep these properties (abort()):
 *  - no label and nothing unreadable: the default, from the default, no
 *    warnings; a label: CLEAR..RED, from the subject or body; anything
 *    unreadable: RED, and unreadable is a NUL-terminated valid UTF-8
 *    string under TLP_UNREADABLE_MAX octets, without control characters,
 *    starting with "TLP" (any case); nothing unreadable: "";
 *  - lines are independent: each line of the subject and of the body
 *    parsed alone gives a label no higher than the whole, and the counts
 *    of labels and unreadable markings over the lines add up to the
 *    whole's;
 *  - case-insensitive: the ASCII-uppercased input gives the same label,
 *    place and counts, and, if it is all ASCII, no TLP_WARN_CASE;
 *  - NFKC-stable: a valid UTF-8 subject gives the same result as its
 *    NFKC form;
 *  - never lowered: "TLP:RED" added to the subject gives RED, and
 *    "[TLP:AMBER] " in front of the subject gives at least AMBER;
 *  - tlp_stricter() never lowers the label, never lowers a count, and
 *    raises the label exactly when the outer subject alone has a higher
 *    one (or something unreadable).
 */
#include "config.h"

#include "lists/tlp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>
#include <unistr.h>

#define MAX_INPUT	(64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_unreadable(const struct tlp_result *r)
{
	const uint8_t *s = (const uint8_t *)r->unreadable;
	size_t n = strnlen(r->unreadable, sizeof r->unreadable), i;
	ucs4_t c;
	int k;

	check(n < sizeof r->unreadable);
	check((r->nunreadable == 0) == (n == 0));
	if (n == 0)
		return;
	check(u8_check(s, n) == NULL);
	check(n >= 3 && (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'l' &&
	    (s[2] | 0x20) == 'p');
	for (i = 0; i < n; i += (size_t)k) {
		k = u8_mbtouc(&c, s + i, n - i);
		check(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0));
	}
}

static void
check_result(const struct tlp_result *r, enum tlp dflt)
{
	check_unreadable(r);
	if (r->nunreadable > 0) {
		check(r->label == TLP_RED);
		check(r->where == TLP_FROM_SUBJECT ||
		    r->where == TLP_FROM_BODY);
		if (r->nlabels == 0)
			check(r->warnings == 0);
	} else if (r->nlabels == 0) {
		check(r->label == dflt);
		check(r->where == TLP_FROM_DEFAULT);
		check(r->warnings == 0);
	} else {
		check(r->label >= TLP_CLEAR && r->label <= TLP_RED);
		check(r->where == TLP_FROM_SUBJECT ||
		    r->where == TLP_FROM_BODY);
	}
}

static bool
all_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static char *
dup_upper(const char *s, size_t n)
{
	char *u = malloc(n + 1);
	size_t i;

	if (u == NULL)
		abort();
	for (i = 0; i < n; i++)
		u[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i];
	u[n] = '\0';
	return u;
}

/* What a single line (a subject line or a body line) adds up to. */
struct sum {
	unsigned	 nlabels, nunreadable;
	enum tlp	 max;		/* over lines with a label */
};

static void
add_line(struct sum *sum, const char *s, size_t n, bool as_body)
{
	struct tlp_result r;
	char *line = malloc(n + 1);

	if (line == NULL)
		abort();
	memcpy(line, s, n);
	line[n] = '\0';
	if (as_body)
		tlp_parse(NULL, n > 0 ? line : NULL, n, TLP_NONE, &r);
	else
		tlp_parse(line, NULL, 0, TLP_NONE, &r);
	check_result(&r, TLP_NONE);
	sum->nlabels += r.nlabels;
	sum->nunreadable += r.nunreadable;
	if ((r.nlabels > 0 || r.nunreadable > 0) && r.label > sum->max)
		sum->max = r.label;
	free(line);
}

static void
add_lines(struct sum *sum, const char *s, size_t n, bool as_body)
{
	const char *nl;

	for (;;) {
		nl = memchr(s, '\n', n);
		if (nl == NULL) {
			add_line(sum, s, n, as_body);
			return;
		}
		add_line(sum, s, (size_t)(nl - s), as_body);
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
}

static void
check_lines(const struct tlp_result *r, const char *subject,
    const char *body, size_t blen)
{
	struct sum sum = { 0, 0, TLP_NONE };

	add_lines(&sum, subject, strlen(subject), false);
	if (blen > 0)
		add_lines(&sum, body, blen, true);
	check(sum.nlabels == r->nlabels);
	check(sum.nunreadable == r->nunreadable);
	check(sum.max <= r->label);
}

static void
check_nfkc(const char *subject, enum tlp dflt)
{
	struct tlp_result r1, r2;
	const struct tlp_result *r = &r1;
	size_t n = strlen(subject), m;
	uint8_t *norm;
	char *z;

	/* long lines are normalised in pieces: keep to one (NFKC grows a
	 * character 11 times at most) */
	if (n > 512 || u8_check((const uint8_t *)subject, n) != NULL)
		return;
	tlp_parse(subject, NULL, 0, dflt, &r1);
	norm = u8_normalize(UNINORM_NFKC, (const uint8_t *)subject, n, NULL,
	    &m);
	if (norm == NULL)
		abort();
	if (memchr(norm, '\0', m) != NULL) {
		free(norm);
		return;
	}
	z = malloc(m + 1);
	if (z == NULL)
		abort();
	memcpy(z, norm, m);
	z[m] = '\0';
	tlp_parse(z, NULL, 0, dflt, &r2);
	check(r2.label == r->label && r2.where == r->where &&
	    r2.nlabels == r->nlabels && r2.nunreadable == r->nunreadable &&
	    r2.warnings == r->warnings &&
	    strcmp(r2.unreadable, r->unreadable) == 0);
	free(z);
	free(norm);
}

static void
check_stricter(const struct tlp_result *r, const char *body, size_t blen)
{
	struct tlp_result s = *r, alone, same;
	const char *nl;
	char *outer;
	size_t n;

	nl = blen > 0 ? memchr(body, '\n', blen) : NULL;
	n = nl != NULL ? (size_t)(nl - body) : blen;
	outer = malloc(n + 1);
	if (outer == NULL)
		abort();
	memcpy(outer, body, n);
	outer[n] = '\0';
	tlp_parse(outer, NULL, 0, TLP_NONE, &alone);
	tlp_stricter(&s, outer);
	check(s.label >= r->label);
	check(s.nlabels == r->nlabels + alone.nlabels);
	check(s.nunreadable == r->nunreadable + alone.nunreadable);
	check((s.warnings & r->warnings) == r->warnings);
	if (r->nunreadable > 0)
		check(strcmp(s.unreadable, r->unreadable) == 0);
	check_unreadable(&s);
	if (alone.nunreadable > 0)
		check(s.label == TLP_RED);
	if (s.label != r->label)
		check(s.where == TLP_FROM_OUTER_SUBJECT &&
		    (alone.nlabels > 0 || alone.nunreadable > 0) &&
		    s.label == alone.label);
	else if (alone.nlabels > 0)
		check(alone.label <= r->label || alone.nunreadable > 0);
	/* no outer subject changes nothing */
	same = s;
	tlp_stricter(&s, NULL);
	check(memcmp(&s, &same, sizeof s) == 0);
	free(outer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlp_result r, r2;
	enum tlp dflt;
	const char *in, *nl;
	char *subject, *body, *usub, *ubody, *more;
	size_t n, slen, blen;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	dflt = (enum tlp)(data[0] % 6);
	in = (const char *)data + 1;
	n = size - 1;
	nl = memchr(in, '\n', n);
	slen = nl != NULL ? (size_t)(nl - in) : n;
	blen = nl != NULL ? n - slen - 1 : 0;

	subject = malloc(slen + 1);
	body = malloc(blen > 0 ? blen : 1);
	if (subject == NULL || body == NULL)
		abort();
	memcpy(subject, in, slen);
	subject[slen] = '\0';
	if (blen > 0)
		memcpy(body, nl + 1, blen);

	tlp_parse(subject, blen > 0 ? body : NULL, blen, dflt, &r);
	check_result(&r, dflt);
	check_lines(&r, subject, body, blen);
	check_nfkc(subject, dflt);
	check_stricter(&r, body, blen);

	usub = dup_upper(subject, strlen(subject));
	ubody = dup_upper(body, blen);
	tlp_parse(usub, blen > 0 ? ubody : NULL, blen, dflt, &r2);
	check_result(&r2, dflt);
	check(r2.label == r.label && r2.where == r.where &&
	    r2.nlabels == r.nlabels && r2.nunreadable == r.nunreadable);
	/* fullwidth "ｔｌｐ" stays lowercase: only for ASCII input */
	if (all_ascii(subject, strlen(subject)) && all_ascii(body, blen))
		check(!(r2.warnings & TLP_WARN_CASE));

	n = strlen(subject);
	more = malloc(n + 32);
	if (more == NULL)
		abort();
	memcpy(more, subject, n);
	memcpy(more + n, " TLP:RED", sizeof " TLP:RED");
	tlp_parse(more, blen > 0 ? body : NULL, blen, dflt, &r2);
	check(r2.label == TLP_RED);
	memcpy(more, "[TLP:AMBER] ", 12);
	memcpy(more + 12, subject, n + 1);
	tlp_parse(more, blen > 0 ? body : NULL, blen, dflt, &r2);
	check(r2.label >= TLP_AMBER);
	if (r.nlabels > 0 || r.nunreadable > 0)
		check(r2.label >= r.label);

	free(more);
	free(usub);
	free(ubody);
	free(subject);
	free(body);
	return 0;
}
