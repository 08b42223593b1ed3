/*
 * notice_send: the hub's own mail on its way (see hub/notice_send.h):
 * built by hub/notice, signed (and encrypted where the key allows) with
 * the list key, staged in the entry's outgoing set.
 */
#include "config.h"

#include "hub/notice_send.h"
#include "hub/conf.h"
#include "hub/notice.h"
#include "hub/outmsg.h"
#include "hub/spool.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/id.h"
#include "base/log.h"
#include "crypto/encrypt.h"
#include "crypto/keys.h"
#include "crypto/pgpmime.h"
#include "lists/roster.h"
#include "lists/store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Add one finished message to the entry's outgoing set. */
static enum verdict
stage_add(struct job *j, const char *mail_from, const char *rcpt,
    const struct buf *msg)
{
	struct spool_envelope env;
	const char *rcpts[1] = { rcpt };
	enum spool_status st;

	if (j->stage == NULL &&
	    (st = spool_stage_begin(j->w->sp, j->id, &j->stage)) != SPOOL_OK) {
		log_warn("stage-begin id=%s status=%s", j->id,
		    spool_status_str(st));
		return V_TEMPFAIL;
	}
	spool_envelope_local(&env, "worker", mail_from, rcpts);
	if ((st = spool_stage_add(j->stage, &env, buf_data(msg), buf_len(msg),
	    NULL)) != SPOOL_OK) {
		log_warn("stage-add id=%s status=%s", j->id,
		    spool_status_str(st));
		return V_TEMPFAIL;
	}
	return V_DONE;
}

/*
 * The language of the hub's mail to `to` (notice_send.h): the contact's
 * own when it chose one (hubctl contact set, the language command), else
 * the community's (hubctl community set lang=); English when the store
 * cannot say.  Per message, never the process's locale (base/i18n.h).
 */
const char *
notice_lang(struct job *j, const struct roster_view *rv, const char *to)
{
	struct store_community com;
	size_t i;

	for (i = 0; i < rv->ncontacts; i++)
		if (strcasecmp(rv->contacts[i].address, to) == 0 &&
		    rv->contacts[i].lang[0] != '\0')
			return strcmp(rv->contacts[i].lang, "ja") == 0 ? "ja" :
			    "en";
	if (j->w->store == NULL ||
	    store_community_get(j->w->store, &com) != STORE_OK)
		return "en";
	return strcmp(com.lang, "ja") == 0 ? "ja" : "en";
}

/*
 * Encrypted to the recipient's key and signed by the list when the key
 * can encrypt, signed only otherwise (e.g. "your key expired"), never
 * in clear.
 */
enum verdict
notice_send(struct job *j, const struct roster_view *rv, const char *to,
    const char *to_fpr, enum key_usability key, struct notice_in *in)
{
	char sto[MODEL_ADDR_MAX];
	const char *list = rv->list.l.name, *domain = j->w->cfg->domain;
	const char *signer = in->sign_fpr != NULL ? in->sign_fpr :
	    rv->list.fpr;
	/* entities may carry plaintext (owner mail, search results) */
	struct buf *subject = buf_new(0), *entity = buf_new(BUF_SENSITIVE);
	struct buf *out = buf_new(0), *signd = NULL, *prot = NULL;
	struct buf *subj = buf_new(0), *fromb = buf_new(0);
	struct crypto_headers h;
	char name[256], toh[MODEL_ADDR_MAX + 2], date[64], mid[256];
	const char *from, *given = in->lang;
	char nid[HUB_ID_SIZE];
	enum crypto_status cst = CRYPTO_OK;
	enum verdict r = V_DONE;

	in->list = list;
	in->domain = domain;
	/* the caller may know better (the language command has just
	 * changed it); else the roster view's, read with the entry */
	if (in->lang == NULL)
		in->lang = notice_lang(j, rv, to);
	in->encrypted = key == KEY_USABLE && to_fpr != NULL &&
	    to_fpr[0] != '\0';
	/* Forwarded owner mail is content: never in clear (invariant 3). */
	if (!in->encrypted && (in->kind == NOTICE_OWNER_FORWARD ||
	    in->kind == NOTICE_COMMAND_ANSWER || in->kind == NOTICE_RECEIPT)) {
		log_warnx("notice-withheld kind=%s to=%s reason=key-%s",
		    notice_kind_str(in->kind), log_safe(sto, sizeof sto, to),
		    key_usability_str(key));
		goto out;
	}
	if (notice_build(in, subject, entity) != 0) {
		log_warnx("notice-build-failed kind=%s",
		    notice_kind_str(in->kind));
		goto out;
	}
	hub_id_new(nid);
	/* the display name and the Subject in the recipient's language:
	 * UTF-8 in RFC 2047 words where not ASCII (outmsg's encoder) */
	snprintf(name, sizeof name, L_(in->lang, "%s list"), list);
	outmsg_phrase(name, fromb);
	buf_printf(fromb, " <%s-owner@%s>", list, domain);
	from = buf_data(fromb);
	outmsg_subject_header(buf_data(subject), subj);
	snprintf(toh, sizeof toh, "<%s>", to);
	hub_date_mail((long long)hub_now(), date, sizeof date);
	snprintf(mid, sizeof mid, "<%s.notice.%s@%s>", nid, list, domain);
	memset(&h, 0, sizeof h);
	h.from = from;
	h.to = toh;
	h.subject = buf_data(subj);
	h.date = date;
	h.message_id = mid;
	h.extra = "Auto-Submitted: auto-generated\r\n";
	if (in->encrypted) {
		cst = encrypt_for(j->w->g, signer, to_fpr, &h,
		    buf_data(entity), buf_len(entity), out);
	} else {
		/* Signed only: the notice texts for this case hold nothing
		 * from the post (notice.h), so clear text is acceptable. */
		signd = buf_new(0);
		prot = buf_new(0);
		cst = pgpmime_protect(&h, buf_data(entity), buf_len(entity),
		    prot);
		if (cst == CRYPTO_OK)
			cst = encrypt_sign_once(j->w->g, signer,
			    buf_data(prot), buf_len(prot), signd);
		if (cst == CRYPTO_OK) {
			buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: %s\r\n"
			    "Date: %s\r\nMessage-ID: %s\r\n%s"
			    "MIME-Version: 1.0\r\n", from, toh,
			    buf_data(subj), date, mid, h.extra);
			buf_append(out, buf_data(signd), buf_len(signd));
		}
	}
	if (cst != CRYPTO_OK) {
		log_warnx("notice-failed kind=%s to=%s status=%s",
		    notice_kind_str(in->kind), log_safe(sto, sizeof sto, to),
		    crypto_status_str(cst));
		r = cst == CRYPTO_ENGINE_ERROR ? V_TEMPFAIL : V_DONE;
		goto out;
	}
	if ((r = stage_add(j, "", to, out)) == V_DONE)
		log_info("notice id=%s kind=%s list=%s to=%s encrypted=%s "
		    "lang=%s", j->id, notice_kind_str(in->kind), list,
		    log_safe(sto, sizeof sto, to),
		    key == KEY_USABLE ? "yes" : "no", in->lang);
out:
	/* notice_send_admins() sends the same in to each admin, each in
	 * its own language */
	in->lang = given;
	buf_free(subject);
	buf_free(subj);
	buf_free(fromb);
	buf_free(entity);
	buf_free(out);
	buf_free(signd);
	buf_free(prot);
	return r;
}

enum verdict
notice_send_admins(struct job *j, const struct roster_view *rv,
    struct notice_in *in)
{
	enum verdict r;
	size_t i, k;
	unsigned sent = 0;

	for (i = 0; i < rv->ncand; i++) {
		const struct policy_candidate *c = &rv->cand[i];

		if (c->role != ROLE_ADMIN || c->team_state != TEAM_ACTIVE)
			continue;
		for (k = 0; k < i; k++)	/* one notice per address */
			if (rv->cand[k].role == ROLE_ADMIN &&
			    strcasecmp(rv->cand[k].contact->address,
			    c->contact->address) == 0)
				break;
		if (k < i)
			continue;
		if ((r = notice_send(j, rv, c->contact->address,
		    c->contact->fpr, c->key, in)) != V_DONE)
			return r;
		sent++;
	}
	if (sent == 0)
		log_warnx("notice-no-admin kind=%s list=%s id=%s",
		    notice_kind_str(in->kind), rv->list.l.name, j->id);
	return V_DONE;
}
