/*
 * keyupdate: the key update mail command (see hub/keyupdate.h).
 */
#include "config.h"

#include "hub/keyupdate.h"
#include "hub/job.h"
#include "hub/mailedkey.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "crypto/decrypt.h"
#include "crypto/keys.h"
#include "lists/contact_key.h"
#include "lists/model.h"
#include "lists/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* why: one sentence, translated and formatted by the caller */
static void
refused(struct buf *out, const char *lang, const char *why)
{
	buf_printf(out, L_(lang, "refused: key update: %s; nothing was "
	    "changed\n"), why);
}

/* The refusal for contact_key_accept()'s answer. */
static enum verdict
key_refused(struct job *j, const char *lang, struct buf *out,
    enum contact_key_status cst, const struct contact_key_result *kr)
{
	char why[512];

	switch (cst) {
	case CONTACT_KEY_OK:
		break;
	case CONTACT_KEY_NO_KEY:
		refused(out, lang, L_(lang, "the attachment holds no OpenPGP "
		    "public key"));
		return V_DONE;
	case CONTACT_KEY_NOT_ONE:
		refused(out, lang, L_(lang, "send one key, not several"));
		return V_DONE;
	case CONTACT_KEY_NOT_IMPORTED:
		refused(out, lang, L_(lang, "gpg would not take the key "
		    "(unusable, malformed or secret key material)"));
		return V_DONE;
	case CONTACT_KEY_REFUSED:
		snprintf(why, sizeof why, L_(lang, "key %s: %s"), kr->fpr,
		    kr->why);
		refused(out, lang, why);
		return V_DONE;
	case CONTACT_KEY_OWN_KEY:
		snprintf(why, sizeof why, L_(lang, "key %s is %s's own key"),
		    kr->fpr, kr->owner);
		refused(out, lang, why);
		return V_DONE;
	case CONTACT_KEY_STORE:
		log_warnx("command-failed id=%s cmd=key-update status=%s "
		    "error=\"%s\"", j->id, store_status_str(kr->store),
		    store_errmsg(j->w->store));
		return V_TEMPFAIL;
	case CONTACT_KEY_CRYPTO:
		log_warnx("command-failed id=%s cmd=key-update crypto=%s",
		    j->id, crypto_status_str(kr->crypto));
		return V_TEMPFAIL;
	}
	return V_DONE;
}

enum verdict
keyupdate_run(struct job *j, const struct contact *who, const char *lang,
    struct buf *out)
{
	struct contact_key_result kr;
	enum contact_key_status cst;
	enum store_status st;
	struct buf *key = NULL;
	enum verdict r = V_DONE;
	bool changed;
	int yes = 0;

	switch (mailedkey_find(j->v != NULL ? j->v->content : NULL, &key)) {
	case MAILEDKEY_ONE:
		break;
	case MAILEDKEY_NONE:
		refused(out, lang, L_(lang, "attach your new public key (an "
		    "application/pgp-keys part, or its armored block in the "
		    "text)"));
		goto out;
	case MAILEDKEY_SEVERAL:
		refused(out, lang, L_(lang, "send one key, not several"));
		goto out;
	case MAILEDKEY_TOO_BIG:
		refused(out, lang, L_(lang, "the key is larger than 256 KiB"));
		goto out;
	}
	cst = contact_key_accept(j->w->store, j->w->g, who->address,
	    buf_data(key), buf_len(key), &kr);
	if (cst != CONTACT_KEY_OK) {
		r = key_refused(j, lang, out, cst, &kr);
		goto out;
	}
	if (strcasecmp(kr.fpr, who->fpr) != 0) {
		if (keys_certified_by(j->w->g, kr.fpr, who->fpr, &yes) !=
		    CRYPTO_OK) {
			r = V_TEMPFAIL;
			goto out;
		}
		if (!yes) {
			if ((st = store_held_key_put(j->w->store, who->address,
			    kr.fpr)) != STORE_OK) {
				if (st == STORE_NOT_FOUND)
					refused(out, lang, L_(lang,
					    "you are no longer a contact"));
				else
					r = V_TEMPFAIL;
				goto out;
			}
			log_info("key-held id=%s contact=%s fpr=%s", j->id,
			    who->address, kr.fpr);
			buf_printf(out, L_(lang, "held: key update: your new "
			    "key %s is not certified by your current key %s, "
			    "so the list's admins will confirm its "
			    "fingerprint with you (by phone or in person) "
			    "before it replaces your current key; until then "
			    "sign with your current key\n"), kr.fpr,
			    who->fpr);
			goto out;
		}
	}
	if ((st = store_contact_set_key(j->w->store, who->address, kr.fpr,
	    &changed)) != STORE_OK) {
		if (st == STORE_NOT_FOUND || st == STORE_INVALID)
			refused(out, lang, store_errmsg(j->w->store));
		else
			r = V_TEMPFAIL;
		goto out;
	}
	log_info("key-updated id=%s contact=%s old=%s new=%s", j->id,
	    who->address, who->fpr, kr.fpr);
	if (changed)
		buf_printf(out, L_(lang, "done: key update: your key is now %s, "
		    "certified by your previous key %s; mail signed by the "
		    "previous key is refused from now on\n"), kr.fpr,
		    who->fpr);
	else
		buf_printf(out, L_(lang, "done: key update: the hub's copy of "
		    "your key %s is refreshed (expiry, user ids)\n"), kr.fpr);
out:
	buf_free(key);
	return r;
}
