#include "config.h"

#include "hub/relay.h"
#include "hub/conf.h"
#include "hub/copystate.h"
#include "hub/dsn.h"
#include "hub/proc.h"
#include "hub/spool.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* auth-client.h first: libesmtp.h declares smtp_auth_set_context only
 * when it has seen auth_context_t. */
#include <auth-client.h>
#include <libesmtp.h>

/* Messages per SMTP session: enough to amortise the connection, few
 * enough that a kill -9 re-sends little (the session in flight). */
#define BATCH_MAX	50
#define BACKOFF_MAX	3600
#define SCAN_MS		1000
#define TABLE_SIZE	1024
#define REPLY_MAX	256
#define PASSWORD_MAX	1024
/* Clock granularity when telling a timeout from an early close. */
#define TIMEOUT_SLACK_MS 10

enum entry_state {
	E_IDLE,		/* waiting for its time (next_try) */
	E_QUEUED,	/* in the work queue */
	E_BUSY,		/* in a session */
};

/*
 * One outgoing file the relay knows about.  The file is the truth; its
 * retry state is on disk beside it (hub/copystate.h), read when the
 * entry is made (a restart keeps every copy's count and next try) and
 * again whenever the file is replaced (hubctl queue retry); this is the
 * schedule made of it.  An idle entry is the main thread's alone (only
 * it queues entries); a queued or busy one is a sender thread's.
 */
struct entry {
	char		 post[HUB_ID_SIZE];
	char		 name[HUB_ID_SIZE];
	enum entry_state state;
	bool		 seen;		/* in the latest scan */
	bool		 loaded;	/* its state on disk was read */
	time_t		 next_try;	/* hub_mono(): a clock step moves no retry */
	unsigned	 attempts;	/* deferrals so far */
	long long	 first;		/* wall time of the first, 0: none */
	struct copy_stamp stamp;	/* the state file read or written */
	struct entry	*hnext;		/* hash chain */
	struct entry	*qnext;		/* work queue */
};

struct relay {
	const struct hub_config *cfg;
	int		 link_fd;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct entry	*table[TABLE_SIZE];
	struct entry	*qhead, *qtail;
	size_t		 qlen;
	bool		 stopping;
	char		*password;	/* NULL: no AUTH */
	char		 server[PATH_MAX];
};

/*
 * What a session waits for, each under its own timeout (hub.conf(5)).
 * libESMTP reports an expired timeout only as a dropped connection, so
 * the session tracks where it is (session_event, session_monitor,
 * body_cb) and session_timeout() tells the two apart afterwards.
 */
enum phase {
	P_CONNECT,	/* TCP connect: relay_connect_timeout */
	P_GREETING,	/* the 220: relay_helo_timeout */
	P_HELO,		/* EHLO, STARTTLS, AUTH: relay_helo_timeout */
	P_ENVELOPE,	/* MAIL FROM, RCPT TO: relay_envelope_timeout */
	P_DATA_INIT,	/* DATA until the 354: relay_data_init_timeout */
	P_DATA_XFER,	/* the message: relay_data_xfer_timeout */
	P_DATA_DONE,	/* the final dot until its reply: ..._done_timeout */
	P_QUIT,		/* nothing of ours left in flight */
};

static const char *const phase_names[] = {
	[P_CONNECT] = "connect",
	[P_GREETING] = "greeting",
	[P_HELO] = "helo",
	[P_ENVELOPE] = "envelope",
	[P_DATA_INIT] = "data-init",
	[P_DATA_XFER] = "data-xfer",
	[P_DATA_DONE] = "data-done",
	[P_QUIT] = "quit",
};

/* What one session did with one file. */
enum outcome {
	O_DELIVERED,
	O_DEFERRED,
	O_FAILED,	/* 5xx */
	O_GONE,		/* the file vanished (or will not load) */
};

struct session_ctx;

struct job {
	struct entry	*e;
	struct spool_msg *m;
	struct session_ctx *ctx;	/* during the session */
	smtp_message_t	 msg;
	smtp_recipient_t rcpt;
	enum outcome	 outcome;
	bool		 settled;	/* finished during the session */
	int		 code;
	int		 enh[3];
	char		 reply[REPLY_MAX];
};

/* What a session's callbacks need, and where the session is. */
struct session_ctx {
	struct relay	*r;
	struct spool	*sp;
	enum phase	 phase;
	long long	 start;		/* ms, monotonic */
	long long	 mark;		/* ms: the last sign of progress */
	bool		 connected;
	/* The transfer stalled past its timeout: libESMTP then drops what
	 * it could not write and goes on, so the body was cut; the dot is
	 * withheld (body_cb) and the session ends. */
	bool		 xfer_stalled;
	long long	 stall_ms;
};

static volatile sig_atomic_t got_term;

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* --- the table of known files --------------------------------------- */

static unsigned
hash_key(const char *post, const char *name)
{
	uint32_t h = 2166136261u;
	const char *s;

	for (s = post; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (s = name; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % TABLE_SIZE;
}

static struct entry *
entry_get(struct relay *r, const char *post, const char *name, bool create)
{
	unsigned h = hash_key(post, name);
	struct entry *e;

	for (e = r->table[h]; e != NULL; e = e->hnext)
		if (strcmp(e->post, post) == 0 && strcmp(e->name, name) == 0)
			return e;
	if (!create || strlen(post) >= HUB_ID_SIZE ||
	    strlen(name) >= HUB_ID_SIZE)
		return NULL;
	e = xcalloc(1, sizeof *e);
	memcpy(e->post, post, strlen(post) + 1);
	memcpy(e->name, name, strlen(name) + 1);
	e->hnext = r->table[h];
	r->table[h] = e;
	return e;
}

static void
entry_remove(struct relay *r, struct entry *e)
{
	struct entry **pp = &r->table[hash_key(e->post, e->name)];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			free(e);
			return;
		}
}

static void
queue_push(struct relay *r, struct entry *e)
{
	e->state = E_QUEUED;
	e->qnext = NULL;
	if (r->qtail != NULL)
		r->qtail->qnext = e;
	else
		r->qhead = e;
	r->qtail = e;
	r->qlen++;
}

static struct entry *
queue_pop(struct relay *r)
{
	struct entry *e = r->qhead;

	if (e == NULL)
		return NULL;
	r->qhead = e->qnext;
	if (r->qhead == NULL)
		r->qtail = NULL;
	r->qlen--;
	e->state = E_BUSY;
	return e;
}

/* --- the backoff and its state on disk -------------------------------- */

/* The longest wait: BACKOFF_MAX, or relay_retry if that is longer. */
static unsigned
backoff_cap(const struct hub_config *cfg)
{
	return cfg->relay_retry > BACKOFF_MAX ? cfg->relay_retry : BACKOFF_MAX;
}

/* The wait after the attempts-th deferral: relay_retry doubled per
 * deferral after the first, capped. */
static unsigned
backoff_for(const struct hub_config *cfg, unsigned attempts)
{
	unsigned long long d = cfg->relay_retry;
	unsigned cap = backoff_cap(cfg), i;

	for (i = 1; i < attempts && d < cap; i++)
		d *= 2;
	return d > cap ? cap : (unsigned)d;
}

/* A stored wall time as a monotonic one: the wait it asks for, capped
 * at the backoff of its attempt (a wall clock stepped back since, or a
 * time from elsewhere, must not stall the copy longer than one retry
 * interval). */
static time_t
mono_due(const struct hub_config *cfg, long long next_wall, unsigned attempts)
{
	long long wait = next_wall - (long long)hub_now();
	unsigned most = backoff_for(cfg, attempts > 0 ? attempts : 1);

	if (wait < 0)
		wait = 0;
	if (wait > (long long)most)
		wait = most;
	return hub_mono() + (time_t)wait;
}

/* Read idle entry e's state from disk when it is new to us or the file
 * was replaced (by hubctl queue retry).  Main thread, outside the lock:
 * an idle entry changes only in this thread. */
static void
state_sync(struct relay *r, struct spool *sp, struct entry *e)
{
	struct copy_retry cr;
	enum spool_status st;
	bool again = e->loaded;

	if (e->loaded && !copy_retry_changed(sp, e->post, e->name,
	    &e->stamp))
		return;
	st = copy_retry_load(sp, e->post, e->name, &cr, &e->stamp);
	if (st == SPOOL_CORRUPT)
		log_warnx("copy-retry-corrupt post=%s file=%s action=reset",
		    e->post, e->name);
	else if (st != SPOOL_OK) {
		/* unreadable now: keep what we have, read it next time */
		if (!e->loaded)
			log_warnx("copy-retry-unreadable post=%s file=%s "
			    "status=%s", e->post, e->name,
			    spool_status_str(st));
		return;
	}
	e->loaded = true;
	e->attempts = cr.attempts;
	e->first = cr.first;
	e->next_try = cr.next == 0 ? 0 : mono_due(r->cfg, cr.next,
	    cr.attempts);
	if (again || cr.attempts > 0)
		log_info("copy-retry-read post=%s file=%s attempts=%u "
		    "next-in=%lld", e->post, e->name, e->attempts,
		    e->next_try == 0 ? 0LL :
		    (long long)(e->next_try - hub_mono()));
}

/* --- scanning outgoing/ --------------------------------------------- */

static void
scan_post(struct relay *r, struct spool *sp, const char *post)
{
	char **names;
	size_t i, n;
	struct entry *e;
	bool sync;

	if (spool_outgoing_files(sp, post, &names, &n) != SPOOL_OK)
		return;
	/* A set the worker committed empty (or we emptied) is reaped here,
	 * once the worker has let go of the post. */
	if (n == 0)
		(void)spool_outgoing_reap(sp, post);
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&r->mu);
		if ((e = entry_get(r, post, names[i], true)) != NULL)
			e->seen = true;
		/* waiting, or new: its state on disk may say otherwise */
		sync = e != NULL && e->state == E_IDLE &&
		    (!e->loaded || e->next_try > hub_mono());
		pthread_mutex_unlock(&r->mu);
		if (e == NULL)
			continue;
		if (sync)
			state_sync(r, sp, e);
		pthread_mutex_lock(&r->mu);
		if (e->state == E_IDLE && e->next_try <= hub_mono())
			queue_push(r, e);
		pthread_mutex_unlock(&r->mu);
	}
	spool_ids_free(names, n);
}

/* Forget idle entries whose files are gone (removed by hand, say). */
static void
scan_sweep(struct relay *r)
{
	struct entry *e, *next;
	size_t i;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < TABLE_SIZE; i++)
		for (e = r->table[i]; e != NULL; e = next) {
			next = e->hnext;
			if (!e->seen && e->state == E_IDLE)
				entry_remove(r, e);
			else
				e->seen = false;
		}
	pthread_mutex_unlock(&r->mu);
}

static void
scan(struct relay *r, struct spool *sp)
{
	char **posts;
	size_t i, n;

	if (spool_outgoing_posts(sp, &posts, &n) != SPOOL_OK) {
		log_warn("scan-failed queue=outgoing");
		return;
	}
	for (i = 0; i < n; i++)
		scan_post(r, sp, posts[i]);
	spool_ids_free(posts, n);
	scan_sweep(r);
	pthread_mutex_lock(&r->mu);
	if (r->qlen > 0)
		pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* --- the delivery report (hub/dsn.h) --------------------------------- */

/* The remote reply as one header-safe line. */
static void
reply_clean(char *dst, size_t n, int code, const char *text)
{
	size_t i, len;

	if (code == 0) {
		snprintf(dst, n, "%s", text);
		return;
	}
	snprintf(dst, n, "%d %s", code, text != NULL ? text : "");
	len = strlen(dst);
	for (i = 0; i < len; i++)
		if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7f)
			dst[i] = ' ';
	while (len > 0 && dst[len - 1] == ' ')
		dst[--len] = '\0';
}

/* Commit the DSN to incoming/ for a worker to file; 0 and its id in
 * dsn_id, or -1 (then the file is kept and retried later). */
static int
report_commit(struct relay *r, struct spool *sp, const struct job *j,
    const char *status, const char *why, char dsn_id[HUB_ID_SIZE])
{
	const char *rcpt[1] = { j->m->env.mail_from };
	struct spool_envelope env;
	struct dsn_in in;
	struct spool_tx *tx;
	struct buf *b;
	char line[PROC_LINE_MAX];
	enum spool_status st;

	spool_envelope_local(&env, "relay", "", rcpt);
	memset(&in, 0, sizeof in);
	in.domain = r->cfg->domain;
	in.hostname = r->cfg->hostname;
	in.remote_mta = r->cfg->smarthost_host;
	in.to = j->m->env.mail_from;
	in.rcpt = j->m->env.rcpt[0];
	in.status = status;
	in.why = why;
	in.diagnostic = j->code != 0 ? j->reply : NULL;
	in.arrival = (long long)j->m->env.received;
	in.now = (long long)hub_now();
	in.copy = j->m->body;
	in.copy_len = j->m->body_len;
	b = buf_new(0);
	dsn_build(&in, b);
	if ((st = spool_begin(sp, &env, &tx)) == SPOOL_OK) {
		if ((st = spool_write(tx, buf_data(b), buf_len(b))) != SPOOL_OK)
			spool_abort(tx);
		else
			st = spool_commit(tx, dsn_id);
	}
	buf_free(b);
	if (st != SPOOL_OK) {
		log_warnx("dsn-failed post=%s file=%s status=%s", j->e->post,
		    j->e->name, spool_status_str(st));
		return -1;
	}
	/* A hint only: the master rescans incoming/ anyway. */
	if (proc_line(line, sizeof line, "incoming", dsn_id) > 0 &&
	    write(r->link_fd, line, strlen(line)) == -1)
		log_debug("hint-lost id=%s", dsn_id);
	return 0;
}

/* --- one session ----------------------------------------------------- */

/* A gap in the transfer as long as its timeout: libESMTP may have
 * dropped a buffer there (its writes give up silently). */
static void
xfer_progress(struct session_ctx *c)
{
	long long now = mono_ms(), gap = now - c->mark;

	if (gap + TIMEOUT_SLACK_MS >=
	    (long long)c->r->cfg->relay_data_xfer_timeout * 1000) {
		c->xfer_stalled = true;
		if (gap > c->stall_ms)
			c->stall_ms = gap;
	}
	c->mark = now;
}

/*
 * libesmtp frees *ctx itself, so the "already sent" flag lives there.
 * It calls once more at the end of the body, before it writes the dot:
 * after a stalled transfer that call fails (errno set), so libESMTP
 * drops the connection instead of ending a body with a hole in it.
 */
static const char *
body_cb(void **ctx, int *len, void *arg)
{
	const struct job *j = arg;
	struct session_ctx *c = j->ctx;
	int *sent;

	if (*ctx == NULL)
		*ctx = xcalloc(1, sizeof(int));
	sent = *ctx;
	if (len == NULL) {	/* rewind */
		*sent = 0;
		return NULL;
	}
	if (*sent) {
		*len = 0;
		xfer_progress(c);
		if (c->xfer_stalled) {
			errno = ETIMEDOUT;
			return NULL;
		}
		c->phase = P_DATA_DONE;
		return NULL;
	}
	*sent = 1;
	c->phase = P_DATA_XFER;
	c->mark = mono_ms();
	*len = (int)j->m->body_len;
	return j->m->body;
}

static int
auth_interact(auth_client_request_t req, char **result, int fields,
    void *arg)
{
	struct relay *r = arg;
	int i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = r->cfg->smarthost_user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = r->password;
		else
			return 0;
	}
	return 1;
}

/*
 * libESMTP's timeouts, in ms.  Its greeting timeout also covers EHLO,
 * STARTTLS and AUTH (it sets the envelope one at MAIL), as Postfix's
 * smtp_helo_timeout does.  The override flag lets hub.conf go below
 * the RFC 5321 minimums (libESMTP would raise them silently), down to
 * libESMTP's floor of 1 s, which conf.c also keeps.
 */
static void
session_timeouts(smtp_session_t s, const struct hub_config *cfg)
{
	const struct {
		int		 which;
		unsigned	 secs;
	} t[] = {
		{ Timeout_GREETING, cfg->relay_helo_timeout },
		{ Timeout_ENVELOPE, cfg->relay_envelope_timeout },
		{ Timeout_DATA, cfg->relay_data_init_timeout },
		{ Timeout_TRANSFER, cfg->relay_data_xfer_timeout },
		{ Timeout_DATA2, cfg->relay_data_done_timeout },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (smtp_set_timeout(s, t[i].which |
		    Timeout_OVERRIDE_RFC2822_MINIMUM,
		    (long)t[i].secs * 1000L) != (long)t[i].secs * 1000L)
			fatalx("libesmtp refused a timeout of %u s",
			    t[i].secs);
}

static smtp_session_t
session_new(struct relay *r, auth_context_t *authp)
{
	static const enum starttls_option tls[] = {
		[SMARTHOST_TLS_NO] = Starttls_DISABLED,
		[SMARTHOST_TLS_STARTTLS] = Starttls_ENABLED,
		[SMARTHOST_TLS_REQUIRE] = Starttls_REQUIRED,
	};
	smtp_session_t s;
	auth_context_t auth = NULL;

	if ((s = smtp_create_session()) == NULL)
		fatalx("smtp_create_session: out of memory");
	if (!smtp_set_server(s, r->server) ||
	    !smtp_set_hostname(s, r->cfg->hostname))
		fatalx("libesmtp refused the smarthost or hostname");
	if (!smtp_starttls_enable(s, tls[r->cfg->smarthost_tls]))
		fatalx("libesmtp was built without STARTTLS");
	session_timeouts(s, r->cfg);
	if (r->password != NULL) {
		if ((auth = auth_create_context()) == NULL)
			fatalx("auth_create_context: out of memory");
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, auth_interact, r);
		smtp_auth_set_context(s, auth);
	}
	*authp = auth;
	return s;
}

static void
job_add(smtp_session_t s, struct job *j, struct session_ctx *c)
{
	j->ctx = c;
	j->msg = smtp_add_message(s);
	if (j->msg == NULL ||
	    !smtp_set_reverse_path(j->msg, j->m->env.mail_from) ||
	    !smtp_set_messagecb(j->msg, body_cb, j) ||
	    (j->rcpt = smtp_add_recipient(j->msg, j->m->env.rcpt[0])) == NULL)
		fatalx("libesmtp: out of memory adding a message");
	smtp_message_set_application_data_release(j->msg, j, NULL);
	smtp_size_set_estimate(j->msg, (unsigned long)j->m->body_len);
	if (j->m->env.body_8bit)
		smtp_8bitmime_set_body(j->msg, E8bitmime_8BITMIME);
}

static void
job_status(struct job *j, const smtp_status_t *st)
{
	j->code = st->code;
	j->enh[0] = st->enh_class;
	j->enh[1] = st->enh_subject;
	j->enh[2] = st->enh_detail;
	/* libesmtp parses the code only when ENHANCEDSTATUSCODES was
	 * announced; servers send it regardless. */
	if (j->enh[0] == 0 && st->text != NULL &&
	    sscanf(st->text, "%1d.%3d.%3d", &j->enh[0], &j->enh[1],
	    &j->enh[2]) != 3)
		j->enh[0] = 0;
	reply_clean(j->reply, sizeof j->reply, st->code, st->text);
}

/* The first failing step decides: MAIL, then RCPT, then DATA. */
static void
job_result(struct job *j, const char *session_error)
{
	const smtp_status_t *from, *rcpt, *data;

	from = smtp_reverse_path_status(j->msg);
	rcpt = smtp_recipient_status(j->rcpt);
	data = smtp_message_transfer_status(j->msg);
	if (from != NULL && from->code >= 400)
		job_status(j, from);
	else if (rcpt != NULL && rcpt->code >= 400)
		job_status(j, rcpt);
	else if (data != NULL && data->code != 0 && data->code / 100 != 3)
		job_status(j, data);
	else {
		/* No reply: never connected, or cut before the end of DATA
		 * (libESMTP keeps DATA's 354 there until the final reply). */
		j->code = 0;
		snprintf(j->reply, sizeof j->reply, "%s", session_error);
	}
	if (j->code >= 200 && j->code < 300)
		j->outcome = O_DELIVERED;
	else if (j->code >= 500 && j->code < 600)
		j->outcome = O_FAILED;
	else
		j->outcome = O_DEFERRED;
}

static bool job_finish(struct relay *, struct spool *, struct job *);
static const char *rcpt_safe(const struct job *, char *, size_t);

/*
 * Settle each 2xx as its reply arrives rather than when the session ends:
 * a kill -9 then re-sends only the message whose reply was on its way,
 * not the whole batch.
 */
static void
session_event(smtp_session_t s, int event, void *arg, ...)
{
	struct session_ctx *c = arg;
	smtp_message_t msg;
	struct job *j;
	va_list ap;

	(void)s;
	/* Certificate events pass an int *ok that libesmtp starts at 0:
	 * leaving it alone refuses the certificate, which is the point. */
	if (event == SMTP_EV_INVALID_PEER_CERTIFICATE ||
	    event == SMTP_EV_NO_PEER_CERTIFICATE ||
	    event == SMTP_EV_WRONG_PEER_CERTIFICATE) {
		log_warnx("tls-refused server=%s reason=%s", c->r->server,
		    event == SMTP_EV_INVALID_PEER_CERTIFICATE ? "unverified" :
		    event == SMTP_EV_NO_PEER_CERTIFICATE ? "no-certificate" :
		    "wrong-name");
		return;
	}
	if (event == SMTP_EV_EXTNA_STARTTLS) {
		log_warnx("tls-refused server=%s reason=not-offered",
		    c->r->server);
		return;
	}
	switch (event) {
	case SMTP_EV_CONNECT:
		c->connected = true;
		c->phase = P_GREETING;
		c->mark = mono_ms();
		return;
	case SMTP_EV_MESSAGEDATA:
		xfer_progress(c);
		return;
	case SMTP_EV_MESSAGESENT:
		c->mark = mono_ms();
		break;
	default:
		return;
	}
	va_start(ap, arg);
	msg = va_arg(ap, smtp_message_t);
	va_end(ap);
	if ((j = smtp_message_get_application_data(msg)) == NULL)
		return;
	job_result(j, "no reply");
	if (j->outcome == O_DELIVERED) {
		(void)job_finish(c->r, c->sp, j);
		j->settled = true;
	}
}

/* The commands libESMTP writes (never the body: it mutes the monitor
 * for that) say what the session waits for next.  Only the phase is
 * kept; nothing of the buffer, which holds AUTH secrets, is logged. */
static void
session_monitor(const char *buf, int len, int writing, void *arg)
{
	static const struct {
		const char	*verb;
		enum phase	 phase;
	} verbs[] = {
		{ "EHLO ", P_HELO }, { "HELO ", P_HELO },
		{ "STARTTLS\r\n", P_HELO }, { "AUTH ", P_HELO },
		{ "MAIL FROM:", P_ENVELOPE }, { "RCPT TO:", P_ENVELOPE },
		{ "DATA\r\n", P_DATA_INIT }, { "QUIT\r\n", P_QUIT },
	};
	struct session_ctx *c = arg;
	const char *p = buf, *end = buf + (len > 0 ? len : 0), *nl;
	size_t i, n;

	c->mark = mono_ms();
	if (writing != SMTP_CB_WRITING)
		return;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end - 1;
		for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
			n = strlen(verbs[i].verb);
			if ((size_t)(nl + 1 - p) >= n &&
			    memcmp(p, verbs[i].verb, n) == 0)
				c->phase = verbs[i].phase;
		}
	}
}

static long long
phase_timeout_ms(const struct hub_config *cfg, enum phase p)
{
	unsigned secs = 0;

	switch (p) {
	case P_CONNECT: secs = cfg->relay_connect_timeout; break;
	case P_GREETING:
	case P_HELO: secs = cfg->relay_helo_timeout; break;
	case P_ENVELOPE: secs = cfg->relay_envelope_timeout; break;
	case P_DATA_INIT: secs = cfg->relay_data_init_timeout; break;
	case P_DATA_XFER: secs = cfg->relay_data_xfer_timeout; break;
	case P_DATA_DONE: secs = cfg->relay_data_done_timeout; break;
	case P_QUIT: break;
	}
	return (long long)secs * 1000;
}

/*
 * Did the session end on a timeout?  The phase it ended in (and how long
 * it had waited there), or -1.  A dropped connection ends at once; a
 * timeout only after the wait its phase allows.
 */
static int
session_timeout(const struct session_ctx *c, bool started, long long *after)
{
	long long now = mono_ms(), t;

	if (c->xfer_stalled && smtp_errno() == -ETIMEDOUT) {
		*after = c->stall_ms;
		return P_DATA_XFER;
	}
	if (!c->connected) {
		*after = now - c->start;
		return !started && smtp_errno() == -ETIMEDOUT ? P_CONNECT : -1;
	}
	*after = now - c->mark;
	t = phase_timeout_ms(c->r->cfg, c->phase);
	return t > 0 && *after + TIMEOUT_SLACK_MS >= t ? (int)c->phase : -1;
}

/* Log a timeout once per file it held; the files go the 4xx way. */
static void
session_timed_out(struct job *jobs, size_t n, enum phase p, long long after)
{
	char a[128];
	size_t i;
	bool first = true;

	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];

		if (j->outcome == O_GONE || j->settled || j->code != 0)
			continue;
		/* From the envelope on, one message is in flight; those
		 * after it were not tried, and say so. */
		if (!first && p >= P_ENVELOPE) {
			snprintf(j->reply, sizeof j->reply, "not sent: the "
			    "session timed out (%s)", phase_names[p]);
			continue;
		}
		first = false;
		snprintf(j->reply, sizeof j->reply, "timed out waiting %llds "
		    "(%s)", (after + 500) / 1000, phase_names[p]);
		log_warnx("relay-timeout post=%s file=%s rcpt=%s phase=%s "
		    "after=%llds", j->e->post, j->e->name,
		    rcpt_safe(j, a, sizeof a), phase_names[p],
		    (after + 500) / 1000);
	}
}

static void
session_run(struct relay *r, struct spool *sp, struct job *jobs, size_t n)
{
	struct session_ctx ctx;
	smtp_session_t s;
	auth_context_t auth;
	char err[128] = "no reply";
	size_t i, sent = 0;
	bool started = true;
	long long after;
	int p;

	memset(&ctx, 0, sizeof ctx);
	ctx.r = r;
	ctx.sp = sp;
	ctx.phase = P_CONNECT;
	s = session_new(r, &auth);
	smtp_set_eventcb(s, session_event, &ctx);
	smtp_set_monitorcb(s, session_monitor, &ctx, 0);
	for (i = 0; i < n; i++)
		if (jobs[i].outcome != O_GONE) {
			job_add(s, &jobs[i], &ctx);
			sent++;
		}
	ctx.start = ctx.mark = mono_ms();
	if (sent > 0 && !(started = smtp_start_session(s))) {
		char ebuf[96];
		const char *e;

		/* GNU strerror_r may return a static string, not ebuf. */
		e = smtp_strerror(smtp_errno(), ebuf, sizeof ebuf);
		snprintf(err, sizeof err, "session: %s", e != NULL ? e : "?");
		log_warnx("session-failed server=%s error=\"%s\"", r->server,
		    e != NULL ? e : "?");
	}
	for (i = 0; i < n; i++)
		if (jobs[i].outcome != O_GONE && !jobs[i].settled) {
			job_result(&jobs[i], err);
			/* The session ran but this copy got no final reply
			 * (the smarthost closed first): the session's error
			 * says why, where "no reply" would say nothing. */
			if (started && jobs[i].code == 0 && smtp_errno() != 0) {
				char ebuf[96];
				const char *e = smtp_strerror(smtp_errno(),
				    ebuf, sizeof ebuf);

				snprintf(jobs[i].reply, sizeof jobs[i].reply,
				    "session: %s", e != NULL ? e : "?");
			}
		}
	if (sent > 0 && (p = session_timeout(&ctx, started, &after)) != -1)
		session_timed_out(jobs, n, (enum phase)p, after);
	smtp_destroy_session(s);
	if (auth != NULL)
		auth_destroy_context(auth);
}

/* --- outcomes -------------------------------------------------------- */

static const char *
rcpt_safe(const struct job *j, char *dst, size_t n)
{
	return log_safe(dst, n, j->m->env.rcpt[0]);
}

/* The file goes; the directory is synced, and the set reaped, once for
 * the whole session (batch_sync). */
static void
file_done(struct spool *sp, const struct job *j)
{
	enum spool_status st;

	st = spool_outgoing_remove(sp, j->e->post, j->e->name);
	/* Delivered but still on disk: the next scan would send it again,
	 * every second (a spool remounted read-only).  Stop instead. */
	if (st != SPOOL_OK && st != SPOOL_NOT_FOUND)
		fatal("unlink-failed post=%s file=%s", j->e->post,
		    j->e->name);
	copy_retry_forget(sp, j->e->post, j->e->name);
}

/* One directory fsync per set a session removed files from, instead of
 * one per file (a journal commit each); then the set goes if empty. */
static void
batch_sync(struct spool *sp, const struct job *jobs, const bool *finished,
    size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (!finished[i])
			continue;
		for (k = 0; k < i; k++)
			if (finished[k] && strcmp(jobs[k].e->post,
			    jobs[i].e->post) == 0)
				break;
		if (k < i)
			continue;	/* that set is done already */
		if (spool_outgoing_sync(sp, jobs[i].e->post) != SPOOL_OK)
			fatal("dirsync-failed post=%s", jobs[i].e->post);
		(void)spool_outgoing_reap(sp, jobs[i].e->post);
	}
}

/* Give up on the file; false if the DSN could not be written (the file
 * then stays for another attempt). */
static bool
give_up(struct relay *r, struct spool *sp, struct job *j, bool expired)
{
	char status[16], why[REPLY_MAX + 128], dsn_id[HUB_ID_SIZE] = "none", a[128];

	if (expired) {
		snprintf(status, sizeof status, "5.4.7");
		snprintf(why, sizeof why, "it could not be delivered for %u "
		    "seconds (last reply: %s)", r->cfg->relay_lifetime,
		    j->reply);
	} else {
		if (j->enh[0] == 5)
			snprintf(status, sizeof status, "5.%d.%d",
			    j->enh[1] % 1000, j->enh[2] % 1000);
		else
			snprintf(status, sizeof status, "5.0.0");
		snprintf(why, sizeof why, "the smarthost refused it with "
		    "%d", j->code);
	}
	/* The signer's receipt will say why (hub/copystate.h): recorded
	 * first, or the copy stays for another attempt, as when the DSN
	 * cannot be written. */
	if (copy_receipt_wanted(sp, j->e->post) &&
	    copy_outcome_save(sp, j->e->post, j->e->name, COPY_FAILED,
	    status, expired) != SPOOL_OK) {
		log_warn("copy-outcome-not-saved post=%s file=%s", j->e->post,
		    j->e->name);
		return false;
	}
	if (j->m->env.mail_from[0] != '\0' &&
	    report_commit(r, sp, j, status, why, dsn_id) == -1)
		return false;
	log_warnx("bounced post=%s file=%s rcpt=%s reply=%d status=%s "
	    "expired=%s dsn=%s", j->e->post, j->e->name,
	    rcpt_safe(j, a, sizeof a), j->code, status, expired ? "yes" : "no",
	    dsn_id);
	file_done(sp, j);
	return true;
}

/*
 * The copy waits: its count, next try and the reply go to disk first
 * (hub/copystate.h), so a restart keeps them.  A state that cannot be
 * written (a full disk) leaves the schedule in memory alone: after a
 * restart that copy is tried at once, as before there was a state.
 */
static void
defer(struct relay *r, struct spool *sp, struct job *j)
{
	char a[128];
	struct entry *e = j->e;
	struct copy_retry cr;
	enum spool_status st;
	long long now = (long long)hub_now();
	unsigned backoff;
	size_t i;

	e->attempts++;
	backoff = backoff_for(r->cfg, e->attempts);
	e->next_try = hub_mono() + (time_t)backoff;
	if (e->first == 0)
		e->first = now;
	memset(&cr, 0, sizeof cr);
	cr.attempts = e->attempts;
	cr.first = e->first;
	cr.last_at = now;
	cr.next = now + backoff;
	snprintf(cr.reply, sizeof cr.reply, "%s", j->reply);
	for (i = 0; cr.reply[i] != '\0'; i++)
		if ((unsigned char)cr.reply[i] < 0x20 ||
		    (unsigned char)cr.reply[i] > 0x7e)
			cr.reply[i] = ' ';
	if ((st = copy_retry_save(sp, e->post, e->name, &cr, &e->stamp)) !=
	    SPOOL_OK && st != SPOOL_NOT_FOUND)
		log_warn("copy-retry-not-saved post=%s file=%s attempts=%u",
		    e->post, e->name, e->attempts);
	e->loaded = true;
	if (j->code == 0) {
		char why[REPLY_MAX];

		/* no reply: say why (the session's error) */
		log_info("deferred post=%s file=%s rcpt=%s reply=0 "
		    "retry-in=%u error=\"%s\" attempt=%u", e->post, e->name,
		    rcpt_safe(j, a, sizeof a), backoff,
		    log_safe(why, sizeof why, j->reply), e->attempts);
		return;
	}
	log_info("deferred post=%s file=%s rcpt=%s reply=%d retry-in=%u "
	    "attempt=%u", e->post, e->name, rcpt_safe(j, a, sizeof a),
	    j->code, backoff, e->attempts);
}

/* Outside the lock: disk and log.  Returns true if the entry is finished
 * (file gone) and may be forgotten. */
static bool
job_finish(struct relay *r, struct spool *sp, struct job *j)
{
	char a[128];
	bool expired;

	switch (j->outcome) {
	case O_GONE:
		return true;
	case O_DELIVERED:
		file_done(sp, j);
		log_info("delivered post=%s file=%s rcpt=%s reply=%d",
		    j->e->post, j->e->name, rcpt_safe(j, a, sizeof a),
		    j->code);
		return true;
	case O_FAILED:
		if (give_up(r, sp, j, false))
			return true;
		break;
	case O_DEFERRED:
		expired = hub_now() - j->m->env.received >
		    (time_t)r->cfg->relay_lifetime;
		if (expired && give_up(r, sp, j, true))
			return true;
		break;
	}
	defer(r, sp, j);
	return false;
}

static void
job_load(struct spool *sp, struct job *j)
{
	enum spool_status st;

	st = spool_outgoing_load(sp, j->e->post, j->e->name, &j->m);
	if (st == SPOOL_OK && j->m->env.nrcpt == 1)
		return;
	if (st != SPOOL_NOT_FOUND)
		log_warnx("unusable post=%s file=%s status=%s", j->e->post,
		    j->e->name, st == SPOOL_OK ? "not one recipient" :
		    spool_status_str(st));
	spool_msg_free(j->m);
	j->m = NULL;
	j->outcome = O_GONE;
}

/* --- threads --------------------------------------------------------- */

/* A fair share of the queue, so all connections get work. */
static size_t
take_batch(struct relay *r, struct entry **batch)
{
	size_t n, want;

	want = (r->qlen + r->cfg->relay_connections - 1) /
	    r->cfg->relay_connections;
	if (want > BATCH_MAX)
		want = BATCH_MAX;
	for (n = 0; n < want && r->qhead != NULL; n++)
		batch[n] = queue_pop(r);
	return n;
}

static void
batch_settle(struct relay *r, struct job *jobs, bool *finished, size_t n)
{
	size_t i;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < n; i++) {
		if (finished[i])
			entry_remove(r, jobs[i].e);
		else
			jobs[i].e->state = E_IDLE;
	}
	pthread_mutex_unlock(&r->mu);
}

static void
batch_run(struct relay *r, struct spool *sp, struct entry **batch, size_t n)
{
	struct job jobs[BATCH_MAX];
	bool finished[BATCH_MAX];
	size_t i;

	memset(jobs, 0, sizeof jobs);
	for (i = 0; i < n; i++) {
		jobs[i].e = batch[i];
		job_load(sp, &jobs[i]);
	}
	session_run(r, sp, jobs, n);
	for (i = 0; i < n; i++) {
		/* An unloadable file is kept (corrupt files are for a human)
		 * but not retried before the next backoff. */
		if (jobs[i].settled)
			finished[i] = true;
		else if (jobs[i].outcome == O_GONE && jobs[i].m == NULL &&
		    spool_outgoing_committed(sp, jobs[i].e->post)) {
			finished[i] = false;
			jobs[i].e->next_try = hub_mono() + BACKOFF_MAX;
		} else
			finished[i] = job_finish(r, sp, &jobs[i]);
		spool_msg_free(jobs[i].m);
	}
	batch_sync(sp, jobs, finished, n);
	batch_settle(r, jobs, finished, n);
}

static void *
sender_thread(void *arg)
{
	struct relay *r = arg;
	struct entry *batch[BATCH_MAX];
	struct spool *sp;
	char dir[PATH_MAX];
	size_t n;

	/* spool handles are not shared between threads (spool.h). */
	snprintf(dir, sizeof dir, "%s/spool", r->cfg->data_dir);
	if (spool_open(dir, &sp) != SPOOL_OK)
		fatal("spool_open %s", dir);
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->stopping && r->qhead == NULL)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stopping) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		n = take_batch(r, batch);
		pthread_mutex_unlock(&r->mu);
		batch_run(r, sp, batch, n);
	}
	spool_close(sp);
	return NULL;
}

/* --- setup ----------------------------------------------------------- */

/* The password file must be ours alone: a readable one leaks the
 * smarthost account to every local user. */
static char *
password_read(const char *path)
{
	char buf[PASSWORD_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		log_warn("password-file path=%s", path);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || (st.st_mode & 077) != 0 ||
	    !S_ISREG(st.st_mode)) {
		log_warnx("password-file path=%s error=\"not a regular file "
		    "private to its owner (chmod 600)\"", path);
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		log_warn("password-file path=%s", path);
		return NULL;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len == 0 || len > PASSWORD_MAX) {
		log_warnx("password-file path=%s error=\"empty or too long\"",
		    path);
		hub_wipe(buf, sizeof buf);
		return NULL;
	}
	return xstrndup(buf, len);
}

static void
signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	/* A smarthost that closes mid-write is a 4xx, not our death. */
	sigaction(SIGPIPE, &sa, NULL);
	/* No SA_RESTART: poll() must return so the loop sees the flag. */
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Reads wake-up lines; false when the master is gone (EOF). */
static bool
link_read(struct relay *r, char *acc, size_t *alen)
{
	char *type, *id, *nl;
	ssize_t n;

	n = read(r->link_fd, acc + *alen, PROC_LINE_MAX - *alen);
	if (n == 0)
		return false;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	*alen += (size_t)n;
	while ((nl = memchr(acc, '\n', *alen)) != NULL) {
		*nl = '\0';
		if (!proc_parse_line(acc, &type, &id) ||
		    strcmp(type, "outgoing") != 0)
			log_debug("link-ignored line");
		*alen -= (size_t)(nl + 1 - acc);
		memmove(acc, nl + 1, *alen);
	}
	/* A line longer than any the master writes: drop it. */
	if (*alen == PROC_LINE_MAX)
		*alen = 0;
	return true;
}

static void
main_loop(struct relay *r, struct spool *sp)
{
	struct pollfd pfd;
	char acc[PROC_LINE_MAX];
	size_t alen = 0;
	int n;

	pfd.fd = r->link_fd;
	pfd.events = POLLIN;
	while (!got_term) {
		scan(r, sp);
		n = poll(&pfd, 1, SCAN_MS);
		if (n == -1 && errno != EINTR)
			fatal("poll");
		if (n > 0 && !link_read(r, acc, &alen)) {
			log_info("master-gone");
			break;
		}
	}
}

static void
threads_run(struct relay *r, struct spool *sp)
{
	pthread_t tids[32];
	sigset_t all, old;
	unsigned i, n = r->cfg->relay_connections;

	/* Signals go to the main thread, whose poll() they interrupt. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++)
		if ((errno = pthread_create(&tids[i], NULL, sender_thread,
		    r)) != 0)
			fatal("pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	log_info("ready smarthost=%s connections=%u", r->server, n);
	main_loop(r, sp);
	/* Sessions in flight finish; queued files simply stay on disk. */
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
}

static void
relay_free(struct relay *r)
{
	struct entry *e, *next;
	size_t i;

	for (i = 0; i < TABLE_SIZE; i++)
		for (e = r->table[i]; e != NULL; e = next) {
			next = e->hnext;
			free(e);
		}
	if (r->password != NULL) {
		hub_wipe(r->password, strlen(r->password));
		free(r->password);
	}
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
}

int
relay_main(const struct hub_config *cfg, int link_fd)
{
	int lockfd;
	static struct relay r;
	struct spool *sp;
	char dir[PATH_MAX];
	bool v6;

	memset(&r, 0, sizeof r);
	r.cfg = cfg;
	r.link_fd = link_fd;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	v6 = strchr(cfg->smarthost_host, ':') != NULL;
	snprintf(r.server, sizeof r.server, v6 ? "[%s]:%s" : "%s:%s",
	    cfg->smarthost_host, cfg->smarthost_port);
	signals_init();
	if (cfg->smarthost_password_file != NULL &&
	    (r.password = password_read(cfg->smarthost_password_file)) ==
	    NULL)
		return 1;
	/* The password file is root's: read above, then the network user
	 * with the hub group (hub/proc.c's role table). */
	proc_role_enter("relay", cfg);
	snprintf(dir, sizeof dir, "%s/spool", cfg->data_dir);
	if (spool_open(dir, &sp) != SPOOL_OK) {
		log_warn("spool_open %s", dir);
		relay_free(&r);
		return 1;
	}
	/*
	 * One relay at a time: after SIGHUP the old relay finishes its
	 * sessions while the new one starts; both would send the files still
	 * on disk.  The new one waits here until the old one has exited.
	 */
	snprintf(dir, sizeof dir, "%s/spool/relay.lock",
	    cfg->data_dir);
	if ((lockfd = open(dir, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		fatal("relay lock %s", dir);
	/* A signal during the wait (a reload storm sends many) interrupts
	 * flock: wait on, unless it was the one to stop. */
	while (flock(lockfd, LOCK_EX) == -1) {
		if (errno != EINTR)
			fatal("relay lock %s", dir);
		if (got_term) {
			log_info("exiting before-lock=1");
			close(lockfd);
			spool_close(sp);
			relay_free(&r);
			return 0;
		}
	}
	relay_connect_timeout_set(cfg->relay_connect_timeout * 1000U);
	auth_client_init();
	threads_run(&r, sp);
	auth_client_exit();
	spool_close(sp);
	relay_free(&r);
	close(lockfd);
	log_info("exiting");
	return 0;
}
