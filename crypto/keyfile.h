/*
 * keyfile: a database's key at rest -- a fresh random key that exists on
 * disk only wrapped (crypto/wrap) to the hub's own OpenPGP key, and the
 * way back.  Used by lists/store (hub.db.key) and archive/archive
 * (archive.db.key); crypto/db takes the key from there.
 *
 * keyfile_create() links the wrapped key into place and never replaces a
 * file: when two processes race to create one, the second finds the
 * first's (KEYFILE_EXISTS) and both go on with that one.  The link is
 * durable (directory synced) before it returns, because a database whose
 * key is lost is lost.
 *
 * Keys land only in BUF_SENSITIVE bufs, which the caller owns; on
 * failure err (size errsize) names the file and the problem.  Both
 * functions block while gpg runs.
 */
#ifndef CRYPTO_KEYFILE_H
#define CRYPTO_KEYFILE_H

#include <stddef.h>

struct buf;
struct gpg;

#define KEYFILE_WUR	__attribute__((warn_unused_result))

enum keyfile_status {
	KEYFILE_OK = 0,
	KEYFILE_MISSING,	/* no key file */
	KEYFILE_EXISTS,		/* create: a key file is already there */
	KEYFILE_BAD,		/* does not unwrap, or the wrong size */
	KEYFILE_CRYPTO,		/* gpg failed */
	KEYFILE_IO,		/* files failed */
};

/*
 * A random key of len octets, wrapped (armored) to the key fpr, linked
 * to path (mode 0600).  On KEYFILE_OK key holds the new key.
 */
enum keyfile_status keyfile_create(struct gpg *g, const char *fpr,
    const char *path, size_t len, struct buf *key, char *err,
    size_t errsize) KEYFILE_WUR;

/* Read and unwrap path; a key of any other size than len is KEYFILE_BAD.
 * On KEYFILE_OK key holds it. */
enum keyfile_status keyfile_load(struct gpg *g, const char *path, size_t len,
    struct buf *key, char *err, size_t errsize) KEYFILE_WUR;

/* The hub key's fingerprint from path (hub.fpr: 40 hex digits, a
 * newline) into fpr: 0, or -1 with errno (EINVAL: not a fingerprint). */
int keyfile_read_fpr(const char *path, char fpr[41]) KEYFILE_WUR;

#endif
