/*
 * certmerge: what a mailed copy of a key adds (see lists/certmerge.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lists/certmerge.h"

static const struct key_uid *
uid_in(const struct key_info *k, const char *uid)
{
	size_t i;

	for (i = 0; i < k->nuids; i++)
		if (k->uids[i].uid != NULL && uid != NULL &&
		    strcmp(k->uids[i].uid, uid) == 0)
			return &k->uids[i];
	return NULL;
}

static bool
cert_in(const struct key_uid *u, const struct key_cert *c)
{
	size_t i;

	for (i = 0; u != NULL && i < u->ncerts; i++)
		if (strcasecmp(u->certs[i].keyid, c->keyid) == 0 &&
		    u->certs[i].created == c->created &&
		    u->certs[i].sig_class == c->sig_class)
			return true;
	return false;
}

static bool
allowed_id(const char *keyid, const char (*allowed)[17], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(allowed[i], keyid) == 0)
			return true;
	return false;
}

enum certmerge
certmerge_judge(const struct key_info *merged, const struct key_info *known,
    const char (*allowed)[17], size_t nallowed, size_t max_new, size_t *nnew)
{
	const struct key_uid *u, *k;
	size_t i, j, total = 0;

	*nnew = 0;
	if (merged->nkeyids != known->nkeyids)
		return CERTMERGE_ADDS_KEYS;
	if (merged->nuids != known->nuids)
		return CERTMERGE_ADDS_UIDS;
	if (merged->revoked && !known->revoked)
		return CERTMERGE_REVOKES;
	for (i = 0; i < merged->nuids; i++) {
		u = &merged->uids[i];
		if ((k = uid_in(known, u->uid)) == NULL)
			return CERTMERGE_ADDS_UIDS;
		if (u->revoked && !k->revoked)
			return CERTMERGE_REVOKES;
		total += u->ncerts;
		for (j = 0; j < u->ncerts; j++) {
			if (cert_in(k, &u->certs[j]))
				continue;
			if (!allowed_id(u->certs[j].keyid, allowed, nallowed))
				return CERTMERGE_FOREIGN;
			(*nnew)++;
		}
	}
	if (*nnew > max_new || total > CERTMERGE_TOTAL_MAX)
		return CERTMERGE_TOO_MANY;
	return *nnew == 0 ? CERTMERGE_NOTHING : CERTMERGE_OK;
}

const char *
certmerge_str(enum certmerge m)
{
	switch (m) {
	case CERTMERGE_OK:
		return "ok";
	case CERTMERGE_ADDS_KEYS:
		return "adds-subkeys";
	case CERTMERGE_ADDS_UIDS:
		return "adds-user-ids";
	case CERTMERGE_REVOKES:
		return "adds-revocation";
	case CERTMERGE_FOREIGN:
		return "foreign-certification";
	case CERTMERGE_TOO_MANY:
		return "too-many-certifications";
	case CERTMERGE_NOTHING:
		return "no-new-certification";
	}
	return "unknown";
}
