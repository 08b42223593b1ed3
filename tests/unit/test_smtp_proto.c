/*
 * Unit tests for hub/smtp_proto: the SMTP/LMTP state machine driven
 * through a recording fake.  Each table case is a client byte stream and
 * the whole expected reply transcript, the committed messages and the
 * callback log; it is run with the stream fed at once, octet by octet and
 * in small pieces, and every run must give exactly the expected result.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/smtp_proto.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST		"mx.example"
#define GREET_SMTP	"220 " HOST " ESMTP csirt-hub\r\n"
#define GREET_LMTP	"220 " HOST " LMTP csirt-hub\r\n"
#define TEST_SIZE	10240

#define EHLO		"EHLO client.example\r\n"
#define LHLO		"LHLO client.example\r\n"
#define EHLO_OK		"250-" HOST "\r\n250-SIZE 10240\r\n250-PIPELINING\r\n" \
			"250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
#define OK		"250 2.0.0 Ok\r\n"
#define MAIL_OK		"250 2.1.0 Ok\r\n"
#define RCPT_OK		"250 2.1.5 Ok\r\n"
#define GO		"354 End data with <CR><LF>.<CR><LF>\r\n"
#define BYE		"221 2.0.0 Bye\r\n"
#define QUEUED(id)	"250 2.0.0 Ok: queued as " id "\r\n"
#define UNKNOWN		"500 5.5.1 Error: command not recognized\r\n"
#define NOT_STORED	"451 4.3.0 Error: message not stored, try again " \
			"later\r\n"
#define BARE_LF_DATA	"554 5.6.0 Error: bare <LF> in message data\r\n"
#define BARE_CR_DATA	"554 5.6.0 Error: bare <CR> in message data\r\n"
#define SHUTDOWN	"421 4.3.2 Service shutting down, try again later\r\n"
#define TIMEOUT		"421 4.4.2 " HOST " Error: timeout exceeded\r\n"

#define MAIL_A		"MAIL FROM:<a@example.org>\r\n"
#define RCPT_L		"RCPT TO:<list@mx.example>\r\n"
#define CALL_MAIL_A	"mail <a@example.org>\n"
#define CALL_RCPT_L	"rcpt <list@mx.example>\n"
#define CALL_BEGIN_L	"begin helo=client.example from=<a@example.org> " \
			"rcpt=<list@mx.example> 8bit=0\n"
#define TX_HEAD		EHLO MAIL_A RCPT_L "DATA\r\n"
#define TX_HEAD_OK	EHLO_OK MAIL_OK RCPT_OK GO
#define TX_HEAD_CALLS	CALL_MAIL_A CALL_RCPT_L CALL_BEGIN_L

#define X10		"xxxxxxxxxx"
#define X50		X10 X10 X10 X10 X10

/* Behaviour of the fake for one case; zero is "accept everything". */
struct knobs {
	bool		 refuse_begin;
	bool		 refuse_end;
	bool		 fail_chunk;	/* data_chunk returns -1 */
	const char	*reply;		/* set_reply() text of those refusals */
	bool		 no_mail_cb;	/* mail_from left NULL */
	bool		 shutdown;	/* smtp_proto_shutdown() at ... */
	size_t		 shutdown_at;	/* ... this input offset */
	bool		 timeout;	/* smtp_proto_timeout() at the end */
	bool		 pend_end;	/* data_end returns 0 (pending) */
};

struct tcase {
	const char		*name;
	enum smtp_mode		 mode;
	const char		*in;
	size_t			 inlen;		/* 0: strlen(in) */
	const char		*out;		/* after the greeting */
	const char		*msgs;		/* committed, each + "<END>" */
	const char		*calls;		/* NULL: not checked */
	const char		*events;	/* NULL: not checked */
	bool			 closing;	/* expected after the input */
	struct knobs		 k;
	struct smtp_limits	 lim;		/* zero: test defaults */
};

struct fake {
	struct smtp_proto	*p;
	const struct knobs	*k;
	size_t			 max_size;
	struct buf		*out;
	struct buf		*calls;
	struct buf		*events;
	struct buf		*msg;		/* this transaction's data */
	struct buf		*msgs;
	bool			 in_tx;
	unsigned		 ids;
	const char		*violation;
};

/* --- the recording fake --------------------------------------------------- */

static void
fake_output(void *ctx, const char *data, size_t len)
{
	struct fake *f = ctx;

	buf_append(f->out, data, len);
}

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
fake_mail_from(void *ctx, const char *path)
{
	struct fake *f = ctx;

	buf_printf(f->calls, "mail <%s>\n", path);
	if (starts(path, "spam@"))
		return -1;
	if (starts(path, "blocked@")) {
		smtp_proto_set_reply(f->p, "550 5.7.1 Go away");
		return -1;
	}
	if (starts(path, "diskfull@")) {
		/* as hub/smtp.c answers under queue_minfree */
		smtp_proto_set_reply(f->p, SMTP_PROTO_REPLY_NO_SPACE);
		return -1;
	}
	return 1;
}

static int
fake_rcpt_to(void *ctx, const char *path)
{
	struct fake *f = ctx;

	buf_printf(f->calls, "rcpt <%s>\n", path);
	if (starts(path, "bad@"))
		return -1;
	if (starts(path, "nolist@")) {
		smtp_proto_set_reply(f->p, "550 5.1.1 <%s>: no such list here",
		    path);
		return -1;
	}
	if (starts(path, "chatty@")) {
		/* Ignored: only a refusal chooses its reply. */
		smtp_proto_set_reply(f->p, "550 5.1.1 should not be seen");
		return 1;
	}
	if (starts(path, "weird@")) {
		/* Not a refusal reply: the default is used. */
		smtp_proto_set_reply(f->p, "250 fine");
		return -1;
	}
	if (starts(path, "zero@"))
		return 0;	/* reserved, treated as -1 */
	return 1;
}

static int
fake_data_begin(void *ctx)
{
	struct fake *f = ctx;
	unsigned i, n = smtp_proto_rcpt_count(f->p);

	if (f->in_tx)
		f->violation = "data_begin inside a transaction";
	if (smtp_proto_rcpt(f->p, n) != NULL)
		f->violation = "smtp_proto_rcpt past the end";
	buf_printf(f->calls, "begin helo=%s from=<%s> rcpt=",
	    smtp_proto_helo(f->p), smtp_proto_mail_from(f->p));
	for (i = 0; i < n; i++)
		buf_printf(f->calls, "%s<%s>", i ? "," : "",
		    smtp_proto_rcpt(f->p, i));
	buf_printf(f->calls, " 8bit=%d\n", smtp_proto_body_8bit(f->p));
	if (f->k->refuse_begin) {
		if (f->k->reply != NULL)
			smtp_proto_set_reply(f->p, "%s", f->k->reply);
		return -1;
	}
	f->in_tx = true;
	buf_reset(f->msg);
	return 1;
}

static int
fake_data_chunk(void *ctx, const char *data, size_t len)
{
	struct fake *f = ctx;

	if (!f->in_tx)
		f->violation = "data_chunk outside a transaction";
	if (len == 0)
		f->violation = "empty data_chunk";
	if (smtp_proto_state(f->p) != SMTP_STATE_DATA)
		f->violation = "data_chunk outside DATA";
	buf_append(f->msg, data, len);
	if (buf_len(f->msg) > f->max_size)
		f->violation = "data beyond max_message_size";
	if (f->k->fail_chunk) {
		if (f->k->reply != NULL)
			smtp_proto_set_reply(f->p, "%s", f->k->reply);
		return -1;
	}
	return 1;
}

static int
fake_data_end(void *ctx, char *queue_id)
{
	struct fake *f = ctx;

	if (!f->in_tx)
		f->violation = "data_end outside a transaction";
	f->in_tx = false;
	if (f->k->refuse_end) {
		buf_printf(f->calls, "end-fail\n");
		if (f->k->reply != NULL)
			smtp_proto_set_reply(f->p, "%s", f->k->reply);
		return -1;
	}
	if (f->k->pend_end) {
		buf_printf(f->calls, "end-pending\n");
		buf_append(f->msgs, buf_data(f->msg), buf_len(f->msg));
		buf_append_str(f->msgs, "<END>");
		return 0;
	}
	snprintf(queue_id, SMTP_PROTO_QUEUE_ID_MAX, "Q%u", ++f->ids);
	buf_printf(f->calls, "end\n");
	buf_append(f->msgs, buf_data(f->msg), buf_len(f->msg));
	buf_append_str(f->msgs, "<END>");
	return 1;
}

static void
fake_data_abort(void *ctx)
{
	struct fake *f = ctx;

	if (!f->in_tx)
		f->violation = "data_abort outside a transaction";
	f->in_tx = false;
	buf_printf(f->calls, "abort\n");
}

static void
fake_event(void *ctx, const char *ev, const char *detail)
{
	struct fake *f = ctx;

	buf_printf(f->events, "%s%s%s\n", ev, detail ? ":" : "",
	    detail ? detail : "");
}

static void
fake_init(struct fake *f, enum smtp_mode mode, const struct knobs *k,
    const struct smtp_limits *lim)
{
	struct smtp_callbacks cb = {
		.output = fake_output,
		.mail_from = fake_mail_from,
		.rcpt_to = fake_rcpt_to,
		.data_begin = fake_data_begin,
		.data_chunk = fake_data_chunk,
		.data_end = fake_data_end,
		.data_abort = fake_data_abort,
		.event = fake_event,
	};
	struct smtp_limits l = { TEST_SIZE, 3, 100, 10 };

	if (lim != NULL && lim->max_message_size != 0)
		l = *lim;
	if (k->no_mail_cb)
		cb.mail_from = NULL;
	memset(f, 0, sizeof *f);
	f->k = k;
	f->max_size = l.max_message_size;
	f->out = buf_new(0);
	f->calls = buf_new(0);
	f->events = buf_new(0);
	f->msg = buf_new(0);
	f->msgs = buf_new(0);
	f->p = smtp_proto_new(mode, &l, HOST, &cb, f);
}

static void
fake_free(struct fake *f)
{
	smtp_proto_free(f->p);
	buf_free(f->out);
	buf_free(f->calls);
	buf_free(f->events);
	buf_free(f->msg);
	buf_free(f->msgs);
}

/* --- running cases -------------------------------------------------------- */

/* Show CR and LF, so a failing transcript can be read. */
static char *
escape(const char *s, size_t len)
{
	struct buf *b = buf_new(0);
	char *r;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			buf_append_str(b, "\\r");
		else if (c == '\n')
			buf_append_str(b, "\\n\n\t");
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_append(b, &s[i], 1);
	}
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

static void
expect_equal(const char *what, const char *name, size_t step,
    const struct buf *got, const char *want)
{
	char *g, *w;

	if (buf_len(got) == strlen(want) &&
	    memcmp(buf_data(got), want, strlen(want)) == 0)
		return;
	g = escape(buf_data(got), buf_len(got));
	w = escape(want, strlen(want));
	print_error("%s: %s differs (input split every %zu octets)\n"
	    "want:\n\t%s\ngot:\n\t%s\n", name, what, step, w, g);
	free(g);
	free(w);
	fail();
}

static void
feed(struct smtp_proto *p, const char *in, size_t len, size_t step)
{
	size_t n;

	while (len > 0) {
		n = step == 0 || step > len ? len : step;
		smtp_proto_input(p, in, n);
		in += n;
		len -= n;
	}
}

static void
run_case_split(const struct tcase *tc, size_t step)
{
	struct fake f;
	struct buf *want = buf_new(0);
	size_t len = tc->inlen ? tc->inlen : strlen(tc->in), cut = len;

	fake_init(&f, tc->mode, &tc->k, &tc->lim);
	smtp_proto_greet(f.p);
	if (tc->k.shutdown)
		cut = tc->k.shutdown_at;
	feed(f.p, tc->in, cut, step);
	if (tc->k.shutdown)
		smtp_proto_shutdown(f.p,
		    "Service shutting down, try again later");
	feed(f.p, tc->in + cut, len - cut, step);
	if (tc->k.timeout)
		smtp_proto_timeout(f.p);
	if (smtp_proto_closing(f.p) != tc->closing) {
		print_error("%s: closing is %d (split %zu)\n", tc->name,
		    smtp_proto_closing(f.p), step);
		fail();
	}
	/* Freeing mid-DATA must abort the transaction exactly once. */
	smtp_proto_free(f.p);
	f.p = NULL;
	if (f.violation != NULL) {
		print_error("%s: %s (split %zu)\n", tc->name, f.violation,
		    step);
		fail();
	}
	if (f.in_tx) {
		print_error("%s: transaction left open\n", tc->name);
		fail();
	}
	buf_append_str(want, tc->mode == SMTP_MODE_LMTP ? GREET_LMTP :
	    GREET_SMTP);
	buf_append_str(want, tc->out);
	expect_equal("reply transcript", tc->name, step, f.out,
	    buf_data(want));
	expect_equal("committed data", tc->name, step, f.msgs,
	    tc->msgs != NULL ? tc->msgs : "");
	if (tc->calls != NULL)
		expect_equal("callback log", tc->name, step, f.calls,
		    tc->calls);
	if (tc->events != NULL)
		expect_equal("events", tc->name, step, f.events, tc->events);
	buf_free(want);
	fake_free(&f);
}

static void
run_case(const struct tcase *tc)
{
	static const size_t steps[] = { 0, 1, 2, 5, 64 };
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		run_case_split(tc, steps[i]);
}

static void
test_table_case(void **state)
{
	run_case(*state);
}

/* --- the table ------------------------------------------------------------ */

static const struct tcase cases[] = {
	/* Greetings. */
	{ .name = "ehlo capabilities", .in = EHLO, .out = EHLO_OK },
	{ .name = "helo", .in = "HELO client.example\r\n",
	    .out = "250 " HOST "\r\n" },
	{ .name = "ehlo case and trailing blanks",
	    .in = "eHlO client.example  \r\n", .out = EHLO_OK },
	{ .name = "ehlo without hostname", .in = "EHLO\r\nHELO \r\n",
	    .out = "501 5.5.4 Syntax: EHLO hostname\r\n"
	    "501 5.5.4 Syntax: HELO hostname\r\n" },
	{ .name = "smtp refuses lhlo", .in = LHLO,
	    .out = "500 5.5.1 Error: LHLO is for LMTP, use EHLO\r\n" },
	{ .name = "lmtp lhlo", .mode = SMTP_MODE_LMTP, .in = LHLO,
	    .out = EHLO_OK },
	{ .name = "lmtp refuses ehlo and helo", .mode = SMTP_MODE_LMTP,
	    .in = EHLO "HELO client.example\r\nMAIL FROM:<a@b.example>\r\n",
	    .out = "500 5.5.1 Error: this is LMTP, use LHLO\r\n"
	    "500 5.5.1 Error: this is LMTP, use LHLO\r\n"
	    "503 5.5.1 Error: send LHLO first\r\n" },

	/* Simple verbs. */
	{ .name = "noop rset help", .in = "NOOP\r\nnoop anything\r\nRSET\r\n"
	    "RSET now\r\nHELP\r\nHELP MAIL\r\n",
	    .out = OK OK OK "501 5.5.4 Syntax: RSET\r\n"
	    "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT "
	    "HELP\r\n"
	    "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT "
	    "HELP\r\n" },
	{ .name = "lmtp help", .mode = SMTP_MODE_LMTP, .in = "HELP\r\n",
	    .out = "214 2.0.0 Commands: LHLO MAIL RCPT DATA RSET NOOP QUIT "
	    "HELP\r\n" },
	{ .name = "vrfy expn", .in = EHLO "VRFY root\r\nEXPN staff\r\n",
	    .out = EHLO_OK "502 5.5.1 Error: VRFY not supported\r\n"
	    "502 5.5.1 Error: EXPN not supported\r\n" },
	{ .name = "unknown and empty commands",
	    .in = "FOO bar\r\nMAILFROM:<a@b.c>\r\n\r\n",
	    .out = UNKNOWN UNKNOWN "500 5.5.1 Error: empty command\r\n",
	    .events = "bad-command:FOO\nbad-command:MAILFRO\n"
	    "bad-command\n" },
	{ .name = "quit", .in = "QUIT\r\n", .out = BYE, .closing = true },
	{ .name = "quit with argument", .in = "QUIT now\r\nQUIT\r\n",
	    .out = "501 5.5.4 Syntax: QUIT\r\n" BYE, .closing = true },
	{ .name = "input after quit is ignored",
	    .in = EHLO "QUIT\r\nNOOP\r\n" MAIL_A, .out = EHLO_OK BYE,
	    .closing = true },

	/* A whole transaction, pipelined. */
	{ .name = "smtp transaction",
	    .in = TX_HEAD "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1") BYE,
	    .msgs = "Subject: x\r\n\r\nbody\r\n<END>",
	    .calls = TX_HEAD_CALLS "end\n", .closing = true },
	{ .name = "two transactions, 8bit, lower case",
	    .in = "helo c.example\r\nmail from:<a@example.org> "
	    "body=8bitmime size=20\r\nrcpt to:<list@mx.example>\r\n"
	    "data\r\ncaf\xc3\xa9\r\n.\r\n"
	    "MAIL FROM:<b@example.org> BODY=7BIT\r\n"
	    "RCPT TO:<x@mx.example>\r\nRCPT TO:<y@mx.example>\r\n"
	    "DATA\r\nline\r\n\r\n.\r\n",
	    .out = "250 " HOST "\r\n" MAIL_OK RCPT_OK GO QUEUED("Q1")
	    MAIL_OK RCPT_OK RCPT_OK GO QUEUED("Q2"),
	    .msgs = "caf\xc3\xa9\r\n<END>line\r\n\r\n<END>",
	    .calls = CALL_MAIL_A CALL_RCPT_L
	    "begin helo=c.example from=<a@example.org> "
	    "rcpt=<list@mx.example> 8bit=1\nend\n"
	    "mail <b@example.org>\nrcpt <x@mx.example>\n"
	    "rcpt <y@mx.example>\nbegin helo=c.example from=<b@example.org> "
	    "rcpt=<x@mx.example>,<y@mx.example> 8bit=0\nend\n" },
	{ .name = "empty message", .in = TX_HEAD ".\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1"), .msgs = "<END>",
	    .calls = TX_HEAD_CALLS "end\n" },
	/* The disk is short of space: 452 at MAIL FROM, no transaction,
	 * and the session goes on (a later MAIL may be accepted). */
	{ .name = "mail_from 452 no space",
	    .in = EHLO "MAIL FROM:<diskfull@x.example>\r\n" RCPT_L
	    MAIL_A RCPT_L,
	    .out = EHLO_OK "452 4.3.1 Insufficient system storage, try again "
	    "later\r\n503 5.5.1 Error: need MAIL command\r\n" MAIL_OK
	    RCPT_OK,
	    .calls = "mail <diskfull@x.example>\n" CALL_MAIL_A CALL_RCPT_L },
	{ .name = "mail_from callback absent", .k.no_mail_cb = true,
	    .in = EHLO "MAIL FROM:<spam@x.example>\r\n",
	    .out = EHLO_OK MAIL_OK, .calls = "" },

	/* Sequence errors. */
	{ .name = "mail before ehlo", .in = MAIL_A,
	    .out = "503 5.5.1 Error: send EHLO/HELO first\r\n" },
	{ .name = "rcpt and data before mail",
	    .in = RCPT_L "DATA\r\n" EHLO RCPT_L "DATA\r\n",
	    .out = "503 5.5.1 Error: need MAIL command\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n" EHLO_OK
	    "503 5.5.1 Error: need MAIL command\r\n"
	    "503 5.5.1 Error: need MAIL command\r\n" },
	{ .name = "data without rcpt, nested mail, data argument",
	    .in = EHLO MAIL_A "DATA\r\n" MAIL_A RCPT_L "DATA now\r\n",
	    .out = EHLO_OK MAIL_OK "503 5.5.1 Error: need RCPT command\r\n"
	    "503 5.5.1 Error: nested MAIL command\r\n" RCPT_OK
	    "501 5.5.4 Syntax: DATA\r\n", .calls = CALL_MAIL_A CALL_RCPT_L },
	{ .name = "rset ends the transaction",
	    .in = EHLO MAIL_A RCPT_L "RSET\r\nDATA\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK OK
	    "503 5.5.1 Error: need MAIL command\r\n" },
	{ .name = "ehlo ends the transaction",
	    .in = EHLO MAIL_A RCPT_L EHLO "DATA\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK EHLO_OK
	    "503 5.5.1 Error: need MAIL command\r\n" },

	/* MAIL syntax and parameters. */
	{ .name = "mail syntax",
	    .in = EHLO "MAIL TO:<a@b.example>\r\nMAIL FROM:a@b.example\r\n"
	    "MAIL FROM:<a@b.example\r\nMAIL FROM:<a>\r\n"
	    "MAIL FROM:<a b@c.example>\r\nMAIL FROM:<@x:>\r\n"
	    "MAIL FROM:<\xc3\xa9@b.example>\r\n"
	    "MAIL FROM: <a@b.example>\r\n",
	    .out = EHLO_OK "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Error: address needs a domain\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
	    "501 5.5.4 Error: non-ASCII address (no SMTPUTF8 here)\r\n"
	    MAIL_OK, .calls = "mail <a@b.example>\n" },
	{ .name = "mail parameters",
	    .in = EHLO "MAIL FROM:<a@b.example> SIZE=abc\r\n"
	    "MAIL FROM:<a@b.example> SIZE=10241\r\n"
	    "MAIL FROM:<a@b.example> SIZE=99999999999999999999999999\r\n"
	    "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n"
	    "MAIL FROM:<a@b.example> SMTPUTF8\r\n"
	    "MAIL FROM:<a@b.example> FOO=bar\r\n"
	    "MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n"
	    "MAIL FROM:<a@b.example> BODY=\r\n"
	    "MAIL FROM:<a@b.example>BODY=7BIT\r\n"
	    "MAIL FROM:<a@b.example> SIZE=10240 BODY=7BIT\r\n",
	    .out = EHLO_OK "501 5.5.4 Error: bad parameter syntax\r\n"
	    "552 5.3.4 Error: message too big (limit 10240 octets)\r\n"
	    "552 5.3.4 Error: message too big (limit 10240 octets)\r\n"
	    "501 5.5.4 Error: BODY must be 7BIT or 8BITMIME\r\n"
	    "555 5.5.4 Error: unsupported parameter SMTPUTF8\r\n"
	    "555 5.5.4 Error: unsupported parameter FOO\r\n"
	    "501 5.5.4 Error: bad parameter syntax\r\n"
	    "501 5.5.4 Error: bad parameter syntax\r\n"
	    "501 5.5.4 Error: bad parameter syntax\r\n" MAIL_OK,
	    .calls = "mail <a@b.example>\n" },
	{ .name = "null reverse path",
	    .in = EHLO "MAIL FROM:<>\r\n" RCPT_L "DATA\r\n.\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK GO QUEUED("Q1"), .msgs = "<END>",
	    .calls = "mail <>\n" CALL_RCPT_L "begin helo=client.example "
	    "from=<> rcpt=<list@mx.example> 8bit=0\nend\n" },
	{ .name = "source routes are dropped",
	    .in = EHLO "MAIL FROM:<@relay.example:a@example.org>\r\n"
	    "RCPT TO:<@a.example,@b.example:u@d.example>\r\n"
	    "RCPT TO:<@a.example,b.example:u@d.example>\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK
	    "501 5.5.4 Syntax: RCPT TO:<address>\r\n",
	    .calls = CALL_MAIL_A "rcpt <u@d.example>\n" },

	/* RCPT. */
	{ .name = "rcpt syntax and parameters",
	    .in = EHLO MAIL_A "RCPT TO:<>\r\nRCPT FROM:<a@b.example>\r\n"
	    "RCPT TO:<list>\r\nRCPT TO:<list@mx.example> NOTIFY=NEVER\r\n"
	    "RCPT TO:<\"a b\"@mx.example>\r\nRCPT TO:<x@[192.0.2.1]>\r\n",
	    .out = EHLO_OK MAIL_OK "501 5.5.4 Syntax: RCPT TO:<address>\r\n"
	    "501 5.5.4 Syntax: RCPT TO:<address>\r\n"
	    "501 5.5.4 Error: address needs a domain\r\n"
	    "555 5.5.4 Error: unsupported parameter NOTIFY\r\n"
	    RCPT_OK RCPT_OK,
	    .calls = CALL_MAIL_A "rcpt <\"a b\"@mx.example>\n"
	    "rcpt <x@[192.0.2.1]>\n" },
	{ .name = "postmaster without domain",
	    .in = EHLO MAIL_A "RCPT TO:<PostMaster>\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK,
	    .calls = CALL_MAIL_A "rcpt <postmaster>\n" },
	{ .name = "rcpt limit",
	    .in = EHLO MAIL_A "RCPT TO:<a@mx.example>\r\n"
	    "RCPT TO:<b@mx.example>\r\nRCPT TO:<c@mx.example>\r\n"
	    "RCPT TO:<d@mx.example>\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK RCPT_OK RCPT_OK
	    "452 4.5.3 Error: too many recipients\r\n" },
	{ .name = "rcpt refusals",
	    .in = EHLO MAIL_A "RCPT TO:<bad@mx.example>\r\n"
	    "RCPT TO:<nolist@mx.example>\r\nRCPT TO:<chatty@mx.example>\r\n"
	    "RCPT TO:<weird@mx.example>\r\nRCPT TO:<zero@mx.example>\r\n",
	    .out = EHLO_OK MAIL_OK
	    "550 5.1.1 <bad@mx.example>: recipient not served here\r\n"
	    "550 5.1.1 <nolist@mx.example>: no such list here\r\n" RCPT_OK
	    "550 5.1.1 <weird@mx.example>: recipient not served here\r\n"
	    "550 5.1.1 <zero@mx.example>: recipient not served here\r\n" },
	{ .name = "mail refusals",
	    .in = EHLO "MAIL FROM:<spam@x.example>\r\n"
	    "MAIL FROM:<blocked@x.example>\r\n" RCPT_L,
	    .out = EHLO_OK "550 5.7.1 <spam@x.example>: sender refused\r\n"
	    "550 5.7.1 Go away\r\n" "503 5.5.1 Error: need MAIL command\r\n" },

	/* DATA refusals and failures. */
	{ .name = "data_begin refused", .k.refuse_begin = true,
	    .in = TX_HEAD "RSET\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK
	    "451 4.3.0 Temporary failure, try again later\r\n" OK,
	    .calls = TX_HEAD_CALLS },
	{ .name = "data_begin refused with reply", .k.refuse_begin = true,
	    .k.reply = "452 4.3.1 Spool full", .in = TX_HEAD,
	    .out = EHLO_OK MAIL_OK RCPT_OK "452 4.3.1 Spool full\r\n" },
	{ .name = "data_chunk fails", .k.fail_chunk = true,
	    .in = TX_HEAD "hello\r\n.\r\nNOOP\r\n",
	    .out = TX_HEAD_OK NOT_STORED OK,
	    .calls = TX_HEAD_CALLS "abort\n",
	    .events = "data-write-failed\n" },
	{ .name = "data_chunk fails with reply", .k.fail_chunk = true,
	    .k.reply = "452 4.3.1 Disk full\nforged",
	    .in = TX_HEAD "hi\r\n.\r\n",
	    .out = TX_HEAD_OK "452 4.3.1 Disk full\r\n" },
	{ .name = "data_end fails", .k.refuse_end = true,
	    .in = TX_HEAD "hello\r\n.\r\n",
	    .out = TX_HEAD_OK NOT_STORED, .calls = TX_HEAD_CALLS "end-fail\n" },
	{ .name = "data_end fails with reply", .k.refuse_end = true,
	    .k.reply = "451 4.3.0 Message not stored (local error), try "
	    "again later", .in = TX_HEAD "hello\r\n.\r\n",
	    .out = TX_HEAD_OK "451 4.3.0 Message not stored (local error), "
	    "try again later\r\n" },

	/* Message data: unstuffing and the end of data. */
	{ .name = "dot unstuffing",
	    .in = TX_HEAD "..x\r\n...\r\n..\r\nx.\r\n.y\r\n. \r\n.\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1"),
	    .msgs = ".x\r\n..\r\n.\r\nx.\r\ny\r\n \r\n<END>" },
	{ .name = "dot not at line start is no end",
	    .in = TX_HEAD "a.\r\nb .\r\n.\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1"), .msgs = "a.\r\nb .\r\n<END>" },
	{ .name = "LF.LF is no end, bare LF refused",
	    .in = TX_HEAD "a\n.\nMAIL FROM:<evil@x.example>\r\n.\r\nNOOP\r\n",
	    .out = TX_HEAD_OK BARE_LF_DATA OK,
	    .calls = TX_HEAD_CALLS "abort\n", .events = "bare-lf:data\n" },
	{ .name = "CRLF.LF is no end (smuggling)",
	    .in = TX_HEAD "a\r\n.\nMAIL FROM:<evil@x.example>\r\n"
	    "RCPT TO:<x@mx.example>\r\nDATA\r\n.\r\n",
	    .out = TX_HEAD_OK BARE_LF_DATA,
	    .calls = TX_HEAD_CALLS "abort\n" },
	{ .name = "CR.CRLF is no end",
	    .in = TX_HEAD "a\r.\r\nb\r\n.\r\n",
	    .out = TX_HEAD_OK BARE_CR_DATA,
	    .calls = TX_HEAD_CALLS "abort\n", .events = "bare-cr:data\n" },
	{ .name = "CRLF.CR x is no end",
	    .in = TX_HEAD "a\r\n.\rx\r\n.\r\n",
	    .out = TX_HEAD_OK BARE_CR_DATA,
	    .calls = TX_HEAD_CALLS "abort\n" },
	{ .name = "bare CR in data, CRCRLF",
	    .in = TX_HEAD "a\r\r\n.\r\n",
	    .out = TX_HEAD_OK BARE_CR_DATA },
	{ .name = "bare LF at data start",
	    .in = TX_HEAD "\n.\r\n.\r\n",
	    .out = TX_HEAD_OK BARE_LF_DATA },
	{ .name = "binary and CRLF preserved",
	    .in = TX_HEAD "\x01\x7f\xff\t\r\n\r\n\r\n.\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1"),
	    .msgs = "\x01\x7f\xff\t\r\n\r\n\r\n<END>" },

	/* Commands: line ends. */
	{ .name = "bare LF in command",
	    .in = "NOOP\nNOOP\r\n", .out = "500 5.5.2 Error: bare <LF> "
	    "received\r\n" OK, .events = "bare-lf:command\n" },
	{ .name = "bare CR in command",
	    .in = EHLO "MAIL FROM:<a@b.example>\rRCPT TO:<x@y.example>\r\n"
	    "NOOP\r\r\n",
	    .out = EHLO_OK "500 5.5.2 Error: bare <CR> received\r\n"
	    "500 5.5.2 Error: bare <CR> received\r\n",
	    .calls = "", .events = "bare-cr:command\nbare-cr:command\n" },
	{ .name = "NUL in command", .in = "NOOP\0x\r\nNOOP\r\n", .inlen = 14,
	    .out = "500 5.5.2 Error: NUL in command\r\n" OK },

	/* Limits. */
	{ .name = "data line at the limit",
	    .in = TX_HEAD X50 X10 X10 X10 X10 "xxxxxxxx\r\n.\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1"),
	    .msgs = X50 X10 X10 X10 X10 "xxxxxxxx\r\n<END>" },
	{ .name = "data line too long",
	    .in = TX_HEAD X50 X10 X10 X10 X10 "xxxxxxxxx\r\nok\r\n.\r\n",
	    .out = TX_HEAD_OK "554 5.6.0 Error: line too long in message "
	    "data\r\n", .calls = TX_HEAD_CALLS "abort\n",
	    .events = "line-too-long:data\n" },
	{ .name = "data line far too long in one piece",
	    .in = TX_HEAD X50 X50 X50 "\r\n.\r\n",
	    .out = TX_HEAD_OK "554 5.6.0 Error: line too long in message "
	    "data\r\n", .calls = TX_HEAD_CALLS "abort\n" },
	{ .name = "message at the size limit",
	    .lim = { 12, 3, 100, 10 },
	    .in = EHLO MAIL_A RCPT_L "DATA\r\n0123456789\r\n.\r\n",
	    .out = "250-" HOST "\r\n250-SIZE 12\r\n250-PIPELINING\r\n"
	    "250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n" MAIL_OK RCPT_OK GO
	    QUEUED("Q1"), .msgs = "0123456789\r\n<END>" },
	{ .name = "message over the size limit",
	    .lim = { 12, 3, 100, 10 },
	    .in = EHLO MAIL_A RCPT_L "DATA\r\n0123456789\r\nabc\r\n.\r\n"
	    "NOOP\r\n",
	    .out = "250-" HOST "\r\n250-SIZE 12\r\n250-PIPELINING\r\n"
	    "250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n" MAIL_OK RCPT_OK GO
	    "552 5.3.4 Error: message too big (limit 12 octets)\r\n" OK,
	    .calls = TX_HEAD_CALLS "abort\n", .events = "size-exceeded\n" },
	{ .name = "too many errors", .lim = { TEST_SIZE, 3, 100, 2 },
	    .in = EHLO "FOO\r\nMAIL FROM:<x>\r\nVRFY x\r\nNOOP\r\n",
	    .out = EHLO_OK UNKNOWN "501 5.5.4 Error: address needs a domain\r\n"
	    "502 5.5.1 Error: VRFY not supported\r\n"
	    "421 4.7.0 " HOST " Error: too many errors\r\n", .closing = true,
	    .events = "bad-command:FOO\ntoo-many-errors\n" },

	/* LMTP. */
	{ .name = "lmtp one reply per accepted rcpt", .mode = SMTP_MODE_LMTP,
	    .in = LHLO MAIL_A "RCPT TO:<a@mx.example>\r\n"
	    "RCPT TO:<bad@mx.example>\r\nRCPT TO:<b@mx.example>\r\n"
	    "DATA\r\nhi\r\n.\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK
	    "550 5.1.1 <bad@mx.example>: recipient not served here\r\n"
	    RCPT_OK GO "250 2.1.5 <a@mx.example> Ok: queued as Q1\r\n"
	    "250 2.1.5 <b@mx.example> Ok: queued as Q1\r\n",
	    .msgs = "hi\r\n<END>" },
	{ .name = "lmtp data_end refused", .mode = SMTP_MODE_LMTP,
	    .k.refuse_end = true, .k.reply = "452 4.2.2 Mailbox full",
	    .in = LHLO MAIL_A "RCPT TO:<a@mx.example>\r\n"
	    "RCPT TO:<b@mx.example>\r\nDATA\r\nhi\r\n.\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK RCPT_OK GO
	    "452 4.2.2 Mailbox full\r\n452 4.2.2 Mailbox full\r\n" },
	{ .name = "lmtp spoiled message", .mode = SMTP_MODE_LMTP,
	    .in = LHLO MAIL_A "RCPT TO:<a@mx.example>\r\n"
	    "RCPT TO:<b@mx.example>\r\nDATA\r\nh\ni\r\n.\r\n",
	    .out = EHLO_OK MAIL_OK RCPT_OK RCPT_OK GO
	    BARE_LF_DATA BARE_LF_DATA },

	/* Shutdown and timeout. */
	{ .name = "shutdown when idle", .k.shutdown = true,
	    .k.shutdown_at = sizeof EHLO - 1, .in = EHLO "NOOP\r\n",
	    .out = EHLO_OK SHUTDOWN, .closing = true },
	{ .name = "shutdown before EHLO", .k.shutdown = true,
	    .in = EHLO, .out = SHUTDOWN, .closing = true },
	{ .name = "shutdown in MAIL waits for the transaction",
	    .k.shutdown = true, .k.shutdown_at = sizeof EHLO MAIL_A - 1,
	    .in = EHLO MAIL_A RCPT_L "DATA\r\nhi\r\n.\r\nNOOP\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1") SHUTDOWN, .msgs = "hi\r\n<END>",
	    .closing = true },
	{ .name = "shutdown in MAIL then RSET", .k.shutdown = true,
	    .k.shutdown_at = sizeof EHLO MAIL_A - 1,
	    .in = EHLO MAIL_A "RSET\r\nNOOP\r\n",
	    .out = EHLO_OK MAIL_OK OK SHUTDOWN, .closing = true },
	{ .name = "shutdown in DATA", .k.shutdown = true,
	    .k.shutdown_at = sizeof TX_HEAD "hel" - 1,
	    .in = TX_HEAD "hello\r\n.\r\nNOOP\r\n",
	    .out = TX_HEAD_OK QUEUED("Q1") SHUTDOWN,
	    .msgs = "hello\r\n<END>", .closing = true },
	{ .name = "timeout in DATA", .k.timeout = true,
	    .in = TX_HEAD "hello\r\n", .out = TX_HEAD_OK TIMEOUT,
	    .calls = TX_HEAD_CALLS "abort\n", .closing = true,
	    .events = "timeout\n" },
	{ .name = "timeout when idle", .k.timeout = true,
	    .in = EHLO "NO", .out = EHLO_OK TIMEOUT, .calls = "",
	    .closing = true },
	{ .name = "free during DATA aborts once",
	    .in = TX_HEAD "hello\r\nwor", .out = TX_HEAD_OK,
	    .calls = TX_HEAD_CALLS "abort\n" },
};

/* --- tests the table does not express ------------------------------------ */

static void
repeat(struct buf *b, char c, size_t n)
{
	while (n-- > 0)
		buf_append(b, &c, 1);
}

/* Command lines: 998 octets plus CRLF is the most; the session goes on. */
static void
test_command_line_length(void **state)
{
	struct buf *in = buf_new(0), *out = buf_new(0);
	struct tcase tc = { .name = "command line length" };

	(void)state;
	buf_append_str(in, "NOOP ");
	repeat(in, 'x', SMTP_PROTO_MAX_CMDLINE - 2 - 5);
	buf_append_str(in, "\r\nNOOP ");
	repeat(in, 'x', SMTP_PROTO_MAX_CMDLINE - 2 - 5 + 1);
	buf_append_str(in, "\r\nNOOP ");
	repeat(in, 'x', 5000);
	buf_append_str(in, "\r\nNOOP\r\n");
	buf_append_str(out, OK "500 5.5.2 Error: line too long\r\n"
	    "500 5.5.2 Error: line too long\r\n" OK);
	tc.in = buf_data(in);
	tc.out = buf_data(out);
	tc.events = "line-too-long:command\nline-too-long:command\n";
	run_case(&tc);
	buf_free(in);
	buf_free(out);
}

/* RFC 5321 §4.5.3.1.3: a path is at most 256 octets with its brackets. */
static void
test_path_length(void **state)
{
	struct buf *in = buf_new(0), *out = buf_new(0), *calls = buf_new(0);
	struct tcase tc = { .name = "path length" };
	size_t local = 256 - 2 - strlen("@mx.example");

	(void)state;
	buf_append_str(in, EHLO MAIL_A "RCPT TO:<");
	repeat(in, 'a', local);
	buf_append_str(in, "@mx.example>\r\nRCPT TO:<");
	repeat(in, 'a', local + 1);
	buf_append_str(in, "@mx.example>\r\n");
	buf_append_str(out, EHLO_OK MAIL_OK RCPT_OK
	    "501 5.5.4 Error: address too long\r\n");
	buf_append_str(calls, CALL_MAIL_A "rcpt <");
	repeat(calls, 'a', local);
	buf_append_str(calls, "@mx.example>\n");
	tc.in = buf_data(in);
	tc.out = buf_data(out);
	tc.calls = buf_data(calls);
	run_case(&tc);
	buf_free(in);
	buf_free(out);
	buf_free(calls);
}

/* A big message streams through in pieces; the bytes arrive intact. */
static void
test_big_message_streams(void **state)
{
	struct buf *in = buf_new(0), *msg = buf_new(0), *out = buf_new(0);
	struct smtp_limits lim = { 1024 * 1024, 3, 1000, 10 };
	struct knobs k;
	struct fake f;
	size_t i;

	(void)state;
	memset(&k, 0, sizeof k);
	for (i = 0; i < 4000; i++)
		buf_printf(msg, "%s%zu %s\r\n", i % 7 == 0 ? "." : "", i,
		    X50 X50);
	buf_append_str(in, TX_HEAD);
	for (i = 0; i < buf_len(msg); i++) {
		/* Stuff what starts with a dot. */
		if (buf_data(msg)[i] == '.' && (i == 0 ||
		    buf_data(msg)[i - 1] == '\n'))
			buf_append_str(in, ".");
		buf_append(in, buf_data(msg) + i, 1);
	}
	buf_append_str(in, ".\r\n");
	buf_append_str(msg, "<END>");

	fake_init(&f, SMTP_MODE_SMTP, &k, &lim);
	smtp_proto_input(f.p, buf_data(in), buf_len(in));
	assert_null(f.violation);
	expect_equal("data", "big message", 0, f.msgs, buf_data(msg));
	buf_printf(out, "250-%s\r\n250-SIZE %zu\r\n250-PIPELINING\r\n"
	    "250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n" MAIL_OK RCPT_OK GO
	    QUEUED("Q1"), HOST, lim.max_message_size);
	expect_equal("replies", "big message", 0, f.out, buf_data(out));
	fake_free(&f);
	buf_free(in);
	buf_free(msg);
	buf_free(out);
}

/* Past the size limit nothing more reaches data_chunk, whatever follows. */
static void
test_size_limit_streaming(void **state)
{
	struct smtp_limits lim = { 100, 3, 1000, 10 };
	struct knobs k;
	struct fake f;
	size_t i;

	(void)state;
	memset(&k, 0, sizeof k);
	fake_init(&f, SMTP_MODE_SMTP, &k, &lim);
	smtp_proto_input(f.p, TX_HEAD, strlen(TX_HEAD));
	for (i = 0; i < 1000; i++)
		smtp_proto_input(f.p, X10 "\r\n", 12);
	assert_null(f.violation);
	assert_true(buf_len(f.msg) <= 100);
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_DATA);
	buf_reset(f.out);
	smtp_proto_input(f.p, ".\r\n", 3);
	assert_string_equal(buf_data(f.out),
	    "552 5.3.4 Error: message too big (limit 100 octets)\r\n");
	assert_string_equal(buf_data(f.calls), TX_HEAD_CALLS "abort\n");
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_READY);
	fake_free(&f);
}

static void
test_accessors_and_states(void **state)
{
	struct knobs k;
	struct fake f;

	(void)state;
	memset(&k, 0, sizeof k);
	fake_init(&f, SMTP_MODE_LMTP, &k, NULL);
	assert_int_equal(smtp_proto_mode(f.p), SMTP_MODE_LMTP);
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_GREETING);
	assert_string_equal(smtp_proto_helo(f.p), "");
	assert_string_equal(smtp_proto_mail_from(f.p), "");
	assert_int_equal(smtp_proto_rcpt_count(f.p), 0);
	assert_null(smtp_proto_rcpt(f.p, 0));
	smtp_proto_input(f.p, LHLO, strlen(LHLO));
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_READY);
	assert_string_equal(smtp_proto_helo(f.p), "client.example");
	smtp_proto_input(f.p, MAIL_A "RCPT TO:<a@mx.example> ",
	    strlen(MAIL_A "RCPT TO:<a@mx.example> "));
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_MAIL);
	assert_string_equal(smtp_proto_mail_from(f.p), "a@example.org");
	assert_int_equal(smtp_proto_rcpt_count(f.p), 0);
	smtp_proto_input(f.p, "\r\n", 2);
	assert_int_equal(smtp_proto_rcpt_count(f.p), 1);
	assert_string_equal(smtp_proto_rcpt(f.p, 0), "a@mx.example");
	assert_false(smtp_proto_body_8bit(f.p));
	/* Outside a callback set_reply does nothing. */
	smtp_proto_set_reply(f.p, "550 5.0.0 stray");
	smtp_proto_input(f.p, "RCPT TO:<bad@mx.example>\r\nDATA\r\n",
	    strlen("RCPT TO:<bad@mx.example>\r\nDATA\r\n"));
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_DATA);
	assert_false(smtp_proto_closing(f.p));
	smtp_proto_input(f.p, ".\r\nQUIT\r\n", 9);
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_CLOSING);
	assert_true(smtp_proto_closing(f.p));
	assert_string_equal(buf_data(f.out), EHLO_OK MAIL_OK RCPT_OK
	    "550 5.1.1 <bad@mx.example>: recipient not served here\r\n" GO
	    "250 2.1.5 <a@mx.example> Ok: queued as Q1\r\n" BYE);
	/* Once closing, nothing more is said. */
	smtp_proto_timeout(f.p);
	smtp_proto_shutdown(f.p, "bye");
	assert_string_equal(buf_data(f.out), EHLO_OK MAIL_OK RCPT_OK
	    "550 5.1.1 <bad@mx.example>: recipient not served here\r\n" GO
	    "250 2.1.5 <a@mx.example> Ok: queued as Q1\r\n" BYE);
	fake_free(&f);
	smtp_proto_free(NULL);
}

/* Zero limits mean the hub.conf(5) defaults, not "nothing allowed". */
static void
test_zero_limits(void **state)
{
	struct smtp_limits zero;
	struct knobs k;
	struct fake f;

	(void)state;
	memset(&k, 0, sizeof k);
	memset(&zero, 0, sizeof zero);
	fake_init(&f, SMTP_MODE_SMTP, &k, NULL);
	smtp_proto_free(f.p);
	f.p = smtp_proto_new(SMTP_MODE_SMTP, &zero, "",
	    &(struct smtp_callbacks){ .output = fake_output,
	    .rcpt_to = fake_rcpt_to, .data_begin = fake_data_begin,
	    .data_chunk = fake_data_chunk, .data_end = fake_data_end,
	    .data_abort = fake_data_abort }, &f);
	smtp_proto_greet(f.p);
	smtp_proto_input(f.p, EHLO, strlen(EHLO));
	assert_string_equal(buf_data(f.out),
	    "220 localhost ESMTP csirt-hub\r\n250-localhost\r\n"
	    "250-SIZE 26214400\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
	    "250 ENHANCEDSTATUSCODES\r\n");
	fake_free(&f);
}

/* The host name and a shutdown reason cannot inject reply lines. */
static void
test_reply_injection(void **state)
{
	struct knobs k;
	struct fake f;
	struct smtp_limits lim = { 100, 3, 100, 10 };

	(void)state;
	memset(&k, 0, sizeof k);
	fake_init(&f, SMTP_MODE_SMTP, &k, &lim);
	smtp_proto_free(f.p);
	f.p = smtp_proto_new(SMTP_MODE_SMTP, &lim, "evil\r\n250 x",
	    &(struct smtp_callbacks){ .output = fake_output,
	    .rcpt_to = fake_rcpt_to, .data_begin = fake_data_begin,
	    .data_chunk = fake_data_chunk, .data_end = fake_data_end,
	    .data_abort = fake_data_abort }, &f);
	smtp_proto_greet(f.p);
	smtp_proto_shutdown(f.p, "going\r\n250 fake");
	assert_string_equal(buf_data(f.out),
	    "220 evil ESMTP csirt-hub\r\n421 4.3.2 going\r\n");
	fake_free(&f);
}

/*
 * data_end may return 0: no reply and no input consumed past the end of
 * data until smtp_proto_resume(); then the final reply, and the pipelined
 * commands that followed are taken as usual.
 */
static void
test_pending_commit(void **state)
{
	static const char in[] = TX_HEAD "Subject: a\r\n\r\nbody\r\n.\r\n"
	    "NOOP\r\nQUIT\r\n";
	const char *rest;
	struct knobs k;
	struct fake f;
	size_t used, i;

	(void)state;
	memset(&k, 0, sizeof k);
	k.pend_end = true;

	/* Success, fed whole and then byte by byte. */
	for (i = 0; i < 2; i++) {
		fake_init(&f, SMTP_MODE_SMTP, &k, NULL);
		if (i == 0)
			used = smtp_proto_input(f.p, in, sizeof in - 1);
		else
			for (used = 0; used < sizeof in - 1 &&
			    smtp_proto_state(f.p) != SMTP_STATE_PENDING;)
				used += smtp_proto_input(f.p, in + used, 1);
		rest = in + used;
		assert_string_equal(rest, "NOOP\r\nQUIT\r\n");
		assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_PENDING);
		assert_string_equal(buf_data(f.out), TX_HEAD_OK);
		/* Nothing is taken while pending. */
		assert_int_equal(smtp_proto_input(f.p, rest, strlen(rest)), 0);
		/* A shutdown asked for meanwhile waits for the reply. */
		smtp_proto_shutdown(f.p, "bye now");
		assert_string_equal(buf_data(f.out), TX_HEAD_OK);
		smtp_proto_resume(f.p, 1, "Q42", NULL);
		assert_string_equal(buf_data(f.out), TX_HEAD_OK QUEUED("Q42")
		    "421 4.3.2 bye now\r\n");
		assert_true(smtp_proto_closing(f.p));
		assert_string_equal(buf_data(f.msgs),
		    "Subject: a\r\n\r\nbody\r\n<END>");
		assert_null(f.violation);
		fake_free(&f);
	}

	/* Failure with and without a reply of the caller's. */
	fake_init(&f, SMTP_MODE_SMTP, &k, NULL);
	used = smtp_proto_input(f.p, in, sizeof in - 1);
	smtp_proto_resume(f.p, -1, NULL, "452 4.3.1 Disk full\r\n250 x");
	smtp_proto_resume(f.p, 1, "Q1", NULL);	/* not pending: no-op */
	used += smtp_proto_input(f.p, in + used, sizeof in - 1 - used);
	assert_int_equal(used, sizeof in - 1);
	assert_string_equal(buf_data(f.out), TX_HEAD_OK
	    "452 4.3.1 Disk full\r\n" OK BYE);
	fake_free(&f);
	fake_init(&f, SMTP_MODE_SMTP, &k, NULL);
	smtp_proto_input(f.p, in, sizeof in - 1);
	smtp_proto_resume(f.p, -1, NULL, NULL);
	assert_string_equal(buf_data(f.out), TX_HEAD_OK NOT_STORED);
	fake_free(&f);

	/* LMTP: one reply per recipient after the resume. */
	fake_init(&f, SMTP_MODE_LMTP, &k, NULL);
	smtp_proto_input(f.p, LHLO MAIL_A RCPT_L
	    "RCPT TO:<b@mx.example>\r\nDATA\r\nx\r\n.\r\n",
	    strlen(LHLO MAIL_A RCPT_L
	    "RCPT TO:<b@mx.example>\r\nDATA\r\nx\r\n.\r\n"));
	assert_int_equal(smtp_proto_state(f.p), SMTP_STATE_PENDING);
	buf_reset(f.out);
	smtp_proto_resume(f.p, 1, "Q7", NULL);
	assert_string_equal(buf_data(f.out),
	    "250 2.1.5 <list@mx.example> Ok: queued as Q7\r\n"
	    "250 2.1.5 <b@mx.example> Ok: queued as Q7\r\n");
	fake_free(&f);

	/* Freed while pending: the transaction is the caller's, so no
	 * data_abort (fake_data_abort would record a violation). */
	fake_init(&f, SMTP_MODE_SMTP, &k, NULL);
	smtp_proto_input(f.p, in, sizeof in - 1);
	smtp_proto_free(f.p);
	f.p = NULL;
	assert_null(strstr(buf_data(f.calls), "abort"));
	assert_null(f.violation);
	fake_free(&f);
}

int
main(void)
{
	static const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_command_line_length),
		cmocka_unit_test(test_path_length),
		cmocka_unit_test(test_big_message_streams),
		cmocka_unit_test(test_size_limit_streaming),
		cmocka_unit_test(test_accessors_and_states),
		cmocka_unit_test(test_zero_limits),
		cmocka_unit_test(test_reply_injection),
		cmocka_unit_test(test_pending_commit),
	};
	size_t ncases = sizeof cases / sizeof cases[0];
	size_t nextra = sizeof extra / sizeof extra[0];
	struct CMUnitTest *tests;
	size_t i;
	int rc;

	log_init("test", LOG_TO_STDERR, 0);
	/* One named test per table row, so a failure says which. */
	tests = xcalloc(ncases + nextra, sizeof *tests);
	for (i = 0; i < ncases; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = test_table_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	for (i = 0; i < nextra; i++)
		tests[ncases + i] = extra[i];
	rc = _cmocka_run_group_tests("smtp_proto", tests, ncases + nextra,
	    NULL, NULL);
	free(tests);
	return rc;
}
