/*
 * hubctl: the admin CLI of csirt-hub (hubctl(8)).
 *
 * main parses the global options (-c, --json, --help), finds the command
 * in the table below and runs it; each noun lives in its own file.
 * Commands read and change the roster directly in the store (SQLCipher,
 * WAL and short transactions, so this is safe while hubd runs).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "hub/conf.h"
#include "hub/proc.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/hubctl_postfix.h"
#include "tools/out.h"
#include "tools/safetext.h"

#define DEFAULT_CONF	"/etc/csirt-hub/hub.conf"

const struct hubctl_cmd hubctl_cmds[] = {
	{ "init", "",
	  "create the data directory, the hub key and the encrypted store",
	  "Creates data_dir and data_dir/gnupg (mode 0700), the hub's own\n"
	  "key pair (ed25519/cv25519, no expiry), a random store key wrapped\n"
	  "to it (hub.db.key, hub.fpr) and the store hub.db.  Refuses when a\n"
	  "store exists.\n",
	  cmd_init },
	{ "team", "add|show|ls|suspend|reinstate|approve|remove [HANDLE] "
	  "[options]",
	  "manage the community's teams",
	  "  team add HANDLE [--kind member|partner] [--name NAME]\n"
	  "                  [--state candidate|active]\n"
	  "  team show HANDLE\n"
	  "  team ls\n"
	  "  team suspend HANDLE      active -> suspended\n"
	  "  team reinstate HANDLE    suspended -> active\n"
	  "  team approve HANDLE      the admin approves a candidate\n"
	  "                           (community admin_approval=yes)\n"
	  "  team remove HANDLE       delete it, its contacts, subscriptions\n",
	  cmd_team },
	{ "list", "create|show|ls|set|key|rekey|import|delete [LIST] "
	  "[option=value ...]",
	  "manage mailing lists",
	  "  list create LIST [option=value ...]   also makes the list's key\n"
	  "  list import LIST --key SECRET.asc [--schleuder DIR\n"
	  "      [--schleuder-db FILE]] [--subscribers FILE [--keyring DIR]]\n"
	  "      [--team HANDLE]\n"
	  "                  a list around an existing list key, with a\n"
	  "                  Schleuder list's subscribers and their keys;\n"
	  "                  each joins the team of its mail domain (made,\n"
	  "                  active, if missing) or --team\n"
	  "  list rekey LIST [--grace DAYS]\n"
	  "                  a new list key certified by the old; the worker\n"
	  "                  mails it to every subscriber, signed with the\n"
	  "                  old key; mail to the old key is read for DAYS\n"
	  "                  (default 30)\n"
	  "  list show LIST\n"
	  "  list ls\n"
	  "  list set LIST option=value ...\n"
	  "  list key LIST [--export]   the list's key; --export prints it\n"
	  "                             armored (for members to import)\n"
	  "  list delete LIST\n"
	  "options: description=TEXT default_tlp=clear|green|amber|\n"
	  "  amber+strict|red may_post=members|admins|subscribers\n"
	  "  subject_tag=TEXT keep_msgid=yes|no max_size=OCTETS\n"
	  "  max_signature_age=SECONDS|Nm|Nh|Nd (0: no limit)\n"
	  "  bounce_score_threshold=N (default 5; 0: never disable)\n",
	  cmd_list },
	{ "contact", "add|key|held|set|show|ls|remove [ADDRESS] [options]",
	  "manage the teams' points of contact and their keys",
	  "  contact add ADDRESS --team HANDLE --key FILE [--name NAME]\n"
	  "                  import the key (refused if expired, revoked,\n"
	  "                  unable to encrypt or without a user id for\n"
	  "                  ADDRESS); confirm the printed fingerprint\n"
	  "  contact key ADDRESS --key FILE\n"
	  "                  replace its key (the same checks as add); the\n"
	  "                  old fingerprint is kept in its history\n"
	  "  contact key ADDRESS --held FPR | --drop-held\n"
	  "                  accept or refuse the key the contact mailed\n"
	  "                  (key update) that its key did not certify;\n"
	  "                  confirm the fingerprint with the contact first\n"
	  "  contact held    the keys mailed that wait for an admin\n"
	  "  contact set ADDRESS lang=ja|en|default receipts=on|off\n"
	  "                  copy=on|off\n"
	  "                  the language of the hub's mail to it (default:\n"
	  "                  the community's, community set lang=); a\n"
	  "                  signed receipt for each of its posts (on); a\n"
	  "                  copy of its own posts (on)\n"
	  "  contact show ADDRESS\n"
	  "  contact ls [--team HANDLE]\n"
	  "  contact remove ADDRESS   delete it and its subscriptions\n",
	  cmd_contact },
	{ "subscribe", "LIST ADDRESS|--team HANDLE [--role ROLE] "
	  "[--clearance TLP] | LIST ADDRESS --enable|--disable",
	  "subscribe a contact or a whole team to a list",
	  "  --team HANDLE        the whole team (each of its contacts)\n"
	  "  --role ROLE          member, partner or admin (default: the\n"
	  "                       team's kind, member or partner)\n"
	  "  --clearance TLP      partners only: amber or amber+strict\n"
	  "                       (never red)\n"
	  "  --enable             deliver to ADDRESS again (disabled by\n"
	  "                       its bounces or --disable); restarts its\n"
	  "                       bounce score\n"
	  "  --disable            stop delivering to ADDRESS, subscribed\n"
	  "                       in person or through its team; it stays\n"
	  "                       subscribed\n",
	  cmd_subscribe },
	{ "unsubscribe", "LIST ADDRESS|--team HANDLE",
	  "remove a contact's or a team's subscription to a list",
	  "  --team HANDLE        the team's own subscription\n",
	  cmd_unsubscribe },
	{ "community", "show|set [option=value ...]",
	  "show or set the community's admission options",
	  "  community show\n"
	  "  community set option=value ...\n"
	  "options: endorsements_required=1-100 (default 2)\n"
	  "  admin_approval=yes|no (default no)\n"
	  "  lang=ja|en (default en): the language of the hub's mail to\n"
	  "  contacts that chose none (contact set, the language command)\n",
	  cmd_community },
	{ "endorse", "CANDIDATE --by TEAM",
	  "record that TEAM vouches for CANDIDATE, check the evidence",
	  "  --by TEAM    the endorsing team; one of its contacts' keys must\n"
	  "               have certified one of CANDIDATE's contacts' keys\n"
	  "Prints the evidence found or why it is missing, every recorded\n"
	  "endorsement and whether it counts; a candidate that qualifies\n"
	  "becomes active.\n",
	  cmd_endorse },
	{ "archive", "search|show|export|stats [ARGS] [options]",
	  "search, show and export the archive of relayed reports",
	  "  archive search [QUERY] [filters] [--as ADDRESS | --red]\n"
	  "                  [--limit N] [--csv]\n"
	  "      QUERY is one indicator, defanged or not: an IP (also the\n"
	  "      CIDRs containing it), a CIDR (also what lies inside), a\n"
	  "      domain (also its subdomains, URLs and mail addresses on\n"
	  "      it), or an exact URL, mail address, hash, CVE id, ASN.\n"
	  "      No QUERY (or \"*\"): everything the filters admit.\n"
	  "      Exit status 1 when nothing is found.\n"
	  "  archive show POST [--as ADDRESS | --red]\n"
	  "      one archived report: metadata, audience, indicators, text\n"
	  "  archive export --format misp|stix|csv [--out PATH] [filters]\n"
	  "      misp: a feed directory (--out required); stix: a STIX 2.1\n"
	  "      bundle; csv: one row per indicator.  TLP:RED is never\n"
	  "      exported.\n"
	  "  archive stats    posts, indicators, sightings, size on disk\n"
	  "filters: --type T (ipv4 ipv6 cidr domain url email md5 sha1\n"
	  "  sha256 sha512 cve asn) --since D --until D (YYYY-MM-DD, until\n"
	  "  inclusive; or YYYY-MM-DDTHH:MM:SS UTC) --list L --team T\n"
	  "  --tlp LABEL\n"
	  "who sees what: by default everything but TLP:RED; --red adds RED;\n"
	  "  --as ADDRESS shows what that contact may see (its lists, its\n"
	  "  clearance, RED only where it was a recipient).\n",
	  cmd_archive },
	{ "queue", "[ls] | show ID | retry ID|--all | delete ID",
	  "show the spool's entries; retry or delete one",
	  "  queue [ls]         every entry by state: incoming, active,\n"
	  "                     outgoing (per recipient), deferred, rejected,\n"
	  "                     quarantine; its lists, sender, size, age,\n"
	  "                     attempts and next try; never its content\n"
	  "  queue show ID      envelope, where it is, retry state, .why\n"
	  "  queue retry ID|--all\n"
	  "                     a deferred entry (or all) due now\n"
	  "  queue delete ID    remove an entry from incoming, deferred,\n"
	  "                     rejected or quarantine (never one a worker\n"
	  "                     holds in active/), with its retry state\n"
	  "Changes are logged (queue-retry, queue-delete) on stderr and to\n"
	  "syslog (facility mail); the store's audit log is for the roster.\n",
	  cmd_queue },
	{ "quarantine", "ls | show ID | release ID | drop ID",
	  "list, release or drop the entries given up on",
	  "  quarantine ls         the entries in quarantine/ and why\n"
	  "  quarantine show ID    envelope, retry state, the .why\n"
	  "  quarantine release ID back to incoming/ with its retry state\n"
	  "                        reset and no .why: a worker takes it\n"
	  "                        within about a second\n"
	  "  quarantine drop ID    delete it (logged)\n",
	  cmd_quarantine },
	{ "postfix-map", "",
	  "rewrite the recipient table Postfix reads (postfix-recipients)",
	  "Writes data_dir/postfix-recipients from the store: one\n"
	  "\"ADDRESS OK\" line for postmaster and for each list, its\n"
	  "-request, -owner, -sendkey and -bounces, for Postfix's\n"
	  "relay_recipient_maps = texthash:DATA_DIR/postfix-recipients\n"
	  "(csirt-hub-postfix(7)).  list create and list delete rewrite it\n"
	  "themselves; Postfix reads a texthash: table when its processes\n"
	  "start: run postfix reload after a change.\n",
	  cmd_postfix_map },
	{ "bounces", "[LIST]",
	  "show the delivery failures per contact and what is disabled",
	  "Per list and contact: the failures recorded (from the relay's\n"
	  "reports and mail to LIST-bounces), the permanent ones, the score\n"
	  "(days with a permanent failure since delivery was last enabled)\n"
	  "and the list's bounce_score_threshold; at the threshold delivery\n"
	  "is disabled and the contact's team and the admins are told.\n"
	  "hubctl subscribe LIST ADDRESS --enable delivers again.\n",
	  cmd_bounces },
	{ "backup", "FILE --to FPR | --to-file PUBKEY.asc",
	  "write the whole data dir, encrypted, to FILE while hubd runs",
	  "  FILE              a new file (- for standard output; the\n"
	  "                    report then goes to standard error)\n"
	  "  --to FPR          encrypt to this key of the hub's keyring\n"
	  "  --to-file FILE    encrypt to the one public key in FILE\n"
	  "One of them is required: the backup holds the hub's secret keys.\n"
	  "Holds snapshots of hub.db and archive.db (SQLite's backup API),\n"
	  "every public and secret key of the keyring, the wrapped database\n"
	  "keys and the data dir's other files, the spool's durable entries\n"
	  "(not tmp/), hub.conf if readable, the version and the schemas.\n"
	  "Signed with the hub key: the report's hub_fpr is what restore\n"
	  "--expect wants (note it).  Audited (backup.create).  Nothing is\n"
	  "written in clear.\n",
	  cmd_backup },
	{ "restore", "FILE DIR --expect FPR [--gnupghome HOME]",
	  "recreate a data dir from a backup",
	  "  FILE              a backup made by hubctl backup\n"
	  "  DIR               a new or empty directory (anything else is\n"
	  "                    refused)\n"
	  "  --expect FPR      required: the hub fingerprint the backup\n"
	  "                    must be of and signed by (hub_fpr, as\n"
	  "                    hubctl init and hubctl backup print it)\n"
	  "  --gnupghome HOME  the keyring holding the secret key the\n"
	  "                    backup is encrypted to (default: $GNUPGHOME,\n"
	  "                    else ~/.gnupg)\n"
	  "Decrypts, writes the files, imports the keys into DIR/gnupg,\n"
	  "checks that the stores open with them and audits it\n"
	  "(backup.restore); the old hub.conf is DIR/hub.conf.backup.  A\n"
	  "damaged, truncated or foreign file, one not signed by the hub\n"
	  "key FPR (unsigned, another key's signature, a bad one), one of\n"
	  "another hub and an oversized record are refused and nothing is\n"
	  "left in DIR.  Run as root with a user in hub.conf (-c), DIR is\n"
	  "given to that user.  Point data_dir at DIR to run hubd there.\n",
	  cmd_restore },
	{ "log", "[--limit N]", "show the audit log of roster changes",
	  "  --limit N   only the newest N entries (oldest first)\n",
	  cmd_log },
	{ "status", "", "show the store and what it holds", "", cmd_status },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct hubctl_cmd *
hubctl_cmd_find(const char *name)
{
	const struct hubctl_cmd *c;

	for (c = hubctl_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
usage_all(FILE *fp)
{
	const struct hubctl_cmd *c;

	fprintf(fp, "usage: hubctl [-c hub.conf] [--json] COMMAND "
	    "[ARGS ...]\n"
	    "       hubctl --help | --version | COMMAND --help\n\n"
	    "commands:\n");
	for (c = hubctl_cmds; c->name != NULL; c++)
		fprintf(fp, "  %-11s %s\n", c->name, c->help);
	fprintf(fp, "\noptions:\n"
	    "  -c FILE   configuration file (default %s)\n"
	    "  --json    print results as JSON\n"
	    "\nexit status: 0 done, 1 error in the request, 2 usage, "
	    "3 environment (config, store, keyring)\n", DEFAULT_CONF);
}

/* The message may quote a value from the command line or the store:
 * escaped as every value printed (tools/safetext.h). */
static void
put_stderr(const char *msg)
{
	fputs("hubctl: ", stderr);
	safetext_write(stderr, msg, strlen(msg), 0, 0);
	fputc('\n', stderr);
}

int
hubctl_fail(struct hubctl *h, int rc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	put_stderr(msg);
	if (h != NULL && h->json && h->out != NULL) {
		/* scripts get the failure on stdout too, as one document */
		struct out *o = out_new(stdout, 1);

		out_map_begin(o);
		out_kstr(o, "error", msg);
		out_kint(o, "exit", rc);
		out_map_end(o);
		out_free(o);
	}
	return rc;
}

void
hubctl_warn(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	put_stderr(msg);
}

int
hubctl_check_text(struct hubctl *h, const char *field, const char *value)
{
	char why[128];

	if (value == NULL || safetext_check(value, why, sizeof why) == 0)
		return HUBCTL_OK;
	/* the value quoted escaped, so the admin sees what was refused */
	return hubctl_fail(h, HUBCTL_ERROR, "bad %s \"%s\": %s (control "
	    "characters, bidirectional controls and invalid UTF-8 are "
	    "refused)", field, value, why);
}

int
hubctl_store_fail(struct hubctl *h, int st)
{
	int rc;

	switch ((enum store_status)st) {
	case STORE_NOT_FOUND:
	case STORE_EXISTS:
	case STORE_INVALID:
	case STORE_CONFLICT:
		rc = HUBCTL_ERROR;
		break;
	default:
		rc = HUBCTL_ENV;
		break;
	}
	return hubctl_fail(h, rc, "%s", h->store != NULL ?
	    store_errmsg(h->store) : store_status_str(st));
}

/* Set in the child of run_as_hub_user(): a reload is asked for here and
 * sent by the root parent. */
static int reload_pipe = -1;

long
hubctl_reload_hubd(struct hubctl *h)
{
	char buf[32];
	FILE *f;
	long pid = 0;

	if (h->cfg == NULL || (f = fopen(h->cfg->pidfile, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	if (pid <= 1)
		return 0;
	if (reload_pipe >= 0)
		return write(reload_pipe, "R", 1) == 1 ? pid : 0;
	if (kill((pid_t)pid, SIGHUP) == -1)
		return 0;
	return pid;
}

/*
 * Run as root where hub.conf names a hub user (the roles split), hubctl
 * does its work as that user: the keyring and the stores belong to the
 * workers, and a file root wrote there would stop them (crypto/gpg.c
 * refuses a keyring that is not the running user's).  A child drops to
 * the hub user and runs the command; the root parent only waits and,
 * if the child asked, sends hubd the SIGHUP a non-root user may not
 * send to the root master.  1 in the parent (*rc the child's exit
 * status), 0 to run the command in this process.  init hands the data
 * dir over and drops by itself.
 */
/*
 * A --key FILE named on the command line may be one only root can read
 * (in root's home): root reads it and hands the hub user a copy in the
 * data dir, named in argv instead; *copy is that path (to remove) or
 * NULL.  -1 with a message when the file cannot be read or copied.
 */
static int
hand_over_keyfile(struct hubctl *h, const struct hub_config *cfg,
    const char *user, int argc, char **argv, char **copy)
{
	struct buf *b;
	uid_t uid;
	gid_t gid;
	int i, fd, r = 0;
	char *path = NULL, **slot = NULL;

	*copy = NULL;
	for (i = 1; i < argc && slot == NULL; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			slot = &argv[i + 1];
		else if (strncmp(argv[i], "--key=", 6) == 0)
			slot = &argv[i];
	}
	if (slot == NULL)
		return 0;
	path = strncmp(*slot, "--key=", 6) == 0 ? *slot + 6 : *slot;
	b = buf_new(0);
	if (fs_read_small(path, b, 1 << 20) == -1) {
		r = hubctl_fail(h, HUBCTL_ERROR, "cannot read key file %s: %s",
		    path, strerror(errno));
		goto out;
	}
	*copy = xasprintf("%s/.hubctl-key.XXXXXX", cfg->data_dir);
	if (proc_user_ids(user, &uid, &gid) == -1 ||
	    (fd = mkstemp(*copy)) == -1) {
		r = hubctl_fail(h, HUBCTL_ENV, "cannot hand %s over to %s: %s",
		    path, user, strerror(errno));
		free(*copy);
		*copy = NULL;
		goto out;
	}
	if (fs_write_all(fd, buf_data(b), buf_len(b)) == -1 ||
	    fchown(fd, uid, gid) == -1) {
		r = hubctl_fail(h, HUBCTL_ENV, "cannot hand %s over to %s: %s",
		    path, user, strerror(errno));
		close(fd);
		(void)unlink(*copy);
		free(*copy);
		*copy = NULL;
		goto out;
	}
	close(fd);
	/* the option's value now names the copy (argv is ours to change;
	 * the one string made here lives as long as the process) */
	*slot = strncmp(*slot, "--key=", 6) == 0 ?
	    xasprintf("--key=%s", *copy) : *copy;
out:
	buf_free(b);
	return r == 0 ? 0 : -1;
}

static int
run_as_hub_user(struct hubctl *h, const struct hubctl_cmd *c, int argc,
    char **argv, int *rc)
{
	struct hub_config *cfg = NULL;
	const char *user;
	char err[512], b, *keycopy = NULL;
	int p[2], status, want = 0;
	pid_t pid;

	/* init hands the data dir over and drops by itself; archive only
	 * reads the stores and writes where the admin says; restore
	 * decrypts with the admin's key and gives DIR to the hub user */
	if (geteuid() != 0 || strcmp(c->name, "init") == 0 ||
	    strcmp(c->name, "archive") == 0 ||
	    strcmp(c->name, "restore") == 0 ||
	    config_load(h->conf_path, &cfg, err, sizeof err) == -1)
		return 0;	/* the command says what is wrong */
	if ((user = config_hub_user(cfg)) == NULL) {
		config_free(cfg);
		return 0;
	}
	if (hand_over_keyfile(h, cfg, user, argc, argv, &keycopy) == -1) {
		config_free(cfg);
		*rc = HUBCTL_ERROR;
		return 1;
	}
	if (pipe(p) == -1) {
		config_free(cfg);
		*rc = hubctl_fail(h, HUBCTL_ENV, "pipe: %s", strerror(errno));
		if (keycopy != NULL)
			(void)unlink(keycopy);
		free(keycopy);
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		config_free(cfg);
		*rc = hubctl_fail(h, HUBCTL_ENV, "fork: %s", strerror(errno));
		if (keycopy != NULL)
			(void)unlink(keycopy);
		free(keycopy);
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		reload_pipe = p[1];
		proc_drop_privileges(user);	/* fatal if it cannot */
		/* hub.conf as root read it: the hub user may not read it */
		h->cfg = cfg;
		return 0;
	}
	close(p[1]);
	while (read(p[0], &b, 1) == 1)
		want = 1;
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	*rc = WIFEXITED(status) ? WEXITSTATUS(status) : HUBCTL_ENV;
	if (keycopy != NULL) {
		(void)unlink(keycopy);
		free(keycopy);
	}
	if (want) {
		struct hubctl ph;

		memset(&ph, 0, sizeof ph);
		ph.cfg = cfg;
		(void)hubctl_reload_hubd(&ph);
	}
	config_free(cfg);
	return 1;
}

int
hubctl_usage(const struct hubctl_cmd *c)
{
	fprintf(stderr, "usage: hubctl [-c hub.conf] [--json] %s %s\n",
	    c->name, c->usage);
	return HUBCTL_USAGE;
}

int
hubctl_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
hubctl_config(struct hubctl *h)
{
	char err[512];

	if (h->cfg != NULL)
		return HUBCTL_OK;
	if (config_load(h->conf_path, &h->cfg, err, sizeof err) == -1)
		return hubctl_fail(h, HUBCTL_ENV, "%s", err);
	return HUBCTL_OK;
}

static char *
actor(void)
{
	struct passwd *pw = getpwuid(getuid());
	char why[128];

	/* the audit log names it: text by the same rule as the rest */
	if (pw != NULL && safetext_check(pw->pw_name, why, sizeof why) == 0)
		return xasprintf("%s(uid %u)", pw->pw_name,
		    (unsigned)getuid());
	return xasprintf("uid %u", (unsigned)getuid());
}

int
hubctl_open(struct hubctl *h)
{
	enum crypto_status cst;
	enum store_status st;
	char *home, *who, why[512];
	int rc;

	if ((rc = hubctl_config(h)) != HUBCTL_OK)
		return rc;
	if (h->store != NULL)
		return HUBCTL_OK;
	home = xasprintf("%s/%s", h->cfg->data_dir, STORE_GNUPG_DIR);
	if (h->gpg == NULL && (cst = gpg_open(home, &h->gpg)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot open the keyring %s: "
		    "%s (did you run hubctl init?)", home,
		    crypto_status_str(cst));
		free(home);
		return rc;
	}
	free(home);
	if ((st = store_open_why(h->cfg->data_dir, h->gpg, &h->store, why,
	    sizeof why)) != STORE_OK) {
		/* no store handle to hold the message: say what failed */
		return hubctl_fail(h, HUBCTL_ENV, "cannot open the store in "
		    "%s: %s (%s)", h->cfg->data_dir, why,
		    store_status_str(st));
	}
	who = actor();
	store_set_actor(h->store, who);
	free(who);
	return HUBCTL_OK;
}

int
hubctl_help(const struct hubctl_cmd *c)
{
	printf("usage: hubctl [-c hub.conf] [--json] %s %s\n\n%s\n%s",
	    c->name, c->usage, c->help, c->detail);
	return HUBCTL_OK;
}

enum { OPT_JSON = 256, OPT_VERSION };

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const struct hubctl_cmd *c;
	struct hubctl h;
	int ch, rc;

	memset(&h, 0, sizeof h);
	h.conf_path = DEFAULT_CONF;
	/* the store and the keyring hold the community: owner only */
	umask(077);
	log_init("hubctl", LOG_TO_STDERR, 0);
	/* "+": options after the command belong to the command */
	while ((ch = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			h.conf_path = optarg;
			break;
		case OPT_JSON:
			h.json = 1;
			break;
		case 'h':
			usage_all(stdout);
			return HUBCTL_OK;
		case OPT_VERSION:
			/* as hubd -V prints it, so both name one release */
			printf("hubctl (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return HUBCTL_OK;
		default:
			usage_all(stderr);
			return HUBCTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_all(stderr);
		return HUBCTL_USAGE;
	}
	if ((c = hubctl_cmd_find(argv[0])) == NULL) {
		hubctl_warn("no such command: %s", argv[0]);
		usage_all(stderr);
		return HUBCTL_USAGE;
	}
	if (!hubctl_wants_help(argc, argv) && run_as_hub_user(&h, c, argc, argv, &rc))
		return rc;
	h.out = out_new(stdout, h.json);
	optind = 0;	/* glibc: 0 also resets getopt's internal state */
	rc = c->run(&h, argc, argv);
	out_free(h.out);
	store_close(h.store);
	gpg_close(h.gpg);
	config_free(h.cfg);
	return rc;
}
