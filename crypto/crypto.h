/*
 * crypto: the one status vocabulary of the crypto/ layer.
 *
 * Every function in crypto/ that can fail returns an enum crypto_status;
 * every GPGME and libetpan error is mapped onto one of these values, so
 * callers (the worker, lists/policy) can turn it into an SMTP reply, a
 * notice text and a log reason=... token without knowing GPGME.
 * crypto_status_str() returns a static, log-safe token ("no-mdc").
 * Used in the worker process only; nothing here blocks.
 */
#ifndef CRYPTO_CRYPTO_H
#define CRYPTO_CRYPTO_H

#define CRYPTO_WUR	__attribute__((warn_unused_result))

enum crypto_status {
	CRYPTO_OK = 0,
	/* Facts about a message (see verified_status()). */
	CRYPTO_NOT_ENCRYPTED,	/* no OpenPGP encryption found */
	CRYPTO_NOT_SIGNED,	/* no signature at all */
	CRYPTO_BAD_SIGNATURE,	/* signature does not match the content */
	CRYPTO_UNKNOWN_SIGNER,	/* signer's key is not in the keyring */
	CRYPTO_KEY_EXPIRED,	/* signer's key had expired */
	CRYPTO_KEY_REVOKED,	/* signer's key is revoked */
	CRYPTO_SIG_EXPIRED,	/* the signature itself expired */
	CRYPTO_UNPROTECTED_PARTS, /* content outside the envelope (dropped) */
	/* Refusals: decrypt_verify() returns these and reports nothing. */
	CRYPTO_NO_MDC,		/* no integrity protection (EFAIL) */
	CRYPTO_DECRYPT_FAILED,	/* tampered or corrupt ciphertext */
	CRYPTO_NO_SECKEY,	/* not encrypted to any key we hold */
	CRYPTO_MALFORMED,	/* broken MIME, armor or transfer encoding */
	/* structure beyond our limits (depth, parts, header or size) */
	CRYPTO_HOSTILE,
	/* Keys and engine. */
	CRYPTO_KEY_NOT_FOUND,	/* no key with that fingerprint */
	CRYPTO_KEY_AMBIGUOUS,	/* fingerprint matches more than one key */
	/* key cannot encrypt/sign: expired, revoked, disabled, invalid,
	 * or no such subkey */
	CRYPTO_KEY_UNUSABLE,
	CRYPTO_BAD_ARGUMENT,	/* caller error (e.g. not a fingerprint) */
	CRYPTO_ENGINE_ERROR,	/* gpg/GPGME failed: environment problem */
};

const char *crypto_status_str(enum crypto_status st);

#endif
