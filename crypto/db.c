#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/db.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"

struct db {
	sqlite3		*h;
	char		*name;
	char		*path;
};

static enum db_status
seterr(char *err, size_t n, enum db_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum db_status
seterr(char *err, size_t n, enum db_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return st;
}

/*
 * The unix VFS answers a write cut short with SQLITE_FULL and keeps no
 * errno for it (a full disk, a quota, a file size limit look the same):
 * say "No space left on device" only when the filesystem shows it,
 * less than a page or two free.
 */
static int
disk_full(const struct db *d)
{
	struct statvfs vfs;

	return d->path != NULL && statvfs(d->path, &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < 65536;
}

enum db_status
db_fail(struct db *d, int rc, const char *what, char *err, size_t errsize)
{
	enum db_status st = DB_IO;
	const char *msg = sqlite3_errstr(rc);
	char sys[160] = "";
	int ext = rc, e;

	/* the handle's code is the extended one, when it is this error's */
	if (d->h != NULL && (sqlite3_extended_errcode(d->h) & 0xff) ==
	    (rc & 0xff)) {
		ext = sqlite3_extended_errcode(d->h);
		msg = sqlite3_errmsg(d->h);
		/*
		 * "disk I/O error" and "database or disk is full" hide what
		 * the admin must read ("No space left on device"): the errno
		 * of the system call that failed, kept by the handle.
		 */
		e = sqlite3_system_errno(d->h);
		if ((rc & 0xff) == SQLITE_FULL && e == 0 && disk_full(d))
			e = ENOSPC;
		if (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) ==
		    SQLITE_FULL || (rc & 0xff) == SQLITE_CANTOPEN) && e != 0)
			snprintf(sys, sizeof sys, ": %s", strerror(e));
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		st = DB_BUSY;
		break;
	case SQLITE_NOTADB:
		/* SQLCipher's word for a key that does not decrypt page 1 */
		st = DB_KEY;
		msg = "the key does not open it (or it is no database)";
		break;
	}
	return seterr(err, errsize, st, "%s: %s: %s (%d)%s", d->name, what,
	    msg, ext, sys);
}

struct sqlite3 *
db_handle(struct db *d)
{
	return d->h;
}

void
db_close(struct db *d)
{
	if (d == NULL)
		return;
	if (d->h != NULL)
		sqlite3_close_v2(d->h);
	free(d->name);
	free(d->path);
	free(d);
}

void
db_key_pragma(const void *key, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *k = key;
	size_t i;

	buf_append_str(out, "PRAGMA key = \"x'");
	for (i = 0; i < len; i++) {
		char h[2] = { hex[k[i] >> 4], hex[k[i] & 0xf] };

		buf_append(out, h, 2);
	}
	buf_append_str(out, "'\"");
}

int
db_lock(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("db lock=%s", path);
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			log_warn("db lock=%s", path);
			close(fd);
			return -1;
		}
	return fd;
}

void
db_unlock(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* --- open ------------------------------------------------------------- */

/*
 * The key is the first statement: SQLCipher derives the page key from
 * it, and anything earlier would read the file as plain SQLite.  The
 * first read then shows whether the key fits.
 */
static enum db_status
give_key(struct db *d, const void *key, size_t len, char *err, size_t n)
{
	struct buf *pragma = buf_new(BUF_SENSITIVE);
	int rc;

	db_key_pragma(key, len, pragma);
	rc = sqlite3_exec(d->h, buf_data(pragma), NULL, NULL, NULL);
	buf_free(pragma);
	if (rc != SQLITE_OK)
		return db_fail(d, rc, "key", err, n);
	if ((rc = sqlite3_exec(d->h, "SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL)) != SQLITE_OK)
		return db_fail(d, rc, "first read", err, n);
	return DB_OK;
}

/* --- migration ---------------------------------------------------------- */

/* The one integer a query returns: SQLITE_OK, or its failure. */
static int
query_int(sqlite3 *h, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(h, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

static enum db_status
read_version(struct db *d, enum db_version_at at, int *vp, char *err,
    size_t n)
{
	int rc, has = 0;

	*vp = 0;
	if (at == DB_VERSION_PRAGMA)
		rc = query_int(d->h, "PRAGMA user_version", vp);
	else if ((rc = query_int(d->h, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = 'schema_version'", &has)) ==
	    SQLITE_OK && has)
		/* max() of no rows is NULL, read as 0 */
		rc = query_int(d->h, "SELECT max(version) FROM schema_version",
		    vp);
	if (rc != SQLITE_OK)
		return db_fail(d, rc, "schema version", err, n);
	return DB_OK;
}

static int
write_version(struct db *d, enum db_version_at at, int v)
{
	sqlite3_stmt *s;
	char sql[64];
	int rc;

	if (at == DB_VERSION_PRAGMA) {
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
		return sqlite3_exec(d->h, sql, NULL, NULL, NULL);
	}
	if ((rc = sqlite3_exec(d->h, "CREATE TABLE IF NOT EXISTS "
	    "schema_version (version INTEGER NOT NULL, applied INTEGER NOT "
	    "NULL)", NULL, NULL, NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_prepare_v2(d->h, "INSERT INTO schema_version "
	    "(version, applied) VALUES (?, ?)", -1, &s, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int(s, 1, v);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)hub_now());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static enum db_status
too_new(struct db *d, int v, int known, char *err, size_t n)
{
	return seterr(err, n, DB_SCHEMA, "%s: schema version %d is newer "
	    "than this program knows (%d)", d->name, v, known);
}

/*
 * One transaction per step, the version read again inside it: an
 * opener that found no lock file may have migrated in the meantime.
 * An up-to-date database is only read, so opening never waits for the
 * write lock.
 */
static enum db_status
migrate(struct db *d, const struct db_config *cfg, char *err, size_t n)
{
	enum db_status st;
	int rc, v;

	if ((st = read_version(d, cfg->version_at, &v, err, n)) != DB_OK)
		return st;
	if (v > cfg->nsteps)
		return too_new(d, v, cfg->nsteps, err, n);
	while (v < cfg->nsteps) {
		if ((rc = sqlite3_exec(d->h, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL)) != SQLITE_OK)
			return db_fail(d, rc, "migrate", err, n);
		if ((st = read_version(d, cfg->version_at, &v, err, n)) !=
		    DB_OK)
			goto rollback;
		if (v > cfg->nsteps) {
			st = too_new(d, v, cfg->nsteps, err, n);
			goto rollback;
		}
		if (v < cfg->nsteps && ((rc = sqlite3_exec(d->h,
		    cfg->steps[v], NULL, NULL, NULL)) != SQLITE_OK ||
		    (rc = write_version(d, cfg->version_at, v + 1)) !=
		    SQLITE_OK)) {
			st = db_fail(d, rc, "migrate", err, n);
			goto rollback;
		}
		if ((rc = sqlite3_exec(d->h, "COMMIT", NULL, NULL, NULL)) !=
		    SQLITE_OK) {
			st = db_fail(d, rc, "migrate", err, n);
			goto rollback;
		}
		if (v < cfg->nsteps)
			v++;
	}
	return DB_OK;
rollback:
	/* keep the first error's message, not the rollback's */
	if (!sqlite3_get_autocommit(d->h))
		(void)sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

enum db_status
db_open(const struct db_config *cfg, const void *key, size_t len,
    struct db **dp, char *err, size_t errsize)
{
	struct db *d = xcalloc(1, sizeof *d);
	enum db_status st;
	struct stat sb;
	int rc, lock = -1, missing;

	*dp = NULL;
	d->name = xstrdup(cfg->name);
	d->path = xstrdup(cfg->path);
	if (cfg->lock_path != NULL)
		lock = db_lock(cfg->lock_path);
	/* sqlite would create an empty database where none is */
	missing = stat(cfg->path, &sb) == -1 && errno == ENOENT;
	if (missing && !cfg->create) {
		st = seterr(err, errsize, DB_NOT_FOUND, "%s: no database: %s",
		    d->name, cfg->path);
		goto out;
	}
	rc = sqlite3_open_v2(cfg->path, &d->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX | (cfg->create ? SQLITE_OPEN_CREATE : 0),
	    NULL);
	if (rc != SQLITE_OK) {
		st = db_fail(d, rc, "open", err, errsize);
		goto out;
	}
	/* before anything is written: the WAL and shm files take this
	 * mode from the database file */
	if (missing && chmod(cfg->path, 0600) == -1) {
		st = seterr(err, errsize, DB_IO, "%s: chmod %s: %s", d->name,
		    cfg->path, strerror(errno));
		goto out;
	}
	/* before the first read: another process may hold a lock */
	sqlite3_busy_timeout(d->h, cfg->busy_ms);
	if ((st = give_key(d, key, len, err, errsize)) != DB_OK)
		goto out;
	/* temp_store: sorts and temporary tables stay in memory, never in
	 * an unencrypted temporary file (DESIGN invariant 2), for every
	 * database this layer opens. */
	if ((rc = sqlite3_exec(d->h, "PRAGMA journal_mode = WAL; "
	    "PRAGMA temp_store = MEMORY;", NULL, NULL,
	    NULL)) != SQLITE_OK || (cfg->pragmas != NULL &&
	    (rc = sqlite3_exec(d->h, cfg->pragmas, NULL, NULL, NULL)) !=
	    SQLITE_OK)) {
		st = db_fail(d, rc, "open", err, errsize);
		goto out;
	}
	st = migrate(d, cfg, err, errsize);
out:
	db_unlock(&lock);
	if (st != DB_OK) {
		db_close(d);
		return st;
	}
	*dp = d;
	return DB_OK;
}

/* --- backup -------------------------------------------------------------- */

/* One keyed connection for db_backup(): opened, key given and proved. */
static enum db_status
open_keyed(struct db *d, const char *path, int flags, int busy_ms,
    const void *key, size_t len, char *err, size_t n)
{
	int rc;

	if ((rc = sqlite3_open_v2(path, &d->h, flags | SQLITE_OPEN_NOMUTEX,
	    NULL)) != SQLITE_OK)
		return db_fail(d, rc, "open", err, n);
	sqlite3_busy_timeout(d->h, busy_ms);
	return give_key(d, key, len, err, n);
}

enum db_status
db_backup(const struct db_config *cfg, const void *key, size_t len,
    const char *dst_path, int *version, char *err, size_t errsize)
{
	struct db src, dst;
	sqlite3_backup *b;
	enum db_status st;
	struct stat sb;
	int rc, fd, waited = 0;

	memset(&src, 0, sizeof src);
	memset(&dst, 0, sizeof dst);
	src.name = xstrdup(cfg->name);
	dst.name = xasprintf("%s (backup copy)", cfg->name);
	if (stat(cfg->path, &sb) == -1) {
		st = seterr(err, errsize, errno == ENOENT ? DB_NOT_FOUND :
		    DB_IO, "%s: %s: %s", src.name, cfg->path, strerror(errno));
		goto out;
	}
	/* the copy's file first, ours alone: never someone else's file */
	if ((fd = open(dst_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		st = seterr(err, errsize, DB_IO, "%s: %s: %s", dst.name,
		    dst_path, strerror(errno));
		goto out;
	}
	close(fd);
	if ((st = open_keyed(&src, cfg->path, SQLITE_OPEN_READWRITE,
	    cfg->busy_ms, key, len, err, errsize)) != DB_OK ||
	    (st = open_keyed(&dst, dst_path, SQLITE_OPEN_READWRITE,
	    cfg->busy_ms, key, len, err, errsize)) != DB_OK)
		goto fail;
	/* temporary tables of the copy stay in memory (invariant 2) */
	(void)sqlite3_exec(dst.h, "PRAGMA temp_store = MEMORY", NULL, NULL,
	    NULL);
	if ((b = sqlite3_backup_init(dst.h, "main", src.h, "main")) == NULL) {
		st = db_fail(&dst, sqlite3_errcode(dst.h), "backup", err,
		    errsize);
		goto fail;
	}
	/* every page in one step: one read transaction, one snapshot; a
	 * writer holding the lock (rollback mode) is waited for */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (waited >= cfg->busy_ms)
			break;
		sqlite3_sleep(50);
		waited += 50;
	}
	(void)sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		st = db_fail(&dst, rc, "backup", err, errsize);
		goto fail;
	}
	if ((st = read_version(&dst, cfg->version_at, version, err,
	    errsize)) != DB_OK)
		goto fail;
	sqlite3_close_v2(dst.h);
	dst.h = NULL;
	st = DB_OK;
	goto out;
fail:
	if (dst.h != NULL)
		sqlite3_close_v2(dst.h);
	dst.h = NULL;
	(void)unlink(dst_path);
out:
	if (src.h != NULL)
		sqlite3_close_v2(src.h);
	free(src.name);
	free(dst.name);
	return st;
}
