/*
 * model: the community's plain records (DESIGN.md "Community model"):
 * teams, contacts, lists, subscriptions, endorsements, and their state
 * vocabularies with _str()/_from_name().
 *
 * These are data, not objects: no constructors, no hidden state.  The
 * roster (lists/roster, later) fills them from the store; lists/policy and
 * lists/endorse read them; hubctl prints them.  Identifiers (handles,
 * addresses, fingerprints, list names, tags) are fixed-size arrays inside
 * the record, so a record can be copied by assignment and needs no free.
 * Free texts (a team's or contact's name, a list's description) are
 * const char * owned by whoever filled the record and must outlive it (the
 * roster will say how long; tests use string literals); NULL means unset.
 *
 * The role of a subscription (enum role) lives in lists/tlp.h, the one
 * header archive/ may include, which needs it too.
 *
 * Pure declarations and static inline helpers; nothing here blocks.
 */
#ifndef LISTS_MODEL_H
#define LISTS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#include "lists/tlp.h"

#define MODEL_HANDLE_MAX	64	/* team handle "CERT-EX", with NUL */
#define MODEL_ADDR_MAX		256	/* RFC 5321 path (254) + NUL */
#define MODEL_FPR_LEN		41	/* 40 hex digits + NUL */
#define MODEL_LIST_MAX		64	/* list local part, with NUL */
#define MODEL_TAG_MAX		64	/* subject tag "[ops]", with NUL */
#define MODEL_LANG_MAX		3	/* "ja", "en" (base/i18n.h), with NUL */

enum team_kind {
	TEAM_KIND_MEMBER = 0,	/* a CSIRT of the community */
	TEAM_KIND_PARTNER,	/* supply-chain partner: receives only */
};

/* candidate -> active (endorsed) -> suspended <-> active; any -> left. */
enum team_state {
	TEAM_CANDIDATE = 0,
	TEAM_ACTIVE,
	TEAM_SUSPENDED,
	TEAM_LEFT,
};

/* Who may post on a list (DESIGN.md: members / admins / any subscriber). */
enum post_permission {
	POST_MEMBERS = 0,	/* subscriptions with role member, of a
				   member team */
	POST_ADMINS,		/* subscriptions with role admin */
	POST_SUBSCRIBERS,	/* any subscription on the list, also a
				   partner's */
};

struct team {
	char		 handle[MODEL_HANDLE_MAX];
	const char	*name;
	enum team_kind	 kind;
	enum team_state	 state;
};

struct contact {
	char		 address[MODEL_ADDR_MAX];	/* lowercase */
	char		 fpr[MODEL_FPR_LEN];		/* uppercase hex */
	char		 team[MODEL_HANDLE_MAX];	/* its team's handle */
	const char	*name;
	/* the language of the hub's mail to it, "ja" or "en"; "": the
	 * community's (store_community.lang) */
	char		 lang[MODEL_LANG_MAX];
	/* it sends "copy off": no copy of its own posts */
	bool		 no_own_copy;
};

struct list_options {
	/* keep the sender's Message-ID in a header of relayed copies */
	bool		 keep_msgid;
	/* limit for this list in octets; 0: the hub's max_message_size */
	size_t		 max_size;
	/* seconds a signature may be old when the signed content does not
	 * name the list (lists/policy.h); 0: no limit */
	long long	 max_signature_age;
};

#define LIST_MAX_SIGNATURE_AGE_DEFAULT	(48LL * 3600)

struct list {
	char			 name[MODEL_LIST_MAX];	/* NAME@domain */
	const char		*description;
	enum tlp		 default_tlp;	/* never TLP_NONE */
	enum post_permission	 may_post;
	char			 subject_tag[MODEL_TAG_MAX];
	struct list_options	 opts;
};

/*
 * A contact or a whole team (exactly one of contact[], team[] is
 * non-empty) subscribed to a list.  A team subscription means each of
 * the team's contacts.  clearance is the highest label a partner may
 * receive beyond GREEN (TLP_NONE: none); it means nothing for members.
 */
struct subscription {
	char		 list[MODEL_LIST_MAX];
	char		 contact[MODEL_ADDR_MAX];
	char		 team[MODEL_HANDLE_MAX];
	enum role	 role;
	enum tlp	 clearance;
};

/*
 * An endorsement as recorded: team endorser vouches for team candidate,
 * with the evidence being a certification by endorser_fpr (a contact of
 * the endorser) on candidate_fpr (a contact of the candidate).  Whether
 * it counts is lists/endorse's decision, made from the facts crypto/
 * reports about that certification.
 */
struct endorsement {
	char		 candidate[MODEL_HANDLE_MAX];
	char		 endorser[MODEL_HANDLE_MAX];
	char		 candidate_fpr[MODEL_FPR_LEN];
	char		 endorser_fpr[MODEL_FPR_LEN];
	long long	 recorded;	/* time(2) the admin recorded it */
};

static inline const char *
team_kind_str(enum team_kind k)
{
	switch (k) {
	case TEAM_KIND_MEMBER:
		return "member";
	case TEAM_KIND_PARTNER:
		return "partner";
	}
	return "unknown";
}

static inline const char *
team_state_str(enum team_state s)
{
	switch (s) {
	case TEAM_CANDIDATE:
		return "candidate";
	case TEAM_ACTIVE:
		return "active";
	case TEAM_SUSPENDED:
		return "suspended";
	case TEAM_LEFT:
		return "left";
	}
	return "unknown";
}

static inline const char *
post_permission_str(enum post_permission p)
{
	switch (p) {
	case POST_MEMBERS:
		return "members";
	case POST_ADMINS:
		return "admins";
	case POST_SUBSCRIBERS:
		return "subscribers";
	}
	return "unknown";
}

/* The _from_name() functions: exact, case-insensitive; 0 or -1. */
static inline int
team_kind_from_name(const char *name, enum team_kind *out)
{
	if (name != NULL && strcasecmp(name, "member") == 0)
		*out = TEAM_KIND_MEMBER;
	else if (name != NULL && strcasecmp(name, "partner") == 0)
		*out = TEAM_KIND_PARTNER;
	else
		return -1;
	return 0;
}

static inline int
team_state_from_name(const char *name, enum team_state *out)
{
	enum team_state s;

	if (name == NULL)
		return -1;
	for (s = TEAM_CANDIDATE; s <= TEAM_LEFT; s++)
		if (strcasecmp(name, team_state_str(s)) == 0) {
			*out = s;
			return 0;
		}
	return -1;
}

static inline int
post_permission_from_name(const char *name, enum post_permission *out)
{
	enum post_permission p;

	if (name == NULL)
		return -1;
	for (p = POST_MEMBERS; p <= POST_SUBSCRIBERS; p++)
		if (strcasecmp(name, post_permission_str(p)) == 0) {
			*out = p;
			return 0;
		}
	return -1;
}

#endif
