/*
 * endorsecert: an endorse mail's certification (see hub/endorsecert.h).
 */
#include "config.h"

#include "hub/endorsecert.h"
#include "hub/mailedkey.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "crypto/decrypt.h"
#include "crypto/keyinspect.h"
#include "crypto/keys.h"
#include "lists/certmerge.h"
#include "lists/model.h"
#include "lists/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NEW_CERTS_MAX	4	/* per mail */

/* Is fpr the key of a contact of team? */
static enum store_status
team_key(struct store *s, const char *team, const char *fpr, bool *yes)
{
	struct contact *v = NULL;
	enum store_status st;
	size_t i, n = 0;

	*yes = false;
	if ((st = store_contact_list(s, team, &v, &n)) != STORE_OK)
		return st;
	for (i = 0; i < n; i++)
		if (strcasecmp(v[i].fpr, fpr) == 0)
			*yes = true;
	store_contacts_free(v, n);
	return STORE_OK;
}

/* The key ids of team's contacts' keys: the issuers certmerge allows. */
static enum store_status
team_keyids(struct store *s, const char *team, char (**idsp)[17],
    size_t *np)
{
	struct contact *v = NULL;
	enum store_status st;
	char (*ids)[17];
	size_t i, n = 0;

	if ((st = store_contact_list(s, team, &v, &n)) != STORE_OK)
		return st;
	ids = xcalloc(n + 1, sizeof *ids);
	for (i = 0; i < n; i++)
		if (strlen(v[i].fpr) == 40)
			memcpy(ids[i], v[i].fpr + 24, 16);
	store_contacts_free(v, n);
	*idsp = ids;
	*np = n;
	return STORE_OK;
}

static const char *
refusal(const char *lang, enum certmerge m)
{
	switch (m) {
	case CERTMERGE_ADDS_KEYS:
		return L_(lang, "it adds subkeys the hub's copy lacks");
	case CERTMERGE_ADDS_UIDS:
		return L_(lang, "it adds user ids the hub's copy lacks");
	case CERTMERGE_REVOKES:
		return L_(lang, "it adds a revocation");
	case CERTMERGE_FOREIGN:
		return L_(lang, "it carries certifications by keys that are "
		    "not your team's");
	case CERTMERGE_TOO_MANY:
		return L_(lang, "it carries too many new certifications");
	case CERTMERGE_NOTHING:
		return L_(lang, "it carries no new certification");
	case CERTMERGE_OK:
		break;
	}
	return "";
}

enum verdict
endorsecert_merge(struct job *j, const struct contact *who,
    const char *handle, const char *lang, char *said, size_t size)
{
	struct key_import *imp = NULL;
	struct key_info *ki = NULL, *known = NULL;
	char (*ids)[17] = NULL;
	enum verdict r = V_DONE;
	enum store_status st;
	enum certmerge m;
	struct buf *key = NULL;
	struct team t;
	bool theirs, have_team = false;
	size_t nids = 0, nnew = 0;

	said[0] = '\0';
	if (mailedkey_find(j->v != NULL ? j->v->content : NULL, &key) !=
	    MAILEDKEY_ONE)
		return V_DONE;
	if ((st = store_team_get(j->w->store, handle, &t)) != STORE_OK) {
		r = st == STORE_NOT_FOUND ? V_DONE : V_TEMPFAIL;
		goto out;
	}
	have_team = true;
	if (t.state != TEAM_CANDIDATE)
		goto out;
	if (keys_inspect(j->w->g, buf_data(key), buf_len(key), &imp,
	    &ki) != CRYPTO_OK || ki == NULL) {
		snprintf(said, size, "%s", L_(lang, "  the attached key was "
		    "not read (not one usable public key)\n"));
		goto out;
	}
	if ((st = team_key(j->w->store, t.handle, ki->fpr, &theirs)) !=
	    STORE_OK) {
		r = V_TEMPFAIL;
		goto out;
	}
	if (!theirs) {
		snprintf(said, size, L_(lang, "  the attached key %s is no key "
		    "of %s's contacts: not read\n"), ki->fpr, t.handle);
		goto out;
	}
	if (keys_lookup(j->w->g, ki->fpr, &known) != CRYPTO_OK ||
	    team_keyids(j->w->store, who->team, &ids, &nids) != STORE_OK) {
		r = V_TEMPFAIL;
		goto out;
	}
	if ((m = certmerge_judge(ki, known, (const char (*)[17])ids, nids,
	    NEW_CERTS_MAX, &nnew)) != CERTMERGE_OK) {
		snprintf(said, size, L_(lang, "  the attached key %s was not "
		    "read: %s\n"), ki->fpr, refusal(lang, m));
		log_info("command-endorse-certification-refused id=%s by=%s "
		    "candidate=%s fpr=%s reason=%s", j->id, who->address,
		    t.handle, ki->fpr, certmerge_str(m));
		goto out;
	}
	key_import_free(imp);
	imp = NULL;
	if (keys_import(j->w->g, buf_data(key), buf_len(key), &imp) !=
	    CRYPTO_OK) {
		r = V_TEMPFAIL;
		goto out;
	}
	snprintf(said, size, NL_(lang, "  %zu certification by your team's "
	    "keys was added to the hub's copy of the key %s\n", "  %zu "
	    "certifications by your team's keys were added to the hub's copy "
	    "of the key %s\n", nnew), nnew, ki->fpr);
	log_info("command-endorse-certification id=%s by=%s candidate=%s "
	    "fpr=%s new=%zu", j->id, who->address, t.handle, ki->fpr, nnew);
out:
	free(ids);
	key_import_free(imp);
	key_info_free(ki);
	key_info_free(known);
	if (have_team)
		store_team_clear(&t);
	buf_free(key);
	return r;
}
