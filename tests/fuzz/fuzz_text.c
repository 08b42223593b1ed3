/*
 * libFuzzer harness for archive/text: the UTF-8 text of a decrypted post
 * (text_of_post(), text_readable()) over a message parsed with
 * mime_parse(..., MIME_SENSITIVE), the header cleaner text_header_utf8()
 * and the context snippet text_context().  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/text/ in `make check`.
 *
 * Input: the raw message.  Over 1 MiB is skipped.
 * Invariants (abort()):
 *  - text_of_post() and text_readable() return 0 into a BUF_SENSITIVE
 *    buffer, -1 (appending nothing) into one that is not; *truncated is
 *    0 or 1; the text is valid UTF-8; text_of_post()'s is at most
 *    TEXT_MAX octets; the same call twice gives the same text;
 *  - text_header_utf8() of the input's first line (up to LF or NUL)
 *    appends valid UTF-8 without C0 controls or DEL, the same twice;
 *  - text_context() around each of the first indicators extract finds
 *    in the post's text is NUL-terminated, shorter than max, valid UTF-8
 *    and free of C0 controls.
 * Everything is freed (LeakSanitizer in the fuzzing build).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/extract.h"
#include "archive/text.h"
#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8: no overlongs, surrogates or code points over U+10FFFF. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	unsigned long c, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			k = 1, c = s[i] & 0x1f, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			k = 2, c = s[i] & 0x0f, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			k = 3, c = s[i] & 0x07, min = 0x10000;
		else
			return 0;
		if (n - i <= k)
			return 0;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + j] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

static void
check_text(const struct mime_part *root, int readable)
{
	struct buf *a = buf_new(BUF_SENSITIVE), *b = buf_new(BUF_SENSITIVE);
	struct buf *plain = buf_new(0);
	struct indicator *v = NULL;
	size_t n, i, max;
	char ctx[200];
	int ta = -1, tb = -1, r;

	r = readable ? text_readable(root, a, &ta) : text_of_post(root, a, &ta);
	if (r != 0 || (ta != 0 && ta != 1))
		abort();
	r = readable ? text_readable(root, b, &tb) : text_of_post(root, b, &tb);
	if (r != 0 || ta != tb || buf_len(a) != buf_len(b) ||
	    memcmp(buf_data(a), buf_data(b), buf_len(a)) != 0)
		abort();
	if (!utf8_ok((const unsigned char *)buf_data(a), buf_len(a)))
		abort();
	if (!readable && buf_len(a) > TEXT_MAX)
		abort();
	/* plaintext never goes into a buffer that is not wiped */
	r = readable ? text_readable(root, plain, NULL) :
	    text_of_post(root, plain, NULL);
	if (r != -1 || buf_len(plain) != 0)
		abort();

	if (readable)
		goto out;
	n = extract_indicators(buf_data(a), buf_len(a), &v);
	for (i = 0; i < n && i < 16; i++) {
		max = 1 + (v[i].start * 7 + i) % sizeof ctx;
		memset(ctx, 'x', sizeof ctx);
		text_context(buf_data(a), buf_len(a), v[i].start, v[i].end,
		    ctx, max);
		if (memchr(ctx, '\0', max) == NULL)
			abort();
		for (size_t k = 0; ctx[k] != '\0'; k++)
			if ((unsigned char)ctx[k] < 0x20)
				abort();
		if (!utf8_ok((const unsigned char *)ctx, strlen(ctx)))
			abort();
	}
	indicators_free(v, n);
out:
	buf_free(a);
	buf_free(b);
	buf_free(plain);
}

static void
check_header(const uint8_t *data, size_t size)
{
	struct buf *a = buf_new(BUF_SENSITIVE), *b = buf_new(BUF_SENSITIVE);
	const unsigned char *s;
	size_t n, i;
	char *line;

	for (n = 0; n < size && data[n] != '\n' && data[n] != '\0'; n++)
		;
	if ((line = malloc(n + 1)) == NULL)
		abort();
	memcpy(line, data, n);
	line[n] = '\0';
	text_header_utf8(line, a);
	text_header_utf8(line, b);
	text_header_utf8(NULL, b);
	if (buf_len(a) != buf_len(b) ||
	    memcmp(buf_data(a), buf_data(b), buf_len(a)) != 0)
		abort();
	s = (const unsigned char *)buf_data(a);
	for (i = 0; i < buf_len(a); i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			abort();
	if (!utf8_ok(s, buf_len(a)))
		abort();
	free(line);
	buf_free(a);
	buf_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_msg *m = NULL;

	if (size > 1024 * 1024)
		return 0;
	check_header(data, size);
	if (mime_parse(data, size, MIME_SENSITIVE, &m) != CRYPTO_OK) {
		mime_free(m);
		return 0;
	}
	check_text(mime_root(m), 0);
	check_text(mime_root(m), 1);
	mime_free(m);
	return 0;
}
