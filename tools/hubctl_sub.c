/*
 * hubctl subscribe and unsubscribe: a contact or a whole team on a list
 * (hubctl(8)).
 *
 * The role defaults from the team's kind (member teams: member, partner
 * teams: partner).  A partner team's contact never gets the member role:
 * lists/tlp treats it as a partner anyway, and the roster should say
 * what the hub does.  A clearance is for partner subscriptions only, and
 * is amber or amber+strict: partners get CLEAR and GREEN without one,
 * and RED never goes to partners (TLP 2.0: RED is for the named
 * recipients, here the list's member subscribers).
 *
 * subscribe LIST ADDRESS --disable stops the list's delivery to one
 * contact, subscribed on its own or through its team, and --enable
 * starts it again (after the bounce score disabled it, too).
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lists/model.h"
#include "lists/store.h"
#include "lists/tlp.h"
#include "tools/hubctl.h"
#include "tools/out.h"

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void
print_sub(struct out *o, const struct subscription *sub)
{
	out_kstr(o, "list", sub->list);
	out_kstr(o, "contact", sub->contact[0] != '\0' ? sub->contact : NULL);
	out_kstr(o, "team", sub->team[0] != '\0' ? sub->team : NULL);
	out_kstr(o, "role", role_str(sub->role));
	out_kstr(o, "clearance", tlp_str(sub->clearance));
}

/*
 * Parse "LIST ADDRESS" or "LIST --team HANDLE" (and, to subscribe,
 * --role, --clearance) into sub; HUBCTL_OK or a usage failure.
 */
static int
parse(struct hubctl *h, const struct hubctl_cmd *cmd, int argc, char **argv,
    int subscribe, struct subscription *sub, int *role_set, int *toggle)
{
	static const struct option opts[] = {
		{ "team", required_argument, NULL, 't' },
		{ "role", required_argument, NULL, 'r' },
		{ "clearance", required_argument, NULL, 'c' },
		{ "enable", no_argument, NULL, 'e' },
		{ "disable", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *team = NULL;
	int ch, left, other = 0;

	memset(sub, 0, sizeof *sub);
	sub->role = ROLE_MEMBER;
	sub->clearance = TLP_NONE;
	*role_set = 0;
	*toggle = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (ch == 't') {
			team = optarg;
		} else if (ch == 'r' && subscribe) {
			if (role_from_name(optarg, &sub->role) == -1)
				return hubctl_fail(h, HUBCTL_USAGE, "bad "
				    "--role: %s (member, partner or admin)",
				    optarg);
			*role_set = 1;
		} else if (ch == 'c' && subscribe) {
			if (tlp_from_name(optarg, &sub->clearance) == -1)
				return hubctl_fail(h, HUBCTL_USAGE, "bad "
				    "--clearance: %s (amber, amber+strict or "
				    "none)", optarg);
			other = 1;
		} else if ((ch == 'e' || ch == 'd') && subscribe &&
		    *toggle == 0) {
			*toggle = ch == 'e' ? 1 : -1;
		} else {
			hubctl_warn("%s: unknown option or "
			    "missing value: %s", cmd->name,
			    argv[optind - 1]);
			return hubctl_usage(cmd);
		}
	}
	/* --enable/--disable change the delivery of one contact, whatever
	 * subscription (its own or its team's) it receives through */
	if (*toggle != 0 && (team != NULL || *role_set || other)) {
		hubctl_warn("%s: --enable and --disable take LIST ADDRESS "
		    "alone", cmd->name);
		return hubctl_usage(cmd);
	}
	left = argc - optind;
	if (left != (team != NULL ? 1 : 2))
		return hubctl_usage(cmd);
	if (strlen(argv[optind]) >= sizeof sub->list)
		return hubctl_fail(h, HUBCTL_ERROR, "no such list: %s",
		    argv[optind]);
	snprintf(sub->list, sizeof sub->list, "%s", argv[optind]);
	if (team != NULL) {
		if (strlen(team) >= sizeof sub->team)
			return hubctl_fail(h, HUBCTL_ERROR, "no such team: %s",
			    team);
		snprintf(sub->team, sizeof sub->team, "%s", team);
	} else {
		if (strlen(argv[optind + 1]) >= sizeof sub->contact)
			return hubctl_fail(h, HUBCTL_ERROR, "no such contact: "
			    "%s", argv[optind + 1]);
		snprintf(sub->contact, sizeof sub->contact, "%s",
		    argv[optind + 1]);
		lower(sub->contact);
	}
	return HUBCTL_OK;
}

/* The kind of the team subscribing (the contact's team for a contact). */
static int
team_of(struct hubctl *h, struct subscription *sub, enum team_kind *kind)
{
	enum store_status st;
	struct store_list l;
	struct contact c;
	struct team t;

	/* the list first: "no such list" before anything about who */
	if ((st = store_list_get(h->store, sub->list, &l)) != STORE_OK)
		return hubctl_store_fail(h, st);
	store_list_clear(&l);
	if (sub->contact[0] != '\0') {
		if ((st = store_contact_get(h->store, sub->contact, &c)) !=
		    STORE_OK)
			return hubctl_store_fail(h, st);
		st = store_team_get(h->store, c.team, &t);
		store_contact_clear(&c);
	} else
		st = store_team_get(h->store, sub->team, &t);
	if (st != STORE_OK)
		return hubctl_store_fail(h, st);
	if (sub->team[0] != '\0')
		memcpy(sub->team, t.handle, sizeof sub->team);
	*kind = t.kind;
	store_team_clear(&t);
	return HUBCTL_OK;
}

/* Both commands: the command line, the store, the subscriber's team. */
static int
prepare(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv, int subscribing, struct subscription *sub,
    enum team_kind *kind, int *role_set, int *toggle)
{
	int rc;

	if ((rc = parse(h, cmd, argc, argv, subscribing, sub, role_set,
	    toggle)) != HUBCTL_OK)
		return rc;
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	return team_of(h, sub, kind);
}

/* subscribe LIST ADDRESS --enable|--disable (lists/store.h "delivery"). */
static int
delivery(struct hubctl *h, const struct subscription *sub, bool enable)
{
	enum store_status st;

	if ((st = store_delivery_set(h->store, sub->list, sub->contact, enable,
	    "admin")) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "list", sub->list);
	out_kstr(h->out, "contact", sub->contact);
	out_kstr(h->out, "delivery", enable ? "enabled" : "disabled");
	out_map_end(h->out);
	return HUBCTL_OK;
}

int
cmd_subscribe(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *cmd = hubctl_cmd_find("subscribe");
	struct subscription sub;
	enum store_status st;
	enum team_kind kind;
	const char *who;
	int rc, role_set, toggle;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(cmd);
	if ((rc = prepare(h, cmd, argc, argv, 1, &sub, &kind, &role_set,
	    &toggle)) != HUBCTL_OK)
		return rc;
	if (toggle != 0)
		return delivery(h, &sub, toggle > 0);
	who = sub.contact[0] != '\0' ? sub.contact : sub.team;
	if (!role_set && kind == TEAM_KIND_PARTNER)
		sub.role = ROLE_PARTNER;
	if (kind == TEAM_KIND_PARTNER && sub.role == ROLE_MEMBER)
		return hubctl_fail(h, HUBCTL_ERROR, "%s belongs to a partner "
		    "team: role member is for member teams (use --role "
		    "partner or admin)", who);
	if (sub.clearance != TLP_NONE && sub.role != ROLE_PARTNER)
		return hubctl_fail(h, HUBCTL_ERROR, "--clearance is only for "
		    "partner subscriptions: %s would be role %s, which "
		    "%s", who, role_str(sub.role), sub.role == ROLE_MEMBER ?
		    "receives every label already" : "receives notices, not "
		    "posts");
	if (sub.clearance == TLP_RED)
		return hubctl_fail(h, HUBCTL_ERROR, "clearance TLP:RED refused "
		    "for %s: RED is for the list's member subscribers only "
		    "and is never relayed to partners (TLP 2.0: RED goes to "
		    "the named recipients, not beyond them)", who);
	if (sub.clearance == TLP_CLEAR || sub.clearance == TLP_GREEN)
		return hubctl_fail(h, HUBCTL_ERROR, "clearance %s refused for "
		    "%s: partners receive CLEAR and GREEN without one (give "
		    "amber or amber+strict)", tlp_str(sub.clearance), who);
	if ((st = store_subscribe(h->store, &sub)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	print_sub(h->out, &sub);
	out_map_end(h->out);
	return HUBCTL_OK;
}

int
cmd_unsubscribe(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *cmd = hubctl_cmd_find("unsubscribe");
	struct subscription sub;
	enum store_status st;
	enum team_kind kind;
	int rc, role_set, toggle;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(cmd);
	if ((rc = prepare(h, cmd, argc, argv, 0, &sub, &kind, &role_set,
	    &toggle)) != HUBCTL_OK)
		return rc;
	if ((st = store_unsubscribe(h->store, sub.list, sub.contact,
	    sub.team)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "list", sub.list);
	out_kstr(h->out, "contact", sub.contact[0] != '\0' ? sub.contact :
	    NULL);
	out_kstr(h->out, "team", sub.team[0] != '\0' ? sub.team : NULL);
	out_kbool(h->out, "unsubscribed", 1);
	out_map_end(h->out);
	return HUBCTL_OK;
}
