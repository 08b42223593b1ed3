/*
 * endorse: the admission rule, as one pure function.  A candidate team
 * becomes active when at least `required` distinct active member teams
 * have endorsed it with evidence crypto/ can check (a certification by
 * one of their contacts' keys on a candidate contact's key), plus the
 * admin's approval when the community's option asks for it.
 *
 * The caller (lists/admission) gathers, per recorded endorsement, the
 * endorser team's kind and state now and the facts about the
 * certification (crypto/keys: keys_certified_by(), keys_lookup() of the
 * certifying key); endorse_evaluate() says which endorsements count, why
 * the others do not, and whether the candidate becomes active.
 *
 * Per endorsement, the first reason that holds (in this order):
 *   self           the endorser is the candidate itself
 *   not-member     the endorser is a partner team (partners are not part
 *                  of the circle of trust that admits teams)
 *   not-active     the endorser is not active NOW (candidate, suspended,
 *                  left): evaluated when the rule runs, not when the
 *                  endorsement was recorded
 *   no-evidence    the certification does not verify (missing, bad,
 *                  revoked or expired certification, or on the wrong key)
 *   key-revoked    the certifying key is revoked, whenever that was: a
 *                  revocation may mean compromise, and we cannot tell
 *                  since when, so nothing it certified counts
 *   key-expired    the certifying key had expired when it certified
 *                  (cert_time >= key_expires), or its expiry time
 *                  is unknown (key_expires 0): then we cannot tell that
 *                  the certification came before the expiry
 *   duplicate      the same endorser team already counted once
 * A key that expired AFTER certifying does not void the certification:
 * expiry is routine key lifetime, not distrust, and the endorsement was
 * valid evidence when it was made (as GnuPG keeps signatures made before
 * a key's expiry good).  The endorsing team must still be active now.
 *
 * Endorsers suspended (or gone) later: their endorsements stop counting
 * for candidates still being evaluated, but a team that already became
 * active is not re-evaluated: activation is a one-time transition, and
 * suspending an endorser does not cascade to the teams it vouched for
 * (the admin suspends those explicitly if needed; the audit log shows
 * who endorsed whom).
 *
 * Handles compare case-insensitively.  Pure: no I/O, no globals, no
 * allocation (per-record reasons go to a caller-provided array).
 */
#ifndef LISTS_ENDORSE_H
#define LISTS_ENDORSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lists/model.h"

/* The certifying key's state now (crypto/keys key_info). */
enum cert_key_state {
	CERT_KEY_VALID = 0,
	CERT_KEY_EXPIRED,
	CERT_KEY_REVOKED,
};

const char *cert_key_state_str(enum cert_key_state s);

struct endorse_record {
	const char		*endorser;	/* team handle */
	enum team_kind		 endorser_kind;
	enum team_state		 endorser_state;	/* now */
	/* keys_certified_by(): a checked, valid certification by the
	 * endorser contact's key on the candidate contact's key */
	bool			 cert_verified;
	enum cert_key_state	 key_state;	/* certifying key, now */
	long long		 cert_time;	/* certification creation */
	long long		 key_expires;	/* certifying key; 0: never */
};

enum endorse_reason {
	ENDORSE_COUNTED = 0,
	ENDORSE_SELF,
	ENDORSE_NOT_MEMBER,
	ENDORSE_NOT_ACTIVE,
	ENDORSE_NO_EVIDENCE,
	ENDORSE_KEY_REVOKED,
	ENDORSE_KEY_EXPIRED,
	ENDORSE_DUPLICATE,
};

const char *endorse_reason_str(enum endorse_reason r);
/* The sentence an admin reads: "counted", "not counted: a team cannot
 * endorse itself" ... (static). */
const char *endorse_reason_text(enum endorse_reason r);

struct endorse_input {
	const char			*candidate;	/* team handle */
	enum team_state			 candidate_state;
	const struct endorse_record	*recs;
	size_t				 nrecs;
	unsigned			 required;	/* community option */
	bool				 approval_required;
	bool				 approved;
};

enum endorse_outcome {
	ENDORSE_ACTIVATE = 0,		/* becomes active now */
	ENDORSE_NEED_ENDORSEMENTS,	/* fewer than required counted */
	ENDORSE_NEED_APPROVAL,		/* enough, but not approved yet */
	ENDORSE_NOT_CANDIDATE,		/* team is not a candidate */
};

const char *endorse_outcome_str(enum endorse_outcome o);

struct endorse_verdict {
	enum endorse_outcome	 outcome;
	bool			 activate;	/* outcome == ACTIVATE */
	unsigned		 counted;	/* distinct counted endorsers */
	unsigned		 missing;	/* required - counted, or 0 */
};

/*
 * Fills *v (always) and, if why is not NULL, why[i] for each of the
 * in->nrecs records (why has room for nrecs entries).  Records are
 * judged even for a team that is not a candidate, so hubctl can show
 * them.  required 0 is taken as 1: a team is never admitted without any
 * endorsement.
 */
void endorse_evaluate(const struct endorse_input *in,
    struct endorse_verdict *v, enum endorse_reason *why);

#endif
