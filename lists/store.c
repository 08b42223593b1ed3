#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/wrap.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/json.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/tlp.h"

struct store {
	sqlite3		*db;
	char		*actor;
	int		 version;
	char		 fpr[MODEL_FPR_LEN];
	char		 err[512];
};

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

/*
 * Forward migrations: migrations[i] takes the schema from version i to
 * i + 1.  Never edit a shipped entry; append a new one.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE teams ("
	" handle TEXT PRIMARY KEY COLLATE NOCASE,"
	" name TEXT,"
	" kind TEXT NOT NULL CHECK (kind IN ('member', 'partner')),"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('candidate', 'active', 'suspended', 'left')),"
	" created INTEGER NOT NULL);"
	"CREATE TABLE contacts ("
	" address TEXT PRIMARY KEY COLLATE NOCASE,"
	" fpr TEXT NOT NULL,"
	" team TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	" name TEXT,"
	" created INTEGER NOT NULL);"
	"CREATE INDEX contacts_team ON contacts(team);"
	"CREATE INDEX contacts_fpr ON contacts(fpr);"
	"CREATE TABLE lists ("
	" name TEXT PRIMARY KEY,"
	" description TEXT,"
	" default_tlp TEXT NOT NULL,"
	" may_post TEXT NOT NULL,"
	" subject_tag TEXT NOT NULL,"
	" keep_msgid INTEGER NOT NULL DEFAULT 0,"
	" max_size INTEGER NOT NULL DEFAULT 0,"
	" fpr TEXT NOT NULL DEFAULT '',"
	" created INTEGER NOT NULL);"
	"CREATE TABLE subscriptions ("
	" id INTEGER PRIMARY KEY,"
	" list TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,"
	" contact TEXT REFERENCES contacts(address) ON DELETE CASCADE,"
	" team TEXT REFERENCES teams(handle) ON DELETE CASCADE,"
	" role TEXT NOT NULL,"
	" clearance TEXT NOT NULL,"
	" CHECK ((contact IS NULL) <> (team IS NULL)));"
	/* NULLs are distinct in a UNIQUE constraint: two partial indexes */
	"CREATE UNIQUE INDEX subscriptions_contact"
	" ON subscriptions(list, contact) WHERE contact IS NOT NULL;"
	"CREATE UNIQUE INDEX subscriptions_team"
	" ON subscriptions(list, team COLLATE NOCASE) WHERE team IS NOT NULL;"
	"CREATE TABLE endorsements ("
	" candidate TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	" endorser TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	" candidate_fpr TEXT NOT NULL,"
	" endorser_fpr TEXT NOT NULL,"
	" recorded INTEGER NOT NULL,"
	" PRIMARY KEY (candidate, endorser));"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" object TEXT NOT NULL,"
	" before TEXT,"
	" after TEXT);",
	/* 1 -> 2: community options, admin approval of candidates */
	"CREATE TABLE settings ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE approvals ("
	" team TEXT PRIMARY KEY REFERENCES teams(handle) ON DELETE CASCADE,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL);",
	/* 2 -> 3: the worker's journal: replay records, bounces, notices
	 * already sent (once a day per subject) */
	"CREATE TABLE seen ("
	" list TEXT NOT NULL,"
	" sighash TEXT NOT NULL,"
	" spool_id TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (list, sighash));"
	"CREATE TABLE bounces ("
	" id INTEGER PRIMARY KEY,"
	" list TEXT NOT NULL,"
	" address TEXT NOT NULL COLLATE NOCASE,"
	" at INTEGER NOT NULL,"
	" status TEXT NOT NULL,"
	" diagnostic TEXT);"
	"CREATE INDEX bounces_address ON bounces(list, address);"
	"CREATE TABLE notices_sent ("
	" kind TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" day INTEGER NOT NULL,"
	" PRIMARY KEY (kind, subject, day));",
	/* 3 -> 4: how old a signature may be when the signed content does
	 * not name the list (lists/policy.h) */
	"ALTER TABLE lists ADD COLUMN max_signature_age INTEGER NOT NULL"
	" DEFAULT 172800;",
};
#define NMIGRATIONS	((int)(sizeof migrations / sizeof migrations[0]))

static enum store_status
seterr(struct store *s, enum store_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum store_status
seterr(struct store *s, enum store_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return st;
}

/* An SQLite failure: busy is its own status, the rest is environment. */
static enum store_status
dberr(struct store *s, int rc, const char *what)
{
	int base = rc & 0xff;

	if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
		return seterr(s, STORE_BUSY, "%s: database is busy", what);
	if (base == SQLITE_NOTADB)
		return seterr(s, STORE_KEY, "%s: the key does not open %s",
		    what, STORE_DB_FILE);
	return seterr(s, STORE_IO, "%s: %s", what, sqlite3_errmsg(s->db));
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

int
store_valid_list_name(const char *name)
{
	size_t i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n >= MODEL_LIST_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

/* --- small SQLite helpers ----------------------------------------------- */

static enum store_status
exec(struct store *s, const char *sql, const char *what)
{
	int rc;

	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return dberr(s, rc, what);
	return STORE_OK;
}

static enum store_status
prep(struct store *s, const char *sql, sqlite3_stmt **stp)
{
	int rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, stp, NULL)) != SQLITE_OK)
		return dberr(s, rc, "prepare");
	return STORE_OK;
}

static void
bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, v, -1, SQLITE_TRANSIENT);
}

static char *
col_dup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	return t == NULL ? NULL : xstrdup((const char *)t);
}

static void
col_copy(sqlite3_stmt *stmt, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(stmt, i);

	snprintf(dst, n, "%s", t == NULL ? "" : (const char *)t);
}

/* Run a statement that returns no rows; finalizes it. */
static enum store_status
step_done(struct store *s, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);

	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return seterr(s, STORE_EXISTS, "%s: already exists", what);
	return dberr(s, rc, what);
}

/*
 * One change = BEGIN IMMEDIATE ... audit row ... COMMIT.  IMMEDIATE takes
 * the write lock up front, so the reads that decide the change (does the
 * team exist, what is its state) cannot go stale before the write.
 */
static enum store_status
tx_begin(struct store *s)
{
	return exec(s, "BEGIN IMMEDIATE", "begin");
}

static enum store_status
tx_end(struct store *s, enum store_status st)
{
	if (st == STORE_OK) {
		enum store_status cst = exec(s, "COMMIT", "commit");

		if (cst == STORE_OK)
			return STORE_OK;
		st = cst;
	}
	/* keep the first error's message, not the rollback's */
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return st;
}

/* --- JSON for the audit log --------------------------------------------- */

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

static char *
contact_json(const struct contact *c)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"address\":");
	json_append_str(b, c->address);
	buf_append_str(b, ",\"fpr\":");
	json_append_str(b, c->fpr);
	buf_append_str(b, ",\"team\":");
	json_append_str(b, c->team);
	buf_append_str(b, ",\"name\":");
	json_append_str(b, c->name);
	buf_append_str(b, "}");
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

static char *
list_json(const struct store_list *l)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"name\":");
	json_append_str(b, l->l.name);
	buf_append_str(b, ",\"description\":");
	json_append_str(b, l->l.description);
	buf_printf(b, ",\"default_tlp\":\"%s\",\"may_post\":\"%s\"",
	    tlp_str(l->l.default_tlp), post_permission_str(l->l.may_post));
	buf_append_str(b, ",\"subject_tag\":");
	json_append_str(b, l->l.subject_tag);
	buf_printf(b, ",\"keep_msgid\":%s,\"max_size\":%zu,"
	    "\"max_signature_age\":%lld,\"fpr\":\"%s\"}",
	    l->l.opts.keep_msgid ? "true" : "false", l->l.opts.max_size,
	    l->l.opts.max_signature_age, l->fpr);
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

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

/* The audit row of a change; called inside the change's transaction. */
static enum store_status
audit(struct store *s, const char *action, const char *object,
    const char *before, const char *after)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = prep(s, "INSERT INTO audit (at, actor, action, object, "
	    "before, after) VALUES (?, ?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return st;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)hub_now());
	bind_text(stmt, 2, s->actor);
	bind_text(stmt, 3, action);
	bind_text(stmt, 4, object);
	bind_text(stmt, 5, before);
	bind_text(stmt, 6, after);
	return step_done(s, stmt, "audit");
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
	struct buf *b = buf_new(0);
	char *path = path_in(data_dir, STORE_FPR_FILE);
	char fpr[MODEL_FPR_LEN];

	s->fpr[0] = '\0';
	if (fs_read_small(path, b, 128) == 0 && buf_len(b) >= 40) {
		memcpy(fpr, buf_data(b), 40);
		fpr[40] = '\0';
		if (gpg_is_fpr(fpr))
			memcpy(s->fpr, fpr, sizeof fpr);
	}
	free(path);
	buf_free(b);
}

/*
 * Open hub.db and give it the key before anything else: SQLCipher
 * derives the page key from the first PRAGMA key, and any earlier
 * statement would read the file as plain SQLite.
 */
static enum store_status
db_open(struct store *s, const char *data_dir, const unsigned char *key,
    int create)
{
	struct buf *pragma;
	char *path;
	int rc, flags;

	path = path_in(data_dir, STORE_DB_FILE);
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	free(path);
	if (rc != SQLITE_OK)
		return seterr(s, STORE_IO, "cannot open %s/%s: %s", data_dir,
		    STORE_DB_FILE, s->db != NULL ? sqlite3_errmsg(s->db) :
		    "out of memory");
	/* before the first read: hubd or another hubctl may hold a lock */
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	pragma = buf_new(BUF_SENSITIVE);
	wrap_key_pragma(key, STORE_KEY_LEN, pragma);
	rc = sqlite3_exec(s->db, buf_data(pragma), NULL, NULL, NULL);
	buf_free(pragma);
	if (rc != SQLITE_OK)
		return dberr(s, rc, "key");
	/* the first read shows whether the key fits */
	rc = sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return dberr(s, rc, "open");
	if ((rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA foreign_keys = ON;", NULL, NULL, NULL)) != SQLITE_OK)
		return dberr(s, rc, "open");
	return STORE_OK;
}

static enum store_status
read_version(struct store *s, int *vp)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'schema_version'", &stmt)) != STORE_OK)
		return st;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return dberr(s, rc, "schema");
	}
	if (sqlite3_column_int(stmt, 0) == 0) {
		sqlite3_finalize(stmt);
		*vp = 0;
		return STORE_OK;
	}
	sqlite3_finalize(stmt);
	if ((st = prep(s, "SELECT max(version) FROM schema_version",
	    &stmt)) != STORE_OK)
		return st;
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return dberr(s, rc, "schema");
	}
	*vp = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return STORE_OK;
}

/* Bring the schema to STORE_SCHEMA_VERSION, one transaction per step. */
static enum store_status
migrate(struct store *s)
{
	enum store_status st;
	sqlite3_stmt *stmt;
	int v = 0;

	if ((st = read_version(s, &v)) != STORE_OK)
		return st;
	if (v > NMIGRATIONS)
		return seterr(s, STORE_SCHEMA, "%s: schema version %d is newer "
		    "than this program knows (%d)", STORE_DB_FILE, v,
		    NMIGRATIONS);
	while (v < NMIGRATIONS) {
		if ((st = tx_begin(s)) != STORE_OK)
			return st;
		if (v == 0)
			st = exec(s, "CREATE TABLE schema_version ("
			    "version INTEGER NOT NULL, applied INTEGER NOT "
			    "NULL)", "migrate");
		if (st == STORE_OK)
			st = exec(s, migrations[v], "migrate");
		if (st == STORE_OK && (st = prep(s, "INSERT INTO "
		    "schema_version (version, applied) VALUES (?, ?)",
		    &stmt)) == STORE_OK) {
			sqlite3_bind_int(stmt, 1, v + 1);
			sqlite3_bind_int64(stmt, 2, (sqlite3_int64)hub_now());
			st = step_done(s, stmt, "migrate");
		}
		if ((st = tx_end(s, st)) != STORE_OK)
			return st;
		v++;
	}
	s->version = v;
	return STORE_OK;
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
	unsigned char key[STORE_KEY_LEN];
	enum crypto_status cst;
	enum store_status st;
	struct store *s = store_new();
	struct buf *wrapped = buf_new(0);
	char *db = path_in(data_dir, STORE_DB_FILE);
	char *kf = path_in(data_dir, STORE_KEY_FILE);
	char *ff = path_in(data_dir, STORE_FPR_FILE);
	char fprline[MODEL_FPR_LEN + 1];
	struct stat sb;
	int created = 0;

	hub_random(key, sizeof key);
	if (!gpg_is_fpr(hub_fpr)) {
		st = seterr(s, STORE_INVALID, "not a fingerprint: %s",
		    hub_fpr != NULL ? hub_fpr : "(null)");
		goto out;
	}
	if (stat(db, &sb) == 0 || stat(kf, &sb) == 0) {
		st = seterr(s, STORE_EXISTS, "store already exists in %s",
		    data_dir);
		goto out;
	}
	if ((cst = wrap_secret(g, hub_fpr, key, sizeof key, 1, wrapped)) !=
	    CRYPTO_OK) {
		st = seterr(s, STORE_CRYPTO, "cannot wrap the store key to "
		    "%s: %s", hub_fpr, crypto_status_str(cst));
		goto out;
	}
	/* the wrapped key first: a database whose key is lost is useless */
	snprintf(fprline, sizeof fprline, "%s\n", hub_fpr);
	created = 1;
	if (fs_write_atomic(kf, buf_data(wrapped), buf_len(wrapped),
	    0600) == -1 || fs_write_atomic(ff, fprline, strlen(fprline),
	    0644) == -1) {
		st = seterr(s, STORE_IO, "cannot write %s: %s", kf,
		    strerror(errno));
		goto out;
	}
	if ((st = db_open(s, data_dir, key, 1)) != STORE_OK)
		goto out;
	if (chmod(db, 0600) == -1) {
		st = seterr(s, STORE_IO, "chmod %s: %s", db, strerror(errno));
		goto out;
	}
	if ((st = migrate(s)) != STORE_OK)
		goto out;
	read_fpr(s, data_dir);
	st = STORE_OK;
out:
	hub_wipe(key, sizeof key);
	buf_free(wrapped);
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
	enum crypto_status cst;
	enum store_status st;
	struct store *s = store_new();
	struct buf *wrapped = buf_new(0);
	struct buf *key = buf_new(BUF_SENSITIVE);
	char *kf = path_in(data_dir, STORE_KEY_FILE);
	char *db = path_in(data_dir, STORE_DB_FILE);
	struct stat sb;

	/* sqlite would create an empty database where none is */
	if (stat(db, &sb) == -1) {
		st = seterr(s, STORE_IO, "cannot open %s: %s", db,
		    strerror(errno));
		goto out;
	}
	if (fs_read_small(kf, wrapped, 1 << 16) == -1) {
		st = seterr(s, STORE_IO, "cannot read %s: %s", kf,
		    strerror(errno));
		goto out;
	}
	if ((cst = unwrap_secret(g, buf_data(wrapped), buf_len(wrapped),
	    key)) != CRYPTO_OK) {
		st = seterr(s, cst == CRYPTO_ENGINE_ERROR ? STORE_CRYPTO :
		    STORE_KEY, "cannot unwrap %s: %s", kf,
		    crypto_status_str(cst));
		goto out;
	}
	if (buf_len(key) != STORE_KEY_LEN) {
		st = seterr(s, STORE_KEY, "%s: not a %d-octet key", kf,
		    STORE_KEY_LEN);
		goto out;
	}
	if ((st = db_open(s, data_dir, (const unsigned char *)buf_data(key),
	    0)) != STORE_OK)
		goto out;
	if ((st = migrate(s)) != STORE_OK)
		goto out;
	read_fpr(s, data_dir);
out:
	buf_free(key);
	buf_free(wrapped);
	free(kf);
	free(db);
	if (st != STORE_OK) {
		fail_open(s, st);
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
	if (s->db != NULL)
		sqlite3_close_v2(s->db);
	free(s->actor);
	free(s);
}

/* --- teams ---------------------------------------------------------------- */

static void
row_team(sqlite3_stmt *stmt, struct team *t)
{
	const unsigned char *kind, *state;

	memset(t, 0, sizeof *t);
	col_copy(stmt, 0, t->handle, sizeof t->handle);
	t->name = col_dup(stmt, 1);
	kind = sqlite3_column_text(stmt, 2);
	state = sqlite3_column_text(stmt, 3);
	/* the CHECK constraints keep these valid */
	if (team_kind_from_name((const char *)kind, &t->kind) == -1)
		t->kind = TEAM_KIND_MEMBER;
	if (team_state_from_name((const char *)state, &t->state) == -1)
		t->state = TEAM_LEFT;
}

#define TEAM_COLS	"handle, name, kind, state"

static enum store_status
team_get(struct store *s, const char *handle, struct team *t)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, "SELECT " TEAM_COLS " FROM teams WHERE handle = ?",
	    &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, handle);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		row_team(stmt, t);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return seterr(s, STORE_NOT_FOUND, "no such team: %s", handle);
	if (rc != SQLITE_ROW)
		return dberr(s, rc, "team");
	return STORE_OK;
}

enum store_status
store_team_get(struct store *s, const char *handle, struct team *t)
{
	return team_get(s, handle, t);
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
		return seterr(s, STORE_INVALID, "bad team handle: %s "
		    "(1-63 of A-Z a-z 0-9 . _ -)", t->handle);
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = prep(s, "INSERT INTO teams (handle, name, kind, state, "
	    "created) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, t->handle);
	bind_text(stmt, 2, t->name);
	bind_text(stmt, 3, team_kind_str(t->kind));
	bind_text(stmt, 4, team_state_str(t->state));
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)hub_now());
	if ((st = step_done(s, stmt, "team")) == STORE_EXISTS)
		st = seterr(s, STORE_EXISTS, "team already exists: %s",
		    t->handle);
	if (st == STORE_OK) {
		after = team_json(t);
		st = audit(s, "team.add", t->handle, NULL, after);
		free(after);
	}
	return tx_end(s, st);
}

enum store_status
store_team_list(struct store *s, struct team **vp, size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team *v = NULL;
	size_t n = 0;
	int rc;

	if ((st = prep(s, "SELECT " TEAM_COLS " FROM teams ORDER BY handle",
	    &stmt)) != STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		row_team(stmt, &v[n++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_teams_free(v, n);
		return dberr(s, rc, "teams");
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

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = team_get(s, handle, &t)) != STORE_OK)
		return tx_end(s, st);
	from = t.state;
	if (!transition_ok(from, to)) {
		st = seterr(s, STORE_CONFLICT, "team %s is %s: cannot become "
		    "%s", t.handle, team_state_str(from), team_state_str(to));
		store_team_clear(&t);
		return tx_end(s, st);
	}
	before = team_json(&t);
	t.state = to;
	after = team_json(&t);
	if ((st = prep(s, "UPDATE teams SET state = ? WHERE handle = ?",
	    &stmt)) == STORE_OK) {
		bind_text(stmt, 1, team_state_str(to));
		bind_text(stmt, 2, t.handle);
		st = step_done(s, stmt, "team");
	}
	if (st == STORE_OK)
		st = audit(s, "team.state", t.handle, before, after);
	free(before);
	free(after);
	store_team_clear(&t);
	return tx_end(s, st);
}

enum store_status
store_team_remove(struct store *s, const char *handle)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct team t;
	char *before;

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = team_get(s, handle, &t)) != STORE_OK)
		return tx_end(s, st);
	before = team_json(&t);
	/* contacts, subscriptions and endorsements go by ON DELETE CASCADE */
	if ((st = prep(s, "DELETE FROM teams WHERE handle = ?", &stmt)) ==
	    STORE_OK) {
		bind_text(stmt, 1, t.handle);
		st = step_done(s, stmt, "team");
	}
	if (st == STORE_OK)
		st = audit(s, "team.remove", t.handle, before, NULL);
	free(before);
	store_team_clear(&t);
	return tx_end(s, st);
}

/* --- contacts ------------------------------------------------------------- */

enum store_status
store_own_key(struct store *s, const char *fpr, char *owner, size_t size)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if (owner != NULL && size > 0)
		owner[0] = '\0';
	if (strcasecmp(store_hub_fpr(s), fpr) == 0) {
		if (owner != NULL)
			snprintf(owner, size, "the hub");
		return STORE_OK;
	}
	if ((st = prep(s, "SELECT name FROM lists WHERE fpr = ? "
	    "COLLATE NOCASE LIMIT 1", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, fpr);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (owner != NULL)
			snprintf(owner, size, "the list %s",
			    (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
		return STORE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return seterr(s, STORE_IO, "own key lookup: %s",
		    sqlite3_errmsg(s->db));
	return STORE_NOT_FOUND;
}

enum store_status
store_contact_add(struct store *s, const struct contact *c)
{
	char owner[MODEL_LIST_MAX + 16];
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact n = *c;
	struct team t;
	char *after;
	size_t i;

	for (i = 0; n.address[i] != '\0'; i++)
		if (n.address[i] >= 'A' && n.address[i] <= 'Z')
			n.address[i] = (char)(n.address[i] - 'A' + 'a');
	for (i = 0; n.fpr[i] != '\0'; i++)
		if (n.fpr[i] >= 'a' && n.fpr[i] <= 'f')
			n.fpr[i] = (char)(n.fpr[i] - 'a' + 'A');
	if (strchr(n.address, '@') == NULL || strlen(n.address) < 3)
		return seterr(s, STORE_INVALID, "bad address: %s", n.address);
	if (!gpg_is_fpr(n.fpr))
		return seterr(s, STORE_INVALID, "not a fingerprint: %s", n.fpr);
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = team_get(s, n.team, &t)) != STORE_OK)
		return tx_end(s, st);
	/* A contact holding the list's key could post any relayed copy
	 * back as a new post signed "by a member". */
	if ((st = store_own_key(s, n.fpr, owner, sizeof owner)) == STORE_OK) {
		store_team_clear(&t);
		return tx_end(s, seterr(s, STORE_INVALID, "key %s is %s's own "
		    "key, never a contact's", n.fpr, owner));
	}
	if (st != STORE_NOT_FOUND) {
		store_team_clear(&t);
		return tx_end(s, st);
	}
	/* the stored spelling of the handle, whatever case was given */
	memcpy(n.team, t.handle, sizeof n.team);
	store_team_clear(&t);
	if ((st = prep(s, "INSERT INTO contacts (address, fpr, team, name, "
	    "created) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, n.address);
	bind_text(stmt, 2, n.fpr);
	bind_text(stmt, 3, n.team);
	bind_text(stmt, 4, n.name);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)hub_now());
	if ((st = step_done(s, stmt, "contact")) == STORE_EXISTS)
		st = seterr(s, STORE_EXISTS, "contact already exists: %s",
		    n.address);
	if (st == STORE_OK) {
		after = contact_json(&n);
		st = audit(s, "contact.add", n.address, NULL, after);
		free(after);
	}
	return tx_end(s, st);
}

enum store_status
store_contact_list(struct store *s, const char *team, struct contact **vp,
    size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact *v = NULL;
	struct team t;
	size_t n = 0;
	int rc;

	if (team != NULL) {
		if ((st = team_get(s, team, &t)) != STORE_OK)
			return st;
		/* the stored spelling: contacts.team compares exactly */
		team = t.handle;
		store_team_clear(&t);
	}
	if ((st = prep(s, team != NULL ? "SELECT address, fpr, team, name "
	    "FROM contacts WHERE team = ? ORDER BY address" :
	    "SELECT address, fpr, team, name FROM contacts ORDER BY "
	    "team COLLATE NOCASE, address", &stmt)) != STORE_OK)
		return st;
	if (team != NULL)
		bind_text(stmt, 1, team);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		col_copy(stmt, 0, v[n].address, sizeof v[n].address);
		col_copy(stmt, 1, v[n].fpr, sizeof v[n].fpr);
		col_copy(stmt, 2, v[n].team, sizeof v[n].team);
		v[n].name = col_dup(stmt, 3);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_contacts_free(v, n);
		return dberr(s, rc, "contacts");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_contacts_free(struct contact *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)v[i].name);
	free(v);
}

static enum store_status
contact_get(struct store *s, const char *address, struct contact *c)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, "SELECT address, fpr, team, name FROM contacts "
	    "WHERE address = ?", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, address);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		memset(c, 0, sizeof *c);
		col_copy(stmt, 0, c->address, sizeof c->address);
		col_copy(stmt, 1, c->fpr, sizeof c->fpr);
		col_copy(stmt, 2, c->team, sizeof c->team);
		c->name = col_dup(stmt, 3);
	}
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return seterr(s, STORE_NOT_FOUND, "no such contact: %s",
		    address);
	if (rc != SQLITE_ROW)
		return dberr(s, rc, "contact");
	return STORE_OK;
}

enum store_status
store_contact_get(struct store *s, const char *address, struct contact *c)
{
	return contact_get(s, address, c);
}

void
store_contact_clear(struct contact *c)
{
	if (c == NULL)
		return;
	free((char *)(uintptr_t)c->name);
	c->name = NULL;
}

enum store_status
store_contact_remove(struct store *s, const char *address)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct contact c;
	char *before;

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = contact_get(s, address, &c)) != STORE_OK)
		return tx_end(s, st);
	before = contact_json(&c);
	/* its subscriptions go by ON DELETE CASCADE */
	if ((st = prep(s, "DELETE FROM contacts WHERE address = ?", &stmt)) ==
	    STORE_OK) {
		bind_text(stmt, 1, c.address);
		st = step_done(s, stmt, "contact");
	}
	if (st == STORE_OK)
		st = audit(s, "contact.remove", c.address, before, NULL);
	free(before);
	store_contact_clear(&c);
	return tx_end(s, st);
}

/* --- lists ---------------------------------------------------------------- */

#define LIST_COLS	"name, description, default_tlp, may_post, " \
	"subject_tag, keep_msgid, max_size, fpr, max_signature_age"

static void
row_list(sqlite3_stmt *stmt, struct store_list *l)
{
	memset(l, 0, sizeof *l);
	col_copy(stmt, 0, l->l.name, sizeof l->l.name);
	l->l.description = col_dup(stmt, 1);
	if (tlp_from_name((const char *)sqlite3_column_text(stmt, 2),
	    &l->l.default_tlp) == -1 || l->l.default_tlp == TLP_NONE)
		l->l.default_tlp = TLP_RED;	/* when in doubt, restrict */
	if (post_permission_from_name((const char *)sqlite3_column_text(stmt,
	    3), &l->l.may_post) == -1)
		l->l.may_post = POST_ADMINS;
	col_copy(stmt, 4, l->l.subject_tag, sizeof l->l.subject_tag);
	l->l.opts.keep_msgid = sqlite3_column_int(stmt, 5) != 0;
	l->l.opts.max_size = (size_t)sqlite3_column_int64(stmt, 6);
	col_copy(stmt, 7, l->fpr, sizeof l->fpr);
	l->l.opts.max_signature_age = sqlite3_column_int64(stmt, 8);
}

static enum store_status
list_get(struct store *s, const char *name, struct store_list *l)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, "SELECT " LIST_COLS " FROM lists WHERE name = ?",
	    &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		row_list(stmt, l);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return seterr(s, STORE_NOT_FOUND, "no such list: %s", name);
	if (rc != SQLITE_ROW)
		return dberr(s, rc, "list");
	return STORE_OK;
}

enum store_status
store_list_get(struct store *s, const char *name, struct store_list *l)
{
	return list_get(s, name, l);
}

void
store_list_clear(struct store_list *l)
{
	if (l == NULL)
		return;
	free((char *)(uintptr_t)l->l.description);
	l->l.description = NULL;
}

void
store_lists_free(struct store_list *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		store_list_clear(&v[i]);
	free(v);
}

static int
valid_tag(const char *tag)
{
	const unsigned char *p;

	if (strlen(tag) >= MODEL_TAG_MAX)
		return 0;
	for (p = (const unsigned char *)tag; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Write all columns of l (insert or update); inside a transaction. */
static enum store_status
list_write(struct store *s, const struct store_list *l, int insert)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = prep(s, insert ? "INSERT INTO lists (name, description, "
	    "default_tlp, may_post, subject_tag, keep_msgid, max_size, fpr, "
	    "max_signature_age, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?10, ?9)" :
	    "UPDATE lists SET description = ?2, default_tlp = ?3, "
	    "may_post = ?4, subject_tag = ?5, keep_msgid = ?6, "
	    "max_size = ?7, fpr = ?8, max_signature_age = ?10 "
	    "WHERE name = ?1", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, l->l.name);
	bind_text(stmt, 2, l->l.description);
	bind_text(stmt, 3, tlp_str(l->l.default_tlp));
	bind_text(stmt, 4, post_permission_str(l->l.may_post));
	bind_text(stmt, 5, l->l.subject_tag);
	sqlite3_bind_int(stmt, 6, l->l.opts.keep_msgid ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)l->l.opts.max_size);
	bind_text(stmt, 8, l->fpr);
	if (insert)
		sqlite3_bind_int64(stmt, 9, (sqlite3_int64)hub_now());
	sqlite3_bind_int64(stmt, 10,
	    (sqlite3_int64)l->l.opts.max_signature_age);
	return step_done(s, stmt, "list");
}

void
store_list_init(struct store_list *l, const char *name)
{
	memset(l, 0, sizeof *l);
	snprintf(l->l.name, sizeof l->l.name, "%s", name);
	l->l.default_tlp = TLP_AMBER;
	l->l.may_post = POST_MEMBERS;
	l->l.opts.max_signature_age = LIST_MAX_SIGNATURE_AGE_DEFAULT;
}

enum store_status
store_list_create(struct store *s, const struct store_list *l)
{
	enum store_status st;
	char *after;

	if (!store_valid_list_name(l->l.name))
		return seterr(s, STORE_INVALID, "bad list name: %s "
		    "(1-63 of a-z 0-9 . _ -)", l->l.name);
	if (l->l.default_tlp == TLP_NONE || !valid_tag(l->l.subject_tag) ||
	    (l->fpr[0] != '\0' && !gpg_is_fpr(l->fpr)))
		return seterr(s, STORE_INVALID, "bad list record: %s",
		    l->l.name);
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = list_write(s, l, 1)) == STORE_EXISTS)
		st = seterr(s, STORE_EXISTS, "list already exists: %s",
		    l->l.name);
	if (st == STORE_OK) {
		after = list_json(l);
		st = audit(s, "list.create", l->l.name, NULL, after);
		free(after);
	}
	return tx_end(s, st);
}

enum store_status
store_list_list(struct store *s, struct store_list **vp, size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct store_list *v = NULL;
	size_t n = 0;
	int rc;

	if ((st = prep(s, "SELECT " LIST_COLS " FROM lists ORDER BY name",
	    &stmt)) != STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		row_list(stmt, &v[n++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_lists_free(v, n);
		return dberr(s, rc, "lists");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

static int
parse_bool(const char *v, bool *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* "3600", "90m", "48h", "2d": seconds, at most ten years. */
static int
parse_duration(const char *v, long long *out)
{
	unsigned long long n, unit = 1;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0')
			return -1;
		switch (*end) {
		case 's':
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			return -1;
		}
	}
	if (n > 3650ULL * 86400 / unit)
		return -1;
	*out = (long long)(n * unit);
	return 0;
}

static int
parse_size(const char *v, size_t *out)
{
	unsigned long long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > (unsigned long long)LLONG_MAX)
		return -1;
	*out = (size_t)n;
	return 0;
}

int
store_list_apply(struct store_list *l, const char *option, const char *value,
    char **newdesc, int *known)
{
	enum post_permission pp;
	enum tlp t;

	*known = 1;
	if (strcmp(option, "description") == 0) {
		free(*newdesc);
		*newdesc = xstrdup(value);
		l->l.description = *newdesc;
	} else if (strcmp(option, "default_tlp") == 0) {
		if (tlp_from_name(value, &t) == -1 || t == TLP_NONE)
			return -1;
		l->l.default_tlp = t;
	} else if (strcmp(option, "may_post") == 0) {
		if (post_permission_from_name(value, &pp) == -1)
			return -1;
		l->l.may_post = pp;
	} else if (strcmp(option, "subject_tag") == 0) {
		if (!valid_tag(value))
			return -1;
		snprintf(l->l.subject_tag, sizeof l->l.subject_tag, "%s",
		    value);
	} else if (strcmp(option, "keep_msgid") == 0) {
		if (parse_bool(value, &l->l.opts.keep_msgid) == -1)
			return -1;
	} else if (strcmp(option, "max_size") == 0) {
		if (parse_size(value, &l->l.opts.max_size) == -1)
			return -1;
	} else if (strcmp(option, "max_signature_age") == 0) {
		if (parse_duration(value, &l->l.opts.max_signature_age) == -1)
			return -1;
	} else {
		*known = 0;
		return -1;
	}
	return 0;
}

enum store_status
store_list_set(struct store *s, const char *name, const char *option,
    const char *value)
{
	struct store_list l;
	enum store_status st;
	char *before, *after, *newdesc = NULL;
	const char *olddesc;
	int known;

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = list_get(s, name, &l)) != STORE_OK)
		return tx_end(s, st);
	olddesc = l.l.description;
	before = list_json(&l);
	if (store_list_apply(&l, option, value, &newdesc, &known) == -1) {
		st = known ? seterr(s, STORE_INVALID, "bad value for %s: %s",
		    option, value) : seterr(s, STORE_INVALID,
		    "no such list option: %s", option);
		after = NULL;
	} else {
		after = list_json(&l);
		if ((st = list_write(s, &l, 0)) == STORE_OK)
			st = audit(s, "list.set", l.l.name, before, after);
	}
	free(before);
	free(after);
	free(newdesc);
	l.l.description = olddesc;
	store_list_clear(&l);
	return tx_end(s, st);
}

enum store_status
store_list_delete(struct store *s, const char *name)
{
	struct store_list l;
	sqlite3_stmt *stmt;
	enum store_status st;
	char *before;

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = list_get(s, name, &l)) != STORE_OK)
		return tx_end(s, st);
	before = list_json(&l);
	if ((st = prep(s, "DELETE FROM lists WHERE name = ?", &stmt)) ==
	    STORE_OK) {
		bind_text(stmt, 1, l.l.name);
		st = step_done(s, stmt, "list");
	}
	if (st == STORE_OK)
		st = audit(s, "list.delete", l.l.name, before, NULL);
	free(before);
	store_list_clear(&l);
	return tx_end(s, st);
}

/* --- subscriptions -------------------------------------------------------- */

/* Does a row exist for "SELECT 1 FROM ... WHERE x = ?"? */
static enum store_status
exists(struct store *s, const char *sql, const char *v, int *yes)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, sql, &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, v);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(s, rc, "lookup");
	*yes = rc == SQLITE_ROW;
	return STORE_OK;
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
		return seterr(s, STORE_INVALID, "a subscription names a "
		    "contact or a team, not both or neither");
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = exists(s, "SELECT 1 FROM lists WHERE name = ?", sub->list,
	    &yes)) != STORE_OK)
		return tx_end(s, st);
	if (!yes)
		return tx_end(s, seterr(s, STORE_NOT_FOUND, "no such list: %s",
		    sub->list));
	if ((st = exists(s, contact != NULL ? "SELECT 1 FROM contacts WHERE "
	    "address = ?" : "SELECT 1 FROM teams WHERE handle = ?",
	    contact != NULL ? contact : team, &yes)) != STORE_OK)
		return tx_end(s, st);
	if (!yes)
		return tx_end(s, seterr(s, STORE_NOT_FOUND, "no such %s: %s",
		    contact != NULL ? "contact" : "team",
		    contact != NULL ? contact : team));
	if ((st = prep(s, "INSERT INTO subscriptions (list, contact, team, "
	    "role, clearance) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, sub->list);
	bind_text(stmt, 2, contact);
	bind_text(stmt, 3, team);
	bind_text(stmt, 4, role_str(sub->role));
	bind_text(stmt, 5, tlp_str(sub->clearance));
	if ((st = step_done(s, stmt, "subscription")) == STORE_EXISTS)
		st = seterr(s, STORE_EXISTS, "already subscribed to %s: %s",
		    sub->list, contact != NULL ? contact : team);
	if (st == STORE_OK) {
		after = sub_json(sub);
		st = audit(s, "subscribe", sub->list, NULL, after);
		free(after);
	}
	return tx_end(s, st);
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
		return seterr(s, STORE_INVALID, "a subscription names a "
		    "contact or a team, not both or neither");
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	memset(&sub, 0, sizeof sub);
	if ((st = prep(s, contact != NULL ? "SELECT role, clearance, contact "
	    "FROM subscriptions WHERE list = ? AND contact = ?" :
	    "SELECT role, clearance, team FROM subscriptions WHERE list = ? "
	    "AND team = ?", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, list);
	bind_text(stmt, 2, contact != NULL ? contact : team);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return tx_end(s, seterr(s, STORE_NOT_FOUND, "not subscribed "
		    "to %s: %s", list, contact != NULL ? contact : team));
	}
	snprintf(sub.list, sizeof sub.list, "%s", list);
	if (role_from_name((const char *)sqlite3_column_text(stmt, 0),
	    &sub.role) == -1)
		sub.role = ROLE_MEMBER;
	if (tlp_from_name((const char *)sqlite3_column_text(stmt, 1),
	    &sub.clearance) == -1)
		sub.clearance = TLP_NONE;
	if (contact != NULL)
		col_copy(stmt, 2, sub.contact, sizeof sub.contact);
	else
		col_copy(stmt, 2, sub.team, sizeof sub.team);
	sqlite3_finalize(stmt);
	before = sub_json(&sub);
	if ((st = prep(s, contact != NULL ? "DELETE FROM subscriptions WHERE "
	    "list = ? AND contact = ?" : "DELETE FROM subscriptions WHERE "
	    "list = ? AND team = ?", &stmt)) == STORE_OK) {
		bind_text(stmt, 1, list);
		bind_text(stmt, 2, contact != NULL ? contact : team);
		st = step_done(s, stmt, "subscription");
	}
	if (st == STORE_OK)
		st = audit(s, "unsubscribe", list, before, NULL);
	free(before);
	return tx_end(s, st);
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

	if ((st = exists(s, "SELECT 1 FROM lists WHERE name = ?", list,
	    &yes)) != STORE_OK)
		return st;
	if (!yes)
		return seterr(s, STORE_NOT_FOUND, "no such list: %s", list);
	if ((st = prep(s, "SELECT list, contact, team, role, clearance FROM "
	    "subscriptions WHERE list = ? ORDER BY team, contact",
	    &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, list);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		col_copy(stmt, 0, v[n].list, sizeof v[n].list);
		col_copy(stmt, 1, v[n].contact, sizeof v[n].contact);
		col_copy(stmt, 2, v[n].team, sizeof v[n].team);
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
		return dberr(s, rc, "subscriptions");
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

/* --- audit and counts ----------------------------------------------------- */

enum store_status
store_audit_list(struct store *s, size_t limit, struct store_audit **vp,
    size_t *np)
{
	struct store_audit *v = NULL;
	sqlite3_stmt *stmt;
	enum store_status st;
	size_t n = 0;
	int rc;

	/* the newest `limit`, shown oldest first like a log */
	if ((st = prep(s, "SELECT id, at, actor, action, object, before, "
	    "after FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) "
	    "ORDER BY id", &stmt)) != STORE_OK)
		return st;
	sqlite3_bind_int64(stmt, 1, limit == 0 || limit > LLONG_MAX ? -1 :
	    (sqlite3_int64)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n].id = sqlite3_column_int64(stmt, 0);
		v[n].at = sqlite3_column_int64(stmt, 1);
		v[n].actor = col_dup(stmt, 2);
		v[n].action = col_dup(stmt, 3);
		v[n].object = col_dup(stmt, 4);
		v[n].before = col_dup(stmt, 5);
		v[n].after = col_dup(stmt, 6);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_audit_free(v, n);
		return dberr(s, rc, "audit");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

void
store_audit_free(struct store_audit *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
		free(v[i].object);
		free(v[i].before);
		free(v[i].after);
	}
	free(v);
}

static enum store_status
count(struct store *s, const char *sql, const char *arg, size_t *out)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, sql, &stmt)) != STORE_OK)
		return st;
	if (arg != NULL)
		bind_text(stmt, 1, arg);
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return dberr(s, rc, "count");
	}
	*out = (size_t)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return STORE_OK;
}

enum store_status
store_count(struct store *s, struct store_counts *c)
{
	struct store_counts r;
	enum store_status st;
	enum team_state ts;

	memset(&r, 0, sizeof r);
	/* one read transaction: the counts are of one moment */
	if ((st = exec(s, "BEGIN", "begin")) != STORE_OK)
		return st;
	for (ts = TEAM_CANDIDATE; ts <= TEAM_LEFT && st == STORE_OK; ts++)
		st = count(s, "SELECT count(*) FROM teams WHERE state = ?",
		    team_state_str(ts), &r.teams[ts]);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM contacts", NULL,
		    &r.contacts);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM lists", NULL, &r.lists);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM subscriptions", NULL,
		    &r.subscriptions);
	if (st == STORE_OK)
		st = count(s, "SELECT count(*) FROM audit", NULL, &r.audit);
	if ((st = tx_end(s, st)) != STORE_OK)
		return st;
	*c = r;
	return STORE_OK;
}

/* --- community options ---------------------------------------------------- */

static int
parse_required(const char *v, unsigned *out)
{
	size_t n;

	if (parse_size(v, &n) == -1 || n < 1 || n > STORE_ENDORSEMENTS_MAX)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static char *
community_json(const struct store_community *c)
{
	return xasprintf("{\"endorsements_required\":%u,"
	    "\"admin_approval\":%s}", c->endorsements_required,
	    c->admin_approval ? "true" : "false");
}

enum store_status
store_community_get(struct store *s, struct store_community *c)
{
	struct store_community r;
	sqlite3_stmt *stmt;
	enum store_status st;
	const char *k, *v;
	int rc;

	r.endorsements_required = STORE_ENDORSEMENTS_DEFAULT;
	r.admin_approval = false;
	if ((st = prep(s, "SELECT key, value FROM settings", &stmt)) !=
	    STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		k = (const char *)sqlite3_column_text(stmt, 0);
		v = (const char *)sqlite3_column_text(stmt, 1);
		if (k == NULL || v == NULL)
			continue;
		/* store_community_set() wrote them: a bad one keeps the
		 * default rather than failing every command */
		if (strcmp(k, "endorsements_required") == 0)
			(void)parse_required(v, &r.endorsements_required);
		else if (strcmp(k, "admin_approval") == 0)
			(void)parse_bool(v, &r.admin_approval);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return dberr(s, rc, "settings");
	*c = r;
	return STORE_OK;
}

enum store_status
store_community_set(struct store *s, const char *key, const char *value)
{
	struct store_community c;
	sqlite3_stmt *stmt;
	enum store_status st;
	char *before, *after, canon[16];

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_community_get(s, &c)) != STORE_OK)
		return tx_end(s, st);
	before = community_json(&c);
	if (strcmp(key, "endorsements_required") == 0) {
		if (parse_required(value, &c.endorsements_required) == -1)
			st = seterr(s, STORE_INVALID, "bad value for %s: %s "
			    "(1 to %d)", key, value, STORE_ENDORSEMENTS_MAX);
		snprintf(canon, sizeof canon, "%u", c.endorsements_required);
	} else if (strcmp(key, "admin_approval") == 0) {
		if (parse_bool(value, &c.admin_approval) == -1)
			st = seterr(s, STORE_INVALID, "bad value for %s: %s "
			    "(yes or no)", key, value);
		snprintf(canon, sizeof canon, "%s", c.admin_approval ? "yes" :
		    "no");
	} else
		st = seterr(s, STORE_INVALID, "no such community option: %s",
		    key);
	if (st != STORE_OK) {
		free(before);
		return tx_end(s, st);
	}
	after = community_json(&c);
	if ((st = prep(s, "INSERT OR REPLACE INTO settings (key, value) "
	    "VALUES (?, ?)", &stmt)) == STORE_OK) {
		bind_text(stmt, 1, key);
		bind_text(stmt, 2, canon);
		st = step_done(s, stmt, "settings");
	}
	if (st == STORE_OK)
		st = audit(s, "community.set", key, before, after);
	free(before);
	free(after);
	return tx_end(s, st);
}

/* --- endorsements and approval ------------------------------------------- */

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

	if ((st = prep(s, "SELECT candidate, endorser, candidate_fpr, "
	    "endorser_fpr, recorded FROM endorsements WHERE candidate = ? "
	    "AND endorser = ?", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, candidate);
	bind_text(stmt, 2, endorser);
	rc = sqlite3_step(stmt);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		memset(e, 0, sizeof *e);
		col_copy(stmt, 0, e->candidate, sizeof e->candidate);
		col_copy(stmt, 1, e->endorser, sizeof e->endorser);
		col_copy(stmt, 2, e->candidate_fpr, sizeof e->candidate_fpr);
		col_copy(stmt, 3, e->endorser_fpr, sizeof e->endorser_fpr);
		e->recorded = sqlite3_column_int64(stmt, 4);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return dberr(s, rc, "endorsement");
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
		return seterr(s, STORE_INVALID, "bad endorsement evidence: "
		    "not a fingerprint");
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	/* the stored spellings of both handles */
	if ((st = team_get(s, n.candidate, &t)) != STORE_OK)
		return tx_end(s, st);
	memcpy(n.candidate, t.handle, sizeof n.candidate);
	store_team_clear(&t);
	if ((st = team_get(s, n.endorser, &t)) != STORE_OK)
		return tx_end(s, st);
	memcpy(n.endorser, t.handle, sizeof n.endorser);
	store_team_clear(&t);
	if ((st = endorsement_get(s, n.candidate, n.endorser, &old,
	    &found)) != STORE_OK)
		return tx_end(s, st);
	if (found)
		before = endorsement_json(&old);
	n.recorded = (long long)hub_now();
	after = endorsement_json(&n);
	if ((st = prep(s, "INSERT OR REPLACE INTO endorsements (candidate, "
	    "endorser, candidate_fpr, endorser_fpr, recorded) VALUES "
	    "(?, ?, ?, ?, ?)", &stmt)) == STORE_OK) {
		bind_text(stmt, 1, n.candidate);
		bind_text(stmt, 2, n.endorser);
		bind_text(stmt, 3, n.candidate_fpr);
		bind_text(stmt, 4, n.endorser_fpr);
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)n.recorded);
		st = step_done(s, stmt, "endorsement");
	}
	if (st == STORE_OK)
		st = audit(s, "endorse", n.candidate, before, after);
	free(before);
	free(after);
	if ((st = tx_end(s, st)) == STORE_OK && replaced != NULL)
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

	if ((st = team_get(s, candidate, &t)) != STORE_OK)
		return st;
	if ((st = prep(s, "SELECT candidate, endorser, candidate_fpr, "
	    "endorser_fpr, recorded FROM endorsements WHERE candidate = ? "
	    "ORDER BY endorser COLLATE NOCASE", &stmt)) != STORE_OK) {
		store_team_clear(&t);
		return st;
	}
	bind_text(stmt, 1, t.handle);
	store_team_clear(&t);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		memset(&v[n], 0, sizeof v[n]);
		col_copy(stmt, 0, v[n].candidate, sizeof v[n].candidate);
		col_copy(stmt, 1, v[n].endorser, sizeof v[n].endorser);
		col_copy(stmt, 2, v[n].candidate_fpr,
		    sizeof v[n].candidate_fpr);
		col_copy(stmt, 3, v[n].endorser_fpr, sizeof v[n].endorser_fpr);
		v[n].recorded = sqlite3_column_int64(stmt, 4);
		n++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return dberr(s, rc, "endorsements");
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

	if ((st = team_get(s, handle, &t)) != STORE_OK)
		return st;
	st = exists(s, "SELECT 1 FROM approvals WHERE team = ?", t.handle,
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

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = team_get(s, handle, &t)) != STORE_OK)
		return tx_end(s, st);
	if (t.state != TEAM_CANDIDATE) {
		st = seterr(s, STORE_CONFLICT, "team %s is %s, not a "
		    "candidate: nothing to approve", t.handle,
		    team_state_str(t.state));
		store_team_clear(&t);
		return tx_end(s, st);
	}
	if ((st = exists(s, "SELECT 1 FROM approvals WHERE team = ?",
	    t.handle, &yes)) == STORE_OK && yes)
		st = seterr(s, STORE_EXISTS, "team %s is already approved",
		    t.handle);
	if (st == STORE_OK && (st = prep(s, "INSERT INTO approvals (team, at, "
	    "actor) VALUES (?, ?, ?)", &stmt)) == STORE_OK) {
		bind_text(stmt, 1, t.handle);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)hub_now());
		bind_text(stmt, 3, s->actor);
		st = step_done(s, stmt, "approval");
	}
	if (st == STORE_OK) {
		after = xasprintf("{\"approved\":true}");
		st = audit(s, "team.approve", t.handle, NULL, after);
		free(after);
	}
	store_team_clear(&t);
	return tx_end(s, st);
}

/* --- the worker's journal (schema 3) ------------------------------------ */

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
	if ((st = prep(s, "SELECT spool_id FROM seen WHERE list = ? AND "
	    "sighash = ?", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, list);
	bind_text(stmt, 2, sighash);
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
		return dberr(s, rc, "seen");
	return STORE_OK;
}

enum store_status
store_seen_record(struct store *s, const char *list, const char *sighash,
    const char *spool_id, bool *replay)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	bool found;

	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = seen_query(s, list, sighash, spool_id, &found, replay)) !=
	    STORE_OK || found)
		return tx_end(s, st);
	if ((st = prep(s, "INSERT INTO seen (list, sighash, spool_id, at) "
	    "VALUES (?, ?, ?, ?)", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, list);
	bind_text(stmt, 2, sighash);
	bind_text(stmt, 3, spool_id);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)hub_now());
	return tx_end(s, step_done(s, stmt, "seen"));
}

enum store_status
store_seen_lookup(struct store *s, const char *list, const char *sighash,
    const char *spool_id, bool *replay)
{
	bool found;

	return seen_query(s, list, sighash, spool_id, &found, replay);
}

enum store_status
store_bounce_record(struct store *s, const char *list, const char *address,
    const char *status, const char *diagnostic)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = prep(s, "INSERT INTO bounces (list, address, at, status, "
	    "diagnostic) VALUES (?, ?, ?, ?, ?)", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, list);
	bind_text(stmt, 2, address);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)hub_now());
	bind_text(stmt, 4, status);
	bind_text(stmt, 5, diagnostic);
	return step_done(s, stmt, "bounce");
}

enum store_status
store_bounce_count(struct store *s, const char *list, const char *address,
    unsigned *count)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = prep(s, "SELECT count(*) FROM bounces WHERE list = ? AND "
	    "address = ?", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, list);
	bind_text(stmt, 2, address);
	rc = sqlite3_step(stmt);
	*count = rc == SQLITE_ROW ? (unsigned)sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? STORE_OK : dberr(s, rc, "bounce");
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
	if ((st = tx_begin(s)) != STORE_OK)
		return st;
	if ((st = prep(s, "SELECT count(*) FROM notices_sent WHERE kind = ? "
	    "AND day = ?", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, kind);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(hub_now() / 86400));
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return tx_end(s, seterr(s, STORE_IO, "notice count: %s",
		    sqlite3_errmsg(s->db)));
	if (n >= cap) {
		*capped = true;
		return tx_end(s, STORE_OK);
	}
	if ((st = prep(s, "INSERT OR IGNORE INTO notices_sent (kind, subject, "
	    "day) VALUES (?, ?, ?)", &stmt)) != STORE_OK)
		return tx_end(s, st);
	bind_text(stmt, 1, kind);
	bind_text(stmt, 2, subject);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)(hub_now() / 86400));
	if ((st = step_done(s, stmt, "notice")) == STORE_OK)
		*first = sqlite3_changes(s->db) > 0;
	return tx_end(s, st);
}

enum store_status
store_notice_once(struct store *s, const char *kind, const char *subject,
    bool *first)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	*first = false;
	if ((st = prep(s, "INSERT OR IGNORE INTO notices_sent (kind, subject, "
	    "day) VALUES (?, ?, ?)", &stmt)) != STORE_OK)
		return st;
	bind_text(stmt, 1, kind);
	bind_text(stmt, 2, subject);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)(hub_now() / 86400));
	if ((st = step_done(s, stmt, "notice")) != STORE_OK)
		return st;
	*first = sqlite3_changes(s->db) > 0;
	return STORE_OK;
}
