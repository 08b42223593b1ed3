#include "config.h"

#include "base/id.h"
#include "base/log.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>

static time_t fake_now;

void
hub_random(void *p, size_t n)
{
	unsigned char *c = p;

	while (n > 0) {
		ssize_t r = getrandom(c, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		c += r;
		n -= (size_t)r;
	}
}

void
hub_id_new(char id[HUB_ID_SIZE])
{
	struct timeval tv;
	unsigned char rnd[6];
	uint64_t usec;

	gettimeofday(&tv, NULL);
	usec = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	hub_random(rnd, sizeof rnd);
	snprintf(id, HUB_ID_SIZE, "%016llx-%02x%02x%02x%02x%02x%02x",
	    (unsigned long long)usec, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
	    rnd[5]);
}

bool
hub_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != HUB_ID_LEN)
		return false;
	for (i = 0; i < HUB_ID_LEN; i++) {
		char c = id[i];

		if (i == 16) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

time_t
hub_now(void)
{
	static int env_read;

	if (!env_read) {
		const char *e = getenv("HUB_FAKE_NOW");

		env_read = 1;
		if (e != NULL && fake_now == 0)
			fake_now = (time_t)strtoll(e, NULL, 10);
	}
	return fake_now ? fake_now : time(NULL);
}

time_t
hub_mono(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;	/* cannot happen for CLOCK_MONOTONIC */
	return ts.tv_sec;
}

void
hub_set_now(time_t t)
{
	fake_now = t;
}

void
hub_utc(long long t, const char *fmt, char *dst, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (n == 0)
		return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* fmt is one of the HUB_UTC_* literals (id.h) */
	if (gmtime_r(&tt, &tm) == NULL || strftime(dst, n, fmt, &tm) == 0)
		dst[0] = '\0';
#pragma GCC diagnostic pop
}

void
hub_date_mail(long long t, char *dst, size_t n)
{
	static const char *const wday[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const month[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	time_t tt = (time_t)t;
	struct tm tm;

	if (n == 0)
		return;
	if (gmtime_r(&tt, &tm) == NULL) {
		tt = 0;
		(void)gmtime_r(&tt, &tm);
	}
	(void)snprintf(dst, n, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    wday[tm.tm_wday], tm.tm_mday, month[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}
