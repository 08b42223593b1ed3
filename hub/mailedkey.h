/*
 * mailedkey: the public key a member's command mail carries (key update,
 * endorse with the certification): the one application/pgp-keys part of
 * the signed content, or else the one armored public key block in its
 * text/plain parts.  Only the signed content is read (the caller passes
 * struct verified's content), never an unsigned wrapper around it.
 */
#ifndef HUB_MAILEDKEY_H
#define HUB_MAILEDKEY_H

struct buf;
struct mime_part;

#define MAILEDKEY_MAX	(256 * 1024)	/* octets of a mailed key */

enum mailedkey_status {
	MAILEDKEY_ONE = 0,	/* *key holds it; buf_free() it */
	MAILEDKEY_NONE,
	MAILEDKEY_SEVERAL,	/* two key parts, or (no part) two blocks */
	MAILEDKEY_TOO_BIG,	/* over MAILEDKEY_MAX */
};

enum mailedkey_status mailedkey_find(const struct mime_part *content,
    struct buf **key);

#endif
