/*
 * store_heldkey: keys contacts mailed that wait for an admin (see
 * "Held keys" in lists/store.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/gpg.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"

static char *
held_json(const char *address, const char *fpr)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"address\":");
	json_append_str(b, address);
	buf_append_str(b, ",\"held_fpr\":");
	json_append_str(b, fpr);
	buf_append_str(b, "}");
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

static void
held_row(sqlite3_stmt *stmt, struct store_held_key *h)
{
	memset(h, 0, sizeof *h);
	store_col_copy(stmt, 0, h->address, sizeof h->address);
	store_col_copy(stmt, 1, h->fpr, sizeof h->fpr);
	h->at = sqlite3_column_int64(stmt, 2);
	h->actor = store_col_dup(stmt, 3);
	h->key = store_col_dup(stmt, 4);
}

enum store_status
store_held_key_put(struct store *s, const char *address, const char *fpr,
    const char *key)
{
	struct store_held_key old;
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact c;
	char *before = NULL, *after, nfpr[MODEL_FPR_LEN];

	if (!gpg_is_fpr(fpr))
		return store_seterr(s, STORE_INVALID, "not a fingerprint: %s",
		    fpr);
	store_fpr_upper(nfpr, fpr);
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_contact_get(s, address, &c)) != STORE_OK)
		return store_tx_end(s, st);
	if ((st = store_held_key_get(s, c.address, &old)) == STORE_OK) {
		before = held_json(old.address, old.fpr);
		store_held_key_clear(&old);
	} else if (st != STORE_NOT_FOUND) {
		store_contact_clear(&c);
		return store_tx_end(s, st);
	}
	if ((st = store_prep(s, "INSERT OR REPLACE INTO held_keys (address, "
	    "fpr, at, actor, key) VALUES (?, ?, ?, ?, ?)", &stmt)) ==
	    STORE_OK) {
		store_bind_text(stmt, 1, c.address);
		store_bind_text(stmt, 2, nfpr);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)hub_now());
		store_bind_text(stmt, 4, s->actor);
		store_bind_text(stmt, 5, key);
		st = store_step_done(s, stmt, "held key");
	}
	after = held_json(c.address, nfpr);
	if (st == STORE_OK)
		st = store_audit_row(s, "contact.key-held", c.address, before,
		    after);
	free(before);
	free(after);
	store_contact_clear(&c);
	return store_tx_end(s, st);
}

enum store_status
store_held_key_get(struct store *s, const char *address,
    struct store_held_key *h)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, "SELECT address, fpr, at, actor, key FROM "
	    "held_keys WHERE address = ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		held_row(stmt, h);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return store_seterr(s, STORE_NOT_FOUND, "no held key for %s",
		    address);
	return store_dberr(s, rc, "held key");
}

void
store_held_key_clear(struct store_held_key *h)
{
	free(h->actor);
	free(h->key);
	h->actor = NULL;
	h->key = NULL;
}

enum store_status
store_held_key_list(struct store *s, struct store_held_key **vp, size_t *np)
{
	struct store_held_key *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, "SELECT address, fpr, at, actor, key FROM "
	    "held_keys ORDER BY at, address", &stmt)) != STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		held_row(stmt, &v[n++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_held_keys_free(v, n);
		return store_dberr(s, rc, "held keys");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_held_keys_free(struct store_held_key *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		store_held_key_clear(&v[i]);
	free(v);
}

enum store_status
store_held_key_drop(struct store *s, const char *address)
{
	struct store_held_key h;
	sqlite3_stmt *stmt;
	enum store_status st;
	char *before;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_held_key_get(s, address, &h)) != STORE_OK)
		return store_tx_end(s, st);
	before = held_json(h.address, h.fpr);
	if ((st = store_prep(s, "DELETE FROM held_keys WHERE address = ?",
	    &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, h.address);
		st = store_step_done(s, stmt, "held key");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "contact.key-dropped", h.address,
		    before, NULL);
	free(before);
	store_held_key_clear(&h);
	return store_tx_end(s, st);
}
