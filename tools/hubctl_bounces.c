/*
 * hubctl bounces [LIST]: the delivery failures recorded per list and
 * contact (the relay's reports and mail to LIST-bounces+TAG, recorded
 * by the worker: hub/request.c), the score that disables a contact's
 * delivery at the list's bounce_score_threshold, and what is disabled
 * (hubctl(8)).  Read-only; subscribe --enable is the way back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/id.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

int
cmd_bounces(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *cmd = hubctl_cmd_find("bounces");
	struct store_bounces *v;
	enum store_status st;
	char when[64];
	size_t i, n;
	int rc;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(cmd);
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		if (argc == 2)
			hubctl_warn("bounces: unknown option: %s", argv[1]);
		return hubctl_usage(cmd);
	}
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_bounces(h->store, argc == 2 ? argv[1] : NULL, &v,
	    &n)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		out_kstr(h->out, "list", v[i].list);
		out_kstr(h->out, "address", v[i].address);
		out_kstr(h->out, "delivery", v[i].disabled ? "disabled" :
		    "enabled");
		out_kint(h->out, "score", v[i].score);
		out_kint(h->out, "threshold", v[i].threshold);
		out_kint(h->out, "failures", v[i].failures);
		out_kint(h->out, "permanent", v[i].permanent);
		out_kstr(h->out, "last_status", v[i].last_status);
		hub_utc(v[i].last, HUB_UTC_ISO, when, sizeof when);
		out_kstr(h->out, "last", v[i].last > 0 ? when : NULL);
		out_kstr(h->out, "reason", v[i].reason);
		hub_utc(v[i].since, HUB_UTC_ISO, when, sizeof when);
		out_kstr(h->out, "disabled_since", v[i].since > 0 ? when :
		    NULL);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	free(v);
	return HUBCTL_OK;
}
