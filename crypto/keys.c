#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gpgme.h>

#include "crypto/gpg.h"
#include "crypto/gpg_internal.h"
#include "crypto/keys.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"

static void
copy_hex(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src != NULL && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'f') ?
		    (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

static int
subkey_usable(gpgme_subkey_t sk, int enc)
{
	time_t now = hub_now();

	if (sk->revoked || sk->expired || sk->disabled || sk->invalid)
		return 0;
	if (sk->expires > 0 && sk->expires <= now)
		return 0;
	return enc ? sk->can_encrypt : sk->can_sign;
}

static void
fill_uid(struct key_uid *u, gpgme_user_id_t uid, const char *selfid)
{
	gpgme_key_sig_t s;
	size_t n = 0;

	u->uid = xstrdup(uid->uid != NULL ? uid->uid : "");
	u->email = xstrdup(uid->email != NULL ? uid->email : "");
	u->revoked = uid->revoked;
	u->invalid = uid->invalid;
	for (s = uid->signatures; s != NULL; s = s->next)
		n++;
	u->certs = n ? xcalloc(n, sizeof *u->certs) : NULL;
	for (s = uid->signatures; s != NULL; s = s->next) {
		struct key_cert *c;

		/* self-signatures bind the uid; they certify nothing */
		if (s->keyid == NULL || strcasecmp(s->keyid, selfid) == 0)
			continue;
		c = &u->certs[u->ncerts++];
		copy_hex(c->keyid, sizeof c->keyid, s->keyid);
		c->sig_class = s->sig_class;
		c->created = s->timestamp;
		c->expires = s->expires;
		c->good = gpgme_err_code(s->status) == GPG_ERR_NO_ERROR;
		c->revoked = s->revoked;
		c->expired = s->expired;
		c->exportable = s->exportable;
		if (s->invalid)
			c->good = 0;
	}
}

static enum crypto_status
lookup_key(struct gpg *g, const char *fpr, gpgme_key_t *keyp)
{
	enum crypto_status st;
	gpgme_ctx_t ctx;

	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if (gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL |
	    GPGME_KEYLIST_MODE_SIGS) != 0) {
		gpgme_release(ctx);
		return CRYPTO_ENGINE_ERROR;
	}
	st = gpg_key_by_fpr(ctx, fpr, 0, keyp);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
keys_lookup(struct gpg *g, const char *fpr, struct key_info **kip)
{
	enum crypto_status st;
	struct key_info *ki;
	gpgme_key_t key;
	gpgme_subkey_t sk;
	gpgme_user_id_t uid;
	const char *selfid;
	size_t n;

	if ((st = lookup_key(g, fpr, &key)) != CRYPTO_OK)
		return st;
	ki = xcalloc(1, sizeof *ki);
	copy_hex(ki->fpr, sizeof ki->fpr, key->fpr);
	ki->revoked = key->revoked;
	ki->expired = key->expired;
	ki->disabled = key->disabled;
	ki->invalid = key->invalid;
	if (key->subkeys != NULL) {
		ki->created = key->subkeys->timestamp;
		ki->expires = key->subkeys->expires;
	}
	if (!key->revoked && !key->expired && !key->disabled &&
	    !key->invalid)
		for (sk = key->subkeys; sk != NULL; sk = sk->next) {
			ki->can_encrypt |= subkey_usable(sk, 1);
			ki->can_sign |= subkey_usable(sk, 0);
		}
	for (n = 0, sk = key->subkeys; sk != NULL; sk = sk->next)
		n++;
	ki->keyids = n ? xcalloc(n, sizeof *ki->keyids) : NULL;
	ki->fprs = n ? xcalloc(n, sizeof *ki->fprs) : NULL;
	for (sk = key->subkeys; sk != NULL; sk = sk->next)
		if (sk->keyid != NULL) {
			if (sk->fpr != NULL)
				copy_hex(ki->fprs[ki->nkeyids], 41, sk->fpr);
			copy_hex(ki->keyids[ki->nkeyids++], 17, sk->keyid);
		}
	{
		gpgme_ctx_t ctx;
		gpgme_key_t sec;

		/* a secret key listing is separate in GnuPG */
		if (gpg_ctx_new(g, &ctx) == CRYPTO_OK) {
			if (gpg_key_by_fpr(ctx, ki->fpr, 1, &sec) ==
			    CRYPTO_OK) {
				ki->has_secret = 1;
				gpgme_key_unref(sec);
			}
			gpgme_release(ctx);
		}
	}
	selfid = key->subkeys != NULL && key->subkeys->keyid != NULL ?
	    key->subkeys->keyid : "";
	for (n = 0, uid = key->uids; uid != NULL; uid = uid->next)
		n++;
	ki->uids = n ? xcalloc(n, sizeof *ki->uids) : NULL;
	for (uid = key->uids; uid != NULL; uid = uid->next)
		fill_uid(&ki->uids[ki->nuids++], uid, selfid);
	gpgme_key_unref(key);
	*kip = ki;
	return CRYPTO_OK;
}

enum crypto_status
keys_states(struct gpg *g, const char *const *fprs, size_t n,
    struct key_state *states)
{
	enum crypto_status st;
	gpgme_subkey_t sk;
	gpgme_key_t key;
	time_t now = hub_now();
	size_t i;

	memset(states, 0, n * sizeof *states);
	if (n == 0)
		return CRYPTO_OK;
	/* one listing of the whole keyring, kept until it changes */
	if ((st = gpg_ring_refresh(g)) != CRYPTO_OK)
		return st;
	for (i = 0; i < n; i++) {
		struct key_state *ks = &states[i];

		/* only the primary fingerprint names a key */
		if ((key = gpg_ring_find(g, fprs[i])) == NULL)
			continue;
		ks->found = 1;
		ks->revoked = key->revoked;
		ks->expires = key->subkeys != NULL ?
		    key->subkeys->expires : 0;
		/* the listing may be older than the expiry */
		ks->expired = key->expired ||
		    (ks->expires > 0 && ks->expires <= now);
		ks->can_encrypt = 0;
		if (!ks->revoked && !ks->expired && !key->disabled &&
		    !key->invalid)
			for (sk = key->subkeys; sk != NULL; sk = sk->next)
				ks->can_encrypt |= subkey_usable(sk, 1);
	}
	return CRYPTO_OK;
}

void
key_info_free(struct key_info *ki)
{
	size_t i;

	if (ki == NULL)
		return;
	for (i = 0; i < ki->nuids; i++) {
		free(ki->uids[i].uid);
		free(ki->uids[i].email);
		free(ki->uids[i].certs);
	}
	free(ki->uids);
	free(ki->keyids);
	free(ki->fprs);
	free(ki);
}

int
keys_can_encrypt(const struct key_info *ki)
{
	return ki != NULL && ki->can_encrypt;
}

int
keys_can_sign(const struct key_info *ki)
{
	return ki != NULL && ki->can_sign;
}

enum crypto_status
keys_certified_by(struct gpg *g, const char *fpr, const char *by_fpr,
    int *yes)
{
	enum crypto_status st;
	struct key_info *ki;
	const char *byid;
	size_t i, j;
	int found = 0;

	if (!gpg_is_fpr(by_fpr))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = keys_lookup(g, fpr, &ki)) != CRYPTO_OK)
		return st;
	/* a v4 key id is the low 64 bits of the fingerprint */
	byid = by_fpr + 24;
	for (i = 0; i < ki->nuids && !found; i++) {
		const struct key_uid *u = &ki->uids[i];

		if (u->revoked || u->invalid)
			continue;
		for (j = 0; j < u->ncerts; j++) {
			const struct key_cert *c = &u->certs[j];

			if (strcasecmp(c->keyid, byid) == 0 && c->good &&
			    !c->revoked && !c->expired &&
			    c->sig_class >= 0x10 && c->sig_class <= 0x13) {
				found = 1;
				break;
			}
		}
	}
	key_info_free(ki);
	*yes = found;
	return CRYPTO_OK;
}

enum crypto_status
keys_import(struct gpg *g, const void *data, size_t len,
    struct key_import **resp)
{
	enum crypto_status st;
	struct gpg_src src;
	struct key_import *r;
	gpgme_import_result_t ir;
	gpgme_import_status_t is;
	gpgme_ctx_t ctx;
	gpgme_data_t d;
	gpgme_error_t err;
	size_t n;

	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_data_src(&src, data, len, &d)) != CRYPTO_OK) {
		gpgme_release(ctx);
		return st;
	}
	err = gpgme_op_import(ctx, d);
	gpgme_data_release(d);
	if (err != 0 || (ir = gpgme_op_import_result(ctx)) == NULL) {
		st = err != 0 ? gpg_err_status(err) : CRYPTO_ENGINE_ERROR;
		if (st == CRYPTO_KEY_NOT_FOUND)
			st = CRYPTO_MALFORMED;
		gpgme_release(ctx);
		return st;
	}
	if (ir->considered == 0) {
		gpgme_release(ctx);
		return CRYPTO_MALFORMED;
	}
	r = xcalloc(1, sizeof *r);
	r->considered = ir->considered;
	r->imported = ir->imported;
	r->unchanged = ir->unchanged;
	r->not_imported = ir->not_imported;
	r->new_user_ids = ir->new_user_ids;
	r->new_signatures = ir->new_signatures;
	r->new_subkeys = ir->new_sub_keys;
	r->secret_imported = ir->secret_imported;
	for (n = 0, is = ir->imports; is != NULL; is = is->next)
		n++;
	r->items = n ? xcalloc(n, sizeof *r->items) : NULL;
	for (is = ir->imports; is != NULL; is = is->next) {
		struct key_import_item *it = &r->items[r->nitems++];

		copy_hex(it->fpr, sizeof it->fpr, is->fpr);
		it->ok = is->result == 0;
		it->is_new = (is->status & GPGME_IMPORT_NEW) != 0;
		it->new_uids = (is->status & GPGME_IMPORT_UID) != 0;
		it->new_sigs = (is->status & GPGME_IMPORT_SIG) != 0;
		it->new_subkeys = (is->status & GPGME_IMPORT_SUBKEY) != 0;
		it->secret = (is->status & GPGME_IMPORT_SECRET) != 0;
	}
	gpgme_release(ctx);
	*resp = r;
	return CRYPTO_OK;
}

void
key_import_free(struct key_import *r)
{
	if (r == NULL)
		return;
	free(r->items);
	free(r);
}

enum crypto_status
keys_export(struct gpg *g, const char *fpr, int armor, struct buf *out)
{
	enum crypto_status st;
	gpgme_key_t keys[2] = { NULL, NULL };
	struct gpg_sink sk;
	gpgme_ctx_t ctx;
	gpgme_data_t d;
	gpgme_error_t err;

	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_key_by_fpr(ctx, fpr, 0, &keys[0])) != CRYPTO_OK)
		goto out;
	if ((st = gpg_data_sink(&sk, out, GPG_NO_LIMIT, &d)) != CRYPTO_OK)
		goto out;
	gpgme_set_armor(ctx, armor);
	err = gpgme_op_export_keys(ctx, keys, 0, d);
	gpgme_data_release(d);
	st = gpg_err_status(err);
out:
	gpgme_key_unref(keys[0]);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
keys_generate(struct gpg *g, const char *userid, unsigned long expires_in,
    char fpr_out[41])
{
	enum crypto_status st;
	gpgme_genkey_result_t gr;
	gpgme_key_t key = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	unsigned int flags;
	char fpr[41], why[256];

	if (userid == NULL || *userid == '\0')
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	flags = GPGME_CREATE_SIGN | GPGME_CREATE_CERT | GPGME_CREATE_NOPASSWD |
	    GPGME_CREATE_FORCE;
	if (expires_in == KEYS_NO_EXPIRY)
		flags |= GPGME_CREATE_NOEXPIRE;
	err = gpgme_op_createkey(ctx, userid, "ed25519", 0, expires_in, NULL,
	    flags);
	if (err != 0 || (gr = gpgme_op_genkey_result(ctx)) == NULL ||
	    gr->fpr == NULL) {
		log_warnx("crypto event=createkey-failed err=\"%s\"",
		    gpg_fail_text(g, err, why, sizeof why));
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	copy_hex(fpr, sizeof fpr, gr->fpr);
	if ((st = gpg_key_by_fpr(ctx, fpr, 1, &key)) != CRYPTO_OK)
		goto out;
	flags = GPGME_CREATE_ENCR | GPGME_CREATE_NOPASSWD;
	if (expires_in == KEYS_NO_EXPIRY)
		flags |= GPGME_CREATE_NOEXPIRE;
	err = gpgme_op_createsubkey(ctx, key, "cv25519", 0, expires_in, flags);
	if (err != 0) {
		log_warnx("crypto event=createsubkey-failed err=\"%s\"",
		    gpg_fail_text(g, err, why, sizeof why));
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	memcpy(fpr_out, fpr, sizeof fpr);
out:
	gpgme_key_unref(key);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
keys_subkey_holder(struct gpg *g, const char *fpr, const char *except,
    char holder[41])
{
	enum crypto_status st = CRYPTO_KEY_NOT_FOUND;
	gpgme_ctx_t ctx;
	gpgme_key_t key = NULL;
	gpgme_subkey_t sk;
	gpgme_error_t err;

	if (!gpg_is_fpr(fpr))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	st = CRYPTO_KEY_NOT_FOUND;
	/* gpg matches a fingerprint against every subkey of a key */
	if ((err = gpgme_op_keylist_start(ctx, fpr, 0)) != 0) {
		gpgme_release(ctx);
		return gpg_err_status(err);
	}
	while (st == CRYPTO_KEY_NOT_FOUND &&
	    (err = gpgme_op_keylist_next(ctx, &key)) == 0) {
		if (key->fpr != NULL && strcasecmp(key->fpr, except) != 0)
			for (sk = key->subkeys; sk != NULL; sk = sk->next)
				if (sk->fpr != NULL &&
				    strcasecmp(sk->fpr, fpr) == 0) {
					copy_hex(holder, 41, key->fpr);
					st = CRYPTO_OK;
					break;
				}
		gpgme_key_unref(key);
	}
	if (st == CRYPTO_KEY_NOT_FOUND && gpgme_err_code(err) != GPG_ERR_EOF)
		st = gpg_err_status(err);
	(void)gpgme_op_keylist_end(ctx);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
keys_certify(struct gpg *g, const char *signer_fpr, const char *fpr)
{
	enum crypto_status st;
	gpgme_key_t signer = NULL, key = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;

	if (!gpg_is_fpr(signer_fpr) || !gpg_is_fpr(fpr))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_key_by_fpr(ctx, signer_fpr, 1, &signer)) != CRYPTO_OK ||
	    (st = gpg_key_by_fpr(ctx, fpr, 0, &key)) != CRYPTO_OK)
		goto out;
	if ((err = gpgme_signers_add(ctx, signer)) != 0) {
		st = gpg_err_status(err);
		goto out;
	}
	/* every user id, exportable, for as long as both keys live */
	err = gpgme_op_keysign(ctx, key, NULL, 0, GPGME_KEYSIGN_NOEXPIRE);
	if (err != 0) {
		log_warnx("crypto event=keysign-failed err=\"%s\"",
		    gpgme_strerror(err));
		st = CRYPTO_ENGINE_ERROR;
	}
out:
	gpgme_key_unref(signer);
	gpgme_key_unref(key);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
keys_delete(struct gpg *g, const char *fpr)
{
	enum crypto_status st;
	gpgme_key_t key = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;

	if (!gpg_is_fpr(fpr))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_key_by_fpr(ctx, fpr, 0, &key)) == CRYPTO_OK) {
		err = gpgme_op_delete_ext(ctx, key, GPGME_DELETE_ALLOW_SECRET |
		    GPGME_DELETE_FORCE);
		st = gpg_err_status(err);
	}
	gpgme_key_unref(key);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
keys_add_uid(struct gpg *g, const char *fpr, const char *userid)
{
	enum crypto_status st;
	gpgme_key_t key = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;

	if (!gpg_is_fpr(fpr) || userid == NULL || *userid == '\0')
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_key_by_fpr(ctx, fpr, 1, &key)) == CRYPTO_OK &&
	    (err = gpgme_op_adduid(ctx, key, userid, 0)) != 0) {
		log_warnx("crypto event=adduid-failed err=\"%s\"",
		    gpgme_strerror(err));
		st = CRYPTO_ENGINE_ERROR;
	}
	gpgme_key_unref(key);
	gpgme_release(ctx);
	return st;
}
