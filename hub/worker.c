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

#include "hub/job.h"
#include "hub/worker.h"
#include "hub/post.h"
#include "hub/request.h"
#include "hub/conf.h"
#include "hub/notice.h"
#include "hub/outmsg.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "archive/archive.h"
#include "archive/extract.h"
#include "archive/ipkey.h"
#include "archive/search.h"
#include "archive/text.h"
#include "crypto/decrypt.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "lists/policy.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

#define RESCAN_MS		1000
#define TEMPFAIL_DELAY		30	/* seconds before a tempfailed retry */

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
tell_master(struct worker *w, const char *type, const char *id)
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

static void
defer(struct worker *w, const char *id)
{
	size_t i, pick = 0;

	for (i = 0; i < MAX_DEFERRED; i++)
		if (w->deferred[i].until < w->deferred[pick].until)
			pick = i;
	memcpy(w->deferred[pick].id, id, HUB_ID_SIZE);
	w->deferred[pick].until = hub_mono() + TEMPFAIL_DELAY;
}

static bool
is_deferred(struct worker *w, const char *id)
{
	time_t now = hub_mono();
	size_t i;

	for (i = 0; i < MAX_DEFERRED; i++)
		if (w->deferred[i].until > now &&
		    strcmp(w->deferred[i].id, id) == 0)
			return true;
	return false;
}

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

	memset(&j, 0, sizeof j);
	j.w = w;
	j.id = id;
	if ((st = spool_load(w->sp, SPOOL_Q_ACTIVE, id, &j.m)) != SPOOL_OK) {
		log_warnx("load-failed id=%s status=%s", id,
		    spool_status_str(st));
		if (st == SPOOL_CORRUPT && spool_move(w->sp, id,
		    SPOOL_Q_ACTIVE, SPOOL_Q_CORRUPT) == SPOOL_OK)
			return WORKER_CORRUPT;
		/* Left in active/ it would wait for a restart: die, and the
		 * master puts it back (and counts the attempt). */
		fatalx("load-failed id=%s status=%s", id, spool_status_str(st));
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
		spool_stage_abort(j.stage);
		j.stage = NULL;
		if (spool_move(w->sp, id, SPOOL_Q_ACTIVE, SPOOL_Q_INCOMING) !=
		    SPOOL_OK)
			fatal("requeue id=%s", id);	/* the master retries */
		defer(w, id);
		log_warnx("tempfail id=%s action=retry-in-%ds", id,
		    TEMPFAIL_DELAY);
		res = WORKER_TEMPFAIL;
		goto out;
	}
	/* The reason first, so recovery can tell a refused entry whose
	 * notices are committed from an accepted one. */
	if (rejected && spool_reject_note(w->sp, id, buf_data(j.why)) !=
	    SPOOL_OK)
		fatal("reject-note id=%s", id);
	if (j.stage != NULL) {
		if (spool_stage_count(j.stage) == 0)
			spool_stage_abort(j.stage);
		else if ((st = spool_stage_commit(j.stage)) != SPOOL_OK)
			fatal("outgoing-commit id=%s status=%s", id,
			    spool_status_str(st));
		else
			tell_master(w, "outgoing", id);
		j.stage = NULL;
	}
	st = rejected ? spool_move(w->sp, id, SPOOL_Q_ACTIVE,
	    SPOOL_Q_REJECTED) : spool_finish(w->sp, id);
	if (st != SPOOL_OK)
		fatal("finish id=%s status=%s", id, spool_status_str(st));
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

/* Claim and process what waits in incoming/, oldest first. */
static void
drain(struct worker *w)
{
	char **ids;
	size_t n, i;

	if (spool_list(w->sp, SPOOL_Q_INCOMING, &ids, &n) != SPOOL_OK)
		return;
	for (i = 0; i < n && !stopping; i++) {
		if (is_deferred(w, ids[i]) ||
		    spool_claim(w->sp, ids[i]) != SPOOL_OK)
			continue;	/* another worker has it */
		tell_master(w, "claim", ids[i]);
		(void)worker_process(w, ids[i]);
		tell_master(w, "done", ids[i]);
	}
	spool_ids_free(ids, n);
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
	if ((sst = store_open(cfg->data_dir, w->g, &w->store)) != STORE_OK)
		fatalx("store-open status=%s error=\"%s\"",
		    store_status_str(sst), store_errmsg(w->store));
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

	proc_no_dumps();
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
		if (!stopping && !wait_hint(w))
			break;
	}
	log_info("worker-exit");
	worker_close(w);
	return 0;
}
