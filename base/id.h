/*
 * id: identifiers for spool entries and posts, and the process clock.
 *
 * An id is 16 hex digits of microseconds since the epoch, '-', and 12 hex
 * digits of getrandom() output: sortable by arrival, unique across
 * processes without coordination, safe as a file name.
 *
 * Two clocks, and nothing else reads the time:
 *  - hub_now(), the calendar: dates in mail, received times, key and
 *    signature expiry, the stores' timestamps and day counters.  Tests
 *    move it with hub_set_now() or HUB_FAKE_NOW=<unix seconds> in the
 *    environment (read once per process), so a test of "a key that
 *    expired" or "a signature a week old" need not wait.
 *  - hub_mono(), seconds that only go forward: intervals and time-outs
 *    (a child's uptime, a claim's age, a cache's freshness, a deferral).
 *    A clock step or a fake calendar must not make them fire or stall.
 */
#ifndef HUB_BASE_ID_H
#define HUB_BASE_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HUB_ID_LEN	29	/* 16 + 1 + 12 */
#define HUB_ID_SIZE	(HUB_ID_LEN + 1)

void hub_id_new(char id[HUB_ID_SIZE]);
bool hub_id_valid(const char *id);

/* Fill p with n random bytes from the kernel; fatal if it cannot. */
void hub_random(void *p, size_t n);

time_t hub_now(void);
void hub_set_now(time_t t);	/* 0 = back to the real clock */
time_t hub_mono(void);		/* CLOCK_MONOTONIC, whole seconds */

/* t (seconds since the epoch) as UTC through strftime(fmt); "" if it
 * cannot be represented. */
void hub_utc(long long t, const char *fmt, char *dst, size_t n);
#define HUB_UTC_DAY	"%Y-%m-%d"
#define HUB_UTC_ISO	"%Y-%m-%dT%H:%M:%SZ"
#define HUB_UTC_MINUTE	"%Y-%m-%d %H:%M UTC"
/* t as an RFC 5322 date-time in UTC ("Fri, 04 Dec 2026 19:13:48 +0000"),
 * written by hand: strftime's %a and %b follow the locale, and the hub
 * will run under Japanese ones (gettext).  At least 32 octets in dst. */
void hub_date_mail(long long t, char *dst, size_t n);

#endif
