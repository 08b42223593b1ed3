/*
 * db: an encrypted SQLite database (SQLCipher), opened the one way the
 * roster store (lists/store, hub.db) and the archive (archive/archive,
 * archive.db) open theirs.
 *
 * db_open() gives SQLCipher the raw key (unwrapped by crypto/keyfile)
 * as the first statement, then proves it with a first read: a key that
 * does not fit is DB_KEY, said as such, instead of "file is not a
 * database" at some later query.  It sets the busy timeout before that
 * read (another process may hold a lock), switches to WAL, runs the
 * caller's per-connection PRAGMAs and brings the schema forward.
 *
 * Openers take turns on a lock file, held only while opening: SQLite's
 * busy handler does not cover every lock met while a database is
 * created, switched to WAL and migrated (it returns SQLITE_BUSY at once
 * where waiting could deadlock).  Without a lock file (a read-only data
 * directory) openers go on unlocked.
 *
 * Schema: steps[i] takes version i to i + 1, each in one BEGIN
 * IMMEDIATE transaction together with the new version number; never
 * edit a shipped step, append one.  Where the version lives is the
 * database's own, as it has always been on disk: PRAGMA user_version
 * (archive.db) or the newest row of a schema_version table (hub.db,
 * which also keeps when each step was applied).  A database newer than
 * its steps is DB_SCHEMA and is not touched.
 *
 * Errors: every failure is written into the caller's buffer as "FILE:
 * WHAT: SQLite's message (extended result code)", so a report names the
 * database and the exact SQLite condition; the status says its class.
 *
 * Ownership: struct db is freed by db_close() (NULL is a no-op); the
 * sqlite3 handle of db_handle() is valid until then.  Every function
 * blocks on SQLite I/O, db_open() also on the lock.
 */
#ifndef CRYPTO_DB_H
#define CRYPTO_DB_H

#include <stdbool.h>
#include <stddef.h>

#define DB_WUR	__attribute__((warn_unused_result))

struct buf;
struct sqlite3;

enum db_status {
	DB_OK = 0,
	DB_NOT_FOUND,	/* no database file and create not asked for */
	DB_BUSY,	/* locked longer than the busy timeout */
	DB_KEY,		/* the key does not open the file */
	DB_SCHEMA,	/* a schema newer than the steps */
	DB_IO,		/* files or SQLite failed */
};

/* Where a database keeps its schema version. */
enum db_version_at {
	DB_VERSION_PRAGMA,	/* PRAGMA user_version */
	DB_VERSION_TABLE,	/* schema_version (version, applied) */
};

struct db_config {
	const char		*path;	/* the database file */
	const char		*name;	/* for messages: "hub.db" */
	const char		*lock_path; /* NULL: no openers' lock */
	bool			 create; /* make the file if missing */
	int			 busy_ms;
	const char		*pragmas; /* after WAL; may be NULL */
	enum db_version_at	 version_at;
	const char *const	*steps;	/* steps[i]: i -> i + 1 */
	int			 nsteps;
};

struct db;

/*
 * Open cfg->path with the raw key (len octets), prove the key, migrate.
 * On DB_OK *dp is the open database at version cfg->nsteps; else *dp
 * is NULL and err (size errsize) says why.
 */
enum db_status db_open(const struct db_config *cfg, const void *key,
    size_t len, struct db **dp, char *err, size_t errsize) DB_WUR;
void db_close(struct db *d);
struct sqlite3 *db_handle(struct db *d);

/*
 * A consistent copy of the database cfg->path, made through SQLite's
 * online backup API while other processes may write it (one read
 * transaction on the source: in WAL mode writers go on meanwhile), into
 * dst_path, a new file (mode 0600; DB_IO if it exists).  The copy has
 * the same key: SQLCipher decrypts each page from the source and
 * encrypts it for the copy, so nothing is written in clear.  The source
 * is opened with the key and proved as db_open() does, but never
 * created or migrated (cfg->create, steps and pragmas are not used);
 * *version is the copy's schema version (cfg->version_at).  On failure
 * nothing is left at dst_path.  Blocks; waits up to cfg->busy_ms for
 * locks.
 */
enum db_status db_backup(const struct db_config *cfg, const void *key,
    size_t len, const char *dst_path, int *version, char *err,
    size_t errsize) DB_WUR;

/*
 * Describe a failure rc of d's connection, during WHAT, into err, and
 * classify it (DB_BUSY, DB_KEY or DB_IO).
 */
enum db_status db_fail(struct db *d, int rc, const char *what, char *err,
    size_t errsize);

/*
 * The openers' lock on path: a descriptor to db_unlock(), or -1 (logged)
 * when there is no lock to take; callers go on then.  Blocks.
 */
int db_lock(const char *path);
void db_unlock(int *fd);

/*
 * The SQLCipher statement that gives a database its raw key,
 * PRAGMA key = "x'HEX'", appended to out (which should be BUF_SENSITIVE:
 * it is the key).  Raw, so SQLCipher derives no key from a passphrase.
 * db_open() uses it; exposed for tests that open a file by hand.
 */
void db_key_pragma(const void *key, size_t len, struct buf *out);

#endif
