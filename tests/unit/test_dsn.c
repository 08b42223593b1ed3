/* Unit tests for hub/dsn: what the relay builds, the worker reads back;
 * and what other MTAs (or anyone) may mail to LIST-bounces+TAG. */
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

#include "base/buf.h"
#include "base/xalloc.h"
#include "hub/dsn.h"

#define T_ARRIVAL	1795435087LL	/* 2026-11-23 11:58:07 UTC */
#define T_NOW		1795435200LL	/* 2026-11-23 12:00:00 UTC */

static const char copy[] =
    "From: \"Alice (T01) via ops\" <ops@hub.example.org>\r\n"
    "To: <bob@example.org>\r\n"
    "Subject: ...\r\n"
    "Content-Type: multipart/encrypted; protocol=\"application/pgp-"
    "encrypted\"; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\nSECRET-BODY\r\n--b--\r\n";

static void
base_in(struct dsn_in *in)
{
	memset(in, 0, sizeof *in);
	in->domain = "hub.example.org";
	in->hostname = "mx.hub.example.org";
	in->remote_mta = "smarthost.example.net";
	in->to = "ops-bounces+bob=example.org@hub.example.org";
	in->rcpt = "bob@example.org";
	in->status = "5.1.1";
	in->why = "550 5.1.1 <bob@example.org>: no such user";
	in->diagnostic = "550 5.1.1 <bob@example.org>: no such user";
	in->arrival = T_ARRIVAL;
	in->now = T_NOW;
	in->copy = copy;
	in->copy_len = sizeof copy - 1;
}

/* Parse exactly len octets from a copy with nothing after them, so a
 * read past the end is an ASan error, not luck. */
static void
parse_exact(const char *text, size_t len, struct dsn_report *r)
{
	char *p = xmalloc(len > 0 ? len : 1);

	memcpy(p, text, len);
	dsn_parse(p, len, r);
	free(p);
}

static void
parse_str(const char *text, struct dsn_report *r)
{
	parse_exact(text, strlen(text), r);
}

static struct buf *
lf_only(const struct buf *b)
{
	struct buf *o = buf_new(0);
	const char *d = buf_data(b);
	size_t i;

	for (i = 0; i < buf_len(b); i++)
		if (!(d[i] == '\r' && i + 1 < buf_len(b) && d[i + 1] == '\n'))
			buf_append(o, d + i, 1);
	return o;
}

static void
test_round_trip(void **state)
{
	struct dsn_in in;
	struct dsn_report r;
	struct buf *b = buf_new(0), *lf;
	const char *t;

	(void)state;
	base_in(&in);
	dsn_build(&in, b);
	t = buf_data(b);
	/* the headers the relay writes */
	assert_non_null(strstr(t, "From: Mail Delivery System "
	    "<MAILER-DAEMON@hub.example.org>\r\n"));
	assert_non_null(strstr(t, "\r\nTo: <ops-bounces+bob=example.org@"
	    "hub.example.org>\r\n"));
	assert_non_null(strstr(t, "\r\nDate: Mon, 23 Nov 2026 12:00:00"));
	assert_non_null(strstr(t, "\r\nArrival-Date: Mon, 23 Nov 2026 "
	    "11:58:07"));
	assert_non_null(strstr(t, "Message-ID: <"));
	assert_non_null(strstr(t, "@mx.hub.example.org>\r\n"));
	assert_non_null(strstr(t, "report-type=delivery-status;"));
	assert_non_null(strstr(t, "Reporting-MTA: dns; mx.hub.example.org"
	    "\r\n"));
	assert_non_null(strstr(t, "Remote-MTA: dns; smarthost.example.net"
	    "\r\n"));
	/* the copy's headers are quoted, its body never */
	assert_non_null(strstr(t, "\r\n\r\nFrom: \"Alice (T01) via ops\""));
	assert_null(strstr(t, "SECRET-BODY"));
	assert_non_null(strstr(t, "--\r\n"));

	parse_exact(t, buf_len(b), &r);
	assert_string_equal(r.status, "5.1.1");
	assert_int_equal(r.nrcpt, 1);
	assert_false(r.more);
	assert_string_equal(r.rcpt[0].final_recipient, "bob@example.org");
	assert_string_equal(r.rcpt[0].action, "failed");
	assert_string_equal(r.rcpt[0].status, "5.1.1");
	assert_string_equal(r.rcpt[0].diagnostic,
	    "smtp; 550 5.1.1 <bob@example.org>: no such user");

	/* the same report with LF line ends reads the same */
	lf = lf_only(b);
	parse_exact(buf_data(lf), buf_len(lf), &r);
	assert_string_equal(r.status, "5.1.1");
	assert_int_equal(r.nrcpt, 1);
	assert_string_equal(r.rcpt[0].final_recipient, "bob@example.org");
	assert_string_equal(r.rcpt[0].diagnostic,
	    "smtp; 550 5.1.1 <bob@example.org>: no such user");
	buf_free(lf);
	buf_free(b);
}

/* No connection, no reply: no Diagnostic-Code; a delay reads as one. */
static void
test_round_trip_no_reply(void **state)
{
	struct dsn_in in;
	struct dsn_report r;
	struct buf *b = buf_new(0);

	(void)state;
	base_in(&in);
	in.diagnostic = NULL;
	in.status = "4.4.7";
	in.why = "no answer from the smarthost for 5 days";
	in.copy = "To: <bob@example.org>\r\n";	/* headers only, no end */
	in.copy_len = strlen(in.copy);
	dsn_build(&in, b);
	assert_null(strstr(buf_data(b), "Diagnostic-Code"));
	parse_exact(buf_data(b), buf_len(b), &r);
	assert_string_equal(r.status, "4.4.7");
	assert_int_equal(r.nrcpt, 1);
	assert_string_equal(r.rcpt[0].diagnostic, "");
	buf_free(b);
}

/* A remote MTA's report (Postfix-like, LF, several recipients). */
static void
test_several_recipients(void **state)
{
	static const char rep[] =
	    "Content-Type: message/delivery-status\n"
	    "\n"
	    "Reporting-MTA: dns; mx.example.org\n"
	    "\n"
	    "Final-Recipient: rfc822; a@example.org\n"
	    "Action: failed\n"
	    "Status: 5.1.1\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient\n"
	    "    address rejected: User unknown\n"
	    "\n"
	    "Final-Recipient: rfc822;b@example.org\n"
	    "Action: delayed\n"
	    "Status: 4.2.2 (mailbox full)\n"
	    "\n"
	    "Final-Recipient: c@example.org\n"
	    "Status: 2.0.0\n";
	struct dsn_report r;

	(void)state;
	parse_str(rep, &r);
	assert_string_equal(r.status, "5.1.1");
	assert_int_equal(r.nrcpt, 3);
	assert_string_equal(r.rcpt[0].final_recipient, "a@example.org");
	assert_string_equal(r.rcpt[0].diagnostic, "smtp; 550 5.1.1 "
	    "<a@example.org>: Recipient address rejected: User unknown");
	assert_string_equal(r.rcpt[1].final_recipient, "b@example.org");
	assert_string_equal(r.rcpt[1].action, "delayed");
	assert_string_equal(r.rcpt[1].status, "4.2.2");
	assert_string_equal(r.rcpt[2].final_recipient, "c@example.org");
	assert_string_equal(r.rcpt[2].action, "");
	assert_string_equal(r.rcpt[2].status, "2.0.0");
}

static void
test_too_many_recipients(void **state)
{
	struct buf *b = buf_new(0);
	struct dsn_report r;
	size_t i;

	(void)state;
	for (i = 0; i < DSN_RCPT_MAX + 3; i++)
		buf_printf(b, "Final-Recipient: rfc822; r%zu@x.test\r\n"
		    "Status: 5.0.%zu\r\n\r\n", i, i);
	parse_exact(buf_data(b), buf_len(b), &r);
	assert_int_equal(r.nrcpt, DSN_RCPT_MAX);
	assert_true(r.more);
	assert_string_equal(r.status, "5.0.0");
	assert_string_equal(r.rcpt[DSN_RCPT_MAX - 1].status, "5.0.15");
	buf_free(b);
}

/* Missing and malformed fields leave values empty, never fail. */
static void
test_missing_fields(void **state)
{
	static const struct {
		const char	*text;
		const char	*status;
		size_t		 nrcpt;
	} t[] = {
		{ "", "", 0 },
		{ "\r\n\r\n", "", 0 },
		{ "Subject: hello\r\n\r\nnot a report\r\n", "", 0 },
		{ "Final-Recipient:\r\n", "", 1 },
		{ "Final-Recipient: rfc822;\r\nStatus:\r\n", "", 1 },
		{ "Status: abc\r\n", "", 0 },
		{ "Status: 5.1\r\n", "", 0 },		/* too short */
		{ "Status:5.7.1\r\n", "5.7.1", 0 },
		{ "Status: \t5.7.1 (refused)\r\n", "5.7.1", 0 },
		/* the first Status field counts, readable or not, as the
		 * worker has always read it */
		{ "Status: x\r\nStatus: 4.0.0\r\n", "", 0 },
		/* only at the start of a line, and names as written */
		{ "X-Status: 4.0.0\r\n", "", 0 },
		{ " Status: 4.0.0\r\n", "", 0 },
		{ "status: 4.0.0\r\n", "", 0 },
		{ "text Status: 4.0.0\r\n", "", 0 },
		/* no final line end */
		{ "Status: 4.4.1", "4.4.1", 0 },
		/* a bare CR is no line end */
		{ "x\rStatus: 4.4.1\r\n", "", 0 },
	};
	struct dsn_report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		parse_str(t[i].text, &r);
		if (strcmp(r.status, t[i].status) != 0 ||
		    r.nrcpt != t[i].nrcpt)
			fail_msg("case %zu: status \"%s\" nrcpt %zu", i,
			    r.status, r.nrcpt);
		if (r.nrcpt > 0)
			assert_string_equal(r.rcpt[0].final_recipient, "");
	}
}

/* Values longer than their field are cut, controls become spaces; a
 * status code too long to be one is none. */
static void
test_huge_fields(void **state)
{
	struct buf *b = buf_new(0);
	struct dsn_report r;
	size_t i;

	(void)state;
	buf_append_str(b, "Final-Recipient: rfc822; ");
	for (i = 0; i < 100000; i++)
		buf_append(b, "a", 1);
	buf_append_str(b, "@x.test\r\nAction: ");
	for (i = 0; i < 1000; i++)
		buf_append(b, "f", 1);
	buf_append_str(b, "\r\nStatus: 5.1.11111111111111111\r\n"
	    "Diagnostic-Code: smtp; 550 \x01\x1b[31mred\x7f\r\n");
	for (i = 0; i < 10000; i++)	/* endless folding */
		buf_append_str(b, " more text on a folded line\r\n");
	parse_exact(buf_data(b), buf_len(b), &r);
	assert_int_equal(r.nrcpt, 1);
	assert_string_equal(r.status, "");
	assert_string_equal(r.rcpt[0].status, "");
	assert_int_equal(strlen(r.rcpt[0].final_recipient), DSN_ADDR_MAX - 1);
	assert_int_equal(strlen(r.rcpt[0].action),
	    sizeof r.rcpt[0].action - 1);
	assert_int_equal(strlen(r.rcpt[0].diagnostic), DSN_TEXT_MAX - 1);
	assert_memory_equal(r.rcpt[0].diagnostic, "smtp; 550   [31mred ",
	    20);
	for (i = 0; r.rcpt[0].diagnostic[i] != '\0'; i++)
		assert_true((unsigned char)r.rcpt[0].diagnostic[i] >= 0x20 &&
		    (unsigned char)r.rcpt[0].diagnostic[i] != 0x7f);
	buf_free(b);
}

/* NUL octets do not end the report early, nor a value late. */
static void
test_nul(void **state)
{
	static const char rep[] = "A\0B\r\nFinal-Recipient: rfc822; a\0b@x\r\n"
	    "Status: 5.2.2\r\n";
	struct dsn_report r;

	(void)state;
	parse_exact(rep, sizeof rep - 1, &r);
	assert_string_equal(r.status, "5.2.2");
	assert_int_equal(r.nrcpt, 1);
	assert_memory_equal(r.rcpt[0].final_recipient, "a b@x", 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_no_reply),
		cmocka_unit_test(test_several_recipients),
		cmocka_unit_test(test_too_many_recipients),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_huge_fields),
		cmocka_unit_test(test_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
