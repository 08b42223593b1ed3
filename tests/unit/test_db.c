/*
 * Unit tests for crypto/db, the encrypted SQLite layer under the roster
 * store and the archive: migration steps run once and in order, an old
 * database is brought forward, a newer one and a wrong key are refused
 * with a clear error, a failing step leaves the version where it was,
 * errors carry SQLite's extended code, and openers wait for the lock.
 * Both places a version can live (user_version, schema_version) are
 * driven through the same tests; a backup copy is a snapshot under
 * the same key.  Raw keys, no gpg: the key file is
 * crypto/keyfile's, tested with the store.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/db.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

static char tmpdir[] = "/tmp/hubdb.XXXXXX";
static int ndbs;

static const unsigned char key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const unsigned char key_b[32] = { 8, 7, 6, 5, 4, 3, 2, 1 };

/* Each step leaves its number in log: the order is readable back. */
static const char *const steps[] = {
	"CREATE TABLE log (n INTEGER); INSERT INTO log VALUES (1)",
	"INSERT INTO log VALUES (2)",
	"INSERT INTO log VALUES (3)",
};

struct fixture {
	char			*path;
	char			*lock;
	struct db_config	 cfg;
	char			 err[512];
};

static struct fixture *
fixture_new(enum db_version_at at, int nsteps)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->path = xasprintf("%s/t%d.db", tmpdir, ++ndbs);
	f->lock = xasprintf("%s/t%d.lock", tmpdir, ndbs);
	f->cfg.path = f->path;
	f->cfg.name = "t.db";
	f->cfg.lock_path = f->lock;
	f->cfg.create = true;
	f->cfg.busy_ms = 5000;
	f->cfg.pragmas = "PRAGMA foreign_keys = ON;";
	f->cfg.version_at = at;
	f->cfg.steps = steps;
	f->cfg.nsteps = nsteps;
	return f;
}

static void
fixture_free(struct fixture *f)
{
	free(f->path);
	free(f->lock);
	free(f);
}

static enum db_status
open_with(struct fixture *f, const unsigned char *key, struct db **dp)
{
	return db_open(&f->cfg, key, 32, dp, f->err, sizeof f->err);
}

/* The steps' numbers in the order they ran, "1,2,3". */
static void
assert_log(struct db *d, const char *want)
{
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db_handle(d),
	    "SELECT group_concat(n) FROM (SELECT n FROM log ORDER BY rowid)",
	    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), want);
	sqlite3_finalize(s);
}

static int
query_int(struct db *d, const char *sql)
{
	sqlite3_stmt *s;
	int v;

	assert_int_equal(sqlite3_prepare_v2(db_handle(d), sql, -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
assert_version(struct db *d, enum db_version_at at, int v)
{
	if (at == DB_VERSION_PRAGMA)
		assert_int_equal(query_int(d, "PRAGMA user_version"), v);
	else {
		assert_int_equal(query_int(d, "SELECT max(version) FROM "
		    "schema_version"), v);
		/* one row per step, as the store has always kept them */
		assert_int_equal(query_int(d, "SELECT count(*) FROM "
		    "schema_version"), v);
	}
}

static void
steps_once_in_order(enum db_version_at at)
{
	struct fixture *f = fixture_new(at, 3);
	struct db *d;

	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	assert_log(d, "1,2,3");
	assert_version(d, at, 3);
	/* the pragmas are the caller's, WAL is the layer's */
	assert_int_equal(query_int(d, "PRAGMA foreign_keys"), 1);
	/* and so is temp_store: never an unencrypted temporary file */
	assert_int_equal(query_int(d, "PRAGMA temp_store"), 2);
	db_close(d);
	/* opened again: nothing runs twice */
	f->cfg.create = false;
	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	assert_log(d, "1,2,3");
	assert_version(d, at, 3);
	db_close(d);
	fixture_free(f);
}

static void
test_steps_pragma(void **state)
{
	(void)state;
	steps_once_in_order(DB_VERSION_PRAGMA);
}

static void
test_steps_table(void **state)
{
	(void)state;
	steps_once_in_order(DB_VERSION_TABLE);
}

/* A database made by older code (one step) is brought forward; one
 * newer than the code is refused and left as it is. */
static void
old_and_new(enum db_version_at at)
{
	struct fixture *f = fixture_new(at, 1);
	struct db *d;

	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	assert_log(d, "1");
	assert_version(d, at, 1);
	db_close(d);
	f->cfg.nsteps = 3;
	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	assert_log(d, "1,2,3");
	assert_version(d, at, 3);
	db_close(d);
	f->cfg.nsteps = 2;
	assert_int_equal(open_with(f, key_a, &d), DB_SCHEMA);
	assert_null(d);
	assert_string_equal(f->err, "t.db: schema version 3 is newer than "
	    "this program knows (2)");
	fixture_free(f);
}

static void
test_old_new_pragma(void **state)
{
	(void)state;
	old_and_new(DB_VERSION_PRAGMA);
}

static void
test_old_new_table(void **state)
{
	(void)state;
	old_and_new(DB_VERSION_TABLE);
}

/* Another key is said to be the wrong key, with SQLite's code. */
static void
test_wrong_key(void **state)
{
	struct fixture *f = fixture_new(DB_VERSION_PRAGMA, 1);
	struct db *d;

	(void)state;
	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	db_close(d);
	assert_int_equal(open_with(f, key_b, &d), DB_KEY);
	assert_null(d);
	assert_non_null(strstr(f->err, "t.db: first read: the key does not "
	    "open it"));
	assert_non_null(strstr(f->err, "(26)"));	/* SQLITE_NOTADB */
	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	db_close(d);
	fixture_free(f);
}

/* Without create nothing is made where no database is. */
static void
test_missing(void **state)
{
	struct fixture *f = fixture_new(DB_VERSION_PRAGMA, 1);
	struct db *d;

	(void)state;
	f->cfg.create = false;
	assert_int_equal(open_with(f, key_a, &d), DB_NOT_FOUND);
	assert_int_equal(access(f->path, F_OK), -1);
	fixture_free(f);
}

/* A failing step is rolled back whole: the version stays before it. */
static void
test_failed_step(void **state)
{
	static const char *const bad[] = {
		"CREATE TABLE log (n INTEGER); INSERT INTO log VALUES (1)",
		"INSERT INTO log VALUES (2); INSERT INTO nosuch VALUES (1)",
	};
	struct fixture *f = fixture_new(DB_VERSION_TABLE, 2);
	struct db *d;

	(void)state;
	f->cfg.steps = bad;
	assert_int_equal(open_with(f, key_a, &d), DB_IO);
	assert_non_null(strstr(f->err, "t.db: migrate: no such table: "
	    "nosuch (1)"));
	f->cfg.nsteps = 1;
	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	assert_log(d, "1");
	assert_version(d, DB_VERSION_TABLE, 1);
	db_close(d);
	fixture_free(f);
}

/* db_fail() reports the extended code, not just the primary one. */
static void
test_extended_code(void **state)
{
	struct fixture *f = fixture_new(DB_VERSION_PRAGMA, 1);
	struct db *d;
	int rc;

	(void)state;
	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	rc = sqlite3_exec(db_handle(d), "CREATE TABLE u (x UNIQUE);"
	    "INSERT INTO u VALUES (1); INSERT INTO u VALUES (1)", NULL, NULL,
	    NULL);
	assert_int_equal(rc, SQLITE_CONSTRAINT);
	assert_int_equal(db_fail(d, rc, "add", f->err, sizeof f->err), DB_IO);
	assert_non_null(strstr(f->err, "t.db: add: UNIQUE constraint failed"));
	/* SQLITE_CONSTRAINT_UNIQUE, not the primary 19 */
	assert_non_null(strstr(f->err, "(2067)"));
	db_close(d);
	fixture_free(f);
}

/*
 * db_fail() passes the system's error on: "unable to open database
 * file" alone does not say why (here: a path through a regular file;
 * on a full disk, "No space left on device", tests/integration/051).
 */
static void
test_system_errno(void **state)
{
	struct fixture *f = fixture_new(DB_VERSION_PRAGMA, 1);
	char *file = xasprintf("%s.file", f->path);
	struct db *d;
	int fd;

	(void)state;
	assert_true((fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600)) !=
	    -1);
	close(fd);
	free(f->path);
	f->path = xasprintf("%s/t.db", file);
	f->cfg.path = f->path;
	assert_int_equal(open_with(f, key_a, &d), DB_IO);
	assert_non_null(strstr(f->err, "t.db: open: "));
	assert_non_null(strstr(f->err, strerror(ENOTDIR)));
	assert_int_equal(unlink(file), 0);
	free(file);
	fixture_free(f);
}

/* An opener waits while another holds the lock, then goes on. */
static void
test_lock(void **state)
{
	struct fixture *f = fixture_new(DB_VERSION_TABLE, 3);
	struct pollfd pfd;
	int p[2], lock, status;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_true((lock = db_lock(f->lock)) != -1);
	if ((pid = fork()) == 0) {
		struct db *d;

		/* the parent's lock is its own: flock() locks are shared
		 * by every descriptor of one open, inherited ones too */
		close(lock);
		close(p[0]);
		if (open_with(f, key_a, &d) != DB_OK) {
			fprintf(stderr, "child: %s\n", f->err);
			_exit(1);
		}
		db_close(d);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	assert_true(pid > 0);
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 300), 0);	/* still waiting */
	db_unlock(&lock);
	assert_int_equal(lock, -1);
	assert_int_equal(poll(&pfd, 1, 30000), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	fixture_free(f);
}

/* The raw key as SQLCipher reads it: no passphrase derivation. */
static void
test_key_pragma(void **state)
{
	static const unsigned char k[] = { 0x00, 0xab, 0xff };
	struct buf *b = buf_new(BUF_SENSITIVE);

	(void)state;
	db_key_pragma(k, sizeof k, b);
	assert_string_equal(buf_data(b), "PRAGMA key = \"x'00abff'\"");
	buf_free(b);
}

/*
 * db_backup: a snapshot while another connection holds an open write
 * transaction (WAL: the copy has what was committed, not what is in
 * flight), encrypted with the same key (another key does not open it,
 * no SQLite header in clear), the schema version read from the copy; an
 * existing destination is refused and left alone.
 */
static void
backup_one(enum db_version_at at)
{
	struct fixture *f = fixture_new(at, 3), *g;
	struct db *d, *w, *c;
	char *dst = xasprintf("%s/copy%d.db", tmpdir, ndbs), head[16];
	FILE *fp;
	int v = -1;

	assert_int_equal(open_with(f, key_a, &d), DB_OK);
	assert_int_equal(sqlite3_exec(db_handle(d), "INSERT INTO log VALUES "
	    "(4)", NULL, NULL, NULL), SQLITE_OK);
	/* a writer in the middle of its transaction */
	f->cfg.create = false;
	assert_int_equal(open_with(f, key_a, &w), DB_OK);
	assert_int_equal(sqlite3_exec(db_handle(w), "BEGIN IMMEDIATE; "
	    "INSERT INTO log VALUES (99)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_backup(&f->cfg, key_a, 32, dst, &v, f->err,
	    sizeof f->err), DB_OK);
	assert_int_equal(v, 3);
	assert_int_equal(sqlite3_exec(db_handle(w), "COMMIT", NULL, NULL,
	    NULL), SQLITE_OK);
	db_close(w);
	/* encrypted: no "SQLite format 3" header */
	assert_non_null(fp = fopen(dst, "rb"));
	assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
	fclose(fp);
	assert_int_not_equal(memcmp(head, "SQLite format 3", 15), 0);
	g = fixture_new(at, 3);
	free(g->path);
	g->path = xstrdup(dst);
	g->cfg.path = g->path;
	g->cfg.create = false;
	assert_int_equal(open_with(g, key_b, &c), DB_KEY);
	assert_int_equal(open_with(g, key_a, &c), DB_OK);
	assert_log(c, "1,2,3,4");
	assert_version(c, at, 3);
	db_close(c);
	/* never over a file */
	assert_int_equal(db_backup(&f->cfg, key_a, 32, dst, &v, f->err,
	    sizeof f->err), DB_IO);
	assert_int_equal(open_with(g, key_a, &c), DB_OK);
	assert_log(c, "1,2,3,4");
	db_close(c);
	/* the wrong key for the source: nothing left behind */
	free(dst);
	dst = xasprintf("%s/copy%d-b.db", tmpdir, ndbs);
	assert_int_equal(db_backup(&f->cfg, key_b, 32, dst, &v, f->err,
	    sizeof f->err), DB_KEY);
	assert_int_equal(access(dst, F_OK), -1);
	db_close(d);
	free(dst);
	fixture_free(g);
	fixture_free(f);
}

static void
test_backup_pragma(void **state)
{
	(void)state;
	backup_one(DB_VERSION_PRAGMA);
}

static void
test_backup_table(void **state)
{
	(void)state;
	backup_one(DB_VERSION_TABLE);
}

static int
group_setup(void **state)
{
	(void)state;
	log_init("test_db", LOG_TO_STDERR, 0);
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", tmpdir);

	(void)state;
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed: %s\n", cmd);
	free(cmd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_pragma),
		cmocka_unit_test(test_steps_table),
		cmocka_unit_test(test_old_new_pragma),
		cmocka_unit_test(test_old_new_table),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_failed_step),
		cmocka_unit_test(test_extended_code),
		cmocka_unit_test(test_system_errno),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_key_pragma),
		cmocka_unit_test(test_backup_pragma),
		cmocka_unit_test(test_backup_table),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
