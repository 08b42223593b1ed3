/*
 * libFuzzer harness for the hub.conf parser, config_load(), and the
 * DATA_DIR/lists file it reads after it.  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/conf/ in `make check`.
 *
 * Input: hub.conf text, optionally followed by a line "%%" and the
 * lists file.  "@DIR@" in the hub.conf part is replaced by the
 * per-process scratch directory (under $TMPDIR or /tmp) both files are
 * written to, so "data_dir = @DIR@" reads the lists part.  Over 256 KiB
 * is skipped.
 * Invariants (abort()):
 *  - the result is 0 or -1, the same twice, with the same message;
 *  - on -1: *out is left alone and err is a non-empty NUL-terminated
 *    "FILE:LINE: message" (it holds ": ");
 *  - on 0: data_dir absolute, domain non-empty and lower case; hostname,
 *    pidfile, smarthost host and port set; at least one listener, each
 *    either a unix socket with an absolute path and no host/port or TCP
 *    with host and port (decimal, 0..65535), spec set; workers 1..64,
 *    relay_connections 1..32; smarthost_user iff its password file;
 *    lists valid names, lower case, sorted and unique;
 *  - config_free() frees everything (LeakSanitizer).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/conf.h"
#include "tests/fuzz/scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *dir, *conf, *lists;

static void
setup(void)
{
	if (dir != NULL)
		return;
	dir = scratch_dir("fuzz_conf");
	conf = scratch_path("fuzz_conf", "hub.conf");
	lists = scratch_path("fuzz_conf", "lists");
}

static void
put(const char *path, const uint8_t *p, size_t n, int subst)
{
	FILE *fp;
	size_t i;

	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (subst && n - i >= 5 && memcmp(p + i, "@DIR@", 5) == 0) {
			fputs(dir, fp);
			i += 4;
		} else
			putc(p[i], fp);
	}
	if (fclose(fp) != 0)
		abort();
}

static int
lower(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 0;
	return 1;
}

static void
check(const struct hub_config *c)
{
	const struct hub_listen *l;
	size_t i;
	char *end;
	unsigned long port;

	if (c->path == NULL || c->data_dir == NULL || c->data_dir[0] != '/' ||
	    c->domain == NULL || c->domain[0] == '\0' || !lower(c->domain) ||
	    c->hostname == NULL || c->pidfile == NULL ||
	    c->smarthost_host == NULL || c->smarthost_port == NULL ||
	    c->nlisten == 0 || c->listen == NULL)
		abort();
	for (i = 0; i < c->nlisten; i++) {
		l = &c->listen[i];
		if (l->spec == NULL ||
		    (l->proto != LISTEN_SMTP && l->proto != LISTEN_LMTP))
			abort();
		if (l->is_unix) {
			if (l->path == NULL || l->path[0] != '/' ||
			    l->host != NULL)
				abort();
		} else {
			if (l->host == NULL || l->port == NULL ||
			    l->port[0] < '0' || l->port[0] > '9')
				abort();
			port = strtoul(l->port, &end, 10);
			if (*end != '\0' || port > 65535)
				abort();
		}
	}
	if (c->workers < 1 || c->workers > 64 ||
	    c->relay_connections < 1 || c->relay_connections > 32 ||
	    (c->smarthost_user == NULL) != (c->smarthost_password_file == NULL))
		abort();
	if (c->nlists > 0 && c->lists == NULL)
		abort();
	for (i = 0; i < c->nlists; i++) {
		if (c->lists[i] == NULL || !config_valid_list_name(c->lists[i]) ||
		    !lower(c->lists[i]) ||
		    (i > 0 && strcmp(c->lists[i - 1], c->lists[i]) >= 0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hub_config none;
	struct hub_config *c = &none, *c2 = &none;
	const uint8_t *sep;
	char err[512], err2[512];
	size_t clen;
	int r, r2;

	if (size > 256 * 1024)
		return 0;
	setup();
	sep = memmem(data, size, "\n%%\n", 4);
	clen = sep != NULL ? (size_t)(sep - data) + 1 : size;
	put(conf, data, clen, 1);
	if (sep != NULL)
		put(lists, sep + 4, size - clen - 3, 0);
	else
		(void)unlink(lists);
	memset(err, 'x', sizeof err);
	memset(err2, 'y', sizeof err2);
	r = config_load(conf, &c, err, sizeof err);
	r2 = config_load(conf, &c2, err2, sizeof err2);
	if (r != r2)
		abort();
	if (r == -1) {
		if (c != &none || c2 != &none ||
		    memchr(err, '\0', sizeof err) == NULL || err[0] == '\0' ||
		    strstr(err, ": ") == NULL || strcmp(err, err2) != 0)
			abort();
	} else if (r == 0) {
		if (c == &none || c == NULL || c2 == &none || c2 == NULL)
			abort();
		check(c);
		check(c2);
		config_free(c);
		config_free(c2);
	} else
		abort();
	config_free(NULL);
	return 0;
}
