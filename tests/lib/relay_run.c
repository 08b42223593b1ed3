/*
 * relay_run: run hubd's relay role alone, for tests.
 *
 *	relay_run [-d] [-0] HUB_CONF
 *
 * Loads HUB_CONF and calls relay_main() with a link no master ever writes
 * to (nor closes), so only SIGTERM ends it; with -0 the link is stdin
 * instead (wake-up lines in, EOF as the master's death).  Logs go to
 * stderr, debug lines too with -d.  Links
 * relay_nodelay.c like hubd, so it sends as fast as hubd does.
 */
#include "config.h"

#include "hub/conf.h"
#include "hub/relay.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct hub_config *cfg;
	char err[512];
	int sv[2], verbose = 0, use_stdin = 0, rc, c;

	while ((c = getopt(argc, argv, "d0")) != -1)
		switch (c) {
		case 'd': verbose = 1; break;
		case '0': use_stdin = 1; break;
		default: goto usage;
		}
	if (argc - optind != 1)
		goto usage;
	log_init("relay", LOG_TO_STDERR, verbose);
	if (config_load(argv[argc - 1], &cfg, err, sizeof err) == -1) {
		fprintf(stderr, "relay_run: %s\n", err);
		return 2;
	}
	/* sv[1] stays open: the relay must not see EOF (a gone master). */
	if (use_stdin)
		sv[0] = 0;
	else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		perror("relay_run: socketpair");
		return 2;
	}
	rc = relay_main(cfg, sv[0]);
	config_free(cfg);
	return rc;
usage:
	fprintf(stderr, "usage: relay_run [-d] [-0] HUB_CONF\n");
	return 2;
}
