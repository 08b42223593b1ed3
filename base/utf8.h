/*
 * utf8: strict UTF-8 decoding and the characters that must never reach a
 * terminal or a viewer raw, for every writer of outside text (hubctl's
 * output, the archive's exports).  Pure.
 */
#ifndef HUB_BASE_UTF8_H
#define HUB_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The valid UTF-8 sequence at s[0, n): its length (1-4) and code point
 * in *cp, or 0 when s[0] does not start one (a stray continuation octet,
 * an overlong form, a surrogate, beyond U+10FFFF, cut short).
 */
size_t hub_utf8_dec(const unsigned char *s, size_t n, uint32_t *cp);

/* C0, DEL and C1 controls. */
int hub_cp_control(uint32_t c);
/* Characters that reorder or break what a terminal shows: U+061C,
 * U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+2028, U+2029. */
int hub_cp_format(uint32_t c);

#endif
