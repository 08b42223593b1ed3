/*
 * post: a mail to LIST, in the order of its stages (handle_post() reads
 * top to bottom as the post's pipeline): decrypt -> facts -> label ->
 * replay -> policy_decide() -> fan-out (hub/fanout.c) -> notices ->
 * archive, or refuse with one reason and the notice it calls for.
 */
#include "config.h"

#include "hub/job.h"
#include "hub/fanout.h"
#include "hub/post.h"
#include "hub/conf.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/outmsg.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "archive/archive.h"
#include "archive/extract.h"
#include "archive/ipkey.h"
#include "archive/search.h"
#include "archive/text.h"
#include "crypto/decrypt.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "lists/policy.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

/*
 * The post's label (DESIGN.md "TLP"): read from the signed content only,
 * the signed Subject and every text a recipient can read (all parts and
 * alternatives, HTML as text, forwarded messages, text attachments), the
 * most restrictive wins; the unsigned outer Subject may only raise it.
 * Content too large to read whole is refused as unreadable rather than
 * labelled from a part of it.
 */
static void
post_label(const struct job *j, const struct roster_view *rv,
    struct tlp_result *res)
{
	struct buf *text = buf_new(BUF_SENSITIVE);
	struct buf *subj = buf_new(BUF_SENSITIVE);
	struct buf *outer = buf_new(0);
	int truncated = 0;

	if (j->v != NULL && j->v->content != NULL &&
	    text_readable(j->v->content, text, &truncated) == -1)
		buf_reset(text);
	if (j->v != NULL) {
		text_header_utf8(j->v->subject, subj);
		text_header_utf8(j->v->outer_subject, outer);
	}
	tlp_parse(buf_len(subj) ? buf_data(subj) : NULL,
	    buf_len(text) ? buf_data(text) : NULL, buf_len(text),
	    rv->list.l.default_tlp, res);
	if (buf_len(outer) > 0) {
		unsigned signed_unreadable = res->nunreadable;

		/* The outer subject is anyone's to rewrite: it may raise the
		 * label (an unreadable marking there raises it to RED), but
		 * it never refuses a post the signer's own text labels. */
		tlp_stricter(res, buf_data(outer));
		if (res->nunreadable > signed_unreadable) {
			res->nunreadable = signed_unreadable;
			if (signed_unreadable == 0)
				res->unreadable[0] = '\0';
		}
	}
	if (truncated && res->nunreadable++ == 0)
		snprintf(res->unreadable, sizeof res->unreadable, "%s",
		    "(a text of the post could not be read whole)");
	buf_free(text);
	buf_free(subj);
	buf_free(outer);
}

/*
 * A member hears of its own refused mail once a day per reason and key:
 * anyone holding a member's signed mail can send it again, and each copy
 * must not become a notice in the member's mailbox.  V_DONE with *send
 * false when today's notice went out already.
 */
static enum verdict
once_a_day(struct job *j, const char *token, const struct contact *signer,
    bool *send)
{
	char kind[64];

	snprintf(kind, sizeof kind, "refused-%s", token);
	if (store_notice_once(j->w->store, kind, signer->fpr, send) !=
	    STORE_OK)
		return V_TEMPFAIL;
	if (!*send)
		log_info("notice-skipped id=%s kind=%s reason=once-a-day",
		    j->id, kind);
	return V_DONE;
}

/*
 * A stranger decides how many refused posts there are: each must not
 * become a signed, encrypted notice in the admins' mailboxes.  The first
 * ADMIN_REFUSALS_PER_DAY of a list's day are told; the rest are logged
 * and kept in rejected/ like every refusal, where hubctl queue shows them.
 */
#define ADMIN_REFUSALS_PER_DAY	20

static enum verdict
admins_within_cap(struct job *j, const char *list, bool *send)
{
	char kind[16 + MODEL_LIST_MAX];
	bool first = false, capped = false;

	snprintf(kind, sizeof kind, "refused-unknown %s", list);
	if (store_notice_capped(j->w->store, kind, j->id,
	    ADMIN_REFUSALS_PER_DAY, &first, &capped) != STORE_OK)
		return V_TEMPFAIL;
	*send = !capped;
	if (capped)
		log_info("notice-skipped id=%s kind=refused-unknown list=%s "
		    "reason=daily-limit", j->id, list);
	return V_DONE;
}

/* How the refused post came, for the admins' notice (it is kept so). */
static enum notice_kept
kept_form(const struct job *j)
{
	const struct verified *v = j->v;
	size_t i;

	switch (j->dst) {
	case CRYPTO_OK:
		break;
	case CRYPTO_NO_SECKEY:
	case CRYPTO_DECRYPT_FAILED:
	case CRYPTO_NO_MDC:
		return KEPT_ENCRYPTED;
	default:
		return KEPT_AS_RECEIVED;
	}
	if (v == NULL)
		return KEPT_AS_RECEIVED;
	if (!v->encrypted)
		return KEPT_CLEAR;
	/* rejected/ holds the mail as received: the clear parts left out
	 * of the post (pEp's explanation) and GpgOL's placeholder are in
	 * it, in clear, though nothing unprotected was counted */
	if (v->nunprotected > 0 || v->ndropped > 0 || v->gpgol)
		return KEPT_PARTLY_CLEAR;
	for (i = 0; i < v->npieces; i++)
		if (!v->pieces[i].encrypted)
			return KEPT_PARTLY_CLEAR;
	return KEPT_ENCRYPTED;
}

/* signer: a roster contact (of a known team) the post's key belongs to;
 * proven: policy found it signed, wholly and well, by that key alone
 * but not encrypted (decision.signer_proven). */
static enum verdict
refuse(struct job *j, const struct roster_view *rv, enum policy_reason why,
    const char *token, const struct contact *signer, const char *detail,
    bool proven)
{
	struct notice_in in;
	enum verdict r;
	char sfpr[64];
	bool send;
	long ci;

	why_add(j, "reason", token);
	why_add(j, "list", rv->list.l.name);
	log_info("rejected post=%s list=%s reason=%s signer=%s", j->id,
	    rv->list.l.name, token, signer != NULL ? signer->fpr : "-");
	memset(&in, 0, sizeof in);
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	in.reason = why;
	in.detail = detail;
	in.mail_from = j->m->env.mail_from;
	in.client = j->m->env.client;
	snprintf(sfpr, sizeof sfpr, "%s", j->v != NULL && j->v->nsigs > 0 ?
	    j->v->sigs[0].fpr : "");
	in.signer_fpr = sfpr[0] != '\0' ? sfpr : NULL;
	/*
	 * A known member hears why; anyone else's refusal goes to the
	 * admins only (no backscatter to forged senders), and only the
	 * post's own signer may ever see anything of its content.
	 */
	if (signer != NULL && why > POLICY_UNKNOWN_SIGNER) {
		/* Anyone holding a member's signed mail can send it again,
		 * and a refused post is never recorded as seen, so every
		 * copy is refused for the same reason as the first (a
		 * suspended team, an expired or revoked key, not allowed
		 * to post, a replay, another list): whatever the reason,
		 * the member hears of it once a day per reason and key,
		 * never once per copy. */
		if ((r = once_a_day(j, token, signer, &send)) != V_DONE ||
		    !send)
			return r;
		goto member;
	}
	in.kind = NOTICE_REFUSED_UNKNOWN;
	in.kept = kept_form(j);
	if ((r = admins_within_cap(j, rv->list.l.name, &send)) != V_DONE)
		return r;
	if (send && (r = notice_send_admins(j, rv, &in)) != V_DONE)
		return r;
	/*
	 * Signed in clear by a member (multipart/signed, clearsigned,
	 * gpg --sign): the admins are told as for anyone, and the member
	 * too, so it learns to encrypt; once a day, as a replay's notice.
	 */
	if (signer == NULL || !proven)
		return V_DONE;
	if ((r = once_a_day(j, token, signer, &send)) != V_DONE || !send)
		return r;
member:
	in.kind = NOTICE_REFUSED_MEMBER;
	in.subject = j->v != NULL ? j->v->subject : NULL;
	ci = contact_index(rv, signer);
	return notice_send(j, rv, signer->address, signer->fpr,
	    ci >= 0 ? rv->keys[ci] : KEY_MISSING, &in);
}

/* A sentence with the date for the signer-key refusals, in the
 * signer's language (lang; the notice goes to the signer). */
static void
key_detail(struct job *j, const char *lang, enum policy_reason r, char *dst,
    size_t n)
{
	struct key_info *ki = NULL;
	char d[32];

	dst[0] = '\0';
	if ((r != POLICY_SIGNER_KEY_EXPIRED && r != POLICY_SIGNER_KEY_REVOKED) ||
	    j->v == NULL || j->v->nsigs == 0 ||
	    keys_lookup(j->w->g, j->v->sigs[0].fpr, &ki) != CRYPTO_OK)
		return;
	if (r == POLICY_SIGNER_KEY_EXPIRED && ki->expires > 0) {
		hub_utc(ki->expires, HUB_UTC_DAY, d, sizeof d);
		snprintf(dst, n, L_(lang, "Your key %s expired on %s."),
		    ki->fpr, d);
	} else if (r == POLICY_SIGNER_KEY_REVOKED)
		snprintf(dst, n, L_(lang, "Your key %s is revoked."), ki->fpr);
	key_info_free(ki);
}

/* Recipients skipped for their keys, lost teams.  Keys expiring soon
 * are the daily check's (hub/upkeep.c), whether anyone posts or not. */
static enum verdict
roster_notices(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d)
{
	struct notice_item *items = xcalloc(d->nrcpts + rv->ncontacts + 1,
	    sizeof *items);
	struct notice_in in;
	enum verdict r = V_DONE;
	size_t i, n = 0;
	bool first;

	for (i = 0; i < d->nrcpts; i++) {
		const struct policy_rcpt *pr = &d->rcpts[i];

		if (pr->skip < SKIP_KEY_MISSING || pr->skip > SKIP_KEY_UNUSABLE)
			continue;
		items[n].address = pr->cand->contact->address;
		items[n].team = pr->cand->contact->team;
		items[n].fpr = pr->cand->contact->fpr;
		items[n].reason = skip_reason_str(pr->skip);
		n++;
	}
	memset(&in, 0, sizeof in);
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	if (n > 0) {
		in.kind = NOTICE_SKIPPED;
		in.items = items;
		in.nitems = n;
		if ((r = notice_send_admins(j, rv, &in)) != V_DONE)
			goto out;
	}
	for (i = 0; i < d->nlost_teams; i++) {
		if (store_notice_once(j->w->store, "lost-team",
		    d->lost_teams[i], &first) != STORE_OK || !first)
			continue;
		memset(items, 0, sizeof *items);
		items[0].address = d->lost_teams[i];
		items[0].team = d->lost_teams[i];
		in.kind = NOTICE_LOST_TEAM;
		in.items = items;
		in.nitems = 1;
		if ((r = notice_send_admins(j, rv, &in)) != V_DONE)
			goto out;
	}
out:
	free(items);
	return r;
}

/*
 * A relayed post lost clear parts from outside its encryption (pEp's
 * explanation): its signer hears how many, and which MIME parts, so
 * nothing it meant to send goes missing unnoticed.  No rate limit: only
 * an accepted post (never a replay) makes one.
 */
static enum verdict
dropped_notice(struct job *j, const struct roster_view *rv,
    const struct contact *signer)
{
	struct notice_in in;
	struct buf *paths = buf_new(0);
	enum verdict r;
	size_t i;
	long ci;

	for (i = 0; i < j->v->ndropped && i < 16; i++)
		buf_printf(paths, "%s%s", i > 0 ? ", " : "", j->v->dropped[i]);
	if (j->v->ndropped > 16)
		buf_append_str(paths, ", ...");
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_PARTS_DROPPED;
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	in.ndropped = (unsigned)j->v->ndropped;
	in.detail = buf_data(paths);
	ci = contact_index(rv, signer);
	r = notice_send(j, rv, signer->address, signer->fpr,
	    ci >= 0 ? rv->keys[ci] : KEY_MISSING, &in);
	buf_free(paths);
	return r;
}

/* Is this indicator one of the hub's own names (its domain, a list
 * address quoted in the post)?  mine: the domain's key (ipkey.h). */
static bool
own_value(const char *mine, const struct indicator *in)
{
	char *rd;
	bool own;

	if (mine == NULL || (rd = ipkey_rdomain_of(in->type, in->value)) ==
	    NULL)
		return false;
	own = strncmp(rd, mine, strlen(mine)) == 0;
	free(rd);
	return own;
}

/*
 * File the accepted post in the archive: its decoded text, the
 * indicators in it, and who it went to (RED is visible to them only).
 * After staging, before the commit: what is archived is what is relayed,
 * and a crash in between redoes the entry, which the archive (keyed by
 * spool id) ignores the second time.  A failure tempfails the entry: a
 * report is never relayed without being archived.
 */
static enum verdict
stage_archive(struct job *j, const struct roster_view *rv,
    const struct tlp_result *label, const struct contact *signer,
    const struct team *team)
{
	struct worker *w = j->w;
	struct buf *text = buf_new(BUF_SENSITIVE);
	struct indicator *found = NULL;
	struct archive_record r;
	enum archive_status ast;
	char ctx[ARCHIVE_CONTEXT_MAX], *mine;
	enum verdict v = V_TEMPFAIL;
	size_t n = 0, i;
	int truncated = 0;
	bool added = false;

	if (worker_archive(w, j->id) != ARCHIVE_OK)
		goto out;
	if (text_of_post(j->v->content, text, &truncated) == -1)
		buf_reset(text);
	n = extract_indicators(buf_data(text), buf_len(text), &found);
	memset(&r, 0, sizeof r);
	/* one message may go to several lists: one archived post each */
	snprintf(r.id, sizeof r.id, "%s:%s", rv->list.l.name, j->id);
	r.list = (char *)rv->list.l.name;
	r.team = (char *)team->handle;
	r.contact = (char *)signer->address;
	r.signer_fpr = (char *)signer->fpr;
	r.tlp = label->label;
	r.at = (long long)j->m->env.received;
	r.subject = (char *)j->v->subject;
	r.body = (char *)buf_data(text);
	r.body_len = buf_len(text);
	r.inds = xcalloc(n + 1, sizeof *r.inds);
	mine = ipkey_rdomain(w->cfg->domain, strlen(w->cfg->domain));
	r.audience = j->audience;	/* whose copy was staged */
	r.naudience = j->naudience;
	for (i = 0; i < n; i++) {
		r.inds[i].type = found[i].type;
		r.inds[i].value = found[i].value;
		r.inds[i].flags = found[i].flags |
		    (own_value(mine, &found[i]) ? IND_OWN : 0);
		text_context(buf_data(text), buf_len(text), found[i].start,
		    found[i].end, ctx, sizeof ctx);
		r.inds[i].context = xstrdup(ctx);
	}
	r.ninds = n;
	ast = archive_add_post(w->archive, &r, &added);
	if (ast != ARCHIVE_OK) {
		log_warnx("archive-failed id=%s status=%s error=\"%s\"",
		    j->id, archive_status_str(ast),
		    archive_errmsg(w->archive));
		/* reopened for the retry: the file may have been replaced
		 * or repaired meanwhile */
		archive_close(w->archive);
		w->archive = NULL;
	} else {
		log_info("archived post=%s list=%s archive_id=%s "
		    "indicators=%zu%s%s", j->id, rv->list.l.name, r.id, n,
		    added ? "" : " redo=1", truncated ? " truncated=1" : "");
		v = V_DONE;
	}
	for (i = 0; i < n; i++) {
		hub_wipe(r.inds[i].context, strlen(r.inds[i].context));
		free(r.inds[i].context);
	}
	free(r.inds);
	free(mine);
	hub_wipe(ctx, sizeof ctx);
out:
	for (i = 0; i < n; i++)
		hub_wipe(found[i].value, strlen(found[i].value));
	indicators_free(found, n);
	buf_free(text);
	return v;
}

/* LIST: a post. */
enum verdict
handle_post(struct job *j, const struct roster_view *rv)
{
	struct worker *w = j->w;
	const struct contact *signer = NULL;
	const struct team *team = NULL;
	struct policy_input pin;
	struct policy_decision d;
	struct tlp_result label;
	struct msg_facts f;
	char detail[256];
	const char *lang;
	enum verdict r;
	bool replay = false;
	long ci;

	if ((r = stage_decrypt(j)) != V_DONE)
		return r;
	/* a message the crypto layer refused is a fact too: policy names
	 * the reason, and the log, the .why and the notice say the same */
	if ((r = facts_of(j, rv, &f)) != V_DONE)
		return r;
	memset(&pin, 0, sizeof pin);
	if (f.signer_fpr != NULL) {
		/* the hub's and the lists' own keys sign copies and notices:
		 * a signature by one of them is a copy posted back, nobody's
		 * post (unknown-signer) */
		switch (store_own_key(w->store, f.signer_fpr, NULL, 0)) {
		case STORE_OK:
			log_info("signer-is-own-key id=%s list=%s fpr=%s", j->id,
			    rv->list.l.name, f.signer_fpr);
			break;
		case STORE_NOT_FOUND:
			roster_view_signer(rv, f.signer_fpr, &signer, &team);
			break;
		default:
			return V_TEMPFAIL;
		}
	}
	pin.max_size = rv->list.l.opts.max_size != 0 ?
	    rv->list.l.opts.max_size : w->cfg->max_message_size;
	/* Reading the label normalises every text of the post: worth it
	 * only for an authentic post by a roster contact (a stranger's
	 * 64 MiB of text is refused before it costs that). */
	memset(&label, 0, sizeof label);
	label.label = rv->list.l.default_tlp;
	if (signer != NULL && policy_authentic(&f, pin.max_size) == POLICY_OK)
		post_label(j, rv, &label);
	f.tlp_unreadable = label.nunreadable > 0;
	if (j->sighash[0] != '\0' && store_seen_lookup(w->store,
	    rv->list.l.name, j->sighash, j->id, &replay) != STORE_OK)
		return V_TEMPFAIL;
	pin.facts = &f;
	pin.list = &rv->list.l;
	pin.signer = signer;
	pin.signer_team = team;
	pin.cand = rv->cand;
	pin.ncand = rv->ncand;
	pin.label = label.label;
	pin.replay = replay;
	policy_decide(&pin, &d);
	if (d.verdict == POLICY_ACCEPT) {
		if (d.unbound)
			log_info("unbound post=%s list=%s sig_age=%lld", j->id,
			    rv->list.l.name, f.sig_age);
		/* Recorded before the set is committed: a crash in between
		 * redoes this same entry, which the record tells apart. */
		if (store_seen_record(w->store, rv->list.l.name, j->sighash,
		    j->id, &replay) != STORE_OK)
			r = V_TEMPFAIL;
		else if (replay) {
			d.verdict = POLICY_REJECT;
			d.reason = POLICY_REPLAY;
		} else if ((r = stage_relay(j, rv, &d, &label, signer,
		    team)) == V_DONE &&
		    (r = roster_notices(j, rv, &d)) == V_DONE) {
			log_info("accepted post=%s list=%s signer=%s team=%s "
			    "tlp=%s rcpts=%zu skipped=%zu dropped=%u", j->id,
			    rv->list.l.name, signer->fpr, team->handle,
			    tlp_str(label.label), d.nincluded,
			    d.nrcpts - d.nincluded, d.ndropped);
			if (d.ndropped > 0)
				r = dropped_notice(j, rv, signer);
			if (r == V_DONE)
				r = stage_archive(j, rv, &label, signer, team);
		}
	}
	if (d.verdict != POLICY_ACCEPT) {
		lang = signer != NULL ? notice_lang(j, rv, signer->address) :
		    NULL;
		key_detail(j, lang, d.reason, detail, sizeof detail);
		/* the post's own text only where the notice is encrypted */
		if (d.reason == POLICY_TLP_UNREADABLE && signer != NULL &&
		    (ci = contact_index(rv, signer)) >= 0 &&
		    rv->keys[ci] == KEY_USABLE)
			snprintf(detail, sizeof detail, L_(lang, "The marking "
			    "that could not be read: \"%s\"."),
			    label.unreadable);
		r = refuse(j, rv, d.reason, policy_reason_str(d.reason),
		    team != NULL ? signer : NULL,
		    detail[0] != '\0' ? detail : NULL, d.signer_proven);
		if (r == V_DONE)
			r = V_REJECT;
		if (d.reason == POLICY_NO_RECIPIENTS && r == V_REJECT &&
		    roster_notices(j, rv, &d) == V_TEMPFAIL)
			r = V_TEMPFAIL;
	}
	policy_decision_free(&d);
	return r;
}
