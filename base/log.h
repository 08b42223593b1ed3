/*
 * log: one-line "role[pid]: event key=value ..." logging to stderr or syslog.
 *
 * Every process of hubd (and the tools) calls log_init() once with its role
 * name; children call log_set_role() after fork.  Lines never carry message
 * bodies or subjects (a TLP:RED subject is content): log ids, addresses,
 * sizes and status strings only.
 *
 * fatal*() is for the environment (config, permissions, broken IPC): the
 * process cannot go on and exits 1.  panic() is for our own bugs (a broken
 * invariant): it aborts.  A bad message is never either: it is a status.
 */
#ifndef HUB_BASE_LOG_H
#define HUB_BASE_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_dest {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
};

void log_init(const char *role, enum log_dest dest, int verbose);
void log_set_role(const char *role);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warn() appends ": strerror(errno)"; warnx() does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy s into dst (size n) so it is safe as one key=value token: no
 * spaces, quotes, control or non-ASCII bytes (replaced by '?'), cut at n-1.
 * Addresses and HELO names come from the network; logging them raw would
 * let a client forge log lines.  Returns dst.
 */
char *log_safe(char *dst, size_t n, const char *s);

#endif
