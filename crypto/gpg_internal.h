/*
 * gpg_internal: helpers shared by the crypto/ sources only (not a public
 * interface; nothing outside crypto/ includes it).
 *
 * Plaintext never touches disk (invariant 2): every GPGME data object we
 * create reads from caller memory or writes into a struct buf through
 * gpgme_data_new_from_cbs(), and carries the "sensitive" flag so GPGME
 * wipes its own internal buffers too.  The caller owns the buf.
 */
#ifndef CRYPTO_GPG_INTERNAL_H
#define CRYPTO_GPG_INTERNAL_H

#include <stddef.h>

#include <gpgme.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"

struct buf;

/* A reader over caller memory; must outlive the data object. */
struct gpg_src {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

enum crypto_status gpg_ctx_new(struct gpg *g, gpgme_ctx_t *ctxp) CRYPTO_WUR;
/* Map a GPGME error of a decrypt/encrypt/key operation. */
enum crypto_status gpg_err_status(gpgme_error_t err);

/*
 * The text to log for a failed operation that writes in g's homedir:
 * gpgme_strerror(err), and when the homedir refuses a small write of
 * our own, that write's errno ("No space left on device"), which gpg
 * itself loses ("Unknown system error").  Written into buf (n bytes).
 */
const char *gpg_fail_text(struct gpg *g, gpgme_error_t err, char *buf,
    size_t n);

/* A writer into a buf, refusing to grow it past max bytes (overflow is
 * then set): a compressed OpenPGP message can expand a thousandfold. */
struct gpg_sink {
	struct buf	*out;
	size_t		 max;
	int		 overflow;
};

#define GPG_NO_LIMIT	((size_t)-1)

/* Data objects: input from memory, output into a buf (not copied). */
enum crypto_status gpg_data_src(struct gpg_src *src, const void *p,
    size_t len, gpgme_data_t *dp) CRYPTO_WUR;
enum crypto_status gpg_data_sink(struct gpg_sink *sink, struct buf *out,
    size_t max, gpgme_data_t *dp) CRYPTO_WUR;

/* Look a key up by exact fingerprint; secret=1 for our own keys. */
enum crypto_status gpg_key_by_fpr(gpgme_ctx_t ctx, const char *fpr,
    int secret, gpgme_key_t *keyp) CRYPTO_WUR;

/* Not revoked/expired/disabled/invalid, with a subkey valid now that can
 * encrypt (enc) or sign. */
int gpg_key_usable(gpgme_key_t k, int enc);

/* What the keyring files looked like (crypto/gpg.c ring_files). */
#define GPG_RING_FILES	4
struct gpg_ring_stamp {
	struct {
		unsigned long long dev, ino;
		long long	 size, mtime, ctime;
		long		 mtime_ns, ctime_ns;
	} f[GPG_RING_FILES];
};

/*
 * Every public key of g's keyring, listed in one gpg run and kept in g
 * until a keyring file changes (stat() per call, no gpg run while
 * nothing changed): the worker reads the state of every recipient's key
 * for every post, and one listing per post (or per key) was the largest
 * fixed cost after the encryption itself.  The flags in a kept listing
 * (expired) are as of the listing; compare expiry dates with hub_now()
 * (gpg_key_usable() does).  CRYPTO_ENGINE_ERROR if gpg cannot list.
 */
enum crypto_status gpg_ring_refresh(struct gpg *g) CRYPTO_WUR;
/* The key whose primary fingerprint is fpr in the last listing (a
 * borrowed reference, valid until the next gpg_ring_refresh() on g:
 * gpgme_key_ref() it to keep it longer); NULL if none. */
gpgme_key_t gpg_ring_find(const struct gpg *g, const char *fpr);
/* The keys of the listing (refreshed first) with a primary key or subkey
 * whose fingerprint is fpr: how many (*np), and the first (borrowed, as
 * gpg_ring_find()'s), NULL if none. */
enum crypto_status gpg_ring_holder(struct gpg *g, const char *fpr,
    gpgme_key_t *keyp, size_t *np) CRYPTO_WUR;

/* The secret signing key fpr, cached in g while the keyring files stay
 * as they were, for GPG_SIGNER_TTL seconds at most; the caller unrefs
 * *keyp.  CRYPTO_KEY_UNUSABLE if it cannot sign. */
#define GPG_SIGNER_TTL	60
enum crypto_status gpg_signer(struct gpg *g, gpgme_ctx_t ctx,
    const char *fpr, gpgme_key_t *keyp) CRYPTO_WUR;

/*
 * A fresh, private GNUPGHOME under $TMPDIR (or /tmp) in dir, for public
 * keys only: its gpg.conf says no-autostart, so no agent is started that
 * would outlive it (crypto/keyinspect, crypto/backup).  0 or -1.
 * gpg_scratch_remove() deletes it, best effort (logged).
 */
int gpg_scratch_make(char *dir, size_t size);
void gpg_scratch_remove(const char *dir);

#endif
