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

/*
 * The splitter: gpg's binary output for several recipients is one
 * public-key encrypted session key packet (PKESK, tag 1) per recipient
 * key, then one encrypted data packet (SEIPD, tag 18, or AEAD, tag 20)
 * holding the message under the one session key.  PKESK(i) followed by
 * the data packet, byte for byte, is a complete message that only key i
 * opens and that names no other key (hub/fanout's split path).  Only the
 * framing is read: the packets are copied as they are, the data packet
 * in whatever length encoding gpg chose (partial body lengths included).
 */
struct pgp_split_pkesk {
	size_t		 off;		/* the packet, header included */
	size_t		 len;
	/* the recipient key id the packet names (v3: the key id; v6: the
	 * one derived from the fingerprint); 0 for a wildcard */
	unsigned char	 keyid[8];
};

struct pgp_split {
	size_t			 npkesk;
	struct pgp_split_pkesk	*pkesk;		/* malloc'd, npkesk */
	size_t			 data_off;	/* the data packet, header */
	size_t			 data_len;	/* included, to the end */
	unsigned		 data_tag;	/* 18 or 20 */
};

/*
 * Split binary data[0, len): 0, or -1 when it is not exactly "PKESK+
 * then one SEIPD/AEAD packet that ends where the data ends" (at most max
 * PKESKs; a PKESK with a partial or indeterminate length, a version other
 * than 3 or 6, a wildcard key id, a truncated packet, or anything after
 * the data packet all refuse: the caller then has no safe copy to make).
 * Free out with pgp_split_free() on 0; nothing to free on -1.
 */
int pgp_split_encrypted(const void *data, size_t len, size_t max,
    struct pgp_split *out);
void pgp_split_free(struct pgp_split *s);

#endif
