/*
 * keys: facts about OpenPGP keys in the hub's GNUPGHOME, import, export
 * and generation of the list's own key pair.
 *
 * Keys are always named by their full 40-hex-digit primary fingerprint,
 * never by address: which key belongs to whom is the roster's business
 * (lists/).  Certifications on user ids are reported as GPG checked them
 * (--check-sigs), so lists/endorse can ask keys_certified_by() whether a
 * member's key certified a candidate's.
 *
 * Used in the worker process and by hubctl.  Every function blocks while
 * gpg runs.  Structures returned through out-parameters are owned by the
 * caller: key_info_free(), key_import_free() (both no-ops on NULL).
 * Out-parameters are written only when CRYPTO_OK is returned.
 */
#ifndef CRYPTO_KEYS_H
#define CRYPTO_KEYS_H

#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"

struct buf;

/* A certification of a user id by some key (self-signatures excluded). */
struct key_cert {
	char		 keyid[17];	/* issuer key id, hex */
	unsigned	 sig_class;	/* 0x10..0x13; 0x30 revocation */
	long long	 created;
	long long	 expires;	/* 0 = never */
	int		 good;		/* checked and valid */
	int		 revoked;	/* this is or was revoked */
	int		 expired;
	int		 exportable;
};

struct key_uid {
	char		*uid;		/* full user id, as stored */
	char		*email;		/* may be "" */
	int		 revoked;
	int		 invalid;
	size_t		 ncerts;
	struct key_cert	*certs;
};

struct key_info {
	char		 fpr[41];	/* primary fingerprint */
	long long	 created;
	long long	 expires;	/* primary key expiry, 0 = never */
	int		 revoked;
	int		 expired;
	int		 disabled;
	int		 invalid;
	int		 has_secret;
	int		 can_encrypt;	/* a valid encryption subkey */
	int		 can_sign;	/* a valid signing (sub)key, now */
	size_t		 nuids;
	struct key_uid	*uids;
	/* the 16-digit key ids of the primary key and every subkey,
	 * uppercase: what a message names as its recipients */
	size_t		 nkeyids;
	char		 (*keyids)[17];
	/* their full fingerprints, in the same order ("" if gpg gave
	 * none) */
	char		 (*fprs)[41];
};

enum crypto_status keys_lookup(struct gpg *g, const char *fpr,
    struct key_info **kip) CRYPTO_WUR;
void key_info_free(struct key_info *ki);
/*
 * Whether a key of g other than the one with primary fingerprint except
 * holds a primary key or subkey with fingerprint fpr: CRYPTO_OK with its
 * primary fingerprint in holder, CRYPTO_KEY_NOT_FOUND if none does.  A
 * subkey bound by two primary keys makes the signatures it made name
 * either (crypto/decrypt.h: unknown-signer).
 */
enum crypto_status keys_subkey_holder(struct gpg *g, const char *fpr,
    const char *except, char holder[41]) CRYPTO_WUR;
int keys_can_encrypt(const struct key_info *ki);
int keys_can_sign(const struct key_info *ki);

/*
 * *yes = 1 if a valid (checked, unrevoked, unexpired) certification by
 * by_fpr's primary key exists on a valid user id of fpr.
 */
enum crypto_status keys_certified_by(struct gpg *g, const char *fpr,
    const char *by_fpr, int *yes) CRYPTO_WUR;

/* What one keys_import() did, GPGME's import result as plain data. */
struct key_import_item {
	char		 fpr[41];
	int		 ok;		/* this key imported or merged */
	int		 is_new;	/* key was not in the keyring */
	int		 new_uids;
	int		 new_sigs;
	int		 new_subkeys;
	int		 secret;
};

struct key_import {
	int		 considered;
	int		 imported;	/* new keys */
	int		 unchanged;
	int		 not_imported;
	int		 new_user_ids;
	int		 new_signatures;
	int		 new_subkeys;
	int		 secret_imported;
	size_t		 nitems;
	struct key_import_item *items;
};

/* Armored or binary public keys; fails with CRYPTO_MALFORMED on no key. */
enum crypto_status keys_import(struct gpg *g, const void *data, size_t len,
    struct key_import **resp) CRYPTO_WUR;
void key_import_free(struct key_import *r);

/* Append the public key (armored if armor) to out. */
/*
 * The encryption-relevant state of many keys in one listing (one gpg
 * run instead of two per key: the worker checks every recipient of every
 * post).  states[i] describes fprs[i] (40 hex digits, any case); a key
 * not in the keyring has found = 0.  No certifications are read.
 */
struct key_state {
	int		 found;
	int		 revoked;
	int		 expired;
	int		 can_encrypt;	/* usable for encryption now */
	long long	 expires;	/* primary key expiry, 0 = never */
};

enum crypto_status keys_states(struct gpg *g, const char *const *fprs,
    size_t n, struct key_state *states) CRYPTO_WUR;

enum crypto_status keys_export(struct gpg *g, const char *fpr, int armor,
    struct buf *out) CRYPTO_WUR;

/*
 * Generate the list key: an ed25519 primary (certify+sign) and a cv25519
 * encryption subkey, no passphrase (the key is protected by the worker's
 * uid and GNUPGHOME permissions).  The expiry is always the caller's
 * choice: KEYS_NO_EXPIRY or a number of seconds from now.
 */
#define KEYS_NO_EXPIRY	0UL
enum crypto_status keys_generate(struct gpg *g, const char *userid,
    unsigned long expires_in, char fpr_out[41]) CRYPTO_WUR;

/*
 * Certify every user id of fpr with the secret key signer_fpr (an
 * exportable certification without expiry): hubctl list rekey has the
 * old list key vouch for the new one.
 */
enum crypto_status keys_certify(struct gpg *g, const char *signer_fpr,
    const char *fpr) CRYPTO_WUR;
/* Add the user id to our own key fpr, self-signed (an imported list key
 * gets the list's address on the hub). */
enum crypto_status keys_add_uid(struct gpg *g, const char *fpr,
    const char *userid) CRYPTO_WUR;
/* Remove fpr and its secret key, if any, from the keyring (a key that
 * hubctl imported and then refused). */
enum crypto_status keys_delete(struct gpg *g, const char *fpr) CRYPTO_WUR;

#endif
