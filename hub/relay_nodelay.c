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
 * This must be an object of the hubd program (Makefile.am): a symbol in
 * the executable precedes libc's in the lookup order, an archive member
 * nobody references would not be linked at all.  Under ASan the next
 * definition after ours is ASan's interceptor, which calls libc's: both
 * stay in the chain.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

int connect(int fd, const struct sockaddr *sa, socklen_t len);

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

static void
set_nodelay(int fd, const struct sockaddr *sa)
{
	int type, one = 1;
	socklen_t tlen = sizeof type;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != SOCK_STREAM)
		return;
	/* Best effort: without it mail still flows, only slower. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	connect_fn fn = real_connect();
	int rc, saved;

	if (fn == NULL) {
		errno = ENOSYS;
		return -1;
	}
	rc = fn(fd, sa, len);
	saved = errno;
	if (sa != NULL && (rc == 0 || saved == EINPROGRESS))
		set_nodelay(fd, sa);
	errno = saved;
	return rc;
}
