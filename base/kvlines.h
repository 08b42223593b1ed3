/*
 * kvlines: the small state files of the spool ("MAGIC\n" then one
 * "key value\n" line each: retry/ID, outgoing/POST/NAME.retry), read in
 * place.  kvlines_open() checks the frame: the magic, a final LF, no NUL.
 * kvlines_next() splits the next line at its first space into key and
 * value (NUL-terminated in data).  Each reader judges keys and values.
 * Pure.
 */
#ifndef HUB_BASE_KVLINES_H
#define HUB_BASE_KVLINES_H

#include <stddef.h>

/* 0 and *pos after the magic, or -1 if data is not such a file. */
int kvlines_open(const char *data, size_t len, const char *magic,
    size_t *pos);
/* 1 with *key, *val; 0 at the end; -1 for a line without a space. */
int kvlines_next(char *data, size_t len, size_t *pos, char **key,
    char **val);

#endif
