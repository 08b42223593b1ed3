/*
 * Unit tests for archive/archive (the encrypted store of posts and
 * indicators) and archive/search (the query language and who sees what).
 *
 * One GNUPGHOME per run with a fresh hub key, as in test_store; every
 * test has its own data dir with hub.fpr naming that key.  The posts:
 *   G  ops   CERT-A  GREEN         a.b.example.org, 198.51.100.7, a URL,
 *                                  a CIDR, a hash, a CVE
 *   A  ops   CERT-B  AMBER         a.b.example.org, evil.example.net
 *   R  ops   CERT-A  RED           198.51.100.7; audience m1@a.test only
 *   X  other CERT-C  GREEN         10.9.8.7, phish@x.example.org
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive/archive.h"
#include "archive/ipkey.h"
#include "archive/search.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "tests/unit/hubkey.h"

static char tmpdir[] = "/tmp/hubar.XXXXXX";
static struct gpg *g;
static char hubfpr[41];
static int ndirs;

#define CANARY "canary-7f3e9a1c-subject"

static char *
new_dir(void)
{
	char *dir = xasprintf("%s/d%d", tmpdir, ++ndirs);
	char *ff = xasprintf("%s/hub.fpr", dir);
	FILE *f;

	assert_int_equal(mkdir(dir, 0700), 0);
	assert_non_null(f = fopen(ff, "w"));
	fprintf(f, "%s\n", hubfpr);
	fclose(f);
	free(ff);
	return dir;
}

static void
ind(struct archive_record *r, enum ind_type t, const char *v, unsigned fl)
{
	r->inds = xreallocarray(r->inds, r->ninds + 1, sizeof *r->inds);
	r->inds[r->ninds].type = t;
	r->inds[r->ninds].value = (char *)v;
	r->inds[r->ninds].flags = fl;
	r->inds[r->ninds].context = (char *)"seen in the wild";
	r->ninds++;
}

static void
post(struct archive *a, const char *id, const char *list, const char *team,
    enum tlp t, long long at, void (*fill)(struct archive_record *),
    bool expect_added)
{
	static char *aud[] = { (char *)"m1@a.test", (char *)"m2@b.test" };
	struct archive_record r;
	bool added;

	memset(&r, 0, sizeof r);
	snprintf(r.id, sizeof r.id, "%s", id);
	r.list = (char *)list;
	r.team = (char *)team;
	r.contact = (char *)"poc@team.test";
	r.signer_fpr = hubfpr;
	r.tlp = t;
	r.at = at;
	r.subject = (char *)CANARY;
	r.body = (char *)"body text";
	r.body_len = strlen(r.body);
	r.audience = aud;
	r.naudience = t == TLP_RED ? 1 : 2;
	fill(&r);
	assert_int_equal(archive_add_post(a, &r, &added), ARCHIVE_OK);
	assert_int_equal(added, expect_added);
	free(r.inds);
}

static void
fill_g(struct archive_record *r)
{
	ind(r, IND_DOMAIN, "a.b.example.org", IND_DOC);
	ind(r, IND_IPV4, "198.51.100.7", IND_DOC);
	ind(r, IND_URL, "http://evil.example.net/x?y=1", 0);
	ind(r, IND_URL, "http://192.0.2.55:8080/gate.php", 0);
	ind(r, IND_CIDR, "203.0.113.0/24", 0);
	ind(r, IND_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934"
	    "ca495991b7852b855", 0);
	ind(r, IND_CVE, "CVE-2024-3094", 0);
	ind(r, IND_IPV6, "2001:db8::7", IND_DOC);
}

static void
fill_a(struct archive_record *r)
{
	ind(r, IND_DOMAIN, "a.b.example.org", IND_DOC);
	ind(r, IND_DOMAIN, "evil.example.net", 0);
	ind(r, IND_IPV4, "203.0.113.99", 0);
}

static void
fill_r(struct archive_record *r)
{
	ind(r, IND_IPV4, "198.51.100.7", IND_DOC);
	ind(r, IND_DOMAIN, "red-only.example.com", 0);
}

static void
fill_x(struct archive_record *r)
{
	ind(r, IND_IPV4, "10.9.8.7", IND_DOC);
	ind(r, IND_EMAIL, "phish@x.example.org", 0);
	ind(r, IND_CIDR, "2001:db8:1::/48", 0);
}

static struct archive *
filled(char **dirp)
{
	struct archive *a;
	char *dir = new_dir();

	assert_int_equal(archive_open(dir, g, true, &a), ARCHIVE_OK);
	post(a, "G", "ops", "CERT-A", TLP_GREEN, 1000, fill_g, true);
	post(a, "A", "ops", "CERT-B", TLP_AMBER, 2000, fill_a, true);
	post(a, "R", "ops", "CERT-A", TLP_RED, 3000, fill_r, true);
	post(a, "X", "other", "CERT-C", TLP_GREEN, 4000, fill_x, true);
	if (dirp != NULL)
		*dirp = dir;
	else
		free(dir);
	return a;
}

static const struct search_viewer admin = { .admin = true };
static const struct search_viewer admin_red = { .admin = true, .red = true };

/* The hits of text as the viewer sees them, as "value:count" joined by
 * spaces, in result order. */
static char *
run(struct archive *a, const char *text, const struct search_viewer *v,
    int type)
{
	struct search_query q;
	struct search_hit *h;
	char err[128], *out = xstrdup(""), *t;
	size_t n, i;

	assert_int_equal(search_parse(text, &q, err, sizeof err), 0);
	q.type = type;
	assert_int_equal(search_run(a, &q, v, &h, &n), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		t = xasprintf("%s%s%s:%zu", out, i ? " " : "", h[i].value,
		    h[i].count);
		free(out);
		out = t;
	}
	search_hits_free(h, n);
	return out;
}

#define EXPECT(a, text, v, want) do {					\
	char *got_ = run((a), (text), (v), -1);				\
	if (strcmp(got_, (want)) != 0)					\
		fail_msg("search \"%s\": got \"%s\", want \"%s\"",	\
		    (text), got_, (want));				\
	free(got_);							\
} while (0)

static void
test_open_missing(void **state)
{
	struct archive *a;
	char *dir = new_dir();

	(void)state;
	assert_int_equal(archive_open(dir, g, false, &a), ARCHIVE_NOT_FOUND);
	assert_null(a);
	free(dir);
}

static void
test_idempotent(void **state)
{
	struct archive_counts c1, c2;
	struct archive *a, *b;
	char *dir;

	(void)state;
	a = filled(&dir);
	assert_int_equal(archive_count(a, &c1), ARCHIVE_OK);
	assert_int_equal(c1.posts, 4);
	/* a.b.example.org in G and A and 198.51.100.7 in G and R: distinct */
	assert_int_equal(c1.indicators, 14);
	assert_int_equal(c1.sightings, 16);
	/* a redo after a crash: nothing doubles */
	post(a, "G", "ops", "CERT-A", TLP_GREEN, 1000, fill_g, false);
	assert_int_equal(archive_count(a, &c2), ARCHIVE_OK);
	assert_int_equal(memcmp(&c1, &c2, sizeof c1), 0);
	EXPECT(a, "a.b.example.org", &admin, "a.b.example.org:2");
	archive_close(a);
	/* reopened without create: the same key, the same content */
	assert_int_equal(archive_open(dir, g, false, &b), ARCHIVE_OK);
	assert_int_equal(archive_count(b, &c2), ARCHIVE_OK);
	assert_int_equal(c2.posts, 4);
	archive_close(b);
	/* a lost key is said, never replaced by a new one */
	{
		char *kf = xasprintf("%s/%s", dir, ARCHIVE_KEY_FILE);
		char *bak = xasprintf("%s.bak", kf);

		assert_int_equal(rename(kf, bak), 0);
		assert_int_equal(archive_open(dir, g, true, &b), ARCHIVE_KEY);
		assert_int_equal(access(kf, F_OK), -1);
		assert_int_equal(rename(bak, kf), 0);
		assert_int_equal(archive_open(dir, g, false, &b), ARCHIVE_OK);
		archive_close(b);
		free(kf);
		free(bak);
	}
	free(dir);
}

static void
test_queries(void **state)
{
	struct archive *a = filled(NULL);

	(void)state;
	/* exact, refanged, case-folded */
	EXPECT(a, "CVE-2024-3094", &admin, "CVE-2024-3094:1");
	EXPECT(a, "cve-2024-3094", &admin, "CVE-2024-3094:1");
	EXPECT(a, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B"
	    "7852B855", &admin, "e3b0c44298fc1c149afbf4c8996fb92427ae41e464"
	    "9b934ca495991b7852b855:1");
	EXPECT(a, "hxxp://evil[.]example[.]net/x?y=1", &admin,
	    "http://evil.example.net/x?y=1:1");
	/* a domain finds itself, its subdomains, URL hosts; newest first */
	EXPECT(a, "example.net", &admin,
	    "evil.example.net:1 http://evil.example.net/x?y=1:1");
	EXPECT(a, "b.example.org", &admin, "a.b.example.org:2");
	EXPECT(a, "example.org", &admin,
	    "phish@x.example.org:1 a.b.example.org:2");
	/* no label boundary confusion: "ample.org" is not example.org */
	EXPECT(a, "ample.org", &admin, "");
	/* an IP finds the CIDRs containing it, a CIDR what lies inside */
	EXPECT(a, "203.0.113.99", &admin, "203.0.113.99:1 203.0.113.0/24:1");
	EXPECT(a, "203.0.113.0/25", &admin, "203.0.113.99:1 203.0.113.0/24:1");
	EXPECT(a, "192.0.2.0/24", &admin, "http://192.0.2.55:8080/gate.php:1");
	EXPECT(a, "2001:db8:1:2::1", &admin, "2001:db8:1::/48:1");
	EXPECT(a, "2001:db8::/32", &admin, "2001:db8:1::/48:1 2001:db8::7:1");
	EXPECT(a, "nothing-here", &admin, "");
	archive_close(a);
}

static void
test_visibility(void **state)
{
	static const struct tlp_clearance member_ops[] = {
		{ "ops", ROLE_MEMBER, TLP_NONE },
	};
	static const struct tlp_clearance partner_ops[] = {
		{ "ops", ROLE_PARTNER, TLP_GREEN },
	};
	static const struct tlp_clearance partner_amber[] = {
		{ "ops", ROLE_PARTNER, TLP_AMBER },
	};
	static const struct tlp_clearance member_other[] = {
		{ "other", ROLE_MEMBER, TLP_NONE },
	};
	struct search_viewer m1 = { .address = "m1@a.test",
	    .subs = member_ops, .nsubs = 1 };
	struct search_viewer m2 = { .address = "M2@B.test",
	    .subs = member_ops, .nsubs = 1 };
	struct search_viewer p = { .address = "p@partner.test",
	    .subs = partner_ops, .nsubs = 1 };
	struct search_viewer pa = { .address = "p@partner.test",
	    .subs = partner_amber, .nsubs = 1 };
	struct search_viewer o = { .address = "m1@a.test",
	    .subs = member_other, .nsubs = 1 };
	struct archive *a = filled(NULL);

	(void)state;
	/* RED: its recipient while a member of the list -- not once its
	 * team became a partner */
	{
		static const struct tlp_clearance now_partner[] = {
			{ "ops", ROLE_PARTNER, TLP_AMBER },
		};
		struct search_viewer m1p = { .address = "m1@a.test",
		    .subs = now_partner, .nsubs = 1 };

		EXPECT(a, "red-only.example.com", &m1p, "");
		EXPECT(a, "red-only.example.com", &m1,
		    "red-only.example.com:1");
	}
	/* RED: its recipient, and the admin only when asked */
	EXPECT(a, "198.51.100.7", &m1, "198.51.100.7:2");
	EXPECT(a, "198.51.100.7", &m2, "198.51.100.7:1");
	EXPECT(a, "198.51.100.7", &admin, "198.51.100.7:1");
	EXPECT(a, "198.51.100.7", &admin_red, "198.51.100.7:2");
	EXPECT(a, "red-only.example.com", &m2, "");
	EXPECT(a, "red-only.example.com", &p, "");
	/* partners: GREEN yes, AMBER only when cleared that high */
	EXPECT(a, "a.b.example.org", &p, "a.b.example.org:1");
	EXPECT(a, "a.b.example.org", &pa, "a.b.example.org:2");
	/* the AMBER domain hidden, the GREEN URL on it shown */
	EXPECT(a, "evil.example.net", &p, "http://evil.example.net/x?y=1:1");
	/* another list's member sees nothing of ops, all of other */
	EXPECT(a, "a.b.example.org", &o, "");
	EXPECT(a, "10.9.8.7", &o, "10.9.8.7:1");
	EXPECT(a, "10.9.8.7", &m1, "");
	archive_close(a);
}

static void
fill_c(struct archive_record *r)
{
	ind(r, IND_DOMAIN, "clear-only.example.net", 0);
}

/* TLP:CLEAR: any contact of an active team, subscribed or not. */
static void
test_clear_community(void **state)
{
	struct search_viewer in = { .address = "x@y.test", .community = true };
	struct search_viewer out = { .address = "x@y.test" };
	struct archive *a;
	char *dir = new_dir();

	(void)state;
	assert_int_equal(archive_open(dir, g, true, &a), ARCHIVE_OK);
	post(a, "C", "other", "CERT-C", TLP_CLEAR, 100, fill_c, true);
	post(a, "GG", "other", "CERT-C", TLP_GREEN, 200, fill_c, true);
	EXPECT(a, "clear-only.example.net", &in, "clear-only.example.net:1");
	EXPECT(a, "clear-only.example.net", &out, "");
	archive_close(a);
	free(dir);
}

static void
test_filters(void **state)
{
	struct archive *a = filled(NULL);
	struct search_query q;
	struct search_hit *h;
	char err[64];
	size_t n;

	(void)state;
	assert_int_equal(search_parse("example.org", &q, err, sizeof err), 0);
	q.since = 1500;
	assert_int_equal(search_run(a, &q, &admin, &h, &n), ARCHIVE_OK);
	assert_int_equal(n, 2);		/* phish@ (4000), a.b (2000 only) */
	assert_int_equal(h[1].count, 1);
	assert_int_equal(h[1].first_seen, 2000);
	assert_string_equal(h[1].teams, "CERT-B");
	search_hits_free(h, n);
	assert_int_equal(search_parse("a.b.example.org", &q, err, sizeof err),
	    0);
	assert_int_equal(search_run(a, &q, &admin, &h, &n), ARCHIVE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].teams, "CERT-B,CERT-A");
	assert_int_equal(h[0].first_seen, 1000);
	assert_int_equal(h[0].last_seen, 2000);
	assert_int_equal(h[0].nreports, 2);
	assert_string_equal(h[0].reports[0].post, "A");	/* newest first */
	assert_string_equal(h[0].reports[0].subject, CANARY);
	search_hits_free(h, n);
	snprintf(q.team, sizeof q.team, "cert-a");
	assert_int_equal(search_run(a, &q, &admin, &h, &n), ARCHIVE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].teams, "CERT-A");
	search_hits_free(h, n);
	q.team[0] = '\0';
	q.tlp = TLP_AMBER;
	assert_int_equal(search_run(a, &q, &admin, &h, &n), ARCHIVE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].reports[0].tlp, TLP_AMBER);
	search_hits_free(h, n);
	/* everything of one type, newest first */
	{
		char *got = run(a, "*", &admin, IND_IPV4);

		/* ordered by last sighting (R's, invisible here) */
		assert_string_equal(got, "10.9.8.7:1 198.51.100.7:1 "
		    "203.0.113.99:1");
		free(got);
	}
	/* the limit keeps the newest the viewer sees */
	assert_int_equal(search_parse("example.org", &q, err, sizeof err), 0);
	q.limit = 1;
	assert_int_equal(search_run(a, &q, &admin, &h, &n), ARCHIVE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].value, "phish@x.example.org");
	search_hits_free(h, n);
	assert_int_equal(search_parse("a\x01", &q, err, sizeof err), -1);
	archive_close(a);
}

static int
count_cb(void *ctx, const struct archive_record *r)
{
	size_t *n = ctx;

	assert_true(r->tlp != TLP_RED);
	assert_true(r->ninds > 0);
	(*n)++;
	return 0;
}

static void
test_walk_and_show(void **state)
{
	struct archive_filter f = { .tlp_max = TLP_AMBER_STRICT, .type = -1 };
	struct archive_record r;
	struct archive *a = filled(NULL);
	size_t n = 0;
	int rc;

	(void)state;
	assert_int_equal(archive_each_post(a, &f, count_cb, &n, &rc),
	    ARCHIVE_OK);
	assert_int_equal(n, 3);
	n = 0;
	f.type = IND_EMAIL;
	assert_int_equal(archive_each_post(a, &f, count_cb, &n, &rc),
	    ARCHIVE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(archive_get_post(a, "R", &r), ARCHIVE_OK);
	assert_int_equal(r.tlp, TLP_RED);
	assert_int_equal(r.naudience, 1);
	assert_string_equal(r.audience[0], "m1@a.test");
	assert_int_equal(r.ninds, 2);
	assert_string_equal(r.body, "body text");
	archive_record_clear(&r);
	assert_int_equal(archive_get_post(a, "nope", &r), ARCHIVE_NOT_FOUND);
	archive_close(a);
}

/* Nothing of a post is readable in the files of the archive. */
static void
test_at_rest(void **state)
{
	struct archive *a;
	char *dir, *cmd;

	(void)state;
	a = filled(&dir);
	archive_close(a);
	cmd = xasprintf("grep -rqa -e '%s' -e 'example.org' -e "
	    "'CVE-2024' %s", CANARY, dir);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* Two processes creating the archive at once end up with one key. */
static void
test_create_race(void **state)
{
	struct archive *a;
	char *dir = new_dir();
	pid_t pid[2];
	int i, status;

	(void)state;
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0) {
			struct gpg *cg;
			char *home = xasprintf("%s/gnupg", tmpdir);
			bool added;
			struct archive_record r;

			memset(&r, 0, sizeof r);
			snprintf(r.id, sizeof r.id, "P%d", i);
			r.list = r.team = r.contact = r.signer_fpr =
			    (char *)"x";
			if (gpg_open(home, &cg) != CRYPTO_OK ||
			    archive_open(dir, cg, true, &a) != ARCHIVE_OK ||
			    archive_add_post(a, &r, &added) != ARCHIVE_OK)
				_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(archive_open(dir, g, false, &a), ARCHIVE_OK);
	{
		struct archive_counts c;

		assert_int_equal(archive_count(a, &c), ARCHIVE_OK);
		assert_int_equal(c.posts, 2);
	}
	archive_close(a);
	free(dir);
}

static void
test_ipkey(void **state)
{
	unsigned char ip[16], last[16];
	char *rd;
	int plen;

	(void)state;
	assert_int_equal(ipkey_of(IND_CIDR, "10.1.2.3/8", ip, &plen), 0);
	assert_int_equal(plen, 104);
	assert_int_equal(ip[12], 10);
	assert_int_equal(ip[13], 0);
	ipkey_last(ip, plen, last);
	assert_int_equal(last[13], 255);
	assert_int_equal(ipkey_of(IND_CIDR, "10.0.0.0/33", ip, &plen), -1);
	assert_int_equal(ipkey_of(IND_CIDR, "10.0.0.0/", ip, &plen), -1);
	assert_int_equal(ipkey_of(IND_CIDR, "10.0.0.0/+8", ip, &plen), -1);
	assert_int_equal(ipkey_of(IND_CIDR, "10.0.0.0/0008", ip, &plen), -1);
	assert_int_equal(ipkey_of(IND_URL, "https://u:p@[2001:db8::1]:443/",
	    ip, &plen), 0);
	assert_int_equal(ipkey_of(IND_URL, "https://example.org/", ip, &plen),
	    -1);
	assert_string_equal(rd = ipkey_rdomain_of(IND_URL,
	    "https://user@Sub.Example.ORG:8443/a"), "org.example.sub.");
	free(rd);
	assert_string_equal(rd = ipkey_rdomain_of(IND_EMAIL, "x@mail.ex.jp"),
	    "jp.ex.mail.");
	free(rd);
	assert_null(ipkey_rdomain_of(IND_URL, "http://192.0.2.1/"));
	assert_null(ipkey_rdomain_of(IND_MD5, "x"));
}

static int
group_setup(void **state)
{
	(void)state;
	log_init("test_archive", LOG_TO_STDERR, 0);
	return hubkey_setup(tmpdir, &g, hubfpr);
}

static int
group_teardown(void **state)
{
	(void)state;
	hubkey_teardown(tmpdir, g);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipkey),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_clear_community),
		cmocka_unit_test(test_walk_and_show),
		cmocka_unit_test(test_at_rest),
		cmocka_unit_test(test_create_race),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
