/*
 * hubd: the csirt-hub daemon's master process.
 *
 * Reads hub.conf, recovers the spool, opens the listening sockets (so a
 * port below 1024 needs root only here), then forks one process per role
 * and supervises them: a child that dies is restarted with backoff; SIGHUP
 * re-reads hub.conf and, if it is good, replaces the children with ones
 * running the new configuration (the old ones finish their sessions);
 * SIGTERM stops the children gracefully and exits.  The master touches no
 * message after start-up (STYLE.md §1.1), and never the keyring or the
 * store (issue 14): the names of the lists hubctl made come from
 * DATA_DIR/lists.names (hub/listnames.h).
 *
 * Roles: smtp (the listener), worker x N (decrypt, decide, encrypt) and
 * relay (delivery).  Workers and the relay run only once the store exists
 * (hubctl init); until then accepted mail waits in spool/incoming.  The
 * master passes wake-up hints between them (smtp/relay "incoming ID" to
 * a worker, worker "outgoing ID" to the relay), and counts the crashes
 * and hangs each spool entry causes: a worker says "claim ID" before it
 * works on an entry and "done ID" after; an entry that takes a worker
 * down worker_attempts times is quarantined in quarantine/ (the count
 * is kept in the spool's retry state, so it survives a restart).
 */
#include "config.h"

#include "hub/conf.h"
#include "hub/listnames.h"
#include "hub/proc.h"
#include "hub/relay.h"
#include "hub/smtp.h"
#include "hub/spool.h"
#include "hub/worker.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/log.h"
#include "base/netaddr.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#define DEFAULT_CONF	"/etc/csirt-hub/hub.conf"
#define RESTART_MIN_MS	100
#define RESTART_MAX_MS	10000
#define STABLE_SECONDS	10

struct open_listener {
	char			*spec;
	int			 fd;
	const struct hub_listen	*conf;	/* into the current config */
};

struct child {
	const char		*role;
	pid_t			 pid;
	struct bufferevent	*link;
	bool			 draining;	/* old generation: not restarted */
	time_t			 started;
	char			 claim[HUB_ID_SIZE];	/* worker: entry in hand */
	time_t			 claim_at;
	unsigned		 backoff_ms;
	struct event		*restart;
	struct child		*next;
};

struct master {
	char			*conf_path;
	struct hub_config	*cfg;
	struct open_listener	*ls;
	size_t			 nls;
	struct event_base	*base;
	struct child		*children;
	bool			 stopping;
	struct event		*kill_timer;
	bool			 pidfile_written;
	bool			 pipeline;	/* store exists: workers, relay */
	char			**conf_lists;	/* hub.conf's, DATA_DIR/lists */
	size_t			 nconf_lists;
	bool			 quiet_names;	/* hubd -n: print, not log */
	char			**names;	/* lists.names as last read */
	size_t			 nnames;
	bool			 names_known;	/* names is the store's set */
	struct spool		*sp;
	struct proc_users	 users;		/* hub.conf's, resolved */
	struct event		*watch_timer;	/* hung workers */
	unsigned		 rr;		/* round robin over workers */
};

static struct master M;

static void spawn(struct child *ch);
static void names_changed(struct child *from);

/* --- listeners ----------------------------------------------------------- */

static int
open_tcp(const struct hub_listen *l, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	int fd, one = 1, r;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(l->host, l->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s", gai_strerror(r));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1)
		goto fail;
	freeaddrinfo(res);
	return fd;
fail:
	snprintf(err, errlen, "%s", strerror(errno));
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

static int
open_unix(const struct hub_listen *l, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(l->path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	memcpy(sun.sun_path, l->path, strlen(l->path) + 1);
	/* A stale socket from a previous run; never remove anything else. */
	if (lstat(l->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "exists and is not a socket");
			return -1;
		}
		unlink(l->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    chmod(l->path, 0666) == -1 || listen(fd, 128) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static void
log_bound(const struct hub_listen *l, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char addr[NETADDR_MAX];
	const char *proto = l->proto == LISTEN_LMTP ? "lmtp" : "smtp";

	if (l->is_unix)
		log_info("listening proto=%s addr=unix:%s", proto, l->path);
	else if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		log_info("listening proto=%s spec=%s", proto, l->spec);
	else
		log_info("listening proto=%s addr=%s", proto,
		    netaddr_format((struct sockaddr *)&ss, addr, sizeof addr));
}

static void
close_listener(struct open_listener *ol)
{
	close(ol->fd);
	if (ol->conf != NULL && ol->conf->is_unix)
		unlink(ol->conf->path);
	free(ol->spec);
}

/*
 * Open the listeners of cfg, reusing the already open ones with the same
 * spec (a reload must not drop a port it keeps).  On failure nothing
 * changes and err says which listener failed.
 */
static int
listeners_update(const struct hub_config *cfg, char *err, size_t errlen)
{
	struct open_listener *nls;
	char why[256];
	size_t i, j;

	nls = xcalloc(cfg->nlisten, sizeof *nls);
	for (i = 0; i < cfg->nlisten; i++) {
		const struct hub_listen *l = &cfg->listen[i];

		nls[i].fd = -1;
		nls[i].conf = l;
		for (j = 0; j < M.nls; j++)
			if (M.ls[j].fd != -1 &&
			    strcmp(M.ls[j].spec, l->spec) == 0) {
				nls[i].fd = M.ls[j].fd;
				nls[i].spec = M.ls[j].spec;
				M.ls[j].fd = -1;	/* moved */
				break;
			}
		if (nls[i].fd != -1)
			continue;
		nls[i].fd = l->is_unix ? open_unix(l, why, sizeof why) :
		    open_tcp(l, why, sizeof why);
		if (nls[i].fd == -1) {
			snprintf(err, errlen, "listen %s: %s", l->spec, why);
			goto fail;
		}
		nls[i].spec = xstrdup(l->spec);
		log_bound(l, nls[i].fd);
	}
	/* Close what the new configuration no longer has. */
	for (j = 0; j < M.nls; j++)
		if (M.ls[j].fd != -1) {
			log_info("listener-closed spec=%s", M.ls[j].spec);
			close_listener(&M.ls[j]);
		}
	free(M.ls);
	M.ls = nls;
	M.nls = cfg->nlisten;
	return 0;
fail:
	/* Give moved listeners back and close the fresh ones. */
	for (i = 0; i < cfg->nlisten; i++) {
		if (nls[i].fd == -1)
			continue;
		for (j = 0; j < M.nls; j++)
			if (M.ls[j].fd == -1 && M.ls[j].spec == nls[i].spec) {
				M.ls[j].fd = nls[i].fd;
				break;
			}
		if (j == M.nls) {
			close(nls[i].fd);
			free(nls[i].spec);
		}
	}
	free(nls);
	return -1;
}

/* --- the lists' names ----------------------------------------------------- */

/*
 * The store is the data dir's hub.db (lists/store.h's STORE_DB_FILE; the
 * master may not include lists/).  Whether it exists decides whether
 * workers and the relay run; it is never opened here.
 */
#define STORE_FILE	"hub.db"

static bool
store_exists(const struct hub_config *cfg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/" STORE_FILE, cfg->data_dir);
	return access(path, F_OK) == 0;
}

static char **
names_dup(char *const *v, size_t n)
{
	char **d = xcalloc(n + 1, sizeof *d);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = xstrdup(v[i]);
	return d;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
name_in(const char *name, char *const *v, size_t n)
{
	return n > 0 && bsearch(&name, v, n, sizeof *v, cmp_name) != NULL;
}

/*
 * The store is where lists live (hubctl list create); a "list =" line of
 * hub.conf (or a name in DATA_DIR/lists) is from before the store and
 * still served, but a list the store does not have is accepted by the
 * smtp process and then rejected by the worker (no-such-list) with
 * nobody told: say so loudly, every time the set is applied.
 */
static void
conf_lists_warn(void)
{
	size_t i;

	if (!M.pipeline || !M.names_known)
		return;
	for (i = 0; i < M.nconf_lists; i++)
		if (!name_in(M.conf_lists[i], M.names, M.nnames))
			log_warnx("conf-list-not-in-store list=%s "
			    "action=accepted-then-rejected reason=no-such-list "
			    "(hubctl list create %s, or remove the list line "
			    "from hub.conf)", M.conf_lists[i], M.conf_lists[i]);
}

/*
 * cfg's lists: hub.conf's (M.conf_lists) and the store's (M.names), sorted
 * and unique as recipient_classify() expects.  While the store's set is
 * unknown the smtp process answers 451 for any other address that could
 * be a list's.
 */
static void
names_apply(struct hub_config *cfg)
{
	size_t i, j, n = M.nconf_lists + M.nnames;
	char **v = xcalloc(n + 1, sizeof *v);

	for (i = 0; i < M.nconf_lists; i++)
		v[i] = xstrdup(M.conf_lists[i]);
	for (j = 0; j < M.nnames; j++)
		v[i + j] = xstrdup(M.names[j]);
	j = listnames_sort_unique(v, n, true);
	listnames_free(cfg->lists, cfg->nlists);
	cfg->lists = v;
	cfg->nlists = j;
	cfg->lists_unknown = M.pipeline && !M.names_known;
	if (!M.quiet_names)
		conf_lists_warn();
}

/* names_apply for hubd -n, which prints what it would log. */
static void
names_apply_quiet(struct hub_config *cfg)
{
	M.quiet_names = true;
	names_apply(cfg);
	M.quiet_names = false;
}

/* Remember cfg's own lists (config_load's) before names_apply adds. */
static void
conf_lists_take(const struct hub_config *cfg)
{
	listnames_free(M.conf_lists, M.nconf_lists);
	M.conf_lists = names_dup(cfg->lists, cfg->nlists);
	M.nconf_lists = cfg->nlists;
}

enum names_result {
	NAMES_READ,		/* M.names is the file's set */
	NAMES_KEPT,		/* unreadable: the previous set kept */
};

/*
 * Read DATA_DIR/lists.names into M.names.  A file that cannot be read
 * changes nothing: the set read last stays (a reload that cannot read it
 * must not make lists vanish, issue 18), and at start the set stays
 * unknown until a worker has written the file from the store.  Without a
 * store no list was made with hubctl: a missing file is an empty set.
 */
static enum names_result
names_load(const struct hub_config *cfg, char *why, size_t whylen)
{
	char **v;
	size_t n;
	int err;

	if (listnames_read(cfg->data_dir, &v, &n) == 0) {
		listnames_free(M.names, M.nnames);
		M.names = v;
		M.nnames = n;
		M.names_known = true;
		return NAMES_READ;
	}
	err = errno;
	/* "reason=%s" in the log: a token, then the system's words */
	if (err == ENOENT || err == EINVAL)
		snprintf(why, whylen, "%s", err == ENOENT ? "missing" :
		    "not-list-names");
	else
		snprintf(why, whylen, "unreadable error=\"%s\"",
		    strerror(err));
	if (err == ENOENT && !M.pipeline) {
		listnames_free(M.names, M.nnames);
		M.names = NULL;
		M.nnames = 0;
		M.names_known = true;
		return NAMES_READ;
	}
	return NAMES_KEPT;
}

/* --- children ------------------------------------------------------------ */

/*
 * First thing in every child: drop what belongs to the master.  The event
 * base shares its epoll instance and signal pipe with the master after
 * fork; event_reinit() gives the child its own so freeing it here cannot
 * disturb the master's registrations.
 */
static void
child_init(void)
{
	struct child *c;

	if (event_reinit(M.base) == -1)
		fatalx("event_reinit failed");
	event_base_free(M.base);
	M.base = NULL;
	/* Links to the other children are not ours to hold. */
	for (c = M.children; c != NULL; c = c->next)
		if (c->link != NULL)
			close(bufferevent_getfd(c->link));
}

static int
smtp_entry(void *arg, int link_fd)
{
	struct smtp_listener *sl;
	size_t i;
	int r;

	(void)arg;
	child_init();
	sl = xcalloc(M.nls, sizeof *sl);
	for (i = 0; i < M.nls; i++) {
		sl[i].fd = M.ls[i].fd;
		sl[i].conf = M.ls[i].conf;
	}
	r = smtp_main(M.cfg, sl, M.nls, link_fd);
	free(sl);
	return r;
}

/* Workers and the relay need no listening socket. */
static void
close_listeners(void)
{
	size_t i;

	for (i = 0; i < M.nls; i++)
		close(M.ls[i].fd);
}

static int
worker_entry(void *arg, int link_fd)
{
	(void)arg;
	child_init();
	close_listeners();
	spool_close(M.sp);
	M.sp = NULL;
	return worker_main(M.cfg, link_fd);
}

static int
relay_entry(void *arg, int link_fd)
{
	(void)arg;
	child_init();
	close_listeners();
	spool_close(M.sp);
	M.sp = NULL;
	return relay_main(M.cfg, link_fd);
}

enum role_count_kind {
	ROLE_ONE,		/* always one */
	ROLE_WORKERS,		/* hub.conf workers, with a store */
	ROLE_PIPELINE,		/* one, with a store */
};

static const struct role_def {
	const char	*name;
	int		(*entry)(void *, int);
	enum role_count_kind count;
} roles[] = {
	{ "smtp", smtp_entry, ROLE_ONE },
	{ "worker", worker_entry, ROLE_WORKERS },
	{ "relay", relay_entry, ROLE_PIPELINE },
};

/* --- hints and poison messages -------------------------------------------- */

/* Send a hint to one live child of role (round robin for workers). */
static void
hint(const char *role, const char *type, const char *id)
{
	struct child *c, *pick = NULL;
	char line[PROC_LINE_MAX];
	unsigned n = 0, k;

	for (c = M.children; c != NULL; c = c->next)
		if (strcmp(c->role, role) == 0 && !c->draining &&
		    c->link != NULL && c->pid > 0)
			n++;
	if (n == 0 || proc_line(line, sizeof line, type, id) <= 0)
		return;		/* the child's rescan finds it */
	k = M.rr++ % n;
	for (c = M.children; c != NULL; c = c->next)
		if (strcmp(c->role, role) == 0 && !c->draining &&
		    c->link != NULL && c->pid > 0 && k-- == 0) {
			pick = c;
			break;
		}
	if (pick != NULL)
		bufferevent_write(pick->link, line, strlen(line));
}

/*
 * A worker died (or was killed for hanging) holding entry id: put it
 * back for another try, or, after worker_attempts, quarantine it so one
 * bad message never stops the queue.  The count is the entry's retry
 * state in the spool (crashes), so a restart of hubd does not reset it.
 */
static void worker_lost_entry_as_hub(const char *, const char *, char *,
    size_t);

static void
worker_lost_entry(const char *id, const char *how)
{
	char why[256];

	/* What the master writes here must be the workers' to read. */
	proc_as_hub(&M.users);
	worker_lost_entry_as_hub(id, how, why, sizeof why);
	proc_as_root(&M.users);
}

static void
worker_lost_entry_as_hub(const char *id, const char *how, char *why,
    size_t whylen)
{
	struct spool_retry r;
	enum spool_status st;

	if (spool_settle_active(M.sp, id) == 1) {
		log_info("entry-finished id=%s after=worker-exit last=%s "
		    "(its outgoing set was committed)", id, how);
		spool_retry_forget(M.sp, id);
		return;
	}
	if (spool_retry_load(M.sp, id, &r) != SPOOL_OK)
		log_warnx("retry-state-unreadable id=%s (counted from zero)",
		    id);
	r.crashes++;
	r.last_at = (long long)hub_now();
	if (r.first == 0)
		r.first = r.last_at;
	snprintf(r.last, sizeof r.last, "%s", "worker-lost");
	if (r.crashes < M.cfg->worker_attempts) {
		/* a full disk only loses the count, never the entry */
		if ((st = spool_retry_save(M.sp, id, &r)) != SPOOL_OK)
			log_warnx("retry-state-unsaved id=%s status=%s", id,
			    spool_status_str(st));
		st = spool_move(M.sp, id, SPOOL_Q_ACTIVE, SPOOL_Q_INCOMING);
		log_warnx("entry-retry id=%s attempt=%u of=%u last=%s "
		    "status=%s", id, r.crashes, M.cfg->worker_attempts, how,
		    spool_status_str(st));
		if (st == SPOOL_OK)
			hint("worker", "incoming", id);
		return;
	}
	snprintf(why, whylen, "reason=quarantined\nattempts=%u\n"
	    "last=%s\n", r.crashes, how);
	st = spool_quarantine(M.sp, id, SPOOL_Q_ACTIVE, why);
	log_warnx("entry-quarantined id=%s attempts=%u last=%s status=%s "
	    "where=quarantine/%s", id, r.crashes, how, spool_status_str(st),
	    id);
	if (st != SPOOL_OK)
		return;
	spool_retry_forget(M.sp, id);
	/* The master holds no key: a worker tells the list's admins
	 * (hub/defer.c defer_tell_quarantined), at its next turn. */
	if ((st = spool_tell_mark(M.sp, id)) != SPOOL_OK)
		log_warnx("quarantine-mark-failed id=%s status=%s (the admins "
		    "are not told)", id, spool_status_str(st));
	else
		hint("worker", "incoming", id);
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child *c;
	time_t now = hub_mono();

	(void)fd;
	(void)what;
	(void)arg;
	for (c = M.children; c != NULL; c = c->next)
		if (c->pid > 0 && c->claim[0] != '\0' &&
		    now - c->claim_at > (time_t)M.cfg->worker_timeout) {
			log_warnx("worker-hung pid=%ld id=%s seconds=%lld "
			    "action=kill", (long)c->pid, c->claim,
			    (long long)(now - c->claim_at));
			kill(c->pid, SIGKILL);
			c->claim_at = now;	/* once */
		}
}

static void
link_line(struct child *ch, const char *type, const char *id)
{
	if (strcmp(type, "incoming") == 0) {
		/* from smtp, or a DSN from the relay */
		hint("worker", "incoming", id);
	} else if (strcmp(type, "outgoing") == 0) {
		hint("relay", "outgoing", id);
	} else if (strcmp(type, "claim") == 0 && hub_id_valid(id)) {
		memcpy(ch->claim, id, HUB_ID_SIZE);
		ch->claim_at = hub_mono();
	} else if (strcmp(type, "lists") == 0) {
		/* a worker rewrote lists.names from the store */
		names_changed(ch);
	} else if (strcmp(type, "done") == 0) {
		ch->claim[0] = '\0';
	} else
		log_debug("hint from=%s type=%s id=%s", ch->role, type, id);
}

static void
link_read_cb(struct bufferevent *bev, void *arg)
{
	struct child *ch = arg;
	char *line, *type, *id;
	size_t len;

	while ((line = evbuffer_readln(bufferevent_get_input(bev), &len,
	    EVBUFFER_EOL_LF)) != NULL) {
		if (len < PROC_LINE_MAX && proc_parse_line(line, &type, &id))
			link_line(ch, type, id);
		else
			log_warnx("link-bad-line from=%s", ch->role);
		free(line);
	}
}

static void
link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct child *ch = arg;

	(void)what;
	/* The child is gone or going; SIGCHLD does the bookkeeping. */
	bufferevent_free(bev);
	ch->link = NULL;
}

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	spawn(arg);
}

static void
spawn(struct child *ch)
{
	const struct role_def *r = NULL;
	int link_fd;
	size_t i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(roles[i].name, ch->role) == 0)
			r = &roles[i];
	if (r == NULL)
		panic("unknown role %s", ch->role);
	ch->pid = proc_spawn(ch->role, r->entry, NULL, &link_fd);
	if (ch->pid == -1) {
		log_warn("spawn-failed role=%s", ch->role);
		ch->backoff_ms = RESTART_MAX_MS;
		struct timeval tv = { RESTART_MAX_MS / 1000, 0 };

		evtimer_add(ch->restart, &tv);
		return;
	}
	ch->started = hub_mono();
	if (ch->link != NULL)	/* the dead predecessor's, not yet at EOF */
		bufferevent_free(ch->link);
	ch->link = bufferevent_socket_new(M.base, link_fd,
	    BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(ch->link, link_read_cb, NULL, link_event_cb, ch);
	bufferevent_enable(ch->link, EV_READ);
	log_info("spawned role=%s pid=%ld", ch->role, (long)ch->pid);
}

static struct child *
child_new(const char *role)
{
	struct child *ch = xcalloc(1, sizeof *ch);

	ch->role = role;
	ch->backoff_ms = RESTART_MIN_MS;
	ch->restart = evtimer_new(M.base, restart_cb, ch);
	ch->next = M.children;
	M.children = ch;
	return ch;
}

static void
child_remove(struct child *ch)
{
	struct child **pp;

	for (pp = &M.children; *pp != NULL; pp = &(*pp)->next)
		if (*pp == ch) {
			*pp = ch->next;
			break;
		}
	if (ch->link != NULL)
		bufferevent_free(ch->link);
	event_free(ch->restart);
	free(ch);
}

/* Spawn the children of one role, or of every role (NULL). */
static void
spawn_generation(const char *only)
{
	size_t i;
	unsigned n, k;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		if (only != NULL && strcmp(roles[i].name, only) != 0)
			continue;
		switch (roles[i].count) {
		case ROLE_ONE:
			n = 1;
			break;
		case ROLE_WORKERS:
			n = M.pipeline ? M.cfg->workers : 0;
			break;
		case ROLE_PIPELINE:
		default:
			n = M.pipeline ? 1 : 0;
			break;
		}
		for (k = 0; k < n; k++)
			spawn(child_new(roles[i].name));
	}
}

static void
describe_status(int status, char *dst, size_t n)
{
	if (WIFEXITED(status))
		snprintf(dst, n, "exit:%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(dst, n, "signal:%d", WTERMSIG(status));
	else
		snprintf(dst, n, "status:%d", status);
}

static void
reap_children(void)
{
	struct child *ch;
	char how[32];
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (ch = M.children; ch != NULL; ch = ch->next)
			if (ch->pid == pid)
				break;
		describe_status(status, how, sizeof how);
		if (ch == NULL) {
			log_info("reaped pid=%ld status=%s", (long)pid, how);
			continue;
		}
		ch->pid = 0;
		if (ch->claim[0] != '\0') {
			worker_lost_entry(ch->claim, how);
			ch->claim[0] = '\0';
		}
		if (M.stopping || ch->draining) {
			log_info("child-exited role=%s pid=%ld status=%s%s",
			    ch->role, (long)pid, how,
			    ch->draining ? " generation=old" : "");
			child_remove(ch);
			continue;
		}
		/* Unexpected: restart, backing off if it keeps dying. */
		if (hub_mono() - ch->started >= STABLE_SECONDS)
			ch->backoff_ms = RESTART_MIN_MS;
		log_warnx("child-died role=%s pid=%ld status=%s "
		    "restart-in-ms=%u", ch->role, (long)pid, how,
		    ch->backoff_ms);
		struct timeval tv = { ch->backoff_ms / 1000,
		    (ch->backoff_ms % 1000) * 1000 };

		evtimer_add(ch->restart, &tv);
		ch->backoff_ms = ch->backoff_ms * 2 > RESTART_MAX_MS ?
		    RESTART_MAX_MS : ch->backoff_ms * 2;
	}
	if (M.stopping && M.children == NULL)
		event_base_loopexit(M.base, NULL);
}

/* --- signals ------------------------------------------------------------- */

static void
kill_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child *ch;

	(void)fd;
	(void)what;
	(void)arg;
	for (ch = M.children; ch != NULL; ch = ch->next)
		if (ch->pid > 0) {
			log_warnx("child-kill role=%s pid=%ld reason=slow-exit",
			    ch->role, (long)ch->pid);
			kill(ch->pid, SIGKILL);
		}
}

static void
stop(const char *why)
{
	struct child *ch, *next;
	struct timeval tv;

	if (M.stopping)
		return;
	M.stopping = true;
	log_info("stopping reason=%s", why);
	for (ch = M.children; ch != NULL; ch = next) {
		next = ch->next;
		if (ch->pid > 0)
			kill(ch->pid, SIGTERM);
		else
			child_remove(ch);	/* waiting for a restart */
	}
	if (M.children == NULL) {
		event_base_loopexit(M.base, NULL);
		return;
	}
	tv.tv_sec = M.cfg->shutdown_timeout + 5;
	tv.tv_usec = 0;
	M.kill_timer = evtimer_new(M.base, kill_timer_cb, NULL);
	evtimer_add(M.kill_timer, &tv);
}

static const char *
reload_blocker(const struct hub_config *o, const struct hub_config *n)
{
	if (strcmp(o->data_dir, n->data_dir) != 0)
		return "data_dir";
	if (strcmp(o->pidfile, n->pidfile) != 0)
		return "pidfile";
	if ((o->user == NULL) != (n->user == NULL) ||
	    (o->user != NULL && strcmp(o->user, n->user) != 0))
		return "user";
	/* the spool's owners were set for the users at start */
	if ((o->network_user == NULL) != (n->network_user == NULL) ||
	    (o->network_user != NULL &&
	    strcmp(o->network_user, n->network_user) != 0))
		return "network_user";
	return NULL;
}

/*
 * Tell a child of the old generation to finish.  The smtp process drains
 * (a line on its link): its sessions, idle ones too, run on to QUIT or
 * timeout, since the new smtp process already serves the same sockets.
 * The others get SIGTERM: a worker finishes its entry, the relay its
 * sessions.
 */
static void
retire(struct child *ch, const char *why)
{
	char line[PROC_LINE_MAX];

	if (strcmp(ch->role, "smtp") == 0 && ch->link != NULL &&
	    proc_line(line, sizeof line, "drain", why) > 0 &&
	    bufferevent_write(ch->link, line, strlen(line)) == 0)
		return;
	kill(ch->pid, SIGTERM);
}

/*
 * Replace the children of one role (or all, NULL) with ones forked from
 * the current configuration.  The old ones keep their own copy of the
 * old configuration, finish and exit; the new ones take over at once.
 * why goes into the old smtp process's drain line.
 */
static void
new_generation(const char *only, const char *why)
{
	struct child *ch, *next;

	for (ch = M.children; ch != NULL; ch = ch->next) {
		if (only != NULL && strcmp(ch->role, only) != 0)
			continue;
		if (!ch->draining && ch->pid > 0)
			retire(ch, why);
		ch->draining = true;
		evtimer_del(ch->restart);
	}
	for (ch = M.children; ch != NULL; ch = next) {
		next = ch->next;
		if (ch->pid <= 0 && ch->draining)
			child_remove(ch);
	}
	spawn_generation(only);
}

static void
reload(void)
{
	struct hub_config *ncfg, *ocfg;
	const char *what;
	char err[512], why[128];

	if (config_load(M.conf_path, &ncfg, err, sizeof err) != 0) {
		log_warnx("reload-refused reason=config-error error=\"%s\" "
		    "action=keeping-old-config", err);
		return;
	}
	if ((what = reload_blocker(M.cfg, ncfg)) != NULL) {
		log_warnx("reload-refused reason=%s-changed "
		    "action=keeping-old-config (restart hubd to change it)",
		    what);
		config_free(ncfg);
		return;
	}
	if (listeners_update(ncfg, err, sizeof err) != 0) {
		log_warnx("reload-refused reason=listen-failed error=\"%s\" "
		    "action=keeping-old-config", err);
		config_free(ncfg);
		return;
	}
	/* Whether workers run is decided by the store file being there;
	 * a store that went away keeps the workers that run (they say
	 * what is wrong) rather than stranding mail in incoming/. */
	if (store_exists(ncfg))
		M.pipeline = true;
	else if (M.pipeline)
		log_warnx("reload-partial kept=pipeline reason=no-store "
		    "action=keeping-workers");
	conf_lists_take(ncfg);
	if (names_load(ncfg, why, sizeof why) == NAMES_KEPT)
		log_warnx("reload-partial kept=list-names reason=%s "
		    "path=%s/%s lists=%zu%s", why, ncfg->data_dir,
		    LISTNAMES_FILE, M.nnames, M.names_known ? "" :
		    " lists-unknown=yes action=451-for-unlisted");
	names_apply(ncfg);
	ocfg = M.cfg;
	M.cfg = ncfg;
	new_generation(NULL, "reload");
	config_free(ocfg);
	log_info("reloaded lists=%zu listeners=%zu", M.cfg->nlists, M.nls);
}

/*
 * A worker wrote lists.names (it was missing, unreadable or stale): read
 * it, and if the set changed, replace the smtp process, the one that
 * decides RCPT by the names (workers take theirs from the store).
 */
static void
names_changed(struct child *from)
{
	char why[128], **old;
	size_t nold = M.nnames;
	bool was_known = M.names_known;

	if (M.stopping)
		return;
	old = names_dup(M.names, M.nnames);
	if (names_load(M.cfg, why, sizeof why) == NAMES_KEPT) {
		log_warnx("list-names-unreadable from=%s reason=%s "
		    "action=keeping lists=%zu", from->role, why, M.nnames);
		goto out;
	}
	if (was_known && listnames_equal(old, nold, M.names, M.nnames)) {
		log_debug("list-names-unchanged from=%s", from->role);
		goto out;
	}
	names_apply(M.cfg);
	log_info("list-names-loaded from=%s lists=%zu action=new-smtp",
	    from->role, M.cfg->nlists);
	new_generation("smtp", "list-names");
out:
	listnames_free(old, nold);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	switch (sig) {
	case SIGTERM:
		stop("sigterm");
		break;
	case SIGINT:
		stop("sigint");
		break;
	case SIGHUP:
		if (!M.stopping)
			reload();
		break;
	case SIGCHLD:
		reap_children();
		break;
	}
}

/* --- start-up ------------------------------------------------------------ */

/* libevent's own diagnostics, in our log format. */
static void
libevent_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent msg=\"%s\"", msg);
	else
		log_debug("libevent msg=\"%s\"", msg);
}

static void
check_pidfile(const char *path)
{
	char buf[32];
	ssize_t n;
	long pid;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) == 0)
		fatalx("already running pid=%ld pidfile=%s", pid, path);
}

static void
write_pidfile(const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());

	if (fs_write_atomic(path, buf, (size_t)n, 0644) == -1)
		fatal("pidfile %s", path);
	M.pidfile_written = true;
}

/*
 * Started as root with a network user: the data dir is the hub user's
 * (workers write lists.names and the stores there), traversable by the
 * network user; the spool gets the owners of hub/proc.c's role table,
 * entries queued before included (a spool from before the split), and
 * is checked before anything runs.  Then the recovery, as root: it only
 * renames and removes, so the owners stay.
 */
static void
prepare_data_dir(const struct hub_config *cfg, struct spool **spp)
{
	struct spool_recovery rec;
	struct spool_perms perms;
	enum spool_status st;
	char dir[PATH_MAX], err[512];
	int fd;

	if (proc_users_resolve(cfg, &M.users, err, sizeof err) == -1)
		fatalx("privsep error=\"%s\"", err);
	if (fs_mkdirs(cfg->data_dir, 0700) == -1)
		fatal("data_dir %s", cfg->data_dir);
	snprintf(dir, sizeof dir, "%s/spool", cfg->data_dir);
	if (M.users.split) {
		fd = open(cfg->data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1 || (M.users.hub_name != NULL &&
		    fchown(fd, M.users.hub_uid, M.users.hub_gid) == -1) ||
		    fchmod(fd, 0711) == -1)
			fatal("data_dir %s", cfg->data_dir);
		close(fd);
		proc_spool_perms(&M.users, &perms);
		if (spool_fix_perms(dir, &perms, err, sizeof err) == -1 ||
		    spool_check_perms(dir, &perms, err, sizeof err) == -1)
			fatalx("spool-owner-wrong error=\"%s\" "
			    "action=refusing-to-run", err);
		log_info("privsep network_user=%s user=%s spool=checked",
		    M.users.net_name, M.users.hub_name != NULL ?
		    M.users.hub_name : "root");
		if (M.users.hub_name == NULL)
			log_warnx("privsep user=none: the workers and the relay "
			    "keep root privileges (set user, the hub user)");
	} else if (geteuid() == 0)
		log_warnx("privsep network_user=none: running as root without "
		    "a network_user (or user) setting; every process keeps "
		    "root privileges");
	else if (M.users.net_name != NULL)
		log_info("privsep user=%s skipped: not started as root",
		    M.users.net_name);
	if ((st = spool_open(dir, spp)) != SPOOL_OK)
		fatal("spool-open dir=%s status=%s", dir,
		    spool_status_str(st));
	if ((st = spool_recover(*spp, &rec)) != SPOOL_OK)
		fatal("spool-recover status=%s", spool_status_str(st));
	log_info("spool-recovered tmp-removed=%u requeued=%u corrupt=%u "
	    "incoming=%u", rec.tmp_removed, rec.requeued, rec.corrupt,
	    rec.incoming);
}

static void
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

static void
print_names(const char *what, char *const *v, size_t n)
{
	size_t i;

	printf("  %s:", what);
	for (i = 0; i < n; i++)
		printf(" %s", v[i]);
	printf("%s\n", n == 0 ? " none" : "");
}

/*
 * hubd -n: what hubd would serve if it started now, read as the master
 * reads it (hub.conf, then DATA_DIR/lists.names when the store exists),
 * not hub.conf's lines alone; hub.conf's lists the store lacks named.
 */
static void
check_report(const char *conf)
{
	char why[128];
	size_t i;

	M.pipeline = store_exists(M.cfg);
	conf_lists_take(M.cfg);
	if (names_load(M.cfg, why, sizeof why) == NAMES_KEPT)
		M.names_known = false;
	names_apply_quiet(M.cfg);
	printf("hubd: %s: configuration OK (lists=%zu listen=%zu)\n", conf,
	    M.cfg->nlists, M.cfg->nlisten);
	print_names("lists served", M.cfg->lists, M.cfg->nlists);
	if (!M.pipeline)
		printf("  store: none in %s (intake only: mail waits in "
		    "spool/incoming until hubctl init)\n", M.cfg->data_dir);
	else if (!M.names_known)
		printf("  store: its lists unknown (%s/%s: %s): a worker "
		    "writes the file at start; until then other addresses "
		    "at %s get 451\n", M.cfg->data_dir, LISTNAMES_FILE, why,
		    M.cfg->domain);
	else
		print_names("lists in the store", M.names, M.nnames);
	if (M.nconf_lists > 0)
		print_names("lists from hub.conf \"list\" lines and "
		    "DATA_DIR/lists (deprecated)", M.conf_lists,
		    M.nconf_lists);
	if (M.pipeline && M.names_known)
		for (i = 0; i < M.nconf_lists; i++)
			if (!name_in(M.conf_lists[i], M.names, M.nnames))
				printf("  warning: list %s is in hub.conf but "
				    "not in the store: its mail is accepted "
				    "and then rejected (no-such-list); "
				    "hubctl list create %s, or remove the "
				    "line\n", M.conf_lists[i],
				    M.conf_lists[i]);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hubd [-dfhnV] [-c file]\n"
	    "  -c file  configuration file (default " DEFAULT_CONF ")\n"
	    "  -d       debug: verbose log lines\n"
	    "  -f       stay in the foreground and log to stderr\n"
	    "           (default: detach and log to syslog, facility mail)\n"
	    "  -n       check the configuration, print the result, exit\n"
	    "  -h       this help\n"
	    "  -V       print the version\n"
	    "signals: SIGHUP reloads hub.conf and DATA_DIR/lists.names (a bad\n"
	    "hub.conf is refused and the old configuration kept, an unreadable\n"
	    "lists.names keeps the lists read before); open sessions go on;\n"
	    "SIGTERM finishes transactions, says 421 and exits.\n");
}

int
main(int argc, char **argv)
{
	const char *conf = DEFAULT_CONF;
	struct event *sigs[4];
	struct spool *sp = NULL;
	char err[512], *real;
	int ch, foreground = 0, verbose = 0, check_only = 0;
	size_t i;
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

	while ((ch = getopt(argc, argv, "c:dfhnV")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			verbose = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("hubd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("master", LOG_TO_STDERR, verbose);
	event_set_log_callback(libevent_log);
	fs_fault_init_from_env("master");

	if (config_load(conf, &M.cfg, err, sizeof err) != 0) {
		fprintf(stderr, "hubd: %s\n", err);
		return 1;
	}
	if (check_only) {
		check_report(conf);
		config_free(M.cfg);
		listnames_free(M.conf_lists, M.nconf_lists);
		listnames_free(M.names, M.nnames);
		return 0;
	}
	/* Reload after chdir("/") must find the same file. */
	if ((real = realpath(conf, NULL)) == NULL)
		fatal("realpath %s", conf);
	M.conf_path = real;

	check_pidfile(M.cfg->pidfile);
	prepare_data_dir(M.cfg, &sp);
	M.sp = sp;
	M.pipeline = store_exists(M.cfg);
	if (!M.pipeline)
		log_warnx("no-store path=%s/" STORE_FILE " action=intake-only "
		    "(run hubctl init; accepted mail waits in spool/incoming)",
		    M.cfg->data_dir);
	conf_lists_take(M.cfg);
	if (names_load(M.cfg, err, sizeof err) == NAMES_KEPT)
		log_warnx("list-names-unknown reason=%s path=%s/%s "
		    "action=451-for-unlisted (until a worker writes it from "
		    "the store)", err, M.cfg->data_dir, LISTNAMES_FILE);
	names_apply(M.cfg);
	if (listeners_update(M.cfg, err, sizeof err) != 0)
		fatalx("%s", err);
	if (!foreground) {
		daemonize();
		log_init("master", LOG_TO_SYSLOG, verbose);
	}
	write_pidfile(M.cfg->pidfile);
	signal(SIGPIPE, SIG_IGN);

	if ((M.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	for (i = 0; i < 4; i++) {
		sigs[i] = evsignal_new(M.base, signals[i], signal_cb, NULL);
		evsignal_add(sigs[i], NULL);
	}
	M.watch_timer = event_new(M.base, -1, EV_PERSIST, watch_cb, NULL);
	{
		struct timeval one = { 1, 0 };

		evtimer_add(M.watch_timer, &one);
	}
	spawn_generation(NULL);
	log_info("ready pid=%ld conf=%s lists=%zu pipeline=%s%s",
	    (long)getpid(), M.conf_path, M.cfg->nlists,
	    M.pipeline ? "yes" : "no",
	    M.cfg->lists_unknown ? " lists-unknown=yes" : "");

	event_base_dispatch(M.base);

	for (i = 0; i < M.nls; i++)
		close_listener(&M.ls[i]);
	free(M.ls);
	if (M.pidfile_written)
		unlink(M.cfg->pidfile);
	for (i = 0; i < 4; i++)
		event_free(sigs[i]);
	if (M.kill_timer != NULL)
		event_free(M.kill_timer);
	event_free(M.watch_timer);
	spool_close(M.sp);
	event_base_free(M.base);
	log_info("exit");
	config_free(M.cfg);
	listnames_free(M.conf_lists, M.nconf_lists);
	listnames_free(M.names, M.nnames);
	free(M.conf_path);
	return 0;
}
