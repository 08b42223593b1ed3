/*
 * keyinspect: the facts of a key as the hub keyring would hold them after
 * importing it, without importing it.  The data is imported into a
 * scratch GNUPGHOME together with the hub keyring's own copy of the same
 * key, if it has one, so the facts are those of the merged key: a file
 * with an old copy of a key the hub already knows to be revoked is still
 * a revoked key.  Then the scratch home is removed; the hub keyring is
 * not changed.
 *
 * The scratch home never starts a gpg-agent (gpg.conf "no-autostart"):
 * public keys need none, and secret key material in the data is refused
 * by gpg there instead of reaching anything (it counts as not imported).
 *
 * Used by lists/contact_key, in hubctl and (later) the worker.  Blocks
 * while gpg runs (a few gpg processes); writes under $TMPDIR or /tmp.
 * Out-parameters are written only on CRYPTO_OK and owned by the caller:
 * key_import_free(), key_info_free() (crypto/keys.h).
 */
#ifndef CRYPTO_KEYINSPECT_H
#define CRYPTO_KEYINSPECT_H

#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"

/*
 * What importing data into hub would do (*impp, as keys_import() says
 * it: CRYPTO_MALFORMED when the data holds no key) and, when exactly one
 * key was considered and it imported cleanly, that key's facts (*kip; else
 * *kip is NULL).  certifications in *kip are not checked (the scratch
 * home lacks the certifiers' keys): read them from the hub keyring.
 */
enum crypto_status keys_inspect(struct gpg *hub, const void *data,
    size_t len, struct key_import **impp, struct key_info **kip) CRYPTO_WUR;

/*
 * Does the key fpr as data holds it carry a valid certification by
 * by_fpr (the hub keyring's copy of it), keys_certified_by()'s rule?
 * Checked in a scratch keyring holding the two keys alone: data is not
 * imported into the hub keyring.
 */
enum crypto_status keys_inspect_certified(struct gpg *hub, const void *data,
    size_t len, const char *fpr, const char *by_fpr, int *yes) CRYPTO_WUR;

#endif
