/* Unit tests for hub/committer: commits on threads, results on the loop. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hub/committer.h"
#include "hub/spool.h"
#include "base/fsutil.h"
#include "base/log.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#define N	64

struct result {
	enum spool_status	 st;
	char			 id[HUB_ID_SIZE];
	pthread_t		 thread;
	int			 calls;
};

struct fx {
	char			 root[64];
	struct spool		*sp;
	struct event_base	*base;
	struct committer	*cm;
	struct result		 r[N];
	int			 done;
	int			 want;
};

static struct fx *cur;

static void
done_cb(void *arg, enum spool_status st, int err, const char *id)
{
	struct result *r = arg;

	(void)err;
	r->st = st;
	r->thread = pthread_self();
	r->calls++;
	if (st == SPOOL_OK)
		snprintf(r->id, sizeof r->id, "%s", id);
	if (++cur->done == cur->want)
		event_base_loopbreak(cur->base);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char dir[128];

	snprintf(f->root, sizeof f->root, "/tmp/hubcm.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(dir, sizeof dir, "%s/spool", f->root);
	assert_int_equal(spool_open(dir, &f->sp), SPOOL_OK);
	assert_non_null(f->base = event_base_new());
	f->cm = committer_new(f->base, 4);
	cur = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	committer_free(f->cm);
	event_base_free(f->base);
	spool_close(f->sp);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
submit(struct fx *f, int i)
{
	static const char *const rcpt[] = { "ops@hub.test" };
	struct spool_envelope e = {
		.received = 1, .protocol = "smtp", .client = "c", .helo = "h",
		.mail_from = "a@b", .rcpt = rcpt, .nrcpt = 1,
	};
	struct spool_tx *tx;
	char body[32];

	assert_int_equal(spool_begin(f->sp, &e, &tx), SPOOL_OK);
	snprintf(body, sizeof body, "message %d\r\n", i);
	assert_int_equal(spool_write(tx, body, strlen(body)), SPOOL_OK);
	committer_submit(f->cm, tx, done_cb, &f->r[i]);
}

/* Every commit reports exactly once, on the loop thread, and is durable
 * in incoming/ by then. */
static void
test_many_commits(void **state)
{
	struct fx *f = *state;
	struct spool_msg *m;
	char want[32];
	int i;

	f->want = N;
	for (i = 0; i < N; i++)
		submit(f, i);
	assert_int_equal(committer_pending(f->cm), N);
	event_base_dispatch(f->base);
	assert_int_equal(f->done, N);
	assert_int_equal(committer_pending(f->cm), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(f->r[i].calls, 1);
		assert_int_equal(f->r[i].st, SPOOL_OK);
		assert_true(pthread_equal(f->r[i].thread, pthread_self()));
		assert_int_equal(spool_load(f->sp, SPOOL_Q_INCOMING, f->r[i].id,
		    &m), SPOOL_OK);
		snprintf(want, sizeof want, "message %d\r\n", i);
		assert_int_equal(m->body_len, strlen(want));
		assert_memory_equal(m->body, want, strlen(want));
		spool_msg_free(m);
	}
}

/* A failing commit reports its failure; the others are unaffected. */
static void
test_failure_reported(void **state)
{
	struct fx *f = *state;
	int i, ok = 0, failed = 0;

	fs_fault_set(FS_OP_RENAME, 3, FS_FAULT_FAIL);
	f->want = 8;
	for (i = 0; i < 8; i++)
		submit(f, i);
	event_base_dispatch(f->base);
	for (i = 0; i < 8; i++) {
		assert_int_equal(f->r[i].calls, 1);
		if (f->r[i].st == SPOOL_OK)
			ok++;
		else {
			assert_int_equal(f->r[i].st, SPOOL_IO_ERROR);
			failed++;
		}
	}
	assert_int_equal(ok, 7);
	assert_int_equal(failed, 1);
}

/* committer_free() with commits still queued finishes them and reports. */
static void
test_free_drains(void **state)
{
	struct fx *f = *state;
	int i;

	f->want = -1;
	for (i = 0; i < 16; i++)
		submit(f, i);
	committer_free(f->cm);
	f->cm = committer_new(f->base, 1);
	for (i = 0; i < 16; i++) {
		assert_int_equal(f->r[i].calls, 1);
		assert_int_equal(f->r[i].st, SPOOL_OK);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_commits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failure_reported, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_drains, setup,
		    teardown),
	};

	log_init("test", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
