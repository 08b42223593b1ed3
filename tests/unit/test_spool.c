/* Unit tests for hub/spool: commit, validation, fault hook, recovery. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/spool.h"
#include "hub/copystate.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/fs.h>
#endif

struct fx {
	char		 root[64];
	char		 dir[PATH_MAX];
	struct spool	*sp;
};

static const char *const rcpts[] = { "ops@hub.example", "ops-owner@hub.example" };

static void
envelope(struct spool_envelope *e)
{
	memset(e, 0, sizeof *e);
	e->received = 1700000000;
	e->protocol = "smtp";
	e->client = "127.0.0.1:40000";
	e->helo = "client.example";
	e->mail_from = "poc@cert.example";
	e->rcpt = rcpts;
	e->nrcpt = 2;
	e->body_8bit = true;
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);

	snprintf(f->root, sizeof f->root, "/tmp/hubspool.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->dir, sizeof f->dir, "%s/spool", f->root);
	assert_int_equal(spool_open(f->dir, &f->sp), SPOOL_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[PATH_MAX + 16];

	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	spool_close(f->sp);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static size_t
count_entries(struct fx *f, enum spool_queue q)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	spool_path(f->sp, q, NULL, path, sizeof path);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static enum spool_status
store(struct fx *f, const char *body, size_t len, char id[HUB_ID_SIZE])
{
	struct spool_envelope e;
	struct spool_tx *tx;
	enum spool_status st;
	size_t off;

	envelope(&e);
	st = spool_begin(f->sp, &e, &tx);
	if (st != SPOOL_OK)
		return st;
	/* Odd chunk sizes exercise the write buffer's edges. */
	for (off = 0; off < len; off += 7919) {
		size_t n = len - off < 7919 ? len - off : 7919;

		st = spool_write(tx, body + off, n);
		if (st != SPOOL_OK) {
			spool_abort(tx);
			return st;
		}
	}
	assert_int_equal(spool_tx_size(tx), len);
	return spool_commit(tx, id);
}

static void
test_roundtrip(void **state)
{
	struct fx *f = *state;
	static const size_t sizes[] = { 0, 1, 100, 65535, 65536, 300001 };
	char id[HUB_ID_SIZE];
	struct spool_msg *m;
	size_t i, j;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *body = xmalloc(sizes[i] + 1);

		/* Every byte value, including NUL, "\nEND 3\n" lookalikes. */
		for (j = 0; j < sizes[i]; j++)
			body[j] = (char)(j * 31 + i);
		if (sizes[i] > 20)
			memcpy(body + sizes[i] - 8, "\nEND 3\n\n", 8);
		assert_int_equal(store(f, body, sizes[i], id), SPOOL_OK);
		assert_true(hub_id_valid(id));
		assert_int_equal(spool_load(f->sp, SPOOL_Q_INCOMING, id, &m),
		    SPOOL_OK);
		assert_string_equal(m->id, id);
		assert_int_equal(m->body_len, sizes[i]);
		assert_memory_equal(m->body, body, sizes[i]);
		assert_int_equal(m->env.received, 1700000000);
		assert_string_equal(m->env.protocol, "smtp");
		assert_string_equal(m->env.client, "127.0.0.1:40000");
		assert_string_equal(m->env.helo, "client.example");
		assert_string_equal(m->env.mail_from, "poc@cert.example");
		assert_int_equal(m->env.nrcpt, 2);
		assert_string_equal(m->env.rcpt[0], "ops@hub.example");
		assert_string_equal(m->env.rcpt[1], "ops-owner@hub.example");
		assert_true(m->env.body_8bit);
		spool_msg_free(m);
		free(body);
	}
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 6);
}

static void
test_null_sender_and_abort(void **state)
{
	struct fx *f = *state;
	struct spool_envelope e;
	struct spool_tx *tx;
	char id[HUB_ID_SIZE];
	struct spool_msg *m;

	envelope(&e);
	e.mail_from = "";
	e.helo = "";
	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_OK);
	assert_int_equal(spool_write(tx, "x", 1), SPOOL_OK);
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 1);
	spool_abort(tx);
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 0);

	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_OK);
	assert_int_equal(spool_commit(tx, id), SPOOL_OK);
	assert_int_equal(spool_load(f->sp, SPOOL_Q_INCOMING, id, &m), SPOOL_OK);
	assert_string_equal(m->env.mail_from, "");
	assert_string_equal(m->env.helo, "");
	spool_msg_free(m);
}

static void
test_envelope_injection_refused(void **state)
{
	struct fx *f = *state;
	static const char *const bad_rcpt[] = { "a@b\nrcpt evil@x" };
	struct spool_envelope e;
	struct spool_tx *tx;

	envelope(&e);
	e.helo = "x\nmail-from forged@x";
	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_BAD_ARGUMENT);
	envelope(&e);
	e.rcpt = bad_rcpt;
	e.nrcpt = 1;
	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_BAD_ARGUMENT);
	envelope(&e);
	e.nrcpt = 0;
	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_BAD_ARGUMENT);
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
}

/* Invariant 1: whichever step of the commit fails, the commit reports
 * failure and nothing is left visible. */
static void
test_fault_each_commit_step(void **state)
{
	struct fx *f = *state;
	static const enum fs_op ops[] = {
		FS_OP_WRITE, FS_OP_FSYNC, FS_OP_RENAME, FS_OP_DIRSYNC,
	};
	char *body = xmalloc(200000), id[HUB_ID_SIZE];
	size_t i;
	unsigned n, max;

	memset(body, 'a', 200000);
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		/* Fail the 1st, 2nd, ... call of the operation until the
		 * commit no longer reaches the armed call. */
		for (n = 1;; n++) {
			enum spool_status st;

			fs_fault_set(ops[i], n, FS_FAULT_FAIL);
			st = store(f, body, 200000, id);
			fs_fault_set(ops[i], 0, FS_FAULT_FAIL);
			assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
			if (st == SPOOL_OK)
				break;
			assert_int_equal(st, SPOOL_IO_ERROR);
			assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 0);
		}
		/* n is one past the number of calls: a 200 kB body takes
		 * four buffered writes, every other step one call. */
		max = ops[i] == FS_OP_WRITE ? 5 : 2;
		assert_int_equal(n, max);
		assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 1);
		assert_int_equal(spool_claim(f->sp, id), SPOOL_OK);
	}
	/* And with no fault armed it works again. */
	assert_int_equal(store(f, body, 200000, id), SPOOL_OK);
	assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 1);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 4);
	free(body);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd != -1);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY);

	assert_true(fd != -1);
	assert_int_equal(fstat(fd, &st), 0);
	p = xmalloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* Every truncation of a good file, and targeted damage, is corrupt. */
static void
test_validation(void **state)
{
	struct fx *f = *state;
	char id[HUB_ID_SIZE], path[PATH_MAX], bad[PATH_MAX];
	struct spool_msg *m;
	char *good, *copy;
	size_t len, cut;
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "CSIRT-HUB-SPOOL 1", "CSIRT-HUB-SPOOL 2" },
		{ "\nEND 11\n", "\nEND 12\n" },
		{ "\nEND 11\n", "\nEND 1x\n" },
		{ "\nEND 11\n", "\nEND -1\n" },
		{ "rcpt ops@hub.example\n", "rcpx ops@hub.example\n" },
		{ "body 8bit", "body 9bit" },
		{ "\nid ", "\nix " },
	};
	size_t i;

	assert_int_equal(store(f, "hello world", 11, id), SPOOL_OK);
	spool_path(f->sp, SPOOL_Q_INCOMING, id, path, sizeof path);
	good = read_file(path, &len);
	snprintf(bad, sizeof bad, "%s/bad", f->root);
	for (cut = 0; cut < len; cut++) {
		write_file(bad, good, cut);
		assert_int_equal(spool_load_file(bad, &m), SPOOL_CORRUPT);
	}
	/* Trailing garbage after the trailer. */
	copy = xmalloc(len + 2);
	memcpy(copy, good, len);
	memcpy(copy + len, "x\n", 2);
	write_file(bad, copy, len + 2);
	assert_int_equal(spool_load_file(bad, &m), SPOOL_CORRUPT);
	free(copy);
	for (i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *at;

		copy = xstrndup(good, len);
		at = strstr(copy, edits[i].from);
		assert_non_null(at);
		memcpy(at, edits[i].to, strlen(edits[i].to));
		write_file(bad, copy, len);
		assert_int_equal(spool_load_file(bad, &m), SPOOL_CORRUPT);
		free(copy);
	}
	write_file(bad, good, len);
	assert_int_equal(spool_load_file(bad, &m), SPOOL_OK);
	spool_msg_free(m);
	free(good);
	assert_int_equal(spool_load(f->sp, SPOOL_Q_INCOMING, "../x", &m),
	    SPOOL_BAD_ARGUMENT);
	assert_int_equal(spool_load(f->sp, SPOOL_Q_INCOMING,
	    "0000000000000000-000000000000", &m), SPOOL_NOT_FOUND);
}

static void
test_claim_and_list(void **state)
{
	struct fx *f = *state;
	char a[HUB_ID_SIZE], b[HUB_ID_SIZE];
	char **ids;
	size_t n;

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	assert_int_equal(store(f, "b", 1, b), SPOOL_OK);
	assert_int_equal(spool_list(f->sp, SPOOL_Q_INCOMING, &ids, &n),
	    SPOOL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], a);	/* oldest first */
	assert_string_equal(ids[1], b);
	spool_ids_free(ids, n);
	assert_int_equal(spool_claim(f->sp, a), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, a), SPOOL_NOT_FOUND);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 1);
	assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 1);
}

static void
test_recover(void **state)
{
	struct fx *f = *state;
	struct spool_recovery r;
	char a[HUB_ID_SIZE], b[HUB_ID_SIZE], path[PATH_MAX];
	char **ids;
	size_t n;

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	assert_int_equal(store(f, "b", 1, b), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, a), SPOOL_OK);
	/* A half-written file, a truncated committed one, a stray name. */
	spool_path(f->sp, SPOOL_Q_TMP, "0000000000000001-000000000000", path,
	    sizeof path);
	write_file(path, "CSIRT-HUB-SPOOL 1\nid", 20);
	spool_path(f->sp, SPOOL_Q_INCOMING, "0000000000000002-000000000000",
	    path, sizeof path);
	write_file(path, "CSIRT-HUB-SPOOL 1\nid", 20);
	spool_path(f->sp, SPOOL_Q_INCOMING, "stray file", path, sizeof path);
	write_file(path, "x", 1);

	assert_int_equal(spool_recover(f->sp, &r), SPOOL_OK);
	assert_int_equal(r.tmp_removed, 1);
	assert_int_equal(r.requeued, 1);
	assert_int_equal(r.corrupt, 2);
	assert_int_equal(r.incoming, 2);
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_CORRUPT), 2);
	assert_int_equal(spool_list(f->sp, SPOOL_Q_INCOMING, &ids, &n),
	    SPOOL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], a);
	assert_string_equal(ids[1], b);
	spool_ids_free(ids, n);
	/* Recovery is idempotent. */
	assert_int_equal(spool_recover(f->sp, &r), SPOOL_OK);
	assert_int_equal(r.corrupt + r.requeued + r.tmp_removed, 0);
	assert_int_equal(r.incoming, 2);
}

/* An envelope the reader would refuse is refused before any 250. */
static void
test_header_bound(void **state)
{
	struct fx *f = *state;
	struct spool_envelope e;
	struct spool_tx *tx;
	char **rcpt, addr[300];
	size_t i, n = 5000;

	rcpt = xcalloc(n, sizeof *rcpt);
	memset(addr, 'a', 250);
	strcpy(addr + 250, "@hub.example");
	for (i = 0; i < n; i++)
		rcpt[i] = addr;
	envelope(&e);
	e.rcpt = (const char *const *)rcpt;
	e.nrcpt = n;
	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_BAD_ARGUMENT);
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
	/* 1000 recipients of the longest path (hub.conf's bound) fit. */
	memset(addr, 'a', 243);
	strcpy(addr + 243, "@hub.example");	/* 255 octets */
	e.nrcpt = 1000;
	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_OK);
	spool_abort(tx);
	free(rcpt);
}

/* A FIFO or a symlink planted in incoming/ (the network process can write
 * there) is set aside, without blocking or following it. */
static void
test_recover_fifo_symlink(void **state)
{
	struct fx *f = *state;
	struct spool_recovery r;
	char path[PATH_MAX];
	struct spool_msg *m;
	char id[HUB_ID_SIZE];

	assert_int_equal(store(f, "a", 1, id), SPOOL_OK);
	spool_path(f->sp, SPOOL_Q_INCOMING, "0000000000000003-000000000000",
	    path, sizeof path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(spool_load_file(path, &m), SPOOL_CORRUPT);
	spool_path(f->sp, SPOOL_Q_INCOMING, "0000000000000004-000000000000",
	    path, sizeof path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(spool_load_file(path, &m), SPOOL_CORRUPT);
	assert_int_equal(spool_recover(f->sp, &r), SPOOL_OK);
	assert_int_equal(r.corrupt, 2);
	assert_int_equal(r.incoming, 1);
	assert_int_equal(count_entries(f, SPOOL_Q_CORRUPT), 2);
}

/* A set or a stage replaced by a symlink (another role can make one in
 * outgoing/): dropping or recovering it removes the link, never what
 * it points to. */
static void
test_set_symlink(void **state)
{
	struct fx *f = *state;
	struct spool_recovery r;
	char victim[PATH_MAX], file[PATH_MAX + 16], path[PATH_MAX];
	struct stat sb;
	int fd;

	snprintf(victim, sizeof victim, "%s/victim", f->root);
	assert_int_equal(mkdir(victim, 0700), 0);
	snprintf(file, sizeof file, "%s/secret.key", victim);
	assert_true((fd = open(file, O_WRONLY | O_CREAT, 0600)) != -1);
	close(fd);
	spool_path(f->sp, SPOOL_Q_OUTGOING, "0000000000000005-000000000000",
	    path, sizeof path);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(spool_outgoing_drop(f->sp,
	    "0000000000000005-000000000000"), SPOOL_OK);
	assert_int_equal(lstat(path, &sb), -1);		/* the link went */
	assert_int_equal(stat(file, &sb), 0);		/* its target did not */
	spool_path(f->sp, SPOOL_Q_OUTGOING, ".stage-0000000000000006-000000000000",
	    path, sizeof path);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(spool_recover(f->sp, &r), SPOOL_OK);
	assert_int_equal(lstat(path, &sb), -1);
	assert_int_equal(stat(file, &sb), 0);
}

static void
test_status_strings(void **state)
{
	(void)state;
	assert_string_equal(spool_status_str(SPOOL_OK), "ok");
	assert_string_equal(spool_status_str(SPOOL_CORRUPT), "corrupt");
	assert_string_equal(spool_queue_str(SPOOL_Q_INCOMING), "incoming");
	assert_string_equal(spool_queue_str(SPOOL_Q_COUNT), "unknown");
}

/* One copy for the stage: a single-recipient envelope. */
static void
stage_one(struct fx *f, struct spool_stage *st, const char *rcpt,
    char name[HUB_ID_SIZE])
{
	struct spool_envelope e;
	const char *r[1] = { rcpt };

	(void)f;
	envelope(&e);
	e.mail_from = "ops-bounces+x=y.example@hub.example";
	e.rcpt = r;
	e.nrcpt = 1;
	assert_int_equal(spool_stage_add(st, &e, "ciphertext\r\n", 12, name),
	    SPOOL_OK);
}

/* A process that stages a copy of post id and dies before its commit:
 * 0 if it got that far. */
static int
crash_while_staging(struct fx *f, const char *id)
{
	struct spool_envelope e;
	struct spool_stage *st;
	const char *r[1] = { "a@x.example" };
	pid_t pid;
	int status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		envelope(&e);
		e.rcpt = r;
		e.nrcpt = 1;
		if (spool_stage_begin(f->sp, id, &st) != SPOOL_OK ||
		    spool_stage_add(st, &e, "ciphertext\r\n", 12, NULL) !=
		    SPOOL_OK)
			_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The outgoing set is invisible until committed, then complete. */
static void
test_outgoing_set(void **state)
{
	struct fx *f = *state;
	struct spool_stage *st;
	struct spool_msg *m;
	struct spool_envelope e;
	char id[HUB_ID_SIZE], a[HUB_ID_SIZE], b[HUB_ID_SIZE];
	char **v;
	size_t n;

	assert_int_equal(store(f, "x", 1, id), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, id), SPOOL_OK);
	assert_int_equal(spool_stage_begin(f->sp, id, &st), SPOOL_OK);
	stage_one(f, st, "a@x.example", a);
	stage_one(f, st, "b@x.example", b);
	assert_int_equal(spool_stage_count(st), 2);
	/* two recipients in one staged file are refused */
	envelope(&e);
	assert_int_equal(spool_stage_add(st, &e, "y", 1, NULL),
	    SPOOL_BAD_ARGUMENT);
	assert_false(spool_outgoing_committed(f->sp, id));
	assert_int_equal(spool_outgoing_posts(f->sp, &v, &n), SPOOL_OK);
	assert_int_equal(n, 0);		/* the stage is not a post */
	spool_ids_free(v, n);
	assert_int_equal(spool_stage_commit(st), SPOOL_OK);
	assert_true(spool_outgoing_committed(f->sp, id));
	assert_int_equal(spool_outgoing_posts(f->sp, &v, &n), SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], id);
	spool_ids_free(v, n);
	assert_int_equal(spool_outgoing_files(f->sp, id, &v, &n), SPOOL_OK);
	assert_int_equal(n, 2);
	spool_ids_free(v, n);
	assert_int_equal(spool_outgoing_load(f->sp, id, a, &m), SPOOL_OK);
	assert_int_equal(m->env.nrcpt, 1);
	assert_string_equal(m->env.rcpt[0], "a@x.example");
	assert_int_equal(m->body_len, 12);
	spool_msg_free(m);
	/* delivered: gone; the set stays while the entry is active */
	assert_int_equal(spool_outgoing_done(f->sp, id, a), SPOOL_OK);
	assert_int_equal(spool_outgoing_done(f->sp, id, a), SPOOL_NOT_FOUND);
	assert_int_equal(spool_outgoing_done(f->sp, id, b), SPOOL_OK);
	assert_int_equal(spool_outgoing_reap(f->sp, id), 0);
	assert_int_equal(spool_finish(f->sp, id), SPOOL_OK);
	assert_int_equal(spool_outgoing_reap(f->sp, id), 1);
	assert_false(spool_outgoing_committed(f->sp, id));
}

/* A copy's retry state (hub/copystate.h): absent reads as never tried,
 * saved and read back whole, a replaced file is noticed, a bad one is
 * refused, and the reap takes what is left once the copies are gone
 * (but not a set holding a receipt request). */
static void
test_copy_state(void **state)
{
	struct fx *f = *state;
	struct spool_stage *st;
	struct copy_retry cr, back;
	struct copy_stamp s1, s2;
	char id[HUB_ID_SIZE], a[HUB_ID_SIZE], path[PATH_MAX + 64];
	FILE *fp;

	assert_int_equal(store(f, "x", 1, id), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, id), SPOOL_OK);
	assert_int_equal(spool_stage_begin(f->sp, id, &st), SPOOL_OK);
	stage_one(f, st, "a@x.example", a);
	assert_int_equal(spool_stage_commit(st), SPOOL_OK);
	assert_int_equal(copy_retry_load(f->sp, id, a, &cr, &s1), SPOOL_OK);
	assert_int_equal(cr.attempts, 0);
	assert_int_equal(cr.next, 0);
	assert_false(s1.exists);
	assert_false(copy_retry_changed(f->sp, id, a, &s1));
	memset(&cr, 0, sizeof cr);
	cr.attempts = 3;
	cr.first = 1000;
	cr.last_at = 2000;
	cr.next = 2240;
	snprintf(cr.reply, sizeof cr.reply, "451 4.3.0 try again later");
	assert_int_equal(copy_retry_save(f->sp, id, a, &cr, &s1), SPOOL_OK);
	assert_true(s1.exists);
	assert_false(copy_retry_changed(f->sp, id, a, &s1));
	assert_int_equal(copy_retry_load(f->sp, id, a, &back, &s2), SPOOL_OK);
	assert_memory_equal(&cr, &back, sizeof cr);
	/* replaced by another writer (hubctl queue retry): noticed */
	back.next = 1;
	assert_int_equal(copy_retry_save(f->sp, id, a, &back, &s2), SPOOL_OK);
	assert_true(copy_retry_changed(f->sp, id, a, &s1));
	assert_false(copy_retry_changed(f->sp, id, a, &s2));
	/* the copies of the set are ids; the state is not one */
	{
		char **v;
		size_t n;

		assert_int_equal(spool_outgoing_files(f->sp, id, &v, &n),
		    SPOOL_OK);
		assert_int_equal(n, 1);
		spool_ids_free(v, n);
	}
	/* what the writer refuses */
	snprintf(cr.reply, sizeof cr.reply, "bad\nline");
	assert_int_equal(copy_retry_save(f->sp, id, a, &cr, NULL),
	    SPOOL_BAD_ARGUMENT);
	assert_int_equal(copy_retry_save(f->sp, "../x", a, &back, NULL),
	    SPOOL_BAD_ARGUMENT);
	/* a file that is not the format reads as none, and says so */
	spool_path(f->sp, SPOOL_Q_OUTGOING, id, path, sizeof path);
	strcat(path, "/");
	strcat(path, a);
	strcat(path, COPY_RETRY_SUFFIX);
	assert_non_null(fp = fopen(path, "w"));
	fputs("CSIRT-HUB-COPY-RETRY 1\nattempts 01\n", fp);
	fclose(fp);
	assert_int_equal(copy_retry_load(f->sp, id, a, &back, NULL),
	    SPOOL_CORRUPT);
	assert_int_equal(back.attempts, 0);
	/* the copy goes: its state is left over and reaped with the set */
	assert_int_equal(spool_outgoing_done(f->sp, id, a), SPOOL_OK);
	assert_int_equal(spool_finish(f->sp, id), SPOOL_OK);
	assert_int_equal(spool_outgoing_reap(f->sp, id), 1);
	assert_false(spool_outgoing_committed(f->sp, id));
	assert_int_equal(copy_retry_save(f->sp, id, a, &back, NULL),
	    SPOOL_NOT_FOUND);
}

/* Recovery: a stage is discarded and its entry redone; an entry whose
 * set is committed is finished, or rejected if its reason was noted. */
static void
test_outgoing_recover(void **state)
{
	struct fx *f = *state;
	struct spool_recovery r;
	struct spool_stage *st;
	char redo[HUB_ID_SIZE], done[HUB_ID_SIZE], refused[HUB_ID_SIZE];
	char *why;

	assert_int_equal(store(f, "1", 1, redo), SPOOL_OK);
	assert_int_equal(store(f, "2", 1, done), SPOOL_OK);
	assert_int_equal(store(f, "3", 1, refused), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, redo), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, done), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, refused), SPOOL_OK);
	/* crashed while staging: a child stages and dies, cleaning up
	 * nothing */
	assert_int_equal(crash_while_staging(f, redo), 0);
	/* crashed after the commit, before finishing */
	assert_int_equal(spool_stage_begin(f->sp, done, &st), SPOOL_OK);
	stage_one(f, st, "a@x.example", NULL);
	assert_int_equal(spool_stage_commit(st), SPOOL_OK);
	assert_int_equal(spool_reject_note(f->sp, refused,
	    "reason=not-signed\n"), SPOOL_OK);
	assert_int_equal(spool_stage_begin(f->sp, refused, &st), SPOOL_OK);
	stage_one(f, st, "admin@x.example", NULL);
	assert_int_equal(spool_stage_commit(st), SPOOL_OK);

	assert_int_equal(spool_recover(f->sp, &r), SPOOL_OK);
	assert_int_equal(r.stages_removed, 1);
	assert_int_equal(r.finished, 2);
	assert_int_equal(r.requeued, 1);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_INCOMING), 1);
	assert_int_equal(spool_claim(f->sp, redo), SPOOL_OK);
	assert_int_equal(spool_reject_reason(f->sp, refused, &why), SPOOL_OK);
	assert_string_equal(why, "reason=not-signed\n");
	free(why);
	assert_int_equal(spool_reject_reason(f->sp, done, &why),
	    SPOOL_NOT_FOUND);
	/* rejected/ holds the entry and its reason */
	assert_int_equal(count_entries(f, SPOOL_Q_REJECTED), 2);
	/* both committed sets are still there for the relay */
	assert_true(spool_outgoing_committed(f->sp, done));
	assert_true(spool_outgoing_committed(f->sp, refused));
	assert_false(spool_outgoing_committed(f->sp, redo));
}

/* --- retry state, deferral, quarantine, free space ------------------------ */

/* retry/ID round-trips every field; a missing file reads as zeros; a
 * damaged one is reported and reads as zeros too. */
static void
test_retry_state(void **state)
{
	struct fx *f = *state;
	struct spool_retry r, got;
	char a[HUB_ID_SIZE], path[PATH_MAX];
	static const char *const bad[] = {
		"",
		"CSIRT-HUB-RETRY 2\nattempts 1\n",
		"CSIRT-HUB-RETRY 1\nattempts 01\n",
		"CSIRT-HUB-RETRY 1\nattempts -1\n",
		"CSIRT-HUB-RETRY 1\nattempts 1",
		"CSIRT-HUB-RETRY 1\nbogus 1\n",
		"CSIRT-HUB-RETRY 1\nlast Bad Token\n",
		"CSIRT-HUB-RETRY 1\nattempts 99999999999\n",
	};
	size_t i;

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	memset(&got, 0xff, sizeof got);
	assert_int_equal(spool_retry_load(f->sp, a, &got), SPOOL_OK);
	assert_int_equal(got.attempts, 0);
	assert_int_equal(got.crashes, 0);
	assert_int_equal(got.first, 0);
	assert_string_equal(got.last, "");

	memset(&r, 0, sizeof r);
	r.attempts = 3;
	r.crashes = 1;
	r.first = 1700000000;
	r.last_at = 1700000090;
	snprintf(r.last, sizeof r.last, "io-error");
	assert_int_equal(spool_retry_save(f->sp, a, &r), SPOOL_OK);
	assert_int_equal(spool_retry_load(f->sp, a, &got), SPOOL_OK);
	assert_int_equal(got.attempts, 3);
	assert_int_equal(got.crashes, 1);
	assert_int_equal(got.first, 1700000000);
	assert_int_equal(got.last_at, 1700000090);
	assert_string_equal(got.last, "io-error");
	snprintf(path, sizeof path, "%.200s/retry/%s", f->dir, a);
	assert_int_equal(access(path, F_OK), 0);

	/* a token that could forge a line is refused */
	snprintf(r.last, sizeof r.last, "x\nattempts 0");
	assert_int_equal(spool_retry_save(f->sp, a, &r), SPOOL_BAD_ARGUMENT);
	assert_int_equal(spool_retry_save(f->sp, "../x", &r),
	    SPOOL_BAD_ARGUMENT);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(path, bad[i], strlen(bad[i]));
		assert_int_equal(spool_retry_load(f->sp, a, &got),
		    SPOOL_CORRUPT);
		assert_int_equal(got.attempts, 0);
	}
	spool_retry_forget(f->sp, a);
	assert_int_not_equal(access(path, F_OK), 0);
	spool_retry_forget(f->sp, a);	/* twice: no harm */

	/* the disk fails while the state is written: an error, the old
	 * state intact */
	r.last[0] = '\0';
	assert_int_equal(spool_retry_save(f->sp, a, &r), SPOOL_OK);
	r.attempts = 4;
	fs_fault_set(FS_OP_FSYNC, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_retry_save(f->sp, a, &r), SPOOL_IO_ERROR);
	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	assert_int_equal(spool_retry_load(f->sp, a, &got), SPOOL_OK);
	assert_int_equal(got.attempts, 3);
}

/* deferred/ID keeps its next try in its mtime; it is due when the time
 * has come, or when the time is further ahead than the cap (the clock
 * stepped back); a claim takes it to active/. */
static void
test_defer_due(void **state)
{
	struct fx *f = *state;
	char a[HUB_ID_SIZE], b[HUB_ID_SIZE];
	time_t next;
	char **ids;
	size_t n;

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	assert_int_equal(store(f, "b", 1, b), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, a), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, b), SPOOL_OK);
	assert_int_equal(spool_defer(f->sp, a, SPOOL_Q_ACTIVE, 1000100),
	    SPOOL_OK);
	assert_int_equal(spool_defer(f->sp, b, SPOOL_Q_ACTIVE, 1000030),
	    SPOOL_OK);
	assert_int_equal(spool_defer(f->sp, a, SPOOL_Q_ACTIVE, 1),
	    SPOOL_NOT_FOUND);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_DEFERRED), 2);
	assert_int_equal(spool_deferred_next(f->sp, a, &next), SPOOL_OK);
	assert_int_equal(next, 1000100);

	/* now = 1000000, cap 3600: neither due */
	assert_int_equal(spool_deferred_due(f->sp, 1000000, 3600, &ids, &n),
	    SPOOL_OK);
	assert_int_equal(n, 0);
	spool_ids_free(ids, n);
	/* b's time has come */
	assert_int_equal(spool_deferred_due(f->sp, 1000030, 3600, &ids, &n),
	    SPOOL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], b);
	spool_ids_free(ids, n);
	/* the clock stepped back a day: both wait longer than the cap of
	 * 60 s, so both are due (never stalled until the clock catches
	 * up) */
	assert_int_equal(spool_deferred_due(f->sp, 1000000 - 86400, 60, &ids,
	    &n), SPOOL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], a);
	spool_ids_free(ids, n);

	/* the claim from deferred/ is a rename, like from incoming/ */
	assert_int_equal(spool_move(f->sp, b, SPOOL_Q_DEFERRED,
	    SPOOL_Q_ACTIVE), SPOOL_OK);
	assert_int_equal(spool_move(f->sp, b, SPOOL_Q_DEFERRED,
	    SPOOL_Q_ACTIVE), SPOOL_NOT_FOUND);

	/* the rename fails: the entry is still where it was */
	fs_fault_set(FS_OP_RENAME, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_defer(f->sp, b, SPOOL_Q_ACTIVE, 5),
	    SPOOL_IO_ERROR);
	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 1);
}

/* quarantine/ID with its .why; the reason first. */
static void
test_quarantine(void **state)
{
	struct fx *f = *state;
	char a[HUB_ID_SIZE], path[PATH_MAX];
	struct spool_msg *m;
	char **ids;
	size_t n;

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, a), SPOOL_OK);
	/* the .why cannot be written: nothing moves */
	fs_fault_set(FS_OP_WRITE, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_quarantine(f->sp, a, SPOOL_Q_ACTIVE,
	    "reason=quarantined\n"), SPOOL_IO_ERROR);
	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 1);
	assert_int_equal(spool_quarantine(f->sp, a, SPOOL_Q_ACTIVE,
	    "reason=quarantined\nattempts=3\n"), SPOOL_OK);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 0);
	assert_int_equal(spool_load(f->sp, SPOOL_Q_QUARANTINE, a, &m),
	    SPOOL_OK);
	spool_msg_free(m);
	spool_path(f->sp, SPOOL_Q_QUARANTINE, NULL, path, sizeof path);
	strcat(path, "/");
	strcat(path, a);
	strcat(path, ".why");
	assert_int_equal(access(path, F_OK), 0);
	/* the .why is not an entry */
	assert_int_equal(spool_list(f->sp, SPOOL_Q_QUARANTINE, &ids, &n),
	    SPOOL_OK);
	assert_int_equal(n, 1);
	spool_ids_free(ids, n);
	assert_string_equal(spool_queue_str(SPOOL_Q_QUARANTINE), "quarantine");
	assert_string_equal(spool_queue_str(SPOOL_Q_DEFERRED), "deferred");
}

/* Recovery keeps the counts of entries it puts back, validates
 * deferred/, and removes the counts of entries that are gone. */
static void
test_recover_retry(void **state)
{
	struct fx *f = *state;
	struct spool_recovery r;
	struct spool_retry rs, got;
	char a[HUB_ID_SIZE], b[HUB_ID_SIZE], c[HUB_ID_SIZE], path[PATH_MAX];

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	assert_int_equal(store(f, "b", 1, b), SPOOL_OK);
	assert_int_equal(store(f, "c", 1, c), SPOOL_OK);
	memset(&rs, 0, sizeof rs);
	rs.attempts = 2;
	assert_int_equal(spool_retry_save(f->sp, a, &rs), SPOOL_OK);
	assert_int_equal(spool_retry_save(f->sp, b, &rs), SPOOL_OK);
	assert_int_equal(spool_retry_save(f->sp, c, &rs), SPOOL_OK);
	/* a: active (a worker died); b: deferred; c: finished, but the
	 * crash came before its counts were removed */
	assert_int_equal(spool_claim(f->sp, a), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, b), SPOOL_OK);
	assert_int_equal(spool_defer(f->sp, b, SPOOL_Q_ACTIVE, 1), SPOOL_OK);
	assert_int_equal(spool_claim(f->sp, c), SPOOL_OK);
	assert_int_equal(spool_finish(f->sp, c), SPOOL_OK);
	/* a damaged deferred entry */
	spool_path(f->sp, SPOOL_Q_DEFERRED, "0000000000000002-000000000000",
	    path, sizeof path);
	write_file(path, "CSIRT-HUB-SPOOL 1\nid", 20);

	assert_int_equal(spool_recover(f->sp, &r), SPOOL_OK);
	assert_int_equal(r.requeued, 1);
	assert_int_equal(r.incoming, 1);
	assert_int_equal(r.deferred, 1);
	assert_int_equal(r.corrupt, 1);
	assert_int_equal(r.retry_removed, 1);
	assert_int_equal(spool_retry_load(f->sp, a, &got), SPOOL_OK);
	assert_int_equal(got.attempts, 2);
	assert_int_equal(spool_retry_load(f->sp, b, &got), SPOOL_OK);
	assert_int_equal(got.attempts, 2);
	snprintf(path, sizeof path, "%.200s/retry/%s", f->dir, c);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* hubctl's view: the envelope without the body, where an entry is, its
 * .why; its changes: a deferred entry due now, a delete (never from
 * active/), a release from quarantine with no stale reason or count. */
static void
test_admin(void **state)
{
	struct fx *f = *state;
	static const char body[] = "Subject: SECRET-SUBJECT\r\n\r\nSECRET-BODY\r\n";
	char a[HUB_ID_SIZE], b[HUB_ID_SIZE], c[HUB_ID_SIZE], path[PATH_MAX];
	struct spool_msg *m;
	struct spool_retry r;
	enum spool_queue q;
	long long size = 0;
	time_t next;
	char *why;

	assert_int_equal(store(f, body, sizeof body - 1, a), SPOOL_OK);
	assert_int_equal(store(f, "b", 1, b), SPOOL_OK);
	assert_int_equal(store(f, "c", 1, c), SPOOL_OK);

	/* peek: the envelope, no body, the size on disk */
	assert_int_equal(spool_peek(f->sp, SPOOL_Q_INCOMING, a, &m, &size),
	    SPOOL_OK);
	assert_string_equal(m->id, a);
	assert_string_equal(m->env.mail_from, "poc@cert.example");
	assert_int_equal(m->env.nrcpt, 2);
	assert_string_equal(m->env.rcpt[1], "ops-owner@hub.example");
	assert_null(m->body);
	assert_int_equal(m->body_len, 0);
	assert_true(size > (long long)sizeof body);
	spool_msg_free(m);
	assert_int_equal(spool_peek(f->sp, SPOOL_Q_INCOMING, "../x", &m,
	    NULL), SPOOL_BAD_ARGUMENT);
	assert_int_equal(spool_peek(f->sp, SPOOL_Q_DEFERRED, a, &m, NULL),
	    SPOOL_NOT_FOUND);
	/* a file that is not a spool file */
	spool_path(f->sp, SPOOL_Q_CORRUPT, "0000000000000003-000000000000",
	    path, sizeof path);
	write_file(path, "garbage\n\nmore", 13);
	assert_int_equal(spool_peek(f->sp, SPOOL_Q_CORRUPT,
	    "0000000000000003-000000000000", &m, NULL), SPOOL_CORRUPT);

	/* locate follows the entry through its queues */
	assert_int_equal(spool_locate(f->sp, a, &q), SPOOL_OK);
	assert_int_equal(q, SPOOL_Q_INCOMING);
	assert_int_equal(spool_claim(f->sp, a), SPOOL_OK);
	assert_int_equal(spool_locate(f->sp, a, &q), SPOOL_OK);
	assert_int_equal(q, SPOOL_Q_ACTIVE);
	assert_int_equal(spool_locate(f->sp, "0000000000000009-000000000000",
	    &q), SPOOL_NOT_FOUND);
	assert_int_equal(spool_locate(f->sp, "x/../y", &q),
	    SPOOL_BAD_ARGUMENT);

	/* never from active/ (a worker holds it), nor outgoing/ or tmp/ */
	assert_int_equal(spool_remove(f->sp, a, SPOOL_Q_ACTIVE),
	    SPOOL_BAD_ARGUMENT);
	assert_int_equal(spool_remove(f->sp, a, SPOOL_Q_OUTGOING),
	    SPOOL_BAD_ARGUMENT);
	assert_int_equal(count_entries(f, SPOOL_Q_ACTIVE), 1);

	/* deferred: due now, then deleted with its retry state */
	assert_int_equal(spool_defer(f->sp, a, SPOOL_Q_ACTIVE, 2000000000),
	    SPOOL_OK);
	memset(&r, 0, sizeof r);
	r.attempts = 2;
	assert_int_equal(spool_retry_save(f->sp, a, &r), SPOOL_OK);
	assert_int_equal(spool_deferred_set_next(f->sp, a, 1000), SPOOL_OK);
	assert_int_equal(spool_deferred_next(f->sp, a, &next), SPOOL_OK);
	assert_int_equal(next, 1000);
	assert_int_equal(spool_deferred_set_next(f->sp, b, 1000),
	    SPOOL_NOT_FOUND);
	assert_int_equal(spool_remove(f->sp, a, SPOOL_Q_DEFERRED), SPOOL_OK);
	assert_int_equal(spool_remove(f->sp, a, SPOOL_Q_DEFERRED),
	    SPOOL_NOT_FOUND);
	assert_int_equal(spool_retry_load(f->sp, a, &r), SPOOL_OK);
	assert_int_equal(r.attempts, 0);

	/* rejected: the .why read, and removed with the entry */
	assert_int_equal(spool_reject(f->sp, b, SPOOL_Q_INCOMING,
	    "reason=plain\n"), SPOOL_OK);
	assert_int_equal(spool_why(f->sp, SPOOL_Q_REJECTED, b, &why),
	    SPOOL_OK);
	assert_string_equal(why, "reason=plain\n");
	free(why);
	assert_int_equal(spool_why(f->sp, SPOOL_Q_DEFERRED, b, &why),
	    SPOOL_BAD_ARGUMENT);
	assert_int_equal(spool_remove(f->sp, b, SPOOL_Q_REJECTED), SPOOL_OK);
	assert_int_equal(spool_why(f->sp, SPOOL_Q_REJECTED, b, &why),
	    SPOOL_NOT_FOUND);

	/* quarantine -> release: in incoming/, no .why, counted from zero,
	 * nothing left in tmp/ */
	assert_int_equal(spool_claim(f->sp, c), SPOOL_OK);
	assert_int_equal(spool_quarantine(f->sp, c, SPOOL_Q_ACTIVE,
	    "reason=quarantined\nattempts=3\n"), SPOOL_OK);
	r.crashes = 3;
	assert_int_equal(spool_retry_save(f->sp, c, &r), SPOOL_OK);
	assert_int_equal(spool_why(f->sp, SPOOL_Q_QUARANTINE, c, &why),
	    SPOOL_OK);
	free(why);
	/* the rename fails: still quarantined, with its reason */
	fs_fault_set(FS_OP_RENAME, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_release(f->sp, c), SPOOL_IO_ERROR);
	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	assert_int_equal(spool_why(f->sp, SPOOL_Q_QUARANTINE, c, &why),
	    SPOOL_OK);
	free(why);
	assert_int_equal(spool_release(f->sp, c), SPOOL_OK);
	assert_int_equal(spool_locate(f->sp, c, &q), SPOOL_OK);
	assert_int_equal(q, SPOOL_Q_INCOMING);
	assert_int_equal(spool_why(f->sp, SPOOL_Q_QUARANTINE, c, &why),
	    SPOOL_NOT_FOUND);
	assert_int_equal(spool_retry_load(f->sp, c, &r), SPOOL_OK);
	assert_int_equal(r.crashes, 0);
	assert_int_equal(count_entries(f, SPOOL_Q_TMP), 0);
	assert_int_equal(count_entries(f, SPOOL_Q_QUARANTINE), 0);
	assert_int_equal(spool_release(f->sp, c), SPOOL_NOT_FOUND);
	/* released entries load whole, as the worker will */
	assert_int_equal(spool_load(f->sp, SPOOL_Q_INCOMING, c, &m), SPOOL_OK);
	spool_msg_free(m);
}

/* A stage remembers that the disk failed under it. */
static void
test_stage_error(void **state)
{
	struct fx *f = *state;
	struct spool_envelope e;
	struct spool_stage *st;
	const char *r[1] = { "x@hub.example" };
	char a[HUB_ID_SIZE];

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	assert_int_equal(spool_stage_begin(f->sp, a, &st), SPOOL_OK);
	envelope(&e);
	e.rcpt = r;
	e.nrcpt = 1;
	assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL), SPOOL_OK);
	assert_int_equal(spool_stage_error(st), 0);
	fs_fault_set(FS_OP_WRITE, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL),
	    SPOOL_IO_ERROR);
	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_error(st), EIO);
	assert_int_equal(spool_stage_count(st), 1);
	spool_stage_abort(st);
}

/* The copies are fsynced after they are all written (spool_stage_sync):
 * a failed fsync there is the stage's error, and the set is not
 * committed, whoever calls it; a sync with nothing left to do is not an
 * fsync at all. */
/* Descriptors this process has open. */
static int
open_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_stage_sync(void **state)
{
	struct fx *f = *state;
	struct spool_envelope e;
	struct spool_stage *st;
	const char *r[1] = { "x@hub.example" };
	char a[HUB_ID_SIZE];
	int i, fds;

	assert_int_equal(store(f, "a", 1, a), SPOOL_OK);
	envelope(&e);
	e.rcpt = r;
	e.nrcpt = 1;

	/* synced by the writers: the commit has nothing left to sync */
	assert_int_equal(spool_stage_begin(f->sp, a, &st), SPOOL_OK);
	assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL), SPOOL_OK);
	assert_int_equal(spool_stage_add(st, &e, "y", 1, NULL), SPOOL_OK);
	assert_int_equal(spool_stage_sync(st), 0);
	fs_fault_set(FS_OP_FSYNC, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_sync(st), 0);
	assert_int_equal(spool_stage_commit(st), SPOOL_OK);
	fs_fault_set(FS_OP_FSYNC, 0, FS_FAULT_FAIL);
	assert_true(spool_outgoing_committed(f->sp, a));
	assert_int_equal(spool_outgoing_drop(f->sp, a), SPOOL_OK);

	/* a failed fsync of a copy: nothing becomes visible */
	assert_int_equal(spool_stage_begin(f->sp, a, &st), SPOOL_OK);
	assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL), SPOOL_OK);
	assert_int_equal(spool_stage_add(st, &e, "y", 1, NULL), SPOOL_OK);
	fs_fault_set(FS_OP_FSYNC, 2, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_sync(st), -1);
	fs_fault_set(FS_OP_FSYNC, 0, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_error(st), EIO);
	/* the error stays, though the fault is gone */
	assert_int_equal(spool_stage_sync(st), -1);
	assert_int_equal(spool_stage_commit(st), SPOOL_IO_ERROR);
	assert_false(spool_outgoing_committed(f->sp, a));

	/* a writer syncs a batch itself: the descriptors a stage holds
	 * stay bounded on a list of thousands, and a failed fsync there is
	 * the stage's (the copy itself was written) */
	assert_int_equal(spool_stage_begin(f->sp, a, &st), SPOOL_OK);
	fds = open_fds();
	for (i = 0; i < 300; i++)
		assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL),
		    SPOOL_OK);
	assert_in_range(open_fds(), fds, fds + 128);
	assert_int_equal(spool_stage_error(st), 0);
	fs_fault_set(FS_OP_FSYNC, 1, FS_FAULT_FAIL);
	for (i = 0; i < 128; i++)
		assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL),
		    SPOOL_OK);
	fs_fault_set(FS_OP_FSYNC, 0, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_error(st), EIO);
	assert_int_equal(spool_stage_count(st), 428);
	assert_int_equal(spool_stage_commit(st), SPOOL_IO_ERROR);
	assert_false(spool_outgoing_committed(f->sp, a));
	assert_int_equal(open_fds(), fds);

	/* never synced by a writer: the commit does it, and fails */
	assert_int_equal(spool_stage_begin(f->sp, a, &st), SPOOL_OK);
	assert_int_equal(spool_stage_add(st, &e, "x", 1, NULL), SPOOL_OK);
	fs_fault_set(FS_OP_FSYNC, 1, FS_FAULT_FAIL);
	assert_int_equal(spool_stage_commit(st), SPOOL_IO_ERROR);
	fs_fault_set(FS_OP_FSYNC, 0, FS_FAULT_FAIL);
	assert_false(spool_outgoing_committed(f->sp, a));
}

#if defined(FS_IOC_GETFLAGS) && defined(FS_TOPDIR_FL)
static int
dir_flags(const char *path, int *flags)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY), r;

	if (fd == -1)
		return -1;
	r = ioctl(fd, FS_IOC_GETFLAGS, flags);
	close(fd);
	return r;
}
#endif

/* outgoing/ spreads its sets over the disk (fs_spread_subdirs) where
 * the filesystem has the flag: checked by setting it on a directory of
 * our own first (tmpfs has none, and then there is nothing to see). */
static void
test_outgoing_spread(void **state)
{
#if defined(FS_IOC_GETFLAGS) && defined(FS_TOPDIR_FL)
	struct fx *f = *state;
	char probe[PATH_MAX], out[PATH_MAX];
	int flags = 0;

	int fd, ok;

	/* does the filesystem take the flag at all (set by hand here) */
	snprintf(probe, sizeof probe, "%.200s/probe", f->root);
	assert_int_equal(mkdir(probe, 0700), 0);
	fd = open(probe, O_RDONLY | O_DIRECTORY);
	assert_true(fd != -1);
	ok = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
	    (flags |= FS_TOPDIR_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0) &&
	    dir_flags(probe, &flags) == 0 && (flags & FS_TOPDIR_FL) != 0;
	close(fd);
	rmdir(probe);
	if (!ok)
		skip();
	snprintf(out, sizeof out, "%.200s/outgoing", f->dir);
	assert_int_equal(dir_flags(out, &flags), 0);
	assert_true(flags & FS_TOPDIR_FL);
	/* and on a directory of our own, by the function alone */
	assert_int_equal(mkdir(probe, 0700), 0);
	fs_spread_subdirs(probe);
	assert_int_equal(dir_flags(probe, &flags), 0);
	assert_true(flags & FS_TOPDIR_FL);
	rmdir(probe);
#else
	(void)state;
	skip();
#endif
}

/* The free-space answer: no threshold, one below and one far above
 * what any disk has. */
static void
test_space(void **state)
{
	struct fx *f = *state;

	assert_true(spool_space_ok(f->sp, 0));
	assert_true(spool_space_ok(f->sp, 1));
	assert_false(spool_space_ok(f->sp, ~0ULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_sender_and_abort,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_envelope_injection_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_each_commit_step,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_claim_and_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_bound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_fifo_symlink,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_outgoing_set, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outgoing_recover, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retry_state, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_defer_due, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_quarantine, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_retry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stage_sync, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outgoing_spread, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_symlink, setup,
		    teardown),
		cmocka_unit_test(test_status_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
