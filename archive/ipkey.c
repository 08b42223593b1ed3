/*
 * ipkey: search keys of indicator values (ipkey.h).
 */
#include "config.h"

#include "archive/ipkey.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void
ipkey_mask(unsigned char ip[16], int plen)
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			continue;
		ip[i] &= bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
	}
}

void
ipkey_last(const unsigned char ip[16], int plen, unsigned char out[16])
{
	int i;

	for (i = 0; i < 16; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			out[i] = ip[i];
		else if (bits <= 0)
			out[i] = 0xff;
		else
			out[i] = ip[i] | (unsigned char)(0xff >> bits);
	}
}

/* An address (no prefix) of either family into 16 octets and its
 * family's full length (32 or 128). */
static int
parse_addr(const char *s, size_t len, unsigned char ip[16], int *bits)
{
	char tmp[64];
	unsigned char v4[4];

	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		memset(ip, 0, 10);
		ip[10] = ip[11] = 0xff;
		memcpy(ip + 12, v4, 4);
		*bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, ip) == 1) {
		*bits = 128;
		return 0;
	}
	return -1;
}

/* A URL's host: after "scheme://", before the path, without userinfo or
 * port; IPv6 literals without their brackets. */
static int
url_host(const char *url, const char **h, size_t *hlen)
{
	const char *p = strstr(url, "://"), *end, *at;

	if (p == NULL)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	for (at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return -1;
		*h = p + 1;
		*hlen = (size_t)(rb - p - 1);
		return 0;
	}
	*h = p;
	*hlen = strcspn(p, ":/?#");
	if (*hlen > (size_t)(end - p))
		*hlen = (size_t)(end - p);
	return *hlen > 0 ? 0 : -1;
}

int
ipkey_of(enum ind_type t, const char *value, unsigned char ip[16], int *plen)
{
	const char *slash, *h;
	size_t hlen;
	int bits;

	switch (t) {
	case IND_IPV4:
	case IND_IPV6:
		if (parse_addr(value, strlen(value), ip, &bits) == -1)
			return -1;
		*plen = 128;
		return 0;
	case IND_CIDR:
		if ((slash = strchr(value, '/')) == NULL ||
		    parse_addr(value, (size_t)(slash - value), ip, &bits) == -1)
			return -1;
		{
			char *endp;
			long p;

			/* "/", "/+24", "/ 24", "/0024" are no prefixes */
			if (!isdigit((unsigned char)slash[1]) ||
			    strlen(slash + 1) > 3)
				return -1;
			p = strtol(slash + 1, &endp, 10);
			if (*endp != '\0' || p < 0 || p > bits)
				return -1;
			*plen = (int)p + (128 - bits);
		}
		ipkey_mask(ip, *plen);
		return 0;
	case IND_URL:
		if (url_host(value, &h, &hlen) == -1 ||
		    parse_addr(h, hlen, ip, &bits) == -1)
			return -1;
		*plen = 128;
		return 0;
	default:
		return -1;
	}
}

char *
ipkey_rdomain(const char *d, size_t len)
{
	char *out, *o;
	size_t end = len, start;

	while (end > 0 && d[end - 1] == '.')
		end--;
	if (end == 0)
		return NULL;
	out = o = xmalloc(end + 2);
	/* labels from the last to the first, each followed by a dot */
	while (end > 0) {
		start = end;
		while (start > 0 && d[start - 1] != '.')
			start--;
		for (size_t i = start; i < end; i++)
			*o++ = (char)tolower((unsigned char)d[i]);
		*o++ = '.';
		end = start > 0 ? start - 1 : 0;
	}
	*o = '\0';
	return out;
}

char *
ipkey_rdomain_of(enum ind_type t, const char *value)
{
	unsigned char ip[16];
	const char *h;
	size_t hlen;
	int bits;

	switch (t) {
	case IND_DOMAIN:
		return ipkey_rdomain(value, strlen(value));
	case IND_URL:
		if (url_host(value, &h, &hlen) == -1 ||
		    parse_addr(h, hlen, ip, &bits) == 0)
			return NULL;
		return ipkey_rdomain(h, hlen);
	case IND_EMAIL:
		if ((h = strrchr(value, '@')) == NULL)
			return NULL;
		return ipkey_rdomain(h + 1, strlen(h + 1));
	default:
		return NULL;
	}
}
