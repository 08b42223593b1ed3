/*
 * hubctl list: create, show, ls, set, delete (hubctl(8)).
 *
 * "list create" generates the list's own key pair (ed25519/cv25519, no
 * expiry) in DATA_DIR/gnupg; "list delete" removes the list and its
 * subscriptions from the store but leaves its key in the keyring, so
 * mail already encrypted to it can still be read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "hub/conf.h"
#include "hub/listnames.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/tlp.h"
#include "tools/hubctl.h"
#include "tools/hubctl_postfix.h"
#include "tools/out.h"

static void
print_list(struct hubctl *h, const struct store_list *l)
{
	char *addr = xasprintf("%s@%s", l->l.name, h->cfg->domain);

	out_kstr(h->out, "name", l->l.name);
	out_kstr(h->out, "address", addr);
	out_kstr(h->out, "default_tlp", tlp_str(l->l.default_tlp));
	out_kstr(h->out, "may_post", post_permission_str(l->l.may_post));
	out_kstr(h->out, "subject_tag", l->l.subject_tag);
	out_kbool(h->out, "keep_msgid", l->l.opts.keep_msgid);
	out_kint(h->out, "max_size", (long long)l->l.opts.max_size);
	out_kint(h->out, "max_signature_age", l->l.opts.max_signature_age);
	out_kint(h->out, "bounce_score_threshold",
	    (long long)l->bounce_threshold);
	out_kstr(h->out, "fpr", l->fpr);
	out_kstr(h->out, "description", l->l.description);
	free(addr);
}

/*
 * Check every option=value of argv against a copy of l before anything
 * is written: a command either applies all its options or none.
 */
static int
check_options(struct hubctl *h, struct store_list *l, int argc, char **argv,
    char **desc)
{
	char *opt, *eq;
	int i, known, rc;

	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i])
			return hubctl_fail(h, HUBCTL_USAGE, "not option=value: "
			    "%s", argv[i]);
		opt = xstrndup(argv[i], (size_t)(eq - argv[i]));
		/* every value, free text or not, by the rule for text */
		if ((rc = hubctl_check_text(h, opt, eq + 1)) != HUBCTL_OK) {
			free(opt);
			return rc;
		}
		if (store_list_apply(l, opt, eq + 1, desc, &known) == -1) {
			rc = known ? hubctl_fail(h, HUBCTL_ERROR,
			    "bad value for %s: %s", opt, eq + 1) :
			    hubctl_fail(h, HUBCTL_ERROR,
			    "no such list option: %s", opt);

			free(opt);
			return rc;
		}
		free(opt);
	}
	return HUBCTL_OK;
}

/*
 * DATA_DIR/lists.names after a change to the set of lists has committed:
 * hubd's master reads it on the SIGHUP that follows (it never opens the
 * store); and DATA_DIR/postfix-recipients, the same set as the addresses
 * Postfix may accept for hubd.  The change stands either way; a file that cannot be written is
 * said, and a hubd worker rewrites it from the store when it next starts.
 */
void
hubctl_write_list_names(struct hubctl *h)
{
	struct store_list *v = NULL;
	enum store_status st;
	char **names;
	size_t n = 0, i;
	int lock;

	if ((lock = listnames_lock(h->cfg->data_dir)) == -1)
		hubctl_warn("cannot lock %s/%s.lock: %s", h->cfg->data_dir,
		    LISTNAMES_FILE, strerror(errno));
	if ((st = store_list_list(h->store, &v, &n)) != STORE_OK) {
		listnames_unlock(lock);
		hubctl_warn("%s/%s not updated: %s", h->cfg->data_dir,
		    LISTNAMES_FILE, store_status_str(st));
		return;
	}
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = v[i].l.name;
	if (listnames_write(h->cfg->data_dir, names, n) == -1)
		hubctl_warn("%s/%s not updated: %s (hubd serves the new set "
		    "once a worker restarts)", h->cfg->data_dir,
		    LISTNAMES_FILE, strerror(errno));
	/* the same set for Postfix's recipient table, under the same lock
	 * (csirt-hub-postfix(7)); a failure is said and the change stands */
	(void)hubctl_postfix_write(h, names, n);
	listnames_unlock(lock);
	free(names);
	store_lists_free(v, n);
}

static int
list_create(struct hubctl *h, int argc, char **argv)
{
	enum crypto_status cst;
	enum store_status st;
	struct store_list l, old;
	char *desc = NULL, *uid = NULL;
	const char *name = argv[1];
	int rc;

	if (!config_valid_list_name(name) || !store_valid_list_name(name))
		return hubctl_fail(h, HUBCTL_ERROR, "bad list name: %s (1-63 "
		    "of a-z 0-9 . _ -, no reserved suffix)", name);
	/* strict defaults: members post, AMBER unless labelled, 48 h for a
	 * signature that does not name the list */
	store_list_init(&l, name);
	snprintf(l.l.subject_tag, sizeof l.l.subject_tag, "[%s]", name);
	if ((rc = check_options(h, &l, argc - 2, argv + 2, &desc)) !=
	    HUBCTL_OK)
		goto out;
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		goto out;
	/* no key for a list that cannot be created */
	if ((st = store_list_get(h->store, name, &old)) == STORE_OK) {
		store_list_clear(&old);
		rc = hubctl_fail(h, HUBCTL_ERROR, "list already exists: %s",
		    name);
		goto out;
	} else if (st != STORE_NOT_FOUND) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	uid = xasprintf("%s <%s@%s>", name, name, h->cfg->domain);
	if ((cst = keys_generate(h->gpg, uid, KEYS_NO_EXPIRY, l.fpr)) !=
	    CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot generate the key of "
		    "list %s: %s", name, *gpg_last_failure(h->gpg) != '\0' ?
		    gpg_last_failure(h->gpg) : crypto_status_str(cst));
		goto out;
	}
	if ((st = store_list_create(h->store, &l)) != STORE_OK) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	hubctl_write_list_names(h);
	out_map_begin(h->out);
	print_list(h, &l);
	out_kint(h->out, "hubd_reloaded", hubctl_reload_hubd(h));
	out_map_end(h->out);
	rc = HUBCTL_OK;
out:
	free(desc);
	free(uid);
	return rc;
}

static int
list_show(struct hubctl *h, const char *name)
{
	struct subscription *sv;
	enum store_status st;
	struct store_list l;
	size_t i, n;

	if ((st = store_list_get(h->store, name, &l)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_subscriptions(h->store, name, &sv, &n)) != STORE_OK) {
		store_list_clear(&l);
		return hubctl_store_fail(h, st);
	}
	out_map_begin(h->out);
	print_list(h, &l);
	out_key(h->out, "subscriptions");
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		/* null, as in subscribe's output, for the one not set */
		out_kstr(h->out, "team", sv[i].team[0] != '\0' ?
		    sv[i].team : NULL);
		out_kstr(h->out, "contact", sv[i].contact[0] != '\0' ?
		    sv[i].contact : NULL);
		out_kstr(h->out, "role", role_str(sv[i].role));
		out_kstr(h->out, "clearance", tlp_str(sv[i].clearance));
		out_map_end(h->out);
	}
	out_list_end(h->out);
	out_map_end(h->out);
	store_subscriptions_free(sv);
	store_list_clear(&l);
	return HUBCTL_OK;
}

static int
list_ls(struct hubctl *h)
{
	struct store_list *v;
	enum store_status st;
	size_t i, n;

	if ((st = store_list_list(h->store, &v, &n)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		out_kstr(h->out, "name", v[i].l.name);
		out_kstr(h->out, "default_tlp", tlp_str(v[i].l.default_tlp));
		out_kstr(h->out, "may_post",
		    post_permission_str(v[i].l.may_post));
		out_kstr(h->out, "description", v[i].l.description);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	store_lists_free(v, n);
	return HUBCTL_OK;
}

static int
list_set(struct hubctl *h, int argc, char **argv)
{
	enum store_status st;
	struct store_list l;
	const char *olddesc;
	char *desc = NULL, *eq, *opt;
	int i, rc;

	if (argc < 3) {
		hubctl_warn("list set: no option=value given");
		return hubctl_usage(hubctl_cmd_find("list"));
	}
	if ((st = store_list_get(h->store, argv[1], &l)) != STORE_OK)
		return hubctl_store_fail(h, st);
	olddesc = l.l.description;
	rc = check_options(h, &l, argc - 2, argv + 2, &desc);
	free(desc);
	l.l.description = olddesc;
	store_list_clear(&l);
	if (rc != HUBCTL_OK)
		return rc;
	/* one transaction and audit row per option */
	for (i = 2; i < argc; i++) {
		eq = strchr(argv[i], '=');
		opt = xstrndup(argv[i], (size_t)(eq - argv[i]));
		st = store_list_set(h->store, argv[1], opt, eq + 1);
		free(opt);
		if (st != STORE_OK)
			return hubctl_store_fail(h, st);
	}
	return list_show(h, argv[1]);
}

static int
list_delete(struct hubctl *h, const char *name)
{
	enum store_status st;

	if ((st = store_list_delete(h->store, name)) != STORE_OK)
		return hubctl_store_fail(h, st);
	hubctl_write_list_names(h);
	out_map_begin(h->out);
	out_kstr(h->out, "name", name);
	out_kbool(h->out, "deleted", 1);
	out_kint(h->out, "hubd_reloaded", hubctl_reload_hubd(h));
	out_map_end(h->out);
	return HUBCTL_OK;
}

/* The list's own key: facts by default, the armored public key with
 * --export (what members import to read and verify the list's mail). */
static int
list_key(struct hubctl *h, const char *name, int export)
{
	struct key_info *ki = NULL;
	enum crypto_status cst;
	enum store_status st;
	struct store_list l;
	struct buf *armor = NULL;
	int rc = HUBCTL_OK;
	size_t i;

	if ((st = store_list_get(h->store, name, &l)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((cst = keys_lookup(h->gpg, l.fpr, &ki)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "list %s: key %s not in the "
		    "hub keyring: %s", name, l.fpr, crypto_status_str(cst));
		goto out;
	}
	if (export) {
		armor = buf_new(0);
		if ((cst = keys_export(h->gpg, l.fpr, 1, armor)) !=
		    CRYPTO_OK) {
			rc = hubctl_fail(h, HUBCTL_ENV, "list %s: cannot "
			    "export key %s: %s", name, l.fpr,
			    crypto_status_str(cst));
			goto out;
		}
		if (!h->json) {
			/* The key alone, ready for gpg --import. */
			fwrite(buf_data(armor), 1, buf_len(armor), stdout);
			goto out;
		}
	}
	out_map_begin(h->out);
	out_kstr(h->out, "name", name);
	out_kstr(h->out, "fpr", ki->fpr);
	out_kint(h->out, "created", ki->created);
	out_kint(h->out, "expires", ki->expires);
	out_kbool(h->out, "can_sign", keys_can_sign(ki));
	out_kbool(h->out, "can_encrypt", keys_can_encrypt(ki));
	out_kbool(h->out, "revoked", ki->revoked);
	out_key(h->out, "uids");
	out_list_begin(h->out);
	for (i = 0; i < ki->nuids; i++)
		out_str(h->out, ki->uids[i].uid);
	out_list_end(h->out);
	{
		struct store_old_key *ov;
		char day[32];
		size_t on;

		/* the keys list rekey retired, newest first: mail encrypted
		 * to one is read until its grace ends */
		if (store_list_old_keys(h->store, name, &ov, &on) ==
		    STORE_OK) {
			out_key(h->out, "retired_keys");
			out_list_begin(h->out);
			for (i = 0; i < on; i++) {
				out_map_begin(h->out);
				out_kstr(h->out, "fpr", ov[i].fpr);
				hub_utc(ov[i].retired, HUB_UTC_DAY, day,
				    sizeof day);
				out_kstr(h->out, "retired", day);
				hub_utc(ov[i].grace_until, HUB_UTC_DAY, day,
				    sizeof day);
				out_kstr(h->out, "grace_ends", day);
				out_kbool(h->out, "in_grace",
				    ov[i].grace_until > (long long)hub_now());
				out_kbool(h->out, "announced", ov[i].told);
				out_map_end(h->out);
			}
			out_list_end(h->out);
			free(ov);
		}
	}
	if (armor != NULL)
		out_kstr(h->out, "key", buf_data(armor));
	out_map_end(h->out);
out:
	buf_free(armor);
	key_info_free(ki);
	store_list_clear(&l);
	return rc;
}

int
cmd_list(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("list");
	const char *verb;
	int i, rc, export = 0;

	if (argc < 2 || hubctl_wants_help(argc, argv))
		return argc < 2 ? hubctl_usage(c) : hubctl_help(c);
	verb = argv[1];
	argc--;
	argv++;
	if (strcmp(verb, "import") == 0)
		return hubctl_list_import(h, c, argc, argv);
	if (strcmp(verb, "rekey") == 0)
		return hubctl_list_rekey(h, c, argc, argv);
	if (strcmp(verb, "create") != 0 && strcmp(verb, "show") != 0 &&
	    strcmp(verb, "ls") != 0 && strcmp(verb, "set") != 0 &&
	    strcmp(verb, "delete") != 0 && strcmp(verb, "key") != 0) {
		hubctl_warn("list: no such subcommand: %s", verb);
		return hubctl_usage(c);
	}
	/* "list key LIST --export" is the one option of this command */
	if (strcmp(verb, "key") == 0 && argc == 3 &&
	    strcmp(argv[2], "--export") == 0) {
		export = 1;
		argc--;
	}
	/* otherwise anything starting with '-' is a mistake */
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-') {
			hubctl_warn("list %s: unknown option: "
			    "%s", verb, argv[i]);
			return hubctl_usage(c);
		}
	if (strcmp(verb, "ls") == 0 ? argc != 1 :
	    (strcmp(verb, "create") == 0 || strcmp(verb, "set") == 0) ?
	    argc < 2 : argc != 2)
		return hubctl_usage(c);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if (strcmp(verb, "create") == 0)
		return list_create(h, argc, argv);
	if (strcmp(verb, "show") == 0)
		return list_show(h, argv[1]);
	if (strcmp(verb, "ls") == 0)
		return list_ls(h);
	if (strcmp(verb, "set") == 0)
		return list_set(h, argc, argv);
	if (strcmp(verb, "key") == 0)
		return list_key(h, argv[1], export);
	return list_delete(h, argv[1]);
}
