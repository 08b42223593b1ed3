/*
 * hubctl endorse, community and the admission of candidates
 * (hubctl(8) "ADMISSION").
 *
 * An endorsement is recorded by the admin, but it counts only with
 * evidence crypto/ can check, looked for afresh every time the rule
 * runs: a valid OpenPGP certification (keys_certified_by) by the key of
 * one of the endorsing team's contacts on the key of one of the
 * candidate's contacts, as the hub keyring holds them (contact add
 * imports a key with its certifications).  lists/endorse decides what
 * counts; this file gathers the facts, prints them, and moves the
 * candidate to active when the rule says so.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "lists/endorse.h"
#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

/* What the keyring says about one endorser team's evidence. */
struct evidence {
	int			 found;
	char			 candidate_fpr[MODEL_FPR_LEN];
	char			 endorser_fpr[MODEL_FPR_LEN];
	enum cert_key_state	 key_state;
	long long		 cert_time;
	long long		 key_expires;
	char			 text[2048];	/* found: what; else why not */
};

static void
day_str(long long t, char *dst, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(dst, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(dst, size, "%lld", t);
}

/* The certification by_fpr made on a uid of ki, valid ones first. */
static const struct key_cert *
find_cert(const struct key_info *ki, const char *by_fpr,
    const struct key_uid **up)
{
	const struct key_cert *any = NULL;
	size_t i, j;

	for (i = 0; i < ki->nuids; i++)
		for (j = 0; j < ki->uids[i].ncerts; j++) {
			const struct key_cert *c = &ki->uids[i].certs[j];

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
why_not(struct hubctl *h, const struct key_cert *cert,
    const struct contact *by, const struct contact *on, char *dst,
    size_t size)
{
	struct key_info *ki;
	const char *key = "";

	/* gpg does not verify what a revoked key certified: say so */
	if (keys_lookup(h->gpg, by->fpr, &ki) == CRYPTO_OK) {
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

/*
 * Look for a certification by any key of endorser's contacts on any key
 * of candidate's contacts.  HUBCTL_OK, or a failure already printed.
 */
static int
gather(struct hubctl *h, const char *candidate, const char *endorser,
    struct evidence *ev)
{
	struct contact *cv = NULL, *ev_c = NULL;
	struct key_info *cki, *eki;
	const struct key_cert *cert;
	const struct key_uid *uid;
	enum store_status st;
	size_t nc = 0, ne = 0, i, j;
	char day[64], bad[1024];
	int yes;

	memset(ev, 0, sizeof *ev);
	bad[0] = '\0';
	if ((st = store_contact_list(h->store, candidate, &cv, &nc)) !=
	    STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_contact_list(h->store, endorser, &ev_c, &ne)) !=
	    STORE_OK) {
		store_contacts_free(cv, nc);
		return hubctl_store_fail(h, st);
	}
	for (i = 0; i < nc && !ev->found; i++) {
		if (keys_lookup(h->gpg, cv[i].fpr, &cki) != CRYPTO_OK)
			continue;
		for (j = 0; j < ne && !ev->found; j++) {
			if (keys_certified_by(h->gpg, cv[i].fpr, ev_c[j].fpr,
			    &yes) != CRYPTO_OK)
				yes = 0;
			uid = NULL;
			cert = find_cert(cki, ev_c[j].fpr, &uid);
			if (!yes) {
				/* remember why the first one found fails */
				if (cert != NULL && bad[0] == '\0')
					why_not(h, cert, &ev_c[j], &cv[i],
					    bad, sizeof bad);
				continue;
			}
			ev->found = 1;
			memcpy(ev->candidate_fpr, cv[i].fpr,
			    sizeof ev->candidate_fpr);
			memcpy(ev->endorser_fpr, ev_c[j].fpr,
			    sizeof ev->endorser_fpr);
			ev->cert_time = cert != NULL ? cert->created : 0;
			ev->key_state = CERT_KEY_VALID;
			if (keys_lookup(h->gpg, ev_c[j].fpr, &eki) ==
			    CRYPTO_OK) {
				if (eki->revoked)
					ev->key_state = CERT_KEY_REVOKED;
				else if (eki->expired || (eki->expires > 0 &&
				    eki->expires <= (long long)hub_now()))
					ev->key_state = CERT_KEY_EXPIRED;
				ev->key_expires = eki->expires;
				key_info_free(eki);
			}
			day_str(ev->cert_time, day, sizeof day);
			snprintf(ev->text, sizeof ev->text, "key %s of %s "
			    "certified \"%s\" on key %s of %s, on %s",
			    ev_c[j].fpr, ev_c[j].address,
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
	store_contacts_free(ev_c, ne);
	return HUBCTL_OK;
}

static const char *
reason_text(enum endorse_reason r)
{
	switch (r) {
	case ENDORSE_COUNTED:
		return "counted";
	case ENDORSE_SELF:
		return "not counted: a team cannot endorse itself";
	case ENDORSE_NOT_MEMBER:
		return "not counted: partner teams do not admit teams";
	case ENDORSE_NOT_ACTIVE:
		return "not counted: the endorsing team is not active";
	case ENDORSE_NO_EVIDENCE:
		return "not counted: no valid certification";
	case ENDORSE_KEY_REVOKED:
		return "not counted: the certifying key is revoked";
	case ENDORSE_KEY_EXPIRED:
		return "not counted: the certifying key had expired when it "
		    "certified";
	case ENDORSE_DUPLICATE:
		return "not counted: this team already counted";
	}
	return "unknown";
}

/*
 * Run the admission rule for candidate with every recorded endorsement
 * and the community options; print the result (inside the caller's
 * map) and make the team active when it qualifies.
 */
int
hubctl_admission(struct hubctl *h, const char *candidate)
{
	struct endorse_record *recs = NULL;
	struct endorsement *v = NULL;
	struct evidence *evs = NULL;
	enum endorse_reason *why = NULL;
	struct store_community com;
	struct endorse_verdict verdict;
	struct endorse_input in;
	enum store_status st;
	struct team cand, *teams = NULL;
	size_t n = 0, i;
	int approved = 0, rc = HUBCTL_OK;

	if ((st = store_team_get(h->store, candidate, &cand)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_community_get(h->store, &com)) != STORE_OK ||
	    (st = store_team_approved(h->store, cand.handle, &approved)) !=
	    STORE_OK ||
	    (st = store_endorsements(h->store, cand.handle, &v, &n)) !=
	    STORE_OK) {
		store_team_clear(&cand);
		return hubctl_store_fail(h, st);
	}
	recs = xcalloc(n + 1, sizeof *recs);
	evs = xcalloc(n + 1, sizeof *evs);
	why = xcalloc(n + 1, sizeof *why);
	teams = xcalloc(n + 1, sizeof *teams);
	for (i = 0; i < n && rc == HUBCTL_OK; i++) {
		if ((st = store_team_get(h->store, v[i].endorser,
		    &teams[i])) != STORE_OK) {
			rc = hubctl_store_fail(h, st);
			break;
		}
		if ((rc = gather(h, cand.handle, v[i].endorser, &evs[i])) !=
		    HUBCTL_OK)
			break;
		recs[i].endorser = teams[i].handle;
		recs[i].endorser_kind = teams[i].kind;
		recs[i].endorser_state = teams[i].state;
		recs[i].cert_verified = evs[i].found;
		recs[i].key_state = evs[i].key_state;
		recs[i].cert_time = evs[i].cert_time;
		recs[i].key_expires = evs[i].key_expires;
	}
	if (rc != HUBCTL_OK)
		goto out;
	memset(&in, 0, sizeof in);
	in.candidate = cand.handle;
	in.candidate_state = cand.state;
	in.recs = recs;
	in.nrecs = n;
	in.required = com.endorsements_required;
	in.approval_required = com.admin_approval;
	in.approved = approved != 0;
	endorse_evaluate(&in, &verdict, why);
	if (verdict.activate && (st = store_team_set_state(h->store,
	    cand.handle, TEAM_ACTIVE)) != STORE_OK) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	out_key(h->out, "endorsements");
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		out_kstr(h->out, "endorser", teams[i].handle);
		out_kstr(h->out, "endorser_state",
		    team_state_str(teams[i].state));
		out_kbool(h->out, "counted", why[i] == ENDORSE_COUNTED);
		out_kstr(h->out, "reason", endorse_reason_str(why[i]));
		out_kstr(h->out, "why", reason_text(why[i]));
		out_kstr(h->out, "evidence", evs[i].text);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	out_kint(h->out, "required", (long long)com.endorsements_required);
	out_kint(h->out, "counted", (long long)verdict.counted);
	out_kbool(h->out, "admin_approval", com.admin_approval);
	out_kbool(h->out, "approved", approved);
	out_kstr(h->out, "outcome", endorse_outcome_str(verdict.outcome));
	out_kstr(h->out, "state", verdict.activate ? "active" :
	    team_state_str(cand.state));
out:
	for (i = 0; i < n; i++)
		store_team_clear(&teams[i]);
	free(teams);
	free(why);
	free(evs);
	free(recs);
	store_endorsements_free(v);
	store_team_clear(&cand);
	return rc;
}

int
cmd_endorse(struct hubctl *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const struct hubctl_cmd *cmd = hubctl_cmd_find("endorse");
	struct team cand, by;
	struct endorsement e;
	struct evidence ev;
	enum store_status st;
	const char *endorser = NULL;
	int ch, rc, replaced = 0;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(cmd);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (ch == 'b') {
			endorser = optarg;
			continue;
		}
		hubctl_warn("endorse: unknown option or missing "
		    "value: %s", argv[optind - 1]);
		return hubctl_usage(cmd);
	}
	if (argc - optind != 1 || endorser == NULL)
		return hubctl_usage(cmd);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_team_get(h->store, argv[optind], &cand)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_team_get(h->store, endorser, &by)) != STORE_OK) {
		store_team_clear(&cand);
		return hubctl_store_fail(h, st);
	}
	memset(&e, 0, sizeof e);
	memcpy(e.candidate, cand.handle, sizeof e.candidate);
	memcpy(e.endorser, by.handle, sizeof e.endorser);
	store_team_clear(&by);
	if (cand.state != TEAM_CANDIDATE) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "team %s is %s, not a "
		    "candidate: nothing to endorse", cand.handle,
		    team_state_str(cand.state));
		store_team_clear(&cand);
		return rc;
	}
	store_team_clear(&cand);
	if ((rc = gather(h, e.candidate, e.endorser, &ev)) != HUBCTL_OK)
		return rc;
	memcpy(e.candidate_fpr, ev.candidate_fpr, sizeof e.candidate_fpr);
	memcpy(e.endorser_fpr, ev.endorser_fpr, sizeof e.endorser_fpr);
	if ((st = store_endorse(h->store, &e, &replaced)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "candidate", e.candidate);
	out_kstr(h->out, "endorser", e.endorser);
	out_kbool(h->out, "evidence_found", ev.found);
	out_kstr(h->out, "evidence", ev.text);
	out_kstr(h->out, "recorded", replaced ? "again: it replaces the "
	    "team's earlier endorsement (a team counts once)" : "new");
	rc = hubctl_admission(h, e.candidate);
	out_map_end(h->out);
	return rc;
}

int
cmd_community(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *cmd = hubctl_cmd_find("community");
	struct store_community com;
	enum store_status st;
	char *key, *eq;
	int i, rc;

	if (argc < 2 || hubctl_wants_help(argc, argv))
		return argc < 2 ? hubctl_usage(cmd) : hubctl_help(cmd);
	if (strcmp(argv[1], "show") != 0 && strcmp(argv[1], "set") != 0) {
		hubctl_warn("community: no such subcommand: %s", argv[1]);
		return hubctl_usage(cmd);
	}
	for (i = 2; i < argc; i++)
		if (argv[i][0] == '-') {
			hubctl_warn("community %s: unknown option: "
			    "%s", argv[1], argv[i]);
			return hubctl_usage(cmd);
		}
	if (strcmp(argv[1], "show") == 0 ? argc != 2 : argc < 3)
		return hubctl_usage(cmd);
	for (i = 2; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i])
			return hubctl_fail(h, HUBCTL_USAGE, "not option=value: "
			    "%s", argv[i]);
		key = xstrndup(argv[i], (size_t)(eq - argv[i]));
		rc = hubctl_check_text(h, key, eq + 1);
		free(key);
		if (rc != HUBCTL_OK)
			return rc;
	}
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	/* one transaction and audit row per option, in order given */
	for (i = 2; i < argc; i++) {
		eq = strchr(argv[i], '=');
		key = xstrndup(argv[i], (size_t)(eq - argv[i]));
		st = store_community_set(h->store, key, eq + 1);
		free(key);
		if (st != STORE_OK)
			return hubctl_store_fail(h, st);
	}
	if ((st = store_community_get(h->store, &com)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kint(h->out, "endorsements_required",
	    (long long)com.endorsements_required);
	out_kbool(h->out, "admin_approval", com.admin_approval);
	out_map_end(h->out);
	return HUBCTL_OK;
}
