/*
 * fsutil: durable file primitives (invariant 1) and the fault hook that
 * lets tests fail or crash at every commit point.
 *
 * Durable means: data written, fsync(file), rename into place,
 * fsync(directory).  Linux does not promise a rename survives power loss
 * until the directory is synced, so every commit here syncs it.
 *
 * Fault injection: every write/fsync/rename goes through a hook.  Tests set
 * it in-process with fs_fault_set(), or in a daemon through the
 * environment, read by fs_fault_init_from_env(role):
 *
 *	HUB_FS_FAULT=ROLE:OP:N[:ACTION]
 *
 * ROLE is a process role ("smtp", "master", ... or "*"), OP one of write,
 * fsync, dirsync, rename, N the 1-based count of that operation in the
 * process, ACTION "fail" (the call fails with EIO; default) or "crash"
 * (_exit(99) just before the call: what kill -9 at that point leaves).
 *
 * All functions return 0 on success, -1 with errno set on failure.
 */
#ifndef HUB_BASE_FSUTIL_H
#define HUB_BASE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#define HUB_WUR __attribute__((warn_unused_result))

enum fs_op {
	FS_OP_WRITE,
	FS_OP_FSYNC,
	FS_OP_DIRSYNC,
	FS_OP_RENAME,
	FS_OP_COUNT
};

enum fs_fault_action {
	FS_FAULT_FAIL,
	FS_FAULT_CRASH,
	FS_FAULT_DELAY,
};

const char *fs_op_str(enum fs_op op);

/* Arm a fault at the nth (1-based) call of op; n = 0 disarms all. */
void fs_fault_set(enum fs_op op, unsigned n, enum fs_fault_action action);
/* Read HUB_FS_FAULT; arm it when its ROLE matches role or is "*". */
void fs_fault_init_from_env(const char *role);

int fs_write_all(int fd, const void *data, size_t len) HUB_WUR;
int fs_fsync(int fd) HUB_WUR;
int fs_fsync_dir(const char *dir) HUB_WUR;
/* Start writing fd's dirty pages back without waiting, so that a later
 * fs_fsync() of each of many files finds little left to do (one journal
 * commit then serves them all); nothing where the system lacks it. */
void fs_writeback_start(int fd);
/* Ask the filesystem to spread dir's subdirectories over its disk
 * (ext2/3/4's "top directory" flag, chattr +T): each new one then takes
 * its files' inodes from a block group of its own, away from the inodes
 * just freed in the one before, which ext4 without a journal scans past
 * one by one on every file it creates.  A hint: nothing where the
 * filesystem has no such flag or we may not set it. */
void fs_spread_subdirs(const char *dir);
int fs_rename(const char *from, const char *to) HUB_WUR;
/* rename, then fsync the directory of `to` (and of `from` if it differs). */
int fs_rename_durable(const char *from, const char *to) HUB_WUR;
/* Write a whole small file durably: tmp file beside it, fsync, rename, dirsync. */
int fs_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode) HUB_WUR;
/*
 * The same inside directory dfd, never following a link: data written to
 * tmp (a name in dfd the caller chose, so a reader can tell it from the
 * real ones; a crashed writer's is removed first), fsynced, renamed over
 * name, dfd fsynced.  gid != (gid_t)-1 gives the file that group (EPERM
 * ignored: where one user runs everything it changes nothing).  *st, when
 * not NULL, gets the new file's stat.  dfd stays open.
 */
struct stat;
int fs_write_atomic_at(int dfd, const char *tmp, const char *name,
    const void *data, size_t len, mode_t mode, gid_t gid, struct stat *st)
    HUB_WUR;
/* mkdir -p with mode for the directories it creates. */
int fs_mkdirs(const char *path, mode_t mode) HUB_WUR;
/* Append the whole of a small file (key files, fingerprints) to b; -1
 * with errno (EFBIG past max octets).  The read chunk is wiped: keys
 * pass through here. */
struct buf;
int fs_read_small(const char *path, struct buf *b, size_t max) HUB_WUR;
/* Directory part of path into dst (size n): "a/b/c" -> "a/b", "c" -> ".". */
void fs_dirname(const char *path, char *dst, size_t n);

#endif
