#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/gpg.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"

void
store_fpr_upper(char dst[MODEL_FPR_LEN], const char *fpr)
{
	size_t i;

	for (i = 0; i + 1 < MODEL_FPR_LEN && fpr[i] != '\0'; i++)
		dst[i] = fpr[i] >= 'a' && fpr[i] <= 'f' ?
		    (char)(fpr[i] - 'a' + 'A') : fpr[i];
	dst[i] = '\0';
}

static char *
contact_json(const struct contact *c)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"address\":");
	json_append_str(b, c->address);
	buf_append_str(b, ",\"fpr\":");
	json_append_str(b, c->fpr);
	buf_append_str(b, ",\"team\":");
	json_append_str(b, c->team);
	buf_append_str(b, ",\"name\":");
	json_append_str(b, c->name);
	buf_append_str(b, "}");
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

enum store_status
store_own_key(struct store *s, const char *fpr, char *owner, size_t size)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if (owner != NULL && size > 0)
		owner[0] = '\0';
	if (strcasecmp(store_hub_fpr(s), fpr) == 0) {
		if (owner != NULL)
			snprintf(owner, size, "the hub");
		return STORE_OK;
	}
	if ((st = store_prep(s, "SELECT name FROM lists WHERE fpr = ? "
	    "COLLATE NOCASE LIMIT 1", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, fpr);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (owner != NULL)
			snprintf(owner, size, "the list %s",
			    (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
		return STORE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_dberr(s, rc, "own key lookup");
	/* a retired list key stays the list's: mail to it is still read */
	if ((st = store_prep(s, "SELECT list FROM list_old_keys WHERE fpr = ? "
	    "LIMIT 1", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, fpr);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (owner != NULL)
			snprintf(owner, size, "the list %s (retired)",
			    (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
		return STORE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_dberr(s, rc, "own key lookup");
	return STORE_NOT_FOUND;
}

enum store_status
store_contact_add(struct store *s, const struct contact *c)
{
	char owner[MODEL_LIST_MAX + 32];
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact n = *c;
	struct team t;
	char *after;
	size_t i;

	for (i = 0; n.address[i] != '\0'; i++)
		if (n.address[i] >= 'A' && n.address[i] <= 'Z')
			n.address[i] = (char)(n.address[i] - 'A' + 'a');
	store_fpr_upper(n.fpr, n.fpr);
	if (strchr(n.address, '@') == NULL || strlen(n.address) < 3)
		return store_seterr(s, STORE_INVALID, "bad address: %s",
		    n.address);
	if (!gpg_is_fpr(n.fpr))
		return store_seterr(s, STORE_INVALID, "not a fingerprint: %s",
		    n.fpr);
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_team_get(s, n.team, &t)) != STORE_OK)
		return store_tx_end(s, st);
	/* A contact holding the list's key could post any relayed copy
	 * back as a new post signed "by a member". */
	if ((st = store_own_key(s, n.fpr, owner, sizeof owner)) == STORE_OK) {
		store_team_clear(&t);
		return store_tx_end(s, store_seterr(s, STORE_INVALID,
		    "key %s is %s's own key, never a contact's", n.fpr, owner));
	}
	if (st != STORE_NOT_FOUND) {
		store_team_clear(&t);
		return store_tx_end(s, st);
	}
	/* the stored spelling of the handle, whatever case was given */
	memcpy(n.team, t.handle, sizeof n.team);
	store_team_clear(&t);
	if ((st = store_prep(s, "INSERT INTO contacts (address, fpr, team, "
	    "name, created) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, n.address);
	store_bind_text(stmt, 2, n.fpr);
	store_bind_text(stmt, 3, n.team);
	store_bind_text(stmt, 4, n.name);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)hub_now());
	if ((st = store_step_done(s, stmt, "contact")) == STORE_EXISTS)
		st = store_seterr(s, STORE_EXISTS, "contact already exists: %s",
		    n.address);
	if (st == STORE_OK) {
		after = contact_json(&n);
		st = store_audit_row(s, "contact.add", n.address, NULL, after);
		free(after);
	}
	return store_tx_end(s, st);
}

enum store_status
store_contact_list(struct store *s, const char *team, struct contact **vp,
    size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact *v = NULL;
	struct team t;
	size_t n = 0;
	int rc;

	if (team != NULL) {
		if ((st = store_team_get(s, team, &t)) != STORE_OK)
			return st;
		/* the stored spelling: contacts.team compares exactly */
		team = t.handle;
		store_team_clear(&t);
	}
	if ((st = store_prep(s, team != NULL ? "SELECT address, fpr, team, "
	    "name, lang, own_copy FROM contacts WHERE team = ? ORDER BY "
	    "address" : "SELECT address, fpr, team, name, lang, own_copy FROM "
	    "contacts ORDER BY "
	    "team COLLATE NOCASE, address", &stmt)) != STORE_OK)
		return st;
	if (team != NULL)
		store_bind_text(stmt, 1, team);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		store_col_copy(stmt, 0, v[n].address, sizeof v[n].address);
		store_col_copy(stmt, 1, v[n].fpr, sizeof v[n].fpr);
		store_col_copy(stmt, 2, v[n].team, sizeof v[n].team);
		v[n].name = store_col_dup(stmt, 3);
		store_col_copy(stmt, 4, v[n].lang, sizeof v[n].lang);
		v[n].no_own_copy = sqlite3_column_int(stmt, 5) == 0;
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_contacts_free(v, n);
		return store_dberr(s, rc, "contacts");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_contacts_free(struct contact *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)v[i].name);
	free(v);
}

enum store_status
store_contact_get(struct store *s, const char *address, struct contact *c)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, "SELECT address, fpr, team, name, lang, "
	    "own_copy FROM contacts WHERE address = ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		memset(c, 0, sizeof *c);
		store_col_copy(stmt, 0, c->address, sizeof c->address);
		store_col_copy(stmt, 1, c->fpr, sizeof c->fpr);
		store_col_copy(stmt, 2, c->team, sizeof c->team);
		c->name = store_col_dup(stmt, 3);
		store_col_copy(stmt, 4, c->lang, sizeof c->lang);
		c->no_own_copy = sqlite3_column_int(stmt, 5) == 0;
	}
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return store_seterr(s, STORE_NOT_FOUND, "no such contact: %s",
		    address);
	if (rc != SQLITE_ROW)
		return store_dberr(s, rc, "contact");
	return STORE_OK;
}

enum store_status
store_contact_set_lang(struct store *s, const char *address, const char *lang)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact c;
	char *before, *after;

	if (lang != NULL && *lang != '\0' && strcmp(lang, "ja") != 0 &&
	    strcmp(lang, "en") != 0)
		return store_seterr(s, STORE_INVALID, "bad language: %s (ja, "
		    "en or default)", lang);
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_contact_get(s, address, &c)) != STORE_OK)
		return store_tx_end(s, st);
	before = xasprintf("{\"lang\":\"%s\"}", c.lang[0] != '\0' ? c.lang :
	    "default");
	after = xasprintf("{\"lang\":\"%s\"}", lang != NULL && *lang != '\0' ?
	    lang : "default");
	if ((st = store_prep(s, "UPDATE contacts SET lang = ? WHERE address = "
	    "?",
	    &stmt)) == STORE_OK) {
		if (lang != NULL && *lang != '\0')
			store_bind_text(stmt, 1, lang);
		else
			sqlite3_bind_null(stmt, 1);
		store_bind_text(stmt, 2, c.address);
		st = store_step_done(s, stmt, "contact lang");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "contact.lang", c.address, before,
		    after);
	free(before);
	free(after);
	store_contact_clear(&c);
	return store_tx_end(s, st);
}

void
store_contact_clear(struct contact *c)
{
	if (c == NULL)
		return;
	free((char *)(uintptr_t)c->name);
	c->name = NULL;
}

enum store_status
store_contact_remove(struct store *s, const char *address)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact c;
	char *before;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_contact_get(s, address, &c)) != STORE_OK)
		return store_tx_end(s, st);
	before = contact_json(&c);
	/* its subscriptions go by ON DELETE CASCADE */
	if ((st = store_prep(s, "DELETE FROM contacts WHERE address = ?",
	    &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, c.address);
		st = store_step_done(s, stmt, "contact");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "contact.remove", c.address, before,
		    NULL);
	free(before);
	store_contact_clear(&c);
	return store_tx_end(s, st);
}

enum store_status
store_contact_set_key(struct store *s, const char *address, const char *fpr,
    bool *changed)
{
	char owner[MODEL_LIST_MAX + 32], nfpr[MODEL_FPR_LEN];
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact c;
	char *before, *after;

	*changed = false;
	if (!gpg_is_fpr(fpr))
		return store_seterr(s, STORE_INVALID, "not a fingerprint: %s",
		    fpr);
	store_fpr_upper(nfpr, fpr);
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_contact_get(s, address, &c)) != STORE_OK)
		return store_tx_end(s, st);
	/* as store_contact_add(): never the hub's or a list's key */
	if ((st = store_own_key(s, nfpr, owner, sizeof owner)) == STORE_OK) {
		store_contact_clear(&c);
		return store_tx_end(s, store_seterr(s, STORE_INVALID,
		    "key %s is %s's own key, never a contact's", nfpr, owner));
	}
	if (st != STORE_NOT_FOUND) {
		store_contact_clear(&c);
		return store_tx_end(s, st);
	}
	before = contact_json(&c);
	*changed = strcmp(c.fpr, nfpr) != 0;
	st = STORE_OK;
	if (*changed) {
		/* the old fingerprint first: mail it signed stays
		 * attributable after the change */
		if ((st = store_prep(s, "INSERT INTO key_history (address, "
		    "fpr, replaced, actor) VALUES (?, ?, ?, ?)", &stmt)) ==
		    STORE_OK) {
			store_bind_text(stmt, 1, c.address);
			store_bind_text(stmt, 2, c.fpr);
			sqlite3_bind_int64(stmt, 3, (sqlite3_int64)hub_now());
			store_bind_text(stmt, 4, s->actor);
			st = store_step_done(s, stmt, "key history");
		}
		if (st == STORE_OK && (st = store_prep(s, "UPDATE contacts SET "
		    "fpr = ? WHERE address = ?", &stmt)) == STORE_OK) {
			store_bind_text(stmt, 1, nfpr);
			store_bind_text(stmt, 2, c.address);
			st = store_step_done(s, stmt, "contact");
		}
	}
	/* whatever key an admin or the contact set, a held one is moot */
	if (st == STORE_OK && (st = store_prep(s, "DELETE FROM held_keys "
	    "WHERE address = ?", &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, c.address);
		st = store_step_done(s, stmt, "held key");
	}
	memcpy(c.fpr, nfpr, sizeof c.fpr);
	after = contact_json(&c);
	if (st == STORE_OK)
		st = store_audit_row(s, "contact.key", c.address, before,
		    after);
	free(before);
	free(after);
	store_contact_clear(&c);
	return store_tx_end(s, st);
}

enum store_status
store_key_history(struct store *s, const char *address,
    struct store_key_change **vp, size_t *np)
{
	struct store_key_change *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, "SELECT fpr, replaced, actor FROM key_history "
	    "WHERE address = ? ORDER BY id", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, address);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		store_col_copy(stmt, 0, v[n].fpr, sizeof v[n].fpr);
		v[n].replaced = sqlite3_column_int64(stmt, 1);
		v[n].actor = store_col_dup(stmt, 2);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_key_history_free(v, n);
		return store_dberr(s, rc, "key history");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_key_history_free(struct store_key_change *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i].actor);
	free(v);
}

/* The column and audit action of each flag (fixed names: never input). */
static const struct {
	const char	*column;
	const char	*action;
	const char	*json;
} flags[] = {
	[STORE_FLAG_RECEIPTS] = { "receipts", "contact.receipts", "receipts" },
	[STORE_FLAG_OWN_COPY] = { "own_copy", "contact.copy", "copy" },
};

enum store_status
store_contact_flag(struct store *s, const char *address,
    enum store_contact_flag f, bool *on)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	char *sql;
	int rc;

	*on = true;
	sql = xasprintf("SELECT %s FROM contacts WHERE address = ?",
	    flags[f].column);
	st = store_prep(s, sql, &stmt);
	free(sql);
	if (st != STORE_OK)
		return st;
	store_bind_text(stmt, 1, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*on = sqlite3_column_int(stmt, 0) != 0;
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return store_seterr(s, STORE_NOT_FOUND, "no such contact: %s",
		    address);
	return rc == SQLITE_ROW ? STORE_OK : store_dberr(s, rc, "contact");
}

enum store_status
store_contact_set_flag(struct store *s, const char *address,
    enum store_contact_flag f, bool on)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact c;
	char *sql, *before, *after;
	bool was;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_contact_get(s, address, &c)) != STORE_OK)
		return store_tx_end(s, st);
	if ((st = store_contact_flag(s, c.address, f, &was)) == STORE_OK &&
	    was != on) {
		sql = xasprintf("UPDATE contacts SET %s = ? WHERE address = ?",
		    flags[f].column);
		st = store_prep(s, sql, &stmt);
		free(sql);
		if (st == STORE_OK) {
			sqlite3_bind_int(stmt, 1, on ? 1 : 0);
			store_bind_text(stmt, 2, c.address);
			st = store_step_done(s, stmt, "contact");
		}
		before = xasprintf("{\"%s\":%s}", flags[f].json,
		    was ? "true" : "false");
		after = xasprintf("{\"%s\":%s}", flags[f].json,
		    on ? "true" : "false");
		if (st == STORE_OK)
			st = store_audit_row(s, flags[f].action, c.address,
			    before, after);
		free(before);
		free(after);
	}
	store_contact_clear(&c);
	return store_tx_end(s, st);
}
