/*
 * Unit tests for archive/text: posts written out as MIME, parsed with
 * crypto/mime, and the archive's text compared whole where the layout
 * is the point (rows), by fragments where only presence matters.  The
 * Japanese cases build their charset bytes with iconv from UTF-8
 * literals, so the source stays readable and the bytes stay exact.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/extract.h"
#include "archive/text.h"
#include "crypto/crypto.h"
#include "crypto/mime.h"
#include "base/buf.h"

/* ---- helpers ------------------------------------------------------------ */

/* The archive text of msg[0, len); *trunc gets the flag. */
static struct buf *
text_of(const char *msg, size_t len, int *trunc)
{
	struct mime_msg *m = NULL;
	struct buf *out = buf_new(BUF_SENSITIVE);
	int t = -1;

	assert_int_equal(mime_parse(msg, len, MIME_SENSITIVE, &m), CRYPTO_OK);
	assert_int_equal(text_of_post(mime_root(m), out, &t), 0);
	assert_true(t == 0 || t == 1);
	if (trunc != NULL)
		*trunc = t;
	mime_free(m);
	return out;
}

static int
valid_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, k;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			len = 2;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			len = 3;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			len = 4;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

/* UTF-8 literal to charset cs, appended to out. */
static void
to_charset(const char *cs, const char *utf8, struct buf *out)
{
	iconv_t cd = iconv_open(cs, "UTF-8");
	char tmp[4096], *in = (char *)utf8, *o = tmp;
	size_t inleft = strlen(utf8), oleft = sizeof tmp;

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1);
	assert_true(iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1);
	iconv_close(cd);
	buf_append(out, tmp, sizeof tmp - oleft);
}

/* Quoted-printable with soft breaks, as a mail client would send it. */
static void
qp_encode(const char *s, size_t n, struct buf *out)
{
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (col >= 60) {
			buf_append_str(out, "=\r\n");
			col = 0;
		}
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			buf_append_str(out, "\r\n");
			i++;
			col = 0;
		} else if (c >= 0x80 || c == '=' || c < 0x20) {
			buf_printf(out, "=%02X", c);
			col += 3;
		} else {
			buf_append(out, &c, 1);
			col++;
		}
	}
}

/* ---- rows: whole-output comparisons ----------------------------------- */

#define PNG_B64	"iVBORw0KGgoAAAANSUhEUgAAAAFldmlsLXBuZy50ZXN0"
#define BIN_B64	"aW9jIDguOC40LjQAAQJiaW5hcnk="

struct row {
	const char *name;
	const char *msg;
	const char *want;
};

static const struct row rows[] = {
	{ "plain utf-8",
	  "Content-Type: text/plain; charset=utf-8\r\n"
	  "Content-Transfer-Encoding: 8bit\r\n"
	  "\r\n"
	  "C2 at 45.33.32.156 \xe2\x80\x94 d\xc3\xa9tails\r\n"
	  "second line\r\n",
	  "C2 at 45.33.32.156 \xe2\x80\x94 d\xc3\xa9tails\nsecond line\n" },

	{ "no content-type is text/plain us-ascii",
	  "Subject: x\r\n\r\nbare 1.2.3.4\r\n",
	  "bare 1.2.3.4\n" },

	{ "mixed: body, csv, json, png, binary .log, signature",
	  "Content-Type: multipart/mixed; boundary=\"B\"\r\n"
	  "\r\n"
	  "--B\r\n"
	  "Content-Type: text/plain; charset=us-ascii\r\n"
	  "\r\n"
	  "see attached\r\n"
	  "--B\r\n"
	  "Content-Type: text/csv; name=\"iocs.csv\"\r\n"
	  "Content-Disposition: attachment; filename=\"iocs.csv\"\r\n"
	  "Content-Transfer-Encoding: base64\r\n"
	  "\r\n"
	  "aXAsY29tbWVudA0KNDUuMzMuMzIuMTU2LGMyIHNlcnZlcg0K\r\n"
	  "--B\r\n"
	  "Content-Type: application/json\r\n"
	  "Content-Disposition: attachment; filename=\"x.json\"\r\n"
	  "\r\n"
	  "{\"domain\": \"evil.example.net\"}\r\n"
	  "--B\r\n"
	  "Content-Type: image/png\r\n"
	  "Content-Disposition: attachment; filename=\"logo.png\"\r\n"
	  "Content-Transfer-Encoding: base64\r\n"
	  "\r\n"
	  PNG_B64 "\r\n"
	  "--B\r\n"
	  "Content-Type: application/octet-stream\r\n"
	  "Content-Disposition: attachment; filename=\"dump.log\"\r\n"
	  "Content-Transfer-Encoding: base64\r\n"
	  "\r\n"
	  BIN_B64 "\r\n"
	  "--B\r\n"
	  "Content-Type: application/pgp-signature; name=\"sig.txt\"\r\n"
	  "\r\n"
	  "-----BEGIN PGP SIGNATURE-----\r\n"
	  "-----END PGP SIGNATURE-----\r\n"
	  "--B--\r\n",
	  "see attached\n"
	  "\n"
	  "[attachment iocs.csv]\n"
	  "ip,comment\n"
	  "45.33.32.156,c2 server\n"
	  "\n"
	  "[attachment x.json]\n"
	  "{\"domain\": \"evil.example.net\"}\n" },

	{ "attachment by name: octet-stream, encoded-word .log name",
	  "Content-Type: multipart/mixed; boundary=B\r\n"
	  "\r\n"
	  "--B\r\n"
	  "Content-Type: application/octet-stream\r\n"
	  "Content-Disposition: attachment;\r\n"
	  " filename=\"=?UTF-8?B?5LiA6KanLmxvZw==?=\"\r\n"
	  "Content-Transfer-Encoding: base64\r\n"
	  "\r\n"
	  "c2VlbiAxLjEuMS4xIGluIGxvZw0K\r\n"
	  "--B\r\n"
	  "Content-Type: application/octet-stream; name=\"IOCS.IOC\"\r\n"
	  "\r\n"
	  "bad.example.org\r\n"
	  "--B\r\n"
	  "Content-Type: text/html\r\n"
	  "Content-Disposition: attachment; filename=\"page.html\"\r\n"
	  "\r\n"
	  "<a href=\"http://html-attachment.test/\">x</a>\r\n"
	  "--B\r\n"
	  "Content-Type: application/pgp-keys\r\n"
	  "Content-Disposition: attachment; filename=\"key.txt\"\r\n"
	  "\r\n"
	  "-----BEGIN PGP PUBLIC KEY BLOCK-----\r\n"
	  "--B--\r\n",
	  "[attachment \xe4\xb8\x80\xe8\xa6\xa7.log]\n"
	  "seen 1.1.1.1 in log\n"
	  "\n"
	  "[attachment IOCS.IOC]\n"
	  "bad.example.org\n" },

	{ "alternative: plain taken, html dropped",
	  "Content-Type: multipart/alternative; boundary=A\r\n"
	  "\r\n"
	  "--A\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\n"
	  "\r\n"
	  "plain 45.33.32.156\r\n"
	  "--A\r\n"
	  "Content-Type: text/html; charset=utf-8\r\n"
	  "\r\n"
	  "<p>html 8.8.8.8</p>\r\n"
	  "--A--\r\n",
	  "plain 45.33.32.156\n" },

	{ "alternative without plain: html taken",
	  "Content-Type: multipart/alternative; boundary=A\r\n"
	  "\r\n"
	  "--A\r\n"
	  "Content-Type: text/enriched\r\n"
	  "\r\n"
	  "<bold>enriched</bold>\r\n"
	  "--A\r\n"
	  "Content-Type: text/html; charset=utf-8\r\n"
	  "\r\n"
	  "<div>only html 8.8.8.8</div>\r\n"
	  "--A--\r\n",
	  "only html 8.8.8.8\n" },

	{ "html only: href kept, tags, style, comments gone",
	  "Content-Type: text/html; charset=utf-8\r\n"
	  "Content-Transfer-Encoding: quoted-printable\r\n"
	  "\r\n"
	  "<html><head><style>p {font-size:1.5em}</style></head><body>=\r\n"
	  "<p>Click <a href=3D\"http://evil.test/login?a=3D1&amp;b=3D2\">here</a>=\r\n"
	  " now&nbsp;ok</p><!-- 9.9.9.9 --><p>1 &lt; 2 &amp; evil&#46;test</p>=\r\n"
	  "<img src=3Dhttp://img.evil.test/p.gif alt=3D''>\r\n"
	  "</body></html>\r\n",
	  "Click  http://evil.test/login?a=1&b=2 here now ok\n"
	  "\n"
	  "1 < 2 & evil.test\n"
	  " http://img.evil.test/p.gif\n" },

	{ "forwarded phish: headers and inner body",
	  "Content-Type: multipart/mixed; boundary=B\r\n"
	  "\r\n"
	  "--B\r\n"
	  "Content-Type: text/plain\r\n"
	  "\r\n"
	  "Forwarded phish below\r\n"
	  "--B\r\n"
	  "Content-Type: message/rfc822\r\n"
	  "Content-Disposition: attachment; filename=\"phish.eml\"\r\n"
	  "\r\n"
	  "Received: from mx.evil-bank.test (203.0.113.66)\r\n"
	  "From: \"Bank\" <phish@evil-bank.test>\r\n"
	  "Subject: =?UTF-8?B?VsOpcmlmaWV6IHZvdHJlIGNvbXB0ZQ==?=\r\n"
	  "  =?UTF-8?Q?_maintenant?=\r\n"
	  "Reply-To: collect@evil-bank.test\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\n"
	  "\r\n"
	  "Login at hxxp://evil-bank[.]test/x\r\n"
	  "--B--\r\n",
	  "Forwarded phish below\n"
	  "\n"
	  "[forwarded message]\n"
	  "From: \"Bank\" <phish@evil-bank.test>\n"
	  "Subject: V\xc3\xa9rifiez votre compte maintenant\n"
	  "Reply-To: collect@evil-bank.test\n"
	  "\n"
	  "Login at hxxp://evil-bank[.]test/x\n" },

	{ "forwarded message with an alternative inside",
	  "Content-Type: message/rfc822\r\n"
	  "\r\n"
	  "From: a@phish.test\r\n"
	  "Content-Type: multipart/alternative; boundary=I\r\n"
	  "\r\n"
	  "--I\r\n"
	  "Content-Type: text/plain\r\n"
	  "\r\n"
	  "inner plain\r\n"
	  "--I\r\n"
	  "Content-Type: text/html\r\n"
	  "\r\n"
	  "<b>inner html</b>\r\n"
	  "--I--\r\n",
	  "[forwarded message]\n"
	  "From: a@phish.test\n"
	  "\n"
	  "inner plain\n" },

	{ "broken base64 costs only its part",
	  "Content-Type: multipart/mixed; boundary=B\r\n"
	  "\r\n"
	  "--B\r\n"
	  "Content-Type: text/plain\r\n"
	  "Content-Transfer-Encoding: base64\r\n"
	  "\r\n"
	  "!!not base64!!\r\n"
	  "--B\r\n"
	  "Content-Type: text/plain\r\n"
	  "\r\n"
	  "still here\r\n"
	  "--B--\r\n",
	  "still here\n" },

	{ "encrypted leftovers and images: nothing",
	  "Content-Type: multipart/mixed; boundary=B\r\n"
	  "\r\n"
	  "--B\r\n"
	  "Content-Type: application/pgp-encrypted\r\n"
	  "\r\n"
	  "Version: 1\r\n"
	  "--B\r\n"
	  "Content-Type: image/gif\r\n"
	  "\r\n"
	  "GIF89a 1.2.3.4\r\n"
	  "--B--\r\n",
	  "" },
};

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int trunc;
		struct buf *b = text_of(rows[i].msg, strlen(rows[i].msg),
		    &trunc);

		if (strcmp(buf_data(b), rows[i].want) != 0)
			fail_msg("row \"%s\":\n got: [%s]\nwant: [%s]",
			    rows[i].name, buf_data(b), rows[i].want);
		assert_int_equal(trunc, 0);
		assert_true(valid_utf8(buf_data(b), buf_len(b)));
		buf_free(b);
	}
}

static const char *
row_msg(const char *prefix)
{
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (strncmp(rows[i].name, prefix, strlen(prefix)) == 0)
			return rows[i].msg;
	fail_msg("no row %s", prefix);
	return NULL;
}

/* ---- Japanese mail: the whole chain ---------------------------------- */

static const char jp_text[] =
    "\xe4\xb8\x8d\xe5\xaf\xa9\xe3\x81\xaa\xe3\x83\x89\xe3\x83\xa1\xe3\x82"
    "\xa4\xe3\x83\xb3 evil\xef\xbc\x8e" "example\xef\xbc\x8e" "com "
    "\xe3\x80\x8c" "198.51.100.7" "\xe3\x80\x8d\xe3\x82\x92\xe7\xa2\xba"
    "\xe8\xaa\x8d";	/* 不審なドメイン evil．example．com 「198.51.100.7」を確認 */

static void
test_iso2022jp(void **state)
{
	struct buf *msg = buf_new(0), *b;
	struct indicator *ind = NULL;
	size_t n, i;
	int dom = 0, ip = 0;

	(void)state;
	buf_append_str(msg, "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n");
	to_charset("ISO-2022-JP", jp_text, msg);
	buf_append_str(msg, "\r\n");
	/* it really is 7-bit JIS, not UTF-8 that happens to pass */
	for (i = 0; i < buf_len(msg); i++)
		assert_true((unsigned char)buf_data(msg)[i] < 0x80);
	assert_non_null(memchr(buf_data(msg), 0x1b, buf_len(msg)));

	b = text_of(buf_data(msg), buf_len(msg), NULL);
	assert_string_equal(buf_data(b), "\xe4\xb8\x8d\xe5\xaf\xa9\xe3\x81\xaa"
	    "\xe3\x83\x89\xe3\x83\xa1\xe3\x82\xa4\xe3\x83\xb3 evil\xef\xbc\x8e"
	    "example\xef\xbc\x8e" "com \xe3\x80\x8c" "198.51.100.7"
	    "\xe3\x80\x8d\xe3\x82\x92\xe7\xa2\xba\xe8\xaa\x8d\n");

	n = extract_indicators(buf_data(b), buf_len(b), &ind);
	for (i = 0; i < n; i++) {
		if (ind[i].type == IND_DOMAIN &&
		    strcmp(ind[i].value, "evil.example.com") == 0) {
			dom = 1;
			assert_true(ind[i].flags & IND_DEFANGED);
		}
		if (ind[i].type == IND_IPV4 &&
		    strcmp(ind[i].value, "198.51.100.7") == 0) {
			ip = 1;
			/* the span indexes the archive text itself */
			assert_memory_equal(buf_data(b) + ind[i].start,
			    "198.51.100.7", 12);
		}
	}
	assert_true(dom);
	assert_true(ip);
	indicators_free(ind, n);
	buf_free(b);
	buf_free(msg);
}

static void
test_sjis_qp_attachment(void **state)
{
	static const char sj[] =
	    "IOC\xe4\xb8\x80\xe8\xa6\xa7: \xe6\x82\xaa\xe6\x80\xa7\xe3\x82\xb5"
	    "\xe3\x83\xbc\xe3\x83\x90 45.33.32.156 \xe3\x81\xa8 "
	    "bad-host.example.net\r\n"
	    "\xe4\xba\x8c\xe8\xa1\x8c\xe7\x9b\xae=ok\r\n";
	struct buf *raw = buf_new(0), *msg = buf_new(0), *b, *want;

	(void)state;
	to_charset("SHIFT_JIS", sj, raw);
	buf_append_str(msg, "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
	    "--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
	    "--B\r\n"
	    "Content-Type: text/plain; charset=Shift_JIS; name=\"ioc.txt\"\r\n"
	    "Content-Disposition: attachment; filename=\"ioc.txt\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	qp_encode(buf_data(raw), buf_len(raw), msg);
	buf_append_str(msg, "\r\n--B--\r\n");

	b = text_of(buf_data(msg), buf_len(msg), NULL);
	want = buf_new(0);
	buf_append_str(want, "body\n\n[attachment ioc.txt]\n");
	buf_append_str(want, "IOC\xe4\xb8\x80\xe8\xa6\xa7: \xe6\x82\xaa\xe6"
	    "\x80\xa7\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90 45.33.32.156 "
	    "\xe3\x81\xa8 bad-host.example.net\n"
	    "\xe4\xba\x8c\xe8\xa1\x8c\xe7\x9b\xae=ok\n");
	assert_string_equal(buf_data(b), buf_data(want));
	buf_free(want);
	buf_free(b);
	buf_free(msg);
	buf_free(raw);
}

static void
test_eucjp_and_latin1(void **state)
{
	struct buf *msg = buf_new(0), *b;

	(void)state;
	buf_append_str(msg, "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
	    "--B\r\nContent-Type: text/plain; charset=EUC-JP\r\n\r\n");
	to_charset("EUC-JP", "\xe7\xa2\xba\xe8\xaa\x8d 8.8.8.8", msg);
	buf_append_str(msg, "\r\n--B\r\n"
	    "Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
	    "caf\xe9 9.9.9.9\r\n--B--\r\n");
	b = text_of(buf_data(msg), buf_len(msg), NULL);
	assert_string_equal(buf_data(b),
	    "\xe7\xa2\xba\xe8\xaa\x8d 8.8.8.8\n\ncaf\xc3\xa9 9.9.9.9\n");
	buf_free(b);
	buf_free(msg);
}

/* ---- structure and bounds --------------------------------------------- */

static void
test_forwarded_indicators(void **state)
{
	struct indicator *ind = NULL;
	struct buf *b;
	size_t n, i;
	int from = 0, url = 0;

	(void)state;
	b = text_of(row_msg("forwarded phish"), strlen(row_msg("forwarded phish")),
	    NULL);
	n = extract_indicators(buf_data(b), buf_len(b), &ind);
	for (i = 0; i < n; i++) {
		if (ind[i].type == IND_EMAIL &&
		    strcmp(ind[i].value, "phish@evil-bank.test") == 0)
			from = 1;
		if (ind[i].type == IND_URL &&
		    strcmp(ind[i].value, "http://evil-bank.test/x") == 0)
			url = 1;
		/* Received: is relay noise, not taken */
		assert_string_not_equal(ind[i].value, "203.0.113.66");
	}
	assert_true(from);
	assert_true(url);
	indicators_free(ind, n);
	buf_free(b);
}

static void
test_nested(void **state)
{
	struct buf *msg = buf_new(0), *b;
	int d;

	(void)state;
	for (d = 0; d < 12; d++)
		buf_printf(msg, "Content-Type: multipart/%s; boundary=\"L%d\"\r\n"
		    "\r\n--L%d\r\n", d % 2 ? "mixed" : "related", d, d);
	buf_append_str(msg, "Content-Type: text/plain\r\n\r\n"
	    "deep 45.33.32.156\r\n");
	for (d = 11; d >= 0; d--)
		buf_printf(msg, "--L%d--\r\n", d);
	b = text_of(buf_data(msg), buf_len(msg), NULL);
	assert_string_equal(buf_data(b), "deep 45.33.32.156\n");
	buf_free(b);
	buf_free(msg);
}

static void
test_max_parts(void **state)
{
	struct buf *msg = buf_new(0), *b;
	char want[64];
	int i, trunc;

	(void)state;
	buf_append_str(msg, "Content-Type: multipart/mixed; boundary=B\r\n\r\n");
	for (i = 0; i < TEXT_MAX_PARTS + 6; i++)
		buf_printf(msg, "--B\r\nContent-Type: text/plain\r\n\r\n"
		    "part %d.\r\n", i);
	buf_append_str(msg, "--B--\r\n");
	b = text_of(buf_data(msg), buf_len(msg), &trunc);
	assert_int_equal(trunc, 1);
	(void)snprintf(want, sizeof want, "part %d.", TEXT_MAX_PARTS - 1);
	assert_non_null(strstr(buf_data(b), want));
	(void)snprintf(want, sizeof want, "part %d.", TEXT_MAX_PARTS);
	assert_null(strstr(buf_data(b), want));
	buf_free(b);

	/* exactly the limit is not a cut */
	buf_reset(msg);
	buf_append_str(msg, "Content-Type: multipart/mixed; boundary=B\r\n\r\n");
	for (i = 0; i < TEXT_MAX_PARTS; i++)
		buf_printf(msg, "--B\r\nContent-Type: text/plain\r\n\r\n"
		    "part %d.\r\n", i);
	buf_append_str(msg, "--B--\r\n");
	b = text_of(buf_data(msg), buf_len(msg), &trunc);
	assert_int_equal(trunc, 0);
	buf_free(b);
	buf_free(msg);
}

static void
test_text_max(void **state)
{
	static const char small[] = "Content-Type: text/plain\r\n\r\nsmall\r\n";
	struct buf *msg = buf_new(0), *b;
	size_t i, n = TEXT_MAX / 2 + 100;
	int trunc;

	(void)state;
	buf_append_str(msg, "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
	    "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	/* two-octet characters: the odd room left must not split one */
	for (i = 0; i < n; i++) {
		buf_append(msg, "\xc3\xa9", 2);
		if (i % 38 == 37)
			buf_append(msg, "\r\n", 2);
	}
	buf_append_str(msg, "\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
	    "after the cut\r\n--B--\r\n");
	b = text_of(buf_data(msg), buf_len(msg), &trunc);
	assert_int_equal(trunc, 1);
	assert_true(buf_len(b) <= TEXT_MAX);
	assert_true(buf_len(b) > TEXT_MAX - 8);
	assert_true(valid_utf8(buf_data(b), buf_len(b)));
	assert_null(strstr(buf_data(b), "after the cut"));
	buf_free(b);

	/* well under the bound: no flag */
	b = text_of(small, strlen(small), &trunc);
	assert_int_equal(trunc, 0);
	buf_free(b);
	buf_free(msg);
}

static void
test_bad_args(void **state)
{
	static const char s[] = "Content-Type: text/plain\r\n\r\nhi\r\n";
	struct mime_msg *m = NULL;
	struct buf *plain = buf_new(0), *sens = buf_new(BUF_SENSITIVE);
	int t = 7;

	(void)state;
	assert_int_equal(mime_parse(s, sizeof s - 1, MIME_SENSITIVE, &m),
	    CRYPTO_OK);
	assert_int_equal(text_of_post(mime_root(m), plain, &t), -1);
	assert_int_equal(buf_len(plain), 0);
	assert_int_equal(t, 0);
	assert_int_equal(text_of_post(NULL, sens, &t), -1);
	assert_int_equal(text_of_post(mime_root(m), NULL, &t), -1);
	/* appends, keeps what was there, flag pointer optional */
	buf_append_str(sens, "prefix|");
	assert_int_equal(text_of_post(mime_root(m), sens, NULL), 0);
	assert_string_equal(buf_data(sens), "prefix|hi\n");
	mime_free(m);
	buf_free(plain);
	buf_free(sens);
}

/* ---- text_header_utf8: the one RFC 2047 decoder ------------------------ */

#define JA_REPORT "\xe4\xb8\x8d\xe6\xad\xa3\xe3\x82\xa2\xe3\x82\xaf" \
    "\xe3\x82\xbb\xe3\x82\xb9\xe3\x81\xae\xe5\xa0\xb1\xe5\x91\x8a"
#define FFFD "\xef\xbf\xbd"

static const struct { const char *in, *want; } hdr_rows[] = {
	{ "plain", "plain" },
	{ "=?ISO-2022-JP?B?GyRCSVRANSUiJS8lOyU5JE5KczlwGyhC?=", JA_REPORT },
	{ "=?iso-2022-jp?b?VExQOkdSRUVOIBskQklUQDUlIiUvJTslOSROSnM5cBsoQg==?=",
	    "TLP:GREEN " JA_REPORT },
	{ "=?Shift_JIS?B?lXOQs4NBg06DWoNYgsyV8Y2Q?=", JA_REPORT },
	{ "=?EUC-JP?B?ydTAtaWipa+lu6W5pM7K87nw?=", JA_REPORT },
	{ "=?ISO-2022-JP*ja?B?GyRCSVRANSUiJS8lOyU5JE5KczlwGyhC?=", JA_REPORT },
	{ "=?UTF-8?Q?caf=C3=A9_au_lait?=", "caf\xc3\xa9 au lait" },
	{ "=?iso-8859-15?q?=A4uro?=", "\xe2\x82\xac" "uro" },
	/* space between adjacent words is not text; beside text it is */
	{ "=?utf-8?q?a?= =?utf-8?q?b?=", "ab" },
	{ "=?utf-8?q?a?=\t =?utf-8?q?b?= c", "ab c" },
	{ "x =?utf-8?q?a?= y", "x a y" },
	{ "=?utf-8?q?a?==?utf-8?q?b?=", "ab" },
	/* the attacker's: encoded CR LF, NUL, C1 (NEL), DEL: spaces */
	{ "=?utf-8?q?a=0D=0ABcc:_x?=", "a  Bcc: x" },
	{ "=?utf-8?b?YQ0KQmNjOiB4?=", "a  Bcc: x" },
	{ "=?utf-8?q?a=00b=7Fc?=", "a b c" },
	{ "=?utf-8?q?a=C2=85b=C2=9Bc?=", "a b c" },
	{ "=?iso-8859-1?q?a=85b?=", "a b" },
	{ "raw\r\nBcc: x", "raw  Bcc: x" },
	/* bidi: overrides, isolates, marks, separators become U+FFFD */
	{ "=?utf-8?q?=E2=80=AEDER:PLT?=", FFFD "DER:PLT" },
	{ "=?utf-8?b?4oGmVExQOlJFROKBqQ==?=", FFFD "TLP:RED" FFFD },
	{ "=?utf-8?q?a=E2=80=8Fb=E2=80=A8c?=", "a" FFFD "b" FFFD "c" },
	/* invalid sequences: U+FFFD, never a raw octet */
	{ "=?utf-8?q?a=FFb?=", "a" FFFD "b" },
	{ "=?utf-8?q?=ED=A0=80?=", FFFD FFFD FFFD },
	{ "=?iso-2022-jp?q?=1B$B=FF=FF=1B(B?=", NULL },
	{ "=?Shift_JIS?q?=81?=", NULL },
	{ "raw \xff\xfe", "raw " FFFD FFFD },
	/* a charset iconv does not know: the octets, cleaned */
	{ "=?x-unknown?q?ok=E2=80=AE?=", "ok" FFFD },
	{ "=?../../../etc/passwd?q?ok?=", "ok" },
	{ "=?utf-8//TRANSLIT?q?ok?=", "ok" },
	/* decoded once: a word inside a word is text */
	{ "=?utf-8?b?PT91dGYtOD9xP1RMUDpDTEVBUj89?=", "=?utf-8?q?TLP:CLEAR?=" },
	/* malformed words are text as written */
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=" },
	{ "=?utf-8?q?abc", "=?utf-8?q?abc" },
	{ "=??q?abc?=", "=??q?abc?=" },
	{ "=?utf-8?q?a b?=", "=?utf-8?q?a b?=" },
	{ "", "" },
};

static void
test_header_rows(void **state)
{
	struct buf *b = buf_new(BUF_SENSITIVE);
	const unsigned char *u;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof hdr_rows / sizeof hdr_rows[0]; i++) {
		buf_reset(b);
		text_header_utf8(hdr_rows[i].in, b);
		u = (const unsigned char *)buf_data(b);
		assert_true(valid_utf8(buf_data(b), buf_len(b)));
		for (k = 0; k < buf_len(b); k++)
			if (u[k] < 0x20 || u[k] == 0x7f)
				fail_msg("row %zu: control %02x", i, u[k]);
		if (hdr_rows[i].want == NULL) {
			assert_non_null(strstr(buf_data(b), FFFD));
			continue;
		}
		if (strcmp(buf_data(b), hdr_rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i,
			    buf_data(b), hdr_rows[i].want);
	}
	buf_reset(b);
	text_header_utf8(NULL, b);
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

/*
 * Bombs (a header block may be 256 KiB, MIME_MAX_HEADER): many words,
 * many charsets, many unterminated "=?" in one token.  Each finishes in
 * linear time; the output is bounded by the input, every word decoded.
 */
static void
test_header_bombs(void **state)
{
	struct buf *in = buf_new(0), *out = buf_new(BUF_SENSITIVE);
	size_t i;

	(void)state;
	/* 20000 adjacent words: one "x" each */
	for (i = 0; i < 20000; i++)
		buf_append_str(in, "=?utf-8?q?x?= ");
	text_header_utf8(buf_data(in), out);
	assert_int_equal(buf_len(out), 20000);
	/* alternating charsets and bad ones */
	buf_reset(in);
	buf_reset(out);
	for (i = 0; i < 5000; i++)
		buf_printf(in, "=?%s?q?x?=", i % 3 == 0 ? "iso-2022-jp" :
		    i % 3 == 1 ? "x-bogus-cs" : "shift_jis");
	text_header_utf8(buf_data(in), out);
	assert_int_equal(buf_len(out), 5000);
	/* 256 KiB of unterminated words, as tokens and as one token:
	 * text as written, quickly (no scan to the end per "=?") */
	buf_reset(in);
	buf_reset(out);
	while (buf_len(in) < 256 * 1024)
		buf_append_str(in, "=?utf-8?q?ab ");
	text_header_utf8(buf_data(in), out);
	assert_int_equal(buf_len(out), buf_len(in) - 1);
	buf_reset(in);
	buf_reset(out);
	while (buf_len(in) < 256 * 1024)
		buf_append_str(in, "=?utf-8?q?ab");
	text_header_utf8(buf_data(in), out);
	assert_int_equal(buf_len(out), buf_len(in));
	buf_free(in);
	buf_free(out);
}

/* ---- text_context ------------------------------------------------------ */

struct ctx_row {
	const char *text;
	const char *ind;	/* the span: first occurrence of this */
	size_t max;
	const char *want;
};

#define LONG_X	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define LONG_Y	"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"

static const struct ctx_row ctx_rows[] = {
	{ "line one\nC2 at 1.2.3.4 here\nline three", "1.2.3.4", 64,
	  "C2 at 1.2.3.4 here" },
	{ "a\tb 1.2.3.4\r\nnext", "1.2.3.4", 64, "a b 1.2.3.4" },
	{ "1.2.3.4", "1.2.3.4", 64, "1.2.3.4" },
	{ "foo\nbar", "o\nb", 64, "foo bar" },
	{ LONG_X "1.2.3.4" LONG_Y, "1.2.3.4", 20, "...xxx1.2.3.4yyy..." },
	{ "ab 1.2.3.4" LONG_Y, "1.2.3.4", 20, "ab 1.2.3.4yyyyyy..." },
	{ LONG_X "1.2.3.4 z", "1.2.3.4", 20, "...xxxxxxx1.2.3.4 z" },
	{ LONG_X "1.2.3.4" LONG_Y, "1.2.3.4", 10, "...1.2..." },
	{ LONG_X "1.2.3.4" LONG_Y, "1.2.3.4", 5, "1.2." },
	{ "a\x01" "b\x7f" "c 1.2.3.4", "1.2.3.4", 64, "a b c 1.2.3.4" },
};

static void
test_context_rows(void **state)
{
	char dst[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ctx_rows / sizeof ctx_rows[0]; i++) {
		const struct ctx_row *r = &ctx_rows[i];
		const char *at = strstr(r->text, r->ind);
		size_t s;

		assert_non_null(at);
		s = (size_t)(at - r->text);
		text_context(r->text, strlen(r->text), s, s + strlen(r->ind),
		    dst, r->max);
		if (strcmp(dst, r->want) != 0)
			fail_msg("context row %zu: got [%s] want [%s]", i, dst,
			    r->want);
		assert_true(strlen(dst) < r->max);
	}
}

/* Every size, every cut: never half a character, never over max. */
static void
test_context_utf8(void **state)
{
	/* あいうえおかきくけこ 1.2.3.4 さしすせそ */
	static const char t[] =
	    "\xe3\x81\x82\xe3\x81\x84\xe3\x81\x86\xe3\x81\x88\xe3\x81\x8a"
	    "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f\xe3\x81\x91\xe3\x81\x93"
	    " 1.2.3.4 "
	    "\xe3\x81\x95\xe3\x81\x97\xe3\x81\x99\xe3\x81\x9b\xe3\x81\x9d";
	const char *at = strstr(t, "1.2.3.4");
	size_t s = (size_t)(at - t), max;
	char dst[128];

	(void)state;
	for (max = 1; max <= sizeof dst; max++) {
		memset(dst, 'Z', sizeof dst);
		text_context(t, sizeof t - 1, s, s + 7, dst, max);
		assert_true(strlen(dst) < max);
		assert_true(valid_utf8(dst, strlen(dst)));
		if (max >= 7 + 6 + 1)
			assert_non_null(strstr(dst, "1.2.3.4"));
	}
	text_context(t, sizeof t - 1, s, s + 7, dst, 16);
	assert_string_equal(dst, "... 1.2.3.4 ...");
	/* max 0 leaves dst alone */
	dst[0] = 'Q';
	text_context(t, sizeof t - 1, s, s + 7, dst, 0);
	assert_int_equal(dst[0], 'Q');
	/* a span past the end is clamped, not read */
	text_context("abc", 3, 10, 20, dst, 16);
	assert_string_equal(dst, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_iso2022jp),
		cmocka_unit_test(test_sjis_qp_attachment),
		cmocka_unit_test(test_eucjp_and_latin1),
		cmocka_unit_test(test_forwarded_indicators),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_max_parts),
		cmocka_unit_test(test_text_max),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_header_rows),
		cmocka_unit_test(test_header_bombs),
		cmocka_unit_test(test_context_rows),
		cmocka_unit_test(test_context_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
