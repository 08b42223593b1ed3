/*
 * admission: endorsing and admitting with their I/O; see
 * lists/admission.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "lists/admission.h"

static void
day_str(long long t, char *dst, size_t size)
{
	hub_utc(t, HUB_UTC_MINUTE, dst, size);
	if (dst[0] == '\0')
		snprintf(dst, size, "%lld", t);
}

/*
 * The certification by_fpr made on a uid of ki, valid ones first: the
 * text names the one that counted, or the one that failed.
 */
static const struct key_cert *
find_cert(const struct key_info *ki, const char *by_fpr,
    const struct key_uid **up)
{
	const struct key_cert *any = NULL;
	size_t i, j;

	for (i = 0; i < ki->nuids; i++)
		for (j = 0; j < ki->uids[i].ncerts; j++) {
			const struct key_cert *c = &ki->uids[i].certs[j];

			/* a v4 key id is the fingerprint's low 64 bits */
			if (strcasecmp(c->keyid, by_fpr + 24) != 0 ||
			    c->sig_class < 0x10 || c->sig_class > 0x13)
				continue;
			if (c->good && !c->revoked && !c->expired &&
			    !ki->uids[i].revoked && !ki->uids[i].invalid) {
				*up = &ki->uids[i];
				return c;
			}
			if (any == NULL) {
				any = c;
				*up = &ki->uids[i];
			}
		}
	return any;
}

/* Why a certification found does not verify, into dst. */
static void
why_not(struct gpg *g, const struct key_cert *cert,
    const struct contact *by, const struct contact *on, char *dst,
    size_t size)
{
	struct key_info *ki;
	const char *key = "";

	/* gpg does not verify what a revoked key certified: say so */
	if (keys_lookup(g, by->fpr, &ki) == CRYPTO_OK) {
		if (ki->revoked)
			key = ": the certifying key is revoked";
		else if (ki->expired)
			key = ": the certifying key has expired";
		key_info_free(ki);
	}
	snprintf(dst, size, "the certification by %s (%s) on %s is %s%s",
	    by->address, by->fpr, on->address, cert->revoked ? "revoked" :
	    cert->expired ? "expired" : "not valid", key);
}

/* The certifying key's state now, for lists/endorse. */
static void
certifier_state(struct gpg *g, const char *fpr, struct admission_evidence *ev)
{
	struct key_info *ki;

	ev->key_state = CERT_KEY_VALID;
	if (keys_lookup(g, fpr, &ki) != CRYPTO_OK)
		return;
	if (ki->revoked)
		ev->key_state = CERT_KEY_REVOKED;
	else if (ki->expired || (ki->expires > 0 &&
	    ki->expires <= (long long)hub_now()))
		ev->key_state = CERT_KEY_EXPIRED;
	ev->key_expires = ki->expires;
	key_info_free(ki);
}

enum store_status
admission_evidence(struct store *s, struct gpg *g, const char *candidate,
    const char *endorser, struct admission_evidence *ev)
{
	struct contact *cv = NULL, *ec = NULL;
	struct key_info *cki;
	const struct key_cert *cert;
	const struct key_uid *uid;
	enum store_status st;
	size_t nc = 0, ne = 0, i, j;
	char day[64], bad[1024];
	int yes;

	memset(ev, 0, sizeof *ev);
	bad[0] = '\0';
	if ((st = store_contact_list(s, candidate, &cv, &nc)) != STORE_OK)
		return st;
	if ((st = store_contact_list(s, endorser, &ec, &ne)) != STORE_OK) {
		store_contacts_free(cv, nc);
		return st;
	}
	for (i = 0; i < nc && !ev->found; i++) {
		if (keys_lookup(g, cv[i].fpr, &cki) != CRYPTO_OK)
			continue;
		for (j = 0; j < ne && !ev->found; j++) {
			if (keys_certified_by(g, cv[i].fpr, ec[j].fpr, &yes) !=
			    CRYPTO_OK)
				yes = 0;
			uid = NULL;
			cert = find_cert(cki, ec[j].fpr, &uid);
			if (!yes) {
				/* remember why the first one found fails */
				if (cert != NULL && bad[0] == '\0')
					why_not(g, cert, &ec[j], &cv[i], bad,
					    sizeof bad);
				continue;
			}
			ev->found = true;
			memcpy(ev->candidate_fpr, cv[i].fpr,
			    sizeof ev->candidate_fpr);
			memcpy(ev->endorser_fpr, ec[j].fpr,
			    sizeof ev->endorser_fpr);
			ev->cert_time = cert != NULL ? cert->created : 0;
			certifier_state(g, ec[j].fpr, ev);
			day_str(ev->cert_time, day, sizeof day);
			snprintf(ev->text, sizeof ev->text, "key %s of %s "
			    "certified \"%s\" on key %s of %s, on %s",
			    ec[j].fpr, ec[j].address,
			    uid != NULL ? uid->uid : "?", cv[i].fpr,
			    cv[i].address, day);
		}
		key_info_free(cki);
	}
	if (!ev->found) {
		if (nc == 0)
			snprintf(ev->text, sizeof ev->text, "candidate %s has "
			    "no contacts, so no key to certify", candidate);
		else if (ne == 0)
			snprintf(ev->text, sizeof ev->text, "team %s has no "
			    "contacts, so no key that could certify",
			    endorser);
		else if (bad[0] != '\0')
			snprintf(ev->text, sizeof ev->text, "%s", bad);
		else
			snprintf(ev->text, sizeof ev->text, "no certification "
			    "by a key of %s's contacts on a key of %s's "
			    "contacts in the hub keyring (import the "
			    "candidate's key again with the certification: "
			    "contact remove, then contact add)", endorser,
			    candidate);
	}
	store_contacts_free(cv, nc);
	store_contacts_free(ec, ne);
	return STORE_OK;
}

enum store_status
admission_endorse(struct store *s, struct gpg *g, const char *candidate,
    const char *endorser, struct admission_endorsed *r)
{
	struct team cand, by;
	enum store_status st;

	memset(r, 0, sizeof *r);
	if ((st = store_team_get(s, candidate, &cand)) != STORE_OK)
		return st;
	if ((st = store_team_get(s, endorser, &by)) != STORE_OK) {
		store_team_clear(&cand);
		return st;
	}
	memcpy(r->e.candidate, cand.handle, sizeof r->e.candidate);
	memcpy(r->e.endorser, by.handle, sizeof r->e.endorser);
	r->state = cand.state;
	store_team_clear(&by);
	store_team_clear(&cand);
	/* activation is one-time: an admitted team is not vouched for again */
	if (r->state != TEAM_CANDIDATE) {
		r->not_candidate = true;
		return STORE_CONFLICT;
	}
	if ((st = admission_evidence(s, g, r->e.candidate, r->e.endorser,
	    &r->ev)) != STORE_OK)
		return st;
	memcpy(r->e.candidate_fpr, r->ev.candidate_fpr,
	    sizeof r->e.candidate_fpr);
	memcpy(r->e.endorser_fpr, r->ev.endorser_fpr,
	    sizeof r->e.endorser_fpr);
	return store_endorse(s, &r->e, &r->replaced);
}

void
admission_free(struct admission *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		store_team_clear(&a->v[i].endorser);
	free(a->v);
	store_team_clear(&a->candidate);
	free(a);
}

enum store_status
admission_run(struct store *s, struct gpg *g, const char *candidate,
    struct admission **ap)
{
	struct endorse_record *recs = NULL;
	struct endorsement *e = NULL;
	enum endorse_reason *why = NULL;
	struct endorse_input in;
	struct admission *a;
	enum store_status st;
	size_t n = 0, i;
	int approved = 0;

	a = xcalloc(1, sizeof *a);
	if ((st = store_team_get(s, candidate, &a->candidate)) != STORE_OK) {
		free(a);
		return st;
	}
	if ((st = store_community_get(s, &a->community)) != STORE_OK ||
	    (st = store_team_approved(s, a->candidate.handle, &approved)) !=
	    STORE_OK ||
	    (st = store_endorsements(s, a->candidate.handle, &e, &n)) !=
	    STORE_OK)
		goto out;
	a->approved = approved != 0;
	a->v = xcalloc(n + 1, sizeof *a->v);
	recs = xcalloc(n + 1, sizeof *recs);
	why = xcalloc(n + 1, sizeof *why);
	for (i = 0; i < n; i++) {
		struct admission_entry *en = &a->v[i];

		if ((st = store_team_get(s, e[i].endorser, &en->endorser)) !=
		    STORE_OK)
			goto out;
		a->n = i + 1;
		if ((st = admission_evidence(s, g, a->candidate.handle,
		    e[i].endorser, &en->ev)) != STORE_OK)
			goto out;
		recs[i].endorser = en->endorser.handle;
		recs[i].endorser_kind = en->endorser.kind;
		recs[i].endorser_state = en->endorser.state;
		recs[i].cert_verified = en->ev.found;
		recs[i].key_state = en->ev.key_state;
		recs[i].cert_time = en->ev.cert_time;
		recs[i].key_expires = en->ev.key_expires;
	}
	memset(&in, 0, sizeof in);
	in.candidate = a->candidate.handle;
	in.candidate_state = a->candidate.state;
	in.recs = recs;
	in.nrecs = n;
	in.required = a->community.endorsements_required;
	in.approval_required = a->community.admin_approval;
	in.approved = a->approved;
	endorse_evaluate(&in, &a->verdict, why);
	for (i = 0; i < n; i++)
		a->v[i].why = why[i];
	if (a->verdict.activate && (st = store_team_set_state(s,
	    a->candidate.handle, TEAM_ACTIVE)) != STORE_OK)
		goto out;
	*ap = a;
	a = NULL;
	st = STORE_OK;
out:
	admission_free(a);
	free(why);
	free(recs);
	store_endorsements_free(e);
	return st;
}
