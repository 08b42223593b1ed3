/*
 * defer: what becomes of a spool entry (in active/) on trouble that may
 * pass: gpg, the store or the archive unavailable, or the spool's own
 * disk failing.  The entry is deferred (spool/deferred/, its next try in
 * the file's mtime) with its attempts counted in spool/retry/ID, or,
 * once worker_retry_attempts counted failures are used up, quarantined
 * (spool/quarantine/ with a .why) and the list admins told once.  An
 * entry the disk would not let leave active/ is parked and settled at
 * the worker's next drain.  Nothing here kills the worker: a death would
 * make the master count a poison attempt for a full disk.
 *
 * Runs in the worker process only.
 */
#ifndef HUB_DEFER_H
#define HUB_DEFER_H

#include <stdbool.h>

#include "hub/worker.h"

struct hub_config;
struct spool_msg;

/* The longest wait between tries (worker_retry_max, at least
 * worker_retry); a deferred entry due further away than this is due now
 * (the clock was stepped back). */
unsigned defer_max_wait(const struct hub_config *cfg);

/*
 * Entry id failed for reason token ([a-z0-9-]).  counted: the failure is
 * the message's (gpg, the store, the archive) and counts towards
 * worker_retry_attempts; the spool's own I/O errors, and any failure
 * while the disk is under queue_minfree, are not counted.  m may be NULL
 * (the entry could not be read; no admin notice then).  Returns
 * WORKER_TEMPFAIL or WORKER_QUARANTINED.
 */
enum worker_outcome defer_entry(struct worker *w, const char *id,
    const struct spool_msg *m, const char *token, bool counted);

/*
 * Tell the admins of the entries the master quarantined for crashing
 * workers (it holds no key: it marks them, spool_tell_mark()); each
 * mark is taken by one worker and told once.  Called from the worker's
 * loop (hub/upkeep.c).
 */
void defer_tell_quarantined(struct worker *w);

/* Remember an entry left in active/ by a failing disk ... */
void defer_park(const char *id);
/* ... and settle the parked entries: finished if their set was
 * committed, else deferred; kept while the disk still refuses. */
void defer_unpark(struct worker *w);

#endif
