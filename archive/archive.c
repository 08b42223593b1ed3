/*
 * archive: storage of archived posts and their indicators (archive.h).
 *
 * Search needs three access paths beside the exact (type, value) one, so
 * each indicator row also carries them, computed once at insert:
 *   rdomain   the domain reversed by labels with a trailing dot
 *             ("a.b.example.org" -> "org.example.b.a."): a domain and
 *             its subdomains are then one index range.  Set for domains,
 *             URL hosts and e-mail domains.
 *   iplo      the first address of an IP or CIDR as 16 octets (IPv4
 *             mapped into ::ffff:0:0/96) and plen its prefix length
 *             (128 for an address): "which CIDRs contain X" is one point
 *             lookup per prefix length, "what lies inside N/p" one range.
 * SQLCipher 3.4 in Debian 12 is SQLite 3.15: no UPSERT, no RETURNING,
 * hence the INSERT OR IGNORE / SELECT / UPDATE steps below.
 */
#include "config.h"

#include "archive/archive.h"
#include "archive/ipkey.h"
#include "archive/text.h"
#include "crypto/db.h"
#include "crypto/keyfile.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlcipher/sqlite3.h>

struct archive {
	struct db	*d;
	sqlite3		*db;		/* db_handle(d) */
	char		 err[512];
};

/*
 * Laid out for search at 10^6 indicators (bench/archive): posts rows are
 * small and keyed by id (no rowid: one b-tree step per sighting), the
 * text lives apart in post_bodies, and the domain and IP indexes cover
 * what the candidate step reads (last_seen, type), so it never touches
 * the table.
 */
static const char schema_v1[] =
	"CREATE TABLE posts ("
	" id TEXT PRIMARY KEY, list TEXT NOT NULL, team TEXT NOT NULL,"
	" contact TEXT NOT NULL, signer_fpr TEXT NOT NULL,"
	" tlp INTEGER NOT NULL, at INTEGER NOT NULL, subject TEXT)"
	" WITHOUT ROWID;"
	"CREATE INDEX posts_at ON posts(at);"
	"CREATE TABLE post_bodies ("
	" post TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE audience ("
	" post TEXT NOT NULL, address TEXT NOT NULL,"
	" PRIMARY KEY (post, address)) WITHOUT ROWID;"
	"CREATE TABLE indicators ("
	" id INTEGER PRIMARY KEY, type INTEGER NOT NULL,"
	" value TEXT NOT NULL, flags INTEGER NOT NULL,"
	" rdomain TEXT, iplo BLOB, plen INTEGER,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	" count INTEGER NOT NULL, UNIQUE (type, value));"
	"CREATE INDEX indicators_rdomain ON indicators(rdomain, last_seen,"
	" type);"
	"CREATE INDEX indicators_ip ON indicators(iplo, plen, last_seen,"
	" type);"
	"CREATE INDEX indicators_last ON indicators(last_seen);"
	"CREATE TABLE sightings ("
	" indicator INTEGER NOT NULL, post TEXT NOT NULL, context TEXT,"
	" PRIMARY KEY (indicator, post)) WITHOUT ROWID;"
	"CREATE INDEX sightings_post ON sightings(post);";

/* steps[i] takes the schema from PRAGMA user_version i to i + 1: never
 * edit a shipped step, append one. */
static const char *const steps[] = { schema_v1 };
_Static_assert(sizeof steps / sizeof steps[0] == ARCHIVE_SCHEMA_VERSION,
    "one step per schema version");

const char *
archive_status_str(enum archive_status st)
{
	switch (st) {
	case ARCHIVE_OK:	return "ok";
	case ARCHIVE_NOT_FOUND:	return "not-found";
	case ARCHIVE_INVALID:	return "invalid";
	case ARCHIVE_BUSY:	return "busy";
	case ARCHIVE_KEY:	return "key";
	case ARCHIVE_SCHEMA:	return "schema";
	case ARCHIVE_IO:	return "io";
	case ARCHIVE_CRYPTO:	return "crypto";
	}
	return "unknown";
}

enum archive_status
archive_seterr(struct archive *a, enum archive_status st, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof a->err, fmt, ap);
	va_end(ap);
	return st;
}

static enum archive_status
from_db(enum db_status st)
{
	switch (st) {
	case DB_OK:		return ARCHIVE_OK;
	case DB_NOT_FOUND:	return ARCHIVE_NOT_FOUND;
	case DB_BUSY:		return ARCHIVE_BUSY;
	case DB_KEY:		return ARCHIVE_KEY;
	case DB_SCHEMA:		return ARCHIVE_SCHEMA;
	case DB_IO:		return ARCHIVE_IO;
	}
	return ARCHIVE_IO;
}

static enum archive_status
dberr(struct archive *a, int rc, const char *what)
{
	return from_db(db_fail(a->d, rc, what, a->err, sizeof a->err));
}

const char *
archive_errmsg(const struct archive *a)
{
	return a != NULL ? a->err : "out of memory";
}

sqlite3 *
archive_db(struct archive *a)
{
	return a->db;
}

/* --- the key ----------------------------------------------------------- */

static enum archive_status
from_keyfile(enum keyfile_status st)
{
	switch (st) {
	case KEYFILE_OK:
	case KEYFILE_EXISTS:	return ARCHIVE_OK;
	case KEYFILE_MISSING:	return ARCHIVE_NOT_FOUND;
	case KEYFILE_BAD:	return ARCHIVE_KEY;
	case KEYFILE_CRYPTO:	return ARCHIVE_CRYPTO;
	case KEYFILE_IO:	return ARCHIVE_IO;
	}
	return ARCHIVE_IO;
}

/*
 * A new key wrapped to the hub key named in hub.fpr.  When another
 * opener linked its key first, key stays empty and that one is read.
 */
static enum archive_status
key_create(struct archive *a, const char *data_dir, struct gpg *g,
    const char *kf, struct buf *key)
{
	char fpr[41], *ff = xasprintf("%s/%s", data_dir, ARCHIVE_FPR_FILE);
	enum archive_status st;

	if (keyfile_read_fpr(ff, fpr) == -1)
		st = archive_seterr(a, ARCHIVE_IO, "cannot read %s: %s", ff,
		    strerror(errno));
	else
		st = from_keyfile(keyfile_create(g, fpr, kf, ARCHIVE_KEY_LEN,
		    key, a->err, sizeof a->err));
	free(ff);
	return st;
}

/* --- open ------------------------------------------------------------- */

enum archive_status
archive_open(const char *data_dir, struct gpg *g, bool create,
    struct archive **ap)
{
	struct archive *a = xcalloc(1, sizeof *a);
	struct buf *key = buf_new(BUF_SENSITIVE);
	char *kf = xasprintf("%s/%s", data_dir, ARCHIVE_KEY_FILE);
	char *db = xasprintf("%s/%s", data_dir, ARCHIVE_DB_FILE);
	char *lf = xasprintf("%s/%s", data_dir, ARCHIVE_LOCK_FILE);
	/* synchronous FULL: a post whose copies are committed must not
	 * lose its archive row to a power cut (crypto/db keeps temporary
	 * tables in memory for every database).  cache_size: 64 MiB of decrypted
	 * pages per connection, so a search at 10^6 indicators mostly
	 * reads memory (bench/archive). */
	const struct db_config cfg = {
		.path = db,
		.name = ARCHIVE_DB_FILE,
		.lock_path = lf,
		.create = create,
		.busy_ms = ARCHIVE_BUSY_MS,
		.pragmas = "PRAGMA synchronous = FULL;"
		    "PRAGMA cache_size = -65536;",
		.version_at = DB_VERSION_PRAGMA,
		.steps = steps,
		.nsteps = ARCHIVE_SCHEMA_VERSION,
	};
	enum archive_status st = ARCHIVE_OK;
	struct stat sb;
	int lock;

	*ap = NULL;
	if (stat(kf, &sb) == -1 && errno == ENOENT) {
		if (stat(db, &sb) == 0) {
			/* a new key would never open it: say so instead */
			st = archive_seterr(a, ARCHIVE_KEY, "%s exists but its "
			    "key %s is missing: restore the key file",
			    db, kf);
			goto out;
		}
		if (!create) {
			st = archive_seterr(a, ARCHIVE_NOT_FOUND, "no archive "
			    "in %s yet (nothing has been archived)", data_dir);
			goto out;
		}
		/* one creator runs gpg; the others wait and read its key */
		lock = db_lock(lf);
		if (stat(kf, &sb) == -1)
			st = key_create(a, data_dir, g, kf, key);
		db_unlock(&lock);
		if (st != ARCHIVE_OK)
			goto out;
	} else if (!create && stat(db, &sb) == -1) {
		st = archive_seterr(a, ARCHIVE_NOT_FOUND, "no archive in %s "
		    "yet (nothing has been archived)", data_dir);
		goto out;
	}
	/* unwrapping runs gpg: outside the lock */
	if (buf_len(key) == 0 && (st = from_keyfile(keyfile_load(g, kf,
	    ARCHIVE_KEY_LEN, key, a->err, sizeof a->err))) != ARCHIVE_OK)
		goto out;
	if ((st = from_db(db_open(&cfg, buf_data(key), buf_len(key), &a->d,
	    a->err, sizeof a->err))) != ARCHIVE_OK)
		goto out;
	a->db = db_handle(a->d);
out:
	buf_free(key);
	free(kf);
	free(db);
	free(lf);
	if (st != ARCHIVE_OK) {
		log_warnx("archive event=open-failed reason=%s msg=\"%s\"",
		    archive_status_str(st), a->err);
		archive_close(a);
		return st;
	}
	*ap = a;
	return ARCHIVE_OK;
}

void
archive_close(struct archive *a)
{
	if (a == NULL)
		return;
	db_close(a->d);
	free(a);
}

/* --- adding a post ------------------------------------------------------- */

enum {
	S_POST, S_BODY, S_AUD, S_IND_INS, S_IND_ID, S_SIGHT, S_IND_UPD,
	S_NSTMT
};

static const char *const add_sql[S_NSTMT] = {
	"INSERT OR IGNORE INTO posts (id, list, team, contact, signer_fpr,"
	" tlp, at, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO post_bodies (post, body) VALUES (?, ?)",
	"INSERT OR IGNORE INTO audience (post, address) VALUES (?, ?)",
	"INSERT OR IGNORE INTO indicators (type, value, flags, rdomain, iplo,"
	" plen, first_seen, last_seen, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	" 0)",
	"SELECT id FROM indicators WHERE type = ? AND value = ?",
	"INSERT OR IGNORE INTO sightings (indicator, post, context)"
	" VALUES (?, ?, ?)",
	"UPDATE indicators SET count = count + 1,"
	" first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?1),"
	" flags = flags | ?2 WHERE id = ?3",
};

static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static int
run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* The search keys of one indicator (see the top of this file). */
static void
bind_keys(sqlite3_stmt *s, const struct archive_ind *in)
{
	unsigned char ip[16];
	char *rd = NULL;
	int plen;

	if (ipkey_of(in->type, in->value, ip, &plen) == 0) {
		sqlite3_bind_blob(s, 5, ip, 16, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 6, plen);
	}
	if ((rd = ipkey_rdomain_of(in->type, in->value)) != NULL)
		sqlite3_bind_text(s, 4, rd, -1, free);
}

static enum archive_status
add_indicator(struct archive *a, sqlite3_stmt **q, const char *post,
    long long at, const struct archive_ind *in)
{
	sqlite3_int64 id;
	int rc;

	sqlite3_bind_int(q[S_IND_INS], 1, (int)in->type);
	sqlite3_bind_text(q[S_IND_INS], 2, in->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(q[S_IND_INS], 3, (int)in->flags);
	bind_keys(q[S_IND_INS], in);
	sqlite3_bind_int64(q[S_IND_INS], 7, at);
	sqlite3_bind_int64(q[S_IND_INS], 8, at);
	if ((rc = run(q[S_IND_INS])) != SQLITE_DONE)
		return dberr(a, rc, "add indicator");
	sqlite3_bind_int(q[S_IND_ID], 1, (int)in->type);
	sqlite3_bind_text(q[S_IND_ID], 2, in->value, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q[S_IND_ID])) != SQLITE_ROW) {
		sqlite3_reset(q[S_IND_ID]);
		return dberr(a, rc, "add indicator");
	}
	id = sqlite3_column_int64(q[S_IND_ID], 0);
	sqlite3_reset(q[S_IND_ID]);
	sqlite3_bind_int64(q[S_SIGHT], 1, id);
	sqlite3_bind_text(q[S_SIGHT], 2, post, -1, SQLITE_STATIC);
	bind_opt(q[S_SIGHT], 3, in->context);
	if ((rc = run(q[S_SIGHT])) != SQLITE_DONE)
		return dberr(a, rc, "add sighting");
	if (sqlite3_changes(a->db) == 0)
		return ARCHIVE_OK;	/* the same value twice in one post */
	sqlite3_bind_int64(q[S_IND_UPD], 1, at);
	sqlite3_bind_int(q[S_IND_UPD], 2, (int)in->flags);
	sqlite3_bind_int64(q[S_IND_UPD], 3, id);
	if ((rc = run(q[S_IND_UPD])) != SQLITE_DONE)
		return dberr(a, rc, "count indicator");
	return ARCHIVE_OK;
}

static enum archive_status
add_rows(struct archive *a, sqlite3_stmt **q, const struct archive_record *r,
    bool *added)
{
	enum archive_status st;
	struct buf *subj = NULL;
	size_t i;
	int rc;

	/* the subject as people read it: RFC 2047 words decoded once, here,
	 * so search, CSV, MISP and STIX all show the same text (stored
	 * decoded: decoding again on the way out would decode what the
	 * sender wrote literally) */
	if (r->subject != NULL) {
		subj = buf_new(BUF_SENSITIVE);
		text_header_utf8(r->subject, subj);
	}
	sqlite3_bind_text(q[S_POST], 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q[S_POST], 2, r->list, -1, SQLITE_STATIC);
	sqlite3_bind_text(q[S_POST], 3, r->team, -1, SQLITE_STATIC);
	sqlite3_bind_text(q[S_POST], 4, r->contact, -1, SQLITE_STATIC);
	sqlite3_bind_text(q[S_POST], 5, r->signer_fpr, -1, SQLITE_STATIC);
	sqlite3_bind_int(q[S_POST], 6, (int)r->tlp);
	sqlite3_bind_int64(q[S_POST], 7, r->at);
	bind_opt(q[S_POST], 8, subj != NULL ? buf_data(subj) : NULL);
	rc = run(q[S_POST]);
	buf_free(subj);
	if (rc != SQLITE_DONE)
		return dberr(a, rc, "add post");
	if (sqlite3_changes(a->db) == 0)
		return ARCHIVE_OK;	/* a redo: the post is already filed */
	*added = true;
	sqlite3_bind_text(q[S_BODY], 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q[S_BODY], 2, r->body != NULL ? r->body : "",
	    r->body != NULL ? (int)r->body_len : 0, SQLITE_STATIC);
	if ((rc = run(q[S_BODY])) != SQLITE_DONE)
		return dberr(a, rc, "add post");
	for (i = 0; i < r->naudience; i++) {
		sqlite3_bind_text(q[S_AUD], 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q[S_AUD], 2, r->audience[i], -1,
		    SQLITE_STATIC);
		if ((rc = run(q[S_AUD])) != SQLITE_DONE)
			return dberr(a, rc, "add audience");
	}
	for (i = 0; i < r->ninds; i++)
		if ((st = add_indicator(a, q, r->id, r->at, &r->inds[i])) !=
		    ARCHIVE_OK)
			return st;
	return ARCHIVE_OK;
}

enum archive_status
archive_add_post(struct archive *a, const struct archive_record *r,
    bool *added)
{
	sqlite3_stmt *q[S_NSTMT] = { NULL };
	enum archive_status st = ARCHIVE_OK;
	size_t i;
	int rc;

	*added = false;
	if (r->id[0] == '\0' || r->list == NULL || r->team == NULL ||
	    r->contact == NULL || r->signer_fpr == NULL)
		return archive_seterr(a, ARCHIVE_INVALID, "incomplete record");
	for (i = 0; i < S_NSTMT; i++)
		if ((rc = sqlite3_prepare_v2(a->db, add_sql[i], -1, &q[i],
		    NULL)) != SQLITE_OK) {
			st = dberr(a, rc, "prepare");
			goto out;
		}
	if ((rc = sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		st = dberr(a, rc, "begin");
		goto out;
	}
	st = add_rows(a, q, r, added);
	if (st == ARCHIVE_OK && (rc = sqlite3_exec(a->db, "COMMIT", NULL,
	    NULL, NULL)) != SQLITE_OK)
		st = dberr(a, rc, "commit");
	/* never leave a transaction open: the next BEGIN would fail */
	if (!sqlite3_get_autocommit(a->db))
		(void)sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	if (st != ARCHIVE_OK)
		*added = false;
out:
	for (i = 0; i < S_NSTMT; i++)
		sqlite3_finalize(q[i]);
	return st;
}

/* --- reading posts ----------------------------------------------------- */

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL ? xstrdup((const char *)v) : NULL;
}

/* Report content is plaintext: wiped before it is freed. */
static void
wipe_free(char *p)
{
	if (p != NULL)
		hub_wipe(p, strlen(p));
	free(p);
}

void
archive_record_clear(struct archive_record *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ninds; i++) {
		wipe_free(r->inds[i].value);
		wipe_free(r->inds[i].context);
	}
	free(r->inds);
	for (i = 0; i < r->naudience; i++)
		free(r->audience[i]);
	free(r->audience);
	free(r->list);
	free(r->team);
	free(r->contact);
	free(r->signer_fpr);
	wipe_free(r->subject);
	if (r->body != NULL)
		hub_wipe(r->body, r->body_len);
	free(r->body);
	memset(r, 0, sizeof *r);
}

#define POST_COLS "p.id, p.list, p.team, p.contact, p.signer_fpr, p.tlp," \
	" p.at, p.subject, b.body"
#define POST_FROM " FROM posts p LEFT JOIN post_bodies b ON b.post = p.id"

static void
row_post(sqlite3_stmt *s, struct archive_record *r)
{
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%s", sqlite3_column_text(s, 0));
	r->list = col_dup(s, 1);
	r->team = col_dup(s, 2);
	r->contact = col_dup(s, 3);
	r->signer_fpr = col_dup(s, 4);
	r->tlp = (enum tlp)sqlite3_column_int(s, 5);
	r->at = sqlite3_column_int64(s, 6);
	r->subject = col_dup(s, 7);
	r->body = col_dup(s, 8);
	r->body_len = r->body != NULL ? strlen(r->body) : 0;
}

/* The post's indicators (of one type when type >= 0) and audience. */
static enum archive_status
post_details(struct archive *a, struct archive_record *r, int type)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	rc = sqlite3_prepare_v2(a->db, "SELECT i.type, i.value, i.flags,"
	    " s.context FROM sightings s JOIN indicators i"
	    " ON i.id = s.indicator WHERE s.post = ?1"
	    " AND (?2 < 0 OR i.type = ?2) ORDER BY i.type, i.value", -1, &s,
	    NULL);
	if (rc != SQLITE_OK)
		return dberr(a, rc, "read post");
	sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, type);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct archive_ind *in;

		if (r->ninds == cap) {
			cap = cap ? cap * 2 : 16;
			r->inds = xreallocarray(r->inds, cap, sizeof *r->inds);
		}
		in = &r->inds[r->ninds++];
		in->type = (enum ind_type)sqlite3_column_int(s, 0);
		in->value = col_dup(s, 1);
		in->flags = (unsigned)sqlite3_column_int(s, 2);
		in->context = col_dup(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return dberr(a, rc, "read post");
	rc = sqlite3_prepare_v2(a->db, "SELECT address FROM audience"
	    " WHERE post = ? ORDER BY address", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return dberr(a, rc, "read audience");
	sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (r->naudience == cap) {
			cap = cap ? cap * 2 : 16;
			r->audience = xreallocarray(r->audience, cap,
			    sizeof *r->audience);
		}
		r->audience[r->naudience++] = col_dup(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return dberr(a, rc, "read audience");
	return ARCHIVE_OK;
}

enum archive_status
archive_get_post(struct archive *a, const char *id, struct archive_record *r)
{
	enum archive_status st;
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(a->db, "SELECT " POST_COLS POST_FROM
	    " WHERE p.id = ?", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return dberr(a, rc, "read post");
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return archive_seterr(a, ARCHIVE_NOT_FOUND,
			    "no such post: %s", id);
		return dberr(a, rc, "read post");
	}
	row_post(s, r);
	sqlite3_finalize(s);
	if ((st = post_details(a, r, -1)) != ARCHIVE_OK)
		archive_record_clear(r);
	return st;
}

enum archive_status
archive_each_post(struct archive *a, const struct archive_filter *f,
    int (*cb)(void *ctx, const struct archive_record *r), void *ctx,
    int *cb_rc)
{
	struct archive_record r;
	enum archive_status st = ARCHIVE_OK;
	sqlite3_stmt *s;
	int rc;

	*cb_rc = 0;
	rc = sqlite3_prepare_v2(a->db, "SELECT " POST_COLS POST_FROM
	    " WHERE (?1 = 0 OR p.at >= ?1) AND (?2 = 0 OR p.at < ?2)"
	    " AND (?3 IS NULL OR p.list = ?3)"
	    " AND (?4 IS NULL OR p.team = ?4 COLLATE NOCASE)"
	    " AND (?5 = 0 OR p.tlp = ?5) AND (?6 = 0 OR p.tlp <= ?6)"
	    " ORDER BY p.at, p.id", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return dberr(a, rc, "walk");
	sqlite3_bind_int64(s, 1, f->since);
	sqlite3_bind_int64(s, 2, f->until);
	bind_opt(s, 3, f->list);
	bind_opt(s, 4, f->team);
	sqlite3_bind_int(s, 5, (int)f->tlp);
	sqlite3_bind_int(s, 6, (int)f->tlp_max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_post(s, &r);
		st = post_details(a, &r, f->type);
		if (st == ARCHIVE_OK && (f->type < 0 || r.ninds > 0))
			*cb_rc = cb(ctx, &r);
		archive_record_clear(&r);
		if (st != ARCHIVE_OK || *cb_rc != 0)
			break;
	}
	if (st == ARCHIVE_OK && *cb_rc == 0 && rc != SQLITE_DONE)
		st = dberr(a, rc, "walk");
	sqlite3_finalize(s);
	return st;
}

enum archive_status
archive_count(struct archive *a, struct archive_counts *c)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM posts",
		"SELECT count(*) FROM indicators",
		"SELECT count(*) FROM sightings",
	};
	long long *dst[] = { &c->posts, &c->indicators, &c->sightings };
	sqlite3_stmt *s;
	size_t i;
	int rc;

	for (i = 0; i < 3; i++) {
		if ((rc = sqlite3_prepare_v2(a->db, sql[i], -1, &s, NULL)) !=
		    SQLITE_OK)
			return dberr(a, rc, "count");
		if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
			sqlite3_finalize(s);
			return dberr(a, rc, "count");
		}
		*dst[i] = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return ARCHIVE_OK;
}
