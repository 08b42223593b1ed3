/*
 * contact_key: whether a key may be a contact's, with its I/O -- the glue
 * around lists/keyrule, as lists/roster is around lists/policy.
 *
 * contact_key_accept() reads the facts of the one key in a key file
 * without importing it (crypto/keyinspect: a scratch keyring, merged with
 * the hub keyring's copy of that key if it has one), judges them with
 * keyrule_check() for the contact's address, refuses the hub's and the
 * lists' own keys (store_own_key()), and only then imports the key into
 * the hub keyring.  So a refused key never reaches the hub keyring, and
 * nothing is merged into the hub's own key.  The contact itself is not
 * recorded: the caller does that (store_contact_add()) with r->fpr.
 *
 * Steps, in order; the first that fails is the status:
 *   no-key        the data holds no OpenPGP key
 *   not-one       it holds r->nkeys keys, not one
 *   not-imported  gpg would not take the key (unusable, malformed, or
 *                 secret key material)
 *   refused       lists/keyrule: r->problem, explained in r->why; or
 *                 more than 500 certifications (r->why says so); or
 *                 (r->problem KEYRULE_OK, r->why says so) a primary key
 *                 or subkey of it is already in the hub keyring under
 *                 another primary key (a shared subkey makes the
 *                 signatures it made ambiguous)
 *   own-key       the hub's or a list's key: r->owner names it
 *   crypto, store the environment failed (r->crypto, r->store with
 *                 store_errmsg())
 *
 * Used by hubctl (contact add) and, later, the worker (key updates by
 * mail).  Blocks while gpg runs and on the store.  *r is always filled;
 * nothing to free.
 */
#ifndef LISTS_CONTACT_KEY_H
#define LISTS_CONTACT_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "lists/keyrule.h"
#include "lists/model.h"
#include "lists/store.h"

enum contact_key_status {
	CONTACT_KEY_OK = 0,		/* acceptable, and imported */
	CONTACT_KEY_NO_KEY,
	CONTACT_KEY_NOT_ONE,
	CONTACT_KEY_NOT_IMPORTED,
	CONTACT_KEY_REFUSED,
	CONTACT_KEY_OWN_KEY,
	CONTACT_KEY_CRYPTO,
	CONTACT_KEY_STORE,
};

struct contact_key_result {
	char			 fpr[MODEL_FPR_LEN];	/* "" until known */
	int			 nkeys;		/* keys in the data */
	enum keyrule_problem	 problem;	/* refused: why */
	char			 why[256];	/* keyrule_explain() */
	char			 owner[MODEL_LIST_MAX + 32];	/* own-key */
	enum crypto_status	 crypto;	/* crypto: what failed */
	enum store_status	 store;		/* store: what failed */
	bool			 revoked;	/* the key (merged) is revoked */
};

/* address is the contact's (any case); data is the key file's text. */
enum contact_key_status contact_key_accept(struct store *s, struct gpg *g,
    const char *address, const void *data, size_t len,
    struct contact_key_result *r) CRYPTO_WUR;
/* The same judgement without importing anything (a key held for an
 * admin stays out of the hub keyring until accepted). */
enum contact_key_status contact_key_check(struct store *s, struct gpg *g,
    const char *address, const void *data, size_t len,
    struct contact_key_result *r) CRYPTO_WUR;
/* The import of data that contact_key_check() found acceptable (r as it
 * filled it): CONTACT_KEY_OK when r->fpr came in or merged.  Judging
 * twice costs a scratch keyring of gpg runs. */
enum contact_key_status contact_key_import(struct gpg *g, const void *data,
    size_t len, struct contact_key_result *r) CRYPTO_WUR;
/*
 * A revoked copy of current, the contact's key: the revocation proves
 * itself (only the key's holder can make it), so it is imported though
 * contact_key_accept() refuses a revoked key; mail signed by the key is
 * refused from then on.  CONTACT_KEY_OK when imported; CONTACT_KEY_REFUSED
 * for any other key or a key that is not revoked.
 */
enum contact_key_status contact_key_revocation(struct gpg *g,
    const char *address, const char *current, const void *data, size_t len,
    struct contact_key_result *r) CRYPTO_WUR;

/*
 * The rule applied to a key as crypto/keys reports it (a key already in
 * the keyring: hubctl contact show), at time now; why gets
 * keyrule_explain()'s sentence.
 */
enum keyrule_problem contact_key_judge(const struct key_info *ki,
    const char *address, long long now, char *why, size_t size);

#endif
