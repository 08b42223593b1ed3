/*
 * contact_key: the I/O around lists/keyrule; see lists/contact_key.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/keyinspect.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "lists/contact_key.h"

enum keyrule_problem
contact_key_judge(const struct key_info *ki, const char *address,
    long long now, char *why, size_t size)
{
	struct keyrule_facts k;
	struct keyrule_uid *uids;
	enum keyrule_problem p;
	size_t i;

	uids = xcalloc(ki->nuids + 1, sizeof *uids);
	for (i = 0; i < ki->nuids; i++) {
		uids[i].email = ki->uids[i].email;
		uids[i].revoked = ki->uids[i].revoked != 0;
		uids[i].invalid = ki->uids[i].invalid != 0;
	}
	memset(&k, 0, sizeof k);
	k.revoked = ki->revoked != 0;
	k.expired = ki->expired != 0;
	k.invalid = ki->invalid != 0;
	k.disabled = ki->disabled != 0;
	k.expires = ki->expires;
	k.can_encrypt = keys_can_encrypt(ki) != 0;
	k.uids = uids;
	k.nuids = ki->nuids;
	p = keyrule_check(&k, address, now);
	keyrule_explain(p, &k, address, why, size);
	free(uids);
	return p;
}

/*
 * A key any of whose (sub)keys the hub keyring already has under another
 * primary key: a subkey carried by two keys makes the signatures it made
 * ambiguous, so the member whose subkey it is could no longer post
 * (unknown-signer).  Binding someone else's subkey needs no secret of
 * theirs for an authentication or encryption subkey.  Both ways round:
 * the new key's subkey is another key's, or its primary key is a
 * subkey elsewhere.
 */
static enum contact_key_status
shared_subkey(struct gpg *g, const struct key_info *ki,
    struct contact_key_result *r)
{
	char holder[41];
	size_t i;

	for (i = 0; i < ki->nkeyids; i++) {
		if (ki->fprs[i][0] == '\0')
			continue;
		r->crypto = keys_subkey_holder(g, ki->fprs[i], ki->fpr, holder);
		if (r->crypto == CRYPTO_KEY_NOT_FOUND)
			continue;
		if (r->crypto != CRYPTO_OK)
			return CONTACT_KEY_CRYPTO;
		r->crypto = CRYPTO_OK;
		(void)snprintf(r->why, sizeof r->why, "%s %s is already in the "
		    "hub keyring as part of key %s; a (sub)key shared by two "
		    "keys makes its signatures ambiguous", i == 0 ?
		    "its primary key" : "its subkey", ki->fprs[i], holder);
		return CONTACT_KEY_REFUSED;
	}
	r->crypto = CRYPTO_OK;
	return CONTACT_KEY_OK;
}

/* A key with more certifications than this is refused: gpg checks each
 * one whenever the key is listed with its signatures, and certifications
 * cost nothing to make (issuer unknown to the hub, kept all the same),
 * so a mailed key could be made to hold thousands and stall every
 * worker that reads it. */
#define CERTS_MAX	500

static size_t
count_certs(const struct key_info *ki)
{
	size_t i, n = 0;

	for (i = 0; i < ki->nuids; i++)
		n += ki->uids[i].ncerts;
	return n;
}

/* The one key of the data, inspected in a scratch keyring and judged. */
static enum contact_key_status
inspect(struct gpg *g, const char *address, const void *data, size_t len,
    struct contact_key_result *r)
{
	struct key_import *imp = NULL;
	struct key_info *ki = NULL;
	enum contact_key_status cst;

	if ((r->crypto = keys_inspect(g, data, len, &imp, &ki)) !=
	    CRYPTO_OK)
		return r->crypto == CRYPTO_MALFORMED ? CONTACT_KEY_NO_KEY :
		    CONTACT_KEY_CRYPTO;
	r->nkeys = imp->considered;
	if (imp->considered != 1 || imp->nitems < 1)
		cst = CONTACT_KEY_NOT_ONE;
	else if (ki == NULL)
		cst = CONTACT_KEY_NOT_IMPORTED;
	else {
		snprintf(r->fpr, sizeof r->fpr, "%s", ki->fpr);
		r->problem = contact_key_judge(ki, address, (long long)hub_now(),
		    r->why, sizeof r->why);
		r->revoked = ki->revoked != 0;
		cst = r->problem == KEYRULE_OK ? CONTACT_KEY_OK :
		    CONTACT_KEY_REFUSED;
		if (cst == CONTACT_KEY_OK && count_certs(ki) > CERTS_MAX) {
			(void)snprintf(r->why, sizeof r->why, "it carries %zu "
			    "certifications, more than the %d the hub keeps; "
			    "send it cleaned (gpg --export-options export-clean "
			    "--export)", count_certs(ki), CERTS_MAX);
			cst = CONTACT_KEY_REFUSED;
		}
		if (cst == CONTACT_KEY_OK)
			cst = shared_subkey(g, ki, r);
	}
	key_info_free(ki);
	key_import_free(imp);
	return cst;
}

enum contact_key_status
contact_key_check(struct store *s, struct gpg *g, const char *address,
    const void *data, size_t len, struct contact_key_result *r)
{
	enum contact_key_status cst;

	memset(r, 0, sizeof *r);
	if ((cst = inspect(g, address, data, len, r)) != CONTACT_KEY_OK)
		return cst;
	/* before any import: nothing is merged into the hub's own keys */
	r->store = store_own_key(s, r->fpr, r->owner, sizeof r->owner);
	if (r->store == STORE_OK) {
		r->store = STORE_INVALID;
		return CONTACT_KEY_OWN_KEY;
	}
	if (r->store != STORE_NOT_FOUND)
		return CONTACT_KEY_STORE;
	r->store = STORE_OK;
	return CONTACT_KEY_OK;
}

enum contact_key_status
contact_key_import(struct gpg *g, const void *data, size_t len,
    struct contact_key_result *r)
{
	struct key_import *imp = NULL;
	enum contact_key_status cst;
	size_t i;

	if ((r->crypto = keys_import(g, data, len, &imp)) != CRYPTO_OK)
		return r->crypto == CRYPTO_MALFORMED ? CONTACT_KEY_NO_KEY :
		    CONTACT_KEY_CRYPTO;
	/* the scratch import said what this one does; a keyring changed in
	 * between (another hubctl) is the only way they differ */
	cst = CONTACT_KEY_NOT_IMPORTED;
	for (i = 0; i < imp->nitems; i++)
		if (imp->items[i].ok &&
		    strcasecmp(imp->items[i].fpr, r->fpr) == 0)
			cst = CONTACT_KEY_OK;
	key_import_free(imp);
	return cst;
}

enum contact_key_status
contact_key_accept(struct store *s, struct gpg *g, const char *address,
    const void *data, size_t len, struct contact_key_result *r)
{
	enum contact_key_status cst;

	if ((cst = contact_key_check(s, g, address, data, len, r)) !=
	    CONTACT_KEY_OK)
		return cst;
	return contact_key_import(g, data, len, r);
}

enum contact_key_status
contact_key_revocation(struct gpg *g, const char *address,
    const char *current, const void *data, size_t len,
    struct contact_key_result *r)
{
	enum contact_key_status cst;

	memset(r, 0, sizeof *r);
	cst = inspect(g, address, data, len, r);
	if (cst != CONTACT_KEY_REFUSED || !r->revoked ||
	    strcasecmp(r->fpr, current) != 0)
		return cst == CONTACT_KEY_OK ? CONTACT_KEY_REFUSED : cst;
	return contact_key_import(g, data, len, r);
}
