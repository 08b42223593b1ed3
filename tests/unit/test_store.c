/*
 * Unit tests for lists/store (and crypto/wrap and crypto/keyfile under
 * it): create and open, the schema version, CRUD of teams, contacts,
 * lists and subscriptions with their errors, an audit row per change, a
 * wrong key that refuses to open, a too-new schema, an old one migrated,
 * persistence across reopen, a key file never replaced, and nothing
 * readable at rest.
 *
 * One GNUPGHOME per run with a fresh ed25519/cv25519 key (keys_generate,
 * about a second) in a short mktemp -d /tmp/hubst.XXXXXX; each test has
 * its own data dir under it.  The agent is killed and everything removed
 * at the end.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/crypto.h"
#include "crypto/db.h"
#include "crypto/gpg.h"
#include "crypto/keyfile.h"
#include "crypto/keys.h"
#include "crypto/wrap.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "tests/unit/hubkey.h"
#include "lists/model.h"
#include "lists/policy.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"

static char tmpdir[] = "/tmp/hubst.XXXXXX";
static struct gpg *g;
static char hubfpr[41];
static int ndirs;

/* A fresh data dir and a store created in it. */
static char *
new_store(struct store **sp)
{
	char *dir = xasprintf("%s/d%d", tmpdir, ++ndirs);

	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(store_init(dir, g, hubfpr, sp), STORE_OK);
	store_set_actor(*sp, "test");
	return dir;
}

static int
group_setup(void **state)
{
	(void)state;
	log_init("test_store", LOG_TO_STDERR, 0);
	return hubkey_setup(tmpdir, &g, hubfpr);
}

static int
group_teardown(void **state)
{
	(void)state;
	hubkey_teardown(tmpdir, g);
	return 0;
}

static void
test_init_open(void **state)
{
	struct store *s;
	struct store *s2;
	char *dir, *p;
	struct stat sb;

	(void)state;
	dir = new_store(&s);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_string_equal(store_hub_fpr(s), hubfpr);
	store_close(s);
	/* a second init refuses: the key of the existing store is kept */
	assert_int_equal(store_init(dir, g, hubfpr, &s2), STORE_EXISTS);
	assert_int_equal(store_open(dir, g, &s), STORE_OK);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(s);
	p = xasprintf("%s/%s", dir, STORE_DB_FILE);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	free(p);
	p = xasprintf("%s/%s", dir, STORE_KEY_FILE);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	free(p);
	/* no store here: nothing is created by open */
	p = xasprintf("%s/none", tmpdir);
	assert_int_equal(store_open(p, g, &s), STORE_IO);
	free(p);
	free(dir);
}

static void
test_teams(void **state)
{
	struct team t, *v;
	struct store *s;
	size_t n;
	char *dir;

	(void)state;
	dir = new_store(&s);
	memset(&t, 0, sizeof t);
	strcpy(t.handle, "CERT-EX");
	t.name = "Example CERT";
	assert_int_equal(store_team_add(s, &t), STORE_OK);
	assert_int_equal(store_team_add(s, &t), STORE_EXISTS);
	assert_string_equal(store_errmsg(s), "team already exists: CERT-EX");
	strcpy(t.handle, "cert-ex");	/* handles compare without case */
	assert_int_equal(store_team_add(s, &t), STORE_EXISTS);
	strcpy(t.handle, "-bad");
	assert_int_equal(store_team_add(s, &t), STORE_INVALID);
	strcpy(t.handle, "PSIRT-B");
	t.name = NULL;
	t.kind = TEAM_KIND_PARTNER;
	t.state = TEAM_ACTIVE;
	assert_int_equal(store_team_add(s, &t), STORE_OK);

	assert_int_equal(store_team_get(s, "cert-ex", &t), STORE_OK);
	assert_string_equal(t.handle, "CERT-EX");
	assert_string_equal(t.name, "Example CERT");
	assert_int_equal(t.kind, TEAM_KIND_MEMBER);
	assert_int_equal(t.state, TEAM_CANDIDATE);
	store_team_clear(&t);
	assert_int_equal(store_team_get(s, "NOPE", &t), STORE_NOT_FOUND);
	assert_string_equal(store_errmsg(s), "no such team: NOPE");

	assert_int_equal(store_team_list(s, &v, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].handle, "CERT-EX");
	assert_string_equal(v[1].handle, "PSIRT-B");
	assert_null(v[1].name);
	assert_int_equal(v[1].kind, TEAM_KIND_PARTNER);
	store_teams_free(v, n);

	/* the transitions */
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_SUSPENDED),
	    STORE_CONFLICT);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_ACTIVE),
	    STORE_OK);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_ACTIVE),
	    STORE_CONFLICT);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_SUSPENDED),
	    STORE_OK);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_CANDIDATE),
	    STORE_CONFLICT);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_ACTIVE),
	    STORE_OK);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_LEFT),
	    STORE_OK);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_LEFT),
	    STORE_CONFLICT);
	assert_int_equal(store_team_set_state(s, "NOPE", TEAM_LEFT),
	    STORE_NOT_FOUND);

	assert_int_equal(store_team_remove(s, "psirt-b"), STORE_OK);
	assert_int_equal(store_team_remove(s, "PSIRT-B"), STORE_NOT_FOUND);
	assert_int_equal(store_team_list(s, &v, &n), STORE_OK);
	assert_int_equal(n, 1);
	store_teams_free(v, n);
	store_close(s);
	free(dir);
}

static void
add_team(struct store *s, const char *handle, enum team_state state)
{
	struct team t;

	memset(&t, 0, sizeof t);
	snprintf(t.handle, sizeof t.handle, "%s", handle);
	t.state = state;
	assert_int_equal(store_team_add(s, &t), STORE_OK);
}

static void
test_contacts_lists_subs(void **state)
{
	struct store_list l, *lv;
	struct subscription sub, *sv;
	struct contact c, *cv;
	struct store_counts cnt;
	struct store *s;
	size_t n;
	char *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CERT-EX", TEAM_ACTIVE);
	memset(&c, 0, sizeof c);
	strcpy(c.address, "PoC@Cert.Example");
	strcpy(c.fpr, "0123456789abcdef0123456789abcdef01234567");
	strcpy(c.team, "NOPE");
	assert_int_equal(store_contact_add(s, &c), STORE_NOT_FOUND);
	strcpy(c.team, "cert-ex");
	c.name = "Pat O. Contact";
	assert_int_equal(store_contact_add(s, &c), STORE_OK);
	assert_int_equal(store_contact_add(s, &c), STORE_EXISTS);
	strcpy(c.fpr, "xyz");
	assert_int_equal(store_contact_add(s, &c), STORE_INVALID);
	assert_int_equal(store_contact_list(s, "CERT-EX", &cv, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cv[0].address, "poc@cert.example");
	assert_string_equal(cv[0].fpr,
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_string_equal(cv[0].team, "CERT-EX");
	assert_string_equal(cv[0].name, "Pat O. Contact");
	store_contacts_free(cv, n);

	memset(&l, 0, sizeof l);
	strcpy(l.l.name, "ops");
	l.l.default_tlp = TLP_AMBER;
	strcpy(l.l.subject_tag, "[ops]");
	assert_int_equal(store_list_create(s, &l), STORE_OK);
	assert_int_equal(store_list_create(s, &l), STORE_EXISTS);
	strcpy(l.l.name, "Bad Name");
	assert_int_equal(store_list_create(s, &l), STORE_INVALID);
	assert_int_equal(store_list_set(s, "ops", "default_tlp", "red"),
	    STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "description", "Ops"),
	    STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "max_size", "1000"),
	    STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "keep_msgid", "yes"),
	    STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "may_post", "admins"),
	    STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "max_signature_age", "2h"),
	    STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "max_signature_age", "2x"),
	    STORE_INVALID);
	assert_int_equal(store_list_set(s, "ops", "max_signature_age", "-1"),
	    STORE_INVALID);
	assert_int_equal(store_list_set(s, "ops", "default_tlp", "purple"),
	    STORE_INVALID);
	assert_string_equal(store_errmsg(s), "bad value for default_tlp: "
	    "purple");
	assert_int_equal(store_list_set(s, "ops", "colour", "red"),
	    STORE_INVALID);
	assert_string_equal(store_errmsg(s), "no such list option: colour");
	assert_int_equal(store_list_set(s, "nope", "max_size", "1"),
	    STORE_NOT_FOUND);
	assert_int_equal(store_list_get(s, "ops", &l), STORE_OK);
	assert_int_equal(l.l.default_tlp, TLP_RED);
	assert_string_equal(l.l.description, "Ops");
	assert_int_equal(l.l.opts.max_size, 1000);
	assert_int_equal(l.l.opts.max_signature_age, 7200);
	assert_true(l.l.opts.keep_msgid);
	assert_int_equal(l.l.may_post, POST_ADMINS);
	store_list_clear(&l);
	assert_int_equal(store_list_list(s, &lv, &n), STORE_OK);
	assert_int_equal(n, 1);
	store_lists_free(lv, n);

	memset(&sub, 0, sizeof sub);
	strcpy(sub.list, "ops");
	strcpy(sub.contact, "poc@cert.example");
	assert_int_equal(store_subscribe(s, &sub), STORE_OK);
	assert_int_equal(store_subscribe(s, &sub), STORE_EXISTS);
	strcpy(sub.team, "CERT-EX");
	assert_int_equal(store_subscribe(s, &sub), STORE_INVALID);
	sub.contact[0] = '\0';
	sub.role = ROLE_PARTNER;
	sub.clearance = TLP_AMBER;
	assert_int_equal(store_subscribe(s, &sub), STORE_OK);
	assert_int_equal(store_subscribe(s, &sub), STORE_EXISTS);
	strcpy(sub.list, "nope");
	assert_int_equal(store_subscribe(s, &sub), STORE_NOT_FOUND);
	assert_int_equal(store_subscriptions(s, "ops", &sv, &n), STORE_OK);
	assert_int_equal(n, 2);
	store_subscriptions_free(sv);
	assert_int_equal(store_unsubscribe(s, "ops", "poc@cert.example",
	    NULL), STORE_OK);
	assert_int_equal(store_unsubscribe(s, "ops", "poc@cert.example",
	    NULL), STORE_NOT_FOUND);
	assert_int_equal(store_subscriptions(s, "ops", &sv, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(sv[0].team, "CERT-EX");
	assert_int_equal(sv[0].role, ROLE_PARTNER);
	assert_int_equal(sv[0].clearance, TLP_AMBER);
	store_subscriptions_free(sv);

	/* removing the team takes its contacts and subscriptions along */
	assert_int_equal(store_team_remove(s, "CERT-EX"), STORE_OK);
	assert_int_equal(store_count(s, &cnt), STORE_OK);
	assert_int_equal(cnt.contacts, 0);
	assert_int_equal(cnt.subscriptions, 0);
	assert_int_equal(cnt.lists, 1);
	assert_int_equal(store_list_delete(s, "ops"), STORE_OK);
	assert_int_equal(store_list_delete(s, "ops"), STORE_NOT_FOUND);
	assert_int_equal(store_count(s, &cnt), STORE_OK);
	assert_int_equal(cnt.lists, 0);
	store_close(s);
	free(dir);
}

static void
test_audit(void **state)
{
	struct store_audit *v;
	struct store *s;
	size_t n, nall;
	char *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CERT-EX", TEAM_CANDIDATE);
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_ACTIVE),
	    STORE_OK);
	/* a refused change leaves no audit row */
	assert_int_equal(store_team_set_state(s, "CERT-EX", TEAM_ACTIVE),
	    STORE_CONFLICT);
	assert_int_equal(store_team_remove(s, "CERT-EX"), STORE_OK);
	assert_int_equal(store_audit_list(s, 0, &v, &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].action, "team.add");
	assert_string_equal(v[0].object, "CERT-EX");
	assert_string_equal(v[0].actor, "test");
	assert_null(v[0].before);
	assert_string_equal(v[0].after, "{\"handle\":\"CERT-EX\",\"name\":null,"
	    "\"kind\":\"member\",\"state\":\"candidate\"}");
	assert_string_equal(v[1].action, "team.state");
	assert_non_null(strstr(v[1].before, "\"state\":\"candidate\""));
	assert_non_null(strstr(v[1].after, "\"state\":\"active\""));
	assert_string_equal(v[2].action, "team.remove");
	assert_null(v[2].after);
	assert_true(v[0].id < v[1].id && v[1].id < v[2].id);
	assert_true(v[0].at > 0);
	nall = n;
	store_audit_free(v, n);
	/* the newest one, not the oldest */
	assert_int_equal(store_audit_list(s, 1, &v, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_true(nall == 3);
	assert_string_equal(v[0].action, "team.remove");
	store_audit_free(v, n);
	store_close(s);
	free(dir);
}

static void
test_reopen_persists(void **state)
{
	struct store *s;
	struct team t;
	char *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CERT-EX", TEAM_ACTIVE);
	store_close(s);
	assert_int_equal(store_open(dir, g, &s), STORE_OK);
	assert_int_equal(store_team_get(s, "CERT-EX", &t), STORE_OK);
	assert_int_equal(t.state, TEAM_ACTIVE);
	store_team_clear(&t);
	store_close(s);
	free(dir);
}

/* Two handles at once, as hubctl beside hubd: WAL, short transactions. */
static void
test_two_handles(void **state)
{
	struct store *s1, *s2;
	struct team t;
	char *dir;

	(void)state;
	dir = new_store(&s1);
	assert_int_equal(store_open(dir, g, &s2), STORE_OK);
	add_team(s1, "CERT-EX", TEAM_ACTIVE);
	assert_int_equal(store_team_get(s2, "CERT-EX", &t), STORE_OK);
	store_team_clear(&t);
	assert_int_equal(store_team_set_state(s2, "CERT-EX", TEAM_SUSPENDED),
	    STORE_OK);
	assert_int_equal(store_team_get(s1, "CERT-EX", &t), STORE_OK);
	assert_int_equal(t.state, TEAM_SUSPENDED);
	store_team_clear(&t);
	store_close(s1);
	store_close(s2);
	free(dir);
}

static void
write_key_file(const char *dir, const void *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, STORE_KEY_FILE);

	assert_int_equal(fs_write_atomic(p, data, len, 0600), 0);
	free(p);
}

static void
test_wrong_key(void **state)
{
	unsigned char other[STORE_KEY_LEN];
	struct buf *w = buf_new(0);
	struct store *s;
	char *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CERT-EX", TEAM_ACTIVE);
	store_close(s);
	/* a valid wrapping of another key: SQLCipher refuses the file */
	hub_random(other, sizeof other);
	assert_int_equal(wrap_secret(g, hubfpr, other, sizeof other, 0, w),
	    CRYPTO_OK);
	write_key_file(dir, buf_data(w), buf_len(w));
	assert_int_equal(store_open(dir, g, &s), STORE_KEY);
	/* a wrapping of a key of the wrong length */
	buf_reset(w);
	assert_int_equal(wrap_secret(g, hubfpr, other, 16, 1, w), CRYPTO_OK);
	write_key_file(dir, buf_data(w), buf_len(w));
	assert_int_equal(store_open(dir, g, &s), STORE_KEY);
	/* not OpenPGP at all */
	write_key_file(dir, "garbage\n", 8);
	assert_int_equal(store_open(dir, g, &s), STORE_KEY);
	buf_free(w);
	free(dir);
}

static void
test_wrap_roundtrip(void **state)
{
	struct buf *w = buf_new(0), *p = buf_new(BUF_SENSITIVE);
	struct buf *plain = buf_new(0);
	int armor;

	(void)state;
	for (armor = 0; armor <= 1; armor++) {
		buf_reset(w);
		buf_reset(p);
		assert_int_equal(wrap_secret(g, hubfpr, "s3cret", 6, armor,
		    w), CRYPTO_OK);
		assert_null(memmem(buf_data(w), buf_len(w), "s3cret", 6));
		if (armor)
			assert_non_null(strstr(buf_data(w),
			    "-----BEGIN PGP MESSAGE-----"));
		assert_int_equal(unwrap_secret(g, buf_data(w), buf_len(w), p),
		    CRYPTO_OK);
		assert_int_equal(buf_len(p), 6);
		assert_memory_equal(buf_data(p), "s3cret", 6);
	}
	/* plaintext only into a sensitive buf */
	assert_int_equal(unwrap_secret(g, buf_data(w), buf_len(w), plain),
	    CRYPTO_BAD_ARGUMENT);
	assert_int_equal(wrap_secret(g, "nofpr", "x", 1, 0, w),
	    CRYPTO_BAD_ARGUMENT);
	buf_free(w);
	buf_free(p);
	buf_free(plain);
}

/* A key file is made once, never replaced, and read back as made. */
static void
test_keyfile(void **state)
{
	struct buf *k1 = buf_new(BUF_SENSITIVE), *k2 = buf_new(BUF_SENSITIVE);
	char *p = xasprintf("%s/kf", tmpdir), *q = xasprintf("%s/none", tmpdir);
	char err[256];
	struct stat sb;

	(void)state;
	assert_int_equal(keyfile_create(g, hubfpr, p, 32, k1, err, sizeof err),
	    KEYFILE_OK);
	assert_int_equal(buf_len(k1), 32);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	assert_int_equal(keyfile_create(g, hubfpr, p, 32, k2, err, sizeof err),
	    KEYFILE_EXISTS);
	assert_int_equal(buf_len(k2), 0);
	assert_int_equal(keyfile_load(g, p, 32, k2, err, sizeof err),
	    KEYFILE_OK);
	assert_memory_equal(buf_data(k1), buf_data(k2), 32);
	buf_reset(k2);
	assert_int_equal(keyfile_load(g, p, 16, k2, err, sizeof err),
	    KEYFILE_BAD);
	buf_reset(k2);
	assert_int_equal(keyfile_load(g, q, 32, k2, err, sizeof err),
	    KEYFILE_MISSING);
	assert_int_equal(unlink(p), 0);
	buf_free(k1);
	buf_free(k2);
	free(p);
	free(q);
}

/* Open hub.db as the store does, for what the API cannot do. */
static sqlite3 *
raw_open(const char *dir)
{
	struct buf *w = buf_new(0), *k = buf_new(BUF_SENSITIVE);
	struct buf *sql = buf_new(BUF_SENSITIVE);
	char *p = xasprintf("%s/%s", dir, STORE_KEY_FILE);
	FILE *fp = fopen(p, "r");
	char chunk[4096];
	size_t r;
	sqlite3 *db;

	assert_non_null(fp);
	while ((r = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(w, chunk, r);
	fclose(fp);
	free(p);
	assert_int_equal(unwrap_secret(g, buf_data(w), buf_len(w), k),
	    CRYPTO_OK);
	db_key_pragma(buf_data(k), buf_len(k), sql);
	p = xasprintf("%s/%s", dir, STORE_DB_FILE);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	free(p);
	assert_int_equal(sqlite3_exec(db, buf_data(sql), NULL, NULL, NULL),
	    SQLITE_OK);
	buf_free(w);
	buf_free(k);
	buf_free(sql);
	return db;
}

static void
test_schema(void **state)
{
	struct store *s;
	sqlite3 *db;
	char *dir;

	(void)state;
	dir = new_store(&s);
	store_close(s);
	db = raw_open(dir);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version "
	    "(version, applied) VALUES (99, 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dir, g, &s), STORE_SCHEMA);
	free(dir);
}

static void
test_at_rest(void **state)
{
	char token[HUB_ID_SIZE], *p, *dir;
	struct store *s;
	struct team t;
	struct buf *b = buf_new(0);
	char chunk[4096];
	size_t r;
	FILE *fp;

	(void)state;
	dir = new_store(&s);
	hub_id_new(token);
	memset(&t, 0, sizeof t);
	strcpy(t.handle, "CANARY");
	t.name = token;
	assert_int_equal(store_team_add(s, &t), STORE_OK);
	store_close(s);
	p = xasprintf("%s/%s", dir, STORE_DB_FILE);
	assert_non_null(fp = fopen(p, "rb"));
	while ((r = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(b, chunk, r);
	fclose(fp);
	assert_true(buf_len(b) > 1024);
	assert_null(memmem(buf_data(b), buf_len(b), token, strlen(token)));
	assert_null(memmem(buf_data(b), buf_len(b), "CANARY", 6));
	assert_null(memmem(buf_data(b), buf_len(b), "SQLite format 3", 15));
	buf_free(b);
	free(p);
	free(dir);
}

/* contact get, list across teams, remove (with its subscriptions) */
static void
test_contact_get_remove(void **state)
{
	struct store_audit *av;
	struct subscription sub, *sv;
	struct store_list l;
	struct contact c, *cv;
	struct store *s;
	size_t n;
	char *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CERT-B", TEAM_ACTIVE);
	add_team(s, "CERT-A", TEAM_ACTIVE);
	memset(&c, 0, sizeof c);
	strcpy(c.address, "z@b.example");
	strcpy(c.fpr, "0123456789ABCDEF0123456789ABCDEF01234567");
	strcpy(c.team, "CERT-B");
	assert_int_equal(store_contact_add(s, &c), STORE_OK);
	strcpy(c.address, "y@a.example");
	strcpy(c.team, "cert-a");
	c.name = "Y";
	assert_int_equal(store_contact_add(s, &c), STORE_OK);

	/* all contacts: by team, then address */
	assert_int_equal(store_contact_list(s, NULL, &cv, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cv[0].address, "y@a.example");
	assert_string_equal(cv[0].team, "CERT-A");
	assert_string_equal(cv[1].address, "z@b.example");
	store_contacts_free(cv, n);
	/* a team named in another case still finds its contacts */
	assert_int_equal(store_contact_list(s, "cert-b", &cv, &n), STORE_OK);
	assert_int_equal(n, 1);
	store_contacts_free(cv, n);
	assert_int_equal(store_contact_list(s, "NOPE", &cv, &n),
	    STORE_NOT_FOUND);

	memset(&c, 0, sizeof c);
	assert_int_equal(store_contact_get(s, "Y@A.example", &c), STORE_OK);
	assert_string_equal(c.address, "y@a.example");
	assert_string_equal(c.team, "CERT-A");
	assert_string_equal(c.name, "Y");
	store_contact_clear(&c);
	assert_int_equal(store_contact_get(s, "x@a.example", &c),
	    STORE_NOT_FOUND);
	assert_string_equal(store_errmsg(s), "no such contact: x@a.example");

	memset(&l, 0, sizeof l);
	strcpy(l.l.name, "ops");
	l.l.default_tlp = TLP_AMBER;
	assert_int_equal(store_list_create(s, &l), STORE_OK);
	memset(&sub, 0, sizeof sub);
	strcpy(sub.list, "ops");
	strcpy(sub.contact, "y@a.example");
	assert_int_equal(store_subscribe(s, &sub), STORE_OK);
	assert_int_equal(store_contact_remove(s, "Y@a.example"), STORE_OK);
	assert_int_equal(store_contact_remove(s, "y@a.example"),
	    STORE_NOT_FOUND);
	assert_int_equal(store_subscriptions(s, "ops", &sv, &n), STORE_OK);
	assert_int_equal(n, 0);
	store_subscriptions_free(sv);
	assert_int_equal(store_audit_list(s, 1, &av, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(av[0].action, "contact.remove");
	assert_string_equal(av[0].object, "y@a.example");
	assert_non_null(strstr(av[0].before, "\"team\":\"CERT-A\""));
	assert_null(av[0].after);
	store_audit_free(av, n);
	store_close(s);
	free(dir);
}

/* community options: defaults, set, bad values, audit */
static void
test_community(void **state)
{
	struct store_community c;
	struct store_audit *av;
	struct store *s;
	size_t n;
	char *dir;

	(void)state;
	dir = new_store(&s);
	assert_int_equal(store_community_get(s, &c), STORE_OK);
	assert_int_equal(c.endorsements_required, 2);
	assert_false(c.admin_approval);
	assert_int_equal(store_community_set(s, "endorsements_required", "3"),
	    STORE_OK);
	assert_int_equal(store_community_set(s, "admin_approval", "YES"),
	    STORE_OK);
	assert_int_equal(store_community_set(s, "endorsements_required", "0"),
	    STORE_INVALID);
	assert_string_equal(store_errmsg(s), "bad value for "
	    "endorsements_required: 0 (1 to 100)");
	assert_int_equal(store_community_set(s, "endorsements_required",
	    "101"), STORE_INVALID);
	assert_int_equal(store_community_set(s, "admin_approval", "maybe"),
	    STORE_INVALID);
	assert_int_equal(store_community_set(s, "colour", "red"),
	    STORE_INVALID);
	assert_string_equal(store_errmsg(s), "no such community option: "
	    "colour");
	assert_int_equal(store_community_get(s, &c), STORE_OK);
	assert_int_equal(c.endorsements_required, 3);
	assert_true(c.admin_approval);
	assert_int_equal(store_audit_list(s, 0, &av, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(av[1].action, "community.set");
	assert_string_equal(av[1].object, "admin_approval");
	assert_non_null(strstr(av[1].before, "\"admin_approval\":false"));
	assert_non_null(strstr(av[1].after, "\"admin_approval\":true"));
	store_audit_free(av, n);
	store_close(s);
	/* kept across reopen */
	assert_int_equal(store_open(dir, g, &s), STORE_OK);
	assert_int_equal(store_community_get(s, &c), STORE_OK);
	assert_int_equal(c.endorsements_required, 3);
	store_close(s);
	free(dir);
}

/* a contact's receipts: on unless switched off, audited, and no
 * contact's for an unknown address */
static void
test_contact_receipts(void **state)
{
	struct store_audit *av;
	struct contact c;
	struct store *s;
	char *dir;
	size_t n;
	bool on = false;

	(void)state;
	dir = new_store(&s);
	add_team(s, "T1", TEAM_ACTIVE);
	memset(&c, 0, sizeof c);
	snprintf(c.address, sizeof c.address, "poc@t1.example");
	snprintf(c.fpr, sizeof c.fpr, "%s",
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	snprintf(c.team, sizeof c.team, "T1");
	assert_int_equal(store_contact_add(s, &c), STORE_OK);
	assert_int_equal(store_contact_flag(s, "POC@t1.example",
	    STORE_FLAG_RECEIPTS, &on),
	    STORE_OK);
	assert_true(on);
	assert_int_equal(store_contact_set_flag(s, "poc@t1.example",
	    STORE_FLAG_RECEIPTS, false), STORE_OK);
	assert_int_equal(store_contact_flag(s, "poc@t1.example",
	    STORE_FLAG_RECEIPTS, &on),
	    STORE_OK);
	assert_false(on);
	/* the same again changes nothing and records nothing */
	assert_int_equal(store_audit_list(s, 0, &av, &n), STORE_OK);
	store_audit_free(av, n);
	{
		size_t before = n;

		assert_int_equal(store_contact_set_flag(s,
		    "poc@t1.example", STORE_FLAG_RECEIPTS, false), STORE_OK);
		assert_int_equal(store_audit_list(s, 0, &av, &n), STORE_OK);
		assert_int_equal(n, before);
		assert_string_equal(av[n - 1].action, "contact.receipts");
		assert_non_null(strstr(av[n - 1].after, "false"));
		store_audit_free(av, n);
	}
	assert_int_equal(store_contact_set_flag(s, "none@t1.example",
	    STORE_FLAG_RECEIPTS, true), STORE_NOT_FOUND);
	/* copy: the same kind of flag, read with the contact too */
	assert_int_equal(store_contact_get(s, "poc@t1.example", &c), STORE_OK);
	assert_false(c.no_own_copy);
	store_contact_clear(&c);
	assert_int_equal(store_contact_set_flag(s, "poc@t1.example",
	    STORE_FLAG_OWN_COPY, false), STORE_OK);
	assert_int_equal(store_contact_get(s, "poc@t1.example", &c), STORE_OK);
	assert_true(c.no_own_copy);
	store_contact_clear(&c);
	assert_int_equal(store_audit_list(s, 0, &av, &n), STORE_OK);
	assert_string_equal(av[n - 1].action, "contact.copy");
	assert_non_null(strstr(av[n - 1].after, "\"copy\":false"));
	store_audit_free(av, n);
	assert_int_equal(store_contact_flag(s, "none@t1.example",
	    STORE_FLAG_RECEIPTS, &on),
	    STORE_NOT_FOUND);
	store_close(s);
	free(dir);
}

/* a version 1 store opens, is migrated to 2 and keeps its rows */
static void
test_migrate_v1(void **state)
{
	struct store_community c;
	struct store *s;
	struct team t;
	sqlite3 *db;
	char *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "OLD", TEAM_ACTIVE);
	store_close(s);
	/* what schema 1 was: no settings, no approvals, version 1 */
	db = raw_open(dir);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE list_old_keys; "
	    "DROP TABLE held_keys; "
	    "DROP TABLE delivery; DROP TABLE "
	    "key_history; DROP TABLE notices_ever; DROP TABLE daily_runs; "
	    "DROP TABLE settings; DROP TABLE "
	    "approvals; DROP TABLE seen; DROP TABLE bounces; DROP TABLE "
	    "notices_sent; DROP TABLE lists; CREATE TABLE lists ("
	    " name TEXT PRIMARY KEY, description TEXT,"
	    " default_tlp TEXT NOT NULL, may_post TEXT NOT NULL,"
	    " subject_tag TEXT NOT NULL,"
	    " keep_msgid INTEGER NOT NULL DEFAULT 0,"
	    " max_size INTEGER NOT NULL DEFAULT 0,"
	    " fpr TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);"
	    "DROP TABLE contacts; CREATE TABLE contacts ("
	    " address TEXT PRIMARY KEY COLLATE NOCASE, fpr TEXT NOT NULL,"
	    " team TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	    " name TEXT, created INTEGER NOT NULL);"
	    "DELETE FROM schema_version WHERE version > 1",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(dir, g, &s), STORE_OK);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_int_equal(store_team_get(s, "OLD", &t), STORE_OK);
	store_team_clear(&t);
	assert_int_equal(store_community_get(s, &c), STORE_OK);
	assert_int_equal(c.endorsements_required, 2);
	assert_int_equal(store_community_set(s, "admin_approval", "yes"),
	    STORE_OK);
	store_close(s);
	free(dir);
}

/* the hub's and a list's own keys are never a contact's */
static void
test_own_key(void **state)
{
	static const char listfpr[] =
	    "89ABCDEF0123456789ABCDEF0123456789ABCDEF";
	struct store_list l;
	struct contact c;
	struct store *s;
	char owner[128], *dir;

	(void)state;
	dir = new_store(&s);
	add_team(s, "T", TEAM_ACTIVE);
	store_list_init(&l, "ops");
	assert_int_equal(l.l.opts.max_signature_age,
	    LIST_MAX_SIGNATURE_AGE_DEFAULT);
	strcpy(l.l.subject_tag, "[ops]");
	strcpy(l.fpr, listfpr);
	assert_int_equal(store_list_create(s, &l), STORE_OK);
	assert_int_equal(store_list_get(s, "ops", &l), STORE_OK);
	assert_int_equal(l.l.opts.max_signature_age, 48 * 3600);
	store_list_clear(&l);
	assert_int_equal(store_own_key(s, listfpr, owner, sizeof owner),
	    STORE_OK);
	assert_string_equal(owner, "the list ops");
	assert_int_equal(store_own_key(s, hubfpr, owner, sizeof owner),
	    STORE_OK);
	assert_string_equal(owner, "the hub");
	assert_int_equal(store_own_key(s,
	    "0123456789ABCDEF0123456789ABCDEF01234567", owner, sizeof owner),
	    STORE_NOT_FOUND);
	memset(&c, 0, sizeof c);
	strcpy(c.address, "mole@evil.test");
	strcpy(c.team, "T");
	strcpy(c.fpr, "89abcdef0123456789abcdef0123456789abcdef");
	assert_int_equal(store_contact_add(s, &c), STORE_INVALID);
	assert_non_null(strstr(store_errmsg(s), "the list ops's own key"));
	snprintf(c.fpr, sizeof c.fpr, "%s", hubfpr);
	assert_int_equal(store_contact_add(s, &c), STORE_INVALID);
	assert_non_null(strstr(store_errmsg(s), "the hub's own key"));
	store_close(s);
	free(dir);
}

/* list rekey: the key replaced, the old one kept with its grace, its
 * announcement claimed once, and refusals that change nothing */
static void
test_rekey(void **state)
{
	static const char k1[] = "1111111111111111111111111111111111111111";
	static const char k2[] = "2222222222222222222222222222222222222222";
	static const char k3[] = "3333333333333333333333333333333333333333";
	static const char kc[] = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
	struct store_old_key *ov;
	struct store_list l;
	struct store_audit *av;
	struct contact c;
	struct store *s;
	char owner[128], old[MODEL_FPR_LEN], *dir;
	size_t n, an;
	bool claimed;

	(void)state;
	dir = new_store(&s);
	add_team(s, "T", TEAM_ACTIVE);
	store_list_init(&l, "ops");
	strcpy(l.l.subject_tag, "[ops]");
	strcpy(l.fpr, k1);
	assert_int_equal(store_list_create(s, &l), STORE_OK);
	memset(&c, 0, sizeof c);
	strcpy(c.address, "poc@t.test");
	strcpy(c.team, "T");
	strcpy(c.fpr, kc);
	assert_int_equal(store_contact_add(s, &c), STORE_OK);
	/* refused: no list, the same key, the hub's and a contact's key */
	assert_int_equal(store_list_rekey(s, "nosuch", k2, 10, old),
	    STORE_NOT_FOUND);
	assert_int_equal(store_list_rekey(s, "ops", k1, 10, old),
	    STORE_CONFLICT);
	assert_int_equal(store_list_rekey(s, "ops", hubfpr, 10, old),
	    STORE_INVALID);
	assert_int_equal(store_list_rekey(s, "ops", kc, 10, old),
	    STORE_INVALID);
	assert_non_null(strstr(store_errmsg(s), "a contact's key"));
	assert_int_equal(store_list_old_keys(s, "ops", &ov, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(ov);
	/* replaced: lower case is stored upper case */
	assert_int_equal(store_list_rekey(s, "ops",
	    "2222222222222222222222222222222222222222", 1000, old), STORE_OK);
	assert_string_equal(old, k1);
	assert_int_equal(store_list_get(s, "ops", &l), STORE_OK);
	assert_string_equal(l.fpr, k2);
	store_list_clear(&l);
	/* the retired key is still the list's: never a contact's, never a
	 * new list key */
	assert_int_equal(store_own_key(s, k1, owner, sizeof owner), STORE_OK);
	assert_string_equal(owner, "the list ops (retired)");
	assert_int_equal(store_list_rekey(s, "ops", k1, 10, old),
	    STORE_INVALID);
	assert_int_equal(store_list_rekey(s, "ops", k3, 2000, old), STORE_OK);
	assert_string_equal(old, k2);
	assert_int_equal(store_list_old_keys(s, "ops", &ov, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ov[0].fpr, k2);	/* newest first */
	assert_string_equal(ov[0].new_fpr, k3);
	assert_int_equal(ov[0].grace_until, 2000);
	assert_string_equal(ov[1].fpr, k1);
	assert_int_equal(ov[1].grace_until, 1000);
	assert_false(ov[0].told);
	free(ov);
	/* the announcements: each claimed by one caller, given back */
	assert_int_equal(store_rekey_untold(s, &ov, &n), STORE_OK);
	assert_int_equal(n, 2);
	free(ov);
	assert_int_equal(store_rekey_tell(s, "ops", k1, &claimed), STORE_OK);
	assert_true(claimed);
	assert_int_equal(store_rekey_tell(s, "ops", k1, &claimed), STORE_OK);
	assert_false(claimed);
	assert_int_equal(store_rekey_untold(s, &ov, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ov[0].fpr, k2);
	free(ov);
	assert_int_equal(store_rekey_untell(s, "ops", k1), STORE_OK);
	assert_int_equal(store_rekey_untold(s, &ov, &n), STORE_OK);
	assert_int_equal(n, 2);
	free(ov);
	assert_int_equal(store_audit_list(s, 1, &av, &an), STORE_OK);
	assert_int_equal(an, 1);
	assert_string_equal(av[0].action, "list.rekey");
	assert_non_null(strstr(av[0].after, k3));
	store_audit_free(av, an);
	/* deleting the list forgets its retired keys */
	assert_int_equal(store_list_delete(s, "ops"), STORE_OK);
	assert_int_equal(store_list_old_keys(s, NULL, &ov, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(ov);
	store_close(s);
	free(dir);
}

/* endorsements: record, replace (a team counts once), list; approval */
static void
test_endorse_approve(void **state)
{
	struct endorsement e, *v;
	struct store *s;
	size_t n;
	char *dir;
	int replaced, yes;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CAND", TEAM_CANDIDATE);
	add_team(s, "A-TEAM", TEAM_ACTIVE);
	add_team(s, "B-TEAM", TEAM_ACTIVE);
	memset(&e, 0, sizeof e);
	strcpy(e.candidate, "cand");
	strcpy(e.endorser, "a-team");
	strcpy(e.candidate_fpr, "0123456789ABCDEF0123456789ABCDEF01234567");
	strcpy(e.endorser_fpr, "89ABCDEF0123456789ABCDEF0123456789ABCDEF");
	assert_int_equal(store_endorse(s, &e, &replaced), STORE_OK);
	assert_false(replaced);
	assert_int_equal(store_endorse(s, &e, &replaced), STORE_OK);
	assert_true(replaced);
	/* no evidence found is recorded too, with empty fingerprints */
	strcpy(e.endorser, "B-TEAM");
	e.candidate_fpr[0] = e.endorser_fpr[0] = '\0';
	assert_int_equal(store_endorse(s, &e, &replaced), STORE_OK);
	strcpy(e.endorser, "NOPE");
	assert_int_equal(store_endorse(s, &e, NULL), STORE_NOT_FOUND);
	strcpy(e.endorser, "B-TEAM");
	strcpy(e.endorser_fpr, "xyz");
	assert_int_equal(store_endorse(s, &e, NULL), STORE_INVALID);
	assert_int_equal(store_endorsements(s, "Cand", &v, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].candidate, "CAND");
	assert_string_equal(v[0].endorser, "A-TEAM");
	assert_string_equal(v[0].endorser_fpr,
	    "89ABCDEF0123456789ABCDEF0123456789ABCDEF");
	assert_string_equal(v[1].endorser, "B-TEAM");
	assert_string_equal(v[1].candidate_fpr, "");
	assert_true(v[1].recorded > 0);
	store_endorsements_free(v);
	assert_int_equal(store_endorsements(s, "NOPE", &v, &n),
	    STORE_NOT_FOUND);

	assert_int_equal(store_team_approved(s, "CAND", &yes), STORE_OK);
	assert_false(yes);
	assert_int_equal(store_team_approve(s, "cand"), STORE_OK);
	assert_int_equal(store_team_approve(s, "CAND"), STORE_EXISTS);
	assert_int_equal(store_team_approved(s, "CAND", &yes), STORE_OK);
	assert_true(yes);
	assert_int_equal(store_team_approve(s, "A-TEAM"), STORE_CONFLICT);
	assert_int_equal(store_team_approve(s, "NOPE"), STORE_NOT_FOUND);
	/* removing the candidate takes its endorsements and approval */
	assert_int_equal(store_team_remove(s, "CAND"), STORE_OK);
	add_team(s, "CAND", TEAM_CANDIDATE);
	assert_int_equal(store_endorsements(s, "CAND", &v, &n), STORE_OK);
	assert_int_equal(n, 0);
	store_endorsements_free(v);
	assert_int_equal(store_team_approved(s, "CAND", &yes), STORE_OK);
	assert_false(yes);
	store_close(s);
	free(dir);
}

static void
add_contact(struct store *s, const char *addr, const char *team,
    const char *fpr)
{
	struct contact c;

	memset(&c, 0, sizeof c);
	snprintf(c.address, sizeof c.address, "%s", addr);
	snprintf(c.team, sizeof c.team, "%s", team);
	snprintf(c.fpr, sizeof c.fpr, "%s", fpr);
	assert_int_equal(store_contact_add(s, &c), STORE_OK);
}

static void
subscribe(struct store *s, const char *contact, const char *team,
    enum role role, enum tlp clearance)
{
	struct subscription sub;

	memset(&sub, 0, sizeof sub);
	snprintf(sub.list, sizeof sub.list, "ops");
	snprintf(sub.contact, sizeof sub.contact, "%s", contact);
	snprintf(sub.team, sizeof sub.team, "%s", team);
	sub.role = role;
	sub.clearance = clearance;
	assert_int_equal(store_subscribe(s, &sub), STORE_OK);
}

/*
 * The roster view of a list: contact and team subscriptions expanded, key
 * usability from the real keyring (usable, expired, missing), the signer
 * found even when not subscribed; and it feeds policy_decide() end to
 * end.
 */
static void
test_roster_view(void **state)
{
	char ka[41], kb[41], ks[41], kx[41];
	const char *missing = "0123456789ABCDEF0123456789ABCDEF01234567";
	const struct contact *sc;
	const struct team *stm;
	struct roster_view *v;
	struct store_list l;
	struct team t;
	struct store *s;
	size_t i;
	char *dir;

	(void)state;
	assert_int_equal(keys_generate(g, "a INSECURE <a@a.test>",
	    KEYS_NO_EXPIRY, ka), CRYPTO_OK);
	assert_int_equal(keys_generate(g, "b INSECURE <b1@b.test>",
	    KEYS_NO_EXPIRY, kb), CRYPTO_OK);
	assert_int_equal(keys_generate(g, "s INSECURE <s@c.test>",
	    KEYS_NO_EXPIRY, ks), CRYPTO_OK);
	assert_int_equal(keys_generate(g, "x INSECURE <x@a.test>", 1, kx),
	    CRYPTO_OK);
	dir = new_store(&s);
	add_team(s, "CERT-A", TEAM_ACTIVE);
	memset(&t, 0, sizeof t);
	strcpy(t.handle, "PART-B");
	t.kind = TEAM_KIND_PARTNER;
	t.state = TEAM_ACTIVE;
	assert_int_equal(store_team_add(s, &t), STORE_OK);
	add_team(s, "SUSP-C", TEAM_SUSPENDED);
	add_contact(s, "a@a.test", "CERT-A", ka);
	add_contact(s, "x@a.test", "CERT-A", kx);
	add_contact(s, "b1@b.test", "PART-B", kb);
	add_contact(s, "m@b.test", "PART-B", missing);
	add_contact(s, "s@c.test", "SUSP-C", ks);
	memset(&l, 0, sizeof l);
	strcpy(l.l.name, "ops");
	l.l.default_tlp = TLP_AMBER;
	strcpy(l.l.subject_tag, "[ops]");
	assert_int_equal(store_list_create(s, &l), STORE_OK);
	subscribe(s, "a@a.test", "", ROLE_MEMBER, TLP_NONE);
	subscribe(s, "", "PART-B", ROLE_PARTNER, TLP_AMBER);
	subscribe(s, "s@c.test", "", ROLE_MEMBER, TLP_NONE);
	sleep(2);	/* kx expires */

	assert_int_equal(roster_view_load(s, g, "nosuch", &v),
	    STORE_NOT_FOUND);
	assert_int_equal(roster_view_load(s, g, "ops", &v), STORE_OK);
	assert_int_equal(v->ncand, 4);
	for (i = 0; i < v->ncand; i++) {
		const struct policy_candidate *c = &v->cand[i];
		const char *a = c->contact->address;

		if (strcmp(a, "a@a.test") == 0) {
			assert_null(c->via_team);
			assert_int_equal(c->key, KEY_USABLE);
			assert_int_equal(c->team_state, TEAM_ACTIVE);
			assert_int_equal(c->role, ROLE_MEMBER);
		} else if (strcmp(a, "b1@b.test") == 0 ||
		    strcmp(a, "m@b.test") == 0) {
			assert_string_equal(c->via_team, "PART-B");
			assert_int_equal(c->team_kind, TEAM_KIND_PARTNER);
			assert_int_equal(c->role, ROLE_PARTNER);
			assert_int_equal(c->clearance, TLP_AMBER);
			assert_int_equal(c->key, a[0] == 'b' ? KEY_USABLE :
			    KEY_MISSING);
		} else {
			assert_string_equal(a, "s@c.test");
			assert_int_equal(c->team_state, TEAM_SUSPENDED);
		}
	}
	/* x@a.test is not subscribed, yet is found as a signer. */
	roster_view_signer(v, kx, &sc, &stm);
	assert_non_null(sc);
	assert_string_equal(sc->address, "x@a.test");
	assert_string_equal(stm->handle, "CERT-A");
	assert_int_equal(roster_key_usability(g, kx), KEY_EXPIRED);
	roster_view_signer(v, missing + 1, &sc, &stm);
	assert_null(sc);

	/* End to end: a@a.test posts TLP:AMBER. */
	{
		struct msg_facts f = {
			.encrypted = true, .integrity = true, .nsigs = 1,
			.nsigners = 1, .npieces = 1, .ncovered = 1,
			.names_known = true, .names_list = true,
			.sig = SIG_GOOD, .signer_fpr = ka, .size = 1000,
		};
		struct policy_input in;
		struct policy_decision d;

		memset(&in, 0, sizeof in);
		in.facts = &f;
		in.list = &v->list.l;
		roster_view_signer(v, ka, &in.signer, &in.signer_team);
		in.cand = v->cand;
		in.ncand = v->ncand;
		in.label = TLP_AMBER;
		policy_decide(&in, &d);
		assert_int_equal(d.verdict, POLICY_ACCEPT);
		/* a@a.test and the cleared partner b1; m has no key, the
		 * suspended team's contact gets nothing */
		assert_int_equal(d.nincluded, 2);
		for (i = 0; i < d.nrcpts; i++) {
			const char *a = d.rcpts[i].cand->contact->address;

			if (strcmp(a, "m@b.test") == 0)
				assert_int_equal(d.rcpts[i].skip,
				    SKIP_KEY_MISSING);
			else if (strcmp(a, "s@c.test") == 0)
				assert_int_equal(d.rcpts[i].skip,
				    SKIP_TEAM_NOT_ACTIVE);
			else
				assert_true(d.rcpts[i].included);
		}
		policy_decision_free(&d);
	}
	roster_view_free(v);
	roster_view_free(NULL);
	store_close(s);
	free(dir);
}

/* The worker's journal: a replay is the same signature under another
 * spool id; the same id again is a redo. */
static void
test_journal(void **state)
{
	struct store *s;
	unsigned n;
	bool replay, first;
	char *dir;

	(void)state;
	dir = new_store(&s);
	assert_int_equal(store_seen_lookup(s, "ops", "h1", "id1", &replay),
	    STORE_OK);
	assert_false(replay);
	assert_int_equal(store_seen_record(s, "ops", "h1", "id1", &replay),
	    STORE_OK);
	assert_false(replay);
	assert_int_equal(store_seen_record(s, "ops", "h1", "id1", &replay),
	    STORE_OK);
	assert_false(replay);		/* redo after a crash */
	assert_int_equal(store_seen_lookup(s, "ops", "h1", "id1", &replay),
	    STORE_OK);
	assert_false(replay);
	assert_int_equal(store_seen_lookup(s, "ops", "h1", "id2", &replay),
	    STORE_OK);
	assert_true(replay);
	assert_int_equal(store_seen_record(s, "ops", "h1", "id2", &replay),
	    STORE_OK);
	assert_true(replay);
	/* another list is another audience: not a replay there */
	assert_int_equal(store_seen_record(s, "news", "h1", "id2", &replay),
	    STORE_OK);
	assert_false(replay);

	assert_int_equal(store_notice_once(s, "key-expiring", "F1", &first),
	    STORE_OK);
	assert_true(first);
	assert_int_equal(store_notice_once(s, "key-expiring", "F1", &first),
	    STORE_OK);
	assert_false(first);
	assert_int_equal(store_notice_once(s, "lost-team", "F1", &first),
	    STORE_OK);
	assert_true(first);

	assert_int_equal(store_bounce_record(s, "ops", "bob@b.example",
	    "5.1.1", NULL), STORE_OK);
	assert_int_equal(store_bounce_record(s, "ops", "BOB@b.example",
	    "5.2.2", "mailbox full"), STORE_OK);
	assert_int_equal(store_bounce_count(s, "ops", "bob@b.example", &n),
	    STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_bounce_count(s, "news", "bob@b.example", &n),
	    STORE_OK);
	assert_int_equal(n, 0);
	store_close(s);
	free(dir);
}

/* Schema 5: the bounce score disabling a team's contact, enabling it
 * again, the untold list; a contact's key replaced with its history;
 * notices once ever; the daily claim. */
static void
test_delivery_keys(void **state)
{
	struct store_key_change *kh;
	struct store_bounces *bv;
	struct store_untold *uv;
	struct subscription sub;
	struct store_list l;
	struct contact c;
	struct store *s;
	char **off;
	size_t n;
	bool b, first;
	char *dir;
	long long day0 = 20000LL * 86400 + 3600;

	(void)state;
	dir = new_store(&s);
	add_team(s, "CERT-EX", TEAM_ACTIVE);
	memset(&c, 0, sizeof c);
	strcpy(c.address, "poc@cert.example");
	strcpy(c.fpr, "0123456789ABCDEF0123456789ABCDEF01234567");
	strcpy(c.team, "CERT-EX");
	assert_int_equal(store_contact_add(s, &c), STORE_OK);
	store_list_init(&l, "ops");
	assert_int_equal(l.bounce_threshold, STORE_BOUNCE_THRESHOLD_DEFAULT);
	assert_int_equal(store_list_create(s, &l), STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "bounce_score_threshold",
	    "2"), STORE_OK);
	assert_int_equal(store_list_set(s, "ops", "bounce_score_threshold",
	    "x"), STORE_INVALID);
	assert_int_equal(store_list_get(s, "ops", &l), STORE_OK);
	assert_int_equal(l.bounce_threshold, 2);
	store_list_clear(&l);
	/* not subscribed yet: nothing to disable */
	assert_int_equal(store_delivery_set(s, "ops", "poc@cert.example",
	    false, "admin"), STORE_NOT_FOUND);
	memset(&sub, 0, sizeof sub);
	strcpy(sub.list, "ops");
	strcpy(sub.team, "CERT-EX");
	assert_int_equal(store_subscribe(s, &sub), STORE_OK);

	hub_set_now(day0);
	assert_int_equal(store_bounce_record(s, "ops", "POC@cert.example",
	    "5.1.1", NULL), STORE_OK);
	assert_int_equal(store_bounce_record(s, "ops", "poc@cert.example",
	    "5.1.1", NULL), STORE_OK);
	assert_int_equal(store_bounce_record(s, "ops", "poc@cert.example",
	    "4.4.1", NULL), STORE_OK);
	assert_int_equal(store_delivery_disabled(s, "ops", "poc@cert.example",
	    &b), STORE_OK);
	assert_false(b);		/* one day counts once */
	hub_set_now(day0 + 86400);
	if (store_bounce_record(s, "ops", "poc@cert.example", "5.2.2", NULL) !=
	    STORE_OK)
		fail_msg("%s", store_errmsg(s));
	assert_int_equal(store_delivery_disabled(s, "ops", "POC@cert.example",
	    &b), STORE_OK);
	assert_true(b);
	assert_int_equal(store_delivery_disabled_list(s, "ops", &off, &n),
	    STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(off[0], "poc@cert.example");
	store_strings_free(off, n);
	assert_int_equal(store_bounces(s, "ops", &bv, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(bv[0].failures, 4);
	assert_int_equal(bv[0].permanent, 3);
	assert_int_equal(bv[0].score, 2);
	assert_int_equal(bv[0].threshold, 2);
	assert_true(bv[0].disabled);
	assert_string_equal(bv[0].reason, "bounces");
	assert_string_equal(bv[0].last_status, "5.2.2");
	free(bv);
	assert_int_equal(store_bounces(s, "nope", &bv, &n), STORE_NOT_FOUND);
	/* the worker tells once: of two claims one wins */
	assert_int_equal(store_delivery_untold(s, &uv, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(uv[0].score, 2);
	free(uv);
	assert_int_equal(store_delivery_tell(s, "ops", "poc@cert.example",
	    &b), STORE_OK);
	assert_true(b);
	assert_int_equal(store_delivery_tell(s, "ops", "poc@cert.example",
	    &b), STORE_OK);
	assert_false(b);
	assert_int_equal(store_delivery_untold(s, &uv, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(uv);
	assert_int_equal(store_delivery_set(s, "ops", "poc@cert.example",
	    false, "admin"), STORE_CONFLICT);
	hub_set_now(day0 + 2 * 86400);
	assert_int_equal(store_delivery_set(s, "ops", "poc@cert.example",
	    true, "admin"), STORE_OK);
	assert_int_equal(store_delivery_set(s, "ops", "poc@cert.example",
	    true, "admin"), STORE_CONFLICT);
	assert_int_equal(store_bounces(s, NULL, &bv, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(bv[0].score, 0);	/* restarted */
	assert_false(bv[0].disabled);
	free(bv);

	/* a key replaced, its history */
	assert_int_equal(store_contact_set_key(s, "POC@cert.example",
	    "abcdef0123456789abcdef0123456789abcdef01", &b), STORE_OK);
	assert_true(b);
	assert_int_equal(store_contact_set_key(s, "poc@cert.example",
	    "ABCDEF0123456789ABCDEF0123456789ABCDEF01", &b), STORE_OK);
	assert_false(b);
	assert_int_equal(store_contact_set_key(s, "poc@cert.example", "xyz",
	    &b), STORE_INVALID);
	assert_int_equal(store_contact_set_key(s, "nobody@cert.example",
	    "ABCDEF0123456789ABCDEF0123456789ABCDEF01", &b), STORE_NOT_FOUND);
	assert_int_equal(store_contact_get(s, "poc@cert.example", &c),
	    STORE_OK);
	assert_string_equal(c.fpr, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
	store_contact_clear(&c);
	assert_int_equal(store_key_history(s, "poc@cert.example", &kh, &n),
	    STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(kh[0].fpr,
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	store_key_history_free(kh, n);

	/* a held key: one per contact, listed, dropped, and moot once
	 * the contact's key is set */
	{
		struct store_held_key hk, *hv;

		assert_int_equal(store_held_key_get(s, "poc@cert.example",
		    &hk), STORE_NOT_FOUND);
		assert_int_equal(store_held_key_put(s, "poc@cert.example",
		    "xyz", "KEY"), STORE_INVALID);
		assert_int_equal(store_held_key_put(s, "nobody@cert.example",
		    "1111111111111111111111111111111111111111", "KEY"),
		    STORE_NOT_FOUND);
		assert_int_equal(store_held_key_put(s, "POC@cert.example",
		    "1111111111111111111111111111111111111111", "KEY"), STORE_OK);
		assert_int_equal(store_held_key_put(s, "poc@cert.example",
		    "2222222222222222222222222222222222222abc", "KEY"), STORE_OK);
		assert_int_equal(store_held_key_list(s, &hv, &n), STORE_OK);
		assert_int_equal(n, 1);
		assert_string_equal(hv[0].fpr,
		    "2222222222222222222222222222222222222ABC");
		store_held_keys_free(hv, n);
		assert_int_equal(store_held_key_drop(s, "poc@cert.example"),
		    STORE_OK);
		assert_int_equal(store_held_key_drop(s, "poc@cert.example"),
		    STORE_NOT_FOUND);
		assert_int_equal(store_held_key_put(s, "poc@cert.example",
		    "3333333333333333333333333333333333333333", "KEY"), STORE_OK);
		assert_int_equal(store_held_key_get(s, "poc@cert.example",
		    &hk), STORE_OK);
		assert_string_equal(hk.address, "poc@cert.example");
		assert_string_equal(hk.key, "KEY");
		store_held_key_clear(&hk);
		/* the same key again: a refresh, and the hold ends too */
		assert_int_equal(store_contact_set_key(s, "poc@cert.example",
		    "ABCDEF0123456789ABCDEF0123456789ABCDEF01", &b), STORE_OK);
		assert_int_equal(store_held_key_get(s, "poc@cert.example",
		    &hk), STORE_NOT_FOUND);
	}

	assert_int_equal(store_notice_ever(s, "key-30", "F", &first),
	    STORE_OK);
	assert_true(first);
	hub_set_now(day0 + 3 * 86400);
	assert_int_equal(store_notice_ever(s, "key-30", "F", &first),
	    STORE_OK);
	assert_false(first);		/* not again on another day */
	assert_int_equal(store_daily_claim(s, "keycheck", &first), STORE_OK);
	assert_true(first);
	assert_int_equal(store_daily_claim(s, "keycheck", &first), STORE_OK);
	assert_false(first);
	hub_set_now(day0 + 4 * 86400);
	assert_int_equal(store_daily_claim(s, "keycheck", &first), STORE_OK);
	assert_true(first);
	hub_set_now(0);
	store_close(s);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_roundtrip),
		cmocka_unit_test(test_keyfile),
		cmocka_unit_test(test_init_open),
		cmocka_unit_test(test_teams),
		cmocka_unit_test(test_contacts_lists_subs),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_reopen_persists),
		cmocka_unit_test(test_two_handles),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_delivery_keys),
		cmocka_unit_test(test_at_rest),
		cmocka_unit_test(test_roster_view),
		cmocka_unit_test(test_contact_get_remove),
		cmocka_unit_test(test_community),
		cmocka_unit_test(test_migrate_v1),
		cmocka_unit_test(test_contact_receipts),
		cmocka_unit_test(test_own_key),
		cmocka_unit_test(test_rekey),
		cmocka_unit_test(test_endorse_approve),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
