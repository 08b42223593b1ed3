/*
 * job: the spool entry in hand and what every handler needs of it (see
 * hub/job.h): the .why lines, decryption once per entry and the facts
 * policy reads, the archive handle.
 */
#include "config.h"

#include "hub/job.h"
#include "hub/conf.h"
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
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "crypto/mime.h"
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

void
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
void
why_add(struct job *j, const char *key, const char *v)
{
	if (j->why == NULL)
		j->why = buf_new(0);
	buf_printf(j->why, "%s=%s\n", key, v);
}

/* --- decrypt and verify ------------------------------------------------------ */

enum sig_status
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

enum verdict
stage_decrypt(struct job *j)
{
	if (j->decrypted)
		return j->dst == CRYPTO_ENGINE_ERROR ? V_TEMPFAIL : V_DONE;
	j->decrypted = 1;
	j->dst = decrypt_verify(j->w->g, j->m->body, j->m->body_len, &j->v);
	if (j->dst == CRYPTO_OK)
		make_sighash(j);
	log_info("decrypted id=%s status=%s form=%s%s encrypted=%d "
	    "integrity=%d sigs=%zu unprotected=%zu dropped=%zu", j->id,
	    crypto_status_str(j->dst),
	    pgp_form_str(j->v != NULL ? j->v->form : PGP_FORM_NONE),
	    j->v == NULL ? "" : j->v->gpgol ? " gpgol=1" :
	    j->v->exchange_repaired ? " exchange=1" : "",
	    j->v != NULL ? j->v->encrypted : 0,
	    j->v != NULL ? j->v->integrity : 0,
	    j->v != NULL ? j->v->nsigs : (size_t)0,
	    j->v != NULL ? j->v->nunprotected : (size_t)0,
	    j->v != NULL ? j->v->ndropped : (size_t)0);
	return j->dst == CRYPTO_ENGINE_ERROR ? V_TEMPFAIL : V_DONE;
}

/* The first text/plain part that is not an attachment (a request). */
const struct mime_part *
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

/* Is one of the piece's recipients a (sub)key of ki? */
static bool
piece_to(const struct verified *v, const struct piece_fact *pc,
    const struct key_info *ki)
{
	size_t i, k;

	for (i = pc->rcpt_first; i < pc->rcpt_first + pc->nrcpt &&
	    i < v->nrecipients; i++)
		for (k = 0; k < ki->nkeyids; k++)
			if (strcmp(v->recipients[i], ki->keyids[k]) == 0)
				return true;
	return false;
}

/*
 * The list's retired keys still in their grace (hubctl list rekey),
 * listed; only asked when a piece is not to the list's current key, so
 * the common post costs nothing.  -1 if the store or gpg cannot answer
 * now.
 */
static int
retired_keys(struct worker *w, const char *list, struct key_info ***kvp,
    size_t *knp)
{
	struct store_old_key *ov;
	struct key_info **kv = NULL, *ki;
	enum crypto_status st;
	long long now = (long long)hub_now();
	size_t i, on, kn = 0;

	if (store_list_old_keys(w->store, list, &ov, &on) != STORE_OK)
		return -1;
	for (i = 0; i < on; i++) {
		if (ov[i].grace_until <= now)
			continue;
		if ((st = keys_lookup(w->g, ov[i].fpr, &ki)) != CRYPTO_OK) {
			if (st != CRYPTO_ENGINE_ERROR)
				continue;
			while (kn > 0)
				key_info_free(kv[--kn]);
			free(kv);
			free(ov);
			return -1;
		}
		kv = xreallocarray(kv, kn + 1, sizeof *kv);
		kv[kn++] = ki;
	}
	free(ov);
	*kvp = kv;
	*knp = kn;
	return 0;
}

/* Was every encrypted piece of the message encrypted to one of the list
 * key's (sub)keys, or to a key the list retired whose grace has not
 * ended?  (A member's block for a narrower list spliced beside one for
 * this list must not reach this list's audience.)  -1 if a key cannot be
 * listed now (the entry is retried). */
static int
to_list_key(struct worker *w, const struct verified *v,
    const struct roster_view *rv)
{
	const char *fpr = rv->list.fpr;
	const struct piece_fact *pc;
	time_t now = hub_mono();
	enum crypto_status st;
	struct key_info **old = NULL;
	size_t k, p, nold = 0;
	bool found, asked = false;
	int r = 1;

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
	for (p = 0; p < v->npieces && r == 1; p++) {
		pc = &v->pieces[p];
		if (!pc->encrypted || piece_to(v, pc, w->lk))
			continue;
		if (!asked) {
			asked = true;
			if (retired_keys(w, rv->list.l.name, &old, &nold) != 0)
				return -1;
		}
		found = false;
		for (k = 0; k < nold && !found; k++)
			found = piece_to(v, pc, old[k]);
		if (!found)
			r = 0;
		else
			log_info("retired-key list=%s fpr=%s", rv->list.l.name,
			    old[k - 1]->fpr);
	}
	while (nold > 0)
		key_info_free(old[--nold]);
	free(old);
	return r;
}

/* What policy needs to know of the crypto, also for refused forms;
 * V_TEMPFAIL if the list's key cannot be read now. */
enum verdict
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
	/* decrypt_verify() reports nothing with a refusal: the refusal is
	 * the fact (policy names the reason, not this file) */
	switch (j->dst) {
	case CRYPTO_OK:
		break;
	case CRYPTO_NO_MDC:
		f->encrypted = true;	/* and refused for no-integrity */
		return V_DONE;
	case CRYPTO_NO_SECKEY:
		f->refusal = MSG_NO_SECRET_KEY;
		return V_DONE;
	case CRYPTO_DECRYPT_FAILED:
		f->refusal = MSG_DECRYPT_FAILED;
		return V_DONE;
	case CRYPTO_MALFORMED:
		f->refusal = MSG_MALFORMED;
		return V_DONE;
	default:
		/* CRYPTO_HOSTILE, and whatever else decrypt_verify() may
		 * one day refuse with: never a readable post */
		f->refusal = MSG_HOSTILE;
		return V_DONE;
	}
	if (v == NULL)
		return V_DONE;
	f->encrypted = v->encrypted != 0;
	if (f->encrypted) {
		if ((tolist = to_list_key(j->w, v, rv)) < 0)
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
	/* clear text beside the envelope: never relayed, archived or read
	 * for the label (they are not in v->content); policy counts them */
	f->ndropped = (unsigned)v->ndropped;
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

/* --- roster and archive ------------------------------------------------------ */

/* The signer's position among the view's contacts, or -1. */
long
contact_index(const struct roster_view *rv, const struct contact *c)
{
	size_t i;

	for (i = 0; c != NULL && i < rv->ncontacts; i++)
		if (&rv->contacts[i] == c)
			return (long)i;
	return -1;
}

/* The sender of a request, if there is one to answer (never <>). */
const char *
reply_address(const struct job *j)
{
	const char *a = j->m->env.mail_from;

	if (a[0] == '\0' || strchr(a, '@') == NULL)
		return NULL;
	return a;
}

/* The reply's key, if the address belongs to a roster contact. */
void
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

/* The archive, opened on first use (and again after a failure). */
enum archive_status
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
