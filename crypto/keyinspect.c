/*
 * keyinspect: a key's facts from a scratch GNUPGHOME; see
 * crypto/keyinspect.h.
 *
 * Only crypto/keys.h's public functions touch the keyrings: the scratch
 * home is just another struct gpg, so the facts come from the same
 * keys_lookup() the rest of the hub reads keys with.
 */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/gpg_internal.h"
#include "crypto/keyinspect.h"
#include "base/buf.h"
#include "base/log.h"

static int
write_small(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (len > 0 && write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	/* best effort: what is left stays in $TMPDIR, holding public keys */
	(void)remove(path);
	return 0;
}

void
gpg_scratch_remove(const char *dir)
{
	if (nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) == -1)
		log_warnx("crypto event=scratch-home-left dir=%s", dir);
}

int
gpg_scratch_make(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, size, "%s/hubkey.XXXXXX", tmp) >= size ||
	    mkdtemp(dir) == NULL)
		return -1;
	/*
	 * No agent: importing public keys needs none, and one started here
	 * would outlive the directory.  An empty common.conf keeps a newer
	 * gpg from switching a new home to keyboxd, another daemon.
	 */
	if (write_small(dir, "gpg.conf", "no-autostart\n") == -1 ||
	    write_small(dir, "common.conf", "") == -1) {
		gpg_scratch_remove(dir);
		return -1;
	}
	return 0;
}

enum crypto_status
keys_inspect(struct gpg *hub, const void *data, size_t len,
    struct key_import **impp, struct key_info **kip)
{
	struct key_import *imp = NULL, *known = NULL;
	struct key_info *ki = NULL;
	enum crypto_status st;
	struct gpg *sg = NULL;
	struct buf *own = NULL;
	char dir[PATH_MAX];
	const char *fpr;

	if (gpg_scratch_make(dir, sizeof dir) == -1) {
		log_warn("crypto event=scratch-home-failed");
		return CRYPTO_ENGINE_ERROR;
	}
	if ((st = gpg_open(dir, &sg)) != CRYPTO_OK ||
	    (st = keys_import(sg, data, len, &imp)) != CRYPTO_OK)
		goto out;
	if (imp->considered != 1 || imp->nitems < 1 || !imp->items[0].ok ||
	    !gpg_is_fpr(imp->items[0].fpr))
		goto done;
	fpr = imp->items[0].fpr;
	/* the hub's copy may already carry a revocation the file lacks */
	own = buf_new(0);
	st = keys_export(hub, fpr, 0, own);
	if (st == CRYPTO_OK && buf_len(own) > 0)
		st = keys_import(sg, buf_data(own), buf_len(own), &known);
	else if (st == CRYPTO_KEY_NOT_FOUND || st == CRYPTO_OK)
		st = CRYPTO_OK;
	if (st != CRYPTO_OK || (st = keys_lookup(sg, fpr, &ki)) != CRYPTO_OK)
		goto out;
done:
	*impp = imp;
	*kip = ki;
	imp = NULL;
	ki = NULL;
	st = CRYPTO_OK;
out:
	key_info_free(ki);
	key_import_free(known);
	key_import_free(imp);
	buf_free(own);
	gpg_close(sg);
	gpg_scratch_remove(dir);
	return st;
}

enum crypto_status
keys_inspect_certified(struct gpg *hub, const void *data, size_t len,
    const char *fpr, const char *by_fpr, int *yes)
{
	struct key_import *imp = NULL, *by = NULL;
	enum crypto_status st;
	struct gpg *sg = NULL;
	struct buf *cert = NULL;
	char dir[PATH_MAX];

	*yes = 0;
	if (gpg_scratch_make(dir, sizeof dir) == -1) {
		log_warn("crypto event=scratch-home-failed");
		return CRYPTO_ENGINE_ERROR;
	}
	cert = buf_new(0);
	if ((st = gpg_open(dir, &sg)) != CRYPTO_OK ||
	    (st = keys_import(sg, data, len, &imp)) != CRYPTO_OK ||
	    (st = keys_export(hub, by_fpr, 0, cert)) != CRYPTO_OK ||
	    (st = keys_import(sg, buf_data(cert), buf_len(cert), &by)) !=
	    CRYPTO_OK)
		goto out;
	st = keys_certified_by(sg, fpr, by_fpr, yes);
out:
	key_import_free(imp);
	key_import_free(by);
	buf_free(cert);
	gpg_close(sg);
	gpg_scratch_remove(dir);
	return st;
}
