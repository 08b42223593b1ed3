/*
 * encrypt: build one recipient's outgoing message.
 *
 * Keys are chosen by the caller, by full fingerprint, never by address:
 * the message is signed with the list key and encrypted to the one
 * recipient key alone (no --encrypt-to/default recipients, so no other
 * key ids appear in it).  Trust is the roster's decision, so the
 * recipient key is used without consulting the trust database; it must
 * still be valid now (not expired, revoked, disabled) and able to encrypt.
 *
 * Two ways, with the same result for the reader (both RFC 3156):
 *  - encrypt_for(): sign+encrypt in one OpenPGP message per recipient
 *    (RFC 3156 §6.2, combined);
 *  - encrypt_sign_once() once per post, then encrypt_to() per recipient:
 *    a multipart/signed inside the encryption (§6.1), which saves one
 *    signature per recipient, the dominant cost on large lists.
 * The payload gets protected headers (pgpmime_protect()).
 *
 * Input entities are MIME entities (Content-Type etc. + body), LF or
 * CRLF.  Output is appended to the caller's buf only on CRYPTO_OK.  Used
 * in the worker process; blocks while gpg runs.
 */
#ifndef CRYPTO_ENCRYPT_H
#define CRYPTO_ENCRYPT_H

#include <stddef.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/pgpmime.h"

struct buf;

enum crypto_status encrypt_for(struct gpg *g, const char *list_fpr,
    const char *rcpt_fpr, const struct crypto_headers *h,
    const char *entity, size_t len, struct buf *out) CRYPTO_WUR;

/* Append a multipart/signed entity (sensitive: pass a BUF_SENSITIVE buf). */
enum crypto_status encrypt_sign_once(struct gpg *g, const char *list_fpr,
    const char *entity, size_t len, struct buf *signed_out) CRYPTO_WUR;

/* Encrypt an entity (normally encrypt_sign_once()'s) to one key only. */
enum crypto_status encrypt_to(struct gpg *g, const char *rcpt_fpr,
    const struct crypto_headers *h, const char *entity, size_t len,
    struct buf *out) CRYPTO_WUR;

#endif
