#include "config.h"

#include "base/fsutil.h"
#include "base/buf.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/fs.h>
#endif

static const char *const fs_op_names[FS_OP_COUNT] = {
	[FS_OP_WRITE] = "write",
	[FS_OP_FSYNC] = "fsync",
	[FS_OP_DIRSYNC] = "dirsync",
	[FS_OP_RENAME] = "rename",
};

/* Armed before any thread starts; the counters are bumped from the smtp
 * process's commit threads, hence atomic. */
static struct {
	unsigned		 at[FS_OP_COUNT];	/* 0 = not armed */
	_Atomic unsigned	 seen[FS_OP_COUNT];
	enum fs_fault_action	 action[FS_OP_COUNT];
} fault;

const char *
fs_op_str(enum fs_op op)
{
	return (unsigned)op < FS_OP_COUNT ? fs_op_names[op] : "unknown";
}

void
fs_fault_set(enum fs_op op, unsigned n, enum fs_fault_action action)
{
	int i;

	if (n == 0) {
		for (i = 0; i < FS_OP_COUNT; i++) {
			fault.at[i] = 0;
			atomic_store(&fault.seen[i], 0);
		}
		return;
	}
	fault.at[op] = n;
	atomic_store(&fault.seen[op], 0);
	fault.action[op] = action;
}

void
fs_fault_init_from_env(const char *role)
{
	char spec[128], *r, *op, *n, *act, *save = NULL;
	const char *e = getenv("HUB_FS_FAULT");
	int i;

	fs_fault_set(FS_OP_WRITE, 0, FS_FAULT_FAIL);
	if (e == NULL || *e == '\0')
		return;
	snprintf(spec, sizeof spec, "%s", e);
	r = strtok_r(spec, ":", &save);
	op = strtok_r(NULL, ":", &save);
	n = strtok_r(NULL, ":", &save);
	act = strtok_r(NULL, ":", &save);
	if (r == NULL || op == NULL || n == NULL)
		fatalx("HUB_FS_FAULT=%s: expected ROLE:OP:N[:fail|crash]", e);
	if (strcmp(r, "*") != 0 && strcmp(r, role) != 0)
		return;
	for (i = 0; i < FS_OP_COUNT; i++)
		if (strcmp(op, fs_op_names[i]) == 0)
			break;
	if (i == FS_OP_COUNT || atoi(n) <= 0)
		fatalx("HUB_FS_FAULT=%s: unknown operation or count", e);
	fs_fault_set((enum fs_op)i, (unsigned)atoi(n),
	    act == NULL || strcmp(act, "fail") == 0 ? FS_FAULT_FAIL :
	    strcmp(act, "crash") == 0 ? FS_FAULT_CRASH :
	    strcmp(act, "delay") == 0 ? FS_FAULT_DELAY :
	    (fatalx("HUB_FS_FAULT=%s: unknown action", e), FS_FAULT_FAIL));
	log_info("fault-armed op=%s n=%s action=%s", op, n,
	    act ? act : "fail");
}

/* Returns 0 to go on, -1 (errno EIO) to fail the operation. */
static int
fs_fault_check(enum fs_op op)
{
	unsigned n;

	if (fault.at[op] == 0)
		return 0;
	n = atomic_fetch_add(&fault.seen[op], 1) + 1;
	if (n != fault.at[op])
		return 0;
	if (fault.action[op] == FS_FAULT_DELAY) {
		log_warnx("fault-injected op=%s n=%u action=delay",
		    fs_op_names[op], n);
		sleep(1);
		return 0;
	}
	if (fault.action[op] == FS_FAULT_CRASH) {
		log_warnx("fault-injected op=%s n=%u action=crash",
		    fs_op_names[op], n);
		_exit(99);
	}
	log_warnx("fault-injected op=%s n=%u action=fail", fs_op_names[op],
	    n);
	errno = EIO;
	return -1;
}

int
fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	if (fs_fault_check(FS_OP_WRITE) == -1)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
fs_fsync(int fd)
{
	if (fs_fault_check(FS_OP_FSYNC) == -1)
		return -1;
	return fsync(fd);
}

void
fs_writeback_start(int fd)
{
#ifdef HAVE_SYNC_FILE_RANGE
	/* only a hint: fs_fsync() is what makes the data durable */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

void
fs_spread_subdirs(const char *dir)
{
#if defined(FS_IOC_GETFLAGS) && defined(FS_TOPDIR_FL)
	int fd, flags;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
	    (flags & FS_TOPDIR_FL) == 0) {
		flags |= FS_TOPDIR_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
#else
	(void)dir;
#endif
}

int
fs_fsync_dir(const char *dir)
{
	int fd, r, saved;

	if (fs_fault_check(FS_OP_DIRSYNC) == -1)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	r = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
fs_rename(const char *from, const char *to)
{
	if (fs_fault_check(FS_OP_RENAME) == -1)
		return -1;
	return rename(from, to);
}

void
fs_dirname(const char *path, char *dst, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dst, n, ".");
	else if (slash == path)
		snprintf(dst, n, "/");
	else
		snprintf(dst, n, "%.*s", (int)(slash - path), path);
}

int
fs_rename_durable(const char *from, const char *to)
{
	char dfrom[PATH_MAX], dto[PATH_MAX];

	if (fs_rename(from, to) == -1)
		return -1;
	fs_dirname(to, dto, sizeof dto);
	if (fs_fsync_dir(dto) == -1)
		return -1;
	fs_dirname(from, dfrom, sizeof dfrom);
	if (strcmp(dfrom, dto) != 0 && fs_fsync_dir(dfrom) == -1)
		return -1;
	return 0;
}

int
fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	if (fs_write_all(fd, data, len) == -1 || fs_fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (fs_rename_durable(tmp, path) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int
fs_write_atomic_at(int dfd, const char *tmp, const char *name,
    const void *data, size_t len, mode_t mode, gid_t gid, struct stat *st)
{
	int fd, saved;

	(void)unlinkat(dfd, tmp, 0);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) == -1)
		return -1;
	if (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) == -1 &&
	    errno != EPERM)
		goto fail;
	if (fs_write_all(fd, data, len) == -1 || fs_fsync(fd) == -1 ||
	    (st != NULL && fstat(fd, st) == -1))
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) == -1 || fs_fsync(dfd) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	(void)unlinkat(dfd, tmp, 0);
	errno = saved;
	return -1;
}

int
fs_mkdirs(const char *path, mode_t mode)
{
	char p[PATH_MAX];
	size_t i, len;

	len = strlen(path);
	if (len == 0 || len >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			return -1;
		p[i] = i == len ? '\0' : '/';
	}
	return 0;
}

int
fs_read_small(const char *path, struct buf *b, size_t max)
{
	char chunk[4096];
	ssize_t r;
	int fd, rc = 0, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		buf_append(b, chunk, (size_t)r);
		if (buf_len(b) > max) {
			errno = EFBIG;
			rc = -1;
			break;
		}
	}
	saved = errno;
	hub_wipe(chunk, sizeof chunk);
	close(fd);
	errno = saved;
	return rc;
}
