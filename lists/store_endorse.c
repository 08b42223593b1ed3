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
endorsement_json(const struct endorsement *e)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"candidate\":");
	json_append_str(b, e->candidate);
	buf_append_str(b, ",\"endorser\":");
	json_append_str(b, e->endorser);
	buf_append_str(b, ",\"candidate_fpr\":");
	json_append_str(b, e->candidate_fpr);
	buf_append_str(b, ",\"endorser_fpr\":");
	json_append_str(b, e->endorser_fpr);
	buf_append_str(b, "}");
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

/* The endorsement of candidate by endorser, if any; inside a tx. */
static enum store_status
endorsement_get(struct store *s, const char *candidate, const char *endorser,
    struct endorsement *e, int *found)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, "SELECT candidate, endorser, candidate_fpr, "
	    "endorser_fpr, recorded FROM endorsements WHERE candidate = ? "
	    "AND endorser = ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, candidate);
	store_bind_text(stmt, 2, endorser);
	rc = sqlite3_step(stmt);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		memset(e, 0, sizeof *e);
		store_col_copy(stmt, 0, e->candidate, sizeof e->candidate);
		store_col_copy(stmt, 1, e->endorser, sizeof e->endorser);
		store_col_copy(stmt, 2, e->candidate_fpr,
		    sizeof e->candidate_fpr);
		store_col_copy(stmt, 3, e->endorser_fpr,
		    sizeof e->endorser_fpr);
		e->recorded = sqlite3_column_int64(stmt, 4);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, rc, "endorsement");
	return STORE_OK;
}

enum store_status
store_endorse(struct store *s, const struct endorsement *e, int *replaced)
{
	struct endorsement n = *e, old;
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team t;
	char *before = NULL, *after;
	int found;

	if ((n.candidate_fpr[0] != '\0' && !gpg_is_fpr(n.candidate_fpr)) ||
	    (n.endorser_fpr[0] != '\0' && !gpg_is_fpr(n.endorser_fpr)))
		return store_seterr(s, STORE_INVALID, "bad endorsement "
		    "evidence: not a fingerprint");
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	/* the stored spellings of both handles */
	if ((st = store_team_get(s, n.candidate, &t)) != STORE_OK)
		return store_tx_end(s, st);
	memcpy(n.candidate, t.handle, sizeof n.candidate);
	store_team_clear(&t);
	if ((st = store_team_get(s, n.endorser, &t)) != STORE_OK)
		return store_tx_end(s, st);
	memcpy(n.endorser, t.handle, sizeof n.endorser);
	store_team_clear(&t);
	if ((st = endorsement_get(s, n.candidate, n.endorser, &old,
	    &found)) != STORE_OK)
		return store_tx_end(s, st);
	if (found)
		before = endorsement_json(&old);
	n.recorded = (long long)hub_now();
	after = endorsement_json(&n);
	if ((st = store_prep(s, "INSERT OR REPLACE INTO endorsements "
	    "(candidate, endorser, candidate_fpr, endorser_fpr, recorded) "
	    "VALUES (?, ?, ?, ?, ?)", &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, n.candidate);
		store_bind_text(stmt, 2, n.endorser);
		store_bind_text(stmt, 3, n.candidate_fpr);
		store_bind_text(stmt, 4, n.endorser_fpr);
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)n.recorded);
		st = store_step_done(s, stmt, "endorsement");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "endorse", n.candidate, before, after);
	free(before);
	free(after);
	if ((st = store_tx_end(s, st)) == STORE_OK && replaced != NULL)
		*replaced = found;
	return st;
}

enum store_status
store_endorsements(struct store *s, const char *candidate,
    struct endorsement **vp, size_t *np)
{
	struct endorsement *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team t;
	size_t n = 0;
	int rc;

	if ((st = store_team_get(s, candidate, &t)) != STORE_OK)
		return st;
	if ((st = store_prep(s, "SELECT candidate, endorser, candidate_fpr, "
	    "endorser_fpr, recorded FROM endorsements WHERE candidate = ? "
	    "ORDER BY endorser COLLATE NOCASE", &stmt)) != STORE_OK) {
		store_team_clear(&t);
		return st;
	}
	store_bind_text(stmt, 1, t.handle);
	store_team_clear(&t);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		store_col_copy(stmt, 0, v[n].candidate, sizeof v[n].candidate);
		store_col_copy(stmt, 1, v[n].endorser, sizeof v[n].endorser);
		store_col_copy(stmt, 2, v[n].candidate_fpr,
		    sizeof v[n].candidate_fpr);
		store_col_copy(stmt, 3, v[n].endorser_fpr,
		    sizeof v[n].endorser_fpr);
		v[n].recorded = sqlite3_column_int64(stmt, 4);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_dberr(s, rc, "endorsements");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_endorsements_free(struct endorsement *v)
{
	free(v);
}

enum store_status
store_team_approved(struct store *s, const char *handle, int *yes)
{
	enum store_status st;
	struct team t;

	if ((st = store_team_get(s, handle, &t)) != STORE_OK)
		return st;
	st = store_exists(s, "SELECT 1 FROM approvals WHERE team = ?", t.handle,
	    yes);
	store_team_clear(&t);
	return st;
}

enum store_status
store_team_approve(struct store *s, const char *handle)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team t;
	char *after;
	int yes;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_team_get(s, handle, &t)) != STORE_OK)
		return store_tx_end(s, st);
	if (t.state != TEAM_CANDIDATE) {
		st = store_seterr(s, STORE_CONFLICT, "team %s is %s, not a "
		    "candidate: nothing to approve", t.handle,
		    team_state_str(t.state));
		store_team_clear(&t);
		return store_tx_end(s, st);
	}
	if ((st = store_exists(s, "SELECT 1 FROM approvals WHERE team = ?",
	    t.handle, &yes)) == STORE_OK && yes)
		st = store_seterr(s, STORE_EXISTS, "team %s is already "
		    "approved", t.handle);
	if (st == STORE_OK && (st = store_prep(s, "INSERT INTO approvals "
	    "(team, at, actor) VALUES (?, ?, ?)", &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, t.handle);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)hub_now());
		store_bind_text(stmt, 3, s->actor);
		st = store_step_done(s, stmt, "approval");
	}
	if (st == STORE_OK) {
		after = xasprintf("{\"approved\":true}");
		st = store_audit_row(s, "team.approve", t.handle, NULL, after);
		free(after);
	}
	store_team_clear(&t);
	return store_tx_end(s, st);
}
