#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlcipher/sqlite3.h>

#include "base/id.h"
#include "lists/store.h"
#include "lists/store_impl.h"

/* The spool id that recorded (list, sighash), if any: *found, and
 * *replay when it was another entry than spool_id. */
static enum store_status
seen_query(struct store *s, const char *list, const char *sighash,
    const char *spool_id, bool *found, bool *replay)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	*found = *replay = false;
	if ((st = store_prep(s, "SELECT spool_id FROM seen WHERE list = ? AND "
	    "sighash = ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, sighash);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(stmt, 0);

		/* The same spool entry again is a redo after a crash. */
		*found = true;
		*replay = id == NULL || strcmp((const char *)id,
		    spool_id) != 0;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, rc, "seen");
	return STORE_OK;
}

enum store_status
store_seen_record(struct store *s, const char *list, const char *sighash,
    const char *spool_id, bool *replay)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	bool found;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = seen_query(s, list, sighash, spool_id, &found, replay)) !=
	    STORE_OK || found)
		return store_tx_end(s, st);
	if ((st = store_prep(s, "INSERT INTO seen (list, sighash, spool_id, "
	    "at) VALUES (?, ?, ?, ?)", &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, sighash);
	store_bind_text(stmt, 3, spool_id);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)hub_now());
	return store_tx_end(s, store_step_done(s, stmt, "seen"));
}

enum store_status
store_seen_lookup(struct store *s, const char *list, const char *sighash,
    const char *spool_id, bool *replay)
{
	bool found;

	return seen_query(s, list, sighash, spool_id, &found, replay);
}

/* After a permanent failure: disable the delivery when the score has
 * reached the list's threshold.  Inside the bounce's transaction. */
static enum store_status
bounce_score(struct store *s, const char *list, const char *address)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	long long threshold = 0, score = 0;
	bool disabled;
	int rc, sub;

	if ((st = store_prep(s, "SELECT l.bounce_score_threshold, "
	    "(SELECT count(DISTINCT b.at / 86400) FROM bounces b WHERE b.list "
	    "= l.name AND b.address = ?2 AND b.status LIKE '5%' AND b.at > "
	    "coalesce((SELECT d.reset FROM delivery d WHERE d.list = l.name "
	    "AND d.address = ?2), 0)), "
	    "EXISTS (SELECT 1 FROM subscriptions sb JOIN contacts c ON "
	    "c.address = ?2 WHERE sb.list = l.name AND (lower(sb.contact) = "
	    "lower(c.address) OR sb.team = c.team COLLATE NOCASE)) "
	    "FROM lists l WHERE l.name = ?1", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		threshold = sqlite3_column_int64(stmt, 0);
		score = sqlite3_column_int64(stmt, 1);
	}
	sub = rc == SQLITE_ROW && sqlite3_column_int(stmt, 2) != 0;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, rc, "bounce score");
	/* no list, no subscriber behind the address, or no threshold:
	 * recorded, nothing to disable */
	if (!sub || threshold <= 0 || score < threshold)
		return STORE_OK;
	if ((st = store_delivery_disabled(s, list, address, &disabled)) !=
	    STORE_OK || disabled)
		return st;
	return store_delivery_change(s, list, address, false, "bounces", 0);
}

enum store_status
store_bounce_record(struct store *s, const char *list, const char *address,
    const char *status, const char *diagnostic)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_prep(s, "INSERT INTO bounces (list, address, at, "
	    "status, diagnostic) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)hub_now());
	store_bind_text(stmt, 4, status);
	store_bind_text(stmt, 5, diagnostic);
	if ((st = store_step_done(s, stmt, "bounce")) == STORE_OK &&
	    status != NULL && status[0] == '5')
		st = bounce_score(s, list, address);
	return store_tx_end(s, st);
}

enum store_status
store_bounce_count(struct store *s, const char *list, const char *address,
    unsigned *count)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, "SELECT count(*) FROM bounces WHERE list = ? "
	    "AND address = ?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, list);
	store_bind_text(stmt, 2, address);
	rc = sqlite3_step(stmt);
	*count = rc == SQLITE_ROW ? (unsigned)sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? STORE_OK : store_dberr(s, rc, "bounce");
}

enum store_status
store_notice_capped(struct store *s, const char *kind, const char *subject,
    long long cap, bool *first, bool *capped)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	long long n = 0;
	int rc;

	*first = *capped = false;
	/* one transaction: two workers never both take the last place */
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_prep(s, "SELECT count(*) FROM notices_sent WHERE kind "
	    "= ? AND day = ?", &stmt)) != STORE_OK)
		return store_tx_end(s, st);
	store_bind_text(stmt, 1, kind);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(hub_now() / 86400));
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return store_tx_end(s, store_dberr(s, rc, "notice count"));
	if (n >= cap) {
		*capped = true;
		return store_tx_end(s, STORE_OK);
	}
	/* within this transaction, so count and insert are one step */
	return store_tx_end(s, store_notice_once(s, kind, subject, first));
}

/* INSERT OR IGNORE (kind, subject, v) by sql: *first when it was new. */
static enum store_status
note_first(struct store *s, const char *sql, const char *kind,
    const char *subject, long long v, bool *first)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	*first = false;
	if ((st = store_prep(s, sql, &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, kind);
	store_bind_text(stmt, 2, subject);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)v);
	if ((st = store_step_done(s, stmt, "notice")) != STORE_OK)
		return st;
	*first = sqlite3_changes(s->db) > 0;
	return STORE_OK;
}

enum store_status
store_notice_once(struct store *s, const char *kind, const char *subject,
    bool *first)
{
	return note_first(s, "INSERT OR IGNORE INTO notices_sent (kind, "
	    "subject, day) VALUES (?, ?, ?)", kind, subject,
	    (long long)hub_now() / 86400, first);
}

enum store_status
store_notice_ever(struct store *s, const char *kind, const char *subject,
    bool *first)
{
	return note_first(s, "INSERT OR IGNORE INTO notices_ever (kind, "
	    "subject, at) VALUES (?, ?, ?)", kind, subject,
	    (long long)hub_now(), first);
}

enum store_status
store_daily_claim(struct store *s, const char *name, bool *first)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	*first = false;
	/* each statement changes the row for the first caller of the day
	 * only, however many workers ask at once (no UPSERT: SQLCipher's
	 * SQLite may predate it) */
	if ((st = store_prep(s, "INSERT OR IGNORE INTO daily_runs (name, day) "
	    "VALUES (?, ?)", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, name);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(hub_now() / 86400));
	if ((st = store_step_done(s, stmt, "daily run")) != STORE_OK)
		return st;
	if (sqlite3_changes(s->db) > 0) {
		*first = true;
		return STORE_OK;
	}
	if ((st = store_prep(s, "UPDATE daily_runs SET day = ?2 WHERE name = "
	    "?1 AND day <> ?2", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, name);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(hub_now() / 86400));
	if ((st = store_step_done(s, stmt, "daily run")) != STORE_OK)
		return st;
	*first = sqlite3_changes(s->db) > 0;
	return STORE_OK;
}
