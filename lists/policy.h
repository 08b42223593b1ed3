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
 * Strict by default: only an encrypted, integrity-protected post all of
 * whose content is covered by one good signature of a roster contact of
 * an active team that may post on the list, made for this list (or
 * fresh), with a readable TLP marking, and that is not a replay, is
 * accepted (DESIGN.md invariants 7 and 8).
 *
 * Coverage.  The content is made of pieces, each protected on its own:
 * the one PGP/MIME payload, or one inline OpenPGP block.  Each piece must
 * be encrypted and carry exactly one signature that covers all of it from
 * inside its encryption, and all signatures must be by one key.  So a
 * member's published clearsigned text spliced beside an attacker's
 * encrypted text is refused, and so is an encrypted block the member
 * signed beside one nobody signed.
 *
 * Binding to the list.  A signature says who wrote the content, not to
 * whom: a stranger who received a member's signed mail can re-encrypt it
 * to the list.  When the signed content carries protected headers naming
 * its recipients (To/Cc), this list must be among them; when it names no
 * recipients, the signature must be fresh (list option
 * max_signature_age, seconds from signing to receipt; 0 switches the
 * check off), and the decision says the content was not bound
 * (decision.unbound), which the relayed copy states.
 *
 * Checks run in this order; the first that fails is the reason:
 *   1. too-large            size > max_size (0: no limit)
 *   2. the crypto layer's refusal (facts->refusal), when it read nothing:
 *      no-secret-key        not encrypted to a key the hub holds (an old
 *                           list key, a passphrase only)
 *      decrypt-failed       tampered or corrupt ciphertext
 *      malformed            broken MIME, armor or transfer encoding
 *      hostile-structure    beyond the decoding limits (crypto/mime.h,
 *                           crypto/decrypt.h)
 *   3. not-encrypted        no piece encrypted
 *   4. no-integrity         no MDC/AEAD (EFAIL)
 *   5. not-encrypted-to-list  encrypted, but not to this list's key: a
 *                           post to another list (or a copy of one) sent
 *                           here, or recipients hidden
 *   6. unprotected-parts    content outside the encryption that cannot
 *                           be dropped: a clearsigned/plain piece beside
 *                           encrypted ones, text around an armor block,
 *                           attachments or OpenPGP data around the
 *                           envelope (droppable clear text parts are
 *                           counted in facts->ndropped instead)
 *   7. not-signed           no signature
 *   8. multiple-signatures  signatures by more than one key, or more
 *                           signatures than pieces (see below)
 *   9. partly-signed        a piece without exactly one signature over
 *                           all of it from inside its encryption
 *  10. bad-signature        (the worst status of the signatures)
 *  11. unknown-signer       key missing, or not a roster contact's key
 *  12. signer-key-revoked
 *  13. signer-key-expired
 *  14. signature-expired
 *  15. signer-team-not-active  candidate, suspended or left
 *  16. not-allowed-to-post  by the list's may_post (see below)
 *  17. not-for-this-list    the signed To/Cc do not name the list
 *  18. signature-too-old    names no recipients, and signed longer than
 *                           max_signature_age before receipt (or more
 *                           than POLICY_CLOCK_SKEW after it)
 *  19. tlp-unreadable       a TLP marking that names no label
 *  20. replay
 *  21. no-recipients        every candidate skipped
 * Why this order: what needs no roster comes first (1-10), so nothing
 * about the roster is consulted, or hinted at in a notice, for mail that
 * is not even authentic; a message the crypto layer could not read (2)
 * has no other facts, so its refusal is the reason, not "not-encrypted";
 * identity (11) before key state (12-14), so an
 * outsider with an expired key hears "unknown signer", not advice meant
 * for members; revocation before expiry because it is the graver fact;
 * who the signer is (15-16) before what the post is (17-20), so a replay
 * of an old post by a since-suspended team says why it can never pass;
 * the recipient set last because it exists only for a good post.
 *
 * Dropped parts (facts->ndropped): clear text/plain or text/html parts
 * entirely outside the one PGP/MIME envelope, holding no OpenPGP data
 * (planck/pEp's explanation beside its encrypted part).  They are never
 * relayed, archived or read for the label, so they cannot be joined to
 * the signed content (EFAIL); an accepted post says how many it lost
 * (decision.ndropped) and the sender is told.
 *
 * Signed in clear (decision.signer_proven): a post refused as
 * not-encrypted whose one signature is good and by the roster signer's
 * key; its signer may be told what to do, as a member is.  Anyone can
 * send a member's signed mail again, so the caller rate-limits that.
 *
 * Decisions where the issue was silent:
 *  - Several signers are rejected (multiple-signatures), even if one
 *    is good: the relayed meta block attests one signer, and a second
 *    signature (an outsider's, or over other content) makes "who posted
 *    this" ambiguous.  MUAs sign once (STYLE.md §1.5: exact count); an
 *    inline post signs each block once, with the same key.
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
 *   posts), delivery-disabled, own-copy-off (the signer, who said "copy
 *   off": contact no_own_copy), tlp-not-cleared (tlp_may_receive() with
 *   the effective role: partner if the subscription or the team kind
 *   says partner), key missing/expired/revoked/unusable, duplicate (the
 *   address already included through another subscription: one copy
 *   per contact).
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

/* What the crypto layer refused before it could report anything
 * (crypto/decrypt.h's refusals, without its types). */
enum msg_refusal {
	MSG_READ = 0,		/* read: the other facts hold */
	MSG_NO_SECRET_KEY,
	MSG_DECRYPT_FAILED,
	MSG_MALFORMED,
	MSG_HOSTILE,
};

struct msg_facts {
	enum msg_refusal refusal;
	bool		 encrypted;	/* some piece was decrypted */
	/* ... but not to this list's key (another list's, or a key id
	 * hidden): not a post for this list, whoever sends it */
	bool		 not_to_list;
	bool		 integrity;	/* MDC or AEAD verified */
	/* parts outside the envelope that cannot be dropped, or a piece
	 * that is not encrypted beside one that is */
	bool		 unprotected_parts;
	/* clear text parts outside the envelope that are dropped (see
	 * "Dropped parts" above) */
	unsigned	 ndropped;
	unsigned	 nsigs;
	unsigned	 nsigners;	/* distinct keys among the signatures */
	unsigned	 npieces;	/* independently protected pieces */
	/* pieces with exactly one signature, covering all of the piece
	 * from inside its encryption */
	unsigned	 ncovered;
	enum sig_status	 sig;		/* the worst of the signatures */
	const char	*signer_fpr;	/* 40 hex digits, NULL if none */
	size_t		 size;		/* octets as received */
	/* the signed content's protected To/Cc name recipients, and this
	 * list is one of them */
	bool		 names_known;
	bool		 names_list;
	/* seconds from the oldest signature's creation to receipt */
	long long	 sig_age;
	/* a TLP marking that names no label (lists/tlp.h) */
	bool		 tlp_unreadable;
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
	/* the list's delivery to this contact is disabled (its bounces,
	 * or an admin): subscribed, but sent nothing */
	bool			 disabled;
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
	POLICY_NO_SECRET_KEY,
	POLICY_DECRYPT_FAILED,
	POLICY_MALFORMED,
	POLICY_HOSTILE,
	POLICY_NOT_ENCRYPTED,
	POLICY_NO_INTEGRITY,
	POLICY_NOT_ENCRYPTED_TO_LIST,
	POLICY_UNPROTECTED_PARTS,
	POLICY_NOT_SIGNED,
	POLICY_MULTIPLE_SIGNATURES,
	POLICY_PARTLY_SIGNED,
	POLICY_BAD_SIGNATURE,
	POLICY_UNKNOWN_SIGNER,
	POLICY_SIGNER_KEY_REVOKED,
	POLICY_SIGNER_KEY_EXPIRED,
	POLICY_SIGNATURE_EXPIRED,
	POLICY_SIGNER_TEAM_NOT_ACTIVE,
	POLICY_NOT_ALLOWED_TO_POST,
	POLICY_NOT_FOR_THIS_LIST,
	POLICY_SIGNATURE_TOO_OLD,
	POLICY_TLP_UNREADABLE,
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
	SKIP_DISABLED,			/* delivery disabled (store.h) */
	SKIP_OWN_COPY,			/* the signer, who said "copy off" */
};

struct policy_rcpt {
	const struct policy_candidate	*cand;	/* into the input */
	bool				 included;
	enum skip_reason		 skip;	/* SKIP_NONE iff included */
};

struct policy_decision {
	enum policy_verdict	 verdict;
	enum policy_reason	 reason;	/* POLICY_OK iff accepted */
	/* accepted although the signed content names no recipients (it
	 * was fresh): the copy says so */
	bool			 unbound;
	/* accepted without this many clear parts from outside the
	 * encryption (facts->ndropped) */
	unsigned		 ndropped;
	/* refused as not-encrypted, and signed, wholly and well, by the
	 * roster signer's key alone (see "Signed in clear") */
	bool			 signer_proven;
	/* one per candidate, in input order; NULL (0) when the post was
	 * rejected before recipients were considered (reasons 1-20) */
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

/* A signature made this long after receipt is a clock's mistake or a
 * trick to stay fresh: the freshness check allows this much, no more. */
#define POLICY_CLOCK_SKEW	3600

/*
 * Checks 1-10 alone: is the message authentic, wholly encrypted and
 * covered by one signer?  POLICY_OK or the reason.  For mail that is not
 * a post but must be just as authentic (mailed commands, searches).
 */
enum policy_reason policy_authentic(const struct msg_facts *f,
    size_t max_size);
void policy_decision_free(struct policy_decision *out);

/* Log tokens: "not-encrypted", "tlp-not-cleared" ... */
const char *policy_reason_str(enum policy_reason r);
const char *skip_reason_str(enum skip_reason r);
/* One sentence for the notice to the sender ("-owner" is the list's
 * owner address, which the notice names); English, marked for gettext:
 * the notice translates it (base/i18n.h L_). */
const char *policy_reason_advice(enum policy_reason r);

#endif
