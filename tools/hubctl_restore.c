/*
 * hubctl restore: a data dir again from what hubctl backup wrote
 * (hubctl(8) BACKUP AND RESTORE; the file: tools/hubctl_backup.h).
 *
 * Anyone can encrypt to the admin's key: a backup is signed with the
 * hub key, and restore wants the hub fingerprint the admin expects
 * (--expect).  gpg first removes the encryption layer only (the admin's
 * keyring), into an unnamed file of DIR; the signature's key is inside
 * the backup, so the records are written into the new or empty
 * directory as gpg reads that signed message in DIR/gnupg, still empty
 * (consume()): nothing is kept whole in memory but the keyring, and no
 * record beyond its type's limit (tools/hubctl_backup.h).  Then the keys
 * are imported into DIR/gnupg, never as files, and the signature is
 * checked again with them: one, good, by the hub key --expect names,
 * which the manifest and the restored store must name too.  On any
 * failure (a damaged or truncated file, no end record, the wrong key, no
 * or another signature, another hub) everything written there is removed
 * again.  Then the restored stores are opened with the restored keys,
 * the proof that hubd can run there.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "crypto/backup.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "hub/conf.h"
#include "hub/proc.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/hubctl_backup.h"
#include "tools/out.h"

/* --- restore: the records, consumed while gpg decrypts --------------------- */

struct consumer {
	const char	*dir;
	enum { C_MAGIC, C_HEADER, C_BODY, C_DONE } state;
	char		 line[BACKUP_HEADER_MAX];
	size_t		 line_len;
	char		 type;
	char		 name[BACKUP_HEADER_MAX];
	unsigned	 mode;
	long long	 mtime;
	unsigned long long remain;
	int		 fd;		/* F being written, or -1 */
	struct buf	*mem;		/* M, C, P, S, E content */
	struct buf	*manifest, *pub, *sec, *conf;
	unsigned long long records, files, spool_files;
	bool		 ended;
	char		 err[BACKUP_HEADER_MAX + 128];
};

static int
cfail(struct consumer *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
cfail(struct consumer *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof c->err, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

/*
 * A name the backup may hold: relative, components of letters, digits
 * and ". _ - + @", none "." or "..", at most BACKUP_NAME_DEPTH deep;
 * never into gnupg/ (the keyring comes by import) and never the
 * restored copy of hub.conf.
 */
static bool
name_ok(const char *name)
{
	const char *p = name, *start = name;
	int depth = 1;

	if (*name == '\0' || strncmp(name, STORE_GNUPG_DIR, 5) == 0 ||
	    strcmp(name, BACKUP_RESTORED_CONF) == 0)
		return false;
	for (;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t len = (size_t)(p - start);

			if (len == 0 || (len == 1 && start[0] == '.') ||
			    (len == 2 && start[0] == '.' && start[1] == '.'))
				return false;
			if (*p == '\0')
				return true;
			if (++depth > BACKUP_NAME_DEPTH)
				return false;
			start = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-+@", *p) != NULL))
			return false;
	}
}

/* The record header in c->line (its newline removed). */
static int
record_begin(struct consumer *c)
{
	char type, *end, path[PATH_MAX], parent[PATH_MAX];
	unsigned long long size;
	unsigned long mode;
	long long mtime;
	int off = 0;

	if (c->ended)
		return cfail(c, "data after the end record");
	if (sscanf(c->line, "%c %lo %lld %llu %n", &type, &mode, &mtime,
	    &size, &off) != 4 || off == 0 || mode > 07777 ||
	    (size_t)off >= c->line_len)
		return cfail(c, "record %llu: bad header", c->records + 1);
	end = c->line + off;
	if (strchr("MCPSDFE", type) == NULL)
		return cfail(c, "record %llu: unknown type %c", c->records + 1,
		    type);
	snprintf(c->name, sizeof c->name, "%s", end);
	c->type = type;
	c->mode = (unsigned)mode;
	c->mtime = mtime;
	c->remain = size;
	if (type == 'M' || type == 'C' || type == 'P' || type == 'S' ||
	    type == 'E') {
		unsigned long long max = type == 'M' ? BACKUP_MANIFEST_MAX :
		    type == 'C' ? BACKUP_CONF_MAX : type == 'E' ?
		    BACKUP_END_MAX : BACKUP_KEYS_MAX - (buf_len(c->pub) +
		    buf_len(c->sec));

		/* kept in memory: refused before it takes any */
		if (size > max)
			return cfail(c, "record %llu: too large (%c at most "
			    "%llu octets)", c->records + 1, type, max);
		c->mem = type == 'M' ? c->manifest : type == 'P' ? c->pub :
		    type == 'S' ? c->sec : type == 'C' ? c->conf : NULL;
		if (c->mem == NULL)
			c->mem = buf_new(0);	/* E: freed at its end */
		else if (buf_len(c->mem) > 0)
			return cfail(c, "record %llu: a second %c record",
			    c->records + 1, type);
		return 0;
	}
	if (type == 'D' && size != 0)
		return cfail(c, "record %llu: a directory with content",
		    c->records + 1);
	if (!name_ok(c->name))
		return cfail(c, "record %llu: refused name", c->records + 1);
	if (strlen(c->dir) + 1 + strlen(c->name) >= sizeof path)
		return cfail(c, "record %llu: name too long", c->records + 1);
	memcpy(path, c->dir, strlen(c->dir));
	path[strlen(c->dir)] = '/';
	memcpy(path + strlen(c->dir) + 1, c->name, strlen(c->name) + 1);
	if (type == 'D') {
		if (fs_mkdirs(path, 0700) == -1)
			return cfail(c, "cannot create %s: %s", path,
			    strerror(errno));
		return 0;
	}
	fs_dirname(path, parent, sizeof parent);
	if (fs_mkdirs(parent, 0700) == -1)
		return cfail(c, "cannot create %s: %s", parent,
		    strerror(errno));
	/* owner bits only, as hubctl init's umask gives them; hubd's
	 * master gives the spool its owners and modes when it starts */
	if ((c->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, (c->mode & 0700) | 0600)) == -1)
		return cfail(c, "cannot create %s: %s", path,
		    strerror(errno));
	c->files++;
	if (strncmp(c->name, "spool/", 6) == 0)
		c->spool_files++;
	return 0;
}

static int
record_end(struct consumer *c)
{
	struct timespec ts[2];
	unsigned long long n;
	char *end;

	c->records++;
	if (c->fd != -1) {
		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1].tv_sec = (time_t)c->mtime;
		ts[1].tv_nsec = 0;
		if (futimens(c->fd, ts) == -1 || fs_fsync(c->fd) == -1) {
			close(c->fd);
			c->fd = -1;
			return cfail(c, "cannot write %s/%s: %s", c->dir,
			    c->name, strerror(errno));
		}
		close(c->fd);
		c->fd = -1;
	}
	if (c->type == 'E') {
		buf_append(c->mem, "", 1);
		errno = 0;
		if (strncmp(buf_data(c->mem), "records=", 8) != 0 ||
		    (n = strtoull(buf_data(c->mem) + 8, &end, 10), errno != 0) ||
		    *end != '\n' || n != c->records - 1) {
			buf_free(c->mem);
			c->mem = NULL;
			return cfail(c, "the end record does not match the %llu "
			    "records read", c->records - 1);
		}
		buf_free(c->mem);
		c->ended = true;
	}
	c->mem = NULL;
	return 0;
}

/* backup_write_fn: the next octets of the plaintext, as gpg gives them. */
static int
consume(void *arg, const void *data, size_t len)
{
	struct consumer *c = arg;
	const char *p = data;
	size_t n;

	while (len > 0) {
		if (c->state == C_MAGIC || c->state == C_HEADER) {
			if (p[0] == '\n') {
				c->line[c->line_len] = '\0';
				p++;
				len--;
				if (c->state == C_MAGIC) {
					if (c->line_len + 1 !=
					    strlen(BACKUP_MAGIC) ||
					    memcmp(c->line, BACKUP_MAGIC,
					    c->line_len) != 0)
						return cfail(c, "not a "
						    "csirt-hub backup of "
						    "format 1");
					c->state = C_HEADER;
				} else {
					if (record_begin(c) == -1)
						return -1;
					c->state = C_BODY;
				}
				c->line_len = 0;
			} else {
				if (c->line_len + 1 >= sizeof c->line)
					return cfail(c, c->state == C_MAGIC ?
					    "not a csirt-hub backup" :
					    "record %llu: header too long",
					    c->records + 1);
				c->line[c->line_len++] = *p++;
				len--;
				continue;
			}
		}
		if (c->state == C_BODY) {
			n = c->remain < len ? (size_t)c->remain : len;
			if (n > 0 && c->fd != -1 &&
			    fs_write_all(c->fd, p, n) == -1)
				return cfail(c, "cannot write %s/%s: %s",
				    c->dir, c->name, strerror(errno));
			if (n > 0 && c->mem != NULL)
				buf_append(c->mem, p, n);
			p += n;
			len -= n;
			c->remain -= n;
			if (c->remain == 0) {
				if (record_end(c) == -1)
					return -1;
				c->state = C_HEADER;
			}
		}
	}
	return 0;
}

/* --- restore: the command ------------------------------------------------------ */

/* 1 if dir holds nothing at all (dot names count: anything there is
 * someone's), 0 if it holds something, -1 on failure. */
static int
empty_dir(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int r = 1;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while (r == 1 && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			r = 0;
	closedir(d);
	return r;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (ftw->level > 0)
		(void)remove(path);
	return 0;
}

/* Everything under dir (which was empty), and dir if we made it. */
static void
undo_restore(const char *dir, bool made)
{
	(void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (made)
		(void)rmdir(dir);
}

static int
chown_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw);
static uid_t chown_uid;
static gid_t chown_gid;

static int
chown_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid) == -1 ? -1 : 0;
}

/*
 * Run as root with a hub user in hub.conf, the restored tree becomes the
 * hub user's, as hubctl init makes it; 0 when there is nothing to do.
 */
static int
restore_owner(struct hubctl *h, const char *dir)
{
	struct hub_config *cfg = NULL;
	const char *user;
	char err[512];
	int rc = 0;

	if (geteuid() != 0 || config_load(h->conf_path, &cfg, err,
	    sizeof err) == -1)
		return 0;
	if ((user = config_hub_user(cfg)) != NULL) {
		if (proc_user_ids(user, &chown_uid, &chown_gid) == -1 ||
		    nftw(dir, chown_entry, 16, FTW_PHYS) != 0)
			rc = hubctl_fail(h, HUBCTL_ENV, "cannot give %s to %s: "
			    "%s", dir, user, strerror(errno));
	}
	config_free(cfg);
	return rc;
}

/* "key=value" of the manifest, or NULL. */
static const char *
man_get(const struct buf *m, const char *key, char *dst, size_t n)
{
	const char *p = buf_data(m), *e;
	size_t k = strlen(key);

	while (p != NULL && *p != '\0') {
		e = strchr(p, '\n');
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			snprintf(dst, n, "%.*s", (int)((e != NULL ? e :
			    p + strlen(p)) - p - (ptrdiff_t)k - 1), p + k + 1);
			return dst;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	return NULL;
}

/* DIR/gnupg, empty: the signature is checked there, first without
 * the hub key (the plaintext), then with it. */
static int
restore_keyring(struct hubctl *h, const char *dir, struct gpg **gp,
    char *home, size_t homelen)
{
	enum crypto_status st;

	snprintf(home, homelen, "%s/%s", dir, STORE_GNUPG_DIR);
	if (mkdir(home, 0700) == -1) {
		home[0] = '\0';
		return hubctl_fail(h, HUBCTL_ENV, "cannot create %s/%s: %s",
		    dir, STORE_GNUPG_DIR, strerror(errno));
	}
	if ((st = gpg_home_tune(home)) != CRYPTO_OK ||
	    (st = gpg_open(home, gp)) != CRYPTO_OK)
		return hubctl_fail(h, HUBCTL_ENV, "cannot make the keyring %s: "
		    "%s", home, crypto_status_str(st));
	return HUBCTL_OK;
}

static int
restore_keys(struct hubctl *h, const struct consumer *c, struct gpg *g,
    const char *home)
{
	struct key_import *imp = NULL;
	enum crypto_status st;
	int rc = HUBCTL_OK;

	if (buf_len(c->pub) == 0 || buf_len(c->sec) == 0)
		return hubctl_fail(h, HUBCTL_ERROR, "the backup holds no "
		    "keyring");
	if ((st = keys_import(g, buf_data(c->pub), buf_len(c->pub),
	    &imp)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot import the public keys "
		    "into %s: %s", home, crypto_status_str(st));
		goto out;
	}
	key_import_free(imp);
	imp = NULL;
	if ((st = keys_import(g, buf_data(c->sec), buf_len(c->sec),
	    &imp)) != CRYPTO_OK || imp->secret_imported == 0) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot import the secret keys "
		    "into %s: %s", home, st != CRYPTO_OK ?
		    crypto_status_str(st) : "none imported");
		goto out;
	}
out:
	key_import_free(imp);
	return rc;
}

/* The admin's keyring, as gpg would find it: --gnupghome, $GNUPGHOME,
 * ~/.gnupg.  0, or -1 when there is none to name. */
static int
admin_home(const char *opt, char *home, size_t n)
{
	struct passwd *pw;
	const char *p;

	if (opt != NULL)
		snprintf(home, n, "%s", opt);
	else if ((p = getenv("GNUPGHOME")) != NULL && *p != '\0')
		snprintf(home, n, "%s", p);
	else if ((p = getenv("HOME")) != NULL && *p != '\0')
		snprintf(home, n, "%s/.gnupg", p);
	else if ((pw = getpwuid(getuid())) != NULL)
		snprintf(home, n, "%s/.gnupg", pw->pw_dir);
	else
		return -1;
	return 0;
}

/* DIR new (made here: *made) or an empty directory, mode 0700 as hubctl
 * init makes the data dir; never over anything. */
static int
restore_target(struct hubctl *h, const char *dir, bool *made)
{
	struct stat sb;

	*made = false;
	if (lstat(dir, &sb) == -1) {
		if (mkdir(dir, 0700) == -1)
			return hubctl_fail(h, HUBCTL_ENV, "cannot create %s: %s",
			    dir, strerror(errno));
		*made = true;
		return HUBCTL_OK;
	}
	if (!S_ISDIR(sb.st_mode))
		return hubctl_fail(h, HUBCTL_ERROR, "%s exists and is not a "
		    "directory", dir);
	if (empty_dir(dir) != 1)
		return hubctl_fail(h, HUBCTL_ERROR, "%s is not empty: restore "
		    "into a new or empty directory", dir);
	if (chmod(dir, 0700) == -1)
		return hubctl_fail(h, HUBCTL_ENV, "cannot chmod %s: %s", dir,
		    strerror(errno));
	return HUBCTL_OK;
}

/* Why the stream was refused, for the admin. */
static const char *
refusal(const struct consumer *cs, enum crypto_status cst)
{
	if (cs->err[0] != '\0')
		return cs->err;
	switch (cst) {
	case CRYPTO_OK:
		return cs->state == C_MAGIC ? "empty" : cs->ended ?
		    "data after the end record" : "truncated (no end record)";
	case CRYPTO_NO_SECKEY:
		return "no secret key of the keyring opens it";
	case CRYPTO_DECRYPT_FAILED:
		return "damaged or truncated (the integrity check failed)";
	case CRYPTO_NO_MDC:
		return "no integrity protection";
	case CRYPTO_MALFORMED:
		return "not an OpenPGP message";
	default:
		return crypto_status_str(cst);
	}
}

/* The manifest of a complete stream: format 1, a store schema this
 * hubctl knows.  HUBCTL_OK or the refusal printed. */
static int
restore_manifest(struct hubctl *h, const struct consumer *cs,
    const char *file)
{
	char v[64];

	if (man_get(cs->manifest, "format", v, sizeof v) == NULL ||
	    strcmp(v, "1") != 0 || man_get(cs->manifest, "store_schema", v,
	    sizeof v) == NULL)
		return hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: no manifest", file);
	if (atoi(v) > STORE_SCHEMA_VERSION)
		return hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: its store schema %s is newer than this hubctl "
		    "knows (%d)", file, v, STORE_SCHEMA_VERSION);
	return HUBCTL_OK;
}

/* A fingerprint, or a long key id as a signature without the issuer's
 * fingerprint names it, that is (the end of) fpr. */
static bool
fpr_is(const char *id, const char *fpr)
{
	size_t n = strlen(id), k = strlen(fpr);

	return (n == 40 || n == 16) && n <= k && strcasecmp(id,
	    fpr + k - n) == 0;
}

/*
 * Whose backup it is: the manifest's hub key must be the one the admin
 * expects, and the signature (the issuer it names, before the keys are
 * imported) by it.  HUBCTL_OK or the refusal printed.
 */
static int
restore_whose(struct hubctl *h, const struct consumer *cs, const char *file,
    const char *expect, const struct backup_sig *sig)
{
	char fpr[64];

	if (man_get(cs->manifest, "hub_fpr", fpr, sizeof fpr) == NULL ||
	    !gpg_is_fpr(fpr))
		return hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: the manifest names no hub key", file);
	if (strcasecmp(fpr, expect) != 0)
		return hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: a backup of the hub %s, not of the expected "
		    "%s (--expect)", file, fpr, expect);
	if (!fpr_is(sig->fpr, fpr))
		return hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: signed by %s, not by the hub key %s", file,
		    sig->fpr[0] != '\0' ? sig->fpr : "an unnamed key", fpr);
	return HUBCTL_OK;
}

/*
 * After the files: the old hub.conf beside them, the keys imported into
 * DIR/gnupg (hub, whose agent the caller stops), the signature checked
 * again, now with the hub key the backup carries (in sig_fd, the
 * signed message), and the proof that hubd can run there (the stores
 * open with the restored keys, the store's hub key the expected one),
 * audited in the restored store.
 */
static int
restore_prove(struct hubctl *h, const struct consumer *cs, const char *file,
    struct gpg *hub, const char *hubhome, int sig_fd, const char *expect)
{
	struct archive *a = NULL;
	struct store *s = NULL;
	struct buf *after = buf_new(0);
	struct backup_sig sig;
	enum crypto_status cst;
	enum store_status sst;
	struct stat sb;
	char created[64], *p;
	int rc;

	if (buf_len(cs->conf) > 0) {
		p = xasprintf("%s/%s", cs->dir, BACKUP_RESTORED_CONF);
		rc = fs_write_atomic(p, buf_data(cs->conf), buf_len(cs->conf),
		    0600) == -1 ? hubctl_fail(h, HUBCTL_ENV, "cannot write %s: "
		    "%s", p, strerror(errno)) : HUBCTL_OK;
		free(p);
		if (rc != HUBCTL_OK)
			goto out;
	}
	if ((rc = restore_keys(h, cs, hub, hubhome)) != HUBCTL_OK)
		goto out;
	/* the signature good with the hub key of the backup, and made by
	 * the key the admin expects */
	if (lseek(sig_fd, 0, SEEK_SET) == -1) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot read the signed "
		    "message again: %s", strerror(errno));
		goto out;
	}
	cst = backup_verify(hub, sig_fd, NULL, NULL, &sig);
	if (cst != CRYPTO_OK || sig.count != 1 || !sig.good ||
	    !fpr_is(sig.fpr, expect)) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: %s", file, cst != CRYPTO_OK ?
		    crypto_status_str(cst) : sig.count != 1 ?
		    "not exactly one signature" : !sig.good ? "the signature "
		    "is bad (not made by the hub key it names, or altered)" :
		    "not signed by the expected hub key");
		goto out;
	}
	if ((sst = store_open(cs->dir, hub, &s)) != STORE_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "the restored store does not "
		    "open: %s", store_status_str(sst));
		goto out;
	}
	if (strcasecmp(store_hub_fpr(s), expect) != 0) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: the restored store's hub key is %s, not the "
		    "expected %s", file, store_hub_fpr(s), expect);
		goto out;
	}
	p = xasprintf("%s/%s", cs->dir, ARCHIVE_DB_FILE);
	if (stat(p, &sb) == 0 && archive_open(cs->dir, hub, false, &a) !=
	    ARCHIVE_OK)
		rc = hubctl_fail(h, HUBCTL_ENV, "the restored archive does not "
		    "open");
	free(p);
	if (rc != HUBCTL_OK)
		goto out;
	p = getenv("USER");
	store_set_actor(s, p != NULL ? p : "hubctl restore");
	buf_append_str(after, "{\"file\":");
	json_append_str(after, file);
	buf_append_str(after, ",\"created\":");
	json_append_str(after, man_get(cs->manifest, "created", created,
	    sizeof created) != NULL ? created : "");
	buf_append_str(after, "}");
	if (store_audit_event(s, "backup.restore", cs->dir, buf_data(after)) !=
	    STORE_OK)
		hubctl_warn("restored, but not audited: %s", store_errmsg(s));
out:
	archive_close(a);
	store_close(s);
	buf_free(after);
	return rc;
}

static void
restore_report(struct hubctl *h, const struct consumer *cs)
{
	char v[PATH_MAX], fpr[64], created[64], schema[16];

	out_map_begin(h->out);
	out_kstr(h->out, "dir", cs->dir);
	out_kstr(h->out, "hub_fpr", man_get(cs->manifest, "hub_fpr", fpr,
	    sizeof fpr));
	out_kstr(h->out, "created", man_get(cs->manifest, "created", created,
	    sizeof created));
	out_kstr(h->out, "from", man_get(cs->manifest, "data_dir", v,
	    sizeof v));
	out_kint(h->out, "store_schema", man_get(cs->manifest,
	    "store_schema", schema, sizeof schema) != NULL ? atoi(schema) :
	    -1);
	out_kint(h->out, "archive_schema", man_get(cs->manifest,
	    "archive_schema", schema, sizeof schema) != NULL ? atoi(schema) :
	    -1);
	out_kint(h->out, "records", (long long)cs->records);
	out_kint(h->out, "files", (long long)cs->files);
	out_kint(h->out, "spool_files", (long long)cs->spool_files);
	out_kstr(h->out, "hub_conf", buf_len(cs->conf) > 0 ?
	    BACKUP_RESTORED_CONF : NULL);
	out_map_end(h->out);
}

int
cmd_restore(struct hubctl *h, int argc, char **argv)
{
	enum { OPT_GNUPGHOME = 256, OPT_EXPECT };
	static const struct option opts[] = {
		{ "gnupghome", required_argument, NULL, OPT_GNUPGHOME },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ NULL, 0, NULL, 0 },
	};
	const struct hubctl_cmd *c = hubctl_cmd_find("restore");
	struct consumer cs;
	struct gpg *admin = NULL, *hub = NULL;
	struct backup_sig sig;
	const char *file, *dir, *home_opt = NULL, *expect = NULL;
	char home[PATH_MAX], hubhome[PATH_MAX] = "", *sigpath = NULL;
	enum crypto_status cst;
	bool made = false, written = false;
	int ch, rc, fd = -1, sig_fd = -1;

	memset(&cs, 0, sizeof cs);
	cs.fd = -1;
	cs.manifest = buf_new(0);
	cs.pub = buf_new(0);
	cs.sec = buf_new(BUF_SENSITIVE);
	cs.conf = buf_new(0);
	if (hubctl_wants_help(argc, argv)) {
		rc = hubctl_help(c);
		goto done;
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_GNUPGHOME:
			home_opt = optarg;
			break;
		case OPT_EXPECT:
			expect = optarg;
			break;
		default:
			hubctl_warn("restore: unknown option or missing value: "
			    "%s", argv[optind - 1]);
			rc = hubctl_usage(c);
			goto done;
		}
	}
	if (optind + 2 != argc) {
		hubctl_warn("restore: name the backup FILE and the new DIR");
		rc = hubctl_usage(c);
		goto done;
	}
	file = argv[optind];
	dir = argv[optind + 1];
	if (expect == NULL) {
		/* anyone can encrypt to the admin's key: the hub it must be
		 * is the admin's word */
		hubctl_warn("restore: name the hub the backup must be of, "
		    "--expect FPR (the hub fingerprint hubctl backup and "
		    "hubctl init print)");
		rc = hubctl_usage(c);
		goto done;
	}
	if (!gpg_is_fpr(expect)) {
		rc = hubctl_fail(h, HUBCTL_USAGE, "--expect: not a fingerprint "
		    "(40 hex digits): %s", expect);
		goto done;
	}
	if (admin_home(home_opt, home, sizeof home) == -1) {
		rc = hubctl_fail(h, HUBCTL_USAGE, "no keyring to decrypt "
		    "with: use --gnupghome");
		goto done;
	}
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "cannot read %s: %s", file,
		    strerror(errno));
		goto done;
	}
	if ((rc = restore_target(h, dir, &made)) != HUBCTL_OK)
		goto done;
	written = true;
	if ((cst = gpg_open(home, &admin)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot open the keyring %s: %s",
		    home, crypto_status_str(cst));
		goto done;
	}
	cs.dir = dir;
	/* the signed message inside, in an unnamed file of DIR (which
	 * will hold the same keys in clear): it is read twice */
	sigpath = xasprintf("%s/.restore-signed.XXXXXX", dir);
	if ((sig_fd = mkstemp(sigpath)) == -1 || unlink(sigpath) == -1) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot create %s: %s", sigpath,
		    strerror(errno));
		goto done;
	}
	if ((cst = backup_open(admin, fd, sig_fd)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: %s", file, refusal(&cs, cst));
		goto done;
	}
	if ((rc = restore_keyring(h, dir, &hub, hubhome, sizeof hubhome)) !=
	    HUBCTL_OK)
		goto done;
	/* the records, as gpg reads the signed message: the hub key is
	 * not there yet, the signature is checked again once it is */
	if (lseek(sig_fd, 0, SEEK_SET) == -1) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot read %s: %s", sigpath,
		    strerror(errno));
		goto done;
	}
	cst = backup_verify(hub, sig_fd, consume, &cs, &sig);
	/* a record refused (it stopped gpg before the signature) */
	if (cs.err[0] != '\0') {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: %s", file, cs.err);
		goto done;
	}
	if (sig.count == 0) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: not signed (hubctl backup signs with the hub "
		    "key)", file);
		goto done;
	}
	if (cs.err[0] == '\0' && sig.count != 1)
		cfail(&cs, "more than one signature");
	if (cs.err[0] == '\0' && !sig.good && !sig.no_key)
		cfail(&cs, "the signature is bad");
	if (cst != CRYPTO_OK || cs.err[0] != '\0' || !cs.ended ||
	    cs.line_len != 0) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s: refused, nothing "
		    "restored: %s", file, refusal(&cs, cst));
		goto done;
	}
	if ((rc = restore_manifest(h, &cs, file)) != HUBCTL_OK ||
	    (rc = restore_whose(h, &cs, file, expect, &sig)) != HUBCTL_OK ||
	    (rc = restore_prove(h, &cs, file, hub, hubhome, sig_fd,
	    expect)) != HUBCTL_OK)
		goto done;
	gpg_close(hub);
	hub = NULL;
	/* importing the secret keys started an agent for the new home */
	backup_agent_stop(hubhome);
	hubhome[0] = '\0';
	if ((rc = restore_owner(h, dir)) != HUBCTL_OK)
		goto done;
	written = false;
	restore_report(h, &cs);
done:
	if (cs.fd != -1)
		close(cs.fd);
	if (cs.mem != NULL && cs.mem != cs.manifest && cs.mem != cs.pub &&
	    cs.mem != cs.sec && cs.mem != cs.conf)
		buf_free(cs.mem);
	gpg_close(admin);
	gpg_close(hub);
	if (hubhome[0] != '\0')
		backup_agent_stop(hubhome);
	if (sig_fd != -1)
		close(sig_fd);
	free(sigpath);
	if (written)
		undo_restore(dir, made);
	if (fd != -1)
		close(fd);
	buf_free(cs.manifest);
	buf_free(cs.pub);
	buf_free(cs.sec);
	buf_free(cs.conf);
	return rc;
}
