/*
 * relay_nodelay: TCP_NODELAY on libesmtp's sockets.
 *
 * libesmtp writes each command through its own buffer with write(2) and
 * never sets TCP_NODELAY.  With PIPELINING, a batch ends in a small write
 * (".\r\n", then the next MAIL FROM) that Nagle holds back until the
 * previous segment is acknowledged, and a loopback or LAN smarthost delays
 * that ACK by up to 40 ms: every message costs a delayed-ACK round.
 * libesmtp has no hook to reach its socket, so hubd interposes connect(2)
 * and sets the option on every TCP stream socket it connects.  Only the
 * relay connects out (the smtp role accepts; the store and gpg use unix
 * sockets), so nothing else is affected, and TCP_NODELAY never changes
 * what is sent, only when.
 *
 * The same hook bounds the connect itself: libesmtp connects a blocking
 * socket and has no connect timeout, so a smarthost whose SYNs vanish
 * would hold a session for the kernel's whole SYN retry schedule (about
 * two minutes on Linux).  Once the relay has set a limit
 * (relay_connect_timeout_set, relay.h), a blocking TCP connect runs
 * non-blocking under poll(2) for at most that long and fails with
 * ETIMEDOUT, the socket back in blocking mode either way.
 *
 * This must be an object of the hubd program (Makefile.am): a symbol in
 * the executable precedes libc's in the lookup order, an archive member
 * nobody references would not be linked at all.  Under ASan the next
 * definition after ours is ASan's interceptor, which calls libc's: both
 * stay in the chain.
 */
#include "config.h"

#include "hub/relay.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

int connect(int fd, const struct sockaddr *sa, socklen_t len);

/* Milliseconds, 0 = no limit of ours; one value for the process. */
static unsigned connect_ms;

void
relay_connect_timeout_set(unsigned ms)
{
	__atomic_store_n(&connect_ms, ms, __ATOMIC_RELEASE);
}

static connect_fn
real_connect(void)
{
	static connect_fn fn;
	connect_fn f;

	/* Threads may race here; they all store the same pointer. */
	if ((f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE)) == NULL) {
		f = (connect_fn)dlsym(RTLD_NEXT, "connect");
		__atomic_store_n(&fn, f, __ATOMIC_RELEASE);
	}
	return f;
}

static bool
is_tcp(int fd, const struct sockaddr *sa)
{
	int type;
	socklen_t tlen = sizeof type;

	if (sa == NULL ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
	    type == SOCK_STREAM;
}

static void
set_nodelay(int fd)
{
	int one = 1;

	/* Best effort: without it mail still flows, only slower. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A blocking connect bounded to ms; errno as connect(2) sets it. */
static int
connect_bounded(connect_fn fn, int fd, const struct sockaddr *sa,
    socklen_t len, int flags, unsigned ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	long long deadline = now_ms() + ms, left;
	socklen_t elen = sizeof(int);
	int rc, n, err = 0;

	if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return fn(fd, sa, len);
	rc = fn(fd, sa, len);
	if (rc == -1 && errno == EINPROGRESS) {
		do {
			left = deadline - now_ms();
			n = poll(&pfd, 1, left > 0 ? (int)left : 0);
		} while (n == -1 && errno == EINTR);
		if (n == 0)
			err = ETIMEDOUT;
		else if (n == -1)
			err = errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) ==
		    -1)
			err = errno;
		rc = err != 0 ? -1 : 0;
	} else if (rc == -1)
		err = errno;
	(void)fcntl(fd, F_SETFL, flags);
	errno = err;
	return rc;
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	connect_fn fn = real_connect();
	unsigned ms = __atomic_load_n(&connect_ms, __ATOMIC_ACQUIRE);
	int rc, saved, flags;
	bool tcp;

	if (fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	tcp = is_tcp(fd, sa);
	/* Only a blocking socket would wait: a non-blocking one's owner
	 * polls with its own limit. */
	if (tcp && ms > 0 && (flags = fcntl(fd, F_GETFL)) != -1 &&
	    (flags & O_NONBLOCK) == 0)
		rc = connect_bounded(fn, fd, sa, len, flags, ms);
	else
		rc = fn(fd, sa, len);
	saved = errno;
	if (tcp && (rc == 0 || saved == EINPROGRESS))
		set_nodelay(fd);
	errno = saved;
	return rc;
}
