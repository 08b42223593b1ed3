#include "config.h"

#include <stddef.h>

#include <gpgme.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/gpg_internal.h"
#include "crypto/wrap.h"
#include "base/buf.h"
#include "base/log.h"

enum crypto_status
wrap_secret(struct gpg *g, const char *fpr, const void *secret, size_t len,
    int armor, struct buf *out)
{
	enum crypto_status st;
	struct gpg_src src;
	struct gpg_sink sk;
	gpgme_data_t in = NULL, ct = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	char why[256];

	if (!gpg_is_fpr(fpr) || secret == NULL || len == 0 ||
	    len > WRAP_SECRET_MAX)
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	gpgme_set_armor(ctx, armor ? 1 : 0);
	if ((st = gpg_data_src(&src, secret, len, &in)) != CRYPTO_OK ||
	    (st = gpg_data_sink(&sk, out, GPG_NO_LIMIT, &ct)) != CRYPTO_OK)
		goto out;
	/*
	 * Our own key, named by fingerprint: no trust database question,
	 * and no default recipients from a gpg.conf slipping in.
	 */
	err = gpgme_op_encrypt_ext(ctx, NULL, fpr, GPGME_ENCRYPT_ALWAYS_TRUST |
	    GPGME_ENCRYPT_NO_ENCRYPT_TO, in, ct);
	if (err != 0) {
		log_warnx("crypto event=wrap-failed err=\"%s\"",
		    gpg_fail_text(g, err, why, sizeof why));
		st = gpg_err_status(err);
		if (st == CRYPTO_OK || st == CRYPTO_DECRYPT_FAILED)
			st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	st = CRYPTO_OK;
out:
	gpgme_data_release(in);
	gpgme_data_release(ct);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
unwrap_secret(struct gpg *g, const void *ct, size_t len, struct buf *plain)
{
	enum crypto_status st;
	gpgme_decrypt_result_t dr;
	struct gpg_src src;
	struct gpg_sink sk;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	char why[256];

	if (ct == NULL || len == 0 || plain == NULL ||
	    !(buf_flags(plain) & BUF_SENSITIVE))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_data_src(&src, ct, len, &in)) != CRYPTO_OK ||
	    (st = gpg_data_sink(&sk, plain, buf_len(plain) + WRAP_SECRET_MAX,
	    &out)) != CRYPTO_OK)
		goto out;
	err = gpgme_op_decrypt(ctx, in, out);
	dr = gpgme_op_decrypt_result(ctx);
	if (sk.overflow)
		st = CRYPTO_HOSTILE;
	else if (dr != NULL && dr->legacy_cipher_nomdc)
		st = CRYPTO_NO_MDC;
	else if (err != 0) {
		st = gpg_err_status(err);
		if (st == CRYPTO_OK)
			st = CRYPTO_ENGINE_ERROR;
		/* the caller's message has only the status: the cause here */
		if (st == CRYPTO_ENGINE_ERROR)
			log_warnx("crypto event=unwrap-failed err=\"%s\"",
			    gpg_fail_text(g, err, why, sizeof why));
	} else
		st = CRYPTO_OK;
out:
	gpgme_data_release(in);
	gpgme_data_release(out);
	gpgme_release(ctx);
	return st;
}
