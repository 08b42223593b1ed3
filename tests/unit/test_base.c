/* Unit tests for base: buf, id, fsutil, log_safe. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/i18n.h"
#include "base/kvlines.h"
#include "base/id.h"
#include "base/json.h"

#include <locale.h>
#include "base/log.h"
#include "base/netaddr.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

static void
test_buf_append_printf_consume(void **state)
{
	struct buf *b = buf_new(0);
	size_t i;

	(void)state;
	assert_int_equal(buf_len(b), 0);
	assert_string_equal(buf_data(b), "");
	for (i = 0; i < 1000; i++)
		buf_printf(b, "%zu,", i);
	assert_int_equal(strncmp(buf_data(b), "0,1,2,", 6), 0);
	assert_int_equal(buf_data(b)[buf_len(b)], '\0');
	buf_consume(b, 2);
	assert_int_equal(strncmp(buf_data(b), "1,2,", 4), 0);
	buf_append(b, "\0x", 2);	/* binary safe */
	assert_int_equal(buf_data(b)[buf_len(b) - 2], '\0');
	buf_consume(b, buf_len(b) + 5);
	assert_int_equal(buf_len(b), 0);
	buf_append_str(b, "abc");
	assert_string_equal(buf_data(b), "abc");
	buf_free(b);
	buf_free(NULL);
}

/* A sensitive buffer leaves no plaintext in storage it keeps. */
static void
test_buf_sensitive_wipes(void **state)
{
	struct buf *b = buf_new(BUF_SENSITIVE);
	const char *p;
	size_t i;

	(void)state;
	assert_int_equal(buf_flags(b), BUF_SENSITIVE);
	buf_append_str(b, "TLP:RED secret plaintext");
	p = buf_data(b);
	buf_reset(b);
	for (i = 0; i < 24; i++)
		assert_int_equal(p[i], 0);
	buf_append_str(b, "0123456789");
	buf_consume(b, 4);
	assert_string_equal(buf_data(b), "456789");
	/* The stale tail left behind by the move is wiped. */
	for (i = 6; i < 10; i++)
		assert_int_equal(buf_data(b)[i], 0);
	buf_free(b);
}

static void
test_id(void **state)
{
	char a[HUB_ID_SIZE], b[HUB_ID_SIZE];
	int i;

	(void)state;
	hub_id_new(a);
	assert_int_equal(strlen(a), HUB_ID_LEN);
	assert_true(hub_id_valid(a));
	for (i = 0; i < 10000; i++) {
		hub_id_new(b);
		assert_true(hub_id_valid(b));
		assert_true(strcmp(a, b) != 0);
		/* Sortable by creation: later ids never sort first. */
		assert_true(strncmp(a, b, 16) <= 0);
		memcpy(a, b, sizeof a);
	}
	assert_false(hub_id_valid(NULL));
	assert_false(hub_id_valid(""));
	assert_false(hub_id_valid("../../etc/passwd"));
	assert_false(hub_id_valid("0000000000000000_000000000000"));
	assert_false(hub_id_valid("000000000000000A-000000000000"));
	assert_false(hub_id_valid("0000000000000000-0000000000000"));
	assert_true(hub_id_valid("0123456789abcdef-0123456789ab"));
}

static void
test_now(void **state)
{
	(void)state;
	hub_set_now(1234);
	assert_int_equal(hub_now(), 1234);
	hub_set_now(0);
	assert_true(hub_now() > 1700000000);
}

/* One JSON string writer: valid JSON in valid UTF-8 whatever the input. */
static void
test_json_str(void **state)
{
	static const struct { const char *in, *out; } rows[] = {
		{ NULL, "null" },
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "l1\nl2\r\t", "\"l1\\nl2\\r\\t\"" },
		{ "esc\x1b[2J", "\"esc\\u001b[2J\"" },
		{ "del\x7f", "\"del\\u007f\"" },
		{ "c1\xc2\x85", "\"c1\\u0085\"" },		/* U+0085 NEL */
		{ "rlo\xe2\x80\xae", "\"rlo\\u202e\"" },	/* U+202E */
		{ "bad\xff\xc0\xaf", "\"bad\\ufffd\\ufffd\\ufffd\"" },
		{ "cut\xe6\x97", "\"cut\\ufffd\\ufffd\"" },
		{ "\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"" },
		{ "\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct buf *b = buf_new(0);

		json_append_str(b, rows[i].in);
		buf_append(b, "", 1);
		if (strcmp(buf_data(b), rows[i].out) != 0)
			fail_msg("row %zu: got %s want %s", i, buf_data(b),
			    rows[i].out);
		buf_free(b);
	}
}

static void
test_mono(void **state)
{
	time_t a, b;

	(void)state;
	/* the fake calendar does not move the interval clock */
	hub_set_now(1000);
	a = hub_mono();
	assert_true(a > 0);
	assert_int_equal(hub_now(), 1000);
	b = hub_mono();
	assert_true(b >= a && b - a < 5);
	hub_set_now(0);
}

static void
test_log_safe(void **state)
{
	char dst[16];

	(void)state;
	assert_string_equal(log_safe(dst, sizeof dst, "a@b.example"),
	    "a@b.example");
	assert_string_equal(log_safe(dst, sizeof dst, "x\ny z\"\\\x01\xc3"),
	    "x?y?z????");
	assert_string_equal(log_safe(dst, 5, "abcdefgh"), "abcd");
	assert_string_equal(log_safe(dst, sizeof dst, NULL), "");
}

static void
test_fs_atomic_and_faults(void **state)
{
	char root[] = "/tmp/hubfs.XXXXXX", deep[128], path[256], tmp[512];
	char buf[16];
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(deep, sizeof deep, "%s/a/b/c", root);
	assert_int_equal(fs_mkdirs(deep, 0700), 0);
	assert_int_equal(fs_mkdirs(deep, 0700), 0);	/* idempotent */
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	snprintf(path, sizeof path, "%s/file", deep);
	assert_int_equal(fs_write_atomic(path, "one", 3, 0600), 0);
	/* A failed rewrite leaves the old content and no temp file. */
	fs_fault_set(FS_OP_RENAME, 1, FS_FAULT_FAIL);
	assert_int_equal(fs_write_atomic(path, "two", 3, 0600), -1);
	assert_int_equal(errno, EIO);
	fs_fault_set(FS_OP_RENAME, 0, FS_FAULT_FAIL);
	fd = open(path, O_RDONLY);
	assert_true(fd != -1);
	assert_int_equal(read(fd, buf, sizeof buf), 3);
	assert_memory_equal(buf, "one", 3);
	close(fd);
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(access(tmp, F_OK), -1);

	/* The hook counts calls: only the 2nd fsync fails. */
	fs_fault_set(FS_OP_FSYNC, 2, FS_FAULT_FAIL);
	assert_int_equal(fs_write_atomic(path, "two", 3, 0600), 0);
	assert_int_equal(fs_write_atomic(path, "three", 5, 0600), -1);
	assert_int_equal(fs_write_atomic(path, "four", 4, 0600), 0);
	fs_fault_set(FS_OP_FSYNC, 0, FS_FAULT_FAIL);

	setenv("HUB_FS_FAULT", "smtp:dirsync:1", 1);
	fs_fault_init_from_env("master");	/* another role: not armed */
	assert_int_equal(fs_fsync_dir(root), 0);
	fs_fault_init_from_env("smtp");
	assert_int_equal(fs_fsync_dir(root), -1);
	assert_int_equal(fs_fsync_dir(root), 0);
	unsetenv("HUB_FS_FAULT");
	fs_fault_init_from_env("smtp");

	fs_dirname("a/b/c", buf, sizeof buf);
	assert_string_equal(buf, "a/b");
	fs_dirname("c", buf, sizeof buf);
	assert_string_equal(buf, ".");
	fs_dirname("/c", buf, sizeof buf);
	assert_string_equal(buf, "/");
	assert_string_equal(fs_op_str(FS_OP_DIRSYNC), "dirsync");

	snprintf(tmp, sizeof tmp, "rm -rf %s", root);
	assert_int_equal(system(tmp), 0);
}

static void
test_netaddr(void **state)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	char dst[NETADDR_MAX];

	(void)state;
	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons(2525);
	inet_pton(AF_INET, "192.0.2.1", &in.sin_addr);
	assert_string_equal(netaddr_format((struct sockaddr *)&in, dst,
	    sizeof dst), "192.0.2.1:2525");
	memset(&in6, 0, sizeof in6);
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(65535);
	inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
	assert_string_equal(netaddr_format((struct sockaddr *)&in6, dst,
	    sizeof dst), "[2001:db8::1]:65535");
	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	assert_string_equal(netaddr_format((struct sockaddr *)&un, dst,
	    sizeof dst), "unix");
}

/* RFC 5322 dates in English whatever the locale (hubd will run under
 * Japanese ones). */
static void
test_date_mail(void **state)
{
	char d[64];

	(void)state;
	hub_date_mail(0, d, sizeof d);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	hub_date_mail(1796411628LL, d, sizeof d);
	assert_string_equal(d, "Fri, 04 Dec 2026 19:13:48 +0000");
	if (setlocale(LC_ALL, "ja_JP.UTF-8") != NULL ||
	    setlocale(LC_ALL, "de_DE.UTF-8") != NULL) {
		hub_date_mail(1796411628LL, d, sizeof d);
		assert_string_equal(d, "Fri, 04 Dec 2026 19:13:48 +0000");
	}
	setlocale(LC_ALL, "C");
	hub_date_mail(0, d, 5);
	assert_string_equal(d, "Thu,");
}

/* A GNU .mo file of n (msgid, msgstr) pairs, sorted by msgid as msgfmt
 * writes them (lengths exclude the NUL; a plural msgid or msgstr holds
 * its forms NUL-separated), written big-endian so the reader's byte
 * swap is what is tested (msgfmt writes the host's order). */
struct mo_pair {
	const char	*id;
	size_t		 idlen;
	const char	*str;
	size_t		 strlen;
};

static void
be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
write_mo(const char *path, const struct mo_pair *v, uint32_t n)
{
	unsigned char buf[4096];
	uint32_t i, off = 28 + n * 16;
	FILE *f;

	memset(buf, 0, sizeof buf);
	be32(buf, 0x950412de);
	be32(buf + 8, n);
	be32(buf + 12, 28);
	be32(buf + 16, 28 + n * 8);
	for (i = 0; i < n; i++) {
		be32(buf + 28 + i * 8, (uint32_t)v[i].idlen);
		be32(buf + 32 + i * 8, off);
		memcpy(buf + off, v[i].id, v[i].idlen + 1);
		off += (uint32_t)v[i].idlen + 1;
	}
	for (i = 0; i < n; i++) {
		be32(buf + 28 + n * 8 + i * 8, (uint32_t)v[i].strlen);
		be32(buf + 32 + n * 8 + i * 8, off);
		memcpy(buf + off, v[i].str, v[i].strlen + 1);
		off += (uint32_t)v[i].strlen + 1;
	}
	assert_true(off < sizeof buf);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, off, f), off);
	assert_int_equal(fclose(f), 0);
}

#define S(x)	x, sizeof x - 1

static void
test_i18n(void **state)
{
	static const struct mo_pair v[] = {
		{ S(""), S("Content-Type: text/plain; charset=UTF-8\n"
		    "Plural-Forms: nplurals=1; plural=0;\n") },
		{ S("%u part\0%u parts"), S("%u \xe5\x80\x8b") },
		{ S("help"), S("\xe3\x83\x98\xe3\x83\xab\xe3\x83\x97") },
		{ S("later"), S("") },	/* untranslated */
		{ S("post refused: %s"), S("\xe6\x8b\x92\xe5\x90\xa6: %s") },
	};
	char root[] = "/tmp/hubi18n.XXXXXX", dir[128], path[256];

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof dir, "%s/ja/LC_MESSAGES", root);
	assert_int_equal(fs_mkdirs(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/csirt-hub.mo", dir);
	write_mo(path, v, sizeof v / sizeof v[0]);
	/* read once, at the first lookup */
	assert_int_equal(setenv("HUB_LOCALEDIR", root, 1), 0);

	assert_string_equal(i18n_get("ja", "help"),
	    "\xe3\x83\x98\xe3\x83\xab\xe3\x83\x97");
	assert_string_equal(i18n_get("ja", "post refused: %s"),
	    "\xe6\x8b\x92\xe5\x90\xa6: %s");
	/* English, no language, another language, an unknown text, an
	 * empty translation: the source text */
	assert_string_equal(i18n_get("en", "help"), "help");
	assert_string_equal(i18n_get(NULL, "help"), "help");
	assert_string_equal(i18n_get("", "help"), "help");
	assert_string_equal(i18n_get("fr", "help"), "help");
	assert_string_equal(i18n_get("ja", "not in the catalog"),
	    "not in the catalog");
	assert_string_equal(i18n_get("ja", "later"), "later");
	assert_string_equal(i18n_get("ja", ""), "");
	/* nplurals=1: the one form; English: n == 1 */
	assert_string_equal(i18n_nget("ja", "%u part", "%u parts", 1),
	    "%u \xe5\x80\x8b");
	assert_string_equal(i18n_nget("ja", "%u part", "%u parts", 5),
	    "%u \xe5\x80\x8b");
	assert_string_equal(i18n_nget("en", "%u part", "%u parts", 1),
	    "%u part");
	assert_string_equal(i18n_nget("en", "%u part", "%u parts", 0),
	    "%u parts");
	assert_string_equal(i18n_nget("ja", "%u x", "%u xs", 2), "%u xs");
	assert_true(i18n_lang_valid("ja"));
	assert_true(i18n_lang_valid("en"));
	assert_false(i18n_lang_valid("JA"));
	assert_false(i18n_lang_valid("fr"));
	assert_false(i18n_lang_valid(NULL));

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	snprintf(dir, sizeof dir, "%s/ja", root);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(rmdir(root), 0);
	unsetenv("HUB_LOCALEDIR");
}

/* The spool's small state files: frame, then key/value lines in place. */
static void
test_kvlines(void **state)
{
	char ok[] = "M1\nattempts 3\nlast a b\n", nolf[] = "M1\nx 1",
	    nul[] = "M1\nx\0 1\n", bad[] = "M1\nnospace\n";
	size_t pos, n = sizeof ok - 1;	/* the lines are cut in place */
	char *k, *v;

	(void)state;
	assert_int_equal(kvlines_open(ok, n, "M1\n", &pos), 0);
	assert_int_equal(kvlines_next(ok, n, &pos, &k, &v), 1);
	assert_string_equal(k, "attempts");
	assert_string_equal(v, "3");
	assert_int_equal(kvlines_next(ok, n, &pos, &k, &v), 1);
	assert_string_equal(k, "last");
	assert_string_equal(v, "a b");
	assert_int_equal(kvlines_next(ok, n, &pos, &k, &v), 0);
	assert_int_equal(kvlines_open(bad, sizeof bad - 1, "M2\n", &pos), -1);
	assert_int_equal(kvlines_open(nolf, sizeof nolf - 1, "M1\n", &pos),
	    -1);
	assert_int_equal(kvlines_open(nul, sizeof nul - 1, "M1\n", &pos), -1);
	assert_int_equal(kvlines_open(bad, sizeof bad - 1, "M1\n", &pos), 0);
	assert_int_equal(kvlines_next(bad, sizeof bad - 1, &pos, &k, &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_printf_consume),
		cmocka_unit_test(test_buf_sensitive_wipes),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_date_mail),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_mono),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_log_safe),
		cmocka_unit_test(test_netaddr),
		cmocka_unit_test(test_fs_atomic_and_faults),
		cmocka_unit_test(test_i18n),
		cmocka_unit_test(test_kvlines),
	};

	log_init("test", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
