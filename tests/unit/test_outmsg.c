/* Unit tests for hub/outmsg and hub/notice: the relayed copy and the
 * hub's own notices (pure text). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archive/text.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "hub/notice.h"
#include "hub/outmsg.h"
#include "lists/policy.h"

#define T_SIG	1795435087LL	/* 2026-11-23 11:58:07 UTC */
#define T_NOW	1795435200LL	/* 2026-11-23 12:00:00 UTC */
#define FPR	"ABCD1234ABCD1234ABCD1234ABCD1234ABCD1234"
#define LISTFPR	"0123456789ABCDEF0123456789ABCDEF01234567"

static const char content_plain[] =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Scanning from 192.0.2.7, see below.\r\n";

static void
base_in(struct outmsg_in *in)
{
	memset(in, 0, sizeof *in);
	in->list = "ops";
	in->domain = "hub.example.org";
	in->subject_tag = "[ops]";
	in->post_id = "20261123T120000.abc123";
	in->now = T_NOW;
	in->signer_name = "Alice Example";
	in->signer_address = "alice@cert-ex.example";
	in->signer_team = "CERT-EX";
	in->signer_team_name = "CERT Example";
	in->signer_fpr = FPR;
	in->sig_status = "good";
	in->sig_created = T_SIG;
	in->tlp = TLP_AMBER;
	in->tlp_where = TLP_FROM_SUBJECT;
	in->subject = "Scan";
	in->message_id = "<orig@cert-ex.example>";
	in->content = content_plain;
	in->content_len = sizeof content_plain - 1;
	in->list_fpr = LISTFPR;
}

/* --- helpers ------------------------------------------------------------ */

/* A header value with folding undone (CRLF before WSP removed). */
static char *
unfold(const char *s)
{
	struct buf *b = buf_new(0);
	char *r;

	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n' &&
		    (s[2] == ' ' || s[2] == '\t')) {
			s++;
			continue;
		}
		buf_append(b, s, 1);
	}
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

/* The header block of a built message or entity (up to the empty line);
 * takes b. */
static char *
header_block(struct buf *b)
{
	const char *end = strstr(buf_data(b), "\r\n\r\n");
	char *r;

	assert_non_null(end);
	r = xstrndup(buf_data(b), (size_t)(end - buf_data(b)) + 2);
	buf_free(b);
	return r;
}

/* The outer header block of a recipient's copy, as the worker would
 * write it (crypto's outer headers, then the list's own outer From). */
static char *
outer_block(struct outmsg *m)
{
	struct buf *b = buf_new(0);

	pgpmime_build_encrypted(&m->h, "x", 1, b);
	assert_int_equal(outmsg_outer_from(m, b), 0);
	return header_block(b);
}

/* The protected header block pgpmime_protect() makes of m. */
static char *
protected_block(struct outmsg *m)
{
	struct buf *b = buf_new(0);

	assert_int_equal(pgpmime_protect(&m->h, buf_data(m->entity),
	    buf_len(m->entity), b), CRYPTO_OK);
	return header_block(b);
}

/*
 * Every line of a header block is a header ("Name:" of printable ASCII)
 * or a continuation; the names, each followed by ',', in order.
 */
static char *
header_names(const char *block)
{
	struct buf *b = buf_new(0);
	const char *p = block, *e, *c;
	char *r;

	while (*p != '\0') {
		e = strstr(p, "\r\n");
		assert_non_null(e);
		/* no bare CR or LF inside a line */
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		assert_null(memchr(p, '\r', (size_t)(e - p)));
		if (*p != ' ' && *p != '\t') {
			for (c = p; c < e && *c > ' ' && *c < 0x7f &&
			    *c != ':'; c++)
				;
			if (c == p || c == e || *c != ':')
				fail_msg("not a header line: %.*s",
				    (int)(e - p), p);
			buf_append(b, p, (size_t)(c - p));
			buf_append(b, ",", 1);
		}
		p = e + 2;
	}
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

/* The unfolded value of the first header name in block, or NULL. */
static char *
header_value(const char *block, const char *name)
{
	const char *p = block, *e;
	size_t n = strlen(name);
	char *raw, *r;

	for (;;) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			for (e = p; (e = strstr(e, "\r\n")) != NULL &&
			    (e[2] == ' ' || e[2] == '\t'); e += 2)
				;
			raw = xstrndup(p, (size_t)(e - p));
			r = unfold(raw);
			free(raw);
			return r;
		}
		if ((p = strstr(p, "\r\n")) == NULL || p[2] == '\0')
			return NULL;
		p += 2;
	}
}

static void
assert_header(const char *block, const char *name, const char *want)
{
	char *v = header_value(block, name);

	if (v == NULL)
		fail_msg("no %s header", name);
	assert_string_equal(v, want);
	free(v);
}

static int
b64val(int c)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	const char *p = c != '\0' ? strchr(a, c) : NULL;

	return p != NULL ? (int)(p - a) : -1;
}

/* Decode a phrase of =?UTF-8?B?...?= words separated by white space;
 * each word must be at most 75 characters and whole UTF-8. */
static char *
decode_words(const char *s)
{
	struct buf *b = buf_new(0);
	const char *e;
	unsigned v;
	int bits, x;
	char *r;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		assert_int_equal(strncmp(s, "=?UTF-8?B?", 10), 0);
		e = strstr(s + 10, "?=");
		assert_non_null(e);
		assert_true(e + 2 - s <= 75);
		/* a word never starts inside a character */
		if ((x = b64val(s[10])) >= 0)
			assert_true((x >> 4) != 0x2);
		v = 0;
		bits = 0;
		for (s += 10; s < e; s++) {
			if (*s == '=')
				continue;
			x = b64val(*s);
			assert_true(x >= 0);
			v = (v << 6 | (unsigned)x) & 0xffffff;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf_printf(b, "%c", (char)(v >> bits & 0xff));
			}
		}
		s = e + 2;
	}
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

static void
assert_crlf_only(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			fail_msg("bare LF at %zu", i);
		else if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			fail_msg("bare CR at %zu", i);
}

/* --- subject ------------------------------------------------------------ */

/* 不正アクセスの報告 ("report of unauthorised access") */
#define JA_REPORT "\xe4\xb8\x8d\xe6\xad\xa3\xe3\x82\xa2\xe3\x82\xaf" \
    "\xe3\x82\xbb\xe3\x82\xb9\xe3\x81\xae\xe5\xa0\xb1\xe5\x91\x8a"

static const struct {
	const char	*tag;
	enum tlp	 label;
	const char	*subject;
	const char	*want;		/* NULL: valid UTF-8, no controls */
} subjects[] = {
	{ "[ops]", TLP_AMBER, "Incident 42", "[ops] TLP:AMBER Incident 42" },
	{ "[ops]", TLP_AMBER, "Re: [ops] TLP:AMBER Incident 42",
	    "Re: [ops] TLP:AMBER Incident 42" },
	{ "[ops]", TLP_AMBER, "Re: [OPS] Incident",
	    "Re: [OPS] TLP:AMBER Incident" },
	{ "[ops]", TLP_AMBER, "Re: [ops] x", "Re: [ops] TLP:AMBER x" },
	{ "[ops]", TLP_AMBER, "TLP:AMBER Incident",
	    "[ops] TLP:AMBER Incident" },
	{ "[ops]", TLP_AMBER, "[TLP:AMBER] Incident",
	    "[ops] [TLP:AMBER] Incident" },
	/* another label in the subject: the post's own is still added */
	{ "[ops]", TLP_RED, "[ops] TLP:GREEN scan",
	    "[ops] TLP:RED TLP:GREEN scan" },
	{ "[ops]", TLP_AMBER_STRICT, "TLP:AMBER x",
	    "[ops] TLP:AMBER+STRICT TLP:AMBER x" },
	{ "[ops]", TLP_AMBER, "TLP:AMBERX x", "[ops] TLP:AMBER TLP:AMBERX x" },
	{ "[ops]", TLP_RED, "[ops]TLP:RED x", "[ops]TLP:RED x" },
	{ "[ops]", TLP_CLEAR, "tlp:white note", "[ops] tlp:white note" },
	{ "[ops]", TLP_AMBER, "", "[ops] TLP:AMBER (no subject)" },
	{ "[ops]", TLP_AMBER, NULL, "[ops] TLP:AMBER (no subject)" },
	{ "[ops]", TLP_AMBER, " \t ", "[ops] TLP:AMBER (no subject)" },
	{ "", TLP_AMBER, "x", "TLP:AMBER x" },
	{ "", TLP_AMBER, "TLP:AMBER x", "TLP:AMBER x" },
	{ NULL, TLP_GREEN, "x", "TLP:GREEN x" },
	{ "[ops]", TLP_NONE, "x", "[ops] x" },
	{ "[ops]", TLP_AMBER, "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen",
	    "[ops] TLP:AMBER Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen" },
	{ "[ops]", TLP_AMBER, "  spaced \t out  ",
	    "[ops] TLP:AMBER spaced out" },
	{ "[ops]", TLP_AMBER, "folded\r\n line",
	    "[ops] TLP:AMBER folded line" },
	/* CR and LF are white space, never a line: one space */
	{ "[ops]", TLP_AMBER, "a\r\nBcc: x", "[ops] TLP:AMBER a Bcc: x" },
	/* RFC 2047 words are decoded before the tag and label are looked
	 * for: the label inside one is seen, and not added twice */
	{ "[ops]", TLP_GREEN,
	    "=?ISO-2022-JP?B?VExQOkdSRUVOIBskQklUQDUlIiUvJTslOSROSnM5cBsoQg==?=",
	    "[ops] TLP:GREEN " JA_REPORT },
	{ "[ops]", TLP_GREEN, "TLP:GREEN "
	    "=?iso-2022-jp?b?GyRCSVRANSUiJS8lOyU5JE5KczlwGyhC?=",
	    "[ops] TLP:GREEN " JA_REPORT },
	{ "[ops]", TLP_AMBER, "=?Shift_JIS?B?lXOQs4NBg06DWoNYgsyV8Y2Q?=",
	    "[ops] TLP:AMBER " JA_REPORT },
	{ "[ops]", TLP_AMBER, "=?EUC-JP?B?ydTAtaWipa+lu6W5pM7K87nw?=",
	    "[ops] TLP:AMBER " JA_REPORT },
	{ "[ops]", TLP_AMBER, "=?utf-8?q?Re:_=5Bops=5D_x?=",
	    "Re: [ops] TLP:AMBER x" },
	/* a tag split over two words, the space between them not text */
	{ "[ops]", TLP_RED, "=?utf-8?q?TLP:?= =?utf-8?q?RED?= x",
	    "[ops] TLP:RED x" },
	/* the attacker's tries.  An encoded CR LF is a space, not a line */
	{ "[ops]", TLP_AMBER, "=?utf-8?q?a=0D=0ABcc:_x=0D=0A?= b",
	    "[ops] TLP:AMBER a Bcc: x b" },
	{ "[ops]", TLP_AMBER, "=?utf-8?b?YQ0KQmNjOiB4?=",
	    "[ops] TLP:AMBER a Bcc: x" },
	/* a label the encoding hides does not stand for the post's */
	{ "[ops]", TLP_RED, "=?utf-8?q?TLP:CLEAR?= note",
	    "[ops] TLP:RED TLP:CLEAR note" },
	/* a C1 control (NEL, a line break to some) and NUL: spaces */
	{ "[ops]", TLP_AMBER, "=?iso-8859-1?q?a=85b=00c?=",
	    "[ops] TLP:AMBER a b c" },
	{ "[ops]", TLP_AMBER, "=?utf-8?q?a=C2=85b?=", "[ops] TLP:AMBER a b" },
	/* bidi override and isolate: U+FFFD, so nothing is reordered */
	{ "[ops]", TLP_AMBER, "=?utf-8?q?x=E2=80=AEDER:PLT?=",
	    "[ops] TLP:AMBER x\xef\xbf\xbd" "DER:PLT" },
	{ "[ops]", TLP_AMBER, "=?utf-8?b?4oGmVExQOlJFROKBqQ==?=",
	    "[ops] TLP:AMBER \xef\xbf\xbdTLP:RED\xef\xbf\xbd" },
	/* invalid sequences: U+FFFD; an unknown charset: its octets as
	 * they are, valid UTF-8 kept */
	{ "[ops]", TLP_AMBER, "=?utf-8?q?a=FFb?=",
	    "[ops] TLP:AMBER a\xef\xbf\xbd" "b" },
	{ "[ops]", TLP_AMBER, "=?ISO-2022-JP?B?GyRCSVQbKEJ/GyRC/w==?=",
	    NULL },
	{ "[ops]", TLP_AMBER, "=?x-no-such-cs?q?ok=FF?=",
	    "[ops] TLP:AMBER ok\xef\xbf\xbd" },
	{ "[ops]", TLP_AMBER, "=?../../etc/passwd?q?ok?=", "[ops] TLP:AMBER ok" },
	/* what a word decodes to is not decoded again */
	{ "[ops]", TLP_AMBER, "=?utf-8?b?PT91dGYtOD9xP1RMUDpDTEVBUj89?=",
	    "[ops] TLP:AMBER =?utf-8?q?TLP:CLEAR?=" },
	/* malformed words are text */
	{ "[ops]", TLP_AMBER, "=?utf-8?x?abc?= =?utf-8?q?abc",
	    "[ops] TLP:AMBER =?utf-8?x?abc?= =?utf-8?q?abc" },
};

/* Valid UTF-8 without a control or a reordering character. */
static void
assert_clean_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = hub_utf8_dec(u + i, n - i, &cp);
		if (k == 0 || hub_cp_control(cp) || hub_cp_format(cp))
			fail_msg("bad character at %zu of \"%s\"", i, s);
		i += k;
	}
}

static void
test_subject_table(void **state)
{
	struct buf *b = buf_new(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		buf_reset(b);
		outmsg_subject(subjects[i].tag, subjects[i].label,
		    subjects[i].subject, b);
		assert_clean_utf8(buf_data(b));
		if (subjects[i].want == NULL) {
			/* invalid input: it shows, as U+FFFD */
			assert_non_null(strstr(buf_data(b), "\xef\xbf\xbd"));
			continue;
		}
		if (strcmp(buf_data(b), subjects[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i,
			    buf_data(b), subjects[i].want);
	}
	buf_free(b);
}

/* --- From ---------------------------------------------------------------- */

static const struct {
	const char	*name;
	const char	*addr;
	const char	*want;		/* From unfolded; NULL: encoded */
	const char	*decoded;	/* the phrase, for B-encoded rows */
} froms[] = {
	{ "Alice Example", "alice@cert-ex.example",
	    "\"Alice Example (CERT-EX) via ops\" <ops@hub.example.org>",
	    NULL },
	{ "Bob \"B\" O\\Neil", "bob@cert-ex.example",
	    "\"Bob \\\"B\\\" O\\\\Neil (CERT-EX) via ops\" "
	    "<ops@hub.example.org>", NULL },
	{ NULL, "carol@cert-ex.example",
	    "\"carol (CERT-EX) via ops\" <ops@hub.example.org>", NULL },
	{ "", "dave@cert-ex.example",
	    "\"dave (CERT-EX) via ops\" <ops@hub.example.org>", NULL },
	{ "Eve <eve@evil.example>", "eve@cert-ex.example",
	    "\"Eve <eve@evil.example> (CERT-EX) via ops\" "
	    "<ops@hub.example.org>", NULL },
	{ "J\xc3\xbcrgen M\xc3\xbcller", "j@cert-ex.example", NULL,
	    "J\xc3\xbcrgen M\xc3\xbcller (CERT-EX) via ops" },
	/* long enough for several words, with 2-octet characters that
	 * would be cut by a naive split */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	    "e@cert-ex.example", NULL,
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  " (CERT-EX) via ops" },
};

static void
test_from_table(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	char *v, *dec, *lt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof froms / sizeof froms[0]; i++) {
		base_in(&in);
		in.signer_name = froms[i].name;
		in.signer_address = froms[i].addr;
		assert_int_equal(outmsg_build(&in, &m), 0);
		v = unfold(m.h.from);
		if (froms[i].want != NULL) {
			if (strcmp(v, froms[i].want) != 0)
				fail_msg("row %zu: %s", i, v);
		} else {
			lt = strstr(v, " <ops@hub.example.org>");
			assert_non_null(lt);
			assert_string_equal(lt, " <ops@hub.example.org>");
			*lt = '\0';
			dec = decode_words(v);
			assert_string_equal(dec, froms[i].decoded);
			free(dec);
		}
		free(v);
		outmsg_free(&m);
	}
}

/* --- headers -------------------------------------------------------------- */

static void
test_headers_plain(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	char *o, *names;

	(void)state;
	base_in(&in);
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	names = header_names(o);
	assert_string_equal(names, "From,To,Reply-To,Date,Message-ID,Subject,"
	    "List-Id,List-Post,List-Help,List-Unsubscribe,List-Owner,"
	    "OpenPGP,MIME-Version,Content-Type,");
	assert_header(o, "To", "<ops@hub.example.org>");
	assert_header(o, "Reply-To", "<ops@hub.example.org>");
	assert_header(o, "Date", "Mon, 23 Nov 2026 12:00:00 +0000");
	assert_header(o, "Message-ID",
	    "<20261123T120000.abc123.ops@hub.example.org>");
	assert_string_equal(m.message_id,
	    "<20261123T120000.abc123.ops@hub.example.org>");
	assert_header(o, "List-Id", "ops <ops.hub.example.org>");
	assert_header(o, "List-Post", "<mailto:ops@hub.example.org>");
	assert_header(o, "List-Help",
	    "<mailto:ops-request@hub.example.org?subject=help>");
	assert_header(o, "List-Unsubscribe",
	    "<mailto:ops-request@hub.example.org?subject=unsubscribe>");
	assert_header(o, "List-Owner", "<mailto:ops-owner@hub.example.org>");
	{
		/* the verdict: inside the signed entity, never outside */
		char *pb = protected_block(&m);

		assert_header(pb, "X-CSIRT-Hub-Signer",
		    "CERT-EX; alice@cert-ex.example; " FPR);
		assert_header(pb, "X-CSIRT-Hub-Signature",
		    "good; created=2026-11-23T11:58:07Z");
		assert_header(pb, "X-CSIRT-Hub-TLP", "TLP:AMBER");
		free(pb);
		assert_null(strstr(o, "X-CSIRT-Hub"));
	}
	assert_header(o, "OpenPGP", "id=" LISTFPR
	    "; url=mailto:ops-sendkey@hub.example.org; "
	    "preference=signencrypt");
	assert_string_equal(m.h.subject, "[ops] TLP:AMBER Scan");
	free(names);
	free(o);
	outmsg_free(&m);
}

static void
test_list_id_phrase_quoted(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	char *o;

	(void)state;
	base_in(&in);
	in.list = "sector.isac";
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	assert_header(o, "List-Id",
	    "\"sector.isac\" <sector.isac.hub.example.org>");
	free(o);
	outmsg_free(&m);
}

static void
test_protected_block(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	char *p, *names;

	(void)state;
	base_in(&in);
	assert_int_equal(outmsg_build(&in, &m), 0);
	p = protected_block(&m);
	names = header_names(p);
	/* the verdict headers only here, inside the list's signature */
	assert_string_equal(names, "From,To,Reply-To,Subject,Date,Message-ID,"
	    "X-CSIRT-Hub-Signer,X-CSIRT-Hub-Signature,X-CSIRT-Hub-TLP,"
	    "Content-Type,");
	assert_header(p, "Subject", "[ops] TLP:AMBER Scan");
	free(names);
	free(p);
	outmsg_free(&m);
}

static void
test_references(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	struct buf *refs = buf_new(0), *want = buf_new(0);
	char *o, *v;
	int i;

	(void)state;
	/* 25 ids with junk between them: root + the last 19 are kept */
	for (i = 0; i < 25; i++)
		buf_printf(refs, "<r%d@x.example> (c) junk\t", i);
	buf_append_str(refs, "<bad id@x> <ok@x");
	buf_append_str(want, "<r0@x.example>");
	for (i = 6; i < 25; i++)
		buf_printf(want, " <r%d@x.example>", i);
	base_in(&in);
	in.references = buf_data(refs);
	in.in_reply_to = "junk <r24@x.example> <r23@x.example>";
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	assert_header(o, "References", buf_data(want));
	assert_header(o, "In-Reply-To", "<r24@x.example>");
	/* folded, never beyond 78 columns between ids */
	v = strstr(o, "References:");
	assert_non_null(v);
	assert_true(strstr(v, "\r\n") - v <= 78);
	assert_null(header_value(o, "X-Original-Message-ID"));
	free(o);
	outmsg_free(&m);

	in.in_reply_to = "not an id";
	in.references = "neither";
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	assert_null(header_value(o, "In-Reply-To"));
	assert_null(header_value(o, "References"));
	free(o);
	outmsg_free(&m);
	buf_free(refs);
	buf_free(want);
}

static void
test_keep_msgid(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	char *o;

	(void)state;
	base_in(&in);
	in.keep_msgid = true;
	assert_int_equal(outmsg_build(&in, &m), 0);
	/* the sender's Message-ID names its host: inside only */
	o = outer_block(&m);
	assert_null(header_value(o, "X-Original-Message-ID"));
	free(o);
	o = protected_block(&m);
	assert_header(o, "X-Original-Message-ID", "<orig@cert-ex.example>");
	free(o);
	outmsg_free(&m);
}

static void
test_injection(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	char *o, *p, *names;

	(void)state;
	base_in(&in);
	in.subject = "hi\r\nBcc: victim@x.example\r\n\tBcc: x\nX-Evil: 1\r";
	in.signer_name = "Eve\r\nBcc: evil@x.example";
	in.signer_team_name = "T\r\nX-Evil: 2";
	in.references = "<a@b>\r\nBcc: x <c@d>\r\n\tBcc: y";
	in.in_reply_to = "\r\n\tBcc: x <e@f>";
	in.message_id = "<m@x>\r\nBcc: z";
	in.keep_msgid = true;
	in.sig_status = "good\r\nX-Evil: 3";
	in.post_id = "id\r\nX-Evil: 4";
	in.autocrypt_keydata = "AAAA\r\nBcc: x\r\nBBBB";
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	names = header_names(o);
	assert_string_equal(names, "From,To,Reply-To,Date,Message-ID,Subject,"
	    "In-Reply-To,References,"
	    "List-Id,List-Post,List-Help,List-Unsubscribe,List-Owner,"
	    "OpenPGP,Autocrypt,MIME-Version,Content-Type,");
	free(names);
	p = protected_block(&m);
	names = header_names(p);
	/* the verdict headers only here, inside the list's signature */
	assert_string_equal(names, "From,To,Reply-To,Subject,Date,Message-ID,"
	    "X-Original-Message-ID,"
	    "X-CSIRT-Hub-Signer,X-CSIRT-Hub-Signature,X-CSIRT-Hub-TLP,"
	    "Content-Type,");
	assert_header(p, "Subject",
	    "[ops] TLP:AMBER hi Bcc: victim@x.example Bcc: x X-Evil: 1");
	assert_header(o, "References", "<a@b> <c@d>");
	assert_header(o, "In-Reply-To", "<e@f>");
	assert_header(p, "X-Original-Message-ID", "<m@x>");
	free(names);
	free(p);
	free(o);
	/* nor in the verdict part: one line per field */
	assert_null(strstr(buf_data(m.entity), "\r\nX-Evil"));
	assert_null(strstr(buf_data(m.entity), "\r\nBcc"));
	outmsg_free(&m);
}

/* Case-insensitive: does block contain needle? */
static bool
has_ci(const char *block, const char *needle)
{
	return needle != NULL && *needle != '\0' &&
	    strcasestr(block, needle) != NULL;
}

/*
 * Nothing of the sender in clear: no outer header names the sender, the
 * address (nor its local part or domain), the team or the team's name,
 * whatever the options; the protected From still does.
 */
static void
test_outer_nothing_of_sender(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	struct buf *b;
	char *o, *p;

	(void)state;
	base_in(&in);
	in.keep_msgid = true;
	in.subject = "=?utf-8?q?Alice=27s_report?=";
	in.in_reply_to = "<20261101.ops@hub.example.org>";
	in.references = "<20261101.ops@hub.example.org>";
	in.autocrypt_keydata = "AAAA";
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	assert_header(o, "From", "ops <ops@hub.example.org>");
	assert_header(o, "Reply-To", "<ops@hub.example.org>");
	/* RFC 9788: the real Subject is inside, "[...]" outside */
	assert_header(o, "Subject", "[...]");
	assert_false(has_ci(o, "Alice"));
	assert_false(has_ci(o, "alice@cert-ex.example"));
	assert_false(has_ci(o, "cert-ex"));
	assert_false(has_ci(o, "CERT Example"));
	assert_false(has_ci(o, " via "));
	assert_false(has_ci(o, FPR));
	free(o);
	p = protected_block(&m);
	assert_header(p, "From",
	    "\"Alice Example (CERT-EX) via ops\" <ops@hub.example.org>");
	assert_header(p, "Subject", "[ops] TLP:AMBER Alice's report");
	free(p);

	/* a message that does not start with the protected From is left
	 * alone and refused: the copy must not go out */
	b = buf_new(0);
	buf_append_str(b, "To: x\r\nFrom: y\r\n\r\n");
	assert_int_equal(outmsg_outer_from(&m, b), -1);
	assert_string_equal(buf_data(b), "To: x\r\nFrom: y\r\n\r\n");
	buf_reset(b);
	buf_printf(b, "From: %sX\r\n\r\n", m.h.from);
	assert_int_equal(outmsg_outer_from(&m, b), -1);
	buf_reset(b);
	buf_printf(b, "From: %.10s", m.h.from);
	assert_int_equal(outmsg_outer_from(&m, b), -1);
	buf_free(b);
	outmsg_free(&m);
}

/*
 * A Subject that is not ASCII goes out as RFC 2047 UTF-8 B words (mutt
 * and Thunderbird decode it; raw 8-bit they may not): the tag and label
 * stay plain, lines within 78 columns, every word within 75, and the
 * decoded header is the subject.
 */
static void
test_subject_encoded(void **state)
{
	static const struct {
		const char	*in;
		const char	*plain;	/* the header's ASCII start */
		const char	*dec;
	} rows[] = {
		{ "=?ISO-2022-JP?B?VExQOkdSRUVOIBskQklUQDUlIiUvJTslOSROSnM5cBsoQg==?=",
		    "[ops] TLP:GREEN =?UTF-8?B?",
		    "[ops] TLP:GREEN " JA_REPORT },
		{ JA_REPORT " CVE-2026-1234 " JA_REPORT " " JA_REPORT,
		    "[ops] TLP:GREEN =?UTF-8?B?",
		    "[ops] TLP:GREEN " JA_REPORT " CVE-2026-1234 " JA_REPORT
		    " " JA_REPORT },
		/* literal "=?" is encoded, so a reader decodes nothing the
		 * hub did not */
		{ "=?utf-8?b?PT91dGYtOD9xP1RMUDpDTEVBUj89?=",
		    "[ops] TLP:GREEN =?UTF-8?B?",
		    "[ops] TLP:GREEN =?utf-8?q?TLP:CLEAR?=" },
		/* a word too long to fold is encoded, and split */
		{ "x0123456789012345678901234567890123456789012345678901234"
		  "567890123456789",
		    "[ops] TLP:GREEN =?UTF-8?B?",
		    "[ops] TLP:GREEN x012345678901234567890123456789012345678901"
		    "2345678901234567890123456789" },
		{ "plain ascii", "[ops] TLP:GREEN plain ascii",
		    "[ops] TLP:GREEN plain ascii" },
	};
	struct outmsg_in in;
	struct outmsg m;
	struct buf *d;
	const char *l, *e, *w;
	char *p, *v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		base_in(&in);
		in.tlp = TLP_GREEN;
		in.subject = rows[i].in;
		assert_int_equal(outmsg_build(&in, &m), 0);
		for (l = m.h.subject; *l != '\0'; l++)
			assert_true((unsigned char)*l < 0x80);
		/* "Subject: " + each line within 78 */
		for (l = m.h.subject, e = strstr(l, "\r\n"); ;
		    l = e + 2, e = strstr(l, "\r\n")) {
			size_t n = e != NULL ? (size_t)(e - l) :
			    strlen(l);

			assert_true(n + (l == m.h.subject ? 9 : 0) <= 78);
			if (e == NULL)
				break;
		}
		for (w = m.h.subject; (w = strstr(w, "=?")) != NULL; w = e) {
			e = strstr(w, "?=");
			assert_non_null(e);
			e += 2;
			assert_true(e - w <= 75);
		}
		p = protected_block(&m);
		v = header_value(p, "Subject");
		assert_non_null(v);
		if (strncmp(v, rows[i].plain, strlen(rows[i].plain)) != 0)
			fail_msg("row %zu: %s", i, v);
		d = buf_new(0);
		text_header_utf8(v, d);
		if (strcmp(buf_data(d), rows[i].dec) != 0)
			fail_msg("row %zu: decoded \"%s\"", i, buf_data(d));
		buf_free(d);
		free(v);
		free(p);
		outmsg_free(&m);
	}
}

static void
test_long_subject_folded(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	struct buf *s = buf_new(0);
	char *p, *v;
	const char *l, *e;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		buf_printf(s, "word%d ", i);
	base_in(&in);
	in.subject = buf_data(s);
	assert_int_equal(outmsg_build(&in, &m), 0);
	p = protected_block(&m);
	for (l = p; (e = strstr(l, "\r\n")) != NULL; l = e + 2)
		assert_true(e - l <= 78);
	v = header_value(p, "Subject");
	assert_non_null(v);
	assert_int_equal(strncmp(v, "[ops] TLP:AMBER word0 word1", 27), 0);
	assert_non_null(strstr(v, "word39"));
	free(v);
	free(p);
	outmsg_free(&m);
	buf_free(s);
}

static void
test_autocrypt(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	struct buf *k = buf_new(0);
	char *o, *v, *want;
	const char *a, *l, *e;
	int i;

	(void)state;
	base_in(&in);
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	assert_null(header_value(o, "Autocrypt"));
	free(o);
	outmsg_free(&m);

	for (i = 0; i < 50; i++)
		buf_append_str(k, "xsBN");
	buf_append_str(k, "AQ==");
	in.autocrypt_keydata = buf_data(k);
	in.list_fpr = NULL;
	assert_int_equal(outmsg_build(&in, &m), 0);
	o = outer_block(&m);
	assert_null(header_value(o, "OpenPGP"));
	v = header_value(o, "Autocrypt");
	assert_non_null(v);
	want = xasprintf("addr=ops@hub.example.org; prefer-encrypt=mutual; "
	    "keydata=%s", buf_data(k));
	/* unfolding leaves the leading spaces: drop them to compare */
	{
		char *d = v, *s2;

		for (s2 = v; *s2 != '\0'; s2++)
			if (*s2 != ' ' || s2 < strstr(v, "keydata="))
				*d++ = *s2;
		*d = '\0';
	}
	assert_string_equal(v, want);
	a = strstr(o, "Autocrypt:");
	for (l = strstr(a, "\r\n") + 2; *l == ' '; l = e + 2) {
		e = strstr(l, "\r\n");
		assert_true(e - l <= 77);
	}
	free(want);
	free(v);
	free(o);
	outmsg_free(&m);
	buf_free(k);
}

static void
test_missing_fields(void **state)
{
	struct outmsg_in in;
	struct outmsg m;

	(void)state;
	base_in(&in);
	in.list = NULL;
	assert_int_equal(outmsg_build(&in, &m), -1);
	outmsg_free(&m);
	base_in(&in);
	in.signer_fpr = NULL;
	assert_int_equal(outmsg_build(&in, &m), -1);
	outmsg_free(&m);
	base_in(&in);
	in.post_id = "";
	assert_int_equal(outmsg_build(&in, &m), -1);
	outmsg_free(&m);
}

/* --- the entity ---------------------------------------------------------- */

static void
check_entity(struct outmsg *m, const char *want2, size_t want2_len)
{
	struct mime_msg *mm;
	const struct mime_part *root, *p1, *p2;
	struct buf *v = buf_new(0);
	const char *d;
	size_t n;
	char ct[64];

	assert_crlf_only(buf_data(m->entity), buf_len(m->entity));
	assert_null(strcasestr(buf_data(m->entity), "MIME-Version"));
	assert_int_equal(mime_parse(buf_data(m->entity), buf_len(m->entity),
	    0, &mm), CRYPTO_OK);
	root = mime_root(mm);
	assert_true(mime_part_is(root, "multipart/mixed"));
	assert_int_equal(mime_part_nchildren(root), 2);
	p1 = mime_part_child(root, 0);
	p2 = mime_part_child(root, 1);
	assert_string_equal(mime_part_ctype(p1, ct, sizeof ct), "text/plain");
	assert_string_equal(mime_part_param(p1, "charset"), "utf-8");
	assert_int_equal(mime_part_header(p1, "Content-Description", v), 1);
	assert_string_equal(buf_data(v), "csirt-hub verdict");
	buf_reset(v);
	assert_int_equal(mime_part_decode(p1, v), CRYPTO_OK);
	assert_int_equal(strncmp(buf_data(v), "csirt-hub verified this post "
	    "for the list ops@hub.example.org:\r\n", 58), 0);
	mime_part_raw(p2, &d, &n);
	assert_int_equal(n, want2_len);
	assert_memory_equal(d, want2, n);
	mime_free(mm);
	buf_free(v);
}

static void
test_entity_parts(void **state)
{
	static const char lookalike[] =
	    "Content-Type: multipart/alternative; boundary=\"inner\"\r\n"
	    "\r\n"
	    "--inner\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Description: csirt-hub verdict\r\n"
	    "\r\n"
	    "csirt-hub verified this post for the list ops@hub.example.org:\r\n"
	    "  Signed by:   Mallory <m@cert-ex.example> of CERT-EX\r\n"
	    "  Signature:   good\r\n"
	    "\r\n"
	    "--inner\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "<p>x</p>\r\n"
	    "--inner--\r\n";
	struct outmsg_in in;
	struct outmsg m;

	(void)state;
	base_in(&in);
	assert_int_equal(outmsg_build(&in, &m), 0);
	check_entity(&m, content_plain, sizeof content_plain - 1);
	outmsg_free(&m);

	in.content = lookalike;
	in.content_len = sizeof lookalike - 1;
	assert_int_equal(outmsg_build(&in, &m), 0);
	check_entity(&m, lookalike, sizeof lookalike - 1);
	/* the hub's verdict comes first, whatever the sender wrote */
	assert_true(strstr(buf_data(m.entity), "Alice Example") <
	    strstr(buf_data(m.entity), "Mallory"));
	outmsg_free(&m);
}

static void
test_entity_lf_canonicalised(void **state)
{
	static const char lf[] = "Content-Type: text/plain\n\nline 1\nline 2";
	static const char crlf[] =
	    "Content-Type: text/plain\r\n\r\nline 1\r\nline 2";
	struct outmsg_in in;
	struct outmsg m;

	(void)state;
	base_in(&in);
	in.content = lf;
	in.content_len = sizeof lf - 1;
	assert_int_equal(outmsg_build(&in, &m), 0);
	check_entity(&m, crlf, sizeof crlf - 1);
	assert_int_equal(buf_flags(m.entity) & BUF_SENSITIVE, BUF_SENSITIVE);
	outmsg_free(&m);
}

static const struct {
	enum tlp	 tlp;
	enum tlp_where	 where;
	const char	*line;
	const char	*reminder;
} verdicts[] = {
	{ TLP_AMBER, TLP_FROM_SUBJECT,
	    "  TLP:         TLP:AMBER (from the subject)\r\n", "TLP:AMBER: " },
	{ TLP_RED, TLP_FROM_BODY,
	    "  TLP:         TLP:RED (from the body)\r\n",
	    "TLP:RED: for the named recipients only; do not forward." },
	{ TLP_AMBER_STRICT, TLP_FROM_DEFAULT,
	    "  TLP:         TLP:AMBER+STRICT (list default)\r\n",
	    "TLP:AMBER+STRICT: " },
	{ TLP_GREEN, TLP_FROM_DEFAULT,
	    "  TLP:         TLP:GREEN (list default)\r\n", NULL },
};

static void
test_verdict_text(void **state)
{
	struct outmsg_in in;
	struct outmsg m;
	const char *e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
		base_in(&in);
		in.tlp = verdicts[i].tlp;
		in.tlp_where = verdicts[i].where;
		assert_int_equal(outmsg_build(&in, &m), 0);
		e = buf_data(m.entity);
		assert_non_null(strstr(e, "  Signed by:   Alice Example "
		    "<alice@cert-ex.example> of CERT-EX (CERT Example)\r\n"));
		assert_non_null(strstr(e, "  Key:         ABCD 1234 ABCD 1234 "
		    "ABCD 1234 ABCD 1234 ABCD 1234\r\n"));
		assert_non_null(strstr(e, "  Signature:   good, made "
		    "2026-11-23 11:58 UTC\r\n"));
		assert_non_null(strstr(e, "  Post id:     "
		    "20261123T120000.abc123\r\n"));
		assert_non_null(strstr(e, verdicts[i].line));
		if (verdicts[i].reminder != NULL)
			assert_non_null(strstr(e, verdicts[i].reminder));
		else
			assert_null(strstr(e, "TLP:GREEN: "));
		assert_non_null(strstr(e, "The sender's message follows"));
		outmsg_free(&m);
	}
}

/* --- VERP ---------------------------------------------------------------- */

static void
test_verp_round_trip(void **state)
{
	static const char *rcpts[] = {
		"bob@example.org", "first.last@sub.example.co.uk",
		"a_b-c@x-y.example",
	};
	char dst[256], tag[256], back[256];
	const char *plus, *at;
	size_t i;

	(void)state;
	outmsg_verp("ops", "hub.example.org", "bob@example.org", dst,
	    sizeof dst);
	assert_string_equal(dst, "ops-bounces+bob=example.org@hub.example.org");
	for (i = 0; i < sizeof rcpts / sizeof rcpts[0]; i++) {
		outmsg_verp("ops", "hub.example.org", rcpts[i], dst,
		    sizeof dst);
		plus = strchr(dst, '+');
		at = strrchr(dst, '@');
		assert_non_null(plus);
		snprintf(tag, sizeof tag, "%.*s", (int)(at - plus - 1),
		    plus + 1);
		assert_int_equal(outmsg_verp_decode(tag, back, sizeof back), 0);
		assert_string_equal(back, rcpts[i]);
	}
	/* not representable: the plain bounce address */
	outmsg_verp("ops", "hub.example.org", "a=b@example.org", dst,
	    sizeof dst);
	assert_string_equal(dst, "ops-bounces@hub.example.org");
	outmsg_verp("ops", "hub.example.org", "a+b@example.org", dst,
	    sizeof dst);
	assert_string_equal(dst, "ops-bounces@hub.example.org");
	outmsg_verp("ops", "hub.example.org", "nodomain", dst, sizeof dst);
	assert_string_equal(dst, "ops-bounces@hub.example.org");
	outmsg_verp("ops", "hub.example.org", "bob@example.org", dst, 10);
	assert_string_equal(dst, "");
}

static const char *bad_tags[] = {
	"", "bob", "bob=", "=example.org", "bob=ex=ample.org",
	"bob=example", "bob=exa mple.org", "bob=example..org",
	"bob=-x.example.org", "bob=x-.example.org", "bob=.example.org",
	"bob=example.org.", "b<b=example.org", "bob=example.org\n",
	"bob@x=example.org", "b\"b=example.org", "bob=exa_mple.org",
	"b\xc3\xa9=example.org",
};

static void
test_verp_bad_tags(void **state)
{
	char dst[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_tags / sizeof bad_tags[0]; i++)
		if (outmsg_verp_decode(bad_tags[i], dst, sizeof dst) != -1)
			fail_msg("tag %zu \"%s\" accepted", i, bad_tags[i]);
	assert_int_equal(outmsg_verp_decode("o'k+x=example.org", dst,
	    sizeof dst), 0);
	assert_string_equal(dst, "o'k+x@example.org");
	assert_int_equal(outmsg_verp_decode("bob=example.org", dst, 8), -1);
}

/* --- notices ------------------------------------------------------------- */

static const struct notice_item skipped_items[] = {
	{ "p@partner.example", "PARTNER", NULL, "tlp-not-cleared", 0 },
	{ "q@x.example", NULL, NULL, "key-expired", 0 },
};
static const struct notice_item expiring_items[] = {
	{ "alice@cert-ex.example", "CERT-EX", FPR, NULL, T_NOW + 86400 * 10 },
};
static const struct notice_item lost_items[] = {
	{ "CERT-LOST", NULL, NULL, NULL, 0 },
};
static const struct notice_item rekey_items[] = {
	{ NULL, NULL, "FEDC4321FEDC4321FEDC4321FEDC4321FEDC4321", NULL,
	    T_NOW + 30 * 86400 },
};
static const char armored[] =
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF\n"
    "-----END PGP PUBLIC KEY BLOCK-----\n";
static const char fwd_msg[] =
    "From: someone@x.example\r\nSubject: hello owners\r\n"
    "Content-Type: text/plain\r\n\r\nHi.\r\n";

#define SECRET	"Secret-Subject-Q7"

static void
notice_base(struct notice_in *n, enum notice_kind k)
{
	memset(n, 0, sizeof *n);
	n->kind = k;
	n->list = "ops";
	n->domain = "hub.example.org";
	n->post_id = "20261123T120000.abc123";
	n->received = T_NOW;
	n->reason = POLICY_UNKNOWN_SIGNER;
	n->subject = SECRET;
	n->mail_from = "sender@x.example";
	n->client = "192.0.2.1:4000";
	n->signer_fpr = FPR;
	switch (k) {
	case NOTICE_SKIPPED:
		n->items = skipped_items;
		n->nitems = 2;
		break;
	case NOTICE_KEY_EXPIRING:
		n->items = expiring_items;
		n->nitems = 1;
		break;
	case NOTICE_LOST_TEAM:
		n->items = lost_items;
		n->nitems = 1;
		break;
	case NOTICE_DELIVERY_FAILED:
		n->rcpt = "bob@example.org";
		n->status = "5.1.1";
		n->diagnostic = "550 5.1.1 no such user\r\nX-Evil: 1";
		break;
	case NOTICE_SENDKEY:
		n->payload = armored;
		n->payload_len = sizeof armored - 1;
		break;
	case NOTICE_LIST_REKEY:
		n->payload = armored;
		n->payload_len = sizeof armored - 1;
		n->items = rekey_items;
		n->nitems = 1;
		n->detail = FPR;
		break;
	case NOTICE_OWNER_FORWARD:
		n->payload = fwd_msg;
		n->payload_len = sizeof fwd_msg - 1;
		n->detail = "arrived encrypted and signed";
		break;
	default:
		break;
	}
}

static const struct {
	enum notice_kind	 kind;
	const char		*subject;
	bool			 admin;
} kinds[] = {
	{ NOTICE_REFUSED_MEMBER, "[ops] post refused: unknown-signer", false },
	{ NOTICE_REFUSED_UNKNOWN, "[ops] post refused: unknown-signer", true },
	{ NOTICE_SKIPPED, "[ops] recipients skipped", true },
	{ NOTICE_KEY_EXPIRING,
	    "[ops] key expires soon: alice@cert-ex.example", true },
	{ NOTICE_DELIVERY_FAILED, "[ops] delivery failed: bob@example.org",
	    true },
	{ NOTICE_LOST_TEAM, "[ops] team without a usable key: CERT-LOST",
	    true },
	{ NOTICE_POISON, "[ops] message quarantined", true },
	{ NOTICE_REQUEST_HELP, "[ops] help", false },
	{ NOTICE_SENDKEY, "[ops] the list's key", false },
	{ NOTICE_LIST_REKEY, "[ops] the list has a new key", false },
	{ NOTICE_OWNER_FORWARD, "[ops] mail to the owners", true },
};

static void
test_notice_kinds(void **state)
{
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0);
	struct mime_msg *mm;
	char *first;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		notice_base(&n, kinds[i].kind);
		buf_reset(s);
		buf_reset(e);
		if (notice_build(&n, s, e) != 0)
			fail_msg("kind %s: not built",
			    notice_kind_str(kinds[i].kind));
		assert_string_equal(buf_data(s), kinds[i].subject);
		assert_int_equal(strncmp(buf_data(e), "Content-Type: ", 14), 0);
		assert_crlf_only(buf_data(e), buf_len(e));
		first = xasprintf("\r\n\r\ncsirt-hub notice (%s) for "
		    "ops@hub.example.org\r\n", notice_kind_str(kinds[i].kind));
		assert_non_null(strstr(buf_data(e), first));
		free(first);
		assert_int_equal(mime_parse(buf_data(e), buf_len(e), 0, &mm),
		    CRYPTO_OK);
		mime_free(mm);
		/* admins see metadata only; the remote diagnostic stays on
		 * one line */
		if (kinds[i].admin) {
			assert_null(strstr(buf_data(e), SECRET));
			assert_null(strstr(buf_data(s), SECRET));
		}
		assert_null(strstr(buf_data(e), "\r\nX-Evil"));
	}
	buf_free(s);
	buf_free(e);
}

static void
test_notice_missing(void **state)
{
	static const enum notice_kind need[] = {
		NOTICE_REFUSED_MEMBER, NOTICE_SKIPPED, NOTICE_KEY_EXPIRING,
		NOTICE_DELIVERY_FAILED, NOTICE_LOST_TEAM, NOTICE_SENDKEY,
		NOTICE_OWNER_FORWARD, NOTICE_LIST_REKEY,
	};
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof need / sizeof need[0]; i++) {
		notice_base(&n, need[i]);
		n.post_id = NULL;
		n.items = NULL;
		n.nitems = 0;
		n.rcpt = NULL;
		n.payload = NULL;
		n.payload_len = 0;
		if (notice_build(&n, s, e) != -1)
			fail_msg("kind %s built", notice_kind_str(need[i]));
		assert_int_equal(buf_len(s), 0);
		assert_int_equal(buf_len(e), 0);
	}
	notice_base(&n, NOTICE_REQUEST_HELP);
	n.domain = NULL;
	assert_int_equal(notice_build(&n, s, e), -1);
	buf_free(s);
	buf_free(e);
}

static void
test_notice_member_subject(void **state)
{
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0);

	(void)state;
	notice_base(&n, NOTICE_REFUSED_MEMBER);
	n.reason = POLICY_SIGNER_KEY_EXPIRED;
	n.detail = "key expired on 2026-01-02";
	n.encrypted = false;
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_null(strstr(buf_data(e), SECRET));
	assert_non_null(strstr(buf_data(e), "Your post to ops@hub.example.org "
	    "of 2026-11-23 12:00 UTC (id 20261123T120000.abc123) was not "
	    "relayed."));
	assert_non_null(strstr(buf_data(e), "key expired on 2026-01-02"));
	buf_reset(s);
	buf_reset(e);
	n.encrypted = true;
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e), SECRET));
	assert_null(strstr(buf_data(s), SECRET));
	buf_free(s);
	buf_free(e);
}

static void
test_notice_advice(void **state)
{
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0);
	const char *adv;
	int r;

	(void)state;
	for (r = POLICY_TOO_LARGE; r <= POLICY_NO_RECIPIENTS; r++) {
		notice_base(&n, NOTICE_REFUSED_MEMBER);
		n.reason = (enum policy_reason)r;
		buf_reset(s);
		buf_reset(e);
		assert_int_equal(notice_build(&n, s, e), 0);
		adv = policy_reason_advice(n.reason);
		assert_null(strstr(buf_data(e), "the list's -"));
		if (strstr(adv, "-owner") != NULL)
			assert_non_null(strstr(buf_data(e),
			    "ops-owner@hub.example.org"));
		if (strstr(adv, "-sendkey") != NULL)
			assert_non_null(strstr(buf_data(e),
			    "ops-sendkey@hub.example.org"));
		assert_non_null(strstr(buf_data(s),
		    policy_reason_str(n.reason)));
	}
	buf_free(s);
	buf_free(e);
}

static const struct {
	enum notice_kept	 kept;
	const char		*text;
} kept[] = {
	{ KEPT_ENCRYPTED, "The post is kept as received, encrypted, in "
	    "spool/rejected/20261123T120000.abc123.\r\n" },
	{ KEPT_CLEAR, "The post is kept as received, in clear (it was never "
	    "encrypted), in spool/rejected/20261123T120000.abc123.\r\n" },
	{ KEPT_PARTLY_CLEAR, "The post is kept as received, partly in clear "
	    "(parts outside its encryption), in "
	    "spool/rejected/20261123T120000.abc123.\r\n" },
	{ KEPT_AS_RECEIVED, "The post is kept as received (it could not be "
	    "read) in spool/rejected/20261123T120000.abc123.\r\n" },
};

static void
test_notice_admin_texts(void **state)
{
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0);
	size_t i;

	(void)state;
	/* the admins hear how the refused post lies in rejected/: only an
	 * encrypted one is "encrypted" (issue 13 item 9) */
	for (i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		notice_base(&n, NOTICE_REFUSED_UNKNOWN);
		n.kept = kept[i].kept;
		buf_reset(s);
		buf_reset(e);
		assert_int_equal(notice_build(&n, s, e), 0);
		if (strstr(buf_data(e), kept[i].text) == NULL)
			fail_msg("kept %d: %s", (int)kept[i].kept,
			    buf_data(e));
		assert_int_equal(strstr(buf_data(e), "encrypted,") != NULL,
		    kept[i].kept == KEPT_ENCRYPTED);
		assert_null(strstr(buf_data(e), "still encrypted"));
	}
	notice_base(&n, NOTICE_REFUSED_UNKNOWN);
	n.reason = POLICY_NO_SECRET_KEY;
	n.kept = KEPT_ENCRYPTED;
	buf_reset(s);
	buf_reset(e);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_string_equal(buf_data(s), "[ops] post refused: no-secret-key");
	assert_non_null(strstr(buf_data(e), "was refused: no-secret-key."));
	assert_non_null(strstr(buf_data(e), "sender@x.example"));
	assert_non_null(strstr(buf_data(e), "192.0.2.1:4000"));
	assert_non_null(strstr(buf_data(e), "ABCD 1234 ABCD"));
	assert_null(strstr(buf_data(e), "ask the list's"));

	buf_reset(s);
	buf_reset(e);
	notice_base(&n, NOTICE_SKIPPED);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e),
	    "p@partner.example (PARTNER): tlp-not-cleared\r\n"));
	assert_non_null(strstr(buf_data(e), "q@x.example: key-expired\r\n"));

	buf_reset(s);
	buf_reset(e);
	notice_base(&n, NOTICE_KEY_EXPIRING);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e), "2026-12-03 12:00 UTC"));
	assert_non_null(strstr(buf_data(e), "hubctl contact key "
	    "alice@cert-ex.example"));
	assert_non_null(strstr(buf_data(e), "extended or new key"));

	buf_reset(s);
	buf_reset(e);
	notice_base(&n, NOTICE_DELIVERY_FAILED);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e), "5.1.1"));
	assert_non_null(strstr(buf_data(e), "no such userX-Evil: 1"));
	/* the post's id, and the report's own apart (issue 13 item 9) */
	n.report_id = "20261123T130000.bbb999";
	buf_reset(s);
	buf_reset(e);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e),
	    "  Post id:        20261123T120000.abc123\r\n"));
	assert_non_null(strstr(buf_data(e),
	    "  Report id:      20261123T130000.bbb999\r\n"));
	n.post_id = NULL;
	buf_reset(s);
	buf_reset(e);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e), "  Post id:        unknown "
	    "(the report does not quote the copy)\r\n"));
	assert_null(strstr(buf_data(e), "abc123"));

	buf_reset(s);
	buf_reset(e);
	notice_base(&n, NOTICE_REQUEST_HELP);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e), "ops-request@hub.example.org"));
	assert_non_null(strstr(buf_data(e), "ops-owner@hub.example.org"));
	assert_non_null(strstr(buf_data(e), "ops-sendkey@hub.example.org"));
	assert_non_null(strstr(buf_data(e), "  search QUERY\r\n"));
	assert_null(strstr(buf_data(e), "not implemented"));
	buf_free(s);
	buf_free(e);
}

/* Which post a delivery report is about: the Message-ID the fan-out gave
 * the copy, as the report quotes it; nothing else. */
static void
test_notice_bounced_post(void **state)
{
	static const struct {
		const char	*name;
		const char	*report;
		const char	*want;	/* NULL: none */
	} t[] = {
		{ "ours", "Message-ID: <00062a1b2c3d4fff-ba9876543210@hub.example."
		    "org>\r\n\r\n--b\r\nContent-Type: text/rfc822-headers"
		    "\r\n\r\nTo: <bob@example.org>\r\nMessage-ID: "
		    "<00062a1b2c3d4e5f-0123456789ab.ops@hub.example.org>\r\n",
		    "00062a1b2c3d4e5f-0123456789ab" },
		{ "case and spaces", "message-id:\t<00062a1b2c3d4e5f-0123456789ab."
		    "OPS@Hub.Example.Org>\n", "00062a1b2c3d4e5f-0123456789ab" },
		{ "another list", "Message-ID: <00062a1b2c3d4e5f-0123456789ab."
		    "intel@hub.example.org>\r\n", NULL },
		{ "another domain", "Message-ID: <00062a1b2c3d4e5f-0123456789ab."
		    "ops@evil.example>\r\n", NULL },
		{ "not a spool id", "Message-ID: <0006.2A1B-0123.ops@"
		    "hub.example.org>\r\n", NULL },
		{ "a notice's", "Message-ID: <00062a1b2c3d4e5f-0123456789ab.notice."
		    "ops@hub.example.org>\r\n", NULL },
		{ "the original's", "X-Original-Message-ID: <20261123T120000."
		    "abc123.ops@hub.example.org>\r\n", NULL },
		{ "cut short", "Message-ID: <00062a1b2c3d4e5f-0123456789ab.ops@hub",
		    NULL },
		{ "none", "Status: 5.1.1\r\n", NULL },
	};
	char id[HUB_ID_SIZE];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(id, 'x', sizeof id);
		r = notice_bounced_post(t[i].report, strlen(t[i].report),
		    "ops", "hub.example.org", id);
		if ((r == 0) != (t[i].want != NULL))
			fail_msg("%s: %d", t[i].name, r);
		if (t[i].want != NULL)
			assert_string_equal(id, t[i].want);
	}
}

static void
test_notice_sendkey(void **state)
{
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0), *v = buf_new(0);
	struct mime_msg *mm;
	const struct mime_part *root, *k;

	(void)state;
	notice_base(&n, NOTICE_SENDKEY);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_int_equal(mime_parse(buf_data(e), buf_len(e), 0, &mm),
	    CRYPTO_OK);
	root = mime_root(mm);
	assert_true(mime_part_is(root, "multipart/mixed"));
	assert_int_equal(mime_part_nchildren(root), 2);
	assert_true(mime_part_is(mime_part_child(root, 0), "text/plain"));
	k = mime_part_child(root, 1);
	assert_true(mime_part_is(k, "application/pgp-keys"));
	assert_string_equal(mime_part_filename(k), "ops-key.asc");
	assert_int_equal(mime_part_decode(k, v), CRYPTO_OK);
	assert_non_null(strstr(buf_data(v),
	    "-----BEGIN PGP PUBLIC KEY BLOCK-----\r\n"));
	mime_free(mm);
	buf_free(s);
	buf_free(e);
	buf_free(v);
}

/* a rekey announcement: both fingerprints, the grace's end, the new
 * key attached as sendkey attaches the list's */
static void
test_notice_rekey(void **state)
{
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0), *v = buf_new(0);
	struct mime_msg *mm;
	const struct mime_part *root, *k;

	(void)state;
	notice_base(&n, NOTICE_LIST_REKEY);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_non_null(strstr(buf_data(e), "New key:        FEDC 4321 FEDC"));
	assert_non_null(strstr(buf_data(e), "Old key:        ABCD 1234 ABCD"));
	assert_non_null(strstr(buf_data(e), "Old key read to: 2026-12-23"));
	assert_non_null(strstr(buf_data(e), "signed with the old key"));
	assert_int_equal(mime_parse(buf_data(e), buf_len(e), 0, &mm),
	    CRYPTO_OK);
	root = mime_root(mm);
	assert_true(mime_part_is(root, "multipart/mixed"));
	k = mime_part_child(root, 1);
	assert_true(mime_part_is(k, "application/pgp-keys"));
	assert_int_equal(mime_part_decode(k, v), CRYPTO_OK);
	assert_non_null(strstr(buf_data(v), "BEGIN PGP PUBLIC KEY BLOCK"));
	mime_free(mm);
	/* no old fingerprint: not built, nothing written */
	n.detail = NULL;
	buf_reset(s);
	buf_reset(e);
	assert_int_equal(notice_build(&n, s, e), -1);
	assert_int_equal(buf_len(e), 0);
	buf_free(s);
	buf_free(e);
	buf_free(v);
}

/* The encoders notice_send.c uses for the hub's own Japanese mail: the
 * Subject as RFC 2047 UTF-8 B words after the ASCII tag, the display
 * name as a B word (not ASCII) or a quoted-string (a space). */
static void
test_header_encoders(void **state)
{
	struct buf *b = buf_new(0);

	(void)state;
	outmsg_subject_header("[ops] \xe3\x82\xb3\xe3\x83\x9e\xe3\x83\xb3"
	    "\xe3\x83\x89\xe3\x81\xb8\xe3\x81\xae\xe5\x9b\x9e\xe7\xad\x94",
	    b);
	assert_string_equal(buf_data(b),
	    "[ops] =?UTF-8?B?44Kz44Oe44Oz44OJ44G444Gu5Zue562U?=");
	buf_reset(b);
	outmsg_subject_header("[ops] answer\r\n to your commands", b);
	assert_string_equal(buf_data(b), "[ops] answer to your commands");
	buf_reset(b);
	outmsg_phrase("ops \xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xaa\xe3\x83\xb3"
	    "\xe3\x82\xb0\xe3\x83\xaa\xe3\x82\xb9\xe3\x83\x88", b);
	assert_string_equal(buf_data(b),
	    "=?UTF-8?B?b3BzIOODoeODvOODquODs+OCsOODquOCueODiA==?=");
	buf_reset(b);
	outmsg_phrase("ops list", b);
	assert_string_equal(buf_data(b), "\"ops list\"");
	buf_free(b);
}

static void
test_notice_forward(void **state)
{
	static const char bare[] = "just text, no headers\r\n";
	static const char entity[] =
	    "Content-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n";
	struct notice_in n;
	struct buf *s = buf_new(0), *e = buf_new(0), *v = buf_new(0);
	struct mime_msg *mm;
	const struct mime_part *root, *f;
	const char *d;
	size_t len;

	(void)state;
	notice_base(&n, NOTICE_OWNER_FORWARD);
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_int_equal(mime_parse(buf_data(e), buf_len(e), 0, &mm),
	    CRYPTO_OK);
	root = mime_root(mm);
	assert_int_equal(mime_part_nchildren(root), 2);
	assert_int_equal(mime_part_decode(mime_part_child(root, 0), v),
	    CRYPTO_OK);
	assert_non_null(strstr(buf_data(v), "sender@x.example"));
	assert_non_null(strstr(buf_data(v), "192.0.2.1:4000"));
	assert_non_null(strstr(buf_data(v), "arrived encrypted and signed"));
	f = mime_part_child(root, 1);
	assert_true(mime_part_is(f, "message/rfc822"));
	mime_free(mm);

	/* a bare MIME entity goes in as it is */
	buf_reset(s);
	buf_reset(e);
	n.payload = entity;
	n.payload_len = sizeof entity - 1;
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_int_equal(mime_parse(buf_data(e), buf_len(e), 0, &mm),
	    CRYPTO_OK);
	f = mime_part_child(mime_root(mm), 1);
	mime_part_raw(f, &d, &len);
	assert_int_equal(len, sizeof entity - 1);
	assert_memory_equal(d, entity, len);
	mime_free(mm);

	/* text without headers still is the body, not a header */
	buf_reset(s);
	buf_reset(e);
	buf_reset(v);
	n.payload = bare;
	n.payload_len = sizeof bare - 1;
	assert_int_equal(notice_build(&n, s, e), 0);
	assert_int_equal(mime_parse(buf_data(e), buf_len(e), 0, &mm),
	    CRYPTO_OK);
	f = mime_part_child(mime_root(mm), 1);
	assert_int_equal(mime_part_decode(f, v), CRYPTO_OK);
	assert_string_equal(buf_data(v), bare);
	mime_free(mm);
	buf_free(s);
	buf_free(e);
	buf_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_table),
		cmocka_unit_test(test_from_table),
		cmocka_unit_test(test_headers_plain),
		cmocka_unit_test(test_list_id_phrase_quoted),
		cmocka_unit_test(test_protected_block),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_keep_msgid),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_outer_nothing_of_sender),
		cmocka_unit_test(test_subject_encoded),
		cmocka_unit_test(test_long_subject_folded),
		cmocka_unit_test(test_autocrypt),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_entity_parts),
		cmocka_unit_test(test_entity_lf_canonicalised),
		cmocka_unit_test(test_verdict_text),
		cmocka_unit_test(test_verp_round_trip),
		cmocka_unit_test(test_verp_bad_tags),
		cmocka_unit_test(test_notice_kinds),
		cmocka_unit_test(test_notice_missing),
		cmocka_unit_test(test_notice_member_subject),
		cmocka_unit_test(test_notice_advice),
		cmocka_unit_test(test_notice_admin_texts),
		cmocka_unit_test(test_notice_bounced_post),
		cmocka_unit_test(test_notice_sendkey),
		cmocka_unit_test(test_notice_rekey),
		cmocka_unit_test(test_notice_forward),
		cmocka_unit_test(test_header_encoders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
