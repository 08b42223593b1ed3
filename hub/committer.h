/*
 * committer: spool commits (flush, fsync, rename, fsync of the directory)
 * on a few threads, for the smtp process.
 *
 * Committing inline would stall every session of the event loop for the
 * length of each disk flush, and would serialise the flushes that the
 * filesystem journal could otherwise share between concurrent commits
 * (measured here: 450 durable files/s one at a time, ~1500/s eight at a
 * time).  So the loop hands the open transaction over and goes on; the
 * result comes back through a pipe and the done callback runs on the loop
 * thread, where the SMTP reply is sent.  Invariant 1 is unchanged: the
 * reply waits for the callback, which reports the commit's own status.
 *
 * Threads touch nothing but the spool transaction they are given.
 */
#ifndef HUB_COMMITTER_H
#define HUB_COMMITTER_H

#include "hub/spool.h"

struct event_base;
struct committer;

/* Called on the event loop thread: st is spool_commit()'s status, err its
 * errno, id the entry's name when st is SPOOL_OK. */
typedef void (*committer_done_fn)(void *arg, enum spool_status st, int err,
    const char *id);

struct committer *committer_new(struct event_base *base, unsigned threads);
/* Takes ownership of tx (committed or, on failure, removed). */
void committer_submit(struct committer *c, struct spool_tx *tx,
    committer_done_fn done, void *arg);
/* Commits submitted and not yet reported. */
unsigned committer_pending(const struct committer *c);
/* After the loop has stopped: let the threads finish every submitted
 * commit, run the outstanding done callbacks, join the threads, free. */
void committer_free(struct committer *c);

#endif
