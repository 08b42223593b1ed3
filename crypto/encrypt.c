#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <gpgme.h>

#include "crypto/crypto.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "crypto/gpg_internal.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"

/* Map a failed encryption: what was wrong with the recipient key. */
static enum crypto_status
encrypt_failure(gpgme_ctx_t ctx, gpgme_error_t err)
{
	gpgme_encrypt_result_t er = gpgme_op_encrypt_result(ctx);
	enum crypto_status st;

	if (er != NULL && er->invalid_recipients != NULL)
		return gpgme_err_code(er->invalid_recipients->reason) ==
		    GPG_ERR_NO_PUBKEY ? CRYPTO_KEY_NOT_FOUND :
		    CRYPTO_KEY_UNUSABLE;
	st = gpg_err_status(err);
	if (st == CRYPTO_OK || st == CRYPTO_MALFORMED)
		st = CRYPTO_ENGINE_ERROR;
	return st;
}

/*
 * Sign (list_fpr != NULL) and encrypt inner to rcpt_fpr; build the
 * message into out.  The recipient goes to gpg as a fingerprint string
 * (gpgme_op_encrypt_ext), not a listed key: listing it first would cost
 * a second gpg run per recipient, and gpg itself refuses a key that is
 * expired, revoked or cannot encrypt.
 */
static enum crypto_status
seal(struct gpg *g, const char *list_fpr, const char *rcpt_fpr,
    const struct crypto_headers *h, const struct buf *inner,
    struct buf *out)
{
	enum crypto_status st;
	gpgme_key_t signer = NULL;
	gpgme_data_t in = NULL, cipher = NULL;
	struct gpg_src src;
	struct gpg_sink sk;
	struct buf *ct;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	gpgme_encrypt_flags_t flags;

	ct = buf_new(0);
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK) {
		buf_free(ct);
		return st;
	}
	if (list_fpr != NULL) {
		if ((st = gpg_signer(g, ctx, list_fpr, &signer)) != CRYPTO_OK)
			goto out;
		if (gpgme_signers_add(ctx, signer) != 0) {
			st = CRYPTO_ENGINE_ERROR;
			goto out;
		}
	}
	if ((st = gpg_data_src(&src, buf_data(inner), buf_len(inner),
	    &in)) != CRYPTO_OK || (st = gpg_data_sink(&sk, ct, GPG_NO_LIMIT,
	    &cipher)) !=
	    CRYPTO_OK)
		goto out;
	/* the roster vouches for the key; only this key, nobody else's */
	flags = GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_ENCRYPT_TO;
	if (list_fpr != NULL)
		err = gpgme_op_encrypt_sign_ext(ctx, NULL, rcpt_fpr, flags,
		    in, cipher);
	else
		err = gpgme_op_encrypt_ext(ctx, NULL, rcpt_fpr, flags, in,
		    cipher);
	if (err != 0) {
		st = encrypt_failure(ctx, err);
		goto out;
	}
	pgpmime_build_encrypted(h, buf_data(ct), buf_len(ct), out);
	st = CRYPTO_OK;
out:
	gpgme_data_release(in);
	gpgme_data_release(cipher);
	gpgme_key_unref(signer);
	gpgme_release(ctx);
	buf_free(ct);
	return st;
}

enum crypto_status
encrypt_for(struct gpg *g, const char *list_fpr, const char *rcpt_fpr,
    const struct crypto_headers *h, const char *entity, size_t len,
    struct buf *out)
{
	enum crypto_status st;
	struct buf *inner;

	if (!gpg_is_fpr(list_fpr) || !gpg_is_fpr(rcpt_fpr))
		return CRYPTO_BAD_ARGUMENT;
	inner = buf_new(BUF_SENSITIVE);
	if ((st = pgpmime_protect(h, entity, len, inner)) == CRYPTO_OK)
		st = seal(g, list_fpr, rcpt_fpr, h, inner, out);
	buf_free(inner);
	return st;
}

enum crypto_status
encrypt_to(struct gpg *g, const char *rcpt_fpr,
    const struct crypto_headers *h, const char *entity, size_t len,
    struct buf *out)
{
	enum crypto_status st;
	struct buf *inner;

	if (!gpg_is_fpr(rcpt_fpr))
		return CRYPTO_BAD_ARGUMENT;
	inner = buf_new(BUF_SENSITIVE);
	if ((st = pgpmime_protect(h, entity, len, inner)) == CRYPTO_OK)
		st = seal(g, NULL, rcpt_fpr, h, inner, out);
	buf_free(inner);
	return st;
}

enum crypto_status
encrypt_sign_once(struct gpg *g, const char *list_fpr, const char *entity,
    size_t len, struct buf *signed_out)
{
	enum crypto_status st;
	gpgme_key_t signer = NULL;
	gpgme_data_t in = NULL, sig = NULL;
	gpgme_sign_result_t sr;
	struct gpg_src src;
	struct gpg_sink sk;
	struct buf *canon, *sb;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	const char *hn;
	char micalg[32];
	size_t i;

	if (!gpg_is_fpr(list_fpr))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	/* RFC 3156 §5: the signed entity is canonical, CRLF */
	canon = buf_new(BUF_SENSITIVE);
	sb = buf_new(0);
	mime_canon_crlf(entity, len, canon);
	if ((st = gpg_signer(g, ctx, list_fpr, &signer)) != CRYPTO_OK)
		goto out;
	if (gpgme_signers_add(ctx, signer) != 0) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	if ((st = gpg_data_src(&src, buf_data(canon), buf_len(canon),
	    &in)) != CRYPTO_OK || (st = gpg_data_sink(&sk, sb, GPG_NO_LIMIT,
	    &sig)) !=
	    CRYPTO_OK)
		goto out;
	err = gpgme_op_sign(ctx, in, sig, GPGME_SIG_MODE_DETACH);
	sr = gpgme_op_sign_result(ctx);
	if (err != 0 || sr == NULL || sr->signatures == NULL ||
	    sr->invalid_signers != NULL) {
		st = err != 0 ? gpg_err_status(err) : CRYPTO_ENGINE_ERROR;
		if (st == CRYPTO_OK || st == CRYPTO_MALFORMED)
			st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	/* micalg must name the hash actually used (RFC 3156 §5) */
	hn = gpgme_hash_algo_name(sr->signatures->hash_algo);
	(void)snprintf(micalg, sizeof micalg, "pgp-%s",
	    hn != NULL ? hn : "sha256");
	for (i = 0; micalg[i] != '\0'; i++)
		micalg[i] = (char)tolower((unsigned char)micalg[i]);
	pgpmime_build_signed(buf_data(canon), buf_len(canon), buf_data(sb),
	    buf_len(sb), micalg, signed_out);
	st = CRYPTO_OK;
out:
	gpgme_data_release(in);
	gpgme_data_release(sig);
	gpgme_key_unref(signer);
	gpgme_release(ctx);
	buf_free(canon);
	buf_free(sb);
	return st;
}
