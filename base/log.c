#include "config.h"

#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static char log_role_name[32] = "hub";
static enum log_dest log_dest = LOG_TO_STDERR;
static int log_verbosity;

void
log_init(const char *role, enum log_dest dest, int verbose)
{
	log_set_role(role);
	log_dest = dest;
	log_verbosity = verbose;
	if (dest == LOG_TO_SYSLOG)
		openlog("hubd", LOG_NDELAY, LOG_MAIL);
}

void
log_set_role(const char *role)
{
	snprintf(log_role_name, sizeof log_role_name, "%s", role);
}

static void __attribute__((format(printf, 2, 0)))
log_vemit(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		return;
	if (log_dest == LOG_TO_SYSLOG) {
		syslog(pri, "%s[%ld]: %s%s%s", log_role_name, (long)getpid(),
		    line, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	/* One fprintf per line so concurrent processes do not interleave. */
	fprintf(stderr, "%s[%ld]: %s%s%s\n", log_role_name, (long)getpid(),
	    line, suffix ? ": " : "", suffix ? suffix : "");
	fflush(stderr);
}

#define LOG_BODY(pri, suffix) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vemit(pri, fmt, ap, suffix);	\
	va_end(ap);				\
} while (0)

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	if (log_verbosity > 0)
		LOG_BODY(LOG_DEBUG, NULL);
}

void
log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_WARNING, e);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, NULL);
}

void
fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_CRIT, e);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, NULL);
	exit(1);
}

void
panic(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, "panic");
	abort();
}

char *
log_safe(char *dst, size_t n, const char *s)
{
	size_t i;

	if (n == 0)
		return dst;
	if (s == NULL)
		s = "";
	for (i = 0; s[i] != '\0' && i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c > 0x20 && c < 0x7f && c != '"' && c != '\\') ?
		    (char)c : '?';
	}
	dst[i] = '\0';
	return dst;
}
