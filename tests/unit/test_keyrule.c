/*
 * Unit tests for lists/keyrule: may a key be a contact's.  One table row
 * per reason and per order between two reasons, each with the problem and
 * the sentence the admin reads.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lists/keyrule.h"

#include <string.h>

#define NOW	1700000000LL		/* 2023-11-14 22:13:20 UTC */
#define PAST	1577923200LL		/* 2020-01-02 00:00:00 UTC */
#define FUTURE	(NOW + 86400)

static const struct keyrule_uid alice[] = {
	{ "alice@cert.test", false, false },
};
static const struct keyrule_uid alice_upper[] = {
	{ "Alice@Cert.TEST", false, false },
};
static const struct keyrule_uid alice_revoked[] = {
	{ "alice@cert.test", true, false },
};
static const struct keyrule_uid alice_invalid[] = {
	{ "alice@cert.test", false, true },
};
/* a revoked old address beside a valid current one */
static const struct keyrule_uid two[] = {
	{ "alice@old.test", true, false },
	{ "alice@cert.test", false, false },
};
static const struct keyrule_uid no_email[] = {
	{ NULL, false, false },
	{ "", false, false },
};

/* A usable key naming uids u. */
#define KEY(u)	{ false, false, false, false, 0, true, u, \
	sizeof u / sizeof u[0] }

#define OK	KEYRULE_OK
#define REV	KEYRULE_REVOKED
#define EXP	KEYRULE_EXPIRED
#define INV	KEYRULE_INVALID
#define DIS	KEYRULE_DISABLED
#define ENC	KEYRULE_CANNOT_ENCRYPT
#define UID	KEYRULE_NO_USER_ID

static const struct {
	const char		*name;
	struct keyrule_facts	 k;
	const char		*address;
	enum keyrule_problem	 want;
	const char		*why;
} rows[] = {
	{ "usable", KEY(alice), "alice@cert.test", OK, "key is usable" },
	{ "address in other case", KEY(alice_upper), "alice@cert.test", OK,
	    "key is usable" },
	{ "expires later", { false, false, false, false, FUTURE, true, alice,
	    1 }, "alice@cert.test", OK, "key is usable" },
	{ "one of two uids", KEY(two), "alice@cert.test", OK,
	    "key is usable" },
	/* each reason */
	{ "revoked", { true, false, false, false, 0, false, alice, 1 },
	    "alice@cert.test", REV, "key is revoked" },
	{ "expired flag", { false, true, false, false, PAST, false, alice,
	    1 }, "alice@cert.test", EXP, "key expired on 2020-01-02" },
	{ "expired by date, flag not yet set", { false, false, false, false,
	    PAST, true, alice, 1 }, "alice@cert.test", EXP,
	    "key expired on 2020-01-02" },
	{ "expires right now", { false, false, false, false, NOW, true,
	    alice, 1 }, "alice@cert.test", EXP, "key expired on 2023-11-14" },
	{ "expired, no date", { false, true, false, false, 0, true, alice,
	    1 }, "alice@cert.test", EXP, "key has expired" },
	{ "invalid", { false, false, true, false, 0, true, alice, 1 },
	    "alice@cert.test", INV, "key is invalid" },
	{ "disabled", { false, false, false, true, 0, true, alice, 1 },
	    "alice@cert.test", DIS, "key is disabled" },
	{ "sign-only", { false, false, false, false, 0, false, alice, 1 },
	    "alice@cert.test", ENC,
	    "key cannot encrypt (no valid encryption subkey)" },
	{ "other address", KEY(alice), "carol@cert.test", UID,
	    "key has no user id for carol@cert.test" },
	{ "uid revoked", KEY(alice_revoked), "alice@cert.test", UID,
	    "key has no user id for alice@cert.test" },
	{ "uid invalid", KEY(alice_invalid), "alice@cert.test", UID,
	    "key has no user id for alice@cert.test" },
	{ "only the revoked uid", KEY(two), "alice@old.test", UID,
	    "key has no user id for alice@old.test" },
	{ "uids without address", KEY(no_email), "alice@cert.test", UID,
	    "key has no user id for alice@cert.test" },
	{ "no uids", { false, false, false, false, 0, true, NULL, 0 },
	    "alice@cert.test", UID, "key has no user id for alice@cert.test" },
	{ "no address", KEY(alice), NULL, UID,
	    "key has no user id for the address" },
	/* the first reason wins */
	{ "revoked and expired", { true, true, true, true, PAST, false, NULL,
	    0 }, "alice@cert.test", REV, "key is revoked" },
	{ "expired and invalid", { false, false, true, true, PAST, false,
	    NULL, 0 }, "alice@cert.test", EXP, "key expired on 2020-01-02" },
	{ "invalid and disabled", { false, false, true, true, 0, false, NULL,
	    0 }, "alice@cert.test", INV, "key is invalid" },
	{ "disabled, cannot encrypt", { false, false, false, true, 0, false,
	    NULL, 0 }, "alice@cert.test", DIS, "key is disabled" },
	{ "cannot encrypt, no uid", { false, false, false, false, 0, false,
	    NULL, 0 }, "bob@cert.test", ENC,
	    "key cannot encrypt (no valid encryption subkey)" },
};

static void
test_rows(void **state)
{
	enum keyrule_problem p;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		p = keyrule_check(&rows[i].k, rows[i].address, NOW);
		if (p != rows[i].want)
			fail_msg("%s: %s, want %s", rows[i].name,
			    keyrule_problem_str(p),
			    keyrule_problem_str(rows[i].want));
		keyrule_explain(p, &rows[i].k, rows[i].address, why,
		    sizeof why);
		if (strcmp(why, rows[i].why) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", rows[i].name, why,
			    rows[i].why);
	}
}

/* Every problem has a token and a sentence of its own. */
static void
test_strings(void **state)
{
	enum keyrule_problem p, q;

	(void)state;
	for (p = KEYRULE_OK; p <= KEYRULE_NO_USER_ID; p++) {
		assert_string_not_equal(keyrule_problem_str(p), "unknown");
		assert_string_not_equal(keyrule_problem_text(p), "unknown");
		for (q = KEYRULE_OK; q < p; q++) {
			assert_string_not_equal(keyrule_problem_str(p),
			    keyrule_problem_str(q));
			assert_string_not_equal(keyrule_problem_text(p),
			    keyrule_problem_text(q));
		}
	}
	assert_string_equal(keyrule_problem_str(KEYRULE_NO_USER_ID),
	    "no-user-id");
	assert_string_equal(keyrule_problem_str((enum keyrule_problem)99),
	    "unknown");
}

/* A short buffer is cut, never overrun, and always terminated. */
static void
test_explain_short(void **state)
{
	static const struct keyrule_facts k = KEY(alice);
	char why[8];

	(void)state;
	memset(why, 'x', sizeof why);
	keyrule_explain(KEYRULE_NO_USER_ID, &k, "carol@cert.test", why,
	    sizeof why);
	assert_string_equal(why, "key has");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_explain_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
