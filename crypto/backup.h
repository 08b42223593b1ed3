/*
 * backup: the OpenPGP side of hubctl backup and restore (hubctl(8)).
 *
 * A backup holds the hub's secret keys, so it exists only encrypted:
 * backup_seal() has GPGME pull the plaintext from the caller's reader
 * while it writes the ciphertext to a descriptor, signed with the hub
 * key; backup_open() removes the encryption layer only, and
 * backup_verify() hands the plaintext to the caller's writer as gpg
 * checks the signature.  Nothing is written in clear by backup: the GPGME data
 * objects read and write through callbacks and carry the "sensitive"
 * flag (gpg_internal.h).  The keyring travels as gpg's own export of
 * every public and every secret key (backup_keyring_export()), taken
 * through gpg, which holds its own locks while the keyring changes, and
 * comes back by import into a new GNUPGHOME.
 *
 * The recipient is the admin's choice: a key of the given keyring named
 * by fingerprint, or the one key of a public key file, imported into a
 * scratch GNUPGHOME (removed afterwards) so the hub's keyring is not
 * changed.  No trust database is asked: the admin named the key.
 *
 * Used by hubctl only.  Every function blocks while gpg runs.  The
 * caller owns every buf; out-parameters are written only on CRYPTO_OK.
 */
#ifndef CRYPTO_BACKUP_H
#define CRYPTO_BACKUP_H

#include <stddef.h>
#include <sys/types.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"

struct buf;

/* The reader gives up to size octets of plaintext: their number, 0 at
 * the end, -1 (errno set) to stop the backup. */
typedef ssize_t (*backup_read_fn)(void *arg, void *p, size_t size);
/* The writer takes size octets of plaintext: 0, or -1 to stop. */
typedef int (*backup_write_fn)(void *arg, const void *p, size_t size);

/*
 * Sign what rd gives with signer, a secret key of g (the hub key), and
 * encrypt it to the key fpr of g's keyring (it must be able to
 * encrypt), binary OpenPGP, into out_fd.  A reader failure is
 * CRYPTO_ENGINE_ERROR (the reader keeps its own reason in arg).
 */
enum crypto_status backup_seal(struct gpg *g, const char *signer,
    const char *fpr, backup_read_fn rd, void *arg, int out_fd) CRYPTO_WUR;

/*
 * The same to the one public key in keydata (armored or binary; more
 * than one key or none is CRYPTO_MALFORMED), checked in a scratch
 * GNUPGHOME and given to gpg as a recipient file; fpr_out names it.
 */
enum crypto_status backup_seal_keydata(struct gpg *g, const char *signer,
    const void *keydata, size_t len, backup_read_fn rd, void *arg,
    int out_fd, char fpr_out[41]) CRYPTO_WUR;

/*
 * Decrypt in_fd with the secret keys of g's keyring into out_fd, the
 * encryption layer removed only (gpg --unwrap): what comes out is the
 * signed message, still to be checked by backup_verify().
 * CRYPTO_NO_MDC for a message without integrity protection,
 * CRYPTO_DECRYPT_FAILED for a damaged or truncated one, CRYPTO_NO_SECKEY
 * when no key of g fits, CRYPTO_MALFORMED when it is no OpenPGP message.
 */
enum crypto_status backup_open(struct gpg *g, int in_fd, int out_fd)
    CRYPTO_WUR;

/* What backup_verify() found: the signatures, the first one's issuer
 * fingerprint, and whether it is good with a key of the keyring or its
 * key is missing there. */
struct backup_sig {
	int	count;
	char	fpr[64];
	int	good;
	int	no_key;
};

/*
 * Check the signed message in_fd (what backup_open() wrote) with the
 * public keys of g's keyring, the plaintext to wr as it comes (wr NULL:
 * thrown away).  The verdict is in *sig, whatever the plaintext: the
 * caller decides (no key there yet is not an error).
 */
enum crypto_status backup_verify(struct gpg *g, int in_fd, backup_write_fn wr,
    void *arg, struct backup_sig *sig) CRYPTO_WUR;

/* Every key of g's keyring, binary: with secret, gpg's export of every
 * secret key (unprotected, as the hub keeps them); else every public key
 * with its certifications.  Appended to out (BUF_SENSITIVE for the
 * secret keys). */
enum crypto_status backup_keyring_export(struct gpg *g, int secret,
    struct buf *out) CRYPTO_WUR;

/*
 * Stop the gpg-agent serving homedir, if one runs (importing secret keys
 * starts one): gpgconf --kill gpg-agent.  Best effort.
 */
void backup_agent_stop(const char *homedir);

#endif
