#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlcipher/sqlite3.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"
#include "lists/tlp.h"

static char *
sub_json(const struct subscription *sub)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"list\":");
	json_append_str(b, sub->list);
	buf_append_str(b, ",\"contact\":");
	json_append_str(b, sub->contact[0] != '\0' ? sub->contact : NULL);
	buf_append_str(b, ",\"team\":");
	json_append_str(b, sub->team[0] != '\0' ? sub->team : NULL);
	buf_printf(b, ",\"role\":\"%s\",\"clearance\":\"%s\"}",
	    role_str(sub->role), tlp_str(sub->clearance));
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

static const char *
nonempty(const char *v)
{
	return v != NULL && *v != '\0' ? v : NULL;
}

enum store_status
store_subscribe(struct store *s, const struct subscription *sub)
{
	const char *contact = nonempty(sub->contact);
	const char *team = nonempty(sub->team);
	sqlite3_stmt *stmt;
	enum store_status st;
	char *after;
	int yes;

	if ((contact == NULL) == (team == NULL))
		return store_seterr(s, STORE_INVALID, "a subscription names a "
		    "contact or a team, not both or neither");
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_exists(s, "SELECT 1 FROM lists WHERE name = ?",
	    sub->list, &yes)) != STORE_OK)
		return store_tx_end(s, st);
	if (!yes)
		return store_tx_end(s, store_seterr(s, STORE_NOT_FOUND,
		    "no such list: %s", sub->list));
	if ((st = store_exists(s, contact != NULL ? "SELECT 1 FROM contacts "
	    "WHERE address = ?" : "SELECT 1 FROM teams WHERE handle = ?",
	    contact != NULL ? contact : team, &yes)) != STORE_OK)
		return store_tx_end(s, st);
	if (!yes)
		return store_tx_end(s, store_seterr(s, STORE_NOT_FOUND,
		    "no such %s: %s", contact != NULL ? "contact" : "team",
		    contact != NULL ? contact : team));
	if ((st = store_prep(s, "INSERT INTO subscriptions (list, contact, "
	    "team, role, clearance) VALUES (?, ?, ?, ?, ?)",
	    &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, sub->list);
	store_bind_text(stmt, 2, contact);
	store_bind_text(stmt, 3, team);
	store_bind_text(stmt, 4, role_str(sub->role));
	store_bind_text(stmt, 5, tlp_str(sub->clearance));
	if ((st = store_step_done(s, stmt, "subscription")) == STORE_EXISTS)
		st = store_seterr(s, STORE_EXISTS, "already subscribed to %s: "
		    "%s", sub->list, contact != NULL ? contact : team);
	if (st == STORE_OK) {
		after = sub_json(sub);
		st = store_audit_row(s, "subscribe", sub->list, NULL, after);
		free(after);
	}
	return store_tx_end(s, st);
}

enum store_status
store_unsubscribe(struct store *s, const char *list, const char *contact,
    const char *team)
{
	struct subscription sub;
	sqlite3_stmt *stmt;
	enum store_status st;
	char *before;

	contact = nonempty(contact);
	team = nonempty(team);
	if ((contact == NULL) == (team == NULL))
		return store_seterr(s, STORE_INVALID, "a subscription names a "
		    "contact or a team, not both or neither");
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	memset(&sub, 0, sizeof sub);
	if ((st = store_prep(s, contact != NULL ? "SELECT role, clearance, "
	    "contact FROM subscriptions WHERE list = ? AND contact = "
	    "?" : "SELECT role, clearance, team FROM subscriptions WHERE list "
	    "= ? AND team = ?", &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, contact != NULL ? contact : team);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return store_tx_end(s, store_seterr(s, STORE_NOT_FOUND,
		    "not subscribed to %s: %s", list,
		    contact != NULL ? contact : team));
	}
	snprintf(sub.list, sizeof sub.list, "%s", list);
	if (role_from_name((const char *)sqlite3_column_text(stmt, 0),
	    &sub.role) == -1)
		sub.role = ROLE_MEMBER;
	if (tlp_from_name((const char *)sqlite3_column_text(stmt, 1),
	    &sub.clearance) == -1)
		sub.clearance = TLP_NONE;
	if (contact != NULL)
		store_col_copy(stmt, 2, sub.contact, sizeof sub.contact);
	else
		store_col_copy(stmt, 2, sub.team, sizeof sub.team);
	sqlite3_finalize(stmt);
	before = sub_json(&sub);
	if ((st = store_prep(s, contact != NULL ? "DELETE FROM subscriptions "
	    "WHERE list = ? AND contact = ?" : "DELETE FROM subscriptions "
	    "WHERE list = ? AND team = ?", &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, list);
		store_bind_text(stmt, 2, contact != NULL ? contact : team);
		st = store_step_done(s, stmt, "subscription");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "unsubscribe", list, before, NULL);
	free(before);
	return store_tx_end(s, st);
}

enum store_status
store_subscriptions(struct store *s, const char *list,
    struct subscription **vp, size_t *np)
{
	struct subscription *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc, yes;

	if ((st = store_exists(s, "SELECT 1 FROM lists WHERE name = ?", list,
	    &yes)) != STORE_OK)
		return st;
	if (!yes)
		return store_seterr(s, STORE_NOT_FOUND, "no such list: %s",
		    list);
	if ((st = store_prep(s, "SELECT list, contact, team, role, clearance "
	    "FROM subscriptions WHERE list = ? ORDER BY team, contact",
	    &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		store_col_copy(stmt, 0, v[n].list, sizeof v[n].list);
		store_col_copy(stmt, 1, v[n].contact, sizeof v[n].contact);
		store_col_copy(stmt, 2, v[n].team, sizeof v[n].team);
		if (role_from_name((const char *)sqlite3_column_text(stmt, 3),
		    &v[n].role) == -1)
			v[n].role = ROLE_MEMBER;
		if (tlp_from_name((const char *)sqlite3_column_text(stmt, 4),
		    &v[n].clearance) == -1)
			v[n].clearance = TLP_NONE;
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_dberr(s, rc, "subscriptions");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_subscriptions_free(struct subscription *v)
{
	free(v);
}
