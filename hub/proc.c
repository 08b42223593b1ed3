#include "config.h"

#include "hub/proc.h"
#include "hub/conf.h"
#include "hub/spool.h"
#include "base/fsutil.h"
#include "base/log.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void
reset_signals(void)
{
	static const int sigs[] = {
		SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGPIPE,
	};
	struct sigaction sa;
	sigset_t none;
	size_t i;

	/* The master's libevent signal handlers would otherwise write
	 * into the master's own signal pipe from here. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t
proc_spawn(const char *role, int (*fn)(void *arg, int link_fd), void *arg,
    int *link_fd)
{
	char name[16];
	int sp[2];
	pid_t pid;

	/* Both ends are bufferevents: a stalled peer must not block a loop. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    sp) == -1)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == -1) {
		int saved = errno;

		close(sp[0]);
		close(sp[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		close(sp[0]);
		reset_signals();
		snprintf(name, sizeof name, "hubd-%s", role);
		prctl(PR_SET_NAME, name, 0, 0, 0);
		/* If the master dies without closing our link (it cannot
		 * fail to), still hear about it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		log_set_role(role);
		fs_fault_init_from_env(role);
		exit(fn(arg, sp[1]));
	}
	close(sp[1]);
	*link_fd = sp[0];
	return pid;
}

int
proc_user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Become uid with primary group gid and, if extra != gid, one
 * supplementary group; fatal if it fails or could be undone. */
static void
drop_to(const char *user, uid_t uid, gid_t gid, gid_t extra)
{
	gid_t groups[2] = { gid, extra };

	if (setgroups(extra != gid ? 2 : 1, groups) == -1)
		fatal("privdrop setgroups user=%s", user);
	if (setresgid(gid, gid, gid) == -1)
		fatal("privdrop setresgid user=%s", user);
	if (setresuid(uid, uid, uid) == -1)
		fatal("privdrop setresuid user=%s", user);
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		fatalx("privdrop user=%s reason=could-regain-root", user);
	/* Changing uid clears the parent-death signal proc_spawn() set. */
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	log_debug("privdrop user=%s uid=%ld gid=%ld groups=%ld", user,
	    (long)uid, (long)gid, (long)extra);
}

void
proc_drop_privileges(const char *user)
{
	uid_t uid;
	gid_t gid;

	if (proc_user_ids(user, &uid, &gid) == -1)
		fatalx("privdrop user=%s reason=no-such-user", user);
	drop_to(user, uid, gid, gid);
}

/* --- the role table ---------------------------------------------------- */

enum proc_user { PU_ROOT, PU_NET, PU_HUB };

#define QB(q)		(1u << (q))
#define QB_RETRY	(1u << SPOOL_Q_COUNT)
#define QB_LOCK		(1u << (SPOOL_Q_COUNT + 1))

/*
 * The one table of what each role is (proc.h has it as a picture).
 * writes: where it creates, renames or removes entries; reads: where it
 * only looks.  A directory written by the smtp process (the one role
 * without the hub group) is the network user's, any other the hub
 * user's; another user's role reaches it through the hub group.
 */
static const struct proc_role {
	const char	*name;
	enum proc_user	 user;
	bool		 hub_group;
	unsigned	 writes;
	unsigned	 reads;
	bool		 dumps;		/* may dump core / be traced */
} proc_roles[] = {
	/* recovery and a lost worker's entry (as the hub user) */
	{ "master", PU_ROOT, true, 0, 0, true },
	/* holds no secret: debuggable with gdb -p */
	{ "smtp", PU_NET, false,
	    QB(SPOOL_Q_TMP) | QB(SPOOL_Q_INCOMING), 0, true },
	/* plaintext and the keys (invariant 2) */
	{ "worker", PU_HUB, true,
	    QB(SPOOL_Q_INCOMING) | QB(SPOOL_Q_ACTIVE) | QB(SPOOL_Q_OUTGOING) |
	    QB(SPOOL_Q_REJECTED) | QB(SPOOL_Q_CORRUPT) |
	    QB(SPOOL_Q_DEFERRED) | QB(SPOOL_Q_QUARANTINE) | QB_RETRY, 0,
	    false },
	/* the smarthost password; delivery reports go through tmp/ */
	{ "relay", PU_NET, true,
	    QB(SPOOL_Q_TMP) | QB(SPOOL_Q_INCOMING) | QB(SPOOL_Q_OUTGOING) |
	    QB_LOCK, QB(SPOOL_Q_ACTIVE), false },
};

static const struct proc_role *
role_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof proc_roles / sizeof proc_roles[0]; i++)
		if (strcmp(proc_roles[i].name, name) == 0)
			return &proc_roles[i];
	panic("unknown role %s", name);
}

int
proc_users_resolve(const struct hub_config *cfg, struct proc_users *u,
    char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	u->net_name = config_network_user(cfg);
	u->hub_name = config_hub_user(cfg);
	if (geteuid() != 0 || u->net_name == NULL)
		return 0;
	if (proc_user_ids(u->net_name, &u->net_uid, &u->net_gid) == -1) {
		snprintf(err, errlen, "network_user %s: no such user",
		    u->net_name);
		return -1;
	}
	if (u->hub_name != NULL &&
	    proc_user_ids(u->hub_name, &u->hub_uid, &u->hub_gid) == -1) {
		snprintf(err, errlen, "user %s: no such user", u->hub_name);
		return -1;
	}
	if (u->net_uid == 0 || (u->hub_name != NULL && u->hub_uid == 0)) {
		snprintf(err, errlen, "user %s is root (uid 0): the roles "
		    "would not be separated", u->net_uid == 0 ? u->net_name :
		    u->hub_name);
		return -1;
	}
	if (u->hub_name != NULL && (u->hub_uid == u->net_uid ||
	    u->hub_gid == u->net_gid)) {
		snprintf(err, errlen, "user %s and network_user %s share a "
		    "uid or primary group: the network processes would reach "
		    "the keyring", u->hub_name, u->net_name);
		return -1;
	}
	u->split = true;
	return 0;
}

void
proc_spool_perms(const struct proc_users *u, struct spool_perms *p)
{
	const struct proc_role *r;
	size_t i;
	unsigned b;

	memset(p, 0, sizeof *p);
	/* Only root may rename what is in spool/; everyone walks through. */
	p->top = (struct spool_perm){ 0, 0, 0711 };
	p->network_uid = u->net_uid;
	p->entry_dir = (struct spool_perm){ u->hub_uid, u->hub_gid, 0770 };
	for (b = 0; b <= SPOOL_Q_COUNT + 1; b++) {
		struct spool_perm d = { u->hub_uid, u->hub_gid, 0700 };
		enum proc_user owner = PU_HUB;

		for (i = 0; i < sizeof proc_roles / sizeof proc_roles[0]; i++)
			if (!proc_roles[i].hub_group &&
			    (proc_roles[i].writes & (1u << b)))
				owner = proc_roles[i].user;
		if (owner == PU_NET) {
			d.uid = u->net_uid;
			/* what the network user writes, the hub group reads */
			d.mode |= 02000;
		}
		for (i = 0; i < sizeof proc_roles / sizeof proc_roles[0]; i++) {
			r = &proc_roles[i];
			if (r->user == owner || r->user == PU_ROOT)
				continue;
			if (r->writes & (1u << b))
				d.mode |= 0070;
			else if (r->reads & (1u << b))
				d.mode |= 0050;
		}
		if (b < SPOOL_Q_COUNT)
			p->q[b] = d;
		else if (b == SPOOL_Q_COUNT)
			p->retry = d;
		else {
			d.mode &= 0660;	/* a file: rw, no x */
			p->lock = d;
		}
	}
}

void
proc_role_enter(const char *role, const struct hub_config *cfg)
{
	const struct proc_role *r = role_find(role);
	struct proc_users u;
	struct spool_perms sp;
	char err[512], dir[PATH_MAX];

	if (proc_users_resolve(cfg, &u, err, sizeof err) == -1)
		fatalx("privdrop role=%s error=\"%s\"", role, err);
	if (geteuid() == 0 && r->user == PU_NET && u.net_name != NULL) {
		/* Without a hub user the hub group would be root's: the
		 * relay then stays root, as before network_user existed. */
		if (r->hub_group && u.hub_name == NULL)
			log_warnx("privsep role=%s user=root (set user, the hub "
			    "user, for it to drop too)", role);
		else
			drop_to(u.net_name, u.net_uid, u.net_gid,
			    r->hub_group ? u.hub_gid : u.net_gid);
	} else if (geteuid() == 0 && r->user == PU_HUB && u.hub_name != NULL)
		drop_to(u.hub_name, u.hub_uid, u.hub_gid, u.hub_gid);
	if (!r->dumps)
		proc_no_dumps();
	else if (geteuid() != 0)
		/* a uid change made it undumpable; nothing secret here */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (u.split) {
		proc_spool_perms(&u, &sp);
		snprintf(dir, sizeof dir, "%s/spool", cfg->data_dir);
		if (spool_check_perms(dir, &sp, err, sizeof err) == -1)
			fatalx("spool-owner-wrong role=%s error=\"%s\" "
			    "action=refusing-to-run", role, err);
	}
}

void
proc_as_hub(const struct proc_users *u)
{
	if (!u->split || u->hub_name == NULL)
		return;
	if (setegid(u->hub_gid) == -1 || seteuid(u->hub_uid) == -1)
		fatal("seteuid user=%s", u->hub_name);
}

void
proc_as_root(const struct proc_users *u)
{
	if (!u->split || u->hub_name == NULL)
		return;
	if (seteuid(0) == -1 || setegid(0) == -1)
		fatal("seteuid root");
}

void
proc_no_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		log_warn("setrlimit-core");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		log_warn("prctl-dumpable");
}

#if defined(__SANITIZE_ADDRESS__)
#define PROC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROC_ASAN 1
#endif
#endif

void
proc_limit_memory(unsigned long long bytes)
{
#ifdef PROC_ASAN
	log_debug("rlimit-as skipped=asan bytes=%llu", bytes);
#else
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = (rlim_t)bytes;
	if (setrlimit(RLIMIT_AS, &rl) == -1)
		log_warn("setrlimit-as bytes=%llu", bytes);
#endif
}

int
proc_line(char *dst, size_t n, const char *type, const char *id)
{
	int r = snprintf(dst, n, "%s %s\n", type, id);

	return r < 0 || (size_t)r >= n ? -1 : r;
}

bool
proc_parse_line(char *line, char **type, char **id)
{
	char *sp = strchr(line, ' ');

	if (sp == NULL || sp == line || sp[1] == '\0' ||
	    strchr(sp + 1, ' ') != NULL)
		return false;
	*sp = '\0';
	*type = line;
	*id = sp + 1;
	return true;
}
