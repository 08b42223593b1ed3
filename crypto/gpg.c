#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <pwd.h>
#include <dirent.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include <gpgme.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/gpg_internal.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"

struct gpg {
	char		*homedir;
	int		 is_default;	/* homedir is GPGME's default */
	/* the last signing key, see gpg_signer() */
	char		 signer_fpr[41];
	gpgme_key_t	 signer;
	time_t		 signer_at;
	char		 last_failure[256];	/* gpg_fail_text()'s */
	struct gpg_ring_stamp signer_stamp;
	/* every public key of the keyring, sorted by primary fingerprint,
	 * as listed when the keyring files were as in ring_stamp (see
	 * gpg_ring_refresh()) */
	gpgme_key_t	*ring;
	size_t		 nring;
	int		 have_ring;
	struct gpg_ring_stamp ring_stamp;
};

/* The first homedir opened becomes GPGME's default for the process. */
static char *default_home;

static const char *const status_names[] = {
	[CRYPTO_OK] = "ok",
	[CRYPTO_NOT_ENCRYPTED] = "not-encrypted",
	[CRYPTO_NOT_SIGNED] = "not-signed",
	[CRYPTO_BAD_SIGNATURE] = "bad-signature",
	[CRYPTO_UNKNOWN_SIGNER] = "unknown-signer",
	[CRYPTO_KEY_EXPIRED] = "key-expired",
	[CRYPTO_KEY_REVOKED] = "key-revoked",
	[CRYPTO_SIG_EXPIRED] = "signature-expired",
	[CRYPTO_UNPROTECTED_PARTS] = "unprotected-parts",
	[CRYPTO_NO_MDC] = "no-mdc",
	[CRYPTO_DECRYPT_FAILED] = "decrypt-failed",
	[CRYPTO_NO_SECKEY] = "no-secret-key",
	[CRYPTO_MALFORMED] = "malformed",
	[CRYPTO_HOSTILE] = "hostile-structure",
	[CRYPTO_KEY_NOT_FOUND] = "key-not-found",
	[CRYPTO_KEY_AMBIGUOUS] = "key-ambiguous",
	[CRYPTO_KEY_UNUSABLE] = "key-unusable",
	[CRYPTO_BAD_ARGUMENT] = "bad-argument",
	[CRYPTO_ENGINE_ERROR] = "engine-error",
};

const char *
crypto_status_str(enum crypto_status st)
{
	if ((unsigned)st >= sizeof status_names / sizeof status_names[0] ||
	    status_names[st] == NULL)
		return "unknown-status";
	return status_names[st];
}

static int gpg_initialised;

enum crypto_status
gpg_init(void)
{
	/*
	 * gpgme_check_version() initialises GPGME's global state; GPGME asks
	 * for it before threads exist.  1.11.2 is the first version with
	 * legacy_cipher_nomdc, which the EFAIL refusal depends on.
	 */
	if (gpg_initialised)
		return CRYPTO_OK;
	if (gpgme_check_version("1.11.2") == NULL) {
		log_warnx("crypto event=gpgme-too-old");
		return CRYPTO_ENGINE_ERROR;
	}
	if (gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) != 0) {
		log_warnx("crypto event=no-openpgp-engine");
		return CRYPTO_ENGINE_ERROR;
	}
	gpg_initialised = 1;
	return CRYPTO_OK;
}

/*
 * Every file of the keyring must be ours: gpg refuses (or half-works on)
 * a file another user owns and GPGME reports only an engine error, which
 * sent hubctl's admin guessing and the workers into a restart loop after
 * a root-run hubctl left root's files in the hub user's keyring (issue
 * 14).  Checked before GPGME runs; the message names the file and its
 * owner.  dir and its subdirectories one level down (private-keys-v1.d,
 * openpgp-revocs.d) are all gpg keeps there.
 */
static int
home_owner_ok(const char *dir, int depth)
{
	struct dirent *de;
	struct stat sb;
	char path[PATH_MAX];
	DIR *d;
	int ok = 1;

	if ((d = opendir(dir)) == NULL)
		return 1;	/* gpg says what is wrong with it */
	while (ok && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) == -1)
			continue;
		if (sb.st_uid != geteuid()) {
			struct passwd *pw;
			char owner[64], me[64];

			/* getpwuid's answer is overwritten by the next call */
			pw = getpwuid(sb.st_uid);
			snprintf(owner, sizeof owner, "%s",
			    pw != NULL ? pw->pw_name : "?");
			pw = getpwuid(geteuid());
			snprintf(me, sizeof me, "%s",
			    pw != NULL ? pw->pw_name : "?");
			log_warnx("crypto event=keyring-not-ours file=%s "
			    "owner=%s running-as=%s (chown -R %s %s)", path,
			    owner, me, me, dir);
			ok = 0;
		} else if (S_ISDIR(sb.st_mode) && depth > 0)
			ok = home_owner_ok(path, depth - 1);
	}
	closedir(d);
	return ok;
}

enum crypto_status
gpg_open(const char *homedir, struct gpg **gp)
{
	enum crypto_status st;
	struct gpg *g;
	struct stat sb;
	char *abs;

	if (homedir == NULL || *homedir == '\0')
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_init()) != CRYPTO_OK)
		return st;
	if (stat(homedir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		log_warnx("crypto event=no-gnupghome");
		return CRYPTO_ENGINE_ERROR;
	}
	if (sb.st_uid != geteuid()) {
		struct passwd *pw = getpwuid(sb.st_uid);

		log_warnx("crypto event=keyring-not-ours file=%s owner=%s "
		    "(the keyring must be the running user's)", homedir,
		    pw != NULL ? pw->pw_name : "?");
		return CRYPTO_ENGINE_ERROR;
	}
	if (!home_owner_ok(homedir, 1))
		return CRYPTO_ENGINE_ERROR;
	if ((abs = realpath(homedir, NULL)) == NULL)
		return CRYPTO_ENGINE_ERROR;
	/*
	 * A context with its own engine info makes GPGME run "gpg --version"
	 * before every operation, doubling the processes per message.  So
	 * the first homedir becomes the process default (normally the only
	 * one, the worker's), and only others are set per context.
	 */
	if (default_home == NULL) {
		if (gpgme_set_engine_info(GPGME_PROTOCOL_OpenPGP, NULL,
		    abs) != 0) {
			free(abs);
			return CRYPTO_ENGINE_ERROR;
		}
		default_home = xstrdup(abs);
	}
	g = xcalloc(1, sizeof *g);
	g->homedir = xstrdup(abs);
	g->is_default = strcmp(default_home, abs) == 0;
	free(abs);
	*gp = g;
	return CRYPTO_OK;
}

static const char *const home_options[] = {
	"no-random-seed-file",
};

enum crypto_status
gpg_home_tune(const char *homedir)
{
	char path[PATH_MAX];
	struct buf *b = buf_new(0);
	const char *p, *e;
	size_t i, len, added = 0;
	bool have;

	if (snprintf(path, sizeof path, "%s/gpg.conf", homedir) >=
	    (int)sizeof path) {
		buf_free(b);
		return CRYPTO_BAD_ARGUMENT;
	}
	if (fs_read_small(path, b, 1 << 20) == -1 && errno != ENOENT) {
		log_warn("crypto event=gpg-conf-unreadable path=%s", path);
		buf_free(b);
		return CRYPTO_ENGINE_ERROR;
	}
	for (i = 0; i < sizeof home_options / sizeof home_options[0]; i++) {
		len = strlen(home_options[i]);
		have = false;
		for (p = buf_data(b), e = p + buf_len(b); p < e && !have;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(e - p);

			while (ll > 0 && (p[ll - 1] == ' ' || p[ll - 1] == '\t' ||
			    p[ll - 1] == '\r'))
				ll--;
			have = ll == len && memcmp(p, home_options[i], len) == 0;
			p = nl != NULL ? nl + 1 : e;
		}
		if (have)
			continue;
		if (buf_len(b) > 0 && buf_data(b)[buf_len(b) - 1] != '\n')
			buf_append(b, "\n", 1);
		if (added++ == 0)
			buf_append_str(b, "# added by csirt-hub (gpg_home_tune)\n");
		buf_printf(b, "%s\n", home_options[i]);
	}
	if (added > 0 && fs_write_atomic(path, buf_data(b), buf_len(b),
	    0600) == -1) {
		log_warn("crypto event=gpg-conf-write path=%s", path);
		buf_free(b);
		return CRYPTO_ENGINE_ERROR;
	}
	buf_free(b);
	return CRYPTO_OK;
}

/*
 * The files gpg keeps public keys in (a keybox, a legacy keyring, the
 * keyboxd database): any write to one changes its inode (gpg writes a
 * copy and renames it), size, mtime or ctime.  A missing file is all
 * zeros, so its creation is a change too.
 */
static const char *const ring_files[GPG_RING_FILES] = {
	"pubring.kbx", "pubring.gpg", "public-keys.d/pubring.db",
	"public-keys.d/pubring.db-wal",
};

static void
ring_stamp(const struct gpg *g, struct gpg_ring_stamp *st)
{
	struct stat sb;
	char path[PATH_MAX];
	size_t i;

	memset(st, 0, sizeof *st);
	for (i = 0; i < GPG_RING_FILES; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s", g->homedir,
		    ring_files[i]) >= sizeof path || stat(path, &sb) == -1)
			continue;
		st->f[i].dev = (unsigned long long)sb.st_dev;
		st->f[i].ino = (unsigned long long)sb.st_ino;
		st->f[i].size = (long long)sb.st_size;
		st->f[i].mtime = (long long)sb.st_mtim.tv_sec;
		st->f[i].mtime_ns = sb.st_mtim.tv_nsec;
		st->f[i].ctime = (long long)sb.st_ctim.tv_sec;
		st->f[i].ctime_ns = sb.st_ctim.tv_nsec;
	}
}

static int
ring_stamp_eq(const struct gpg_ring_stamp *a, const struct gpg_ring_stamp *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

static void
ring_drop(struct gpg *g)
{
	size_t i;

	for (i = 0; i < g->nring; i++)
		gpgme_key_unref(g->ring[i]);
	free(g->ring);
	g->ring = NULL;
	g->nring = 0;
	g->have_ring = 0;
}

static int
ring_cmp(const void *a, const void *b)
{
	const gpgme_key_t *ka = a, *kb = b;

	return strcasecmp((*ka)->fpr, (*kb)->fpr);
}

enum crypto_status
gpg_ring_refresh(struct gpg *g)
{
	struct gpg_ring_stamp now;
	enum crypto_status st;
	gpgme_key_t key, *v = NULL;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	size_t n = 0, cap = 0;

	/* stamped before the listing: a change while gpg lists is seen as
	 * a change at the next call, never lost */
	ring_stamp(g, &now);
	if (g->have_ring && ring_stamp_eq(&now, &g->ring_stamp))
		return CRYPTO_OK;
	ring_drop(g);
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	if ((err = gpgme_op_keylist_start(ctx, NULL, 0)) != 0) {
		gpgme_release(ctx);
		return CRYPTO_ENGINE_ERROR;
	}
	while ((err = gpgme_op_keylist_next(ctx, &key)) == 0) {
		if (key->fpr == NULL) {
			gpgme_key_unref(key);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = key;
	}
	(void)gpgme_op_keylist_end(ctx);
	gpgme_release(ctx);
	if (gpgme_err_code(err) != GPG_ERR_EOF) {
		while (n > 0)
			gpgme_key_unref(v[--n]);
		free(v);
		log_warnx("crypto event=keyring-list-failed err=\"%s\"",
		    gpgme_strerror(err));
		return CRYPTO_ENGINE_ERROR;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, ring_cmp);
	g->ring = v;
	g->nring = n;
	g->have_ring = 1;
	g->ring_stamp = now;
	log_debug("crypto event=keyring-listed keys=%zu", n);
	return CRYPTO_OK;
}

gpgme_key_t
gpg_ring_find(const struct gpg *g, const char *fpr)
{
	size_t lo = 0, hi = g->nring, mid;
	int c;

	if (!g->have_ring || !gpg_is_fpr(fpr))
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcasecmp(fpr, g->ring[mid]->fpr);
		if (c == 0)
			return g->ring[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

enum crypto_status
gpg_ring_holder(struct gpg *g, const char *fpr, gpgme_key_t *keyp,
    size_t *np)
{
	enum crypto_status st;
	gpgme_subkey_t sk;
	size_t i;

	*keyp = NULL;
	*np = 0;
	if ((st = gpg_ring_refresh(g)) != CRYPTO_OK)
		return st;
	for (i = 0; i < g->nring; i++)
		for (sk = g->ring[i]->subkeys; sk != NULL; sk = sk->next)
			if (sk->fpr != NULL && strcasecmp(sk->fpr, fpr) == 0) {
				if ((*np)++ == 0)
					*keyp = g->ring[i];
				break;
			}
	return CRYPTO_OK;
}

void
gpg_close(struct gpg *g)
{
	if (g == NULL)
		return;
	if (g->signer != NULL)
		gpgme_key_unref(g->signer);
	ring_drop(g);
	free(g->homedir);
	free(g);
}

int
gpg_is_fpr(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'F') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[40] == '\0';
}

enum crypto_status
gpg_ctx_new(struct gpg *g, gpgme_ctx_t *ctxp)
{
	gpgme_ctx_t ctx;
	gpgme_error_t err;

	if ((err = gpgme_new(&ctx)) != 0)
		return CRYPTO_ENGINE_ERROR;
	if ((err = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (!g->is_default && (err = gpgme_ctx_set_engine_info(ctx,
	    GPGME_PROTOCOL_OpenPGP, NULL, g->homedir)) != 0) ||
	    (err = gpgme_set_pinentry_mode(ctx,
	    GPGME_PINENTRY_MODE_ERROR)) != 0 ||
	    (err = gpgme_set_keylist_mode(ctx,
	    GPGME_KEYLIST_MODE_LOCAL)) != 0 ||
	    (err = gpgme_set_ctx_flag(ctx, "auto-key-retrieve", "0")) != 0) {
		log_warnx("crypto event=ctx-setup-failed err=\"%s\"",
		    gpgme_strerror(err));
		gpgme_release(ctx);
		return CRYPTO_ENGINE_ERROR;
	}
	/* no network: keyservers, WKD, DANE are off for every operation */
	gpgme_set_offline(ctx, 1);
	gpgme_set_armor(ctx, 1);
	gpgme_set_textmode(ctx, 0);
	*ctxp = ctx;
	return CRYPTO_OK;
}

enum crypto_status
gpg_err_status(gpgme_error_t err)
{
	switch (gpgme_err_code(err)) {
	case GPG_ERR_NO_ERROR:
		return CRYPTO_OK;
	case GPG_ERR_NO_SECKEY:
		return CRYPTO_NO_SECKEY;
	case GPG_ERR_DECRYPT_FAILED:
	case GPG_ERR_BAD_DATA:
	case GPG_ERR_CHECKSUM:
	case GPG_ERR_INV_PACKET:
	case GPG_ERR_BAD_MPI:
	case GPG_ERR_TRUNCATED:
		return CRYPTO_DECRYPT_FAILED;
	case GPG_ERR_NO_DATA:
	case GPG_ERR_INV_DATA:
	case GPG_ERR_INV_ARMOR:
		return CRYPTO_MALFORMED;
	case GPG_ERR_NO_PUBKEY:
	case GPG_ERR_EOF:
		return CRYPTO_KEY_NOT_FOUND;
	case GPG_ERR_AMBIGUOUS_NAME:
		return CRYPTO_KEY_AMBIGUOUS;
	case GPG_ERR_UNUSABLE_PUBKEY:
	case GPG_ERR_UNUSABLE_SECKEY:
	case GPG_ERR_KEY_EXPIRED:
	case GPG_ERR_CERT_REVOKED:
	case GPG_ERR_WRONG_KEY_USAGE:
		return CRYPTO_KEY_UNUSABLE;
	case GPG_ERR_INV_VALUE:
	case GPG_ERR_INV_NAME:
		return CRYPTO_BAD_ARGUMENT;
	default:
		return CRYPTO_ENGINE_ERROR;
	}
}

/*
 * gpg and its agent report a write that failed in GNUPGHOME (the lock
 * file of pubring.kbx, a new key's file) as "Unknown system error": the
 * errno is gone before GPGME sees it, and an admin facing a full disk
 * read "engine-error".  After a failure, a write of our own in the same
 * directory, as large as a key file and the keyring's lock together,
 * finds the errno again; it is removed at once.
 */
#define GPG_PROBE_LEN	16384

static int
home_write_probe(const char *home)
{
	static const char zero[4096];
	char path[PATH_MAX];
	size_t off;
	int fd, saved = 0;

	snprintf(path, sizeof path, "%s/.hub-probe.%ld", home, (long)getpid());
	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return errno;
	for (off = 0; off < GPG_PROBE_LEN && saved == 0; off += sizeof zero)
		if (write(fd, zero, sizeof zero) != (ssize_t)sizeof zero)
			saved = errno != 0 ? errno : ENOSPC;
	if (saved == 0 && fsync(fd) == -1)
		saved = errno;
	if (close(fd) == -1 && saved == 0)
		saved = errno;
	(void)unlink(path);
	return saved;
}

const char *
gpg_fail_text(struct gpg *g, gpgme_error_t err, char *buf, size_t n)
{
	int e;

	/* an errno GPGME kept says it all (gpg's lost one is all bits set,
	 * "Unknown system error", which maps to no errno) */
	if (gpgme_err_code_to_errno(gpgme_err_code(err)) != 0 ||
	    (e = home_write_probe(g->homedir)) == 0)
		snprintf(buf, n, "%s", gpgme_strerror(err));
	else
		snprintf(buf, n, "%s (gpg said: %s)", strerror(e),
		    gpgme_strerror(err));
	snprintf(g->last_failure, sizeof g->last_failure, "%s", buf);
	return buf;
}

const char *
gpg_last_failure(const struct gpg *g)
{
	return g->last_failure;
}

static gpgme_ssize_t
src_read(void *h, void *p, size_t n)
{
	struct gpg_src *s = h;
	size_t left = s->len - s->off;

	if (n > left)
		n = left;
	if (n > 0)
		memcpy(p, s->p + s->off, n);
	s->off += n;
	return (gpgme_ssize_t)n;
}

static off_t
src_seek(void *h, off_t off, int whence)
{
	struct gpg_src *s = h;
	off_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (off_t)s->off;
		break;
	case SEEK_END:
		base = (off_t)s->len;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (off < -base || base + off > (off_t)s->len) {
		errno = EINVAL;
		return -1;
	}
	s->off = (size_t)(base + off);
	return (off_t)s->off;
}

static struct gpgme_data_cbs src_cbs = {
	.read = src_read,
	.seek = src_seek,
};

static gpgme_ssize_t
sink_write(void *h, const void *p, size_t n)
{
	struct gpg_sink *s = h;

	if (n > s->max - buf_len(s->out)) {
		s->overflow = 1;
		errno = EFBIG;
		return -1;
	}
	buf_append(s->out, p, n);
	return (gpgme_ssize_t)n;
}

static struct gpgme_data_cbs sink_cbs = {
	.write = sink_write,
};

static enum crypto_status
data_finish(gpgme_data_t d, gpgme_data_t *dp)
{
	/* GPGME's internal copies are wiped too (invariant 2) */
	if (gpgme_data_set_flag(d, "sensitive", "1") != 0) {
		gpgme_data_release(d);
		return CRYPTO_ENGINE_ERROR;
	}
	*dp = d;
	return CRYPTO_OK;
}

enum crypto_status
gpg_data_src(struct gpg_src *src, const void *p, size_t len,
    gpgme_data_t *dp)
{
	gpgme_data_t d;

	src->p = p;
	src->len = len;
	src->off = 0;
	if (gpgme_data_new_from_cbs(&d, &src_cbs, src) != 0)
		return CRYPTO_ENGINE_ERROR;
	return data_finish(d, dp);
}

enum crypto_status
gpg_data_sink(struct gpg_sink *sink, struct buf *out, size_t max,
    gpgme_data_t *dp)
{
	gpgme_data_t d;

	sink->out = out;
	sink->max = max;
	sink->overflow = 0;
	if (buf_len(out) > max)
		return CRYPTO_BAD_ARGUMENT;
	if (gpgme_data_new_from_cbs(&d, &sink_cbs, sink) != 0)
		return CRYPTO_ENGINE_ERROR;
	return data_finish(d, dp);
}

enum crypto_status
gpg_key_by_fpr(gpgme_ctx_t ctx, const char *fpr, int secret,
    gpgme_key_t *keyp)
{
	gpgme_key_t key = NULL, k;
	gpgme_error_t err;
	size_t found = 0;

	if (!gpg_is_fpr(fpr))
		return CRYPTO_BAD_ARGUMENT;
	/*
	 * Listed on ctx itself, not with gpgme_get_key(): that makes a
	 * context of its own, whose copied engine info runs "gpg --version"
	 * before the listing (two processes per lookup).  As gpgme_get_key(),
	 * a pattern two keys answer to is ambiguous.
	 */
	if ((err = gpgme_op_keylist_start(ctx, fpr, secret)) != 0)
		return gpg_err_status(err);
	while ((err = gpgme_op_keylist_next(ctx, &k)) == 0) {
		if (found++ == 0)
			key = k;
		else
			gpgme_key_unref(k);
	}
	(void)gpgme_op_keylist_end(ctx);
	if (gpgme_err_code(err) != GPG_ERR_EOF) {
		gpgme_key_unref(key);
		return gpg_err_status(err) == CRYPTO_OK ? CRYPTO_ENGINE_ERROR :
		    gpg_err_status(err);
	}
	if (found == 0)
		return CRYPTO_KEY_NOT_FOUND;
	if (found > 1) {
		gpgme_key_unref(key);
		return CRYPTO_KEY_AMBIGUOUS;
	}
	/* only a primary fingerprint names a key; a subkey's does not */
	if (key->fpr == NULL || strcasecmp(key->fpr, fpr) != 0) {
		gpgme_key_unref(key);
		return CRYPTO_KEY_NOT_FOUND;
	}
	*keyp = key;
	return CRYPTO_OK;
}

int
gpg_key_usable(gpgme_key_t k, int enc)
{
	gpgme_subkey_t sk;
	time_t now = hub_now();

	if (k->revoked || k->expired || k->disabled || k->invalid)
		return 0;
	/* a listing kept between posts knows only the expiry date: the
	 * primary key's ends the key */
	if (k->subkeys != NULL && k->subkeys->expires > 0 &&
	    k->subkeys->expires <= now)
		return 0;
	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if (!sk->revoked && !sk->expired && !sk->disabled &&
		    !sk->invalid && (sk->expires == 0 || sk->expires > now) &&
		    (enc ? sk->can_encrypt : sk->can_sign))
			return 1;
	return 0;
}

enum crypto_status
gpg_signer(struct gpg *g, gpgme_ctx_t ctx, const char *fpr,
    gpgme_key_t *keyp)
{
	struct gpg_ring_stamp rs;
	enum crypto_status st;
	gpgme_key_t k;
	time_t now = hub_mono();

	/*
	 * A list signs every outgoing copy with the same key; listing it
	 * again per recipient would cost one more gpg run each time.  The
	 * key is re-read when the keyring files change (a revocation
	 * imported), when its expiry date passes, and at the latest after
	 * GPG_SIGNER_TTL seconds.
	 */
	ring_stamp(g, &rs);
	if (g->signer != NULL && strcasecmp(g->signer_fpr, fpr) == 0 &&
	    now >= g->signer_at && now - g->signer_at < GPG_SIGNER_TTL &&
	    ring_stamp_eq(&rs, &g->signer_stamp) &&
	    gpg_key_usable(g->signer, 0)) {
		gpgme_key_ref(g->signer);
		*keyp = g->signer;
		return CRYPTO_OK;
	}
	if ((st = gpg_key_by_fpr(ctx, fpr, 1, &k)) != CRYPTO_OK)
		return st;
	if (!gpg_key_usable(k, 0)) {
		gpgme_key_unref(k);
		return CRYPTO_KEY_UNUSABLE;
	}
	if (g->signer != NULL)
		gpgme_key_unref(g->signer);
	gpgme_key_ref(k);
	g->signer = k;
	g->signer_at = now;
	g->signer_stamp = rs;
	(void)snprintf(g->signer_fpr, sizeof g->signer_fpr, "%s", fpr);
	*keyp = k;
	return CRYPTO_OK;
}
