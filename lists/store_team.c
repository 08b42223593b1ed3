#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include <sqlcipher/sqlite3.h>

#include "base/buf.h"
#include "base/id.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"

int
store_valid_handle(const char *h)
{
	size_t i, n;

	if (h == NULL || (n = strlen(h)) == 0 || n >= MODEL_HANDLE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = h[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

static char *
team_json(const struct team *t)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"handle\":");
	json_append_str(b, t->handle);
	buf_append_str(b, ",\"name\":");
	json_append_str(b, t->name);
	buf_printf(b, ",\"kind\":\"%s\",\"state\":\"%s\"}",
	    team_kind_str(t->kind), team_state_str(t->state));
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

static void
row_team(sqlite3_stmt *stmt, struct team *t)
{
	const unsigned char *kind, *state;

	memset(t, 0, sizeof *t);
	store_col_copy(stmt, 0, t->handle, sizeof t->handle);
	t->name = store_col_dup(stmt, 1);
	kind = sqlite3_column_text(stmt, 2);
	state = sqlite3_column_text(stmt, 3);
	/* the CHECK constraints keep these valid */
	if (team_kind_from_name((const char *)kind, &t->kind) == -1)
		t->kind = TEAM_KIND_MEMBER;
	if (team_state_from_name((const char *)state, &t->state) == -1)
		t->state = TEAM_LEFT;
}

#define TEAM_COLS	"handle, name, kind, state"

enum store_status
store_team_get(struct store *s, const char *handle, struct team *t)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, "SELECT " TEAM_COLS " FROM teams WHERE handle "
	    "= ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, handle);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		row_team(stmt, t);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return store_seterr(s, STORE_NOT_FOUND, "no such team: %s",
		    handle);
	if (rc != SQLITE_ROW)
		return store_dberr(s, rc, "team");
	return STORE_OK;
}

void
store_team_clear(struct team *t)
{
	if (t == NULL)
		return;
	free((char *)(uintptr_t)t->name);
	t->name = NULL;
}

void
store_teams_free(struct team *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		store_team_clear(&v[i]);
	free(v);
}

enum store_status
store_team_add(struct store *s, const struct team *t)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	char *after;

	if (!store_valid_handle(t->handle))
		return store_seterr(s, STORE_INVALID, "bad team handle: %s "
		    "(1-63 of A-Z a-z 0-9 . _ -)", t->handle);
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_prep(s, "INSERT INTO teams (handle, name, kind, state, "
	    "created) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, t->handle);
	store_bind_text(stmt, 2, t->name);
	store_bind_text(stmt, 3, team_kind_str(t->kind));
	store_bind_text(stmt, 4, team_state_str(t->state));
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)hub_now());
	if ((st = store_step_done(s, stmt, "team")) == STORE_EXISTS)
		st = store_seterr(s, STORE_EXISTS, "team already exists: %s",
		    t->handle);
	if (st == STORE_OK) {
		after = team_json(t);
		st = store_audit_row(s, "team.add", t->handle, NULL, after);
		free(after);
	}
	return store_tx_end(s, st);
}

enum store_status
store_team_list(struct store *s, struct team **vp, size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team *v = NULL;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, "SELECT " TEAM_COLS " FROM teams ORDER BY "
	    "handle", &stmt)) != STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		row_team(stmt, &v[n++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_teams_free(v, n);
		return store_dberr(s, rc, "teams");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

static int
transition_ok(enum team_state from, enum team_state to)
{
	switch (to) {
	case TEAM_ACTIVE:
		return from == TEAM_CANDIDATE || from == TEAM_SUSPENDED;
	case TEAM_SUSPENDED:
		return from == TEAM_ACTIVE;
	case TEAM_LEFT:
		return from != TEAM_LEFT;
	case TEAM_CANDIDATE:
		return 0;
	}
	return 0;
}

enum store_status
store_team_set_state(struct store *s, const char *handle,
    enum team_state to)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team t;
	char *before, *after;
	enum team_state from;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_team_get(s, handle, &t)) != STORE_OK)
		return store_tx_end(s, st);
	from = t.state;
	if (!transition_ok(from, to)) {
		st = store_seterr(s, STORE_CONFLICT, "team %s is %s: cannot "
		    "become %s", t.handle, team_state_str(from),
		    team_state_str(to));
		store_team_clear(&t);
		return store_tx_end(s, st);
	}
	before = team_json(&t);
	t.state = to;
	after = team_json(&t);
	if ((st = store_prep(s, "UPDATE teams SET state = ? WHERE handle = ?",
	    &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, team_state_str(to));
		store_bind_text(stmt, 2, t.handle);
		st = store_step_done(s, stmt, "team");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "team.state", t.handle, before, after);
	free(before);
	free(after);
	store_team_clear(&t);
	return store_tx_end(s, st);
}

enum store_status
store_team_remove(struct store *s, const char *handle)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team t;
	char *before;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_team_get(s, handle, &t)) != STORE_OK)
		return store_tx_end(s, st);
	before = team_json(&t);
	/* contacts, subscriptions and endorsements go by ON DELETE CASCADE */
	if ((st = store_prep(s, "DELETE FROM teams WHERE handle = ?", &stmt)) ==
	    STORE_OK) {
		store_bind_text(stmt, 1, t.handle);
		st = store_step_done(s, stmt, "team");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "team.remove", t.handle, before, NULL);
	free(before);
	store_team_clear(&t);
	return store_tx_end(s, st);
}
