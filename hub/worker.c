/*
 * worker: one spool entry at a time, from incoming/ to outgoing/ or
 * rejected/.  process() below is the pipeline, one call per stage
 * (STYLE.md §1.3); each stage answers accept, reject(reason) or
 * tempfail, and only process() turns that into spool moves.
 *
 * The plaintext of a post exists only in this process's memory, in
 * BUF_SENSITIVE buffers that are wiped when freed (invariant 2); what the
 * worker writes to the spool is ciphertext for one recipient each.
 */
#include "config.h"

#include "hub/worker.h"
#include "hub/conf.h"
#include "hub/notice.h"
#include "hub/outmsg.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "hub/base/buf.h"
#include "hub/base/id.h"
#include "hub/base/log.h"
#include "hub/base/xalloc.h"
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

#define RESCAN_MS		1000
#define MAX_THREADS		8
#define EXPIRY_WARN_DAYS	14
#define TEMPFAIL_DELAY		30	/* seconds before a tempfailed retry */
#define MAX_DEFERRED		64
#define AUTOCRYPT_CACHE		300	/* seconds */
#define STRANGER_REPLIES_PER_DAY 50	/* answers to non-roster senders */

struct worker {
	const struct hub_config	*cfg;
	struct spool		*sp;
	struct store		*store;
	struct archive		*archive;	/* opened on first use */
	struct gpg		*g;		/* this thread's */
	struct gpg		*tg[MAX_THREADS]; /* encryption threads' */
	unsigned		 nthreads;
	int			 link;
	/* the last list key exported for Autocrypt (one gpg run saved per
	 * post; a list's key changes only when an admin replaces it) */
	char			 ac_fpr[MODEL_FPR_LEN];
	struct buf		*ac_b64;
	time_t			 ac_at;
	/* the last list key's key ids, to check a post was encrypted to
	 * it (cached like the Autocrypt export) */
	struct key_info		*lk;
	time_t			 lk_at;
	struct {
		char		 id[HUB_ID_SIZE];
		time_t		 until;
	}			 deferred[MAX_DEFERRED];
};

static volatile sig_atomic_t stopping;

/* The outcome of a stage. */
enum verdict {
	V_DONE = 0,	/* go on / finished */
	V_REJECT,	/* refused: entry goes to rejected/ */
	V_TEMPFAIL,	/* environment: retry the entry later */
};

/* One spool entry in hand. */
struct job {
	struct worker		*w;
	const char		*id;
	struct spool_msg	*m;
	struct spool_stage	*stage;
	struct buf		*why;		/* rejected/ID.why */
	/* decrypted once, whatever lists it was sent to */
	int			 decrypted;
	enum crypto_status	 dst;
	struct verified		*v;
	struct mime_msg		*outer;		/* the message as received */
	int			 outer_parsed;
	char			 sighash[65];
	/* targets handled: RCPT ops and RCPT OPS are one post, not two */
	char			**targets;
	size_t			 ntargets;
	/* the contacts whose copy of the current list's post was staged:
	 * its archived audience (who may see it if it is TLP:RED) */
	char			**audience;
	size_t			 naudience;
};

/* --- small helpers -------------------------------------------------------- */

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
tell_master(struct worker *w, const char *type, const char *id)
{
	char line[PROC_LINE_MAX];
	int n;

	if ((n = proc_line(line, sizeof line, type, id)) > 0 &&
	    write(w->link, line, (size_t)n) != n)
		log_debug("link-write-failed type=%s", type);
}

static void
audience_clear(struct job *j)
{
	size_t i;

	for (i = 0; i < j->naudience; i++)
		free(j->audience[i]);
	free(j->audience);
	j->audience = NULL;
	j->naudience = 0;
}

/* One "key=value" line of rejected/ID.why. */
static void
why_add(struct job *j, const char *key, const char *v)
{
	if (j->why == NULL)
		j->why = buf_new(0);
	buf_printf(j->why, "%s=%s\n", key, v);
}

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
	memset(&env, 0, sizeof env);
	env.received = time(NULL);
	env.protocol = "local";
	env.client = "worker";
	env.helo = "";
	env.mail_from = mail_from;
	env.rcpt = rcpts;
	env.nrcpt = 1;
	if ((st = spool_stage_add(j->stage, &env, buf_data(msg), buf_len(msg),
	    NULL)) != SPOOL_OK) {
		log_warn("stage-add id=%s status=%s", j->id,
		    spool_status_str(st));
		return V_TEMPFAIL;
	}
	return V_DONE;
}

/* --- notices ---------------------------------------------------------------- */

/*
 * Send a notice the hub writes on its own account: encrypted to the
 * recipient's key and signed by the list when the key can encrypt,
 * signed only otherwise (e.g. "your key expired"), never in clear.
 */
static enum verdict
send_notice(struct job *j, const struct roster_view *rv, const char *to,
    const char *to_fpr, enum key_usability key, struct notice_in *in)
{
	char sto[MODEL_ADDR_MAX];
	const char *list = rv->list.l.name, *domain = j->w->cfg->domain;
	/* entities may carry plaintext (owner mail, search results) */
	struct buf *subject = buf_new(0), *entity = buf_new(BUF_SENSITIVE);
	struct buf *out = buf_new(0), *signd = NULL, *prot = NULL;
	struct crypto_headers h;
	char from[512], toh[MODEL_ADDR_MAX + 2], date[64], mid[256];
	char nid[HUB_ID_SIZE];
	enum crypto_status cst = CRYPTO_OK;
	enum verdict r = V_DONE;

	in->list = list;
	in->domain = domain;
	in->encrypted = key == KEY_USABLE && to_fpr != NULL &&
	    to_fpr[0] != '\0';
	/* Forwarded owner mail is content: never in clear (invariant 3). */
	if (!in->encrypted && (in->kind == NOTICE_OWNER_FORWARD ||
	    in->kind == NOTICE_SEARCH_RESULT)) {
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
	snprintf(from, sizeof from, "\"%s list\" <%s-owner@%s>", list, list,
	    domain);
	snprintf(toh, sizeof toh, "<%s>", to);
	hub_utc((long long)time(NULL), HUB_UTC_MAIL, date, sizeof date);
	snprintf(mid, sizeof mid, "<%s.notice.%s@%s>", nid, list, domain);
	memset(&h, 0, sizeof h);
	h.from = from;
	h.to = toh;
	h.subject = buf_data(subject);
	h.date = date;
	h.message_id = mid;
	h.extra = "Auto-Submitted: auto-generated\r\n";
	if (in->encrypted) {
		cst = encrypt_for(j->w->g, rv->list.fpr, to_fpr, &h,
		    buf_data(entity), buf_len(entity), out);
	} else {
		/* Signed only: the notice texts for this case hold nothing
		 * from the post (notice.h), so clear text is acceptable. */
		signd = buf_new(0);
		prot = buf_new(0);
		cst = pgpmime_protect(&h, buf_data(entity), buf_len(entity),
		    prot);
		if (cst == CRYPTO_OK)
			cst = encrypt_sign_once(j->w->g, rv->list.fpr,
			    buf_data(prot), buf_len(prot), signd);
		if (cst == CRYPTO_OK) {
			buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: %s\r\n"
			    "Date: %s\r\nMessage-ID: %s\r\n%s"
			    "MIME-Version: 1.0\r\n", from, toh,
			    buf_data(subject), date, mid, h.extra);
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
		log_info("notice id=%s kind=%s list=%s to=%s encrypted=%s",
		    j->id, notice_kind_str(in->kind), list,
		    log_safe(sto, sizeof sto, to),
		    key == KEY_USABLE ? "yes" : "no");
out:
	buf_free(subject);
	buf_free(entity);
	buf_free(out);
	buf_free(signd);
	buf_free(prot);
	return r;
}

/* A notice to every admin of the list. */
static enum verdict
notify_admins(struct job *j, const struct roster_view *rv,
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
		if ((r = send_notice(j, rv, c->contact->address,
		    c->contact->fpr, c->key, in)) != V_DONE)
			return r;
		sent++;
	}
	if (sent == 0)
		log_warnx("notice-no-admin kind=%s list=%s id=%s",
		    notice_kind_str(in->kind), rv->list.l.name, j->id);
	return V_DONE;
}

/* --- decrypt and verify ------------------------------------------------------ */

static enum sig_status
sig_of(enum crypto_status st)
{
	switch (st) {
	case CRYPTO_OK:
		return SIG_GOOD;
	case CRYPTO_UNKNOWN_SIGNER:
		return SIG_UNKNOWN_KEY;
	case CRYPTO_KEY_EXPIRED:
		return SIG_KEY_EXPIRED;
	case CRYPTO_KEY_REVOKED:
		return SIG_KEY_REVOKED;
	case CRYPTO_SIG_EXPIRED:
		return SIG_EXPIRED;
	default:
		return SIG_BAD;
	}
}

/*
 * The replay key: who signed, when, and exactly what.  A replayed post
 * carries the same signatures over the same content; a new post by the
 * same PoC differs in time or content.  "What" is each piece's plaintext
 * as gpg gave it, not the entity the hub builds around inline blocks, so
 * the same signed content is the same key however it is wrapped again
 * (another boundary, file name or charset, PGP/MIME or inline).
 */
static void
make_sighash(struct job *j)
{
	const struct verified *v = j->v;
	unsigned char d[32];
	gcry_md_hd_t md;
	char created[32];
	size_t i;

	j->sighash[0] = '\0';
	if (v == NULL || v->nsigs == 0 || v->cleartext == NULL)
		return;
	if (gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_SECURE) != 0)
		fatalx("gcry_md_open failed");
	for (i = 0; i < v->nsigs; i++) {
		snprintf(created, sizeof created, "|%lld|", v->sigs[i].created);
		gcry_md_write(md, v->sigs[i].fpr, strlen(v->sigs[i].fpr));
		gcry_md_write(md, created, strlen(created));
	}
	for (i = 0; i < v->npieces; i++)
		if (v->pieces[i].off <= buf_len(v->cleartext) &&
		    v->pieces[i].len <= buf_len(v->cleartext) -
		    v->pieces[i].off)
			gcry_md_write(md, buf_data(v->cleartext) +
			    v->pieces[i].off, v->pieces[i].len);
	memcpy(d, gcry_md_read(md, GCRY_MD_SHA256), sizeof d);
	gcry_md_close(md);
	for (i = 0; i < sizeof d; i++)
		snprintf(j->sighash + 2 * i, 3, "%02x", d[i]);
}

static enum verdict
stage_decrypt(struct job *j)
{
	if (j->decrypted)
		return j->dst == CRYPTO_ENGINE_ERROR ? V_TEMPFAIL : V_DONE;
	j->decrypted = 1;
	j->dst = decrypt_verify(j->w->g, j->m->body, j->m->body_len, &j->v);
	if (j->dst == CRYPTO_OK)
		make_sighash(j);
	log_info("decrypted id=%s status=%s encrypted=%d integrity=%d "
	    "sigs=%zu unprotected=%zu", j->id, crypto_status_str(j->dst),
	    j->v != NULL ? j->v->encrypted : 0,
	    j->v != NULL ? j->v->integrity : 0,
	    j->v != NULL ? j->v->nsigs : (size_t)0,
	    j->v != NULL ? j->v->nunprotected : (size_t)0);
	return j->dst == CRYPTO_ENGINE_ERROR ? V_TEMPFAIL : V_DONE;
}

/* The first text/plain part that is not an attachment (a request). */
static const struct mime_part *
first_text(const struct mime_part *p, int depth)
{
	const struct mime_part *r;
	size_t i, n;

	if (p == NULL || depth > MIME_MAX_DEPTH)
		return NULL;
	n = mime_part_nchildren(p);
	if (n == 0)
		return mime_part_is(p, "text/plain") &&
		    mime_part_filename(p) == NULL ? p : NULL;
	for (i = 0; i < n; i++)
		if ((r = first_text(mime_part_child(p, i), depth + 1)) != NULL)
			return r;
	return NULL;
}

/* Pieces with exactly one signature, made inside their encryption over
 * all of the piece (lists/policy.h "Coverage"). */
static unsigned
covered_pieces(const struct verified *v)
{
	unsigned n = 0;
	size_t i, k, nsig, good;

	for (i = 0; i < v->npieces; i++) {
		nsig = good = 0;
		for (k = 0; k < v->nsigs; k++) {
			if (v->sigs[k].piece != i)
				continue;
			nsig++;
			if (v->sigs[k].whole && v->pieces[i].encrypted &&
			    strncmp(v->sigs[k].covers, "enc:", 4) == 0)
				good++;
		}
		if (nsig == 1 && good == 1)
			n++;
	}
	return n;
}

/* 0, 1, or 2 for "more than one" (linear: the count of signatures is
 * the sender's to choose). */
static unsigned
distinct_signers(const struct verified *v)
{
	size_t i;

	if (v->nsigs == 0)
		return 0;
	for (i = 1; i < v->nsigs; i++)
		if (strcasecmp(v->sigs[0].fpr, v->sigs[i].fpr) != 0)
			return 2;
	return 1;
}

/* Does the signed content's To/Cc name the list (NAME@domain)? */
static bool
names_list(const struct verified *v, const char *list, const char *domain)
{
	char addr[MODEL_LIST_MAX + 256];
	size_t i;

	snprintf(addr, sizeof addr, "%s@%s", list, domain);
	for (i = 0; i < v->nnamed; i++)
		if (strcasecmp(v->named[i], addr) == 0)
			return true;
	return false;
}

/* Was every encrypted piece of the message encrypted to one of the list
 * key's (sub)keys?  (A member's block for a narrower list spliced beside
 * one for this list must not reach this list's audience.)  -1 if the key
 * cannot be listed now (the entry is retried). */
static int
to_list_key(struct worker *w, const struct verified *v, const char *fpr)
{
	const struct piece_fact *pc;
	time_t now = time(NULL);
	enum crypto_status st;
	size_t i, k, p;
	bool found;

	if (fpr == NULL || fpr[0] == '\0')
		return 0;	/* a list without a key is sent no post */
	if (w->lk == NULL || strcmp(w->lk->fpr, fpr) != 0 ||
	    now - w->lk_at >= AUTOCRYPT_CACHE) {
		key_info_free(w->lk);
		w->lk = NULL;
		/* only an engine that did not run is worth a retry; a key
		 * gone from the keyring will not come back by waiting */
		if ((st = keys_lookup(w->g, fpr, &w->lk)) != CRYPTO_OK)
			return st == CRYPTO_ENGINE_ERROR ? -1 : 0;
		w->lk_at = now;
	}
	for (p = 0; p < v->npieces; p++) {
		pc = &v->pieces[p];
		if (!pc->encrypted)
			continue;
		found = false;
		for (i = pc->rcpt_first; i < pc->rcpt_first + pc->nrcpt &&
		    i < v->nrecipients && !found; i++)
			for (k = 0; k < w->lk->nkeyids && !found; k++)
				found = strcmp(v->recipients[i],
				    w->lk->keyids[k]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* What policy needs to know of the crypto, also for refused forms;
 * V_TEMPFAIL if the list's key cannot be read now. */
static enum verdict
facts_of(const struct job *j, const struct roster_view *rv,
    struct msg_facts *f)
{
	const struct verified *v = j->v;
	long long oldest = 0;
	size_t i;
	bool plain_piece = false;

	int tolist;

	memset(f, 0, sizeof *f);
	f->size = j->m->body_len;
	if (j->dst == CRYPTO_NO_MDC) {
		f->encrypted = true;	/* and refused for no-integrity */
		return V_DONE;
	}
	if (v == NULL)
		return V_DONE;
	f->encrypted = v->encrypted != 0;
	if (f->encrypted) {
		if ((tolist = to_list_key(j->w, v, rv->list.fpr)) < 0)
			return V_TEMPFAIL;
		f->not_to_list = tolist == 0;
	}
	f->integrity = v->integrity != 0;
	for (i = 0; i < v->npieces; i++)
		if (!v->pieces[i].encrypted)
			plain_piece = true;
	/* a clearsigned piece beside an encrypted one is outside the
	 * encryption just like a part around the envelope */
	f->unprotected_parts = v->nunprotected > 0 ||
	    (f->encrypted && plain_piece);
	f->nsigs = (unsigned)v->nsigs;
	f->nsigners = distinct_signers(v);
	f->npieces = (unsigned)v->npieces;
	f->ncovered = covered_pieces(v);
	if (v->nsigs > 0) {
		f->sig = sig_of(verified_worst_sig(v));
		f->signer_fpr = v->sigs[0].fpr;
		oldest = v->sigs[0].created;
		for (i = 1; i < v->nsigs; i++)
			if (v->sigs[i].created < oldest)
				oldest = v->sigs[i].created;
		f->sig_age = (long long)j->m->env.received - oldest;
	}
	f->names_known = v->nnamed > 0;
	f->names_list = names_list(v, rv->list.l.name, j->w->cfg->domain);
	return V_DONE;
}

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

/* --- refusals ------------------------------------------------------------------ */

/* The signer's position among the view's contacts, or -1. */
static long
contact_index(const struct roster_view *rv, const struct contact *c)
{
	size_t i;

	for (i = 0; c != NULL && i < rv->ncontacts; i++)
		if (&rv->contacts[i] == c)
			return (long)i;
	return -1;
}

static enum verdict
refuse(struct job *j, const struct roster_view *rv, enum policy_reason why,
    const char *token, const struct contact *signer, const char *detail)
{
	struct notice_in in;
	char sfpr[64];
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
		/* Anyone holding a member's signed mail can send it again
		 * (a replay, or to a list it was not for): the member hears
		 * of that once a day per reason, not once per copy. */
		if (why == POLICY_REPLAY || why == POLICY_NOT_FOR_THIS_LIST ||
		    why == POLICY_SIGNATURE_TOO_OLD) {
			char kind[64];
			bool first;

			snprintf(kind, sizeof kind, "refused-%s", token);
			if (store_notice_once(j->w->store, kind, signer->fpr,
			    &first) != STORE_OK)
				return V_TEMPFAIL;
			if (!first) {
				log_info("notice-skipped id=%s kind=%s "
				    "reason=once-a-day", j->id, kind);
				return V_DONE;
			}
		}
		in.kind = NOTICE_REFUSED_MEMBER;
		in.subject = j->v != NULL ? j->v->subject : NULL;
		ci = contact_index(rv, signer);
		return send_notice(j, rv, signer->address, signer->fpr,
		    ci >= 0 ? rv->keys[ci] : KEY_MISSING, &in);
	}
	in.kind = NOTICE_REFUSED_UNKNOWN;
	return notify_admins(j, rv, &in);
}

/* A sentence with the date for the signer-key refusals. */
static void
key_detail(struct job *j, enum policy_reason r, char *dst, size_t n)
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
		snprintf(dst, n, "Your key %s expired on %s.", ki->fpr, d);
	} else if (r == POLICY_SIGNER_KEY_REVOKED)
		snprintf(dst, n, "Your key %s is revoked.", ki->fpr);
	key_info_free(ki);
}

/* --- relaying an accepted post ---------------------------------------------------- */

struct enc_task {
	const char		*addr;
	const char		*fpr;
	char			 to[MODEL_ADDR_MAX + 2];
	char			 verp[512];
	enum crypto_status	 st;
	enum spool_status	 sst;
};

struct enc_run {
	struct job		*j;
	struct enc_task		*t;
	size_t			 n;
	atomic_size_t		 next;
	const struct crypto_headers *h;
	const char		*entity;
	size_t			 len;
};

struct enc_thread {
	struct enc_run		*run;
	struct gpg		*g;
};

/* Encrypt the signed entity to each task's key and stage the result. */
static void *
enc_main(void *arg)
{
	struct enc_thread *et = arg;
	struct enc_run *run = et->run;
	struct crypto_headers h;
	struct spool_envelope env;
	const char *rcpts[1];
	size_t i;

	while ((i = atomic_fetch_add(&run->next, 1)) < run->n) {
		struct enc_task *t = &run->t[i];
		struct buf *out = buf_new(0);

		h = *run->h;
		h.to = t->to;
		t->st = encrypt_to(et->g, t->fpr, &h, run->entity, run->len,
		    out);
		if (t->st == CRYPTO_OK) {
			memset(&env, 0, sizeof env);
			rcpts[0] = t->addr;
			env.received = time(NULL);
			env.protocol = "local";
			env.client = "worker";
			env.helo = "";
			env.mail_from = t->verp;
			env.rcpt = rcpts;
			env.nrcpt = 1;
			/* staged here, so the fsyncs run in parallel too */
			t->sst = spool_stage_add(run->j->stage, &env,
			    buf_data(out), buf_len(out), NULL);
		}
		buf_free(out);
	}
	return NULL;
}

static enum verdict
encrypt_all(struct job *j, struct enc_task *t, size_t n,
    const struct crypto_headers *h, const struct buf *signd)
{
	struct worker *w = j->w;
	struct enc_thread et[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	struct enc_run run;
	unsigned k, nt;
	size_t i;

	if (j->stage == NULL && spool_stage_begin(w->sp, j->id, &j->stage) !=
	    SPOOL_OK)
		return V_TEMPFAIL;
	memset(&run, 0, sizeof run);
	run.j = j;
	run.t = t;
	run.n = n;
	atomic_init(&run.next, 0);
	run.h = h;
	run.entity = buf_data(signd);
	run.len = buf_len(signd);
	nt = w->nthreads < n ? w->nthreads : (unsigned)n;
	for (k = 0; k < nt; k++) {
		et[k].run = &run;
		et[k].g = w->tg[k];
		if (pthread_create(&tid[k], NULL, enc_main, &et[k]) != 0)
			fatalx("pthread_create failed");
	}
	for (k = 0; k < nt; k++)
		pthread_join(tid[k], NULL);
	for (i = 0; i < n; i++) {
		if (t[i].st == CRYPTO_ENGINE_ERROR || (t[i].st == CRYPTO_OK &&
		    t[i].sst != SPOOL_OK)) {
			log_warnx("encrypt-tempfail id=%s rcpt=%s status=%s "
			    "spool=%s", j->id, t[i].addr,
			    crypto_status_str(t[i].st),
			    spool_status_str(t[i].sst));
			return V_TEMPFAIL;
		}
		if (t[i].st != CRYPTO_OK)
			/* The key changed since the roster looked: this one
			 * recipient misses the post, and the admins hear
			 * (stage_relay). */
			log_warnx("encrypt-failed id=%s rcpt=%s status=%s",
			    j->id, t[i].addr, crypto_status_str(t[i].st));
	}
	return V_DONE;
}

/* Recipients whose key gpg refused although the roster found it usable
 * (it expired or was revoked in between): the admins are told. */
static enum verdict
encrypt_failures(struct job *j, const struct roster_view *rv,
    const struct enc_task *t, size_t n)
{
	struct notice_item *items = xcalloc(n + 1, sizeof *items);
	struct notice_in in;
	enum verdict r = V_DONE;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (t[i].st != CRYPTO_OK) {
			items[k].address = t[i].addr;
			items[k].fpr = t[i].fpr;
			items[k].reason = crypto_status_str(t[i].st);
			k++;
		}
	if (k > 0) {
		memset(&in, 0, sizeof in);
		in.kind = NOTICE_SKIPPED;
		in.post_id = j->id;
		in.received = (long long)j->m->env.received;
		in.items = items;
		in.nitems = k;
		r = notify_admins(j, rv, &in);
	}
	free(items);
	return r;
}

/* Header values of the post: protected ones first, else the outer ones
 * (parsed on first use: only accepted posts need them, for threading; a
 * parse failure loses nothing). */
static char *
post_header(struct job *j, const char *name)
{
	struct buf *b = buf_new(0);
	char *r = NULL;

	if (!j->outer_parsed) {
		j->outer_parsed = 1;
		if (mime_parse(j->m->body, j->m->body_len, 0, &j->outer) !=
		    CRYPTO_OK)
			j->outer = NULL;
	}

	if ((j->v != NULL && j->v->protected_headers && j->v->content !=
	    NULL && mime_part_header(j->v->content, name, b)) ||
	    (j->outer != NULL && mime_part_header(mime_root(j->outer), name,
	    b)))
		r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

/* Recipients skipped for their keys, lost teams, keys expiring soon. */
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
		if ((r = notify_admins(j, rv, &in)) != V_DONE)
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
		if ((r = notify_admins(j, rv, &in)) != V_DONE)
			goto out;
	}
	for (i = 0; i < rv->ncontacts; i++) {
		long long exp = rv->key_expires[i], now = time(NULL);

		if (rv->keys[i] != KEY_USABLE || exp == 0 || exp < now ||
		    exp > now + EXPIRY_WARN_DAYS * 86400LL)
			continue;
		if (store_notice_once(j->w->store, "key-expiring",
		    rv->contacts[i].fpr, &first) != STORE_OK || !first)
			continue;
		memset(items, 0, sizeof *items);
		items[0].address = rv->contacts[i].address;
		items[0].team = rv->contacts[i].team;
		items[0].fpr = rv->contacts[i].fpr;
		items[0].when = exp;
		in.kind = NOTICE_KEY_EXPIRING;
		in.items = items;
		in.nitems = 1;
		if ((r = notify_admins(j, rv, &in)) != V_DONE)
			goto out;
	}
out:
	free(items);
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

/* The archive, opened on first use (and again after a failure). */
static enum archive_status
worker_archive(struct worker *w, const char *id)
{
	enum archive_status ast;

	if (w->archive != NULL)
		return ARCHIVE_OK;
	if ((ast = archive_open(w->cfg->data_dir, w->g, true,
	    &w->archive)) != ARCHIVE_OK)
		log_warnx("archive-open-failed id=%s status=%s", id,
		    archive_status_str(ast));
	return ast;
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

/*
 * Autocrypt: the list's key travels with every copy, so a member's
 * client can encrypt to the list without a key server.  NULL if it
 * cannot be exported (the copy then has no Autocrypt header).
 */
static const char *
autocrypt_keydata(struct worker *w, const char *fpr)
{
	struct buf *key;
	time_t now = time(NULL);

	if (w->ac_b64 != NULL && strcmp(w->ac_fpr, fpr) == 0 &&
	    now - w->ac_at < AUTOCRYPT_CACHE)
		return buf_data(w->ac_b64);
	buf_free(w->ac_b64);
	w->ac_b64 = NULL;
	key = buf_new(0);
	if (keys_export(w->g, fpr, 0, key) == CRYPTO_OK) {
		w->ac_b64 = buf_new(0);
		outmsg_base64(buf_data(key), buf_len(key), w->ac_b64);
		snprintf(w->ac_fpr, sizeof w->ac_fpr, "%s", fpr);
		w->ac_at = now;
	}
	buf_free(key);
	return w->ac_b64 != NULL ? buf_data(w->ac_b64) : NULL;
}

static enum verdict
stage_relay(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d, const struct tlp_result *label,
    const struct contact *signer, const struct team *team)
{
	struct worker *w = j->w;
	struct outmsg_in in;
	struct outmsg om;
	struct enc_task *t;
	struct buf *prot = NULL, *signd = NULL;
	char *subject, *msgid, *irt, *refs;
	enum crypto_status cst;
	enum verdict r = V_TEMPFAIL;
	const char *content;
	size_t clen, i, n = 0;

	memset(&in, 0, sizeof in);
	memset(&om, 0, sizeof om);
	/* only what the signer signed is shown as the signer's */
	subject = xstrdup(j->v->subject != NULL ? j->v->subject :
	    "(subject not signed)");
	in.subject_unsigned = j->v->subject == NULL;
	in.unbound = d->unbound;
	msgid = post_header(j, "Message-ID");
	irt = post_header(j, "In-Reply-To");
	refs = post_header(j, "References");
	mime_part_raw(j->v->content, &content, &clen);
	in.list = rv->list.l.name;
	in.domain = w->cfg->domain;
	in.subject_tag = rv->list.l.subject_tag;
	in.keep_msgid = rv->list.l.opts.keep_msgid;
	in.post_id = j->id;
	in.now = (long long)time(NULL);
	in.signer_name = signer->name;
	in.signer_address = signer->address;
	in.signer_team = team->handle;
	in.signer_team_name = team->name;
	in.signer_fpr = signer->fpr;
	in.sig_status = "good";
	in.sig_created = j->v->sigs[0].created;
	in.tlp = label->label;
	in.tlp_where = label->where;
	in.subject = subject;
	in.message_id = msgid;
	in.in_reply_to = irt;
	in.references = refs;
	in.content = content;
	in.content_len = clen;
	in.list_fpr = rv->list.fpr;
	in.autocrypt_keydata = autocrypt_keydata(w, rv->list.fpr);
	if (outmsg_build(&in, &om) != 0) {
		log_warnx("outmsg-failed id=%s", j->id);
		goto out;
	}
	/* Sign once per post; per recipient only the encryption differs. */
	prot = buf_new(BUF_SENSITIVE);
	signd = buf_new(BUF_SENSITIVE);
	if ((cst = pgpmime_protect(&om.h, buf_data(om.entity),
	    buf_len(om.entity), prot)) != CRYPTO_OK ||
	    (cst = encrypt_sign_once(w->g, rv->list.fpr, buf_data(prot),
	    buf_len(prot), signd)) != CRYPTO_OK) {
		log_warnx("sign-failed id=%s status=%s", j->id,
		    crypto_status_str(cst));
		goto out;
	}
	t = xcalloc(d->nincluded + 1, sizeof *t);
	for (i = 0; i < d->nrcpts; i++) {
		const struct contact *c = d->rcpts[i].cand->contact;

		if (!d->rcpts[i].included)
			continue;
		t[n].addr = c->address;
		t[n].fpr = c->fpr;
		snprintf(t[n].to, sizeof t[n].to, "<%s>", c->address);
		outmsg_verp(rv->list.l.name, w->cfg->domain, c->address,
		    t[n].verp, sizeof t[n].verp);
		n++;
	}
	r = encrypt_all(j, t, n, &om.h, signd);
	if (r == V_DONE)
		r = encrypt_failures(j, rv, t, n);
	audience_clear(j);
	for (i = 0; r == V_DONE && i < n; i++)
		if (t[i].st == CRYPTO_OK && t[i].sst == SPOOL_OK) {
			j->audience = xreallocarray(j->audience,
			    j->naudience + 1, sizeof *j->audience);
			j->audience[j->naudience++] = xstrdup(t[i].addr);
		}
	free(t);
	if (r == V_DONE)
		r = roster_notices(j, rv, d);
	if (r == V_DONE)
		log_info("accepted post=%s list=%s signer=%s team=%s tlp=%s "
		    "rcpts=%zu skipped=%zu", j->id, rv->list.l.name,
		    signer->fpr, team->handle, tlp_str(label->label),
		    d->nincluded, d->nrcpts - d->nincluded);
out:
	buf_free(prot);
	buf_free(signd);
	outmsg_free(&om);
	free(subject);
	free(msgid);
	free(irt);
	free(refs);
	return r;
}

/* --- the addresses ---------------------------------------------------------------- */

/* LIST: a post. */
static enum verdict
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
	enum verdict r;
	bool replay = false;
	long ci;

	if ((r = stage_decrypt(j)) != V_DONE)
		return r;
	switch (j->dst) {
	case CRYPTO_OK:
	case CRYPTO_NO_MDC:
		break;		/* policy gives the reason */
	default:
		return refuse(j, rv, POLICY_NOT_ENCRYPTED,
		    crypto_status_str(j->dst), NULL, NULL) == V_TEMPFAIL ?
		    V_TEMPFAIL : V_REJECT;
	}
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
		    team)) == V_DONE)
			r = stage_archive(j, rv, &label, signer, team);
	}
	if (d.verdict != POLICY_ACCEPT) {
		key_detail(j, d.reason, detail, sizeof detail);
		/* the post's own text only where the notice is encrypted */
		if (d.reason == POLICY_TLP_UNREADABLE && signer != NULL &&
		    (ci = contact_index(rv, signer)) >= 0 &&
		    rv->keys[ci] == KEY_USABLE)
			snprintf(detail, sizeof detail, "The marking that could "
			    "not be read: \"%s\".", label.unreadable);
		r = refuse(j, rv, d.reason, policy_reason_str(d.reason),
		    team != NULL ? signer : NULL,
		    detail[0] != '\0' ? detail : NULL);
		if (r == V_DONE)
			r = V_REJECT;
		if (d.reason == POLICY_NO_RECIPIENTS && r == V_REJECT &&
		    roster_notices(j, rv, &d) == V_TEMPFAIL)
			r = V_TEMPFAIL;
	}
	policy_decision_free(&d);
	return r;
}

/* LIST-owner: re-encrypted for each admin, whatever arrived. */
static enum verdict
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
	return notify_admins(j, rv, &in);
}

/* The sender of a request, if there is one to answer (never <>). */
static const char *
reply_address(const struct job *j)
{
	const char *a = j->m->env.mail_from;

	if (a[0] == '\0' || strchr(a, '@') == NULL)
		return NULL;
	return a;
}

/* The reply's key, if the address belongs to a roster contact. */
static void
reply_key(const struct roster_view *rv, const char *addr, const char **fpr,
    enum key_usability *key)
{
	size_t i;

	*fpr = NULL;
	*key = KEY_MISSING;
	for (i = 0; i < rv->ncontacts; i++)
		if (strcasecmp(rv->contacts[i].address, addr) == 0) {
			*fpr = rv->contacts[i].fpr;
			*key = rv->keys[i];
			return;
		}
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
static enum verdict
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
	r = send_notice(j, rv, to, fpr, ku, &in);
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
	return send_notice(j, rv, to, fpr, ku, &in);
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
static enum verdict
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
		r = send_notice(j, rv, who->address, who->fpr,
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
	r = send_notice(j, rv, who->address, who->fpr, KEY_USABLE, &in);
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
static enum verdict
handle_bounce(struct job *j, const struct roster_view *rv, const char *tag)
{
	struct notice_in in;
	char rcpt[MODEL_ADDR_MAX], status[16] = "5.0.0";
	char safe[MODEL_ADDR_MAX];
	const char *p, *e, *body = j->m->body;
	size_t n;

	if (outmsg_verp_decode(tag, rcpt, sizeof rcpt) != 0) {
		log_info("bounce-unattributed id=%s list=%s", j->id,
		    rv->list.l.name);
		return V_DONE;
	}
	/* RFC 3464: the first "Status: x.y.z" field of the report. */
	for (p = body; (p = strstr(p, "Status:")) != NULL; p++) {
		if (p != body && p[-1] != '\n')
			continue;
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p; (*e >= '0' && *e <= '9') || *e == '.'; e++)
			;
		n = (size_t)(e - p);
		if (n >= 5 && n < sizeof status) {
			memcpy(status, p, n);
			status[n] = '\0';
		}
		break;
	}
	if (store_bounce_record(j->w->store, rv->list.l.name, rcpt, status,
	    NULL) != STORE_OK)
		return V_TEMPFAIL;
	log_info("bounce id=%s list=%s rcpt=%s status=%s", j->id,
	    rv->list.l.name, log_safe(safe, sizeof safe, rcpt), status);
	if (status[0] != '5')
		return V_DONE;	/* delayed, not failed */
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_DELIVERY_FAILED;
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	in.rcpt = rcpt;
	in.status = status;
	return notify_admins(j, rv, &in);
}

static enum verdict
handle_rcpt(struct job *j, const char *addr)
{
	char safe[MODEL_ADDR_MAX];
	struct worker *w = j->w;
	struct rcpt_target tg;
	struct roster_view *rv = NULL;
	enum store_status st;
	enum verdict r;

	if (!recipient_classify(addr, w->cfg->domain, w->cfg->lists,
	    w->cfg->nlists, &tg) && !recipient_classify(addr, w->cfg->domain,
	    NULL, 0, &tg)) {
		log_info("rcpt-unserved id=%s rcpt=%s", j->id,
		    log_safe(safe, sizeof safe, addr));
		return V_DONE;
	}
	{
		char key[sizeof tg.list + sizeof tg.tag + 32];
		size_t k;

		snprintf(key, sizeof key, "%s:%s:%s", rcpt_kind_str(tg.kind),
		    tg.list, tg.tag);
		for (k = 0; k < j->ntargets; k++)
			if (strcasecmp(j->targets[k], key) == 0) {
				log_info("rcpt-duplicate id=%s rcpt=%s", j->id,
				    log_safe(safe, sizeof safe, addr));
				return V_DONE;
			}
		j->targets = xreallocarray(j->targets, j->ntargets + 1,
		    sizeof *j->targets);
		j->targets[j->ntargets++] = xstrdup(key);
	}
	if (tg.kind == RCPT_POSTMASTER) {
		/* No list to route to: kept for a human, like a refusal. */
		why_add(j, "reason", "postmaster-mail");
		log_info("postmaster-mail id=%s action=kept-in-rejected",
		    j->id);
		return V_REJECT;
	}
	st = roster_view_load(w->store, w->g, tg.list, &rv);
	if (st == STORE_NOT_FOUND) {
		why_add(j, "reason", "no-such-list");
		log_info("rejected post=%s list=%s reason=no-such-list", j->id,
		    log_safe(safe, sizeof safe, tg.list));
		return V_REJECT;
	}
	if (st != STORE_OK) {
		log_warnx("roster-failed id=%s list=%s status=%s", j->id,
		    log_safe(safe, sizeof safe, tg.list),
		    store_status_str(st));
		return V_TEMPFAIL;
	}
	switch (tg.kind) {
	case RCPT_LIST:
		r = handle_post(j, rv);
		break;
	case RCPT_OWNER:
		r = handle_owner(j, rv);
		break;
	case RCPT_SENDKEY:
		r = handle_reply(j, rv, NOTICE_SENDKEY);
		break;
	case RCPT_REQUEST:
		r = handle_request(j, rv);
		break;
	case RCPT_BOUNCES:
		r = handle_bounce(j, rv, tg.tag);
		break;
	default:
		r = V_DONE;
		break;
	}
	roster_view_free(rv);
	return r;
}

/* --- the pipeline ----------------------------------------------------------------- */

static void
defer(struct worker *w, const char *id)
{
	size_t i, pick = 0;

	for (i = 0; i < MAX_DEFERRED; i++)
		if (w->deferred[i].until < w->deferred[pick].until)
			pick = i;
	memcpy(w->deferred[pick].id, id, HUB_ID_SIZE);
	w->deferred[pick].until = time(NULL) + TEMPFAIL_DELAY;
}

static bool
is_deferred(struct worker *w, const char *id)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < MAX_DEFERRED; i++)
		if (w->deferred[i].until > now &&
		    strcmp(w->deferred[i].id, id) == 0)
			return true;
	return false;
}

/*
 * Test hook, like HUB_FS_FAULT: HUB_WORKER_POISON=crash:TOKEN (or
 * hang:TOKEN) makes a worker abort (or stop responding) on any entry
 * whose bytes contain TOKEN, so tests can show that a poison message is
 * quarantined and never blocks the queue.  Unset in production.
 */
static void
poison_hook(const struct spool_msg *m)
{
	const char *spec = getenv("HUB_WORKER_POISON"), *tok;

	if (spec == NULL || (tok = strchr(spec, ':')) == NULL || tok[1] == '\0')
		return;
	tok++;
	if (memmem(m->body, m->body_len, tok, strlen(tok)) == NULL)
		return;
	log_warnx("poison-hook action=%.*s", (int)(tok - spec - 1), spec);
	if (strncmp(spec, "hang:", 5) == 0)
		for (;;)
			pause();
	abort();
}

/*
 * One entry: load, then each envelope recipient in turn (a message to
 * two lists is two posts), then one commit of everything it sends, then
 * the entry leaves active/: finished, or rejected/ with its reason.
 */
static void
process(struct worker *w, const char *id)
{
	struct job j;
	enum spool_status st;
	enum verdict r = V_DONE, rr;
	bool rejected = false;
	size_t i;

	memset(&j, 0, sizeof j);
	j.w = w;
	j.id = id;
	if ((st = spool_load(w->sp, SPOOL_Q_ACTIVE, id, &j.m)) != SPOOL_OK) {
		log_warnx("load-failed id=%s status=%s", id,
		    spool_status_str(st));
		if (st == SPOOL_CORRUPT && spool_move(w->sp, id,
		    SPOOL_Q_ACTIVE, SPOOL_Q_CORRUPT) == SPOOL_OK)
			return;
		/* Left in active/ it would wait for a restart: die, and the
		 * master puts it back (and counts the attempt). */
		fatalx("load-failed id=%s status=%s", id, spool_status_str(st));
	}
	poison_hook(j.m);
	/* A reason left by an earlier attempt that died would misfile this
	 * one if it is accepted now (spool_settle_active). */
	spool_reject_forget(w->sp, id);
	for (i = 0; i < j.m->env.nrcpt && r != V_TEMPFAIL; i++) {
		rr = handle_rcpt(&j, j.m->env.rcpt[i]);
		if (rr == V_REJECT)
			rejected = true;
		else if (rr == V_TEMPFAIL)
			r = V_TEMPFAIL;
	}
	if (r == V_TEMPFAIL) {
		spool_stage_abort(j.stage);
		j.stage = NULL;
		if (spool_move(w->sp, id, SPOOL_Q_ACTIVE, SPOOL_Q_INCOMING) !=
		    SPOOL_OK)
			fatal("requeue id=%s", id);	/* the master retries */
		defer(w, id);
		log_warnx("tempfail id=%s action=retry-in-%ds", id,
		    TEMPFAIL_DELAY);
		goto out;
	}
	/* The reason first, so recovery can tell a refused entry whose
	 * notices are committed from an accepted one. */
	if (rejected && spool_reject_note(w->sp, id, buf_data(j.why)) !=
	    SPOOL_OK)
		fatal("reject-note id=%s", id);
	if (j.stage != NULL) {
		if (spool_stage_count(j.stage) == 0)
			spool_stage_abort(j.stage);
		else if ((st = spool_stage_commit(j.stage)) != SPOOL_OK)
			fatal("outgoing-commit id=%s status=%s", id,
			    spool_status_str(st));
		else
			tell_master(w, "outgoing", id);
		j.stage = NULL;
	}
	st = rejected ? spool_move(w->sp, id, SPOOL_Q_ACTIVE,
	    SPOOL_Q_REJECTED) : spool_finish(w->sp, id);
	if (st != SPOOL_OK)
		fatal("finish id=%s status=%s", id, spool_status_str(st));
out:
	for (i = 0; i < j.ntargets; i++)
		free(j.targets[i]);
	free(j.targets);
	audience_clear(&j);
	buf_free(j.why);
	verified_free(j.v);
	mime_free(j.outer);
	spool_msg_free(j.m);
}

/* Claim and process what waits in incoming/, oldest first. */
static void
drain(struct worker *w)
{
	char **ids;
	size_t n, i;

	if (spool_list(w->sp, SPOOL_Q_INCOMING, &ids, &n) != SPOOL_OK)
		return;
	for (i = 0; i < n && !stopping; i++) {
		if (is_deferred(w, ids[i]) ||
		    spool_claim(w->sp, ids[i]) != SPOOL_OK)
			continue;	/* another worker has it */
		tell_master(w, "claim", ids[i]);
		process(w, ids[i]);
		tell_master(w, "done", ids[i]);
	}
	spool_ids_free(ids, n);
}

/* Wait for a hint or the rescan timer; false when the master is gone. */
static bool
wait_hint(struct worker *w)
{
	struct pollfd pfd = { .fd = w->link, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, RESCAN_MS) <= 0)
		return true;
	n = read(w->link, buf, sizeof buf);	/* hints only wake us */
	return n > 0 || (n == -1 && errno == EINTR);
}

static void
open_all(struct worker *w)
{
	char path[PATH_MAX];
	enum store_status sst;
	long ncpu;
	unsigned k;

	snprintf(path, sizeof path, "%s/spool", w->cfg->data_dir);
	if (spool_open(path, &w->sp) != SPOOL_OK)
		fatal("spool-open dir=%s", path);
	snprintf(path, sizeof path, "%s/" STORE_GNUPG_DIR, w->cfg->data_dir);
	if (gpg_init() != CRYPTO_OK || gpg_open(path, &w->g) != CRYPTO_OK)
		fatalx("gpg-open homedir=%s", path);
	if ((sst = store_open(w->cfg->data_dir, w->g, &w->store)) != STORE_OK)
		fatalx("store-open status=%s error=\"%s\"",
		    store_status_str(sst), store_errmsg(w->store));
	/* Per-recipient encryption uses every core: gpg runs as child
	 * processes, one per thread at a time. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	w->nthreads = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS :
	    (unsigned)ncpu;
	for (k = 0; k < w->nthreads; k++)
		if (gpg_open(path, &w->tg[k]) != CRYPTO_OK)
			fatalx("gpg-open homedir=%s", path);
	if (!gcry_check_version(NULL))
		fatalx("libgcrypt version check failed");
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

int
worker_main(const struct hub_config *cfg, int link_fd)
{
	struct worker w;
	struct sigaction sa;
	unsigned k;

	memset(&w, 0, sizeof w);
	w.cfg = cfg;
	w.link = link_fd;
	proc_no_dumps();
	proc_limit_memory(PROC_WORKER_AS_LIMIT);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	open_all(&w);
	log_info("worker-ready threads=%u", w.nthreads);
	while (!stopping) {
		drain(&w);
		if (!stopping && !wait_hint(&w))
			break;
	}
	log_info("worker-exit");
	for (k = 0; k < w.nthreads; k++)
		gpg_close(w.tg[k]);
	buf_free(w.ac_b64);
	key_info_free(w.lk);
	archive_close(w.archive);
	store_close(w.store);
	gpg_close(w.g);
	spool_close(w.sp);
	return 0;
}
