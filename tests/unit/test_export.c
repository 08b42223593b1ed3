/*
 * Unit tests for archive/export: the same four posts (GREEN,
 * AMBER+STRICT, RED, unlabelled) through every format into a scratch
 * directory.  What is checked: RED and unlabelled posts leave no trace,
 * CSV quoting and formula defusing, the MISP feed's files, tags and
 * hashes.csv, the STIX markings, patterns and references, that every
 * JSON file parses (python3 -m json.tool), files are 0600, and that ids
 * do not change between two exports.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive/export.h"
#include "archive/export_impl.h"
#include "base/json.h"

#include <dirent.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AT		1738317600LL	/* 2025-01-31T10:00:00Z */
#define RED_CANARY	"red-canary-7f3a"
#define NONE_CANARY	"none-canary-9b1c"
#define SHA256	"e3b0c44298fc1c149afbf4c8996fb924" \
		"27ae41e4649b934ca495991b7852b855"
#define MD5	"d41d8cd98f00b204e9800998ecf8427e"
#define SHA1	"da39a3ee5e6b4b0d3255bfef95601890afd80709"
#define NITEMS	12	/* indicators of the GREEN and AMBER+STRICT posts */

/* The records' strings are never written through: the casts only
 * meet archive.h's non-const fields. */
#define S(x)	((char *)(x))

static struct archive_ind green_inds[] = {
	{ IND_IPV4, S("45.33.32.156"), 0, S("seen \"here\", then\nthere") },
	{ IND_DOMAIN, S("evil.example"), IND_DOC | IND_DEFANGED,
	    S("=HYPERLINK(\"http://x\")") },
	{ IND_URL, S("http://bad.test/it's"), 0, S("  padded  ") },
	{ IND_CVE, S("CVE-2024-3400"), 0, NULL },
	{ IND_ASN, S("AS64500"), IND_DOC, S("AS64500") },
	{ IND_SHA256, S(SHA256), 0, S("") },
	{ IND_CIDR, S("2001:db8::/32"), IND_DOC, S("doc net") },
	{ IND_EMAIL, S("x@bad.test"), IND_OWN, S("the list") },
};
static struct archive_ind strict_inds[] = {
	{ IND_CIDR, S("45.33.32.0/24"), 0, S("range") },
	{ IND_MD5, S(MD5), 0, S("empty") },
	{ IND_SHA1, S(SHA1), 0, S("empty") },
	{ IND_IPV6, S("2a00:1450::1"), 0, S("v6") },
};
static struct archive_ind red_inds[] = {
	{ IND_DOMAIN, S(RED_CANARY ".com"), 0, S("red context") },
	{ IND_IPV4, S("198.18.7.7"), 0, S(RED_CANARY " context") },
};
static struct archive_ind none_inds[] = {
	{ IND_DOMAIN, S(NONE_CANARY ".com"), 0, S("no label") },
};

static struct archive_record recs[] = {
	{ .id = "p-green", .list = S("ops"), .team = S("cert-a"),
	  .tlp = TLP_GREEN, .at = AT,
	  .subject = S("Phish \"wave\", \x01 ctl \xff bad"),
	  .inds = green_inds, .ninds = 8 },
	{ .id = "p-red", .list = S("ops"), .team = S("cert-c"),
	  .tlp = TLP_RED, .at = AT + 60, .subject = S(RED_CANARY " subject"),
	  .inds = red_inds, .ninds = 2 },
	{ .id = "p-strict", .list = S("ops"), .team = S("cert-b"),
	  .tlp = TLP_AMBER_STRICT, .at = AT + 120, .subject = NULL,
	  .inds = strict_inds, .ninds = 4 },
	{ .id = "p-none", .list = S("ops"), .team = S("cert-d"),
	  .tlp = TLP_NONE, .at = AT + 180, .subject = S(NONE_CANARY),
	  .inds = none_inds, .ninds = 1 },
};

/* ---- helpers ------------------------------------------------------------- */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void
assert_mode(const char *path, mode_t want)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, want);
}

static void
assert_json(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "python3 -m json.tool '%s' >/dev/null",
	    path);
	assert_int_equal(system(cmd), 0);
}

/* Neither canary in any file of dir. */
static void
assert_no_canary(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "grep -rqE '%s|%s|198\\.18\\.7\\.7' '%s'",
	    RED_CANARY, NONE_CANARY, dir);
	assert_int_equal(system(cmd), 256);	/* grep: exit 1, no match */
}

static void
run_export(const char *format, const char *out, size_t want_items)
{
	struct export_opts o = { out, "hub.example.org", AT + 3600 };
	struct exporter *e;
	size_t posts, items, red, i;
	char err[256];

	assert_int_equal(export_begin(format, &o, &e, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		assert_int_equal(export_post(e, &recs[i], err, sizeof(err)),
		    0);
	assert_int_equal(export_end(e, &posts, &items, &red, err,
	    sizeof(err)), 0);
	assert_int_equal(posts, 2);
	assert_int_equal(items, want_items);
	assert_int_equal(red, 2);
}

static char tmp[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(tmp, "/tmp/test_export.XXXXXX");
	return mkdtemp(tmp) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_unknown_format(void **state)
{
	struct export_opts o = { NULL, NULL, 0 };
	struct exporter *e = NULL;
	char err[128];

	(void)state;
	assert_int_equal(export_begin("json", &o, &e, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown format: json (csv, misp, stix)");
	assert_null(e);
	o.out = NULL;
	assert_int_equal(export_begin("misp", &o, &e, err, sizeof(err)), -1);
}

static void
test_uuid5(void **state)
{
	/* RFC 9562's DNS namespace; the value Python's uuid.uuid5 gives. */
	static const unsigned char dns[16] = {
		0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
		0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
	};
	char a[EXPORT_UUID_LEN + 1], b[EXPORT_UUID_LEN + 1];

	(void)state;
	export_uuid5(dns, "python.org", 10, a);
	assert_string_equal(a, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	export_uuid5f(a, "event:%s", "p-green");
	export_uuid5f(b, "event:%s", "p-green");
	assert_string_equal(a, b);
	export_uuid5f(b, "event:%s", "p-strict");
	assert_string_not_equal(a, b);
}

static void
test_utf8(void **state)
{
	char *s;

	(void)state;
	s = export_utf8("a\xff" "b\xc0\xaf" "\xed\xa0\x80" "\xe2\x82\xac", 0,
	    0);
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "\xe2\x82\xac");
	free(s);
	/* The cut counts code points, never splitting one. */
	s = export_utf8("\xe2\x82\xac\xe2\x82\xac\n\xe2\x82\xac", 3, 1);
	assert_string_equal(s, "\xe2\x82\xac\xe2\x82\xac ");
	free(s);
}

/* ESC, C1 CSI, a raw 0x9b and RLO never reach a reader raw: escaped in
 * JSON, '?' in CSV; other scripts unchanged. */
static void
test_controls(void **state)
{
	static const char in[] = "a\x1b[2J\xc2\x9b\x9b\xe2\x80\xae"
	    "\xe2\x81\xa6\x7f\xe6\x97\xa5";
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(f = open_memstream(&out, &len));
	json_fput_str(f, in);
	fclose(f);
	assert_string_equal(out, "\"a\\u001b[2J\\u009b\\ufffd"
	    "\\u202e\\u2066\\u007f\xe6\x97\xa5\"");
	free(out);
	out = NULL;
	assert_non_null(f = open_memstream(&out, &len));
	export_csv_cell(f, in, 1);
	fclose(f);
	assert_string_equal(out, "a?[2J?\xef\xbf\xbd??\?\xe6\x97\xa5\r\n");
	free(out);
}

/* Records in an RFC 4180 text: quoted newlines do not end one. */
static size_t
csv_records(const char *s)
{
	size_t n = 0;
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '\n' && !quoted)
			n++;
	}
	assert_false(quoted);
	return n;
}

static void
test_csv(void **state)
{
	char path[128], *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.csv", tmp);
	run_export("csv", path, NITEMS);
	assert_mode(path, 0600);
	s = slurp(path);
	assert_int_equal(csv_records(s), 1 + NITEMS);
	assert_true(strncmp(s, "post,date,list,team,tlp,type,value,flags,"
	    "subject,context\r\n", 58) == 0);
	assert_non_null(strstr(s, "p-green,2025-01-31T10:00:00Z,ops,cert-a,"
	    "TLP:GREEN,ipv4,45.33.32.156,,\"Phish \"\"wave\"\", ? ctl "
	    "\xef\xbf\xbd bad\",\"seen \"\"here\"\", then\nthere\"\r\n"));
	assert_non_null(strstr(s, ",domain,evil.example,doc;defanged,"));
	assert_non_null(strstr(s, ",\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"));
	assert_non_null(strstr(s, ",email,x@bad.test,own,"));
	assert_non_null(strstr(s, "p-strict,2025-01-31T10:02:00Z,ops,cert-b,"
	    "TLP:AMBER+STRICT,cidr,45.33.32.0/24,,,range\r\n"));
	free(s);
	assert_no_canary(tmp);
}

static void
event_path(char *buf, size_t n, const char *dir, const char *post)
{
	char uuid[EXPORT_UUID_LEN + 1];

	export_uuid5f(uuid, "event:%s", post);
	snprintf(buf, n, "%s/%s.json", dir, uuid);
}

/* Every name in dir, sorted, joined by spaces. */
static char *
listing(const char *dir)
{
	struct dirent **names;
	char *out;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n > 0);
	out = calloc(1, (size_t)n * 64 + 1);
	assert_non_null(out);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			strcat(out, names[i]->d_name);
			strcat(out, " ");
		}
		free(names[i]);
	}
	free(names);
	return out;
}

static void
check_hashes(const char *dir)
{
	char path[256], line[128], uuid[EXPORT_UUID_LEN + 1], *s;
	unsigned char md[16];
	size_t i, k;
	int j;

	snprintf(path, sizeof(path), "%s/hashes.csv", dir);
	assert_mode(path, 0600);
	s = slurp(path);
	for (i = 0; i < 4; i++) {
		if (recs[i].tlp != TLP_GREEN && recs[i].tlp != TLP_AMBER_STRICT)
			continue;
		export_uuid5f(uuid, "event:%s", recs[i].id);
		for (k = 0; k < recs[i].ninds; k++) {
			/* MD5 computed here, not with the code under test. */
			gcry_md_hash_buffer(GCRY_MD_MD5, md,
			    recs[i].inds[k].value,
			    strlen(recs[i].inds[k].value));
			for (j = 0; j < 16; j++)
				sprintf(line + 2 * j, "%02x", md[j]);
			snprintf(line + 32, sizeof(line) - 32, ",%s\n", uuid);
			assert_non_null(strstr(s, line));
		}
	}
	for (i = 0, k = 0; s[i] != '\0'; i++)
		k += s[i] == '\n';
	assert_int_equal(k, NITEMS);
	free(s);
}

static void
test_misp(void **state)
{
	char dir[128], dir2[128], path[256], path2[256], err[256];
	char *s, *a, *b;
	struct export_opts o = { NULL, "hub.example.org", 0 };
	struct exporter *e;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/feed", tmp);
	run_export("misp", dir, NITEMS);
	assert_mode(dir, 0700);

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	assert_mode(path, 0600);
	assert_json(path);
	s = slurp(path);
	assert_non_null(strstr(s, "\"name\":\"tlp:green\""));
	assert_non_null(strstr(s, "\"name\":\"tlp:amber+strict\""));
	free(s);

	event_path(path, sizeof(path), dir, "p-green");
	assert_mode(path, 0600);
	assert_json(path);
	s = slurp(path);
	assert_non_null(strstr(s, "\"Tag\":[{\"name\":\"tlp:green\""));
	assert_null(strstr(s, "tlp:amber"));
	assert_non_null(strstr(s, "\"info\":\"Phish \\\"wave\\\",   ctl "
	    "\xef\xbf\xbd bad\""));
	assert_non_null(strstr(s, "\"Orgc\":{\"name\":\"cert-a\""));
	assert_non_null(strstr(s, "\"type\":\"ip-dst\",\"category\":"
	    "\"Network activity\",\"value\":\"2001:db8::/32\",\"to_ids\":false"));
	assert_non_null(strstr(s, "\"type\":\"vulnerability\",\"category\":"
	    "\"External analysis\",\"value\":\"CVE-2024-3400\",\"to_ids\":true"));
	assert_non_null(strstr(s, "\"type\":\"AS\",\"category\":"
	    "\"Network activity\",\"value\":\"AS64500\""));
	assert_non_null(strstr(s, "\"value\":\"x@bad.test\",\"to_ids\":false"));
	assert_non_null(strstr(s, "\"comment\":\"padded\""));
	assert_non_null(strstr(s, "\"comment\":\"seen \\\"here\\\", then\\n"
	    "there\""));
	free(s);

	event_path(path, sizeof(path), dir, "p-strict");
	assert_json(path);
	s = slurp(path);
	assert_non_null(strstr(s, "\"Tag\":[{\"name\":\"tlp:amber+strict\""));
	assert_non_null(strstr(s, "\"info\":\"csirt-hub post p-strict\""));
	assert_non_null(strstr(s, "\"type\":\"md5\",\"category\":"
	    "\"Payload delivery\""));
	free(s);

	check_hashes(dir);
	assert_no_canary(tmp);

	/* Exactly the two events, the manifest and hashes.csv. */
	snprintf(path, sizeof(path), "%s/.manifest.json.part", dir);
	assert_int_equal(access(path, F_OK), -1);
	a = listing(dir);
	assert_int_equal(strlen(a), 2 * (EXPORT_UUID_LEN + 6) +
	    strlen("hashes.csv manifest.json "));

	/* A feed directory in use is refused. */
	o.out = dir;
	assert_int_equal(export_begin("misp", &o, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not empty"));

	/* The same posts again: the same names, the same bytes. */
	snprintf(dir2, sizeof(dir2), "%s/feed2", tmp);
	run_export("misp", dir2, NITEMS);
	b = listing(dir2);
	assert_string_equal(a, b);
	event_path(path, sizeof(path), dir, "p-green");
	event_path(path2, sizeof(path2), dir2, "p-green");
	free(a);
	free(b);
	a = slurp(path);
	b = slurp(path2);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* An aborted feed leaves no manifest: MISP would take it for a whole
 * feed. */
static void
test_misp_abort(void **state)
{
	struct export_opts o = { NULL, "hub.example.org", 0 };
	struct exporter *e;
	char dir[128], path[256], err[256];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/aborted", tmp);
	o.out = dir;
	assert_int_equal(export_begin("misp", &o, &e, err, sizeof(err)), 0);
	assert_int_equal(export_post(e, &recs[0], err, sizeof(err)), 0);
	export_abort(e);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/.manifest.json.part", dir);
	assert_int_equal(access(path, F_OK), -1);
}

/* Every created_by_ref and marking ref resolves inside the bundle,
 * and the objects are the ones expected. */
static const char stix_check[] =
    "import json, sys\n"
    "b = json.load(open(sys.argv[1]))\n"
    "assert b['type'] == 'bundle' and b['id'].startswith('bundle--')\n"
    "ids = {o['id'] for o in b['objects']}\n"
    "assert len(ids) == len(b['objects'])\n"
    "for o in b['objects']:\n"
    "    assert o['spec_version'] == '2.1'\n"
    "    if o['type'] in ('indicator', 'vulnerability'):\n"
    "        assert o['created_by_ref'] in ids\n"
    "        assert all(m in ids for m in o['object_marking_refs'])\n"
    "types = sorted(o['type'] for o in b['objects'])\n"
    "assert types.count('indicator') == 11, types\n"
    "assert types.count('vulnerability') == 1, types\n"
    "assert types.count('identity') == 3, types\n"
    "assert types.count('marking-definition') == 2, types\n";

static void
test_stix(void **state)
{
	char path[128], script[128], cmd[512], *s;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/bundle.json", tmp);
	run_export("stix", path, NITEMS);
	assert_mode(path, 0600);
	assert_json(path);
	s = slurp(path);
	assert_non_null(strstr(s, "{\"type\":\"marking-definition\","
	    "\"spec_version\":\"2.1\",\"id\":\"marking-definition--"
	    "939a9414-2ddd-4d32-a0cd-375ea402b003\",\"created\":"
	    "\"2022-10-01T00:00:00.000Z\",\"name\":\"TLP:AMBER+STRICT\","
	    "\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-"
	    "9e08dde9e88d\":{\"extension_type\":\"property-extension\","
	    "\"tlp_2_0\":\"amber+strict\"}}}"));
	assert_non_null(strstr(s, "marking-definition--bab4a63c-aed9-4cf5-"
	    "a766-dfca5abac2bb"));
	assert_null(strstr(s, "55d920b0-5e8b-4f79-9ee9-91f868d9b421"));
	assert_null(strstr(s, "e828b379"));	/* RED */
	assert_non_null(strstr(s, "\"pattern\":\"[url:value = "
	    "'http://bad.test/it\\\\'s']\""));
	assert_non_null(strstr(s, "\"pattern\":\"[autonomous-system:number = "
	    "64500]\""));
	assert_non_null(strstr(s, "\"pattern\":\"[ipv6-addr:value = "
	    "'2001:db8::/32']\""));
	assert_non_null(strstr(s, "\"pattern\":\"[ipv4-addr:value = "
	    "'45.33.32.0/24']\""));
	assert_non_null(strstr(s, "\"pattern\":\"[file:hashes.'SHA-1' = '"
	    SHA1 "']\""));
	assert_non_null(strstr(s, "\"type\":\"vulnerability\""));
	assert_non_null(strstr(s, "\"name\":\"CVE-2024-3400\""));
	assert_non_null(strstr(s, "\"external_references\":[{\"source_name\":"
	    "\"cve\",\"external_id\":\"CVE-2024-3400\"}]"));
	assert_non_null(strstr(s, "\"indicator_types\":[\"benign\"]"));
	assert_non_null(strstr(s, "\"valid_from\":\"2025-01-31T10:00:00Z\""));
	assert_non_null(strstr(s, "\"created\":\"2025-01-31T10:00:00.000Z\""));
	assert_non_null(strstr(s, "\"description\":\"Phish \\\"wave\\\", "
	    "\\u0001 ctl \\ufffd bad\""));
	assert_non_null(strstr(s, "\"name\":\"cert-a\""));
	assert_non_null(strstr(s, "\"name\":\"hub.example.org\""));
	assert_null(strstr(s, "cert-c"));
	free(s);
	assert_no_canary(tmp);

	snprintf(script, sizeof(script), "%s/check.py", tmp);
	f = fopen(script, "w");
	assert_non_null(f);
	fputs(stix_check, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s'", script, path);
	assert_int_equal(system(cmd), 0);
}

/*
 * A Japanese subject (stored decoded by the archive) shows as itself in
 * every format: the CSV cell, the MISP event's info, the STIX
 * description; a bidi override in it never raw.
 */
#define JA_SUBJ	"\xe4\xb8\x8d\xe6\xad\xa3\xe3\x82\xa2\xe3\x82\xaf" \
    "\xe3\x82\xbb\xe3\x82\xb9\xe3\x81\xae\xe5\xa0\xb1\xe5\x91\x8a"

static void
test_japanese_subject(void **state)
{
	static struct archive_ind inds[] = {
		{ IND_DOMAIN, S("login.example.jp"), IND_DEFANGED,
		    S("\xef\xbd\x8c\xef\xbd\x8f") },
	};
	static struct archive_record r = {
		.id = "p-ja", .list = S("ops"), .team = S("cert-j"),
		.tlp = TLP_GREEN, .at = AT,
		.subject = S("TLP:GREEN " JA_SUBJ " \xe2\x80\xae" "x"),
		.inds = inds, .ninds = 1 };
	static const char *const fmts[] = { "csv", "misp", "stix" };
	struct export_opts o = { NULL, "hub.example.org", AT + 3600 };
	struct exporter *e;
	size_t posts, items, red, i;
	char out[128], path[256], err[256], *s;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(out, sizeof(out), "%s/ja-%s", tmp, fmts[i]);
		o.out = out;
		assert_int_equal(export_begin(fmts[i], &o, &e, err,
		    sizeof(err)), 0);
		assert_int_equal(export_post(e, &r, err, sizeof(err)), 0);
		assert_int_equal(export_end(e, &posts, &items, &red, err,
		    sizeof(err)), 0);
		if (i == 1)
			event_path(path, sizeof(path), out, "p-ja");
		else
			snprintf(path, sizeof(path), "%s", out);
		s = slurp(path);
		if (strstr(s, "TLP:GREEN " JA_SUBJ " ") == NULL)
			fail_msg("%s: no Japanese subject: %s", fmts[i], s);
		assert_null(strstr(s, "\xe2\x80\xae"));
		assert_null(strstr(s, "=?"));
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_format),
		cmocka_unit_test(test_uuid5),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_controls),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp_abort, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_japanese_subject, setup,
		    teardown),
	};

	if (!gcry_check_version(NULL))
		return 1;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
