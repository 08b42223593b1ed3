#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlcipher/sqlite3.h>

#include "base/buf.h"
#include "base/id.h"
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

/* --- delivery: disabled contacts (schema 5) ------------------------------ */

/* Is the contact at address subscribed to list, on its own or through
 * its team? */
static enum store_status
delivery_subscribed(struct store *s, const char *list, const char *address,
    int *yes)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	*yes = 0;
	if ((st = store_prep(s, "SELECT 1 FROM subscriptions sb JOIN contacts "
	    "c ON c.address = ?2 WHERE sb.list = ?1 AND (lower(sb.contact) = "
	    "lower(c.address) OR sb.team = c.team COLLATE NOCASE) LIMIT 1",
	    &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	rc = sqlite3_step(stmt);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, rc, "subscription");
	return STORE_OK;
}

static enum store_status
delivery_state(struct store *s, const char *list, const char *address,
    bool *disabled)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	*disabled = false;
	if ((st = store_prep(s, "SELECT state FROM delivery WHERE list = ? AND "
	    "address = ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*disabled = strcmp((const char *)sqlite3_column_text(stmt, 0),
		    "disabled") == 0;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, rc, "delivery");
	return STORE_OK;
}

/* Inside a transaction: the change and its audit row.  notified 0 leaves
 * the telling to the worker (a disable by bounces). */
enum store_status
store_delivery_change(struct store *s, const char *list, const char *address,
    bool enabled, const char *reason, int notified)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	bool disabled;
	int yes;
	long long now = (long long)hub_now();

	if ((st = store_exists(s, "SELECT 1 FROM lists WHERE name = ?", list,
	    &yes)) != STORE_OK)
		return st;
	if (!yes)
		return store_seterr(s, STORE_NOT_FOUND, "no such list: %s",
		    list);
	if ((st = store_exists(s, "SELECT 1 FROM contacts WHERE address = ?",
	    address, &yes)) != STORE_OK)
		return st;
	if (!yes)
		return store_seterr(s, STORE_NOT_FOUND, "no such contact: %s",
		    address);
	if ((st = delivery_subscribed(s, list, address, &yes)) != STORE_OK)
		return st;
	if (!yes)
		return store_seterr(s, STORE_NOT_FOUND, "not subscribed to %s, "
		    "in person or through its team: %s", list, address);
	if ((st = delivery_state(s, list, address, &disabled)) != STORE_OK)
		return st;
	if (disabled != enabled)
		return store_seterr(s, STORE_CONFLICT, "delivery of %s to %s "
		    "is %s already", list, address, disabled ? "disabled" :
		    "enabled");
	/* the row first (SQLCipher's SQLite may predate UPSERT), then its
	 * state; enabling restarts the bounce score: the failures before
	 * it were what the admin just dealt with */
	if ((st = store_prep(s, "INSERT OR IGNORE INTO delivery (list, "
	    "address, state, since, reason) VALUES (?, lower(?), 'enabled', "
	    "0, '')", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	if ((st = store_step_done(s, stmt, "delivery")) != STORE_OK)
		return st;
	if ((st = store_prep(s, enabled ? "UPDATE delivery SET state = "
	    "'enabled', since = ?3, reset = ?3, reason = ?4, notified = 1 "
	    "WHERE list = ?1 AND address = ?2" : "UPDATE delivery SET state = "
	    "'disabled', since = ?3, reason = ?4, notified = ?5 WHERE list = "
	    "?1 AND address = ?2", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)now);
	store_bind_text(stmt, 4, reason);
	if (!enabled)
		sqlite3_bind_int(stmt, 5, notified);
	if ((st = store_step_done(s, stmt, "delivery")) != STORE_OK)
		return st;
	{
		struct buf *b = buf_new(0), *a = buf_new(0);

		buf_append_str(b, "{\"address\":");
		json_append_str(b, address);
		buf_printf(b, ",\"delivery\":\"%s\"}", enabled ? "disabled" :
		    "enabled");
		buf_append_str(a, "{\"address\":");
		json_append_str(a, address);
		buf_printf(a, ",\"delivery\":\"%s\",\"reason\":",
		    enabled ? "enabled" : "disabled");
		json_append_str(a, reason);
		buf_append_str(a, "}");
		st = store_audit_row(s, enabled ? "delivery.enable" :
		    "delivery.disable", list, buf_data(b), buf_data(a));
		buf_free(b);
		buf_free(a);
	}
	return st;
}

enum store_status
store_delivery_set(struct store *s, const char *list, const char *address,
    bool enabled, const char *reason)
{
	enum store_status st;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	return store_tx_end(s, store_delivery_change(s, list, address,
	    enabled, reason, 1));
}

enum store_status
store_delivery_disabled(struct store *s, const char *list,
    const char *address, bool *disabled)
{
	return delivery_state(s, list, address, disabled);
}

enum store_status
store_delivery_disabled_list(struct store *s, const char *list, char ***vp,
    size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	char **v = NULL;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, "SELECT lower(address) FROM delivery WHERE "
	    "list = ? AND state = 'disabled' ORDER BY 1", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = store_col_dup(stmt, 0);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_strings_free(v, n);
		return store_dberr(s, rc, "delivery");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_strings_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The score: UTC days with a permanent failure since the last enable. */
#define SCORE_SQL "(SELECT count(DISTINCT b.at / 86400) FROM bounces b " \
	"WHERE b.list = k.list AND lower(b.address) = k.address AND " \
	"b.status LIKE '5%' AND b.at > coalesce((SELECT d.reset FROM " \
	"delivery d WHERE d.list = k.list AND d.address = k.address), 0))"

enum store_status
store_delivery_untold(struct store *s, struct store_untold **vp, size_t *np)
{
	struct store_untold *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, "SELECT k.list, k.address, " SCORE_SQL ", "
	    "(SELECT b.status FROM bounces b WHERE b.list = k.list AND "
	    "lower(b.address) = k.address ORDER BY b.id DESC LIMIT 1) FROM "
	    "(SELECT list, lower(address) AS address FROM delivery WHERE "
	    "state = 'disabled' AND notified = 0) k ORDER BY 1, 2", &stmt)) !=
	    STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		store_col_copy(stmt, 0, v[n].list, sizeof v[n].list);
		store_col_copy(stmt, 1, v[n].address, sizeof v[n].address);
		v[n].score = (unsigned)sqlite3_column_int64(stmt, 2);
		store_col_copy(stmt, 3, v[n].status, sizeof v[n].status);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_dberr(s, rc, "delivery");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

static enum store_status
delivery_notified(struct store *s, const char *list, const char *address,
    int to, bool *changed)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = store_prep(s, "UPDATE delivery SET notified = ?3 WHERE list "
	    "= ?1 AND address = ?2 AND state = 'disabled' AND notified <> ?3",
	    &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	sqlite3_bind_int(stmt, 3, to);
	if ((st = store_step_done(s, stmt, "delivery")) == STORE_OK &&
	    changed != NULL)
		*changed = sqlite3_changes(s->db) > 0;
	return st;
}

enum store_status
store_delivery_tell(struct store *s, const char *list, const char *address,
    bool *claimed)
{
	*claimed = false;
	/* one UPDATE: of two workers, the one that changed the row tells */
	return delivery_notified(s, list, address, 1, claimed);
}

enum store_status
store_delivery_untell(struct store *s, const char *list, const char *address)
{
	return delivery_notified(s, list, address, 0, NULL);
}

enum store_status
store_bounces(struct store *s, const char *list, struct store_bounces **vp,
    size_t *np)
{
	struct store_bounces *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc, yes;

	if (list != NULL) {
		if ((st = store_exists(s, "SELECT 1 FROM lists WHERE name = ?",
		    list, &yes)) != STORE_OK)
			return st;
		if (!yes)
			return store_seterr(s, STORE_NOT_FOUND, "no such list: "
			    "%s", list);
	}
	/* every (list, address) with a report or a disabled delivery, of
	 * the lists that still exist */
	if ((st = store_prep(s, "SELECT k.list, k.address, "
	    "(SELECT count(*) FROM bounces b WHERE b.list = k.list AND "
	    "lower(b.address) = k.address), "
	    "(SELECT count(*) FROM bounces b WHERE b.list = k.list AND "
	    "lower(b.address) = k.address AND b.status LIKE '5%'), "
	    SCORE_SQL ", l.bounce_score_threshold, "
	    "(SELECT max(b.at) FROM bounces b WHERE b.list = k.list AND "
	    "lower(b.address) = k.address), "
	    "(SELECT b.status FROM bounces b WHERE b.list = k.list AND "
	    "lower(b.address) = k.address ORDER BY b.id DESC LIMIT 1), "
	    "d.state, d.reason, d.since "
	    "FROM (SELECT list, lower(address) AS address FROM bounces UNION "
	    "SELECT list, lower(address) FROM delivery WHERE state = "
	    "'disabled') k JOIN lists l ON l.name = k.list "
	    "LEFT JOIN delivery d ON d.list = k.list AND d.address = k.address "
	    "WHERE ?1 IS NULL OR k.list = ?1 ORDER BY 1, 2", &stmt)) !=
	    STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_bounces *b;

		v = xreallocarray(v, n + 1, sizeof *v);
		b = &v[n++];
		memset(b, 0, sizeof *b);
		store_col_copy(stmt, 0, b->list, sizeof b->list);
		store_col_copy(stmt, 1, b->address, sizeof b->address);
		b->failures = (unsigned)sqlite3_column_int64(stmt, 2);
		b->permanent = (unsigned)sqlite3_column_int64(stmt, 3);
		b->score = (unsigned)sqlite3_column_int64(stmt, 4);
		b->threshold = (unsigned)sqlite3_column_int64(stmt, 5);
		b->last = sqlite3_column_int64(stmt, 6);
		store_col_copy(stmt, 7, b->last_status, sizeof b->last_status);
		b->disabled = sqlite3_column_text(stmt, 8) != NULL &&
		    strcmp((const char *)sqlite3_column_text(stmt, 8),
		    "disabled") == 0;
		if (b->disabled) {
			store_col_copy(stmt, 9, b->reason, sizeof b->reason);
			b->since = sqlite3_column_int64(stmt, 10);
		}
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return store_dberr(s, rc, "bounces");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}
