/*
 * endorse: the admission rule; see lists/endorse.h for the rule and why.
 */
#include "config.h"

#include "lists/endorse.h"

#include <strings.h>

const char *
cert_key_state_str(enum cert_key_state s)
{
	switch (s) {
	case CERT_KEY_VALID:
		return "valid";
	case CERT_KEY_EXPIRED:
		return "expired";
	case CERT_KEY_REVOKED:
		return "revoked";
	}
	return "unknown";
}

const char *
endorse_reason_str(enum endorse_reason r)
{
	switch (r) {
	case ENDORSE_COUNTED:
		return "counted";
	case ENDORSE_SELF:
		return "self-endorsement";
	case ENDORSE_NOT_MEMBER:
		return "endorser-not-member";
	case ENDORSE_NOT_ACTIVE:
		return "endorser-not-active";
	case ENDORSE_NO_EVIDENCE:
		return "certification-not-verified";
	case ENDORSE_KEY_REVOKED:
		return "certifying-key-revoked";
	case ENDORSE_KEY_EXPIRED:
		return "certifying-key-expired";
	case ENDORSE_DUPLICATE:
		return "duplicate-endorser";
	}
	return "unknown";
}

const char *
endorse_reason_text(enum endorse_reason r)
{
	switch (r) {
	case ENDORSE_COUNTED:
		return "counted";
	case ENDORSE_SELF:
		return "not counted: a team cannot endorse itself";
	case ENDORSE_NOT_MEMBER:
		return "not counted: partner teams do not admit teams";
	case ENDORSE_NOT_ACTIVE:
		return "not counted: the endorsing team is not active";
	case ENDORSE_NO_EVIDENCE:
		return "not counted: no valid certification";
	case ENDORSE_KEY_REVOKED:
		return "not counted: the certifying key is revoked";
	case ENDORSE_KEY_EXPIRED:
		return "not counted: the certifying key had expired when it "
		    "certified";
	case ENDORSE_DUPLICATE:
		return "not counted: this team already counted";
	}
	return "unknown";
}

const char *
endorse_outcome_str(enum endorse_outcome o)
{
	switch (o) {
	case ENDORSE_ACTIVATE:
		return "activate";
	case ENDORSE_NEED_ENDORSEMENTS:
		return "need-endorsements";
	case ENDORSE_NEED_APPROVAL:
		return "need-approval";
	case ENDORSE_NOT_CANDIDATE:
		return "not-candidate";
	}
	return "unknown";
}

static bool
same_handle(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* Everything but duplicates: what one record is worth on its own. */
static enum endorse_reason
judge(const struct endorse_input *in, const struct endorse_record *r)
{
	if (r->endorser == NULL || r->endorser[0] == '\0' ||
	    same_handle(r->endorser, in->candidate))
		return ENDORSE_SELF;
	if (r->endorser_kind != TEAM_KIND_MEMBER)
		return ENDORSE_NOT_MEMBER;
	if (r->endorser_state != TEAM_ACTIVE)
		return ENDORSE_NOT_ACTIVE;
	if (!r->cert_verified)
		return ENDORSE_NO_EVIDENCE;
	switch (r->key_state) {
	case CERT_KEY_VALID:
		break;
	case CERT_KEY_REVOKED:
		return ENDORSE_KEY_REVOKED;
	case CERT_KEY_EXPIRED:
		/* Expired after certifying: still good evidence. */
		if (r->key_expires == 0 || r->cert_time >= r->key_expires)
			return ENDORSE_KEY_EXPIRED;
		break;
	default:
		return ENDORSE_KEY_REVOKED;
	}
	/* Dated at or after the key's expiry (clock games or forgery):
	 * the key was not valid when it was made. */
	if (r->key_expires != 0 && r->cert_time >= r->key_expires &&
	    r->key_state == CERT_KEY_VALID)
		return ENDORSE_KEY_EXPIRED;
	return ENDORSE_COUNTED;
}

void
endorse_evaluate(const struct endorse_input *in, struct endorse_verdict *v,
    enum endorse_reason *why)
{
	enum endorse_reason r;
	unsigned required = in->required == 0 ? 1 : in->required;
	size_t i, j;
	bool dup;

	v->counted = 0;
	for (i = 0; i < in->nrecs; i++) {
		r = judge(in, &in->recs[i]);
		/* Distinct teams: only an earlier COUNTED record of the same
		 * team makes this one a duplicate, so a team whose first
		 * record lacked evidence can still count with a later one. */
		dup = false;
		for (j = 0; j < i && r == ENDORSE_COUNTED && !dup; j++)
			dup = judge(in, &in->recs[j]) == ENDORSE_COUNTED &&
			    same_handle(in->recs[j].endorser,
			    in->recs[i].endorser);
		if (dup)
			r = ENDORSE_DUPLICATE;
		if (r == ENDORSE_COUNTED)
			v->counted++;
		if (why != NULL)
			why[i] = r;
	}
	v->missing = v->counted >= required ? 0 : required - v->counted;
	if (in->candidate_state != TEAM_CANDIDATE)
		v->outcome = ENDORSE_NOT_CANDIDATE;
	else if (v->missing > 0)
		v->outcome = ENDORSE_NEED_ENDORSEMENTS;
	else if (in->approval_required && !in->approved)
		v->outcome = ENDORSE_NEED_APPROVAL;
	else
		v->outcome = ENDORSE_ACTIVATE;
	v->activate = v->outcome == ENDORSE_ACTIVATE;
}
