#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/keyfile.h"
#include "crypto/wrap.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/xalloc.h"

static enum keyfile_status
seterr(char *err, size_t n, enum keyfile_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum keyfile_status
seterr(char *err, size_t n, enum keyfile_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return st;
}

/*
 * Plain write and fsync, not base/fsutil's: the fault hook counts the
 * spool's commit points, and the worker creates the archive's key file
 * on its first post.
 */
static int
write_synced(const char *path, const void *p, size_t len)
{
	int fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (write(fd, p, len) != (ssize_t)len || fsync(fd) == -1)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

enum keyfile_status
keyfile_create(struct gpg *g, const char *fpr, const char *path, size_t len,
    struct buf *key, char *err, size_t errsize)
{
	struct buf *wrapped = buf_new(0);
	enum keyfile_status st = KEYFILE_OK;
	enum crypto_status cst;
	unsigned char *k = xmalloc(len);
	char dir[4096], *tmp;
	int exists = 0;

	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	fs_dirname(path, dir, sizeof dir);
	hub_random(k, len);
	if ((cst = wrap_secret(g, fpr, k, len, 1, wrapped)) != CRYPTO_OK) {
		st = seterr(err, errsize, KEYFILE_CRYPTO, "cannot wrap the key "
		    "of %s to %s: %s", path, fpr, crypto_status_str(cst));
		goto out;
	}
	(void)unlink(tmp);
	if (write_synced(tmp, buf_data(wrapped), buf_len(wrapped)) == -1 ||
	    (link(tmp, path) == -1 && !(exists = errno == EEXIST)) ||
	    fs_fsync_dir(dir) == -1) {
		st = seterr(err, errsize, KEYFILE_IO, "cannot write %s: %s",
		    path, strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	(void)unlink(tmp);
	if (exists) {
		st = seterr(err, errsize, KEYFILE_EXISTS, "%s exists already",
		    path);
		goto out;
	}
	buf_append(key, k, len);
out:
	hub_wipe(k, len);
	free(k);
	buf_free(wrapped);
	free(tmp);
	return st;
}

enum keyfile_status
keyfile_load(struct gpg *g, const char *path, size_t len, struct buf *key,
    char *err, size_t errsize)
{
	struct buf *wrapped = buf_new(0);
	enum keyfile_status st = KEYFILE_OK;
	enum crypto_status cst;

	if (fs_read_small(path, wrapped, 1 << 16) == -1)
		st = seterr(err, errsize, errno == ENOENT ? KEYFILE_MISSING :
		    KEYFILE_IO, "cannot read %s: %s", path, strerror(errno));
	else if ((cst = unwrap_secret(g, buf_data(wrapped), buf_len(wrapped),
	    key)) != CRYPTO_OK)
		st = seterr(err, errsize, cst == CRYPTO_ENGINE_ERROR ?
		    KEYFILE_CRYPTO : KEYFILE_BAD, "cannot unwrap %s: %s", path,
		    crypto_status_str(cst));
	else if (buf_len(key) != len)
		st = seterr(err, errsize, KEYFILE_BAD, "%s: not a %zu-octet "
		    "key", path, len);
	buf_free(wrapped);
	return st;
}

int
keyfile_read_fpr(const char *path, char fpr[41])
{
	struct buf *b = buf_new(0);
	char f[41];
	int rc = -1;

	if (fs_read_small(path, b, 128) == -1)
		goto out;
	errno = EINVAL;
	if (buf_len(b) < 40)
		goto out;
	memcpy(f, buf_data(b), 40);
	f[40] = '\0';
	if (!gpg_is_fpr(f))
		goto out;
	memcpy(fpr, f, sizeof f);
	rc = 0;
out:
	buf_free(b);
	return rc;
}
