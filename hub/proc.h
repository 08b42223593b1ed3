/*
 * proc: hubd's child processes — creation, privilege drop, and the
 * wake-up link between a child and the master.
 *
 * Each child is forked by the master with a socketpair to it.  Over the
 * link go only hints, one per line: "TYPE ID\n" (e.g. "incoming
 * 0000018c...-a1b2c3d4e5f6"), never message content; the spool is the truth
 * and everyone rescans it on a timer, so a lost line costs latency, never
 * mail (STYLE.md §1.2).  A child whose link reaches EOF knows the master is
 * gone and shuts down.
 *
 * Runs in the master (spawn) and in children (after fork).
 */
#ifndef HUB_PROC_H
#define HUB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROC_LINE_MAX	128

/*
 * Fork a child for role.  In the child: default signal dispositions, the
 * process name "hubd-ROLE", log role ROLE, the fs fault hook re-read for
 * ROLE, then exit(fn(arg, link_fd)).  The child inherits every open fd of
 * the master; fn must close what it does not need (hubd.c's child_init()
 * and close_listeners() do).
 * In the master: returns the pid and stores the master end of the link in
 * *link_fd; -1 on failure (errno set).
 */
pid_t proc_spawn(const char *role, int (*fn)(void *arg, int link_fd),
    void *arg, int *link_fd);

/* Drop to user (uid, gid, supplementary groups) and verify it cannot be
 * undone.  Fatal on failure: running a network role as root by accident
 * is worse than not running. */
void proc_drop_privileges(const char *user);

/* Look up user: 0 and uid/gid filled, -1 if unknown. */
int proc_user_ids(const char *user, uid_t *uid, gid_t *gid);

/* Core dumps off and not ptrace-able (for processes that hold plaintext
 * or talk to the key agent; invariant 2). */
void proc_no_dumps(void);

/*
 * Cap the process's address space at bytes (RLIMIT_AS), the backstop
 * behind the decoding budget for processes that unpack hostile input: a
 * bug that lets a message balloon ends in a failed allocation of one
 * worker, not in the machine swapping.  Skipped (and logged) in
 * AddressSanitizer builds, which reserve terabytes of address space.
 */
#define PROC_WORKER_AS_LIMIT	(2ULL * 1024 * 1024 * 1024)
void proc_limit_memory(unsigned long long bytes);

/* Format one link line into dst (size >= PROC_LINE_MAX). */
int proc_line(char *dst, size_t n, const char *type, const char *id);
/* Split a received line (without "\n") into type and id in place. */
bool proc_parse_line(char *line, char **type, char **id);

/* --- roles and their users (issue 14) ---------------------------------
 *
 * Started as root, each role runs as its own user, as OpenSMTPD's do:
 *
 *	role	user		hub group	spool it writes			core
 *	master	root		-		all (recovery, a lost entry)	yes
 *	smtp	network_user	no		tmp, incoming			yes
 *	worker	user		primary		incoming (claims), active,	no
 *					outgoing, rejected, corrupt,
 *					deferred, quarantine, retry,
 *					receipts (alone, 0700)
 *	relay	network_user	supplementary	tmp, incoming (its delivery	no
 *					reports), outgoing (removes what
 *					it delivered), relay.lock
 *
 * The table in proc.c is the one source: the privilege drop of each
 * child and the owners of the spool directories (proc_spool_perms) are
 * derived from it.  The smtp process is the only role without the hub
 * group, so it can write nowhere but tmp/ and incoming/ and read no
 * other queue; the relay gets the group only to remove delivered files.
 * Started unprivileged everything runs as the caller: the processes are
 * separate in memory, not in permissions.
 */
struct hub_config;
struct spool_perms;

struct proc_users {
	bool	 split;		/* started as root with a network user */
	uid_t	 net_uid, hub_uid;
	gid_t	 net_gid, hub_gid;	/* their primary groups */
	const char *net_name, *hub_name;	/* NULL: root */
};

/* Resolve cfg's users; -1 with err (an unknown user, the network user
 * root or the hub user).  Not root: split is false, nothing else set. */
int proc_users_resolve(const struct hub_config *cfg, struct proc_users *u,
    char *err, size_t errlen);
/* The spool's owners and modes for u, derived from the role table. */
void proc_spool_perms(const struct proc_users *u, struct spool_perms *p);
/*
 * In a child, once what it must read as root is read (the relay's
 * password file): become role's user with its groups, set whether it
 * may dump core, and check the spool's owners (fatal when wrong).  A
 * no-op for the user when not started as root.
 */
void proc_role_enter(const char *role, const struct hub_config *cfg);
/* The master's spool changes after start (a lost worker's entry) are
 * the workers' work: done with the hub user's effective ids, so what
 * it writes belongs to the workers.  No-ops unless split. */
void proc_as_hub(const struct proc_users *u);
void proc_as_root(const struct proc_users *u);

#endif
