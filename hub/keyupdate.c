/*
 * keyupdate: the key update mail command (see hub/keyupdate.h).
 */
#include "config.h"

#include "hub/keyupdate.h"
#include "hub/conf.h"
#include "hub/job.h"
#include "hub/mailedkey.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "crypto/decrypt.h"
#include "crypto/keyinspect.h"
#include "crypto/keys.h"
#include "lists/contact_key.h"
#include "lists/model.h"
#include "lists/roster.h"
#include "lists/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KEY_UPDATES_PER_DAY	5	/* per contact */

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

/* Held for an admin: the key's data in the store, nothing imported. */
static enum verdict
hold(struct job *j, const struct contact *who, const char *lang,
    const struct contact_key_result *kr, struct buf *key, struct buf *out)
{
	enum store_status st;

	buf_append(key, "", 1);
	if ((st = store_held_key_put(j->w->store, who->address, kr->fpr,
	    buf_data(key))) != STORE_OK) {
		if (st != STORE_NOT_FOUND)
			return V_TEMPFAIL;
		refused(out, lang, L_(lang, "you are no longer a contact"));
		return V_DONE;
	}
	log_info("key-held id=%s contact=%s fpr=%s", j->id, who->address,
	    kr->fpr);
	buf_printf(out, L_(lang, "held: key update: your new key %s is not "
	    "certified by your current key %s, so the list's admins will "
	    "confirm its fingerprint with you (by phone or in person) before "
	    "it replaces your current key; until then sign with your current "
	    "key\n"), kr->fpr, who->fpr);
	return V_DONE;
}

/* The contact's own revocation of its current key, imported at once;
 * the admins are told (the answer, encrypted to the key just revoked,
 * cannot go out: whoever wrote it needs a new key from the admins). */
static enum verdict
revoke(struct job *j, const struct roster_view *rv,
    const struct contact *who, const char *lang, struct buf *key,
    struct buf *out)
{
	struct contact_key_result kr;
	struct notice_item it;
	struct notice_in in;

	switch (contact_key_revocation(j->w->g, who->address, who->fpr,
	    buf_data(key), buf_len(key), &kr)) {
	case CONTACT_KEY_OK:
		break;
	case CONTACT_KEY_CRYPTO:
		return V_TEMPFAIL;
	default:
		refused(out, lang, L_(lang, "the key could not be read"));
		return V_DONE;
	}
	log_warnx("key-revoked-by-contact id=%s contact=%s fpr=%s", j->id,
	    who->address, who->fpr);
	buf_printf(out, L_(lang, "done: key update: your key %s is revoked "
	    "in the hub's keyring too; mail signed by it is refused from now "
	    "on.  Send your new key to the list's admins (%s-owner@%s).\n"),
	    who->fpr, rv->list.l.name, j->w->cfg->domain);
	memset(&it, 0, sizeof it);
	it.address = who->address;
	it.team = who->team;
	it.fpr = who->fpr;
	it.reason = "revoked";
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_KEY_UNUSABLE;
	in.items = &it;
	in.nitems = 1;
	return notice_send_admins(j, rv, &in);
}

enum verdict
keyupdate_run(struct job *j, const struct roster_view *rv,
    const struct contact *who, const char *lang, struct buf *out)
{
	struct contact_key_result kr;
	enum contact_key_status cst;
	enum store_status st;
	struct buf *key = NULL;
	enum verdict r = V_DONE;
	char kind[32 + MODEL_ADDR_MAX];
	bool changed, first, capped;
	int yes = 0;

	/* each one costs gpg runs: a day's worth is plenty */
	snprintf(kind, sizeof kind, "key-update %s", who->address);
	if (store_notice_capped(j->w->store, kind, j->id, KEY_UPDATES_PER_DAY,
	    &first, &capped) != STORE_OK)
		return V_TEMPFAIL;
	if (capped) {
		refused(out, lang, L_(lang, "at most 5 key updates a day"));
		return V_DONE;
	}
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
	/* judged before anything is imported: a key held for an admin, or
	 * refused, never reaches the hub keyring */
	cst = contact_key_check(j->w->store, j->w->g, who->address,
	    buf_data(key), buf_len(key), &kr);
	if (cst == CONTACT_KEY_REFUSED && kr.revoked &&
	    strcasecmp(kr.fpr, who->fpr) == 0) {
		r = revoke(j, rv, who, lang, key, out);
		goto out;
	}
	if (cst != CONTACT_KEY_OK) {
		r = key_refused(j, lang, out, cst, &kr);
		goto out;
	}
	if (strcasecmp(kr.fpr, who->fpr) != 0) {
		if (keys_inspect_certified(j->w->g, buf_data(key),
		    buf_len(key), kr.fpr, who->fpr, &yes) != CRYPTO_OK) {
			r = V_TEMPFAIL;
			goto out;
		}
		if (!yes) {
			r = hold(j, who, lang, &kr, key, out);
			goto out;
		}
	}
	/* judged above: imported as it is */
	if ((cst = contact_key_import(j->w->g, buf_data(key), buf_len(key),
	    &kr)) != CONTACT_KEY_OK) {
		r = key_refused(j, lang, out, cst, &kr);
		goto out;
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
