#include "config.h"

#include "hub/smtp_proto.h"

#include "base/log.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with CRLF. */
#define REPLY_MAX	512
/* Message data is gathered this much at a time before data_chunk. */
#define DATA_BUF	8192
/* RFC 1035 §2.3.4 name length; more in HELO is not a host name. */
#define HELO_MAX	255
#define HOST_MAX	255

/* Zero limits take the defaults of hub.conf(5). */
#define DEFAULT_MAX_MESSAGE	(25u * 1024 * 1024)
#define DEFAULT_MAX_RCPT	100
#define DEFAULT_MAX_LINE	1000
#define DEFAULT_MAX_ERRORS	10

#define TEXT_TEMPFAIL	"451 4.3.0 Temporary failure, try again later"
#define TEXT_NOT_STORED	"451 4.3.0 Error: message not stored, try again later"

/* Why the message being received will be refused at its end. */
enum spoil {
	SPOIL_NONE,
	SPOIL_BARE_LF,
	SPOIL_BARE_CR,
	SPOIL_LINE,
	SPOIL_SIZE,
	SPOIL_LOCAL,
};

/* Where in a data line we are; only these states survive between calls. */
enum dstate {
	D_BOL,		/* at the start of a line */
	D_MID,		/* inside a line */
	D_CR,		/* CR seen, LF expected */
	D_DOT,		/* "." at line start */
	D_DOT_CR,	/* "." CR at line start: one LF from the end */
};

enum path_status {
	PATH_OK,
	PATH_SYNTAX,
	PATH_TOO_LONG,
	PATH_NO_DOMAIN,
	PATH_NON_ASCII,
};

struct smtp_proto {
	enum smtp_mode		 mode;
	enum smtp_state		 state;
	struct smtp_limits	 lim;
	struct smtp_callbacks	 cb;
	void			*ctx;
	char			 host[HOST_MAX + 1];

	/* The command line being assembled (CRLF not stored). */
	char			 line[SMTP_PROTO_MAX_CMDLINE];
	size_t			 linelen;
	bool			 line_cr;	/* last octet was CR */
	bool			 line_bare_cr;
	bool			 line_nul;
	bool			 line_long;

	unsigned		 errors;
	bool			 in_cmd;	/* replying to a command */
	bool			 cmd_failed;	/* ... and it was refused */

	char			 helo[HELO_MAX + 1];
	char			 from[SMTP_PROTO_MAX_PATH + 1];
	bool			 body_8bit;
	char			**rcpt;
	unsigned		 nrcpt;
	unsigned		 rcpt_cap;

	/* Message data. */
	bool			 tx_open;	/* begun, not yet ended */
	enum dstate		 dstate;
	size_t			 dline;		/* octets in this data line */
	size_t			 dsize;		/* octets out (or in dbuf) */
	enum spoil		 spoil;
	char			 spoil_reply[REPLY_MAX];
	char			 dbuf[DATA_BUF];
	size_t			 dlen;

	/* smtp_proto_set_reply() state. */
	unsigned		 busy;		/* inside any callback */
	bool			 in_policy_cb;	/* inside one that may refuse */
	bool			 have_reply;
	char			 reply[REPLY_MAX];

	bool			 shutdown;
	char			 why[REPLY_MAX];
};

static void	data_flush(struct smtp_proto *);

/* --- small helpers ------------------------------------------------------ */

/* ASCII only: the C locale's idea of letters must not matter here. */
static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5322 atext plus ".", as a dot-string is used loosely in the wild. */
static bool
is_dotstring(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.",
	    c) != NULL);
}

static bool
is_domain(int c)
{
	/* "_" is not in RFC 5321 but common enough in real names. */
	return is_alnum(c) || c == '-' || c == '.' || c == '_';
}

static bool
ci_eqn(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (b[i] == '\0' || lower((unsigned char)a[i]) !=
		    lower((unsigned char)b[i]))
			return false;
	return b[alen] == '\0';
}

static bool
ci_prefix(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++)
		if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
			return false;
	return true;
}

/*
 * Copy network or caller text into a reply: CR or LF would end the line
 * and let the text forge further replies, so cut there; other control
 * octets become '?'.
 */
static void
copy_line(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i] != '\0' && src[i] != '\r' &&
	    src[i] != '\n'; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[i] = '\0';
}

static void
event(struct smtp_proto *p, const char *ev, const char *detail)
{
	if (p->cb.event == NULL)
		return;
	p->busy++;
	p->cb.event(p->ctx, ev, detail);
	p->busy--;
}

static void
output(struct smtp_proto *p, const char *data, size_t len)
{
	p->busy++;
	p->cb.output(p->ctx, data, len);
	p->busy--;
}

/* Send one reply line; a 4xx/5xx answer to a command counts as an error. */
static void __attribute__((format(printf, 2, 3)))
reply(struct smtp_proto *p, const char *fmt, ...)
{
	char buf[REPLY_MAX];
	va_list ap;
	int n;

	if (p->state == SMTP_STATE_CLOSING)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 3)
		n = sizeof buf - 3;
	if (p->in_cmd && (buf[0] == '4' || buf[0] == '5'))
		p->cmd_failed = true;
	buf[n++] = '\r';
	buf[n++] = '\n';
	output(p, buf, (size_t)n);
}

static void
close_session(struct smtp_proto *p)
{
	if (p->tx_open) {
		p->tx_open = false;
		p->busy++;
		p->cb.data_abort(p->ctx);
		p->busy--;
	}
	p->state = SMTP_STATE_CLOSING;
}

/* Around a callback that may refuse and choose its reply. */
static void
policy_enter(struct smtp_proto *p)
{
	p->busy++;
	p->in_policy_cb = true;
	p->have_reply = false;
}

/* The reply the callback chose, or NULL for the default. */
static const char *
policy_leave(struct smtp_proto *p, int r)
{
	p->busy--;
	p->in_policy_cb = false;
	if (r == 1 || !p->have_reply)
		return NULL;
	p->have_reply = false;
	return p->reply;
}

static void
tx_reset(struct smtp_proto *p)
{
	unsigned i;

	for (i = 0; i < p->nrcpt; i++)
		free(p->rcpt[i]);
	p->nrcpt = 0;
	p->from[0] = '\0';
	p->body_8bit = false;
	p->spoil = SPOIL_NONE;
	p->dlen = 0;
	p->dsize = 0;
}

static void
check_shutdown(struct smtp_proto *p)
{
	if (!p->shutdown || p->busy > 0 ||
	    (p->state != SMTP_STATE_GREETING && p->state != SMTP_STATE_READY))
		return;
	reply(p, "421 4.3.2 %s", p->why);
	close_session(p);
}

/* --- message data --------------------------------------------------------- */

/*
 * The message will be refused at its end.  Storage is released now rather
 * than at the end: the client may take its time sending the rest.  The
 * first reason wins.
 */
static void
data_spoil(struct smtp_proto *p, enum spoil why, const char *text)
{
	if (p->spoil != SPOIL_NONE)
		return;
	p->spoil = why;
	p->dlen = 0;
	switch (why) {
	case SPOIL_BARE_LF:
		event(p, "bare-lf", "data");
		text = "554 5.6.0 Error: bare <LF> in message data";
		break;
	case SPOIL_BARE_CR:
		event(p, "bare-cr", "data");
		text = "554 5.6.0 Error: bare <CR> in message data";
		break;
	case SPOIL_LINE:
		event(p, "line-too-long", "data");
		text = "554 5.6.0 Error: line too long in message data";
		break;
	case SPOIL_SIZE:
		event(p, "size-exceeded", NULL);
		text = NULL;
		snprintf(p->spoil_reply, sizeof p->spoil_reply,
		    "552 5.3.4 Error: message too big (limit %zu octets)",
		    p->lim.max_message_size);
		break;
	case SPOIL_LOCAL:
		event(p, "data-write-failed", NULL);
		if (text == NULL)
			text = TEXT_NOT_STORED;
		break;
	case SPOIL_NONE:
		return;
	}
	if (text != NULL)
		snprintf(p->spoil_reply, sizeof p->spoil_reply, "%s", text);
	if (p->tx_open) {
		p->tx_open = false;
		p->busy++;
		p->cb.data_abort(p->ctx);
		p->busy--;
	}
}

/* Message octets, already unstuffed; nothing beyond the limit goes out. */
static void
data_emit(struct smtp_proto *p, const char *s, size_t n)
{
	size_t room;

	if (p->spoil != SPOIL_NONE || n == 0)
		return;
	if (n > p->lim.max_message_size - p->dsize) {
		data_spoil(p, SPOIL_SIZE, NULL);
		return;
	}
	p->dsize += n;
	while (n > 0 && p->spoil == SPOIL_NONE) {
		if (p->dlen == sizeof p->dbuf) {
			data_flush(p);
			continue;
		}
		room = sizeof p->dbuf - p->dlen;
		if (room > n)
			room = n;
		memcpy(p->dbuf + p->dlen, s, room);
		p->dlen += room;
		s += room;
		n -= room;
	}
}

static void
data_flush(struct smtp_proto *p)
{
	const char *text;
	int r;

	if (p->dlen == 0 || p->spoil != SPOIL_NONE)
		return;
	policy_enter(p);
	r = p->cb.data_chunk(p->ctx, p->dbuf, p->dlen);
	text = policy_leave(p, r);
	p->dlen = 0;
	if (r != 1)
		data_spoil(p, SPOIL_LOCAL, text);
}

/* Count octets of the current line that are not message content. */
static void
data_count(struct smtp_proto *p, size_t n)
{
	if (n > p->lim.max_line - p->dline) {
		p->dline = p->lim.max_line;
		data_spoil(p, SPOIL_LINE, NULL);
	} else
		p->dline += n;
}

/*
 * Count and emit octets of the current line.  The outcome must not depend
 * on how the stream was split, so when a span crosses both the line and
 * the size limit, the one an octet-by-octet reader meets first wins.
 */
static void
data_span(struct smtp_proto *p, const char *s, size_t n)
{
	size_t room = p->lim.max_line - p->dline;

	if (n <= room) {
		p->dline += n;
		data_emit(p, s, n);
		return;
	}
	p->dline += room;
	data_emit(p, s, room);
	data_count(p, n - room);
}

/* A queue id goes into a reply line: keep it one printable word. */
static void
sanitize_id(char *id)
{
	unsigned i;

	id[SMTP_PROTO_QUEUE_ID_MAX - 1] = '\0';
	for (i = 0; id[i] != '\0'; i++)
		if ((unsigned char)id[i] <= 0x20 ||
		    (unsigned char)id[i] >= 0x7f)
			id[i] = '?';
}

/* The final reply(s) of a transaction: text is a refusal line, or NULL
 * for success with id ("" if none). */
static void
data_reply(struct smtp_proto *p, const char *text, const char *id)
{
	unsigned i;

	if (p->mode == SMTP_MODE_SMTP) {
		if (text != NULL)
			reply(p, "%s", text);
		else if (id[0] != '\0')
			reply(p, "250 2.0.0 Ok: queued as %s", id);
		else
			reply(p, "250 2.0.0 Ok: queued");
	} else {
		/* RFC 2033 §4.2: one reply per accepted RCPT, in order. */
		for (i = 0; i < p->nrcpt; i++) {
			if (text != NULL)
				reply(p, "%s", text);
			else if (id[0] != '\0')
				reply(p, "250 2.1.5 <%s> Ok: queued as %s",
				    p->rcpt[i], id);
			else
				reply(p, "250 2.1.5 <%s> Ok: queued",
				    p->rcpt[i]);
		}
	}
	tx_reset(p);
	if (p->state == SMTP_STATE_DATA || p->state == SMTP_STATE_PENDING)
		p->state = SMTP_STATE_READY;
	check_shutdown(p);
}

static void
data_finish(struct smtp_proto *p)
{
	char id[SMTP_PROTO_QUEUE_ID_MAX] = "";
	const char *text = NULL;
	int r;

	data_flush(p);
	if (p->spoil != SPOIL_NONE) {
		data_reply(p, p->spoil_reply, id);
		return;
	}
	memset(id, 0, sizeof id);
	policy_enter(p);
	r = p->cb.data_end(p->ctx, id);
	text = policy_leave(p, r);
	/* From here the transaction is the caller's: stored, failed, or
	 * being committed; there is nothing left to abort. */
	p->tx_open = false;
	if (r == 0) {
		p->state = SMTP_STATE_PENDING;
		return;
	}
	if (r != 1 && text == NULL)
		text = TEXT_NOT_STORED;
	sanitize_id(id);
	data_reply(p, text, id);
}

/* Index of the first CR or LF in d[i..len), or len.  memchr is vectorised
 * where a byte loop is not: this scan is the hot path of big messages. */
static size_t
line_end(const char *d, size_t i, size_t len)
{
	const char *lf, *cr;
	size_t end;

	lf = memchr(d + i, '\n', len - i);
	end = lf != NULL ? (size_t)(lf - d) : len;
	cr = memchr(d + i, '\r', end - i);
	return cr != NULL ? (size_t)(cr - d) : end;
}

/*
 * Consume message data up to and including the terminating CRLF "." CRLF;
 * returns the octets used.  CR and LF are only valid as a pair: anything
 * else spoils the message but the end is still searched for, so that the
 * client and we agree where the next command starts.
 */
static size_t
data_input(struct smtp_proto *p, const char *d, size_t len)
{
	size_t i = 0, j;

	while (i < len && p->state == SMTP_STATE_DATA) {
		char c = d[i];

		switch (p->dstate) {
		case D_BOL:
			if (c == '.') {
				p->dstate = D_DOT;
				i++;
			} else
				p->dstate = D_MID;
			break;
		case D_DOT:
			if (c == '\r') {
				p->dstate = D_DOT_CR;
				i++;
			} else {
				/* The dot was stuffing (or stray): drop it. */
				data_count(p, 1);
				p->dstate = D_MID;
			}
			break;
		case D_DOT_CR:
			if (c == '\n') {
				i++;
				data_finish(p);
				return i;
			}
			data_count(p, 2);
			data_spoil(p, SPOIL_BARE_CR, NULL);
			p->dstate = D_MID;
			break;
		case D_CR:
			if (c == '\n') {
				data_span(p, "\n", 1);
				p->dline = 0;
				p->dstate = D_BOL;
				i++;
			} else {
				data_spoil(p, SPOIL_BARE_CR, NULL);
				p->dstate = D_MID;
			}
			break;
		case D_MID:
			j = line_end(d, i, len);
			if (j > i) {
				data_span(p, d + i, j - i);
				i = j;
			} else if (c == '\r') {
				data_span(p, "\r", 1);
				p->dstate = D_CR;
				i++;
			} else {
				/* Stay inside the line: "\n.\n" is no end. */
				data_count(p, 1);
				data_spoil(p, SPOIL_BARE_LF, NULL);
				i++;
			}
			break;
		}
	}
	return i;
}

/* --- MAIL and RCPT arguments -------------------------------------------- */

/*
 * Parse "<path>" at *sp (RFC 5321 §4.1.2).  The mailbox, with any source
 * route dropped (§C: routes are to be ignored), goes to out (size
 * SMTP_PROTO_MAX_PATH + 1).  A domain is required except for "<>" when
 * null_ok and "<postmaster>" when postmaster_ok (§4.5.1).
 */
static enum path_status
parse_path(const char **sp, char *out, bool null_ok, bool postmaster_ok)
{
	const char *s = *sp, *start = s, *box;
	bool domain = false;
	size_t n;

	if (*s++ != '<')
		return PATH_SYNTAX;
	if (*s == '>') {
		if (!null_ok)
			return PATH_SYNTAX;
		out[0] = '\0';
		*sp = s + 1;
		return PATH_OK;
	}
	if (*s == '@') {
		for (;;) {
			if (*s++ != '@')
				return PATH_SYNTAX;
			for (n = 0; is_domain((unsigned char)s[n]); n++)
				;
			if (n == 0)
				return PATH_SYNTAX;
			s += n;
			if (*s == ':') {
				s++;
				break;
			}
			if (*s++ != ',')
				return PATH_SYNTAX;
		}
	}
	box = s;
	if (*s == '"') {
		for (s++; *s != '"'; s++) {
			if (*s == '\\')
				s++;
			if ((unsigned char)*s >= 0x80)
				return PATH_NON_ASCII;
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				return PATH_SYNTAX;
		}
		s++;
	} else {
		for (n = 0; is_dotstring((unsigned char)s[n]); n++)
			;
		if (n == 0)
			return (unsigned char)*s >= 0x80 ? PATH_NON_ASCII :
			    PATH_SYNTAX;
		s += n;
	}
	if (*s == '@') {
		domain = true;
		s++;
		if (*s == '[') {
			for (s++; *s != ']'; s++)
				if ((unsigned char)*s <= 0x20 ||
				    (unsigned char)*s >= 0x7f ||
				    *s == '[' || *s == '\\')
					return (unsigned char)*s >= 0x80 ?
					    PATH_NON_ASCII : PATH_SYNTAX;
			s++;
		} else {
			for (n = 0; is_domain((unsigned char)s[n]); n++)
				;
			if (n == 0)
				return PATH_SYNTAX;
			s += n;
		}
	}
	if (*s != '>')
		return (unsigned char)*s >= 0x80 ? PATH_NON_ASCII :
		    PATH_SYNTAX;
	if ((size_t)(s + 1 - start) > SMTP_PROTO_MAX_PATH)
		return PATH_TOO_LONG;
	n = (size_t)(s - box);
	if (!domain) {
		if (!postmaster_ok || !ci_eqn(box, n, "postmaster"))
			return PATH_NO_DOMAIN;
		/* Any case matches; the callback sees one spelling. */
		memcpy(out, "postmaster", sizeof "postmaster");
	} else {
		memcpy(out, box, n);
		out[n] = '\0';
	}
	*sp = s + 1;
	return PATH_OK;
}

static void
reply_path_error(struct smtp_proto *p, enum path_status st, const char *verb)
{
	switch (st) {
	case PATH_TOO_LONG:
		reply(p, "501 5.5.4 Error: address too long");
		break;
	case PATH_NO_DOMAIN:
		reply(p, "501 5.5.4 Error: address needs a domain");
		break;
	case PATH_NON_ASCII:
		reply(p, "501 5.5.4 Error: non-ASCII address (no SMTPUTF8 "
		    "here)");
		break;
	case PATH_SYNTAX:
	case PATH_OK:
		reply(p, "501 5.5.4 Syntax: %s:<address>", verb);
		break;
	}
}

struct mail_params {
	bool	have_size;
	size_t	size;
	bool	have_body;
	bool	body_8bit;
};

/*
 * Parse the ESMTP parameters after the path (RFC 5321 §4.1.2); mp NULL
 * means none are supported (RCPT).  Returns 0 or -1 after replying.
 */
static int
parse_params(struct smtp_proto *p, const char *s, struct mail_params *mp)
{
	const char *kw, *val;
	size_t kwlen, vallen, i;

	if (*s != '\0' && *s != ' ')
		goto syntax;
	while (*s == ' ')
		s++;
	while (*s != '\0') {
		kw = s;
		for (kwlen = 0; is_alnum((unsigned char)s[kwlen]) ||
		    (kwlen > 0 && s[kwlen] == '-'); kwlen++)
			;
		s += kwlen;
		val = NULL;
		vallen = 0;
		if (*s == '=') {
			val = ++s;
			while ((unsigned char)*s > 0x20 &&
			    (unsigned char)*s < 0x7f && *s != '=')
				s++;
			vallen = (size_t)(s - val);
		}
		if (kwlen == 0 || (val != NULL && vallen == 0) ||
		    (*s != ' ' && *s != '\0'))
			goto syntax;
		while (*s == ' ')
			s++;

		if (mp != NULL && ci_eqn(kw, kwlen, "SIZE")) {
			if (mp->have_size || val == NULL)
				goto syntax;
			mp->have_size = true;
			mp->size = 0;
			for (i = 0; i < vallen; i++) {
				if (!is_digit((unsigned char)val[i]))
					goto syntax;
				/* Saturate: huge is just too big. */
				if (mp->size > (SIZE_MAX - 9) / 10)
					mp->size = SIZE_MAX;
				else
					mp->size = mp->size * 10 +
					    (size_t)(val[i] - '0');
			}
		} else if (mp != NULL && ci_eqn(kw, kwlen, "BODY")) {
			if (mp->have_body || val == NULL)
				goto syntax;
			mp->have_body = true;
			if (ci_eqn(val, vallen, "8BITMIME"))
				mp->body_8bit = true;
			else if (!ci_eqn(val, vallen, "7BIT")) {
				reply(p, "501 5.5.4 Error: BODY must be 7BIT "
				    "or 8BITMIME");
				return -1;
			}
		} else {
			reply(p, "555 5.5.4 Error: unsupported parameter "
			    "%.*s", (int)(kwlen > 64 ? 64 : kwlen), kw);
			return -1;
		}
	}
	return 0;
syntax:
	reply(p, "501 5.5.4 Error: bad parameter syntax");
	return -1;
}

/* --- commands ------------------------------------------------------------- */

static const char *
greet_verb(const struct smtp_proto *p)
{
	return p->mode == SMTP_MODE_LMTP ? "LHLO" : "EHLO/HELO";
}

static void
do_helo(struct smtp_proto *p, const char *arg, const char *verb, bool ext)
{
	const char *s;
	char buf[REPLY_MAX + 160];
	int n;

	if (p->mode == SMTP_MODE_LMTP && verb[0] != 'L') {
		reply(p, "500 5.5.1 Error: this is LMTP, use LHLO");
		return;
	}
	if (p->mode == SMTP_MODE_SMTP && verb[0] == 'L') {
		reply(p, "500 5.5.1 Error: LHLO is for LMTP, use EHLO");
		return;
	}
	if (*arg == '\0') {
		reply(p, "501 5.5.4 Syntax: %s hostname", verb);
		return;
	}
	for (s = arg; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			reply(p, "501 5.5.4 Error: bad hostname");
			return;
		}
	if (strlen(arg) > HELO_MAX) {
		reply(p, "501 5.5.4 Error: hostname too long");
		return;
	}
	/* RFC 5321 §4.1.4: a new greeting also clears any transaction. */
	tx_reset(p);
	memcpy(p->helo, arg, strlen(arg) + 1);
	p->state = SMTP_STATE_READY;
	if (!ext) {
		reply(p, "250 %s", p->host);
		return;
	}
	n = snprintf(buf, sizeof buf,
	    "250-%s\r\n"
	    "250-SIZE %zu\r\n"
	    "250-PIPELINING\r\n"
	    "250-8BITMIME\r\n"
	    "250 ENHANCEDSTATUSCODES\r\n", p->host, p->lim.max_message_size);
	if (n > 0 && (size_t)n < sizeof buf)
		output(p, buf, (size_t)n);
}

static void
cmd_ehlo(struct smtp_proto *p, const char *arg)
{
	do_helo(p, arg, "EHLO", true);
}

static void
cmd_helo(struct smtp_proto *p, const char *arg)
{
	do_helo(p, arg, "HELO", false);
}

static void
cmd_lhlo(struct smtp_proto *p, const char *arg)
{
	do_helo(p, arg, "LHLO", true);
}

static void
cmd_mail(struct smtp_proto *p, const char *arg)
{
	struct mail_params mp;
	char path[SMTP_PROTO_MAX_PATH + 1];
	enum path_status st;
	const char *text;
	int r = 1;

	if (p->state == SMTP_STATE_GREETING) {
		reply(p, "503 5.5.1 Error: send %s first", greet_verb(p));
		return;
	}
	if (p->state != SMTP_STATE_READY) {
		reply(p, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (!ci_prefix(arg, "FROM:")) {
		reply(p, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	arg += 5;
	while (*arg == ' ')	/* "FROM: <a@b>" is common */
		arg++;
	if ((st = parse_path(&arg, path, true, false)) != PATH_OK) {
		reply_path_error(p, st, "MAIL FROM");
		return;
	}
	memset(&mp, 0, sizeof mp);
	if (parse_params(p, arg, &mp) == -1)
		return;
	if (mp.have_size && mp.size > p->lim.max_message_size) {
		reply(p, "552 5.3.4 Error: message too big (limit %zu octets)",
		    p->lim.max_message_size);
		return;
	}
	if (p->cb.mail_from != NULL) {
		policy_enter(p);
		r = p->cb.mail_from(p->ctx, path);
		text = policy_leave(p, r);
		if (r != 1) {
			if (text != NULL)
				reply(p, "%s", text);
			else
				reply(p, "550 5.7.1 <%s>: sender refused",
				    path);
			return;
		}
	}
	tx_reset(p);
	memcpy(p->from, path, strlen(path) + 1);
	p->body_8bit = mp.body_8bit;
	p->state = SMTP_STATE_MAIL;
	reply(p, "250 2.1.0 Ok");
}

static void
cmd_rcpt(struct smtp_proto *p, const char *arg)
{
	char path[SMTP_PROTO_MAX_PATH + 1];
	enum path_status st;
	const char *text;
	int r;

	if (p->state != SMTP_STATE_MAIL) {
		reply(p, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (!ci_prefix(arg, "TO:")) {
		reply(p, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	arg += 3;
	while (*arg == ' ')
		arg++;
	if ((st = parse_path(&arg, path, false, true)) != PATH_OK) {
		reply_path_error(p, st, "RCPT TO");
		return;
	}
	if (parse_params(p, arg, NULL) == -1)
		return;
	if (p->nrcpt >= p->lim.max_recipients) {
		reply(p, "452 4.5.3 Error: too many recipients");
		return;
	}
	policy_enter(p);
	r = p->cb.rcpt_to(p->ctx, path);
	text = policy_leave(p, r);
	if (r != 1) {
		if (text != NULL)
			reply(p, "%s", text);
		else
			reply(p, "550 5.1.1 <%s>: recipient not served here",
			    path);
		return;
	}
	if (p->nrcpt == p->rcpt_cap) {
		p->rcpt_cap = p->rcpt_cap == 0 ? 8 : p->rcpt_cap * 2;
		p->rcpt = xreallocarray(p->rcpt, p->rcpt_cap,
		    sizeof *p->rcpt);
	}
	p->rcpt[p->nrcpt++] = xstrdup(path);
	reply(p, "250 2.1.5 Ok");
}

static void
cmd_data(struct smtp_proto *p, const char *arg)
{
	const char *text;
	int r;

	if (*arg != '\0') {
		reply(p, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (p->state != SMTP_STATE_MAIL) {
		reply(p, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (p->nrcpt == 0) {
		reply(p, "503 5.5.1 Error: need RCPT command");
		return;
	}
	policy_enter(p);
	r = p->cb.data_begin(p->ctx);
	text = policy_leave(p, r);
	if (r != 1) {
		reply(p, "%s", text != NULL ? text : TEXT_TEMPFAIL);
		return;
	}
	p->tx_open = true;
	p->state = SMTP_STATE_DATA;
	p->dstate = D_BOL;
	p->dline = 0;
	p->dsize = 0;
	p->dlen = 0;
	p->spoil = SPOIL_NONE;
	reply(p, "354 End data with <CR><LF>.<CR><LF>");
}

static void
cmd_rset(struct smtp_proto *p, const char *arg)
{
	if (*arg != '\0') {
		reply(p, "501 5.5.4 Syntax: RSET");
		return;
	}
	tx_reset(p);
	if (p->state == SMTP_STATE_MAIL)
		p->state = SMTP_STATE_READY;
	reply(p, "250 2.0.0 Ok");
}

static void
cmd_noop(struct smtp_proto *p, const char *arg)
{
	(void)arg;	/* RFC 5321 §4.1.1.9: an argument is allowed */
	reply(p, "250 2.0.0 Ok");
}

static void
cmd_quit(struct smtp_proto *p, const char *arg)
{
	if (*arg != '\0') {
		reply(p, "501 5.5.4 Syntax: QUIT");
		return;
	}
	reply(p, "221 2.0.0 Bye");
	close_session(p);
}

static void
cmd_help(struct smtp_proto *p, const char *arg)
{
	(void)arg;
	reply(p, "214 2.0.0 Commands: %s MAIL RCPT DATA RSET NOOP QUIT HELP",
	    p->mode == SMTP_MODE_LMTP ? "LHLO" : "EHLO HELO");
}

static void
cmd_vrfy(struct smtp_proto *p, const char *arg)
{
	(void)arg;
	/* No address harvesting: lists and members are not public. */
	reply(p, "502 5.5.1 Error: VRFY not supported");
}

static void
cmd_expn(struct smtp_proto *p, const char *arg)
{
	(void)arg;
	reply(p, "502 5.5.1 Error: EXPN not supported");
}

static const struct verb {
	const char	*name;
	void		(*fn)(struct smtp_proto *, const char *);
} verbs[] = {
	{ "EHLO", cmd_ehlo },
	{ "HELO", cmd_helo },
	{ "LHLO", cmd_lhlo },
	{ "MAIL", cmd_mail },
	{ "RCPT", cmd_rcpt },
	{ "DATA", cmd_data },
	{ "RSET", cmd_rset },
	{ "NOOP", cmd_noop },
	{ "QUIT", cmd_quit },
	{ "HELP", cmd_help },
	{ "VRFY", cmd_vrfy },
	{ "EXPN", cmd_expn },
};

static void
cmd_dispatch(struct smtp_proto *p, char *line)
{
	char verb[8];
	size_t n, len, i;

	len = strlen(line);
	while (len > 0 && line[len - 1] == ' ')	/* trailing blanks happen */
		line[--len] = '\0';
	for (n = 0; line[n] != '\0' && line[n] != ' '; n++)
		;
	if (n == 0) {
		event(p, "bad-command", NULL);
		reply(p, "500 5.5.1 Error: empty command");
		return;
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (!ci_eqn(line, n, verbs[i].name))
			continue;
		line += n;
		while (*line == ' ')
			line++;
		verbs[i].fn(p, line);
		return;
	}
	copy_line(verb, sizeof verb, line);
	if (n < sizeof verb)
		verb[n] = '\0';
	event(p, "bad-command", verb);
	reply(p, "500 5.5.1 Error: command not recognized");
}

/* A whole command line (terminator seen): check it, run it, count errors. */
static void
cmd_line(struct smtp_proto *p, bool bare_lf)
{
	bool bare_cr = p->line_bare_cr, nul = p->line_nul;
	bool toolong = p->line_long;

	p->line[p->linelen] = '\0';
	p->linelen = 0;
	p->line_cr = p->line_bare_cr = p->line_nul = p->line_long = false;
	p->in_cmd = true;
	p->cmd_failed = false;
	if (toolong) {
		event(p, "line-too-long", "command");
		reply(p, "500 5.5.2 Error: line too long");
	} else if (bare_lf || bare_cr) {
		event(p, bare_lf ? "bare-lf" : "bare-cr", "command");
		reply(p, "500 5.5.2 Error: bare <%s> received",
		    bare_lf ? "LF" : "CR");
	} else if (nul) {
		event(p, "bad-command", "nul");
		reply(p, "500 5.5.2 Error: NUL in command");
	} else
		cmd_dispatch(p, p->line);
	p->in_cmd = false;
	if (p->cmd_failed && p->state != SMTP_STATE_CLOSING &&
	    ++p->errors > p->lim.max_errors) {
		event(p, "too-many-errors", NULL);
		reply(p, "421 4.7.0 %s Error: too many errors", p->host);
		close_session(p);
	}
	check_shutdown(p);
}

/*
 * Collect one command line; returns the octets used, through its LF if it
 * ended.  A bare LF ends the line (and spoils it) so that a client that
 * sends LF alone hears why at once instead of waiting for a timeout.
 */
static size_t
cmd_input(struct smtp_proto *p, const char *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = d[i];

		if (c == '\n') {
			bool bare = !p->line_cr;

			p->line_cr = false;
			cmd_line(p, bare);
			return i + 1;
		}
		if (p->line_cr) {
			p->line_bare_cr = true;
			p->line_cr = false;
		}
		if (c == '\r') {
			p->line_cr = true;
			continue;
		}
		if (c == '\0')
			p->line_nul = true;
		/* Room for CRLF in SMTP_PROTO_MAX_CMDLINE. */
		if (p->linelen < SMTP_PROTO_MAX_CMDLINE - 2)
			p->line[p->linelen++] = c;
		else
			p->line_long = true;
	}
	return len;
}

/* --- public --------------------------------------------------------------- */

struct smtp_proto *
smtp_proto_new(enum smtp_mode mode, const struct smtp_limits *limits,
    const char *hostname, const struct smtp_callbacks *cb, void *ctx)
{
	struct smtp_proto *p;

	if (cb == NULL || cb->output == NULL || cb->rcpt_to == NULL ||
	    cb->data_begin == NULL || cb->data_chunk == NULL ||
	    cb->data_end == NULL || cb->data_abort == NULL)
		panic("smtp_proto_new: required callback missing");
	p = xcalloc(1, sizeof *p);
	p->mode = mode;
	p->state = SMTP_STATE_GREETING;
	if (limits != NULL)
		p->lim = *limits;
	if (p->lim.max_message_size == 0)
		p->lim.max_message_size = DEFAULT_MAX_MESSAGE;
	if (p->lim.max_recipients == 0)
		p->lim.max_recipients = DEFAULT_MAX_RCPT;
	if (p->lim.max_line == 0)
		p->lim.max_line = DEFAULT_MAX_LINE;
	if (p->lim.max_errors == 0)
		p->lim.max_errors = DEFAULT_MAX_ERRORS;
	p->cb = *cb;
	p->ctx = ctx;
	copy_line(p->host, sizeof p->host,
	    hostname != NULL && *hostname != '\0' ? hostname : "localhost");
	return p;
}

void
smtp_proto_free(struct smtp_proto *p)
{
	if (p == NULL)
		return;
	if (p->tx_open) {
		p->tx_open = false;
		p->cb.data_abort(p->ctx);
	}
	tx_reset(p);
	free(p->rcpt);
	free(p);
}

void
smtp_proto_greet(struct smtp_proto *p)
{
	reply(p, "220 %s %s csirt-hub", p->host,
	    p->mode == SMTP_MODE_LMTP ? "LMTP" : "ESMTP");
}

size_t
smtp_proto_input(struct smtp_proto *p, const char *data, size_t len)
{
	size_t n, used = 0;

	/* Replies to callers that call back into us would interleave. */
	if (p->busy > 0)
		return 0;
	while (used < len && p->state != SMTP_STATE_CLOSING &&
	    p->state != SMTP_STATE_PENDING) {
		if (p->state == SMTP_STATE_DATA)
			n = data_input(p, data + used, len - used);
		else
			n = cmd_input(p, data + used, len - used);
		used += n;
	}
	if (p->state == SMTP_STATE_DATA)
		data_flush(p);
	/* Closing: the rest is ignored, so count it as taken. */
	return p->state == SMTP_STATE_CLOSING ? len : used;
}

void
smtp_proto_resume(struct smtp_proto *p, int result, const char *queue_id,
    const char *text)
{
	char id[SMTP_PROTO_QUEUE_ID_MAX];
	char line[REPLY_MAX];

	if (p->state != SMTP_STATE_PENDING)
		return;
	if (result == 1) {
		copy_line(id, sizeof id, queue_id != NULL ? queue_id : "");
		sanitize_id(id);
		data_reply(p, NULL, id);
		return;
	}
	if (text != NULL && (text[0] == '4' || text[0] == '5'))
		copy_line(line, sizeof line - 2, text);
	else
		copy_line(line, sizeof line, TEXT_NOT_STORED);
	data_reply(p, line, "");
}

void
smtp_proto_set_reply(struct smtp_proto *p, const char *fmt, ...)
{
	char buf[REPLY_MAX];
	va_list ap;

	if (!p->in_policy_cb)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	/* A refusal must read as one: "4xx"/"5xx", then text or nothing. */
	if ((buf[0] != '4' && buf[0] != '5') || !is_digit(buf[1]) ||
	    !is_digit(buf[2]) || (buf[3] != ' ' && buf[3] != '\0'))
		return;
	copy_line(p->reply, sizeof p->reply - 2, buf);
	p->have_reply = true;
}

void
smtp_proto_shutdown(struct smtp_proto *p, const char *why)
{
	if (p->state == SMTP_STATE_CLOSING || p->shutdown)
		return;
	p->shutdown = true;
	copy_line(p->why, sizeof p->why - 12, why != NULL && *why != '\0' ?
	    why : "Service shutting down");
	check_shutdown(p);
}

void
smtp_proto_timeout(struct smtp_proto *p)
{
	if (p->state == SMTP_STATE_CLOSING)
		return;
	event(p, "timeout", NULL);
	reply(p, "421 4.4.2 %s Error: timeout exceeded", p->host);
	close_session(p);
}

enum smtp_state
smtp_proto_state(const struct smtp_proto *p)
{
	return p->state;
}

bool
smtp_proto_closing(const struct smtp_proto *p)
{
	return p->state == SMTP_STATE_CLOSING;
}

enum smtp_mode
smtp_proto_mode(const struct smtp_proto *p)
{
	return p->mode;
}

const char *
smtp_proto_helo(const struct smtp_proto *p)
{
	return p->helo;
}

const char *
smtp_proto_mail_from(const struct smtp_proto *p)
{
	return p->from;
}

unsigned
smtp_proto_rcpt_count(const struct smtp_proto *p)
{
	return p->nrcpt;
}

const char *
smtp_proto_rcpt(const struct smtp_proto *p, unsigned i)
{
	return i < p->nrcpt ? p->rcpt[i] : NULL;
}

bool
smtp_proto_body_8bit(const struct smtp_proto *p)
{
	return p->body_8bit;
}
