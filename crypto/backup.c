/*
 * backup: the OpenPGP side of hubctl backup and restore; see
 * crypto/backup.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gpgme.h>

#include "crypto/backup.h"
#include "crypto/gpg_internal.h"
#include "crypto/keys.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

struct reader {
	backup_read_fn	 fn;
	void		*arg;
};

static gpgme_ssize_t
reader_read(void *h, void *p, size_t n)
{
	struct reader *r = h;

	return (gpgme_ssize_t)r->fn(r->arg, p, n);
}

struct writer {
	backup_write_fn	 fn;
	void		*arg;
};

static gpgme_ssize_t
writer_write(void *h, const void *p, size_t n)
{
	struct writer *w = h;

	if (w->fn(w->arg, p, n) == -1) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return (gpgme_ssize_t)n;
}

static struct gpgme_data_cbs reader_cbs = { .read = reader_read };
static struct gpgme_data_cbs writer_cbs = { .write = writer_write };

/* A callback data object flagged sensitive: it carries the plaintext. */
static enum crypto_status
data_cbs(struct gpgme_data_cbs *cbs, void *h, gpgme_data_t *dp)
{
	gpgme_data_t d;

	if (gpgme_data_new_from_cbs(&d, cbs, h) != 0)
		return CRYPTO_ENGINE_ERROR;
	if (gpgme_data_set_flag(d, "sensitive", "1") != 0) {
		gpgme_data_release(d);
		return CRYPTO_ENGINE_ERROR;
	}
	*dp = d;
	return CRYPTO_OK;
}

/*
 * Sign with signer (a secret key of g) and encrypt to the key fpr of
 * g's keyring, or with rcpt_file to the one key in that file (gpg's
 * --recipient-file: the hub's keyring is not changed).
 */
static enum crypto_status
seal(struct gpg *g, const char *signer, const char *fpr,
    const char *rcpt_file, backup_read_fn rd, void *arg, int out_fd)
{
	struct reader r = { rd, arg };
	gpgme_data_t in = NULL, out = NULL;
	gpgme_key_t keys[2] = { NULL, NULL }, sk = NULL;
	gpgme_sign_result_t sr;
	enum crypto_status st;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	char *recp = NULL;

	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if (fpr != NULL) {
		if ((st = gpg_key_by_fpr(ctx, fpr, 0, &keys[0])) != CRYPTO_OK)
			goto out;
		if (!gpg_key_usable(keys[0], 1)) {
			st = CRYPTO_KEY_UNUSABLE;
			goto out;
		}
	}
	/* the hub's own key signs: restore checks it against the hub
	 * fingerprint the admin expects */
	if ((st = gpg_key_by_fpr(ctx, signer, 1, &sk)) != CRYPTO_OK) {
		log_warnx("crypto event=backup-signer-missing fpr=%s", signer);
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	gpgme_signers_clear(ctx);
	if (gpgme_signers_add(ctx, sk) != 0) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	if ((st = data_cbs(&reader_cbs, &r, &in)) != CRYPTO_OK)
		goto out;
	if (gpgme_data_new_from_fd(&out, out_fd) != 0) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	gpgme_set_armor(ctx, 0);
	/* the admin named the key: no trust question, and no encrypt-to
	 * of a gpg.conf adding a reader */
	if (rcpt_file != NULL) {
		recp = xasprintf("--file\n%s", rcpt_file);
		err = gpgme_op_encrypt_sign_ext(ctx, NULL, recp,
		    GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_ENCRYPT_TO,
		    in, out);
	} else
		err = gpgme_op_encrypt_sign(ctx, keys,
		    GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_ENCRYPT_TO,
		    in, out);
	sr = err == 0 ? gpgme_op_sign_result(ctx) : NULL;
	if (err == 0 && (sr == NULL || sr->signatures == NULL ||
	    sr->invalid_signers != NULL)) {
		log_warnx("crypto event=backup-seal-unsigned");
		st = CRYPTO_ENGINE_ERROR;
	} else if (err != 0) {
		log_warnx("crypto event=backup-seal-failed err=\"%s\"",
		    gpgme_strerror(err));
		st = gpg_err_status(err);
		if (st == CRYPTO_OK || st == CRYPTO_DECRYPT_FAILED ||
		    st == CRYPTO_MALFORMED)
			st = CRYPTO_ENGINE_ERROR;
	}
out:
	free(recp);
	gpgme_data_release(in);
	gpgme_data_release(out);
	gpgme_key_unref(keys[0]);
	gpgme_key_unref(sk);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
backup_seal(struct gpg *g, const char *signer, const char *fpr,
    backup_read_fn rd, void *arg, int out_fd)
{
	return seal(g, signer, fpr, NULL, rd, arg, out_fd);
}

enum crypto_status
backup_seal_keydata(struct gpg *g, const char *signer, const void *keydata,
    size_t len, backup_read_fn rd, void *arg, int out_fd, char fpr_out[41])
{
	struct key_import *imp = NULL;
	enum crypto_status st;
	struct gpg *sg = NULL;
	char dir[PATH_MAX], *file = NULL;
	size_t off = 0;
	ssize_t n;
	int fd;

	if (gpg_scratch_make(dir, sizeof dir) == -1) {
		log_warn("crypto event=scratch-home-failed");
		return CRYPTO_ENGINE_ERROR;
	}
	if ((st = gpg_open(dir, &sg)) != CRYPTO_OK ||
	    (st = keys_import(sg, keydata, len, &imp)) != CRYPTO_OK)
		goto out;
	/* one key, or which one the admin meant is a guess */
	if (imp->considered != 1 || imp->nitems != 1 || !imp->items[0].ok ||
	    imp->items[0].secret || !gpg_is_fpr(imp->items[0].fpr)) {
		st = CRYPTO_MALFORMED;
		goto out;
	}
	/* the one public key, for gpg's --recipient-file in the hub's
	 * keyring (whose key signs) */
	file = xasprintf("%s/recipient.pgp", dir);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	for (off = 0; off < len; off += (size_t)n)
		if ((n = write(fd, (const char *)keydata + off, len - off)) <=
		    0 && !(n == -1 && errno == EINTR))
			break;
		else if (n == -1)
			n = 0;
	close(fd);
	if (off < len) {
		log_warn("crypto event=backup-recipient-file-failed");
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	if ((st = seal(g, signer, NULL, file, rd, arg, out_fd)) == CRYPTO_OK)
		memcpy(fpr_out, imp->items[0].fpr, 41);
out:
	if (file != NULL) {
		(void)unlink(file);
		free(file);
	}
	key_import_free(imp);
	gpg_close(sg);
	gpg_scratch_remove(dir);
	return st;
}

enum crypto_status
backup_open(struct gpg *g, int in_fd, int out_fd)
{
	gpgme_data_t in = NULL, out = NULL;
	gpgme_decrypt_result_t dr;
	enum crypto_status st;
	gpgme_ctx_t ctx;
	gpgme_error_t err;

	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if (gpgme_data_new_from_fd(&in, in_fd) != 0 ||
	    gpgme_data_new_from_fd(&out, out_fd) != 0) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	/* gpg --unwrap: the signed message inside, verified afterwards
	 * with the hub key the backup brings (backup_verify()) */
	err = gpgme_op_decrypt_ext(ctx, GPGME_DECRYPT_UNWRAP, in, out);
	dr = gpgme_op_decrypt_result(ctx);
	if (dr != NULL && dr->legacy_cipher_nomdc)
		st = CRYPTO_NO_MDC;
	else if (err != 0) {
		st = gpg_err_status(err);
		if (st == CRYPTO_OK)
			st = CRYPTO_ENGINE_ERROR;
		log_warnx("crypto event=backup-open-failed err=\"%s\"",
		    gpgme_strerror(err));
	}
out:
	gpgme_data_release(in);
	gpgme_data_release(out);
	gpgme_release(ctx);
	return st;
}

static int
discard(void *arg, const void *p, size_t n)
{
	(void)arg;
	(void)p;
	(void)n;
	return 0;
}

enum crypto_status
backup_verify(struct gpg *g, int in_fd, backup_write_fn wr, void *arg,
    struct backup_sig *sig)
{
	struct writer w = { wr != NULL ? wr : discard, arg };
	gpgme_data_t in = NULL, out = NULL;
	gpgme_verify_result_t vr;
	gpgme_signature_t s;
	enum crypto_status st;
	gpgme_ctx_t ctx;
	gpgme_error_t err;

	memset(sig, 0, sizeof *sig);
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if (gpgme_data_new_from_fd(&in, in_fd) != 0) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	if ((st = data_cbs(&writer_cbs, &w, &out)) != CRYPTO_OK)
		goto out;
	err = gpgme_op_verify(ctx, in, NULL, out);
	vr = gpgme_op_verify_result(ctx);
	for (s = vr != NULL ? vr->signatures : NULL; s != NULL; s = s->next) {
		if (sig->count++ > 0)
			continue;
		if (s->fpr != NULL)
			snprintf(sig->fpr, sizeof sig->fpr, "%s", s->fpr);
		sig->good = gpgme_err_code(s->status) == GPG_ERR_NO_ERROR &&
		    (s->summary & (GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED |
		    GPGME_SIGSUM_KEY_MISSING)) == 0;
		sig->no_key = gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY;
	}
	if (err != 0) {
		log_warnx("crypto event=backup-verify-failed err=\"%s\"",
		    gpgme_strerror(err));
		st = gpg_err_status(err);
		if (st == CRYPTO_OK)
			st = CRYPTO_ENGINE_ERROR;
	}
out:
	gpgme_data_release(in);
	gpgme_data_release(out);
	gpgme_release(ctx);
	return st;
}

enum crypto_status
backup_keyring_export(struct gpg *g, int secret, struct buf *out)
{
	enum crypto_status st;
	struct gpg_sink sk;
	gpgme_ctx_t ctx;
	gpgme_data_t d;
	gpgme_error_t err;

	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((st = gpg_data_sink(&sk, out, GPG_NO_LIMIT, &d)) != CRYPTO_OK) {
		gpgme_release(ctx);
		return st;
	}
	gpgme_set_armor(ctx, 0);
	/* no pattern: every key; the public export keeps every
	 * certification (the endorsements' evidence) */
	err = gpgme_op_export_ext(ctx, NULL, secret ?
	    GPGME_EXPORT_MODE_SECRET : 0, d);
	gpgme_data_release(d);
	gpgme_release(ctx);
	if (err != 0) {
		log_warnx("crypto event=keyring-export-failed secret=%d "
		    "err=\"%s\"", secret, gpgme_strerror(err));
		st = gpg_err_status(err);
		return st == CRYPTO_OK ? CRYPTO_ENGINE_ERROR : st;
	}
	return CRYPTO_OK;
}

void
backup_agent_stop(const char *homedir)
{
	const char *gpgconf = gpgme_get_dirinfo("gpgconf-name");
	int status, null;
	pid_t pid;

	if (gpgconf == NULL)
		return;
	if ((pid = fork()) == -1) {
		log_warn("crypto event=agent-stop-failed home=%s", homedir);
		return;
	}
	if (pid == 0) {
		if ((null = open("/dev/null", O_RDWR)) != -1) {
			(void)dup2(null, STDIN_FILENO);
			(void)dup2(null, STDOUT_FILENO);
			(void)dup2(null, STDERR_FILENO);
		}
		execl(gpgconf, "gpgconf", "--homedir", homedir, "--kill",
		    "gpg-agent", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
}
