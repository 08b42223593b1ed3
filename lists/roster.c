#include "config.h"

#include "lists/roster.h"
#include "crypto/keys.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_usability
roster_key_usability(struct gpg *g, const char *fpr)
{
	struct key_info *ki;
	enum key_usability k;

	if (keys_lookup(g, fpr, &ki) != CRYPTO_OK)
		return KEY_MISSING;
	/* Revocation is the graver fact: it wins over expiry. */
	if (ki->revoked)
		k = KEY_REVOKED;
	else if (ki->expired)
		k = KEY_EXPIRED;
	else if (!keys_can_encrypt(ki))
		k = KEY_NO_ENCRYPTION;
	else
		k = KEY_USABLE;
	key_info_free(ki);
	return k;
}

static const struct team *
find_team(const struct roster_view *v, const char *handle)
{
	size_t i;

	for (i = 0; i < v->nteams; i++)
		if (strcasecmp(v->teams[i].handle, handle) == 0)
			return &v->teams[i];
	return NULL;
}

static void
add_candidate(struct roster_view *v, size_t *cap, size_t ci,
    const struct subscription *sub, const char *via_team)
{
	const struct contact *c = &v->contacts[ci];
	const struct team *t = find_team(v, c->team);
	struct policy_candidate *pc;

	if (t == NULL)		/* the store's foreign keys forbid it */
		return;
	if (v->ncand == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		v->cand = xreallocarray(v->cand, *cap, sizeof *v->cand);
	}
	pc = &v->cand[v->ncand++];
	memset(pc, 0, sizeof *pc);
	pc->contact = c;
	pc->team_kind = t->kind;
	pc->team_state = t->state;
	pc->via_team = via_team;
	pc->role = sub->role;
	pc->clearance = sub->clearance;
	pc->key = v->keys[ci];
}

enum store_status
roster_view_load(struct store *s, struct gpg *g, const char *list,
    struct roster_view **out)
{
	struct roster_view *v = xcalloc(1, sizeof *v);
	enum store_status st;
	size_t i, j, cap = 0;

	if ((st = store_list_get(s, list, &v->list)) != STORE_OK) {
		free(v);
		return st;
	}
	if ((st = store_team_list(s, &v->teams, &v->nteams)) != STORE_OK ||
	    (st = store_contact_list(s, NULL, &v->contacts,
	    &v->ncontacts)) != STORE_OK ||
	    (st = store_subscriptions(s, list, &v->subs, &v->nsubs)) !=
	    STORE_OK) {
		roster_view_free(v);
		return st;
	}
	/* All keys in one listing: per-key lookups cost two gpg runs each,
	 * which on a list of hundreds would dominate every post. */
	v->keys = xcalloc(v->ncontacts ? v->ncontacts : 1, sizeof *v->keys);
	v->key_expires = xcalloc(v->ncontacts ? v->ncontacts : 1,
	    sizeof *v->key_expires);
	{
		const char **fprs = xcalloc(v->ncontacts + 1, sizeof *fprs);
		struct key_state *ks = xcalloc(v->ncontacts + 1, sizeof *ks);

		for (i = 0; i < v->ncontacts; i++)
			fprs[i] = v->contacts[i].fpr;
		/* a failed listing is the environment (tempfail), never
		 * "every key missing": that would refuse a good post */
		if (keys_states(g, fprs, v->ncontacts, ks) != CRYPTO_OK) {
			free(fprs);
			free(ks);
			roster_view_free(v);
			return STORE_CRYPTO;
		}
		for (i = 0; i < v->ncontacts; i++) {
			/* Revocation is the graver fact: it wins. */
			v->keys[i] = !ks[i].found ? KEY_MISSING :
			    ks[i].revoked ? KEY_REVOKED :
			    ks[i].expired ? KEY_EXPIRED :
			    !ks[i].can_encrypt ? KEY_NO_ENCRYPTION : KEY_USABLE;
			v->key_expires[i] = ks[i].expires;
		}
		free(fprs);
		free(ks);
	}

	{
		char **off;
		size_t noff, k;

		/* contacts whose delivery the list has disabled: candidates
		 * still (they may post), skipped as recipients */
		if ((st = store_delivery_disabled_list(s, list, &off,
		    &noff)) != STORE_OK) {
			roster_view_free(v);
			return st;
		}
		for (i = 0; i < v->nsubs; i++) {
			const struct subscription *sub = &v->subs[i];
			size_t first = v->ncand;

			for (j = 0; j < v->ncontacts; j++) {
				const struct contact *c = &v->contacts[j];

				if (sub->contact[0] != '\0' ?
				    strcasecmp(c->address, sub->contact) == 0 :
				    strcasecmp(c->team, sub->team) == 0)
					add_candidate(v, &cap, j, sub,
					    sub->contact[0] != '\0' ? NULL :
					    sub->team);
			}
			for (j = first; j < v->ncand; j++)
				for (k = 0; k < noff; k++)
					if (strcasecmp(off[k],
					    v->cand[j].contact->address) == 0)
						v->cand[j].disabled = true;
		}
		store_strings_free(off, noff);
	}
	*out = v;
	return STORE_OK;
}

void
roster_view_signer(const struct roster_view *v, const char *fpr,
    const struct contact **contact, const struct team **team)
{
	size_t i;

	*contact = NULL;
	*team = NULL;
	for (i = 0; i < v->ncontacts; i++)
		if (strcasecmp(v->contacts[i].fpr, fpr) == 0) {
			*contact = &v->contacts[i];
			*team = find_team(v, v->contacts[i].team);
			return;
		}
}

void
roster_view_free(struct roster_view *v)
{
	if (v == NULL)
		return;
	free(v->cand);
	free(v->keys);
	free(v->key_expires);
	store_contacts_free(v->contacts, v->ncontacts);
	store_teams_free(v->teams, v->nteams);
	store_subscriptions_free(v->subs);
	store_list_clear(&v->list);
	free(v);
}

/* Is (role, clearance) wider than what e holds? */
static bool
wider(const struct tlp_clearance *e, enum role r, enum tlp c)
{
	static const int rank[] = {
		[ROLE_MEMBER] = 2, [ROLE_PARTNER] = 1, [ROLE_ADMIN] = 0,
	};

	if (rank[r] != rank[e->role])
		return rank[r] > rank[e->role];
	return c > e->clearance;
}

enum store_status
roster_clearances(struct store *s, const char *address,
    struct tlp_clearance **vp, size_t *np, bool *active)
{
	struct store_list *lists = NULL;
	struct subscription *subs;
	struct tlp_clearance *v = NULL;
	struct contact c;
	struct team t;
	enum store_status st;
	size_t nl = 0, ns, i, k, n = 0;

	*vp = NULL;
	*np = 0;
	*active = false;
	if ((st = store_contact_get(s, address, &c)) == STORE_NOT_FOUND)
		return STORE_OK;
	if (st != STORE_OK)
		return st;
	st = store_team_get(s, c.team, &t);
	if (st != STORE_OK || t.state != TEAM_ACTIVE) {
		if (st == STORE_OK)
			store_team_clear(&t);
		store_contact_clear(&c);
		return st == STORE_NOT_FOUND ? STORE_OK : st;
	}
	if ((st = store_list_list(s, &lists, &nl)) != STORE_OK)
		goto out;
	*active = true;
	for (i = 0; i < nl; i++) {
		struct tlp_clearance *e = NULL;

		if ((st = store_subscriptions(s, lists[i].l.name, &subs,
		    &ns)) != STORE_OK)
			goto out;
		for (k = 0; k < ns; k++) {
			enum role r = subs[k].role;

			if (strcasecmp(subs[k].contact, c.address) != 0 &&
			    strcasecmp(subs[k].team, c.team) != 0)
				continue;
			if (t.kind == TEAM_KIND_PARTNER && r == ROLE_MEMBER)
				r = ROLE_PARTNER;
			if (e == NULL) {
				v = xreallocarray(v, n + 1, sizeof *v);
				e = &v[n++];
				snprintf(e->list, sizeof e->list, "%s",
				    lists[i].l.name);
				e->role = r;
				e->clearance = subs[k].clearance;
			} else if (wider(e, r, subs[k].clearance)) {
				e->role = r;
				e->clearance = subs[k].clearance;
			}
		}
		store_subscriptions_free(subs);
	}
	*vp = v;
	*np = n;
	v = NULL;
out:
	free(v);
	store_lists_free(lists, nl);
	store_team_clear(&t);
	store_contact_clear(&c);
	return st;
}
