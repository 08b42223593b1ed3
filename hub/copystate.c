/*
 * copystate: the state kept beside an outgoing set's copies; see
 * hub/copystate.h.
 */
#include "config.h"

#include "hub/copystate.h"
#include "base/buf.h"
#include "base/kvlines.h"
#include "base/fsutil.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RETRY_MAGIC	"CSIRT-HUB-COPY-RETRY 1\n"
#define OUTCOME_MAGIC	"CSIRT-HUB-COPY-OUTCOME 1\n"
#define STATE_MAX_FILE	4096

static void
set_dir(struct spool *sp, const char *post, char *dst, size_t n)
{
	spool_path(sp, SPOOL_Q_OUTGOING, post, dst, n);
}

static void
stamp_of(const struct stat *st, struct copy_stamp *stamp)
{
	if (stamp == NULL)
		return;
	stamp->exists = true;
	stamp->ino = (unsigned long long)st->st_ino;
	stamp->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
}

int
copy_file_write(struct spool *sp, const char *post, const char *file,
    const void *data, size_t len, struct copy_stamp *stamp)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	struct stat dst, st;
	int dfd, rc, saved;

	if (!hub_id_valid(post) || strchr(file, '/') != NULL ||
	    file[0] == '.' || strlen(file) + 32 > NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	set_dir(sp, post, dir, sizeof dir);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", file, (long)getpid());
	/* The set's group (the hub group): the relay and hubctl may be
	 * different users of it. */
	rc = fstat(dfd, &dst) == -1 ? -1 : fs_write_atomic_at(dfd, tmp, file,
	    data, len, 0640, dst.st_gid, &st);
	saved = errno;
	close(dfd);
	if (rc == 0)
		stamp_of(&st, stamp);
	errno = saved;
	return rc;
}

/* Read set post's file (at most STATE_MAX_FILE octets) into a
 * NUL-terminated malloc'd string; its stamp into stamp. */
static enum spool_status
file_read(struct spool *sp, const char *post, const char *file, char **data,
    size_t *len, struct copy_stamp *stamp, off_t max)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;
	ssize_t r;
	size_t got = 0;
	char *p;
	int fd;

	set_dir(sp, post, dir, sizeof dir);
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
		return SPOOL_BAD_ARGUMENT;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT || errno == ENOTDIR ? SPOOL_NOT_FOUND :
		    errno == ELOOP ? SPOOL_CORRUPT : SPOOL_IO_ERROR;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return SPOOL_IO_ERROR;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > max) {
		close(fd);
		return SPOOL_CORRUPT;
	}
	p = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		r = read(fd, p + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(p);
			close(fd);
			return r == 0 ? SPOOL_CORRUPT : SPOOL_IO_ERROR;
		}
		got += (size_t)r;
	}
	close(fd);
	p[got] = '\0';
	stamp_of(&st, stamp);
	*data = p;
	*len = got;
	return SPOOL_OK;
}

/* A decimal number as the writer prints it; 0 or -1. */
static int
number(const char *s, long long *out)
{
	unsigned long long n = 0;
	const char *p;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0') || strlen(s) > 18)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned)(*p - '0');
	}
	*out = (long long)n;
	return 0;
}

/* One line of printable ASCII, as the relay cleans a reply. */
static bool
reply_ok(const char *s)
{
	if (strlen(s) >= COPY_REPLY_MAX)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static int
parse_retry(char *data, size_t len, struct copy_retry *r)
{
	size_t pos;
	long long v;
	char *line, *val;
	int k;

	if (kvlines_open(data, len, RETRY_MAGIC, &pos) == -1)
		return -1;
	while ((k = kvlines_next(data, len, &pos, &line, &val)) != 0) {
		if (k == -1)
			return -1;
		if (strcmp(line, "reply") == 0) {
			if (!reply_ok(val))
				return -1;
			snprintf(r->reply, sizeof r->reply, "%s", val);
			continue;
		}
		if (number(val, &v) == -1)
			return -1;
		if (strcmp(line, "attempts") == 0 && v <= UINT_MAX)
			r->attempts = (unsigned)v;
		else if (strcmp(line, "first") == 0)
			r->first = v;
		else if (strcmp(line, "last-at") == 0)
			r->last_at = v;
		else if (strcmp(line, "next") == 0)
			r->next = v;
		else
			return -1;
	}
	return 0;
}

static bool
names_ok(const char *post, const char *name)
{
	return hub_id_valid(post) && hub_id_valid(name);
}

enum spool_status
copy_retry_load(struct spool *sp, const char *post, const char *name,
    struct copy_retry *out, struct copy_stamp *stamp)
{
	char file[NAME_MAX + 1], *data;
	enum spool_status st;
	size_t len;

	memset(out, 0, sizeof *out);
	if (stamp != NULL)
		memset(stamp, 0, sizeof *stamp);
	if (!names_ok(post, name))
		return SPOOL_BAD_ARGUMENT;
	snprintf(file, sizeof file, "%s" COPY_RETRY_SUFFIX, name);
	if ((st = file_read(sp, post, file, &data, &len, stamp,
	    STATE_MAX_FILE)) == SPOOL_NOT_FOUND)
		return SPOOL_OK;
	if (st != SPOOL_OK)
		return st;
	if (parse_retry(data, len, out) == -1) {
		memset(out, 0, sizeof *out);
		st = SPOOL_CORRUPT;
	}
	free(data);
	return st;
}

enum spool_status
copy_retry_save(struct spool *sp, const char *post, const char *name,
    const struct copy_retry *r, struct copy_stamp *stamp)
{
	char file[NAME_MAX + 1];
	struct buf *b;
	int rc;

	if (!names_ok(post, name) || !reply_ok(r->reply) || r->first < 0 ||
	    r->last_at < 0 || r->next < 0)
		return SPOOL_BAD_ARGUMENT;
	snprintf(file, sizeof file, "%s" COPY_RETRY_SUFFIX, name);
	b = buf_new(0);
	buf_printf(b, RETRY_MAGIC "attempts %u\nfirst %lld\nlast-at %lld\n"
	    "next %lld\n", r->attempts, r->first, r->last_at, r->next);
	if (r->reply[0] != '\0')
		buf_printf(b, "reply %s\n", r->reply);
	rc = copy_file_write(sp, post, file, buf_data(b), buf_len(b), stamp);
	buf_free(b);
	if (rc == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	return SPOOL_OK;
}

/* The path of a copy's retry state; -1 if it does not fit. */
static int
retry_file_path(struct spool *sp, const char *post, const char *name,
    char *dst, size_t n)
{
	char dir[PATH_MAX];

	set_dir(sp, post, dir, sizeof dir);
	return snprintf(dst, n, "%s/%s" COPY_RETRY_SUFFIX, dir, name) >=
	    (int)n ? -1 : 0;
}

void
copy_retry_forget(struct spool *sp, const char *post, const char *name)
{
	char path[PATH_MAX];

	if (!names_ok(post, name))
		return;
	if (retry_file_path(sp, post, name, path, sizeof path) == -1)
		return;
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("copy-retry-unlink post=%s file=%s", post, name);
}

bool
copy_retry_changed(struct spool *sp, const char *post, const char *name,
    const struct copy_stamp *known)
{
	char path[PATH_MAX];
	struct copy_stamp now;
	struct stat st;

	if (!names_ok(post, name))
		return false;
	if (retry_file_path(sp, post, name, path, sizeof path) == -1)
		return false;
	if (lstat(path, &st) == -1)
		return errno == ENOENT && known->exists;
	memset(&now, 0, sizeof now);
	stamp_of(&st, &now);
	return !known->exists || now.ino != known->ino ||
	    now.mtime_ns != known->mtime_ns;
}

/* --- outcomes and the receipt request ----------------------------------- */

/* An enhanced status code as RFC 3463 writes one: class 4 or 5, then
 * subject and detail of 1 to 3 digits ("5.1.1"). */
bool
copy_status_ok(const char *s)
{
	int part, digits;

	if ((s[0] != '4' && s[0] != '5') || s[1] != '.')
		return false;
	s += 2;
	for (part = 0; part < 2; part++) {
		for (digits = 0; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits < 1 || digits > 3)
			return false;
		if (part == 0 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

enum spool_status
copy_outcome_save(struct spool *sp, const char *post, const char *name,
    enum copy_result res, const char *status, bool expired)
{
	char file[NAME_MAX + 1];
	struct buf *b;
	int rc;

	if (!names_ok(post, name) || res == COPY_UNKNOWN)
		return SPOOL_BAD_ARGUMENT;
	snprintf(file, sizeof file, "%s" COPY_OUTCOME_SUFFIX, name);
	b = buf_new(0);
	buf_printf(b, OUTCOME_MAGIC "result %s\n", res == COPY_DELIVERED ?
	    "delivered" : "failed");
	if (res == COPY_FAILED) {
		if (status != NULL && copy_status_ok(status))
			buf_printf(b, "status %s\n", status);
		buf_printf(b, "cause %s\n", expired ? "expired" : "refused");
	}
	rc = copy_file_write(sp, post, file, buf_data(b), buf_len(b), NULL);
	buf_free(b);
	if (rc == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_IO_ERROR;
	return SPOOL_OK;
}

enum spool_status
copy_outcome_loadat(int setfd, const char *name, struct copy_outcome *out)
{
	char file[NAME_MAX + 1], data[STATE_MAX_FILE + 1], *line, *nl, *val;
	size_t len = 0, pos, mlen = strlen(OUTCOME_MAGIC);
	struct stat st;
	ssize_t r;
	int fd;

	memset(out, 0, sizeof *out);
	if (!hub_id_valid(name))
		return SPOOL_BAD_ARGUMENT;
	snprintf(file, sizeof file, "%s" COPY_OUTCOME_SUFFIX, name);
	/* The relay's file: no link followed, no FIFO waited on, no more
	 * than STATE_MAX_FILE octets read. */
	fd = openat(setfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? SPOOL_NOT_FOUND : SPOOL_CORRUPT;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > STATE_MAX_FILE) {
		close(fd);
		return SPOOL_CORRUPT;
	}
	while (len < STATE_MAX_FILE + 1) {
		r = read(fd, data + len, STATE_MAX_FILE + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return SPOOL_IO_ERROR;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > STATE_MAX_FILE || len < mlen ||
	    memcmp(data, OUTCOME_MAGIC, mlen) != 0 || data[len - 1] != '\n' ||
	    memchr(data, '\0', len) != NULL)
		goto bad;
	for (pos = mlen; pos < len; pos = (size_t)(nl - data) + 1) {
		line = data + pos;
		nl = memchr(line, '\n', len - pos);
		*nl = '\0';
		if ((val = strchr(line, ' ')) == NULL)
			goto bad;
		*val++ = '\0';
		if (strcmp(line, "result") == 0 &&
		    strcmp(val, "delivered") == 0)
			out->result = COPY_DELIVERED;
		else if (strcmp(line, "result") == 0 &&
		    strcmp(val, "failed") == 0)
			out->result = COPY_FAILED;
		else if (strcmp(line, "status") == 0 && copy_status_ok(val))
			snprintf(out->status, sizeof out->status, "%s", val);
		else if (strcmp(line, "cause") == 0 &&
		    strcmp(val, "expired") == 0)
			out->expired = true;
		else if (strcmp(line, "cause") == 0 &&
		    strcmp(val, "refused") == 0)
			out->expired = false;
		else if (strcmp(line, "reply") == 0)
			;	/* an older relay's text: never shown */
		else
			goto bad;
	}
	if (out->result != COPY_UNKNOWN)
		return SPOOL_OK;
bad:
	memset(out, 0, sizeof *out);
	return SPOOL_CORRUPT;
}

bool
copy_receipt_wanted(struct spool *sp, const char *post)
{
	char dir[PATH_MAX], path[PATH_MAX];

	if (!hub_id_valid(post))
		return false;
	set_dir(sp, post, dir, sizeof dir);
	if (snprintf(path, sizeof path, "%s/" SPOOL_RECEIPT_FILE, dir) >=
	    (int)sizeof path)
		return false;
	return access(path, F_OK) == 0;
}
