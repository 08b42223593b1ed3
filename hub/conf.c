/* Angle brackets: from hub/, "config.h" would find this module's header. */
#include "config.h"

#include "hub/conf.h"
#include "base/xalloc.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Paths are copied into PATH_MAX buffers with subdirectories and spool ids
 * appended (hubd, spool); a short cap keeps every such join in bounds.
 */
#define CONFIG_PATH_MAX		1023
/* Keep shutdown_timeout + slack and timeval arithmetic far from overflow. */
#define CONFIG_DURATION_MAX	(7U * 86400U)
#define CONFIG_COUNT_MAX	65535U
#define CONFIG_USER_MAX		32
/* Queue lifetimes are days; a month is past any smarthost outage. */
#define CONFIG_LIFETIME_MAX	(30U * 86400U)
/* SMTP timeouts with the smarthost: an hour without a reply is a dead
 * smarthost; 1 s is for tests (libesmtp's own floor). */
#define CONFIG_RELAY_TIMEOUT_MAX	3600U
/* RFC 4616 allows 255 octets for the authentication identity. */
#define CONFIG_AUTH_USER_MAX	255
/* Values quoted in error messages are cut here: err is a short buffer. */
#define QUOTE_MAX		64

#define STR(x)			#x
#define XSTR(x)			STR(x)

#define DEFAULT_LISTEN		"smtp:127.0.0.1:2525"
#define DEFAULT_SMARTHOST	"127.0.0.1"
#define DEFAULT_SMARTHOST_PORT	"25"

struct parse;
struct key;

typedef int (*key_fn)(struct parse *, const struct key *, const char *);

/*
 * One row per key: adding a key is one line here, one parser if none of the
 * generic ones fits, and an ".It Cm KEY" in man/hub.conf.5, which
 * tests/check-man.sh enforces by reading the rows of this table.  off is the
 * field the generic parsers store into; min and max bound numeric values.
 */
struct key {
	const char		*name;
	bool			 repeat;
	key_fn			 parse;
	size_t			 off;
	unsigned long long	 min;
	unsigned long long	 max;
};

struct parse {
	struct hub_config	*cfg;
	const char		*file;		/* for messages */
	unsigned		 line;		/* 0: not about one line */
	char			*err;
	size_t			 errlen;
	unsigned		*seen;		/* per key: first line or 0 */
	unsigned		*listen_line;	/* per cfg->listen entry */
	size_t			 alisten;
	char			**lists;	/* unsorted, may repeat */
	size_t			 nlists;
	size_t			 alists;
	char			 quote[QUOTE_MAX + 8];
};

static int key_dir(struct parse *, const struct key *, const char *);
static int key_file(struct parse *, const struct key *, const char *);
static int key_domain(struct parse *, const struct key *, const char *);
static int key_user(struct parse *, const struct key *, const char *);
static int key_listen(struct parse *, const struct key *, const char *);
static int key_smarthost(struct parse *, const struct key *, const char *);
static int key_list(struct parse *, const struct key *, const char *);
static int key_count(struct parse *, const struct key *, const char *);
static int key_size(struct parse *, const struct key *, const char *);
static int key_duration(struct parse *, const struct key *, const char *);
static int key_minfree(struct parse *, const struct key *, const char *);
static int key_tls(struct parse *, const struct key *, const char *);
static int key_encryption(struct parse *, const struct key *, const char *);
static int key_auth_user(struct parse *, const struct key *, const char *);

#define F(field)	offsetof(struct hub_config, field)

/* tests/check-man.sh extracts the keys: keep one '{ "key",' per line. */
static const struct key keys[] = {
	{ "data_dir",		false,	key_dir,	F(data_dir),	0, 0 },
	{ "domain",		false,	key_domain,	F(domain),	0, 0 },
	{ "hostname",		false,	key_domain,	F(hostname),	0, 0 },
	{ "pidfile",		false,	key_file,	F(pidfile),	0, 0 },
	{ "user",		false,	key_user,	F(user),	0, 0 },
	{ "network_user",	false,	key_user,	F(network_user), 0, 0 },
	{ "listen",		true,	key_listen,	0,		0, 0 },
	{ "list",		true,	key_list,	0,		0, 0 },
	{ "smarthost",		false,	key_smarthost,	0,		0, 0 },
	{ "workers",		false,	key_count,	F(workers),	1, 64 },
	/* 1G: far above any advisory, and the bound spool.c relies on. */
	{ "max_message_size",	false,	key_size,	F(max_message_size),
	    1, 1024 * 1024 * 1024 },
	/* Bounded so every envelope fits a spool header (spool.h). */
	{ "max_recipients",	false,	key_count,	F(max_recipients),
	    1, 1000 },
	{ "max_connections",	false,	key_count,	F(max_connections),
	    1, CONFIG_COUNT_MAX },
	/* RFC 5321 4.5.3.1.6: lines of 1000 octets must be accepted. */
	{ "max_line_length",	false,	key_size,	F(max_line_length),
	    1000, 1024 * 1024 },
	{ "max_errors",		false,	key_count,	F(max_errors),
	    1, CONFIG_COUNT_MAX },
	{ "timeout_command",	false,	key_duration,	F(timeout_command),
	    1, CONFIG_DURATION_MAX },
	{ "timeout_session",	false,	key_duration,	F(timeout_session),
	    1, CONFIG_DURATION_MAX },
	/* 0 is meaningful here: close sessions at once. */
	{ "shutdown_timeout",	false,	key_duration,	F(shutdown_timeout),
	    0, CONFIG_DURATION_MAX },
	/* Each session is a thread and a smarthost connection. */
	{ "relay_connections",	false,	key_count,	F(relay_connections),
	    1, 32 },
	{ "relay_lifetime",	false,	key_duration,	F(relay_lifetime),
	    1, CONFIG_LIFETIME_MAX },
	/* The backoff doubles up to 1h: a longer first step means nothing. */
	{ "relay_retry",	false,	key_duration,	F(relay_retry),
	    1, 3600 },
	/* Below the RFC 5321 minimums only for tests and LAN smarthosts. */
	{ "relay_connect_timeout", false, key_duration,
	    F(relay_connect_timeout), 1, CONFIG_RELAY_TIMEOUT_MAX },
	{ "relay_helo_timeout",	false,	key_duration,	F(relay_helo_timeout),
	    1, CONFIG_RELAY_TIMEOUT_MAX },
	{ "relay_envelope_timeout", false, key_duration,
	    F(relay_envelope_timeout), 1, CONFIG_RELAY_TIMEOUT_MAX },
	{ "relay_data_init_timeout", false, key_duration,
	    F(relay_data_init_timeout), 1, CONFIG_RELAY_TIMEOUT_MAX },
	{ "relay_data_xfer_timeout", false, key_duration,
	    F(relay_data_xfer_timeout), 1, CONFIG_RELAY_TIMEOUT_MAX },
	{ "relay_data_done_timeout", false, key_duration,
	    F(relay_data_done_timeout), 1, CONFIG_RELAY_TIMEOUT_MAX },
	{ "smarthost_tls",	false,	key_tls,	0,		0, 0 },
	{ "encryption",		false,	key_encryption,	0,		0, 0 },
	{ "smarthost_user",	false,	key_auth_user,	F(smarthost_user),
	    0, 0 },
	{ "smarthost_password_file", false, key_file,
	    F(smarthost_password_file), 0, 0 },
	/* Below 10 s a big post's encryption to many keys looks like a hang. */
	{ "worker_timeout",	false,	key_duration,	F(worker_timeout),
	    10, 86400 },
	{ "worker_attempts",	false,	key_count,	F(worker_attempts),
	    1, 10 },
	/* Temporary failures (gpg, the store, the disk): the first retry
	 * waits worker_retry, doubling up to worker_retry_max; the
	 * worker_retry_attempts-th failure quarantines the entry. */
	{ "worker_retry",	false,	key_duration,	F(worker_retry),
	    1, 86400 },
	{ "worker_retry_max",	false,	key_duration,	F(worker_retry_max),
	    1, 7 * 86400 },
	{ "worker_retry_attempts", false, key_count,
	    F(worker_retry_attempts), 1, 1000 },
	/* Free space under which MAIL FROM gets 452 (Postfix queue_minfree);
	 * 0 turns the check off. */
	{ "queue_minfree",	false,	key_minfree,	F(queue_minfree),
	    0, 0 },
};

#define NKEYS	(sizeof keys / sizeof keys[0])

static const char *const reserved_suffixes[] = {
	"-request", "-owner", "-sendkey", "-bounces",
};

static int perr(struct parse *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Every error is "FILE:LINE: message", line 0 when no line is to blame
 * (open failure, missing required key).  Returns -1 for "return perr()".
 */
static int
perr(struct parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (p->err != NULL && p->errlen > 0)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->file, p->line, msg);
	return -1;
}

/* A value for an error message: printable, bounded, in quotes. */
static const char *
quote(struct parse *p, const char *s)
{
	size_t i, n = 0;

	p->quote[n++] = '"';
	for (i = 0; i < QUOTE_MAX && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		p->quote[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	p->quote[n++] = '"';
	if (s[i] != '\0') {
		memcpy(p->quote + n, "...", 3);
		n += 3;
	}
	p->quote[n] = '\0';
	return p->quote;
}

/* ASCII only: the locale must not change what a config file means. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
lowercase(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static char *
skip_space(char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

static void
rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
}

/*
 * '#' starts a comment only at the start of a line or after whitespace, so
 * a value such as a path may contain '#'.
 */
static void
strip_comment(char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '#' && (i == 0 || is_space(s[i - 1]))) {
			s[i] = '\0';
			return;
		}
}

/* Digits only: strtoul() would take signs, spaces and hex. */
static int
parse_ull(const char **sp, unsigned long long max, unsigned long long *out)
{
	const char *s = *sp;
	unsigned long long v = 0;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int
config_parse_size(const char *s, size_t *out)
{
	unsigned long long v, mult = 1;

	if (parse_ull(&s, SIZE_MAX, &v) == -1)
		return -1;
	switch (*s) {
	case '\0':
		break;
	case 'K':
	case 'k':
		mult = 1024;
		s++;
		break;
	case 'M':
	case 'm':
		mult = 1024 * 1024;
		s++;
		break;
	case 'G':
	case 'g':
		mult = 1024 * 1024 * 1024;
		s++;
		break;
	default:
		return -1;
	}
	/* A size of 0 is never a limit anyone means. */
	if (*s != '\0' || v == 0 || v > SIZE_MAX / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

int
config_parse_duration(const char *s, unsigned *out)
{
	unsigned long long v, mult = 1;

	if (parse_ull(&s, UINT_MAX, &v) == -1)
		return -1;
	/* Lowercase only: "M" reads as minutes to some, months to others. */
	switch (*s) {
	case '\0':
		break;
	case 's':
		s++;
		break;
	case 'm':
		mult = 60;
		s++;
		break;
	case 'h':
		mult = 3600;
		s++;
		break;
	case 'd':
		mult = 86400;
		s++;
		break;
	default:
		return -1;
	}
	if (*s != '\0' || v > UINT_MAX / mult)
		return -1;
	*out = (unsigned)(v * mult);
	return 0;
}

/* Why name is not a valid list name, or NULL if it is. */
static const char *
list_name_error(const char *name)
{
	size_t i, n = strlen(name), sl;

	if (n == 0)
		return "empty list name";
	if (n > CONFIG_LIST_NAME_MAX)
		return "list name longer than "
		    XSTR(CONFIG_LIST_NAME_MAX) " characters";
	if (!is_digit(name[0]) && !is_lower(name[0]))
		return "list name must start with a-z or 0-9";
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!is_digit(c) && !is_lower(c) && c != '.' && c != '_' &&
		    c != '-')
			return "list name may hold only a-z 0-9 . _ -";
	}
	/* NAME@domain must be a dot-atom (RFC 5322 3.2.3). */
	if (name[n - 1] == '.' || strstr(name, "..") != NULL)
		return "list name may not end in '.' or hold \"..\"";
	for (i = 0; i < sizeof reserved_suffixes / sizeof reserved_suffixes[0];
	    i++) {
		sl = strlen(reserved_suffixes[i]);
		if (n >= sl && strcmp(name + n - sl, reserved_suffixes[i]) == 0)
			return "list name ends in a reserved suffix "
			    "(-request, -owner, -sendkey, -bounces)";
	}
	/* RFC 5321 4.5.1: postmaster is always the server's own mailbox. */
	if (strcmp(name, "postmaster") == 0)
		return "list name \"postmaster\" is reserved";
	return NULL;
}

bool
config_valid_list_name(const char *name)
{
	return name != NULL && list_name_error(name) == NULL;
}

/* Why s is not a host name (RFC 1123 syntax), or NULL if it is. */
static const char *
hostname_error(const char *s)
{
	const char *label = s, *cp;
	bool numeric = true;

	if (strlen(s) > 253)
		return "longer than 253 characters";
	for (cp = s;; cp++) {
		if (*cp == '.' || *cp == '\0') {
			size_t n = (size_t)(cp - label);

			if (n == 0)
				return "empty label (leading, trailing or "
				    "double dot)";
			if (n > 63)
				return "label longer than 63 characters";
			if (label[0] == '-' || cp[-1] == '-')
				return "label starts or ends with '-'";
			if (*cp == '\0')
				break;
			label = cp + 1;
			numeric = true;
		} else if (*cp == '-' || is_alnum(*cp)) {
			if (!is_digit(*cp))
				numeric = false;
		} else
			return "invalid character (letters, digits, '-' and "
			    "'.' only)";
	}
	/* An all-digit top label is an IPv4 address gone wrong. */
	if (numeric)
		return "top-level label is all digits";
	return NULL;
}

/* A host to connect to or bind: IPv4, IPv6 (unbracketed here) or a name. */
static const char *
host_error(const char *s, bool v6)
{
	struct in6_addr a6;
	struct in_addr a4;
	const char *cp;

	if (v6)
		return inet_pton(AF_INET6, s, &a6) == 1 ? NULL :
		    "not an IPv6 address";
	if (*s == '\0')
		return "empty host";
	for (cp = s; *cp != '\0'; cp++)
		if (!is_digit(*cp) && *cp != '.')
			return hostname_error(s);
	return inet_pton(AF_INET, s, &a4) == 1 ? NULL : "not an IPv4 address";
}

/*
 * HOST:PORT or [IPV6]:PORT, port optional when dport is not NULL.  Port 0
 * (ephemeral) only if allow0: tests bind it, nobody can connect to it.
 */
static const char *
hostport_split(const char *s, const char *dport, bool allow0, char **hostp,
    char **portp)
{
	const char *colon, *port, *why;
	unsigned long long v;
	char *host;
	bool v6 = false;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL)
			return "missing ']'";
		host = xstrndup(s + 1, (size_t)(rb - s - 1));
		v6 = true;
		if (rb[1] != '\0' && rb[1] != ':') {
			free(host);
			return "expected ':' after ']'";
		}
		port = rb[1] == ':' ? rb + 2 : NULL;
	} else {
		if ((colon = strchr(s, ':')) != NULL &&
		    strchr(colon + 1, ':') != NULL)
			return "an IPv6 address must be in brackets";
		host = colon != NULL ? xstrndup(s, (size_t)(colon - s)) :
		    xstrdup(s);
		port = colon != NULL ? colon + 1 : NULL;
	}
	if ((why = host_error(host, v6)) != NULL)
		goto fail;
	if (port == NULL) {
		why = "missing port";
		if (dport == NULL)
			goto fail;
		*portp = xstrdup(dport);
	} else {
		why = allow0 ? "port must be a number from 0 to 65535" :
		    "port must be a number from 1 to 65535";
		if (parse_ull(&port, 65535, &v) == -1 || *port != '\0' ||
		    (v == 0 && !allow0))
			goto fail;
		/* Normalised: "02525" and "2525" are one port. */
		*portp = xasprintf("%llu", v);
	}
	*hostp = host;
	return NULL;
fail:
	free(host);
	return why;
}

static char **
field_str(struct parse *p, const struct key *k)
{
	return (char **)(void *)((char *)p->cfg + k->off);
}

static int
check_path(struct parse *p, const struct key *k, const char *v)
{
	if (v[0] != '/')
		return perr(p, "%s: %s is not an absolute path", k->name,
		    quote(p, v));
	if (strlen(v) > CONFIG_PATH_MAX)
		return perr(p, "%s: path longer than %d bytes", k->name,
		    CONFIG_PATH_MAX);
	return 0;
}

/* hubd chdirs to "/", so only an absolute data_dir keeps its meaning. */
static int
key_dir(struct parse *p, const struct key *k, const char *v)
{
	char **dst = field_str(p, k);
	size_t n;

	if (check_path(p, k, v) == -1)
		return -1;
	*dst = xstrdup(v);
	/* "/var/hub/" and "/var/hub" are one directory; keep joins tidy. */
	n = strlen(*dst);
	while (n > 1 && (*dst)[n - 1] == '/')
		(*dst)[--n] = '\0';
	return 0;
}

static int
key_file(struct parse *p, const struct key *k, const char *v)
{
	if (check_path(p, k, v) == -1)
		return -1;
	if (v[strlen(v) - 1] == '/')
		return perr(p, "%s: %s names a directory", k->name,
		    quote(p, v));
	*field_str(p, k) = xstrdup(v);
	return 0;
}

static int
key_domain(struct parse *p, const struct key *k, const char *v)
{
	const char *why;

	if ((why = hostname_error(v)) != NULL)
		return perr(p, "%s: %s is not a domain name: %s", k->name,
		    quote(p, v), why);
	*field_str(p, k) = xstrdup(v);
	lowercase(*field_str(p, k));
	return 0;
}

/*
 * Only the syntax (portable user names); whether the user exists is for
 * hubd to find out when it drops privileges, so that a config can be
 * checked on another host.
 */
static int
key_user(struct parse *p, const struct key *k, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (!is_alnum(v[i]) && v[i] != '_' &&
		    v[i] != '.' && v[i] != '-')
			break;
	if (i < n || n > CONFIG_USER_MAX || v[0] == '-')
		return perr(p, "%s: %s is not a user name (at most %d of "
		    "A-Z a-z 0-9 . _ -, not starting with '-')", k->name,
		    quote(p, v), CONFIG_USER_MAX);
	*field_str(p, k) = xstrdup(v);
	return 0;
}

static bool
listen_same(const struct hub_listen *a, const struct hub_listen *b)
{
	if (a->proto != b->proto || a->is_unix != b->is_unix)
		return false;
	if (a->is_unix)
		return strcmp(a->path, b->path) == 0;
	/* Two ephemeral listeners are two sockets, not a mistake. */
	return strcmp(a->port, "0") != 0 && strcmp(a->host, b->host) == 0 &&
	    strcmp(a->port, b->port) == 0;
}

static void
listen_clear(struct hub_listen *l)
{
	free(l->host);
	free(l->port);
	free(l->path);
	free(l->spec);
}

static int
key_listen(struct parse *p, const struct key *k, const char *v)
{
	struct hub_config *cfg = p->cfg;
	struct sockaddr_un sun;
	struct hub_listen l;
	const char *rest, *why;
	size_t i;

	memset(&l, 0, sizeof l);
	if (strncmp(v, "smtp:", 5) == 0)
		l.proto = LISTEN_SMTP;
	else if (strncmp(v, "lmtp:", 5) == 0)
		l.proto = LISTEN_LMTP;
	else
		return perr(p, "%s: %s: expected smtp:HOST:PORT, "
		    "lmtp:HOST:PORT or lmtp:unix:PATH", k->name, quote(p, v));
	rest = v + 5;
	if (strncmp(rest, "unix:", 5) == 0) {
		if (l.proto != LISTEN_LMTP)
			return perr(p, "%s: %s: unix sockets are for lmtp only",
			    k->name, quote(p, v));
		rest += 5;
		if (rest[0] != '/')
			return perr(p, "%s: %s: unix socket path must be "
			    "absolute", k->name, quote(p, v));
		/* bind() needs the path and its NUL inside sun_path. */
		if (strlen(rest) >= sizeof sun.sun_path)
			return perr(p, "%s: unix socket path longer than %zu "
			    "bytes", k->name, sizeof sun.sun_path - 1);
		l.is_unix = true;
		l.path = xstrdup(rest);
	} else if ((why = hostport_split(rest, NULL, true, &l.host,
	    &l.port)) != NULL)
		return perr(p, "%s: %s: %s", k->name, quote(p, v), why);
	for (i = 0; i < cfg->nlisten; i++)
		if (listen_same(&cfg->listen[i], &l)) {
			listen_clear(&l);
			return perr(p, "%s: %s repeats line %u", k->name,
			    quote(p, v), p->listen_line[i]);
		}
	l.spec = xstrdup(v);
	if (cfg->nlisten == p->alisten) {
		p->alisten = p->alisten ? p->alisten * 2 : 4;
		cfg->listen = xreallocarray(cfg->listen, p->alisten,
		    sizeof *cfg->listen);
		p->listen_line = xreallocarray(p->listen_line, p->alisten,
		    sizeof *p->listen_line);
	}
	p->listen_line[cfg->nlisten] = p->line;
	cfg->listen[cfg->nlisten++] = l;
	return 0;
}

static int
key_smarthost(struct parse *p, const struct key *k, const char *v)
{
	const char *why;

	if ((why = hostport_split(v, DEFAULT_SMARTHOST_PORT, false,
	    &p->cfg->smarthost_host, &p->cfg->smarthost_port)) != NULL)
		return perr(p, "%s: %s: %s", k->name, quote(p, v), why);
	return 0;
}

/* Shared by "list" lines and the lists file. */
static int
add_list(struct parse *p, const char *what, const char *v)
{
	const char *why;
	char *name;

	name = xstrdup(v);
	lowercase(name);
	if ((why = list_name_error(name)) != NULL) {
		free(name);
		return perr(p, "%s%s%s: %s", what, *what ? ": " : "",
		    quote(p, v), why);
	}
	if (p->nlists == p->alists) {
		p->alists = p->alists ? p->alists * 2 : 8;
		p->lists = xreallocarray(p->lists, p->alists, sizeof *p->lists);
	}
	p->lists[p->nlists++] = name;
	return 0;
}

static int
key_list(struct parse *p, const struct key *k, const char *v)
{
	return add_list(p, k->name, v);
}

static int
key_count(struct parse *p, const struct key *k, const char *v)
{
	unsigned long long n;
	const char *s = v;

	if (parse_ull(&s, k->max, &n) == -1 || *s != '\0' || n < k->min)
		return perr(p, "%s: %s is not a number from %llu to %llu",
		    k->name, quote(p, v), k->min, k->max);
	*(unsigned *)(void *)((char *)p->cfg + k->off) = (unsigned)n;
	return 0;
}

static int
key_size(struct parse *p, const struct key *k, const char *v)
{
	size_t n;

	if (config_parse_size(v, &n) == -1)
		return perr(p, "%s: %s is not a size (N, NK, NM or NG, "
		    "not 0)", k->name, quote(p, v));
	if (n < k->min || n > k->max)
		return perr(p, "%s: %s is out of range (%llu to %llu bytes)",
		    k->name, quote(p, v), k->min, k->max);
	*(size_t *)(void *)((char *)p->cfg + k->off) = n;
	return 0;
}

static int
key_duration(struct parse *p, const struct key *k, const char *v)
{
	unsigned n;

	if (config_parse_duration(v, &n) == -1)
		return perr(p, "%s: %s is not a duration (N, Ns, Nm, Nh or "
		    "Nd)", k->name, quote(p, v));
	if (n < k->min || n > k->max)
		return perr(p, "%s: %s is out of range (%llu to %llu seconds)",
		    k->name, quote(p, v), k->min, k->max);
	*(unsigned *)(void *)((char *)p->cfg + k->off) = n;
	return 0;
}

/* A size, or 0 (no threshold). */
static int
key_minfree(struct parse *p, const struct key *k, const char *v)
{
	size_t n = 0;

	if (strcmp(v, "0") != 0 && config_parse_size(v, &n) == -1)
		return perr(p, "%s: %s is not a size (0, N, NK, NM or NG)",
		    k->name, quote(p, v));
	*(unsigned long long *)(void *)((char *)p->cfg + k->off) = n;
	return 0;
}

static int
key_tls(struct parse *p, const struct key *k, const char *v)
{
	if (strcmp(v, "no") == 0)
		p->cfg->smarthost_tls = SMARTHOST_TLS_NO;
	else if (strcmp(v, "starttls") == 0)
		p->cfg->smarthost_tls = SMARTHOST_TLS_STARTTLS;
	else if (strcmp(v, "require") == 0)
		p->cfg->smarthost_tls = SMARTHOST_TLS_REQUIRE;
	else
		return perr(p, "%s: %s: expected no, starttls or require",
		    k->name, quote(p, v));
	return 0;
}

static int
key_encryption(struct parse *p, const struct key *k, const char *v)
{
	if (strcmp(v, "split") == 0)
		p->cfg->encryption = ENCRYPTION_SPLIT;
	else if (strcmp(v, "per-recipient") == 0)
		p->cfg->encryption = ENCRYPTION_PER_RECIPIENT;
	else
		return perr(p, "%s: %s: expected split or per-recipient",
		    k->name, quote(p, v));
	return 0;
}

/* Printable ASCII without spaces: the value must survive a config line. */
static int
key_auth_user(struct parse *p, const struct key *k, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < n; i++)
		if (v[i] <= 0x20 || v[i] >= 0x7f)
			break;
	if (i < n || n > CONFIG_AUTH_USER_MAX)
		return perr(p, "%s: %s is not a user name (at most %d "
		    "printable ASCII characters, no spaces)", k->name,
		    quote(p, v), CONFIG_AUTH_USER_MAX);
	*field_str(p, k) = xstrdup(v);
	return 0;
}

static const struct key *
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_line(struct parse *p, char *line)
{
	const struct key *k;
	char *key, *val, *eq;
	unsigned *seen;

	strip_comment(line);
	key = skip_space(line);
	if (*key == '\0')
		return 0;
	if ((eq = strchr(key, '=')) == NULL)
		return perr(p, "missing '=' (expected \"key = value\")");
	*eq = '\0';
	rtrim(key);
	val = skip_space(eq + 1);
	rtrim(val);
	if (*key == '\0')
		return perr(p, "missing key before '='");
	if ((k = key_find(key)) == NULL)
		return perr(p, "unknown key %s", quote(p, key));
	seen = &p->seen[k - keys];
	if (!k->repeat && *seen != 0)
		return perr(p, "%s: repeated key (first set on line %u)",
		    k->name, *seen);
	if (*seen == 0)
		*seen = p->line;
	if (*val == '\0')
		return perr(p, "%s: missing value", k->name);
	return k->parse(p, k, val);
}

/*
 * Read path line by line, handing each line to fn.  A missing file is an
 * error unless optional (the lists file need not exist).
 */
static int
read_lines(struct parse *p, const char *path, bool optional,
    int (*fn)(struct parse *, char *))
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd, rc = -1;

	p->file = path;
	p->line = 0;
	/* O_CLOEXEC: hubd may reload while children run. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (optional && errno == ENOENT)
			return 0;
		return perr(p, "%s", strerror(errno));
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		perr(p, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	errno = 0;
	while ((n = getline(&line, &cap, fp)) != -1) {
		p->line++;
		if (strlen(line) != (size_t)n) {
			perr(p, "NUL byte in line");
			goto fail;
		}
		if (fn(p, line) == -1)
			goto fail;
		errno = 0;
	}
	if (ferror(fp)) {
		perr(p, "read error: %s", strerror(errno ? errno : EIO));
		goto fail;
	}
	rc = 0;
fail:
	free(line);
	fclose(fp);
	return rc;
}

static int
lists_line(struct parse *p, char *line)
{
	char *name;

	strip_comment(line);
	name = skip_space(line);
	rtrim(name);
	if (*name == '\0')
		return 0;
	return add_list(p, "", name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted and unique, as recipient_classify() expects. */
static void
lists_finish(struct parse *p)
{
	struct hub_config *cfg = p->cfg;
	size_t i;

	if (p->nlists == 0)
		return;
	qsort(p->lists, p->nlists, sizeof *p->lists, cmp_str);
	cfg->lists = xcalloc(p->nlists, sizeof *cfg->lists);
	for (i = 0; i < p->nlists; i++) {
		if (cfg->nlists > 0 &&
		    strcmp(cfg->lists[cfg->nlists - 1], p->lists[i]) == 0)
			free(p->lists[i]);
		else
			cfg->lists[cfg->nlists++] = p->lists[i];
	}
	free(p->lists);
	p->lists = NULL;
	p->nlists = 0;
}

static void
set_defaults(struct hub_config *cfg)
{
	cfg->workers = 2;
	cfg->max_message_size = 25 * 1024 * 1024;
	cfg->max_recipients = 100;
	cfg->max_connections = 100;
	cfg->max_line_length = 1000;
	cfg->max_errors = 10;
	cfg->timeout_command = 300;
	cfg->timeout_session = 3600;
	cfg->shutdown_timeout = 30;
	cfg->relay_connections = 2;
	cfg->relay_lifetime = 5 * 86400;
	cfg->relay_retry = 60;
	/* Postfix's smtp_*_timeout defaults, which RFC 5321 4.5.3.2 sets. */
	cfg->relay_connect_timeout = 30;
	cfg->relay_helo_timeout = 300;
	cfg->relay_envelope_timeout = 300;
	cfg->relay_data_init_timeout = 120;
	cfg->relay_data_xfer_timeout = 180;
	cfg->relay_data_done_timeout = 600;
	cfg->smarthost_tls = SMARTHOST_TLS_NO;
	cfg->encryption = ENCRYPTION_SPLIT;
	cfg->worker_timeout = 600;
	cfg->worker_attempts = 3;
	cfg->worker_retry = 30;
	cfg->worker_retry_max = 3600;
	cfg->worker_retry_attempts = 10;
	/* four times the default max_message_size: room for the messages
	 * in flight and their outgoing copies */
	cfg->queue_minfree = 100ULL * 1024 * 1024;
}

/* Defaults that depend on other keys, filled once the file is read. */
static void
set_derived(struct hub_config *cfg)
{
	struct hub_listen *l;

	if (cfg->hostname == NULL)
		cfg->hostname = xstrdup(cfg->domain);
	if (cfg->pidfile == NULL)
		cfg->pidfile = xasprintf("%s/hubd.pid",
		    strcmp(cfg->data_dir, "/") == 0 ? "" : cfg->data_dir);
	if (cfg->smarthost_host == NULL) {
		cfg->smarthost_host = xstrdup(DEFAULT_SMARTHOST);
		cfg->smarthost_port = xstrdup(DEFAULT_SMARTHOST_PORT);
	}
	/* Any listen line replaces the default rather than adding to it. */
	if (cfg->nlisten == 0) {
		cfg->listen = l = xcalloc(1, sizeof *cfg->listen);
		cfg->nlisten = 1;
		l->proto = LISTEN_SMTP;
		l->host = xstrdup("127.0.0.1");
		l->port = xstrdup("2525");
		l->spec = xstrdup(DEFAULT_LISTEN);
	}
}

int
config_load(const char *path, struct hub_config **out, char *err,
    size_t errlen)
{
	struct parse p;
	struct hub_config *cfg;
	char *lists_path = NULL;
	size_t i;
	int rc = -1;

	memset(&p, 0, sizeof p);
	p.err = err;
	p.errlen = errlen;
	p.cfg = cfg = xcalloc(1, sizeof *cfg);
	p.seen = xcalloc(NKEYS, sizeof *p.seen);
	cfg->path = xstrdup(path);
	set_defaults(cfg);

	if (read_lines(&p, path, false, parse_line) == -1)
		goto fail;
	/* Line 0: no line is to blame for a key that is not there. */
	p.line = 0;
	if (cfg->data_dir == NULL) {
		perr(&p, "missing required key data_dir");
		goto fail;
	}
	if (cfg->domain == NULL) {
		perr(&p, "missing required key domain");
		goto fail;
	}
	/* AUTH needs both halves; either alone is a typo waiting to bite. */
	if ((cfg->smarthost_user == NULL) !=
	    (cfg->smarthost_password_file == NULL)) {
		perr(&p, "smarthost_user and smarthost_password_file go "
		    "together");
		goto fail;
	}
	/* One user for both sides would give the network roles the
	 * keyring: the split is the point of the second user. */
	if (cfg->user != NULL && cfg->network_user != NULL &&
	    strcmp(cfg->user, cfg->network_user) == 0) {
		perr(&p, "user and network_user are both %s: the network "
		    "processes must not run as the hub user", cfg->user);
		goto fail;
	}
	set_derived(cfg);

	lists_path = xasprintf("%s/lists",
	    strcmp(cfg->data_dir, "/") == 0 ? "" : cfg->data_dir);
	if (read_lines(&p, lists_path, true, lists_line) == -1)
		goto fail;
	lists_finish(&p);

	*out = cfg;
	cfg = NULL;
	rc = 0;
fail:
	for (i = 0; i < p.nlists; i++)
		free(p.lists[i]);
	free(p.lists);
	free(p.listen_line);
	free(p.seen);
	free(lists_path);
	config_free(cfg);
	return rc;
}

void
config_free(struct hub_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->data_dir);
	free(cfg->domain);
	free(cfg->hostname);
	free(cfg->pidfile);
	free(cfg->user);
	free(cfg->network_user);
	for (i = 0; i < cfg->nlisten; i++)
		listen_clear(&cfg->listen[i]);
	free(cfg->listen);
	free(cfg->smarthost_host);
	free(cfg->smarthost_port);
	free(cfg->smarthost_user);
	free(cfg->smarthost_password_file);
	for (i = 0; i < cfg->nlists; i++)
		free(cfg->lists[i]);
	free(cfg->lists);
	free(cfg);
}

/*
 * Before network_user existed, "user" named the smtp process's user and
 * the rest ran as root; a config with user alone keeps that meaning so
 * an upgrade does not move the keyring's owner under a running hub.
 */
const char *
config_hub_user(const struct hub_config *cfg)
{
	return cfg->network_user != NULL ? cfg->user : NULL;
}

const char *
config_network_user(const struct hub_config *cfg)
{
	return cfg->network_user != NULL ? cfg->network_user : cfg->user;
}
