/*
 * mailedkey: the key a command mail carries (see hub/mailedkey.h).
 */
#include "config.h"

#include "hub/mailedkey.h"
#include "base/buf.h"
#include "crypto/mime.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define KEY_BEGIN	"-----BEGIN PGP PUBLIC KEY BLOCK-----"
#define KEY_END		"-----END PGP PUBLIC KEY BLOCK-----"
#define DEPTH_MAX	16

/* What the walk found: the key parts, and the armored blocks in text. */
struct found {
	struct buf	*part;		/* the first application/pgp-keys */
	size_t		 nparts;
	struct buf	*block;		/* the first armored block in text */
	size_t		 nblocks;
	bool		 too_big;
};

/* Armored public key blocks in text: count them, keep the first. */
static void
scan_text(const char *s, size_t n, struct found *f)
{
	const char *p = s, *end = s + n, *b, *e;

	while (p < end && (b = memmem(p, (size_t)(end - p), KEY_BEGIN,
	    strlen(KEY_BEGIN))) != NULL) {
		e = memmem(b, (size_t)(end - b), KEY_END, strlen(KEY_END));
		if (e == NULL)
			break;
		e += strlen(KEY_END);
		if (f->nblocks++ == 0) {
			f->block = buf_new(0);
			buf_append(f->block, b, (size_t)(e - b));
			buf_append_str(f->block, "\n");
		}
		p = e;
	}
}

static void
walk(const struct mime_part *p, unsigned depth, struct found *f)
{
	struct buf *b;
	size_t i;

	if (depth > DEPTH_MAX)
		return;
	if (mime_part_nchildren(p) > 0) {
		for (i = 0; i < mime_part_nchildren(p); i++)
			walk(mime_part_child(p, i), depth + 1, f);
		return;
	}
	if (mime_part_is(p, "application/pgp-keys")) {
		b = buf_new(0);
		if (mime_part_decode(p, b) != CRYPTO_OK) {
			buf_free(b);
			return;
		}
		if (buf_len(b) > MAILEDKEY_MAX)
			f->too_big = true;
		if (f->nparts++ == 0)
			f->part = b;
		else
			buf_free(b);
		return;
	}
	if (!mime_part_is(p, "text/plain"))
		return;
	b = buf_new(0);
	if (mime_part_decode(p, b) == CRYPTO_OK)
		scan_text(buf_data(b), buf_len(b), f);
	buf_free(b);
}

enum mailedkey_status
mailedkey_find(const struct mime_part *content, struct buf **key)
{
	struct found f;
	enum mailedkey_status st = MAILEDKEY_ONE;

	memset(&f, 0, sizeof f);
	*key = NULL;
	if (content != NULL)
		walk(content, 0, &f);
	if (f.part == NULL && f.block == NULL)
		st = MAILEDKEY_NONE;
	else if (f.nparts > 1 || (f.nparts == 0 && f.nblocks > 1))
		st = MAILEDKEY_SEVERAL;
	else if (f.too_big || buf_len(f.part != NULL ? f.part : f.block) >
	    MAILEDKEY_MAX)
		st = MAILEDKEY_TOO_BIG;
	if (st == MAILEDKEY_ONE) {
		*key = f.part != NULL ? f.part : f.block;
		if (f.part != NULL)
			f.part = NULL;
		else
			f.block = NULL;
	}
	buf_free(f.part);
	buf_free(f.block);
	return st;
}
