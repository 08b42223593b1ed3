#include "config.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 flags;
};

void
hub_wipe(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	volatile unsigned char *v = p;

	while (len--)
		*v++ = 0;
#endif
}

struct buf *
buf_new(int flags)
{
	struct buf *b = xcalloc(1, sizeof *b);

	b->flags = flags;
	b->cap = 64;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->flags & BUF_SENSITIVE)
		hub_wipe(b->data, b->cap);
	free(b->data);
	free(b);
}

static void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *n;

	if (extra > SIZE_MAX - b->len - 1)
		fatalx("buffer overflow len=%zu extra=%zu", b->len, extra);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->flags & BUF_SENSITIVE) {
		/* realloc() could leave a plaintext copy behind: move by hand. */
		n = xmalloc(cap);
		memcpy(n, b->data, b->len + 1);
		hub_wipe(b->data, b->cap);
		free(b->data);
	} else
		n = xreallocarray(b->data, 1, cap);
	b->data = n;
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_append_str(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *tmp;
	int n;

	/* vasprintf rather than vsnprintf twice: GCC 12 with UBSan warns
	 * falsely on the latter (-Wformat-truncation). */
	va_start(ap, fmt);
	n = vasprintf(&tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("buf_printf: out of memory");
	buf_append(b, tmp, (size_t)n);
	if (b->flags & BUF_SENSITIVE)
		hub_wipe(tmp, (size_t)n);
	free(tmp);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	if (b->flags & BUF_SENSITIVE)
		hub_wipe(b->data + b->len - n, n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void
buf_reset(struct buf *b)
{
	if (b->flags & BUF_SENSITIVE)
		hub_wipe(b->data, b->len);
	b->len = 0;
	b->data[0] = '\0';
}

const char *
buf_data(const struct buf *b)
{
	return b->data;
}

size_t
buf_len(const struct buf *b)
{
	return b->len;
}

int
buf_flags(const struct buf *b)
{
	return b->flags;
}
