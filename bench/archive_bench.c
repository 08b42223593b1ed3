/*
 * archive_bench: fill a fresh archive through archive_add_post() until N
 * distinct indicators are stored, then time search_run() by query kind,
 * for bench/archive.
 *
 * usage: archive_bench DIR N
 *
 * DIR must be an empty scratch directory; it gets gnupg/ with a fresh hub
 * key, hub.fpr and the archive, as hubctl init and the worker would make
 * them.  Nothing is read from outside DIR, and the data are generated
 * from a fixed seed, so two runs of the same N store the same archive.
 *
 * The data aim at a busy community's year rather than at a best or worst
 * case: 10 indicators per post, about 20% of them re-sightings of earlier
 * ones (half of those recent: the same campaign is reported again within
 * days), a mix by type close to what CSIRT lists carry, registrable
 * domains and /16s chosen with a skew so that a few carry many names and
 * addresses (abused hosters and bullet-proof ranges are what analysts
 * search for, and they are the expensive queries).  Every post carries
 * its list's 10 recipients as audience, because the worker keeps the
 * audience of every post, not only of RED ones.
 *
 * Output, one line each, key=value so the script (or a person) can pick
 * fields:
 *   N=.. posts=.. indicators=.. sightings=.. fill_s=.. ingest_ind_per_s=..
 *       ingest_posts_per_s=.. size_mb=..
 *   N=.. kind=exact|domain|ip|cidr viewer=admin|member median_ms=..
 *       p99_ms=.. hits_avg=..
 * ingest_ind_per_s counts the indicators handed to archive_add_post(),
 * re-sightings included: that is the work a post costs.  size_mb is
 * archive.db plus its -wal in 10^6 octets.  Latency is search_parse()
 * plus search_run() on the one open handle (its page cache warm), which
 * is what a long-running caller sees; hubctl opens the archive per
 * command and pays the gpg unwrap on top.
 *
 * Exit status: 0 measured, 1 the archive failed, 2 could not set up.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <arpa/inet.h>

#include "archive/archive.h"
#include "archive/search.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "base/log.h"
#include "base/xalloc.h"

#define PER_POST	10
#define RESEEN_PCT	20
#define NREG		2000	/* registrable domains */
#define NNET4		500	/* IPv4 /16s indicators live in */
#define NNET6		100	/* IPv6 /32s */
#define NLISTS		5
#define NTEAMS		40
#define NAUD		10	/* recipients per list */
#define NQUERIES	200
#define YEAR		(365LL * 86400)
#define T0		1704067200LL	/* 2024-01-01, any fixed day */

static char *gnupg_home;

/* --- deterministic randomness ------------------------------------------- */

/* splitmix64: tiny, fast and good enough to spread benchmark data; the
 * fixed seed makes runs comparable. */
static uint64_t rng_state = 0x5eed0a7c41be5c4aULL;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* Skewed towards 0: P(< k) = sqrt(k / n), so the head of a pool is
 * popular and its tail rare, as with real hosters and ranges. */
static unsigned
skewed(unsigned n)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;

	return (unsigned)(u * u * n);
}

static void
label(char *dst, unsigned minlen, unsigned maxlen)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned n = minlen + below(maxlen - minlen + 1), i;

	/* a letter first: a leading digit run could read as an IP part */
	dst[0] = al[below(26)];
	for (i = 1; i < n; i++)
		dst[i] = al[below(sizeof al - 1)];
	dst[n] = '\0';
}

static void
hex(char *dst, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = hx[below(16)];
	dst[n] = '\0';
}

/* --- the pools ------------------------------------------------------------ */

static char *regs[NREG];
static uint32_t nets4[NNET4];		/* a.b.0.0 */
static uint32_t nets6[NNET6];		/* first 32 bits */

static void
pools_make(void)
{
	/* every one a TLD libpsl knows, none a file extension extract
	 * would drop */
	static const char *const tlds[] = { "com", "net", "org", "info",
	    "ru", "cn", "xyz", "top", "io", "de", "biz", "online", "site" };
	char l[16];
	unsigned i, a;

	for (i = 0; i < NREG; i++) {
		label(l, 4, 10);
		/* the index keeps them distinct whatever the labels */
		regs[i] = xasprintf("%s%u.%s", l, i,
		    tlds[below(sizeof tlds / sizeof tlds[0])]);
	}
	for (i = 0; i < NNET4; i++) {
		/* public unicast, clear of the ranges extract marks as
		 * documentation or private, which real feeds rarely hold */
		do
			a = 1 + below(223);
		while (a == 10 || a == 100 || a == 127 || a == 169 ||
		    a == 172 || a == 192 || a == 198 || a == 203);
		nets4[i] = a << 24 | below(256) << 16;
	}
	for (i = 0; i < NNET6; i++)
		nets6[i] = 0x2a000000u | below(0x100000) << 4;
}

/* --- distinct indicators ---------------------------------------------------- */

struct ind {
	enum ind_type	 type;
	int		 reg;	/* registrable domain index, or -1 */
	char		*value;
};

static struct ind *inds;
static size_t ninds, capinds;
static uint32_t *slots;		/* open addressing: index + 1, 0 empty */
static size_t nslots;

static uint64_t
ind_hash(enum ind_type t, const char *v)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)t;

	for (; *v != '\0'; v++)
		h = (h ^ (unsigned char)*v) * 1099511628211ULL;
	return h;
}

/* The index of (t, v), added (v taken over) if new; *fresh says which. */
static size_t
ind_intern(enum ind_type t, int reg, char *v, bool *fresh)
{
	size_t i = (size_t)ind_hash(t, v) & (nslots - 1);

	for (; slots[i] != 0; i = (i + 1) & (nslots - 1)) {
		struct ind *o = &inds[slots[i] - 1];

		if (o->type == t && strcmp(o->value, v) == 0) {
			free(v);
			*fresh = false;
			return slots[i] - 1;
		}
	}
	if (ninds == capinds) {
		capinds = capinds ? capinds * 2 : 1024;
		inds = xreallocarray(inds, capinds, sizeof *inds);
	}
	inds[ninds].type = t;
	inds[ninds].reg = reg;
	inds[ninds].value = v;
	slots[i] = (uint32_t)(ninds + 1);
	*fresh = true;
	return ninds++;
}

static char *
host_under(int reg)
{
	char a[16], b[16];

	label(a, 3, 10);
	if (below(3) == 0) {
		label(b, 2, 8);
		return xasprintf("%s.%s.%s", a, b, regs[reg]);
	}
	return xasprintf("%s.%s", a, regs[reg]);
}

static char *
ipv4_str(uint32_t a)
{
	return xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
}

/* A new (probably) indicator of the mix's type, normalised as
 * archive/extract would store it (search_parse normalises queries the
 * same way, or exact queries would miss). */
static size_t
ind_new(bool *fresh)
{
	static const char *const words[] = { "invoice", "support", "admin",
	    "billing", "hr", "noreply", "security", "update", "payroll",
	    "it-desk" };
	unsigned u = below(100), plen;
	unsigned char a6[16];
	char buf[128], l[16], h[80];
	enum ind_type t;
	int reg = -1;
	uint32_t a;
	char *v, *host;

	if (u < 35) {
		t = IND_DOMAIN;
		reg = (int)skewed(NREG);
		v = host_under(reg);
	} else if (u < 55) {
		t = IND_IPV4;
		v = ipv4_str(nets4[skewed(NNET4)] | below(65536));
	} else if (u < 60) {
		t = IND_IPV6;
		memset(a6, 0, sizeof a6);
		a = nets6[skewed(NNET6)];
		a6[0] = (unsigned char)(a >> 24);
		a6[1] = (unsigned char)(a >> 16);
		a6[2] = (unsigned char)(a >> 8);
		a6[3] = (unsigned char)a;
		a6[5] = (unsigned char)below(256);
		a6[14] = (unsigned char)below(256);
		a6[15] = (unsigned char)(1 + below(255));
		inet_ntop(AF_INET6, a6, buf, sizeof buf);
		v = xstrdup(buf);
	} else if (u < 65) {
		t = IND_CIDR;
		plen = 16 + below(13);
		a = (nets4[skewed(NNET4)] | below(65536)) &
		    (0xffffffffu << (32 - plen));
		v = ipv4_str(a);
		snprintf(buf, sizeof buf, "%s/%u", v, plen);
		free(v);
		v = xstrdup(buf);
	} else if (u < 75) {
		t = IND_URL;
		reg = (int)skewed(NREG);
		host = host_under(reg);
		label(l, 3, 12);
		label(h, 4, 16);
		/* ends in a digit: extract trims sentence punctuation only */
		v = xasprintf("%s://%s/%s/%s.php?id=%u",
		    below(3) ? "https" : "http", host, l, h, below(100000));
		free(host);
	} else if (u < 80) {
		t = IND_EMAIL;
		reg = (int)skewed(NREG);
		label(l, 2, 6);
		v = xasprintf("%s.%s@%s", words[below(10)], l, regs[reg]);
	} else if (u < 90) {
		t = IND_SHA256;
		hex(buf, 64);
		v = xstrdup(buf);
	} else if (u < 95) {
		t = IND_MD5;
		hex(buf, 32);
		v = xstrdup(buf);
	} else {
		t = IND_CVE;
		v = xasprintf("CVE-%u-%u", 2015 + below(11), 1000 + below(59000));
	}
	return ind_intern(t, reg, v, fresh);
}

/* --- posts ------------------------------------------------------------------ */

static const char *const filler[] = {
	"We observed the activity below in the networks of two constituents "
	    "over the past week. ",
	"The initial access vector was a spear-phishing mail with a link to a "
	    "credential harvesting page. ",
	"Please check your proxy and DNS logs for the indicators and report "
	    "any sightings back to the list. ",
	"The actor used commodity tooling and rotated infrastructure every "
	    "few days, so expect more. ",
	"Blocking at the perimeter is recommended; the hashes are of the "
	    "second stage loader. ",
	"No data exfiltration has been confirmed yet, but lateral movement "
	    "was seen on one site. ",
	"Thanks to the reporting team for sharing this quickly. ",
	"Details of the vulnerability exploited are in the vendor advisory "
	    "referenced below. ",
};

struct gen {
	char		 fpr[41];
	char		*lists[NLISTS];
	char		*teams[NTEAMS];
	char		*contacts[NTEAMS];
	char		*aud[NLISTS][NAUD];
	size_t		 posts;
	size_t		 offered;
};

static void
gen_init(struct gen *g)
{
	unsigned i, k;

	for (i = 0; i < NLISTS; i++) {
		g->lists[i] = xasprintf("bench%u", i);
		for (k = 0; k < NAUD; k++)
			g->aud[i][k] = xasprintf("m%u@cert%02u.l%u.test", k,
			    (i * 7 + k) % NTEAMS, i);
	}
	for (i = 0; i < NTEAMS; i++) {
		g->teams[i] = xasprintf("CERT-%02u", i);
		g->contacts[i] = xasprintf("poc@cert%02u.test", i);
	}
}

static void
gen_free(struct gen *g)
{
	unsigned i, k;

	for (i = 0; i < NLISTS; i++) {
		free(g->lists[i]);
		for (k = 0; k < NAUD; k++)
			free(g->aud[i][k]);
	}
	for (i = 0; i < NTEAMS; i++) {
		free(g->teams[i]);
		free(g->contacts[i]);
	}
}

static enum tlp
tlp_pick(void)
{
	unsigned u = below(100);

	if (u < 10)
		return TLP_CLEAR;
	if (u < 50)
		return TLP_GREEN;
	if (u < 85)
		return TLP_AMBER;
	if (u < 95)
		return TLP_AMBER_STRICT;
	return TLP_RED;
}

/* Fill indices pick[PER_POST] for one post, never one twice. */
static void
pick_inds(size_t n, size_t pick[PER_POST])
{
	size_t i, k, x;
	bool fresh, dup;

	for (i = 0; i < PER_POST; i++) {
		do {
			if (ninds >= n || (ninds > 0 &&
			    below(100) < RESEEN_PCT)) {
				/* half recent, half from the whole year */
				if (below(2) == 0 && ninds > 5000)
					x = ninds - 1 - below(5000);
				else
					x = (size_t)(rnd() % ninds);
			} else
				x = ind_new(&fresh);
			for (dup = false, k = 0; k < i; k++)
				dup |= pick[k] == x;
		} while (dup);
		pick[i] = x;
	}
}

static enum archive_status
post_one(struct archive *a, struct gen *g, size_t n, long long step)
{
	struct archive_ind ai[PER_POST];
	char ctx[PER_POST][ARCHIVE_CONTEXT_MAX];
	size_t pick[PER_POST], i, len;
	struct archive_record r;
	enum archive_status st;
	unsigned list, team;
	char *body, *p;
	bool added;

	pick_inds(n, pick);
	memset(&r, 0, sizeof r);
	list = below(NLISTS);
	team = below(NTEAMS);
	r.at = T0 + (long long)g->posts * step + (long long)below(60);
	r.list = g->lists[list];
	/* "LIST:SPOOLID" as the worker files it */
	snprintf(r.id, sizeof r.id, "%s:%016llx-%012llx", r.list,
	    (unsigned long long)r.at * 1000000ULL + g->posts,
	    (unsigned long long)(rnd() & 0xffffffffffffULL));
	r.team = g->teams[team];
	r.contact = g->contacts[team];
	r.signer_fpr = g->fpr;
	r.tlp = tlp_pick();
	r.subject = xasprintf("[%s] Campaign %zu: indicators from %s",
	    r.list, g->posts, r.team);
	/* about 1 KB: a header, a line per indicator, prose to fill */
	len = 1400;
	body = p = xmalloc(len);
	p += snprintf(p, len, "%s\n\n%s", tlp_str(r.tlp), filler[below(8)]);
	for (i = 0; i < PER_POST; i++) {
		snprintf(ctx[i], sizeof ctx[i], "- %s (%s, campaign %zu)",
		    inds[pick[i]].value, ind_type_str(inds[pick[i]].type),
		    g->posts);
		ai[i].type = inds[pick[i]].type;
		ai[i].value = inds[pick[i]].value;
		ai[i].flags = 0;
		ai[i].context = ctx[i];
		if ((size_t)(p - body) + 200 < len)
			p += snprintf(p, len - (size_t)(p - body), "\n%s",
			    ctx[i]);
	}
	while ((size_t)(p - body) < 1000)
		p += snprintf(p, len - (size_t)(p - body), "\n%s",
		    filler[below(8)]);
	r.body = body;
	r.body_len = (size_t)(p - body);
	r.inds = ai;
	r.ninds = PER_POST;
	r.audience = g->aud[list];
	r.naudience = NAUD;
	st = archive_add_post(a, &r, &added);
	if (st == ARCHIVE_OK && !added) {
		fprintf(stderr, "archive_bench: post %s filed twice\n", r.id);
		st = ARCHIVE_INVALID;
	}
	free(body);
	free(r.subject);
	g->posts++;
	g->offered += PER_POST;
	return st;
}

/* --- queries ------------------------------------------------------------------ */

enum qkind { Q_EXACT, Q_DOMAIN, Q_IP, Q_CIDR, Q_NKINDS };

static const char *const qkind_name[] = { "exact", "domain", "ip", "cidr" };
static const enum search_kind qkind_search[] = { SEARCH_EXACT,
    SEARCH_DOMAIN, SEARCH_IP, SEARCH_CIDR };

static bool
used(char **q, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(q[i], v) == 0)
			return true;
	return false;
}

/* One query text of kind k, sampled from what was stored (so sampling
 * by indicator weights pools by how much they hold), or NULL when the
 * archive holds nothing it could be made from. */
static char *
query_one(enum qkind k)
{
	static unsigned nexact;
	size_t tries, x;
	uint32_t net, a;
	unsigned plen;
	char buf[64], *slash;

	nexact++;
	for (tries = 0; tries < 100000; tries++) {
		const struct ind *in = &inds[rnd() % ninds];

		switch (k) {
		case Q_EXACT:
			/* alternate hashes and URLs, the usual lookups */
			if (in->type == (nexact % 2 ? IND_URL : IND_SHA256) ||
			    (tries > 1000 && (in->type == IND_URL ||
			    in->type == IND_SHA256)))
				return xstrdup(in->value);
			break;
		case Q_DOMAIN:
			if (in->type == IND_DOMAIN)
				return xstrdup(regs[in->reg]);
			break;
		case Q_IP:
			if (in->type != IND_CIDR)
				break;
			/* an address inside a stored network */
			snprintf(buf, sizeof buf, "%s", in->value);
			slash = strchr(buf, '/');
			*slash = '\0';
			plen = (unsigned)atoi(slash + 1);
			if (inet_pton(AF_INET, buf, &net) != 1)
				break;
			x = (size_t)1 << (32 - plen);
			a = ntohl(net) + (uint32_t)(rnd() % x);
			return ipv4_str(a);
		case Q_CIDR:
			if (in->type != IND_IPV4)
				break;
			if (inet_pton(AF_INET, in->value, &net) != 1)
				break;
			a = ntohl(net) & 0xffff0000u;
			snprintf(buf, sizeof buf, "%u.%u.0.0/16", a >> 24,
			    (a >> 16) & 0xff);
			return xstrdup(buf);
		case Q_NKINDS:
			break;
		}
	}
	return NULL;
}

/* NQUERIES distinct texts where the data allow, repeats otherwise. */
static size_t
queries_make(enum qkind k, char **q)
{
	size_t n = 0, tries = 0;
	char *v;

	while (n < NQUERIES && (v = query_one(k)) != NULL) {
		if (used(q, n, v) && ++tries < 20000) {
			free(v);
			continue;
		}
		q[n++] = v;
	}
	return n;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
measure(struct archive *a, size_t n, enum qkind k, char **q, size_t nq,
    const char *vname, const struct search_viewer *v)
{
	double lat[NQUERIES], t, med;
	struct search_query sq;
	struct search_hit *hits;
	size_t i, nh, total = 0, wrong = 0;
	enum archive_status st;
	char err[128];

	/* untimed: the first statement on a handle reads the schema, a
	 * cost once per open, not per query */
	if (search_parse(q[0], &sq, err, sizeof err) == 0 &&
	    search_run(a, &sq, v, &hits, &nh) == ARCHIVE_OK)
		search_hits_free(hits, nh);
	for (i = 0; i < nq; i++) {
		t = now();
		if (search_parse(q[i], &sq, err, sizeof err) == -1) {
			fprintf(stderr, "archive_bench: %s: %s\n", q[i], err);
			return -1;
		}
		if ((st = search_run(a, &sq, v, &hits, &nh)) != ARCHIVE_OK) {
			fprintf(stderr, "archive_bench: search %s: %s\n", q[i],
			    archive_errmsg(a));
			return -1;
		}
		lat[i] = (now() - t) * 1e3;
		wrong += sq.kind != qkind_search[k];
		total += nh;
		search_hits_free(hits, nh);
	}
	if (wrong > 0)
		fprintf(stderr, "archive_bench: %zu %s queries parsed as "
		    "another kind\n", wrong, qkind_name[k]);
	qsort(lat, nq, sizeof lat[0], dbl_cmp);
	med = nq % 2 ? lat[nq / 2] : (lat[nq / 2 - 1] + lat[nq / 2]) / 2;
	/* nearest rank */
	printf("N=%zu kind=%s viewer=%s median_ms=%.3f p99_ms=%.3f "
	    "hits_avg=%.1f queries=%zu\n", n, qkind_name[k], vname, med,
	    lat[(nq * 99 + 99) / 100 - 1], (double)total / (double)nq, nq);
	return 0;
}

/* --- setup -------------------------------------------------------------------- */

static void
kill_agent(void)
{
	char *cmd;

	if (gnupg_home == NULL)
		return;
	cmd = xasprintf("gpgconf --homedir '%s' --kill all 2>/dev/null",
	    gnupg_home);
	if (system(cmd) != 0)
		fprintf(stderr, "archive_bench: gpgconf --kill failed\n");
	free(cmd);
	free(gnupg_home);
	gnupg_home = NULL;
}

static long long
file_size(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat sb;
	long long n = stat(p, &sb) == 0 ? (long long)sb.st_size : 0;

	free(p);
	return n;
}

static struct archive *
setup(const char *dir, struct gen *g, struct gpg **gp)
{
	struct archive *a;
	enum archive_status st;
	char *p;
	FILE *f;

	gnupg_home = xasprintf("%s/gnupg", dir);
	atexit(kill_agent);
	if (mkdir(gnupg_home, 0700) == -1) {
		perror(gnupg_home);
		return NULL;
	}
	if (gpg_open(gnupg_home, gp) != CRYPTO_OK ||
	    keys_generate(*gp, "hub INSECURE <hub@hub.test>", KEYS_NO_EXPIRY,
	    g->fpr) != CRYPTO_OK) {
		fprintf(stderr, "archive_bench: cannot make the hub key\n");
		return NULL;
	}
	p = xasprintf("%s/%s", dir, ARCHIVE_FPR_FILE);
	if ((f = fopen(p, "w")) == NULL || fprintf(f, "%s\n", g->fpr) < 0 ||
	    fclose(f) != 0) {
		perror(p);
		free(p);
		return NULL;
	}
	free(p);
	if ((st = archive_open(dir, *gp, true, &a)) != ARCHIVE_OK) {
		fprintf(stderr, "archive_bench: archive_open: %s\n",
		    archive_status_str(st));
		return NULL;
	}
	return a;
}

int
main(int argc, char **argv)
{
	static const struct tlp_clearance sub = { "bench0", ROLE_MEMBER,
	    TLP_NONE };
	struct search_viewer admin = { .admin = true };
	/* a contact of an active team subscribed to one list */
	struct search_viewer member = { .community = true, .subs = &sub,
	    .nsubs = 1 };
	struct archive_counts cnt;
	struct archive *a;
	struct gpg *gp = NULL;
	struct gen g;
	char *q[Q_NKINDS][NQUERIES];
	size_t n, nq[Q_NKINDS], i, k, next;
	long long step;
	double t, fill;
	int rc = 0;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) < 100) {
		fprintf(stderr, "usage: archive_bench DIR N (N >= 100)\n");
		return 2;
	}
	log_init("archive_bench", LOG_TO_STDERR, 0);
	memset(&g, 0, sizeof g);
	gen_init(&g);
	pools_make();
	if ((a = setup(argv[1], &g, &gp)) == NULL) {
		gpg_close(gp);
		gen_free(&g);
		return 2;
	}
	member.address = g.aud[0][0];
	for (nslots = 1024; nslots < 2 * n; nslots *= 2)
		;
	slots = xcalloc(nslots, sizeof *slots);
	/* posts spread evenly over the year: about 8 new indicators each */
	step = YEAR / (long long)(n / 8 + 1);
	t = now();
	next = n / 10;
	while (ninds < n) {
		if (post_one(a, &g, n, step) != ARCHIVE_OK) {
			fprintf(stderr, "archive_bench: post %zu: %s\n",
			    g.posts, archive_errmsg(a));
			rc = 1;
			goto out;
		}
		if (ninds >= next) {
			/* a heartbeat: the 10^6 fill takes minutes */
			fprintf(stderr, "archive_bench: N=%zu %zu%% %.0f s\n",
			    n, ninds * 100 / n, now() - t);
			next += n / 10;
		}
	}
	fill = now() - t;
	if (archive_count(a, &cnt) != ARCHIVE_OK) {
		fprintf(stderr, "archive_bench: count: %s\n",
		    archive_errmsg(a));
		rc = 1;
		goto out;
	}
	if ((size_t)cnt.indicators != ninds)
		fprintf(stderr, "archive_bench: the archive counts %lld "
		    "indicators, the generator %zu\n", cnt.indicators, ninds);
	printf("N=%zu posts=%lld indicators=%lld sightings=%lld fill_s=%.1f "
	    "ingest_ind_per_s=%.0f ingest_posts_per_s=%.1f size_mb=%.1f\n",
	    n, cnt.posts, cnt.indicators, cnt.sightings, fill,
	    (double)g.offered / fill, (double)g.posts / fill,
	    (double)(file_size(argv[1], ARCHIVE_DB_FILE) +
	    file_size(argv[1], ARCHIVE_DB_FILE "-wal")) / 1e6);
	fflush(stdout);

	for (k = 0; k < Q_NKINDS; k++)
		nq[k] = queries_make((enum qkind)k, q[k]);
	for (k = 0; k < Q_NKINDS && rc == 0; k++) {
		if (nq[k] == 0) {
			printf("N=%zu kind=%s no data to query\n", n,
			    qkind_name[k]);
			continue;
		}
		if (measure(a, n, (enum qkind)k, q[k], nq[k], "admin",
		    &admin) == -1 || measure(a, n, (enum qkind)k, q[k],
		    nq[k], "member", &member) == -1)
			rc = 1;
		fflush(stdout);
	}
	for (k = 0; k < Q_NKINDS; k++)
		for (i = 0; i < nq[k]; i++)
			free(q[k][i]);
out:
	archive_close(a);
	gpg_close(gp);
	for (i = 0; i < ninds; i++)
		free(inds[i].value);
	free(inds);
	free(slots);
	for (i = 0; i < NREG; i++)
		free(regs[i]);
	gen_free(&g);
	return rc;
}
