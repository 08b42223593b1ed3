/*
 * hubctl: shared declarations of the admin CLI (tools/hubctl.c has main
 * and the command table; tools/hubctl_<noun>.c one file per noun, as in
 * tmux cmd-*.c and notmuch-<cmd>.c).
 *
 * A command gets the parsed global options in struct hubctl, its own
 * argv (argv[0] is the noun), and returns one of the documented exit
 * codes.  The store and the keyring are opened on demand by
 * hubctl_open() and closed by main.  Runs in the admin's shell, not in
 * hubd; every store call blocks on SQLite, gpg calls on gpg.
 */
#ifndef TOOLS_HUBCTL_H
#define TOOLS_HUBCTL_H

#include "tools/out.h"

struct gpg;
struct hub_config;
struct store;

/* Exit codes, documented in hubctl(8) EXIT STATUS. */
#define HUBCTL_OK	0	/* done */
#define HUBCTL_ERROR	1	/* the request: no such team, duplicate... */
#define HUBCTL_USAGE	2	/* bad command line */
#define HUBCTL_ENV	3	/* config, store, keyring, files */

struct hubctl {
	const char		*conf_path;
	int			 json;
	struct hub_config	*cfg;
	struct gpg		*gpg;
	struct store		*store;
	struct out		*out;
};

struct hubctl_cmd {
	const char	*name;
	const char	*usage;		/* after "hubctl NAME " */
	const char	*help;		/* one line */
	const char	*detail;	/* COMMAND --help: verbs, options */
	int		(*run)(struct hubctl *, int, char **);
};

/* Read hub.conf (once); HUBCTL_OK or HUBCTL_ENV (message printed). */
int hubctl_config(struct hubctl *h);
/* Config, keyring and store; HUBCTL_OK or HUBCTL_ENV (printed). */
int hubctl_open(struct hubctl *h);

/* Tell a running hubd (its pidfile) to reload: the smtp process learns
 * list addresses from the master, which reads them on SIGHUP.  Returns
 * the pid signalled, 0 if hubd is not running. */
long hubctl_reload_hubd(struct hubctl *h);

/* Print "hubctl: msg" on stderr (and {"error":...} with --json); rc. */
int hubctl_fail(struct hubctl *h, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "hubctl: msg" on stderr, escaped (tools/safetext.h), for the
 * messages before a usage line. */
void hubctl_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/*
 * A free-text value to be stored (field names it: "--name",
 * "description"): HUBCTL_OK when it follows tools/safetext.h (valid
 * UTF-8, no control, bidirectional or format characters), else the
 * failure printed, HUBCTL_ERROR.  NULL is fine (not given).
 */
int hubctl_check_text(struct hubctl *h, const char *field,
    const char *value);
/* A store failure: the store's message, and the exit code for it. */
int hubctl_store_fail(struct hubctl *h, int st);
/* Usage line of a command on stderr; HUBCTL_USAGE. */
int hubctl_usage(const struct hubctl_cmd *c);
/* Usage and help of a command on stdout; HUBCTL_OK. */
int hubctl_help(const struct hubctl_cmd *c);

/* Is argv[1] (the verb) "--help" or "-h"? */
int hubctl_wants_help(int argc, char **argv);

int cmd_init(struct hubctl *, int, char **);
int cmd_status(struct hubctl *, int, char **);
int cmd_log(struct hubctl *, int, char **);
int cmd_team(struct hubctl *, int, char **);
int cmd_list(struct hubctl *, int, char **);
int cmd_contact(struct hubctl *, int, char **);
int cmd_subscribe(struct hubctl *, int, char **);
int cmd_unsubscribe(struct hubctl *, int, char **);
int cmd_community(struct hubctl *, int, char **);
int cmd_endorse(struct hubctl *, int, char **);
int cmd_archive(struct hubctl *, int, char **);
int cmd_queue(struct hubctl *, int, char **);
int cmd_quarantine(struct hubctl *, int, char **);
int cmd_bounces(struct hubctl *, int, char **);
int cmd_backup(struct hubctl *, int, char **);
int cmd_restore(struct hubctl *, int, char **);

/*
 * Run the admission (lists/admission: every recorded endorsement, its
 * evidence checked now, the community options; the team made active if
 * it qualifies) and print it as keys of the open map.  HUBCTL_OK or a
 * failure printed.
 */
int hubctl_admission(struct hubctl *h, const char *candidate);

/*
 * DATA_DIR/lists.names and the Postfix map rewritten from the store after
 * the set of lists changed (tools/hubctl_list.c); a file that cannot be
 * written is said, the change stands.
 */
void hubctl_write_list_names(struct hubctl *h);
/* list import and list rekey (tools/hubctl_import.c, hubctl_rekey.c):
 * argv[0] is the verb. */
int hubctl_list_import(struct hubctl *h, const struct hubctl_cmd *cmd,
    int argc, char **argv);
int hubctl_list_rekey(struct hubctl *h, const struct hubctl_cmd *cmd,
    int argc, char **argv);

extern const struct hubctl_cmd hubctl_cmds[];

/* The command named name, or NULL. */
const struct hubctl_cmd *hubctl_cmd_find(const char *name);

#endif
