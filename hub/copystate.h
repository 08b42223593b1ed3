/*
 * copystate: what is kept on disk about the copies of an outgoing set,
 * beside them in outgoing/POST/ (hub/spool.h "outgoing sets"):
 *
 *	outgoing/POST/NAME          a copy (one recipient; spool.h)
 *	              NAME.retry    the relay's retry state of copy NAME
 *	              receipt       the receipt mark (a worker staged it
 *	                            with the copies; the request is in
 *	                            receipts/POST; receipts)
 *	              NAME.outcome  what became of copy NAME, when the set
 *	                            holds a receipt request
 *
 * The relay's backoff per copy used to live in its memory: a restart
 * (or a kill -9) retried every copy at once with its count lost, and
 * hubctl queue could not show it (issue 15 item 2).  Now it is here, so
 * a restarted relay keeps each copy's schedule and hubctl reads it.
 *
 * NAME.retry is text, one field a line, written whole (a temporary file
 * in the same directory, fsync, rename, directory fsync):
 *
 *	CSIRT-HUB-COPY-RETRY 1
 *	attempts N	deliveries that ended in a 4xx or no reply
 *	first T		wall time of the first (0: none)
 *	last-at T	wall time of the latest
 *	next T		wall time of the next try
 *	reply TEXT	the smarthost's last reply (or why there was none),
 *			printable ASCII, one line
 *
 * Clocks: the file holds wall times so it means something after a
 * restart and to hubctl; the relay schedules on CLOCK_MONOTONIC and turns
 * a stored time into a wait when it reads the file, capped at its
 * longest backoff, so a wall clock stepped back never stalls a copy.
 *
 * Who writes: the relay after every deferral; hubctl queue retry (next
 * = now).  The relay notices a file replaced under it (copy_stamp) and
 * reads it again.  The file goes when its copy goes (delivered or given
 * up); spool_outgoing_reap() removes what is left of a set with no copy.
 * A missing file reads as "never tried"; a file that does not parse
 * reads the same (logged by the caller): losing it costs an early retry,
 * never the copy.
 *
 * Nothing here reads a copy.  Handles are spool.h's (one per thread).
 */
#ifndef HUB_COPYSTATE_H
#define HUB_COPYSTATE_H

#include <stdbool.h>

#include "hub/spool.h"

#define COPY_REPLY_MAX	256
#define COPY_RETRY_SUFFIX ".retry"

struct copy_retry {
	unsigned	attempts;
	long long	first;		/* wall times; 0: none */
	long long	last_at;
	long long	next;
	char		reply[COPY_REPLY_MAX];	/* "" if none */
};

/* Which file was read (or written): a file replaced since has another
 * inode or time.  exists false: there was none. */
struct copy_stamp {
	bool			exists;
	unsigned long long	ino;
	long long		mtime_ns;
};

/* Copy name of set post's retry state into *out (zeros, and stamp->exists
 * false, when there is none: SPOOL_OK); SPOOL_CORRUPT (zeros) for a file
 * that does not parse.  stamp may be NULL. */
enum spool_status copy_retry_load(struct spool *sp, const char *post,
    const char *name, struct copy_retry *out, struct copy_stamp *stamp)
    SPOOL_WUR;
/* Write it durably, replacing any; its stamp into stamp (may be NULL).
 * SPOOL_NOT_FOUND when the set is gone. */
enum spool_status copy_retry_save(struct spool *sp, const char *post,
    const char *name, const struct copy_retry *r, struct copy_stamp *stamp)
    SPOOL_WUR;
/* Remove it (best effort, no directory fsync: a file that comes back
 * after a crash belongs to no copy, and the reap removes it). */
void copy_retry_forget(struct spool *sp, const char *post, const char *name);
/* Is the file on disk another than the one *known describes (replaced,
 * removed, or made)?  A failing stat answers false. */
bool copy_retry_changed(struct spool *sp, const char *post, const char *name,
    const struct copy_stamp *known);

/*
 * Receipts (hub/receipt.h).  A set whose post's signer wants a receipt
 * holds the mark SPOOL_RECEIPT_FILE, committed with the copies (the
 * request itself is in receipts/, where the relay cannot write).  Before
 * it gives a copy of such a set up (a 5xx, or past relay_lifetime), the
 * relay writes NAME.outcome, before the delivery report and the removal:
 *
 *	CSIRT-HUB-COPY-OUTCOME 1
 *	result failed
 *	status 5.1.1	the enhanced status code (RFC 3463), if any
 *	cause refused|expired	a 5xx, or past relay_lifetime
 *
 * Never the smarthost's reply text: it may name the recipient (a VERP
 * address, an address cut short), and the file is the relay's, so a
 * worker takes nothing from it but these tokens.  A copy that left the
 * set without one was delivered: only the relay removes copies, and it
 * records a failure first or keeps the copy for another attempt (as when
 * the report cannot be written), so a receipt costs a delivered copy no
 * write.  ("result delivered" is read too; an older relay's "reply" line
 * is ignored.)  The set stays, without copies, until a worker has made
 * the receipt.
 */
#define COPY_OUTCOME_SUFFIX ".outcome"
#define COPY_STATUS_MAX	16

enum copy_result {
	COPY_UNKNOWN = 0,
	COPY_DELIVERED,
	COPY_FAILED,
};

struct copy_outcome {
	enum copy_result result;
	char		 status[COPY_STATUS_MAX];	/* "5.1.1"; "" if none */
	bool		 expired;	/* past relay_lifetime, not refused */
};

/* Is s an enhanced status code of class 4 or 5 ("5.1.1")? */
bool copy_status_ok(const char *s);
/* status: the enhanced code (dropped if not one), may be NULL. */
enum spool_status copy_outcome_save(struct spool *sp, const char *post,
    const char *name, enum copy_result res, const char *status,
    bool expired) SPOOL_WUR;
/* Read copy name's outcome relative to setfd, the set's directory (opened
 * O_NOFOLLOW by the caller): the file is the relay's, so it is opened
 * O_NOFOLLOW|O_NONBLOCK, must be a regular file of at most 4096 octets
 * and parse strictly.  SPOOL_NOT_FOUND when none was written,
 * SPOOL_CORRUPT (zeros) for anything else that is not one. */
enum spool_status copy_outcome_loadat(int setfd, const char *name,
    struct copy_outcome *out) SPOOL_WUR;
/* Does set post hold a receipt mark? */
bool copy_receipt_wanted(struct spool *sp, const char *post);

/* Make an atomic file of a set's directory: dir/file from data, mode
 * 0640, the directory's group (so hubctl and the relay, one of them
 * perhaps another user of the hub group, read what the other wrote).
 * 0 or -1 with errno (ENOENT: no such set). */
int copy_file_write(struct spool *sp, const char *post, const char *file,
    const void *data, size_t len, struct copy_stamp *stamp);

#endif
