/*
 * Unit tests for lists/tlp: label names, the parser (subject, body
 * window, substrings, spacing, several labels) and the receiving matrix.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lists/tlp.h"

#include <stdio.h>
#include <string.h>

#define NONE	TLP_NONE
#define CLEAR	TLP_CLEAR
#define GREEN	TLP_GREEN
#define AMBER	TLP_AMBER
#define STRICT	TLP_AMBER_STRICT
#define RED	TLP_RED
#define SUBJ	TLP_FROM_SUBJECT
#define BODY	TLP_FROM_BODY
#define DFLT	TLP_FROM_DEFAULT
#define W_SP	TLP_WARN_SPACE
#define W_CASE	TLP_WARN_CASE
#define W_WHITE	TLP_WARN_WHITE

static void
test_str(void **state)
{
	(void)state;
	assert_string_equal(tlp_str(TLP_NONE), "none");
	assert_string_equal(tlp_str(TLP_CLEAR), "TLP:CLEAR");
	assert_string_equal(tlp_str(TLP_GREEN), "TLP:GREEN");
	assert_string_equal(tlp_str(TLP_AMBER), "TLP:AMBER");
	assert_string_equal(tlp_str(TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
	assert_string_equal(tlp_str(TLP_RED), "TLP:RED");
	assert_string_equal(tlp_str((enum tlp)99), "unknown");
	assert_string_equal(tlp_where_str(TLP_FROM_SUBJECT), "subject");
	assert_string_equal(tlp_where_str(TLP_FROM_BODY), "body");
	assert_string_equal(tlp_where_str(TLP_FROM_DEFAULT), "default");
	assert_string_equal(role_str(ROLE_MEMBER), "member");
	assert_string_equal(role_str(ROLE_PARTNER), "partner");
	assert_string_equal(role_str(ROLE_ADMIN), "admin");
	/* The order is the restrictiveness order. */
	assert_true(TLP_CLEAR < TLP_GREEN && TLP_GREEN < TLP_AMBER &&
	    TLP_AMBER < TLP_AMBER_STRICT && TLP_AMBER_STRICT < TLP_RED);
}

static const struct {
	const char	*name;
	int		 rc;
	enum tlp	 t;
} names[] = {
	{ "clear", 0, CLEAR },
	{ "CLEAR", 0, CLEAR },
	{ "white", 0, CLEAR },
	{ "TLP:WHITE", 0, CLEAR },
	{ "green", 0, GREEN },
	{ "tlp:green", 0, GREEN },
	{ "Amber", 0, AMBER },
	{ "amber+strict", 0, STRICT },
	{ "TLP:AMBER+STRICT", 0, STRICT },
	{ "red", 0, RED },
	{ "none", 0, NONE },
	{ "NONE", 0, NONE },
	{ "", -1, NONE },
	{ "tlp:", -1, NONE },
	{ "TLP:NONE", -1, NONE },
	{ "amber strict", -1, NONE },
	{ "amber+", -1, NONE },
	{ "[TLP:RED]", -1, NONE },
	{ " red", -1, NONE },
	{ "red ", -1, NONE },
	{ "redacted", -1, NONE },
	{ "TLP: RED", -1, NONE },
	{ "tlp:tlp:red", -1, NONE },
	{ "yellow", -1, NONE },
};

static void
test_from_name(void **state)
{
	enum tlp t;
	enum role r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		t = (enum tlp)77;
		if (tlp_from_name(names[i].name, &t) != names[i].rc)
			fail_msg("\"%s\": rc", names[i].name);
		if (names[i].rc == 0 && t != names[i].t)
			fail_msg("\"%s\": %s", names[i].name, tlp_str(t));
		if (names[i].rc != 0 && t != (enum tlp)77)
			fail_msg("\"%s\": out written on error", names[i].name);
	}
	assert_int_equal(tlp_from_name(NULL, &t), -1);
	assert_int_equal(role_from_name("Admin", &r), 0);
	assert_int_equal(r, ROLE_ADMIN);
	assert_int_equal(role_from_name("partner", &r), 0);
	assert_int_equal(r, ROLE_PARTNER);
	assert_int_equal(role_from_name("member", &r), 0);
	assert_int_equal(r, ROLE_MEMBER);
	assert_int_equal(role_from_name("members", &r), -1);
	assert_int_equal(role_from_name("", &r), -1);
	assert_int_equal(role_from_name(NULL, &r), -1);
}

static const struct {
	const char	*name;
	const char	*subject;
	const char	*body;
	enum tlp	 dflt;
	enum tlp	 label;
	enum tlp_where	 where;
	unsigned	 warnings;
	unsigned	 nlabels;
} parse[] = {
	/* the five labels, and 1.0 WHITE */
	{ "red", "[TLP:RED] x", NULL, GREEN, RED, SUBJ, 0, 1 },
	{ "amber", "TLP:AMBER", NULL, GREEN, AMBER, SUBJ, 0, 1 },
	{ "strict", "TLP:AMBER+STRICT", NULL, GREEN, STRICT, SUBJ, 0, 1 },
	{ "green", "TLP:GREEN: scan", NULL, RED, GREEN, SUBJ, 0, 1 },
	{ "clear", "(TLP:CLEAR)", NULL, RED, CLEAR, SUBJ, 0, 1 },
	{ "white", "[TLP:WHITE]", NULL, RED, CLEAR, SUBJ, W_WHITE, 1 },
	/* a label overrides the default either way */
	{ "lower than default", "TLP:CLEAR", NULL, AMBER, CLEAR, SUBJ, 0, 1 },
	/* none: the default */
	{ "no label", "weekly report", "hello\n", AMBER, AMBER, DFLT, 0, 0 },
	{ "no label, NONE default", "x", NULL, NONE, NONE, DFLT, 0, 0 },
	{ "empty", "", "", GREEN, GREEN, DFLT, 0, 0 },
	{ "null subject", NULL, NULL, STRICT, STRICT, DFLT, 0, 0 },
	/* case, brackets */
	{ "lowercase", "[tlp:red]", NULL, GREEN, RED, SUBJ, W_CASE, 1 },
	{ "mixed", "Tlp:Amber+Strict", NULL, GREEN, STRICT, SUBJ, W_CASE, 1 },
	{ "lower strict", "TLP:AMBER+strict", NULL, NONE, STRICT, SUBJ,
	    W_CASE, 1 },
	{ "no brackets", "Re: TLP:RED incident", NULL, CLEAR, RED, SUBJ, 0,
	    1 },
	{ "half bracket", "[TLP:AMBER incident", NULL, CLEAR, AMBER, SUBJ, 0,
	    1 },
	{ "at end", "incident TLP:RED", NULL, CLEAR, RED, SUBJ, 0, 1 },
	{ "punct", "TLP:RED, TLP:GREEN.", NULL, CLEAR, RED, SUBJ, 0, 2 },
	/* substrings are not labels */
	{ "XTLP", "XTLP:RED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "digit before", "1TLP:RED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "underscore before", "_TLP:RED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "REDACTED", "TLP:REDACTED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "AMBERX", "TLP:AMBERX", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "GREEN1", "TLP:GREEN1", NULL, CLEAR, CLEAR, DFLT, 0, 0 },
	{ "RED_", "TLP:RED_x", NULL, CLEAR, CLEAR, DFLT, 0, 0 },
	{ "WHITEOUT", "TLP:WHITEOUT", NULL, RED, RED, DFLT, 0, 0 },
	{ "no colon", "TLP RED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "dash", "TLP-RED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "unknown name", "TLP:YELLOW", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "bare", "TLP:", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "bare colon space", "TLP: ", NULL, GREEN, GREEN, DFLT, 0, 0 },
	{ "space before colon", "TLP :RED", NULL, GREEN, GREEN, DFLT, 0, 0 },
	/* a boundary that is not a letter: recognised */
	{ "hyphen before", "X-TLP:RED", NULL, GREEN, RED, SUBJ, 0, 1 },
	{ "utf8 before", "\xe6\xa9\x9f\xe5\xaf\x86TLP:AMBER", NULL, GREEN,
	    AMBER, SUBJ, 0, 1 },
	{ "utf8 after", "TLP:AMBER\xe6\xa9\x9f", NULL, GREEN, AMBER, SUBJ,
	    0, 1 },
	{ "colon after", "TLP:RED:", NULL, GREEN, RED, SUBJ, 0, 1 },
	/* AMBER+STRICT before AMBER; malformed + suffixes read as AMBER */
	{ "strict wins", "TLP:AMBER+STRICT", NULL, NONE, STRICT, SUBJ, 0, 1 },
	{ "amber plus", "TLP:AMBER+", NULL, NONE, AMBER, SUBJ, 0, 1 },
	{ "amber plus junk", "TLP:AMBER+STRICTER", NULL, NONE, AMBER, SUBJ,
	    0, 1 },
	{ "amber space strict", "TLP:AMBER STRICT", NULL, NONE, AMBER, SUBJ,
	    0, 1 },
	/* non-conformant spacing: recognised, never ignored, warned */
	{ "space", "TLP: AMBER", NULL, GREEN, AMBER, SUBJ, W_SP, 1 },
	{ "spaces", "TLP:   RED", NULL, GREEN, RED, SUBJ, W_SP, 1 },
	{ "tab", "TLP:\tRED", NULL, GREEN, RED, SUBJ, W_SP, 1 },
	{ "space lower", "tlp: red", NULL, GREEN, RED, SUBJ, W_SP | W_CASE,
	    1 },
	{ "space not across lines", "", "TLP:\nRED\n", GREEN, GREEN, DFLT, 0,
	    0 },
	{ "space keeps max", "TLP:GREEN TLP: RED", NULL, NONE, RED, SUBJ,
	    W_SP, 2 },
	/* several labels: the most restrictive */
	{ "two in subject", "TLP:GREEN TLP:AMBER", NULL, NONE, AMBER, SUBJ,
	    0, 2 },
	{ "order", "TLP:RED TLP:CLEAR", NULL, NONE, RED, SUBJ, 0, 2 },
	{ "strict vs amber", "TLP:AMBER+STRICT / TLP:AMBER", NULL, NONE,
	    STRICT, SUBJ, 0, 2 },
	{ "subject and body", "TLP:GREEN", "TLP:RED\n", NONE, RED, BODY, 0,
	    2 },
	{ "body lower", "TLP:AMBER", "TLP:CLEAR\n", NONE, AMBER, SUBJ, 0, 2 },
	{ "tie: subject", "TLP:AMBER", "TLP:AMBER\n", NONE, AMBER, SUBJ, 0,
	    2 },
	{ "white and green", "TLP:WHITE", "TLP:GREEN", NONE, GREEN, BODY,
	    W_WHITE, 2 },
	/* the body window */
	{ "body first line", "x", "TLP:AMBER\r\nhi\r\n", CLEAR, AMBER, BODY,
	    0, 1 },
	{ "body no newline", "x", "TLP:RED", CLEAR, RED, BODY, 0, 1 },
	{ "body 10th line", "x",
	    "1\n2\n3\n4\n5\n6\n7\n8\n9\nTLP:RED\n11\n", CLEAR, RED, BODY,
	    0, 1 },
	{ "body 11th line", "x",
	    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\nTLP:RED\n", CLEAR, CLEAR, DFLT,
	    0, 0 },
	{ "blank lines do not count", "x",
	    "\n\n \n\t\n\r\n1\n2\n3\n4\n5\n6\n7\n8\n9\nTLP:RED\n", CLEAR,
	    RED, BODY, 0, 1 },
	{ "quoted later", "Re: x", "Hi\nsee below\n1\n2\n3\n4\n5\n6\n7\n8\n"
	    "> TLP:RED\n", GREEN, GREEN, DFLT, 0, 0 },
};

static void
test_parse_table(void **state)
{
	struct tlp_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse / sizeof parse[0]; i++) {
		memset(&r, 0x5a, sizeof r);
		tlp_parse(parse[i].subject, parse[i].body,
		    parse[i].body ? strlen(parse[i].body) : 0, parse[i].dflt,
		    &r);
		if (r.label != parse[i].label || r.where != parse[i].where ||
		    r.warnings != parse[i].warnings ||
		    r.nlabels != parse[i].nlabels)
			fail_msg("%s: got %s from %s warn=%#x n=%u",
			    parse[i].name, tlp_str(r.label),
			    tlp_where_str(r.where), r.warnings, r.nlabels);
	}
}

/* The 2 KiB cap: a label inside it counts, one across or past it not. */
static void
test_body_octet_window(void **state)
{
	char body[TLP_BODY_MAX + 64];
	struct tlp_result r;

	(void)state;
	memset(body, 'x', sizeof body);
	body[0] = ' ';
	/* one long line: label ends exactly at the cap */
	memcpy(body + TLP_BODY_MAX - 8, " TLP:RED", 8);
	tlp_parse(NULL, body, sizeof body, GREEN, &r);
	assert_int_equal(r.label, GREEN);	/* followed by 'x': a word */
	body[TLP_BODY_MAX] = ' ';
	tlp_parse(NULL, body, sizeof body, GREEN, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.where, TLP_FROM_BODY);
	/* straddling the cap: not seen, even though the body goes on */
	memset(body, 'x', sizeof body);
	memcpy(body + TLP_BODY_MAX - 4, " TLP:RED ", 9);
	tlp_parse(NULL, body, sizeof body, GREEN, &r);
	assert_int_equal(r.label, GREEN);
	/* past the cap */
	memset(body, ' ', sizeof body);
	memcpy(body + TLP_BODY_MAX + 4, "TLP:RED", 7);
	tlp_parse(NULL, body, sizeof body, GREEN, &r);
	assert_int_equal(r.label, GREEN);
	assert_int_equal(r.where, TLP_FROM_DEFAULT);
}

/* NULs in the body are octets like others; body_len is what counts. */
static void
test_body_nul(void **state)
{
	static const char body[] = "a\0TLP:AMBER\0b\nTLP:GREEN";
	struct tlp_result r;

	(void)state;
	tlp_parse("", body, sizeof body - 1, CLEAR, &r);
	assert_int_equal(r.label, AMBER);
	assert_int_equal(r.nlabels, 2);
	tlp_parse("", body, 5, CLEAR, &r);	/* "a\0TLP": cut */
	assert_int_equal(r.label, CLEAR);
	assert_int_equal(r.nlabels, 0);
	tlp_parse(NULL, NULL, 0, RED, &r);
	assert_int_equal(r.label, RED);
}

/*
 * Receiving: every label x every role x every clearance, against the
 * DESIGN.md table written out independently of tlp.c.
 */
static bool
expected_receive(enum tlp t, enum role r, enum tlp c)
{
	if (r == ROLE_ADMIN)
		return false;
	if (r == ROLE_MEMBER)
		return true;
	switch (t) {
	case TLP_CLEAR:
	case TLP_GREEN:
		return true;
	case TLP_AMBER:
		return c == TLP_AMBER || c == TLP_AMBER_STRICT || c == TLP_RED;
	case TLP_AMBER_STRICT:
		return c == TLP_AMBER_STRICT || c == TLP_RED;
	case TLP_RED:
	case TLP_NONE:
		return false;
	}
	return false;
}

static void
test_may_receive_matrix(void **state)
{
	static const enum role roles[] = { ROLE_MEMBER, ROLE_PARTNER,
	    ROLE_ADMIN };
	enum tlp t, c;
	size_t r, n = 0;

	(void)state;
	for (t = TLP_NONE; t <= TLP_RED; t++)
		for (r = 0; r < 3; r++)
			for (c = TLP_NONE; c <= TLP_RED; c++, n++)
				if (tlp_may_receive(t, roles[r], c) !=
				    expected_receive(t, roles[r], c))
					fail_msg("%s role=%s clearance=%s",
					    tlp_str(t), role_str(roles[r]),
					    tlp_str(c));
	assert_int_equal(n, 6 * 3 * 6);
}

/* The rows the issue names, spelled out. */
static void
test_may_receive_named(void **state)
{
	enum tlp c;

	(void)state;
	for (c = TLP_NONE; c <= TLP_RED; c++)
		assert_false(tlp_may_receive(TLP_RED, ROLE_PARTNER, c));
	assert_true(tlp_may_receive(TLP_RED, ROLE_MEMBER, TLP_NONE));
	assert_true(tlp_may_receive(TLP_GREEN, ROLE_PARTNER, TLP_NONE));
	assert_true(tlp_may_receive(TLP_CLEAR, ROLE_PARTNER, TLP_NONE));
	assert_false(tlp_may_receive(TLP_AMBER, ROLE_PARTNER, TLP_NONE));
	assert_false(tlp_may_receive(TLP_AMBER, ROLE_PARTNER, TLP_GREEN));
	assert_true(tlp_may_receive(TLP_AMBER, ROLE_PARTNER, TLP_AMBER));
	assert_false(tlp_may_receive(TLP_AMBER_STRICT, ROLE_PARTNER,
	    TLP_AMBER));
	assert_true(tlp_may_receive(TLP_AMBER_STRICT, ROLE_PARTNER,
	    TLP_AMBER_STRICT));
	assert_false(tlp_may_receive(TLP_CLEAR, ROLE_ADMIN, TLP_RED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_from_name),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_body_octet_window),
		cmocka_unit_test(test_body_nul),
		cmocka_unit_test(test_may_receive_matrix),
		cmocka_unit_test(test_may_receive_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
