/*
 * libFuzzer harness for inline-armor detection (pgpmime_find_armor()),
 * the first thing that touches an inline PGP text part.  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/armor/ in `make check`.
 *
 * Input: the (transfer-decoded) text.  Over 1 MiB is skipped.
 * Invariants (abort()): the result is -1, 0 or 1; a found block lies
 * inside the input, starts with its BEGIN line and contains its END line.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pgpmime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *begin, *end;
	enum pgp_armor kind;
	size_t b = 0, e = 0;
	int r;

	if (size > 1024 * 1024)
		return 0;
	r = pgpmime_find_armor(s, size, &kind, &b, &e);
	if (r < -1 || r > 1)
		abort();
	if (r != 1)
		return 0;
	if (b >= e || e > size)
		abort();
	if (kind == PGP_ARMOR_MESSAGE) {
		begin = "-----BEGIN PGP MESSAGE-----";
		end = "-----END PGP MESSAGE-----";
	} else if (kind == PGP_ARMOR_CLEARSIGNED) {
		begin = "-----BEGIN PGP SIGNED MESSAGE-----";
		end = "-----END PGP SIGNATURE-----";
	} else
		abort();
	if (e - b < strlen(begin) || memcmp(s + b, begin, strlen(begin)) != 0)
		abort();
	if (memmem(s + b, e - b, end, strlen(end)) == NULL)
		abort();
	return 0;
}
