#include "config.h"

#include "hub/smtp.h"
#include "hub/committer.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/smtp_proto.h"
#include "hub/spool.h"
#include "base/id.h"
#include "base/log.h"
#include "base/netaddr.h"
#include "base/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

/* A client that sends commands without reading replies stops being read
 * once this much output is queued. */
#define OUTPUT_HIGH	(256 * 1024)
/* Commits in flight at once: enough for the journal to batch flushes;
 * the threads mostly wait on the disk, so more than the cores. */
#define COMMIT_THREADS	8
#define MAX_SINGLE_READ	(256 * 1024)

struct server;

struct conn {
	struct server		*srv;
	struct bufferevent	*bev;
	struct smtp_proto	*proto;
	struct spool_tx		*tx;
	struct event		*lifetime;
	const struct hub_listen	*lconf;
	char			 session[13];
	char			 client[NETADDR_MAX];
	unsigned		 messages;
	size_t			 commit_size;
	bool			 commit_pending;	/* in the committer */
	bool			 gone;		/* client left while pending */
	bool			 peer_eof;	/* client half-closed: no more input */
	bool			 closing;
	const char		*close_reason;
	TAILQ_ENTRY(conn)	 entry;
};

struct listener {
	struct server		*srv;
	const struct hub_listen	*conf;
	struct evconnlistener	*ev;
};

struct server {
	const struct hub_config	*cfg;
	struct event_base	*base;
	struct spool		*spool;
	struct committer	*committer;
	struct listener		*listeners;
	size_t			 nlisteners;
	struct bufferevent	*link;
	struct event		*ev_term, *ev_int, *ev_shutdown_timer;
	TAILQ_HEAD(, conn)	 conns;
	unsigned		 nconn;
	bool			 shutting_down;
	bool			 draining;	/* replaced: no new sessions */
	struct smtp_limits	 limits;
};

static void conn_free(struct conn *c);
static void conn_check_close(struct conn *c);
static void conn_process(struct conn *c);
static void conn_finish_eof(struct conn *c);
static void server_shutdown(struct server *srv, const char *why);

/* --- protocol callbacks -------------------------------------------------- */

static void
cb_output(void *ctx, const char *data, size_t len)
{
	struct conn *c = ctx;

	if (bufferevent_write(c->bev, data, len) == -1)
		log_warnx("output-failed session=%s", c->session);
}

/* Refused at MAIL FROM, before the client sends a byte of the message,
 * while the spool's filesystem is under queue_minfree (Postfix's rule):
 * a 451 after DATA would have cost the client the whole transfer. */
static int
cb_mail_from(void *ctx, const char *reverse_path)
{
	struct conn *c = ctx;

	(void)reverse_path;
	if (spool_space_ok(c->srv->spool, c->srv->cfg->queue_minfree))
		return 1;
	log_warnx("mail-refused session=%s reason=queue-minfree", c->session);
	smtp_proto_set_reply(c->proto, "%s", SMTP_PROTO_REPLY_NO_SPACE);
	return -1;
}

static int
cb_rcpt_to(void *ctx, const char *addr)
{
	struct conn *c = ctx;
	const struct hub_config *cfg = c->srv->cfg;
	struct rcpt_target t;
	char safe[SMTP_PROTO_MAX_PATH + 1];

	if (recipient_classify(addr, cfg->domain, cfg->lists, cfg->nlists, &t))
		return 1;
	log_safe(safe, sizeof safe, addr);
	if (cfg->lists_unknown && recipient_may_be_served(addr, cfg->domain)) {
		/* It may be a list hubctl made: the client retries, and a
		 * 550 would have bounced the list's mail. */
		log_info("rcpt-deferred session=%s rcpt=<%s> "
		    "reason=lists-unknown", c->session, safe);
		smtp_proto_set_reply(c->proto, "451 4.3.0 <%s>: the lists "
		    "are not loaded yet, try again later", safe);
		return -1;
	}
	log_info("rcpt-refused session=%s rcpt=<%s> reason=not-served",
	    c->session, safe);
	smtp_proto_set_reply(c->proto,
	    "550 5.1.1 <%s>: no such list here", safe);
	return -1;
}

static int
cb_data_begin(void *ctx)
{
	struct conn *c = ctx;
	struct spool_envelope env;
	const char **rcpt;
	enum spool_status st;
	unsigned i, n = smtp_proto_rcpt_count(c->proto);

	rcpt = xcalloc(n, sizeof *rcpt);
	for (i = 0; i < n; i++)
		rcpt[i] = smtp_proto_rcpt(c->proto, i);
	memset(&env, 0, sizeof env);
	env.received = hub_now();
	env.protocol = smtp_proto_mode(c->proto) == SMTP_MODE_LMTP ?
	    "lmtp" : "smtp";
	env.client = c->client;
	env.helo = smtp_proto_helo(c->proto);
	env.mail_from = smtp_proto_mail_from(c->proto);
	env.rcpt = rcpt;
	env.nrcpt = n;
	env.body_8bit = smtp_proto_body_8bit(c->proto);
	st = spool_begin(c->srv->spool, &env, &c->tx);
	free(rcpt);
	if (st != SPOOL_OK) {
		log_warn("spool-begin-failed session=%s status=%s", c->session,
		    spool_status_str(st));
		c->tx = NULL;
		return -1;
	}
	return 1;
}

static int
cb_data_chunk(void *ctx, const char *data, size_t len)
{
	struct conn *c = ctx;

	if (c->tx == NULL)
		return -1;
	if (spool_write(c->tx, data, len) != SPOOL_OK) {
		log_warn("spool-write-failed session=%s", c->session);
		spool_abort(c->tx);
		c->tx = NULL;
		return -1;
	}
	return 1;
}

/* On the loop thread, when the committer is done with c's message. */
static void
commit_done(void *arg, enum spool_status st, int err, const char *id)
{
	struct conn *c = arg;
	char line[PROC_LINE_MAX], from[SMTP_PROTO_MAX_PATH + 1];

	c->commit_pending = false;
	if (st != SPOOL_OK) {
		/* Invariant 1: not durable, so no 250. */
		errno = err;
		log_warn("spool-commit-failed session=%s status=%s",
		    c->session, spool_status_str(st));
		smtp_proto_resume(c->proto, -1, NULL, "451 4.3.0 Message not "
		    "stored (local error), try again later");
	} else {
		c->messages++;
		log_info("message-accepted session=%s id=%s size=%zu rcpts=%u "
		    "from=<%s>%s", c->session, id, c->commit_size,
		    smtp_proto_rcpt_count(c->proto),
		    log_safe(from, sizeof from,
		    smtp_proto_mail_from(c->proto)),
		    c->gone ? " client=gone" : "");
		/* A hint for the master; the spool already holds the truth. */
		if (c->srv->link != NULL &&
		    proc_line(line, sizeof line, "incoming", id) > 0)
			bufferevent_write(c->srv->link, line, strlen(line));
		smtp_proto_resume(c->proto, 1, id, NULL);
	}
	if (c->gone) {
		conn_free(c);
		return;
	}
	/* Commands the client pipelined after the message wait in the
	 * input buffer: take them now. */
	if (!c->peer_eof)
		bufferevent_enable(c->bev, EV_READ);
	conn_process(c);
	if (c->peer_eof && !c->closing)
		conn_finish_eof(c);
}

static int
cb_data_end(void *ctx, char *queue_id)
{
	struct conn *c = ctx;

	(void)queue_id;		/* given to smtp_proto_resume() instead */
	if (c->tx == NULL)
		return -1;
	c->commit_size = spool_tx_size(c->tx);
	c->commit_pending = true;
	committer_submit(c->srv->committer, c->tx, commit_done, c);
	c->tx = NULL;
	return 0;
}

static void
cb_data_abort(void *ctx)
{
	struct conn *c = ctx;

	if (c->tx != NULL) {
		spool_abort(c->tx);
		c->tx = NULL;
		log_info("message-aborted session=%s", c->session);
	}
}

static void
cb_event(void *ctx, const char *event, const char *detail)
{
	struct conn *c = ctx;
	char safe[128];

	log_info("protocol session=%s event=%s%s%s", c->session, event,
	    detail ? " detail=" : "",
	    detail ? log_safe(safe, sizeof safe, detail) : "");
}

static const struct smtp_callbacks callbacks = {
	.output = cb_output,
	.mail_from = cb_mail_from,
	.rcpt_to = cb_rcpt_to,
	.data_begin = cb_data_begin,
	.data_chunk = cb_data_chunk,
	.data_end = cb_data_end,
	.data_abort = cb_data_abort,
	.event = cb_event,
};

/* --- sessions ---------------------------------------------------------- */

static void
conn_free(struct conn *c)
{
	struct server *srv = c->srv;

	if (c->commit_pending)
		panic("conn_free with a commit pending session=%s", c->session);
	log_info("session-close session=%s reason=%s messages=%u",
	    c->session, c->close_reason ? c->close_reason : "quit",
	    c->messages);
	/* Frees an open transaction through data_abort. */
	smtp_proto_free(c->proto);
	if (c->tx != NULL)
		spool_abort(c->tx);
	if (c->lifetime != NULL)
		event_free(c->lifetime);
	bufferevent_free(c->bev);
	TAILQ_REMOVE(&srv->conns, c, entry);
	free(c);
	srv->nconn--;
	if ((srv->shutting_down || srv->draining) && srv->nconn == 0)
		event_base_loopexit(srv->base, NULL);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (c->closing) {
		conn_free(c);
		return;
	}
	/* Output drained: read again (see OUTPUT_HIGH), unless a commit
	 * is pending (input waits for its reply; see conn_process). */
	if (!c->commit_pending && !c->peer_eof)
		bufferevent_enable(bev, EV_READ);
}

static void
conn_check_close(struct conn *c)
{
	if (c->closing || !smtp_proto_closing(c->proto))
		return;
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
	/* else conn_write_cb frees it once the last reply is out. */
}

/* Feed buffered input to the protocol until it is used up, the session
 * closes, or a commit is pending (then the rest waits in the buffer). */
static void
conn_process(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer_iovec v[8];
	size_t used, took;
	int i, n;

	while (!c->closing && evbuffer_get_length(in) > 0) {
		used = 0;
		n = evbuffer_peek(in, -1, NULL, v, 8);
		if (n > 8)
			n = 8;
		for (i = 0; i < n; i++) {
			took = smtp_proto_input(c->proto, v[i].iov_base,
			    v[i].iov_len);
			used += took;
			if (took < v[i].iov_len)
				break;
		}
		evbuffer_drain(in, used);
		if (c->commit_pending) {
			/* No reading (nor idle timeout) until it is done. */
			bufferevent_disable(c->bev, EV_READ);
			return;
		}
	}
	/* Closing may also come without input: a resume that finished the
	 * last transaction before a shutdown sends 421. */
	if (smtp_proto_closing(c->proto)) {
		if (c->close_reason == NULL)
			c->close_reason = c->srv->shutting_down ? "shutdown" :
			    "quit";
		conn_check_close(c);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUTPUT_HIGH)
		bufferevent_disable(c->bev, EV_READ);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_TIMEOUT && what & BEV_EVENT_WRITING) {
		/* The client does not read what we send; libevent has
		 * stopped writing, so nothing would ever drain: drop it. */
		c->close_reason = "write-timeout";
		if (c->commit_pending) {
			c->gone = true;
			bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		} else
			conn_free(c);
		return;
	}
	if (what & BEV_EVENT_EOF && !(what & BEV_EVENT_ERROR)) {
		/* A half-close: the client may still read the replies it is
		 * owed (the 250 of a message being committed, 221). */
		c->peer_eof = true;
		bufferevent_disable(c->bev, EV_READ);
		if (!c->commit_pending)
			conn_finish_eof(c);
		return;
	}
	if (c->commit_pending) {
		/* Reset: the commit owns c until it reports; then c is freed. */
		c->gone = true;
		if (c->close_reason == NULL)
			c->close_reason = "disconnect-in-commit";
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		if (c->closing) {
			/* The client does not read our last reply. */
			c->close_reason = "write-timeout";
			conn_free(c);
			return;
		}
		c->close_reason = "idle-timeout";
		smtp_proto_timeout(c->proto);
		conn_check_close(c);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (c->close_reason == NULL)
			c->close_reason = smtp_proto_state(c->proto) ==
			    SMTP_STATE_DATA ? "disconnect-in-data" :
			    "disconnect";
		conn_free(c);
	}
}

/* The client sent all it will send: flush what we owe it, then close.  A
 * message still in DATA is aborted when the session is freed. */
static void
conn_finish_eof(struct conn *c)
{
	if (c->closing)
		return;
	if (c->close_reason == NULL)
		c->close_reason = smtp_proto_closing(c->proto) ? "quit" :
		    smtp_proto_state(c->proto) == SMTP_STATE_DATA ?
		    "disconnect-in-data" : "disconnect";
	c->closing = true;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_free(c);
		return;
	}
	bufferevent_enable(c->bev, EV_WRITE);
	/* conn_write_cb frees it once the output has drained. */
}

static void
conn_lifetime_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->closing)
		return;
	if (c->commit_pending) {
		/* The reply to the message first; the timeout right after. */
		struct timeval tv = { 1, 0 };

		evtimer_add(c->lifetime, &tv);
		return;
	}
	c->close_reason = "session-timeout";
	smtp_proto_timeout(c->proto);
	conn_check_close(c);
}

static void
refuse_busy(evutil_socket_t fd)
{
	static const char busy[] =
	    "421 4.7.0 Too many connections, try again later\r\n";

	/* Best effort on a fresh socket; the client learns why. */
	if (send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("refuse-send-failed");
	evutil_closesocket(fd);
}

static void
accept_cb(struct evconnlistener *ev, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct listener *l = arg;
	struct server *srv = l->srv;
	const struct hub_config *cfg = srv->cfg;
	struct conn *c;
	struct timeval tv;
	unsigned char rnd[6];
	char peer[NETADDR_MAX];
	int one = 1;

	(void)ev;
	(void)salen;
	netaddr_format(sa, peer, sizeof peer);
	if (srv->shutting_down || srv->nconn >= cfg->max_connections) {
		log_info("session-refused client=%s reason=%s", peer,
		    srv->shutting_down ? "shutting-down" :
		    "too-many-connections");
		refuse_busy(fd);
		return;
	}
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	c->lconf = l->conf;
	snprintf(c->client, sizeof c->client, "%s", peer);
	hub_random(rnd, sizeof rnd);
	snprintf(c->session, sizeof c->session, "%02x%02x%02x%02x%02x%02x",
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("session-refused client=%s reason=no-bufferevent",
		    peer);
		evutil_closesocket(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconn++;
	c->proto = smtp_proto_new(l->conf->proto == LISTEN_LMTP ?
	    SMTP_MODE_LMTP : SMTP_MODE_SMTP, &srv->limits, cfg->hostname,
	    &callbacks, c);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	tv.tv_sec = cfg->timeout_command;
	tv.tv_usec = 0;
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	/* libevent reads 16 KiB per event by default: a 1 MiB message
	 * would take 64 trips round the loop. */
	bufferevent_set_max_single_read(c->bev, MAX_SINGLE_READ);
	c->lifetime = evtimer_new(srv->base, conn_lifetime_cb, c);
	tv.tv_sec = cfg->timeout_session;
	evtimer_add(c->lifetime, &tv);
	log_info("session-open session=%s client=%s proto=%s", c->session,
	    c->client, l->conf->proto == LISTEN_LMTP ? "lmtp" : "smtp");
	smtp_proto_greet(c->proto);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
accept_error_cb(struct evconnlistener *ev, void *arg)
{
	struct listener *l = arg;
	int err = EVUTIL_SOCKET_ERROR();

	(void)ev;
	/* EMFILE and friends: log and keep serving what we have. */
	log_warnx("accept-failed listen=%s error=%s", l->conf->spec,
	    evutil_socket_error_to_string(err));
}

/* --- shutdown ------------------------------------------------------------ */

static void
shutdown_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	struct conn *c, *next;

	(void)fd;
	(void)what;
	log_warnx("shutdown-timeout sessions=%u action=close", srv->nconn);
	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		c->close_reason = "shutdown";
		if (c->commit_pending)
			c->gone = true;	/* freed when its commit reports */
		else
			conn_free(c);
	}
	event_base_loopexit(srv->base, NULL);
}

static void
server_shutdown(struct server *srv, const char *why)
{
	struct conn *c, *next;
	struct timeval tv;
	size_t i;

	if (srv->shutting_down)
		return;
	srv->shutting_down = true;
	log_info("shutdown reason=%s sessions=%u", why, srv->nconn);
	/* Stop accepting now: a new smtp process may already be taking
	 * over the same sockets (reload). */
	for (i = 0; i < srv->nlisteners; i++) {
		if (srv->listeners[i].ev != NULL)
			evconnlistener_free(srv->listeners[i].ev);
		srv->listeners[i].ev = NULL;
	}
	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->closing)
			continue;
		smtp_proto_shutdown(c->proto,
		    "Service shutting down, try again later");
		if (smtp_proto_closing(c->proto)) {
			c->close_reason = "shutdown";
			conn_check_close(c);
		}
	}
	if (srv->nconn == 0) {
		event_base_loopexit(srv->base, NULL);
		return;
	}
	tv.tv_sec = srv->cfg->shutdown_timeout;
	tv.tv_usec = 0;
	srv->ev_shutdown_timer = evtimer_new(srv->base, shutdown_timer_cb, srv);
	evtimer_add(srv->ev_shutdown_timer, &tv);
}

/*
 * A reload replaced this process: a new smtp process serves the same
 * listening sockets (the master and it keep them open; closing ours
 * closes only this process's descriptors, and connections still in the
 * kernel's backlog go to the new one).  The sessions here run on to QUIT
 * or their timeouts, with the configuration they started with; none is
 * told to go (issue 18: a reload storm gave idle clients 421s).  SIGTERM
 * still shuts down at once with 421.
 */
static void
server_drain(struct server *srv, const char *why)
{
	size_t i;

	if (srv->shutting_down || srv->draining)
		return;
	srv->draining = true;
	log_info("drain reason=%s sessions=%u", why, srv->nconn);
	for (i = 0; i < srv->nlisteners; i++) {
		if (srv->listeners[i].ev != NULL)
			evconnlistener_free(srv->listeners[i].ev);
		srv->listeners[i].ev = NULL;
	}
	if (srv->nconn == 0)
		event_base_loopexit(srv->base, NULL);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	server_shutdown(arg, sig == SIGTERM ? "sigterm" : "sigint");
}

/*
 * The master's lines: "drain reload" (server_drain).  A line rather than
 * a signal: it waits in the socket until this process reads it, so a
 * reload right after the fork cannot hit a process whose handlers are
 * not set yet, and it cannot be confused with SIGTERM's shutdown.
 */
static void
link_read_cb(struct bufferevent *bev, void *arg)
{
	struct server *srv = arg;
	char *line, *type, *id;
	size_t len;

	while ((line = evbuffer_readln(bufferevent_get_input(bev), &len,
	    EVBUFFER_EOL_LF)) != NULL) {
		if (len < PROC_LINE_MAX && proc_parse_line(line, &type, &id) &&
		    strcmp(type, "drain") == 0)
			server_drain(srv, id);
		else
			log_warnx("link-bad-line from=master");
		free(line);
	}
}

static void
link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct server *srv = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		bufferevent_free(srv->link);
		srv->link = NULL;
		server_shutdown(srv, "master-gone");
	}
}

int
smtp_main(const struct hub_config *cfg, const struct smtp_listener *ls,
    size_t nls, int link_fd)
{
	struct server srv;
	char dir[PATH_MAX];
	enum spool_status st;
	size_t i;

	memset(&srv, 0, sizeof srv);
	srv.cfg = cfg;
	TAILQ_INIT(&srv.conns);
	srv.limits.max_message_size = cfg->max_message_size;
	srv.limits.max_recipients = cfg->max_recipients;
	srv.limits.max_line = cfg->max_line_length;
	srv.limits.max_errors = cfg->max_errors;

	proc_role_enter("smtp", cfg);
	signal(SIGPIPE, SIG_IGN);

	snprintf(dir, sizeof dir, "%s/spool", cfg->data_dir);
	if ((st = spool_open(dir, &srv.spool)) != SPOOL_OK)
		fatal("spool-open dir=%s status=%s", dir,
		    spool_status_str(st));

	if ((srv.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	srv.committer = committer_new(srv.base, COMMIT_THREADS);
	srv.link = bufferevent_socket_new(srv.base, link_fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (srv.link == NULL)
		fatalx("link bufferevent failed");
	bufferevent_setcb(srv.link, link_read_cb, NULL, link_event_cb, &srv);
	bufferevent_enable(srv.link, EV_READ);

	srv.ev_term = evsignal_new(srv.base, SIGTERM, signal_cb, &srv);
	srv.ev_int = evsignal_new(srv.base, SIGINT, signal_cb, &srv);
	evsignal_add(srv.ev_term, NULL);
	evsignal_add(srv.ev_int, NULL);
	/* Reload is the master's job: it replaces this process. */
	signal(SIGHUP, SIG_IGN);

	srv.listeners = xcalloc(nls, sizeof *srv.listeners);
	srv.nlisteners = nls;
	for (i = 0; i < nls; i++) {
		struct listener *l = &srv.listeners[i];

		l->srv = &srv;
		l->conf = ls[i].conf;
		l->ev = evconnlistener_new(srv.base, accept_cb, l,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0,
		    ls[i].fd);
		if (l->ev == NULL)
			fatalx("listener failed listen=%s", ls[i].conf->spec);
		evconnlistener_set_error_cb(l->ev, accept_error_cb);
	}
	log_info("ready listeners=%zu lists=%zu%s", nls, cfg->nlists,
	    cfg->lists_unknown ? " lists-unknown=yes" : "");

	event_base_dispatch(srv.base);

	/* Commits still in flight finish (their sessions get no reply: the
	 * clients will retry, a duplicate at worst, never a loss). */
	for (struct conn *c = TAILQ_FIRST(&srv.conns); c != NULL;
	    c = TAILQ_NEXT(c, entry))
		c->gone = true;
	committer_free(srv.committer);
	while (!TAILQ_EMPTY(&srv.conns))
		conn_free(TAILQ_FIRST(&srv.conns));
	log_info("exit sessions=%u", srv.nconn);
	for (i = 0; i < srv.nlisteners; i++)
		if (srv.listeners[i].ev != NULL)
			evconnlistener_free(srv.listeners[i].ev);
	free(srv.listeners);
	if (srv.ev_shutdown_timer != NULL)
		event_free(srv.ev_shutdown_timer);
	event_free(srv.ev_term);
	event_free(srv.ev_int);
	if (srv.link != NULL)
		bufferevent_free(srv.link);
	event_base_free(srv.base);
	spool_close(srv.spool);
	return 0;
}
