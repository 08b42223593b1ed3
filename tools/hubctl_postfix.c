/*
 * hubctl postfix-map: (re)write DATA_DIR/postfix-recipients from the
 * store (csirt-hub-postfix(7)).  "list create" and "list delete" write it
 * too, after their transaction commits, as they write lists.names; this
 * command is for a data dir from before the file, a file lost, or after
 * a failed write that hubctl reported.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "hub/conf.h"
#include "hub/listnames.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/hubctl_postfix.h"
#include "tools/out.h"

int
hubctl_postfix_write(struct hubctl *h, char *const *names, size_t n)
{
	int r;

	if ((r = listnames_postfix_write(h->cfg->data_dir, h->cfg->domain,
	    names, n)) == -1)
		hubctl_warn("%s/%s not updated: %s (Postfix keeps refusing "
		    "or accepting by the old set; run hubctl postfix-map)",
		    h->cfg->data_dir, LISTNAMES_POSTFIX_FILE,
		    strerror(errno));
	return r;
}

int
cmd_postfix_map(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("postfix-map");
	struct store_list *v = NULL;
	enum store_status st;
	char **names, *path;
	size_t n = 0, i;
	int lock, r, rc;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(c);
	if (argc != 1)
		return hubctl_usage(c);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	/* the lists.names writers' lock: a concurrent "list create" must
	 * not have its newer set overwritten by this older read */
	if ((lock = listnames_lock(h->cfg->data_dir)) == -1)
		hubctl_warn("cannot lock %s/%s.lock: %s", h->cfg->data_dir,
		    LISTNAMES_FILE, strerror(errno));
	if ((st = store_list_list(h->store, &v, &n)) != STORE_OK) {
		listnames_unlock(lock);
		return hubctl_store_fail(h, st);
	}
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = v[i].l.name;
	r = hubctl_postfix_write(h, names, n);
	listnames_unlock(lock);
	free(names);
	store_lists_free(v, n);
	if (r == -1)
		return HUBCTL_ENV;
	path = xasprintf("%s/%s", h->cfg->data_dir, LISTNAMES_POSTFIX_FILE);
	out_map_begin(h->out);
	out_kstr(h->out, "path", path);
	out_kint(h->out, "lists", (long long)n);
	/* postmaster and five addresses per list */
	out_kint(h->out, "addresses", (long long)(1 + 5 * n));
	out_kbool(h->out, "changed", r == 1);
	out_map_end(h->out);
	free(path);
	return HUBCTL_OK;
}
