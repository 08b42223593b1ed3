/*
 * buf: a growable byte buffer.
 *
 * A buffer made with BUF_SENSITIVE is wiped (explicit_bzero) whenever its
 * storage is released or moved by growth, so decrypted plaintext does not
 * linger in freed heap (invariant 2).  The data is always followed by a NUL
 * byte that is not counted in buf_len(), so text can be used as a C string.
 * buf_free(NULL) is a no-op.
 */
#ifndef HUB_BASE_BUF_H
#define HUB_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_SENSITIVE	0x1

struct buf;

struct buf *buf_new(int flags);
void buf_free(struct buf *b);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_append_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (consumed input). */
void buf_consume(struct buf *b, size_t n);
/* Empty the buffer (wiping it if sensitive) and keep the storage. */
void buf_reset(struct buf *b);
const char *buf_data(const struct buf *b);
size_t buf_len(const struct buf *b);
int buf_flags(const struct buf *b);

/* Wipe memory in a way the compiler may not elide. */
void hub_wipe(void *p, size_t len);

#endif
