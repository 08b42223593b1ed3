/*
 * upkeep: the worker's timers (see hub/upkeep.h).
 */
#include "config.h"

#include "hub/defer.h"
#include "hub/job.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/spool.h"
#include "hub/upkeep.h"
#include "hub/worker.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "crypto/keys.h"
#include "lists/roster.h"
#include "lists/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Commit what a job staged, as worker_process() does for an entry. */
static void
upkeep_commit(struct job *j, bool ok)
{
	enum spool_status st;

	if (j->stage == NULL)
		return;
	if (!ok || spool_stage_count(j->stage) == 0)
		spool_stage_abort(j->stage);
	else if ((st = spool_stage_commit(j->stage)) == SPOOL_OK)
		worker_tell_master(j->w, "outgoing", j->id);
	else
		log_warn("upkeep-commit-failed id=%s status=%s", j->id,
		    spool_status_str(st));
	j->stage = NULL;
}

/* The contact's team mates (its team's other contacts), each with its
 * key as the roster sees it. */
static enum verdict
tell_team(struct job *j, const struct roster_view *rv, const char *address,
    const char *team, bool self, struct notice_in *in)
{
	enum verdict r;
	size_t k;

	for (k = 0; k < rv->ncontacts; k++) {
		const struct contact *c = &rv->contacts[k];

		if (strcasecmp(c->team, team) != 0 ||
		    (!self && strcasecmp(c->address, address) == 0))
			continue;
		if ((r = notice_send(j, rv, c->address, c->fpr, rv->keys[k],
		    in)) != V_DONE)
			return r;
	}
	return V_DONE;
}

/* Give the telling back for the next turn (or another worker). */
static void
untell(struct worker *w, const struct store_untold *u)
{
	if (store_delivery_untell(w->store, u->list, u->address) != STORE_OK)
		log_warnx("delivery-untell-failed list=%s rcpt=%s", u->list,
		    u->address);
}

/* One contact disabled by its bounces: its team and the list's admins. */
static void
tell_disabled(struct worker *w, const struct store_untold *u)
{
	struct roster_view *rv = NULL;
	struct notice_in in;
	struct contact c;
	struct job j;
	char id[HUB_ID_SIZE], score[64];
	enum verdict r = V_DONE;
	bool claimed;

	if (store_delivery_tell(w->store, u->list, u->address, &claimed) !=
	    STORE_OK || !claimed)
		return;
	if (roster_view_load(w->store, w->g, u->list, &rv) != STORE_OK ||
	    store_contact_get(w->store, u->address, &c) != STORE_OK) {
		roster_view_free(rv);
		untell(w, u);
		return;
	}
	memset(&j, 0, sizeof j);
	hub_id_new(id);
	j.w = w;
	j.id = id;
	memset(&in, 0, sizeof in);
	snprintf(score, sizeof score, "%u days with a permanent failure",
	    u->score);
	in.kind = NOTICE_DELIVERY_DISABLED;
	in.rcpt = u->address;
	in.status = u->status[0] != '\0' ? u->status : NULL;
	in.detail = score;
	/* not the contact itself: its mailbox is what fails */
	if ((r = tell_team(&j, rv, u->address, c.team, false, &in)) == V_DONE)
		r = notice_send_admins(&j, rv, &in);
	upkeep_commit(&j, r == V_DONE);
	if (r != V_DONE)
		untell(w, u);
	else
		log_info("delivery-disabled-told id=%s list=%s rcpt=%s", id,
		    u->list, u->address);
	store_contact_clear(&c);
	roster_view_free(rv);
}

/* A warning before expiry ("30", "7", "1"), not "expired"/"revoked". */
static bool
isdigitstage(const char *stage)
{
	return stage[0] >= '0' && stage[0] <= '9';
}

/* The warning stage of a key at now: "30", "7", "1", "expired",
 * "revoked", or NULL (nothing to say). */
static const char *
key_stage(enum key_usability k, long long expires, long long now)
{
	static const int days[] = UPKEEP_KEY_WARN_DAYS;
	static const char *const names[] = { "30", "7", "1" };
	const char *stage = NULL;
	size_t i;

	if (k == KEY_REVOKED)
		return "revoked";
	if (k == KEY_MISSING)
		return NULL;
	/* by the hub's calendar too: crypto/keys judges the subkeys by
	 * hub_now(), so such a key reads as unable to encrypt */
	if (k == KEY_EXPIRED || (expires > 0 && expires <= now))
		return "expired";
	if (k != KEY_USABLE || expires == 0)
		return NULL;
	for (i = 0; i < sizeof days / sizeof days[0]; i++)
		if (expires - now <= days[i] * 86400LL)
			stage = names[i];
	return stage;
}

/* The keys of one list's recipients. */
static void
keycheck_list(struct worker *w, const char *list)
{
	struct roster_view *rv = NULL;
	struct notice_item *soon = NULL, *dead = NULL;
	struct notice_in in;
	struct job j;
	char id[HUB_ID_SIZE], subject[MODEL_LIST_MAX + MODEL_FPR_LEN + 2];
	char kind[32];
	long long now = (long long)hub_now();
	enum verdict r = V_DONE;
	size_t i, ci, nsoon = 0, ndead = 0;
	bool *seen, first;

	if (roster_view_load(w->store, w->g, list, &rv) != STORE_OK) {
		log_warnx("keycheck-skipped list=%s", list);
		return;
	}
	memset(&j, 0, sizeof j);
	hub_id_new(id);
	j.w = w;
	j.id = id;
	seen = xcalloc(rv->ncontacts + 1, sizeof *seen);
	soon = xcalloc(rv->ncontacts + 1, sizeof *soon);
	dead = xcalloc(rv->ncontacts + 1, sizeof *dead);
	for (i = 0; i < rv->ncand && r == V_DONE; i++) {
		const struct policy_candidate *pc = &rv->cand[i];
		const char *stage;
		struct notice_item *it;

		ci = (size_t)(pc->contact - rv->contacts);
		if (seen[ci] || pc->team_state != TEAM_ACTIVE)
			continue;
		seen[ci] = true;
		if ((stage = key_stage(rv->keys[ci], rv->key_expires[ci],
		    now)) == NULL)
			continue;
		/* the admins of each list once per key and stage */
		snprintf(kind, sizeof kind, "key-%s-admins", stage);
		snprintf(subject, sizeof subject, "%s %s", list,
		    pc->contact->fpr);
		if (store_notice_ever(w->store, kind, subject, &first) !=
		    STORE_OK)
			break;
		it = NULL;
		if (first)
			it = isdigitstage(stage) ? &soon[nsoon++] :
			    &dead[ndead++];
		if (it != NULL) {
			it->address = pc->contact->address;
			it->team = pc->contact->team;
			it->fpr = pc->contact->fpr;
			it->reason = stage;
			it->when = rv->key_expires[ci];
		}
		if (!isdigitstage(stage))
			continue;
		/* the contact and its team once per key and stage, whatever
		 * lists it is on */
		snprintf(kind, sizeof kind, "key-%s", stage);
		if (store_notice_ever(w->store, kind, pc->contact->fpr,
		    &first) != STORE_OK || !first)
			continue;
		{
			struct notice_item one;

			memset(&one, 0, sizeof one);
			one.address = pc->contact->address;
			one.team = pc->contact->team;
			one.fpr = pc->contact->fpr;
			one.when = rv->key_expires[ci];
			memset(&in, 0, sizeof in);
			in.kind = NOTICE_KEY_EXPIRY;
			in.items = &one;
			in.nitems = 1;
			r = tell_team(&j, rv, pc->contact->address,
			    pc->contact->team, true, &in);
		}
		log_info("key-expiry-told id=%s list=%s contact=%s days=%s",
		    id, list, pc->contact->address, stage);
	}
	if (r == V_DONE && nsoon > 0) {
		memset(&in, 0, sizeof in);
		in.kind = NOTICE_KEY_EXPIRING;
		in.items = soon;
		in.nitems = nsoon;
		r = notice_send_admins(&j, rv, &in);
	}
	if (r == V_DONE && ndead > 0) {
		memset(&in, 0, sizeof in);
		in.kind = NOTICE_KEY_UNUSABLE;
		in.items = dead;
		in.nitems = ndead;
		r = notice_send_admins(&j, rv, &in);
		log_info("key-unusable-told id=%s list=%s keys=%zu", id, list,
		    ndead);
	}
	/* a failure loses this day's notices of the list: the stages are
	 * noted before they are sent (the store and the spool are not one
	 * transaction); the next stage still comes */
	upkeep_commit(&j, r == V_DONE);
	free(seen);
	free(soon);
	free(dead);
	roster_view_free(rv);
}

static void
keycheck(struct worker *w)
{
	struct store_list *v;
	size_t i, n;

	if (store_list_list(w->store, &v, &n) != STORE_OK) {
		log_warnx("keycheck-failed error=\"%s\"",
		    store_errmsg(w->store));
		return;
	}
	for (i = 0; i < n; i++)
		keycheck_list(w, v[i].l.name);
	/* after the lists, so that a test (or an admin) reading it knows
	 * the day's notices are staged */
	log_info("keycheck lists=%zu", n);
	store_lists_free(v, n);
}

/*
 * A list's new key (hubctl list rekey) to every subscriber of the list
 * (of an active team, delivery not disabled), once per address: signed with the old key, which members know,
 * encrypted to each one's key, with the new public key (certified by
 * the old) attached.
 */
static void
tell_rekey(struct worker *w, const struct store_old_key *o)
{
	struct roster_view *rv = NULL;
	struct notice_item it;
	struct notice_in in;
	struct buf *key = NULL;
	struct job j;
	char id[HUB_ID_SIZE];
	enum verdict r = V_DONE;
	enum store_status sst;
	enum crypto_status cst = CRYPTO_OK;
	size_t i, k, sent = 0;
	bool claimed;

	if (store_rekey_tell(w->store, o->list, o->fpr, &claimed) !=
	    STORE_OK || !claimed)
		return;
	key = buf_new(0);
	if ((sst = roster_view_load(w->store, w->g, o->list, &rv)) !=
	    STORE_OK || (cst = keys_export(w->g, o->new_fpr, 1, key)) !=
	    CRYPTO_OK) {
		/* tried again on the next turn only when waiting may help:
		 * a busy store, a gpg that did not run */
		if (sst == STORE_BUSY || sst == STORE_IO ||
		    (sst == STORE_OK && cst == CRYPTO_ENGINE_ERROR))
			r = V_TEMPFAIL;
		log_warnx("rekey-notice-failed list=%s fpr=%s retry=%s",
		    o->list, o->new_fpr, r == V_TEMPFAIL ? "yes" : "no");
		goto out;
	}
	memset(&j, 0, sizeof j);
	hub_id_new(id);
	j.w = w;
	j.id = id;
	memset(&it, 0, sizeof it);
	it.fpr = o->new_fpr;
	it.when = o->grace_until;
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_LIST_REKEY;
	in.detail = o->fpr;
	in.items = &it;
	in.nitems = 1;
	in.payload = buf_data(key);
	in.payload_len = buf_len(key);
	in.sign_fpr = o->fpr;
	for (i = 0; i < rv->ncand && r == V_DONE; i++) {
		const struct policy_candidate *c = &rv->cand[i];

		/* whom the list sends anything: a disabled delivery (its
		 * mailbox bounces) is sent nothing, this neither */
		if (c->contact == NULL || c->team_state != TEAM_ACTIVE ||
		    c->disabled)
			continue;
		for (k = 0; k < i; k++)	/* one notice per address */
			if (rv->cand[k].contact != NULL &&
			    strcasecmp(rv->cand[k].contact->address,
			    c->contact->address) == 0)
				break;
		if (k < i)
			continue;
		if ((r = notice_send(&j, rv, c->contact->address,
		    c->contact->fpr, c->key, &in)) == V_DONE)
			sent++;
	}
	upkeep_commit(&j, r == V_DONE);
	if (r == V_DONE)
		log_info("rekey-told id=%s list=%s fpr=%s old=%s rcpts=%zu",
		    id, o->list, o->new_fpr, o->fpr, sent);
out:
	if (r != V_DONE &&
	    store_rekey_untell(w->store, o->list, o->fpr) != STORE_OK)
		log_warnx("rekey-untell-failed list=%s fpr=%s", o->list,
		    o->fpr);
	buf_free(key);
	roster_view_free(rv);
}

void
upkeep_run(struct worker *w)
{
	struct store_old_key *ok;
	struct store_untold *u;
	size_t i, n;
	bool first;

	if (store_delivery_untold(w->store, &u, &n) == STORE_OK) {
		for (i = 0; i < n; i++)
			tell_disabled(w, &u[i]);
		free(u);
	}
	if (store_rekey_untold(w->store, &ok, &n) == STORE_OK) {
		for (i = 0; i < n; i++)
			tell_rekey(w, &ok[i]);
		free(ok);
	}
	/* the entries the master quarantined: their admins */
	defer_tell_quarantined(w);
	if (store_daily_claim(w->store, "keycheck", &first) == STORE_OK &&
	    first)
		keycheck(w);
}
