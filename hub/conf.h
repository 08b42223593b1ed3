/*
 * conf: hub.conf parsed into an immutable struct (see hub.conf(5)).
 *
 * Syntax: one "key = value" per line; '#' starts a comment (outside a
 * value, i.e. after whitespace or at the start of a line); blank lines
 * ignored; keys are case-sensitive; "listen" and "list" may repeat, every
 * other key may appear once.  Unknown keys, repeated keys and bad values
 * are errors reported as "FILE:LINE: message".  Only data_dir and domain
 * are required; everything else has a default that runs on loopback.
 *
 * After hub.conf, the file DATA_DIR/lists is read if it exists: one list
 * name per line, '#' comments; its names are added to those from "list"
 * lines (errors reported as "DATA_DIR/lists:LINE: message").  This is the
 * list source until the roster store exists.
 *
 * config_load() never exits; the caller decides (hubd refuses to start, or
 * keeps the old configuration on SIGHUP).  The returned struct is owned by
 * the caller and freed with config_free(); config_free(NULL) is a no-op.
 */
#ifndef HUB_CONF_H
#define HUB_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_LIST_NAME_MAX	64

enum smarthost_tls {
	SMARTHOST_TLS_NO,	/* plain SMTP */
	SMARTHOST_TLS_STARTTLS,	/* STARTTLS if offered */
	SMARTHOST_TLS_REQUIRE,	/* STARTTLS or no delivery */
};

/* How a post's copies are encrypted (hub.conf(5) "encryption"). */
enum encryption_mode {
	ENCRYPTION_SPLIT,	/* once to all, one session key packet each */
	ENCRYPTION_PER_RECIPIENT, /* one gpg run per recipient */
};

enum listen_proto {
	LISTEN_SMTP,
	LISTEN_LMTP,
};

struct hub_listen {
	enum listen_proto proto;
	bool	 is_unix;	/* lmtp:unix:PATH */
	char	*host;		/* TCP: address literal or name; NULL if unix */
	char	*port;		/* TCP: "0".."65535" ("0" = ephemeral) */
	char	*path;		/* unix: absolute path, shorter than sun_path */
	char	*spec;		/* as written, for logs: "smtp:127.0.0.1:2525" */
};

struct hub_config {
	char		*path;			/* the file read */
	char		*data_dir;		/* absolute */
	char		*domain;		/* lowercased */
	char		*hostname;		/* banner/EHLO name; default: domain */
	char		*pidfile;		/* default DATA_DIR/hubd.pid */
	/* Started as root: the workers run as user (the hub user) and the
	 * smtp and relay processes as network_user (hub/proc.c's role
	 * table).  user alone keeps its old meaning, the network roles'
	 * user (config_hub_user() and config_network_user() decide). */
	char		*user;			/* NULL = none */
	char		*network_user;		/* NULL = none */
	struct hub_listen *listen;		/* default smtp:127.0.0.1:2525 */
	size_t		 nlisten;
	char		*smarthost_host;	/* default 127.0.0.1 */
	char		*smarthost_port;	/* default 25 */
	unsigned	 workers;		/* 1..64, default 2 */
	size_t		 max_message_size;	/* default 25M */
	unsigned	 max_recipients;	/* default 100 */
	unsigned	 max_connections;	/* default 100 */
	size_t		 max_line_length;	/* data lines incl. CRLF, default 1000 */
	unsigned	 max_errors;		/* refused commands per session, default 10 */
	unsigned	 timeout_command;	/* seconds idle, default 300 */
	unsigned	 timeout_session;	/* seconds per session, default 3600 */
	unsigned	 shutdown_timeout;	/* seconds to finish sessions, default 30 */
	unsigned	 relay_connections;	/* 1..32 parallel sessions, default 2 */
	unsigned	 relay_lifetime;	/* seconds until bounced, default 5d */
	unsigned	 relay_retry;		/* first backoff, seconds, default 60 */
	/* Seconds per SMTP phase with the smarthost; Postfix's defaults. */
	unsigned	 relay_connect_timeout;	/* TCP connect, 30 */
	unsigned	 relay_helo_timeout;	/* 220, EHLO, TLS, AUTH; 300 */
	unsigned	 relay_envelope_timeout; /* MAIL, RCPT; 300 */
	unsigned	 relay_data_init_timeout; /* DATA to 354; 120 */
	unsigned	 relay_data_xfer_timeout; /* body, no progress; 180 */
	unsigned	 relay_data_done_timeout; /* dot to reply; 600 */
	enum smarthost_tls smarthost_tls;	/* default SMARTHOST_TLS_NO */
	enum encryption_mode encryption;	/* default ENCRYPTION_SPLIT */
	char		*smarthost_user;	/* AUTH user; NULL = no AUTH */
	char		*smarthost_password_file; /* set iff smarthost_user */
	unsigned	 worker_timeout;	/* seconds per entry, default 600 */
	unsigned	 worker_attempts;	/* crashes before quarantine, default 3 */
	unsigned	 worker_retry;		/* first delay after a temporary
						   failure, seconds, default 30 */
	unsigned	 worker_retry_max;	/* the backoff's cap, default 1h */
	unsigned	 worker_retry_attempts;	/* temporary failures before
						   quarantine, default 10 */
	unsigned long long queue_minfree;	/* octets free or 452 at MAIL
						   FROM; 0 = off; default 100M */
	char		**lists;		/* list names, lowercased, sorted, unique */
	size_t		 nlists;
	/* Set by hubd's master, never by config_load(): the store exists but
	 * the names of its lists (DATA_DIR/lists.names) could not be read
	 * yet, so an address at the domain that is not in lists may still
	 * be a list's: the smtp process answers 451 for it, not 550. */
	bool		 lists_unknown;
};

int config_load(const char *path, struct hub_config **out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
void config_free(struct hub_config *cfg);

/* Parsers shared with tests and hubctl; 0 on success, -1 on a bad value. */
int config_parse_size(const char *s, size_t *out);	/* 25M, 512K, 1G, 1000 */
int config_parse_duration(const char *s, unsigned *out); /* 30, 30s, 5m, 2h, 1d */
bool config_valid_list_name(const char *name);

/* The workers' user (NULL: root's, or the caller's). */
const char *config_hub_user(const struct hub_config *cfg);
/* The smtp and relay processes' user (NULL: not dropped). */
const char *config_network_user(const struct hub_config *cfg);

#endif
