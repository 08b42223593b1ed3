/*
 * certmerge_judge(): what a mailed copy of a candidate's key may add to
 * the hub's copy (the endorse mail command).  Pure: keys as structures.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lists/certmerge.h"

#define ENDORSER	"AAAAAAAAAAAAAAAA"
#define STRANGER	"BBBBBBBBBBBBBBBB"

static const char allowed[][17] = { ENDORSER, "CCCCCCCCCCCCCCCC" };
static char cand[] = "Cand <cand@cand.test>", evil[] = "Evil <evil@evil.test>",
    other[] = "Other <other@cand.test>";

/* A candidate's key: one user id with a self-certification, one
 * encryption subkey; n extra certifications by issuer, a second later. */
struct k {
	struct key_info	 ki;
	struct key_uid	 uid[2];
	struct key_cert	 certs[8];
	char		 keyids[3][17];
};

static void
key(struct k *k, const char *issuer, size_t n)
{
	size_t i;

	memset(k, 0, sizeof *k);
	memcpy(k->keyids[0], "1111111111111111", 17);
	memcpy(k->keyids[1], "2222222222222222", 17);
	k->ki.keyids = k->keyids;
	k->ki.nkeyids = 2;
	k->uid[0].uid = cand;
	k->uid[0].certs = k->certs;
	memcpy(k->certs[0].keyid, "1111111111111111", 17);
	k->certs[0].sig_class = 0x13;
	k->certs[0].created = 1000;
	k->uid[0].ncerts = 1;
	for (i = 0; i < n; i++) {
		memcpy(k->certs[1 + i].keyid, issuer, 17);
		k->certs[1 + i].sig_class = 0x10;
		k->certs[1 + i].created = 2000 + (long long)i;
		k->uid[0].ncerts++;
	}
	k->ki.uids = k->uid;
	k->ki.nuids = 1;
}

static enum certmerge
judge(const struct k *m, const struct k *known, size_t *n)
{
	return certmerge_judge(&m->ki, &known->ki, allowed, 2, 4, n);
}

static void
test_judge(void **state)
{
	struct k known, m;
	size_t n;

	(void)state;
	key(&known, ENDORSER, 0);
	/* the endorser's certification: taken */
	key(&m, ENDORSER, 1);
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_OK);
	assert_int_equal(n, 1);
	/* the same copy again: nothing new */
	assert_int_equal(judge(&known, &known, &n), CERTMERGE_NOTHING);
	/* a stranger's certification (anyone can make one) */
	key(&m, STRANGER, 1);
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_FOREIGN);
	/* more than max_new, even the endorser's */
	key(&m, ENDORSER, 5);
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_TOO_MANY);
	/* a subkey the hub's copy lacks (another member's, perhaps) */
	key(&m, ENDORSER, 1);
	memcpy(m.keyids[2], "3333333333333333", 17);
	m.ki.nkeyids = 3;
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_ADDS_KEYS);
	/* a user id the hub's copy lacks, or another one in its place */
	key(&m, ENDORSER, 1);
	m.uid[1].uid = evil;
	m.ki.nuids = 2;
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_ADDS_UIDS);
	key(&m, ENDORSER, 1);
	m.uid[0].uid = other;
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_ADDS_UIDS);
	/* a revocation of the key or of its user id */
	key(&m, ENDORSER, 1);
	m.ki.revoked = 1;
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_REVOKES);
	key(&m, ENDORSER, 1);
	m.uid[0].revoked = 1;
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_REVOKES);
	assert_string_equal(certmerge_str(CERTMERGE_FOREIGN),
	    "foreign-certification");
}

/* The hub's copy already holds CERTMERGE_TOTAL_MAX: nothing more. */
static void
test_total(void **state)
{
	static struct key_cert many[CERTMERGE_TOTAL_MAX + 1];
	struct k known, m;
	size_t i, n;

	(void)state;
	key(&known, ENDORSER, 0);
	for (i = 0; i < CERTMERGE_TOTAL_MAX; i++) {
		memcpy(many[i].keyid, "CCCCCCCCCCCCCCCC", 17);
		many[i].sig_class = 0x10;
		many[i].created = 5000 + (long long)i;
	}
	known.uid[0].certs = many;
	known.uid[0].ncerts = CERTMERGE_TOTAL_MAX;
	m = known;
	m.ki.uids = m.uid;
	memcpy(&many[CERTMERGE_TOTAL_MAX].keyid, ENDORSER, 17);
	many[CERTMERGE_TOTAL_MAX].sig_class = 0x10;
	many[CERTMERGE_TOTAL_MAX].created = 9999;
	m.uid[0].ncerts = CERTMERGE_TOTAL_MAX + 1;
	assert_int_equal(judge(&m, &known, &n), CERTMERGE_TOO_MANY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
