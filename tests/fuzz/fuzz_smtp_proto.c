/*
 * libFuzzer harness for hub/smtp_proto: one whole SMTP or LMTP session per
 * input, with stub callbacks (after Dovecot's test-smtp-server-errors).
 * Also built without libFuzzer, with tests/fuzz/driver.c, to replay the
 * corpus in `make check`.
 *
 * Input format (seeds in tests/fuzz/corpus/smtp_proto/ follow it):
 *
 *   byte 0   session   bit 0     LMTP (else SMTP)
 *                      bits 1-2  how the stream is cut for
 *                                smtp_proto_input(): 0 whole, 1 octet by
 *                                octet, 2 pieces of 1..16 octets, 3 pieces
 *                                of 1..512 octets (lengths from a PRNG
 *                                seeded with the input)
 *                      bit 3     tiny limits (64 octets, 2 RCPTs, 32-octet
 *                                lines, 3 errors) instead of small ones
 *                                (16384, 5, 200, 8: past the 8 KiB data
 *                                buffer)
 *                      bit 4     smtp_proto_shutdown() half-way through
 *                      bit 5     smtp_proto_timeout() after the stream
 *                      bit 6     data_end answers "pending" (0); the
 *                                harness resumes right after that input
 *                                call (every third commit as a failure)
 *   byte 1   policy    bit 0     mail_from refuses senders with odd hash
 *                      bit 1     rcpt_to refuses recipients with odd hash
 *                      bit 2     data_begin refuses
 *                      bit 3     data_chunk fails past 100 octets
 *                      bit 4     data_end refuses
 *                      bit 5     refusals choose their reply (set_reply),
 *                                sometimes a malformed one
 *                      bit 6     accepting callbacks call set_reply too
 *                      bit 7     data_end gives odd queue ids: empty,
 *                                unterminated, or with CR LF in them
 *   byte 2-  the client's byte stream.
 *
 * So "\x00\x00EHLO x\r\n..." is an SMTP session fed at once, everything
 * accepted.  Inputs under 2 or over 64 KiB octets are skipped.
 *
 * Besides not crashing, a session must keep these invariants (abort()):
 *  - output is whole CRLF lines, each "NNN " or "NNN-" (2xx-5xx), at most
 *    512 octets, a "-" line followed by the rest of its reply in the same
 *    call, nothing at all after a 221 or 421 line, and closing is reported
 *    after one;
 *  - data_begin/chunk/end/abort nest properly: chunks only inside an open
 *    transaction in the DATA state, never empty, never more in total than
 *    max_message_size; abort exactly once for a transaction that does not
 *    end (also on smtp_proto_free);
 *  - a committed message has only CRLF line ends, ends with CRLF (or is
 *    empty) and has no line longer than max_line;
 *  - the envelope seen in data_begin is sane (1..max_recipients RCPTs);
 *  - set_reply from an accepting callback never shows;
 *  - unless data_chunk may fail (its failure point depends on chunking),
 *    the same stream cut another way gives the same replies, callbacks
 *    and committed data.
 */
#include "config.h"

#include "hub/smtp_proto.h"
#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT	(64 * 1024)
/* Only an accepting callback's (ignored) set_reply uses this code. */
#define IGNORED_CODE	"559"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct smtp_proto	*p;
	struct smtp_limits	 lim;
	uint8_t			 session;
	uint8_t			 policy;
	bool			 in_tx;
	bool			 said_bye;	/* a 221 or 421 line went out */
	bool			 pending;	/* data_end returned 0 */
	size_t			 chunked;	/* this transaction's octets */
	unsigned		 ids;
	struct buf		*msg;		/* this transaction's data */
	struct buf		*out;		/* all replies */
	struct buf		*log;		/* callbacks, committed data */
	uint64_t		 rng;
};

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* An address or host name from the protocol: bounded, no line breaks. */
static void
check_text(const char *s, size_t max)
{
	size_t n;

	check(s != NULL);
	n = strlen(s);
	check(n <= max);
	check(strchr(s, '\r') == NULL && strchr(s, '\n') == NULL);
}

static void
cb_output(void *ctx, const char *data, size_t len)
{
	struct run *r = ctx;
	const char *line = data, *end = data + len, *eol;
	bool more = false;
	char code[3] = { 0, 0, 0 };

	check(len > 0);
	check(!r->said_bye);
	while (line < end) {
		eol = memchr(line, '\n', (size_t)(end - line));
		check(eol != NULL && eol > line && eol[-1] == '\r');
		check(eol + 1 - line <= 512 && eol - line >= 4);
		check(memchr(line, '\r', (size_t)(eol - 1 - line)) == NULL);
		check(line[0] >= '2' && line[0] <= '5');
		check(line[1] >= '0' && line[1] <= '9');
		check(line[2] >= '0' && line[2] <= '9');
		check(line[3] == ' ' || line[3] == '-');
		check(memcmp(line, IGNORED_CODE, 3) != 0);
		if (more)
			check(memcmp(code, line, 3) == 0);
		more = line[3] == '-';
		memcpy(code, line, 3);
		if (memcmp(line, "221", 3) == 0 ||
		    memcmp(line, "421", 3) == 0) {
			check(eol + 1 == end);
			r->said_bye = true;
		}
		line = eol + 1;
	}
	check(!more);
	buf_append(r->out, data, len);
}

static int
refuse(struct run *r, const char *what, const char *addr)
{
	if (r->policy & 0x20) {
		if (hash(addr) & 2)
			smtp_proto_set_reply(r->p, "299 not a refusal");
		else
			smtp_proto_set_reply(r->p, "550 5.7.0 <%s>: %s "
			    "refused\r\n250 forged", addr, what);
	}
	return (hash(addr) & 4) ? 0 : -1;
}

static int
agree(struct run *r)
{
	if (r->policy & 0x40)
		smtp_proto_set_reply(r->p, IGNORED_CODE " 5.0.0 ignored");
	return 1;
}

static int
cb_mail_from(void *ctx, const char *path)
{
	struct run *r = ctx;

	check(smtp_proto_state(r->p) == SMTP_STATE_READY);
	check(!r->in_tx);
	check_text(path, SMTP_PROTO_MAX_PATH - 2);
	buf_printf(r->log, "mail <%s>\n", path);
	if ((r->policy & 0x01) && (hash(path) & 1))
		return refuse(r, "sender", path);
	return agree(r);
}

static int
cb_rcpt_to(void *ctx, const char *path)
{
	struct run *r = ctx;

	check(smtp_proto_state(r->p) == SMTP_STATE_MAIL);
	check(smtp_proto_rcpt_count(r->p) < r->lim.max_recipients);
	check_text(path, SMTP_PROTO_MAX_PATH - 2);
	check(path[0] != '\0');
	buf_printf(r->log, "rcpt <%s>\n", path);
	if ((r->policy & 0x02) && (hash(path) & 1))
		return refuse(r, "recipient", path);
	return agree(r);
}

static int
cb_data_begin(void *ctx)
{
	struct run *r = ctx;
	unsigned i, n = smtp_proto_rcpt_count(r->p);

	check(!r->in_tx);
	check(smtp_proto_state(r->p) == SMTP_STATE_MAIL);
	check(n >= 1 && n <= r->lim.max_recipients);
	check(smtp_proto_rcpt(r->p, n) == NULL);
	check_text(smtp_proto_helo(r->p), 255);
	check_text(smtp_proto_mail_from(r->p), SMTP_PROTO_MAX_PATH - 2);
	for (i = 0; i < n; i++)
		check_text(smtp_proto_rcpt(r->p, i), SMTP_PROTO_MAX_PATH - 2);
	buf_printf(r->log, "begin %u 8bit=%d\n", n,
	    smtp_proto_body_8bit(r->p));
	if (r->policy & 0x04)
		return refuse(r, "data", "begin");
	r->in_tx = true;
	r->chunked = 0;
	buf_reset(r->msg);
	return agree(r);
}

static int
cb_data_chunk(void *ctx, const char *data, size_t len)
{
	struct run *r = ctx;

	check(r->in_tx);
	check(len > 0);
	check(smtp_proto_state(r->p) == SMTP_STATE_DATA);
	check(len <= r->lim.max_message_size - r->chunked);
	r->chunked += len;
	buf_append(r->msg, data, len);
	if ((r->policy & 0x08) && r->chunked > 100)
		return refuse(r, "chunk", "chunk");
	return agree(r);
}

/* What was committed must be clean mail: CRLF lines within max_line. */
static void
check_message(const struct run *r)
{
	const char *m = buf_data(r->msg);
	size_t n = buf_len(r->msg), i, line = 0;

	check(n == 0 || (n >= 2 && m[n - 2] == '\r' && m[n - 1] == '\n'));
	for (i = 0; i < n; i++) {
		line++;
		if (m[i] == '\r')
			check(i + 1 < n && m[i + 1] == '\n');
		if (m[i] == '\n') {
			check(i > 0 && m[i - 1] == '\r');
			check(line <= r->lim.max_line);
			line = 0;
		}
	}
}

static int
cb_data_end(void *ctx, char *queue_id)
{
	struct run *r = ctx;

	check(r->in_tx);
	check(smtp_proto_state(r->p) == SMTP_STATE_DATA);
	r->in_tx = false;
	if (r->policy & 0x10) {
		buf_printf(r->log, "end-fail\n");
		return refuse(r, "end", "end");
	}
	check_message(r);
	++r->ids;
	if (!(r->policy & 0x80))
		snprintf(queue_id, SMTP_PROTO_QUEUE_ID_MAX, "Q%u", r->ids);
	else if (r->ids % 2 == 0)
		memset(queue_id, 'Q', SMTP_PROTO_QUEUE_ID_MAX);
	else if (r->ids % 3 == 0)
		snprintf(queue_id, SMTP_PROTO_QUEUE_ID_MAX, "Q%u\r\n250 x",
		    r->ids);
	buf_printf(r->log, "end %zu\n", buf_len(r->msg));
	buf_append(r->log, buf_data(r->msg), buf_len(r->msg));
	if (r->session & 0x40) {
		r->pending = true;
		return 0;
	}
	return agree(r);
}

/* The asynchronous half of a pending commit. */
static void
resume(struct run *r)
{
	char id[16];

	check(smtp_proto_state(r->p) == SMTP_STATE_PENDING);
	r->pending = false;
	snprintf(id, sizeof id, "Q%u", r->ids);
	if (r->ids % 3 == 0)
		smtp_proto_resume(r->p, -1, NULL,
		    r->ids % 2 ? "452 4.3.1 full\r\n250 x" : NULL);
	else
		smtp_proto_resume(r->p, 1, id, NULL);
	check(smtp_proto_state(r->p) != SMTP_STATE_PENDING);
}

static void
cb_data_abort(void *ctx)
{
	struct run *r = ctx;

	check(r->in_tx);
	r->in_tx = false;
	buf_printf(r->log, "abort\n");
}

static void
cb_event(void *ctx, const char *event, const char *detail)
{
	(void)ctx;
	check(event != NULL && event[0] != '\0');
	(void)detail;
}

static const struct smtp_callbacks callbacks = {
	.output = cb_output,
	.mail_from = cb_mail_from,
	.rcpt_to = cb_rcpt_to,
	.data_begin = cb_data_begin,
	.data_chunk = cb_data_chunk,
	.data_end = cb_data_end,
	.data_abort = cb_data_abort,
	.event = cb_event,
};

static size_t
next_piece(struct run *r, unsigned split)
{
	/* xorshift64: any fixed sequence will do. */
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	switch (split) {
	case 1:
		return 1;
	case 2:
		return 1 + r->rng % 16;
	case 3:
		return 1 + r->rng % 512;
	default:
		return SIZE_MAX;
	}
}

static void
after_call(struct run *r)
{
	if (r->said_bye)
		check(smtp_proto_closing(r->p));
	check(smtp_proto_closing(r->p) ==
	    (smtp_proto_state(r->p) == SMTP_STATE_CLOSING));
	if (smtp_proto_state(r->p) != SMTP_STATE_DATA)
		check(!r->in_tx);
}

static void
feed(struct run *r, const char *s, size_t len, unsigned split)
{
	size_t n, used;

	while (len > 0) {
		n = next_piece(r, split);
		if (n > len)
			n = len;
		used = smtp_proto_input(r->p, s, n);
		check(used <= n);
		after_call(r);
		check(r->pending ==
		    (smtp_proto_state(r->p) == SMTP_STATE_PENDING));
		if (r->pending) {
			/* Nothing more is taken until the resume. */
			check(smtp_proto_input(r->p, s + used, n - used) == 0);
			resume(r);
			after_call(r);
		} else
			check(used == n);
		s += used;
		len -= used;
	}
}

static void
session(struct run *r, const uint8_t *data, size_t size, unsigned split,
    uint64_t seed)
{
	const char *s = (const char *)data + 2;
	size_t len = size - 2, half = len / 2;

	memset(r, 0, sizeof *r);
	r->session = data[0];
	r->policy = data[1];
	if (r->session & 0x08) {
		r->lim.max_message_size = 64;
		r->lim.max_recipients = 2;
		r->lim.max_line = 32;
		r->lim.max_errors = 3;
	} else {
		r->lim.max_message_size = 16384;
		r->lim.max_recipients = 5;
		r->lim.max_line = 200;
		r->lim.max_errors = 8;
	}
	r->rng = seed | 1;
	r->msg = buf_new(0);
	r->out = buf_new(0);
	r->log = buf_new(0);
	r->p = smtp_proto_new(r->session & 0x01 ? SMTP_MODE_LMTP :
	    SMTP_MODE_SMTP, &r->lim, "fuzz.example", &callbacks, r);
	check(smtp_proto_state(r->p) == SMTP_STATE_GREETING);
	smtp_proto_greet(r->p);
	after_call(r);
	if (r->session & 0x10) {
		feed(r, s, half, split);
		smtp_proto_shutdown(r->p, "Service shutting down");
		after_call(r);
		feed(r, s + half, len - half, split);
	} else
		feed(r, s, len, split);
	if (r->session & 0x20) {
		smtp_proto_timeout(r->p);
		after_call(r);
		check(smtp_proto_closing(r->p));
		check(!r->in_tx);
	}
	smtp_proto_free(r->p);
	r->p = NULL;
	check(!r->in_tx);
}

static void
run_free(struct run *r)
{
	buf_free(r->msg);
	buf_free(r->out);
	buf_free(r->log);
}

static bool
buf_same(const struct buf *a, const struct buf *b)
{
	return buf_len(a) == buf_len(b) &&
	    memcmp(buf_data(a), buf_data(b), buf_len(a)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	unsigned split, other;
	uint64_t seed = 1469598103934665603ull;
	size_t i;

	if (size < 2 || size > MAX_INPUT)
		return 0;
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211ull;
	split = (data[0] >> 1) & 3;
	session(&a, data, size, split, seed);
	/* data_chunk failing depends on where the chunks fall: no compare. */
	if (!(data[1] & 0x08)) {
		other = split == 0 ? 1 : 0;
		session(&b, data, size, other, seed);
		check(buf_same(a.out, b.out));
		check(buf_same(a.log, b.log));
		run_free(&b);
	}
	run_free(&a);
	return 0;
}
