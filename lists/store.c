/*
 * store: open, init and close the roster store, its errors, and the SQLite
 * helpers and transactions every change uses (store_impl.h).  What is
 * stored lives in one file per noun.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/db.h"
#include "crypto/gpg.h"
#include "crypto/keyfile.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"

static const char *const status_names[] = {
	[STORE_OK] = "ok",
	[STORE_NOT_FOUND] = "not-found",
	[STORE_EXISTS] = "exists",
	[STORE_INVALID] = "invalid",
	[STORE_CONFLICT] = "conflict",
	[STORE_BUSY] = "busy",
	[STORE_KEY] = "bad-key",
	[STORE_SCHEMA] = "schema-too-new",
	[STORE_IO] = "io-error",
	[STORE_CRYPTO] = "crypto-error",
};

const char *
store_status_str(enum store_status st)
{
	if ((unsigned)st >= sizeof status_names / sizeof status_names[0])
		return "unknown";
	return status_names[st];
}

enum store_status
store_seterr(struct store *s, enum store_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return st;
}

static enum store_status
from_db(enum db_status st)
{
	switch (st) {
	case DB_OK:		return STORE_OK;
	case DB_BUSY:		return STORE_BUSY;
	case DB_KEY:		return STORE_KEY;
	case DB_SCHEMA:		return STORE_SCHEMA;
	case DB_NOT_FOUND:
	case DB_IO:		return STORE_IO;
	}
	return STORE_IO;
}

enum store_status
store_dberr(struct store *s, int rc, const char *what)
{
	return from_db(db_fail(s->d, rc, what, s->err, sizeof s->err));
}

const char *
store_errmsg(const struct store *s)
{
	return s->err;
}

void
store_set_actor(struct store *s, const char *actor)
{
	free(s->actor);
	s->actor = xstrdup(actor != NULL && *actor != '\0' ? actor :
	    "unknown");
}

int
store_schema_version(const struct store *s)
{
	return s->version;
}

const char *
store_hub_fpr(const struct store *s)
{
	return s->fpr;
}

/* --- SQLite helpers and transactions ------------------------------------ */

enum store_status
store_exec(struct store *s, const char *sql, const char *what)
{
	int rc;

	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return store_dberr(s, rc, what);
	return STORE_OK;
}

enum store_status
store_prep(struct store *s, const char *sql, sqlite3_stmt **stp)
{
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, stp, NULL)) != SQLITE_OK)
		return store_dberr(s, rc, "prepare");
	return STORE_OK;
}

void
store_bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, v, -1, SQLITE_TRANSIENT);
}

char *
store_col_dup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	return t == NULL ? NULL : xstrdup((const char *)t);
}

void
store_col_copy(sqlite3_stmt *stmt, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	snprintf(dst, n, "%s", t == NULL ? "" : (const char *)t);
}

/* Run a statement that returns no rows; finalizes it. */
enum store_status
store_step_done(struct store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);

	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return store_seterr(s, STORE_EXISTS, "%s: already exists",
		    what);
	return store_dberr(s, rc, what);
}

/*
 * One change = BEGIN IMMEDIATE ... audit row ... COMMIT.  IMMEDIATE takes
 * the write lock up front, so the reads that decide the change (does the
 * team exist, what is its state) cannot go stale before the write.
 */
enum store_status
store_tx_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE", "begin");
}

enum store_status
store_tx_end(struct store *s, enum store_status st)
{
	if (st == STORE_OK) {
		enum store_status cst = store_exec(s, "COMMIT", "commit");

		if (cst == STORE_OK)
			return STORE_OK;
		st = cst;
	}
	/* keep the first error's message, not the rollback's */
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

/* Does a row exist for "SELECT 1 FROM ... WHERE x = ?"? */
enum store_status
store_exists(struct store *s, const char *sql, const char *v, int *yes)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, sql, &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, v);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_dberr(s, rc, "lookup");
	*yes = rc == SQLITE_ROW;
	return STORE_OK;
}

/* --- open, init, close ---------------------------------------------------- */

static char *
path_in(const char *dir, const char *file)
{
	return xasprintf("%s/%s", dir, file);
}

static void
read_fpr(struct store *s, const char *data_dir)
{
	char *path = path_in(data_dir, STORE_FPR_FILE);

	if (keyfile_read_fpr(path, s->fpr) == -1)
		s->fpr[0] = '\0';
	free(path);
}

/* hub.db with its key: proved, locked while opening, WAL, migrated. */
static enum store_status
open_db(struct store *s, const char *data_dir, const struct buf *key,
    bool create)
{
	char *path = path_in(data_dir, STORE_DB_FILE);
	char *lock = path_in(data_dir, STORE_LOCK_FILE);
	const struct db_config cfg = {
		.path = path,
		.name = STORE_DB_FILE,
		.lock_path = lock,
		.create = create,
		.busy_ms = STORE_BUSY_MS,
		.pragmas = "PRAGMA foreign_keys = ON;",
		.version_at = DB_VERSION_TABLE,
		.steps = store_migrations,
		.nsteps = STORE_SCHEMA_VERSION,
	};
	enum store_status st;

	st = from_db(db_open(&cfg, buf_data(key), buf_len(key), &s->d,
	    s->err, sizeof s->err));
	if (st == STORE_OK) {
		s->db = db_handle(s->d);
		s->version = STORE_SCHEMA_VERSION;
	}
	free(path);
	free(lock);
	return st;
}

static struct store *
store_new(void)
{
	struct store *s = xcalloc(1, sizeof *s);

	s->actor = xstrdup("unknown");
	return s;
}

/* For messages before a store exists (init/open failures go to log). */
static enum store_status
fail_open(struct store *s, enum store_status st)
{
	log_warnx("store event=open-failed reason=%s msg=\"%s\"",
	    store_status_str(st), s->err);
	return st;
}

static void
unlink_store(const char *data_dir)
{
	static const char *const files[] = {
		STORE_DB_FILE, STORE_DB_FILE "-wal", STORE_DB_FILE "-shm",
		STORE_DB_FILE "-journal", STORE_KEY_FILE, STORE_FPR_FILE,
	};
	size_t i;
	char *p;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		p = path_in(data_dir, files[i]);
		(void)unlink(p);
		free(p);
	}
}

enum store_status
store_init(const char *data_dir, struct gpg *g, const char *hub_fpr,
    struct store **sp)
{
	enum keyfile_status ks;
	enum store_status st;
	struct store *s = store_new();
	struct buf *key = buf_new(BUF_SENSITIVE);
	char *db = path_in(data_dir, STORE_DB_FILE);
	char *kf = path_in(data_dir, STORE_KEY_FILE);
	char *ff = path_in(data_dir, STORE_FPR_FILE);
	char fprline[MODEL_FPR_LEN + 1];
	struct stat sb;
	int created = 0;

	if (!gpg_is_fpr(hub_fpr)) {
		st = store_seterr(s, STORE_INVALID, "not a fingerprint: %s",
		    hub_fpr != NULL ? hub_fpr : "(null)");
		goto out;
	}
	if (stat(db, &sb) == 0 || stat(kf, &sb) == 0) {
		st = store_seterr(s, STORE_EXISTS, "store already exists in %s",
		    data_dir);
		goto out;
	}
	/* the wrapped key first: a database whose key is lost is useless */
	ks = keyfile_create(g, hub_fpr, kf, STORE_KEY_LEN, key, s->err,
	    sizeof s->err);
	/* another init's key is never undone; a half-written one is */
	created = ks == KEYFILE_OK || ks == KEYFILE_IO;
	if (ks != KEYFILE_OK) {
		st = ks == KEYFILE_EXISTS ? STORE_EXISTS : ks == KEYFILE_IO ?
		    STORE_IO : STORE_CRYPTO;
		goto out;
	}
	snprintf(fprline, sizeof fprline, "%s\n", hub_fpr);
	if (fs_write_atomic(ff, fprline, strlen(fprline), 0644) == -1) {
		st = store_seterr(s, STORE_IO, "cannot write %s: %s", ff,
		    strerror(errno));
		goto out;
	}
	if ((st = open_db(s, data_dir, key, true)) != STORE_OK)
		goto out;
	read_fpr(s, data_dir);
out:
	buf_free(key);
	free(db);
	free(kf);
	free(ff);
	if (st != STORE_OK) {
		fail_open(s, st);
		store_close(s);
		/* half a store would make the next init refuse: undo it */
		if (created)
			unlink_store(data_dir);
		return st;
	}
	*sp = s;
	return STORE_OK;
}

enum store_status
store_open(const char *data_dir, struct gpg *g, struct store **sp)
{
	return store_open_why(data_dir, g, sp, NULL, 0);
}

enum store_status
store_open_why(const char *data_dir, struct gpg *g, struct store **sp,
    char *why, size_t whylen)
{
	enum keyfile_status ks;
	enum store_status st;
	struct store *s = store_new();
	struct buf *key = buf_new(BUF_SENSITIVE);
	char *kf = path_in(data_dir, STORE_KEY_FILE);
	char *db = path_in(data_dir, STORE_DB_FILE);
	struct stat sb;

	/* sqlite would create an empty database where none is */
	if (stat(db, &sb) == -1) {
		st = store_seterr(s, STORE_IO, "cannot open %s: %s", db,
		    strerror(errno));
		goto out;
	}
	if ((ks = keyfile_load(g, kf, STORE_KEY_LEN, key, s->err,
	    sizeof s->err)) != KEYFILE_OK) {
		st = ks == KEYFILE_BAD ? STORE_KEY : ks == KEYFILE_CRYPTO ?
		    STORE_CRYPTO : STORE_IO;
		goto out;
	}
	if ((st = open_db(s, data_dir, key, false)) != STORE_OK)
		goto out;
	read_fpr(s, data_dir);
out:
	buf_free(key);
	free(kf);
	free(db);
	if (st != STORE_OK) {
		fail_open(s, st);
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "%s", s->err);
		store_close(s);
		return st;
	}
	*sp = s;
	return STORE_OK;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	db_close(s->d);
	free(s->actor);
	free(s);
}
