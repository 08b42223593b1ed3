#include "config.h"

#include "hub/spool.h"
#include "base/buf.h"
#include "base/kvlines.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define SPOOL_MAGIC	"CSIRT-HUB-SPOOL 1\n"
#define SPOOL_WBUF	(64 * 1024)
/* Envelope headers are small (max_recipients <= 1000 addresses of at most
 * 256 octets); anything bigger is not ours. */
#define SPOOL_MAX_HEADER (1024 * 1024)
/* No message can make a bigger file (hub.conf caps max_message_size far
 * below); a bigger one is not ours and must not exhaust memory. */
#define SPOOL_MAX_FILE	((uintmax_t)4 << 30)

static const char *const queue_names[SPOOL_Q_COUNT] = {
	[SPOOL_Q_TMP] = "tmp",
	[SPOOL_Q_INCOMING] = "incoming",
	[SPOOL_Q_ACTIVE] = "active",
	[SPOOL_Q_OUTGOING] = "outgoing",
	[SPOOL_Q_REJECTED] = "rejected",
	[SPOOL_Q_CORRUPT] = "corrupt",
	[SPOOL_Q_DEFERRED] = "deferred",
	[SPOOL_Q_QUARANTINE] = "quarantine",
};

#define RETRY_DIR	"retry"
#define RETRY_MAGIC	"CSIRT-HUB-RETRY 1\n"
#define RETRY_MAX_FILE	4096

struct spool {
	char	*dir;
	/* spool_space_ok()'s cache: statvfs costs a system call per MAIL
	 * FROM otherwise */
	time_t	 space_at;		/* hub_mono() of the probe, 0 = none */
	unsigned long long space_free;
};

struct spool_tx {
	struct spool	*sp;
	char		 id[HUB_ID_SIZE];
	char		 tmp[PATH_MAX];
	int		 fd;
	struct buf	*wbuf;
	size_t		 body_len;
};

struct spool_store {
	char	*data;
	size_t	 len;
	char	**rcpt;
};

const char *
spool_status_str(enum spool_status st)
{
	switch (st) {
	case SPOOL_OK:
		return "ok";
	case SPOOL_IO_ERROR:
		return "io-error";
	case SPOOL_NOT_FOUND:
		return "not-found";
	case SPOOL_CORRUPT:
		return "corrupt";
	case SPOOL_BAD_ARGUMENT:
		return "bad-argument";
	}
	return "unknown";
}

const char *
spool_queue_str(enum spool_queue q)
{
	return (unsigned)q < SPOOL_Q_COUNT ? queue_names[q] : "unknown";
}

void
spool_path(const struct spool *sp, enum spool_queue q, const char *id,
    char *dst, size_t n)
{
	if (id != NULL)
		snprintf(dst, n, "%s/%s/%s", sp->dir, queue_names[q], id);
	else
		snprintf(dst, n, "%s/%s", sp->dir, queue_names[q]);
}

enum spool_status
spool_open(const char *dir, struct spool **out)
{
	struct spool *sp;
	char path[PATH_MAX];
	int q;

	if (strlen(dir) + 32 >= PATH_MAX)
		return SPOOL_BAD_ARGUMENT;
	if (fs_mkdirs(dir, 0700) == -1)
		return SPOOL_IO_ERROR;
	sp = xcalloc(1, sizeof *sp);
	sp->dir = xstrdup(dir);
	for (q = 0; q < SPOOL_Q_COUNT; q++) {
		spool_path(sp, (enum spool_queue)q, NULL, path, sizeof path);
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			int saved = errno;

			spool_close(sp);
			errno = saved;
			return SPOOL_IO_ERROR;
		}
	}
	/* a set is a directory of many short-lived files (fs_spread_subdirs) */
	spool_path(sp, SPOOL_Q_OUTGOING, NULL, path, sizeof path);
	fs_spread_subdirs(path);
	snprintf(path, sizeof path, "%s/" RETRY_DIR, dir);
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		int saved = errno;

		spool_close(sp);
		errno = saved;
		return SPOOL_IO_ERROR;
	}
	snprintf(path, sizeof path, "%s/" SPOOL_RECEIPTS_DIR, dir);
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		int saved = errno;

		spool_close(sp);
		errno = saved;
		return SPOOL_IO_ERROR;
	}
	*out = sp;
	return SPOOL_OK;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	free(sp->dir);
	free(sp);
}

/* Envelope values come from the network: no line breaks may reach the
 * header, or a client could forge envelope fields. */
static bool
envelope_value_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void
tx_free(struct spool_tx *tx)
{
	if (tx->fd != -1)
		close(tx->fd);
	buf_free(tx->wbuf);
	free(tx);
}

/* A new file named by a fresh id in directory dir (tmp/ or a stage). */
static enum spool_status
tx_open(struct spool *sp, const char *dir, const struct spool_envelope *env,
    struct spool_tx **out)
{
	struct spool_tx *tx;
	size_t i;

	if (env->protocol == NULL || env->client == NULL ||
	    env->helo == NULL || env->mail_from == NULL || env->nrcpt == 0)
		return SPOOL_BAD_ARGUMENT;
	if (!envelope_value_ok(env->protocol) ||
	    !envelope_value_ok(env->client) ||
	    !envelope_value_ok(env->helo) ||
	    !envelope_value_ok(env->mail_from))
		return SPOOL_BAD_ARGUMENT;
	for (i = 0; i < env->nrcpt; i++)
		if (env->rcpt[i] == NULL || !envelope_value_ok(env->rcpt[i]))
			return SPOOL_BAD_ARGUMENT;

	tx = xcalloc(1, sizeof *tx);
	tx->sp = sp;
	tx->fd = -1;
	hub_id_new(tx->id);
	snprintf(tx->tmp, sizeof tx->tmp, "%s/%s", dir, tx->id);
	tx->fd = open(tx->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	/* Group-readable whatever the umask: with split users the smtp
	 * process writes what a worker reads, a worker what the relay
	 * reads, through the hub group (spool_fix_perms); the directories
	 * keep everyone else out. */
	if (tx->fd != -1 && fchmod(tx->fd, 0640) == -1) {
		close(tx->fd);
		tx->fd = -1;
		(void)unlink(tx->tmp);
	}
	if (tx->fd == -1) {
		int saved = errno;

		tx_free(tx);
		errno = saved;
		return SPOOL_IO_ERROR;
	}
	tx->wbuf = buf_new(0);
	buf_append_str(tx->wbuf, SPOOL_MAGIC);
	buf_printf(tx->wbuf, "id %s\nreceived %lld\nprotocol %s\n"
	    "client %s\nhelo %s\nmail-from %s\n", tx->id,
	    (long long)env->received, env->protocol, env->client, env->helo,
	    env->mail_from);
	for (i = 0; i < env->nrcpt; i++)
		buf_printf(tx->wbuf, "rcpt %s\n", env->rcpt[i]);
	buf_printf(tx->wbuf, "body %s\n\n", env->body_8bit ? "8bit" : "7bit");
	/* A header the reader would not accept must not be acknowledged. */
	if (buf_len(tx->wbuf) > SPOOL_MAX_HEADER) {
		spool_abort(tx);
		return SPOOL_BAD_ARGUMENT;
	}
	*out = tx;
	return SPOOL_OK;
}

enum spool_status
spool_begin(struct spool *sp, const struct spool_envelope *env,
    struct spool_tx **out)
{
	char dir[PATH_MAX];

	spool_path(sp, SPOOL_Q_TMP, NULL, dir, sizeof dir);
	return tx_open(sp, dir, env, out);
}

static enum spool_status
tx_flush(struct spool_tx *tx)
{
	if (buf_len(tx->wbuf) == 0)
		return SPOOL_OK;
	if (fs_write_all(tx->fd, buf_data(tx->wbuf), buf_len(tx->wbuf)) == -1)
		return SPOOL_IO_ERROR;
	buf_reset(tx->wbuf);
	return SPOOL_OK;
}

enum spool_status
spool_write(struct spool_tx *tx, const void *data, size_t len)
{
	tx->body_len += len;
	if (buf_len(tx->wbuf) + len < SPOOL_WBUF) {
		buf_append(tx->wbuf, data, len);
		return SPOOL_OK;
	}
	if (tx_flush(tx) != SPOOL_OK)
		return SPOOL_IO_ERROR;
	if (len >= SPOOL_WBUF)
		return fs_write_all(tx->fd, data, len) == -1 ?
		    SPOOL_IO_ERROR : SPOOL_OK;
	buf_append(tx->wbuf, data, len);
	return SPOOL_OK;
}

size_t
spool_tx_size(const struct spool_tx *tx)
{
	return tx->body_len;
}

void
spool_abort(struct spool_tx *tx)
{
	if (tx == NULL)
		return;
	if (unlink(tx->tmp) == -1 && errno != ENOENT)
		log_warn("spool-abort-unlink id=%s", tx->id);
	tx_free(tx);
}

enum spool_status
spool_commit(struct spool_tx *tx, char id[HUB_ID_SIZE])
{
	char dst[PATH_MAX], dir[PATH_MAX];
	int saved;

	buf_printf(tx->wbuf, "\nEND %zu\n", tx->body_len);
	if (tx_flush(tx) != SPOOL_OK || fs_fsync(tx->fd) == -1)
		goto fail_tmp;
	if (close(tx->fd) == -1) {
		tx->fd = -1;
		goto fail_tmp;
	}
	tx->fd = -1;
	spool_path(tx->sp, SPOOL_Q_INCOMING, tx->id, dst, sizeof dst);
	if (fs_rename(tx->tmp, dst) == -1)
		goto fail_tmp;
	spool_path(tx->sp, SPOOL_Q_INCOMING, NULL, dir, sizeof dir);
	if (fs_fsync_dir(dir) == -1) {
		/* The rename may not survive a crash, so the client must
		 * not get 250; take the entry back so no worker relays a
		 * message the client will send again. */
		saved = errno;
		if (unlink(dst) == -1)
			log_warn("spool-commit-undo id=%s", tx->id);
		tx_free(tx);
		errno = saved;
		return SPOOL_IO_ERROR;
	}
	memcpy(id, tx->id, HUB_ID_SIZE);
	tx_free(tx);
	return SPOOL_OK;
fail_tmp:
	saved = errno;
	spool_abort(tx);
	errno = saved;
	return SPOOL_IO_ERROR;
}

/* --- reading back ------------------------------------------------------ */

static enum spool_status
read_whole(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *p;
	size_t got = 0;
	int fd;

	/* Spool directories are writable by the network process: never
	 * follow a link or block on a FIFO planted there. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND :
		    errno == ELOOP ? SPOOL_CORRUPT : SPOOL_IO_ERROR;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return SPOOL_IO_ERROR;
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > SPOOL_MAX_FILE) {
		close(fd);
		return SPOOL_CORRUPT;
	}
	p = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int saved = errno;

			free(p);
			close(fd);
			errno = saved;
			return r == 0 ? SPOOL_CORRUPT : SPOOL_IO_ERROR;
		}
		got += (size_t)r;
	}
	close(fd);
	p[got] = '\0';
	*data = p;
	*len = got;
	return SPOOL_OK;
}

/* Next header line "key value" starting at *pos; NULs the newline. */
static bool
header_field(char *data, size_t hlen, size_t *pos, const char *key,
    const char **value)
{
	size_t klen = strlen(key);
	char *line = data + *pos, *nl;
	const char *v;

	if (*pos >= hlen)
		return false;
	nl = memchr(line, '\n', hlen - *pos);
	if (nl == NULL || (size_t)(nl - line) < klen + 1 ||
	    memcmp(line, key, klen) != 0 || line[klen] != ' ')
		return false;
	/* what the writer refuses (envelope_value_ok) the reader refuses
	 * too: a NUL would cut a value short, a CR could smuggle a field;
	 * the file may come from another user (the network role) */
	for (v = line + klen + 1; v < nl; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	*nl = '\0';
	*value = line + klen + 1;
	*pos = (size_t)(nl - data) + 1;
	return true;
}

/* A canonical decimal number as the writer prints it ("0", or digits
 * not starting with 0) ending at end; 0 and *out set, or -1. */
static int
canonical_number(const char *s, const char *end, unsigned long long *out)
{
	unsigned long long n = 0;
	const char *p;

	if (s >= end || (s[0] == '0' && end - s > 1) || end - s > 19)
		return -1;
	for (p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned)(*p - '0');
	}
	*out = n;
	return 0;
}

/*
 * The envelope header, data[0..hlen) ending in the empty line, into m
 * (strings point into data, which the header's newlines are NULed in).
 * Shared by the whole-file load and spool_peek(), so both read one
 * format the same way.
 */
static enum spool_status
parse_envelope(char *data, size_t hlen, struct spool_msg *m,
    struct spool_store *store)
{
	const char *v;
	size_t pos = strlen(SPOOL_MAGIC), nrcpt = 0, cap = 4;
	unsigned long long recv;

	store->rcpt = xcalloc(cap, sizeof *store->rcpt);
	if (!header_field(data, hlen, &pos, "id", &v) || !hub_id_valid(v))
		return SPOOL_CORRUPT;
	memcpy(m->id, v, HUB_ID_SIZE);
	if (!header_field(data, hlen, &pos, "received", &v) ||
	    canonical_number(v, v + strlen(v), &recv) == -1 ||
	    recv > (unsigned long long)LLONG_MAX)
		return SPOOL_CORRUPT;
	m->env.received = (time_t)recv;
	if (!header_field(data, hlen, &pos, "protocol", &m->env.protocol) ||
	    !header_field(data, hlen, &pos, "client", &m->env.client) ||
	    !header_field(data, hlen, &pos, "helo", &m->env.helo) ||
	    !header_field(data, hlen, &pos, "mail-from", &m->env.mail_from))
		return SPOOL_CORRUPT;
	while (header_field(data, hlen, &pos, "rcpt", &v)) {
		if (nrcpt == cap) {
			cap *= 2;
			store->rcpt = xreallocarray(store->rcpt, cap,
			    sizeof *store->rcpt);
		}
		store->rcpt[nrcpt++] = (char *)v;
	}
	if (nrcpt == 0 || !header_field(data, hlen, &pos, "body", &v) ||
	    (strcmp(v, "8bit") != 0 && strcmp(v, "7bit") != 0) ||
	    pos != hlen - 1)
		return SPOOL_CORRUPT;
	m->env.body_8bit = strcmp(v, "8bit") == 0;
	m->env.rcpt = (const char *const *)store->rcpt;
	m->env.nrcpt = nrcpt;
	return SPOOL_OK;
}

static enum spool_status
parse_spool(char *data, size_t len, struct spool_msg *m,
    struct spool_store *store)
{
	const char *end_line;
	char *hend;
	size_t hlen, pos, body_len, mlen = strlen(SPOOL_MAGIC);
	unsigned long long blen;
	enum spool_status st;

	if (len < mlen || memcmp(data, SPOOL_MAGIC, mlen) != 0)
		return SPOOL_CORRUPT;
	hend = memmem(data, len < SPOOL_MAX_HEADER ? len : SPOOL_MAX_HEADER,
	    "\n\n", 2);
	if (hend == NULL)
		return SPOOL_CORRUPT;
	hlen = (size_t)(hend - data) + 2;

	/* Trailer: "\nEND <n>\n" at the very end, n = body length. */
	if (len < hlen + 7 || data[len - 1] != '\n')
		return SPOOL_CORRUPT;
	end_line = NULL;
	for (pos = len - 1; pos > hlen; pos--)
		if (data[pos - 1] == '\n') {
			end_line = data + pos;
			break;
		}
	if (end_line == NULL || strncmp(end_line, "END ", 4) != 0)
		return SPOOL_CORRUPT;
	if (canonical_number(end_line + 4, data + len - 1, &blen) == -1)
		return SPOOL_CORRUPT;
	body_len = (size_t)(end_line - 1 - (data + hlen));
	if (blen != body_len)
		return SPOOL_CORRUPT;

	if ((st = parse_envelope(data, hlen, m, store)) != SPOOL_OK)
		return st;
	m->body = data + hlen;
	m->body_len = body_len;
	return SPOOL_OK;
}

enum spool_status
spool_load_file(const char *path, struct spool_msg **out)
{
	struct spool_store *store;
	struct spool_msg *m;
	enum spool_status st;

	store = xcalloc(1, sizeof *store);
	st = read_whole(path, &store->data, &store->len);
	if (st != SPOOL_OK) {
		free(store);
		return st;
	}
	m = xcalloc(1, sizeof *m);
	m->priv_ = store;
	st = parse_spool(store->data, store->len, m, store);
	if (st != SPOOL_OK) {
		spool_msg_free(m);
		return st;
	}
	*out = m;
	return SPOOL_OK;
}

enum spool_status
spool_load(struct spool *sp, enum spool_queue q, const char *id,
    struct spool_msg **out)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, q, id, path, sizeof path);
	return spool_load_file(path, out);
}

void
spool_msg_free(struct spool_msg *m)
{
	struct spool_store *store;

	if (m == NULL)
		return;
	store = m->priv_;
	if (store != NULL) {
		free(store->rcpt);
		free(store->data);
		free(store);
	}
	free(m);
}

enum spool_status
spool_move(struct spool *sp, const char *id, enum spool_queue from,
    enum spool_queue to)
{
	char src[PATH_MAX], dst[PATH_MAX];

	/* Corrupt files may have any name; everything else is an id. */
	if (strchr(id, '/') != NULL || id[0] == '.' ||
	    (from != SPOOL_Q_CORRUPT && to != SPOOL_Q_CORRUPT &&
	    !hub_id_valid(id)))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, from, id, src, sizeof src);
	spool_path(sp, to, id, dst, sizeof dst);
	if (fs_rename_durable(src, dst) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
spool_claim(struct spool *sp, const char *id)
{
	return spool_move(sp, id, SPOOL_Q_INCOMING, SPOOL_Q_ACTIVE);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory path (every one, or only valid ids), sorted. */
static enum spool_status
dir_names(const char *path, bool ids_only, char ***names, size_t *n)
{
	struct dirent *de;
	char **v = NULL;
	size_t len = 0, cap = 0;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    (ids_only && !hub_id_valid(de->d_name)))
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[len++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (len > 0)
		qsort(v, len, sizeof *v, cmp_str);
	*names = v;
	*n = len;
	return SPOOL_OK;
}

/* All names in a queue directory (ids or not), sorted. */
static enum spool_status
list_names(struct spool *sp, enum spool_queue q, char ***names, size_t *n)
{
	char path[PATH_MAX];
	enum spool_status st;

	spool_path(sp, q, NULL, path, sizeof path);
	st = dir_names(path, false, names, n);
	return st == SPOOL_NOT_FOUND ? SPOOL_IO_ERROR : st;
}

enum spool_status
spool_list(struct spool *sp, enum spool_queue q, char ***ids, size_t *n)
{
	enum spool_status st;
	size_t i, j;
	char **v;

	if ((st = list_names(sp, q, &v, n)) != SPOOL_OK)
		return st;
	for (i = j = 0; i < *n; i++) {
		if (hub_id_valid(v[i]))
			v[j++] = v[i];
		else
			free(v[i]);
	}
	*n = j;
	*ids = v;
	return SPOOL_OK;
}

void
spool_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* dst = a + "/" + b (+ suffix); the spool's paths are bounded at open. */
static void
path_join(char *dst, size_t n, const char *a, const char *b,
    const char *suffix)
{
	if (snprintf(dst, n, "%s/%s%s", a, b, suffix) >= (int)n)
		panic("spool path too long: %s/%s", a, b);
}

/* --- outgoing sets ------------------------------------------------------ */

#define STAGE_PREFIX	".stage-"

struct spool_stage {
	struct spool	*sp;
	char		 id[HUB_ID_SIZE];
	char		 dir[PATH_MAX];
	size_t		 count;
	int		 error;		/* first failed add's errno */
	/* Copies written but not yet fsynced (spool_stage_sync), each by
	 * the descriptor it was written through (an error of a write the
	 * kernel did later is reported there for sure), in the order
	 * added: [synced, npending) wait for a thread to take them; the
	 * taken ones are -1. */
	pthread_mutex_t	 mu;
	int		*pending;
	size_t		 npending, cap, synced;
	int		 sync_error;	/* first failed fsync's errno */
};

/* Copies written and left open before their writer syncs them itself:
 * the journal commits of a batch are shared, and the descriptors a post
 * holds stay bounded on a list of thousands. */
#define STAGE_SYNC_BATCH	128

/* Remove a directory holding only files (a stage or an empty set). */
static int
remove_flat_dir(const char *path)
{
	char parent[PATH_MAX];
	const char *name;
	struct dirent *de;
	int pfd, dfd, rc = 0;
	DIR *d;

	/* Relative to its parent, never following a link: another role
	 * (the relay, through the hub group) can put a symlink where a set
	 * or a stage was, and a worker, or the master as root, must not
	 * empty the directory it points to.  A link or a file there is
	 * removed itself. */
	if ((name = strrchr(path, '/')) == NULL || name == path ||
	    (size_t)(name - path) >= sizeof parent) {
		errno = EINVAL;
		return -1;
	}
	memcpy(parent, path, (size_t)(name - path));
	parent[name - path] = '\0';
	name++;
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			rc = unlinkat(pfd, name, 0) == -1 && errno != ENOENT ?
			    -1 : 0;
		else
			rc = errno == ENOENT ? 0 : -1;
		close(pfd);
		return rc;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		close(pfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* a link inside goes as a link; an empty directory too */
		if (unlinkat(dirfd(d), de->d_name, 0) == -1 && errno != ENOENT &&
		    (errno != EISDIR || unlinkat(dirfd(d), de->d_name,
		    AT_REMOVEDIR) == -1)) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (rc == 0 && unlinkat(pfd, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT)
		rc = -1;
	close(pfd);
	return rc;
}

void
spool_envelope_local(struct spool_envelope *env, const char *client,
    const char *mail_from, const char *const rcpt[1])
{
	memset(env, 0, sizeof *env);
	env->received = hub_now();
	env->protocol = "local";
	env->client = client;
	env->helo = "";
	env->mail_from = mail_from;
	env->rcpt = rcpt;
	env->nrcpt = 1;
}

static void
stage_free(struct spool_stage *st)
{
	size_t i;

	for (i = st->synced; i < st->npending; i++)
		if (st->pending[i] != -1)
			close(st->pending[i]);
	pthread_mutex_destroy(&st->mu);
	free(st->pending);
	free(st);
}

enum spool_status
spool_stage_begin(struct spool *sp, const char *id, struct spool_stage **out)
{
	struct spool_stage *st;
	char base[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	st = xcalloc(1, sizeof *st);
	st->sp = sp;
	memcpy(st->id, id, HUB_ID_SIZE);
	pthread_mutex_init(&st->mu, NULL);
	spool_path(sp, SPOOL_Q_OUTGOING, NULL, base, sizeof base);
	path_join(st->dir, sizeof st->dir, base, STAGE_PREFIX, id);
	/* A stage left by a crashed attempt is incomplete by definition. */
	/* Group-writable: the relay (hub group) removes each file after
	 * delivery and the set once empty. */
	if (remove_flat_dir(st->dir) == -1 || mkdir(st->dir, 0770) == -1 ||
	    chmod(st->dir, 0770) == -1) {
		int saved = errno;

		stage_free(st);
		errno = saved;
		return SPOOL_IO_ERROR;
	}
	*out = st;
	return SPOOL_OK;
}

/* Several threads add to one stage: keep the first error. */
static void
stage_note_error(struct spool_stage *st, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&st->error, &none, err != 0 ? err : EIO,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

enum spool_status
spool_stage_add(struct spool_stage *st, const struct spool_envelope *env,
    const void *body, size_t len, char name[HUB_ID_SIZE])
{
	struct spool_tx *tx;
	enum spool_status r;
	bool many;
	int saved;

	if (env->nrcpt != 1)
		return SPOOL_BAD_ARGUMENT;
	if ((r = tx_open(st->sp, st->dir, env, &tx)) != SPOOL_OK) {
		if (r == SPOOL_IO_ERROR)
			stage_note_error(st, errno);
		return r;
	}
	if ((r = spool_write(tx, body, len)) != SPOOL_OK)
		goto fail;
	buf_printf(tx->wbuf, "\nEND %zu\n", tx->body_len);
	if (tx_flush(tx) != SPOOL_OK) {
		r = SPOOL_IO_ERROR;
		goto fail;
	}
	/* Made durable later, with the others (spool_stage_sync): one
	 * fsync after another here cost a journal commit per copy. */
	fs_writeback_start(tx->fd);
	if (name != NULL)
		memcpy(name, tx->id, HUB_ID_SIZE);
	pthread_mutex_lock(&st->mu);
	if (st->npending == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->pending = xreallocarray(st->pending, st->cap,
		    sizeof *st->pending);
	}
	st->pending[st->npending++] = tx->fd;
	tx->fd = -1;
	many = st->npending - st->synced >= STAGE_SYNC_BATCH;
	pthread_mutex_unlock(&st->mu);
	/* workers stage one post's copies from several threads */
	__atomic_fetch_add(&st->count, 1, __ATOMIC_RELAXED);
	tx_free(tx);
	/* a failure is the stage's (the commit fails), not this copy's */
	if (many)
		spool_stage_sync(st);
	return SPOOL_OK;
fail:
	saved = errno;
	spool_abort(tx);
	if (r == SPOOL_IO_ERROR)
		stage_note_error(st, saved);
	errno = saved;
	return r;
}

enum spool_status
spool_stage_put(struct spool_stage *st, const char *file, const void *data,
    size_t len)
{
	char path[PATH_MAX];
	int fd, saved;

	if (hub_id_valid(file) || file[0] == '.' || strchr(file, '/') != NULL)
		return SPOOL_BAD_ARGUMENT;
	path_join(path, sizeof path, st->dir, file, "");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	if (fd == -1)
		goto fail;
	if (fs_write_all(fd, data, len) == -1 || fs_fsync(fd) == -1) {
		saved = errno;
		close(fd);
		(void)unlink(path);
		errno = saved;
		goto fail;
	}
	if (close(fd) == -1)
		goto fail;
	return SPOOL_OK;
fail:
	stage_note_error(st, errno);
	return SPOOL_IO_ERROR;
}

int
spool_stage_sync(struct spool_stage *st)
{
	int fd, err = 0;

	for (;;) {
		pthread_mutex_lock(&st->mu);
		if (err != 0 && st->sync_error == 0)
			st->sync_error = err;
		if (st->synced == st->npending || st->sync_error != 0) {
			err = st->sync_error;
			pthread_mutex_unlock(&st->mu);
			break;
		}
		fd = st->pending[st->synced];
		st->pending[st->synced++] = -1;
		pthread_mutex_unlock(&st->mu);
		if (fs_fsync(fd) == -1)
			err = errno != 0 ? errno : EIO;
		if (close(fd) == -1 && err == 0 && errno != EINTR)
			err = errno;
	}
	if (err != 0) {
		stage_note_error(st, err);
		errno = err;
		return -1;
	}
	return 0;
}

size_t
spool_stage_count(const struct spool_stage *st)
{
	return __atomic_load_n(&st->count, __ATOMIC_RELAXED);
}

int
spool_stage_error(const struct spool_stage *st)
{
	return __atomic_load_n(&st->error, __ATOMIC_RELAXED);
}

void
spool_stage_abort(struct spool_stage *st)
{
	if (st == NULL)
		return;
	if (remove_flat_dir(st->dir) == -1)
		log_warn("spool-stage-remove id=%s", st->id);
	stage_free(st);
}

enum spool_status
spool_stage_commit(struct spool_stage *st)
{
	char dst[PATH_MAX];
	int saved;

	spool_path(st->sp, SPOOL_Q_OUTGOING, st->id, dst, sizeof dst);
	/* every copy durable before the set can be seen */
	if (spool_stage_sync(st) == -1 || fs_fsync_dir(st->dir) == -1 ||
	    fs_rename_durable(st->dir, dst) == -1)
		goto fail;
	stage_free(st);
	return SPOOL_OK;
fail:
	saved = errno;
	/* Not visible unless the rename happened; a renamed set whose
	 * directory fsync failed stays: a duplicate risk, never a loss. */
	if (access(dst, F_OK) != 0)
		spool_stage_abort(st);
	else
		stage_free(st);
	errno = saved;
	return SPOOL_IO_ERROR;
}

bool
spool_outgoing_committed(struct spool *sp, const char *id)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!hub_id_valid(id))
		return false;
	spool_path(sp, SPOOL_Q_OUTGOING, id, path, sizeof path);
	return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

enum spool_status
spool_outgoing_posts(struct spool *sp, char ***ids, size_t *n)
{
	/* spool_list() keeps valid ids only, so stages are left out. */
	return spool_list(sp, SPOOL_Q_OUTGOING, ids, n);
}

enum spool_status
spool_outgoing_files(struct spool *sp, const char *post, char ***names,
    size_t *n)
{
	char path[PATH_MAX];

	if (!hub_id_valid(post))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_OUTGOING, post, path, sizeof path);
	return dir_names(path, true, names, n);
}

int
spool_receipts_dirfd(struct spool *sp)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof path, "%s/" SPOOL_RECEIPTS_DIR, sp->dir) >=
	    (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
spool_outgoing_dirfd(struct spool *sp)
{
	char path[PATH_MAX];

	spool_path(sp, SPOOL_Q_OUTGOING, NULL, path, sizeof path);
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

enum spool_status
spool_outgoing_load(struct spool *sp, const char *post, const char *name,
    struct spool_msg **out)
{
	char path[PATH_MAX], base[PATH_MAX];

	if (!hub_id_valid(post) || !hub_id_valid(name))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_OUTGOING, post, base, sizeof base);
	path_join(path, sizeof path, base, name, "");
	return spool_load_file(path, out);
}

enum spool_status
spool_outgoing_remove(struct spool *sp, const char *post, const char *name)
{
	char path[PATH_MAX], base[PATH_MAX];

	if (!hub_id_valid(post) || !hub_id_valid(name))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_OUTGOING, post, base, sizeof base);
	path_join(path, sizeof path, base, name, "");
	if (unlink(path) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
spool_outgoing_sync(struct spool *sp, const char *post)
{
	char base[PATH_MAX];

	if (!hub_id_valid(post))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_OUTGOING, post, base, sizeof base);
	/* Another relay thread may have emptied and reaped the post's
	 * directory meanwhile: then there is nothing left to sync, and
	 * the files cannot come back. */
	if (fs_fsync_dir(base) == -1 && errno != ENOENT)
		return SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
spool_outgoing_done(struct spool *sp, const char *post, const char *name)
{
	enum spool_status st;

	if ((st = spool_outgoing_remove(sp, post, name)) != SPOOL_OK)
		return st;
	return spool_outgoing_sync(sp, post);
}

/* Does set directory path hold nothing but the state of copies that are
 * gone: no copy (a valid id) and no receipt request? */
static bool
set_leftovers_only(const char *path)
{
	struct dirent *de;
	bool only = true;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return false;
	while (only && (de = readdir(d)) != NULL)
		if (hub_id_valid(de->d_name) ||
		    strcmp(de->d_name, SPOOL_RECEIPT_FILE) == 0)
			only = false;
	closedir(d);
	return only;
}

int
spool_outgoing_reap(struct spool *sp, const char *post)
{
	char path[PATH_MAX];

	if (!hub_id_valid(post))
		return 0;
	/* While active/ID exists the worker may still be finishing the
	 * post; removing its set now would let recovery redo it. */
	spool_path(sp, SPOOL_Q_ACTIVE, post, path, sizeof path);
	if (access(path, F_OK) == 0)
		return 0;
	spool_path(sp, SPOOL_Q_OUTGOING, post, path, sizeof path);
	if (rmdir(path) == -1) {
		/* Gone, or holding copies (or a receipt to make): kept.
		 * Only the state of copies already gone (hub/copystate.h)
		 * and a crashed writer's temporary files are removed. */
		if ((errno != ENOTEMPTY && errno != EEXIST) ||
		    !set_leftovers_only(path) || remove_flat_dir(path) == -1)
			return 0;
	}
	spool_path(sp, SPOOL_Q_OUTGOING, NULL, path, sizeof path);
	if (fs_fsync_dir(path) == -1)
		log_warn("spool-reap-dirsync post=%s", post);
	return 1;
}

enum spool_status
spool_outgoing_drop(struct spool *sp, const char *post)
{
	char path[PATH_MAX];

	if (!hub_id_valid(post))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_OUTGOING, post, path, sizeof path);
	if (remove_flat_dir(path) == -1)
		return SPOOL_IO_ERROR;
	spool_path(sp, SPOOL_Q_OUTGOING, NULL, path, sizeof path);
	if (fs_fsync_dir(path) == -1)
		return SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
spool_finish(struct spool *sp, const char *id)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_ACTIVE, id, path, sizeof path);
	if (unlink(path) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	spool_path(sp, SPOOL_Q_ACTIVE, NULL, dir, sizeof dir);
	return fs_fsync_dir(dir) == -1 ? SPOOL_IO_ERROR : SPOOL_OK;
}

static void
why_path(struct spool *sp, const char *id, char *dst, size_t n)
{
	char base[PATH_MAX];

	spool_path(sp, SPOOL_Q_REJECTED, NULL, base, sizeof base);
	path_join(dst, n, base, id, ".why");
}

enum spool_status
spool_reject_note(struct spool *sp, const char *id, const char *why)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	why_path(sp, id, path, sizeof path);
	if (fs_write_atomic(path, why, strlen(why), 0600) == -1)
		return SPOOL_IO_ERROR;
	return SPOOL_OK;
}

void
spool_reject_forget(struct spool *sp, const char *id)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return;
	why_path(sp, id, path, sizeof path);
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("spool-why-unlink id=%s", id);
}

enum spool_status
spool_reject(struct spool *sp, const char *id, enum spool_queue from,
    const char *why)
{
	enum spool_status st;

	if ((st = spool_reject_note(sp, id, why)) != SPOOL_OK)
		return st;
	return spool_move(sp, id, from, SPOOL_Q_REJECTED);
}

enum spool_status
spool_reject_reason(struct spool *sp, const char *id, char **why)
{
	char path[PATH_MAX];
	enum spool_status st;
	size_t len;
	char *data;

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	why_path(sp, id, path, sizeof path);
	if ((st = read_whole(path, &data, &len)) != SPOOL_OK)
		return st;
	*why = data;
	return SPOOL_OK;
}

int
spool_settle_active(struct spool *sp, const char *id)
{
	enum spool_status st;
	char *why;

	if (!spool_outgoing_committed(sp, id))
		return 0;
	if (spool_reject_reason(sp, id, &why) == SPOOL_OK) {
		free(why);
		st = spool_move(sp, id, SPOOL_Q_ACTIVE, SPOOL_Q_REJECTED);
	} else
		st = spool_finish(sp, id);
	return st == SPOOL_OK || st == SPOOL_NOT_FOUND ? 1 : -1;
}

/* --- retry state, deferral, quarantine ----------------------------------- */

static void
retry_path(struct spool *sp, const char *id, char *dst, size_t n)
{
	char base[PATH_MAX];

	snprintf(base, sizeof base, "%s/" RETRY_DIR, sp->dir);
	path_join(dst, n, base, id, "");
}

/* A token as the writer keeps it: lower-case letters, digits, '-'. */
static bool
retry_token_ok(const char *s)
{
	if (strlen(s) >= SPOOL_RETRY_TOKEN_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return false;
	return true;
}

/* Parse a retry file into r; -1 if any line is not the format. */
static int
parse_retry(char *data, size_t len, struct spool_retry *r)
{
	size_t pos;
	unsigned long long v;
	char *line, *sp;
	int k;

	if (kvlines_open(data, len, RETRY_MAGIC, &pos) == -1)
		return -1;
	while ((k = kvlines_next(data, len, &pos, &line, &sp)) != 0) {
		if (k == -1)
			return -1;
		if (strcmp(line, "last") == 0) {
			if (!retry_token_ok(sp))
				return -1;
			snprintf(r->last, sizeof r->last, "%s", sp);
			continue;
		}
		if (canonical_number(sp, sp + strlen(sp), &v) == -1)
			return -1;
		if (strcmp(line, "attempts") == 0 && v <= UINT_MAX)
			r->attempts = (unsigned)v;
		else if (strcmp(line, "crashes") == 0 && v <= UINT_MAX)
			r->crashes = (unsigned)v;
		else if (strcmp(line, "first") == 0 && v <= LLONG_MAX)
			r->first = (long long)v;
		else if (strcmp(line, "last-at") == 0 && v <= LLONG_MAX)
			r->last_at = (long long)v;
		else
			return -1;
	}
	return 0;
}

enum spool_status
spool_retry_load(struct spool *sp, const char *id, struct spool_retry *out)
{
	char path[PATH_MAX], *data;
	enum spool_status st;
	size_t len;

	memset(out, 0, sizeof *out);
	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	retry_path(sp, id, path, sizeof path);
	if ((st = read_whole(path, &data, &len)) == SPOOL_NOT_FOUND)
		return SPOOL_OK;
	if (st != SPOOL_OK)
		return st;
	if (len > RETRY_MAX_FILE || parse_retry(data, len, out) == -1) {
		memset(out, 0, sizeof *out);
		st = SPOOL_CORRUPT;
	}
	free(data);
	return st;
}

enum spool_status
spool_retry_save(struct spool *sp, const char *id, const struct spool_retry *r)
{
	char path[PATH_MAX];
	struct buf *b;
	int rc;

	if (!hub_id_valid(id) || !retry_token_ok(r->last) || r->first < 0 ||
	    r->last_at < 0)
		return SPOOL_BAD_ARGUMENT;
	retry_path(sp, id, path, sizeof path);
	b = buf_new(0);
	buf_printf(b, RETRY_MAGIC "attempts %u\ncrashes %u\nfirst %lld\n"
	    "last-at %lld\n", r->attempts, r->crashes, r->first, r->last_at);
	if (r->last[0] != '\0')
		buf_printf(b, "last %s\n", r->last);
	rc = fs_write_atomic(path, buf_data(b), buf_len(b), 0600);
	buf_free(b);
	return rc == -1 ? SPOOL_IO_ERROR : SPOOL_OK;
}

void
spool_retry_forget(struct spool *sp, const char *id)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return;
	retry_path(sp, id, path, sizeof path);
	/* No directory fsync: a file that comes back after a crash only
	 * counts for an entry that is gone, and recovery removes it. */
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("spool-retry-unlink id=%s", id);
}

enum spool_status
spool_defer(struct spool *sp, const char *id, enum spool_queue from,
    time_t next)
{
	struct timespec ts[2];
	char path[PATH_MAX];

	if (!hub_id_valid(id) || from == SPOOL_Q_DEFERRED)
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, from, id, path, sizeof path);
	/* atime untouched; mtime = the next try.  Metadata only: it needs
	 * no free block, so it works when the disk is full. */
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = next;
	ts[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return SPOOL_NOT_FOUND;
		log_warn("spool-defer-time id=%s (due at once)", id);
	}
	return spool_move(sp, id, from, SPOOL_Q_DEFERRED);
}

enum spool_status
spool_deferred_next(struct spool *sp, const char *id, time_t *next)
{
	char path[PATH_MAX];
	struct stat sb;

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_DEFERRED, id, path, sizeof path);
	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	*next = sb.st_mtime;
	return SPOOL_OK;
}

enum spool_status
spool_deferred_due(struct spool *sp, time_t now, unsigned max, char ***ids,
    size_t *n)
{
	enum spool_status st;
	time_t next;
	size_t i, j;
	char **v;

	if ((st = spool_list(sp, SPOOL_Q_DEFERRED, &v, n)) != SPOOL_OK)
		return st;
	for (i = j = 0; i < *n; i++) {
		/* Gone meanwhile (claimed by another worker): not due. */
		if (spool_deferred_next(sp, v[i], &next) == SPOOL_OK &&
		    (next <= now || next - now > (time_t)max))
			v[j++] = v[i];
		else
			free(v[i]);
	}
	*n = j;
	*ids = v;
	return SPOOL_OK;
}

enum spool_status
spool_quarantine(struct spool *sp, const char *id, enum spool_queue from,
    const char *why)
{
	char path[PATH_MAX], base[PATH_MAX];

	if (!hub_id_valid(id) || from == SPOOL_Q_QUARANTINE)
		return SPOOL_BAD_ARGUMENT;
	/* The reason first: an entry in quarantine/ always says why. */
	spool_path(sp, SPOOL_Q_QUARANTINE, NULL, base, sizeof base);
	path_join(path, sizeof path, base, id, ".why");
	if (fs_write_atomic(path, why, strlen(why), 0600) == -1)
		return SPOOL_IO_ERROR;
	return spool_move(sp, id, from, SPOOL_Q_QUARANTINE);
}

bool
spool_space_ok(struct spool *sp, unsigned long long minfree)
{
	struct statvfs vfs;
	time_t now;

	if (minfree == 0)
		return true;
	now = hub_mono();
	if (sp->space_at == 0 || now != sp->space_at) {
		if (statvfs(sp->dir, &vfs) == -1) {
			log_warn("spool-statvfs dir=%s", sp->dir);
			return true;
		}
		sp->space_free = (unsigned long long)vfs.f_bavail *
		    (unsigned long long)vfs.f_frsize;
		/* hub_mono() may be 0 just after boot: keep "probed" */
		sp->space_at = now == 0 ? 1 : now;
	}
	return sp->space_free >= minfree;
}

/* Validate the entries of queue q at recovery; bad ones go to corrupt/.
 * *valid counts the good ones. */
static enum spool_status
recover_validate(struct spool *sp, enum spool_queue q, unsigned *valid,
    unsigned *corrupt)
{
	char path[PATH_MAX], safe[80];
	struct spool_msg *m;
	enum spool_status st;
	char **v;
	size_t n, i;

	if ((st = list_names(sp, q, &v, &n)) != SPOOL_OK)
		return st;
	for (i = 0; i < n; i++) {
		spool_path(sp, q, v[i], path, sizeof path);
		st = hub_id_valid(v[i]) ? spool_load_file(path, &m) :
		    SPOOL_CORRUPT;
		if (st == SPOOL_OK) {
			if (strcmp(m->id, v[i]) != 0)
				st = SPOOL_CORRUPT;
			spool_msg_free(m);
		}
		if (st == SPOOL_OK) {
			(*valid)++;
			continue;
		}
		if (st != SPOOL_CORRUPT) {
			log_warnx("spool-recover-read file=%s/%s status=%s",
			    queue_names[q], v[i], spool_status_str(st));
			continue;
		}
		log_warnx("spool-corrupt file=%s/%s action=moved-to-corrupt",
		    queue_names[q], log_safe(safe, sizeof safe, v[i]));
		st = spool_move(sp, v[i], q, SPOOL_Q_CORRUPT);
		if (st != SPOOL_OK) {
			spool_ids_free(v, n);
			return st;
		}
		(*corrupt)++;
	}
	spool_ids_free(v, n);
	return SPOOL_OK;
}

/* retry/ID whose entry is in no working queue: its entry finished (or
 * was rejected or quarantined) and a crash came before the removal. */
static void
recover_retry(struct spool *sp, struct spool_recovery *r)
{
	static const enum spool_queue live[] = { SPOOL_Q_INCOMING,
	    SPOOL_Q_ACTIVE, SPOOL_Q_DEFERRED };
	char path[PATH_MAX];
	char **v;
	size_t n, i, k;

	snprintf(path, sizeof path, "%s/" RETRY_DIR, sp->dir);
	if (dir_names(path, false, &v, &n) != SPOOL_OK)
		return;
	for (i = 0; i < n; i++) {
		bool found = false;

		if (!hub_id_valid(v[i]))
			continue;	/* fs_write_atomic's tmp: left alone */
		for (k = 0; k < sizeof live / sizeof live[0] && !found; k++) {
			spool_path(sp, live[k], v[i], path, sizeof path);
			found = access(path, F_OK) == 0;
		}
		if (!found) {
			spool_retry_forget(sp, v[i]);
			r->retry_removed++;
		}
	}
	spool_ids_free(v, n);
}

enum spool_status
spool_recover(struct spool *sp, struct spool_recovery *r)
{
	char path[PATH_MAX];
	enum spool_status st;
	char **v;
	size_t n, i;

	memset(r, 0, sizeof *r);

	/* tmp/: never acknowledged, so never owed to anyone. */
	if ((st = list_names(sp, SPOOL_Q_TMP, &v, &n)) != SPOOL_OK)
		return st;
	for (i = 0; i < n; i++) {
		spool_path(sp, SPOOL_Q_TMP, v[i], path, sizeof path);
		if (unlink(path) == -1 && errno != ENOENT)
			log_warn("spool-recover-unlink file=tmp/%s", v[i]);
		else
			r->tmp_removed++;
	}
	spool_ids_free(v, n);

	/* outgoing/.stage-*: a worker died before committing the set. */
	if ((st = list_names(sp, SPOOL_Q_OUTGOING, &v, &n)) != SPOOL_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (strncmp(v[i], STAGE_PREFIX, strlen(STAGE_PREFIX)) != 0)
			continue;
		spool_path(sp, SPOOL_Q_OUTGOING, v[i], path, sizeof path);
		if (remove_flat_dir(path) == -1)
			log_warn("spool-recover-stage dir=outgoing/%s", v[i]);
		else
			r->stages_removed++;
	}
	spool_ids_free(v, n);

	/* active/: a worker died mid-post.  If its outgoing set is
	 * committed only the last step was missing; else it starts over. */
	if ((st = list_names(sp, SPOOL_Q_ACTIVE, &v, &n)) != SPOOL_OK)
		return st;
	for (i = 0; i < n; i++) {
		int done = hub_id_valid(v[i]) ?
		    spool_settle_active(sp, v[i]) : 0;

		if (done == -1) {
			spool_ids_free(v, n);
			return SPOOL_IO_ERROR;
		}
		if (done == 1) {
			r->finished++;
			continue;
		}
		st = spool_move(sp, v[i], SPOOL_Q_ACTIVE,
		    hub_id_valid(v[i]) ? SPOOL_Q_INCOMING : SPOOL_Q_CORRUPT);
		if (st != SPOOL_OK) {
			log_warnx("spool-recover-requeue id=%s status=%s",
			    v[i], spool_status_str(st));
			spool_ids_free(v, n);
			return st;
		}
		r->requeued++;
	}
	spool_ids_free(v, n);

	/* incoming/ and deferred/: validate, so a bad file is set aside
	 * now, not half processed later. */
	if ((st = recover_validate(sp, SPOOL_Q_INCOMING, &r->incoming,
	    &r->corrupt)) != SPOOL_OK ||
	    (st = recover_validate(sp, SPOOL_Q_DEFERRED, &r->deferred,
	    &r->corrupt)) != SPOOL_OK)
		return st;
	recover_retry(sp, r);
	return SPOOL_OK;
}

/* --- looking at and moving entries for an admin (hubctl) ----------------- */

/* Longest ".why" hubctl reads: the writers put a few short lines there. */
#define WHY_MAX_FILE	(64 * 1024)

/*
 * Read the envelope header of the spool file at path, never its body:
 * read in small chunks until the empty line that ends the header (a
 * chunk may reach a little into the body: those octets are wiped before
 * anything is parsed, so no caller can ever see them).  size gets the
 * file's size on disk.
 */
static enum spool_status
peek_file(const char *path, struct spool_msg **out, long long *size)
{
	struct spool_store *store;
	struct spool_msg *m;
	enum spool_status st;
	struct stat sb;
	size_t got = 0, cap = 0, hlen = 0;
	char *p = NULL, *hend;
	int fd;

	/* as read_whole(): never follow a link or block on a FIFO */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND :
		    errno == ELOOP ? SPOOL_CORRUPT : SPOOL_IO_ERROR;
	if (fstat(fd, &sb) == -1) {
		close(fd);
		return SPOOL_IO_ERROR;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return SPOOL_CORRUPT;
	}
	for (;;) {
		ssize_t r;

		if (got == cap) {
			if (cap >= SPOOL_MAX_HEADER)
				break;
			cap = cap ? cap * 2 : 4096;
			p = xreallocarray(p, cap + 1, 1);
		}
		r = read(fd, p + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			free(p);
			close(fd);
			errno = saved;
			return SPOOL_IO_ERROR;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if ((hend = memmem(p, got, "\n\n", 2)) != NULL) {
			hlen = (size_t)(hend - p) + 2;
			break;
		}
	}
	close(fd);
	if (hlen == 0 || hlen > SPOOL_MAX_HEADER ||
	    hlen < strlen(SPOOL_MAGIC) ||
	    memcmp(p, SPOOL_MAGIC, strlen(SPOOL_MAGIC)) != 0) {
		free(p);
		return SPOOL_CORRUPT;
	}
	/* the body's first octets, read with the header: gone now */
	memset(p + hlen, 0, got - hlen);
	p[hlen] = '\0';
	store = xcalloc(1, sizeof *store);
	store->data = p;
	store->len = hlen;
	m = xcalloc(1, sizeof *m);
	m->priv_ = store;
	if ((st = parse_envelope(p, hlen, m, store)) != SPOOL_OK) {
		spool_msg_free(m);
		return st;
	}
	m->body = NULL;
	m->body_len = 0;
	if (size != NULL)
		*size = (long long)sb.st_size;
	*out = m;
	return SPOOL_OK;
}

enum spool_status
spool_peek(struct spool *sp, enum spool_queue q, const char *id,
    struct spool_msg **out, long long *size)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id) || q == SPOOL_Q_OUTGOING || q == SPOOL_Q_TMP ||
	    (unsigned)q >= SPOOL_Q_COUNT)
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, q, id, path, sizeof path);
	return peek_file(path, out, size);
}

enum spool_status
spool_outgoing_peek(struct spool *sp, const char *post, const char *name,
    struct spool_msg **out, long long *size)
{
	char path[PATH_MAX], base[PATH_MAX];

	if (!hub_id_valid(post) || !hub_id_valid(name))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_OUTGOING, post, base, sizeof base);
	path_join(path, sizeof path, base, name, "");
	return peek_file(path, out, size);
}

enum spool_status
spool_locate(struct spool *sp, const char *id, enum spool_queue *q)
{
	/* The order entries flow in: an entry renamed from one queue to a
	 * later one while we look is still found in the later one.
	 * deferred -> active goes back, so the search runs twice. */
	static const enum spool_queue order[] = {
		SPOOL_Q_INCOMING, SPOOL_Q_ACTIVE, SPOOL_Q_DEFERRED,
		SPOOL_Q_REJECTED, SPOOL_Q_QUARANTINE, SPOOL_Q_CORRUPT,
	};
	char path[PATH_MAX];
	struct stat sb;
	size_t i;
	int pass;

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof order / sizeof order[0]; i++) {
			spool_path(sp, order[i], id, path, sizeof path);
			if (lstat(path, &sb) == 0) {
				*q = order[i];
				return SPOOL_OK;
			}
			if (errno != ENOENT)
				return SPOOL_IO_ERROR;
		}
		/* no entry, but its outgoing set waits for the relay */
		if (spool_outgoing_committed(sp, id)) {
			*q = SPOOL_Q_OUTGOING;
			return SPOOL_OK;
		}
	}
	return SPOOL_NOT_FOUND;
}

/* queue/ID.why for rejected/ and quarantine/, the queues that keep one. */
static bool
why_of(struct spool *sp, enum spool_queue q, const char *id, char *dst,
    size_t n)
{
	char base[PATH_MAX];

	if (q != SPOOL_Q_REJECTED && q != SPOOL_Q_QUARANTINE)
		return false;
	spool_path(sp, q, NULL, base, sizeof base);
	path_join(dst, n, base, id, ".why");
	return true;
}

enum spool_status
spool_why(struct spool *sp, enum spool_queue q, const char *id, char **why)
{
	char path[PATH_MAX];
	enum spool_status st;
	size_t len;
	char *data;

	if (!hub_id_valid(id) || !why_of(sp, q, id, path, sizeof path))
		return SPOOL_BAD_ARGUMENT;
	if ((st = read_whole(path, &data, &len)) != SPOOL_OK)
		return st;
	/* workers write a few short lines; anything else is not theirs */
	if (len > WHY_MAX_FILE || memchr(data, '\0', len) != NULL) {
		free(data);
		return SPOOL_CORRUPT;
	}
	*why = data;
	return SPOOL_OK;
}

enum spool_status
spool_deferred_set_next(struct spool *sp, const char *id, time_t next)
{
	struct timespec ts[2];
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_DEFERRED, id, path, sizeof path);
	/* only the mtime, as spool_defer() sets it: the entry's bytes are
	 * never rewritten, and a worker that claims it meanwhile (a
	 * rename) makes this fail with ENOENT, harmlessly */
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = next;
	ts[1].tv_nsec = 0;
	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
spool_remove(struct spool *sp, const char *id, enum spool_queue q)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	/* active/ belongs to the worker holding it, outgoing/ to the relay,
	 * tmp/ to its writer: never from here */
	if (q != SPOOL_Q_INCOMING && q != SPOOL_Q_DEFERRED &&
	    q != SPOOL_Q_REJECTED && q != SPOOL_Q_QUARANTINE)
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, q, id, path, sizeof path);
	/* unlink is atomic against a worker's claim (a rename): either the
	 * claim fails and the worker skips it, or the entry is in active/
	 * now and this fails with ENOENT */
	if (unlink(path) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	spool_path(sp, q, NULL, dir, sizeof dir);
	if (fs_fsync_dir(dir) == -1)
		return SPOOL_IO_ERROR;
	/* then what belonged to it; a crash before this leaves a .why
	 * without an entry, which nothing reads, and retry state that
	 * recovery removes */
	if (why_of(sp, q, id, path, sizeof path) && unlink(path) == -1 &&
	    errno != ENOENT)
		log_warn("spool-why-unlink id=%s", id);
	spool_retry_forget(sp, id);
	return SPOOL_OK;
}

enum spool_status
spool_release(struct spool *sp, const char *id)
{
	char why[PATH_MAX], aside[PATH_MAX], tmp[PATH_MAX];
	enum spool_status st;
	struct stat sb;
	bool moved;

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	spool_path(sp, SPOOL_Q_QUARANTINE, id, tmp, sizeof tmp);
	if (lstat(tmp, &sb) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	/* Counted from zero again: the admin says the fault is gone. */
	spool_retry_forget(sp, id);
	/* The reason is set aside into tmp/ before the entry moves: once
	 * the entry is in incoming/ a worker may quarantine it again and
	 * write a fresh .why, which an unlink after the move could remove.
	 * tmp/ is emptied by recovery, so a crash leaves nothing stale. */
	why_of(sp, SPOOL_Q_QUARANTINE, id, why, sizeof why);
	spool_path(sp, SPOOL_Q_TMP, NULL, tmp, sizeof tmp);
	path_join(aside, sizeof aside, tmp, id, ".why-released");
	moved = rename(why, aside) == 0;
	if (!moved && errno != ENOENT)
		return SPOOL_IO_ERROR;
	if ((st = spool_move(sp, id, SPOOL_Q_QUARANTINE, SPOOL_Q_INCOMING)) !=
	    SPOOL_OK) {
		/* still quarantined: it keeps its reason */
		if (moved && rename(aside, why) == -1)
			log_warn("spool-release-why-restore id=%s", id);
		return st;
	}
	if (moved && unlink(aside) == -1 && errno != ENOENT)
		log_warn("spool-release-why-unlink id=%s", id);
	return SPOOL_OK;
}

/* --- ownership ------------------------------------------------------- */

/* Open dir name under dfd (AT_FDCWD: a path) as a directory, never
 * through a symbolic link. */
static int
open_dir_nofollow(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

static int
perm_apply(int fd, const struct spool_perm *p)
{
	if (fchown(fd, p->uid, p->gid) == -1)
		return -1;
	/* chown clears setgid: the mode goes after it */
	return fchmod(fd, p->mode);
}

/* A queued entry (file, or an outgoing set's directory) to p's owners. */
static int
fix_entry(int dfd, const char *name, const struct spool_perm *file,
    const struct spool_perm *sub, bool recurse)
{
	struct stat st;
	int fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT || errno == ELOOP ? 0 : -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		/* Another name elsewhere may be /etc/shadow's (a planted
		 * hard link): its owner is not ours to change. */
		if (st.st_nlink == 1 && (st.st_uid != file->uid ||
		    st.st_gid != file->gid || (st.st_mode & 07777) != 0640)) {
			struct spool_perm p = *file;

			p.mode = 0640;
			rc = perm_apply(fd, &p);
		} else if (st.st_nlink != 1)
			log_warnx("spool-owner-skipped file=%s links=%lu "
			    "(a hard link: left as it is)", name,
			    (unsigned long)st.st_nlink);
	} else if (S_ISDIR(st.st_mode) && recurse) {
		DIR *d;
		struct dirent *de;
		int sfd;

		rc = perm_apply(fd, sub);
		if (rc == 0 && (sfd = dup(fd)) != -1 &&
		    (d = fdopendir(sfd)) != NULL) {
			while ((de = readdir(d)) != NULL)
				if (de->d_name[0] != '.' && rc == 0)
					rc = fix_entry(dirfd(d), de->d_name,
					    file, sub, false);
			closedir(d);
		}
	}
	close(fd);
	return rc;
}

static int
fix_dir(int top, const char *name, const struct spool_perm *p,
    const struct spool_perm *file, const struct spool_perm *sub,
    char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	int fd;

	if (mkdirat(top, name, 0700) == -1 && errno != EEXIST)
		goto fail;
	if ((fd = open_dir_nofollow(top, name)) == -1)
		goto fail;
	if (perm_apply(fd, p) == -1 || (d = fdopendir(fd)) == NULL) {
		close(fd);
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fix_entry(fd, de->d_name, file, sub, true) == -1) {
			snprintf(err, errlen, "spool/%s/%s: %s", name,
			    de->d_name, strerror(errno));
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
fail:
	snprintf(err, errlen, "spool/%s: %s", name, strerror(errno));
	return -1;
}

int
spool_fix_perms(const char *dir, const struct spool_perms *p, char *err,
    size_t errlen)
{
	struct spool_perm file;
	int top, fd, q, rc = -1;

	if (fs_mkdirs(dir, 0700) == -1 ||
	    (top = open_dir_nofollow(AT_FDCWD, dir)) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (perm_apply(top, &p->top) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto out;
	}
	for (q = 0; q < SPOOL_Q_COUNT; q++) {
		file = p->q[q];
		if (fix_dir(top, queue_names[q], &p->q[q], &file,
		    &p->entry_dir, err, errlen) == -1)
			goto out;
	}
	if (fix_dir(top, RETRY_DIR, &p->retry, &p->retry, &p->entry_dir, err,
	    errlen) == -1)
		goto out;
	/* receipts/: the workers' alone, as retry/ (hub/receipt.h) */
	if (fix_dir(top, SPOOL_RECEIPTS_DIR, &p->retry, &p->retry,
	    &p->entry_dir, err, errlen) == -1)
		goto out;
	fd = openat(top, SPOOL_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd == -1 || perm_apply(fd, &p->lock) == -1) {
		snprintf(err, errlen, "%s/" SPOOL_LOCK_FILE ": %s", dir,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	close(top);
	return rc;
}

static int
check_one(int dfd, const char *name, const char *shown,
    const struct spool_perm *p, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	/* O_PATH: the smtp process may not read active/, yet checks it */
	if ((fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s%s", shown, strerror(errno),
		    errno == ELOOP || errno == ENOTDIR ? " (not a directory "
		    "of its own: a symbolic link or a file)" : "");
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid != p->uid || st.st_gid != p->gid ||
	    (st.st_mode & 07777) != p->mode) {
		snprintf(err, errlen, "%s: owner %ld:%ld mode %04o, expected "
		    "%ld:%ld mode %04o (hubd fixes it when started as root)",
		    shown, (long)st.st_uid, (long)st.st_gid,
		    (unsigned)(st.st_mode & 07777), (long)p->uid,
		    (long)p->gid, (unsigned)p->mode);
		close(fd);
		return -1;
	}
	return fd;
}

int
spool_check_perms(const char *dir, const struct spool_perms *p, char *err,
    size_t errlen)
{
	char shown[64];
	int top, fd, q;

	if ((top = check_one(AT_FDCWD, dir, dir, &p->top, err, errlen)) == -1)
		return -1;
	/* The one property the rest stands on (see above). */
	if (p->network_uid != 0 && p->top.uid == p->network_uid) {
		snprintf(err, errlen, "%s: owned by the network user", dir);
		close(top);
		return -1;
	}
	for (q = 0; q <= SPOOL_Q_COUNT + 1; q++) {
		const char *name = q < SPOOL_Q_COUNT ? queue_names[q] :
		    q == SPOOL_Q_COUNT ? RETRY_DIR : SPOOL_RECEIPTS_DIR;

		snprintf(shown, sizeof shown, "spool/%s", name);
		fd = check_one(top, name, shown, q < SPOOL_Q_COUNT ? &p->q[q] :
		    &p->retry, err, errlen);
		if (fd == -1) {
			close(top);
			return -1;
		}
		close(fd);
	}
	close(top);
	return 0;
}

/* --- the quarantine's word to the admins (issue 15; separate block) ----- */

#define TELL_SUFFIX	".tell"

static void
tell_path(struct spool *sp, const char *id, char *dst, size_t n)
{
	char base[PATH_MAX];

	spool_path(sp, SPOOL_Q_QUARANTINE, NULL, base, sizeof base);
	path_join(dst, n, base, id, TELL_SUFFIX);
}

enum spool_status
spool_tell_mark(struct spool *sp, const char *id)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	tell_path(sp, id, path, sizeof path);
	/* fs_write_atomic syncs the file and its directory: a mark the
	 * master wrote survives a crash, so the notice is not lost */
	if (fs_write_atomic(path, "tell\n", 5, 0600) == -1)
		return SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
spool_tell_marks(struct spool *sp, char ***ids, size_t *n)
{
	enum spool_status st;
	size_t i, j, len, sl = strlen(TELL_SUFFIX);
	char **v;

	if ((st = list_names(sp, SPOOL_Q_QUARANTINE, &v, n)) != SPOOL_OK)
		return st;
	for (i = j = 0; i < *n; i++) {
		len = strlen(v[i]);
		if (len > sl && strcmp(v[i] + len - sl, TELL_SUFFIX) == 0) {
			v[i][len - sl] = '\0';
			if (hub_id_valid(v[i])) {
				v[j++] = v[i];
				continue;
			}
		}
		free(v[i]);
	}
	*n = j;
	*ids = v;
	return SPOOL_OK;
}

enum spool_status
spool_tell_take(struct spool *sp, const char *id)
{
	char path[PATH_MAX];

	if (!hub_id_valid(id))
		return SPOOL_BAD_ARGUMENT;
	tell_path(sp, id, path, sizeof path);
	if (unlink(path) == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	return SPOOL_OK;
}
