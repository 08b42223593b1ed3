#include "config.h"

#include "hub/proc.h"
#include "base/fsutil.h"
#include "base/log.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void
proc_drop_privileges(const char *user)
{
	uid_t uid;
	gid_t gid;

	if (proc_user_ids(user, &uid, &gid) == -1)
		fatalx("privdrop user=%s reason=no-such-user", user);
	if (setgroups(1, &gid) == -1)
		fatal("privdrop setgroups user=%s", user);
	if (setresgid(gid, gid, gid) == -1)
		fatal("privdrop setresgid user=%s", user);
	if (setresuid(uid, uid, uid) == -1)
		fatal("privdrop setresuid user=%s", user);
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		fatalx("privdrop user=%s reason=could-regain-root", user);
	/* Changing uid clears the parent-death signal proc_spawn() set. */
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	log_debug("privdrop user=%s uid=%ld gid=%ld", user, (long)uid,
	    (long)gid);
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
