/*
 * mime: a thin wrapper over libetpan's MIME parser, from memory.
 *
 * mime_parse() copies the input into a buffer of its own (wiped on free
 * when MIME_SENSITIVE is given, as for decrypted cleartext) and parses it
 * with libetpan; every pointer handed out afterwards (parts, header values,
 * raw byte ranges) points into that message and is valid until mime_free().
 * mime_free(NULL) is a no-op.
 *
 * Hostile input is bounded before and after parsing: total size, header
 * block size, number of container parts (which bounds libetpan's
 * recursion), nesting depth and part count.  A message beyond a limit is
 * CRYPTO_HOSTILE, one libetpan cannot parse is CRYPTO_MALFORMED.
 *
 * Used in the worker process; nothing blocks.  Parts are read-only views.
 */
#ifndef CRYPTO_MIME_H
#define CRYPTO_MIME_H

#include <stddef.h>

#include "crypto/crypto.h"

#define MIME_SENSITIVE		0x1

#define MIME_MAX_SIZE		(64UL * 1024 * 1024)
#define MIME_MAX_HEADER		(256UL * 1024)	/* a header block */
#define MIME_MAX_CONTAINERS	64	/* multipart/ and message/ parts */
#define MIME_MAX_DEPTH		32
#define MIME_MAX_PARTS		1000

struct buf;
struct mime_msg;
struct mime_part;

enum crypto_status mime_parse(const void *data, size_t len, int flags,
    struct mime_msg **mp) CRYPTO_WUR;
void mime_free(struct mime_msg *m);
/*
 * Whether a multipart that reached the end of the message without its
 * close-delimiter (Outlook.com/Hotmail) was closed there: the parts end
 * at the end of the message, not at the last line that starts with "--"
 * (libetpan's guess); the copy the parts point into then has the
 * delimiters appended.
 */
int mime_closed(const struct mime_msg *m);

/* The message entity itself (its headers are the message headers). */
const struct mime_part *mime_root(const struct mime_msg *m);
/* Number of parts, counting the root. */
size_t mime_nparts(const struct mime_msg *m);

/* "type/subtype", lower case, in buf; "text/plain" when absent. */
const char *mime_part_ctype(const struct mime_part *p, char *buf,
    size_t size);
int mime_part_is(const struct mime_part *p, const char *ctype);
/* A Content-Type parameter (case-insensitive name), or NULL. */
const char *mime_part_param(const struct mime_part *p, const char *name);
/*
 * The name a mail client shows: Content-Disposition's filename, else
 * Content-Type's name, else NULL; for each, the RFC 2231 spelling
 * (filename*=utf-8''x, filename*0=..;filename*1*=.., name*=) first,
 * joined and decoded to UTF-8 (bytes kept as they are where the
 * charset is unknown).  Any filename* or name* parameter gives a name.
 */
const char *mime_part_filename(const struct mime_part *p);

enum mime_disposition {
	MIME_DISP_NONE = 0,	/* no Content-Disposition */
	MIME_DISP_INLINE,
	MIME_DISP_OTHER,	/* attachment, or any other type */
};
enum mime_disposition mime_part_disposition(const struct mime_part *p);

/* Children of a multipart (or the message of a message/rfc822). */
size_t mime_part_nchildren(const struct mime_part *p);
const struct mime_part *mime_part_child(const struct mime_part *p,
    size_t i);
const struct mime_part *mime_part_parent(const struct mime_part *p);
/* "1.2"-style position, "" for the root; written into buf. */
const char *mime_part_path(const struct mime_part *p, char *buf,
    size_t size);

/* The entity as received: headers and body, without the CRLF that
 * belongs to the following boundary (RFC 2046 §5.1.1). */
void mime_part_raw(const struct mime_part *p, const char **data,
    size_t *len);
/* The body only, still transfer-encoded. */
void mime_part_body(const struct mime_part *p, const char **data,
    size_t *len);
/* Append the first header called name (unfolded, trimmed) to out;
 * returns 0 if there is none. */
int mime_part_header(const struct mime_part *p, const char *name,
    struct buf *out);
/*
 * The addr-specs of an address-list header value (To, Cc), lowercase,
 * groups flattened, appended to *addrs (caller frees each and the
 * array).  Returns the number added; -1 if the value does not parse.
 */
int mime_addresses(const char *value, char ***addrs, size_t *n);
/* Append the transfer-decoded body; CRYPTO_MALFORMED on broken base64. */
enum crypto_status mime_part_decode(const struct mime_part *p,
    struct buf *out) CRYPTO_WUR;
/* Decode and convert the body from its charset to UTF-8 (a view for
 * consumers that need text; the original bytes stay untouched).
 * Unconvertible bytes become U+FFFD. */
enum crypto_status mime_part_text_utf8(const struct mime_part *p,
    struct buf *out) CRYPTO_WUR;

/* Append a copy of data with every bare LF turned into CRLF. */
void mime_canon_crlf(const char *data, size_t len, struct buf *out);

#endif
