/*
 * hubctl endorse, community and the admission of candidates
 * (hubctl(8) "ADMISSION").
 *
 * What counts as evidence, what an endorsement is worth and when a team
 * becomes active are lists/admission's and lists/endorse's; this file
 * parses the command line and prints what they found and decided.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "lists/admission.h"
#include "lists/endorse.h"
#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

int
hubctl_admission(struct hubctl *h, const char *candidate)
{
	struct admission *a = NULL;
	enum store_status st;
	size_t i;

	if ((st = admission_run(h->store, h->gpg, candidate, &a)) !=
	    STORE_OK)
		return hubctl_store_fail(h, st);
	out_key(h->out, "endorsements");
	out_list_begin(h->out);
	for (i = 0; i < a->n; i++) {
		const struct admission_entry *en = &a->v[i];

		out_map_begin(h->out);
		out_kstr(h->out, "endorser", en->endorser.handle);
		out_kstr(h->out, "endorser_state",
		    team_state_str(en->endorser.state));
		out_kbool(h->out, "counted", en->why == ENDORSE_COUNTED);
		out_kstr(h->out, "reason", endorse_reason_str(en->why));
		out_kstr(h->out, "why", endorse_reason_text(en->why));
		out_kstr(h->out, "evidence", en->ev.text);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	out_kint(h->out, "required",
	    (long long)a->community.endorsements_required);
	out_kint(h->out, "counted", (long long)a->verdict.counted);
	out_kbool(h->out, "admin_approval", a->community.admin_approval);
	out_kbool(h->out, "approved", a->approved);
	out_kstr(h->out, "outcome", endorse_outcome_str(a->verdict.outcome));
	out_kstr(h->out, "state", a->verdict.activate ? "active" :
	    team_state_str(a->candidate.state));
	admission_free(a);
	return HUBCTL_OK;
}

int
cmd_endorse(struct hubctl *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const struct hubctl_cmd *cmd = hubctl_cmd_find("endorse");
	struct admission_endorsed r;
	enum store_status st;
	const char *endorser = NULL;
	int ch, rc;

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
	st = admission_endorse(h->store, h->gpg, argv[optind], endorser, &r);
	if (st != STORE_OK && r.not_candidate)
		return hubctl_fail(h, HUBCTL_ERROR, "team %s is %s, not a "
		    "candidate: nothing to endorse", r.e.candidate,
		    team_state_str(r.state));
	if (st != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "candidate", r.e.candidate);
	out_kstr(h->out, "endorser", r.e.endorser);
	out_kbool(h->out, "evidence_found", r.ev.found);
	out_kstr(h->out, "evidence", r.ev.text);
	out_kstr(h->out, "recorded", r.replaced ? "again: it replaces the "
	    "team's earlier endorsement (a team counts once)" : "new");
	rc = hubctl_admission(h, r.e.candidate);
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
	out_kstr(h->out, "lang", com.lang);
	out_map_end(h->out);
	return HUBCTL_OK;
}
