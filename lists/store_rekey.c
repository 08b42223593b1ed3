/*
 * store: a list's retired keys (schema 6; lists/store.h "a list's
 * retired keys").  hubctl list rekey writes them, the worker reads them
 * to accept mail encrypted to a retired key within its grace and to
 * announce the new key once.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlcipher/sqlite3.h>

#include "base/buf.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "crypto/gpg.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"

#define OLD_COLS "list, fpr, new_fpr, retired, grace_until, told"

static void
row_old(sqlite3_stmt *stmt, struct store_old_key *k)
{
	memset(k, 0, sizeof *k);
	store_col_copy(stmt, 0, k->list, sizeof k->list);
	store_col_copy(stmt, 1, k->fpr, sizeof k->fpr);
	store_col_copy(stmt, 2, k->new_fpr, sizeof k->new_fpr);
	k->retired = sqlite3_column_int64(stmt, 3);
	k->grace_until = sqlite3_column_int64(stmt, 4);
	k->told = sqlite3_column_int(stmt, 5) != 0;
}

static enum store_status
old_keys(struct store *s, const char *sql, const char *arg,
    struct store_old_key **vp, size_t *np)
{
	struct store_old_key *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, sql, &stmt)) != STORE_OK)
		return st;
	if (arg != NULL)
		store_bind_text(stmt, 1, arg);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		row_old(stmt, &v[n++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_dberr(s, rc, "retired list keys");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

enum store_status
store_list_old_keys(struct store *s, const char *name,
    struct store_old_key **vp, size_t *np)
{
	return old_keys(s, name != NULL ? "SELECT " OLD_COLS " FROM "
	    "list_old_keys WHERE list = ? ORDER BY retired DESC, rowid DESC" :
	    "SELECT " OLD_COLS " FROM list_old_keys ORDER BY list, retired "
	    "DESC, rowid DESC", name, vp, np);
}

enum store_status
store_rekey_untold(struct store *s, struct store_old_key **vp, size_t *np)
{
	return old_keys(s, "SELECT " OLD_COLS " FROM list_old_keys WHERE "
	    "told = 0 ORDER BY retired, rowid", NULL, vp, np);
}

static enum store_status
set_told(struct store *s, const char *list, const char *fpr, int to,
    bool *changed)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	/* one UPDATE: of two workers, the one that changed the row tells */
	if ((st = store_prep(s, "UPDATE list_old_keys SET told = ?3 WHERE "
	    "list = ?1 AND fpr = ?2 AND told <> ?3", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, fpr);
	sqlite3_bind_int(stmt, 3, to);
	if ((st = store_step_done(s, stmt, "retired list key")) == STORE_OK &&
	    changed != NULL)
		*changed = sqlite3_changes(s->db) > 0;
	return st;
}

enum store_status
store_rekey_tell(struct store *s, const char *list, const char *fpr,
    bool *claimed)
{
	*claimed = false;
	return set_told(s, list, fpr, 1, claimed);
}

enum store_status
store_rekey_untell(struct store *s, const char *list, const char *fpr)
{
	return set_told(s, list, fpr, 0, NULL);
}

enum store_status
store_list_rekey(struct store *s, const char *name, const char *new_fpr,
    long long grace_until, char old_fpr[MODEL_FPR_LEN])
{
	char owner[MODEL_LIST_MAX + 32], nfpr[MODEL_FPR_LEN];
	struct store_list l;
	sqlite3_stmt *stmt;
	enum store_status st;
	struct buf *before, *after;
	size_t i;
	int yes;

	if (!gpg_is_fpr(new_fpr))
		return store_seterr(s, STORE_INVALID, "bad fingerprint: %s",
		    new_fpr);
	for (i = 0; new_fpr[i] != '\0' && i + 1 < sizeof nfpr; i++)
		nfpr[i] = (char)(new_fpr[i] >= 'a' && new_fpr[i] <= 'f' ?
		    new_fpr[i] - 'a' + 'A' : new_fpr[i]);
	nfpr[i] = '\0';
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_list_get(s, name, &l)) != STORE_OK)
		return store_tx_end(s, st);
	if (l.fpr[0] == '\0' || strcasecmp(l.fpr, nfpr) == 0) {
		st = store_seterr(s, STORE_CONFLICT, l.fpr[0] == '\0' ?
		    "list %s has no key to replace" : "key %s is list %s's "
		    "key already", l.fpr[0] == '\0' ? l.l.name : nfpr,
		    l.l.name);
		store_list_clear(&l);
		return store_tx_end(s, st);
	}
	/* a key of the hub, of a list or of a contact is never a new list
	 * key: its owner could read the list */
	if ((st = store_own_key(s, nfpr, owner, sizeof owner)) == STORE_OK)
		st = store_seterr(s, STORE_INVALID, "key %s is %s's own key",
		    nfpr, owner);
	else if (st == STORE_NOT_FOUND && (st = store_exists(s, "SELECT 1 "
	    "FROM contacts WHERE fpr = ? COLLATE NOCASE", nfpr, &yes)) ==
	    STORE_OK && yes)
		st = store_seterr(s, STORE_INVALID, "key %s is a contact's "
		    "key", nfpr);
	if (st != STORE_OK) {
		store_list_clear(&l);
		return store_tx_end(s, st);
	}
	if ((st = store_prep(s, "INSERT INTO list_old_keys (list, fpr, "
	    "new_fpr, retired, grace_until) VALUES (?, ?, ?, ?, ?)", &stmt)) ==
	    STORE_OK) {
		store_bind_text(stmt, 1, l.l.name);
		store_bind_text(stmt, 2, l.fpr);
		store_bind_text(stmt, 3, nfpr);
		sqlite3_bind_int64(stmt, 4, (sqlite3_int64)hub_now());
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)grace_until);
		st = store_step_done(s, stmt, "retired list key");
	}
	if (st == STORE_OK && (st = store_prep(s, "UPDATE lists SET fpr = ? "
	    "WHERE name = ?", &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, nfpr);
		store_bind_text(stmt, 2, l.l.name);
		st = store_step_done(s, stmt, "list");
	}
	if (st == STORE_OK) {
		before = buf_new(0);
		after = buf_new(0);
		buf_printf(before, "{\"fpr\":\"%s\"}", l.fpr);
		buf_printf(after, "{\"fpr\":\"%s\",\"old_fpr\":\"%s\","
		    "\"grace_until\":%lld}", nfpr, l.fpr, grace_until);
		st = store_audit_row(s, "list.rekey", l.l.name,
		    buf_data(before), buf_data(after));
		buf_free(before);
		buf_free(after);
	}
	if (st == STORE_OK)
		memcpy(old_fpr, l.fpr, MODEL_FPR_LEN);
	store_list_clear(&l);
	return store_tx_end(s, st);
}
