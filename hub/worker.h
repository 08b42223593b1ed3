/*
 * worker: hubd's processing role (STYLE.md §1.1, §1.3).  N processes,
 * no network: each claims a spool entry (incoming -> active), decrypts
 * and verifies it, lets lists/policy decide, hands the cleartext to the
 * archive hook, builds and encrypts one copy per recipient, commits the
 * outgoing set at once, and finishes the entry.  A refused post moves to
 * rejected/ with its reason and the notices it calls for.
 *
 * Over link_fd the worker tells the master "claim ID" before it works on
 * an entry and "done ID" after, so that the master can count the crashes
 * and hangs an entry causes and quarantine a poison message; it reads
 * "incoming ID" wake-ups and otherwise rescans incoming/ every second,
 * with the entries in deferred/ whose time has come.
 */
#ifndef HUB_WORKER_H
#define HUB_WORKER_H

struct hub_config;
struct worker;

/* The worker process's main loop; returns the exit status. */
int worker_main(const struct hub_config *cfg, int link_fd);

/*
 * The loop's parts, for tests: the handles of DATA_DIR (spool, keyring,
 * store; the archive on first use), fatal when one cannot be opened,
 * as in the daemon.  link_fd -1: no master to tell.  cfg must outlive
 * the worker; worker_close(NULL) is a no-op.
 */
struct worker *worker_open(const struct hub_config *cfg, int link_fd);
void worker_close(struct worker *w);

/* Where worker_process() left the entry. */
enum worker_outcome {
	WORKER_DONE,		/* finished; its outgoing set committed */
	WORKER_REJECTED,	/* in rejected/ with its .why; the notices
				   it called for committed */
	WORKER_TEMPFAIL,	/* in deferred/ until its next try (its
				   mtime), nothing sent, counted in
				   retry/ID unless the disk failed */
	WORKER_CORRUPT,		/* failed validation: in corrupt/ */
	WORKER_QUARANTINED,	/* worker_retry_attempts temporary
				   failures: in quarantine/ with its .why,
				   the lists' admins told */
};

/*
 * Process entry id, already claimed (in active/): each envelope
 * recipient by kind, then the spool transaction.  Blocks while gpg, the
 * store and the disk work.  An I/O failure never kills the worker (the
 * master would count a poison attempt): the entry is deferred, or, if
 * the disk refuses even that, or fails while the entry is finished, it
 * stays in active/ until this worker's next drain settles it as
 * recovery would (WORKER_DONE or WORKER_REJECTED is returned then if
 * its outcome is on disk).
 */
enum worker_outcome worker_process(struct worker *w, const char *id);

/* A line to the master over the link ("outgoing ID", "claim ID", ...);
 * nothing without a master (worker_process() in tests). */
void worker_tell_master(struct worker *w, const char *type, const char *id);

#endif
