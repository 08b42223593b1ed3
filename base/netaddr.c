#include "config.h"

#include "base/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

char *
netaddr_format(const struct sockaddr *sa, char *dst, size_t n)
{
	char host[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(dst, n, "%s:%u", host, ntohs(in->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(dst, n, "[%s]:%u", host, ntohs(in6->sin6_port));
		break;
	}
	default:
		snprintf(dst, n, "unix");
		break;
	}
	return dst;
}
