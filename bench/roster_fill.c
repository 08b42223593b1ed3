/*
 * roster_fill: bench/relay's bulk roster for N = 2 000 and 10 000
 * subscribers.  hubctl adds one team, one contact and one subscription
 * per run (three processes, each opening the store and the keyring, and
 * a scratch keyring per key inspected): hours for ten thousand.  This
 * imports every public key in one GPGME call and adds the teams,
 * contacts and subscriptions through the store's own functions, so the
 * hub sees what hubctl would have written (same tables, same checks in
 * the store) -- except hubctl's key inspection, which the bench's own
 * freshly made keys do not need.  Benchmark use only: never installed.
 *
 *	roster_fill DATA_DIR LIST KEYS.gpg ROSTER.tsv
 *
 * KEYS.gpg: the public keys (binary or armored); ROSTER.tsv: one line
 * per contact, "FPR<TAB>ADDRESS<TAB>TEAM", each made an active member
 * team with one contact, subscribed to LIST (which must exist) as a
 * member (a team or contact already in the store is only subscribed).
 * Prints how many it subscribed; exit 0, or 1 with the reason.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "lists/model.h"
#include "lists/store.h"

int
main(int argc, char **argv)
{
	struct key_import *ir = NULL;
	struct store *s = NULL;
	struct gpg *g = NULL;
	struct buf *keys;
	enum store_status st;
	char home[4096], line[1024];
	size_t n = 0;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: roster_fill DATA_DIR LIST KEYS.gpg "
		    "ROSTER.tsv\n");
		return 1;
	}
	log_init("roster_fill", LOG_TO_STDERR, 0);
	snprintf(home, sizeof home, "%s/%s", argv[1], STORE_GNUPG_DIR);
	if (gpg_open(home, &g) != CRYPTO_OK) {
		fprintf(stderr, "roster_fill: cannot open %s\n", home);
		return 1;
	}
	keys = buf_new(0);
	if (fs_read_small(argv[3], keys, 1U << 30) == -1 ||
	    keys_import(g, buf_data(keys), buf_len(keys), &ir) != CRYPTO_OK) {
		fprintf(stderr, "roster_fill: cannot import %s\n", argv[3]);
		return 1;
	}
	buf_free(keys);
	key_import_free(ir);
	if ((st = store_open(argv[1], g, &s)) != STORE_OK) {
		fprintf(stderr, "roster_fill: store: %s\n",
		    store_status_str(st));
		return 1;
	}
	store_set_actor(s, "bench/roster_fill");
	if ((f = fopen(argv[4], "r")) == NULL) {
		fprintf(stderr, "roster_fill: cannot read %s\n", argv[4]);
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		struct team t;
		struct contact c;
		struct subscription sub;
		char *fpr, *addr, *team, *save = NULL;

		line[strcspn(line, "\r\n")] = '\0';
		if ((fpr = strtok_r(line, "\t", &save)) == NULL ||
		    (addr = strtok_r(NULL, "\t", &save)) == NULL ||
		    (team = strtok_r(NULL, "\t", &save)) == NULL)
			continue;
		memset(&t, 0, sizeof t);
		snprintf(t.handle, sizeof t.handle, "%s", team);
		t.name = team;
		t.kind = TEAM_KIND_MEMBER;
		t.state = TEAM_ACTIVE;
		memset(&c, 0, sizeof c);
		snprintf(c.address, sizeof c.address, "%s", addr);
		snprintf(c.fpr, sizeof c.fpr, "%s", fpr);
		snprintf(c.team, sizeof c.team, "%s", team);
		c.name = addr;
		memset(&sub, 0, sizeof sub);
		snprintf(sub.list, sizeof sub.list, "%s", argv[2]);
		snprintf(sub.contact, sizeof sub.contact, "%s", addr);
		sub.role = ROLE_MEMBER;
		sub.clearance = TLP_NONE;
		/* a contact already there (another list of the same run)
		 * is only subscribed */
		if (((st = store_team_add(s, &t)) != STORE_OK &&
		    st != STORE_EXISTS) ||
		    ((st = store_contact_add(s, &c)) != STORE_OK &&
		    st != STORE_EXISTS) ||
		    (st = store_subscribe(s, &sub)) != STORE_OK) {
			fprintf(stderr, "roster_fill: %s: %s (%s)\n", addr,
			    store_status_str(st), store_errmsg(s));
			fclose(f);
			store_close(s);
			gpg_close(g);
			return 1;
		}
		n++;
	}
	fclose(f);
	store_close(s);
	gpg_close(g);
	printf("roster_fill: %zu contacts subscribed to %s\n", n, argv[2]);
	return 0;
}
