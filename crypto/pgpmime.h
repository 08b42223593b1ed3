/*
 * pgpmime: which OpenPGP form a message has (RFC 3156 PGP/MIME, inline
 * PGP, Exchange-mangled PGP/MIME), which of its parts lie outside the
 * protected envelope, and the builders for outgoing RFC 3156 messages.
 *
 * Detection only looks at the structure; decrypt.c does the cryptography.
 * A struct pgp_detect points into the struct mime_msg it was made from
 * (or into the message it carries, which it owns: GpgOL below) and is
 * valid until mime_free(); free it with pgp_detect_free() first.
 *
 * Leniencies for mail clients, each as narrow as the client's shape:
 *  - Exchange/Outlook.com re-wrap multipart/encrypted into a
 *    multipart/mixed of [blank text/plain, application/pgp-encrypted,
 *    application/octet-stream] (exchange_repaired): the first
 *    application/pgp-encrypted directly followed by an
 *    application/octet-stream in a multipart/mixed (at any depth, not
 *    inside a message/rfc822) is the control part and the payload.  The
 *    control part is left out only when its decoded body is "Version: 1"
 *    (space around it aside); it, or any other application/pgp-encrypted
 *    part in that mixed, is otherwise reported unprotected.
 *  - Outlook with GpgOL may send the PGP/MIME message as an attachment
 *    GpgOL_MIME_structure.mime (or .txt, any case, the name in any
 *    spelling mime_part_filename() reads, RFC 2231 too) beside a
 *    text/plain placeholder.
 *    Only the exact shape is read: a multipart/mixed root of exactly
 *    [text/plain placeholder, clear text as below but of at most
 *    PGPMIME_PLACEHOLDER_MAX decoded octets, that attachment]; the
 *    attachment is decoded (at most MIME_MAX_SIZE octets) and parsed as
 *    a message whose root must itself be multipart/encrypted or
 *    multipart/signed: one level, nothing inside it is unwrapped again
 *    (else CRYPTO_MALFORMED).  The placeholder is ignored, like
 *    Exchange's blank part; it is never reported, relayed or archived
 *    (gpgol).
 *  - Clear text beside the one PGP/MIME envelope (planck/pEp's
 *    explanation, or a footer) is listed in dropped[], not
 *    unprotected[], when the form is ENCRYPTED and the part is
 *      - a leaf whose parent is the multipart/mixed that is the
 *        multipart/encrypted envelope's own parent, at any depth (the
 *        root in pEp's shape; not a sibling of an ancestor of the
 *        envelope, nor in a multipart/alternative), or a child of the
 *        Exchange re-wrap's multipart/mixed;
 *      - text/plain or text/html, with no charset or us-ascii, utf-8 or
 *        iso-8859-* (charsets where the armor's letters are ASCII bytes);
 *      - not an attachment: no Content-Disposition, or "inline";
 *      - without a file name: no filename or name parameter in any
 *        spelling (filename*=, filename*0=, name*= ...);
 *      - of at most PGPMIME_DROP_MAX decoded octets, not blank (a blank
 *        part is skipped silently, like Exchange's), and without
 *        "BEGIN" then "PGP" in any case with only non-alphanumerics
 *        between (dashes need not be there), for text/html also after
 *        leaving out tags and decoding character references.
 *    It is outside any OpenPGP data, so leaving it out loses nothing that
 *    was protected (its content is never joined to decrypted content:
 *    EFAIL).  Anything else outside the envelope (attachments, other
 *    multiparts, armor, text in other charsets, text around inline
 *    blocks, anything beside a multipart/signed) stays unprotected.
 *
 * Builders write complete messages with CRLF line ends into a caller's
 * struct buf.  Used in the worker process; nothing here blocks.
 */
#ifndef CRYPTO_PGPMIME_H
#define CRYPTO_PGPMIME_H

#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/mime.h"

struct buf;

#define PGPMIME_PLACEHOLDER_MAX	4096	/* GpgOL's text beside its attachment */
#define PGPMIME_DROP_MAX	65536	/* a droppable clear text part */

enum pgp_form {
	PGP_FORM_NONE = 0,	/* no OpenPGP content at all */
	PGP_FORM_ENCRYPTED,	/* RFC 3156 multipart/encrypted */
	PGP_FORM_SIGNED,	/* RFC 3156 multipart/signed */
	PGP_FORM_INLINE,	/* armored blocks in text parts or .pgp/.gpg/
				   .asc attachments */
};

const char *pgp_form_str(enum pgp_form f);

struct pgp_detect {
	enum pgp_form		 form;
	/* a multipart/mixed Exchange/Outlook made of a multipart/encrypted */
	int			 exchange_repaired;
	/* the form was read from GpgOL's GpgOL_MIME_structure attachment:
	 * envelope and its parts point into inner, which this owns */
	int			 gpgol;
	struct mime_msg		*inner;
	/* ENCRYPTED: the envelope and the application/octet-stream payload;
	 * SIGNED: the multipart/signed, its first part and the signature */
	const struct mime_part	*envelope;
	const struct mime_part	*payload;
	const struct mime_part	*signature;
	/* INLINE: the parts holding armored data */
	size_t			 ninline;
	const struct mime_part	**inline_parts;
	/* leaf parts with content outside the envelope, by path ("2.1") */
	size_t			 nunprotected;
	char			**unprotected;
	/* clear text parts beside the envelope, left out (see above) */
	size_t			 ndropped;
	char			**dropped;
};

/* CRYPTO_MALFORMED if a PGP/MIME envelope lacks its parts, or GpgOL's
 * attachment does not carry one; CRYPTO_HOSTILE from its parse. */
enum crypto_status pgpmime_detect(const struct mime_msg *m,
    struct pgp_detect **dp) CRYPTO_WUR;
void pgp_detect_free(struct pgp_detect *d);

/*
 * Headers for outgoing messages.  NULL fields are left out.  The inner
 * (encrypted) entity carries all of them as protected headers; the outer
 * message carries From, To, Cc, Date, Message-ID, extra, and the Subject
 * obscured to "[...]" (RFC 9788).  extra holds further complete header
 * lines ("List-Id: <x>\r\n"), written to the outer message as they are.
 */
struct crypto_headers {
	const char	*from;
	const char	*to;
	const char	*cc;
	const char	*reply_to;
	const char	*subject;
	const char	*date;
	const char	*message_id;
	const char	*extra;
};

/*
 * Prefix a MIME entity (its own Content-* headers and body) with the
 * protected headers and mark its Content-Type protected-headers="v1";
 * result in CRLF form.  CRYPTO_MALFORMED if entity has no header block,
 * CRYPTO_BAD_ARGUMENT if a header value would start a new header line
 * (CR or LF other than CRLF + WSP folding) or extra does not end in CRLF.
 */
enum crypto_status pgpmime_protect(const struct crypto_headers *h,
    const char *entity, size_t len, struct buf *out) CRYPTO_WUR;

/* The outgoing multipart/encrypted message around armored ciphertext. */
void pgpmime_build_encrypted(const struct crypto_headers *h,
    const char *armored, size_t len, struct buf *out);

/* A multipart/signed entity: the canonical entity and its detached
 * armored signature; micalg is e.g. "pgp-sha256". */
void pgpmime_build_signed(const char *entity, size_t len,
    const char *sig, size_t siglen, const char *micalg, struct buf *out);

/*
 * Find the first inline armor block in text: an armored message or a
 * clearsigned text with its signature.  [*begin, *end) covers it from
 * the BEGIN line to the end of the END line.  Returns 1 if found, 0 if
 * there is none, -1 for a BEGIN without its END (truncated armor).
 */
enum pgp_armor {
	PGP_ARMOR_MESSAGE,	/* -----BEGIN PGP MESSAGE----- */
	PGP_ARMOR_CLEARSIGNED,	/* -----BEGIN PGP SIGNED MESSAGE----- */
};
int pgpmime_find_armor(const char *s, size_t n, enum pgp_armor *kind,
    size_t *begin, size_t *end);

/* A fresh boundary that does not occur in data. */
void pgpmime_boundary(const char *data, size_t len, char out[48]);

#endif
