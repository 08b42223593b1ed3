/*
 * digits: the value of one base64 or hexadecimal digit, for the decoders
 * of outside text (RFC 2047 words, OpenPGP armor).  ASCII only, whatever
 * the locale.  Pure.
 */
#ifndef HUB_BASE_DIGITS_H
#define HUB_BASE_DIGITS_H

/* 0-63 for A-Z a-z 0-9 + /, else -1 (padding '=' included). */
int hub_b64_digit(unsigned char c);
/* 0-15 for 0-9 a-f A-F, else -1. */
int hub_hex_digit(unsigned char c);

#endif
