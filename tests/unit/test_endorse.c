/*
 * Unit tests for lists/endorse: the admission rule, one table row per
 * situation (the issue's: a suspended endorser, the candidate itself,
 * the same team twice, a key that has since expired, a certification
 * that does not verify), each with the verdict and every record's reason.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lists/endorse.h"

#include <string.h>

#define T0	1700000000LL		/* certification time */
#define LATER	(T0 + 86400)		/* key expired after certifying */
#define BEFORE	(T0 - 86400)		/* key had expired before */

/* A good endorsement by handle h. */
#define OK(h) \
	{ h, TEAM_KIND_MEMBER, TEAM_ACTIVE, true, CERT_KEY_VALID, T0, 0 }
#define MAXREC	5

#define CNT	ENDORSE_COUNTED
#define SELF	ENDORSE_SELF
#define NMEM	ENDORSE_NOT_MEMBER
#define NACT	ENDORSE_NOT_ACTIVE
#define NOEV	ENDORSE_NO_EVIDENCE
#define KREV	ENDORSE_KEY_REVOKED
#define KEXP	ENDORSE_KEY_EXPIRED
#define DUP	ENDORSE_DUPLICATE

#define ACT	ENDORSE_ACTIVATE
#define NEED	ENDORSE_NEED_ENDORSEMENTS
#define APPR	ENDORSE_NEED_APPROVAL
#define NCAN	ENDORSE_NOT_CANDIDATE

static const struct {
	const char		*name;
	enum team_state		 cstate;
	unsigned		 required;
	bool			 approval_required;
	bool			 approved;
	size_t			 nrecs;
	struct endorse_record	 recs[MAXREC];
	enum endorse_reason	 why[MAXREC];
	enum endorse_outcome	 outcome;
	unsigned		 counted;
	unsigned		 missing;
} rows[] = {
	{ "two good", TEAM_CANDIDATE, 2, false, false, 2,
	    { OK("CERT-A"), OK("CERT-B") }, { CNT, CNT }, ACT, 2, 0 },
	{ "one of two", TEAM_CANDIDATE, 2, false, false, 1,
	    { OK("CERT-A") }, { CNT }, NEED, 1, 1 },
	{ "none", TEAM_CANDIDATE, 2, false, false, 0, { OK("x") }, { CNT },
	    NEED, 0, 2 },
	{ "three of two", TEAM_CANDIDATE, 2, false, false, 3,
	    { OK("CERT-A"), OK("CERT-B"), OK("CERT-D") }, { CNT, CNT, CNT },
	    ACT, 3, 0 },
	{ "required 3", TEAM_CANDIDATE, 3, false, false, 2,
	    { OK("CERT-A"), OK("CERT-B") }, { CNT, CNT }, NEED, 2, 1 },
	{ "required 0 means 1", TEAM_CANDIDATE, 0, false, false, 0,
	    { OK("x") }, { CNT }, NEED, 0, 1 },
	{ "required 0, one", TEAM_CANDIDATE, 0, false, false, 1,
	    { OK("CERT-A") }, { CNT }, ACT, 1, 0 },
	/* the candidate itself */
	{ "self", TEAM_CANDIDATE, 2, false, false, 2,
	    { OK("CERT-A"), OK("CERT-NEW") }, { CNT, SELF }, NEED, 1, 1 },
	{ "self, other case", TEAM_CANDIDATE, 1, false, false, 1,
	    { OK("cert-new") }, { SELF }, NEED, 0, 1 },
	{ "no endorser handle", TEAM_CANDIDATE, 1, false, false, 1,
	    { OK("") }, { SELF }, NEED, 0, 1 },
	/* the same team twice */
	{ "same team twice", TEAM_CANDIDATE, 2, false, false, 2,
	    { OK("CERT-A"), OK("CERT-A") }, { CNT, DUP }, NEED, 1, 1 },
	{ "same team, other case", TEAM_CANDIDATE, 2, false, false, 3,
	    { OK("CERT-A"), OK("cert-a"), OK("CERT-B") }, { CNT, DUP, CNT },
	    ACT, 2, 0 },
	{ "twice, first without evidence", TEAM_CANDIDATE, 2, false, false,
	    3, { { "CERT-A", TEAM_KIND_MEMBER, TEAM_ACTIVE, false,
	    CERT_KEY_VALID, T0, 0 }, OK("CERT-A"), OK("CERT-B") },
	    { NOEV, CNT, CNT }, ACT, 2, 0 },
	/* endorser's team state now */
	{ "suspended endorser", TEAM_CANDIDATE, 2, false, false, 2,
	    { OK("CERT-A"), { "CERT-S", TEAM_KIND_MEMBER, TEAM_SUSPENDED,
	    true, CERT_KEY_VALID, T0, 0 } }, { CNT, NACT }, NEED, 1, 1 },
	{ "candidate endorser", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "CERT-C", TEAM_KIND_MEMBER, TEAM_CANDIDATE, true,
	    CERT_KEY_VALID, T0, 0 } }, { NACT }, NEED, 0, 1 },
	{ "left endorser", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "CERT-L", TEAM_KIND_MEMBER, TEAM_LEFT, true, CERT_KEY_VALID,
	    T0, 0 } }, { NACT }, NEED, 0, 1 },
	{ "partner endorser", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "PART-P", TEAM_KIND_PARTNER, TEAM_ACTIVE, true,
	    CERT_KEY_VALID, T0, 0 } }, { NMEM }, NEED, 0, 1 },
	/* the evidence */
	{ "certification does not verify", TEAM_CANDIDATE, 2, false, false,
	    2, { OK("CERT-A"), { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE,
	    false, CERT_KEY_VALID, T0, 0 } }, { CNT, NOEV }, NEED, 1, 1 },
	{ "key expired after certifying", TEAM_CANDIDATE, 2, false, false, 2,
	    { OK("CERT-A"), { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true,
	    CERT_KEY_EXPIRED, T0, LATER } }, { CNT, CNT }, ACT, 2, 0 },
	{ "key expired before certifying", TEAM_CANDIDATE, 2, false, false,
	    2, { OK("CERT-A"), { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE,
	    true, CERT_KEY_EXPIRED, T0, BEFORE } }, { CNT, KEXP }, NEED, 1,
	    1 },
	{ "key expired at certifying", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true,
	    CERT_KEY_EXPIRED, T0, T0 } }, { KEXP }, NEED, 0, 1 },
	{ "key expired, expiry unknown", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true,
	    CERT_KEY_EXPIRED, T0, 0 } }, { KEXP }, NEED, 0, 1 },
	{ "valid key, cert dated past expiry", TEAM_CANDIDATE, 1, false,
	    false, 1, { { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true,
	    CERT_KEY_VALID, LATER, T0 } }, { KEXP }, NEED, 0, 1 },
	{ "valid key with future expiry", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true, CERT_KEY_VALID,
	    T0, LATER } }, { CNT }, ACT, 1, 0 },
	{ "key revoked", TEAM_CANDIDATE, 2, false, false, 2,
	    { OK("CERT-A"), { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true,
	    CERT_KEY_REVOKED, T0, 0 } }, { CNT, KREV }, NEED, 1, 1 },
	{ "key revoked after expiring", TEAM_CANDIDATE, 1, false, false, 1,
	    { { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, true,
	    CERT_KEY_REVOKED, T0, LATER } }, { KREV }, NEED, 0, 1 },
	/* first reason wins: self before state before evidence */
	{ "precedence", TEAM_CANDIDATE, 1, false, false, 3,
	    { { "CERT-NEW", TEAM_KIND_PARTNER, TEAM_SUSPENDED, false,
	    CERT_KEY_REVOKED, T0, 0 }, { "CERT-S", TEAM_KIND_MEMBER,
	    TEAM_SUSPENDED, false, CERT_KEY_REVOKED, T0, 0 },
	    { "CERT-B", TEAM_KIND_MEMBER, TEAM_ACTIVE, false,
	    CERT_KEY_REVOKED, T0, 0 } }, { SELF, NACT, NOEV }, NEED, 0, 1 },
	/* admin approval */
	{ "approval missing", TEAM_CANDIDATE, 2, true, false, 2,
	    { OK("CERT-A"), OK("CERT-B") }, { CNT, CNT }, APPR, 2, 0 },
	{ "approval given", TEAM_CANDIDATE, 2, true, true, 2,
	    { OK("CERT-A"), OK("CERT-B") }, { CNT, CNT }, ACT, 2, 0 },
	{ "approval without endorsements", TEAM_CANDIDATE, 2, true, true, 1,
	    { OK("CERT-A") }, { CNT }, NEED, 1, 1 },
	{ "required 0, approved: still one", TEAM_CANDIDATE, 0, true, true, 0,
	    { OK("x") }, { CNT }, NEED, 0, 1 },
	/* not a candidate: records still judged, never "activate" */
	{ "already active", TEAM_ACTIVE, 2, false, false, 2,
	    { OK("CERT-A"), OK("CERT-B") }, { CNT, CNT }, NCAN, 2, 0 },
	{ "suspended team", TEAM_SUSPENDED, 1, false, false, 1,
	    { OK("CERT-A") }, { CNT }, NCAN, 1, 0 },
	{ "left team", TEAM_LEFT, 1, false, false, 1,
	    { OK("CERT-A") }, { CNT }, NCAN, 1, 0 },
};

static void
test_table(void **state)
{
	enum endorse_reason why[MAXREC];
	struct endorse_verdict v;
	struct endorse_input in;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&in, 0, sizeof in);
		in.candidate = "CERT-NEW";
		in.candidate_state = rows[i].cstate;
		in.recs = rows[i].recs;
		in.nrecs = rows[i].nrecs;
		in.required = rows[i].required;
		in.approval_required = rows[i].approval_required;
		in.approved = rows[i].approved;
		memset(why, 0x5a, sizeof why);
		memset(&v, 0x5a, sizeof v);
		endorse_evaluate(&in, &v, why);
		if (v.outcome != rows[i].outcome)
			fail_msg("%s: outcome %s, want %s", rows[i].name,
			    endorse_outcome_str(v.outcome),
			    endorse_outcome_str(rows[i].outcome));
		if (v.counted != rows[i].counted ||
		    v.missing != rows[i].missing)
			fail_msg("%s: counted %u missing %u", rows[i].name,
			    v.counted, v.missing);
		assert_int_equal(v.activate, rows[i].outcome == ACT);
		for (j = 0; j < rows[i].nrecs; j++)
			if (why[j] != rows[i].why[j])
				fail_msg("%s: record %zu: %s, want %s",
				    rows[i].name, j,
				    endorse_reason_str(why[j]),
				    endorse_reason_str(rows[i].why[j]));
		/* Only the records given are written. */
		for (; j < MAXREC; j++)
			assert_int_equal((int)why[j] & 0xff, 0x5a);
		/* why may be NULL: same verdict. */
		endorse_evaluate(&in, &v, NULL);
		assert_int_equal(v.outcome, rows[i].outcome);
		assert_int_equal(v.counted, rows[i].counted);
	}
}

static void
test_strings(void **state)
{
	enum endorse_reason r, q;
	enum endorse_outcome o;
	enum cert_key_state k;

	(void)state;
	for (r = ENDORSE_COUNTED; r <= ENDORSE_DUPLICATE; r++) {
		assert_string_not_equal(endorse_reason_str(r), "unknown");
		for (q = ENDORSE_COUNTED; q < r; q++)
			assert_string_not_equal(endorse_reason_str(q),
			    endorse_reason_str(r));
	}
	for (o = ENDORSE_ACTIVATE; o <= ENDORSE_NOT_CANDIDATE; o++)
		assert_string_not_equal(endorse_outcome_str(o), "unknown");
	for (k = CERT_KEY_VALID; k <= CERT_KEY_REVOKED; k++)
		assert_string_not_equal(cert_key_state_str(k), "unknown");
	assert_string_equal(endorse_reason_str(ENDORSE_SELF),
	    "self-endorsement");
	assert_string_equal(endorse_reason_str((enum endorse_reason)99),
	    "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
