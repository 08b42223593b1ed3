/* Unit tests for tools/safetext (hubctl's rule for free text) and the
 * escaping of tools/out in text and JSON. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "tools/out.h"
#include "tools/safetext.h"

/* What f(fp) printed, as a new string. */
struct mem {
	char	*p;
	size_t	 n;
	FILE	*fp;
};

static void
mem_open(struct mem *m)
{
	m->p = NULL;
	m->n = 0;
	m->fp = open_memstream(&m->p, &m->n);
	assert_non_null(m->fp);
}

static char *
mem_close(struct mem *m)
{
	fclose(m->fp);
	return m->p;
}

static char *
text_of(const char *s, unsigned flags, int indent)
{
	struct mem m;

	mem_open(&m);
	safetext_write(m.fp, s, strlen(s), flags, indent);
	return mem_close(&m);
}

static char *
json_of(const char *s)
{
	struct mem m;

	mem_open(&m);
	safetext_json(m.fp, s);
	return mem_close(&m);
}

static void
test_check_refuses(void **state)
{
	static const char *const bad[] = {
		"a\x1b[31mb", "a\rb", "a\nb", "a\tb", "a\x7f", "\x01",
		"a\xc2\x9b" "b",		/* C1 CSI as UTF-8 */
		"a\xc2\x80", "a\xc2\x9f",	/* C1 bounds */
		"a\x9b" "b",			/* a raw C1 octet */
		"\xe2\x80\xae" "abc",		/* U+202E RLO */
		"\xe2\x80\xaa", "\xe2\x80\x8e", "\xe2\x80\x8f",
		"\xe2\x81\xa6", "\xe2\x81\xa9", "\xd8\x9c",
		"\xe2\x80\xa8", "\xe2\x80\xa9",	/* line, paragraph sep. */
		"\xc3(",			/* cut short */
		"\xc3",				/* cut at the end */
		"\xc0\xaf", "\xe0\x80\xaf",	/* overlong */
		"\xed\xa0\x80",			/* a surrogate */
		"\xf4\x90\x80\x80",		/* beyond U+10FFFF */
		"\xff", "\x80",
	};
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = '\0';
		if (safetext_check(bad[i], why, sizeof why) != -1)
			fail_msg("accepted bad[%zu]", i);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(safetext_check("a\x1b", why, sizeof why), -1);
	assert_string_equal(why, "control character U+001B at octet 1");
	assert_int_equal(safetext_check("ab\xe2\x80\xae", why, sizeof why),
	    -1);
	assert_string_equal(why, "bidirectional or format character U+202E "
	    "at octet 2");
	assert_int_equal(safetext_check("\x9b", why, sizeof why), -1);
	assert_string_equal(why, "invalid UTF-8 (octet 0x9b) at octet 0");
}

static void
test_check_accepts(void **state)
{
	static const char *const good[] = {
		"", "Example CERT", "\xe6\x97\xa5\xe6\x9c\xac" "CSIRT"
		"\xe5\x8d\x94\xe8\xad\xb0\xe4\xbc\x9a",	/* 日本CSIRT協議会 */
		"\xc3\x89quipe r\xc3\xa9seau",		/* Équipe réseau */
		"\xd8\xa7\xd9\x84\xd9\x81\xd8\xb1\xd9\x8a\xd9\x82",	/* Arabic */
		"\xc2\xa0\xc2\xa9",			/* U+00A0 U+00A9 */
		"\xe2\x80\x8d\xe2\x80\x8c",		/* ZWJ, ZWNJ */
		"\xf0\x9f\x9b\xa1",			/* U+1F6E1 */
		"C:\\Windows\\x1b",			/* a backslash */
	};
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (safetext_check(good[i], why, sizeof why) != 0)
			fail_msg("refused good[%zu]: %s", i, why);
}

static void
test_text_escapes(void **state)
{
	static const struct {
		const char	*in, *out;
	} v[] = {
		{ "plain", "plain" },
		{ "a\x1b[2Jb", "a\\x1b[2Jb" },
		{ "a\nb\tc\rd", "a\\nb\\tc\\rd" },
		{ "\x7f\x01", "\\x7f\\x01" },
		{ "a\xc2\x9b" "31m", "a\\u009b31m" },
		{ "a\x9b" "31m", "a\\x9b31m" },
		{ "x\xe2\x80\xaey", "x\\u202ey" },
		{ "\xd8\x9c\xe2\x81\xa6\xe2\x80\xa8", "\\u061c\\u2066\\u2028" },
		{ "\xc3(", "\\xc3(" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		s = text_of(v[i].in, 0, 0);
		if (strcmp(s, v[i].out) != 0)
			fail_msg("v[%zu]: got \"%s\"", i, s);
		free(s);
	}
	/* lines kept, indented; an empty line gets no trailing blanks */
	s = text_of("one\n\ntwo\tx\x1b", SAFETEXT_KEEP_NL | SAFETEXT_KEEP_TAB,
	    2);
	assert_string_equal(s, "one\n\n  two\tx\\x1b");
	free(s);
	s = text_of("one\ntwo", SAFETEXT_KEEP_NL, 0);
	assert_string_equal(s, "one\ntwo");
	free(s);
	s = safetext_dup("a\x1b", 0);
	assert_string_equal(s, "a\\x1b");
	free(s);
}

static void
test_json_escapes(void **state)
{
	static const struct {
		const char	*in, *out;
	} v[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "a\x1b[2J\n\t\r", "\"a\\u001b[2J\\n\\t\\r\"" },
		{ "\x7f", "\"\\u007f\"" },
		{ "\xc2\x9b", "\"\\u009b\"" },
		{ "\x9b", "\"\\ufffd\"" },
		{ "\xe2\x80\xae", "\"\\u202e\"" },
		{ "\xc3(", "\"\\ufffd(\"" },
		{ "\xe6\x97\xa5", "\"\xe6\x97\xa5\"" },
	};
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		s = json_of(v[i].in);
		if (strcmp(s, v[i].out) != 0)
			fail_msg("v[%zu]: got %s", i, s);
		free(s);
	}
}

static void
test_json_embed(void **state)
{
	struct mem m;
	char *s;

	(void)state;
	mem_open(&m);
	assert_int_equal(safetext_json_embed(m.fp, "{\"name\":\"a\\u001b"
	    "\xc2\x9b\x9b\xe2\x80\xae\\\"\xe6\x97\xa5\",\"n\":null}"), 0);
	s = mem_close(&m);
	assert_string_equal(s, "{\"name\":\"a\\u001b\\u009b\\ufffd\\u202e"
	    "\\\"\xe6\x97\xa5\",\"n\":null}");
	free(s);
	/* not JSON we made: refused, nothing written */
	mem_open(&m);
	assert_int_equal(safetext_json_embed(m.fp, "{\"a\":\"open"), -1);
	assert_int_equal(safetext_json_embed(m.fp, "{\x1b}"), -1);
	assert_int_equal(safetext_json_embed(m.fp, "\xe2\x80\xae{}"), -1);
	assert_int_equal(safetext_json_embed(m.fp, "{\"a\":\"\\\x1b\"}"), -1);
	assert_int_equal(safetext_json_embed(m.fp, "{\"a\":\"\\u12\"}"), -1);
	assert_int_equal(safetext_json_embed(m.fp, "hello"), -1);
	s = mem_close(&m);
	assert_string_equal(s, "");
	free(s);
}

static void
test_out_text_and_json(void **state)
{
	struct mem m;
	struct out *o;
	char *s;

	(void)state;
	mem_open(&m);
	o = out_new(m.fp, 0);
	out_map_begin(o);
	out_kstr(o, "name", "Evil\x1b[2J\nname: fake");
	out_ktext(o, "body", "line one\nsigner: x\x9b\n\n");
	out_map_end(o);
	out_list_begin(o);
	out_map_begin(o);
	out_kstr(o, "a", "x\xe2\x80\xae");
	out_kstr(o, "b", "y");
	out_map_end(o);
	out_list_end(o);
	out_free(o);
	s = mem_close(&m);
	assert_string_equal(s, "name: Evil\\x1b[2J\\nname: fake\n"
	    "body: line one\n  signer: x\\x9b\n"
	    "x\\u202e       y\n");
	free(s);

	mem_open(&m);
	o = out_new(m.fp, 1);
	out_map_begin(o);
	out_kstr(o, "name", "a\x1b\xc2\x9b\x9b\xe2\x80\xae");
	out_ktext(o, "body", "l1\nl2\n");
	out_key(o, "after");
	out_json(o, "{\"n\":\"\xe2\x80\xae\"}");
	out_key(o, "bad");
	out_json(o, "not \x1b json");
	out_map_end(o);
	out_free(o);
	s = mem_close(&m);
	assert_string_equal(s, "{\"name\":\"a\\u001b\\u009b\\ufffd\\u202e\","
	    "\"body\":\"l1\\nl2\\n\",\"after\":{\"n\":\"\\u202e\"},"
	    "\"bad\":\"not \\u001b json\"}\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_check_accepts),
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_embed),
		cmocka_unit_test(test_out_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
