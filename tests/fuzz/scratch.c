#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/scratch.h"

#define LEAVES	4

static char dir[4096];
static char paths[LEAVES][4200];
static int npaths;

static void
cleanup(void)
{
	int i;

	for (i = 0; i < npaths; i++)
		(void)unlink(paths[i]);
	if (dir[0] != '\0')
		(void)rmdir(dir);
}

const char *
scratch_dir(const char *tag)
{
	const char *t = getenv("TMPDIR");

	if (dir[0] != '\0')
		return dir;
	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(dir, sizeof dir, "%s/%s.XXXXXX", t, tag) >=
	    sizeof dir || mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	return dir;
}

const char *
scratch_path(const char *tag, const char *leaf)
{
	const char *d = scratch_dir(tag);
	char p[sizeof paths[0]];
	int i;

	if ((size_t)snprintf(p, sizeof p, "%s/%s", d, leaf) >= sizeof p)
		abort();
	for (i = 0; i < npaths; i++)
		if (strcmp(paths[i], p) == 0)
			return paths[i];
	if (npaths == LEAVES)
		abort();
	snprintf(paths[npaths], sizeof paths[0], "%s", p);
	return paths[npaths++];
}
