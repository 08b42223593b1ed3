/* placeholder: being written (issue 5) */
#include "config.h"
#include "hub/worker.h"
int
worker_main(const struct hub_config *cfg, int link_fd)
{
	(void)cfg;
	(void)link_fd;
	return 1;
}
