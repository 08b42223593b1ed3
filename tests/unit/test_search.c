/*
 * search_parse(): the text a member mails or an admin types, as a query.
 * Pure: no archive is opened.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive/search.h"
#include "base/buf.h"

#include <stdio.h>
#include <string.h>

static const struct row {
	const char		*text;
	int			 rc;
	enum search_kind	 kind;
	const char		*value;
} rows[] = {
	{ "", 0, SEARCH_ALL, "" },
	{ "  *\r\n", 0, SEARCH_ALL, "" },
	{ "198.51.100.7", 0, SEARCH_IP, "198.51.100.7" },
	{ "198[.]51[.]100[.]7", 0, SEARCH_IP, "198.51.100.7" },
	{ "10.0.0.0/8", 0, SEARCH_CIDR, "10.0.0.0/8" },
	{ "Evil.Example", 0, SEARCH_DOMAIN, "evil.example" },
	{ "evil[.]example", 0, SEARCH_DOMAIN, "evil.example" },
	/* a trailing dot is punctuation or the root: the indicator is
	 * what precedes it, refanged like any other */
	{ "evil[.]example.", 0, SEARCH_DOMAIN, "evil.example" },
	{ "evil.example. ", 0, SEARCH_DOMAIN, "evil.example" },
	{ "198.51.100.7.", 0, SEARCH_IP, "198.51.100.7" },
	{ "hxxp://evil[.]example/x..", 0, SEARCH_EXACT,
	    "http://evil.example/x" },
	{ "ExapOMM  .", 0, SEARCH_EXACT, "exapomm" },
	{ "invoice.zip", 0, SEARCH_DOMAIN, "invoice.zip" },
	/* only dots is not "everything": mail refuses "*" */
	{ ".", -1, SEARCH_ALL, NULL },
	{ " . . ", -1, SEARCH_ALL, NULL },
	{ "a\x01", -1, SEARCH_ALL, NULL },
};

static void
test_parse_rows(void **state)
{
	struct search_query q;
	char err[128];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		err[0] = '\0';
		rc = search_parse(rows[i].text, &q, err, sizeof err);
		if (rc != rows[i].rc)
			fail_msg("row %zu \"%s\": rc %d want %d (%s)", i,
			    rows[i].text, rc, rows[i].rc, err);
		if (rc == -1) {
			assert_true(err[0] != '\0');
			continue;
		}
		if (q.kind != rows[i].kind ||
		    strcmp(q.value, rows[i].value) != 0)
			fail_msg("row %zu \"%s\": kind %d \"%s\", want %d "
			    "\"%s\"", i, rows[i].text, (int)q.kind, q.value,
			    (int)rows[i].kind, rows[i].value);
	}
}

/* What is shown is what a member may paste back: the same query. */
static void
test_parse_fixed_point(void **state)
{
	struct search_query q, q2;
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i].rc != 0 || rows[i].kind == SEARCH_ALL)
			continue;
		assert_int_equal(search_parse(rows[i].text, &q, err,
		    sizeof err), 0);
		assert_int_equal(search_parse(q.value, &q2, err, sizeof err),
		    0);
		assert_int_equal(q2.kind, q.kind);
		assert_string_equal(q2.value, q.value);
	}
}

/* A stranger's subject and context reach members' mail through a search
 * answer: no control, C1 or bidi character survives, each stays one
 * line, a long one is cut at a character boundary. */
static void
test_hits_text_clean(void **state)
{
	char subject[] = "TLP:\xe2\x80\xae" "DER\xe2\x80\xac x\r\nBcc: y"
	    "\xc2\x85z\x1b[2J \xe2\x81\xa6w\xff";
	char context[400], team[] = "CERT-A", list[] = "ops",
	    value[] = "evil.example";
	struct search_report r;
	struct search_hit h;
	struct buf *out = buf_new(0);
	const char *t;
	size_t i;

	(void)state;
	for (i = 0; i + 3 < sizeof context - 1; i += 3)
		memcpy(context + i, "\xe3\x81\x82", 3);	/* あ */
	context[i] = '\0';
	memset(&r, 0, sizeof r);
	memset(&h, 0, sizeof h);
	snprintf(r.post, sizeof r.post, "%s", "p1");
	r.list = list;
	r.team = team;
	r.subject = subject;
	r.context = context;
	h.value = value;
	h.teams = team;
	h.reports = &r;
	h.nreports = 1;
	h.count = 1;
	search_hits_text(&h, 1, "\n", true, out);
	buf_append(out, "", 1);
	t = buf_data(out);
	assert_null(strstr(t, "\xe2\x80\xae"));	/* U+202E */
	assert_null(strstr(t, "\xe2\x80\xac"));	/* U+202C */
	assert_null(strstr(t, "\xe2\x81\xa6"));	/* U+2066 */
	assert_null(strstr(t, "\xc2\x85"));		/* NEL */
	assert_null(strstr(t, "\x1b"));
	assert_null(strstr(t, "\r"));
	assert_null(strstr(t, "\xff"));
	assert_non_null(strstr(t, "\xef\xbf\xbd" "DER"));
	assert_non_null(strstr(t, "x  Bcc: y z [2J"));
	/* three lines: the hit, the report, the context */
	for (i = 0; *t != '\0'; t++)
		i += *t == '\n';
	assert_int_equal(i, 3);
	t = strstr(buf_data(out), "| ");
	assert_non_null(t);
	assert_non_null(strstr(t, "\xe3\x81\x82...\n"));
	buf_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_parse_fixed_point),
		cmocka_unit_test(test_hits_text_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
