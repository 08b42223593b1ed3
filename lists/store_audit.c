#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include <sqlcipher/sqlite3.h>

#include "base/id.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"

/* The audit row of a change; called inside the change's transaction. */
enum store_status
store_audit_row(struct store *s, const char *action, const char *object,
    const char *before, const char *after)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = store_prep(s, "INSERT INTO audit (at, actor, action, object, "
	    "before, after) VALUES (?, ?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return st;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)hub_now());
	store_bind_text(stmt, 2, s->actor);
	store_bind_text(stmt, 3, action);
	store_bind_text(stmt, 4, object);
	store_bind_text(stmt, 5, before);
	store_bind_text(stmt, 6, after);
	return store_step_done(s, stmt, "audit");
}

enum store_status
store_audit_event(struct store *s, const char *action, const char *object,
    const char *after)
{
	enum store_status st;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	return store_tx_end(s, store_audit_row(s, action, object, NULL,
	    after));
}

enum store_status
store_audit_list(struct store *s, size_t limit, struct store_audit **vp,
    size_t *np)
{
	struct store_audit *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc;

	/* the newest `limit`, shown oldest first like a log */
	if ((st = store_prep(s, "SELECT id, at, actor, action, object, before, "
	    "after FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) "
	    "ORDER BY id", &stmt)) != STORE_OK)
		return st;
	sqlite3_bind_int64(stmt, 1, limit == 0 || limit > LLONG_MAX ? -1 :
	    (sqlite3_int64)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].id = sqlite3_column_int64(stmt, 0);
		v[n].at = sqlite3_column_int64(stmt, 1);
		v[n].actor = store_col_dup(stmt, 2);
		v[n].action = store_col_dup(stmt, 3);
		v[n].object = store_col_dup(stmt, 4);
		v[n].before = store_col_dup(stmt, 5);
		v[n].after = store_col_dup(stmt, 6);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_audit_free(v, n);
		return store_dberr(s, rc, "audit");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_audit_free(struct store_audit *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
		free(v[i].object);
		free(v[i].before);
		free(v[i].after);
	}
	free(v);
}

static enum store_status
count(struct store *s, const char *sql, const char *arg, size_t *out)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, sql, &stmt)) != STORE_OK)
		return st;
	if (arg != NULL)
		store_bind_text(stmt, 1, arg);
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return store_dberr(s, rc, "count");
	}
	*out = (size_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return STORE_OK;
}

enum store_status
store_count(struct store *s, struct store_counts *c)
{
	struct store_counts r;
	enum store_status st;
	enum team_state ts;

	memset(&r, 0, sizeof r);
	/* one read transaction: the counts are of one moment */
	if ((st = store_exec(s, "BEGIN", "begin")) != STORE_OK)
		return st;
	for (ts = TEAM_CANDIDATE; ts <= TEAM_LEFT && st == STORE_OK; ts++)
		st = count(s, "SELECT count(*) FROM teams WHERE state = ?",
		    team_state_str(ts), &r.teams[ts]);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM contacts", NULL,
		    &r.contacts);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM lists", NULL, &r.lists);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM subscriptions", NULL,
		    &r.subscriptions);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM audit", NULL, &r.audit);
	if ((st = store_tx_end(s, st)) != STORE_OK)
		return st;
	*c = r;
	return STORE_OK;
}
