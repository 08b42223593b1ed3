/*
 * policy: the posting decision, as one pure function.
 *
 * Given the crypto facts of a received post (struct msg_facts, defined
 * here so policy does not depend on crypto/'s types: the worker
 * translates crypto/decrypt's struct verified into it), the list, the
 * roster's view of the signer and of the list's subscribers, the post's
 * TLP label and the replay record, policy_decide() either accepts the
 * post with a recipient set, or rejects it with exactly one reason.
 *
 * Strict by default: only an encrypted, integrity-protected post with
 * exactly one good signature by a roster contact of an active team that
 * may post on the list, and that is not a replay, is accepted.
 *
 * Checks run in this order; the first that fails is the reason:
 *   1. too-large            size > max_size (0: no limit)
 *   2. not-encrypted
 *   3. no-integrity         no MDC/AEAD (EFAIL)
 *   4. unprotected-parts    content outside the encrypted envelope
 *   5. not-signed           no signature
 *   6. multiple-signatures  more than one signature (see below)
 *   7. bad-signature
 *   8. unknown-signer       key missing, or not a roster contact's key
 *   9. signer-key-revoked
 *  10. signer-key-expired
 *  11. signature-expired
 *  12. signer-team-not-active  candidate, suspended or left
 *  13. not-allowed-to-post  by the list's may_post (see below)
 *  14. replay
 *  15. no-recipients        every candidate skipped
 * Why this order: what needs no roster comes first (1-7), so nothing
 * about the roster is consulted, or hinted at in a notice, for mail that
 * is not even authentic; identity (8) before key state (9-11), so an
 * outsider with an expired key hears "unknown signer", not advice meant
 * for members; revocation before expiry because it is the graver fact;
 * who the signer is (12-13) before whether the post is new (14), so a
 * replay of an old post by a since-suspended team says why it can never
 * pass; the recipient set last because it exists only for a good post.
 *
 * Decisions where the issue was silent:
 *  - Several signatures are rejected (multiple-signatures), even if one
 *    is good: the relayed meta block attests one signer, and a second
 *    signature (an outsider's, or over other content) makes "who posted
 *    this" ambiguous.  MUAs sign once (STYLE.md §1.5: exact count).
 *  - An empty recipient set is a rejection (no-recipients), so a post is
 *    never silently dropped; the decision still lists each candidate's
 *    skip reason for the notice to the sender and the admins.
 *  - The signer is a recipient like anyone else (they get their copy).
 *  - Permission: POST_MEMBERS needs a subscription of the signer with
 *    role member, and the signer's team of kind member (a partner team
 *    never posts on such a list); POST_ADMINS needs one with role admin;
 *    POST_SUBSCRIBERS any subscription of the signer on the list.  The
 *    signer's subscriptions are read from the candidates (by address), so
 *    the roster must list the signer's own entries whatever their key.
 *
 * Recipients: every candidate (one per contact per subscription; a team
 * subscription is expanded by the roster into one candidate per contact
 * of the team) is included, or skipped with the first reason that holds:
 *   team-not-active, admin-only (role admin receives notices, not
 *   posts), tlp-not-cleared (tlp_may_receive() with the effective role:
 *   partner if the subscription or the team kind says partner), key
 *   missing/expired/revoked/unusable, duplicate (the address already
 *   included through another subscription: one copy per contact).
 * A team subscription of an active team none of whose contacts has a
 * usable key is reported in lost_teams (keys only: TLP gating does not
 * make a key unusable).
 *
 * Ownership: policy_decide() allocates out->rcpts and out->lost_teams
 * (xcalloc: exits on out of memory, no error path); the caller frees them
 * with policy_decision_free() (NULL-safe, also after a reject).  Entries
 * of lost_teams point into the input's candidates and are valid as long
 * as those are.  Otherwise pure: no I/O, no globals.  Worker process.
 */
#ifndef LISTS_POLICY_H
#define LISTS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "lists/model.h"
#include "lists/tlp.h"

/* The one signature's status, as crypto/decrypt reports it. */
enum sig_status {
	SIG_NONE = 0,		/* no signature */
	SIG_GOOD,
	SIG_BAD,
	SIG_UNKNOWN_KEY,	/* key not in the hub's keyring */
	SIG_KEY_EXPIRED,
	SIG_KEY_REVOKED,
	SIG_EXPIRED,		/* the signature itself expired */
};

const char *sig_status_str(enum sig_status s);

struct msg_facts {
	bool		 encrypted;
	bool		 integrity;	/* MDC or AEAD verified */
	bool		 unprotected_parts;
	unsigned	 nsigs;
	enum sig_status	 sig;		/* of the one signature */
	const char	*signer_fpr;	/* 40 hex digits, NULL if none */
	size_t		 size;		/* octets as received */
};

/* Can the hub encrypt to this contact's key now? (crypto/keys facts) */
enum key_usability {
	KEY_USABLE = 0,
	KEY_EXPIRED,
	KEY_REVOKED,
	KEY_NO_ENCRYPTION,	/* disabled, invalid, or no encryption subkey */
	KEY_MISSING,		/* not in the hub's keyring */
};

const char *key_usability_str(enum key_usability k);

/* One subscribed contact, as the roster resolved the list's subscribers. */
struct policy_candidate {
	const struct contact	*contact;
	enum team_kind		 team_kind;	/* of the contact's team */
	enum team_state		 team_state;
	/* the team subscription this expands; NULL: a contact's own */
	const char		*via_team;
	enum role		 role;		/* of the subscription */
	enum tlp		 clearance;	/* TLP_NONE: none */
	enum key_usability	 key;
};

struct policy_input {
	const struct msg_facts		*facts;
	const struct list		*list;
	/* the roster contact whose fpr is facts->signer_fpr, and its team;
	 * NULL if no such contact */
	const struct contact		*signer;
	const struct team		*signer_team;
	const struct policy_candidate	*cand;
	size_t				 ncand;
	enum tlp			 label;		/* from tlp_parse() */
	bool				 replay;	/* post seen before */
	size_t				 max_size;	/* 0: no limit */
};

enum policy_verdict {
	POLICY_REJECT = 0,
	POLICY_ACCEPT,
};

enum policy_reason {
	POLICY_OK = 0,			/* accepted */
	POLICY_TOO_LARGE,
	POLICY_NOT_ENCRYPTED,
	POLICY_NO_INTEGRITY,
	POLICY_UNPROTECTED_PARTS,
	POLICY_NOT_SIGNED,
	POLICY_MULTIPLE_SIGNATURES,
	POLICY_BAD_SIGNATURE,
	POLICY_UNKNOWN_SIGNER,
	POLICY_SIGNER_KEY_REVOKED,
	POLICY_SIGNER_KEY_EXPIRED,
	POLICY_SIGNATURE_EXPIRED,
	POLICY_SIGNER_TEAM_NOT_ACTIVE,
	POLICY_NOT_ALLOWED_TO_POST,
	POLICY_REPLAY,
	POLICY_NO_RECIPIENTS,
};

enum skip_reason {
	SKIP_NONE = 0,			/* included */
	SKIP_TEAM_NOT_ACTIVE,
	SKIP_ADMIN_ONLY,
	SKIP_TLP_NOT_CLEARED,
	SKIP_KEY_MISSING,
	SKIP_KEY_EXPIRED,
	SKIP_KEY_REVOKED,
	SKIP_KEY_UNUSABLE,
	SKIP_DUPLICATE,
};

struct policy_rcpt {
	const struct policy_candidate	*cand;	/* into the input */
	bool				 included;
	enum skip_reason		 skip;	/* SKIP_NONE iff included */
};

struct policy_decision {
	enum policy_verdict	 verdict;
	enum policy_reason	 reason;	/* POLICY_OK iff accepted */
	/* one per candidate, in input order; NULL (0) when the post was
	 * rejected before recipients were considered (reasons 1-14) */
	struct policy_rcpt	*rcpts;
	size_t			 nrcpts;
	size_t			 nincluded;
	/* team subscriptions left with no usable key (distinct handles) */
	const char		**lost_teams;
	size_t			 nlost_teams;
};

/* Fills *out (always); see above.  in->facts and in->list must be set. */
void policy_decide(const struct policy_input *in,
    struct policy_decision *out);
void policy_decision_free(struct policy_decision *out);

/* Log tokens: "not-encrypted", "tlp-not-cleared" ... */
const char *policy_reason_str(enum policy_reason r);
const char *skip_reason_str(enum skip_reason r);
/* One sentence for the notice to the sender ("-owner" is the list's
 * owner address, which the notice names). */
const char *policy_reason_advice(enum policy_reason r);

#endif
