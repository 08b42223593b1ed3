#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gpgme.h>

#include "crypto/crypto.h"
#include "crypto/decrypt.h"
#include "crypto/gpg.h"
#include "crypto/gpg_internal.h"
#include "crypto/mime.h"
#include "crypto/packets.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

static void
copy_upper(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < size; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ?
		    (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

static enum crypto_status
sig_status(gpgme_signature_t s)
{
	switch (gpgme_err_code(s->status)) {
	case GPG_ERR_NO_ERROR:
		/* a good signature by a key GPG calls revoked is not good */
		if (s->summary & GPGME_SIGSUM_KEY_REVOKED)
			return CRYPTO_KEY_REVOKED;
		if (s->summary & GPGME_SIGSUM_KEY_EXPIRED)
			return CRYPTO_KEY_EXPIRED;
		if (s->summary & GPGME_SIGSUM_RED)
			return CRYPTO_BAD_SIGNATURE;
		return CRYPTO_OK;
	case GPG_ERR_NO_PUBKEY:
		return CRYPTO_UNKNOWN_SIGNER;
	case GPG_ERR_KEY_EXPIRED:
		return CRYPTO_KEY_EXPIRED;
	case GPG_ERR_CERT_REVOKED:
		return CRYPTO_KEY_REVOKED;
	case GPG_ERR_SIG_EXPIRED:
		return CRYPTO_SIG_EXPIRED;
	default:
		return CRYPTO_BAD_SIGNATURE;
	}
}

/*
 * The primary key of the key that made a signature.  GPGME reports the
 * fingerprint of the key that signed, which for a signing subkey (keys
 * made by Thunderbird, smartcards, GpgOL) is the subkey's, while a roster
 * names contacts by their primary key.  gpg has just verified the
 * signature with a key of this keyring, so looking the subkey up finds
 * the key that holds it.  A signing subkey's binding needs its own back
 * signature (RFC 4880 5.2.1, 0x19), but gpg binds an authentication or
 * encryption subkey without one, so another key may carry the same
 * subkey: anything but exactly one key with that subkey leaves the
 * reported fingerprint, which then names no contact (unknown-signer),
 * and is logged loudly (lists/contact_key refuses such keys on the way
 * in; one in the keyring is an admin's business).
 * CRYPTO_ENGINE_ERROR if gpg could not be asked.
 */
static enum crypto_status
primary_of(struct gpg *g, struct sig_fact *f)
{
	enum crypto_status st;
	gpgme_key_t key;
	size_t n;

	if (f->key_missing || strlen(f->key_fpr) != 40)
		return CRYPTO_OK;
	/* from the keyring's kept listing (crypto/gpg_internal.h): no gpg
	 * run per signature while the keyring is unchanged */
	if ((st = gpg_ring_holder(g, f->key_fpr, &key, &n)) != CRYPTO_OK) {
		log_debug("crypto event=signer-lookup-failed status=%s",
		    crypto_status_str(st));
		return CRYPTO_ENGINE_ERROR;
	}
	if (n > 1) {
		log_warnx("crypto event=ambiguous-signer key=%s "
		    "why=\"more than one key in the keyring holds it\"",
		    f->key_fpr);
		return CRYPTO_OK;
	}
	if (key != NULL && key->fpr != NULL && strlen(key->fpr) == 40)
		copy_upper(f->fpr, sizeof f->fpr, key->fpr);
	return CRYPTO_OK;
}

static enum crypto_status
add_sigs(struct gpg *g, struct verified *v, gpgme_verify_result_t vr,
    const char *covers, int whole)
{
	enum crypto_status st;
	gpgme_signature_t s;
	size_t n = 0, j;
	int known;

	if (vr == NULL)
		return CRYPTO_OK;
	for (s = vr->signatures; s != NULL; s = s->next)
		n++;
	if (n == 0)
		return CRYPTO_OK;
	/* signatures gpg found where the framing could not count them
	 * (inside the encryption): each would cost a key lookup below */
	if (n > DECRYPT_MAX_SIGNATURES) {
		log_info("crypto event=too-many-signatures count=%zu", n);
		return CRYPTO_HOSTILE;
	}
	v->sigs = xreallocarray(v->sigs, v->nsigs + n, sizeof *v->sigs);
	for (s = vr->signatures; s != NULL; s = s->next) {
		struct sig_fact *f = &v->sigs[v->nsigs];

		memset(f, 0, sizeof *f);
		copy_upper(f->key_fpr, sizeof f->key_fpr, s->fpr);
		memcpy(f->fpr, f->key_fpr, sizeof f->fpr);
		f->status = sig_status(s);
		f->summary = (unsigned)s->summary;
		f->created = s->timestamp;
		f->expires = s->exp_timestamp;
		f->key_revoked = (s->summary & GPGME_SIGSUM_KEY_REVOKED) ||
		    gpgme_err_code(s->status) == GPG_ERR_CERT_REVOKED;
		f->key_expired = (s->summary & GPGME_SIGSUM_KEY_EXPIRED) ||
		    gpgme_err_code(s->status) == GPG_ERR_KEY_EXPIRED;
		f->key_missing = (s->summary & GPGME_SIGSUM_KEY_MISSING) ||
		    gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY;
		if (gpgme_hash_algo_name(s->hash_algo) != NULL)
			copy_upper(f->hash, sizeof f->hash,
			    gpgme_hash_algo_name(s->hash_algo));
		(void)snprintf(f->covers, sizeof f->covers, "%s", covers);
		f->piece = v->npieces > 0 ? v->npieces - 1 : 0;
		f->whole = whole;
		/* one lookup per key of the message, however many of its
		 * signatures (or pieces) that key made */
		for (known = 0, j = 0; j < v->nsigs && !known; j++)
			if (!f->key_missing && !v->sigs[j].key_missing &&
			    strcmp(v->sigs[j].key_fpr, f->key_fpr) == 0) {
				memcpy(f->fpr, v->sigs[j].fpr, sizeof f->fpr);
				known = 1;
			}
		v->nsigs++;
		if (!known && (st = primary_of(g, f)) != CRYPTO_OK)
			return st;
	}
	return CRYPTO_OK;
}

/* A new piece; signatures found from now on belong to it. */
static struct piece_fact *
add_piece(struct verified *v, const char *path)
{
	struct piece_fact *pc;

	v->pieces = xreallocarray(v->pieces, v->npieces + 1,
	    sizeof *v->pieces);
	pc = &v->pieces[v->npieces++];
	memset(pc, 0, sizeof *pc);
	(void)snprintf(pc->path, sizeof pc->path, "%s", path);
	return pc;
}

/* What is left of the message's budget, for the next output sink. */
static size_t
budget_left(const struct verified *v)
{
	return v->decoded < DECRYPT_BUDGET ? DECRYPT_BUDGET - v->decoded : 0;
}

/*
 * What the framing of a message (crypto/packets.h) refuses before gpg
 * runs; CRYPTO_OK to go on.  sig: c is a signature's (detached, or the
 * armored tail of a clearsigned text); opaque: an opaque signed
 * message's; else an encrypted message's.
 */
static enum crypto_status
framing_refusal(const struct pgp_packet_counts *c, int sig, int opaque)
{
	/* a key, user id or trust packet is no part of any message: gpg
	 * answers it with its catch-all error, which must not read as a
	 * sick engine (a stranger's one-packet mail retried for hours) */
	if (c->foreign > 0) {
		log_info("crypto event=framing-refused why=key-packet "
		    "packets=%zu", c->foreign);
		return CRYPTO_MALFORMED;
	}
	/*
	 * Compressed data at the top level hides what it holds from this
	 * count.  In an encrypted message no client sends it.  In an
	 * opaque signed one (gpg --sign compresses by default) gpg would
	 * be asked to verify with a plaintext output, which is gpg's
	 * decrypting mode: a session key and encrypted data inside would
	 * be decrypted, unbounded and without its MDC checked.  The hub
	 * does not inflate (no compression library among its
	 * dependencies), so it cannot look inside: refused, permanently.
	 * Uncompressed (gpg --sign -z 0) is read as a signed post.
	 */
	if (c->compressed > 0) {
		log_info("crypto event=framing-refused why=%s",
		    opaque ? "compressed-signed-message" :
		    "compressed-at-top-level");
		return CRYPTO_HOSTILE;	/* opaque: see do_verify */
	}
	/* each signature is a verification in gpg and a key lookup here;
	 * more than a message needs is a flood */
	if (c->sig + c->onepass > DECRYPT_MAX_SIGNATURES) {
		log_info("crypto event=framing-refused why=signatures "
		    "count=%zu", c->sig + c->onepass);
		return CRYPTO_HOSTILE;
	}
	if (!sig && !opaque &&
	    c->pkesk + c->skesk > DECRYPT_MAX_SESSION_KEYS) {
		log_info("crypto event=framing-refused why=session-keys "
		    "count=%zu", c->pkesk + c->skesk);
		return CRYPTO_HOSTILE;
	}
	return CRYPTO_OK;
}

/* The top-level packets of p; all zero if it is not OpenPGP at all
 * (gpg says so). */
static void
count_packets(const char *p, size_t n, struct pgp_packet_counts *c)
{
	/* the whole text: packets.c reads a clearsigned one as gpg does */
	if (pgp_packet_counts(p, n, 4096, c) == -1)
		memset(c, 0, sizeof *c);
}

/*
 * A GPGME error of a decryption or verification, as a refusal or as a
 * condition worth a retry.  Only what can pass by itself is temporary
 * (CRYPTO_ENGINE_ERROR): gpg or its agent not running or not answering,
 * memory, I/O.  Whatever the message itself makes gpg say is permanent:
 * a retry would say it again, and the entry would loop (issue 13).
 */
static enum crypto_status
classify(gpgme_error_t err)
{
	gpgme_err_code_t code = gpgme_err_code(err);

	if (gpgme_err_code_to_errno(code) != 0)
		return CRYPTO_ENGINE_ERROR;	/* ENOMEM, EIO, EPIPE ... */
	switch (code) {
	case GPG_ERR_NO_AGENT:
	case GPG_ERR_AGENT:
	case GPG_ERR_ASS_CONNECT_FAILED:
	case GPG_ERR_ASS_GENERAL:
	case GPG_ERR_ASS_WRITE_ERROR:
	case GPG_ERR_ASS_READ_ERROR:
	case GPG_ERR_INV_ENGINE:
	case GPG_ERR_ENGINE_TOO_OLD:
	case GPG_ERR_TIMEOUT:
	/* gpg's catch-all names no cause; the spool's attempt count
	 * bounds its retries */
	case GPG_ERR_GENERAL:
		return CRYPTO_ENGINE_ERROR;
	case GPG_ERR_NO_SECKEY:
		return CRYPTO_NO_SECKEY;
	/*
	 * A passphrase was wanted (pinentry mode "error"): the hub's keys
	 * have none, so gpg tried a passphrase's session key (SKESK)
	 * after finding none for a key of ours: not encrypted to us.
	 * (GPGME stops reading gpg's status at the cancel, so its
	 * recipients list cannot tell whose the other session keys are.)
	 */
	case GPG_ERR_CANCELED:
	case GPG_ERR_FULLY_CANCELED:
	case GPG_ERR_BAD_PASSPHRASE:
	case GPG_ERR_NO_PASSPHRASE:
	case GPG_ERR_NO_PIN:
	case GPG_ERR_BAD_PIN:
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_PIN_ENTRY:
		return CRYPTO_NO_SECKEY;
	/* no OpenPGP message where one should be */
	case GPG_ERR_NO_DATA:
	case GPG_ERR_INV_ARMOR:
		return CRYPTO_MALFORMED;
	/* corrupt, tampered (MDC), truncated, unsupported algorithm or
	 * packet: whatever else gpg finds in the data */
	default:
		return CRYPTO_DECRYPT_FAILED;
	}
}

/*
 * Whether the engine is well: gpg lists a secret key of the keyring (the
 * hub always holds its own).  gpg's catch-all GPG_ERR_GENERAL names no
 * cause; it is temporary only when this cheap probe fails too, else it
 * was the message (a stray packet) and a retry would say it again.
 */
static int
engine_healthy(struct gpg *g)
{
	gpgme_ctx_t ctx;
	gpgme_key_t k = NULL;
	gpgme_error_t err;
	int found = 0;

	if (gpg_ctx_new(g, &ctx) != CRYPTO_OK)
		return 0;
	err = gpgme_op_keylist_start(ctx, NULL, 1);
	if (err == 0 && gpgme_op_keylist_next(ctx, &k) == 0) {
		found = 1;
		gpgme_key_unref(k);
	}
	(void)gpgme_op_keylist_end(ctx);
	gpgme_release(ctx);
	if (!found)
		log_warnx("crypto event=engine-probe-failed err=\"%s\"",
		    err != 0 ? gpgme_strerror(err) : "no secret key listed");
	return found;
}

/* classify(), with gpg's catch-all checked against the engine's health */
static enum crypto_status
classify_probed(struct gpg *g, gpgme_error_t err)
{
	enum crypto_status st = classify(err);

	if (gpgme_err_code(err) == GPG_ERR_GENERAL && engine_healthy(g))
		st = CRYPTO_MALFORMED;
	return st;
}

/*
 * Whether the keyring holds the secret part of the (sub)key with this
 * key id: its keygrip's file in private-keys-v1.d.  Read from the public
 * keyring and the file system, so it answers when the agent does not.
 */
static int
holds_secret(struct gpg *g, const char *keyid)
{
	gpgme_engine_info_t ei;
	gpgme_ctx_t ctx;
	gpgme_key_t key = NULL;
	gpgme_subkey_t sk;
	char path[4096];
	int yes = 0;

	if (strlen(keyid) != 16 || gpg_ctx_new(g, &ctx) != CRYPTO_OK)
		return 0;
	ei = gpgme_ctx_get_engine_info(ctx);
	/* keygrips are listed only when asked for */
	if (ei == NULL || ei->home_dir == NULL ||
	    gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL |
	    GPGME_KEYLIST_MODE_WITH_KEYGRIP) != 0 ||
	    gpgme_op_keylist_start(ctx, keyid, 0) != 0) {
		gpgme_release(ctx);
		return 0;
	}
	while (!yes && gpgme_op_keylist_next(ctx, &key) == 0) {
		for (sk = key->subkeys; sk != NULL && !yes; sk = sk->next)
			if (sk->keyid != NULL && sk->keygrip != NULL &&
			    strcasecmp(sk->keyid, keyid) == 0 &&
			    (size_t)snprintf(path, sizeof path,
			    "%s/private-keys-v1.d/%s.key", ei->home_dir,
			    sk->keygrip) < sizeof path &&
			    access(path, F_OK) == 0)
				yes = 1;
		gpgme_key_unref(key);
	}
	(void)gpgme_op_keylist_end(ctx);
	gpgme_release(ctx);
	return yes;
}

/* Whether any of a message's recipients is a key the hub holds the
 * secret of (the ids are copied first: the list belongs to the
 * decryption's context). */
static int
own_recipient(struct gpg *g, gpgme_recipient_t r)
{
	char ids[DECRYPT_MAX_SESSION_KEYS][17];
	size_t i, n = 0;

	for (; r != NULL && n < DECRYPT_MAX_SESSION_KEYS; r = r->next)
		if (r->keyid != NULL)
			(void)snprintf(ids[n++], sizeof ids[0], "%s",
			    r->keyid);
	for (i = 0; i < n; i++)
		if (holds_secret(g, ids[i]))
			return 1;
	return 0;
}

/*
 * Decrypt (and verify an embedded signature) into plain.  No MDC is
 * checked first: gpg may have written plaintext before it failed, and
 * that plaintext is dropped with the caller's wiped buffer.
 */
static enum crypto_status
do_decrypt(struct gpg *g, const char *ct, size_t len, struct buf *plain,
    struct verified *v, const char *covers)
{
	enum crypto_status st;
	struct pgp_packet_counts pc;
	gpgme_decrypt_result_t dr;
	gpgme_recipient_t r;
	struct gpg_src src;
	struct gpg_sink sk;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	size_t n;

	count_packets(ct, len, &pc);
	if ((st = framing_refusal(&pc, 0, 0)) != CRYPTO_OK)
		return st;
	/* for a passphrase only: gpg would ask for it, and the answer is
	 * always no; nothing in it is for the list */
	if (pgp_packet_shape(&pc) == PGP_SHAPE_PASSPHRASE)
		return CRYPTO_NO_SECKEY;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_data_src(&src, ct, len, &in)) != CRYPTO_OK ||
	    (st = gpg_data_sink(&sk, plain, buf_len(plain) + budget_left(v),
	    &out)) != CRYPTO_OK)
		goto out;
	n = buf_len(plain);
	err = gpgme_op_decrypt_verify(ctx, in, out);
	dr = gpgme_op_decrypt_result(ctx);
	v->decoded += buf_len(plain) - n;
	if (sk.overflow) {
		/* a compression bomb, or just too big to be a post */
		st = CRYPTO_HOSTILE;
		goto out;
	}
	if (dr != NULL && dr->legacy_cipher_nomdc) {
		st = CRYPTO_NO_MDC;
		goto out;
	}
	if (err != 0) {
		st = classify_probed(g, err);
		/*
		 * "No secret key" for a key whose secret the keyring holds:
		 * the agent did not answer (dead, or a broken
		 * agent-program), which passes, not the message's fault.
		 */
		if (st == CRYPTO_NO_SECKEY && dr != NULL &&
		    own_recipient(g, dr->recipients)) {
			log_warnx("crypto event=own-key-unusable err=\"%s\"",
			    gpgme_strerror(err));
			st = CRYPTO_ENGINE_ERROR;
		}
		/* past the session keys, whatever gpg trips over inside
		 * the ciphertext (MDC, zlib, packet structure) means it is
		 * not what was sent */
		if (st == CRYPTO_MALFORMED && dr != NULL &&
		    dr->recipients != NULL)
			st = CRYPTO_DECRYPT_FAILED;
		log_debug("crypto event=decrypt-failed err=\"%s\" status=%s",
		    gpgme_strerror(err), crypto_status_str(st));
		goto out;
	}
	if (dr == NULL) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	v->encrypted = 1;
	/* GnuPG >= 2.2.8 fails without MDC; reaching here means checked */
	v->integrity = 1;
	copy_upper(v->symkey_algo, sizeof v->symkey_algo, dr->symkey_algo);
	for (n = 0, r = dr->recipients; r != NULL; r = r->next)
		n++;
	if (n > 0) {
		if (v->npieces > 0) {
			v->pieces[v->npieces - 1].rcpt_first = v->nrecipients;
			v->pieces[v->npieces - 1].nrcpt = n;
		}
		v->recipients = xreallocarray(v->recipients,
		    v->nrecipients + n, sizeof *v->recipients);
		for (r = dr->recipients; r != NULL; r = r->next)
			copy_upper(v->recipients[v->nrecipients++], 17,
			    r->keyid);
	}
	/* a signature inside the ciphertext covers all of what it holds */
	st = add_sigs(g, v, gpgme_op_verify_result(ctx), covers, 1);
out:
	gpgme_data_release(in);
	gpgme_data_release(out);
	gpgme_release(ctx);
	return st;
}

/*
 * Detached (text != NULL), clearsigned or opaque signed (plain != NULL)
 * verification; opaque: sig is an opaque signed message (gpg --sign).
 */
static enum crypto_status
do_verify(struct gpg *g, const char *sig, size_t siglen, const char *text,
    size_t textlen, struct buf *plain, struct verified *v,
    const char *covers, int opaque)
{
	enum crypto_status st;
	struct pgp_packet_counts pc;
	struct gpg_src s1, s2;
	struct gpg_sink sk;
	gpgme_data_t ds = NULL, dt = NULL, dp = NULL;
	gpgme_verify_result_t vr;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	size_t n;

	count_packets(sig, siglen, &pc);
	/*
	 * gpg --sign compresses by default.  Such a message is a post in
	 * clear, but the hub cannot look inside without inflating it (no
	 * compression library among its dependencies) and must not hand
	 * it to gpg with a plaintext output (gpg's decrypting mode: see
	 * framing_refusal).  It is taken for what it is at least: not
	 * encrypted, its text and signature not read, so the refusal says
	 * not-encrypted rather than hostile.
	 */
	if (opaque && pc.compressed > 0 && pc.foreign == 0) {
		log_info("crypto event=opaque-compressed action=not-read");
		return CRYPTO_OK;
	}
	if ((st = framing_refusal(&pc, 1, opaque)) != CRYPTO_OK)
		return st;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_data_src(&s1, sig, siglen, &ds)) != CRYPTO_OK)
		goto out;
	if (text != NULL &&
	    (st = gpg_data_src(&s2, text, textlen, &dt)) != CRYPTO_OK)
		goto out;
	if (plain != NULL && (st = gpg_data_sink(&sk, plain, buf_len(plain) +
	    budget_left(v), &dp)) != CRYPTO_OK)
		goto out;
	n = plain != NULL ? buf_len(plain) : 0;
	err = gpgme_op_verify(ctx, ds, dt, dp);
	vr = gpgme_op_verify_result(ctx);
	if (plain != NULL)
		v->decoded += buf_len(plain) - n;
	if (plain != NULL && sk.overflow) {
		st = CRYPTO_HOSTILE;
		goto out;
	}
	if (err != 0 && (vr == NULL || vr->signatures == NULL)) {
		/* no signature gpg could read: whatever the cause in the
		 * data, it is not a signed message */
		if ((st = classify_probed(g, err)) != CRYPTO_ENGINE_ERROR)
			st = CRYPTO_MALFORMED;
		log_debug("crypto event=verify-failed err=\"%s\" status=%s",
		    gpgme_strerror(err), crypto_status_str(st));
		goto out;
	}
	/* detached over the whole entity, clearsigned over the text, or
	 * opaque over all of its literal data */
	st = add_sigs(g, v, vr, covers, 1);
out:
	gpgme_data_release(ds);
	gpgme_data_release(dt);
	gpgme_data_release(dp);
	gpgme_release(ctx);
	return st;
}

static void
add_unprotected(struct verified *v, const char *path)
{
	v->unprotected = xreallocarray(v->unprotected, v->nunprotected + 1,
	    sizeof *v->unprotected);
	v->unprotected[v->nunprotected++] = xstrdup(path);
}

/* Verify a multipart/signed entity: first part's exact bytes, CRLF. */
static enum crypto_status
verify_multipart_signed(struct gpg *g, const struct mime_part *signedp,
    const struct mime_part *sigp, struct verified *v, const char *covers)
{
	enum crypto_status st;
	struct buf *text, *sig;
	const char *raw;
	size_t rlen;

	text = buf_new(BUF_SENSITIVE);
	sig = buf_new(0);
	mime_part_raw(signedp, &raw, &rlen);
	mime_canon_crlf(raw, rlen, text);
	if ((st = mime_part_decode(sigp, sig)) == CRYPTO_OK)
		st = do_verify(g, buf_data(sig), buf_len(sig),
		    buf_data(text), buf_len(text), NULL, v, covers, 0);
	buf_free(text);
	buf_free(sig);
	return st;
}

/* A header value of p, or NULL. */
static char *
header_dup(const struct mime_part *p, const char *name)
{
	struct buf *b = buf_new(BUF_SENSITIVE);
	char *r = NULL;

	if (mime_part_header(p, name, b))
		r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

/* The signed protected headers on p: Subject, and the To/Cc addresses. */
static void
read_protected(struct verified *v, const struct mime_part *p)
{
	static const char *const fields[] = { "To", "Cc" };
	char *val;
	size_t i;

	v->protected_headers = 1;
	if (v->subject == NULL)
		v->subject = header_dup(p, "Subject");
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if ((val = header_dup(p, fields[i])) == NULL)
			continue;
		/* an unparsable list names nobody we could match */
		(void)mime_addresses(val, &v->named, &v->nnamed);
		free(val);
	}
}

static int
has_protected_mark(const struct mime_part *p)
{
	return mime_part_param(p, "protected-headers") != NULL ||
	    mime_part_param(p, "hp") != NULL;
}

/*
 * The cleartext is in v->cleartext: parse it, find nested signatures.
 * Protected headers are read only where a signature covers them: the
 * signed part of a nested multipart/signed, or the whole cleartext when
 * the encryption itself was signed (combined) or the message was a
 * multipart/signed.  On an unsigned wrapper they would be anyone's.
 */
static enum crypto_status
finish_cleartext(struct gpg *g, struct verified *v, int in_ciphertext,
    int headers_possible)
{
	enum crypto_status st;
	const struct mime_part *root;
	size_t i, before = v->nsigs;
	int signed_root = 0;

	if ((st = mime_parse(buf_data(v->cleartext), buf_len(v->cleartext),
	    MIME_SENSITIVE, &v->clear)) != CRYPTO_OK)
		return st;
	root = mime_root(v->clear);
	v->content = root;
	for (i = 0; i < v->nsigs; i++)
		if (v->sigs[i].whole)
			signed_root = 1;
	if (in_ciphertext && mime_part_is(root, "multipart/signed") &&
	    mime_part_nchildren(root) == 2 &&
	    mime_part_is(mime_part_child(root, 1),
	    "application/pgp-signature")) {
		/* sign-then-encrypt, RFC 3156 §6.1: what is relayed is the
		 * signed part, which the signature covers whole */
		v->nested = 1;
		v->content = mime_part_child(root, 0);
		if ((st = verify_multipart_signed(g, v->content,
		    mime_part_child(root, 1), v, "enc:1")) != CRYPTO_OK)
			return st;
		signed_root = signed_root || v->nsigs > before;
	}
	if (headers_possible && signed_root && has_protected_mark(v->content))
		read_protected(v, v->content);
	return CRYPTO_OK;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
		    s[i] != '\n')
			return 0;
	return 1;
}

/*
 * Values we copy from the sender's headers into the cleartext entity we
 * synthesise: anything beyond a plain token (CR, LF, quotes) could
 * inject header lines into it, so such values are replaced.
 */
static int
safe_value(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 150)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    s[i] == '"' || s[i] == '\\' || s[i] == ';')
			return 0;
	return 1;
}

/*
 * An inline block whose plaintext is itself a MIME entity with protected
 * headers (a PGP/MIME post's plaintext, re-wrapped as an attachment): its
 * signed To/Cc bind it as they would in PGP/MIME.  The block's own
 * signature covers all of it (policy refuses a block without one).
 */
static void
inline_headers(struct verified *v, const struct buf *plain)
{
	struct mime_msg *m = NULL;

	if (buf_len(plain) < 13 ||
	    strncasecmp(buf_data(plain), "Content-Type:", 13) != 0)
		return;
	if (mime_parse(buf_data(plain), buf_len(plain), MIME_SENSITIVE,
	    &m) != CRYPTO_OK)
		return;
	if (has_protected_mark(mime_root(m)))
		read_protected(v, mime_root(m));
	mime_free(m);
}

/* One inline part → one entity appended to ent (text or attachment). */
static enum crypto_status
inline_part(struct gpg *g, const struct mime_part *p, struct verified *v,
    struct buf *ent)
{
	enum crypto_status st;
	struct buf *txt, *plain;
	const char *s, *cs, *fn;
	char path[64], covers[80], name[200];
	size_t n, b = 0, e = 0;
	enum pgp_armor kind = PGP_ARMOR_MESSAGE;
	struct piece_fact *pc;
	struct pgp_packet_counts counts;
	int r, clearsigned = 0, opaque = 0, is_text;

	mime_part_path(p, path, sizeof path);
	txt = buf_new(BUF_SENSITIVE);
	plain = buf_new(BUF_SENSITIVE);
	if ((st = mime_part_decode(p, txt)) != CRYPTO_OK)
		goto out;
	s = buf_data(txt);
	n = buf_len(txt);
	is_text = mime_part_is(p, "text/plain") || mime_part_is(p, "text/html");
	r = pgpmime_find_armor(s, n, &kind, &b, &e);
	clearsigned = r != 0 && kind == PGP_ARMOR_CLEARSIGNED;
	if (r < 0) {
		st = CRYPTO_MALFORMED;
		goto out;
	}
	if (r == 0) {
		/* a binary .pgp/.gpg attachment */
		b = 0;
		e = n;
	}
	if (!blank(s, b) || !blank(s + e, n - e))
		add_unprotected(v, path);	/* text around the armor */
	/* "BEGIN PGP MESSAGE" is also what gpg --sign writes: signed,
	 * readable by anyone, a post in clear like a clearsigned one */
	if (!clearsigned) {
		count_packets(s + b, e - b, &counts);
		opaque = pgp_packet_shape(&counts) == PGP_SHAPE_SIGNED;
	}
	(void)snprintf(covers, sizeof covers, "%s%s",
	    clearsigned || opaque ? "" : "enc:", path);
	pc = add_piece(v, path);
	pc->clearsigned = clearsigned || opaque;
	if (clearsigned || opaque)
		st = do_verify(g, s + b, e - b, NULL, 0, plain, v, covers,
		    opaque);
	else
		st = do_decrypt(g, s + b, e - b, plain, v, covers);
	if (st != CRYPTO_OK)
		goto out;
	pc->encrypted = !pc->clearsigned;
	fn = mime_part_filename(p);
	(void)snprintf(name, sizeof name, "%s", safe_value(fn) ? fn :
	    "attachment");
	/* "report.pdf.gpg" decrypts to "report.pdf" */
	n = strlen(name);
	if (n > 4 && (strcasecmp(name + n - 4, ".pgp") == 0 ||
	    strcasecmp(name + n - 4, ".gpg") == 0 ||
	    strcasecmp(name + n - 4, ".asc") == 0))
		name[n - 4] = '\0';
	if (is_text) {
		cs = mime_part_param(p, "charset");
		if (!safe_value(cs))
			cs = NULL;
		/* the bytes stay as sent; only the label travels with them */
		buf_printf(ent, "Content-Type: text/plain; charset=\"%s\"\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n",
		    cs != NULL ? cs : "us-ascii");
	} else
		buf_printf(ent, "Content-Type: application/octet-stream\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: binary\r\n\r\n", name);
	pc->off = buf_len(ent);
	pc->len = buf_len(plain);
	buf_append(ent, buf_data(plain), buf_len(plain));
	if (!clearsigned)
		inline_headers(v, plain);
out:
	buf_free(txt);
	buf_free(plain);
	return st;
}

static enum crypto_status
do_inline(struct gpg *g, const struct pgp_detect *d, struct verified *v)
{
	enum crypto_status st;
	struct buf *one;
	char bnd[48];
	size_t i;

	v->cleartext = buf_new(BUF_SENSITIVE);
	/* each block is a gpg run: a mail of a thousand is a DoS */
	if (d->ninline > DECRYPT_MAX_BLOCKS)
		return CRYPTO_HOSTILE;
	if (d->ninline == 1)
		return inline_part(g, d->inline_parts[0], v, v->cleartext);
	pgpmime_boundary(NULL, 0, bnd);
	buf_printf(v->cleartext, "Content-Type: multipart/mixed; "
	    "boundary=\"%s\"\r\n\r\n", bnd);
	for (i = 0; i < d->ninline; i++) {
		one = buf_new(BUF_SENSITIVE);
		st = inline_part(g, d->inline_parts[i], v, one);
		if (st == CRYPTO_OK && memmem(buf_data(one), buf_len(one),
		    bnd, strlen(bnd)) != NULL)
			st = CRYPTO_MALFORMED;
		if (st == CRYPTO_OK) {
			buf_printf(v->cleartext, "--%s\r\n", bnd);
			v->pieces[v->npieces - 1].off +=
			    buf_len(v->cleartext);
			buf_append(v->cleartext, buf_data(one), buf_len(one));
			buf_append_str(v->cleartext, "\r\n");
		}
		buf_free(one);
		if (st != CRYPTO_OK)
			return st;
	}
	buf_printf(v->cleartext, "--%s--\r\n", bnd);
	return CRYPTO_OK;
}

enum crypto_status
decrypt_verify(struct gpg *g, const void *msg, size_t len,
    struct verified **vp)
{
	enum crypto_status st;
	struct mime_msg *m = NULL;
	struct pgp_detect *d = NULL;
	struct verified *v;
	struct buf *ct = NULL;
	char path[64];
	size_t i;

	if ((st = mime_parse(msg, len, 0, &m)) != CRYPTO_OK)
		return st;
	if ((st = pgpmime_detect(m, &d)) != CRYPTO_OK) {
		mime_free(m);
		return st;
	}
	v = xcalloc(1, sizeof *v);
	v->form = d->form;
	v->exchange_repaired = d->exchange_repaired;
	v->gpgol = d->gpgol;
	for (i = 0; i < d->nunprotected; i++)
		add_unprotected(v, d->unprotected[i]);
	if (d->ndropped > 0) {
		v->dropped = xcalloc(d->ndropped, sizeof *v->dropped);
		for (i = 0; i < d->ndropped; i++)
			v->dropped[i] = xstrdup(d->dropped[i]);
		v->ndropped = d->ndropped;
	}
	v->outer_subject = header_dup(mime_root(m), "Subject");
	switch (d->form) {
	case PGP_FORM_ENCRYPTED:
		ct = buf_new(0);
		if ((st = mime_part_decode(d->payload, ct)) != CRYPTO_OK)
			break;
		v->cleartext = buf_new(BUF_SENSITIVE);
		mime_part_path(d->payload, path, sizeof path);
		add_piece(v, path);
		if ((st = do_decrypt(g, buf_data(ct), buf_len(ct),
		    v->cleartext, v, "enc:")) != CRYPTO_OK)
			break;
		v->pieces[0].encrypted = 1;
		v->pieces[0].len = buf_len(v->cleartext);
		st = finish_cleartext(g, v, 1, 1);
		break;
	case PGP_FORM_SIGNED:
		mime_part_path(d->payload, path, sizeof path);
		add_piece(v, path);
		if ((st = verify_multipart_signed(g, d->payload, d->signature,
		    v, path)) != CRYPTO_OK)
			break;
		v->cleartext = buf_new(BUF_SENSITIVE);
		{
			const char *raw;
			size_t rlen;

			mime_part_raw(d->payload, &raw, &rlen);
			mime_canon_crlf(raw, rlen, v->cleartext);
		}
		v->pieces[0].len = buf_len(v->cleartext);
		st = finish_cleartext(g, v, 0, 1);
		break;
	case PGP_FORM_INLINE:
		/* the entity around the blocks is ours: no headers of the
		 * sender's in it */
		if ((st = do_inline(g, d, v)) == CRYPTO_OK)
			st = finish_cleartext(g, v, 0, 0);
		break;
	case PGP_FORM_NONE:
		st = CRYPTO_OK;
		break;
	}
	buf_free(ct);
	pgp_detect_free(d);
	mime_free(m);
	if (st != CRYPTO_OK) {
		verified_free(v);
		return st;
	}
	*vp = v;
	return CRYPTO_OK;
}

void
verified_free(struct verified *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nunprotected; i++)
		free(v->unprotected[i]);
	free(v->unprotected);
	for (i = 0; i < v->ndropped; i++)
		free(v->dropped[i]);
	free(v->dropped);
	free(v->recipients);
	free(v->sigs);
	free(v->pieces);
	for (i = 0; i < v->nnamed; i++)
		free(v->named[i]);
	free(v->named);
	if (v->subject != NULL) {
		hub_wipe(v->subject, strlen(v->subject));
		free(v->subject);
	}
	free(v->outer_subject);
	mime_free(v->clear);
	buf_free(v->cleartext);
	free(v);
}

static int
sig_rank(enum crypto_status st)
{
	switch (st) {
	case CRYPTO_BAD_SIGNATURE:
		return 5;
	case CRYPTO_KEY_REVOKED:
		return 4;
	case CRYPTO_KEY_EXPIRED:
		return 3;
	case CRYPTO_SIG_EXPIRED:
		return 2;
	case CRYPTO_UNKNOWN_SIGNER:
		return 1;
	default:
		return 0;
	}
}

enum crypto_status
verified_worst_sig(const struct verified *v)
{
	enum crypto_status worst = CRYPTO_OK;
	size_t i;

	for (i = 0; i < v->nsigs; i++)
		if (sig_rank(v->sigs[i].status) > sig_rank(worst))
			worst = v->sigs[i].status;
	return worst;
}

enum crypto_status
verified_status(const struct verified *v)
{
	enum crypto_status worst;

	if (!v->encrypted && v->nsigs == 0)
		return CRYPTO_NOT_ENCRYPTED;
	if (v->nunprotected > 0)
		return CRYPTO_UNPROTECTED_PARTS;
	worst = verified_worst_sig(v);
	if (worst != CRYPTO_OK)
		return worst;
	if (v->nsigs == 0)
		return CRYPTO_NOT_SIGNED;
	if (!v->encrypted)
		return CRYPTO_NOT_ENCRYPTED;
	return CRYPTO_OK;
}
