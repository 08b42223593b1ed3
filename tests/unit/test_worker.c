/*
 * Unit tests for hub/worker: worker_process() on spool entries, no
 * daemon.  One scratch DATA_DIR for the whole run: the hub key, the
 * store with list ops (its key), member team T01 (poc01@t01.test, whose
 * secret key lives in a keyring of its own, as a member's would) and
 * admin team HUB (admin@hub.test, admin of ops).  Each test commits an
 * entry to incoming/, claims it as the loop would, processes it and
 * looks where it ended: incoming/ (tempfail), rejected/ with its .why,
 * or finished with its outgoing set, and who that set is addressed to.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "crypto/pgpmime.h"
#include "hub/conf.h"
#include "hub/dsn.h"
#include "hub/spool.h"
#include "hub/worker.h"
#include "lists/model.h"
#include "lists/store.h"

#define DOMAIN		"hub.test"
#define MEMBER		"poc01@t01.test"
#define ADMIN		"admin@hub.test"

static struct fixture {
	char		 dir[64];
	char		 member_home[96];
	char		 list_fpr[41];
	char		 member_fpr[41];
	struct gpg	*mg;		/* the member's keyring */
	struct hub_config *cfg;
	struct spool	*sp;
	struct worker	*w;
	struct buf	*post;		/* one good post, kept for the replay */
} fx;

/* --- the community ------------------------------------------------------- */

static int
copy_key(struct gpg *from, struct gpg *to, const char *fpr)
{
	struct buf *b = buf_new(0);
	struct key_import *r = NULL;
	int rc = -1;

	if (keys_export(from, fpr, 1, b) == CRYPTO_OK &&
	    keys_import(to, buf_data(b), buf_len(b), &r) == CRYPTO_OK)
		rc = 0;
	key_import_free(r);
	buf_free(b);
	return rc;
}

static int
add_team(struct store *s, const char *handle)
{
	struct team t;

	memset(&t, 0, sizeof t);
	snprintf(t.handle, sizeof t.handle, "%s", handle);
	t.kind = TEAM_KIND_MEMBER;
	t.state = TEAM_CANDIDATE;
	return store_team_add(s, &t) == STORE_OK &&
	    store_team_set_state(s, handle, TEAM_ACTIVE) == STORE_OK ? 0 : -1;
}

static int
add_contact(struct store *s, const char *team, const char *addr,
    const char *fpr, enum role role)
{
	struct contact c;
	struct subscription sub;

	memset(&c, 0, sizeof c);
	snprintf(c.address, sizeof c.address, "%s", addr);
	snprintf(c.fpr, sizeof c.fpr, "%s", fpr);
	snprintf(c.team, sizeof c.team, "%s", team);
	memset(&sub, 0, sizeof sub);
	snprintf(sub.list, sizeof sub.list, "ops");
	snprintf(sub.contact, sizeof sub.contact, "%s", addr);
	sub.role = role;
	return store_contact_add(s, &c) == STORE_OK &&
	    store_subscribe(s, &sub) == STORE_OK ? 0 : -1;
}

static int
make_community(void)
{
	char home[128], hub_fpr[41], admin_fpr[41], conf[128], err[256];
	struct store_list l;
	struct store *s = NULL;
	struct gpg *g = NULL;
	FILE *f;
	int rc = -1;

	snprintf(home, sizeof home, "%s/" STORE_GNUPG_DIR, fx.dir);
	snprintf(fx.member_home, sizeof fx.member_home, "%s/member", fx.dir);
	if (gpg_init() != CRYPTO_OK || mkdir(home, 0700) == -1 ||
	    mkdir(fx.member_home, 0700) == -1 ||
	    gpg_open(home, &g) != CRYPTO_OK ||
	    gpg_open(fx.member_home, &fx.mg) != CRYPTO_OK)
		goto out;
	if (keys_generate(g, "hub INSECURE <hub@" DOMAIN ">", KEYS_NO_EXPIRY,
	    hub_fpr) != CRYPTO_OK ||
	    keys_generate(g, "ops INSECURE <ops@" DOMAIN ">", KEYS_NO_EXPIRY,
	    fx.list_fpr) != CRYPTO_OK ||
	    keys_generate(g, "Admin INSECURE <" ADMIN ">", KEYS_NO_EXPIRY,
	    admin_fpr) != CRYPTO_OK ||
	    keys_generate(fx.mg, "Member INSECURE <" MEMBER ">",
	    KEYS_NO_EXPIRY, fx.member_fpr) != CRYPTO_OK ||
	    copy_key(fx.mg, g, fx.member_fpr) == -1 ||
	    copy_key(g, fx.mg, fx.list_fpr) == -1)
		goto out;
	if (store_init(fx.dir, g, hub_fpr, &s) != STORE_OK)
		goto out;
	store_set_actor(s, "test_worker");
	store_list_init(&l, "ops");
	snprintf(l.fpr, sizeof l.fpr, "%s", fx.list_fpr);
	if (store_list_create(s, &l) != STORE_OK ||
	    add_team(s, "T01") == -1 || add_team(s, "HUB") == -1 ||
	    add_contact(s, "T01", MEMBER, fx.member_fpr, ROLE_MEMBER) == -1 ||
	    add_contact(s, "HUB", ADMIN, admin_fpr, ROLE_ADMIN) == -1)
		goto out;
	snprintf(conf, sizeof conf, "%s/hub.conf", fx.dir);
	if ((f = fopen(conf, "w")) == NULL)
		goto out;
	/* hubd's master adds the store's lists to these; "gone" is in
	 * hub.conf only: a list the store does not know */
	fprintf(f, "data_dir = %s\ndomain = " DOMAIN "\nlist = ops\n"
	    "list = gone\n", fx.dir);
	if (fclose(f) != 0 || config_load(conf, &fx.cfg, err, sizeof err) != 0)
		goto out;
	rc = 0;
out:
	store_close(s);
	gpg_close(g);
	return rc;
}

static int
group_setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(fx.dir, sizeof fx.dir, "/tmp/hubw.XXXXXX");
	if (mkdtemp(fx.dir) == NULL || make_community() == -1) {
		fprintf(stderr, "test_worker: setup failed in %s\n", fx.dir);
		return -1;
	}
	snprintf(path, sizeof path, "%s/spool", fx.dir);
	if (spool_open(path, &fx.sp) != SPOOL_OK)
		return -1;
	fx.w = worker_open(fx.cfg, -1);
	return 0;
}

/* A data dir made without hubctl init (an older one) is brought up to
 * date when a worker starts: no random_seed lock between its gpgs. */
static void
test_gpg_conf_tuned(void **state)
{
	char path[PATH_MAX];
	struct buf *b = buf_new(0);

	(void)state;
	snprintf(path, sizeof path, "%s/" STORE_GNUPG_DIR "/gpg.conf", fx.dir);
	assert_int_equal(fs_read_small(path, b, 1 << 16), 0);
	buf_append(b, "", 1);
	assert_non_null(strstr(buf_data(b), "\nno-random-seed-file\n"));
	buf_free(b);
}

static int
group_teardown(void **state)
{
	char *cmd;

	(void)state;
	worker_close(fx.w);
	spool_close(fx.sp);
	gpg_close(fx.mg);
	config_free(fx.cfg);
	buf_free(fx.post);
	cmd = xasprintf("gpgconf --homedir %s/gnupg --kill all 2>/dev/null; "
	    "gpgconf --homedir %s --kill all 2>/dev/null; rm -rf %s",
	    fx.dir, fx.member_home, fx.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed: %s\n", cmd);
	free(cmd);
	return 0;
}

/* --- mail ------------------------------------------------------------------ */

static const char post_entity[] =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "TLP:GREEN\r\n"
    "A scan from 192.0.2.7 this morning.\r\n";

/* A post as a member's client makes it: signed and encrypted to the
 * list key in one OpenPGP message (RFC 3156 §6.2). */
static struct buf *
good_post(void)
{
	struct crypto_headers h;
	struct buf *b = buf_new(0);
	char date[64];

	hub_date_mail((long long)hub_now(), date, sizeof date);
	memset(&h, 0, sizeof h);
	h.from = "Member <" MEMBER ">";
	h.to = "ops@" DOMAIN;
	h.subject = "scan";
	h.date = date;
	h.message_id = "<1@t01.test>";
	assert_int_equal(encrypt_for(fx.mg, fx.member_fpr, fx.list_fpr, &h,
	    post_entity, sizeof post_entity - 1, b), CRYPTO_OK);
	return b;
}

static const char plain_post[] =
    "From: <" MEMBER ">\r\n"
    "To: <ops@" DOMAIN ">\r\n"
    "Subject: in clear\r\n"
    "\r\n"
    "TLP:GREEN\r\nnot encrypted\r\n";

/* Commit a message to incoming/ and claim it, as the smtp process and
 * the loop would; the entry's id into id. */
static void
enqueue(const char *mail_from, const char *const *rcpt, size_t nrcpt,
    const char *body, size_t len, char id[HUB_ID_SIZE])
{
	struct spool_envelope env;
	struct spool_tx *tx;

	memset(&env, 0, sizeof env);
	env.received = hub_now();
	env.protocol = "smtp";
	env.client = "192.0.2.1:4000";
	env.helo = "client.test";
	env.mail_from = mail_from;
	env.rcpt = rcpt;
	env.nrcpt = nrcpt;
	assert_int_equal(spool_begin(fx.sp, &env, &tx), SPOOL_OK);
	assert_int_equal(spool_write(tx, body, len), SPOOL_OK);
	assert_int_equal(spool_commit(tx, id), SPOOL_OK);
	assert_int_equal(spool_claim(fx.sp, id), SPOOL_OK);
}

static enum worker_outcome
process1(const char *mail_from, const char *rcpt, const char *body,
    size_t len, char id[HUB_ID_SIZE])
{
	const char *r[1] = { rcpt };

	enqueue(mail_from, r, 1, body, len, id);
	return worker_process(fx.w, id);
}

/* --- where the entry is ---------------------------------------------------- */

static bool
in_queue(enum spool_queue q, const char *id)
{
	char path[256];
	struct stat sb;

	spool_path(fx.sp, q, id, path, sizeof path);
	return stat(path, &sb) == 0;
}

/* rejected/ID.why, or "" */
static const char *
why_of(const char *id)
{
	static char why[1024];
	char *w;

	why[0] = '\0';
	if (spool_reject_reason(fx.sp, id, &w) == SPOOL_OK) {
		snprintf(why, sizeof why, "%s", w);
		free(w);
	}
	return why;
}

/*
 * The recipients of the entry's committed outgoing set, sorted, one per
 * line ("a@x\nb@y\n"); each file's envelope sender must be sender
 * ("" for the hub's own mail).
 */
static const char *
outgoing_of(const char *id, const char *sender)
{
	static char list[1024];
	char **names, *sorted[16];
	struct spool_msg *m;
	size_t i, k, n;

	list[0] = '\0';
	if (!spool_outgoing_committed(fx.sp, id))
		return list;
	assert_int_equal(spool_outgoing_files(fx.sp, id, &names, &n),
	    SPOOL_OK);
	assert_true(n < 16);
	for (i = 0; i < n; i++) {
		assert_int_equal(spool_outgoing_load(fx.sp, id, names[i], &m),
		    SPOOL_OK);
		assert_int_equal(m->env.nrcpt, 1);
		if (sender != NULL)
			assert_string_equal(m->env.mail_from, sender);
		assert_string_equal(m->env.protocol, "local");
		assert_string_equal(m->env.client, "worker");
		/* nothing leaves in clear */
		assert_non_null(memmem(m->body, m->body_len,
		    "-----BEGIN PGP ", 15));
		sorted[i] = xstrdup(m->env.rcpt[0]);
		spool_msg_free(m);
		for (k = i; k > 0 && strcmp(sorted[k - 1], sorted[k]) > 0;
		    k--) {
			char *t = sorted[k];

			sorted[k] = sorted[k - 1];
			sorted[k - 1] = t;
		}
	}
	for (i = 0; i < n; i++) {
		strncat(list, sorted[i], sizeof list - strlen(list) - 2);
		strcat(list, "\n");
		free(sorted[i]);
	}
	spool_ids_free(names, n);
	return list;
}

/* --- accept, reject, tempfail ---------------------------------------------- */

static void
test_accept(void **state)
{
	char id[HUB_ID_SIZE];

	(void)state;
	fx.post = good_post();
	assert_int_equal(process1(MEMBER, "ops@" DOMAIN, buf_data(fx.post),
	    buf_len(fx.post), id), WORKER_DONE);
	assert_false(in_queue(SPOOL_Q_ACTIVE, id));
	assert_false(in_queue(SPOOL_Q_INCOMING, id));
	assert_false(in_queue(SPOOL_Q_REJECTED, id));
	assert_string_equal(why_of(id), "");
	/* a copy per receiving subscriber (an admin subscription is for
	 * the list's business, not its posts) from the VERP address */
	assert_string_equal(outgoing_of(id, NULL), MEMBER "\n");
}

/* The same signed post again: a replay, refused; the member (a known
 * signer) hears why. */
static void
test_reject_member_notice(void **state)
{
	char id[HUB_ID_SIZE];

	(void)state;
	assert_non_null(fx.post);
	assert_int_equal(process1(MEMBER, "ops@" DOMAIN, buf_data(fx.post),
	    buf_len(fx.post), id), WORKER_REJECTED);
	assert_false(in_queue(SPOOL_Q_ACTIVE, id));
	assert_true(in_queue(SPOOL_Q_REJECTED, id));
	assert_non_null(strstr(why_of(id), "reason=replay\n"));
	assert_non_null(strstr(why_of(id), "list=ops\n"));
	assert_string_equal(outgoing_of(id, ""), MEMBER "\n");
}

/* Not encrypted: refused; no known signer, so the admins hear of it. */
static void
test_reject_admin_notice(void **state)
{
	char id[HUB_ID_SIZE];

	(void)state;
	assert_int_equal(process1(MEMBER, "ops@" DOMAIN, plain_post,
	    sizeof plain_post - 1, id), WORKER_REJECTED);
	assert_true(in_queue(SPOOL_Q_REJECTED, id));
	assert_non_null(strstr(why_of(id), "reason=not-encrypted\n"));
	assert_string_equal(outgoing_of(id, ""), ADMIN "\n");
}

/* The disk fails while the refusal's notice is staged: the entry is
 * deferred (deferred/, its next try in the future) with nothing sent
 * and no reason noted, and the failure is not counted (the disk's, not
 * the message's); the retry refuses it as before and its counts go. */
static void
test_tempfail(void **state)
{
	char id[HUB_ID_SIZE];
	const char *r[1] = { "ops@" DOMAIN };
	enum worker_outcome res;
	struct spool_retry rs;
	time_t next;

	(void)state;
	enqueue(MEMBER, r, 1, plain_post, sizeof plain_post - 1, id);
	fs_fault_set(FS_OP_WRITE, 1, FS_FAULT_FAIL);
	res = worker_process(fx.w, id);
	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	assert_int_equal(res, WORKER_TEMPFAIL);
	assert_true(in_queue(SPOOL_Q_DEFERRED, id));
	assert_false(in_queue(SPOOL_Q_INCOMING, id));
	assert_false(in_queue(SPOOL_Q_ACTIVE, id));
	assert_false(in_queue(SPOOL_Q_REJECTED, id));
	assert_string_equal(why_of(id), "");
	assert_false(spool_outgoing_committed(fx.sp, id));
	assert_int_equal(spool_deferred_next(fx.sp, id, &next), SPOOL_OK);
	assert_true(next >= hub_now() + 1);
	assert_int_equal(spool_retry_load(fx.sp, id, &rs), SPOOL_OK);
	assert_int_equal(rs.attempts, 0);
	assert_string_equal(rs.last, "io-error");

	assert_int_equal(spool_move(fx.sp, id, SPOOL_Q_DEFERRED,
	    SPOOL_Q_ACTIVE), SPOOL_OK);
	assert_int_equal(worker_process(fx.w, id), WORKER_REJECTED);
	assert_non_null(strstr(why_of(id), "reason=not-encrypted\n"));
	assert_string_equal(outgoing_of(id, ""), ADMIN "\n");
	assert_int_equal(spool_retry_load(fx.sp, id, &rs), SPOOL_OK);
	assert_int_equal(rs.last_at, 0);	/* removed with the entry */
}

/* The disk fails at each step after the verdict (the reason, the
 * outgoing commit, the finish): no death, nothing left in active/ once
 * the worker's next drain has run, the admins' notice committed once. */
static void
test_io_after_verdict(void **state)
{
	static const struct {
		enum fs_op	op;
		unsigned	n;
		const char	*where;
	} steps[] = {
		/* counted from the claimed entry: the notice: write 1,
		 * fsync 1; the .why: write 2, fsync 2, rename 1, dirsync
		 * 1; the commit: dirsync 2, rename 2, dirsync 3; the
		 * move to rejected/: rename 3, dirsync 4-5 */
		{ FS_OP_WRITE, 2, "reject-note" },
		{ FS_OP_RENAME, 2, "outgoing-commit" },
		{ FS_OP_DIRSYNC, 3, "outgoing-commit dirsync" },
		{ FS_OP_RENAME, 3, "finish" },
		{ FS_OP_DIRSYNC, 5, "finish dirsync" },
	};
	const char *r[1] = { "ops@" DOMAIN };
	char id[HUB_ID_SIZE];
	enum worker_outcome res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		enqueue(MEMBER, r, 1, plain_post, sizeof plain_post - 1, id);
		fs_fault_set(steps[i].op, steps[i].n, FS_FAULT_FAIL);
		res = worker_process(fx.w, id);
		fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
		print_message("%s: outcome %d\n", steps[i].where, (int)res);
		/* wherever it went, a second pass finishes it */
		if (in_queue(SPOOL_Q_DEFERRED, id)) {
			assert_int_equal(spool_move(fx.sp, id,
			    SPOOL_Q_DEFERRED, SPOOL_Q_ACTIVE), SPOOL_OK);
			assert_int_equal(worker_process(fx.w, id),
			    WORKER_REJECTED);
		}
		if (in_queue(SPOOL_Q_ACTIVE, id))
			assert_int_equal(spool_settle_active(fx.sp, id), 1);
		assert_false(in_queue(SPOOL_Q_ACTIVE, id));
		assert_true(in_queue(SPOOL_Q_REJECTED, id));
		assert_non_null(strstr(why_of(id), "reason=not-encrypted\n"));
		assert_string_equal(outgoing_of(id, ""), ADMIN "\n");
	}
}

static void
test_corrupt(void **state)
{
	char id[HUB_ID_SIZE], path[256];
	FILE *f;

	(void)state;
	hub_id_new(id);
	spool_path(fx.sp, SPOOL_Q_ACTIVE, id, path, sizeof path);
	assert_non_null(f = fopen(path, "w"));
	fputs("not a spool file\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(worker_process(fx.w, id), WORKER_CORRUPT);
	assert_true(in_queue(SPOOL_Q_CORRUPT, id));
	assert_false(in_queue(SPOOL_Q_ACTIVE, id));
}

/* --- dispatch by recipient kind ---------------------------------------------- */

static void
test_dispatch(void **state)
{
	static const struct {
		const char		*rcpt;
		const char		*from;
		enum worker_outcome	 outcome;
		const char		*why;	/* in the .why, or NULL */
		const char		*to;	/* the outgoing set */
	} t[] = {
		/* kept for a human */
		{ "postmaster@" DOMAIN, MEMBER, WORKER_REJECTED,
		    "reason=postmaster-mail\n", "" },
		{ "postmaster", MEMBER, WORKER_REJECTED,
		    "reason=postmaster-mail\n", "" },
		/* a list the store does not know */
		{ "gone@" DOMAIN, MEMBER, WORKER_REJECTED,
		    "reason=no-such-list\n", "" },
		/* not ours: nothing to do */
		{ "nosuch@" DOMAIN, MEMBER, WORKER_DONE, NULL, "" },
		{ "someone@elsewhere.test", MEMBER, WORKER_DONE, NULL, "" },
		/* the list key, signed, to the envelope sender */
		{ "ops-sendkey@" DOMAIN, "stranger@evil.test", WORKER_DONE,
		    NULL, "stranger@evil.test\n" },
		/* a stranger is answered once a day */
		{ "ops-sendkey@" DOMAIN, "stranger@evil.test", WORKER_DONE,
		    NULL, "" },
		/* never answered: the null sender */
		{ "ops-request@" DOMAIN, "", WORKER_DONE, NULL, "" },
		/* the help text, to a member */
		{ "ops-request@" DOMAIN, MEMBER, WORKER_DONE, NULL,
		    MEMBER "\n" },
		/* forwarded to the admins */
		{ "ops-owner@" DOMAIN, "someone@elsewhere.test", WORKER_DONE,
		    NULL, ADMIN "\n" },
		/* a bounce without a VERP tag names nobody */
		{ "ops-bounces@" DOMAIN, "", WORKER_DONE, NULL, "" },
	};
	static const char mail[] = "Subject: hello\r\n\r\nhello\r\n";
	char id[HUB_ID_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (process1(t[i].from, t[i].rcpt, mail, sizeof mail - 1,
		    id) != t[i].outcome)
			fail_msg("case %zu (%s): outcome", i, t[i].rcpt);
		if (t[i].why != NULL &&
		    strstr(why_of(id), t[i].why) == NULL)
			fail_msg("case %zu (%s): why \"%s\"", i, t[i].rcpt,
			    why_of(id));
		if (t[i].outcome == WORKER_REJECTED &&
		    !in_queue(SPOOL_Q_REJECTED, id))
			fail_msg("case %zu (%s): not in rejected/", i,
			    t[i].rcpt);
		if (strcmp(outgoing_of(id, ""), t[i].to) != 0)
			fail_msg("case %zu (%s): outgoing \"%s\"", i,
			    t[i].rcpt, outgoing_of(id, ""));
		assert_false(in_queue(SPOOL_Q_ACTIVE, id));
	}
}

/* One message to the list twice (case differs) is one post; to the list
 * and to postmaster, the post is relayed and the entry kept. */
static void
test_dispatch_several(void **state)
{
	const char *twice[] = { "ops@" DOMAIN, "OPS@HUB.TEST" };
	const char *mixed[] = { "postmaster@" DOMAIN, "ops-request@" DOMAIN };
	static const char mail[] = "Subject: hello\r\n\r\nhello\r\n";
	char id[HUB_ID_SIZE];

	(void)state;
	enqueue(MEMBER, twice, 2, plain_post, sizeof plain_post - 1, id);
	assert_int_equal(worker_process(fx.w, id), WORKER_REJECTED);
	assert_string_equal(outgoing_of(id, ""), ADMIN "\n");

	/* (not MEMBER: test_dispatch had its one unsigned -request
	 * answer of the day) */
	enqueue("other@elsewhere.test", mixed, 2, mail, sizeof mail - 1, id);
	assert_int_equal(worker_process(fx.w, id), WORKER_REJECTED);
	assert_non_null(strstr(why_of(id), "reason=postmaster-mail\n"));
	/* the refusal of one recipient does not drop another's answer */
	assert_string_equal(outgoing_of(id, ""), "other@elsewhere.test\n");
}

/* The relay's report, read by the worker: a failure is told to the
 * admins, a delay only recorded. */
static void
test_bounce(void **state)
{
	struct dsn_in in;
	struct buf *b;
	char id[HUB_ID_SIZE];
	static const char copy[] = "To: <bob@example.org>\r\n\r\nx\r\n";
	const char *rcpt = "ops-bounces+bob=example.org@" DOMAIN;

	(void)state;
	memset(&in, 0, sizeof in);
	in.domain = DOMAIN;
	in.hostname = DOMAIN;
	in.remote_mta = "127.0.0.1";
	in.to = rcpt;
	in.rcpt = "bob@example.org";
	in.status = "5.1.1";
	in.why = "550 no such user";
	in.diagnostic = "550 no such user";
	in.arrival = (long long)hub_now();
	in.now = in.arrival;
	in.copy = copy;
	in.copy_len = sizeof copy - 1;
	b = buf_new(0);
	dsn_build(&in, b);
	assert_int_equal(process1("", rcpt, buf_data(b), buf_len(b), id),
	    WORKER_DONE);
	assert_string_equal(outgoing_of(id, ""), ADMIN "\n");

	in.status = "4.4.7";
	buf_reset(b);
	dsn_build(&in, b);
	assert_int_equal(process1("", rcpt, buf_data(b), buf_len(b), id),
	    WORKER_DONE);
	assert_string_equal(outgoing_of(id, ""), "");
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* test_accept first: the replay test sends its post again */
		cmocka_unit_test(test_gpg_conf_tuned),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_reject_member_notice),
		cmocka_unit_test(test_reject_admin_notice),
		cmocka_unit_test(test_tempfail),
		cmocka_unit_test(test_io_after_verdict),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_dispatch_several),
		cmocka_unit_test(test_bounce),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
