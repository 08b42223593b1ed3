/*
 * admission: endorsing a candidate team and admitting it, with their I/O
 * -- the glue around lists/endorse's pure rule, as lists/roster is around
 * lists/policy.
 *
 * Evidence.  An endorsement is recorded by an admin (or, later, a mail
 * command), but it counts only with evidence crypto/ can check, looked
 * for afresh every time the rule runs: a valid OpenPGP certification
 * (keys_certified_by()) by the key of one of the endorsing team's contacts
 * on the key of one of the candidate's contacts, as the hub keyring holds
 * them (a contact's key is imported with its certifications).  The first
 * such pair found is the evidence; when there is none, the text says why:
 * no contacts on either side, the first certification found does not
 * verify (and whether its key is revoked or expired), or none at all.
 *
 * Admission.  admission_run() reads the candidate, the community options,
 * the approval and every recorded endorsement, gathers each one's evidence
 * and the endorser team's kind and state now, lets endorse_evaluate()
 * decide, and makes the candidate active when it says so
 * (store_team_set_state(), audited there).
 *
 * Uses only lists/store.h and crypto/keys.h.  Used by hubctl (endorse,
 * team approve) and, later, the worker (endorsements by mail).  Blocks on
 * the store and while gpg runs.  Store failures are returned as the
 * store's status, store_errmsg() describing them; results are owned by
 * the caller as stated per function.
 */
#ifndef LISTS_ADMISSION_H
#define LISTS_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/gpg.h"
#include "lists/endorse.h"
#include "lists/model.h"
#include "lists/store.h"

/* What the keyring says about one endorser team's evidence. */
struct admission_evidence {
	bool			 found;
	/* found: the certified and the certifying key */
	char			 candidate_fpr[MODEL_FPR_LEN];
	char			 endorser_fpr[MODEL_FPR_LEN];
	enum cert_key_state	 key_state;	/* certifying key, now */
	long long		 cert_time;	/* 0: not found in the uids */
	long long		 key_expires;	/* certifying key; 0: never */
	char			 text[2048];	/* found: what; else why not */
};

/* Look for endorser's evidence for candidate (handles as stored). */
enum store_status admission_evidence(struct store *s, struct gpg *g,
    const char *candidate, const char *endorser,
    struct admission_evidence *ev) STORE_WUR;

/* One endorsement recorded by admission_endorse(). */
struct admission_endorsed {
	struct endorsement		 e;	/* handles as stored */
	struct admission_evidence	 ev;
	int				 replaced;	/* the team's earlier */
	/* STORE_CONFLICT: the team is not a candidate but in state
	 * `state`, and nothing was recorded */
	bool				 not_candidate;
	enum team_state			 state;
};

/*
 * Record that endorser vouches for candidate (any case; both must exist,
 * the candidate must be a candidate), with the evidence found now.
 * Does not run the admission: the caller does, after showing this.
 */
enum store_status admission_endorse(struct store *s, struct gpg *g,
    const char *candidate, const char *endorser,
    struct admission_endorsed *r) STORE_WUR;

struct admission_entry {
	struct team			 endorser;	/* now */
	struct admission_evidence	 ev;
	enum endorse_reason		 why;
};

struct admission {
	struct team		 candidate;	/* as before this run */
	struct store_community	 community;
	bool			 approved;
	struct admission_entry	*v;		/* by endorser handle */
	size_t			 n;
	struct endorse_verdict	 verdict;	/* activate: now active */
};

/*
 * Run the admission rule for candidate (any case) and make it active if
 * it qualifies.  On STORE_OK *ap is the whole judgement, for the caller
 * to show: admission_free() (NULL is a no-op).  On a failure of the
 * state change, nothing is returned and the team is unchanged.
 */
enum store_status admission_run(struct store *s, struct gpg *g,
    const char *candidate, struct admission **ap) STORE_WUR;
void admission_free(struct admission *a);

#endif
