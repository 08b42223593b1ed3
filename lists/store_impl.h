/*
 * store_impl: what the files of lists/store share and nobody else sees.
 * The public interface is store.h; this header is for lists/store*.c
 * only.
 *
 * store.c opens and closes (crypto/db, crypto/keyfile), and holds the
 * errors, the SQLite helpers and the transactions every change uses;
 * store_schema.c the migrations; one file per noun the rest:
 * store_team.c, store_contact.c, store_list.c (with store_value.c, the
 * text forms of option values), store_sub.c, store_community.c,
 * store_endorse.c (endorsements and approval), store_audit.c (the audit
 * row of every change, the audit log, the counts) and store_journal.c
 * (the worker's replay records, bounces and notice caps).
 *
 * Every change is store_tx_begin() ... store_audit_row() ...
 * store_tx_end(): no change without its audit row and no audit row
 * without its change.
 */
#ifndef LISTS_STORE_IMPL_H
#define LISTS_STORE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlcipher/sqlite3.h>

#include "lists/model.h"
#include "lists/store.h"

struct db;

struct store {
	struct db	*d;
	sqlite3		*db;		/* db_handle(d) */
	char		*actor;
	int		 version;
	char		 fpr[MODEL_FPR_LEN];
	char		 err[512];
};

/* The migrations: store_migrations[i] takes the schema from version i to
 * i + 1 (STORE_SCHEMA_VERSION of them). */
extern const char *const store_migrations[];

/* --- errors (store.c) --------------------------------------------------- */

/* Set store_errmsg() and return st. */
enum store_status store_seterr(struct store *s, enum store_status st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An SQLite failure rc during WHAT, described by crypto/db with its
 * extended code: busy and a key that does not fit have statuses of their
 * own, the rest is environment (STORE_IO). */
enum store_status store_dberr(struct store *s, int rc, const char *what);

/* --- SQLite helpers (store.c) --------------------------------------------- */

enum store_status store_exec(struct store *s, const char *sql,
    const char *what);
enum store_status store_prep(struct store *s, const char *sql,
    sqlite3_stmt **stp);
/* NULL binds NULL; the text is copied. */
void store_bind_text(sqlite3_stmt *stmt, int i, const char *v);
char *store_col_dup(sqlite3_stmt *stmt, int i);
void store_col_copy(sqlite3_stmt *stmt, int i, char *dst, size_t n);
/* Run a statement that returns no rows and finalize it; a constraint
 * failure is STORE_EXISTS. */
enum store_status store_step_done(struct store *s, sqlite3_stmt *stmt,
    const char *what);
/* Does "SELECT 1 FROM ... WHERE x = ?" with v find a row? */
enum store_status store_exists(struct store *s, const char *sql,
    const char *v, int *yes);

/* BEGIN IMMEDIATE; store_tx_end() commits on STORE_OK, else rolls back
 * and returns st with its message kept. */
enum store_status store_tx_begin(struct store *s);
enum store_status store_tx_end(struct store *s, enum store_status st);

/* fpr (a checked fingerprint, any case) as the store keeps it, upper
 * case, into dst; dst may be fpr (store_contact.c). */
void store_fpr_upper(char dst[MODEL_FPR_LEN], const char *fpr);

/* --- the audit row (store_audit.c) ---------------------------------------- */

/* Inside the change's transaction; before/after are JSON or NULL. */
enum store_status store_audit_row(struct store *s, const char *action,
    const char *object, const char *before, const char *after);

/* --- delivery (store_sub.c) ------------------------------------------------ */

/* store_delivery_set() inside the caller's transaction (the bounce that
 * reaches the threshold disables in its own); notified 0: the worker
 * has still to tell the team and the admins. */
enum store_status store_delivery_change(struct store *s, const char *list,
    const char *address, bool enabled, const char *reason, int notified);

/* --- option values (store_value.c) ------------------------------------- */

/* yes|no|true|false|on|off|1|0: 0, or -1. */
int store_parse_bool(const char *v, bool *out);
/* Decimal octets: 0, or -1. */
int store_parse_size(const char *v, size_t *out);
/* "3600", "90m", "48h", "2d": seconds, at most ten years; 0, or -1. */
int store_parse_duration(const char *v, long long *out);

#endif
