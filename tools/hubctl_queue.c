/*
 * hubctl queue, hubctl quarantine: the spool as an admin sees it
 * (hubctl(8) QUEUE), like mailq, postqueue -f and postsuper -d.
 *
 * Everything goes through hub/spool.h, which reads only the envelope
 * header of an entry (spool_peek): a message's subject and body are never
 * read, so they can never be printed.  Changes are renames, unlinks, an
 * mtime (the next try of a deferred entry) and an outgoing copy's retry
 * state (hub/copystate.h, replaced whole), all atomic against a running
 * hubd; an entry in active/ belongs to the worker holding it and is never
 * touched.  The spool needs only hub.conf, not the store or the keyring.
 *
 * The store's audit log records roster changes inside the store's own
 * transactions (lists/store_audit.c, private to the store), so a change
 * to the spool is recorded as a log line instead: "queue-delete id=ID
 * queue=Q by=USER" on standard error and to syslog (facility mail).
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "hub/conf.h"
#include "hub/copystate.h"
#include "hub/listnames.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "tools/hubctl.h"
#include "tools/out.h"

/* The queues shown, in the order entries flow through them. */
static const enum spool_queue shown[] = {
	SPOOL_Q_INCOMING, SPOOL_Q_ACTIVE, SPOOL_Q_DEFERRED,
	SPOOL_Q_REJECTED, SPOOL_Q_QUARANTINE,
};

struct qctx {
	struct hubctl	*h;
	struct spool	*sp;
	char		**lists;	/* every list name known, sorted */
	size_t		 nlists;
	time_t		 now;
};

/*
 * The list names recipient_classify() needs: hub.conf's "list" lines and
 * the store's names as hubctl and the workers publish them in
 * DATA_DIR/lists.names (read without opening the store).
 */
static void
load_lists(struct qctx *q)
{
	const struct hub_config *cfg = q->h->cfg;
	char **names = NULL;
	size_t n = 0, i, j;

	if (listnames_read(cfg->data_dir, &names, &n) == -1) {
		names = NULL;
		n = 0;
	}
	/* the names read are ours: kept, hub.conf's appended */
	q->lists = xreallocarray(names, n + cfg->nlists + 1, sizeof *q->lists);
	i = n;
	for (j = 0; j < cfg->nlists; j++)
		q->lists[i++] = xstrdup(cfg->lists[j]);
	q->nlists = listnames_sort_unique(q->lists, i, true);
}

static void
qctx_close(struct qctx *q)
{
	size_t i;

	for (i = 0; i < q->nlists; i++)
		free(q->lists[i]);
	free(q->lists);
	spool_close(q->sp);
}

/* hub.conf, then DATA_DIR/spool, which must exist: hubctl never makes a
 * spool (as root it would make one hubd's users cannot write). */
static int
qctx_open(struct hubctl *h, struct qctx *q)
{
	enum spool_status st;
	char dir[4096];
	struct stat sb;
	int rc;

	memset(q, 0, sizeof *q);
	q->h = h;
	if ((rc = hubctl_config(h)) != HUBCTL_OK)
		return rc;
	snprintf(dir, sizeof dir, "%s/spool", h->cfg->data_dir);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return hubctl_fail(h, HUBCTL_ENV, "no spool in %s (has hubd "
		    "run with this hub.conf?)", h->cfg->data_dir);
	if ((st = spool_open(dir, &q->sp)) != SPOOL_OK)
		return hubctl_fail(h, HUBCTL_ENV, "cannot open the spool %s: "
		    "%s", dir, spool_status_str(st));
	load_lists(q);
	q->now = hub_now();
	return HUBCTL_OK;
}

/* An ID from the command line becomes a path: only a valid id does. */
static int
check_id(struct hubctl *h, const char *id)
{
	if (hub_id_valid(id))
		return HUBCTL_OK;
	return hubctl_fail(h, HUBCTL_ERROR, "bad spool id: %s (as hubctl "
	    "queue prints them)", id);
}

/* "by=" of the log line: the login name as one safe token. */
static void
actor(char *dst, size_t n)
{
	struct passwd *pw = getpwuid(getuid());
	char name[64];

	if (pw != NULL)
		snprintf(dst, n, "%s(uid%u)",
		    log_safe(name, sizeof name, pw->pw_name),
		    (unsigned)getuid());
	else
		snprintf(dst, n, "uid%u", (unsigned)getuid());
}

/* The record of a change to the spool (see the top of this file). */
static void
audit(const char *event, const char *id, enum spool_queue from)
{
	char who[128];

	actor(who, sizeof who);
	log_info("%s id=%s queue=%s by=%s", event, id, spool_queue_str(from),
	    who);
	openlog("hubctl", LOG_PID, LOG_MAIL);
	syslog(LOG_NOTICE, "%s id=%s queue=%s by=%s", event, id,
	    spool_queue_str(from), who);
	closelog();
}

static void
put_time(struct out *o, const char *key, long long t)
{
	char when[64];

	if (t <= 0) {
		out_kstr(o, key, NULL);
		return;
	}
	hub_utc(t, HUB_UTC_ISO, when, sizeof when);
	out_kstr(o, key, when[0] != '\0' ? when : NULL);
}

/* Age: seconds in JSON, "42s", "5m", "3h", "2d" in text. */
static void
put_age(struct qctx *q, time_t since)
{
	long long s = (long long)(q->now - since);
	char t[32];

	if (s < 0)
		s = 0;
	if (q->h->json) {
		out_kint(q->h->out, "age", s);
		return;
	}
	if (s < 120)
		snprintf(t, sizeof t, "%llds", s);
	else if (s < 7200)
		snprintf(t, sizeof t, "%lldm", s / 60);
	else if (s < 172800)
		snprintf(t, sizeof t, "%lldh", s / 3600);
	else
		snprintf(t, sizeof t, "%lldd", s / 86400);
	out_kstr(q->h->out, "age", t);
}

/* Print a list of strings: an array in JSON, "a,b" in text (a list
 * inside a line of columns would break the line). */
static void
put_names(struct qctx *q, const char *key, const char *const *v, size_t n)
{
	struct out *o = q->h->out;
	struct buf *b;
	size_t i;

	out_key(o, key);
	if (q->h->json) {
		out_list_begin(o);
		for (i = 0; i < n; i++)
			out_str(o, v[i]);
		out_list_end(o);
		return;
	}
	b = buf_new(0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_append_str(b, ",");
		buf_append_str(b, v[i]);
	}
	buf_append(b, "", 1);
	out_str(o, buf_data(b));
	buf_free(b);
}

/* The lists an entry is for, from its envelope recipients (a post, a
 * -request, -owner, -sendkey or -bounces address); a copy for a
 * subscriber names its list only in its sender (the VERP return path). */
static void
put_lists(struct qctx *q, const struct spool_msg *m)
{
	const char **v = xcalloc(m->env.nrcpt + 1, sizeof *v);
	struct rcpt_target *t = xcalloc(m->env.nrcpt + 1, sizeof *t);
	size_t i, j, n = 0;

	for (i = 0; i <= m->env.nrcpt; i++) {
		const char *a = i < m->env.nrcpt ? m->env.rcpt[i] :
		    m->env.mail_from;

		/* the sender only when no recipient named a list */
		if (i == m->env.nrcpt && n > 0)
			break;
		if (!recipient_classify(a, q->h->cfg->domain, q->lists,
		    q->nlists, &t[i]) || t[i].list[0] == '\0')
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(v[j], t[i].list) == 0)
				break;
		if (j == n)
			v[n++] = t[i].list;
	}
	put_names(q, "lists", v, n);
	free(v);
	free(t);
}

/* First line "reason=TOKEN" of a .why: its token in dst, or NULL. */
static const char *
why_token(const char *why, char *dst, size_t n)
{
	size_t len;

	if (why == NULL || strncmp(why, "reason=", 7) != 0)
		return NULL;
	len = strcspn(why + 7, "\n");
	snprintf(dst, n, "%.*s", (int)len, why + 7);
	return dst;
}

/* One entry of queue qu as a line of the listing. */
static void
put_entry(struct qctx *q, enum spool_queue qu, const char *id)
{
	struct out *o = q->h->out;
	struct spool_retry r;
	struct spool_msg *m = NULL;
	enum spool_status st;
	long long size = 0;
	char *why = NULL, tok[64];
	time_t next;

	st = spool_peek(q->sp, qu, id, &m, &size);
	out_map_begin(o);
	out_kstr(o, "id", id);
	out_kstr(o, "queue", spool_queue_str(qu));
	if (st != SPOOL_OK) {
		/* moved on while we looked, or not a valid entry */
		out_kstr(o, "error", spool_status_str(st));
		out_map_end(o);
		return;
	}
	put_lists(q, m);
	out_kstr(o, "from", m->env.mail_from);
	out_kint(o, "size", size);
	put_age(q, m->env.received);
	if (qu == SPOOL_Q_DEFERRED || qu == SPOOL_Q_ACTIVE ||
	    qu == SPOOL_Q_INCOMING) {
		if (spool_retry_load(q->sp, id, &r) != SPOOL_OK)
			memset(&r, 0, sizeof r);
		out_kint(o, "attempts", r.attempts + r.crashes);
		if (qu == SPOOL_Q_DEFERRED &&
		    spool_deferred_next(q->sp, id, &next) == SPOOL_OK)
			put_time(o, "next_try", (long long)next);
		else
			put_time(o, "next_try", 0);
	}
	if (qu == SPOOL_Q_REJECTED || qu == SPOOL_Q_QUARANTINE) {
		if (spool_why(q->sp, qu, id, &why) != SPOOL_OK)
			why = NULL;
		out_kstr(o, "reason", why_token(why, tok, sizeof tok));
		free(why);
	}
	out_map_end(o);
	spool_msg_free(m);
}

/* A copy's retry state as the relay keeps it (hub/copystate.h):
 * attempts, next try (null: due now, or never tried) and the
 * smarthost's last reply. */
static void
put_copy_state(struct qctx *q, const char *post, const char *name)
{
	struct out *o = q->h->out;
	struct copy_retry cr;

	if (copy_retry_load(q->sp, post, name, &cr, NULL) != SPOOL_OK) {
		memset(&cr, 0, sizeof cr);
		out_kstr(o, "error", "retry state unreadable");
	}
	out_kint(o, "attempts", cr.attempts);
	put_time(o, "next_try", cr.next);
	out_kstr(o, "last_error", cr.reply[0] != '\0' ? cr.reply : NULL);
}

/* The copies waiting in outgoing/, one line per recipient. */
static int
put_outgoing(struct qctx *q, const char *only, size_t *count)
{
	struct out *o = q->h->out;
	struct spool_msg *m;
	char **posts, **files;
	size_t np, nf, i, k;
	long long size;

	*count = 0;
	if (spool_outgoing_posts(q->sp, &posts, &np) != SPOOL_OK)
		return -1;
	for (i = 0; i < np; i++) {
		if (only != NULL && strcmp(only, posts[i]) != 0)
			continue;
		if (spool_outgoing_files(q->sp, posts[i], &files, &nf) !=
		    SPOOL_OK)
			continue;	/* delivered and reaped meanwhile */
		for (k = 0; k < nf; k++) {
			if (spool_outgoing_peek(q->sp, posts[i], files[k], &m,
			    &size) != SPOOL_OK)
				continue;
			out_map_begin(o);
			out_kstr(o, "id", files[k]);
			out_kstr(o, "post", posts[i]);
			put_lists(q, m);
			out_kstr(o, "rcpt", m->env.nrcpt > 0 ?
			    m->env.rcpt[0] : NULL);
			out_kint(o, "size", size);
			put_age(q, m->env.received);
			put_copy_state(q, posts[i], files[k]);
			out_map_end(o);
			spool_msg_free(m);
			(*count)++;
		}
		spool_ids_free(files, nf);
	}
	spool_ids_free(posts, np);
	return 0;
}

/* The listing: every queue (or quarantine/ alone), then the counts. */
static int
queue_ls(struct qctx *q, bool quarantine_only)
{
	struct out *o = q->h->out;
	size_t counts[SPOOL_Q_COUNT], i, k, n, nout = 0;
	char **ids;

	memset(counts, 0, sizeof counts);
	out_map_begin(o);
	for (i = 0; i < sizeof shown / sizeof shown[0]; i++) {
		if (quarantine_only && shown[i] != SPOOL_Q_QUARANTINE)
			continue;
		if (spool_list(q->sp, shown[i], &ids, &n) != SPOOL_OK) {
			out_map_end(o);
			return hubctl_fail(q->h, HUBCTL_ENV, "cannot read "
			    "spool/%s: %s", spool_queue_str(shown[i]),
			    strerror(errno));
		}
		out_key(o, spool_queue_str(shown[i]));
		out_list_begin(o);
		for (k = 0; k < n; k++)
			put_entry(q, shown[i], ids[k]);
		out_list_end(o);
		counts[shown[i]] = n;
		spool_ids_free(ids, n);
		if (shown[i] == SPOOL_Q_ACTIVE && !quarantine_only) {
			/* after active/: the flow's order */
			out_key(o, "outgoing");
			out_list_begin(o);
			if (put_outgoing(q, NULL, &nout) == -1)
				nout = 0;
			out_list_end(o);
		}
	}
	if (!quarantine_only && spool_list(q->sp, SPOOL_Q_CORRUPT, &ids,
	    &n) == SPOOL_OK) {
		/* files that failed validation: their names only */
		put_names(q, "corrupt", (const char *const *)ids, n);
		counts[SPOOL_Q_CORRUPT] = n;
		spool_ids_free(ids, n);
	}
	out_key(o, "counts");
	out_map_begin(o);
	for (i = 0; i < sizeof shown / sizeof shown[0]; i++) {
		if (quarantine_only && shown[i] != SPOOL_Q_QUARANTINE)
			continue;
		out_kint(o, spool_queue_str(shown[i]),
		    (long long)counts[shown[i]]);
		if (shown[i] == SPOOL_Q_ACTIVE && !quarantine_only)
			out_kint(o, "outgoing", (long long)nout);
	}
	if (!quarantine_only)
		out_kint(o, "corrupt", (long long)counts[SPOOL_Q_CORRUPT]);
	out_map_end(o);
	out_map_end(o);
	return HUBCTL_OK;
}

/* Where is id?  HUBCTL_OK and *qu, or a failure printed. */
static int
locate(struct qctx *q, const char *id, enum spool_queue *qu)
{
	enum spool_status st;

	if ((st = spool_locate(q->sp, id, qu)) == SPOOL_OK)
		return HUBCTL_OK;
	if (st == SPOOL_NOT_FOUND)
		return hubctl_fail(q->h, HUBCTL_ERROR, "no such entry: %s "
		    "(delivered, finished or deleted?)", id);
	return hubctl_fail(q->h, HUBCTL_ENV, "cannot look for %s: %s", id,
	    spool_status_str(st));
}

/* The outgoing set holding copy name (a file name as queue ls prints
 * it) into post; false if none does. */
static bool
find_copy(struct qctx *q, const char *name, char post[HUB_ID_SIZE])
{
	char **posts, **files;
	size_t np, nf, i, k;
	bool found = false;

	if (spool_outgoing_posts(q->sp, &posts, &np) != SPOOL_OK)
		return false;
	for (i = 0; i < np && !found; i++) {
		if (spool_outgoing_files(q->sp, posts[i], &files, &nf) !=
		    SPOOL_OK)
			continue;
		for (k = 0; k < nf && !found; k++)
			if (strcmp(files[k], name) == 0) {
				snprintf(post, HUB_ID_SIZE, "%s", posts[i]);
				found = true;
			}
		spool_ids_free(files, nf);
	}
	spool_ids_free(posts, np);
	return found;
}

/* queue show for one outgoing copy: its envelope and retry state. */
static int
copy_show(struct qctx *q, const char *post, const char *name)
{
	struct out *o = q->h->out;
	struct copy_retry cr;
	struct spool_msg *m = NULL;
	long long size = 0;
	char where[128];

	out_map_begin(o);
	out_kstr(o, "id", name);
	out_kstr(o, "queue", spool_queue_str(SPOOL_Q_OUTGOING));
	out_kstr(o, "post", post);
	snprintf(where, sizeof where, "spool/outgoing/%s/%s", post, name);
	out_kstr(o, "where", where);
	if (spool_outgoing_peek(q->sp, post, name, &m, &size) == SPOOL_OK) {
		out_kint(o, "size", size);
		put_time(o, "received", (long long)m->env.received);
		put_age(q, m->env.received);
		put_lists(q, m);
		out_key(o, "envelope");
		out_map_begin(o);
		out_kstr(o, "from", m->env.mail_from);
		put_names(q, "rcpt", m->env.rcpt, m->env.nrcpt);
		out_map_end(o);
		spool_msg_free(m);
	} else
		out_kstr(o, "error", "delivered meanwhile");
	out_key(o, "retry");
	out_map_begin(o);
	if (copy_retry_load(q->sp, post, name, &cr, NULL) != SPOOL_OK) {
		memset(&cr, 0, sizeof cr);
		out_kstr(o, "error", "retry state unreadable");
	}
	out_kint(o, "attempts", cr.attempts);
	put_time(o, "first", cr.first);
	put_time(o, "last_at", cr.last_at);
	out_kstr(o, "last_error", cr.reply[0] != '\0' ? cr.reply : NULL);
	put_time(o, "next_try", cr.next);
	out_map_end(o);
	out_map_end(o);
	return HUBCTL_OK;
}

/* queue show / quarantine show: everything but the message. */
static int
queue_show(struct qctx *q, const char *id, bool quarantine_only)
{
	struct out *o = q->h->out;
	enum spool_queue qu;
	struct spool_retry r;
	struct spool_msg *m = NULL;
	enum spool_status st;
	long long size = 0;
	char where[64], *why = NULL;
	size_t nout;
	time_t next;
	char post[HUB_ID_SIZE];
	int rc;

	if (!quarantine_only && spool_locate(q->sp, id, &qu) ==
	    SPOOL_NOT_FOUND && find_copy(q, id, post))
		return copy_show(q, post, id);
	if ((rc = locate(q, id, &qu)) != HUBCTL_OK)
		return rc;
	if (quarantine_only && qu != SPOOL_Q_QUARANTINE)
		return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is in %s/, "
		    "not quarantined", id, spool_queue_str(qu));
	out_map_begin(o);
	out_kstr(o, "id", id);
	out_kstr(o, "queue", spool_queue_str(qu));
	snprintf(where, sizeof where, "spool/%s/%s", spool_queue_str(qu), id);
	out_kstr(o, "where", where);
	if (qu == SPOOL_Q_OUTGOING) {
		/* the post is done; its copies wait for the relay */
		out_key(o, "copies");
		out_list_begin(o);
		(void)put_outgoing(q, id, &nout);
		out_list_end(o);
		out_map_end(o);
		return HUBCTL_OK;
	}
	if (qu == SPOOL_Q_ACTIVE)
		out_kstr(o, "note", "a worker holds it");
	st = spool_peek(q->sp, qu, id, &m, &size);
	if (st == SPOOL_OK) {
		out_kint(o, "size", size);
		put_time(o, "received", (long long)m->env.received);
		put_age(q, m->env.received);
		put_lists(q, m);
		out_key(o, "envelope");
		out_map_begin(o);
		out_kstr(o, "protocol", m->env.protocol);
		out_kstr(o, "client", m->env.client);
		out_kstr(o, "helo", m->env.helo);
		out_kstr(o, "from", m->env.mail_from);
		put_names(q, "rcpt", m->env.rcpt, m->env.nrcpt);
		out_map_end(o);
		spool_msg_free(m);
	} else
		out_kstr(o, "error", spool_status_str(st));
	out_key(o, "retry");
	out_map_begin(o);
	if (spool_retry_load(q->sp, id, &r) != SPOOL_OK) {
		memset(&r, 0, sizeof r);
		out_kstr(o, "error", "retry state unreadable");
	}
	out_kint(o, "attempts", r.attempts);
	out_kint(o, "crashes", r.crashes);
	put_time(o, "first", r.first);
	put_time(o, "last_at", r.last_at);
	out_kstr(o, "last", r.last);
	if (qu == SPOOL_Q_DEFERRED &&
	    spool_deferred_next(q->sp, id, &next) == SPOOL_OK)
		put_time(o, "next_try", (long long)next);
	out_map_end(o);
	if ((qu == SPOOL_Q_REJECTED || qu == SPOOL_Q_QUARANTINE) &&
	    spool_why(q->sp, qu, id, &why) == SPOOL_OK) {
		/* the worker's or the master's reason, not the message */
		out_ktext(o, "why", why);
		free(why);
	} else if (qu == SPOOL_Q_REJECTED || qu == SPOOL_Q_QUARANTINE)
		out_kstr(o, "why", NULL);
	out_map_end(o);
	return HUBCTL_OK;
}

/* Copy name of set post due now: its retry state's next try set to now,
 * its count and last reply kept (the relay reads the replaced file at
 * its next scan).  1 changed, 0 nothing to do (never deferred: due
 * already, or delivered meanwhile), -1 with errno. */
static int
copy_due_now(struct qctx *q, const char *post, const char *name)
{
	struct copy_retry cr;
	enum spool_status st;

	if ((st = copy_retry_load(q->sp, post, name, &cr, NULL)) ==
	    SPOOL_CORRUPT)
		memset(&cr, 0, sizeof cr);
	else if (st != SPOOL_OK)
		return -1;
	if (cr.attempts == 0 && cr.next == 0 && st == SPOOL_OK)
		return 0;
	cr.next = (long long)q->now;
	st = copy_retry_save(q->sp, post, name, &cr, NULL);
	if (st == SPOOL_NOT_FOUND)
		return 0;
	return st == SPOOL_OK ? 1 : -1;
}

/* Every copy of set post (name: that one only) due now, each listed. */
static int
copies_due_now(struct qctx *q, const char *post, const char *name,
    size_t *done)
{
	char **files;
	size_t nf, k;
	int rc = 0, r;

	if (spool_outgoing_files(q->sp, post, &files, &nf) != SPOOL_OK)
		return 0;	/* delivered and reaped meanwhile */
	for (k = 0; k < nf && rc == 0; k++) {
		if (name != NULL && strcmp(files[k], name) != 0)
			continue;
		if ((r = copy_due_now(q, post, files[k])) == -1) {
			hubctl_warn("cannot retry copy %s of %s: %s",
			    files[k], post, strerror(errno));
			rc = -1;
		} else if (r == 1) {
			audit("queue-retry", files[k], SPOOL_Q_OUTGOING);
			out_str(q->h->out, files[k]);
			(*done)++;
		}
	}
	spool_ids_free(files, nf);
	return rc;
}

/* queue retry ID|--all: due now (postqueue -f): deferred entries and
 * the relay's copies. */
static int
queue_retry(struct qctx *q, const char *id)
{
	struct out *o = q->h->out;
	enum spool_queue qu = SPOOL_Q_DEFERRED;
	enum spool_status st;
	char **ids, **posts = NULL, post[HUB_ID_SIZE] = "";
	size_t i, n, np = 0, done = 0;
	const char *copy = NULL;
	int rc;

	if (id != NULL) {
		if (spool_locate(q->sp, id, &qu) == SPOOL_NOT_FOUND &&
		    find_copy(q, id, post)) {
			/* one copy in an outgoing set */
			qu = SPOOL_Q_OUTGOING;
			copy = id;
		} else if ((rc = locate(q, id, &qu)) != HUBCTL_OK)
			return rc;
		else if (qu == SPOOL_Q_OUTGOING)
			snprintf(post, sizeof post, "%s", id);
		else if (qu != SPOOL_Q_DEFERRED)
			return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is "
			    "in %s/, not deferred: nothing to retry", id,
			    spool_queue_str(qu));
		n = 0;
		ids = NULL;
		if (qu == SPOOL_Q_DEFERRED) {
			ids = xcalloc(1, sizeof *ids);
			ids[0] = xstrdup(id);
			n = 1;
		} else {
			posts = xcalloc(1, sizeof *posts);
			posts[0] = xstrdup(post);
			np = 1;
		}
	} else {
		if (spool_list(q->sp, SPOOL_Q_DEFERRED, &ids, &n) != SPOOL_OK)
			return hubctl_fail(q->h, HUBCTL_ENV, "cannot read "
			    "spool/deferred: %s", strerror(errno));
		if (spool_outgoing_posts(q->sp, &posts, &np) != SPOOL_OK) {
			spool_ids_free(ids, n);
			return hubctl_fail(q->h, HUBCTL_ENV, "cannot read "
			    "spool/outgoing: %s", strerror(errno));
		}
	}
	out_map_begin(o);
	out_key(o, "retried");
	out_list_begin(o);
	rc = HUBCTL_OK;
	for (i = 0; i < n; i++) {
		st = spool_deferred_set_next(q->sp, ids[i], q->now);
		if (st == SPOOL_NOT_FOUND && id == NULL)
			continue;	/* a worker took it meanwhile */
		if (st != SPOOL_OK) {
			rc = hubctl_fail(q->h, st == SPOOL_NOT_FOUND ?
			    HUBCTL_ERROR : HUBCTL_ENV, "cannot retry %s: %s",
			    ids[i], st == SPOOL_NOT_FOUND ?
			    "a worker has taken it meanwhile" :
			    strerror(errno));
			break;
		}
		audit("queue-retry", ids[i], SPOOL_Q_DEFERRED);
		out_str(o, ids[i]);
		done++;
	}
	for (i = 0; rc == HUBCTL_OK && i < np; i++)
		if (copies_due_now(q, posts[i], copy, &done) == -1)
			rc = HUBCTL_ENV;
	out_list_end(o);
	if (rc == HUBCTL_OK) {
		out_kint(o, "count", (long long)done);
		/* the worker reads deferred/ at most once a second
		 * (hub/worker.c drain), the relay outgoing/ likewise: no
		 * signal is cheaper than that wait */
		out_kstr(o, "note", "due now: a worker or the relay takes "
		    "it at its next rescan (about a second)");
	}
	out_map_end(o);
	spool_ids_free(ids, n);
	spool_ids_free(posts, np);
	return rc;
}

/* queue delete / quarantine drop. */
static int
queue_delete(struct qctx *q, const char *id, bool quarantine_only)
{
	struct out *o = q->h->out;
	enum spool_queue qu;
	enum spool_status st;
	int rc;

	if ((rc = locate(q, id, &qu)) != HUBCTL_OK)
		return rc;
	if (quarantine_only && qu != SPOOL_Q_QUARANTINE)
		return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is in %s/, "
		    "not quarantined: not dropped", id, spool_queue_str(qu));
	switch (qu) {
	case SPOOL_Q_ACTIVE:
		return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is in "
		    "active/: a worker holds it; not deleted (try again once "
		    "it is deferred, rejected or quarantined)", id);
	case SPOOL_Q_OUTGOING:
		return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is done; "
		    "its copies in outgoing/ belong to the relay: not "
		    "deleted", id);
	case SPOOL_Q_INCOMING:
	case SPOOL_Q_DEFERRED:
	case SPOOL_Q_REJECTED:
	case SPOOL_Q_QUARANTINE:
		break;
	default:
		return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is in %s/: "
		    "not deleted by hubctl", id, spool_queue_str(qu));
	}
	if ((st = spool_remove(q->sp, id, qu)) != SPOOL_OK)
		return hubctl_fail(q->h, st == SPOOL_NOT_FOUND ?
		    HUBCTL_ERROR : HUBCTL_ENV, "cannot delete %s from %s/: "
		    "%s", id, spool_queue_str(qu), st == SPOOL_NOT_FOUND ?
		    "a worker has taken it meanwhile" : strerror(errno));
	audit(quarantine_only ? "quarantine-drop" : "queue-delete", id, qu);
	out_map_begin(o);
	out_kstr(o, "id", id);
	out_kstr(o, "queue", spool_queue_str(qu));
	out_kbool(o, "deleted", 1);
	out_map_end(o);
	return HUBCTL_OK;
}

/* quarantine release: back to incoming/, counted from zero. */
static int
quarantine_release(struct qctx *q, const char *id)
{
	struct out *o = q->h->out;
	enum spool_queue qu;
	enum spool_status st;
	int rc;

	if ((rc = locate(q, id, &qu)) != HUBCTL_OK)
		return rc;
	if (qu != SPOOL_Q_QUARANTINE)
		return hubctl_fail(q->h, HUBCTL_ERROR, "entry %s is in %s/, "
		    "not quarantined: nothing to release", id,
		    spool_queue_str(qu));
	if ((st = spool_release(q->sp, id)) != SPOOL_OK)
		return hubctl_fail(q->h, st == SPOOL_NOT_FOUND ?
		    HUBCTL_ERROR : HUBCTL_ENV, "cannot release %s: %s", id,
		    st == SPOOL_NOT_FOUND ? "it is gone" : strerror(errno));
	audit("quarantine-release", id, SPOOL_Q_QUARANTINE);
	out_map_begin(o);
	out_kstr(o, "id", id);
	out_kstr(o, "queue", spool_queue_str(SPOOL_Q_INCOMING));
	out_kbool(o, "released", 1);
	/* SIGHUP would reload and drain every worker: far dearer than the
	 * worker's own rescan of incoming/ every second (hub/worker.c) */
	out_kstr(o, "note", "a worker takes it at its next rescan (about a "
	    "second); no signal is sent");
	out_map_end(o);
	return HUBCTL_OK;
}

/* VERB ID: exactly one argument after the verb, a valid id. */
static int
one_id(struct hubctl *h, const struct hubctl_cmd *c, int argc, char **argv)
{
	if (argc != 3) {
		if (argc > 3)
			hubctl_warn("%s %s: unexpected argument: %s",
			    argv[0], argv[1], argv[3]);
		return hubctl_usage(c);
	}
	return check_id(h, argv[2]);
}

int
cmd_queue(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("queue");
	const char *verb = argc >= 2 ? argv[1] : "ls";
	const char *id = NULL;
	struct qctx q;
	int rc;

	if (hubctl_wants_help(argc, argv))
		return hubctl_help(c);
	if (strcmp(verb, "ls") == 0) {
		if (argc > 2)
			return hubctl_usage(c);
	} else if (strcmp(verb, "retry") == 0) {
		if (argc != 3)
			return hubctl_usage(c);
		if (strcmp(argv[2], "--all") != 0) {
			if ((rc = check_id(h, argv[2])) != HUBCTL_OK)
				return rc;
			id = argv[2];
		}
	} else if (strcmp(verb, "show") == 0 || strcmp(verb, "delete") == 0) {
		if ((rc = one_id(h, c, argc, argv)) != HUBCTL_OK)
			return rc;
		id = argv[2];
	} else {
		hubctl_warn("queue: no such subcommand: %s", verb);
		return hubctl_usage(c);
	}
	if ((rc = qctx_open(h, &q)) != HUBCTL_OK)
		return rc;
	if (strcmp(verb, "ls") == 0)
		rc = queue_ls(&q, false);
	else if (strcmp(verb, "show") == 0)
		rc = queue_show(&q, id, false);
	else if (strcmp(verb, "retry") == 0)
		rc = queue_retry(&q, id);
	else
		rc = queue_delete(&q, id, false);
	qctx_close(&q);
	return rc;
}

int
cmd_quarantine(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("quarantine");
	const char *verb;
	struct qctx q;
	int rc;

	if (argc < 2 || hubctl_wants_help(argc, argv))
		return argc < 2 ? hubctl_usage(c) : hubctl_help(c);
	verb = argv[1];
	if (strcmp(verb, "ls") == 0) {
		if (argc != 2)
			return hubctl_usage(c);
	} else if (strcmp(verb, "show") == 0 || strcmp(verb, "release") == 0 ||
	    strcmp(verb, "drop") == 0) {
		if ((rc = one_id(h, c, argc, argv)) != HUBCTL_OK)
			return rc;
	} else {
		hubctl_warn("quarantine: no such subcommand: %s", verb);
		return hubctl_usage(c);
	}
	if ((rc = qctx_open(h, &q)) != HUBCTL_OK)
		return rc;
	if (strcmp(verb, "ls") == 0)
		rc = queue_ls(&q, true);
	else if (strcmp(verb, "show") == 0)
		rc = queue_show(&q, argv[2], true);
	else if (strcmp(verb, "release") == 0)
		rc = quarantine_release(&q, argv[2]);
	else
		rc = queue_delete(&q, argv[2], true);
	qctx_close(&q);
	return rc;
}
