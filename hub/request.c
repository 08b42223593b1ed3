/*
 * request: the list's other addresses: LIST-owner (re-encrypted to the
 * admins), LIST-sendkey and LIST-request (signed answers; strangers are
 * answered sparingly), the mailed archive search, LIST-bounces+TAG.
 * The mail commands will live here.  See hub/request.h.
 */
#include "config.h"

#include "hub/job.h"
#include "hub/request.h"
#include "hub/conf.h"
#include "hub/dsn.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/outmsg.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "base/buf.h"
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

#define STRANGER_REPLIES_PER_DAY 50	/* answers to non-roster senders */

/* LIST-owner: re-encrypted for each admin, whatever arrived. */
enum verdict
handle_owner(struct job *j, const struct roster_view *rv)
{
	struct notice_in in;
	char detail[256];
	const char *payload = j->m->body;
	size_t plen = j->m->body_len;
	enum verdict r;

	if ((r = stage_decrypt(j)) != V_DONE)
		return r;
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_OWNER_FORWARD;
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	in.mail_from = j->m->env.mail_from;
	in.client = j->m->env.client;
	if (j->dst == CRYPTO_OK && j->v->encrypted && j->v->content != NULL) {
		/* only what was inside the encryption */
		mime_part_raw(j->v->content, &payload, &plen);
		snprintf(detail, sizeof detail, "It arrived encrypted; "
		    "signature: %s%s%s.", j->v->nsigs == 0 ? "none" :
		    crypto_status_str(j->v->sigs[0].status),
		    j->v->nsigs > 0 ? " by " : "",
		    j->v->nsigs > 0 ? j->v->sigs[0].fpr : "");
	} else
		snprintf(detail, sizeof detail, "It arrived NOT encrypted "
		    "(%s); forwarded as received.", crypto_status_str(j->dst));
	in.detail = detail;
	in.payload = payload;
	in.payload_len = plen;
	log_info("owner-mail id=%s list=%s", j->id, rv->list.l.name);
	return notice_send_admins(j, rv, &in);
}

/*
 * May the hub answer a stranger (an address not on the roster) at `to`?
 * Anyone can forge an envelope sender, and a signed reply is many times
 * the size of the request: strangers are answered once per address per
 * day and STRANGER_REPLIES_PER_DAY in all, contacts always.  *ok false
 * means drop silently (logged); V_TEMPFAIL if the store failed.
 */
static enum verdict
stranger_reply_ok(struct job *j, const struct roster_view *rv,
    const char *to, const char *fpr, bool *ok)
{
	char safe[MODEL_ADDR_MAX], key[MODEL_ADDR_MAX];
	bool first, capped;

	*ok = true;
	if (fpr != NULL)
		return V_DONE;
	*ok = false;
	/* one mailbox, however its address is spelt: case and +tag */
	{
		const char *at = strrchr(to, '@'), *plus;
		size_t i;

		plus = at != NULL ? memchr(to, '+', (size_t)(at - to)) : NULL;
		snprintf(key, sizeof key, "%.*s%s",
		    (int)(plus != NULL ? (size_t)(plus - to) : strlen(to)),
		    to, plus != NULL ? at : "");
		for (i = 0; key[i] != '\0'; i++)
			if (key[i] >= 'A' && key[i] <= 'Z')
				key[i] = (char)(key[i] - 'A' + 'a');
	}
	if (store_notice_capped(j->w->store, "stranger-reply", key,
	    STRANGER_REPLIES_PER_DAY, &first, &capped) != STORE_OK)
		return V_TEMPFAIL;
	if (capped || !first) {
		log_info("reply-limited id=%s list=%s to=%s reason=%s",
		    j->id, rv->list.l.name, log_safe(safe, sizeof safe, to),
		    capped ? "daily-limit" : "once-a-day");
		return V_DONE;
	}
	*ok = true;
	return V_DONE;
}

/* LIST-sendkey and LIST-request: a short signed answer. */
enum verdict
handle_reply(struct job *j, const struct roster_view *rv,
    enum notice_kind kind)
{
	struct notice_in in;
	struct buf *key = NULL;
	const char *to = reply_address(j), *fpr;
	enum key_usability ku;
	enum verdict r;
	bool ok;

	if (to == NULL) {
		log_info("request-ignored id=%s list=%s reason=null-sender",
		    j->id, rv->list.l.name);
		return V_DONE;
	}
	reply_key(rv, to, &fpr, &ku);
	if ((r = stranger_reply_ok(j, rv, to, fpr, &ok)) != V_DONE || !ok)
		return r;
	memset(&in, 0, sizeof in);
	in.kind = kind;
	in.post_id = j->id;
	if (kind == NOTICE_SENDKEY) {
		key = buf_new(0);
		if (keys_export(j->w->g, rv->list.fpr, 1, key) != CRYPTO_OK) {
			buf_free(key);
			return V_TEMPFAIL;
		}
		in.payload = buf_data(key);
		in.payload_len = buf_len(key);
	}
	r = notice_send(j, rv, to, fpr, ku, &in);
	buf_free(key);
	return r;
}

/* --- mailed archive searches ---------------------------------------------- */

#define SEARCH_MAIL_QUERIES	10	/* search lines answered per mail */
#define SEARCH_MAIL_HITS	50	/* hits per query */
#define SEARCH_MAIL_MAX		(1024 * 1024)	/* octets of an answer */

/* The "search QUERY" lines of text (up to the signature separator,
 * quoted lines skipped), at most SEARCH_MAIL_QUERIES of them, controls
 * made spaces (the query is echoed in the answer).  A query longer than
 * a slot stays too long for search_parse(), which says so. */
#define QUERY_SLOT	1024
static size_t
search_lines(const char *text, size_t len, char q[][QUERY_SLOT], bool *more)
{
	const char *p = text, *end = text + len, *nl;
	size_t n = 0, ll, k;

	*more = false;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		ll = (size_t)(nl - p);
		while (ll > 0 && (p[ll - 1] == '\r' || p[ll - 1] == ' '))
			ll--;
		while (ll > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			ll--;
		}
		if (ll == 2 && memcmp(p, "--", 2) == 0)
			break;
		if (ll < 7 || strncasecmp(p, "search", 6) != 0 ||
		    (p[6] != ' ' && p[6] != '\t'))
			continue;
		if (n == SEARCH_MAIL_QUERIES) {
			*more = true;
			break;
		}
		ll -= 7;
		if (ll >= QUERY_SLOT)
			ll = QUERY_SLOT - 1;
		for (k = 0; k < ll; k++)
			q[n][k] = (unsigned char)p[7 + k] < 0x20 ||
			    p[7 + k] == 0x7f ? ' ' : p[7 + k];
		q[n][ll] = '\0';
		n++;
	}
	return n;
}

/* Refuse a search request: to the envelope sender, nothing of the
 * request in it. */
static enum verdict
search_refuse(struct job *j, const struct roster_view *rv, const char *why)
{
	struct notice_in in;
	const char *to = reply_address(j), *fpr;
	enum key_usability ku;
	enum verdict r;
	bool ok;

	log_info("search-refused id=%s list=%s reason=\"%s\"", j->id,
	    rv->list.l.name, why);
	if (to == NULL)
		return V_DONE;
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_SEARCH_REFUSED;
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	in.detail = why;
	reply_key(rv, to, &fpr, &ku);
	if ((r = stranger_reply_ok(j, rv, to, fpr, &ok)) != V_DONE || !ok)
		return r;
	return notice_send(j, rv, to, fpr, ku, &in);
}

/* Why a request may not search, or NULL; *who is the signer then. */
static const char *
search_refusal(struct job *j, const struct roster_view *rv,
    const struct contact **who, long *idx)
{
	const struct team *team = NULL;
	const struct verified *v = j->v;
	struct msg_facts f;

	*who = NULL;
	if (j->dst != CRYPTO_OK || v == NULL)
		return "the request was not encrypted to the list's key";
	/* the same coverage rules as a post: all of it signed by one key
	 * inside the encryption, encrypted to this list's key */
	if (facts_of(j, rv, &f) != V_DONE)
		return "the list's key could not be read; try again later";
	switch (policy_authentic(&f, 0)) {
	case POLICY_OK:
		break;
	case POLICY_NOT_ENCRYPTED:
		return "the request was not encrypted to the list's key";
	case POLICY_NO_INTEGRITY:
		return "the request has no integrity protection (MDC)";
	case POLICY_NOT_ENCRYPTED_TO_LIST:
		return "the request was encrypted to another key than the "
		    "list's";
	case POLICY_UNPROTECTED_PARTS:
		return "the request has parts outside the encryption";
	case POLICY_NOT_SIGNED:
		return "the request was not signed";
	case POLICY_PARTLY_SIGNED:
		return "part of the request was not signed";
	default:
		return "the request's signature is not valid";
	}
	if (f.sig != SIG_GOOD)
		return "the request's signature is not valid";
	if (store_own_key(j->w->store, v->sigs[0].fpr, NULL, 0) !=
	    STORE_NOT_FOUND)
		return "the signing key belongs to no registered contact";
	roster_view_signer(rv, v->sigs[0].fpr, who, &team);
	if (*who == NULL || team == NULL)
		return "the signing key belongs to no registered contact";
	if (team->state != TEAM_ACTIVE)
		return "the signer's team is not an active member";
	*idx = contact_index(rv, *who);
	return NULL;
}

/* Run the queries as the signer and write the answer into out. */
static enum verdict
search_answer(struct job *j, const struct contact *who,
    char q[][QUERY_SLOT], size_t nq, bool more, struct buf *out)
{
	struct worker *w = j->w;
	struct tlp_clearance *cl = NULL;
	struct search_viewer viewer = { .admin = false };
	struct search_query sq;
	struct search_hit *hits;
	enum archive_status ast;
	char err[128];
	size_t ncl = 0, nh, i, total = 0;

	if (roster_clearances(w->store, who->address, &cl, &ncl,
	    &viewer.community) != STORE_OK)
		return V_TEMPFAIL;
	if (worker_archive(w, j->id) != ARCHIVE_OK) {
		free(cl);
		return V_TEMPFAIL;
	}
	viewer.address = who->address;
	viewer.subs = cl;
	viewer.nsubs = ncl;
	buf_printf(out, "Archive search for %s.\r\nOnly reports you were "
	    "cleared to receive are shown: TLP:CLEAR reports, and\r\n"
	    "reports to lists you are subscribed to at labels you could "
	    "receive there;\r\nTLP:RED only where you were a recipient."
	    "\r\n", who->address);
	for (i = 0; i < nq; i++) {
		if (buf_len(out) > SEARCH_MAIL_MAX) {
			buf_printf(out, "\r\nThe answer reached its size "
			    "limit; the remaining searches were not run.\r\n");
			break;
		}
		buf_printf(out, "\r\n=== search %.200s\r\n", q[i]);
		if (search_parse(q[i], &sq, err, sizeof err) == -1) {
			buf_printf(out, "not a query: %s\r\n", err);
			continue;
		}
		if (sq.kind == SEARCH_ALL) {
			/* the whole archive is no answer to mail */
			buf_append_str(out, "not a query: give one indicator"
			    "\r\n");
			continue;
		}
		sq.limit = SEARCH_MAIL_HITS;
		if ((ast = search_run(w->archive, &sq, &viewer, &hits,
		    &nh)) != ARCHIVE_OK) {
			log_warnx("search-failed id=%s status=%s error=\"%s\"",
			    j->id, archive_status_str(ast),
			    archive_errmsg(w->archive));
			free(cl);
			return V_TEMPFAIL;
		}
		if (nh == 0)
			buf_append_str(out, "no results\r\n");
		search_hits_text(hits, nh, "\r\n", out);
		if (nh == SEARCH_MAIL_HITS)
			buf_printf(out, "(the first %d results; narrow the "
			    "query for more)\r\n", SEARCH_MAIL_HITS);
		total += nh;
		search_hits_free(hits, nh);
	}
	if (more)
		buf_printf(out, "\r\nOnly the first %d search lines were "
		    "answered.\r\n", SEARCH_MAIL_QUERIES);
	log_info("search id=%s signer=%s queries=%zu hits=%zu", j->id,
	    who->address, nq, total);
	free(cl);
	return V_DONE;
}

/*
 * LIST-request: "search QUERY" lines answer from the archive, to the
 * signer's registered address (never the envelope sender: a forged
 * sender must not receive, or be flooded with, answers); anything else
 * gets the help text.
 */
enum verdict
handle_request(struct job *j, const struct roster_view *rv)
{
	char (*q)[QUERY_SLOT] = xcalloc(SEARCH_MAIL_QUERIES, sizeof *q);
	struct buf *text = buf_new(BUF_SENSITIVE);
	const struct mime_part *tp = NULL;
	const struct contact *who = NULL;
	struct notice_in in;
	const char *why;
	char seen[MODEL_LIST_MAX + 16];
	enum verdict r;
	size_t nq;
	bool more, replay = false;
	long idx = -1;

	if ((r = stage_decrypt(j)) != V_DONE)
		goto out;
	if (j->dst == CRYPTO_OK && j->v->content != NULL)
		tp = first_text(j->v->content, 0);
	if (tp == NULL || mime_part_text_utf8(tp, text) != CRYPTO_OK) {
		buf_reset(text);
		/* Not encrypted: its own bytes, for the commands only (a
		 * clear "search" gets a refusal).  Decrypted, only what was
		 * inside is read: never unsigned text around it. */
		if (j->dst != CRYPTO_OK || !j->v->encrypted)
			buf_append(text, j->m->body, j->m->body_len);
	}
	nq = search_lines(buf_data(text), buf_len(text), q, &more);
	if (nq == 0) {
		r = handle_reply(j, rv, NOTICE_REQUEST_HELP);
		goto out;
	}
	if ((why = search_refusal(j, rv, &who, &idx)) != NULL) {
		r = search_refuse(j, rv, why);
		goto out;
	}
	/* A captured request mailed again must not buy another answer. */
	snprintf(seen, sizeof seen, "%s-request", rv->list.l.name);
	if (store_seen_record(j->w->store, seen, j->sighash, j->id,
	    &replay) != STORE_OK) {
		r = V_TEMPFAIL;
		goto out;
	}
	if (replay) {
		log_info("search-ignored id=%s list=%s reason=replay", j->id,
		    rv->list.l.name);
		goto out;
	}
	if (idx < 0 || rv->keys[idx] != KEY_USABLE) {
		/* signed only, to the registered address: nothing of the
		 * archive in it */
		memset(&in, 0, sizeof in);
		in.kind = NOTICE_SEARCH_REFUSED;
		in.post_id = j->id;
		in.received = (long long)j->m->env.received;
		in.detail = "your registered key cannot be used for "
		    "encryption, and the answer is sent only encrypted";
		log_info("search-refused id=%s list=%s reason=key-%s", j->id,
		    rv->list.l.name, idx < 0 ? "missing" :
		    key_usability_str(rv->keys[idx]));
		r = notice_send(j, rv, who->address, who->fpr,
		    idx < 0 ? KEY_MISSING : rv->keys[idx], &in);
		goto out;
	}
	buf_reset(text);
	if ((r = search_answer(j, who, q, nq, more, text)) != V_DONE)
		goto out;
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_SEARCH_RESULT;
	in.post_id = j->id;
	in.payload = buf_data(text);
	in.payload_len = buf_len(text);
	r = notice_send(j, rv, who->address, who->fpr, KEY_USABLE, &in);
out:
	hub_wipe(q, SEARCH_MAIL_QUERIES * sizeof *q);
	free(q);
	buf_free(text);
	return r;
}

/*
 * LIST-bounces+TAG: a delivery failure (the relay's own DSN or a remote
 * MTA's) for the recipient the VERP tag names.  Recorded, and the admins
 * are told.  Bounces are not posts: nothing is relayed.
 */
enum verdict
handle_bounce(struct job *j, const struct roster_view *rv, const char *tag)
{
	struct notice_in in;
	struct dsn_report rep;
	char rcpt[MODEL_ADDR_MAX], safe[MODEL_ADDR_MAX];
	const char *status;
	char post[HUB_ID_SIZE];

	if (outmsg_verp_decode(tag, rcpt, sizeof rcpt) != 0) {
		log_info("bounce-unattributed id=%s list=%s", j->id,
		    rv->list.l.name);
		return V_DONE;
	}
	/* a report without a readable status is a failure all the same */
	dsn_parse(j->m->body, j->m->body_len, &rep);
	status = rep.status[0] != '\0' ? rep.status : "5.0.0";
	if (store_bounce_record(j->w->store, rv->list.l.name, rcpt, status,
	    NULL) != STORE_OK)
		return V_TEMPFAIL;
	log_info("bounce id=%s list=%s rcpt=%s status=%s", j->id,
	    rv->list.l.name, log_safe(safe, sizeof safe, rcpt), status);
	if (status[0] != '5')
		return V_DONE;	/* delayed, not failed */
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_DELIVERY_FAILED;
	in.post_id = notice_bounced_post(j->m->body, j->m->body_len,
	    rv->list.l.name, j->w->cfg->domain, post) == 0 ? post : NULL;
	in.report_id = j->id;
	in.received = (long long)j->m->env.received;
	in.rcpt = rcpt;
	in.status = status;
	return notice_send_admins(j, rv, &in);
}
