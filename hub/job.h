/*
 * job: what every handler of a spool entry shares (internal to the
 * worker process: hub/worker.c, post.c, fanout.c, request.c,
 * notice_send.c).  The worker holds its handles (spool, store, archive,
 * gpg contexts); a job is one spool entry in hand, decrypted once
 * whatever lists it was sent to, with the stage its outgoing set is
 * written into.  A handler
 * answers enum verdict; only hub/worker.c turns that into spool moves.
 *
 * The plaintext of a post exists only in this process's memory, in
 * BUF_SENSITIVE buffers that are wiped when freed (invariant 2).
 */
#ifndef HUB_JOB_H
#define HUB_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "archive/archive.h"
#include "crypto/crypto.h"
#include "base/id.h"
#include "lists/model.h"
#include "lists/policy.h"

struct archive;
struct buf;
struct gpg;
struct hub_config;
struct key_info;
struct mime_part;
struct roster_view;
struct spool;
struct spool_msg;
struct spool_stage;
struct store;
struct verified;

#define MAX_THREADS		8
#define AUTOCRYPT_CACHE		300	/* seconds */

struct worker {
	const struct hub_config	*cfg;
	struct spool		*sp;
	struct store		*store;
	struct archive		*archive;	/* opened on first use */
	struct gpg		*g;		/* this thread's */
	struct gpg		*tg[MAX_THREADS]; /* encryption threads' */
	unsigned		 nthreads;
	int			 link;
	/* the last list key exported for Autocrypt (one gpg run saved per
	 * post; a list's key changes only when an admin replaces it) */
	char			 ac_fpr[MODEL_FPR_LEN];
	struct buf		*ac_b64;
	time_t			 ac_at;
	/* the last list key's key ids, to check a post was encrypted to
	 * it (cached like the Autocrypt export) */
	struct key_info		*lk;
	time_t			 lk_at;
};

/* The outcome of a stage. */
enum verdict {
	V_DONE = 0,	/* go on / finished */
	V_REJECT,	/* refused: entry goes to rejected/ */
	V_TEMPFAIL,	/* environment: retry the entry later */
};

/* One spool entry in hand. */
struct job {
	struct worker		*w;
	const char		*id;
	struct spool_msg	*m;
	struct spool_stage	*stage;
	struct buf		*why;		/* rejected/ID.why */
	/* decrypted once, whatever lists it was sent to */
	int			 decrypted;
	enum crypto_status	 dst;
	struct verified		*v;
	struct mime_msg		*outer;		/* the message as received */
	int			 outer_parsed;
	char			 sighash[65];
	/* targets handled: RCPT ops and RCPT OPS are one post, not two */
	char			**targets;
	size_t			 ntargets;
	/* the contacts whose copy of the current list's post was staged:
	 * its archived audience (who may see it if it is TLP:RED) */
	char			**audience;
	size_t			 naudience;
	/* a receipt request is in the stage (hub/receipt.h): one per
	 * entry, for the first list */
	int			 receipt_staged;
};

/* --- the entry (hub/job.c) --- */

void audience_clear(struct job *j);
/* A "key=value" line for rejected/ID.why. */
void why_add(struct job *j, const char *key, const char *v);
/* Decrypt and verify once per entry; V_TEMPFAIL if gpg did not run. */
enum verdict stage_decrypt(struct job *j);
/* What policy needs to know of the crypto, also for refused forms;
 * V_TEMPFAIL if the list's key cannot be read now. */
enum verdict facts_of(const struct job *j, const struct roster_view *rv,
    struct msg_facts *f);
enum sig_status sig_of(enum crypto_status st);
/* The first text/plain part that is not an attachment, or NULL. */
const struct mime_part *first_text(const struct mime_part *p, int depth);
/* The archive, opened on first use (and again after a failure). */
enum archive_status worker_archive(struct worker *w, const char *id);

/* --- the roster, for the handlers (hub/job.c) --- */

/* The signer's position among the view's contacts, or -1. */
long contact_index(const struct roster_view *rv, const struct contact *c);
/* The envelope sender to answer (never <>), or NULL. */
const char *reply_address(const struct job *j);
/* The reply's key, if the address belongs to a roster contact. */
void reply_key(const struct roster_view *rv, const char *addr,
    const char **fpr, enum key_usability *key);

#endif
