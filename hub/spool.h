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

#include "hub/base/id.h"

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
const char *spool_dir(const struct spool *sp);
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

struct spool_recovery {
	unsigned	tmp_removed;	/* half-written, never acknowledged */
	unsigned	requeued;	/* active -> incoming */
	unsigned	corrupt;	/* moved to corrupt/ */
	unsigned	incoming;	/* valid entries waiting */
};

/* At start, before any child runs: delete what is in tmp/, put active/ back to
 * incoming/, validate incoming/ (moving bad files to corrupt/, each one
 * logged). */
enum spool_status spool_recover(struct spool *sp,
    struct spool_recovery *r) SPOOL_WUR;

#endif
