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

/*
 * Lookups by address, team and handle in sorted arrays of pointers:
 * with a roster of thousands, a scan per subscription and per
 * candidate cost n squared string compares per post.  Ties keep the
 * store's order (pointers compare by position), so the candidates come
 * out in the order a scan would give.
 */
static int
by_address(const void *a, const void *b)
{
	const struct contact *x = *(const struct contact *const *)a;
	const struct contact *y = *(const struct contact *const *)b;
	int c = strcasecmp(x->address, y->address);

	return c != 0 ? c : (x > y) - (x < y);
}

static int
by_team(const void *a, const void *b)
{
	const struct contact *x = *(const struct contact *const *)a;
	const struct contact *y = *(const struct contact *const *)b;
	int c = strcasecmp(x->team, y->team);

	return c != 0 ? c : (x > y) - (x < y);
}

static int
by_handle(const void *a, const void *b)
{
	const struct team *x = *(const struct team *const *)a;
	const struct team *y = *(const struct team *const *)b;
	int c = strcasecmp(x->handle, y->handle);

	return c != 0 ? c : (x > y) - (x < y);
}

/* The first of v[0..n) (sorted by cmp's key) whose key is not below
 * key's, as cmp orders them. */
static size_t
lower(const void *const *v, size_t n, const void *key,
    int (*keycmp)(const void *, const void *))
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (keycmp(v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
address_is(const void *elem, const void *key)
{
	return strcasecmp(((const struct contact *)elem)->address, key);
}

static int
team_is(const void *elem, const void *key)
{
	return strcasecmp(((const struct contact *)elem)->team, key);
}

static int
handle_is(const void *elem, const void *key)
{
	return strcasecmp(((const struct team *)elem)->handle, key);
}

struct roster_index {
	const struct contact	**by_addr;
	const struct contact	**by_team;
	const struct team	**teams;
};

static void
index_build(const struct roster_view *v, struct roster_index *x)
{
	size_t i;

	x->by_addr = xcalloc(v->ncontacts + 1, sizeof *x->by_addr);
	x->by_team = xcalloc(v->ncontacts + 1, sizeof *x->by_team);
	x->teams = xcalloc(v->nteams + 1, sizeof *x->teams);
	for (i = 0; i < v->ncontacts; i++)
		x->by_addr[i] = x->by_team[i] = &v->contacts[i];
	for (i = 0; i < v->nteams; i++)
		x->teams[i] = &v->teams[i];
	if (v->ncontacts > 1) {
		qsort(x->by_addr, v->ncontacts, sizeof *x->by_addr,
		    by_address);
		qsort(x->by_team, v->ncontacts, sizeof *x->by_team, by_team);
	}
	if (v->nteams > 1)
		qsort(x->teams, v->nteams, sizeof *x->teams, by_handle);
}

static void
index_free(struct roster_index *x)
{
	free(x->by_addr);
	free(x->by_team);
	free(x->teams);
}

static const struct team *
find_team(const struct roster_view *v, const struct roster_index *x,
    const char *handle)
{
	size_t i;

	if (x == NULL) {
		for (i = 0; i < v->nteams; i++)
			if (strcasecmp(v->teams[i].handle, handle) == 0)
				return &v->teams[i];
		return NULL;
	}
	i = lower((const void *const *)x->teams, v->nteams, handle,
	    handle_is);
	return i < v->nteams && strcasecmp(x->teams[i]->handle, handle) == 0 ?
	    x->teams[i] : NULL;
}

static void
add_candidate(struct roster_view *v, const struct roster_index *x,
    size_t *cap, size_t ci, const struct subscription *sub,
    const char *via_team)
{
	const struct contact *c = &v->contacts[ci];
	const struct team *t = find_team(v, x, c->team);
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
		struct roster_index x;
		char **off;
		size_t noff, k;

		/* contacts whose delivery the list has disabled: candidates
		 * still (they may post), skipped as recipients */
		if ((st = store_delivery_disabled_list(s, list, &off,
		    &noff)) != STORE_OK) {
			roster_view_free(v);
			return st;
		}
		index_build(v, &x);
		for (i = 0; i < v->nsubs; i++) {
			const struct subscription *sub = &v->subs[i];
			const struct contact *const *by;
			const char *key;
			size_t first = v->ncand;
			bool person = sub->contact[0] != '\0';

			by = person ? x.by_addr : x.by_team;
			key = person ? sub->contact : sub->team;
			for (j = lower((const void *const *)by, v->ncontacts,
			    key, person ? address_is : team_is);
			    j < v->ncontacts && strcasecmp(person ?
			    by[j]->address : by[j]->team, key) == 0; j++)
				add_candidate(v, &x, &cap,
				    (size_t)(by[j] - v->contacts), sub,
				    person ? NULL : sub->team);
			for (j = first; j < v->ncand; j++)
				for (k = 0; k < noff; k++)
					if (strcasecmp(off[k],
					    v->cand[j].contact->address) == 0)
						v->cand[j].disabled = true;
		}
		index_free(&x);
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
			*team = find_team(v, NULL, v->contacts[i].team);
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
