/*
 * keyrule: may a key be a contact's key, as one pure function.  The hub
 * encrypts every copy a contact receives to the key the roster names, so
 * a key it could not encrypt to, or one that does not name the contact's
 * address, is refused before it is recorded (hubctl contact add, and the
 * mailed key updates to come).
 *
 * Given the facts of one key (struct keyrule_facts, defined here so the
 * rule does not depend on crypto/'s types: lists/contact_key translates
 * crypto/keys' struct key_info into it), the contact's address and the
 * time now, keyrule_check() returns the first problem, or KEYRULE_OK.
 *
 * Checks run in this order; the first that fails is the problem:
 *   1. key-revoked      the primary key is revoked
 *   2. key-expired      flagged expired, or its expiry is at or before now
 *   3. key-invalid
 *   4. key-disabled
 *   5. cannot-encrypt   no encryption subkey valid now
 *   6. no-user-id       no user id, neither revoked nor invalid, whose
 *                       address is the contact's (case-insensitively)
 * Why this order: revocation is the gravest fact and may mean compromise,
 * so it is named even when the key has also expired; the state of the
 * whole key (1-4) before its parts (5), and what the key can do before
 * whom it names (6), so an admin first hears why the key is useless to
 * anyone.
 *
 * Decisions where the issue was silent:
 *  - Signing is not required: a partner's contact only receives, and a
 *    key that cannot sign never posts anyway (lists/policy refuses the
 *    unsigned).
 *  - A key another contact already uses is accepted: one person may be
 *    reachable under two addresses, and the store allows it.  The hub's
 *    and the lists' own keys are refused by the store, not here.
 *
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef LISTS_KEYRULE_H
#define LISTS_KEYRULE_H

#include <stdbool.h>
#include <stddef.h>

struct keyrule_uid {
	const char	*email;		/* the user id's address; NULL: none */
	bool		 revoked;
	bool		 invalid;
};

struct keyrule_facts {
	bool				 revoked;
	bool				 expired;	/* as gpg flags it */
	bool				 invalid;
	bool				 disabled;
	long long			 expires;	/* primary; 0: never */
	bool				 can_encrypt;	/* a subkey, now */
	const struct keyrule_uid	*uids;
	size_t				 nuids;
};

enum keyrule_problem {
	KEYRULE_OK = 0,
	KEYRULE_REVOKED,
	KEYRULE_EXPIRED,
	KEYRULE_INVALID,
	KEYRULE_DISABLED,
	KEYRULE_CANNOT_ENCRYPT,
	KEYRULE_NO_USER_ID,
};

/* The first problem of k as address's key at time now (time(2)). */
enum keyrule_problem keyrule_check(const struct keyrule_facts *k,
    const char *address, long long now);

/* Log tokens: "ok", "key-revoked", "no-user-id" ... (static). */
const char *keyrule_problem_str(enum keyrule_problem p);
/* The fixed sentence: "key is revoked", "key has no user id for the
 * address" ... (static). */
const char *keyrule_problem_text(enum keyrule_problem p);
/*
 * The sentence for the admin, with what the fixed text cannot name: the
 * day of the expiry (UTC) and the address ("key expired on 2020-01-02",
 * "key has no user id for carol@cert.test").  Always NUL-terminates dst
 * (size > 0).
 */
void keyrule_explain(enum keyrule_problem p, const struct keyrule_facts *k,
    const char *address, char *dst, size_t size);

#endif
