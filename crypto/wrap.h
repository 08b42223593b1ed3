/*
 * wrap: protect a small secret (the roster store's or the archive's
 * database key) with the hub's own OpenPGP key, so the secret exists on
 * disk only encrypted.
 *
 * wrap_secret() encrypts to exactly one fingerprint (binary or armored
 * OpenPGP, the caller chooses); unwrap_secret() decrypts with whatever
 * secret key of the GNUPGHOME fits.  Nothing goes through a temporary
 * file: GPGME reads caller memory and writes into a struct buf, with its
 * "sensitive" flag set, and the plaintext lands in a BUF_SENSITIVE buf
 * that wipes itself when freed.
 *
 * Used by crypto/keyfile for the database keys of lists/store and
 * archive/archive.  wrap_secret() and unwrap_secret() block while gpg
 * runs.  The caller owns every buf.  On failure an output buf may hold
 * partial data: callers reset or free it.
 */
#ifndef CRYPTO_WRAP_H
#define CRYPTO_WRAP_H

#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"

struct buf;

/* A wrapped secret is small: refuse to decrypt anything bigger. */
#define WRAP_SECRET_MAX	4096

/*
 * Encrypt len octets of secret to the key fpr (a full fingerprint; the
 * key must be able to encrypt), armored if armor, appending to out.
 */
enum crypto_status wrap_secret(struct gpg *g, const char *fpr,
    const void *secret, size_t len, int armor, struct buf *out) CRYPTO_WUR;

/*
 * Decrypt what wrap_secret() made (binary or armored) into plain, which
 * must have been made with BUF_SENSITIVE (else CRYPTO_BAD_ARGUMENT).
 * Refuses a message without integrity protection (CRYPTO_NO_MDC) and a
 * plaintext over WRAP_SECRET_MAX (CRYPTO_HOSTILE).
 */
enum crypto_status unwrap_secret(struct gpg *g, const void *ct, size_t len,
    struct buf *plain) CRYPTO_WUR;

#endif
