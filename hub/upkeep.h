/*
 * upkeep: what the worker does without mail arriving (hubd(8) "DAILY
 * CHECK").  Called once per turn of the worker's loop (hub/worker.c):
 *
 *  - contacts whose delivery a list disabled for their bounces
 *    (store_bounce_record()) are announced to their team and the list's
 *    admins, once;
 *  - entries the master quarantined for crashing workers (it holds no
 *    key and leaves a mark, hub/spool.h) are announced to their lists'
 *    admins, once (hub/defer.c);
 *  - once a UTC day (the first turn of any worker after the day changes:
 *    store_daily_claim() records the day in the store, so of several
 *    workers one runs it) the contacts' keys are checked: a key that
 *    expires within 30, 7 and 1 days is announced, encrypted, to its
 *    contact and the contact's team, and to the list's admins, once per
 *    stage; a key that has expired or was revoked (it already receives
 *    nothing: lists/policy skips it) is announced to the admins once.
 *
 * The notices are staged as one outgoing set under a fresh id, as a
 * post's are, and committed at once.  Worker process; blocks on the
 * store, gpg and the spool.
 */
#ifndef HUB_UPKEEP_H
#define HUB_UPKEEP_H

struct worker;

void upkeep_run(struct worker *w);

/* The stages of the key warning, in days before expiry. */
#define UPKEEP_KEY_WARN_DAYS	{ 30, 7, 1 }

#endif
