/*
 * worker: the loop of the worker process.  It claims one spool entry at
 * a time (incoming/ -> active/), opens the entry's stage, dispatches each
 * envelope recipient by kind (a post: hub/post.c; the list's other
 * addresses: hub/request.c), and turns the handlers' verdicts into spool
 * moves: commit the outgoing set, reject with the .why, or tempfail and
 * defer.  It tells the master "claim ID" and "done ID" so a poison
 * message can be counted and quarantined.
 *
 * The plaintext of a post exists only in this process's memory, in
 * BUF_SENSITIVE buffers that are wiped when freed (invariant 2); what the
 * worker writes to the spool is ciphertext for one recipient each.
 */
#include "config.h"

#include "hub/defer.h"
#include "hub/job.h"
#include "hub/listnames.h"
#include "hub/worker.h"
#include "hub/post.h"
#include "hub/request.h"
#include "hub/upkeep.h"
#include "hub/receipt.h"
#include "hub/conf.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "crypto/decrypt.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "lists/roster.h"
#include "lists/store.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>

#define RESCAN_MS		1000

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

void
worker_tell_master(struct worker *w, const char *type, const char *id)
{
	char line[PROC_LINE_MAX];
	int n;

	if (w->link < 0)
		return;		/* worker_process() without a master */
	if ((n = proc_line(line, sizeof line, type, id)) > 0 &&
	    write(w->link, line, (size_t)n) != n)
		log_debug("link-write-failed type=%s", type);
}

/* --- dispatch by recipient kind ----------------------------------------------- */

static enum verdict
handle_rcpt(struct job *j, const char *addr)
{
	char safe[MODEL_ADDR_MAX];
	struct worker *w = j->w;
	struct rcpt_target tg;
	struct roster_view *rv = NULL;
	enum store_status st;
	enum verdict r;

	if (!recipient_classify(addr, w->cfg->domain, w->cfg->lists,
	    w->cfg->nlists, &tg) && !recipient_classify(addr, w->cfg->domain,
	    NULL, 0, &tg)) {
		log_info("rcpt-unserved id=%s rcpt=%s", j->id,
		    log_safe(safe, sizeof safe, addr));
		return V_DONE;
	}
	{
		char key[sizeof tg.list + sizeof tg.tag + 32];
		size_t k;

		snprintf(key, sizeof key, "%s:%s:%s", rcpt_kind_str(tg.kind),
		    tg.list, tg.tag);
		for (k = 0; k < j->ntargets; k++)
			if (strcasecmp(j->targets[k], key) == 0) {
				log_info("rcpt-duplicate id=%s rcpt=%s", j->id,
				    log_safe(safe, sizeof safe, addr));
				return V_DONE;
			}
		j->targets = xreallocarray(j->targets, j->ntargets + 1,
		    sizeof *j->targets);
		j->targets[j->ntargets++] = xstrdup(key);
	}
	if (tg.kind == RCPT_POSTMASTER) {
		/* No list to route to: kept for a human, like a refusal. */
		why_add(j, "reason", "postmaster-mail");
		log_info("postmaster-mail id=%s action=kept-in-rejected",
		    j->id);
		return V_REJECT;
	}
	st = roster_view_load(w->store, w->g, tg.list, &rv);
	if (st == STORE_NOT_FOUND) {
		why_add(j, "reason", "no-such-list");
		log_info("rejected post=%s list=%s reason=no-such-list", j->id,
		    log_safe(safe, sizeof safe, tg.list));
		return V_REJECT;
	}
	if (st != STORE_OK) {
		log_warnx("roster-failed id=%s list=%s status=%s", j->id,
		    log_safe(safe, sizeof safe, tg.list),
		    store_status_str(st));
		return V_TEMPFAIL;
	}
	switch (tg.kind) {
	case RCPT_LIST:
		r = handle_post(j, rv);
		break;
	case RCPT_OWNER:
		r = handle_owner(j, rv);
		break;
	case RCPT_SENDKEY:
		r = handle_reply(j, rv, NOTICE_SENDKEY);
		break;
	case RCPT_REQUEST:
		r = handle_request(j, rv);
		break;
	case RCPT_BOUNCES:
		r = handle_bounce(j, rv, tg.tag);
		break;
	default:
		r = V_DONE;
		break;
	}
	roster_view_free(rv);
	return r;
}

/* --- the loop ------------------------------------------------------------------ */

/*
 * Test hook, like HUB_FS_FAULT: HUB_WORKER_POISON=crash:TOKEN (or
 * hang:TOKEN) makes a worker abort (or stop responding) on any entry
 * whose bytes contain TOKEN, so tests can show that a poison message is
 * quarantined and never blocks the queue.  Unset in production.
 */
static void
poison_hook(const struct spool_msg *m)
{
	const char *spec = getenv("HUB_WORKER_POISON"), *tok;

	if (spec == NULL || (tok = strchr(spec, ':')) == NULL || tok[1] == '\0')
		return;
	tok++;
	if (memmem(m->body, m->body_len, tok, strlen(tok)) == NULL)
		return;
	log_warnx("poison-hook action=%.*s", (int)(tok - spec - 1), spec);
	if (strncmp(spec, "hang:", 5) == 0)
		for (;;)
			pause();
	abort();
}

/*
 * Each envelope recipient in turn (a message to two lists is two
 * posts), then one commit of everything the entry sends, then it leaves
 * active/.
 */
enum worker_outcome
worker_process(struct worker *w, const char *id)
{
	struct job j;
	enum spool_status st;
	enum worker_outcome res = WORKER_DONE;
	enum verdict r = V_DONE, rr;
	bool rejected = false;
	size_t i;
	int err;

	memset(&j, 0, sizeof j);
	j.w = w;
	j.id = id;
	if ((st = spool_load(w->sp, SPOOL_Q_ACTIVE, id, &j.m)) != SPOOL_OK) {
		log_warnx("load-failed id=%s status=%s", id,
		    spool_status_str(st));
		if (st == SPOOL_CORRUPT && spool_move(w->sp, id,
		    SPOOL_Q_ACTIVE, SPOOL_Q_CORRUPT) == SPOOL_OK) {
			spool_retry_forget(w->sp, id);
			return WORKER_CORRUPT;
		}
		if (st == SPOOL_NOT_FOUND)
			return WORKER_TEMPFAIL;	/* not ours after all */
		/* The disk, not the message: deferred, not counted (left
		 * in active/ it would wait for a restart). */
		return defer_entry(w, id, NULL, "io-error", false);
	}
	poison_hook(j.m);
	/* A reason left by an earlier attempt that died would misfile this
	 * one if it is accepted now (spool_settle_active). */
	spool_reject_forget(w->sp, id);
	for (i = 0; i < j.m->env.nrcpt && r != V_TEMPFAIL; i++) {
		rr = handle_rcpt(&j, j.m->env.rcpt[i]);
		if (rr == V_REJECT)
			rejected = true;
		else if (rr == V_TEMPFAIL)
			r = V_TEMPFAIL;
	}
	if (r == V_TEMPFAIL) {
		/* a copy or notice that could not be written is the disk's
		 * failure, not the message's: not counted */
		bool disk = j.stage != NULL && spool_stage_error(j.stage) != 0;

		spool_stage_abort(j.stage);
		j.stage = NULL;
		res = defer_entry(w, id, j.m, disk ? "io-error" : "tempfail",
		    !disk);
		goto out;
	}
	/* The reason first, so recovery can tell a refused entry whose
	 * notices are committed from an accepted one.  Every I/O failure
	 * from here on defers the entry (uncounted) or leaves it for
	 * defer_unpark(); none kills the worker, so the master never counts a
	 * full disk as a poison message. */
	if (rejected && spool_reject_note(w->sp, id, buf_data(j.why)) !=
	    SPOOL_OK) {
		log_warn("reject-note-failed id=%s", id);
		spool_stage_abort(j.stage);
		j.stage = NULL;
		res = defer_entry(w, id, j.m, "io-error", false);
		goto out;
	}
	if (j.stage != NULL) {
		if (spool_stage_count(j.stage) == 0)
			spool_stage_abort(j.stage);
		else if ((st = spool_stage_commit(j.stage)) == SPOOL_OK)
			worker_tell_master(w, "outgoing", id);
		else if (err = errno, spool_outgoing_committed(w->sp, id)) {
			errno = err;
			/* renamed into place, only a directory sync failed:
			 * visible to the relay, so the entry is done (a redo
			 * would send every copy twice) */
			log_warn("outgoing-commit-dirsync id=%s "
			    "action=finish", id);
			worker_tell_master(w, "outgoing", id);
		} else {
			errno = err;
			log_warn("outgoing-commit-failed id=%s status=%s", id,
			    spool_status_str(st));
			j.stage = NULL;		/* removed by the commit */
			res = defer_entry(w, id, j.m, "io-error", false);
			goto out;
		}
		j.stage = NULL;
	}
	st = rejected ? spool_move(w->sp, id, SPOOL_Q_ACTIVE,
	    SPOOL_Q_REJECTED) : spool_finish(w->sp, id);
	if (st != SPOOL_OK) {
		char path[PATH_MAX];

		err = errno;
		spool_path(w->sp, SPOOL_Q_ACTIVE, id, path, sizeof path);
		if (access(path, F_OK) == 0) {
			errno = err;
			/* its outcome is on disk (the set, the .why):
			 * defer_unpark() settles it as recovery would */
			log_warn("finish-failed id=%s status=%s "
			    "action=parked", id, spool_status_str(st));
			defer_park(id);
			res = rejected ? WORKER_REJECTED : WORKER_DONE;
			goto out;
		}
		/* moved, only the directory sync failed */
		errno = err;
		log_warn("finish-dirsync id=%s", id);
	}
	spool_retry_forget(w->sp, id);
	if (rejected)
		res = WORKER_REJECTED;
out:
	for (i = 0; i < j.ntargets; i++)
		free(j.targets[i]);
	free(j.targets);
	audience_clear(&j);
	buf_free(j.why);
	verified_free(j.v);
	mime_free(j.outer);
	spool_msg_free(j.m);
	return res;
}

/* Claim (rename from queue q to active/) and process each of ids. */
static void
drain_ids(struct worker *w, enum spool_queue q, char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n && !stopping; i++) {
		if (spool_move(w->sp, ids[i], q, SPOOL_Q_ACTIVE) != SPOOL_OK)
			continue;	/* another worker has it */
		worker_tell_master(w, "claim", ids[i]);
		(void)worker_process(w, ids[i]);
		worker_tell_master(w, "done", ids[i]);
	}
}

/*
 * Settle what the disk left in active/, then claim and process what
 * waits in incoming/, oldest first, then the deferred entries that are
 * due.  deferred/ is read at most once a second (hub_mono(), an
 * in-process interval): hints may wake the loop far more often.
 */
static void
drain(struct worker *w)
{
	static time_t scanned;
	char **ids;
	size_t n;
	time_t mono;

	defer_unpark(w);
	if (spool_list(w->sp, SPOOL_Q_INCOMING, &ids, &n) == SPOOL_OK) {
		drain_ids(w, SPOOL_Q_INCOMING, ids, n);
		spool_ids_free(ids, n);
	}
	if ((mono = hub_mono()) == scanned || stopping)
		return;
	scanned = mono;
	if (spool_deferred_due(w->sp, hub_now(), defer_max_wait(w->cfg), &ids,
	    &n) == SPOOL_OK) {
		drain_ids(w, SPOOL_Q_DEFERRED, ids, n);
		spool_ids_free(ids, n);
	}
	/* posts the relay has finished with, whose signer wants a receipt */
	if (!stopping)
		receipt_run(w);
}

/* Wait for a hint or the rescan timer; false when the master is gone. */
static bool
wait_hint(struct worker *w)
{
	struct pollfd pfd = { .fd = w->link, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, RESCAN_MS) <= 0)
		return true;
	n = read(w->link, buf, sizeof buf);	/* hints only wake us */
	return n > 0 || (n == -1 && errno == EINTR);
}

/*
 * Unwrapping the store key asks gpg-agent; under contention (a reload
 * storm starts many workers, hubctl runs beside them) it fails with a
 * crypto error, or once as a bad key, that a moment later is gone.  Try
 * again with backoff rather than die and have the master count a crash.
 * A missing or truly wrong key fails the same way after the last try.
 */
#define STORE_OPEN_FIRST_MS	100
#define STORE_OPEN_TOTAL_MS	5000

static bool
store_status_temporary(enum store_status st)
{
	return st == STORE_CRYPTO || st == STORE_BUSY || st == STORE_KEY;
}

static enum store_status
store_open_retrying(const struct hub_config *cfg, struct gpg *g,
    struct store **sp)
{
	enum store_status st;
	unsigned delay = STORE_OPEN_FIRST_MS, waited = 0, attempt = 1;

	for (;; attempt++) {
		*sp = NULL;
		st = store_open(cfg->data_dir, g, sp);
		if (st == STORE_OK || !store_status_temporary(st) ||
		    waited >= STORE_OPEN_TOTAL_MS || stopping)
			return st;
		if (delay > STORE_OPEN_TOTAL_MS - waited)
			delay = STORE_OPEN_TOTAL_MS - waited;
		log_warnx("store-open-retry status=%s attempt=%u "
		    "retry-in-ms=%u", store_status_str(st), attempt, delay);
		{
			struct timespec ts = { delay / 1000,
			    (long)(delay % 1000) * 1000000L };

			while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
			    !stopping)
				;
		}
		waited += delay;
		delay *= 2;
	}
}

/*
 * The worker's configuration: the master's, with the store's lists added
 * to hub.conf's, so an address the smtp process accepted for a list the
 * master's names did not have yet (or kept from before) is routed by what
 * the store says.  One per process; the previous one is freed when a
 * test opens another worker.
 */
static struct hub_config worker_cfg;
static char **worker_lists;

static const struct hub_config *
worker_config(const struct hub_config *cfg, char *const *names, size_t n)
{
	size_t i, j, k = cfg->nlists + n;
	char **v = xcalloc(k + 1, sizeof *v);

	for (i = 0; i < cfg->nlists; i++)
		v[i] = cfg->lists[i];
	for (j = 0; j < n; j++)
		v[i + j] = names[j];
	j = listnames_sort_unique(v, k, false);	/* borrowed: copied below */
	for (i = 0; i < j; i++)
		v[i] = xstrdup(v[i]);
	listnames_free(worker_lists, worker_cfg.nlists);
	worker_lists = v;
	worker_cfg = *cfg;
	worker_cfg.lists = v;
	worker_cfg.nlists = j;
	worker_cfg.lists_unknown = false;
	return &worker_cfg;
}

/*
 * DATA_DIR/lists.names from the store, for the master (which may not
 * open the store): a data dir from before the file, or a file lost or
 * made unreadable, heals at the next worker start.  Under the writers'
 * lock, so hubctl's newer view is never overwritten with an older one.
 * Only a changed file is written, and only then is the master told.
 */
static void
list_names_refresh(struct worker *w)
{
	struct store_list *v = NULL;
	enum store_status st;
	char **names;
	size_t n = 0, i;
	int lock, r;

	if ((lock = listnames_lock(w->cfg->data_dir)) == -1)
		log_warn("list-names-lock dir=%s", w->cfg->data_dir);
	if ((st = store_list_list(w->store, &v, &n)) != STORE_OK) {
		listnames_unlock(lock);
		log_warnx("list-names-not-written status=%s (the master "
		    "keeps the names it has)", store_status_str(st));
		return;
	}
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = v[i].l.name;
	r = listnames_write(w->cfg->data_dir, names, n);
	listnames_unlock(lock);
	if (r == -1)
		log_warn("list-names-write-failed path=%s/" LISTNAMES_FILE,
		    w->cfg->data_dir);
	else if (r == 1) {
		log_info("list-names-written lists=%zu", n);
		worker_tell_master(w, "lists", "changed");
	}
	w->cfg = worker_config(w->cfg, names, n);
	free(names);
	store_lists_free(v, n);
}

struct worker *
worker_open(const struct hub_config *cfg, int link_fd)
{
	struct worker *w = xcalloc(1, sizeof *w);
	char path[PATH_MAX];
	enum store_status sst;
	long ncpu;
	unsigned k;

	w->cfg = cfg;
	w->link = link_fd;
	snprintf(path, sizeof path, "%s/spool", cfg->data_dir);
	if (spool_open(path, &w->sp) != SPOOL_OK)
		fatal("spool-open dir=%s", path);
	snprintf(path, sizeof path, "%s/" STORE_GNUPG_DIR, cfg->data_dir);
	/* a data dir made before hubctl init wrote gpg.conf: bring it up
	 * to date (a failure is logged; the worker runs, only slower) */
	if (gpg_home_tune(path) != CRYPTO_OK)
		log_warnx("gpg-conf-not-tuned homedir=%s (posts may stall on "
		    "random_seed; see hubctl init)", path);
	if (gpg_init() != CRYPTO_OK || gpg_open(path, &w->g) != CRYPTO_OK)
		fatalx("gpg-open homedir=%s", path);
	if ((sst = store_open_retrying(cfg, w->g, &w->store)) != STORE_OK)
		fatalx("store-open status=%s error=\"%s\"",
		    store_status_str(sst), w->store != NULL ?
		    store_errmsg(w->store) : "see the store line before");
	list_names_refresh(w);
	/* Per-recipient encryption uses every core: gpg runs as child
	 * processes, one per thread at a time. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	w->nthreads = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS :
	    (unsigned)ncpu;
	for (k = 0; k < w->nthreads; k++)
		if (gpg_open(path, &w->tg[k]) != CRYPTO_OK)
			fatalx("gpg-open homedir=%s", path);
	if (!gcry_check_version(NULL))
		fatalx("libgcrypt version check failed");
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return w;
}

void
worker_close(struct worker *w)
{
	unsigned k;

	if (w == NULL)
		return;
	for (k = 0; k < w->nthreads; k++)
		gpg_close(w->tg[k]);
	buf_free(w->ac_b64);
	key_info_free(w->lk);
	archive_close(w->archive);
	store_close(w->store);
	gpg_close(w->g);
	spool_close(w->sp);
	free(w);
}

int
worker_main(const struct hub_config *cfg, int link_fd)
{
	struct worker *w;
	struct sigaction sa;

	proc_role_enter("worker", cfg);	/* the hub user, no core dumps */
	proc_limit_memory(PROC_WORKER_AS_LIMIT);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	w = worker_open(cfg, link_fd);
	log_info("worker-ready threads=%u", w->nthreads);
	while (!stopping) {
		drain(w);
		/* timers: bounce notices, the daily key check (hub/upkeep) */
		upkeep_run(w);
		if (!stopping && !wait_hint(w))
			break;
	}
	log_info("worker-exit");
	worker_close(w);
	return 0;
}
