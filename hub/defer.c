/*
 * defer: what becomes of a spool entry on trouble that may pass; see
 * hub/defer.h.
 *
 * The retry state is on disk (spool.h): deferred/ID's mtime is the next
 * try, retry/ID the counts, so both workers and a restarted hubd see the
 * same schedule.  Nothing here kills the worker: a death would make the
 * master count a poison attempt for what is only a full or failing disk.
 */

#include "config.h"

#include "hub/conf.h"
#include "hub/defer.h"
#include "hub/job.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "hub/worker.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "lists/roster.h"
#include "lists/store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Entries this worker could not move out of active/ (the disk failed
 * while it finished or deferred them); tried again at every drain, so a
 * passing fault strands nothing until a restart.  Only this process
 * touches them: the master moves an active/ entry only when its worker
 * is gone (and recovery then settles it the same way). */
#define MAX_PARKED	64

static char parked[MAX_PARKED][HUB_ID_SIZE];
static size_t nparked;

void
defer_park(const char *id)
{
	size_t i;

	for (i = 0; i < nparked; i++)
		if (strcmp(parked[i], id) == 0)
			return;
	if (nparked == MAX_PARKED) {
		log_warnx("entry-stranded id=%s where=active/ (more than %d "
		    "parked; recovery at the next start settles it)", id,
		    MAX_PARKED);
		return;
	}
	memcpy(parked[nparked++], id, HUB_ID_SIZE);
}

/* The wait before try attempts+1: worker_retry doubled per counted
 * attempt, capped at worker_retry_max (raised to worker_retry). */
unsigned
defer_max_wait(const struct hub_config *cfg)
{
	return cfg->worker_retry_max > cfg->worker_retry ?
	    cfg->worker_retry_max : cfg->worker_retry;
}

static unsigned
retry_delay(const struct hub_config *cfg, unsigned attempts)
{
	unsigned long long d = cfg->worker_retry;
	unsigned cap = defer_max_wait(cfg), i;

	for (i = 1; i < attempts && d < cap; i++)
		d *= 2;
	return d > cap ? cap : (unsigned)d;
}

/*
 * The admins of each list the quarantined entry was for hear of it,
 * once.  The notices are a set of their own (a fresh id), committed
 * after the entry left active/: were they the entry's set, recovery
 * would take a committed set for the entry's work and finish it (a
 * loss).  A crash before the commit loses the notice, never the entry,
 * and never sends it twice.  Failures are logged; the entry stays
 * quarantined either way.
 */
static void
quarantine_notice(struct worker *w, const struct spool_msg *m,
    const char *detail)
{
	char nid[HUB_ID_SIZE], safe[MODEL_ADDR_MAX];
	struct rcpt_target tg, *seen = NULL;
	struct roster_view *rv;
	struct notice_in in;
	struct job n;
	enum spool_status st;
	size_t i, k, nseen = 0;

	memset(&n, 0, sizeof n);
	hub_id_new(nid);
	n.w = w;
	n.id = nid;
	seen = xcalloc(m->env.nrcpt, sizeof *seen);
	for (i = 0; i < m->env.nrcpt; i++) {
		if (!recipient_classify(m->env.rcpt[i], w->cfg->domain,
		    w->cfg->lists, w->cfg->nlists, &tg) ||
		    tg.kind == RCPT_POSTMASTER)
			continue;
		for (k = 0; k < nseen; k++)
			if (strcasecmp(seen[k].list, tg.list) == 0)
				break;
		if (k < nseen)
			continue;	/* one notice per list */
		seen[nseen++] = tg;
		if (roster_view_load(w->store, w->g, tg.list, &rv) !=
		    STORE_OK) {
			log_warnx("quarantine-notice-failed id=%s list=%s "
			    "reason=roster", m->id,
			    log_safe(safe, sizeof safe, tg.list));
			continue;
		}
		memset(&in, 0, sizeof in);
		in.kind = NOTICE_POISON;
		in.post_id = m->id;
		in.received = (long long)m->env.received;
		in.mail_from = m->env.mail_from;
		in.client = m->env.client;
		in.detail = detail;
		if (notice_send_admins(&n, rv, &in) != V_DONE)
			log_warnx("quarantine-notice-failed id=%s list=%s "
			    "reason=notice", m->id, rv->list.l.name);
		roster_view_free(rv);
	}
	free(seen);
	if (n.stage == NULL)
		return;
	if (spool_stage_count(n.stage) == 0)
		spool_stage_abort(n.stage);
	else if ((st = spool_stage_commit(n.stage)) != SPOOL_OK)
		log_warn("quarantine-notice-failed id=%s reason=commit "
		    "status=%s", m->id, spool_status_str(st));
	else
		worker_tell_master(w, "outgoing", nid);
}

/* After worker_retry_attempts: quarantine/ID with its .why, admins
 * told.  false if the disk refused (the caller defers instead). */
static bool
quarantine_entry(struct worker *w, const char *id, const struct spool_msg *m,
    const struct spool_retry *rs)
{
	enum spool_status st;
	char why[256];

	snprintf(why, sizeof why, "reason=quarantined\nattempts=%u\n"
	    "last=%s\nfirst=%lld\n", rs->attempts, rs->last, rs->first);
	if ((st = spool_quarantine(w->sp, id, SPOOL_Q_ACTIVE, why)) !=
	    SPOOL_OK) {
		log_warn("quarantine-failed id=%s status=%s action=defer", id,
		    spool_status_str(st));
		return false;
	}
	spool_retry_forget(w->sp, id);
	log_warnx("entry-quarantined id=%s attempts=%u last=%s "
	    "where=quarantine/%s", id, rs->attempts, rs->last, id);
	if (m != NULL) {
		char detail[128];

		snprintf(detail, sizeof detail, "%u temporary failures, the "
		    "last: %s", rs->attempts, rs->last[0] != '\0' ? rs->last :
		    "unknown");
		quarantine_notice(w, m, detail);
	}
	return true;
}

/* "attempts=N" and "last=TOKEN" of the master's quarantine/ID.why. */
static void
why_crashes(const char *why, unsigned *attempts, char *last, size_t n)
{
	const char *p = why, *e;

	*attempts = 0;
	snprintf(last, n, "%s", "unknown");
	while (p != NULL && *p != '\0') {
		e = strchr(p, '\n');
		if (strncmp(p, "attempts=", 9) == 0)
			*attempts = (unsigned)strtoul(p + 9, NULL, 10);
		else if (strncmp(p, "last=", 5) == 0)
			snprintf(last, n, "%.*s", (int)((e != NULL ? e :
			    p + strlen(p)) - p - 5), p + 5);
		p = e != NULL ? e + 1 : NULL;
	}
}

void
defer_tell_quarantined(struct worker *w)
{
	char **ids = NULL, last[SPOOL_RETRY_TOKEN_MAX], detail[128];
	struct spool_msg *m;
	enum spool_status st;
	unsigned attempts;
	size_t i, n = 0;
	char *why;

	if (spool_tell_marks(w->sp, &ids, &n) != SPOOL_OK)
		return;
	for (i = 0; i < n; i++) {
		/* taken before the notice is sent: at most once (spool.h) */
		if ((st = spool_tell_take(w->sp, ids[i])) != SPOOL_OK) {
			if (st != SPOOL_NOT_FOUND)
				log_warnx("quarantine-mark-unreadable id=%s "
				    "status=%s", ids[i], spool_status_str(st));
			continue;
		}
		/* released or dropped meanwhile: nothing to tell */
		if (spool_peek(w->sp, SPOOL_Q_QUARANTINE, ids[i], &m, NULL) !=
		    SPOOL_OK)
			continue;
		if (spool_why(w->sp, SPOOL_Q_QUARANTINE, ids[i], &why) ==
		    SPOOL_OK) {
			why_crashes(why, &attempts, last, sizeof last);
			free(why);
		} else {
			attempts = 0;
			snprintf(last, sizeof last, "%s", "unknown");
		}
		snprintf(detail, sizeof detail, "the worker processing it "
		    "died %u times, the last: %s", attempts, last);
		quarantine_notice(w, m, detail);
		log_info("quarantine-told id=%s attempts=%u", ids[i],
		    attempts);
		spool_msg_free(m);
	}
	spool_ids_free(ids, n);
}

/*
 * Entry id (in active/) failed for a reason that may pass.  counted:
 * the failure is the message's (gpg, the store, the archive) and counts
 * towards worker_retry_attempts; the spool's own I/O errors, and any
 * failure while the disk is under queue_minfree, say nothing about the
 * message and are not counted.  Then the entry is deferred, or
 * quarantined once the attempts are used up.  m may be NULL (not read).
 */
enum worker_outcome
defer_entry(struct worker *w, const char *id, const struct spool_msg *m,
    const char *token, bool counted)
{
	struct spool_retry rs;
	enum spool_status st;
	time_t now = hub_now();
	unsigned delay;

	if (spool_retry_load(w->sp, id, &rs) == SPOOL_CORRUPT)
		log_warnx("retry-state-corrupt id=%s action=reset", id);
	if (counted && !spool_space_ok(w->sp, w->cfg->queue_minfree)) {
		log_info("tempfail-not-counted id=%s reason=queue-minfree", id);
		counted = false;
	}
	if (counted)
		rs.attempts++;
	if (rs.first == 0)
		rs.first = (long long)now;
	rs.last_at = (long long)now;
	snprintf(rs.last, sizeof rs.last, "%s", token);
	/* On a full disk this may fail: the entry is deferred all the
	 * same (its time is in deferred/ID), only the count is not kept. */
	if ((st = spool_retry_save(w->sp, id, &rs)) != SPOOL_OK)
		log_warn("retry-state-not-saved id=%s attempts=%u", id,
		    rs.attempts);
	if (counted && rs.attempts >= w->cfg->worker_retry_attempts &&
	    quarantine_entry(w, id, m, &rs))
		return WORKER_QUARANTINED;
	delay = retry_delay(w->cfg, rs.attempts);
	if ((st = spool_defer(w->sp, id, SPOOL_Q_ACTIVE, now + delay)) !=
	    SPOOL_OK) {
		/* Still in active/ (or half moved): this worker tries again
		 * at its next drain; never a death, never a poison count. */
		log_warn("defer-failed id=%s status=%s action=parked", id,
		    spool_status_str(st));
		defer_park(id);
		return WORKER_TEMPFAIL;
	}
	log_warnx("deferred id=%s reason=%s attempt=%u of=%u counted=%s "
	    "retry-in=%us", id, token, rs.attempts,
	    w->cfg->worker_retry_attempts, counted ? "yes" : "no", delay);
	return WORKER_TEMPFAIL;
}

/* The parked entries: each is finished (or rejected) if its set was
 * committed, else deferred; kept while the disk still refuses. */
void
defer_unpark(struct worker *w)
{
	char path[PATH_MAX];
	size_t i = 0;
	int r;

	while (i < nparked) {
		char id[HUB_ID_SIZE];

		memcpy(id, parked[i], HUB_ID_SIZE);
		spool_path(w->sp, SPOOL_Q_ACTIVE, id, path, sizeof path);
		r = access(path, F_OK) == 0 ? spool_settle_active(w->sp, id) :
		    1;
		if (r == -1) {
			i++;
			continue;
		}
		memmove(parked[i], parked[i + 1],
		    (nparked - i - 1) * sizeof parked[0]);
		nparked--;
		if (r == 1) {
			spool_retry_forget(w->sp, id);
			log_info("entry-settled id=%s after=io-error", id);
		} else
			(void)defer_entry(w, id, NULL, "io-error", false);
	}
}
