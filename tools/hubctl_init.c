/*
 * hubctl init, status and log: the store as a whole (hubctl(8)).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "base/id.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "hub/conf.h"
#include "hub/listnames.h"
#include "hub/proc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

/* A command without options or arguments. */
static int
no_args(int argc, char **argv, const char *name)
{
	const struct hubctl_cmd *c = hubctl_cmd_find(name);

	if (argc > 1) {
		hubctl_warn("%s takes no arguments: %s", name, argv[1]);
		return hubctl_usage(c);
	}
	return HUBCTL_OK;
}

/*
 * Run as root with a hub user in hub.conf: the data dir becomes the hub
 * user's and the rest of init runs as that user, so the keyring, the
 * store and its key are the workers' (a root-owned keyring stops them:
 * crypto/gpg.c says whose file it is).  hubd's master gives the spool
 * its owners when it starts.
 */
static int
init_as_hub_user(struct hubctl *h)
{
	const char *user = config_hub_user(h->cfg);
	uid_t uid;
	gid_t gid;
	int fd;

	if (geteuid() != 0 || user == NULL)
		return HUBCTL_OK;
	if (proc_user_ids(user, &uid, &gid) == -1)
		return hubctl_fail(h, HUBCTL_ENV, "user %s (hub.conf): no such "
		    "user", user);
	if (fs_mkdirs(h->cfg->data_dir, 0700) == -1 ||
	    (fd = open(h->cfg->data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return hubctl_fail(h, HUBCTL_ENV, "cannot create %s: %s",
		    h->cfg->data_dir, strerror(errno));
	if (fchown(fd, uid, gid) == -1) {
		int saved = errno;

		close(fd);
		return hubctl_fail(h, HUBCTL_ENV, "cannot give %s to %s: %s",
		    h->cfg->data_dir, user, strerror(saved));
	}
	close(fd);
	proc_drop_privileges(user);
	return HUBCTL_OK;
}

int
cmd_init(struct hubctl *h, int argc, char **argv)
{
	enum crypto_status cst;
	enum store_status st;
	struct store *s = NULL;
	struct stat sb;
	char fpr[41];
	char *home = NULL, *db = NULL, *kf = NULL, *uid = NULL;
	int rc;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(hubctl_cmd_find("init"));
	if ((rc = no_args(argc, argv, "init")) != HUBCTL_OK)
		return rc;
	if ((rc = hubctl_config(h)) != HUBCTL_OK)
		return rc;
	home = xasprintf("%s/%s", h->cfg->data_dir, STORE_GNUPG_DIR);
	db = xasprintf("%s/%s", h->cfg->data_dir, STORE_DB_FILE);
	kf = xasprintf("%s/%s", h->cfg->data_dir, STORE_KEY_FILE);
	/* never a second key for a store that exists: it would be lost */
	if (stat(db, &sb) == 0 || stat(kf, &sb) == 0) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "store already exists in %s",
		    h->cfg->data_dir);
		goto out;
	}
	if ((rc = init_as_hub_user(h)) != HUBCTL_OK)
		goto out;
	if (fs_mkdirs(h->cfg->data_dir, 0700) == -1 ||
	    fs_mkdirs(home, 0700) == -1 || chmod(home, 0700) == -1) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot create %s: %s", home,
		    strerror(errno));
		goto out;
	}
	if ((cst = gpg_home_tune(home)) != CRYPTO_OK ||
	    (cst = gpg_open(home, &h->gpg)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot open the keyring %s: "
		    "%s", home, crypto_status_str(cst));
		goto out;
	}
	uid = xasprintf("csirt-hub store key <hub@%s>", h->cfg->domain);
	if ((cst = keys_generate(h->gpg, uid, KEYS_NO_EXPIRY, fpr)) !=
	    CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot generate the hub key "
		    "in %s: %s", home, crypto_status_str(cst));
		goto out;
	}
	if ((st = store_init(h->cfg->data_dir, h->gpg, fpr, &s)) !=
	    STORE_OK) {
		rc = hubctl_fail(h, st == STORE_EXISTS ? HUBCTL_ERROR :
		    HUBCTL_ENV, "cannot create the store in %s: %s",
		    h->cfg->data_dir, store_status_str(st));
		goto out;
	}
	/* A new store holds no list: say so to hubd's master, which reads
	 * the names from this file, never from the store. */
	if (listnames_write(h->cfg->data_dir, NULL, 0) == -1)
		hubctl_warn("%s/%s not written: %s (a hubd worker writes it "
		    "when it starts)", h->cfg->data_dir, LISTNAMES_FILE,
		    strerror(errno));
	out_map_begin(h->out);
	out_kstr(h->out, "data_dir", h->cfg->data_dir);
	out_kstr(h->out, "store", db);
	out_kstr(h->out, "hub_fpr", fpr);
	out_kint(h->out, "schema_version", store_schema_version(s));
	out_map_end(h->out);
	rc = HUBCTL_OK;
out:
	store_close(s);
	free(home);
	free(db);
	free(kf);
	free(uid);
	return rc;
}

int
cmd_status(struct hubctl *h, int argc, char **argv)
{
	struct store_counts c;
	enum store_status st;
	enum team_state ts;
	int rc;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(hubctl_cmd_find("status"));
	if ((rc = no_args(argc, argv, "status")) != HUBCTL_OK)
		return rc;
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_count(h->store, &c)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	out_kstr(h->out, "data_dir", h->cfg->data_dir);
	out_kstr(h->out, "domain", h->cfg->domain);
	out_kstr(h->out, "hub_fpr", store_hub_fpr(h->store));
	out_kint(h->out, "schema_version", store_schema_version(h->store));
	out_key(h->out, "teams");
	out_map_begin(h->out);
	for (ts = TEAM_CANDIDATE; ts <= TEAM_LEFT; ts++)
		out_kint(h->out, team_state_str(ts), (long long)c.teams[ts]);
	out_map_end(h->out);
	out_kint(h->out, "contacts", (long long)c.contacts);
	out_kint(h->out, "lists", (long long)c.lists);
	out_kint(h->out, "subscriptions", (long long)c.subscriptions);
	out_kint(h->out, "audit_entries", (long long)c.audit);
	out_map_end(h->out);
	return HUBCTL_OK;
}

int
cmd_log(struct hubctl *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct hubctl_cmd *c = hubctl_cmd_find("log");
	struct store_audit *v;
	enum store_status st;
	unsigned long long limit = 0;
	size_t i, n;
	char when[64], *end;
	int ch, rc;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(c);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":n:", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			errno = 0;
			limit = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    errno != 0 || limit > SIZE_MAX) {
				hubctl_warn("bad --limit: %s", optarg);
				return hubctl_usage(c);
			}
			break;
		default:
			hubctl_warn("log: unknown option or "
			    "missing value: %s", argv[optind - 1]);
			return hubctl_usage(c);
		}
	}
	if (optind < argc) {
		hubctl_warn("log: unexpected argument: %s", argv[optind]);
		return hubctl_usage(c);
	}
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_audit_list(h->store, (size_t)limit, &v, &n)) !=
	    STORE_OK)
		return hubctl_store_fail(h, st);
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		hub_utc(v[i].at, HUB_UTC_ISO, when, sizeof when);
		if (when[0] == '\0')
			snprintf(when, sizeof when, "%lld", v[i].at);
		out_map_begin(h->out);
		out_kint(h->out, "id", v[i].id);
		out_kstr(h->out, "at", when);
		out_kstr(h->out, "actor", v[i].actor);
		out_kstr(h->out, "action", v[i].action);
		out_kstr(h->out, "object", v[i].object);
		/* the store wrote them as JSON objects: keep them so */
		out_key(h->out, "before");
		out_json(h->out, v[i].before);
		out_key(h->out, "after");
		out_json(h->out, v[i].after);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	store_audit_free(v, n);
	return HUBCTL_OK;
}
