/*
 * smtp: the "smtp" process of hubd — libevent sessions on the listening
 * sockets the master opened, each driven by an smtp_proto machine, with
 * accepted messages written to the spool (and only then acknowledged).
 *
 * This process never touches GNUPGHOME, the store or outgoing mail.  It
 * enforces connection count, idle and session timeouts and output back
 * pressure; the protocol rules live in smtp_proto.  SIGTERM (or the
 * master's link closing) stops accepting, lets sessions finish their
 * current transaction for up to shutdown_timeout seconds, then exits.
 */
#ifndef HUB_SMTP_H
#define HUB_SMTP_H

#include <stddef.h>

#include "hub/conf.h"

struct smtp_listener {
	int			 fd;	/* bound and listening */
	const struct hub_listen	*conf;
};

/* Runs the process; returns its exit status.  cfg and the listeners stay
 * owned by the caller (inherited memory after fork). */
int smtp_main(const struct hub_config *cfg,
    const struct smtp_listener *listeners, size_t nlisteners, int link_fd);

#endif
