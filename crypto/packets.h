/*
 * packets: OpenPGP packet framing (RFC 4880 §4.2, RFC 9580 §4.2), read
 * before gpg sees a message, to refuse shapes whose cost grows with a
 * count the sender chooses: thousands of public-key-encrypted session key
 * packets (each one a secret-key operation in gpg-agent) or of signature
 * packets (gpg's verification is quadratic in them), and packets that
 * have no place in a message (a key's, counted in foreign).  Only the framing is parsed, no packet content and no
 * cryptography.
 *
 * Input is an OpenPGP message, binary or ASCII-armored (the armor is
 * decoded here; its CRC is gpg's business).  Only top-level packets are
 * counted: those inside the encrypted or compressed data are gpg's to
 * bound (crypto/decrypt.h's output budget).
 *
 * Pure: no I/O, no globals; allocates temporarily for armored input.
 * Worker process.
 */
#ifndef CRYPTO_PACKETS_H
#define CRYPTO_PACKETS_H

#include <stddef.h>

/* Packet tags counted by pgp_packet_counts(). */
struct pgp_packet_counts {
	size_t	pkesk;		/* tag 1: a session key for one recipient */
	size_t	skesk;		/* tag 3: a session key for a passphrase */
	size_t	sig;		/* tag 2 */
	size_t	onepass;	/* tag 4 */
	/* tag 8: compressed data at the top level, whose packets (session
	 * keys too) gpg reads but this count does not */
	size_t	compressed;
	size_t	literal;	/* tag 11: data in the clear */
	/* tags 9 (SED), 18 (SEIPD), 20 (AEAD): data encrypted with a
	 * session key */
	size_t	encdata;
	/* tags with no place in a message: 0 (reserved), 5/6/7/14 keys,
	 * 12 trust, 13 user id, 17 user attribute.  A key block is not a
	 * message; gpg answers one in a message with a catch-all error
	 * (GPG_ERR_GENERAL) that says nothing of the cause */
	size_t	foreign;
	size_t	total;		/* every top-level packet read */
	int	truncated;	/* framing ran past the end of the data */
};

/*
 * Count the top-level packets of data[0, len), stopping after max packets
 * (counts then cover those).  Returns 0, or -1 if the data is not OpenPGP
 * at all (not armored and no valid first packet header), which the caller
 * leaves to gpg to report.
 */
int pgp_packet_counts(const void *data, size_t len, size_t max,
    struct pgp_packet_counts *out);

/*
 * What the counts say a message is, before gpg runs (a classification of
 * the framing only; gpg has the last word on the content):
 *   PGP_SHAPE_PASSPHRASE  session keys for passphrases only (SKESK, no
 *                         PKESK): nothing in it is for a key of ours
 *   PGP_SHAPE_SIGNED      no session key and no encrypted data, but
 *                         signatures, literal or compressed data: an
 *                         opaque signed message (gpg --sign), not
 *                         encrypted
 *   PGP_SHAPE_ENCRYPTED   anything else (gpg decrypts, or says why not)
 */
enum pgp_shape {
	PGP_SHAPE_ENCRYPTED = 0,
	PGP_SHAPE_PASSPHRASE,
	PGP_SHAPE_SIGNED,
};
enum pgp_shape pgp_packet_shape(const struct pgp_packet_counts *c);

#endif
