/*
 * gpg: the GPGME engine of the hub.
 *
 * struct gpg names one GNUPGHOME (the hub's own, never the user's) and
 * hands out a fresh GPGME context per operation.  It caches the list's
 * signing key for a minute, so use one struct gpg per thread (they are
 * cheap); it survives fork().  The first homedir opened in a process
 * becomes GPGME's default there (see gpg_open()).  Every context is OpenPGP,
 * batch (pinentry mode "error": a key needing a passphrase fails instead
 * of prompting), offline (no keyserver or WKD lookup, no auto-key-retrieve)
 * and never consults the trust database: which keys to trust is decided by
 * lists/ from the roster, by fingerprint.
 *
 * Used by the worker process (and tools).  gpg_open() does not block;
 * every operation in keys.c, decrypt.c and encrypt.c blocks while gpg runs.
 * gpg_open() returns a handle the caller frees with gpg_close();
 * gpg_close(NULL) is a no-op.
 */
#ifndef CRYPTO_GPG_H
#define CRYPTO_GPG_H

#include "crypto/crypto.h"

struct gpg;

/* Call once in main() before any thread exists (gpg_open() also does). */
enum crypto_status gpg_init(void) CRYPTO_WUR;

/* homedir must exist and be mode 0700; kept as an absolute copy. */
enum crypto_status gpg_open(const char *homedir, struct gpg **gp) CRYPTO_WUR;

/*
 * Bring homedir's gpg.conf up to what the hub needs, keeping every other
 * line: "no-random-seed-file", because libgcrypt locks random_seed with
 * fcntl and a gpg that finds it held sleeps 250 ms, so the worker's
 * parallel gpg processes stalled each other on most posts (issue 17).
 * Idempotent; written atomically.  hubctl init and the worker at start.
 */
enum crypto_status gpg_home_tune(const char *homedir) CRYPTO_WUR;
void gpg_close(struct gpg *g);
/* Why the last operation of g that writes in its homedir failed, as
 * logged ("No space left on device (gpg said: Unknown system error)");
 * "" when none has.  For a CLI, whose last line should say it. */
const char *gpg_last_failure(const struct gpg *g);

/* True if s is a full 40-hex-digit v4 fingerprint (what callers pass). */
int gpg_is_fpr(const char *s);

#endif
