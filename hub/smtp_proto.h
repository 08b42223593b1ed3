/*
 * smtp_proto: the SMTP/LMTP protocol state machine (RFC 5321, RFC 2033),
 * with no I/O and no knowledge of lists or spools (STYLE.md §1.4).
 *
 * Bytes from the client go in through smtp_proto_input(); replies come out
 * through the output callback, decisions are asked of the policy callbacks
 * and message data is handed out, dot-unstuffed, through data_chunk.  The
 * libevent glue (hub/smtp.c) is the only caller that touches sockets; unit
 * tests and the fuzzer drive this module directly.
 *
 * Runs in the smtp process.  Nothing here blocks except what the callbacks
 * do.  Callback contract (after Dovecot): return 1 = accepted, -1 =
 * refused.  A callback that refuses may choose the reply text with
 * smtp_proto_set_reply() (only valid inside the callback); otherwise the
 * default for that step is sent.  data_end alone may also return 0 =
 * pending: the commit goes on elsewhere (the smtp process fsyncs on a
 * thread pool so one slow disk flush does not stall every session) and
 * the caller later reports the outcome with smtp_proto_resume(); until
 * then the machine consumes no input (smtp_proto_input returns how much it
 * took, so the caller keeps the rest) and sends no reply.  For every other
 * callback 0 is treated as -1.
 *
 * Protocol rules enforced here, each with its reply:
 *  - lines end with CRLF only; a bare CR or LF in a command line gets
 *    "500 5.5.2"; in message data it spoils the message, which is refused
 *    after the terminating CRLF.CRLF with "554 5.6.0" (SMTP smuggling).
 *  - end of data is only CRLF "." CRLF; a leading "." is unstuffed.
 *  - command lines over SMTP_PROTO_MAX_CMDLINE octets: "500 5.5.2"; data
 *    lines over limits.max_line octets (CRLF included) spoil the message:
 *    "554 5.6.0" at the end.
 *  - MAIL SIZE= over the limit: "552 5.3.4" at once; data over the limit:
 *    the transaction is aborted (data_abort) and "552 5.3.4" is sent after
 *    the end of data; nothing is stored.
 *  - more than limits.max_recipients RCPTs: "452 4.5.3".
 *  - VRFY/EXPN: "502 5.5.1"; unknown verbs "500 5.5.1"; wrong order
 *    "503 5.5.1"; bad syntax "501 5.5.4"; unknown MAIL/RCPT parameter
 *    "555 5.5.4".
 *  - more than limits.max_errors refused commands: "421 4.7.0" and close.
 *  - SMTP mode takes EHLO/HELO, LMTP mode takes LHLO only (the other
 *    greeting verbs get "500 5.5.1").
 *  - LMTP: after the end of data, one reply per accepted recipient, in
 *    RCPT order.
 *
 * Ownership: strings passed to callbacks are valid only during the call.
 * smtp_proto_free() calls data_abort if a message was being received (not
 * when a commit is pending: that transaction is the caller's).
 *
 * Finer points of the implementation:
 *  - a bare LF ends a command line (so an LF-only client hears "500 5.5.2"
 *    at once); a bare CR does not.  MAIL before EHLO/HELO/LHLO: "503".
 *  - "refused commands" are all 4xx/5xx replies to command lines, policy
 *    refusals (mail_from, rcpt_to, data_begin) and "452 4.5.3" included.
 *  - a spoiled message (bare CR/LF, long line, too big, data_chunk -1)
 *    gets data_abort at once, not at its end, and no data_chunk after;
 *    data_end is called only for a clean message.  data_abort is called at
 *    most once per data_begin that returned 1, data_end or data_abort
 *    always ends it.
 *  - data_chunk gets at most 8 KiB at a time; what is pending is handed
 *    out at the end of each smtp_proto_input() call.
 *  - smtp_proto_set_reply() text must start "4xx " or "5xx " (else it is
 *    ignored and the default sent); it is cut at CR or LF, and to 509
 *    octets.  Called from a callback that accepts, it has no effect.
 *  - a zero limit takes the hub.conf(5) default (25 MiB, 100, 1000, 10).
 *  - from inside a callback only smtp_proto_set_reply(), the accessors
 *    and smtp_proto_shutdown() (which then waits for the command to end)
 *    may be called; smtp_proto_input() there is ignored.
 */
#ifndef HUB_SMTP_PROTO_H
#define HUB_SMTP_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_PROTO_MAX_CMDLINE	1000	/* octets, CRLF included */
#define SMTP_PROTO_MAX_PATH	256	/* RFC 5321 §4.5.3.1.3 */
#define SMTP_PROTO_QUEUE_ID_MAX	64
/* What a mail_from callback sets with smtp_proto_set_reply() while the
 * spool's disk is under hub.conf's queue_minfree (RFC 3463 4.3.1): the
 * client keeps its message and retries, rather than sending it whole
 * to be told 451. */
#define SMTP_PROTO_REPLY_NO_SPACE \
	"452 4.3.1 Insufficient system storage, try again later"

enum smtp_mode {
	SMTP_MODE_SMTP,
	SMTP_MODE_LMTP,
};

enum smtp_state {
	SMTP_STATE_GREETING,	/* before HELO/EHLO/LHLO */
	SMTP_STATE_READY,	/* greeted, no transaction */
	SMTP_STATE_MAIL,	/* MAIL accepted, collecting RCPTs */
	SMTP_STATE_DATA,	/* 354 sent, receiving message data */
	SMTP_STATE_PENDING,	/* data_end returned 0: awaiting resume */
	SMTP_STATE_CLOSING,	/* QUIT or fatal: flush output, then close */
};

struct smtp_limits {
	size_t		max_message_size;	/* octets after unstuffing */
	unsigned	max_recipients;
	size_t		max_line;		/* data line, CRLF included */
	unsigned	max_errors;
};

struct smtp_callbacks {
	/* Required: bytes to send to the client (whole reply lines). */
	void	(*output)(void *ctx, const char *data, size_t len);
	/* Optional (NULL accepts).  Default refusal "550 5.7.1". */
	int	(*mail_from)(void *ctx, const char *reverse_path);
	/* Required.  forward_path is the address without <>; default
	 * refusal "550 5.1.1 <addr>: recipient not served here". */
	int	(*rcpt_to)(void *ctx, const char *forward_path);
	/* Required.  Open storage for a message; default refusal
	 * "451 4.3.0 Temporary failure, try again later". */
	int	(*data_begin)(void *ctx);
	/* Required.  Message bytes, unstuffed, CRLF line ends as received.
	 * -1 spoils the transaction: the rest is read and discarded and
	 * "451 4.3.0" is sent at the end of data. */
	int	(*data_chunk)(void *ctx, const char *data, size_t len);
	/* Required.  Commit the message durably.  On 1, queue_id (size
	 * SMTP_PROTO_QUEUE_ID_MAX) names it in the 250 reply(s).  Default
	 * refusal "451 4.3.0". */
	int	(*data_end)(void *ctx, char *queue_id);
	/* Required.  The transaction begun with data_begin is abandoned
	 * (too big, bad line ends, spoiled, connection gone): discard it. */
	void	(*data_abort)(void *ctx);
	/* Optional.  Something worth a log line: event is a short token
	 * ("bare-lf", "line-too-long", "too-many-errors", "size-exceeded",
	 * "bad-command", "timeout"...), detail may be NULL. */
	void	(*event)(void *ctx, const char *event, const char *detail);
};

struct smtp_proto;

struct smtp_proto *smtp_proto_new(enum smtp_mode mode,
    const struct smtp_limits *limits, const char *hostname,
    const struct smtp_callbacks *cb, void *ctx);
void smtp_proto_free(struct smtp_proto *p);

/* Send the 220 greeting. */
void smtp_proto_greet(struct smtp_proto *p);
/* Feed bytes from the client; any split of the stream is allowed.
 * Returns the octets consumed: all of them, except when a commit becomes
 * pending (the rest is for after smtp_proto_resume) or the session is
 * closing (the rest is ignored). */
size_t smtp_proto_input(struct smtp_proto *p, const char *data, size_t len);

/* The pending commit is over (only in SMTP_STATE_PENDING; otherwise a
 * no-op).  result 1: stored as queue_id (may be NULL); -1: not stored,
 * reply is the refusal line to send (NULL for "451 4.3.0 ...").  The
 * final reply(s) go out, then any shutdown asked for meanwhile. */
void smtp_proto_resume(struct smtp_proto *p, int result,
    const char *queue_id, const char *reply);

/* Only inside a callback that returns -1: the reply to send instead of the
 * default, a complete line without CRLF ("550 5.1.1 ...").  For LMTP
 * data_end it is used for every recipient. */
void smtp_proto_set_reply(struct smtp_proto *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The session should end: send "421 4.3.2 <why>" now if no transaction is
 * open, else right after the current transaction's final reply. */
void smtp_proto_shutdown(struct smtp_proto *p, const char *why);
/* Idle or session timeout: abort any transaction, "421 4.4.2", close. */
void smtp_proto_timeout(struct smtp_proto *p);

enum smtp_state smtp_proto_state(const struct smtp_proto *p);
bool smtp_proto_closing(const struct smtp_proto *p);
enum smtp_mode smtp_proto_mode(const struct smtp_proto *p);

/* The current transaction's envelope (valid until the transaction ends). */
const char *smtp_proto_helo(const struct smtp_proto *p);	/* "" if none */
const char *smtp_proto_mail_from(const struct smtp_proto *p);	/* "" = <> */
unsigned smtp_proto_rcpt_count(const struct smtp_proto *p);
const char *smtp_proto_rcpt(const struct smtp_proto *p, unsigned i);
/* BODY=8BITMIME was given with MAIL. */
bool smtp_proto_body_8bit(const struct smtp_proto *p);

#endif
