/*
 * fanout: an accepted post's copies: build the copy once (hub/outmsg),
 * sign it once with the list key, encrypt it once to every recipient and
 * split it into one copy per recipient (or, "encryption = per-recipient",
 * encrypt it to each recipient's key on the worker's threads), and stage
 * each copy in the entry's outgoing set.  See hub/fanout.h.
 */
#include "config.h"

#include "hub/job.h"
#include "hub/fanout.h"
#include "hub/conf.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/outmsg.h"
#include "hub/proc.h"
#include "hub/receipt.h"
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

struct enc_task {
	const char		*addr;
	const char		*fpr;
	const char		*team;
	char			 name[HUB_ID_SIZE];	/* its file */
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
	const struct outmsg	*om;
	const char		*entity;
	size_t			 len;
	/* the split path: encrypted once, each thread writes copies */
	const struct encrypt_split *split;
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

		h = run->om->h;
		h.to = t->to;
		if (run->split != NULL)
			t->st = encrypt_split_copy(run->split, i, &h, out);
		else
			t->st = encrypt_to(et->g, t->fpr, &h, run->entity,
			    run->len, out);
		/* the outer From names the list alone; a copy whose outer
		 * From cannot be made so stays here (fails closed) */
		if (t->st == CRYPTO_OK && outmsg_outer_from(run->om, out) != 0)
			t->st = CRYPTO_BAD_ARGUMENT;
		if (t->st == CRYPTO_OK) {
			rcpts[0] = t->addr;
			spool_envelope_local(&env, "worker", t->verp, rcpts);
			/* staged here, so the writes run in parallel too */
			t->sst = spool_stage_add(run->j->stage, &env,
			    buf_data(out), buf_len(out), t->name);
		}
		buf_free(out);
	}
	/* its last copy written: now the fsyncs, beside the other
	 * threads' (a failure is the stage's: encrypt_all reports it) */
	spool_stage_sync(run->j->stage);
	return NULL;
}

/*
 * The split path (hub.conf "encryption = split", hubd(8)): one gpg run
 * encrypts the signed copy to every recipient; *sp NULL when the copies
 * are to be encrypted one by one instead.  gpg's output that does not
 * split one packet per key is not used: the per-recipient path then
 * makes the same private copies, only slower.
 */
static enum verdict
encrypt_split_all(struct job *j, struct enc_task *t, size_t n,
    const struct outmsg *om, const struct buf *signd,
    struct encrypt_split **sp)
{
	const char **fprs;
	enum crypto_status st;
	size_t i;

	*sp = NULL;
	if (j->w->cfg->encryption != ENCRYPTION_SPLIT || n == 0)
		return V_DONE;
	fprs = xcalloc(n + 1, sizeof *fprs);
	for (i = 0; i < n; i++)
		fprs[i] = t[i].fpr;
	/* the inner message is the same for all: To names the list */
	st = encrypt_split_new(j->w->g, j->w->tg, j->w->nthreads, fprs, n,
	    &om->h, buf_data(signd), buf_len(signd), sp);
	free(fprs);
	if (st == CRYPTO_OK) {
		/* which path a post took, for the operator and the tests */
		log_info("encrypted-once id=%s rcpts=%zu parts=%zu", j->id, n,
		    encrypt_split_nparts(*sp));
		return V_DONE;
	}
	if (st == CRYPTO_MALFORMED) {
		log_warnx("split-refused id=%s rcpts=%zu: encrypting per "
		    "recipient", j->id, n);
		return V_DONE;
	}
	log_warnx("encrypt-tempfail id=%s status=%s", j->id,
	    crypto_status_str(st));
	return V_TEMPFAIL;
}

static enum verdict
encrypt_all(struct job *j, struct enc_task *t, size_t n,
    const struct outmsg *om, const struct buf *signd)
{
	struct worker *w = j->w;
	struct enc_thread et[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	struct encrypt_split *split = NULL;
	struct enc_run run;
	unsigned k, nt;
	size_t i;
	int serr;

	if (j->stage == NULL && spool_stage_begin(w->sp, j->id, &j->stage) !=
	    SPOOL_OK)
		return V_TEMPFAIL;
	if (encrypt_split_all(j, t, n, om, signd, &split) != V_DONE)
		return V_TEMPFAIL;
	memset(&run, 0, sizeof run);
	run.split = split;
	run.j = j;
	run.t = t;
	run.n = n;
	atomic_init(&run.next, 0);
	run.om = om;
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
	encrypt_split_free(split);
	/* a copy that could not be made durable: the set will not commit,
	 * so nothing more is staged (the worker defers the entry) */
	if ((serr = spool_stage_error(j->stage)) != 0) {
		log_warnx("stage-failed id=%s error=\"%s\"", j->id,
		    strerror(serr));
		return V_TEMPFAIL;
	}
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
		r = notice_send_admins(j, rv, &in);
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

/*
 * Autocrypt: the list's key travels with every copy, so a member's
 * client can encrypt to the list without a key server.  NULL if it
 * cannot be exported (the copy then has no Autocrypt header).
 */
static const char *
autocrypt_keydata(struct worker *w, const char *fpr)
{
	struct buf *key;
	time_t now = hub_mono();

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

enum verdict
stage_relay(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d, const struct tlp_result *label,
    const struct contact *signer, const struct team *team)
{
	struct worker *w = j->w;
	struct outmsg_in in;
	struct outmsg om;
	struct enc_task *t;
	struct receipt_copy *copies;
	struct buf *prot = NULL, *signd = NULL;
	char *subject, *msgid, *irt, *refs;
	enum crypto_status cst;
	enum verdict r = V_TEMPFAIL;
	const char *content;
	size_t clen, i, n = 0, ncopies = 0;

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
	in.now = (long long)hub_now();
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
		t[n].team = c->team;
		snprintf(t[n].to, sizeof t[n].to, "<%s>", c->address);
		outmsg_verp(rv->list.l.name, w->cfg->domain, c->address,
		    t[n].verp, sizeof t[n].verp);
		n++;
	}
	r = encrypt_all(j, t, n, &om, signd);
	if (r == V_DONE)
		r = encrypt_failures(j, rv, t, n);
	audience_clear(j);
	copies = xcalloc(n + 1, sizeof *copies);
	for (i = 0; r == V_DONE && i < n; i++)
		if (t[i].st == CRYPTO_OK && t[i].sst == SPOOL_OK) {
			j->audience = xreallocarray(j->audience,
			    j->naudience + 1, sizeof *j->audience);
			j->audience[j->naudience++] = xstrdup(t[i].addr);
			copies[ncopies].name = t[i].name;
			copies[ncopies].address = t[i].addr;
			copies[ncopies].team = t[i].team;
			ncopies++;
		}
	/* what the signer's receipt needs, with the copies (hub/receipt.h) */
	if (r == V_DONE)
		r = receipt_request(j, rv, d, label->label, signer, copies,
		    ncopies);
	free(copies);
	free(t);
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
