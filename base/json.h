/*
 * json: the one JSON string writer (hubctl's --json, the audit log in the
 * roster store, the archive's MISP and STIX exports).
 *
 * What it writes is valid JSON in valid UTF-8 whatever the input holds:
 * '"' and '\' escaped, C0/DEL/C1 controls and the characters that reorder
 * a terminal's line (base/utf8.h: hub_cp_format) as \uXXXX, octets that
 * are not UTF-8 as \ufffd.  A terminal or viewer showing the JSON obeys
 * nothing an outsider wrote into a value.
 */
#ifndef HUB_BASE_JSON_H
#define HUB_BASE_JSON_H

#include <stddef.h>
#include <stdio.h>

struct buf;

/* The inside of a string (no quotes): n octets of p. */
void json_append_raw(struct buf *b, const unsigned char *p, size_t n);
/* s as a JSON string with its quotes, or null when s is NULL. */
void json_append_str(struct buf *b, const char *s);
/* json_append_str() to a stream. */
void json_fput_str(FILE *fp, const char *s);

#endif
