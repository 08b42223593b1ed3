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
 * And a third for the second step, per post rather than per recipient:
 * encrypt_split_new() encrypts the signed entity once, in one gpg run,
 * to every recipient key, and splits gpg's output at packet boundaries
 * (crypto/packets.h: pgp_split_encrypted()); encrypt_split_copy() then
 * writes recipient i's copy: their own session key packet and the shared
 * encrypted data, so it still opens with their key alone and names no
 * other.  All copies share one inner message, whose protected headers
 * are the same for all (To is the list), and, up to a thousand keys, one
 * session key (a longer list is encrypted in parts of a thousand keys,
 * one session key each: gpg's cost per recipient grows with the length
 * of its list); only the outer headers differ per copy.
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

/*
 * Encrypt entity (normally encrypt_sign_once()'s) once to the n keys
 * rcpt_fprs[] (full fingerprints; duplicates share a packet), split per
 * recipient.  h's protected headers go inside, the same for every copy.
 * CRYPTO_OK: *sp holds each recipient's outcome (encrypt_split_status():
 * CRYPTO_KEY_NOT_FOUND or CRYPTO_KEY_UNUSABLE for a key gpg would not
 * use; the others are encrypted all the same).  CRYPTO_MALFORMED: gpg's
 * output did not split as expected (a session key packet for an unknown
 * key, or not one per key): nothing is made, the caller encrypts per
 * recipient instead.  One gpg run per thousand distinct keys (or per
 * handle, see encrypt_split_parts), and a listing of the keyring when it
 * changed since the last call on g.
 */
struct encrypt_split;
/* The keyring is listed on g; gpg runs on the ntg handles tg[] (one
 * thread each, each handle used by that thread alone), or on g alone
 * when tg is NULL. */
#define SPLIT_THREADS_MAX	16
enum crypto_status encrypt_split_new(struct gpg *g, struct gpg *const *tg,
    size_t ntg, const char *const *rcpt_fprs, size_t n,
    const struct crypto_headers *h, const char *entity, size_t len,
    struct encrypt_split **sp) CRYPTO_WUR;
/* Keys per gpg run: at most most, and a list of at least 2 * least keys
 * is shared among the handles (defaults 1000 and 32; 0 restores one).
 * For tests, which make parts with a few keys. */
void encrypt_split_parts(size_t most, size_t least);
enum crypto_status encrypt_split_status(const struct encrypt_split *s,
    size_t i);
/* gpg runs made (parts, each with its own session key). */
size_t encrypt_split_nparts(const struct encrypt_split *s);
/*
 * Append recipient i's RFC 3156 message with outer headers h (its To
 * naming the recipient) to out: CRYPTO_OK, or encrypt_split_status(s, i)
 * and nothing appended.  Reads s only: threads may call it at once.
 */
enum crypto_status encrypt_split_copy(const struct encrypt_split *s,
    size_t i, const struct crypto_headers *h, struct buf *out) CRYPTO_WUR;
void encrypt_split_free(struct encrypt_split *s);

#endif
