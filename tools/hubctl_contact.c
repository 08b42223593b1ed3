/*
 * hubctl contact: add, key, held, set, show, ls, remove (hubctl(8)).
 *
 * "contact add" hands the contact's public key file to lists/contact_key,
 * which judges the key without importing it (expired, revoked, no
 * encryption subkey, no user id for the address: lists/keyrule) and
 * imports it into DATA_DIR/gnupg only when the hub can use it; then the
 * contact is recorded by its fingerprint.  A refused key is not left in
 * the keyring.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "lists/contact_key.h"
#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

#define KEYFILE_MAX	(1 << 20)	/* a public key, with its certs */

/* "0123 4567 ... CDEF": the form people read aloud to confirm it. */
static void
fpr_grouped(const char *fpr, char *dst, size_t size)
{
	size_t i, j = 0;

	for (i = 0; fpr[i] != '\0' && j + 2 < size; i++) {
		if (i > 0 && i % 4 == 0)
			dst[j++] = ' ';
		dst[j++] = fpr[i];
	}
	dst[j] = '\0';
}

static void
day_str(long long t, char *dst, size_t size)
{
	hub_utc(t, HUB_UTC_DAY, dst, size);
	if (dst[0] == '\0')
		snprintf(dst, size, "%lld", t);
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void
print_contact(struct out *o, const struct contact *c)
{
	out_kstr(o, "address", c->address);
	out_kstr(o, "team", c->team);
	out_kstr(o, "name", c->name);
	out_kstr(o, "fpr", c->fpr);
}

/* The language of the hub's mail to it: "ja", "en" or "default" (the
 * community's); contact show and contact set. */
static void
print_lang(struct out *o, const struct contact *c)
{
	out_kstr(o, "lang", c->lang[0] != '\0' ? c->lang : "default");
}

/*
 * The key file's one key judged for address and imported when it is
 * acceptable (lists/contact_key): contact add and contact key refuse the
 * same keys with the same messages.  HUBCTL_OK, or the failure printed.
 */
static int
key_accept(struct hubctl *h, const char *address, const char *keyfile,
    struct buf *b, struct contact_key_result *kr)
{
	switch (contact_key_accept(h->store, h->gpg, address, buf_data(b),
	    buf_len(b), kr)) {
	case CONTACT_KEY_OK:
		return HUBCTL_OK;
	case CONTACT_KEY_NO_KEY:
		return hubctl_fail(h, HUBCTL_ERROR, "key file %s: no OpenPGP "
		    "public key in it", keyfile);
	case CONTACT_KEY_NOT_ONE:
		return hubctl_fail(h, HUBCTL_ERROR, "key file %s holds %d keys, "
		    "expected one", keyfile, kr->nkeys);
	case CONTACT_KEY_NOT_IMPORTED:
		return hubctl_fail(h, HUBCTL_ERROR, "key file %s: the key was "
		    "not imported (unusable or malformed)", keyfile);
	case CONTACT_KEY_REFUSED:
		return hubctl_fail(h, HUBCTL_ERROR, "refused %s (%s): %s",
		    keyfile, kr->fpr, kr->why);
	case CONTACT_KEY_OWN_KEY:
		return hubctl_fail(h, HUBCTL_ERROR, "key %s is %s's own key, "
		    "never a contact's", kr->fpr, kr->owner);
	case CONTACT_KEY_STORE:
		return hubctl_store_fail(h, kr->store);
	case CONTACT_KEY_CRYPTO:
	default:
		if (kr->fpr[0] != '\0')
			return hubctl_fail(h, HUBCTL_ENV, "key %s: %s", kr->fpr,
			    crypto_status_str(kr->crypto));
		else
			return hubctl_fail(h, HUBCTL_ENV, "key file %s: %s",
			    keyfile, crypto_status_str(kr->crypto));
	}
}

/* Read a public key file; HUBCTL_OK or the failure printed. */
static int
key_read(struct hubctl *h, const char *keyfile, struct buf *b)
{
	if (fs_read_small(keyfile, b, KEYFILE_MAX) == -1)
		return hubctl_fail(h, HUBCTL_ERROR, "cannot read key file %s: "
		    "%s", keyfile, strerror(errno));
	/* a secret key has no business in the hub's keyring */
	if (memmem(buf_data(b), buf_len(b), "PRIVATE KEY BLOCK", 17) != NULL)
		return hubctl_fail(h, HUBCTL_ERROR, "key file %s holds a secret "
		    "key: give the contact's public key only", keyfile);
	return HUBCTL_OK;
}

static int
contact_add(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "team", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *team = NULL, *keyfile = NULL;
	struct contact_key_result kr;
	enum store_status st;
	struct contact c;
	struct buf *b = NULL;
	char grouped[64];
	int ch, rc;

	memset(&c, 0, sizeof c);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			team = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			c.name = optarg;
			break;
		default:
			hubctl_warn("contact add: unknown option "
			    "or missing value: %s", argv[optind - 1]);
			return hubctl_usage(cmd);
		}
	}
	if (argc - optind != 1 || team == NULL || keyfile == NULL) {
		if (argc - optind == 1)
			hubctl_warn("contact add: --team and "
			    "--key are required");
		return hubctl_usage(cmd);
	}
	if ((rc = hubctl_check_text(h, "address", argv[optind])) !=
	    HUBCTL_OK || (rc = hubctl_check_text(h, "--name", c.name)) !=
	    HUBCTL_OK)
		return rc;
	if (strlen(argv[optind]) >= sizeof c.address ||
	    strchr(argv[optind], '@') == NULL)
		return hubctl_fail(h, HUBCTL_ERROR, "bad address: %s",
		    argv[optind]);
	if (strlen(team) >= sizeof c.team)
		return hubctl_fail(h, HUBCTL_ERROR, "no such team: %s", team);
	snprintf(c.address, sizeof c.address, "%s", argv[optind]);
	lower(c.address);
	snprintf(c.team, sizeof c.team, "%s", team);
	b = buf_new(0);
	if ((rc = key_read(h, keyfile, b)) != HUBCTL_OK ||
	    (rc = hubctl_open(h)) != HUBCTL_OK)
		goto out;
	/* the team first: no key imported for a contact that cannot be */
	{
		struct team t;

		if ((st = store_team_get(h->store, team, &t)) != STORE_OK) {
			rc = hubctl_store_fail(h, st);
			goto out;
		}
		store_team_clear(&t);
	}
	if ((st = store_contact_get(h->store, c.address, &c)) == STORE_OK) {
		store_contact_clear(&c);
		rc = hubctl_fail(h, HUBCTL_ERROR, "contact already exists: %s",
		    c.address);
		goto out;
	} else if (st != STORE_NOT_FOUND) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	if ((rc = key_accept(h, c.address, keyfile, b, &kr)) != HUBCTL_OK)
		goto out;
	snprintf(c.fpr, sizeof c.fpr, "%s", kr.fpr);
	if ((st = store_contact_add(h->store, &c)) != STORE_OK) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	{
		struct contact stored;

		/* print the stored spelling of the team handle */
		if (store_contact_get(h->store, c.address, &stored) ==
		    STORE_OK) {
			memcpy(c.team, stored.team, sizeof c.team);
			store_contact_clear(&stored);
		}
	}
	fpr_grouped(c.fpr, grouped, sizeof grouped);
	out_map_begin(h->out);
	print_contact(h->out, &c);
	out_kstr(h->out, "fingerprint", grouped);
	out_kstr(h->out, "confirm", "read this fingerprint to the contact "
	    "over a channel you trust (phone, in person) before relying on "
	    "it");
	out_map_end(h->out);
	rc = HUBCTL_OK;
out:
	buf_free(b);
	return rc;
}

/*
 * contact key ADDRESS --key FILE: the same checks as contact add (the
 * key judged for the contact's address before anything is imported),
 * then the contact's fingerprint replaced, the old one kept in its key
 * history, audited.  The same key again is a refresh (a new expiry date
 * or user id): imported, audited, no history row.
 */
/*
 * contact key ADDRESS --held FPR: the key the contact mailed (the key
 * update command) that its current key did not certify, accepted once
 * the admin has confirmed FPR with the contact: the held key must be
 * that one (a later mail replaces a hold), and it is judged and imported
 * now, as --key FILE would be (it was kept out of the keyring).
 */
static int
key_from_hold(struct hubctl *h, const struct contact *c, const char *fpr,
    struct contact_key_result *kr)
{
	struct store_held_key held;
	enum store_status st;
	struct buf *b;
	char name[64 + MODEL_FPR_LEN];
	int rc;

	memset(kr, 0, sizeof *kr);
	if ((st = store_held_key_get(h->store, c->address, &held)) !=
	    STORE_OK)
		return st == STORE_NOT_FOUND ? hubctl_fail(h, HUBCTL_ERROR,
		    "%s has no held key (hubctl contact held lists them)",
		    c->address) : hubctl_store_fail(h, st);
	if (strcasecmp(held.fpr, fpr) != 0) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "the key held for %s is %s, "
		    "not %s: confirm that one with the contact", c->address,
		    held.fpr, fpr);
		store_held_key_clear(&held);
		return rc;
	}
	b = buf_new(0);
	buf_append_str(b, held.key != NULL ? held.key : "");
	snprintf(name, sizeof name, "the held key %s", held.fpr);
	rc = key_accept(h, c->address, name, b, kr);
	buf_free(b);
	store_held_key_clear(&held);
	return rc;
}

/* contact key ADDRESS --drop-held: the contact keeps its key. */
static int
drop_hold(struct hubctl *h, const struct contact *c)
{
	struct store_held_key held;
	enum store_status st;

	if ((st = store_held_key_get(h->store, c->address, &held)) !=
	    STORE_OK)
		return st == STORE_NOT_FOUND ? hubctl_fail(h, HUBCTL_ERROR,
		    "%s has no held key", c->address) :
		    hubctl_store_fail(h, st);
	if ((st = store_held_key_drop(h->store, c->address)) != STORE_OK) {
		store_held_key_clear(&held);
		return hubctl_store_fail(h, st);
	}
	out_map_begin(h->out);
	print_contact(h->out, c);
	out_kstr(h->out, "dropped_fpr", held.fpr);
	out_map_end(h->out);
	store_held_key_clear(&held);
	return HUBCTL_OK;
}

/*
 * contact key ADDRESS --key FILE: the same checks as contact add (the
 * key judged for the contact's address before anything is imported),
 * then the contact's fingerprint replaced, the old one kept in its key
 * history, audited.  The same key again is a refresh (a new expiry date
 * or user id): imported, audited, no history row.  --held FPR takes the
 * key the contact mailed instead, --drop-held refuses it.
 */
static int
contact_key(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "held", required_argument, NULL, 'H' },
		{ "drop-held", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyfile = NULL, *held_fpr = NULL;
	struct contact_key_result kr;
	enum store_status st;
	struct contact c;
	struct buf *b = NULL;
	char grouped[64], old[MODEL_FPR_LEN];
	bool changed, held = false, drop = false;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (ch == 'k') {
			keyfile = optarg;
			continue;
		}
		if (ch == 'H') {
			held = true;
			held_fpr = optarg;
			continue;
		}
		if (ch == 'D') {
			drop = true;
			continue;
		}
		hubctl_warn("contact key: unknown option or missing value: %s",
		    argv[optind - 1]);
		return hubctl_usage(cmd);
	}
	if (argc - optind != 1 || (keyfile != NULL) + held + drop != 1) {
		if (argc - optind == 1)
			hubctl_warn("contact key: one of --key FILE, --held FPR "
			    "or --drop-held is required");
		return hubctl_usage(cmd);
	}
	if ((rc = hubctl_check_text(h, "address", argv[optind])) != HUBCTL_OK)
		return rc;
	b = buf_new(0);
	if ((keyfile != NULL && (rc = key_read(h, keyfile, b)) != HUBCTL_OK) ||
	    (rc = hubctl_open(h)) != HUBCTL_OK)
		goto out;
	/* the contact first: no key imported for one that does not exist */
	if ((st = store_contact_get(h->store, argv[optind], &c)) != STORE_OK) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	if (drop) {
		rc = drop_hold(h, &c);
		store_contact_clear(&c);
		goto out;
	}
	memcpy(old, c.fpr, sizeof old);
	/* the contact's own revocation of its key: it proves itself, so it
	 * is taken though a revoked key is refused as a new one */
	if (keyfile != NULL && contact_key_revocation(h->gpg, c.address,
	    c.fpr, buf_data(b), buf_len(b), &kr) == CONTACT_KEY_OK) {
		out_map_begin(h->out);
		print_contact(h->out, &c);
		out_kstr(h->out, "revoked", c.fpr);
		out_kstr(h->out, "confirm", "the contact's key is revoked in "
		    "the keyring: mail signed by it is refused; give the "
		    "contact a new key with contact key --key");
		out_map_end(h->out);
		store_contact_clear(&c);
		rc = HUBCTL_OK;
		goto out;
	}
	if ((rc = held ? key_from_hold(h, &c, held_fpr, &kr) :
	    key_accept(h, c.address, keyfile, b, &kr)) != HUBCTL_OK) {
		store_contact_clear(&c);
		goto out;
	}
	if ((st = store_contact_set_key(h->store, c.address, kr.fpr,
	    &changed)) != STORE_OK) {
		store_contact_clear(&c);
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	snprintf(c.fpr, sizeof c.fpr, "%s", kr.fpr);
	fpr_grouped(c.fpr, grouped, sizeof grouped);
	out_map_begin(h->out);
	print_contact(h->out, &c);
	out_kstr(h->out, "fingerprint", grouped);
	out_kstr(h->out, "old_fpr", old);
	out_kbool(h->out, "replaced", changed);
	out_kstr(h->out, "confirm", changed ? "read this fingerprint to "
	    "the contact over a channel you trust (phone, in person) before "
	    "relying on it" : "the same key: its copy in the keyring was "
	    "refreshed (expiry, user ids)");
	out_map_end(h->out);
	store_contact_clear(&c);
	rc = HUBCTL_OK;
out:
	buf_free(b);
	return rc;
}

/* contact held: the keys contacts mailed that wait for an admin. */
static int
contact_held(struct hubctl *h, const struct hubctl_cmd *cmd, int argc)
{
	struct store_held_key *v;
	enum store_status st;
	char day[32];
	size_t i, n;
	int rc;

	if (argc != 1)
		return hubctl_usage(cmd);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_held_key_list(h->store, &v, &n)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		day_str(v[i].at, day, sizeof day);
		out_map_begin(h->out);
		out_kstr(h->out, "address", v[i].address);
		out_kstr(h->out, "held_fpr", v[i].fpr);
		out_kstr(h->out, "since", day);
		out_kstr(h->out, "by", v[i].actor);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	store_held_keys_free(v, n);
	return HUBCTL_OK;
}

/* The contact's own on/off settings (contact set, the mail commands). */
static void
print_flags(struct hubctl *h, const struct contact *c)
{
	bool on;

	out_kstr(h->out, "receipts", store_contact_flag(h->store, c->address,
	    STORE_FLAG_RECEIPTS, &on) != STORE_OK ? NULL : on ? "on" : "off");
	out_kstr(h->out, "copy", c->no_own_copy ? "off" : "on");
}

/*
 * contact set ADDRESS option=value ...: the contact's settings, one
 * audited change each, in the order given: lang=ja|en|default (the
 * language of the hub's mail to it; default follows community set
 * lang=), receipts=on|off (a signed receipt for each of its posts),
 * copy=on|off (a copy of its own posts); the member's own mail commands
 * "receipts on|off" and "copy on|off" set the same.
 */
/* 1 when arg is a setting contact set knows with a good value, else 0
 * with the complaint printed */
static int
setting_ok(const char *arg)
{
	const char *v = strchr(arg, '=');

	if (v != NULL && strncmp(arg, "lang=", 5) == 0) {
		if (strcmp(v + 1, "ja") == 0 || strcmp(v + 1, "en") == 0 ||
		    strcmp(v + 1, "default") == 0)
			return 1;
		hubctl_warn("contact set: bad value for lang: %s (ja, en or "
		    "default)", v + 1);
	} else if (v != NULL && (strncmp(arg, "receipts=", 9) == 0 ||
	    strncmp(arg, "copy=", 5) == 0)) {
		if (strcmp(v + 1, "on") == 0 || strcmp(v + 1, "off") == 0)
			return 1;
		hubctl_warn("contact set: bad value for %.*s: %s (on or off)",
		    (int)(v - arg), arg, v + 1);
	} else
		hubctl_warn("contact set: no such option: %s (lang=ja|en|"
		    "default, receipts=on|off, copy=on|off)", arg);
	return 0;
}

static int
contact_set(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv)
{
	enum store_status st;
	struct contact c;
	const char *v;
	int i, rc;

	if (argc < 3)
		return hubctl_usage(cmd);
	if ((rc = hubctl_check_text(h, "address", argv[1])) != HUBCTL_OK)
		return rc;
	/* every option checked before anything changes */
	for (i = 2; i < argc; i++)
		if (!setting_ok(argv[i]))
			return hubctl_usage(cmd);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	for (i = 2; i < argc; i++) {
		v = strchr(argv[i], '=') + 1;
		if (strncmp(argv[i], "lang=", 5) == 0)
			st = store_contact_set_lang(h->store, argv[1],
			    strcmp(v, "default") == 0 ? NULL : v);
		else
			st = store_contact_set_flag(h->store, argv[1],
			    strncmp(argv[i], "copy=", 5) == 0 ?
			    STORE_FLAG_OWN_COPY : STORE_FLAG_RECEIPTS,
			    strcmp(v, "on") == 0);
		if (st != STORE_OK)
			return hubctl_store_fail(h, st);
	}
	if ((st = store_contact_get(h->store, argv[1], &c)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_map_begin(h->out);
	print_contact(h->out, &c);
	print_lang(h->out, &c);
	print_flags(h, &c);
	out_map_end(h->out);
	store_contact_clear(&c);
	return HUBCTL_OK;
}

static int
contact_show(struct hubctl *h, const char *address)
{
	struct key_info *ki = NULL;
	enum store_status st;
	struct contact c;
	struct team t;
	char grouped[64], day[32], why[256];
	const char *state = "missing";

	if ((st = store_contact_get(h->store, address, &c)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_team_get(h->store, c.team, &t)) != STORE_OK) {
		store_contact_clear(&c);
		return hubctl_store_fail(h, st);
	}
	if (keys_lookup(h->gpg, c.fpr, &ki) == CRYPTO_OK)
		state = contact_key_judge(ki, c.address, (long long)hub_now(),
		    why, sizeof why) == KEYRULE_OK ? "usable" : why;
	fpr_grouped(c.fpr, grouped, sizeof grouped);
	out_map_begin(h->out);
	print_contact(h->out, &c);
	print_lang(h->out, &c);
	out_kstr(h->out, "team_state", team_state_str(t.state));
	print_flags(h, &c);
	out_kstr(h->out, "fingerprint", grouped);
	out_kstr(h->out, "key", state);
	if (ki != NULL && ki->expires > 0) {
		day_str(ki->expires, day, sizeof day);
		out_kstr(h->out, "key_expires", day);
	} else
		out_kstr(h->out, "key_expires", ki != NULL ? "never" : NULL);
	{
		struct store_key_change *hv;
		size_t i, hn;

		/* the keys replaced by contact key, oldest first */
		if (store_key_history(h->store, c.address, &hv, &hn) ==
		    STORE_OK) {
			out_key(h->out, "previous_keys");
			out_list_begin(h->out);
			for (i = 0; i < hn; i++) {
				day_str(hv[i].replaced, day, sizeof day);
				out_map_begin(h->out);
				out_kstr(h->out, "fpr", hv[i].fpr);
				out_kstr(h->out, "replaced", day);
				out_kstr(h->out, "by", hv[i].actor);
				out_map_end(h->out);
			}
			out_list_end(h->out);
			store_key_history_free(hv, hn);
		}
	}
	{
		struct store_held_key held;

		/* a key it mailed that waits for an admin */
		if (store_held_key_get(h->store, c.address, &held) ==
		    STORE_OK) {
			out_kstr(h->out, "held_key", held.fpr);
			store_held_key_clear(&held);
		} else
			out_kstr(h->out, "held_key", NULL);
	}
	out_map_end(h->out);
	key_info_free(ki);
	store_team_clear(&t);
	store_contact_clear(&c);
	return HUBCTL_OK;
}

static int
contact_ls(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "team", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *team = NULL;
	struct contact *v;
	enum store_status st;
	size_t i, n;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			team = optarg;
			break;
		default:
			hubctl_warn("contact ls: unknown option "
			    "or missing value: %s", argv[optind - 1]);
			return hubctl_usage(cmd);
		}
	}
	if (argc != optind)
		return hubctl_usage(cmd);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_contact_list(h->store, team, &v, &n)) != STORE_OK)
		return hubctl_store_fail(h, st);
	out_list_begin(h->out);
	for (i = 0; i < n; i++) {
		out_map_begin(h->out);
		print_contact(h->out, &v[i]);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	store_contacts_free(v, n);
	return HUBCTL_OK;
}

static int
contact_remove(struct hubctl *h, const char *address)
{
	enum store_status st;
	struct contact c;

	if ((st = store_contact_get(h->store, address, &c)) != STORE_OK)
		return hubctl_store_fail(h, st);
	if ((st = store_contact_remove(h->store, c.address)) != STORE_OK) {
		store_contact_clear(&c);
		return hubctl_store_fail(h, st);
	}
	out_map_begin(h->out);
	out_kstr(h->out, "address", c.address);
	out_kstr(h->out, "team", c.team);
	out_kbool(h->out, "removed", 1);
	out_map_end(h->out);
	store_contact_clear(&c);
	return HUBCTL_OK;
}

int
cmd_contact(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("contact");
	const char *verb;
	int rc;

	if (argc < 2 || hubctl_wants_help(argc, argv))
		return argc < 2 ? hubctl_usage(c) : hubctl_help(c);
	verb = argv[1];
	argc--;
	argv++;
	if (strcmp(verb, "add") == 0)
		return contact_add(h, c, argc, argv);
	if (strcmp(verb, "ls") == 0)
		return contact_ls(h, c, argc, argv);
	if (strcmp(verb, "key") == 0)
		return contact_key(h, c, argc, argv);
	if (strcmp(verb, "held") == 0)
		return contact_held(h, c, argc);
	if (strcmp(verb, "set") == 0)
		return contact_set(h, c, argc, argv);
	if (strcmp(verb, "show") != 0 && strcmp(verb, "remove") != 0) {
		hubctl_warn("contact: no such subcommand: %s", verb);
		return hubctl_usage(c);
	}
	if (argc != 2 || argv[1][0] == '-') {
		if (argc > 1 && argv[1][0] == '-')
			hubctl_warn("contact %s: unknown option: "
			    "%s", verb, argv[1]);
		return hubctl_usage(c);
	}
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if (strcmp(verb, "show") == 0)
		return contact_show(h, argv[1]);
	return contact_remove(h, argv[1]);
}
