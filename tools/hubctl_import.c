/*
 * hubctl list import: a list made around an existing list key, with the
 * subscribers of a Schleuder list (or a gpg-remailer's), so a community
 * moves to the hub without its members learning a new key (hubctl(8)).
 *
 * The sources, as Schleuder 4 lays them out (schleuder(8), its
 * list-dir and database settings in schleuder.yml):
 *  - the list directory LISTS_DIR/DOMAIN/LOCALPART is the list's GnuPG
 *    home: the subscribers' public keys (and the list's secret key, which
 *    the admin exports to the --key file);
 *  - the subscriptions are rows of the SQLite database (database
 *    "production", by default /var/lib/schleuder/db.sqlite, next to the
 *    lists directory): subscriptions(email, fingerprint, admin,
 *    delivery_enabled) joined to lists(email, fingerprint);
 *  - or, without database access, the text "schleuder-cli subscriptions
 *    list LIST" prints: EMAIL TAB FINGERPRINT|N/A TAB [admin] TAB
 *    [Delivery disabled!] per line (--subscribers FILE).
 *
 * The list key goes through the checks a list key gets anywhere: one key
 * with its secret part, able to sign and encrypt, not expired or
 * revoked, not the hub's, another list's or a contact's; a key refused
 * after gpg took it is removed again.  Each subscriber then goes through
 * what contact add and subscribe use (lists/contact_key, the store), one
 * audited transaction each; one that cannot be imported is reported
 * with why and the others go on.  Schleuder has no teams: each
 * subscriber joins the team named by its mail domain (made, active, when
 * missing), or the one --team names.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlcipher/sqlite3.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "hub/conf.h"
#include "lists/contact_key.h"
#include "lists/model.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/out.h"

#define KEYFILE_MAX	(1 << 20)
#define SUBFILE_MAX	(8 << 20)
#define SCHLEUDER_DB	"db.sqlite"

struct src_sub {
	char		*address;
	char		 fpr[MODEL_FPR_LEN];	/* "" when none recorded */
	bool		 admin;			/* a Schleuder list admin */
	bool		 enabled;		/* delivery */
	/* the outcome */
	char		 team[MODEL_HANDLE_MAX];
	const char	*result;		/* imported|subscribed|refused */
	char		*why;
};

struct import {
	const char	*name;
	const char	*keyfile;
	const char	*schleuder;	/* list dir */
	const char	*schleuder_db;
	const char	*subscribers;
	const char	*keyring;
	const char	*team;
	char		*from;		/* the Schleuder list's address */
	char		 from_fpr[MODEL_FPR_LEN];
	struct src_sub	*v;
	size_t		 n;
	char		**teams_made;
	size_t		 nteams_made;
};

static void
upper_fpr(char *dst, const char *src)
{
	size_t i;

	if (src[0] == '0' && (src[1] == 'x' || src[1] == 'X'))
		src += 2;
	for (i = 0; src[i] != '\0' && i + 1 < MODEL_FPR_LEN; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'f' ?
		    src[i] - 'a' + 'A' : src[i]);
	dst[i] = '\0';
	if (src[i] != '\0' || !gpg_is_fpr(dst))
		dst[0] = '\0';
}

static void
sub_add(struct import *im, const char *address, const char *fpr,
    bool admin, bool enabled)
{
	struct src_sub *s;
	size_t i;

	im->v = xreallocarray(im->v, im->n + 1, sizeof *im->v);
	s = &im->v[im->n++];
	memset(s, 0, sizeof *s);
	s->address = xstrdup(address);
	for (i = 0; s->address[i] != '\0'; i++)
		if (s->address[i] >= 'A' && s->address[i] <= 'Z')
			s->address[i] = (char)(s->address[i] - 'A' + 'a');
	if (fpr != NULL)
		upper_fpr(s->fpr, fpr);
	s->admin = admin;
	s->enabled = enabled;
}

static void
import_clear(struct import *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		free(im->v[i].address);
		free(im->v[i].why);
	}
	free(im->v);
	for (i = 0; i < im->nteams_made; i++)
		free(im->teams_made[i]);
	free(im->teams_made);
	free(im->from);
}

/*
 * "schleuder-cli subscriptions list" text: tab-separated email,
 * fingerprint (or N/A), "admin" or "", "Delivery disabled!" or "".
 * A line of a gpg-remailer's may have spaces and the address alone;
 * '#' starts a comment.
 */
static int
read_subscribers(struct hubctl *h, struct import *im)
{
	struct buf *b = buf_new(0);
	char *text, *line, *next, *f[4], *p;
	int nf, lineno = 0;

	if (fs_read_small(im->subscribers, b, SUBFILE_MAX) == -1) {
		buf_free(b);
		return hubctl_fail(h, HUBCTL_ERROR, "cannot read %s: %s",
		    im->subscribers, strerror(errno));
	}
	text = xstrdup(buf_data(b));
	buf_free(b);
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		nf = 0;
		for (p = line; nf < 4;) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				p++;
			if (*p == '\0')
				break;
			f[nf++] = p;
			/* "Delivery disabled!" is one field with a space */
			if (nf == 4 || strncmp(p, "Delivery disabled", 17) == 0) {
				p += strcspn(p, "\t\r");
			} else
				p += strcspn(p, " \t\r");
			if (*p != '\0')
				*p++ = '\0';
		}
		if (nf == 0)
			continue;
		if (hubctl_check_text(h, "subscriber", f[0]) != HUBCTL_OK) {
			free(text);
			return HUBCTL_ERROR;
		}
		{
			bool admin = false, enabled = true;
			int k;

			for (k = 2; k < nf; k++) {
				if (strcmp(f[k], "admin") == 0)
					admin = true;
				else if (strncmp(f[k], "Delivery disabled",
				    17) == 0)
					enabled = false;
				else {
					int rc = hubctl_fail(h, HUBCTL_ERROR,
					    "%s:%d: unknown field: %s",
					    im->subscribers, lineno, f[k]);

					free(text);
					return rc;
				}
			}
			sub_add(im, f[0], nf > 1 && strcmp(f[1], "N/A") != 0 ?
			    f[1] : NULL, admin, enabled);
		}
	}
	free(text);
	return HUBCTL_OK;
}

/* The list's address from its Schleuder directory LISTS_DIR/DOMAIN/LOCAL,
 * and the database's default place, LISTS_DIR/../db.sqlite. */
static int
schleuder_paths(struct hubctl *h, struct import *im, char **db)
{
	char *d = xstrdup(im->schleuder), *local, *domain, *p;
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	if ((p = strrchr(d, '/')) == NULL || p == d) {
		free(d);
		return hubctl_fail(h, HUBCTL_ERROR, "%s: not a Schleuder list "
		    "directory (LISTS_DIR/DOMAIN/LOCALPART)", im->schleuder);
	}
	local = p + 1;
	*p = '\0';
	if ((p = strrchr(d, '/')) == NULL) {
		free(d);
		return hubctl_fail(h, HUBCTL_ERROR, "%s: not a Schleuder list "
		    "directory (LISTS_DIR/DOMAIN/LOCALPART)", im->schleuder);
	}
	domain = p + 1;
	*p = '\0';
	im->from = xasprintf("%s@%s", local, domain);
	if ((p = strrchr(d, '/')) != NULL)
		*p = '\0';
	*db = im->schleuder_db != NULL ? xstrdup(im->schleuder_db) :
	    xasprintf("%s/%s", d[0] != '\0' ? d : "", SCHLEUDER_DB);
	free(d);
	return HUBCTL_OK;
}

/* The list's fingerprint and, unless --subscribers gave them, its
 * subscriptions from Schleuder's database (read only). */
static int
read_schleuder(struct hubctl *h, struct import *im)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	char *path = NULL;
	const char *t;
	int rc, found = 0;

	if ((rc = schleuder_paths(h, im, &path)) != HUBCTL_OK)
		return rc;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "SELECT fingerprint FROM "
	    "lists WHERE email = ?", -1, &stmt, NULL) != SQLITE_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "Schleuder database %s: %s "
		    "(--schleuder-db FILE gives its place)", path,
		    db != NULL ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, im->from, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		found = 1;
		if ((t = (const char *)sqlite3_column_text(stmt, 0)) != NULL)
			upper_fpr(im->from_fpr, t);
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (!found) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "Schleuder database %s has "
		    "no list %s", path, im->from);
		goto out;
	}
	rc = HUBCTL_OK;
	if (im->subscribers != NULL)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT s.email, s.fingerprint, s.admin, "
	    "s.delivery_enabled FROM subscriptions s JOIN lists l ON "
	    "s.list_id = l.id WHERE l.email = ? ORDER BY s.email", -1, &stmt,
	    NULL) != SQLITE_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "Schleuder database %s: %s",
		    path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(stmt, 1, im->from, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(stmt, 0);
		if (t == NULL)
			continue;
		if ((rc = hubctl_check_text(h, "subscriber", t)) != HUBCTL_OK)
			goto out;
		/* a NULL delivery_enabled is Schleuder's default: true */
		sub_add(im, t, (const char *)sqlite3_column_text(stmt, 1),
		    sqlite3_column_int(stmt, 2) != 0,
		    sqlite3_column_type(stmt, 3) == SQLITE_NULL ||
		    sqlite3_column_int(stmt, 3) != 0);
	}
out:
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	return rc;
}

/* Remove a key this command imported and then refused. */
static void
unimport(struct hubctl *h, const char *fpr, bool fresh)
{
	enum crypto_status cst;

	if (fresh && (cst = keys_delete(h->gpg, fpr)) != CRYPTO_OK)
		hubctl_warn("key %s left in the hub keyring: %s", fpr,
		    crypto_status_str(cst));
}

/*
 * The secret list key into the hub keyring, judged as a list key:
 * HUBCTL_OK with its fingerprint in fpr (and *fresh when this import
 * added it), or the failure printed and nothing left behind.
 */
static int
import_key(struct hubctl *h, struct import *im, char fpr[MODEL_FPR_LEN],
    bool *fresh)
{
	char owner[MODEL_LIST_MAX + 32], why[MODEL_ADDR_MAX + 64];
	struct key_import *r = NULL;
	struct key_info *ki = NULL;
	struct contact *cv = NULL;
	enum crypto_status cst;
	enum store_status st;
	struct buf *b = buf_new(0);
	size_t i, cn = 0;
	int rc = HUBCTL_ERROR;

	*fresh = false;
	why[0] = '\0';
	if (fs_read_small(im->keyfile, b, KEYFILE_MAX) == -1) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "cannot read key file %s: %s",
		    im->keyfile, strerror(errno));
		goto out;
	}
	if (memmem(buf_data(b), buf_len(b), "PRIVATE KEY BLOCK", 17) == NULL) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "key file %s holds no secret "
		    "key: give the list's secret key (gpg --homedir LISTDIR "
		    "--export-secret-keys --armor FPR)", im->keyfile);
		goto out;
	}
	if ((cst = keys_import(h->gpg, buf_data(b), buf_len(b), &r)) !=
	    CRYPTO_OK) {
		rc = hubctl_fail(h, cst == CRYPTO_MALFORMED ? HUBCTL_ERROR :
		    HUBCTL_ENV, "key file %s: %s", im->keyfile,
		    crypto_status_str(cst));
		goto out;
	}
	/* a secret key is listed twice (public and secret part) */
	for (i = 1; i < r->nitems; i++)
		if (strcasecmp(r->items[i].fpr, r->items[0].fpr) != 0)
			break;
	if (r->nitems == 0 || i < r->nitems || r->considered != 1) {
		for (i = 0; i < r->nitems; i++)
			unimport(h, r->items[i].fpr, r->items[i].is_new &&
			    !r->items[i].secret);
		rc = hubctl_fail(h, HUBCTL_ERROR, "key file %s holds %d keys, "
		    "expected the list's one", im->keyfile, r->considered);
		goto out;
	}
	snprintf(fpr, MODEL_FPR_LEN, "%s", r->items[0].fpr);
	/* removable on refusal only when the public key came with this
	 * file: a key the keyring held already (a contact's) stays */
	for (i = 0; i < r->nitems; i++)
		if (r->items[i].is_new && !r->items[i].secret)
			*fresh = true;
	if ((cst = keys_lookup(h->gpg, fpr, &ki)) != CRYPTO_OK) {
		unimport(h, fpr, *fresh);
		rc = hubctl_fail(h, HUBCTL_ENV, "key %s: %s", fpr,
		    crypto_status_str(cst));
		goto out;
	}
	if (!ki->has_secret)
		snprintf(why, sizeof why, "its secret key was not imported");
	else if (ki->revoked)
		snprintf(why, sizeof why, "it is revoked");
	else if (ki->expired)
		snprintf(why, sizeof why, "it has expired");
	else if (!keys_can_sign(ki))
		snprintf(why, sizeof why, "it cannot sign");
	else if (!keys_can_encrypt(ki))
		snprintf(why, sizeof why, "it has no encryption subkey");
	else if (im->from_fpr[0] != '\0' && strcmp(im->from_fpr, fpr) != 0)
		snprintf(why, sizeof why, "it is not the key of Schleuder list "
		    "%s (%s)", im->from, im->from_fpr);
	else if ((st = store_own_key(h->store, fpr, owner, sizeof owner)) ==
	    STORE_OK)
		snprintf(why, sizeof why, "it is %s's own key", owner);
	else if (st != STORE_NOT_FOUND) {
		unimport(h, fpr, *fresh);
		rc = hubctl_store_fail(h, st);
		goto out;
	} else if ((st = store_contact_list(h->store, NULL, &cv, &cn)) !=
	    STORE_OK) {
		unimport(h, fpr, *fresh);
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	for (i = 0; i < cn && why[0] == '\0'; i++)
		if (strcasecmp(cv[i].fpr, fpr) == 0)
			snprintf(why, sizeof why, "it is the key of contact %s",
			    cv[i].address);
	if (why[0] != '\0') {
		/* only a key this import brought is removed: never one the
		 * hub already used */
		unimport(h, fpr, *fresh);
		rc = hubctl_fail(h, HUBCTL_ERROR, "refused list key %s: %s",
		    fpr, why);
		goto out;
	}
	rc = HUBCTL_OK;
out:
	store_contacts_free(cv, cn);
	key_info_free(ki);
	key_import_free(r);
	buf_free(b);
	return rc;
}

/* Has the key a valid user id with the address name@domain? */
static bool
key_has_email(struct hubctl *h, const char *fpr, const char *name)
{
	struct key_info *ki = NULL;
	char *addr = xasprintf("%s@%s", name, h->cfg->domain);
	bool yes = false;
	size_t i;

	if (keys_lookup(h->gpg, fpr, &ki) == CRYPTO_OK)
		for (i = 0; i < ki->nuids && !yes; i++)
			yes = !ki->uids[i].revoked && !ki->uids[i].invalid &&
			    strcasecmp(ki->uids[i].email, addr) == 0;
	key_info_free(ki);
	free(addr);
	return yes;
}

static const char *
key_refusal(enum contact_key_status cs, const struct contact_key_result *kr,
    char *dst, size_t size)
{
	switch (cs) {
	case CONTACT_KEY_OK:
		return NULL;
	case CONTACT_KEY_NO_KEY:
		snprintf(dst, size, "no OpenPGP key exported");
		break;
	case CONTACT_KEY_NOT_ONE:
		snprintf(dst, size, "%d keys, expected one", kr->nkeys);
		break;
	case CONTACT_KEY_NOT_IMPORTED:
		snprintf(dst, size, "the key was not imported (unusable or "
		    "malformed)");
		break;
	case CONTACT_KEY_REFUSED:
		snprintf(dst, size, "key refused: %s", kr->why);
		break;
	case CONTACT_KEY_OWN_KEY:
		snprintf(dst, size, "key %s is %s's own key, never a "
		    "contact's", kr->fpr, kr->owner);
		break;
	case CONTACT_KEY_STORE:
		snprintf(dst, size, "store: %s", store_status_str(kr->store));
		break;
	case CONTACT_KEY_CRYPTO:
	default:
		snprintf(dst, size, "gpg: %s", crypto_status_str(kr->crypto));
		break;
	}
	return dst;
}

/*
 * The team a subscriber joins: --team, or the one named by its mail
 * domain.  NULL with s->team set (*make when it is to be made), or why
 * not.  Nothing is made here: a team is made only for a subscriber whose
 * key was accepted (make_team()).
 */
static const char *
sub_team(struct hubctl *h, struct import *im, struct src_sub *s,
    enum team_kind *kind, bool *make, char *why, size_t size)
{
	const char *handle = im->team;
	enum store_status st;
	struct team t;

	*make = false;
	if (handle == NULL) {
		handle = strrchr(s->address, '@') + 1;
		if (!store_valid_handle(handle)) {
			snprintf(why, size, "mail domain %s is no team handle "
			    "(give --team)", handle);
			return why;
		}
	}
	if ((st = store_team_get(h->store, handle, &t)) == STORE_OK) {
		snprintf(s->team, sizeof s->team, "%s", t.handle);
		*kind = t.kind;
		store_team_clear(&t);
		return NULL;
	}
	if (st != STORE_NOT_FOUND || im->team != NULL) {
		snprintf(why, size, "%s", store_errmsg(h->store));
		return why;
	}
	snprintf(s->team, sizeof s->team, "%s", handle);
	*kind = TEAM_KIND_MEMBER;
	*make = true;
	return NULL;
}

/* The member team s->team, active: the Schleuder list admitted its
 * people already, the community goes on as it was (hubctl team suspend
 * is there to revisit it).  NULL, or why not. */
static const char *
make_team(struct hubctl *h, struct import *im, struct src_sub *s, char *why,
    size_t size)
{
	struct team t;

	memset(&t, 0, sizeof t);
	snprintf(t.handle, sizeof t.handle, "%s", s->team);
	t.name = s->team;
	t.kind = TEAM_KIND_MEMBER;
	t.state = TEAM_ACTIVE;
	if (store_team_add(h->store, &t) != STORE_OK) {
		snprintf(why, size, "%s", store_errmsg(h->store));
		return why;
	}
	im->teams_made = xreallocarray(im->teams_made, im->nteams_made + 1,
	    sizeof *im->teams_made);
	im->teams_made[im->nteams_made++] = xstrdup(t.handle);
	return NULL;
}

/* One subscriber: contact (or the existing one with the same key),
 * subscription, delivery.  NULL, or why it was not imported. */
static const char *
import_sub(struct hubctl *h, struct import *im, struct gpg *src,
    struct src_sub *s, char *why, size_t size)
{
	struct contact_key_result kr;
	enum contact_key_status cs;
	struct subscription sub;
	enum crypto_status cst;
	enum store_status st;
	enum team_kind kind = TEAM_KIND_MEMBER;
	struct contact c;
	struct buf *b;
	const char *r;
	bool make;

	if (strchr(s->address, '@') == NULL ||
	    strlen(s->address) >= sizeof c.address) {
		snprintf(why, size, "bad address");
		return why;
	}
	if (s->fpr[0] == '\0') {
		snprintf(why, size, "no key fingerprint recorded");
		return why;
	}
	s->result = "subscribed";
	if ((st = store_contact_get(h->store, s->address, &c)) == STORE_OK) {
		/* already on the hub: with this key it is the same person */
		snprintf(s->team, sizeof s->team, "%s", c.team);
		if (strcasecmp(c.fpr, s->fpr) != 0) {
			snprintf(why, size, "contact exists with key %s (hubctl "
			    "contact key replaces it)", c.fpr);
			store_contact_clear(&c);
			return why;
		}
		store_contact_clear(&c);
		{
			struct team t;

			if (store_team_get(h->store, s->team, &t) == STORE_OK) {
				kind = t.kind;
				store_team_clear(&t);
			}
		}
	} else if (st != STORE_NOT_FOUND) {
		snprintf(why, size, "%s", store_errmsg(h->store));
		return why;
	} else {
		if (src == NULL) {
			snprintf(why, size, "no keyring to take its key from "
			    "(--keyring DIR)");
			return why;
		}
		b = buf_new(0);
		if ((cst = keys_export(src, s->fpr, 1, b)) != CRYPTO_OK) {
			buf_free(b);
			snprintf(why, size, "key %s not in the keyring %s: %s",
			    s->fpr, im->keyring, crypto_status_str(cst));
			return why;
		}
		if ((r = sub_team(h, im, s, &kind, &make, why, size)) !=
		    NULL) {
			buf_free(b);
			return r;
		}
		cs = contact_key_accept(h->store, h->gpg, s->address,
		    buf_data(b), buf_len(b), &kr);
		buf_free(b);
		if ((r = key_refusal(cs, &kr, why, size)) != NULL ||
		    (make && (r = make_team(h, im, s, why, size)) != NULL)) {
			if (make)	/* not made: joins no team */
				s->team[0] = '\0';
			return r;
		}
		memset(&c, 0, sizeof c);
		snprintf(c.address, sizeof c.address, "%s", s->address);
		snprintf(c.fpr, sizeof c.fpr, "%s", kr.fpr);
		snprintf(c.team, sizeof c.team, "%s", s->team);
		if ((st = store_contact_add(h->store, &c)) != STORE_OK) {
			snprintf(why, size, "%s", store_errmsg(h->store));
			return why;
		}
		s->result = "imported";
	}
	memset(&sub, 0, sizeof sub);
	snprintf(sub.list, sizeof sub.list, "%s", im->name);
	snprintf(sub.contact, sizeof sub.contact, "%s", s->address);
	/* Schleuder's admins receive the list's mail too: members here
	 * (the hub's admin role receives notices only) */
	sub.role = kind == TEAM_KIND_PARTNER ? ROLE_PARTNER : ROLE_MEMBER;
	sub.clearance = TLP_NONE;
	if ((st = store_subscribe(h->store, &sub)) != STORE_OK) {
		snprintf(why, size, "%s", store_errmsg(h->store));
		return why;
	}
	if (!s->enabled && (st = store_delivery_set(h->store, im->name,
	    s->address, false, "admin")) != STORE_OK) {
		snprintf(why, size, "subscribed, but delivery not disabled: "
		    "%s", store_errmsg(h->store));
		return why;
	}
	return NULL;
}

static void
print_import(struct hubctl *h, struct import *im, const char *fpr)
{
	char *addr = xasprintf("%s@%s", im->name, h->cfg->domain);
	size_t i, ok = 0;

	out_map_begin(h->out);
	out_kstr(h->out, "name", im->name);
	out_kstr(h->out, "address", addr);
	out_kstr(h->out, "fpr", fpr);
	out_kstr(h->out, "from", im->from);
	out_key(h->out, "teams_created");
	out_list_begin(h->out);
	for (i = 0; i < im->nteams_made; i++)
		out_str(h->out, im->teams_made[i]);
	out_list_end(h->out);
	out_key(h->out, "subscribers");
	out_list_begin(h->out);
	for (i = 0; i < im->n; i++) {
		struct src_sub *s = &im->v[i];

		ok += s->why == NULL;
		out_map_begin(h->out);
		out_kstr(h->out, "address", s->address);
		out_kstr(h->out, "fpr", s->fpr[0] != '\0' ? s->fpr : NULL);
		out_kstr(h->out, "team", s->team[0] != '\0' ? s->team : NULL);
		out_kstr(h->out, "result", s->why == NULL ? s->result :
		    "refused");
		out_kstr(h->out, "why", s->why);
		out_kbool(h->out, "schleuder_admin", s->admin);
		out_kstr(h->out, "delivery", s->enabled ? "enabled" :
		    "disabled");
		out_map_end(h->out);
	}
	out_list_end(h->out);
	out_kint(h->out, "imported", (long long)ok);
	out_kint(h->out, "refused", (long long)(im->n - ok));
	out_kint(h->out, "hubd_reloaded", hubctl_reload_hubd(h));
	out_map_end(h->out);
	free(addr);
}

int
hubctl_list_import(struct hubctl *h, const struct hubctl_cmd *cmd, int argc,
    char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "schleuder", required_argument, NULL, 's' },
		{ "schleuder-db", required_argument, NULL, 'd' },
		{ "subscribers", required_argument, NULL, 'f' },
		{ "keyring", required_argument, NULL, 'r' },
		{ "team", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct import im;
	struct store_list l;
	enum crypto_status cst;
	enum store_status st;
	struct gpg *src = NULL;
	char fpr[MODEL_FPR_LEN], why[512], *uid = NULL;
	const char *w;
	bool fresh = false;
	size_t i;
	int ch, rc;

	memset(&im, 0, sizeof im);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': im.keyfile = optarg; break;
		case 's': im.schleuder = optarg; break;
		case 'd': im.schleuder_db = optarg; break;
		case 'f': im.subscribers = optarg; break;
		case 'r': im.keyring = optarg; break;
		case 't': im.team = optarg; break;
		default:
			hubctl_warn("list import: unknown option or missing "
			    "value: %s", argv[optind - 1]);
			return hubctl_usage(cmd);
		}
	}
	if (argc - optind != 1 || im.keyfile == NULL) {
		if (argc - optind == 1)
			hubctl_warn("list import: --key is required");
		return hubctl_usage(cmd);
	}
	if (im.schleuder_db != NULL && im.schleuder == NULL) {
		hubctl_warn("list import: --schleuder-db goes with "
		    "--schleuder DIR");
		return hubctl_usage(cmd);
	}
	im.name = argv[optind];
	if (im.keyring == NULL)
		im.keyring = im.schleuder;
	if (!config_valid_list_name(im.name) ||
	    !store_valid_list_name(im.name))
		return hubctl_fail(h, HUBCTL_ERROR, "bad list name: %s (1-63 "
		    "of a-z 0-9 . _ -, no reserved suffix)", im.name);
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	/* everything read and checked before the first change */
	if (im.subscribers != NULL &&
	    (rc = read_subscribers(h, &im)) != HUBCTL_OK)
		goto out;
	if (im.schleuder != NULL && (rc = read_schleuder(h, &im)) != HUBCTL_OK)
		goto out;
	if (im.team != NULL) {
		struct team t;

		if ((st = store_team_get(h->store, im.team, &t)) != STORE_OK) {
			rc = hubctl_store_fail(h, st);
			goto out;
		}
		store_team_clear(&t);
	}
	if (im.keyring != NULL &&
	    (cst = gpg_open(im.keyring, &src)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "keyring %s: %s", im.keyring,
		    crypto_status_str(cst));
		goto out;
	}
	if ((st = store_list_get(h->store, im.name, &l)) == STORE_OK) {
		store_list_clear(&l);
		rc = hubctl_fail(h, HUBCTL_ERROR, "list already exists: %s",
		    im.name);
		goto out;
	} else if (st != STORE_NOT_FOUND) {
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	if ((rc = import_key(h, &im, fpr, &fresh)) != HUBCTL_OK)
		goto out;
	uid = xasprintf("%s <%s@%s>", im.name, im.name, h->cfg->domain);
	store_list_init(&l, im.name);
	snprintf(l.l.subject_tag, sizeof l.l.subject_tag, "[%s]", im.name);
	memcpy(l.fpr, fpr, sizeof l.fpr);
	if ((st = store_list_create(h->store, &l)) != STORE_OK) {
		unimport(h, fpr, fresh);
		rc = hubctl_store_fail(h, st);
		goto out;
	}
	/* the list's address here as a user id of its key, so members'
	 * mail clients find the signer's address on the hub's mail; the
	 * key stays the one they have */
	if (!key_has_email(h, fpr, im.name) &&
	    (cst = keys_add_uid(h->gpg, fpr, uid)) != CRYPTO_OK)
		hubctl_warn("list %s: key %s: user id %s not added: %s",
		    im.name, fpr, uid, crypto_status_str(cst));
	for (i = 0; i < im.n; i++)
		if ((w = import_sub(h, &im, src, &im.v[i], why,
		    sizeof why)) != NULL)
			im.v[i].why = xstrdup(w);
	hubctl_write_list_names(h);
	print_import(h, &im, fpr);
	rc = HUBCTL_OK;
out:
	free(uid);
	gpg_close(src);
	import_clear(&im);
	return rc;
}
