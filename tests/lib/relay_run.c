/*
 * relay_run: run hubd's relay role alone, for tests.
 *
 *	relay_run [-d] HUB_CONF
 *
 * Loads HUB_CONF and calls relay_main() with a link no master ever writes
 * to (nor closes), so only SIGTERM ends it; logs go to stderr.  Links
 * relay_nodelay.c like hubd, so it sends as fast as hubd does.
 */
#include "config.h"

#include "hub/conf.h"
#include "hub/relay.h"
#include "hub/base/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int
main(int argc, char **argv)
{
	struct hub_config *cfg;
	char err[512];
	int sv[2], verbose = 0, rc;

	if (argc == 3 && strcmp(argv[1], "-d") == 0)
		verbose = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: relay_run [-d] HUB_CONF\n");
		return 2;
	}
	log_init("relay", LOG_TO_STDERR, verbose);
	if (config_load(argv[argc - 1], &cfg, err, sizeof err) == -1) {
		fprintf(stderr, "relay_run: %s\n", err);
		return 2;
	}
	/* sv[1] stays open: the relay must not see EOF (a gone master). */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		perror("relay_run: socketpair");
		return 2;
	}
	rc = relay_main(cfg, sv[0]);
	config_free(cfg);
	return rc;
}
