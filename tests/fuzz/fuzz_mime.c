/*
 * libFuzzer harness for crypto/mime + crypto/pgpmime: parse one message
 * from memory, walk every part through every accessor (type, parameters,
 * file name, path, raw and body ranges, headers, transfer decoding, the
 * UTF-8 view) and detect its OpenPGP form.  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/mime/ in `make check`.
 *
 * Input: the message itself.  Inputs over 1 MiB are skipped (the limits
 * in mime.h are tested by the unit tests, not here).
 *
 * Invariants besides not crashing (abort()): a parse is CRYPTO_OK,
 * _MALFORMED or _HOSTILE; a part's body lies inside its raw range; a
 * part count within MIME_MAX_PARTS; detection yields a known form, an
 * envelope with its payload for PGP/MIME, inline parts only for INLINE.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(const struct mime_part *p, int depth, size_t *count)
{
	struct buf *b = buf_new(0);
	const char *raw, *body;
	size_t rl, bl, i;
	char tmp[128];

	if (depth > MIME_MAX_DEPTH + 2 || ++*count > MIME_MAX_PARTS)
		abort();
	(void)mime_part_ctype(p, tmp, sizeof tmp);
	(void)mime_part_param(p, "charset");
	(void)mime_part_param(p, "boundary");
	(void)mime_part_filename(p);
	(void)mime_part_path(p, tmp, sizeof tmp);
	mime_part_raw(p, &raw, &rl);
	mime_part_body(p, &body, &bl);
	if (raw != NULL && bl > 0 && (body < raw || body + bl > raw + rl))
		abort();
	(void)mime_part_header(p, "Content-Type", b);
	(void)mime_part_header(p, "Subject", b);
	buf_reset(b);
	if (mime_part_decode(p, b) == CRYPTO_OK)
		buf_reset(b);
	if (mime_part_text_utf8(p, b) == CRYPTO_OK)
		buf_reset(b);
	buf_free(b);
	for (i = 0; i < mime_part_nchildren(p); i++) {
		const struct mime_part *c = mime_part_child(p, i);

		if (c == NULL || mime_part_parent(c) != p)
			abort();
		walk(c, depth + 1, count);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_msg *m = NULL;
	struct pgp_detect *d = NULL;
	enum crypto_status st;
	size_t count = 0, i;

	if (size > 1024 * 1024)
		return 0;
	st = mime_parse(data, size, 0, &m);
	if (st != CRYPTO_OK) {
		if ((st != CRYPTO_MALFORMED && st != CRYPTO_HOSTILE) ||
		    m != NULL)
			abort();
		return 0;
	}
	walk(mime_root(m), 0, &count);
	if (count != mime_nparts(m))
		abort();
	st = pgpmime_detect(m, &d);
	if (st == CRYPTO_OK) {
		switch (d->form) {
		case PGP_FORM_ENCRYPTED:
		case PGP_FORM_SIGNED:
			if (d->envelope == NULL || d->payload == NULL)
				abort();
			break;
		case PGP_FORM_INLINE:
			if (d->ninline == 0)
				abort();
			break;
		case PGP_FORM_NONE:
			if (d->ninline != 0 || d->envelope != NULL)
				abort();
			break;
		default:
			abort();
		}
		for (i = 0; i < d->nunprotected; i++)
			if (d->unprotected[i] == NULL)
				abort();
		pgp_detect_free(d);
	} else if (st != CRYPTO_MALFORMED || d != NULL)
		abort();
	mime_free(m);
	return 0;
}
