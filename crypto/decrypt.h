/*
 * decrypt: decrypt and verify one received message with the keys in the
 * hub's GNUPGHOME, and report the facts.  It decides no policy: whether a
 * signer may post is lists/' business.  It refuses outright only what is
 * never acceptable, and then reports nothing:
 *   CRYPTO_NO_MDC          encryption without integrity protection (EFAIL)
 *   CRYPTO_DECRYPT_FAILED  tampered or corrupt ciphertext
 *   CRYPTO_NO_SECKEY       not encrypted to a key we hold (also a
 *                          message for a passphrase only, seen in its
 *                          framing before gpg runs, or a passphrase gpg
 *                          asked for: the hub never has one)
 *   CRYPTO_MALFORMED       broken MIME, armor, transfer encoding
 *   CRYPTO_HOSTILE         beyond the limits in mime.h
 *   CRYPTO_ENGINE_ERROR    only what may pass by itself: gpg or the
 *                          agent could not run or talk, memory, I/O;
 *                          gpg's catch-all error only while a probe of
 *                          the engine fails too; "no secret key" for a
 *                          key whose secret the keyring holds (the agent
 *                          did not answer)
 * Every GPGME outcome other than the last is a refusal that a retry
 * would repeat (classify() in decrypt.c).
 * Everything else is CRYPTO_OK with a struct verified of facts;
 * verified_status() condenses them into one status for a log line.
 *
 * Content outside the encrypted or signed envelope (EFAIL wrapping, a
 * footer, text around an inline armor block) is never part of cleartext:
 * only its part paths are listed, in dropped[] for clear text parts
 * beside a PGP/MIME encrypted envelope that may be left out (pEp's
 * explanation; crypto/pgpmime.h), in unprotected[] for all else.
 *
 * Coverage (what each signature vouches for) is reported, not judged:
 * the content is made of pieces, each protected on its own (the one
 * PGP/MIME payload, or one inline block), and every signature names the
 * piece it covers and whether it covers all of it from inside that
 * piece's encryption.  lists/policy decides what is enough.
 *
 * Budget: every decryption, decompression and verification of one
 * message draws its output from one budget of DECRYPT_BUDGET octets,
 * checked while gpg streams (a compression bomb stops at the budget, not
 * after it), a message may hold at most DECRYPT_MAX_BLOCKS inline
 * OpenPGP blocks, an encrypted one at most DECRYPT_MAX_SESSION_KEYS
 * session key packets, and any OpenPGP message at most
 * DECRYPT_MAX_SIGNATURES signatures (one-pass and signature packets in
 * its framing before gpg runs; the signatures gpg reports, inside the
 * encryption too, before any key is looked up).  Beyond any:
 * CRYPTO_HOSTILE.  Compressed data at the top level of a message is
 * CRYPTO_HOSTILE too: it hides its packets from the framing, and in an
 * opaque signed message gpg would decrypt what it holds (gpg --sign -z 0
 * is read; the hub does not inflate).  A packet that belongs to a key,
 * not a message (user id, key, trust), is CRYPTO_MALFORMED.
 *
 * Plaintext stays in memory (struct buf, BUF_SENSITIVE; GPGME data with
 * the sensitive flag): no temp files.  Used in the worker process; blocks
 * while gpg runs.  The caller frees *vp with verified_free() (NULL ok).
 */
#ifndef CRYPTO_DECRYPT_H
#define CRYPTO_DECRYPT_H

#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"

struct buf;

#define DECRYPT_BUDGET		MIME_MAX_SIZE	/* octets, whole message */
#define DECRYPT_MAX_BLOCKS	32		/* inline OpenPGP blocks */
/* per OpenPGP message, counted in its framing before gpg runs
 * (crypto/packets.h): session keys (each a secret-key operation in the
 * agent when hidden) and signatures (each a verification in gpg and a
 * key lookup here; inside the encryption counted as gpg reports them) */
#define DECRYPT_MAX_SESSION_KEYS 64
#define DECRYPT_MAX_SIGNATURES	4

/* GPGME's signature summary bits, mirrored so callers need no gpgme.h. */
#define SIGSUM_VALID		0x0001
#define SIGSUM_GREEN		0x0002
#define SIGSUM_RED		0x0004
#define SIGSUM_KEY_REVOKED	0x0010
#define SIGSUM_KEY_EXPIRED	0x0020
#define SIGSUM_SIG_EXPIRED	0x0040
#define SIGSUM_KEY_MISSING	0x0080

struct sig_fact {
	/*
	 * The signer: the primary key's full fingerprint (what a roster
	 * names), or the 16-digit key id if the key is missing.  A signature
	 * by a signing subkey is resolved to its primary key here, so no
	 * caller compares a subkey's fingerprint with a contact's.
	 */
	char			fpr[41];
	/* the (sub)key that made the signature, as gpg reported it: the
	 * signing subkey's fingerprint, or fpr again when the primary key
	 * signed (or the key is missing) */
	char			key_fpr[41];
	/* CRYPTO_OK (good), _BAD_SIGNATURE, _UNKNOWN_SIGNER, _KEY_EXPIRED,
	 * _KEY_REVOKED or _SIG_EXPIRED */
	enum crypto_status	status;
	unsigned		summary;	/* SIGSUM_* bits from GPGME */
	long long		created;
	long long		expires;	/* 0 = never */
	int			key_expired;
	int			key_revoked;
	int			key_missing;
	char			hash[16];	/* "SHA256" */
	/* MIME path, in the received message, of what the signature
	 * covers: "" the whole message, "1" its first part ... and, for a
	 * signature inside the ciphertext, prefixed by "enc:" ("enc:" the
	 * whole cleartext, "enc:1" the first part of a nested
	 * multipart/signed) */
	char			covers[64];
	/* the piece (index into struct verified's pieces) it belongs to,
	 * and whether it covers that piece's whole content: for an
	 * encrypted piece, made inside the encryption over all of the
	 * decrypted content (RFC 3156 §6.2 combined, or §6.1 nested
	 * multipart/signed that is the relayed content); for a
	 * clearsigned or multipart/signed piece, over all of it */
	size_t			piece;
	int			whole;
};

/* One independently protected piece of the content. */
struct piece_fact {
	char			path[64];	/* MIME path as received */
	int			encrypted;
	/* inline signed, not encrypted: a clearsigned text or an opaque
	 * signed message (gpg --sign, armored or binary) */
	int			clearsigned;
	/* where its plaintext, exactly as gpg gave it, lies in cleartext:
	 * the same signed content has the same bytes however it was
	 * wrapped (the replay key is made of them) */
	size_t			off;
	size_t			len;
	/* its recipients: recipients[rcpt_first .. + nrcpt) of struct
	 * verified (each piece may be encrypted to other keys) */
	size_t			rcpt_first;
	size_t			nrcpt;
};

struct verified {
	enum pgp_form		 form;
	int			 exchange_repaired;
	int			 gpgol;		/* from GpgOL's attachment */
	int			 encrypted;
	int			 integrity;	/* MDC or AEAD verified */
	int			 nested;	/* multipart/signed inside */
	char			 symkey_algo[32]; /* "AES256.CFB" */
	size_t			 nrecipients;
	/* the key ids (16 hex digits) it was encrypted to */
	char			 (*recipients)[17];
	size_t			 nsigs;
	struct sig_fact		*sigs;
	size_t			 nunprotected;
	char			**unprotected;	/* MIME paths */
	size_t			 ndropped;
	char			**dropped;	/* MIME paths */
	size_t			 npieces;
	struct piece_fact	*pieces;
	/*
	 * Protected headers (RFC 9788 / protected-headers="v1") count only
	 * where a signature covers them: on the signed content itself, never
	 * on an unsigned wrapper around it.  subject and the recipients come
	 * from there; NULL / 0 when the signed content carries none.
	 */
	int			 protected_headers;
	char			*subject;	/* signed Subject, raw (RFC 2047
						   still encoded); may be NULL */
	/* the addresses of the signed To and Cc, lowercase; NULL when the
	 * signed content names no recipients */
	char			**named;
	size_t			 nnamed;
	char			*outer_subject;	/* unsigned; may be NULL */
	size_t			 decoded;	/* of DECRYPT_BUDGET used */
	/* The protected content as a MIME entity and its parse.  NULL for a
	 * message with no OpenPGP content. */
	struct buf		*cleartext;
	struct mime_msg		*clear;
	const struct mime_part	*content;	/* within clear */
};

enum crypto_status decrypt_verify(struct gpg *g, const void *msg, size_t len,
    struct verified **vp) CRYPTO_WUR;
void verified_free(struct verified *v);

/*
 * One status for the facts, worst first: NOT_ENCRYPTED for a message with
 * neither encryption nor signature; UNPROTECTED_PARTS; a signature's
 * problem (BAD_SIGNATURE, KEY_REVOKED, KEY_EXPIRED, SIG_EXPIRED,
 * UNKNOWN_SIGNER); NOT_SIGNED; NOT_ENCRYPTED (signed only); else OK.
 */
enum crypto_status verified_status(const struct verified *v);
/* The worst status among the signatures (same ranking), CRYPTO_OK if
 * they are all good or there are none. */
enum crypto_status verified_worst_sig(const struct verified *v);

#endif
