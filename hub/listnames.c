#include "config.h"

#include "hub/listnames.h"
#include "hub/conf.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far above any real hub (a name is at most 64 octets and a newline),
 * low enough that a wrong file cannot make the master allocate much. */
#define LISTNAMES_MAX_SIZE	(1024 * 1024)

static int
path_of(char *dst, size_t n, const char *data_dir, const char *file)
{
	if ((size_t)snprintf(dst, n, "%s/%s",
	    strcmp(data_dir, "/") == 0 ? "" : data_dir, file) >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The whole file into a NUL-terminated string; -1 with errno. */
static int
slurp(const char *path, char **out, size_t *outlen)
{
	struct stat st;
	char *b = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	for (;;) {
		if (len + 1 >= cap) {
			if (cap >= LISTNAMES_MAX_SIZE) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			b = xreallocarray(b, cap, 1);
		}
		r = read(fd, b + len, cap - len - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (b == NULL)
		b = xcalloc(1, 1);
	b[len] = '\0';
	*out = b;
	*outlen = len;
	return 0;
fail:
	saved = errno;
	close(fd);
	free(b);
	errno = saved;
	return -1;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
listnames_sort_unique(char **v, size_t n, bool owned)
{
	size_t i, j;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_name);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(v[j - 1], v[i]) == 0) {
			if (owned)
				free(v[i]);
		} else
			v[j++] = v[i];
	}
	return j;
}

/*
 * path holding exactly text, written whole (fs_write_atomic) only when
 * it says something else or cannot be read: 1 written, 0 unchanged, -1
 * with errno.  Mode 0644 whatever the umask (hubctl and the worker run
 * under 077): the master and Postfix read these files as other users.
 */
static int
write_if_changed(const char *path, const char *text, size_t len)
{
	char *old = NULL;
	size_t oldlen = 0;
	int same;

	same = slurp(path, &old, &oldlen) == 0 && oldlen == len &&
	    memcmp(old, text, len) == 0;
	free(old);
	if (same)
		return 0;
	if (fs_write_atomic(path, text, len, 0644) == -1)
		return -1;
	return chmod(path, 0644) == -1 ? -1 : 1;
}

int
listnames_read(const char *data_dir, char ***names, size_t *n)
{
	char path[PATH_MAX], *text, *line, *next;
	char **v = NULL;
	size_t len, nv = 0, av = 0;

	if (path_of(path, sizeof path, data_dir, LISTNAMES_FILE) == -1 ||
	    slurp(path, &text, &len) == -1)
		return -1;
	if (strlen(text) != len) {	/* a NUL byte: not our file */
		free(text);
		errno = EINVAL;
		return -1;
	}
	for (line = text; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		if (!config_valid_list_name(line)) {
			listnames_free(v, nv);
			free(text);
			errno = EINVAL;
			return -1;
		}
		if (nv == av) {
			av = av == 0 ? 16 : av * 2;
			v = xreallocarray(v, av, sizeof *v);
		}
		v[nv++] = xstrdup(line);
	}
	free(text);
	*names = v;
	*n = listnames_sort_unique(v, nv, true);
	return 0;
}

int
listnames_write(const char *data_dir, char *const *names, size_t n)
{
	char path[PATH_MAX], *text;
	char **v;
	size_t i, nv, len = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (!config_valid_list_name(names[i])) {
			errno = EINVAL;
			return -1;
		}
	if (path_of(path, sizeof path, data_dir, LISTNAMES_FILE) == -1)
		return -1;
	v = xcalloc(n + 1, sizeof *v);
	if (n > 0)	/* names may be NULL for none */
		memcpy(v, names, n * sizeof *v);
	nv = listnames_sort_unique(v, n, false);
	for (i = 0; i < nv; i++)
		len += strlen(v[i]) + 1;
	text = xmalloc(len + 1);
	for (i = 0, len = 0; i < nv; i++) {
		size_t l = strlen(v[i]);

		memcpy(text + len, v[i], l);
		text[len + l] = '\n';
		len += l + 1;
	}
	text[len] = '\0';
	free(v);
	/* unchanged: no write, so a worker's start does not make the
	 * master reload for nothing */
	rc = write_if_changed(path, text, len);
	free(text);
	return rc;
}

/* The addresses hubd serves for each list (hub/recipient.c's suffixes). */
static const char *const postfix_suffixes[] = {
	"", "-request", "-owner", "-sendkey", "-bounces",
};

/* A domain that cannot break a map line: no space, no '#', no control. */
static bool
map_domain_ok(const char *d)
{
	if (*d == '\0')
		return false;
	for (; *d != '\0'; d++)
		if ((unsigned char)*d <= 0x20 || (unsigned char)*d >= 0x7f ||
		    *d == '#' || *d == '@')
			return false;
	return true;
}

int
listnames_postfix_write(const char *data_dir, const char *domain,
    char *const *names, size_t n)
{
	char path[PATH_MAX], *text, **v;
	size_t i, k, nv, len, cap;
	int rc;

	if (!map_domain_ok(domain)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!config_valid_list_name(names[i])) {
			errno = EINVAL;
			return -1;
		}
	if (path_of(path, sizeof path, data_dir, LISTNAMES_POSTFIX_FILE) ==
	    -1)
		return -1;
	v = xcalloc(n + 1, sizeof *v);
	if (n > 0)
		memcpy(v, names, n * sizeof *v);
	nv = listnames_sort_unique(v, n, false);
	/* One line per address; the header says what the file is for, and
	 * Postfix skips '#' lines in both texthash: and postmap input. */
	cap = 256 + strlen(path) + strlen(domain);
	for (i = 0; i < nv; i++)
		cap += 5 * (strlen(v[i]) + 8 + strlen(domain) + 5);
	text = xmalloc(cap);
	len = (size_t)snprintf(text, cap, "# written by hubctl from the "
	    "store's lists; do not edit (hubctl postfix-map rewrites it)\n"
	    "# main.cf: relay_recipient_maps = texthash:%s\n"
	    "postmaster@%s OK\n", path, domain);
	for (i = 0; i < nv; i++)
		for (k = 0; k < sizeof postfix_suffixes /
		    sizeof postfix_suffixes[0]; k++)
			len += (size_t)snprintf(text + len, cap - len,
			    "%s%s@%s OK\n", v[i], postfix_suffixes[k], domain);
	free(v);
	/* unchanged: no write, so Postfix's table is not reread for
	 * nothing (texthash: is read when a daemon starts; hash: by mtime) */
	rc = write_if_changed(path, text, len);
	free(text);
	return rc;
}

bool
listnames_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

void
listnames_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
listnames_lock(const char *data_dir)
{
	char path[PATH_MAX];
	int fd;

	if (path_of(path, sizeof path, data_dir, LISTNAMES_FILE ".lock") ==
	    -1)
		return -1;
	/* Read-only is enough for flock, so hubctl and a worker running as
	 * different users can share a lock file either of them made. */
	if ((fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
	return fd;
}

void
listnames_unlock(int fd)
{
	if (fd != -1)
		close(fd);	/* releases the flock */
}
