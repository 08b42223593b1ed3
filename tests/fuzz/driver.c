/*
 * Replay files through a libFuzzer entry point without libFuzzer (after
 * libssh's fuzz driver), so `make check` runs every corpus under the
 * normal compiler and sanitizers.  Arguments are files or directories;
 * a directory stands for the regular files directly in it, in strcmp()
 * order, so runs are reproducible.  No options (libFuzzer's "-flag="
 * arguments are a usage error here).  Exit 0 after "replayed N inputs",
 * 1 if a file cannot be read, 2 on usage error.  A harness that finds a
 * bug aborts, which fails the test on its own.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *fp;
	uint8_t *data = NULL, *n;
	size_t len = 0, cap = 0, got;
	int rc = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((n = realloc(data, cap)) == NULL) {
				fprintf(stderr, "driver: out of memory\n");
				goto out;
			}
			data = n;
		}
		got = fread(data + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "driver: %s: read error\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, len);
	rc = 0;
out:
	free(data);
	fclose(fp);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay the regular files in dir (not recursive); -1 on error. */
static int
replay_dir(const char *dir, unsigned long *count)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **names = NULL, **nn, *path;
	size_t n = 0, cap = 0, i, plen;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "driver: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		plen = strlen(dir) + strlen(de->d_name) + 2;
		if ((path = malloc(plen)) == NULL)
			goto out;
		snprintf(path, plen, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((nn = realloc(names, cap * sizeof *names)) ==
			    NULL) {
				free(path);
				goto out;
			}
			names = nn;
		}
		names[n++] = path;
	}
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_names);
	for (i = 0; i < n; i++) {
		if (replay_file(names[i]) == -1)
			goto out;
		(*count)++;
	}
	rc = 0;
out:
	if (rc == -1 && errno == ENOMEM)
		fprintf(stderr, "driver: out of memory\n");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned long count = 0;
	struct stat st;
	int i;

	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			break;
	if (argc < 2 || i < argc) {
		fprintf(stderr, "usage: %s file-or-directory ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "driver: %s: %s\n", argv[i],
			    strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) == -1)
				return 1;
		} else {
			if (replay_file(argv[i]) == -1)
				return 1;
			count++;
		}
	}
	printf("replayed %lu inputs\n", count);
	return 0;
}
