/*
 * ctl_put: write records straight through lists/store and archive/archive,
 * past hubctl's checks, for tests/integration/108-hubctl-controls.sh:
 * what a store written before hubctl refused control characters holds,
 * and what the worker files from a stranger's mail; and for 031 a
 * contact whose key has expired since it was accepted (FPR).
 *
 *	ctl_put DATA_DIR team HANDLE NAME
 *	ctl_put DATA_DIR contact ADDRESS TEAM NAME [FPR]
 *	ctl_put DATA_DIR list NAME DESCRIPTION
 *	ctl_put DATA_DIR post ID TEAM SIGNER SUBJECT BODY DOMAIN CONTEXT
 *
 * post files a TLP:GREEN report ID ("ops:SOMETHING") to the list ops,
 * with the indicator DOMAIN (type domain) found in CONTEXT.  Values are
 * taken as octets, unchecked.  Exit 0, or 1 with a message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/archive.h"
#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "base/log.h"
#include "lists/model.h"
#include "lists/store.h"

static int
usage(void)
{
	fprintf(stderr, "usage: ctl_put DATA_DIR team HANDLE NAME\n"
	    "       ctl_put DATA_DIR contact ADDRESS TEAM NAME [FPR]\n"
	    "       ctl_put DATA_DIR list NAME DESCRIPTION\n"
	    "       ctl_put DATA_DIR post ID TEAM SIGNER SUBJECT BODY DOMAIN "
	    "CONTEXT\n");
	return 1;
}

static int
roster(struct gpg *g, const char *dir, int argc, char **argv)
{
	struct store_list l;
	struct contact c;
	struct team t;
	struct store *s;
	enum store_status st;

	if ((st = store_open(dir, g, &s)) != STORE_OK) {
		fprintf(stderr, "ctl_put: store: %s\n", store_status_str(st));
		return 1;
	}
	store_set_actor(s, "ctl_put");
	if (strcmp(argv[0], "team") == 0 && argc == 3) {
		memset(&t, 0, sizeof t);
		snprintf(t.handle, sizeof t.handle, "%s", argv[1]);
		t.name = argv[2];
		t.kind = TEAM_KIND_MEMBER;
		t.state = TEAM_ACTIVE;
		st = store_team_add(s, &t);
	} else if (strcmp(argv[0], "contact") == 0 &&
	    (argc == 4 || argc == 5)) {
		memset(&c, 0, sizeof c);
		snprintf(c.address, sizeof c.address, "%s", argv[1]);
		snprintf(c.team, sizeof c.team, "%s", argv[2]);
		/* without FPR a fingerprint no key has: the record alone */
		snprintf(c.fpr, sizeof c.fpr, "%s", argc == 5 ? argv[4] :
		    "0123456789ABCDEF0123456789ABCDEF01234567");
		c.name = argv[3];
		st = store_contact_add(s, &c);
	} else if (strcmp(argv[0], "list") == 0 && argc == 3) {
		memset(&l, 0, sizeof l);
		snprintf(l.l.name, sizeof l.l.name, "%s", argv[1]);
		snprintf(l.l.subject_tag, sizeof l.l.subject_tag, "[%s]",
		    argv[1]);
		l.l.description = argv[2];
		l.l.default_tlp = TLP_AMBER;
		l.l.may_post = POST_MEMBERS;
		st = store_list_create(s, &l);
	} else {
		store_close(s);
		return usage();
	}
	if (st != STORE_OK)
		fprintf(stderr, "ctl_put: %s\n", store_errmsg(s));
	store_close(s);
	return st == STORE_OK ? 0 : 1;
}

static int
post(struct gpg *g, const char *dir, char **argv)
{
	struct archive_record r;
	struct archive_ind ind;
	struct archive *a;
	enum archive_status st;
	char *audience[1];
	bool added;

	if ((st = archive_open(dir, g, true, &a)) != ARCHIVE_OK) {
		fprintf(stderr, "ctl_put: archive: %s\n",
		    archive_status_str(st));
		return 1;
	}
	memset(&r, 0, sizeof r);
	memset(&ind, 0, sizeof ind);
	snprintf(r.id, sizeof r.id, "%s", argv[1]);
	r.list = (char *)"ops";
	r.team = argv[2];
	r.contact = argv[3];
	r.signer_fpr = (char *)"0123456789ABCDEF0123456789ABCDEF01234567";
	r.tlp = TLP_GREEN;
	r.at = (long long)time(NULL);
	r.subject = argv[4];
	r.body = argv[5];
	r.body_len = strlen(argv[5]);
	ind.type = IND_DOMAIN;
	ind.value = argv[6];
	ind.context = argv[7];
	r.inds = &ind;
	r.ninds = 1;
	audience[0] = argv[3];
	r.audience = audience;
	r.naudience = 1;
	st = archive_add_post(a, &r, &added);
	if (st != ARCHIVE_OK)
		fprintf(stderr, "ctl_put: %s\n", archive_errmsg(a));
	archive_close(a);
	return st == ARCHIVE_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	enum crypto_status cst;
	struct gpg *g;
	char home[4096];
	int rc;

	log_init("ctl_put", LOG_TO_STDERR, 0);
	if (argc < 3)
		return usage();
	snprintf(home, sizeof home, "%s/%s", argv[1], STORE_GNUPG_DIR);
	if ((cst = gpg_open(home, &g)) != CRYPTO_OK) {
		fprintf(stderr, "ctl_put: keyring %s: %s\n", home,
		    crypto_status_str(cst));
		return 1;
	}
	if (strcmp(argv[2], "post") == 0)
		rc = argc == 10 ? post(g, argv[1], argv + 2) : usage();
	else
		rc = roster(g, argv[1], argc - 2, argv + 2);
	gpg_close(g);
	return rc;
}
