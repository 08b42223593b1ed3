/*
 * bench/sink: a quick-ACK SMTP sink for the benchmarks.
 *
 *	sink --port-file F --dir D
 *
 * Listens on 127.0.0.1 (an ephemeral port, written to F atomically),
 * answers every command at once (PIPELINING), takes any number of
 * connections in one poll loop, and for each message it accepts appends
 * a line "SIZE SECONDS" to D/received: its size and when it was taken
 * (wall clock, microseconds); the bench counts the lines.  The
 * message itself is read and dropped: the benchmark measures the
 * sender.  The Python sink of the tests costs about a millisecond of
 * its own per message, the same order as the hub's work per copy, and
 * a file per message made this sink pay for the filesystem's inode
 * allocation too.  SIGTERM exits 0.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAXCONN	256
#define LINEMAX	8192

struct conn {
	int	 fd;
	int	 in_data;
	size_t	 size;		/* of the message being read */
	size_t	 len;
	char	 line[LINEMAX];
	char	 out[4096];
	size_t	 olen;
};

static volatile sig_atomic_t stop;
static const char *dir;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
reply(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	if (c->olen + n <= sizeof c->out) {
		memcpy(c->out + c->olen, s, n);
		c->olen += n;
	}
}

static void
flush(struct conn *c)
{
	size_t off = 0;
	ssize_t w;

	while (off < c->olen) {
		w = write(c->fd, c->out + off, c->olen - off);
		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	c->olen = 0;
}

static void
store(size_t size)
{
	char path[4096], line[64];
	struct timespec ts;
	int fd, n;

	/* opened each time: the bench empties the directory between runs */
	snprintf(path, sizeof path, "%s/received", dir);
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof line, "%zu %lld.%06ld\n", size,
	    (long long)ts.tv_sec, ts.tv_nsec / 1000);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644)) != -1) {
		if (write(fd, line, (size_t)n) != n)
			fprintf(stderr, "sink: %s: short write\n", path);
		close(fd);
	}
}

/* One complete line (CRLF or LF stripped); 0 to close. */
static int
line(struct conn *c, char *l)
{
	if (c->in_data) {
		if (strcmp(l, ".") == 0) {
			c->in_data = 0;
			store(c->size);
			reply(c, "250 2.0.0 ok\r\n");
		} else
			c->size += strlen(l) + 2;
		return 1;
	}
	if (strncasecmp(l, "EHLO", 4) == 0)
		reply(c, "250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
		    "250 SIZE 104857600\r\n");
	else if (strncasecmp(l, "HELO", 4) == 0)
		reply(c, "250 sink.test\r\n");
	else if (strncasecmp(l, "DATA", 4) == 0) {
		c->in_data = 1;
		reply(c, "354 go on\r\n");
	} else if (strncasecmp(l, "QUIT", 4) == 0) {
		reply(c, "221 2.0.0 bye\r\n");
		return 0;
	} else
		reply(c, "250 2.0.0 ok\r\n");
	return 1;
}

/* Reads what is there; 0 when the connection is done. */
static int
input(struct conn *c)
{
	char buf[65536];
	ssize_t n;
	size_t i;

	if ((n = read(c->fd, buf, sizeof buf)) <= 0)
		return n == -1 && errno == EINTR;
	for (i = 0; i < (size_t)n; i++) {
		if (buf[i] != '\n') {
			if (c->len < LINEMAX - 1)
				c->line[c->len++] = buf[i];
			continue;
		}
		if (c->len > 0 && c->line[c->len - 1] == '\r')
			c->len--;
		c->line[c->len] = '\0';
		c->len = 0;
		if (!line(c, c->line)) {
			flush(c);
			return 0;
		}
	}
	flush(c);
	return 1;
}

int
main(int argc, char **argv)
{
	static struct conn conns[MAXCONN];
	struct pollfd pfd[MAXCONN + 1];
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	const char *port_file = NULL;
	char tmp[4096], num[32];
	int ls, i, n, one = 1;
	FILE *f;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
	}
	if (port_file == NULL || dir == NULL) {
		fprintf(stderr, "usage: sink --port-file F --dir D\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(ls, 128) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &slen) == -1)
		return 1;
	snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
	snprintf(num, sizeof num, "%u\n", ntohs(sin.sin_port));
	if ((f = fopen(tmp, "w")) == NULL || fputs(num, f) == EOF ||
	    fclose(f) == EOF || rename(tmp, port_file) == -1)
		return 1;
	for (i = 0; i < MAXCONN; i++)
		conns[i].fd = -1;
	while (!stop) {
		pfd[0].fd = ls;
		pfd[0].events = POLLIN;
		for (i = 0; i < MAXCONN; i++) {
			pfd[i + 1].fd = conns[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if ((n = poll(pfd, MAXCONN + 1, 1000)) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			int fd = accept(ls, NULL, NULL);

			for (i = 0; fd != -1 && i < MAXCONN; i++)
				if (conns[i].fd == -1) {
					memset(&conns[i], 0, sizeof conns[i]);
					conns[i].fd = fd;
					reply(&conns[i], "220 sink.test ESMTP\r\n");
					flush(&conns[i]);
					break;
				}
			if (fd != -1 && i == MAXCONN)
				close(fd);
		}
		for (i = 0; i < MAXCONN; i++)
			if (conns[i].fd != -1 && pfd[i + 1].revents != 0 &&
			    !input(&conns[i])) {
				close(conns[i].fd);
				conns[i].fd = -1;
			}
	}
	return 0;
}
