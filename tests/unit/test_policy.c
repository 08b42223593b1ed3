/*
 * Unit tests for lists/policy: the rejection matrix (every reason, and
 * the precedence between them), permission per list setting, the
 * recipient set per TLP label (partners never RED, team subscriptions
 * expanded, skipped recipients with reasons, lost team keys).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lists/policy.h"

#include <string.h>

/* Roster: teams and contacts. */
enum { T_A, T_B, T_S, T_C, T_L, T_H, T_OPS, T_PP, T_PQ, T_PR, NTEAMS };

static const struct team teams[NTEAMS] = {
	[T_A] = { "CERT-A", "CERT A", TEAM_KIND_MEMBER, TEAM_ACTIVE },
	[T_B] = { "CERT-B", "CERT B", TEAM_KIND_MEMBER, TEAM_ACTIVE },
	[T_S] = { "CERT-S", "Suspended", TEAM_KIND_MEMBER, TEAM_SUSPENDED },
	[T_C] = { "CERT-C", "Candidate", TEAM_KIND_MEMBER, TEAM_CANDIDATE },
	[T_L] = { "CERT-L", "Left", TEAM_KIND_MEMBER, TEAM_LEFT },
	[T_H] = { "CERT-H", "Keyless", TEAM_KIND_MEMBER, TEAM_ACTIVE },
	[T_OPS] = { "HUB-OPS", "Hub admins", TEAM_KIND_MEMBER, TEAM_ACTIVE },
	[T_PP] = { "PART-P", "Partner P", TEAM_KIND_PARTNER, TEAM_ACTIVE },
	[T_PQ] = { "PART-Q", "Partner Q", TEAM_KIND_PARTNER, TEAM_ACTIVE },
	[T_PR] = { "PART-R", "Partner R", TEAM_KIND_PARTNER, TEAM_ACTIVE },
};

#define FPR(c)	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
		c c c c c c c c c c

enum { ALICE, BOB, CAROL, DAVE, PAULA, SAM, RITA, MALLORY, ERIN, FRANK,
	GINA, ADMIN, HANK, IVY, JUDY, KIM, DORA, OLGA, NCONTACTS };

static const struct contact contacts[NCONTACTS] = {
	[ALICE] = { "alice@a.example", FPR("A"), "CERT-A", "Alice" },
	[BOB] = { "bob@a.example", FPR("B"), "CERT-A", "Bob" },
	[CAROL] = { "carol@b.example", FPR("C"), "CERT-B", "Carol" },
	[DAVE] = { "dave@p.example", FPR("D"), "PART-P", "Dave" },
	[PAULA] = { "paula@q.example", FPR("E"), "PART-Q", "Paula" },
	[SAM] = { "sam@q.example", FPR("F"), "PART-Q", "Sam" },
	[RITA] = { "rita@r.example", FPR("1"), "PART-R", "Rita" },
	[MALLORY] = { "mallory@p.example", FPR("2"), "PART-P", "Mallory" },
	[ERIN] = { "erin@s.example", FPR("3"), "CERT-S", "Erin" },
	[FRANK] = { "frank@c.example", FPR("4"), "CERT-C", "Frank" },
	[GINA] = { "gina@l.example", FPR("5"), "CERT-L", "Gina" },
	[ADMIN] = { "admin@hub.example", FPR("6"), "HUB-OPS", "Admin" },
	[HANK] = { "hank@h.example", FPR("7"), "CERT-H", "Hank" },
	[IVY] = { "ivy@h.example", FPR("8"), "CERT-H", "Ivy" },
	[JUDY] = { "judy@b.example", FPR("9"), "CERT-B", "Judy" },
	[KIM] = { "kim@b.example", FPR("0"), "CERT-B", "Kim" },
	[DORA] = { "dora@p.example", FPR("D"), "PART-P", "Dora" },
	/* in CERT-A but not subscribed to the list */
	[OLGA] = { "olga@a.example", "0123456789ABCDEF0123456789ABCDEF01234567",
	    "CERT-A", "Olga" },
};

/* A team's kind and state, as the roster reports them with a contact. */
#define MA	TEAM_KIND_MEMBER, TEAM_ACTIVE
#define MS	TEAM_KIND_MEMBER, TEAM_SUSPENDED
#define MC	TEAM_KIND_MEMBER, TEAM_CANDIDATE
#define ML	TEAM_KIND_MEMBER, TEAM_LEFT
#define PA	TEAM_KIND_PARTNER, TEAM_ACTIVE

#define C(who, kind_state, via, role, clr, key) \
	{ &contacts[who], kind_state, via, role, clr, key, false }

/* The list's subscribers as the roster resolves them. */
enum { NCAND = 18 };
static const struct policy_candidate cands[NCAND] = {
	/* 0 */ C(ALICE, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 1: CERT-A's team subscription: alice again, and bob */
	C(ALICE, MA, "CERT-A", ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 2 */ C(BOB, MA, "CERT-A", ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 3 */ C(CAROL, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 4 */ C(DAVE, PA, NULL, ROLE_PARTNER, TLP_NONE, KEY_USABLE),
	/* 5 */ C(PAULA, PA, NULL, ROLE_PARTNER, TLP_AMBER, KEY_USABLE),
	/* 6 */ C(SAM, PA, NULL, ROLE_PARTNER, TLP_AMBER_STRICT,
	    KEY_USABLE),
	/* 7: a RED clearance never gives a partner RED */
	C(RITA, PA, NULL, ROLE_PARTNER, TLP_RED, KEY_USABLE),
	/* 8: a partner team's contact with a member subscription */
	C(MALLORY, PA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 9 */ C(ERIN, MS, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 10 */ C(FRANK, MC, "CERT-C", ROLE_MEMBER, TLP_NONE, KEY_EXPIRED),
	/* 11 */ C(GINA, ML, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	/* 12 */ C(ADMIN, MA, NULL, ROLE_ADMIN, TLP_NONE, KEY_USABLE),
	/* 13, 14: CERT-H's team subscription, no usable key left */
	C(HANK, MA, "CERT-H", ROLE_MEMBER, TLP_NONE, KEY_EXPIRED),
	C(IVY, MA, "CERT-H", ROLE_MEMBER, TLP_NONE, KEY_REVOKED),
	/* 15 */ C(JUDY, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_MISSING),
	/* 16 */ C(KIM, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_NO_ENCRYPTION),
	/* 17: PART-P's team subscription: one contact, key expired */
	C(DORA, PA, "PART-P", ROLE_PARTNER, TLP_NONE, KEY_EXPIRED),
};

/* A small list: alice (encryption key expired) and a partner. */
static const struct policy_candidate few[] = {
	C(ALICE, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_EXPIRED),
	C(DAVE, PA, NULL, ROLE_PARTNER, TLP_NONE, KEY_USABLE),
};

static const struct team *
team_of(const struct contact *c)
{
	size_t i;

	for (i = 0; i < NTEAMS; i++)
		if (strcmp(teams[i].handle, c->team) == 0)
			return &teams[i];
	return NULL;
}

/* A good post: encrypted, MDC, one piece covered by one good signature,
 * the signed content naming the list. */
#define PIECE	.nsigners = 1, .npieces = 1, .ncovered = 1
#define NAMED	.names_known = true, .names_list = true
#define ONE	PIECE, NAMED
#define GOOD(fpr) \
	{ .encrypted = true, .integrity = true, .nsigs = 1, .sig = SIG_GOOD, \
	  .signer_fpr = fpr, .size = 1000, ONE }
#define FA	FPR("A")

enum { NOBODY = -1 };

struct row {
	const char		*name;
	struct msg_facts	 facts;
	int			 signer;	/* contacts[] or NOBODY */
	enum post_permission	 may_post;
	enum tlp		 label;
	bool			 replay;
	size_t			 max;
	bool			 few;		/* candidates: few[] */
	enum policy_reason	 want;
};

static const struct row rows[] = {
	/* the baseline, and the limit */
	{ "good", GOOD(FA), ALICE, POST_MEMBERS, TLP_AMBER, false, 1000,
	    false, POLICY_OK },
	{ "no limit", { .encrypted = true, .integrity = true, .nsigs = 1, ONE,
	    .sig = SIG_GOOD, .signer_fpr = FA, .size = (size_t)-1 }, ALICE,
	    POST_MEMBERS, TLP_RED, false, 0, false, POLICY_OK },
	{ "too large", { .encrypted = true, .integrity = true, .nsigs = 1, ONE,
	    .sig = SIG_GOOD, .signer_fpr = FA, .size = 1001 }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 1000, false, POLICY_TOO_LARGE },
	/* too-large first: a huge clear, unsigned post by nobody */
	{ "too large first", { .size = 5000 }, NOBODY, POST_MEMBERS,
	    TLP_AMBER, true, 1000, false, POLICY_TOO_LARGE },
	/* what the crypto layer refused (issue 13 item 7): its own reason,
	 * never "not-encrypted" */
	{ "no secret key", { .refusal = MSG_NO_SECRET_KEY, .size = 10 },
	    NOBODY, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_NO_SECRET_KEY },
	/* a passphrase only: crypto/ reports it as no secret key */
	{ "symmetric only", { .refusal = MSG_NO_SECRET_KEY, .size = 10 },
	    NOBODY, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_NO_SECRET_KEY },
	{ "tampered", { .refusal = MSG_DECRYPT_FAILED, .size = 10 }, NOBODY,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_DECRYPT_FAILED },
	{ "malformed", { .refusal = MSG_MALFORMED, .size = 10 }, NOBODY,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_MALFORMED },
	{ "hostile", { .refusal = MSG_HOSTILE, .size = 10 }, NOBODY,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_HOSTILE },
	{ "too large before a refusal", { .refusal = MSG_MALFORMED,
	    .size = 5000 }, NOBODY, POST_MEMBERS, TLP_AMBER, false, 1000,
	    false, POLICY_TOO_LARGE },
	/* a refusal beside facts that say otherwise (crypto/'s bug, or
	 * the worker's): the refusal wins */
	{ "refusal beside good facts", { .refusal = MSG_DECRYPT_FAILED,
	    .encrypted = true, .integrity = true, .nsigs = 1, ONE,
	    .sig = SIG_GOOD, .signer_fpr = FA, .size = 10 }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_DECRYPT_FAILED },
	{ "unknown refusal fails closed", { .refusal = (enum msg_refusal)77,
	    .size = 10 }, NOBODY, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_HOSTILE },
	/* the envelope */
	{ "opaque signed only", { .integrity = false, .nsigs = 1, .nsigners = 1,
	    .npieces = 1, .sig = SIG_GOOD, .signer_fpr = FA, .size = 10 },
	    ALICE, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_NOT_ENCRYPTED },
	{ "not encrypted", { .integrity = true, .nsigs = 1, ONE, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_NOT_ENCRYPTED },
	{ "not encrypted, unsigned", { .size = 10 }, NOBODY, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_NOT_ENCRYPTED },
	{ "no mdc", { .encrypted = true, .nsigs = 1, ONE, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_NO_INTEGRITY },
	{ "no mdc before unprotected", { .encrypted = true,
	    .unprotected_parts = true }, NOBODY, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_NO_INTEGRITY },
	{ "unprotected parts", { .encrypted = true, .integrity = true,
	    .unprotected_parts = true, .nsigs = 1, ONE, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_UNPROTECTED_PARTS },
	/* clear text parts dropped from outside the encryption (pEp) do
	 * not refuse a good post; parts that cannot be dropped still do */
	{ "dropped clear parts", { .encrypted = true, .integrity = true,
	    .ndropped = 2, .nsigs = 1, ONE, .sig = SIG_GOOD, .signer_fpr = FA,
	    .size = 10 }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_OK },
	{ "dropped and unprotected parts", { .encrypted = true,
	    .integrity = true, .ndropped = 1, .unprotected_parts = true,
	    .nsigs = 1, ONE, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_UNPROTECTED_PARTS },
	{ "dropped parts, unsigned", { .encrypted = true, .integrity = true,
	    .ndropped = 1 }, NOBODY, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_NOT_SIGNED },
	{ "dropped parts, partly signed", { .encrypted = true,
	    .integrity = true, .ndropped = 1, .nsigs = 1, .nsigners = 1,
	    .npieces = 2, .ncovered = 1, NAMED, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_PARTLY_SIGNED },
	{ "unprotected before unsigned", { .encrypted = true,
	    .integrity = true, .unprotected_parts = true }, NOBODY,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_UNPROTECTED_PARTS },
	/* the signature */
	{ "not signed", { .encrypted = true, .integrity = true }, NOBODY,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_NOT_SIGNED },
	{ "count without status", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .sig = SIG_NONE, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_NOT_SIGNED },
	{ "status without count", { .encrypted = true, .integrity = true,
	    .nsigs = 0, .npieces = 1, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_NOT_SIGNED },
	{ "two good signatures", { .encrypted = true, .integrity = true,
	    .nsigs = 2, .nsigners = 2, .npieces = 1, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_MULTIPLE_SIGNATURES },
	{ "two signatures, bad", { .encrypted = true, .integrity = true,
	    .nsigs = 2, .nsigners = 2, .npieces = 1, .sig = SIG_BAD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_MULTIPLE_SIGNATURES },
	{ "bad signature", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .sig = SIG_BAD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_BAD_SIGNATURE },
	{ "bad signature, no roster", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .sig = SIG_BAD }, NOBODY, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_BAD_SIGNATURE },
	/* who signed */
	{ "unknown key", { .encrypted = true, .integrity = true, .nsigs = 1, ONE,
	    .sig = SIG_UNKNOWN_KEY, .signer_fpr = "0123456789ABCDEF" },
	    NOBODY, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_UNKNOWN_SIGNER },
	{ "key known, not on roster", GOOD(FPR("F")), NOBODY, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_UNKNOWN_SIGNER },
	{ "roster contact with other key", GOOD(FPR("B")), ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_UNKNOWN_SIGNER },
	{ "no signer fpr", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .sig = SIG_GOOD }, ALICE, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_UNKNOWN_SIGNER },
	{ "fpr any case", GOOD("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    ALICE, POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_OK },
	{ "expired key, not on roster", { .encrypted = true,
	    .integrity = true, .nsigs = 1, ONE, .sig = SIG_KEY_EXPIRED,
	    .signer_fpr = FPR("F") }, NOBODY, POST_MEMBERS, TLP_AMBER, false,
	    0, false, POLICY_UNKNOWN_SIGNER },
	/* the signer's key */
	{ "key revoked", { .encrypted = true, .integrity = true, .nsigs = 1, ONE,
	    .sig = SIG_KEY_REVOKED, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_SIGNER_KEY_REVOKED },
	{ "key expired", { .encrypted = true, .integrity = true, .nsigs = 1, ONE,
	    .sig = SIG_KEY_EXPIRED, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_SIGNER_KEY_EXPIRED },
	{ "signature expired", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .sig = SIG_EXPIRED, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_SIGNATURE_EXPIRED },
	{ "key expired before team state", { .encrypted = true,
	    .integrity = true, .nsigs = 1, ONE, .sig = SIG_KEY_EXPIRED,
	    .signer_fpr = FPR("3") }, ERIN, POST_MEMBERS, TLP_AMBER, false,
	    0, false, POLICY_SIGNER_KEY_EXPIRED },
	/* the signer's team */
	{ "team suspended", GOOD(FPR("3")), ERIN, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_SIGNER_TEAM_NOT_ACTIVE },
	{ "team candidate", GOOD(FPR("4")), FRANK, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_SIGNER_TEAM_NOT_ACTIVE },
	{ "team left", GOOD(FPR("5")), GINA, POST_SUBSCRIBERS, TLP_AMBER,
	    false, 0, false, POLICY_SIGNER_TEAM_NOT_ACTIVE },
	{ "team suspended, replay", GOOD(FPR("3")), ERIN, POST_MEMBERS,
	    TLP_AMBER, true, 0, false, POLICY_SIGNER_TEAM_NOT_ACTIVE },
	/* permission: members */
	{ "member via team subscription", GOOD(FPR("B")), BOB, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_OK },
	{ "partner on members list", GOOD(FPR("D")), DAVE, POST_MEMBERS,
	    TLP_GREEN, false, 0, false, POLICY_NOT_ALLOWED_TO_POST },
	{ "partner team, member role", GOOD(FPR("2")), MALLORY, POST_MEMBERS,
	    TLP_GREEN, false, 0, false, POLICY_NOT_ALLOWED_TO_POST },
	{ "admin only on members list", GOOD(FPR("6")), ADMIN, POST_MEMBERS,
	    TLP_GREEN, false, 0, false, POLICY_NOT_ALLOWED_TO_POST },
	{ "not subscribed, members", GOOD("0123456789ABCDEF0123456789ABCDEF"
	    "01234567"), OLGA, POST_MEMBERS, TLP_GREEN, false, 0, false,
	    POLICY_NOT_ALLOWED_TO_POST },
	/* permission: admins */
	{ "member on admins list", GOOD(FA), ALICE, POST_ADMINS, TLP_GREEN,
	    false, 0, false, POLICY_NOT_ALLOWED_TO_POST },
	{ "admin on admins list", GOOD(FPR("6")), ADMIN, POST_ADMINS,
	    TLP_GREEN, false, 0, false, POLICY_OK },
	/* permission: any subscriber */
	{ "partner on subscribers list", GOOD(FPR("D")), DAVE,
	    POST_SUBSCRIBERS, TLP_GREEN, false, 0, false, POLICY_OK },
	{ "admin on subscribers list", GOOD(FPR("6")), ADMIN,
	    POST_SUBSCRIBERS, TLP_GREEN, false, 0, false, POLICY_OK },
	{ "not subscribed, subscribers", GOOD("0123456789ABCDEF0123456789AB"
	    "CDEF01234567"), OLGA, POST_SUBSCRIBERS, TLP_GREEN, false, 0,
	    false, POLICY_NOT_ALLOWED_TO_POST },
	/* replay */
	{ "replay", GOOD(FA), ALICE, POST_MEMBERS, TLP_AMBER, true, 0, false,
	    POLICY_REPLAY },
	{ "not allowed before replay", GOOD(FPR("D")), DAVE, POST_MEMBERS,
	    TLP_AMBER, true, 0, false, POLICY_NOT_ALLOWED_TO_POST },
	/* recipients */
	{ "no recipients", GOOD(FA), ALICE, POST_MEMBERS, TLP_RED, false, 0,
	    true, POLICY_NO_RECIPIENTS },
	{ "only the partner", GOOD(FA), ALICE, POST_MEMBERS, TLP_GREEN,
	    false, 0, true, POLICY_OK },
	/* coverage: every piece signed once, inside its encryption, by
	 * one key */
	{ "spliced: one of two pieces signed", { .encrypted = true,
	    .integrity = true, .nsigs = 1, .nsigners = 1, .npieces = 2,
	    .ncovered = 1, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_PARTLY_SIGNED },
	{ "spliced, not even by a member", { .encrypted = true,
	    .integrity = true, .nsigs = 1, .nsigners = 1, .npieces = 2,
	    .ncovered = 1, .sig = SIG_GOOD, .signer_fpr = FPR("F") }, NOBODY,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_PARTLY_SIGNED },
	{ "signature outside the encryption", { .encrypted = true,
	    .integrity = true, .nsigs = 1, .nsigners = 1, .npieces = 1,
	    .ncovered = 0, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_PARTLY_SIGNED },
	{ "no pieces at all", { .encrypted = true, .integrity = true,
	    .nsigs = 1, .nsigners = 1, .sig = SIG_GOOD, .signer_fpr = FA },
	    ALICE, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_MULTIPLE_SIGNATURES },
	{ "clearsigned piece beside an encrypted one", { .encrypted = true,
	    .integrity = true, .unprotected_parts = true, .nsigs = 1,
	    .nsigners = 1, .npieces = 2, .ncovered = 0, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_UNPROTECTED_PARTS },
	{ "two pieces, one signer, both covered", { .encrypted = true,
	    .integrity = true, .nsigs = 2, .nsigners = 1, .npieces = 2,
	    .ncovered = 2, .sig = SIG_GOOD, .signer_fpr = FA,
	    .names_known = false, .sig_age = 10 }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_OK },
	{ "two pieces, two signers", { .encrypted = true, .integrity = true,
	    .nsigs = 2, .nsigners = 2, .npieces = 2, .ncovered = 2,
	    .sig = SIG_GOOD, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_MULTIPLE_SIGNATURES },
	{ "one piece signed twice by one key", { .encrypted = true,
	    .integrity = true, .nsigs = 2, .nsigners = 1, .npieces = 1,
	    .ncovered = 0, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_MULTIPLE_SIGNATURES },
	{ "two pieces, one bad", { .encrypted = true, .integrity = true,
	    .nsigs = 2, .nsigners = 1, .npieces = 2, .ncovered = 2,
	    .sig = SIG_BAD, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_BAD_SIGNATURE },
	/* binding to the list */
	{ "signed for other recipients", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .names_known = true,
	    .sig = SIG_GOOD, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_NOT_FOR_THIS_LIST },
	{ "signed for others, by a stranger", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .names_known = true,
	    .sig = SIG_GOOD, .signer_fpr = FPR("F") }, NOBODY, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_UNKNOWN_SIGNER },
	{ "signed for others, partner on members list", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .names_known = true,
	    .sig = SIG_GOOD, .signer_fpr = FPR("D") }, DAVE, POST_MEMBERS,
	    TLP_GREEN, false, 0, false, POLICY_NOT_ALLOWED_TO_POST },
	{ "names nobody, fresh", { .encrypted = true, .integrity = true,
	    .nsigs = 1, PIECE,
	    .sig_age = 3600, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_OK },
	{ "names nobody, just at the limit", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .sig_age = 48 * 3600, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_OK },
	{ "names nobody, stale", { .encrypted = true, .integrity = true,
	    .nsigs = 1, PIECE,
	    .sig_age = 48 * 3600 + 1, .sig = SIG_GOOD, .signer_fpr = FA },
	    ALICE, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_SIGNATURE_TOO_OLD },
	{ "names the list, stale", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .sig_age = 30 * 86400, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_OK },
	{ "stale, team suspended", { .encrypted = true, .integrity = true,
	    .nsigs = 1, PIECE,
	    .sig_age = 30 * 86400, .sig = SIG_GOOD, .signer_fpr = FPR("3") },
	    ERIN, POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_SIGNER_TEAM_NOT_ACTIVE },
	{ "names nobody, signed an hour ahead", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .sig_age = -3600,
	    .sig = SIG_GOOD, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_OK },
	{ "names nobody, signed further ahead", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .sig_age = -3601,
	    .sig = SIG_GOOD, .signer_fpr = FA }, ALICE, POST_MEMBERS,
	    TLP_AMBER, false, 0, false, POLICY_SIGNATURE_TOO_OLD },
	/* the list's key */
	{ "encrypted to another key", { .encrypted = true, .integrity = true,
	    .not_to_list = true, .nsigs = 1, ONE, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_NOT_ENCRYPTED_TO_LIST },
	{ "another key, no mdc", { .encrypted = true, .not_to_list = true,
	    .nsigs = 1, ONE, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_NO_INTEGRITY },
	{ "another key, unprotected parts", { .encrypted = true,
	    .integrity = true, .not_to_list = true, .unprotected_parts = true,
	    .nsigs = 1, ONE, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_NOT_ENCRYPTED_TO_LIST },
	/* the label */
	{ "tlp unreadable", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .tlp_unreadable = true, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, false, 0,
	    false, POLICY_TLP_UNREADABLE },
	{ "tlp unreadable, replay", { .encrypted = true, .integrity = true,
	    .nsigs = 1, ONE, .tlp_unreadable = true, .sig = SIG_GOOD,
	    .signer_fpr = FA }, ALICE, POST_MEMBERS, TLP_AMBER, true, 0,
	    false, POLICY_TLP_UNREADABLE },
	{ "tlp unreadable, not for this list", { .encrypted = true,
	    .integrity = true, .nsigs = 1, PIECE, .names_known = true,
	    .tlp_unreadable = true, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false,
	    POLICY_NOT_FOR_THIS_LIST },
};

static void
input_for(const struct row *r, struct policy_input *in, struct list *l)
{
	memset(l, 0, sizeof *l);
	strcpy(l->name, "ops");
	l->default_tlp = TLP_AMBER;
	l->may_post = r->may_post;
	l->opts.max_signature_age = 48 * 3600;
	memset(in, 0, sizeof *in);
	in->facts = &r->facts;
	in->list = l;
	if (r->signer != NOBODY) {
		in->signer = &contacts[r->signer];
		in->signer_team = team_of(in->signer);
	}
	in->cand = r->few ? few : cands;
	in->ncand = r->few ? sizeof few / sizeof few[0] : NCAND;
	in->label = r->label;
	in->replay = r->replay;
	in->max_size = r->max;
}

static void
test_reject_matrix(void **state)
{
	struct policy_decision d;
	struct policy_input in;
	struct list l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		input_for(&rows[i], &in, &l);
		memset(&d, 0x5a, sizeof d);
		policy_decide(&in, &d);
		if (d.reason != rows[i].want)
			fail_msg("%s: got %s, want %s", rows[i].name,
			    policy_reason_str(d.reason),
			    policy_reason_str(rows[i].want));
		assert_int_equal(d.verdict == POLICY_ACCEPT,
		    rows[i].want == POLICY_OK);
		if (d.verdict == POLICY_ACCEPT) {
			assert_true(d.nincluded > 0);
			assert_int_equal(d.ndropped, rows[i].facts.ndropped);
			/* the copy says when the list was not named */
			assert_int_equal(d.unbound,
			    !rows[i].facts.names_known);
		}
		/* Rejected before recipients: no recipient set at all. */
		if (rows[i].want != POLICY_OK &&
		    rows[i].want != POLICY_NO_RECIPIENTS) {
			assert_null(d.rcpts);
			assert_int_equal(d.nrcpts, 0);
			assert_int_equal(d.nincluded, 0);
		}
		policy_decision_free(&d);
		assert_null(d.rcpts);
	}
}

/*
 * Signed in clear (issue 13 item 8): only a not-encrypted post whose one
 * good signature is the roster signer's, with nothing beside it, proves
 * who wrote it (the member is then told, as a member is).
 */
static void
test_signer_proven(void **state)
{
	/* signed in clear by A: a multipart/signed or clearsigned post */
#define CS	.npieces = 1, .signer_fpr = FA, .size = 10
	static const struct {
		const char		*name;
		struct msg_facts	 facts;
		int			 signer;
		bool			 want;
	} t[] = {
		{ "multipart/signed by alice", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_GOOD, CS }, ALICE, true },
		{ "two clearsigned blocks by alice", { .nsigs = 2,
		    .nsigners = 1, .sig = SIG_GOOD, .npieces = 2,
		    .signer_fpr = FA }, ALICE, true },
		{ "bad signature", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_BAD, CS }, ALICE, false },
		{ "unknown key", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_UNKNOWN_KEY, CS }, ALICE, false },
		{ "expired key", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_KEY_EXPIRED, CS }, ALICE, false },
		{ "two signers", { .nsigs = 2, .nsigners = 2,
		    .sig = SIG_GOOD, CS }, ALICE, false },
		{ "text around it", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_GOOD, .unprotected_parts = true, CS }, ALICE,
		    false },
		{ "no roster contact", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_GOOD, CS }, NOBODY, false },
		/* the roster handed over another contact than the key's */
		{ "another contact", { .nsigs = 1, .nsigners = 1,
		    .sig = SIG_GOOD, CS }, BOB, false },
		{ "not signed", { .size = 10 }, ALICE, false },
		{ "a refusal", { .refusal = MSG_MALFORMED, .nsigs = 1,
		    .nsigners = 1, .sig = SIG_GOOD, CS }, ALICE, false },
		/* refused for something else than not-encrypted */
		{ "encrypted, unsigned piece", { .encrypted = true,
		    .integrity = true, .nsigs = 1, .nsigners = 1,
		    .sig = SIG_GOOD, .npieces = 2, .ncovered = 1,
		    .signer_fpr = FA }, ALICE, false },
	};
#undef CS
	struct policy_decision d;
	struct policy_input in;
	struct list l;
	struct row r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&r, 0, sizeof r);
		r.name = t[i].name;
		r.facts = t[i].facts;
		r.signer = t[i].signer;
		r.may_post = POST_MEMBERS;
		r.label = TLP_AMBER;
		input_for(&r, &in, &l);
		policy_decide(&in, &d);
		if (d.signer_proven != t[i].want)
			fail_msg("%s: signer_proven %d, reason %s", t[i].name,
			    d.signer_proven, policy_reason_str(d.reason));
		assert_int_equal(d.verdict, POLICY_REJECT);
		policy_decision_free(&d);
	}
}

/* max_signature_age=0 switches the freshness check off. */
static void
test_age_check_off(void **state)
{
	static const struct row r = { "stale, age check off", {
	    .encrypted = true, .integrity = true, .nsigs = 1, PIECE,
	    .sig_age = 30 * 86400, .sig = SIG_GOOD, .signer_fpr = FA }, ALICE,
	    POST_MEMBERS, TLP_AMBER, false, 0, false, POLICY_OK };
	struct policy_decision d;
	struct policy_input in;
	struct list l;

	(void)state;
	input_for(&r, &in, &l);
	policy_decide(&in, &d);
	assert_int_equal(d.reason, POLICY_SIGNATURE_TOO_OLD);
	policy_decision_free(&d);
	l.opts.max_signature_age = 0;
	policy_decide(&in, &d);
	assert_int_equal(d.reason, POLICY_OK);
	assert_true(d.unbound);
	policy_decision_free(&d);
}

/* Each reason has a distinct token and an advice sentence. */
static void
test_strings(void **state)
{
	enum policy_reason r, q;
	enum skip_reason s, t;
	enum key_usability k;
	enum sig_status g;
	const char *a;

	(void)state;
	for (r = POLICY_OK; r <= POLICY_NO_RECIPIENTS; r++) {
		assert_string_not_equal(policy_reason_str(r), "unknown");
		a = policy_reason_advice(r);
		assert_true(strlen(a) > 10 && a[strlen(a) - 1] == '.');
		for (q = POLICY_OK; q < r; q++)
			assert_string_not_equal(policy_reason_str(q),
			    policy_reason_str(r));
	}
	assert_string_equal(policy_reason_str(POLICY_NOT_ENCRYPTED),
	    "not-encrypted");
	assert_string_equal(policy_reason_str(POLICY_NO_INTEGRITY),
	    "no-integrity");
	/* the crypto layer's own tokens (crypto_status_str()) */
	assert_string_equal(policy_reason_str(POLICY_NO_SECRET_KEY),
	    "no-secret-key");
	assert_string_equal(policy_reason_str(POLICY_DECRYPT_FAILED),
	    "decrypt-failed");
	assert_string_equal(policy_reason_str(POLICY_MALFORMED), "malformed");
	assert_string_equal(policy_reason_str(POLICY_HOSTILE),
	    "hostile-structure");
	assert_non_null(strstr(policy_reason_advice(POLICY_NO_SECRET_KEY),
	    "-sendkey"));
	assert_non_null(strstr(policy_reason_advice(POLICY_NOT_ENCRYPTED),
	    "-sendkey"));
	assert_string_equal(policy_reason_str((enum policy_reason)99),
	    "unknown");
	assert_non_null(strstr(policy_reason_advice(
	    POLICY_SIGNER_KEY_EXPIRED), "-owner"));
	for (s = SKIP_NONE; s <= SKIP_OWN_COPY; s++) {
		assert_string_not_equal(skip_reason_str(s), "unknown");
		for (t = SKIP_NONE; t < s; t++)
			assert_string_not_equal(skip_reason_str(t),
			    skip_reason_str(s));
	}
	for (k = KEY_USABLE; k <= KEY_MISSING; k++)
		assert_string_not_equal(key_usability_str(k), "unknown");
	for (g = SIG_NONE; g <= SIG_EXPIRED; g++)
		assert_string_not_equal(sig_status_str(g), "unknown");
	assert_string_equal(team_state_str(TEAM_SUSPENDED), "suspended");
	assert_string_equal(post_permission_str(POST_ADMINS), "admins");
}

/* Model vocabularies: _str and _from_name round trip. */
static void
test_model_names(void **state)
{
	enum team_kind k;
	enum team_state s, s2;
	enum post_permission p, p2;

	(void)state;
	assert_int_equal(team_kind_from_name("Partner", &k), 0);
	assert_int_equal(k, TEAM_KIND_PARTNER);
	assert_int_equal(team_kind_from_name("member", &k), 0);
	assert_int_equal(k, TEAM_KIND_MEMBER);
	assert_int_equal(team_kind_from_name("admin", &k), -1);
	assert_int_equal(team_kind_from_name(NULL, &k), -1);
	for (s = TEAM_CANDIDATE; s <= TEAM_LEFT; s++) {
		assert_int_equal(team_state_from_name(team_state_str(s), &s2),
		    0);
		assert_int_equal(s, s2);
	}
	assert_int_equal(team_state_from_name("gone", &s2), -1);
	for (p = POST_MEMBERS; p <= POST_SUBSCRIBERS; p++) {
		assert_int_equal(post_permission_from_name(
		    post_permission_str(p), &p2), 0);
		assert_int_equal(p, p2);
	}
	assert_int_equal(post_permission_from_name("everyone", &p2), -1);
	assert_string_equal(team_kind_str(TEAM_KIND_PARTNER), "partner");
}

/*
 * The recipient set per label, for a post by alice: one column per
 * candidate of cands[].  The TLP check comes before the key check, so a
 * partner with an expired key is "tlp-not-cleared" for AMBER and up.
 */
#define IN	SKIP_NONE
#define DUP	SKIP_DUPLICATE
#define TNA	SKIP_TEAM_NOT_ACTIVE
#define ADM	SKIP_ADMIN_ONLY
#define TLP	SKIP_TLP_NOT_CLEARED
#define KEXP	SKIP_KEY_EXPIRED
#define KREV	SKIP_KEY_REVOKED
#define KMIS	SKIP_KEY_MISSING
#define KUNU	SKIP_KEY_UNUSABLE

static const struct {
	enum tlp		 label;
	enum skip_reason	 want[NCAND];
	size_t			 nincluded;
} rcpt_rows[] = {
	/*              al   al2  bob  carl dave paul sam  rita mall
	 *              erin frnk gina adm  hank ivy  judy kim  dora */
	{ TLP_CLEAR, { IN, DUP, IN, IN, IN, IN, IN, IN, IN,
	    TNA, TNA, TNA, ADM, KEXP, KREV, KMIS, KUNU, KEXP }, 8 },
	{ TLP_GREEN, { IN, DUP, IN, IN, IN, IN, IN, IN, IN,
	    TNA, TNA, TNA, ADM, KEXP, KREV, KMIS, KUNU, KEXP }, 8 },
	{ TLP_AMBER, { IN, DUP, IN, IN, TLP, IN, IN, IN, TLP,
	    TNA, TNA, TNA, ADM, KEXP, KREV, KMIS, KUNU, TLP }, 6 },
	{ TLP_AMBER_STRICT, { IN, DUP, IN, IN, TLP, TLP, IN, IN, TLP,
	    TNA, TNA, TNA, ADM, KEXP, KREV, KMIS, KUNU, TLP }, 5 },
	{ TLP_RED, { IN, DUP, IN, IN, TLP, TLP, TLP, TLP, TLP,
	    TNA, TNA, TNA, ADM, KEXP, KREV, KMIS, KUNU, TLP }, 3 },
};

static void
test_recipient_matrix(void **state)
{
	struct policy_decision d;
	struct policy_input in;
	struct list l;
	struct row r = { "rcpt", GOOD(FA), ALICE, POST_MEMBERS, TLP_NONE,
	    false, 0, false, POLICY_OK };
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof rcpt_rows / sizeof rcpt_rows[0]; i++) {
		r.label = rcpt_rows[i].label;
		input_for(&r, &in, &l);
		policy_decide(&in, &d);
		assert_int_equal(d.verdict, POLICY_ACCEPT);
		assert_int_equal(d.reason, POLICY_OK);
		assert_int_equal(d.nrcpts, NCAND);
		n = 0;
		for (j = 0; j < NCAND; j++) {
			if (d.rcpts[j].cand != &cands[j])
				fail_msg("%s: rcpt %zu: order",
				    tlp_str(r.label), j);
			if (d.rcpts[j].skip != rcpt_rows[i].want[j])
				fail_msg("%s: %s: got %s, want %s",
				    tlp_str(r.label), cands[j].contact->address,
				    skip_reason_str(d.rcpts[j].skip),
				    skip_reason_str(rcpt_rows[i].want[j]));
			assert_int_equal(d.rcpts[j].included,
			    d.rcpts[j].skip == SKIP_NONE);
			n += d.rcpts[j].included;
		}
		assert_int_equal(n, rcpt_rows[i].nincluded);
		assert_int_equal(d.nincluded, rcpt_rows[i].nincluded);
		/* Keys only, whatever the label: CERT-H and PART-P, never
		 * the candidate team CERT-C nor CERT-A (bob's key works). */
		assert_int_equal(d.nlost_teams, 2);
		assert_string_equal(d.lost_teams[0], "CERT-H");
		assert_string_equal(d.lost_teams[1], "PART-P");
		policy_decision_free(&d);
	}
}

/* Partners never get RED, whatever their clearance or subscription. */
static void
test_partner_never_red(void **state)
{
	static const enum tlp clr[] = { TLP_NONE, TLP_CLEAR, TLP_GREEN,
	    TLP_AMBER, TLP_AMBER_STRICT, TLP_RED };
	static const enum role roles[] = { ROLE_MEMBER, ROLE_PARTNER };
	struct policy_candidate c[2] = {
		C(ALICE, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
		C(DAVE, PA, NULL, ROLE_PARTNER, TLP_NONE, KEY_USABLE),
	};
	struct row r = { "red", GOOD(FA), ALICE, POST_MEMBERS, TLP_RED,
	    false, 0, false, POLICY_OK };
	struct policy_decision d;
	struct policy_input in;
	struct list l;
	size_t i, j;

	(void)state;
	for (i = 0; i < 6; i++)
		for (j = 0; j < 2; j++) {
			c[1].clearance = clr[i];
			c[1].role = roles[j];
			input_for(&r, &in, &l);
			in.cand = c;
			in.ncand = 2;
			policy_decide(&in, &d);
			assert_int_equal(d.verdict, POLICY_ACCEPT);
			assert_true(d.rcpts[0].included);
			assert_false(d.rcpts[1].included);
			assert_int_equal(d.rcpts[1].skip,
			    SKIP_TLP_NOT_CLEARED);
			policy_decision_free(&d);
		}
}

/* One copy per contact: the first includable subscription wins. */
static void
test_duplicates(void **state)
{
	struct contact upper = contacts[CAROL], me = contacts[ALICE];
	struct policy_candidate c[] = {
		/* admin-only first: skipped, so the member one counts */
		C(CAROL, MA, NULL, ROLE_ADMIN, TLP_NONE, KEY_USABLE),
		C(CAROL, MA, "CERT-B", ROLE_MEMBER, TLP_NONE, KEY_USABLE),
		{ &upper, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE, false },
		C(ALICE, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	};
	struct row r = { "dup", GOOD(FA), ALICE, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_OK };
	struct policy_decision d;
	struct policy_input in;
	struct list l;

	(void)state;
	/* Address case does not make another contact. */
	memcpy(upper.address, "CAROL", 5);
	input_for(&r, &in, &l);
	in.cand = c;
	in.ncand = 4;
	policy_decide(&in, &d);
	assert_int_equal(d.verdict, POLICY_ACCEPT);
	assert_int_equal(d.rcpts[0].skip, SKIP_ADMIN_ONLY);
	assert_int_equal(d.rcpts[1].skip, SKIP_NONE);
	assert_int_equal(d.rcpts[2].skip, SKIP_DUPLICATE);
	assert_int_equal(d.rcpts[3].skip, SKIP_NONE);
	assert_int_equal(d.nincluded, 2);
	assert_int_equal(d.nlost_teams, 0);
	policy_decision_free(&d);
	policy_decision_free(NULL);
	/* a contact whose delivery the list disabled is subscribed but
	 * sent nothing (lists/store.h "delivery") */
	c[3].disabled = true;
	policy_decide(&in, &d);
	assert_int_equal(d.verdict, POLICY_ACCEPT);
	assert_int_equal(d.rcpts[3].skip, SKIP_DISABLED);
	assert_int_equal(d.nincluded, 1);
	policy_decision_free(&d);
	/* the signer (ALICE) said "copy off": everyone else still gets
	 * theirs, and with copy on it gets its own */
	c[3].disabled = false;
	me.no_own_copy = true;
	in.signer = &me;
	policy_decide(&in, &d);
	assert_int_equal(d.verdict, POLICY_ACCEPT);
	assert_int_equal(d.rcpts[1].skip, SKIP_NONE);
	assert_int_equal(d.rcpts[3].skip, SKIP_OWN_COPY);
	assert_int_equal(d.nincluded, 1);
	policy_decision_free(&d);
	me.no_own_copy = false;
	policy_decide(&in, &d);
	assert_int_equal(d.rcpts[3].skip, SKIP_NONE);
	assert_int_equal(d.nincluded, 2);
	policy_decision_free(&d);
}

/* A team subscription is each of its contacts; losing the last usable
 * key is reported once, and a working key anywhere in the team is not. */
static void
test_team_keys(void **state)
{
	struct policy_candidate c[] = {
		C(ALICE, MA, NULL, ROLE_MEMBER, TLP_NONE, KEY_USABLE),
		C(CAROL, MA, "CERT-B", ROLE_MEMBER, TLP_NONE, KEY_REVOKED),
		C(JUDY, MA, "CERT-B", ROLE_MEMBER, TLP_NONE, KEY_MISSING),
		C(KIM, MA, "CERT-B", ROLE_MEMBER, TLP_NONE, KEY_NO_ENCRYPTION),
		C(HANK, MA, "CERT-H", ROLE_MEMBER, TLP_NONE, KEY_EXPIRED),
		C(IVY, MA, "CERT-H", ROLE_MEMBER, TLP_NONE, KEY_USABLE),
	};
	struct row r = { "keys", GOOD(FA), ALICE, POST_MEMBERS, TLP_AMBER,
	    false, 0, false, POLICY_OK };
	struct policy_decision d;
	struct policy_input in;
	struct list l;

	(void)state;
	input_for(&r, &in, &l);
	in.cand = c;
	in.ncand = 6;
	policy_decide(&in, &d);
	assert_int_equal(d.verdict, POLICY_ACCEPT);
	assert_int_equal(d.nincluded, 2);
	assert_int_equal(d.rcpts[1].skip, SKIP_KEY_REVOKED);
	assert_int_equal(d.rcpts[2].skip, SKIP_KEY_MISSING);
	assert_int_equal(d.rcpts[3].skip, SKIP_KEY_UNUSABLE);
	assert_int_equal(d.rcpts[4].skip, SKIP_KEY_EXPIRED);
	assert_true(d.rcpts[5].included);
	assert_int_equal(d.nlost_teams, 1);
	assert_string_equal(d.lost_teams[0], "CERT-B");
	policy_decision_free(&d);
}

/* No recipients: rejected, but the skip reasons are kept for notices. */
static void
test_no_recipients_detail(void **state)
{
	struct row r = { "none", GOOD(FA), ALICE, POST_MEMBERS, TLP_RED,
	    false, 0, true, POLICY_NO_RECIPIENTS };
	struct policy_decision d;
	struct policy_input in;
	struct list l;

	(void)state;
	input_for(&r, &in, &l);
	policy_decide(&in, &d);
	assert_int_equal(d.verdict, POLICY_REJECT);
	assert_int_equal(d.reason, POLICY_NO_RECIPIENTS);
	assert_int_equal(d.nrcpts, 2);
	assert_int_equal(d.rcpts[0].skip, SKIP_KEY_EXPIRED);
	assert_int_equal(d.rcpts[1].skip, SKIP_TLP_NOT_CLEARED);
	policy_decision_free(&d);

	/* An empty list: nothing to deliver to. */
	input_for(&r, &in, &l);
	in.cand = NULL;
	in.ncand = 0;
	policy_decide(&in, &d);
	assert_int_equal(d.reason, POLICY_NOT_ALLOWED_TO_POST);
	policy_decision_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reject_matrix),
		cmocka_unit_test(test_age_check_off),
		cmocka_unit_test(test_signer_proven),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_model_names),
		cmocka_unit_test(test_recipient_matrix),
		cmocka_unit_test(test_partner_never_red),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_team_keys),
		cmocka_unit_test(test_no_recipients_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
