/*
 * spool: the durable queue on disk; its directories are the state machine
 * (STYLE.md §1.2) and the only shared truth between hubd's processes.
 *
 *	DATA_DIR/spool/tmp/       being written; never read by anyone else
 *	              incoming/   committed, waiting for a worker
 *	              active/     claimed by a worker (rename = claim)
 *	              outgoing/   per-recipient ciphertext for the relay
 *	              rejected/   refused posts, kept as received
 *	              corrupt/    files that failed validation, for a human
 *	              deferred/   waiting after a temporary failure; each
 *	                          file's mtime is its next try (wall clock)
 *	              quarantine/ given up after too many failures, with
 *	                          ID.why; for a human to release or drop
 *	              retry/      not a queue: ID holds entry ID's failure
 *	                          counts wherever the entry is (see below)
 *
 * A message is committed by: write tmp/ID (O_EXCL, 0600) -> fsync ->
 * rename to incoming/ID -> fsync(incoming/).  Only after spool_commit()
 * returns SPOOL_OK may the SMTP client be told 250 (invariant 1).  If the
 * last step fails the entry is unlinked again, best effort: a crash or a
 * worker's claim in that window can still process a message the client
 * was told to retry — a duplicate, never a loss.
 *
 * Spool files validate themselves: a text header (magic, format version,
 * envelope) ends at an empty line, then the message exactly as received,
 * then a trailer "\nEND <body length>\n".  A file whose magic, header,
 * length or trailer is wrong is corrupt and never half-processed.
 *
 * The smtp process writes (begin/write/commit); the master recovers at
 * start; workers claim and load.  Nothing here uses the network.  Calls
 * block on disk I/O.  Handles are not shared between processes or threads.
 */
#ifndef HUB_SPOOL_H
#define HUB_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/id.h"

#define SPOOL_WUR __attribute__((warn_unused_result))

enum spool_status {
	SPOOL_OK = 0,
	SPOOL_IO_ERROR,		/* a system call failed; errno kept */
	SPOOL_NOT_FOUND,	/* no such entry (or another worker claimed it) */
	SPOOL_CORRUPT,		/* the file fails validation */
	SPOOL_BAD_ARGUMENT,	/* bad id or envelope */
};

const char *spool_status_str(enum spool_status st);

enum spool_queue {
	SPOOL_Q_TMP,
	SPOOL_Q_INCOMING,
	SPOOL_Q_ACTIVE,
	SPOOL_Q_OUTGOING,
	SPOOL_Q_REJECTED,
	SPOOL_Q_CORRUPT,
	SPOOL_Q_DEFERRED,
	SPOOL_Q_QUARANTINE,
	SPOOL_Q_COUNT
};

const char *spool_queue_str(enum spool_queue q);

struct spool_envelope {
	time_t	  received;
	const char *protocol;	/* "smtp" or "lmtp" */
	const char *client;	/* "127.0.0.1:40123", "unix" */
	const char *helo;	/* "" if none */
	const char *mail_from;	/* "" for the null path <> */
	const char *const *rcpt;
	size_t	  nrcpt;
	bool	  body_8bit;
};

/*
 * The envelope of a message the hub makes itself (a relayed copy, a
 * notice, a delivery report): received now, protocol "local", no HELO,
 * one recipient.  client names the maker ("worker", "relay");
 * rcpt[0] is the recipient.  env points at client, mail_from and rcpt,
 * which must outlive it.
 */
void spool_envelope_local(struct spool_envelope *env, const char *client,
    const char *mail_from, const char *const rcpt[1]);

/* A message read back from the spool; strings point into it. */
struct spool_msg {
	char		 id[HUB_ID_SIZE];
	struct spool_envelope env;
	const char	*body;		/* the message as received */
	size_t		 body_len;
	void		*priv_;		/* storage; do not touch */
};

struct spool;
struct spool_tx;

/* Open (and create, mode 0700) DATA_DIR/spool and its queues. */
enum spool_status spool_open(const char *dir, struct spool **out) SPOOL_WUR;
void spool_close(struct spool *sp);
/* Path of queue q, or of entry id in it (id may be NULL), into dst. */
void spool_path(const struct spool *sp, enum spool_queue q, const char *id,
    char *dst, size_t n);

/* Start a message: creates tmp/ID and writes the envelope header. */
enum spool_status spool_begin(struct spool *sp,
    const struct spool_envelope *env, struct spool_tx **out) SPOOL_WUR;
/* Append message bytes (buffered). */
enum spool_status spool_write(struct spool_tx *tx, const void *data,
    size_t len) SPOOL_WUR;
/* Make it durable in incoming/ and free tx.  On SPOOL_OK, id names the
 * entry.  On failure nothing is left in tmp/ or incoming/ and tx is freed:
 * the client must be told to retry (4xx), never 250. */
enum spool_status spool_commit(struct spool_tx *tx,
    char id[HUB_ID_SIZE]) SPOOL_WUR;
/* Drop an uncommitted message (unlinks tmp/ID) and free tx. */
void spool_abort(struct spool_tx *tx);
/* Bytes of message written so far. */
size_t spool_tx_size(const struct spool_tx *tx);

/* Read and validate an entry. */
enum spool_status spool_load(struct spool *sp, enum spool_queue q,
    const char *id, struct spool_msg **out) SPOOL_WUR;
enum spool_status spool_load_file(const char *path,
    struct spool_msg **out) SPOOL_WUR;
void spool_msg_free(struct spool_msg *m);

/* Durable move of an entry between queues. */
enum spool_status spool_move(struct spool *sp, const char *id,
    enum spool_queue from, enum spool_queue to) SPOOL_WUR;
/* Claim incoming/ID for processing (incoming -> active); SPOOL_NOT_FOUND
 * means someone else won. */
enum spool_status spool_claim(struct spool *sp, const char *id) SPOOL_WUR;

/* Ids in queue q, sorted (oldest first); caller frees with spool_ids_free. */
enum spool_status spool_list(struct spool *sp, enum spool_queue q,
    char ***ids, size_t *n) SPOOL_WUR;
void spool_ids_free(char **ids, size_t n);

/* --- outgoing sets (worker writes, relay delivers) -------------------
 *
 * Everything one post sends (its per-recipient copies and notices) is
 * committed at once (invariant 6): files are written into
 * outgoing/.stage-ID/, then each is fsynced, then the stage directory
 * is fsynced and renamed to outgoing/ID/ and outgoing/ is fsynced.  Each file is an
 * ordinary self-validating spool file with one recipient.  The relay
 * removes a file only after the smarthost's 2xx, and fsyncs the
 * directory once for the files of one session, so a crash re-sends at
 * most one session's files.
 */
struct spool_stage;

/* Start the set of post id (any stale stage of it is removed first). */
enum spool_status spool_stage_begin(struct spool *sp, const char *id,
    struct spool_stage **out) SPOOL_WUR;
/* Write one message (env->nrcpt must be 1) into the stage; its file
 * name (a fresh id) goes to name if not NULL.  It is made durable by
 * spool_stage_sync() (which this call runs itself once a batch of
 * copies waits) or, at the latest, spool_stage_commit().  Safe to call
 * from several threads on the same stage. */
enum spool_status spool_stage_add(struct spool_stage *st,
    const struct spool_envelope *env, const void *body, size_t len,
    char name[HUB_ID_SIZE]) SPOOL_WUR;
/* Write a file that is not a message (its name no id, not starting
 * with '.'), durably, into the stage: it is committed with the set
 * (the receipt mark, SPOOL_RECEIPT_FILE).  Not counted as a copy. */
enum spool_status spool_stage_put(struct spool_stage *st, const char *file,
    const void *data, size_t len) SPOOL_WUR;
/* fsync the copies added so far that no other call has taken: each of
 * several threads calls it when it has added its last copy, so the
 * fsyncs of one set run side by side after its writes (one journal
 * commit serves many).  0, or -1 with errno (the stage's error is
 * kept: the commit then fails).  It returns when nothing is left to
 * take, while another thread's fsync may still run: commit only once
 * every thread that adds or syncs has returned. */
int spool_stage_sync(struct spool_stage *st);
/* Files added so far. */
size_t spool_stage_count(const struct spool_stage *st);
/* The errno of the first spool_stage_add() that failed on a system call
 * (0 if none did): the worker tells a full or failing disk, which says
 * nothing about the message, from its other temporary failures. */
int spool_stage_error(const struct spool_stage *st);
/* Make the set visible to the relay as outgoing/ID/ and free st.  On
 * failure the stage is removed and nothing is visible. */
enum spool_status spool_stage_commit(struct spool_stage *st) SPOOL_WUR;
/* Remove the stage and free st (NULL ok). */
void spool_stage_abort(struct spool_stage *st);

/* Does outgoing/ID/ exist (the post's set is committed)? */
bool spool_outgoing_committed(struct spool *sp, const char *id);
/* Committed sets (post ids) in outgoing/, oldest first. */
enum spool_status spool_outgoing_posts(struct spool *sp, char ***ids,
    size_t *n) SPOOL_WUR;
/* The files of set post, oldest first. */
enum spool_status spool_outgoing_files(struct spool *sp, const char *post,
    char ***names, size_t *n) SPOOL_WUR;
enum spool_status spool_outgoing_load(struct spool *sp, const char *post,
    const char *name, struct spool_msg **out) SPOOL_WUR;
/* A file was delivered (or given up): unlink it and fsync the set's
 * directory.  SPOOL_NOT_FOUND if it is already gone. */
enum spool_status spool_outgoing_done(struct spool *sp, const char *post,
    const char *name) SPOOL_WUR;
/* The same in two steps, for many files: unlink (SPOOL_NOT_FOUND if
 * gone), then one fsync of the set's directory for all of them (a set
 * already reaped is SPOOL_OK). */
enum spool_status spool_outgoing_remove(struct spool *sp, const char *post,
    const char *name) SPOOL_WUR;
enum spool_status spool_outgoing_sync(struct spool *sp, const char *post)
    SPOOL_WUR;
/* Remove the set's directory if it holds no copy and its post is no
 * longer in active/ (the worker has finished with it); 1 removed, 0
 * kept.  What is left beside the copies (their state,
 * hub/copystate.h) goes with it, unless the set holds a receipt mark
 * (SPOOL_RECEIPT_FILE; the request itself is in receipts/): a worker
 * removes that set once the receipt is staged. */
#define SPOOL_RECEIPT_FILE	"receipt"
int spool_outgoing_reap(struct spool *sp, const char *post);

/* Remove set post's directory whatever it holds (its copies are gone:
 * a worker has made its receipt) and fsync outgoing/. */
enum spool_status spool_outgoing_drop(struct spool *sp, const char *post)
    SPOOL_WUR;

/*
 * Receipt requests (hub/receipt.h): receipts/ID is post ID's request,
 * written and read by workers alone (the hub user's, mode 0700, made and
 * checked as retry/ is: struct spool_perms' retry applies to both).  The
 * relay, which may write outgoing/, can neither forge nor change one;
 * the set only carries a mark, SPOOL_RECEIPT_FILE, that tells the relay
 * to record outcomes and keep the set.
 */
#define SPOOL_RECEIPTS_DIR	"receipts"
/* receipts/ and outgoing/, opened O_DIRECTORY|O_NOFOLLOW; -1 with
 * errno. */
int spool_receipts_dirfd(struct spool *sp);
int spool_outgoing_dirfd(struct spool *sp);

/* Finish a post: remove active/ID (accepted: its set is committed). */
enum spool_status spool_finish(struct spool *sp, const char *id) SPOOL_WUR;
/* Refuse a post: write rejected/ID.why ("reason=TOKEN\n" + detail
 * lines), then move active/ID (or incoming/ID) to rejected/ID.  The
 * received message is kept as it came (normally still encrypted). */
enum spool_status spool_reject(struct spool *sp, const char *id,
    enum spool_queue from, const char *why) SPOOL_WUR;
/* Only the first step of spool_reject(): a worker writes the reason
 * before committing the refusal's notices, so recovery knows a committed
 * set with a reason belongs to a refused post. */
enum spool_status spool_reject_note(struct spool *sp, const char *id,
    const char *why) SPOOL_WUR;
/*
 * An entry in active/ whose worker is gone: if its outgoing set is
 * committed, only the last step was missing: finish it (or move it to
 * rejected/ when its reason was noted) and return 1.  0: not committed,
 * the caller puts it back in incoming/ (a redo).  -1: I/O error.
 * Redoing a committed post instead would send every copy twice once
 * the relay has reaped the set.
 */
int spool_settle_active(struct spool *sp, const char *id);
/* Remove a reason an earlier, unfinished attempt on ID noted. */
void spool_reject_forget(struct spool *sp, const char *id);
/* Read rejected/ID.why into a malloc'd string (*why); SPOOL_NOT_FOUND if
 * there is none. */
enum spool_status spool_reject_reason(struct spool *sp, const char *id,
    char **why) SPOOL_WUR;

/* --- retry state (workers write; the master and hubctl read) ----------
 *
 * A temporary failure (gpg or the store unavailable, the disk full) moves
 * the entry from active/ to deferred/ID, whose mtime is set to the
 * wall-clock time of its next try first (Postfix keeps the time in the
 * file the same way): setting a time allocates nothing, so a deferral
 * works on a full disk.  Any worker claims a due entry deferred -> active
 * (rename = claim, as from incoming/).  An entry is due when its time has
 * come, or when that time is more than max seconds ahead: the wall clock
 * stepped back, and no entry may wait longer than the longest backoff.
 *
 * retry/ID counts what happened to entry ID across attempts, workers and
 * restarts; it is written whole (fs_write_atomic), text, one field a line:
 *
 *	CSIRT-HUB-RETRY 1
 *	attempts N	temporary failures counted (the bound of retries)
 *	crashes N	workers that died holding it (the master's count)
 *	first T		wall time of the first failure (0: none)
 *	last-at T	wall time of the latest
 *	last TOKEN	what the latest was ("tempfail", "io-error", ...)
 *
 * It is removed after the entry leaves the spool's working queues
 * (finished, rejected, quarantined); spool_recover() removes one whose
 * entry is gone (a crash between the two steps).  A missing file reads
 * as all zeros: losing it (or being unable to write it on a full disk)
 * costs at most extra retries, never the message.
 */
#define SPOOL_RETRY_TOKEN_MAX	32

struct spool_retry {
	unsigned	attempts;
	unsigned	crashes;
	long long	first;
	long long	last_at;
	char		last[SPOOL_RETRY_TOKEN_MAX];	/* [a-z0-9-], "" if none */
};

/* Entry id's state into *out (zeros when there is none: SPOOL_OK);
 * SPOOL_CORRUPT (and zeros) for a file that does not parse. */
enum spool_status spool_retry_load(struct spool *sp, const char *id,
    struct spool_retry *out) SPOOL_WUR;
/* Write entry id's state durably (replacing it). */
enum spool_status spool_retry_save(struct spool *sp, const char *id,
    const struct spool_retry *r) SPOOL_WUR;
/* Remove entry id's state, if any (best effort, logged). */
void spool_retry_forget(struct spool *sp, const char *id);

/* Move entry id from queue `from` (normally active/) to deferred/, to be
 * tried again at wall time next.  The time is set before the rename, so
 * a crash leaves the entry either where it was or deferred with its
 * time.  If only the time cannot be set the entry is deferred anyway
 * (it is then due at once; logged). */
enum spool_status spool_defer(struct spool *sp, const char *id,
    enum spool_queue from, time_t next) SPOOL_WUR;
/* Wall time of deferred/ID's next try. */
enum spool_status spool_deferred_next(struct spool *sp, const char *id,
    time_t *next) SPOOL_WUR;
/* Ids in deferred/ due at wall time now (see above for max), oldest
 * first; caller frees with spool_ids_free. */
enum spool_status spool_deferred_due(struct spool *sp, time_t now,
    unsigned max, char ***ids, size_t *n) SPOOL_WUR;

/* Give entry id up: write quarantine/ID.why ("reason=quarantined\n" +
 * detail lines), then move it from `from` to quarantine/ID.  On failure
 * the entry is where it was (a .why may be left; a later quarantine
 * overwrites it). */
enum spool_status spool_quarantine(struct spool *sp, const char *id,
    enum spool_queue from, const char *why) SPOOL_WUR;

/*
 * Is there room for new mail?  false when the spool's filesystem has
 * fewer than minfree octets available to unprivileged writers (statvfs
 * f_bavail; 0 = no threshold).  The answer is cached for about a second
 * per handle, so the smtp process may ask at every MAIL FROM; a failing
 * statvfs answers true (the commit itself will tell).  Not for several
 * threads on one handle.
 */
bool spool_space_ok(struct spool *sp, unsigned long long minfree);

/* --- looking at and moving entries for an admin (hubctl) ----------------
 *
 * hubctl shows the queue without ever reading a message: only the
 * envelope header (addresses, never a subject or body), the file's size,
 * the retry state and the .why.  Its changes are safe while hubd runs:
 * renames and unlinks (atomic against a worker's claim), an mtime set; an
 * entry in active/ (a worker holds it) or outgoing/ (the relay's) is
 * never touched, and no entry is ever rewritten.
 */

/* The envelope of queue q's entry id, never its body (m->body is NULL,
 * m->body_len 0; free with spool_msg_free); *size (may be NULL) the
 * file's size on disk.  The trailer is not checked: spool_load() does
 * that before anything is processed.  Not for outgoing/ or tmp/. */
enum spool_status spool_peek(struct spool *sp, enum spool_queue q,
    const char *id, struct spool_msg **out, long long *size) SPOOL_WUR;
/* The same for file name of outgoing set post. */
enum spool_status spool_outgoing_peek(struct spool *sp, const char *post,
    const char *name, struct spool_msg **out, long long *size) SPOOL_WUR;
/* The queue holding entry id now (incoming, active, deferred, rejected,
 * quarantine, corrupt; else SPOOL_Q_OUTGOING when only its outgoing set
 * is left); SPOOL_NOT_FOUND if none.  An answer may be stale at once. */
enum spool_status spool_locate(struct spool *sp, const char *id,
    enum spool_queue *q) SPOOL_WUR;
/* Read queue q's ID.why (q: rejected or quarantine) into a malloc'd
 * string; SPOOL_NOT_FOUND if there is none. */
enum spool_status spool_why(struct spool *sp, enum spool_queue q,
    const char *id, char **why) SPOOL_WUR;
/* Set deferred/ID's next try to wall time next (postqueue -f: now);
 * metadata only.  SPOOL_NOT_FOUND when it is no longer deferred (a
 * worker claimed it). */
enum spool_status spool_deferred_set_next(struct spool *sp, const char *id,
    time_t next) SPOOL_WUR;
/* Delete entry id from queue q (incoming, deferred, rejected or
 * quarantine only: SPOOL_BAD_ARGUMENT for any other), then its .why and
 * its retry state.  SPOOL_NOT_FOUND if it is not there (a worker may
 * have claimed it a moment ago). */
enum spool_status spool_remove(struct spool *sp, const char *id,
    enum spool_queue q) SPOOL_WUR;
/* Release quarantine/ID: its retry state reset, its .why removed, the
 * entry renamed to incoming/ for the next worker rescan (at most about
 * a second).  On failure it stays quarantined with its .why. */
enum spool_status spool_release(struct spool *sp, const char *id) SPOOL_WUR;

struct spool_recovery {
	unsigned	tmp_removed;	/* half-written, never acknowledged */
	unsigned	requeued;	/* active -> incoming */
	unsigned	finished;	/* active, set already committed */
	unsigned	stages_removed;	/* outgoing/.stage-* */
	unsigned	corrupt;	/* moved to corrupt/ */
	unsigned	incoming;	/* valid entries waiting */
	unsigned	deferred;	/* valid entries deferred */
	unsigned	retry_removed;	/* retry/ID of an entry gone */
};

/* At start, before any child runs: delete what is in tmp/ and every
 * outgoing/.stage-*; for each active/ID: if outgoing/ID/ is committed the
 * post is done (removed, or moved to rejected/ when rejected/ID.why
 * says it was refused), else it goes back to incoming/ (its retry/ID
 * kept: the counts survive); validate incoming/ and deferred/ (moving
 * bad files to corrupt/, each one logged); remove retry/ID files whose
 * entry is in none of incoming/, active/, deferred/. */
enum spool_status spool_recover(struct spool *sp,
    struct spool_recovery *r) SPOOL_WUR;

/* --- ownership (started as root: hub/proc.c's role table) --------------
 *
 * Each queue directory is owned by the user of the role that creates
 * files in it, with the hub group for the roles that only rename or
 * remove there (issue 14).  spool/ itself belongs to root: were it the
 * network user's, it could rename outgoing/ away and plant its own, and
 * the relay would deliver what the smtp process forged.
 */
#include <sys/types.h>

struct spool_perm {
	uid_t	uid;
	gid_t	gid;
	mode_t	mode;		/* permission bits, setgid included */
};

struct spool_perms {
	struct spool_perm top;			/* spool/ */
	struct spool_perm q[SPOOL_Q_COUNT];	/* each queue directory */
	struct spool_perm retry;		/* retry/ and receipts/ */
	struct spool_perm entry_dir;		/* outgoing/ID/, stages */
	struct spool_perm lock;			/* relay.lock */
	uid_t	network_uid;			/* who must not write spool/ */
};

#define SPOOL_LOCK_FILE	"relay.lock"

/*
 * As root at start, before any child runs: create what is missing and
 * give dir (spool/), its queues, retry/ and relay.lock the owners and
 * modes of p; entries already queued (a spool from before the split, or
 * whose owner changed in hub.conf) go to their queue's owner, group p's,
 * readable by the group, so no accepted message is stranded.  Nothing is
 * followed: directories are opened O_NOFOLLOW|O_DIRECTORY, files
 * O_NOFOLLOW, and a file with other hard links is left alone (a link to
 * a file elsewhere must not change that file's owner).  -1 with err set.
 */
int spool_fix_perms(const char *dir, const struct spool_perms *p, char *err,
    size_t errlen);
/* Any process: is the layout p's?  -1 with err naming the path, its
 * owner and what was expected. */
int spool_check_perms(const char *dir, const struct spool_perms *p,
    char *err, size_t errlen);

/* --- the quarantine's word to the admins (issue 15; separate block) -----
 *
 * The master quarantines an entry that crashed workers worker_attempts
 * times, but holds no key and cannot tell the list's admins.  It leaves
 * quarantine/ID.tell next to the entry instead; a worker takes the mark
 * and sends the notice.  Taking is an unlink: of several workers exactly
 * one succeeds, and it takes the mark before it sends, so a crash in
 * between loses that notice rather than sending it twice (as the
 * worker's own quarantine notice does, hub/defer.c).  Entries named
 * ID.tell are no ids: spool_list() and hubctl never show them.
 */

/* Leave quarantine/ID.tell (durable, the directory synced). */
enum spool_status spool_tell_mark(struct spool *sp, const char *id)
    SPOOL_WUR;
/* The ids with a mark, sorted; caller frees with spool_ids_free. */
enum spool_status spool_tell_marks(struct spool *sp, char ***ids,
    size_t *n) SPOOL_WUR;
/* Take the mark of id: SPOOL_OK for the one caller that removed it,
 * SPOOL_NOT_FOUND when there was none (another worker took it). */
enum spool_status spool_tell_take(struct spool *sp, const char *id)
    SPOOL_WUR;

#endif
