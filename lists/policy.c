/*
 * policy: the posting decision.  The rules and their order are in
 * lists/policy.h; the comments here say why a line is there.
 */
#include "config.h"

#include "base/i18n.h"

#include "lists/policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

const char *
sig_status_str(enum sig_status s)
{
	switch (s) {
	case SIG_NONE:
		return "none";
	case SIG_GOOD:
		return "good";
	case SIG_BAD:
		return "bad";
	case SIG_UNKNOWN_KEY:
		return "unknown-key";
	case SIG_KEY_EXPIRED:
		return "key-expired";
	case SIG_KEY_REVOKED:
		return "key-revoked";
	case SIG_EXPIRED:
		return "sig-expired";
	}
	return "unknown";
}

const char *
key_usability_str(enum key_usability k)
{
	switch (k) {
	case KEY_USABLE:
		return "usable";
	case KEY_EXPIRED:
		return "expired";
	case KEY_REVOKED:
		return "revoked";
	case KEY_NO_ENCRYPTION:
		return "no-encryption-key";
	case KEY_MISSING:
		return "missing";
	}
	return "unknown";
}

const char *
policy_reason_str(enum policy_reason r)
{
	switch (r) {
	case POLICY_OK:
		return "ok";
	case POLICY_TOO_LARGE:
		return "too-large";
	/* the crypto layer's tokens (crypto_status_str()), so the log of
	 * the decryption and the refusal say the same */
	case POLICY_NO_SECRET_KEY:
		return "no-secret-key";
	case POLICY_DECRYPT_FAILED:
		return "decrypt-failed";
	case POLICY_MALFORMED:
		return "malformed";
	case POLICY_HOSTILE:
		return "hostile-structure";
	case POLICY_NOT_ENCRYPTED:
		return "not-encrypted";
	case POLICY_NO_INTEGRITY:
		return "no-integrity";
	case POLICY_NOT_ENCRYPTED_TO_LIST:
		return "not-encrypted-to-list";
	case POLICY_UNPROTECTED_PARTS:
		return "unprotected-parts";
	case POLICY_NOT_SIGNED:
		return "not-signed";
	case POLICY_MULTIPLE_SIGNATURES:
		return "multiple-signatures";
	case POLICY_PARTLY_SIGNED:
		return "partly-signed";
	case POLICY_BAD_SIGNATURE:
		return "bad-signature";
	case POLICY_UNKNOWN_SIGNER:
		return "unknown-signer";
	case POLICY_SIGNER_KEY_REVOKED:
		return "signer-key-revoked";
	case POLICY_SIGNER_KEY_EXPIRED:
		return "signer-key-expired";
	case POLICY_SIGNATURE_EXPIRED:
		return "signature-expired";
	case POLICY_SIGNER_TEAM_NOT_ACTIVE:
		return "signer-team-not-active";
	case POLICY_NOT_ALLOWED_TO_POST:
		return "not-allowed-to-post";
	case POLICY_NOT_FOR_THIS_LIST:
		return "not-for-this-list";
	case POLICY_SIGNATURE_TOO_OLD:
		return "signature-too-old";
	case POLICY_TLP_UNREADABLE:
		return "tlp-unreadable";
	case POLICY_REPLAY:
		return "replay";
	case POLICY_NO_RECIPIENTS:
		return "no-recipients";
	}
	return "unknown";
}

const char *
policy_reason_advice(enum policy_reason r)
{
	switch (r) {
	case POLICY_OK:
		return N_("Your post was accepted.");
	case POLICY_TOO_LARGE:
		return N_("Your post is larger than this list accepts; send "
		    "large files another way and post a pointer to them.");
	case POLICY_NO_SECRET_KEY:
		return N_("Your post was not encrypted to a key the list holds "
		    "(an old list key, another recipient's key, or a "
		    "passphrase only); encrypt to the list's key, which the "
		    "list's -sendkey address sends you, and send again.");
	case POLICY_DECRYPT_FAILED:
		return N_("Your post could not be decrypted: its encrypted "
		    "data "
		    "was damaged or altered on the way; send it again.");
	case POLICY_MALFORMED:
		return N_("Your post's MIME or OpenPGP structure could not be "
		    "read; send it again as a PGP/MIME message, signed and "
		    "encrypted to the list's key.");
	case POLICY_HOSTILE:
		return N_("Your post is nested or divided beyond what the list "
		    "reads (MIME depth or parts, OpenPGP blocks, or its "
		    "decoded size); send it in a simpler form.");
	case POLICY_NOT_ENCRYPTED:
		return N_("Posts must be encrypted to the list's key; fetch it "
		    "from the list's -sendkey address and send again.");
	case POLICY_NO_INTEGRITY:
		return N_("Your post was encrypted without integrity "
		    "protection "
		    "(no MDC); update your OpenPGP software and send again.");
	case POLICY_NOT_ENCRYPTED_TO_LIST:
		return N_("Your post was not encrypted to this list's key (was "
		    "it "
		    "meant for another list?); fetch the key from the list's "
		    "-sendkey address and send again.");
	case POLICY_UNPROTECTED_PARTS:
		return N_("Your post had parts outside its encryption; send it "
		    "again with everything inside the encrypted message.");
	case POLICY_NOT_SIGNED:
		return N_("Posts must be signed with your key registered with "
		    "the list; sign and send again.");
	case POLICY_MULTIPLE_SIGNATURES:
		return N_("Your post carried more than one signature; sign it "
		    "with your registered key only and send again.");
	case POLICY_PARTLY_SIGNED:
		return N_("Part of your post was not covered by your signature "
		    "inside the encryption; sign and encrypt the whole post "
		    "as one message and send again.");
	case POLICY_BAD_SIGNATURE:
		return N_("The signature on your post does not verify (the "
		    "message may have been altered); send it again.");
	case POLICY_UNKNOWN_SIGNER:
		return N_("Your post was signed with a key the list does not "
		    "know; ask the list's -owner address to register it.");
	case POLICY_SIGNER_KEY_REVOKED:
		return N_("Your post was signed with a revoked key; send your "
		    "new key to the list's -owner address.");
	case POLICY_SIGNER_KEY_EXPIRED:
		return N_("Your key has expired; extend it or send your new "
		    "key "
		    "to the list's -owner address.");
	case POLICY_SIGNATURE_EXPIRED:
		return N_("The signature on your post has expired; sign again "
		    "without a signature expiry and send again.");
	case POLICY_SIGNER_TEAM_NOT_ACTIVE:
		return N_("Your team is not an active member of this community "
		    "at present; contact the list's -owner address.");
	case POLICY_NOT_ALLOWED_TO_POST:
		return N_("You may not post on this list; contact the list's "
		    "-owner address if you think you should.");
	case POLICY_NOT_FOR_THIS_LIST:
		return N_("A mail you signed for other recipients was sent to "
		    "this list (someone may have forwarded it); post to the "
		    "list itself if you meant to.");
	case POLICY_SIGNATURE_TOO_OLD:
		return N_("A mail you signed some time ago, which does not "
		    "name "
		    "this list, was sent to it (perhaps forwarded by someone "
		    "else); post it again if you meant to, ideally with "
		    "protected headers.");
	case POLICY_TLP_UNREADABLE:
		return N_("Your post carries a TLP marking the list could not "
		    "read; write the label as TLP:CLEAR, TLP:GREEN, "
		    "TLP:AMBER, TLP:AMBER+STRICT or TLP:RED and send again.");
	case POLICY_REPLAY:
		return N_("This post was already received once and is not "
		    "relayed again.");
	case POLICY_NO_RECIPIENTS:
		return N_("No subscriber can receive this post at its TLP "
		    "label "
		    "with a usable key; the list admins have been told.");
	}
	return N_("Your post was refused.");
}

const char *
skip_reason_str(enum skip_reason r)
{
	switch (r) {
	case SKIP_NONE:
		return "included";
	case SKIP_TEAM_NOT_ACTIVE:
		return "team-not-active";
	case SKIP_ADMIN_ONLY:
		return "admin-only";
	case SKIP_TLP_NOT_CLEARED:
		return "tlp-not-cleared";
	case SKIP_KEY_MISSING:
		return "key-missing";
	case SKIP_KEY_EXPIRED:
		return "key-expired";
	case SKIP_KEY_REVOKED:
		return "key-revoked";
	case SKIP_KEY_UNUSABLE:
		return "key-unusable";
	case SKIP_DUPLICATE:
		return "duplicate";
	case SKIP_DISABLED:
		return "delivery-disabled";
	case SKIP_OWN_COPY:
		return "own-copy-off";
	}
	return "unknown";
}

void
policy_decision_free(struct policy_decision *out)
{
	if (out == NULL)
		return;
	free(out->rcpts);
	free(out->lost_teams);
	out->rcpts = NULL;
	out->lost_teams = NULL;
	out->nrcpts = out->nincluded = out->nlost_teams = 0;
}

static bool
same_addr(const struct contact *a, const struct contact *b)
{
	return a != NULL && b != NULL &&
	    strcasecmp(a->address, b->address) == 0;
}

enum policy_reason
policy_authentic(const struct msg_facts *f, size_t max_size)
{
	if (max_size != 0 && f->size > max_size)
		return POLICY_TOO_LARGE;
	switch (f->refusal) {
	case MSG_READ:
		break;
	case MSG_NO_SECRET_KEY:
		return POLICY_NO_SECRET_KEY;
	case MSG_DECRYPT_FAILED:
		return POLICY_DECRYPT_FAILED;
	case MSG_MALFORMED:
		return POLICY_MALFORMED;
	case MSG_HOSTILE:
	default:
		/* an unknown refusal is still a refusal: fail closed */
		return POLICY_HOSTILE;
	}
	if (!f->encrypted)
		return POLICY_NOT_ENCRYPTED;
	if (!f->integrity)
		return POLICY_NO_INTEGRITY;
	if (f->not_to_list)
		return POLICY_NOT_ENCRYPTED_TO_LIST;
	if (f->unprotected_parts)
		return POLICY_UNPROTECTED_PARTS;
	/* Counting and status disagreeing is crypto/'s bug: fail closed. */
	if (f->nsigs == 0 || f->sig == SIG_NONE)
		return POLICY_NOT_SIGNED;
	if (f->nsigners != 1 || f->nsigs > f->npieces)
		return POLICY_MULTIPLE_SIGNATURES;
	if (f->npieces == 0 || f->ncovered < f->npieces)
		return POLICY_PARTLY_SIGNED;
	if (f->sig == SIG_BAD)
		return POLICY_BAD_SIGNATURE;
	return POLICY_OK;
}

/* Checks 1-14: the message and its one signer, no roster yet. */
static enum policy_reason
check_message(const struct policy_input *in)
{
	const struct msg_facts *f = in->facts;
	enum policy_reason why;

	if ((why = policy_authentic(f, in->max_size)) != POLICY_OK)
		return why;
	/*
	 * Identity before key state.  The roster contact must be the one
	 * whose key made the signature (matched by fingerprint, never by
	 * address or trust-db validity: STYLE.md §1.5).
	 */
	if (f->sig == SIG_UNKNOWN_KEY || f->signer_fpr == NULL ||
	    in->signer == NULL || in->signer_team == NULL ||
	    strcasecmp(in->signer->fpr, f->signer_fpr) != 0 ||
	    strcasecmp(in->signer->team, in->signer_team->handle) != 0)
		return POLICY_UNKNOWN_SIGNER;
	switch (f->sig) {
	case SIG_KEY_REVOKED:
		return POLICY_SIGNER_KEY_REVOKED;
	case SIG_KEY_EXPIRED:
		return POLICY_SIGNER_KEY_EXPIRED;
	case SIG_EXPIRED:
		return POLICY_SIGNATURE_EXPIRED;
	case SIG_GOOD:
		return POLICY_OK;
	case SIG_NONE:
	case SIG_BAD:
	case SIG_UNKNOWN_KEY:
		break;
	}
	/* Unreachable for valid enums; an unknown status is not good. */
	return POLICY_BAD_SIGNATURE;
}

/*
 * A post in clear whose signatures are all good and all by the roster
 * signer's key, with nothing beside them: the signer wrote it, so the
 * signer may hear why it was not relayed (the notice goes to the
 * roster's address, never to the envelope sender).
 */
static bool
signed_in_clear(const struct policy_input *in)
{
	const struct msg_facts *f = in->facts;

	return f->refusal == MSG_READ && !f->encrypted && f->nsigs > 0 &&
	    f->nsigners == 1 && f->sig == SIG_GOOD &&
	    !f->unprotected_parts && f->ndropped == 0 &&
	    f->signer_fpr != NULL && in->signer != NULL &&
	    in->signer_team != NULL &&
	    strcasecmp(in->signer->fpr, f->signer_fpr) == 0 &&
	    strcasecmp(in->signer->team, in->signer_team->handle) == 0;
}

/* Check 16: may the (known, active) signer post on this list? */
static bool
may_post(const struct policy_input *in)
{
	const struct policy_candidate *c;
	size_t i;

	for (i = 0; i < in->ncand; i++) {
		c = &in->cand[i];
		if (!same_addr(c->contact, in->signer))
			continue;
		switch (in->list->may_post) {
		case POST_MEMBERS:
			if (c->role == ROLE_MEMBER &&
			    in->signer_team->kind == TEAM_KIND_MEMBER)
				return true;
			break;
		case POST_ADMINS:
			if (c->role == ROLE_ADMIN)
				return true;
			break;
		case POST_SUBSCRIBERS:
			return true;
		}
	}
	return false;
}

static enum skip_reason
key_skip(enum key_usability k)
{
	switch (k) {
	case KEY_USABLE:
		return SKIP_NONE;
	case KEY_EXPIRED:
		return SKIP_KEY_EXPIRED;
	case KEY_REVOKED:
		return SKIP_KEY_REVOKED;
	case KEY_MISSING:
		return SKIP_KEY_MISSING;
	case KEY_NO_ENCRYPTION:
		break;
	}
	return SKIP_KEY_UNUSABLE;
}

static enum skip_reason
rcpt_skip(const struct policy_input *in, const struct policy_candidate *c)
{
	enum role eff;

	if (c->contact == NULL || c->team_state != TEAM_ACTIVE)
		return SKIP_TEAM_NOT_ACTIVE;
	if (c->role == ROLE_ADMIN)
		return SKIP_ADMIN_ONLY;
	if (c->disabled)
		return SKIP_DISABLED;
	if (in->signer != NULL && in->signer->no_own_copy &&
	    same_addr(c->contact, in->signer))
		return SKIP_OWN_COPY;
	/* A partner team's contact never receives as a member, whatever
	 * its subscription says: the team kind is the admission. */
	eff = c->role;
	if (c->team_kind == TEAM_KIND_PARTNER)
		eff = ROLE_PARTNER;
	if (!tlp_may_receive(in->label, eff, c->clearance))
		return SKIP_TLP_NOT_CLEARED;
	return key_skip(c->key);
}

/* Report each active team subscription with no usable key left. */
static void
lost_teams(const struct policy_input *in, struct policy_decision *out)
{
	const struct policy_candidate *c, *d;
	size_t i, j;
	bool seen, usable;

	for (i = 0; i < in->ncand; i++) {
		c = &in->cand[i];
		if (c->via_team == NULL || c->team_state != TEAM_ACTIVE)
			continue;
		seen = false;
		for (j = 0; j < out->nlost_teams && !seen; j++)
			seen = strcasecmp(out->lost_teams[j], c->via_team) == 0;
		for (j = 0; j < i && !seen; j++)
			seen = in->cand[j].via_team != NULL &&
			    strcasecmp(in->cand[j].via_team, c->via_team) == 0;
		if (seen)
			continue;
		usable = false;
		for (j = i; j < in->ncand && !usable; j++) {
			d = &in->cand[j];
			usable = d->via_team != NULL &&
			    strcasecmp(d->via_team, c->via_team) == 0 &&
			    d->key == KEY_USABLE;
		}
		if (!usable)
			out->lost_teams[out->nlost_teams++] = c->via_team;
	}
}

/* Candidates by contact address, ties in their order (NULL contacts
 * first: they match nobody). */
static int
cand_by_addr(const void *a, const void *b)
{
	const struct policy_candidate *x, *y;
	int c;

	x = *(const struct policy_candidate *const *)a;
	y = *(const struct policy_candidate *const *)b;

	if ((x->contact == NULL) != (y->contact == NULL))
		return x->contact == NULL ? -1 : 1;
	if (x->contact != NULL &&
	    (c = strcasecmp(x->contact->address, y->contact->address)) != 0)
		return c;
	return (x > y) - (x < y);
}

static void
recipients(const struct policy_input *in, struct policy_decision *out)
{
	const struct policy_candidate **by;
	struct policy_rcpt *r;
	size_t i, j, *group;
	bool *taken;

	out->nrcpts = in->ncand;
	out->rcpts = xcalloc(in->ncand, sizeof *out->rcpts);
	out->lost_teams = xcalloc(in->ncand, sizeof *out->lost_teams);
	/*
	 * One copy per contact: a contact subscribed on its own and
	 * through its team (or twice) gets the first.  Candidates of one
	 * address share a group number (sorted once: comparing each with
	 * all before it cost n squared on a list of thousands).
	 */
	by = xcalloc(in->ncand + 1, sizeof *by);
	group = xcalloc(in->ncand + 1, sizeof *group);
	taken = xcalloc(in->ncand + 1, sizeof *taken);
	for (i = 0; i < in->ncand; i++)
		by[i] = &in->cand[i];
	if (in->ncand > 1)
		qsort(by, in->ncand, sizeof *by, cand_by_addr);
	for (i = j = 0; i < in->ncand; i++) {
		if (i > 0 && !(by[i]->contact != NULL &&
		    same_addr(by[i - 1]->contact, by[i]->contact)))
			j++;
		group[by[i] - in->cand] = j;
	}
	for (i = 0; i < in->ncand; i++) {
		r = &out->rcpts[i];
		r->cand = &in->cand[i];
		r->skip = rcpt_skip(in, r->cand);
		if (r->skip == SKIP_NONE && r->cand->contact != NULL &&
		    taken[group[i]])
			r->skip = SKIP_DUPLICATE;
		r->included = r->skip == SKIP_NONE;
		if (r->included) {
			out->nincluded++;
			taken[group[i]] = true;
		}
	}
	free(by);
	free(group);
	free(taken);
	lost_teams(in, out);
}

void
policy_decide(const struct policy_input *in, struct policy_decision *out)
{
	enum policy_reason why;

	memset(out, 0, sizeof *out);
	out->verdict = POLICY_REJECT;
	if ((why = check_message(in)) != POLICY_OK) {
		if (why == POLICY_NOT_ENCRYPTED)
			out->signer_proven = signed_in_clear(in);
		goto reject;
	}
	if (in->signer_team->state != TEAM_ACTIVE) {
		why = POLICY_SIGNER_TEAM_NOT_ACTIVE;
		goto reject;
	}
	if (!may_post(in)) {
		why = POLICY_NOT_ALLOWED_TO_POST;
		goto reject;
	}
	if (in->facts->names_known && !in->facts->names_list) {
		why = POLICY_NOT_FOR_THIS_LIST;
		goto reject;
	}
	/* Named nowhere: only the freshness of the signature stands
	 * between a forwarded old mail and the list. */
	if (!in->facts->names_known && in->list->opts.max_signature_age > 0 &&
	    (in->facts->sig_age > in->list->opts.max_signature_age ||
	    in->facts->sig_age < -POLICY_CLOCK_SKEW)) {
		why = POLICY_SIGNATURE_TOO_OLD;
		goto reject;
	}
	if (in->facts->tlp_unreadable) {
		why = POLICY_TLP_UNREADABLE;
		goto reject;
	}
	if (in->replay) {
		why = POLICY_REPLAY;
		goto reject;
	}
	recipients(in, out);
	if (out->nincluded == 0) {
		/* Keep rcpts: the notice says why each one was skipped. */
		out->reason = POLICY_NO_RECIPIENTS;
		return;
	}
	out->verdict = POLICY_ACCEPT;
	out->reason = POLICY_OK;
	out->unbound = !in->facts->names_known;
	out->ndropped = in->facts->ndropped;
	return;
reject:
	out->reason = why;
}
