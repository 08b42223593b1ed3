/*
 * roster: the store's view of one list, in the form lists/policy decides
 * on.  It loads the list's subscriptions, expands a team subscription into
 * one candidate per contact of that team, and takes each contact's key
 * usability from the hub keyring (expired, revoked, cannot encrypt,
 * missing), so that policy_decide() stays a pure function of what this
 * returns.  It also finds the roster contact behind a signer's
 * fingerprint, whether or not that contact is subscribed.
 *
 * Used by the worker (and tests).  Blocks on the store and on gpg key
 * listings.  The view owns every record its candidates point to; free it
 * with roster_view_free() (NULL is a no-op) after the decision is used.
 */
#ifndef LISTS_ROSTER_H
#define LISTS_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "lists/model.h"
#include "lists/policy.h"
#include "lists/store.h"

struct gpg;

struct roster_view {
	struct store_list	 list;
	struct policy_candidate	*cand;
	size_t			 ncand;
	/* owned storage the candidates point into */
	struct contact		*contacts;
	size_t			 ncontacts;
	struct team		*teams;
	size_t			 nteams;
	struct subscription	*subs;
	size_t			 nsubs;
	enum key_usability	*keys;		/* per contact */
	long long		*key_expires;	/* per contact, 0 = never */
};

/* STORE_NOT_FOUND if the list does not exist. */
enum store_status roster_view_load(struct store *s, struct gpg *g,
    const char *list, struct roster_view **out) STORE_WUR;
void roster_view_free(struct roster_view *v);

/* The roster contact whose key is fpr (40 hex digits, any case), and its
 * team; both NULL when no contact has that key. */
void roster_view_signer(const struct roster_view *v, const char *fpr,
    const struct contact **contact, const struct team **team);

/*
 * What the contact at address is cleared for, list by list (for archive
 * searches): one entry per list it is subscribed to in person or through
 * its team, with the effective role -- a partner team's contact is a
 * partner; of two subscriptions the wider (member over partner over
 * admin, then the higher clearance).  No entries, and *active false,
 * when the address is no contact or its team is not active.  free(*vp).
 */
enum store_status roster_clearances(struct store *s, const char *address,
    struct tlp_clearance **vp, size_t *np, bool *active) STORE_WUR;

/* A key's usability for encryption now, from the keyring. */
enum key_usability roster_key_usability(struct gpg *g, const char *fpr);

#endif
