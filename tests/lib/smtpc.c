/*
 * smtpc: a small SMTP/LMTP client for the integration tests and the intake
 * benchmark.  It sends generated (or given) messages over one or more
 * concurrent sessions and prints one result line per message, or (--raw)
 * plays a hand-written protocol script and prints the replies.  See usage().
 *
 * Each session is one thread with blocking sockets and SO_RCVTIMEO /
 * SO_SNDTIMEO, so every read and write is bounded by --timeout and a
 * misbehaving server can never hang a test.
 */
#include "config.h"

#include "base/buf.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARALLEL	1000
#define LINE_MAX_OUT	512		/* a reply line as we report it */
#define INBUF_SIZE	16384		/* longest reply line we accept */
#define POOL_SIZE	16384		/* base64 text lines are cut from */
#define B64_COLS	76

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static struct {
	const char	 *host;
	const char	 *port;
	const char	 *unix_path;
	int		  lmtp;
	const char	 *helo;
	const char	 *from;
	const char	**to;
	size_t		  nto;
	const char	 *file;
	size_t		  size;
	unsigned long	  count;
	unsigned	  parallel;
	int		  pipelining;
	const char	 *save_dir;
	long long	  cut_after;	/* -1: do not cut */
	int		  raw;
	int		  quiet;
	double		  timeout;
} opt;

/* Resolved once in main; the threads only read it. */
static struct addrinfo *server_ai;
static struct sockaddr_un server_sun;

/* Commands, the same for every message. */
static struct buf *cmd_mail;
static struct buf **cmd_rcpt;
static struct buf *cmd_group;	/* MAIL + RCPTs + DATA for --pipelining */

/* --file: the message as stored (CRLF) and as sent (stuffed, ".\r\n"). */
static struct buf *file_msg;
static struct buf *file_wire;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long n_ok, n_fail, n_cut;
static long my_pid;

struct reply {
	int	code;		/* 0: not a well-formed reply */
	int	pipelining;	/* an EHLO/LHLO keyword line said PIPELINING */
	char	line[LINE_MAX_OUT];	/* the last line, printable */
};

struct conn {
	int	fd;
	int	dead;		/* no more commands: err says why */
	char	err[LINE_MAX_OUT];
	size_t	inlen;
	char	in[INBUF_SIZE];
};

struct worker {
	unsigned	 id;
	pthread_t	 thread;
	uint64_t	 rng;
	int		 pipelining;	/* asked for and advertised */
	struct buf	*msg;
	struct buf	*wire;
	struct conn	 c;
	char		 pool[POOL_SIZE];
};

enum outcome {
	OUT_OK,
	OUT_FAIL,
	OUT_CUT,
};

static void usage(FILE *fp) __attribute__((noreturn));

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: smtpc [--host H] [--port P | --unix PATH] [--lmtp] [--helo NAME]\n"
"             --from ADDR --to ADDR [--to ADDR ...]\n"
"             [--file MSGFILE | --size BYTES] [--count N] [--parallel C]\n"
"             [--pipelining] [--save DIR] [--cut-after BYTES] [--quiet]\n"
"             [--timeout SEC]\n"
"       smtpc [--host H] [--port P | --unix PATH] --raw [--timeout SEC]\n"
"\n"
"Send mail over SMTP (or LMTP) and report each message.\n"
"\n"
"  --host H          server address (default 127.0.0.1)\n"
"  --port P          TCP port (default 25, or 24 with --lmtp)\n"
"  --unix PATH       connect to a unix socket instead of TCP\n"
"  --lmtp            speak LMTP: LHLO, one reply per accepted recipient\n"
"  --helo NAME       EHLO/LHLO name (default localhost)\n"
"  --from ADDR       envelope sender (\"\" for the null sender <>)\n"
"  --to ADDR         envelope recipient, repeatable\n"
"  --file MSGFILE    send this file; bare LF line ends become CRLF and a\n"
"                    missing final line end is added\n"
"  --size BYTES      generate messages of about BYTES bytes (default 2000;\n"
"                    suffix K or M for KiB, MiB): RFC 5322 headers and an\n"
"                    ASCII-armored PGP body carrying the message's tag;\n"
"                    some contain lines starting with '.'\n"
"  --count N         messages per connection, one session (default 1)\n"
"  --parallel C      C concurrent connections (default 1); total C x N\n"
"  --pipelining      send MAIL, RCPTs and DATA in one write (RFC 2920) if\n"
"                    the server advertises PIPELINING; else lockstep\n"
"  --save DIR        write each message as the server must store it (CRLF,\n"
"                    not dot-stuffed) to DIR/<tag>.eml before sending it\n"
"  --cut-after BYTES after BYTES bytes of the first message's data, close\n"
"                    the connection (no end of data, no QUIT), print\n"
"                    \"cut <tag>\"; each connection sends nothing more\n"
"  --raw             copy stdin to the server unchanged and print every\n"
"                    reply line (CR stripped) until the server closes or\n"
"                    nothing arrives for --timeout; stdin EOF does not\n"
"                    close the connection\n"
"  --quiet           no per-message lines\n"
"  --timeout SEC     limit on every connect, read and write (default 10)\n"
"\n"
"Tags are smtpc-<pid>-<connection>-<seq>, both counted from 0.  Output,\n"
"one line per message on stdout:\n"
"  ok <tag> <final reply line>      250 after the data (LMTP: every\n"
"                                   recipient's reply 2xx)\n"
"  fail <tag> <reply line>          the first refusal; a message with one\n"
"                                   refused recipient fails (without\n"
"                                   --pipelining it is not sent at all;\n"
"                                   with it, the others may get it)\n"
"  fail <tag> connection: <reason>  connect or I/O error, timeout, close\n"
"  cut <tag>                        --cut-after did its job\n"
"and on stderr: sent=N ok=K fail=F seconds=S rate=R msg/s (R = K / S).\n"
"\n"
"Exit status: 0 all ok (or cut), 1 some failed (--raw: could not\n"
"connect), 2 usage error.\n");
	exit(fp == stdout ? 0 : 2);
}

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smtpc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	usage(stderr);
}

static unsigned long long
parse_num(const char *name, const char *s, unsigned long long max,
    int suffixes)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	if (*s == '-' || *s == '+' || *s == '\0')
		usage_error("%s: not a number: %s", name, s);
	v = strtoull(s, &end, 10);
	if (suffixes && (*end == 'k' || *end == 'K'))
		mult = 1024, end++;
	else if (suffixes && (*end == 'm' || *end == 'M'))
		mult = 1024 * 1024, end++;
	if (errno != 0 || *end != '\0' || v > max / mult)
		usage_error("%s: bad value: %s", name, s);
	return v * mult;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: cheap, per worker, no locking; quality is irrelevant. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
copy_printable(char *dst, size_t n, const char *s, size_t len)
{
	size_t i;

	if (n == 0)
		return;
	if (len > n - 1)
		len = n - 1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		/* One result line per message, whatever the server sent. */
		dst[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	dst[len] = '\0';
}

/* --- connection ---------------------------------------------------------- */

static void conn_fail(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The first failure wins: later ones are consequences of it. */
static void
conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->dead)
		return;
	c->dead = 1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
}

static void
conn_fail_errno(struct conn *c, int e)
{
	char msg[128];

	if (e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS)
		conn_fail(c, "connection: timeout after %g s", opt.timeout);
	else {
		/* strerror_r comes in two incompatible flavours; a lock is
		 * simpler and this is not a hot path. */
		pthread_mutex_lock(&out_lock);
		snprintf(msg, sizeof msg, "%s", strerror(e));
		pthread_mutex_unlock(&out_lock);
		conn_fail(c, "connection: %s", msg);
	}
}

static void
set_timeouts(int fd)
{
	struct timeval tv;

	tv.tv_sec = (time_t)opt.timeout;
	tv.tv_usec = (suseconds_t)((opt.timeout - (double)tv.tv_sec) * 1e6);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int
conn_open(struct conn *c)
{
	struct addrinfo *ai;
	int fd = -1, e = ECONNREFUSED, one = 1;

	c->fd = -1;
	c->dead = 0;
	c->inlen = 0;
	c->err[0] = '\0';
	if (opt.unix_path != NULL) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1) {
			conn_fail_errno(c, errno);
			return -1;
		}
		set_timeouts(fd);
		if (connect(fd, (struct sockaddr *)&server_sun,
		    sizeof server_sun) == -1) {
			conn_fail_errno(c, errno);
			close(fd);
			return -1;
		}
		c->fd = fd;
		return 0;
	}
	for (ai = server_ai; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			continue;
		}
		/* SO_SNDTIMEO bounds connect() too (Linux). */
		set_timeouts(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		conn_fail_errno(c, e);
		return -1;
	}
	/* Each command and each message is one write already; Nagle would
	 * only hold the next one back until the delayed ACK (~40 ms). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->fd = fd;
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->dead = 1;
}

static int
conn_send(struct conn *c, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	if (c->dead)
		return -1;
	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			conn_fail_errno(c, errno);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read one complete reply (all its "NNN-" lines and the "NNN " one).  Works
 * on a dead connection too as long as the socket is open: after a failed
 * write, the server's reason may be waiting in the receive queue.
 */
static int
conn_reply(struct conn *c, struct reply *r)
{
	char *nl;
	size_t len, i;
	ssize_t n;
	int final;

	r->code = 0;
	r->pipelining = 0;
	r->line[0] = '\0';
	if (c->fd == -1)
		return -1;
	for (;;) {
		while ((nl = memchr(c->in, '\n', c->inlen)) == NULL) {
			if (c->inlen == sizeof c->in) {
				conn_fail(c, "connection: reply line too long");
				return -1;
			}
			n = recv(c->fd, c->in + c->inlen,
			    sizeof c->in - c->inlen, 0);
			if (n > 0) {
				c->inlen += (size_t)n;
				continue;
			}
			if (n == 0) {
				conn_fail(c, "connection: closed by server");
				return -1;
			}
			if (errno == EINTR)
				continue;
			conn_fail_errno(c, errno);
			return -1;
		}
		len = (size_t)(nl - c->in);
		if (len > 0 && c->in[len - 1] == '\r')
			len--;
		copy_printable(r->line, sizeof r->line, c->in, len);
		final = 1;
		if (len >= 3 && c->in[0] >= '0' && c->in[0] <= '9' &&
		    c->in[1] >= '0' && c->in[1] <= '9' &&
		    c->in[2] >= '0' && c->in[2] <= '9' &&
		    (len == 3 || c->in[3] == ' ' || c->in[3] == '-')) {
			r->code = (c->in[0] - '0') * 100 +
			    (c->in[1] - '0') * 10 + (c->in[2] - '0');
			final = len == 3 || c->in[3] == ' ';
			if (len >= 14 &&
			    strncasecmp(c->in + 4, "PIPELINING", 10) == 0 &&
			    (len == 14 || c->in[14] == ' '))
				r->pipelining = 1;
		} else
			r->code = 0;	/* garbage ends the reply */
		i = (size_t)(nl - c->in) + 1;
		memmove(c->in, c->in + i, c->inlen - i);
		c->inlen -= i;
		if (final)
			return 0;
	}
}

static int
is2xx(int code)
{
	return code >= 200 && code <= 299;
}

/* --- messages ------------------------------------------------------------ */

/* Stuff dots and terminate: what goes on the wire after DATA. */
static void
make_wire(const char *p, size_t len, struct buf *out)
{
	const char *nl;
	size_t i = 0, end;

	buf_reset(out);
	while (i < len) {
		nl = memchr(p + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - p) + 1 : len;
		if (p[i] == '.')
			buf_append(out, ".", 1);
		buf_append(out, p + i, end - i);
		i = end;
	}
	buf_append(out, ".\r\n", 3);
}

static void
load_file(const char *path)
{
	FILE *fp;
	char chunk[65536];
	size_t n, i, start;
	int prev_cr = 0;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "smtpc: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	file_msg = buf_new(0);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		start = 0;
		for (i = 0; i < n; i++) {
			if (chunk[i] == '\n' && !(i > 0 ? chunk[i - 1] == '\r' :
			    prev_cr)) {
				buf_append(file_msg, chunk + start, i - start);
				buf_append(file_msg, "\r\n", 2);
				start = i + 1;
			}
		}
		buf_append(file_msg, chunk + start, n - start);
		prev_cr = chunk[n - 1] == '\r';
	}
	if (ferror(fp)) {
		fprintf(stderr, "smtpc: %s: read error\n", path);
		exit(2);
	}
	fclose(fp);
	/* SMTP data always ends with a line end; the stored copy does too. */
	n = buf_len(file_msg);
	if (n > 0 && (n < 2 || memcmp(buf_data(file_msg) + n - 2, "\r\n",
	    2) != 0))
		buf_append(file_msg, "\r\n", 2);
	file_wire = buf_new(0);
	make_wire(buf_data(file_msg), buf_len(file_msg), file_wire);
}

static void
b64_line(struct worker *w, struct buf *m, size_t n)
{
	size_t off = (size_t)(rng_next(&w->rng) % (POOL_SIZE - B64_COLS));

	buf_append(m, w->pool + off, n);
	buf_append(m, "\r\n", 2);
}

/*
 * A message like the ones this hub carries: an OpenPGP-armored body.  Some
 * messages start with a list of domain-suffix indicators (".example"), a
 * lone "." and a ".." line, and some end with a "." line, so dot-stuffing
 * is exercised at the start, the middle and just before the end of data.
 */
static void
gen_message(struct worker *w, unsigned long seq, const char *tag,
    struct buf *m)
{
	static const char armor_end[] = "-----END PGP MESSAGE-----\r\n";
	char date[64];
	struct tm tm;
	time_t now;
	size_t i, tail, r, a;
	int dots_head = seq % 3 == 0, dot_tail = seq % 4 == 1;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);

	buf_reset(m);
	buf_printf(m, "From: <%s>\r\n",
	    opt.from[0] != '\0' ? opt.from : "mailer-daemon@smtpc.invalid");
	for (i = 0; i < opt.nto; i++)
		buf_printf(m, "%s<%s>%s\r\n", i == 0 ? "To: " : "\t",
		    opt.to[i], i + 1 < opt.nto ? "," : "");
	buf_printf(m, "Subject: [TLP:AMBER] smtpc test %u/%lu\r\n", w->id,
	    seq);
	buf_printf(m, "Message-ID: <%s@smtpc.invalid>\r\n", tag);
	buf_printf(m, "Date: %s\r\n\r\n", date);
	if (dots_head)
		buf_append_str(m, "Indicators (domain suffixes):\r\n"
		    ".bad-cdn.example\r\n..double.example\r\n.\r\n\r\n");
	buf_append_str(m, "-----BEGIN PGP MESSAGE-----\r\n");
	buf_printf(m, "Comment: %s\r\n\r\n", tag);

	tail = 7 + sizeof armor_end - 1 + (dot_tail ? 3 : 0);
	r = opt.size > buf_len(m) + tail ? opt.size - buf_len(m) - tail : 0;
	/* Full 76-column lines, then one or two shorter ones so the total
	 * is exactly --size whenever that is large enough. */
	while (r > 2 * (B64_COLS + 2)) {
		b64_line(w, m, B64_COLS);
		r -= B64_COLS + 2;
	}
	if (r > B64_COLS + 2) {
		a = (r - 4) / 2;
		b64_line(w, m, a);
		b64_line(w, m, r - 4 - a);
	} else if (r >= 3)
		b64_line(w, m, r - 2);
	buf_append(m, "=", 1);
	buf_append(m, w->pool + rng_next(&w->rng) % (POOL_SIZE - 4), 4);
	buf_append(m, "\r\n", 2);
	buf_append_str(m, armor_end);
	if (dot_tail)
		buf_append_str(m, ".\r\n");
}

static int
save_message(const char *tag, const struct buf *m, char *err, size_t errlen)
{
	char *path;
	const char *p = buf_data(m);
	size_t len = buf_len(m);
	ssize_t n;
	int fd, e;

	path = xasprintf("%s/%s.eml", opt.save_dir, tag);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		goto fail;
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			close(fd);
			errno = e;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1)
		goto fail;
	free(path);
	return 0;
fail:
	e = errno;
	pthread_mutex_lock(&out_lock);
	snprintf(err, errlen, "save: %s: %s", path, strerror(e));
	pthread_mutex_unlock(&out_lock);
	free(path);
	return -1;
}

static void
report(enum outcome o, const char *tag, const char *detail)
{
	pthread_mutex_lock(&out_lock);
	switch (o) {
	case OUT_OK:
		n_ok++;
		break;
	case OUT_FAIL:
		n_fail++;
		break;
	case OUT_CUT:
		n_cut++;
		break;
	}
	/* Flushed per line: tests watch the output while we still run. */
	if (o == OUT_CUT)
		printf("cut %s\n", tag);
	else if (!opt.quiet)
		printf("%s %s %s\n", o == OUT_OK ? "ok" : "fail", tag, detail);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* --- one transaction ----------------------------------------------------- */

static void
keep_first(char *dst, size_t n, const char *line)
{
	if (dst[0] == '\0')
		snprintf(dst, n, "%s",
		    line[0] != '\0' ? line : "(empty reply)");
}

static enum outcome
transact(struct worker *w, const struct buf *wire, char *detail, size_t dn)
{
	struct conn *c = &w->c;
	struct reply r;
	char first_fail[LINE_MAX_OUT] = "";
	size_t i, accepted = 0, nrep, cut;
	int mail_ok;

	if (w->pipelining) {
		if (conn_send(c, buf_data(cmd_group),
		    buf_len(cmd_group)) == -1 || conn_reply(c, &r) == -1)
			goto conn_err;
		if (!(mail_ok = is2xx(r.code)))
			keep_first(first_fail, sizeof first_fail, r.line);
		for (i = 0; i < opt.nto; i++) {
			if (conn_reply(c, &r) == -1)
				goto conn_err;
			if (is2xx(r.code) && mail_ok)
				accepted++;
			else
				keep_first(first_fail, sizeof first_fail,
				    r.line);
		}
		if (conn_reply(c, &r) == -1)
			goto conn_err;
	} else {
		if (conn_send(c, buf_data(cmd_mail), buf_len(cmd_mail)) == -1 ||
		    conn_reply(c, &r) == -1)
			goto conn_err;
		if (!is2xx(r.code)) {
			snprintf(detail, dn, "%s", r.line);
			return OUT_FAIL;
		}
		for (i = 0; i < opt.nto; i++) {
			if (conn_send(c, buf_data(cmd_rcpt[i]),
			    buf_len(cmd_rcpt[i])) == -1 ||
			    conn_reply(c, &r) == -1)
				goto conn_err;
			if (is2xx(r.code))
				accepted++;
			else
				keep_first(first_fail, sizeof first_fail,
				    r.line);
		}
		if (first_fail[0] != '\0') {
			/* Reported as failed, so not delivered to anyone. */
			if (conn_send(c, "RSET\r\n", 6) == -1 ||
			    conn_reply(c, &r) == -1)
				goto conn_err;
			snprintf(detail, dn, "%s", first_fail);
			return OUT_FAIL;
		}
		if (conn_send(c, "DATA\r\n", 6) == -1 ||
		    conn_reply(c, &r) == -1)
			goto conn_err;
	}
	if (r.code != 354) {
		keep_first(first_fail, sizeof first_fail, r.line);
		snprintf(detail, dn, "%s", first_fail);
		return OUT_FAIL;
	}

	if (opt.cut_after >= 0) {
		cut = buf_len(wire) - 3;	/* never the final ".\r\n" */
		if ((unsigned long long)opt.cut_after < cut)
			cut = (size_t)opt.cut_after;
		if (conn_send(c, buf_data(wire), cut) == -1)
			goto conn_err;
		conn_close(c);
		return OUT_CUT;
	}

	/* The whole payload in one write: no per-line syscalls or segments. */
	if (conn_send(c, buf_data(wire), buf_len(wire)) == -1) {
		/* A server that refuses mid-data (size) may have said why
		 * before it closed. */
		if (conn_reply(c, &r) == 0 && r.code != 0) {
			snprintf(detail, dn, "%s", r.line);
			return OUT_FAIL;
		}
		goto conn_err;
	}
	nrep = opt.lmtp && accepted > 0 ? accepted : 1;
	for (i = 0; i < nrep; i++) {
		if (conn_reply(c, &r) == -1)
			goto conn_err;
		if (!is2xx(r.code))
			keep_first(first_fail, sizeof first_fail, r.line);
	}
	if (first_fail[0] != '\0') {
		snprintf(detail, dn, "%s", first_fail);
		return OUT_FAIL;
	}
	snprintf(detail, dn, "%s", r.line);
	return OUT_OK;

conn_err:
	snprintf(detail, dn, "%s", c->err);
	return OUT_FAIL;
}

/* --- sessions ------------------------------------------------------------ */

static void
session_start(struct worker *w)
{
	struct conn *c = &w->c;
	struct reply r;
	char *cmd;
	int rc;

	w->pipelining = 0;
	if (conn_open(c) == -1)
		return;
	if (conn_reply(c, &r) == -1)
		return;
	if (!is2xx(r.code)) {
		conn_fail(c, "%s", r.line);
		return;
	}
	cmd = xasprintf("%s %s\r\n", opt.lmtp ? "LHLO" : "EHLO", opt.helo);
	rc = conn_send(c, cmd, strlen(cmd));
	free(cmd);
	if (rc == -1 || conn_reply(c, &r) == -1)
		return;
	if (!is2xx(r.code) && !opt.lmtp && r.code >= 500) {
		/* An old server: HELO, and no extensions. */
		cmd = xasprintf("HELO %s\r\n", opt.helo);
		rc = conn_send(c, cmd, strlen(cmd));
		free(cmd);
		if (rc == -1 || conn_reply(c, &r) == -1)
			return;
	}
	if (!is2xx(r.code)) {
		conn_fail(c, "%s", r.line);
		return;
	}
	if (opt.pipelining && !r.pipelining && w->id == 0)
		fprintf(stderr, "smtpc: server does not advertise "
		    "PIPELINING, sending in lockstep\n");
	w->pipelining = opt.pipelining && r.pipelining;
}

static void
session_end(struct worker *w)
{
	struct reply r;

	if (!w->c.dead && conn_send(&w->c, "QUIT\r\n", 6) == 0)
		(void)conn_reply(&w->c, &r);
	conn_close(&w->c);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	const struct buf *msg, *wire;
	char tag[64], detail[LINE_MAX_OUT + 64];
	unsigned long seq;
	enum outcome o;

	session_start(w);
	for (seq = 0; seq < opt.count; seq++) {
		snprintf(tag, sizeof tag, "smtpc-%ld-%u-%lu", my_pid, w->id,
		    seq);
		if (w->c.dead) {
			report(OUT_FAIL, tag, w->c.err);
			continue;
		}
		if (file_msg != NULL) {
			msg = file_msg;
			wire = file_wire;
		} else {
			gen_message(w, seq, tag, w->msg);
			make_wire(buf_data(w->msg), buf_len(w->msg), w->wire);
			msg = w->msg;
			wire = w->wire;
		}
		if (opt.save_dir != NULL &&
		    save_message(tag, msg, detail, sizeof detail) == -1) {
			report(OUT_FAIL, tag, detail);
			continue;
		}
		o = transact(w, wire, detail, sizeof detail);
		report(o, tag, detail);
		if (o == OUT_CUT)
			break;
	}
	session_end(w);
	return NULL;
}

/* --- raw mode ------------------------------------------------------------ */

static void
raw_lines(struct buf *in, int flush_all)
{
	const char *p, *nl;
	size_t len, used = 0;

	p = buf_data(in);
	len = buf_len(in);
	while ((nl = memchr(p + used, '\n', len - used)) != NULL) {
		size_t l = (size_t)(nl - (p + used));

		if (l > 0 && p[used + l - 1] == '\r')
			l--;
		fwrite(p + used, 1, l, stdout);
		fputc('\n', stdout);
		used = (size_t)(nl - p) + 1;
	}
	if (flush_all && used < len) {
		fwrite(p + used, 1, len - used, stdout);
		fputc('\n', stdout);
		used = len;
	}
	buf_consume(in, used);
	fflush(stdout);
}

/*
 * Both directions at once: a script may carry more than the socket buffer
 * while the server is talking back, and the replies must be shown as they
 * come (a test may be waiting for one before its script goes on).
 */
static int
raw_main(void)
{
	struct conn *c = xcalloc(1, sizeof *c);
	struct buf *out = buf_new(0), *in = buf_new(0);
	struct pollfd pfd[2];
	char chunk[16384];
	double deadline;
	int stdin_open = 1, timeout_ms, n_pfd, ready;
	ssize_t n;

	if (conn_open(c) == -1) {
		fprintf(stderr, "smtpc: %s\n", c->err);
		free(c);
		buf_free(out);
		buf_free(in);
		return 1;
	}
	(void)fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	deadline = now_mono() + opt.timeout;
	for (;;) {
		timeout_ms = (int)((deadline - now_mono()) * 1000.0);
		if (timeout_ms <= 0)
			break;
		pfd[0].fd = c->fd;
		pfd[0].events = POLLIN | (buf_len(out) > 0 ? POLLOUT : 0);
		pfd[0].revents = 0;
		n_pfd = 1;
		if (stdin_open && buf_len(out) < sizeof chunk * 4) {
			pfd[1].fd = STDIN_FILENO;
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n_pfd = 2;
		}
		ready = poll(pfd, (nfds_t)n_pfd, timeout_ms);
		if (ready == -1 && errno == EINTR)
			continue;
		if (ready == -1) {
			perror("smtpc: poll");
			break;
		}
		if (n_pfd == 2 && pfd[1].revents != 0) {
			n = read(STDIN_FILENO, chunk, sizeof chunk);
			if (n > 0)
				buf_append(out, chunk, (size_t)n);
			else if (n == 0 || (errno != EINTR &&
			    errno != EAGAIN))
				stdin_open = 0;
		}
		if ((pfd[0].revents & POLLOUT) && buf_len(out) > 0) {
			n = send(c->fd, buf_data(out), buf_len(out),
			    MSG_NOSIGNAL);
			if (n > 0)
				buf_consume(out, (size_t)n);
			else if (n == -1 && errno != EINTR &&
			    errno != EAGAIN && errno != EWOULDBLOCK) {
				/* The server is gone; what it said before
				 * going is still to be read. */
				buf_reset(out);
				stdin_open = 0;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(c->fd, chunk, sizeof chunk, 0);
			if (n > 0) {
				buf_append(in, chunk, (size_t)n);
				raw_lines(in, 0);
				deadline = now_mono() + opt.timeout;
			} else if (n == 0)
				break;
			else if (errno != EINTR && errno != EAGAIN &&
			    errno != EWOULDBLOCK)
				break;
		}
	}
	raw_lines(in, 1);
	conn_close(c);
	free(c);
	buf_free(out);
	buf_free(in);
	return 0;
}

/* --- main ---------------------------------------------------------------- */

static void
resolve(void)
{
	struct addrinfo hints;
	int rc;

	if (opt.unix_path != NULL) {
		if (strlen(opt.unix_path) >= sizeof server_sun.sun_path)
			usage_error("--unix: path too long");
		memset(&server_sun, 0, sizeof server_sun);
		server_sun.sun_family = AF_UNIX;
		memcpy(server_sun.sun_path, opt.unix_path,
		    strlen(opt.unix_path));
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(opt.host, opt.port, &hints, &server_ai);
	if (rc != 0) {
		fprintf(stderr, "smtpc: %s port %s: %s\n", opt.host, opt.port,
		    gai_strerror(rc));
		exit(2);
	}
}

static void
build_commands(void)
{
	size_t i;

	cmd_mail = buf_new(0);
	buf_printf(cmd_mail, "MAIL FROM:<%s>\r\n", opt.from);
	cmd_rcpt = xreallocarray(NULL, opt.nto, sizeof *cmd_rcpt);
	cmd_group = buf_new(0);
	buf_append(cmd_group, buf_data(cmd_mail), buf_len(cmd_mail));
	for (i = 0; i < opt.nto; i++) {
		cmd_rcpt[i] = buf_new(0);
		buf_printf(cmd_rcpt[i], "RCPT TO:<%s>\r\n", opt.to[i]);
		buf_append(cmd_group, buf_data(cmd_rcpt[i]),
		    buf_len(cmd_rcpt[i]));
	}
	buf_append_str(cmd_group, "DATA\r\n");
}

static void
parse_args(int argc, char **argv)
{
	enum {
		O_HOST = 256, O_PORT, O_UNIX, O_LMTP, O_HELO, O_FROM, O_TO,
		O_FILE, O_SIZE, O_COUNT, O_PARALLEL, O_PIPELINING, O_SAVE,
		O_CUT, O_RAW, O_QUIET, O_TIMEOUT, O_HELP,
	};
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, O_HOST },
		{ "port", required_argument, NULL, O_PORT },
		{ "unix", required_argument, NULL, O_UNIX },
		{ "lmtp", no_argument, NULL, O_LMTP },
		{ "helo", required_argument, NULL, O_HELO },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "file", required_argument, NULL, O_FILE },
		{ "size", required_argument, NULL, O_SIZE },
		{ "count", required_argument, NULL, O_COUNT },
		{ "parallel", required_argument, NULL, O_PARALLEL },
		{ "pipelining", no_argument, NULL, O_PIPELINING },
		{ "save", required_argument, NULL, O_SAVE },
		{ "cut-after", required_argument, NULL, O_CUT },
		{ "raw", no_argument, NULL, O_RAW },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch, size_set = 0;

	opt.host = "127.0.0.1";
	opt.helo = "localhost";
	opt.size = 2000;
	opt.count = 1;
	opt.parallel = 1;
	opt.cut_after = -1;
	opt.timeout = 10;
	opt.to = xreallocarray(NULL, (size_t)argc, sizeof *opt.to);

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case O_HOST:
			opt.host = optarg;
			break;
		case O_PORT:
			(void)parse_num("--port", optarg, 65535, 0);
			opt.port = optarg;
			break;
		case O_UNIX:
			opt.unix_path = optarg;
			break;
		case O_LMTP:
			opt.lmtp = 1;
			break;
		case O_HELO:
			opt.helo = optarg;
			break;
		case O_FROM:
			opt.from = optarg;
			break;
		case O_TO:
			opt.to[opt.nto++] = optarg;
			break;
		case O_FILE:
			opt.file = optarg;
			break;
		case O_SIZE:
			opt.size = (size_t)parse_num("--size", optarg,
			    (unsigned long long)1 << 30, 1);
			size_set = 1;
			break;
		case O_COUNT:
			opt.count = (unsigned long)parse_num("--count", optarg,
			    100000000, 0);
			break;
		case O_PARALLEL:
			opt.parallel = (unsigned)parse_num("--parallel", optarg,
			    MAX_PARALLEL, 0);
			break;
		case O_PIPELINING:
			opt.pipelining = 1;
			break;
		case O_SAVE:
			opt.save_dir = optarg;
			break;
		case O_CUT:
			opt.cut_after = (long long)parse_num("--cut-after",
			    optarg, LLONG_MAX, 1);
			break;
		case O_RAW:
			opt.raw = 1;
			break;
		case O_QUIET:
			opt.quiet = 1;
			break;
		case O_TIMEOUT:
			errno = 0;
			opt.timeout = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    !(opt.timeout > 0 && opt.timeout <= 86400))
				usage_error("--timeout: bad value: %s", optarg);
			break;
		case O_HELP:
			usage(stdout);
		default:
			usage(stderr);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (opt.port != NULL && opt.unix_path != NULL)
		usage_error("--port and --unix exclude each other");
	if (opt.port == NULL)
		opt.port = opt.lmtp ? "24" : "25";
	if (opt.raw)
		return;
	if (opt.from == NULL)
		usage_error("--from is required");
	if (opt.nto == 0)
		usage_error("at least one --to is required");
	if (opt.file != NULL && size_set)
		usage_error("--file and --size exclude each other");
	if (opt.count == 0 || opt.parallel == 0)
		usage_error("--count and --parallel must be at least 1");
}

int
main(int argc, char **argv)
{
	struct worker *w;
	double t0, secs;
	unsigned i;
	uint64_t seed;
	size_t j;
	int rc;

	parse_args(argc, argv);
	/* Write errors are handled where they happen. */
	signal(SIGPIPE, SIG_IGN);
	my_pid = (long)getpid();
	resolve();
	if (opt.raw) {
		rc = raw_main();
		if (server_ai != NULL)
			freeaddrinfo(server_ai);
		free(opt.to);
		return rc;
	}
	if (opt.save_dir != NULL) {
		struct stat st;

		if (stat(opt.save_dir, &st) == -1 || !S_ISDIR(st.st_mode))
			usage_error("--save: not a directory: %s",
			    opt.save_dir);
	}
	build_commands();
	if (opt.file != NULL)
		load_file(opt.file);

	w = xcalloc(opt.parallel, sizeof *w);
	t0 = now_mono();
	for (i = 0; i < opt.parallel; i++) {
		w[i].id = i;
		w[i].c.fd = -1;
		seed = ((uint64_t)my_pid << 32) ^ (i * 0x9e3779b97f4a7c15ULL) ^
		    (uint64_t)time(NULL);
		w[i].rng = seed != 0 ? seed : 1;
		for (j = 0; j < POOL_SIZE; j++)
			w[i].pool[j] = b64chars[rng_next(&w[i].rng) % 64];
		w[i].msg = buf_new(0);
		w[i].wire = buf_new(0);
		rc = pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
		if (rc != 0) {
			fprintf(stderr, "smtpc: pthread_create: %s\n",
			    strerror(rc));
			exit(1);
		}
	}
	for (i = 0; i < opt.parallel; i++)
		pthread_join(w[i].thread, NULL);
	secs = now_mono() - t0;

	fprintf(stderr, "sent=%lu ok=%lu fail=%lu seconds=%.3f "
	    "rate=%.1f msg/s\n", n_ok + n_fail + n_cut, n_ok, n_fail, secs,
	    secs > 0 ? (double)n_ok / secs : 0.0);

	for (i = 0; i < opt.parallel; i++) {
		buf_free(w[i].msg);
		buf_free(w[i].wire);
	}
	free(w);
	for (j = 0; j < opt.nto; j++)
		buf_free(cmd_rcpt[j]);
	free(cmd_rcpt);
	buf_free(cmd_mail);
	buf_free(cmd_group);
	buf_free(file_msg);
	buf_free(file_wire);
	if (server_ai != NULL)
		freeaddrinfo(server_ai);
	free(opt.to);
	return n_fail > 0 ? 1 : 0;
}
