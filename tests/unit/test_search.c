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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_parse_fixed_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
