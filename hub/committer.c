#include "config.h"

#include "hub/committer.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

struct job {
	struct spool_tx		*tx;
	committer_done_fn	 done;
	void			*arg;
	enum spool_status	 st;
	int			 err;
	char			 id[HUB_ID_SIZE];
	struct job		*next;
};

struct committer {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct job		*waiting, **waiting_tail;
	struct job		*done;
	bool			 stop;
	unsigned		 pending;	/* loop thread only */
	pthread_t		*threads;
	unsigned		 nthreads;
	int			 wake[2];	/* threads -> loop */
	struct event		*ev;
};

static void *
worker(void *arg)
{
	struct committer *c = arg;
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&c->mu);
		while (c->waiting == NULL && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->waiting == NULL) {
			pthread_mutex_unlock(&c->mu);
			return NULL;
		}
		j = c->waiting;
		c->waiting = j->next;
		if (c->waiting == NULL)
			c->waiting_tail = &c->waiting;
		pthread_mutex_unlock(&c->mu);

		j->st = spool_commit(j->tx, j->id);
		j->err = errno;
		j->tx = NULL;

		pthread_mutex_lock(&c->mu);
		j->next = c->done;
		c->done = j;
		pthread_mutex_unlock(&c->mu);
		/* A full pipe already holds a wake-up: nothing is lost. */
		if (write(c->wake[1], "", 1) == -1 && errno != EAGAIN)
			log_warn("committer-wake");
	}
}

/* Run the done callbacks of finished commits, oldest first. */
static void
deliver(struct committer *c)
{
	struct job *list, *rev = NULL, *j;

	pthread_mutex_lock(&c->mu);
	list = c->done;
	c->done = NULL;
	pthread_mutex_unlock(&c->mu);
	while (list != NULL) {
		j = list;
		list = j->next;
		j->next = rev;
		rev = j;
	}
	while (rev != NULL) {
		j = rev;
		rev = j->next;
		c->pending--;
		j->done(j->arg, j->st, j->err, j->id);
		free(j);
	}
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char drain[256];

	(void)what;
	while (read(fd, drain, sizeof drain) > 0)
		;
	deliver(arg);
}

struct committer *
committer_new(struct event_base *base, unsigned threads)
{
	struct committer *c = xcalloc(1, sizeof *c);
	sigset_t all, old;
	unsigned i;

	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->waiting_tail = &c->waiting;
	if (pipe2(c->wake, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("committer pipe");
	c->ev = event_new(base, c->wake[0], EV_READ | EV_PERSIST, wake_cb, c);
	if (c->ev == NULL || event_add(c->ev, NULL) == -1)
		fatalx("committer event failed");
	c->threads = xcalloc(threads, sizeof *c->threads);
	/* Signals belong to the loop thread (libevent's handlers). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < threads; i++) {
		if (pthread_create(&c->threads[i], NULL, worker, c) != 0)
			fatalx("committer: cannot start thread %u", i);
		c->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return c;
}

void
committer_submit(struct committer *c, struct spool_tx *tx,
    committer_done_fn done, void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->tx = tx;
	j->done = done;
	j->arg = arg;
	c->pending++;
	pthread_mutex_lock(&c->mu);
	*c->waiting_tail = j;
	c->waiting_tail = &j->next;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

unsigned
committer_pending(const struct committer *c)
{
	return c->pending;
}

void
committer_free(struct committer *c)
{
	unsigned i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	/* Workers drain the queue before they see stop. */
	for (i = 0; i < c->nthreads; i++)
		pthread_join(c->threads[i], NULL);
	deliver(c);
	event_free(c->ev);
	close(c->wake[0]);
	close(c->wake[1]);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c->threads);
	free(c);
}
