/*
 * cmdrule: the rules of the mail commands (see lists/cmdrule.h).
 */
#include "config.h"

#include "base/i18n.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lists/cmdrule.h"

const char *
cmdrule_str(enum cmdrule r)
{
	switch (r) {
	case CMDRULE_OK:
		return "ok";
	case CMDRULE_NOT_OWN_TEAM:
		return "not-own-team";
	case CMDRULE_TEAM_NOT_ACTIVE:
		return "team-not-active";
	case CMDRULE_TEAM_NOT_ON_LIST:
		return "team-not-on-list";
	case CMDRULE_ALREADY:
		return "already-subscribed";
	case CMDRULE_VIA_TEAM:
		return "via-team";
	case CMDRULE_NOT_SUBSCRIBED:
		return "not-subscribed";
	case CMDRULE_ADMIN_ROLE:
		return "admin-role";
	case CMDRULE_FPR_MISMATCH:
		return "fpr-mismatch";
	case CMDRULE_NOT_MEMBER_TEAM:
		return "not-member-team";
	case CMDRULE_SELF:
		return "self";
	case CMDRULE_NOT_VISIBLE:
		return "not-visible";
	}
	return "unknown";
}

const char *
cmdrule_text(enum cmdrule r)
{
	switch (r) {
	case CMDRULE_OK:
		return N_("done");
	case CMDRULE_NOT_OWN_TEAM:
		return N_("you may do this only for yourself and the contacts "
		    "of your own team");
	case CMDRULE_TEAM_NOT_ACTIVE:
		return N_("the team is not an active member of the community");
	case CMDRULE_TEAM_NOT_ON_LIST:
		return N_("your team is not on this list; the list's admins "
		    "(the -owner address) decide which teams are");
	case CMDRULE_ALREADY:
		return N_("already subscribed");
	case CMDRULE_VIA_TEAM:
		return N_("the team is subscribed as a whole, so this contact "
		    "receives the list through it; ask the list's admins "
		    "to change that");
	case CMDRULE_NOT_SUBSCRIBED:
		return N_("not subscribed to this list");
	case CMDRULE_ADMIN_ROLE:
		return N_("an admin subscription is changed only by the hub's "
		    "admin");
	case CMDRULE_FPR_MISMATCH:
		return N_("the fingerprint is not the contact's registered "
		    "key; "
		    "a key is changed with key update");
	case CMDRULE_NOT_MEMBER_TEAM:
		return N_("only a contact of an active member team may "
		    "endorse");
	case CMDRULE_SELF:
		return N_("a team cannot endorse itself");
	case CMDRULE_NOT_VISIBLE:
		return N_("no such member of this list that you may see");
	}
	return N_("refused");
}

const struct team *
cmdrule_team(const struct cmdrule_roster *r, const char *handle)
{
	size_t i;

	for (i = 0; handle != NULL && i < r->nteams; i++)
		if (strcasecmp(r->teams[i].handle, handle) == 0)
			return &r->teams[i];
	return NULL;
}

const struct contact *
cmdrule_contact(const struct cmdrule_roster *r, const char *address)
{
	size_t i;

	for (i = 0; address != NULL && i < r->ncontacts; i++)
		if (strcasecmp(r->contacts[i].address, address) == 0)
			return &r->contacts[i];
	return NULL;
}

/* The contact's own subscription on the list, or NULL. */
static const struct subscription *
own_sub(const struct cmdrule_roster *r, const char *address)
{
	size_t i;

	for (i = 0; i < r->nsubs; i++)
		if (r->subs[i].contact[0] != '\0' &&
		    strcasecmp(r->subs[i].contact, address) == 0)
			return &r->subs[i];
	return NULL;
}

/* The team's subscription as a whole, or NULL. */
static const struct subscription *
team_sub(const struct cmdrule_roster *r, const char *handle)
{
	size_t i;

	for (i = 0; i < r->nsubs; i++)
		if (r->subs[i].team[0] != '\0' &&
		    strcasecmp(r->subs[i].team, handle) == 0)
			return &r->subs[i];
	return NULL;
}

/* The target contact (NULL/"": the asker), if of the asker's team. */
static const struct contact *
own_team_contact(const struct cmdrule_roster *r, const struct contact *asker,
    const char *target)
{
	const struct contact *t;

	if (target == NULL || target[0] == '\0')
		return asker;
	if ((t = cmdrule_contact(r, target)) == NULL ||
	    strcasecmp(t->team, asker->team) != 0)
		return NULL;
	return t;
}

enum cmdrule
cmdrule_subscribe(const struct cmdrule_roster *r, const struct contact *asker,
    const char *target, const char *fpr, struct subscription *out)
{
	const struct contact *t, *c;
	const struct team *team;
	const struct subscription *s;
	bool member = false, partner = false;
	enum tlp clearance = TLP_NONE;
	size_t i;

	if ((t = own_team_contact(r, asker, target)) == NULL)
		return CMDRULE_NOT_OWN_TEAM;
	if ((team = cmdrule_team(r, t->team)) == NULL)
		return CMDRULE_NOT_OWN_TEAM;
	if (team->state != TEAM_ACTIVE)
		return CMDRULE_TEAM_NOT_ACTIVE;
	if (fpr != NULL && fpr[0] != '\0' && strcasecmp(fpr, t->fpr) != 0)
		return CMDRULE_FPR_MISMATCH;
	if (team_sub(r, team->handle) != NULL)
		return CMDRULE_VIA_TEAM;
	if (own_sub(r, t->address) != NULL)
		return CMDRULE_ALREADY;
	/* where the team stands on the list: its contacts' subscriptions */
	for (i = 0; i < r->nsubs; i++) {
		s = &r->subs[i];
		if (s->contact[0] == '\0' ||
		    (c = cmdrule_contact(r, s->contact)) == NULL ||
		    strcasecmp(c->team, team->handle) != 0)
			continue;
		if (s->role == ROLE_MEMBER)
			member = true;
		else if (s->role == ROLE_PARTNER) {
			partner = true;
			if (s->clearance > clearance)
				clearance = s->clearance;
		}
	}
	if (!member && !partner)
		return CMDRULE_TEAM_NOT_ON_LIST;
	memset(out, 0, sizeof *out);
	snprintf(out->contact, sizeof out->contact, "%s", t->address);
	if (member && team->kind == TEAM_KIND_MEMBER) {
		out->role = ROLE_MEMBER;
		out->clearance = TLP_NONE;
	} else {
		/* a partner team's contact is a partner whatever the role
		 * written (lists/policy); never more than the team has */
		out->role = ROLE_PARTNER;
		out->clearance = clearance;
	}
	return CMDRULE_OK;
}

enum cmdrule
cmdrule_unsubscribe(const struct cmdrule_roster *r,
    const struct contact *asker, const char *target, const char **who)
{
	const struct contact *t;
	const struct subscription *s;

	if ((t = own_team_contact(r, asker, target)) == NULL)
		return CMDRULE_NOT_OWN_TEAM;
	if ((s = own_sub(r, t->address)) == NULL)
		return team_sub(r, t->team) != NULL ? CMDRULE_VIA_TEAM :
		    CMDRULE_NOT_SUBSCRIBED;
	if (s->role == ROLE_ADMIN)
		return CMDRULE_ADMIN_ROLE;
	*who = t->address;
	return CMDRULE_OK;
}

bool
cmdrule_on_list(const struct cmdrule_roster *r, const struct contact *c)
{
	return own_sub(r, c->address) != NULL ||
	    team_sub(r, c->team) != NULL;
}

enum cmdrule_view
cmdrule_members_view(const struct cmdrule_roster *r,
    const struct contact *asker)
{
	const struct team *team = cmdrule_team(r, asker->team);
	const struct subscription *s;
	bool member = false, on = false;
	size_t i;

	if (team == NULL || team->state != TEAM_ACTIVE)
		return CMDRULE_SEE_NOTHING;
	for (i = 0; i < r->nsubs; i++) {
		s = &r->subs[i];
		if (s->contact[0] != '\0' ?
		    strcasecmp(s->contact, asker->address) != 0 :
		    strcasecmp(s->team, team->handle) != 0)
			continue;
		on = true;
		if (s->role == ROLE_MEMBER || s->role == ROLE_ADMIN)
			member = true;
	}
	if (!on)
		return CMDRULE_SEE_NOTHING;
	return member && team->kind == TEAM_KIND_MEMBER ?
	    CMDRULE_SEE_CONTACTS : CMDRULE_SEE_TEAMS;
}

enum cmdrule
cmdrule_key_get(const struct cmdrule_roster *r, const struct contact *asker,
    const struct contact *target)
{
	const struct team *team;

	if (target == NULL)
		return CMDRULE_NOT_VISIBLE;
	if (strcasecmp(target->address, asker->address) == 0)
		return CMDRULE_OK;
	if (cmdrule_members_view(r, asker) != CMDRULE_SEE_CONTACTS ||
	    !cmdrule_on_list(r, target) ||
	    (team = cmdrule_team(r, target->team)) == NULL ||
	    team->state != TEAM_ACTIVE)
		return CMDRULE_NOT_VISIBLE;
	return CMDRULE_OK;
}

enum cmdrule
cmdrule_endorse(const struct cmdrule_roster *r, const struct contact *asker,
    const char *candidate)
{
	const struct team *team = cmdrule_team(r, asker->team);

	if (team == NULL || team->state != TEAM_ACTIVE)
		return CMDRULE_TEAM_NOT_ACTIVE;
	if (team->kind != TEAM_KIND_MEMBER)
		return CMDRULE_NOT_MEMBER_TEAM;
	if (strcasecmp(team->handle, candidate) == 0)
		return CMDRULE_SELF;
	return CMDRULE_OK;
}
