/*
 * hubctl backup: the whole data dir as one file encrypted to a key the
 * admin chooses (hubctl(8) BACKUP AND RESTORE; hubctl_restore.c reads
 * it back).
 *
 * What goes in, and how it stays consistent while hubd runs:
 *  - hub.db and archive.db through SQLite's online backup API
 *    (crypto/db db_backup()): one snapshot each, copied into a scratch
 *    directory of the data dir (mode 0700), still encrypted with their
 *    own keys, streamed from there and removed (the only scratch file:
 *    a plain SQLite copy would be the roster and the archive in clear);
 *  - the keyring as gpg exports it (crypto/backup): every public key
 *    with its certifications (the endorsements' evidence) and every
 *    secret key.  gpg takes its own locks while it reads; copying
 *    pubring.kbx and private-keys-v1.d beside a running gpg-agent would
 *    have to speak GnuPG's dotlock protocol and could still catch a key
 *    file the agent is writing;
 *  - the other files at the top of the data dir (the wrapped database
 *    keys, hub.fpr, lists.names, postfix-recipients), not the locks, the
 *    pid file or SQLite's WAL and shm files;
 *  - the spool's durable entries, never tmp/ or an outgoing set still
 *    being staged: queue by queue in the order the pipeline moves an
 *    entry (incoming, deferred, active, quarantine, rejected, corrupt,
 *    outgoing, retry), then incoming again for what arrived meanwhile.
 *    An entry that moves on while the backup runs is read where it went;
 *    a message in flight may be processed again after a restore, none is
 *    lost (an outgoing copy delivered meanwhile is simply absent);
 *  - hub.conf when readable, the program's version and the schemas.
 *
 * The plaintext (its format: tools/hubctl_backup.h) is produced on
 * demand while gpg signs it with the hub key and encrypts it: GPGME
 * pulls it from produce(), and nothing of it is written to disk.  The
 * report names the hub fingerprint, which restore --expect wants.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "crypto/backup.h"
#include "crypto/db.h"
#include "crypto/gpg.h"
#include "crypto/keyfile.h"
#include "hub/conf.h"
#include "lists/store.h"
#include "tools/hubctl.h"
#include "tools/hubctl_backup.h"
#include "tools/out.h"

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path, sorted, without dot names (atomic
 * writes in progress, outgoing sets being staged).  A missing directory
 * has none. */
static int
names_of(const char *path, char ***vp, size_t *np)
{
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;
	DIR *d;

	*vp = NULL;
	*np = 0;
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_name);
	*vp = v;
	*np = n;
	return 0;
}

static void
names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --- backup: the records, produced while gpg reads ------------------------- */

/* IT_LIST: a spool queue, listed when the stream reaches it (so an entry
 * that moves on meanwhile is met where it went) */
enum item_kind { IT_MEM, IT_FILE, IT_DIR, IT_LIST, IT_END };
#define LIST_OUTGOING	(-2)	/* IT_LIST: the outgoing sets */
#define LIST_RETRY	(-3)	/* IT_LIST: the retry states */

/* The ids already taken from an entry queue: membership by bsearch over
 * the part sorted after each queue, linear over the rest. */
struct seen {
	char	**v;
	size_t	 n, sorted;
};

struct item {
	enum item_kind	 kind;
	char		 type;		/* the record's letter */
	char		*name;		/* in the backup */
	char		*path;		/* IT_FILE, IT_DIR: where it is now */
	const struct buf *mem;		/* IT_MEM (not owned) */
	int		 entry_q;	/* a spool entry or IT_LIST: its queue,
					 * else -1 */
};

struct producer {
	const char	*data_dir;
	struct item	*items;
	size_t		 nitems;
	size_t		 cur;		/* the item being sent */
	bool		 started;	/* magic sent */
	bool		 in_item;
	char		 hdr[BACKUP_HEADER_MAX];
	size_t		 hdr_len, hdr_off;
	int		 fd;		/* IT_FILE being read, or -1 */
	const char	*mem;		/* IT_MEM / IT_END content */
	size_t		 mem_off;
	unsigned long long remain;	/* octets of content left */
	char		 end[64];
	struct seen	 seen;
	unsigned long long records, files, spool_files, bytes;
	char		 err[PATH_MAX + 128];
};

/*
 * The spool's entry queues in the order the pipeline moves an entry
 * forward, so one that moves while they are listed is met again
 * further on, never passed over.
 */
static const char *const entry_queues[] = {
	"incoming", "deferred", "active", "quarantine", "rejected", "corrupt",
};
#define NENTRY_QUEUES	((int)(sizeof entry_queues / sizeof entry_queues[0]))

static struct item *
item_add(struct producer *p, enum item_kind kind, char type, const char *name,
    const char *path)
{
	struct item *it;

	p->items = xreallocarray(p->items, p->nitems + 1, sizeof *p->items);
	it = &p->items[p->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->type = type;
	it->name = xstrdup(name);
	it->path = path != NULL ? xstrdup(path) : NULL;
	it->entry_q = -1;
	return it;
}

static void
producer_clear(struct producer *p)
{
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		free(p->items[i].name);
		free(p->items[i].path);
	}
	free(p->items);
	if (p->fd != -1)
		close(p->fd);
	names_free(p->seen.v, p->seen.n);
}

static bool
seen_has(const struct seen *s, const char *id)
{
	size_t i;

	if (s->sorted > 0 && bsearch(&id, s->v, s->sorted, sizeof *s->v,
	    cmp_name) != NULL)
		return true;
	for (i = s->sorted; i < s->n; i++)
		if (strcmp(s->v[i], id) == 0)
			return true;
	return false;
}

static void
seen_add(struct seen *s, const char *id)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n++] = xstrdup(id);
}

static void
seen_sort(struct seen *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, cmp_name);
	s->sorted = s->n;
}

/* One entry queue: its ids not listed yet, and the files beside them
 * (ID.why, ID.tell). */
static int
list_entry_queue(struct producer *p, int q)
{
	char **v, *name, *path;
	size_t i, n;

	path = xasprintf("%s/spool/%s", p->data_dir, entry_queues[q]);
	if (names_of(path, &v, &n) == -1) {
		snprintf(p->err, sizeof p->err, "cannot read %s: %s", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	for (i = 0; i < n; i++) {
		bool id = hub_id_valid(v[i]);
		struct item *it;

		if (id && seen_has(&p->seen, v[i]))
			continue;
		name = xasprintf("spool/%s/%s", entry_queues[q], v[i]);
		path = xasprintf("%s/%s", p->data_dir, name);
		it = item_add(p, IT_FILE, 'F', name, path);
		if (id) {
			it->entry_q = q;
			seen_add(&p->seen, v[i]);
		}
		free(name);
		free(path);
	}
	names_free(v, n);
	seen_sort(&p->seen);
	return 0;
}

/* Every file under spool/DIR, one level of subdirectories (outgoing
 * sets); dot names skipped. */
static int
list_tree(struct producer *p, const char *sub, int depth)
{
	char **v, *name, *path;
	struct stat sb;
	size_t i, n;
	int r = 0;

	path = xasprintf("%s/%s", p->data_dir, sub);
	if (names_of(path, &v, &n) == -1) {
		snprintf(p->err, sizeof p->err, "cannot read %s: %s", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	for (i = 0; i < n && r == 0; i++) {
		name = xasprintf("%s/%s", sub, v[i]);
		path = xasprintf("%s/%s", p->data_dir, name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth > 0) {
			item_add(p, IT_DIR, 'D', name, path);
			r = list_tree(p, name, depth - 1);
		} else if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			item_add(p, IT_FILE, 'F', name, path);
		free(name);
		free(path);
	}
	names_free(v, n);
	return r;
}

static void
list_spool(struct producer *p)
{
	static const char *const dirs[] = {
		"tmp", "incoming", "active", "outgoing", "rejected", "corrupt",
		"deferred", "quarantine", "retry",
	};
	char *path;
	size_t i;
	int q;

	path = xasprintf("%s/spool", p->data_dir);
	item_add(p, IT_DIR, 'D', "spool", path);
	free(path);
	/* every queue exists after a restore, as spool_open() makes them */
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *name = xasprintf("spool/%s", dirs[i]);

		path = xasprintf("%s/%s", p->data_dir, name);
		item_add(p, IT_DIR, 'D', name, path);
		free(name);
		free(path);
	}
	for (q = 0; q < NENTRY_QUEUES; q++)
		item_add(p, IT_LIST, 'L', entry_queues[q], NULL)->entry_q = q;
	item_add(p, IT_LIST, 'L', "outgoing", NULL)->entry_q = LIST_OUTGOING;
	item_add(p, IT_LIST, 'L', "retry", NULL)->entry_q = LIST_RETRY;
	/* what arrived (or was put back by a crashed worker) meanwhile */
	item_add(p, IT_LIST, 'L', entry_queues[0], NULL)->entry_q = 0;
}

/* The IT_LIST item at p->cur: its queue's items listed now and put
 * right after it.  0, or -1 with p->err. */
static int
expand(struct producer *p)
{
	size_t n0 = p->nitems, k, after;
	struct item *tmp;
	int q = p->items[p->cur].entry_q, r;

	r = q == LIST_OUTGOING ? list_tree(p, "spool/outgoing", 1) :
	    q == LIST_RETRY ? list_tree(p, "spool/retry", 0) :
	    list_entry_queue(p, q);
	if (r == -1 || (k = p->nitems - n0) == 0)
		return r;
	after = n0 - (p->cur + 1);
	tmp = xreallocarray(NULL, k, sizeof *tmp);
	memcpy(tmp, &p->items[n0], k * sizeof *tmp);
	memmove(&p->items[p->cur + 1 + k], &p->items[p->cur + 1],
	    after * sizeof *tmp);
	memcpy(&p->items[p->cur + 1], tmp, k * sizeof *tmp);
	free(tmp);
	return 0;
}

/* The data dir's own files; the databases come as snapshots, the
 * keyring as gpg's export. */
static bool
top_file_wanted(const char *name, const char *pidfile_base)
{
	static const char *const suffixes[] = {
		"-wal", "-shm", "-journal", ".lock", ".pid",
	};
	size_t i, n = strlen(name), k;

	/* a restored dir's copy of the old hub.conf: the C record is
	 * the one hub.conf a backup carries */
	if (name[0] == '.' || strcmp(name, STORE_DB_FILE) == 0 ||
	    strcmp(name, BACKUP_RESTORED_CONF) == 0 ||
	    strcmp(name, ARCHIVE_DB_FILE) == 0 ||
	    (pidfile_base != NULL && strcmp(name, pidfile_base) == 0))
		return false;
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		k = strlen(suffixes[i]);
		if (n >= k && strcmp(name + n - k, suffixes[i]) == 0)
			return false;
	}
	return true;
}

/* A name restore accepts (tools/hubctl_backup.h): letters, digits and
 * "._-+@". */
static bool
name_chars_ok(const char *name)
{
	for (; *name != '\0'; name++)
		if (!((*name >= 'a' && *name <= 'z') ||
		    (*name >= 'A' && *name <= 'Z') ||
		    (*name >= '0' && *name <= '9') ||
		    strchr("._-+@", *name) != NULL))
			return false;
	return true;
}

static int
list_top(struct producer *p, const struct hub_config *cfg)
{
	const char *pidfile_base = NULL, *slash;
	char **v, *path, dir[PATH_MAX];
	struct stat sb;
	size_t i, n;

	if (cfg->pidfile != NULL && (slash = strrchr(cfg->pidfile, '/')) !=
	    NULL) {
		fs_dirname(cfg->pidfile, dir, sizeof dir);
		if (strcmp(dir, cfg->data_dir) == 0)
			pidfile_base = slash + 1;
	}
	if (names_of(cfg->data_dir, &v, &n) == -1) {
		snprintf(p->err, sizeof p->err, "cannot read %s: %s",
		    cfg->data_dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", cfg->data_dir, v[i]);
		if (!top_file_wanted(v[i], pidfile_base) ||
		    lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
			;	/* not the hub's, or not a file */
		else if (!name_chars_ok(v[i]))
			hubctl_warn("left out of the backup: %s/%s (a name "
			    "restore would refuse)", cfg->data_dir, v[i]);
		else
			item_add(p, IT_FILE, 'F', v[i], path);
		free(path);
	}
	names_free(v, n);
	return 0;
}

/* Start item p->cur: its header line into p->hdr; 0, 1 to skip it (a
 * spool file gone meanwhile: finished), -1 on failure. */
static int
item_start(struct producer *p, struct item *it)
{
	const char *name = it->name;
	char *alt = NULL, *altname = NULL;
	long long size = 0, mtime = 0;
	unsigned mode = 0600;
	struct stat sb;
	int q, n;

	switch (it->kind) {
	case IT_MEM:
		size = (long long)buf_len(it->mem);
		p->mem = buf_data(it->mem);
		break;
	case IT_END:
		snprintf(p->end, sizeof p->end, "records=%llu\n", p->records);
		size = (long long)strlen(p->end);
		p->mem = p->end;
		break;
	case IT_LIST:
		return 1;	/* produce() expands it */
	case IT_DIR:
		mode = 0700;
		if (stat(it->path, &sb) == 0)
			mtime = (long long)sb.st_mtime;
		else if (strncmp(it->name, "spool/outgoing/", 15) == 0)
			return 1;	/* a set delivered meanwhile */
		break;
	case IT_FILE:
		p->fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		/* an entry that moved on: where it went, or it is done */
		for (q = it->entry_q + 1; p->fd == -1 && errno == ENOENT &&
		    it->entry_q >= 0 && q < NENTRY_QUEUES; q++) {
			const char *id = strrchr(it->name, '/') + 1;

			free(alt);
			free(altname);
			altname = xasprintf("spool/%s/%s", entry_queues[q], id);
			alt = xasprintf("%s/%s", p->data_dir, altname);
			p->fd = open(alt, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			name = altname;
		}
		if (p->fd == -1) {
			free(alt);
			free(altname);
			if (errno == ENOENT && strncmp(it->name, "spool/", 6) ==
			    0)
				return 1;
			snprintf(p->err, sizeof p->err, "cannot read %s: %s",
			    it->path, strerror(errno));
			return -1;
		}
		if (fstat(p->fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			snprintf(p->err, sizeof p->err, "cannot read %s: %s",
			    it->path, S_ISREG(sb.st_mode) ? strerror(errno) :
			    "not a regular file");
			free(alt);
			free(altname);
			return -1;
		}
		size = (long long)sb.st_size;
		mtime = (long long)sb.st_mtime;
		mode = (unsigned)sb.st_mode & 0700;
		break;
	}
	n = snprintf(p->hdr, sizeof p->hdr, "%c %04o %lld %lld %s\n",
	    it->type, mode, mtime, size, name);
	free(alt);
	free(altname);
	if (n < 0 || (size_t)n >= sizeof p->hdr) {
		snprintf(p->err, sizeof p->err, "name too long: %s", it->name);
		return -1;
	}
	p->hdr_len = (size_t)n;
	p->hdr_off = 0;
	p->remain = (unsigned long long)size;
	p->mem_off = 0;
	if (it->kind == IT_FILE) {
		p->files++;
		if (strncmp(it->name, "spool/", 6) == 0)
			p->spool_files++;
	}
	return 0;
}

/* backup_read_fn: the next octets of the plaintext. */
static ssize_t
produce(void *arg, void *buf, size_t size)
{
	struct producer *p = arg;
	struct item *it;
	size_t n;
	ssize_t r;
	int s;

	if (!p->started) {
		n = strlen(BACKUP_MAGIC);
		if (size < n) {
			errno = EINVAL;
			return -1;
		}
		memcpy(buf, BACKUP_MAGIC, n);
		p->started = true;
		return (ssize_t)n;
	}
	for (;;) {
		if (p->cur == p->nitems)
			return 0;
		it = &p->items[p->cur];
		if (!p->in_item && it->kind == IT_LIST) {
			if (expand(p) == -1) {
				errno = EIO;
				return -1;
			}
			p->cur++;
			continue;
		}
		if (!p->in_item) {
			if ((s = item_start(p, it)) == -1) {
				errno = EIO;
				return -1;
			}
			if (s == 1) {
				p->cur++;
				continue;
			}
			p->in_item = true;
		}
		if (p->hdr_off < p->hdr_len) {
			n = p->hdr_len - p->hdr_off;
			n = n < size ? n : size;
			memcpy(buf, p->hdr + p->hdr_off, n);
			p->hdr_off += n;
			return (ssize_t)n;
		}
		if (p->remain > 0) {
			n = p->remain < size ? (size_t)p->remain : size;
			if (it->kind == IT_FILE) {
				while ((r = read(p->fd, buf, n)) == -1 &&
				    errno == EINTR)
					;
				if (r <= 0) {
					/* never rewritten in place: a file
					 * that shrinks is a fault */
					snprintf(p->err, sizeof p->err,
					    "%s changed while it was read",
					    it->path);
					errno = EIO;
					return -1;
				}
				n = (size_t)r;
			} else
				memcpy(buf, p->mem + p->mem_off, n);
			p->mem_off += n;
			p->remain -= n;
			p->bytes += n;
			return (ssize_t)n;
		}
		if (p->fd != -1) {
			close(p->fd);
			p->fd = -1;
		}
		p->in_item = false;
		p->records++;
		p->cur++;
	}
}

/* --- backup: the command ------------------------------------------------------ */

struct snapshot {
	const char	*name;		/* "hub.db" */
	const char	*key_file;
	size_t		 key_len;
	enum db_version_at at;
	int		 version;	/* -1: none (no archive yet) */
	char		*copy;		/* in the scratch dir */
};

static int
take_snapshot(struct hubctl *h, const char *scratch, struct snapshot *sn)
{
	struct db_config cfg;
	struct buf *key = buf_new(BUF_SENSITIVE);
	char err[1024], *db, *kf;
	enum keyfile_status ks;
	enum db_status st;
	struct stat sb;
	int rc = HUBCTL_OK;

	sn->version = -1;
	db = xasprintf("%s/%s", h->cfg->data_dir, sn->name);
	kf = xasprintf("%s/%s", h->cfg->data_dir, sn->key_file);
	if (stat(db, &sb) == -1 && errno == ENOENT &&
	    strcmp(sn->name, ARCHIVE_DB_FILE) == 0)
		goto out;	/* nothing archived yet */
	if ((ks = keyfile_load(h->gpg, kf, sn->key_len, key, err,
	    sizeof err)) != KEYFILE_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot unwrap the key of %s: "
		    "%s", sn->name, err);
		goto out;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.path = db;
	cfg.name = sn->name;
	cfg.busy_ms = STORE_BUSY_MS;
	cfg.version_at = sn->at;
	sn->copy = xasprintf("%s/%s", scratch, sn->name);
	if ((st = db_backup(&cfg, buf_data(key), buf_len(key), sn->copy,
	    &sn->version, err, sizeof err)) != DB_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot copy %s: %s", sn->name,
		    err);
		free(sn->copy);
		sn->copy = NULL;
	}
out:
	buf_free(key);
	free(db);
	free(kf);
	return rc;
}

static void
scratch_cleanup(const char *scratch, struct snapshot *sn, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sn[i].copy != NULL) {
			(void)unlink(sn[i].copy);
			free(sn[i].copy);
			sn[i].copy = NULL;
		}
	if (scratch[0] != '\0')
		(void)rmdir(scratch);
}

static void
manifest(struct buf *m, const struct hubctl *h, const char *hub_fpr,
    const struct snapshot *sn, const char *rcpt)
{
	char when[64];

	hub_utc(hub_now(), HUB_UTC_ISO, when, sizeof when);
	buf_printf(m, "format=%d\n", BACKUP_FORMAT);
	buf_printf(m, "program=%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	buf_printf(m, "created=%s\n", when);
	buf_printf(m, "data_dir=%s\n", h->cfg->data_dir);
	buf_printf(m, "domain=%s\n", h->cfg->domain);
	buf_printf(m, "hub_fpr=%s\n", hub_fpr);
	buf_printf(m, "store_schema=%d\n", sn[0].version);
	buf_printf(m, "archive_schema=%d\n", sn[1].version);
	buf_printf(m, "recipient=%s\n", rcpt);
}

/* Where the ciphertext goes: FILE through a temporary name beside it,
 * renamed into place once complete; "-" standard output. */
struct sink {
	const char	*file;
	char		*tmp;
	int		 fd;
};

static int
sink_open(struct hubctl *h, struct sink *s, const char *file)
{
	struct stat sb;

	s->file = file;
	s->tmp = NULL;
	if (strcmp(file, "-") == 0) {
		s->fd = STDOUT_FILENO;
		return HUBCTL_OK;
	}
	/* never over an older backup: that one may be the only good one */
	if (lstat(file, &sb) == 0)
		return hubctl_fail(h, HUBCTL_ERROR, "%s exists: name a new "
		    "file", file);
	s->tmp = xasprintf("%s.partial.XXXXXX", file);
	if ((s->fd = mkstemp(s->tmp)) == -1) {
		int rc = hubctl_fail(h, HUBCTL_ENV, "cannot create %s: %s",
		    s->tmp, strerror(errno));

		free(s->tmp);
		s->tmp = NULL;
		return rc;
	}
	return HUBCTL_OK;
}

static int
sink_close(struct hubctl *h, struct sink *s, bool ok)
{
	int rc = HUBCTL_OK;

	if (s->tmp == NULL)
		return ok ? HUBCTL_OK : HUBCTL_ENV;
	if (ok && (fs_fsync(s->fd) == -1 || link(s->tmp, s->file) == -1))
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot write %s: %s", s->file,
		    strerror(errno));
	close(s->fd);
	(void)unlink(s->tmp);
	free(s->tmp);
	s->tmp = NULL;
	return ok ? rc : HUBCTL_ENV;
}

int
cmd_backup(struct hubctl *h, int argc, char **argv)
{
	enum { OPT_TO = 256, OPT_TO_FILE };
	static const struct option opts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "to-file", required_argument, NULL, OPT_TO_FILE },
		{ NULL, 0, NULL, 0 },
	};
	const struct hubctl_cmd *c = hubctl_cmd_find("backup");
	struct snapshot sn[2] = {
		{ STORE_DB_FILE, STORE_KEY_FILE, STORE_KEY_LEN,
		    DB_VERSION_TABLE, -1, NULL },
		{ ARCHIVE_DB_FILE, ARCHIVE_KEY_FILE, ARCHIVE_KEY_LEN,
		    DB_VERSION_PRAGMA, -1, NULL },
	};
	struct producer p;
	struct sink out = { NULL, NULL, -1 };
	struct buf *man = buf_new(0), *pub = buf_new(0);
	struct buf *sec = buf_new(BUF_SENSITIVE), *conf = buf_new(0);
	struct buf *keydata = buf_new(0), *after = buf_new(0);
	const char *to = NULL, *to_file = NULL, *file;
	char scratch[PATH_MAX] = "", rcpt[41] = "";
	enum crypto_status cst;
	int ch, rc;

	memset(&p, 0, sizeof p);
	p.fd = -1;
	if (hubctl_wants_help(argc, argv)) {
		rc = hubctl_help(c);
		goto done;
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_TO:
			to = optarg;
			break;
		case OPT_TO_FILE:
			to_file = optarg;
			break;
		default:
			hubctl_warn("backup: unknown option or missing value: "
			    "%s", argv[optind - 1]);
			rc = hubctl_usage(c);
			goto done;
		}
	}
	if (optind + 1 != argc) {
		hubctl_warn("backup: name one FILE (- for standard output)");
		rc = hubctl_usage(c);
		goto done;
	}
	file = argv[optind];
	if ((to == NULL) == (to_file == NULL)) {
		/* it holds the hub's secret keys: never in clear */
		hubctl_warn("backup: name the key to encrypt it to, --to FPR "
		    "or --to-file PUBKEY.asc (the backup holds the hub's "
		    "secret keys)");
		rc = hubctl_usage(c);
		goto done;
	}
	if (to != NULL && !gpg_is_fpr(to)) {
		rc = hubctl_fail(h, HUBCTL_USAGE, "--to: not a fingerprint "
		    "(40 hex digits): %s", to);
		goto done;
	}
	if (to_file != NULL && fs_read_small(to_file, keydata, 1 << 20) ==
	    -1) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "cannot read %s: %s",
		    to_file, strerror(errno));
		goto done;
	}
	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		goto done;
	/* the snapshots: a private scratch dir of the data dir */
	snprintf(scratch, sizeof scratch, "%s/" BACKUP_SCRATCH "XXXXXX",
	    h->cfg->data_dir);
	if (mkdtemp(scratch) == NULL) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot create %s: %s", scratch,
		    strerror(errno));
		scratch[0] = '\0';
		goto done;
	}
	if ((rc = take_snapshot(h, scratch, &sn[0])) != HUBCTL_OK ||
	    (rc = take_snapshot(h, scratch, &sn[1])) != HUBCTL_OK)
		goto done;
	if ((cst = backup_keyring_export(h->gpg, 0, pub)) != CRYPTO_OK ||
	    (cst = backup_keyring_export(h->gpg, 1, sec)) != CRYPTO_OK) {
		rc = hubctl_fail(h, HUBCTL_ENV, "cannot export the keyring "
		    "%s/%s: %s", h->cfg->data_dir, STORE_GNUPG_DIR,
		    crypto_status_str(cst));
		goto done;
	}
	if (fs_read_small(h->conf_path, conf, BACKUP_CONF_MAX) == -1)
		buf_reset(conf);	/* root's file: the backup goes on */
	manifest(man, h, store_hub_fpr(h->store), sn, to != NULL ? to :
	    "(--to-file)");
	p.data_dir = h->cfg->data_dir;
	item_add(&p, IT_MEM, 'M', "manifest", NULL)->mem = man;
	if (buf_len(conf) > 0)
		item_add(&p, IT_MEM, 'C', "hub.conf", NULL)->mem = conf;
	item_add(&p, IT_MEM, 'P', STORE_GNUPG_DIR, NULL)->mem = pub;
	item_add(&p, IT_MEM, 'S', STORE_GNUPG_DIR, NULL)->mem = sec;
	item_add(&p, IT_FILE, 'F', STORE_DB_FILE, sn[0].copy);
	if (sn[1].copy != NULL)
		item_add(&p, IT_FILE, 'F', ARCHIVE_DB_FILE, sn[1].copy);
	if (list_top(&p, h->cfg) == -1) {
		rc = hubctl_fail(h, HUBCTL_ENV, "%s", p.err);
		goto done;
	}
	list_spool(&p);
	item_add(&p, IT_END, 'E', "end", NULL);
	if ((rc = sink_open(h, &out, file)) != HUBCTL_OK)
		goto done;
	if (to != NULL) {
		cst = backup_seal(h->gpg, store_hub_fpr(h->store), to, produce,
		    &p, out.fd);
		snprintf(rcpt, sizeof rcpt, "%s", to);
	} else
		cst = backup_seal_keydata(h->gpg, store_hub_fpr(h->store),
		    buf_data(keydata), buf_len(keydata), produce, &p, out.fd,
		    rcpt);
	if (cst != CRYPTO_OK) {
		(void)sink_close(h, &out, false);
		if (p.err[0] != '\0')
			rc = hubctl_fail(h, HUBCTL_ENV, "backup failed: %s",
			    p.err);
		else if (cst == CRYPTO_KEY_NOT_FOUND || cst ==
		    CRYPTO_KEY_UNUSABLE || cst == CRYPTO_MALFORMED)
			rc = hubctl_fail(h, HUBCTL_ERROR, "cannot encrypt to %s: "
			    "%s", to != NULL ? to : to_file,
			    cst == CRYPTO_KEY_NOT_FOUND ? "no such key in the "
			    "hub's keyring (import it, or use --to-file)" :
			    cst == CRYPTO_MALFORMED ? "the file must hold "
			    "exactly one public key" : "the key cannot "
			    "encrypt (expired, revoked or no encryption "
			    "subkey)");
		else
			rc = hubctl_fail(h, HUBCTL_ENV, "backup failed: %s",
			    crypto_status_str(cst));
		goto done;
	}
	if ((rc = sink_close(h, &out, true)) != HUBCTL_OK)
		goto done;
	/* the audit row: who took the hub's keys away, to whom */
	buf_append_str(after, "{\"file\":");
	json_append_str(after, file);
	buf_append_str(after, ",\"recipient\":");
	json_append_str(after, rcpt);
	buf_printf(after, ",\"files\":%llu,\"spool_files\":%llu}", p.files,
	    p.spool_files);
	if (store_audit_event(h->store, "backup.create", file,
	    buf_data(after)) != STORE_OK)
		hubctl_warn("backup written, but not audited: %s",
		    store_errmsg(h->store));
	/* with "-" stdout holds the backup: the report goes to stderr */
	if (strcmp(file, "-") == 0) {
		out_free(h->out);
		h->out = out_new(stderr, h->json);
	}
	out_map_begin(h->out);
	out_kstr(h->out, "file", file);
	out_kstr(h->out, "recipient", rcpt);
	out_kstr(h->out, "hub_fpr", store_hub_fpr(h->store));
	out_kstr(h->out, "signed_by", store_hub_fpr(h->store));
	out_kint(h->out, "store_schema", sn[0].version);
	out_kint(h->out, "archive_schema", sn[1].version);
	out_kint(h->out, "records", (long long)p.records);
	out_kint(h->out, "files", (long long)p.files);
	out_kint(h->out, "spool_files", (long long)p.spool_files);
	out_kint(h->out, "octets", (long long)p.bytes);
	out_map_end(h->out);
	rc = HUBCTL_OK;
done:
	if (out.tmp != NULL)
		(void)sink_close(h, &out, false);
	scratch_cleanup(scratch, sn, 2);
	producer_clear(&p);
	buf_free(man);
	buf_free(pub);
	buf_free(sec);
	buf_free(conf);
	buf_free(keydata);
	buf_free(after);
	return rc;
}

