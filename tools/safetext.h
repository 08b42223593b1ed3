/*
 * safetext: hubctl's rule for free text (hubctl(8) "TEXT AND CONTROL
 * CHARACTERS"), on the way in and on the way out.
 *
 * In: a value hubctl stores (a team's name, a list's description, a
 * contact's name and address, ...) must be valid UTF-8 (no overlong
 * forms, no surrogates, nothing above U+10FFFF) without
 *   - control characters: C0 U+0000-U+001F (TAB, LF, CR, ESC ...), DEL
 *     U+007F and C1 U+0080-U+009F (such as CSI U+009B);
 *   - bidirectional and line-breaking format characters: U+061C,
 *     U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+2028, U+2029.
 *
 * Out: what hubctl prints may come from mail (an archived subject, body,
 * context, address) or from a store written before this rule, so every
 * value is escaped on the way to a terminal or a JSON reader:
 *   text  \n \r \t for LF, CR, TAB; \xHH for another C0 control, DEL or
 *         an octet that is not valid UTF-8; \uXXXX (4 lower-case hex
 *         digits) for a C1 control or a format character above.  A
 *         backslash is printed as is.
 *   JSON  \" \\ \n \r \t; \u00XX for another C0 control, DEL or C1;
 *         \uXXXX for a format character; U+FFFD for each octet that is
 *         not valid UTF-8, so the document is always valid UTF-8 JSON.
 * Everything else, any script and any accent, is printed unchanged.
 *
 * Pure functions on strings, no state; output through stdio or a buf.
 */
#ifndef TOOLS_SAFETEXT_H
#define TOOLS_SAFETEXT_H

#include <stddef.h>
#include <stdio.h>

struct buf;

/* Text output: keep these raw instead of escaping them. */
#define SAFETEXT_KEEP_NL	0x1	/* LF: a value of several lines */
#define SAFETEXT_KEEP_TAB	0x2	/* TAB */

/*
 * Is s acceptable free text?  0, or -1 with what is wrong and where in
 * why ("control character U+001B at octet 4", "invalid UTF-8 (octet
 * 0x9b) at octet 2", "bidirectional or format character U+202E at octet
 * 0").
 */
int safetext_check(const char *s, char *why, size_t size);

/*
 * Write n octets of s escaped for a terminal (the text form above).
 * With SAFETEXT_KEEP_NL, each LF kept is followed by indent spaces, so a
 * line of the value never starts where a key would.  Returns the number
 * of characters written (an escape counts its length), for columns.
 */
size_t safetext_write(FILE *fp, const char *s, size_t n, unsigned flags,
    int indent);
/* The same, appended to b. */
size_t safetext_buf(struct buf *b, const char *s, size_t n, unsigned flags,
    int indent);
/* The same into a new string (free it). */
char *safetext_dup(const char *s, unsigned flags);

/* s as a JSON string, with its quotes (the JSON form above). */
void safetext_json(FILE *fp, const char *s);

/*
 * A JSON text made by us (the store's audit before/after), re-escaped so
 * its strings follow the JSON form above; -1 and nothing written when it
 * is not plausibly JSON (a raw control or a non-ASCII octet outside a
 * string, an unterminated string): print it as a string then.
 */
int safetext_json_embed(FILE *fp, const char *json);

#endif
