/*
 * libFuzzer harness for archive/extract: extract_indicators() over
 * attacker text (the decrypted posts the archive reads).  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/extract/ in
 * `make check`.
 *
 * Input: the text, any octets (NULs included).  Over 256 KiB is skipped.
 * Invariants (abort()):
 *  - the count is 0 iff *out is NULL;
 *  - every indicator has a known type (ind_type_str() names it), only
 *    IND_DOC / IND_DEFANGED flags, a non-empty value, NUL-terminated,
 *    printable ASCII (indicators are ASCII after refanging), and a span
 *    start < end <= len;
 *  - spans come in input order (start non-decreasing);
 *  - no (type, value) pair is reported twice;
 *  - the same call again gives the same indicators (determinism), and
 *    the input is not modified;
 *  - indicators_free() frees everything (LeakSanitizer).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *text, size_t len, const struct indicator *v, size_t n)
{
	size_t i, j, k, vl;

	if ((n == 0) != (v == NULL))
		abort();
	for (i = 0; i < n; i++) {
		if ((int)v[i].type < IND_IPV4 || v[i].type > IND_ASN ||
		    ind_type_str(v[i].type) == NULL ||
		    (v[i].flags & ~(IND_DOC | IND_DEFANGED)) != 0)
			abort();
		if (v[i].value == NULL || v[i].start >= v[i].end ||
		    v[i].end > len)
			abort();
		if (i > 0 && v[i].start < v[i - 1].start)
			abort();
		vl = strlen(v[i].value);
		if (vl == 0)
			abort();
		for (k = 0; k < vl; k++)
			if ((unsigned char)v[i].value[k] <= 0x20 ||
			    (unsigned char)v[i].value[k] >= 0x7f)
				abort();
		for (j = 0; j < i; j++)
			if (v[j].type == v[i].type &&
			    strcmp(v[j].value, v[i].value) == 0)
				abort();
	}
	(void)text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct indicator *v = NULL, *w = NULL;
	size_t n, m, i;
	char *text;

	if (size > 256 * 1024)
		return 0;
	/* a private copy: no NUL after it, so reading past len is caught */
	if ((text = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(text, data, size);
	n = extract_indicators(text, size, &v);
	check(text, size, v, n);
	if (memcmp(text, data, size) != 0)
		abort();
	m = extract_indicators(text, size, &w);
	if (m != n)
		abort();
	for (i = 0; i < n; i++)
		if (v[i].type != w[i].type || v[i].flags != w[i].flags ||
		    v[i].start != w[i].start || v[i].end != w[i].end ||
		    strcmp(v[i].value, w[i].value) != 0)
			abort();
	indicators_free(v, n);
	indicators_free(w, m);
	free(text);
	return 0;
}
