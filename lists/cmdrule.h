/*
 * cmdrule: who may do what by mail command (lists/mailcmd), as pure
 * functions of the roster's records -- the rules hub/request.c applies
 * before it calls the store, table-tested in tests/unit/test_mailcmd.c.
 *
 * The asker is always an authenticated contact of an active team (the
 * caller checked the mail as it checks a post); the rules say what that
 * contact may do on one list.
 *
 * Subscribing.  A contact subscribes itself, or a contact of its own
 * team, to a list on which its team already is: through another of its
 * contacts' subscriptions as member or partner.  Which lists a team is
 * on is the admins' decision (hubctl subscribe); which of its contacts
 * receive them is the team's.  So a member of another list cannot join
 * this one by mail, and a partner team never gets more than it has: the
 * new subscription copies the team's role on the list (member only for
 * a member team; partner with the team's highest partner clearance
 * otherwise), never admin.  A contact who receives the list through a
 * subscription of the whole team is told so rather than subscribed
 * twice.
 *
 * Unsubscribing.  A contact's own subscription (its own, or one of its
 * team's contacts), not an admin's (notices to the list's admins stop
 * only by the hub admin's hand), and not a team subscription.
 *
 * Seeing members.  A contact subscribed to the list as member or admin,
 * of a member team, sees the teams and contacts (addresses and key
 * fingerprints) and may fetch their keys; a partner sees the teams'
 * handles; anyone else, nothing.
 *
 * Endorsing.  A contact of an active member team endorses another team
 * (lists/admission then records it and runs the admission rule, which
 * judges the endorsement again).
 *
 * Handles and addresses compare case-insensitively.  Pure: no I/O, no
 * globals, no allocation.
 */
#ifndef LISTS_CMDRULE_H
#define LISTS_CMDRULE_H

#include <stdbool.h>
#include <stddef.h>

#include "lists/model.h"

enum cmdrule {
	CMDRULE_OK = 0,
	CMDRULE_NOT_OWN_TEAM,	/* no such contact, or another team's */
	CMDRULE_TEAM_NOT_ACTIVE,
	CMDRULE_TEAM_NOT_ON_LIST,
	CMDRULE_ALREADY,	/* subscribed already */
	CMDRULE_VIA_TEAM,	/* through the team's subscription */
	CMDRULE_NOT_SUBSCRIBED,
	CMDRULE_ADMIN_ROLE,	/* an admin subscription */
	CMDRULE_FPR_MISMATCH,	/* X-SUBSCRIBE named another key */
	CMDRULE_NOT_MEMBER_TEAM,	/* a partner may not endorse */
	CMDRULE_SELF,		/* a team endorsing itself */
	CMDRULE_NOT_VISIBLE,	/* not among the members the asker sees */
};

const char *cmdrule_str(enum cmdrule r);
/* One sentence for the answer (static; English, marked for gettext:
 * the answer translates it, base/i18n.h L_). */
const char *cmdrule_text(enum cmdrule r);

/* The roster the rules read: all teams, all contacts, and the list's
 * subscriptions (lists/roster's view holds exactly these). */
struct cmdrule_roster {
	const struct team		*teams;
	size_t				 nteams;
	const struct contact		*contacts;
	size_t				 ncontacts;
	const struct subscription	*subs;	/* of this list */
	size_t				 nsubs;
};

const struct team *cmdrule_team(const struct cmdrule_roster *r,
    const char *handle);
const struct contact *cmdrule_contact(const struct cmdrule_roster *r,
    const char *address);

/*
 * May asker subscribe target (an address, NULL or "" for itself; fpr
 * the fingerprint X-SUBSCRIBE named, or NULL)?  On CMDRULE_OK *out is
 * the subscription to make.
 */
enum cmdrule cmdrule_subscribe(const struct cmdrule_roster *r,
    const struct contact *asker, const char *target, const char *fpr,
    struct subscription *out);
/* May asker unsubscribe target (NULL or "": itself)?  *who gets the
 * contact's stored address on CMDRULE_OK. */
enum cmdrule cmdrule_unsubscribe(const struct cmdrule_roster *r,
    const struct contact *asker, const char *target, const char **who);

enum cmdrule_view {
	CMDRULE_SEE_NOTHING = 0,
	CMDRULE_SEE_TEAMS,
	CMDRULE_SEE_CONTACTS,
};

/* What of the list's members asker sees. */
enum cmdrule_view cmdrule_members_view(const struct cmdrule_roster *r,
    const struct contact *asker);
/* Is the contact c on the list (its own or its team's subscription)? */
bool cmdrule_on_list(const struct cmdrule_roster *r,
    const struct contact *c);
/* May asker have target's key?  (Itself always; else target must be
 * on the list and the asker see contacts.) */
enum cmdrule cmdrule_key_get(const struct cmdrule_roster *r,
    const struct contact *asker, const struct contact *target);
/* May asker endorse the team candidate? */
enum cmdrule cmdrule_endorse(const struct cmdrule_roster *r,
    const struct contact *asker, const char *candidate);

#endif
