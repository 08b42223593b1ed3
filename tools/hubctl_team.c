/*
 * hubctl team: add, show, ls, suspend, reinstate, approve, remove
 * (hubctl(8)).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

static void
print_team(struct out *o, const struct team *t)
{
	out_kstr(o, "handle", t->handle);
	out_kstr(o, "kind", team_kind_str(t->kind));
	out_kstr(o, "state", team_state_str(t->state));
	out_kstr(o, "name", t->name);
}

static int
team_add(struct hubctl *h, const struct hubctl_cmd *c, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "state", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	enum store_status st;
	struct team t;
	int ch, rc;

	memset(&t, 0, sizeof t);
	t.kind = TEAM_KIND_MEMBER;
	t.state = TEAM_CANDIDATE;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			if (team_kind_from_name(optarg, &t.kind) == -1)
				return hubctl_fail(h, HUBCTL_USAGE, "bad "
				    "--kind: %s (member or partner)", optarg);
			break;
		case 'n':
			t.name = optarg;
			break;
		case 's':
			/* only the two states a team can start in */
			if (strcmp(optarg, "candidate") == 0)
				t.state = TEAM_CANDIDATE;
			else if (strcmp(optarg, "active") == 0)
				t.state = TEAM_ACTIVE;
			else
				return hubctl_fail(h, HUBCTL_USAGE, "bad "
				    "--state: %s (candidate or active)",
				    optarg);
			break;
		default:
			hubctl_warn("team add: unknown option or "
			    "missing value: %s", argv[optind - 1]);
			return hubctl_usage(c);
		}
	}
	if (argc - optind != 1)
		return hubctl_usage(c);
	/* checked here too, so nothing opens for a bad one */
	if ((rc = hubctl_check_text(h, "team handle", argv[optind])) !=
	    HUBCTL_OK)
		return rc;
	if (strlen(argv[optind]) >= sizeof t.handle ||
	    !store_valid_handle(argv[optind]))
		return hubctl_fail(h, HUBCTL_ERROR, "bad team handle: %s "
		    "(1-63 of A-Z a-z 0-9 . _ -)", argv[optind]);
	if ((rc = hubctl_check_text(h, "--name", t.name)) != HUBCTL_OK)
		return rc;
	snprintf(t.handle, sizeof t.handle, "%s", argv[optind]);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_team_add(h->store, &t)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	print_team(h->out, &t);
	out_map_end(h->out);
	return HUBCTL_OK;
}

/* The verbs taking exactly HANDLE and no options. */
static int
one_handle(const struct hubctl_cmd *c, int argc, char **argv)
{
	if (argc == 2 && argv[1][0] != '-')
		return HUBCTL_OK;
	if (argc > 1 && argv[1][0] == '-')
		hubctl_warn("team %s: unknown option: %s", argv[0], argv[1]);
	return hubctl_usage(c);
}

static int
team_show(struct hubctl *h, const char *handle)
{
	struct contact *cv;
	enum store_status st;
	struct team t;
	size_t i, n;

	if ((st = store_team_get(h->store, handle, &t)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_contact_list(h->store, t.handle, &cv, &n)) !=
	    STORE_OK) {
		store_team_clear(&t);
		return hubctl_store_fail(h, st);
	}
	out_map_begin(h->out);
	print_team(h->out, &t);
	out_key(h->out, "contacts");
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		out_kstr(h->out, "address", cv[i].address);
		out_kstr(h->out, "fpr", cv[i].fpr);
		out_kstr(h->out, "name", cv[i].name);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	out_map_end(h->out);
	store_contacts_free(cv, n);
	store_team_clear(&t);
	return HUBCTL_OK;
}

static int
team_ls(struct hubctl *h)
{
	enum store_status st;
	struct team *v;
	size_t i, n;

	if ((st = store_team_list(h->store, &v, &n)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		print_team(h->out, &v[i]);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	store_teams_free(v, n);
	return HUBCTL_OK;
}

static int
team_state(struct hubctl *h, const char *verb, const char *handle)
{
	enum store_status st;
	enum team_state to;
	struct team t;

	if ((st = store_team_get(h->store, handle, &t)) != STORE_OK)
		return hubctl_store_fail(h, st);
	/* reinstate undoes a suspension; it is not how a candidate enters */
	if (strcmp(verb, "reinstate") == 0 && t.state != TEAM_SUSPENDED) {
		store_team_clear(&t);
		return hubctl_fail(h, HUBCTL_ERROR, "team %s is %s, not "
		    "suspended: nothing to reinstate", handle,
		    team_state_str(t.state));
	}
	store_team_clear(&t);
	to = strcmp(verb, "suspend") == 0 ? TEAM_SUSPENDED : TEAM_ACTIVE;
	if ((st = store_team_set_state(h->store, handle, to)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_team_get(h->store, handle, &t)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	print_team(h->out, &t);
	out_map_end(h->out);
	store_team_clear(&t);
	return HUBCTL_OK;
}

static int
team_approve(struct hubctl *h, const char *handle)
{
	enum store_status st;
	struct team t;
	int rc;

	if ((st = store_team_approve(h->store, handle)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_team_get(h->store, handle, &t)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "handle", t.handle);
	out_kbool(h->out, "approved", 1);
	/* approval may be what the candidate was waiting for */
	rc = hubctl_admission(h, t.handle);
	out_map_end(h->out);
	store_team_clear(&t);
	return rc;
}

static int
team_remove(struct hubctl *h, const char *handle)
{
	enum store_status st;

	if ((st = store_team_remove(h->store, handle)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "handle", handle);
	out_kbool(h->out, "removed", 1);
	out_map_end(h->out);
	return HUBCTL_OK;
}

int
cmd_team(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("team");
	const char *verb;
	int rc;

	if (argc < 2 || hubctl_wants_help(argc, argv))
		return argc < 2 ? hubctl_usage(c) : hubctl_help(c);
	verb = argv[1];
	argc--;
	argv++;
	if (strcmp(verb, "add") == 0)
		return team_add(h, c, argc, argv);
	if (strcmp(verb, "ls") == 0) {
		if (argc != 1)
			return hubctl_usage(c);
		if ((rc = hubctl_open(h)) != HUBCTL_OK)
			return rc;
		return team_ls(h);
	}
	if (strcmp(verb, "show") != 0 && strcmp(verb, "suspend") != 0 &&
	    strcmp(verb, "reinstate") != 0 && strcmp(verb, "remove") != 0 &&
	    strcmp(verb, "approve") != 0) {
		hubctl_warn("team: no such subcommand: %s", verb);
		return hubctl_usage(c);
	}
	if ((rc = one_handle(c, argc, argv)) != HUBCTL_OK)
		return rc;
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if (strcmp(verb, "show") == 0)
		return team_show(h, argv[1]);
	if (strcmp(verb, "remove") == 0)
		return team_remove(h, argv[1]);
	if (strcmp(verb, "approve") == 0)
		return team_approve(h, argv[1]);
	return team_state(h, verb, argv[1]);
}
