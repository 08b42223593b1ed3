/*
 * rawwrite: the baseline for bench/intake, the rate at which this machine
 * can make files durable with the same steps as the spool's commit and
 * nothing else:
 *
 *	open(DIR/tmp/<n>, O_CREAT|O_EXCL) -> write -> fsync -> close
 *	-> rename to DIR/new/<n> -> fsync(DIR/new)
 *
 *	rawwrite DIR COUNT SIZE [PARALLEL]
 *
 * PARALLEL threads (default 1) each make their share of COUNT files, so
 * the baseline can be taken at the same concurrency as the SMTP load (the
 * kernel may batch concurrent fsyncs into one journal commit).  DIR, tmp/
 * and new/ are created; DIR should be fresh.  Prints one line:
 *
 *	rawwrite count=N size=S seconds=T rate=R files/s
 *
 * Exit 0, 1 on any I/O error, 2 on usage error.
 */
#include "config.h"

#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARALLEL	1024

struct job {
	pthread_t	 thread;
	unsigned long	 first;		/* file numbers first .. first+n-1 */
	unsigned long	 n;
};

static const char *dir;
static size_t size;
static char *payload;

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: rawwrite DIR COUNT SIZE [PARALLEL]\n");
	exit(2);
}

static void die(const char *op, const char *path)
	__attribute__((noreturn));

/* A benchmark that hit an I/O error has no result worth finishing for. */
static void
die(const char *op, const char *path)
{
	int e = errno;

	fprintf(stderr, "rawwrite: %s %s: %s\n", op, path, strerror(e));
	exit(1);
}

static unsigned long
parse_ulong(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		usage();
	return v;
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		die("mkdir", path);
}

static void *
writer(void *arg)
{
	struct job *j = arg;
	char tmp[PATH_MAX], new[PATH_MAX];
	unsigned long i;
	size_t off;
	ssize_t n;
	int fd, dfd;

	snprintf(new, sizeof new, "%s/new", dir);
	/* One directory descriptor per thread: opening it per file would add
	 * a cost the daemon need not pay either. */
	if ((dfd = open(new, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		die("open", new);
	for (i = j->first; i < j->first + j->n; i++) {
		snprintf(tmp, sizeof tmp, "%s/tmp/%lu", dir, i);
		snprintf(new, sizeof new, "%s/new/%lu", dir, i);
		fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd == -1)
			die("open", tmp);
		for (off = 0; off < size; off += (size_t)n) {
			n = write(fd, payload + off, size - off);
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n == -1)
				die("write", tmp);
		}
		if (fsync(fd) == -1)
			die("fsync", tmp);
		if (close(fd) == -1)
			die("close", tmp);
		if (rename(tmp, new) == -1)
			die("rename", tmp);
		if (fsync(dfd) == -1)
			die("fsync", new);
	}
	close(dfd);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct job *jobs;
	struct timespec t0, t1;
	unsigned long count, parallel = 1, first = 0, i;
	char path[PATH_MAX];
	double secs;
	int rc;

	if (argc != 4 && argc != 5)
		usage();
	dir = argv[1];
	count = parse_ulong(argv[2], 100000000);
	size = (size_t)parse_ulong(argv[3], 1UL << 30);
	if (argc == 5)
		parallel = parse_ulong(argv[4], MAX_PARALLEL);
	if (count == 0 || parallel == 0)
		usage();
	if (parallel > count)
		parallel = count;
	if (strlen(dir) + 32 > sizeof path) {
		fprintf(stderr, "rawwrite: path too long\n");
		return 2;
	}

	make_dir(dir);
	snprintf(path, sizeof path, "%s/tmp", dir);
	make_dir(path);
	snprintf(path, sizeof path, "%s/new", dir);
	make_dir(path);

	/* Not zeros: keep any compressing or zero-detecting layer honest. */
	payload = xmalloc(size > 0 ? size : 1);
	for (i = 0; i < size; i++)
		payload[i] = (char)('A' + (i * 7 + i / 61) % 26);

	jobs = xcalloc(parallel, sizeof *jobs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < parallel; i++) {
		jobs[i].first = first;
		jobs[i].n = count / parallel + (i < count % parallel ? 1 : 0);
		first += jobs[i].n;
		rc = pthread_create(&jobs[i].thread, NULL, writer, &jobs[i]);
		if (rc != 0) {
			fprintf(stderr, "rawwrite: pthread_create: %s\n",
			    strerror(rc));
			return 1;
		}
	}
	for (i = 0; i < parallel; i++)
		pthread_join(jobs[i].thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("rawwrite count=%lu size=%zu seconds=%.3f rate=%.1f files/s\n",
	    count, size, secs, secs > 0 ? (double)count / secs : 0.0);
	free(jobs);
	free(payload);
	return 0;
}
