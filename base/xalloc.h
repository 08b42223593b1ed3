/*
 * xalloc: allocation that succeeds or exits (fatal) — out of memory is an
 * environment failure, not something each caller can sensibly handle.
 * Sizes are checked for multiplication overflow.
 */
#ifndef HUB_BASE_XALLOC_H
#define HUB_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
