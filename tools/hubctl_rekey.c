/*
 * hubctl list rekey: a new key for a list (hubctl(8)).
 *
 * The new key is made as list create makes one (ed25519/cv25519, no
 * expiry), certified by the old key, and made the list's key in the
 * store, the old one kept as retired with the end of its grace: the
 * worker still reads mail encrypted to it until then (hub/job.c) and
 * refuses it after (not-encrypted-to-list).  hubctl cannot stage signed
 * mail into the spool (the worker's user owns the outgoing set), so the
 * announcement is left in the store: the worker's upkeep (hub/upkeep.c)
 * sends each subscriber a notice signed with the old key, encrypted to
 * the subscriber, carrying the new public key with the old key's
 * certification.  The old secret key stays in the keyring.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/id.h"
#include "base/xalloc.h"
#include "crypto/crypto.h"
#include "crypto/keys.h"
#include "hub/conf.h"
#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

#define GRACE_DEFAULT_DAYS	30
#define GRACE_MAX_DAYS		3650

int
hubctl_list_rekey(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "grace", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	struct key_info *ki = NULL;
	enum crypto_status cst;
	enum store_status st;
	struct store_list l;
	char nfpr[MODEL_FPR_LEN], ofpr[MODEL_FPR_LEN], day[32], *uid = NULL;
	const char *name;
	long long grace = GRACE_DEFAULT_DAYS, until;
	char *end;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (ch == 'g') {
			errno = 0;
			grace = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    grace < 0 || grace > GRACE_MAX_DAYS)
				return hubctl_fail(h, HUBCTL_USAGE, "bad --grace: "
				    "%s (days, 0-%d)", optarg, GRACE_MAX_DAYS);
			continue;
		}
		hubctl_warn("list rekey: unknown option or missing value: %s",
		    argv[optind - 1]);
		return hubctl_usage(cmd);
	}
	if (argc - optind != 1)
		return hubctl_usage(cmd);
	name = argv[optind];
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = store_list_get(h->store, name, &l)) != STORE_OK)
		return hubctl_store_fail(h, st);
	/* the old key must sign the new one and the announcement */
	if (l.fpr[0] == '\0' || (cst = keys_lookup(h->gpg, l.fpr, &ki)) !=
	    CRYPTO_OK || !ki->has_secret || !keys_can_sign(ki)) {
		rc = hubctl_fail(h, HUBCTL_ENV, "list %s: its key %s cannot "
		    "sign in the hub keyring (missing, no secret key, expired "
		    "or revoked)", name, l.fpr[0] != '\0' ? l.fpr : "(none)");
		goto out;
	}
	uid = xasprintf("%s <%s@%s>", l.l.name, l.l.name, h->cfg->domain);
	if ((cst = keys_generate(h->gpg, uid, KEYS_NO_EXPIRY, nfpr)) !=
	    CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot generate the new key "
		    "of list %s: %s", name, crypto_status_str(cst));
		goto out;
	}
	if ((cst = keys_certify(h->gpg, l.fpr, nfpr)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "list %s: the old key %s "
		    "cannot certify the new key %s: %s", name, l.fpr, nfpr,
		    crypto_status_str(cst));
		goto drop;
	}
	until = (long long)hub_now() + grace * 86400;
	if ((st = store_list_rekey(h->store, l.l.name, nfpr, until, ofpr)) !=
	    STORE_OK) {
		rc = hubctl_store_fail(h, st);
		goto drop;
	}
	hub_utc(until, HUB_UTC_DAY, day, sizeof day);
	out_map_begin(h->out);
	out_kstr(h->out, "name", l.l.name);
	out_kstr(h->out, "fpr", nfpr);
	out_kstr(h->out, "old_fpr", ofpr);
	out_kbool(h->out, "certified_by_old", 1);
	out_kint(h->out, "grace_days", grace);
	out_kint(h->out, "grace_until", until);
	out_kstr(h->out, "grace_ends", day);
	/* no reload: a worker reads the store on its next turn */
	out_kstr(h->out, "announcement", "queued: hubd's worker mails the "
	    "new key, signed with the old one, to every subscriber");
	out_map_end(h->out);
	rc = HUBCTL_OK;
	goto out;
drop:
	/* a key that never became the list's goes again */
	if ((cst = keys_delete(h->gpg, nfpr)) != CRYPTO_OK)
		hubctl_warn("new key %s left in the hub keyring: %s", nfpr,
		    crypto_status_str(cst));
out:
	free(uid);
	key_info_free(ki);
	store_list_clear(&l);
	return rc;
}
