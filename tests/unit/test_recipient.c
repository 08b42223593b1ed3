/* Unit tests for hub/recipient: which RCPT addresses the hub serves. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/recipient.h"

#include <stdbool.h>
#include <string.h>

static char l_alerts[] = "alerts", l_ops[] = "ops", l_isac[] = "sector.isac";
static char *lists[] = { l_alerts, l_ops, l_isac };

static const struct {
	const char	*addr;
	enum rcpt_kind	 kind;
	const char	*list;
	const char	*tag;
} cases[] = {
	{ "ops@hub.example", RCPT_LIST, "ops", "" },
	{ "OPS@HUB.Example", RCPT_LIST, "ops", "" },
	{ "sector.isac@hub.example", RCPT_LIST, "sector.isac", "" },
	{ "ops-request@hub.example", RCPT_REQUEST, "ops", "" },
	{ "ops-owner@hub.example", RCPT_OWNER, "ops", "" },
	{ "ops-sendkey@hub.example", RCPT_SENDKEY, "ops", "" },
	{ "ops-bounces@hub.example", RCPT_BOUNCES, "ops", "" },
	{ "ops-bounces+a1b2=x.example@hub.example", RCPT_BOUNCES, "ops",
	    "a1b2=x.example" },
	{ "alerts-Owner@hub.example", RCPT_OWNER, "alerts", "" },
	{ "postmaster", RCPT_POSTMASTER, "", "" },
	{ "Postmaster", RCPT_POSTMASTER, "", "" },
	{ "postmaster@hub.example", RCPT_POSTMASTER, "", "" },
	/* not served */
	{ "postmaster@other.example", RCPT_NONE, NULL, NULL },
	{ "ops@other.example", RCPT_NONE, NULL, NULL },
	{ "ops@sub.hub.example", RCPT_NONE, NULL, NULL },
	{ "ops", RCPT_NONE, NULL, NULL },
	{ "nosuch@hub.example", RCPT_NONE, NULL, NULL },
	{ "nosuch-owner@hub.example", RCPT_NONE, NULL, NULL },
	{ "ops+tag@hub.example", RCPT_NONE, NULL, NULL },
	{ "ops-owner+tag@hub.example", RCPT_NONE, NULL, NULL },
	{ "ops-bounces+@hub.example", RCPT_NONE, NULL, NULL },
	{ "ops-bounces+a/b@hub.example", RCPT_NONE, NULL, NULL },
	{ "-owner@hub.example", RCPT_NONE, NULL, NULL },
	{ "@hub.example", RCPT_NONE, NULL, NULL },
	{ "", RCPT_NONE, NULL, NULL },
	{ "ops@hub.example@hub.example", RCPT_NONE, NULL, NULL },
	{ "\"ops\"@hub.example", RCPT_NONE, NULL, NULL },
	{ "op@hub.example", RCPT_NONE, NULL, NULL },
	{ "opsx@hub.example", RCPT_NONE, NULL, NULL },
};

static void
test_classify_table(void **state)
{
	struct rcpt_target t;
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&t, 0x55, sizeof t);
		ok = recipient_classify(cases[i].addr, "hub.example", lists, 3,
		    &t);
		if (cases[i].kind == RCPT_NONE) {
			if (ok)
				fail_msg("case %zu <%s>: served as %s", i,
				    cases[i].addr, rcpt_kind_str(t.kind));
			continue;
		}
		if (!ok)
			fail_msg("case %zu <%s>: not served", i, cases[i].addr);
		assert_int_equal(t.kind, cases[i].kind);
		assert_string_equal(t.list, cases[i].list);
		assert_string_equal(t.tag, cases[i].tag);
	}
}

static void
test_long_local_part(void **state)
{
	char addr[600];
	struct rcpt_target t;

	(void)state;
	memset(addr, 'a', 500);
	strcpy(addr + 500, "@hub.example");
	assert_false(recipient_classify(addr, "hub.example", lists, 3, &t));
	assert_false(recipient_classify("ops@hub.example", "hub.example",
	    NULL, 0, &t));
	assert_string_equal(rcpt_kind_str(RCPT_SENDKEY), "sendkey");
}

/* While the set of lists is unknown: any address that would be served
 * with some list set may be (451), nothing else (550). */
static void
test_may_be_served(void **state)
{
	static const struct {
		const char	*addr;
		bool		 may;
	} m[] = {
		{ "intel@hub.example", true },
		{ "Intel@HUB.example", true },
		{ "intel-request@hub.example", true },
		{ "intel-bounces+a1=x.example@hub.example", true },
		{ "postmaster", true },
		{ "intel@other.example", false },
		{ "intel", false },
		{ "intel+tag@hub.example", false },
		{ "intel-owner+tag@hub.example", false },
		{ "-request@hub.example", false },
		{ "bad..name@hub.example", false },
		{ "a\"b@hub.example", false },
	};
	struct rcpt_target t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof m / sizeof m[0]; i++) {
		if (recipient_may_be_served(m[i].addr, "hub.example") !=
		    m[i].may)
			fail_msg("%s: may_be_served=%d", m[i].addr, !m[i].may);
		/* every address served with a known set is one */
		if (recipient_classify(m[i].addr, "hub.example", lists, 3, &t))
			assert_true(m[i].may);
	}
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (cases[i].kind != RCPT_NONE &&
		    !recipient_may_be_served(cases[i].addr, "hub.example"))
			fail_msg("%s: served but not may_be_served",
			    cases[i].addr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_long_local_part),
		cmocka_unit_test(test_may_be_served),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
