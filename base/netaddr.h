/*
 * netaddr: a socket address as one log- and envelope-friendly word:
 * "192.0.2.1:25", "[2001:db8::1]:25", "unix".  Pure; any process.
 */
#ifndef HUB_BASE_NETADDR_H
#define HUB_BASE_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Enough for "[" INET6_ADDRSTRLEN "]:65535". */
#define NETADDR_MAX	64

/* Writes into dst (size n, at least NETADDR_MAX); returns dst. */
char *netaddr_format(const struct sockaddr *sa, char *dst, size_t n);

#endif
