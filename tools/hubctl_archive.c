/*
 * hubctl archive: search, show, export, stats (hubctl(8) ARCHIVE).
 *
 * hubctl runs on the hub host as the hub's admin, who holds the keys;
 * still, TLP:RED reports are meant for their recipients only, so the
 * admin sees them only when asking for them (--red), and an export never
 * contains them.  --as ADDRESS shows exactly what that contact would get
 * from a mailed search (the same clearance code as the worker's).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "archive/archive.h"
#include "archive/export.h"
#include "archive/search.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "hub/conf.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"
#include "tools/hubctl.h"
#include "tools/out.h"
#include "tools/safetext.h"

/* Filters shared by search and export. */
struct filters {
	long long	 since, until;
	const char	*list, *team;
	enum tlp	 tlp;
	int		 type;
	size_t		 limit;
	const char	*as;
	int		 red, csv;
	const char	*format, *out;
};

/* "2026-11-23", "2026-11-23T10:00:00" (UTC) or seconds since the epoch;
 * a bare date as --until means the end of that day. */
static int
parse_time(const char *s, int until, long long *out)
{
	struct tm tm;
	const char *e;
	char *end;

	memset(&tm, 0, sizeof tm);
	if ((e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) != NULL &&
	    *e == '\0') {
		*out = (long long)timegm(&tm);
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	if ((e = strptime(s, "%Y-%m-%d", &tm)) != NULL && *e == '\0') {
		*out = (long long)timegm(&tm) + (until ? 86400 : 0);
		return 0;
	}
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0 && *out > 0 ? 0 : -1;
}

static int
type_from_name(const char *name)
{
	int t;

	for (t = IND_IPV4; t <= IND_ASN; t++)
		if (strcasecmp(ind_type_str((enum ind_type)t), name) == 0)
			return t;
	return -1;
}

enum {
	O_TYPE = 1, O_SINCE, O_UNTIL, O_LIST, O_TEAM, O_TLP, O_LIMIT, O_AS,
	O_RED, O_CSV, O_FORMAT, O_OUT,
};

/* Options of the verb; argv[0] is the verb, *first the first operand. */
static int
parse_filters(struct hubctl *h, int argc, char **argv, struct filters *f,
    int *first)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, O_TYPE },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "list", required_argument, NULL, O_LIST },
		{ "team", required_argument, NULL, O_TEAM },
		{ "tlp", required_argument, NULL, O_TLP },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "as", required_argument, NULL, O_AS },
		{ "red", no_argument, NULL, O_RED },
		{ "csv", no_argument, NULL, O_CSV },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "out", required_argument, NULL, O_OUT },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	memset(f, 0, sizeof *f);
	f->type = -1;
	opterr = 0;
	optind = 0;	/* glibc: a fresh scan of this verb's argv */
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case O_TYPE:
			if ((f->type = type_from_name(optarg)) < 0)
				return hubctl_fail(h, HUBCTL_USAGE, "bad --type:"
				    " %s (ipv4 ipv6 cidr domain url email md5 "
				    "sha1 sha256 sha512 cve asn)", optarg);
			break;
		case O_SINCE:
		case O_UNTIL:
			if (parse_time(optarg, ch == O_UNTIL, ch == O_SINCE ?
			    &f->since : &f->until) == -1)
				return hubctl_fail(h, HUBCTL_USAGE, "bad --%s: "
				    "%s (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS UTC, "
				    "or epoch seconds)", ch == O_SINCE ?
				    "since" : "until", optarg);
			break;
		case O_LIST:
			f->list = optarg;
			break;
		case O_TEAM:
			f->team = optarg;
			break;
		case O_TLP:
			if (tlp_from_name(optarg, &f->tlp) == -1 ||
			    f->tlp == TLP_NONE)
				return hubctl_fail(h, HUBCTL_USAGE, "bad --tlp: "
				    "%s (clear, green, amber, amber+strict, "
				    "red)", optarg);
			break;
		case O_LIMIT:
			f->limit = (size_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || f->limit == 0)
				return hubctl_fail(h, HUBCTL_USAGE, "bad "
				    "--limit: %s", optarg);
			break;
		case O_AS:
			f->as = optarg;
			break;
		case O_RED:
			f->red = 1;
			break;
		case O_CSV:
			f->csv = 1;
			break;
		case O_FORMAT:
			f->format = optarg;
			break;
		case O_OUT:
			f->out = optarg;
			break;
		default:
			return hubctl_fail(h, HUBCTL_USAGE, "%s: unknown option "
			    "or missing value: %s", argv[0], argv[optind - 1]);
		}
	}
	*first = optind;
	return HUBCTL_OK;
}

static int
archive_fail(struct hubctl *h, enum archive_status st, struct archive *a)
{
	return hubctl_fail(h, st == ARCHIVE_NOT_FOUND || st == ARCHIVE_INVALID ?
	    HUBCTL_ERROR : HUBCTL_ENV, "%s", archive_errmsg(a));
}

/* The store and keyring, then the archive (never created here). */
static int
open_archive(struct hubctl *h, struct archive **ap)
{
	enum archive_status st;
	int rc;

	if ((rc = hubctl_open(h)) != HUBCTL_OK)
		return rc;
	if ((st = archive_open(h->cfg->data_dir, h->gpg, false, ap)) !=
	    ARCHIVE_OK) {
		if (st == ARCHIVE_NOT_FOUND)
			return hubctl_fail(h, HUBCTL_ERROR, "no archive in %s "
			    "yet: nothing has been relayed", h->cfg->data_dir);
		return hubctl_fail(h, HUBCTL_ENV, "cannot open the archive in "
		    "%s: %s", h->cfg->data_dir, archive_status_str(st));
	}
	return HUBCTL_OK;
}

/* Who is looking: the admin, or --as a contact with its clearances. */
static int
viewer_of(struct hubctl *h, const struct filters *f,
    struct search_viewer *v, struct tlp_clearance **cl)
{
	struct contact c;
	enum store_status st;
	size_t n;

	memset(v, 0, sizeof *v);
	*cl = NULL;
	if (f->as == NULL) {
		v->admin = true;
		v->red = f->red != 0;
		return HUBCTL_OK;
	}
	if (f->red)
		return hubctl_fail(h, HUBCTL_USAGE, "--red and --as exclude "
		    "each other");
	if ((st = store_contact_get(h->store, f->as, &c)) != STORE_OK)
		return hubctl_store_fail(h, st);
	store_contact_clear(&c);
	if ((st = roster_clearances(h->store, f->as, cl, &n, &v->community)) !=
	    STORE_OK)
		return hubctl_store_fail(h, st);
	if (!v->community)
		return hubctl_fail(h, HUBCTL_ERROR, "the team of %s is not "
		    "active: it sees nothing, and its searches by mail are "
		    "refused", f->as);
	v->address = f->as;
	v->subs = *cl;
	v->nsubs = n;
	return HUBCTL_OK;
}

/*
 * A cell of --csv: escaped as text is (tools/safetext.h: controls,
 * C1, bidirectional controls, bad UTF-8; one line), then quoted by the
 * exporter's cell writer, which alone would pass C1 controls and
 * bidirectional controls through.
 */
static void
csv_cell(const char *s, int last)
{
	char *t = safetext_dup(s != NULL ? s : "", 0);

	export_csv_cell(stdout, t, last);
	hub_wipe(t, strlen(t));
	free(t);
}

static void
print_csv(const struct search_hit *hit, size_t n)
{
	char f[32], l[32], d[32], cnt[32];
	size_t i, k;

	fputs("indicator,type,first_seen,last_seen,count,teams,post,list,"
	    "tlp,date,team,subject\r\n", stdout);
	for (i = 0; i < n; i++) {
		hub_utc(hit[i].first_seen, HUB_UTC_ISO, f, sizeof f);
		hub_utc(hit[i].last_seen, HUB_UTC_ISO, l, sizeof l);
		snprintf(cnt, sizeof cnt, "%zu", hit[i].count);
		for (k = 0; k < hit[i].nreports; k++) {
			const struct search_report *r = &hit[i].reports[k];

			hub_utc(r->at, HUB_UTC_ISO, d, sizeof d);
			csv_cell(hit[i].value, 0);
			csv_cell(ind_type_str(hit[i].type), 0);
			csv_cell(f, 0);
			csv_cell(l, 0);
			csv_cell(cnt, 0);
			csv_cell(hit[i].teams, 0);
			csv_cell(r->post, 0);
			csv_cell(r->list, 0);
			csv_cell(tlp_str(r->tlp), 0);
			csv_cell(d, 0);
			csv_cell(r->team, 0);
			csv_cell(r->subject, 1);
		}
	}
}

static void
print_json(struct out *o, const struct search_query *q,
    const struct search_hit *hit, size_t n)
{
	static const char *const kinds[] = {
		[SEARCH_ALL] = "all", [SEARCH_EXACT] = "exact",
		[SEARCH_DOMAIN] = "domain", [SEARCH_IP] = "ip",
		[SEARCH_CIDR] = "cidr",
	};
	char t[32];
	size_t i, k;

	out_map_begin(o);
	out_kstr(o, "query", q->value);
	out_kstr(o, "kind", kinds[q->kind]);
	out_key(o, "hits");
	out_list_begin(o);
	for (i = 0; i < n; i++) {
		out_map_begin(o);
		out_kstr(o, "indicator", hit[i].value);
		out_kstr(o, "type", ind_type_str(hit[i].type));
		hub_utc(hit[i].first_seen, HUB_UTC_ISO, t, sizeof t);
		out_kstr(o, "first_seen", t);
		hub_utc(hit[i].last_seen, HUB_UTC_ISO, t, sizeof t);
		out_kstr(o, "last_seen", t);
		out_kint(o, "count", (long long)hit[i].count);
		out_kstr(o, "teams", hit[i].teams);
		out_kbool(o, "documentation", (hit[i].flags & IND_DOC) != 0);
		out_kbool(o, "hub_own", (hit[i].flags & IND_OWN) != 0);
		out_key(o, "reports");
		out_list_begin(o);
		for (k = 0; k < hit[i].nreports; k++) {
			const struct search_report *r = &hit[i].reports[k];

			out_map_begin(o);
			out_kstr(o, "post", r->post);
			out_kstr(o, "list", r->list);
			out_kstr(o, "team", r->team);
			out_kstr(o, "tlp", tlp_str(r->tlp));
			hub_utc(r->at, HUB_UTC_ISO, t, sizeof t);
			out_kstr(o, "date", t);
			out_kstr(o, "subject", r->subject);
			out_kstr(o, "context", r->context);
			out_map_end(o);
		}
		out_list_end(o);
		out_map_end(o);
	}
	out_list_end(o);
	out_map_end(o);
}

static int
do_search(struct hubctl *h, int argc, char **argv)
{
	struct tlp_clearance *cl = NULL;
	struct archive *a = NULL;
	struct search_viewer v;
	struct search_query q;
	struct search_hit *hit = NULL;
	struct filters f;
	enum archive_status st;
	char err[256];
	size_t n = 0;
	int rc, first;

	if ((rc = parse_filters(h, argc, argv, &f, &first)) != HUBCTL_OK)
		return rc;
	if (argc - first > 1)
		return hubctl_fail(h, HUBCTL_USAGE, "one query at a time "
		    "(quote it if it has spaces)");
	if (f.csv && h->json)
		return hubctl_fail(h, HUBCTL_USAGE, "--csv and --json exclude "
		    "each other");
	if (search_parse(argc > first ? argv[first] : "", &q, err,
	    sizeof err) == -1)
		return hubctl_fail(h, HUBCTL_USAGE, "%s", err);
	q.type = f.type;
	q.since = f.since;
	q.until = f.until;
	snprintf(q.list, sizeof q.list, "%s", f.list ? f.list : "");
	snprintf(q.team, sizeof q.team, "%s", f.team ? f.team : "");
	q.tlp = f.tlp;
	q.limit = f.limit;
	if ((rc = open_archive(h, &a)) != HUBCTL_OK)
		return rc;
	if ((rc = viewer_of(h, &f, &v, &cl)) != HUBCTL_OK)
		goto out;
	if ((st = search_run(a, &q, &v, &hit, &n)) != ARCHIVE_OK) {
		rc = archive_fail(h, st, a);
		goto out;
	}
	if (f.csv)
		print_csv(hit, n);
	else if (h->json)
		print_json(h->out, &q, hit, n);
	else {
		struct buf *b = buf_new(BUF_SENSITIVE);

		search_hits_text(hit, n, "\n", false, b);
		/* archive/search makes the lines; what mail put in them
		 * is escaped as out.c does (tools/safetext.h) */
		safetext_write(stdout, buf_data(b), buf_len(b),
		    SAFETEXT_KEEP_NL, 0);
		printf("%zu indicator%s\n", n, n == 1 ? "" : "s");
		buf_free(b);
	}
	rc = n > 0 ? HUBCTL_OK : HUBCTL_ERROR;
out:
	search_hits_free(hit, n);
	free(cl);
	archive_close(a);
	return rc;
}

static int
do_show(struct hubctl *h, int argc, char **argv)
{
	struct tlp_clearance *cl = NULL;
	struct archive *a = NULL;
	struct archive_record r;
	struct search_viewer v;
	struct filters f;
	enum archive_status st;
	char t[32];
	size_t i;
	bool recipient = false;
	int rc, first;

	if ((rc = parse_filters(h, argc, argv, &f, &first)) != HUBCTL_OK)
		return rc;
	if (argc - first != 1)
		return hubctl_fail(h, HUBCTL_USAGE, "usage: archive show POST "
		    "[--red | --as ADDRESS]");
	if ((rc = open_archive(h, &a)) != HUBCTL_OK)
		return rc;
	if ((rc = viewer_of(h, &f, &v, &cl)) != HUBCTL_OK)
		goto out_noclear;
	if ((st = archive_get_post(a, argv[first], &r)) != ARCHIVE_OK) {
		rc = archive_fail(h, st, a);
		goto out_noclear;
	}
	for (i = 0; v.address != NULL && i < r.naudience; i++)
		if (strcasecmp(r.audience[i], v.address) == 0)
			recipient = true;
	if (!search_may_see(&v, r.list, r.tlp, recipient)) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "post %s is %s: %s", r.id,
		    tlp_str(r.tlp), v.admin ? "shown with --red only" :
		    "not visible to that contact");
		goto out;
	}
	out_map_begin(h->out);
	out_kstr(h->out, "post", r.id);
	out_kstr(h->out, "list", r.list);
	out_kstr(h->out, "tlp", tlp_str(r.tlp));
	hub_utc(r.at, HUB_UTC_ISO, t, sizeof t);
	out_kstr(h->out, "date", t);
	out_kstr(h->out, "team", r.team);
	out_kstr(h->out, "signer", r.contact);
	out_kstr(h->out, "signer_fpr", r.signer_fpr);
	out_kstr(h->out, "subject", r.subject);
	out_key(h->out, "audience");
	out_list_begin(h->out);
	for (i = 0; i < r.naudience; i++)
		out_str(h->out, r.audience[i]);
	out_list_end(h->out);
	out_key(h->out, "indicators");
	out_list_begin(h->out);
	for (i = 0; i < r.ninds; i++) {
		out_map_begin(h->out);
		out_kstr(h->out, "type", ind_type_str(r.inds[i].type));
		out_kstr(h->out, "value", r.inds[i].value);
		out_kstr(h->out, "context", r.inds[i].context);
		out_map_end(h->out);
	}
	out_list_end(h->out);
	out_ktext(h->out, "body", r.body);
	out_map_end(h->out);
out:
	archive_record_clear(&r);
out_noclear:
	free(cl);
	archive_close(a);
	return rc;
}

struct export_ctx {
	struct exporter	*e;
	char		 err[256];
};

static int
export_cb(void *ctx, const struct archive_record *r)
{
	struct export_ctx *x = ctx;

	return export_post(x->e, r, x->err, sizeof x->err);
}

static int
do_export(struct hubctl *h, int argc, char **argv)
{
	struct archive_filter af;
	struct export_opts eo;
	struct export_ctx x;
	struct archive *a = NULL;
	struct filters f;
	enum archive_status st;
	size_t posts = 0, items = 0, red = 0;
	int rc, first, cbrc;

	if ((rc = parse_filters(h, argc, argv, &f, &first)) != HUBCTL_OK)
		return rc;
	if (f.format == NULL || argc != first)
		return hubctl_fail(h, HUBCTL_USAGE, "usage: archive export "
		    "--format misp|stix|csv [--out PATH] [filters]");
	if (f.as != NULL || f.red)
		return hubctl_fail(h, HUBCTL_USAGE, "export takes no --as or "
		    "--red: TLP:RED is never exported");
	if (f.tlp == TLP_RED)
		return hubctl_fail(h, HUBCTL_ERROR, "TLP:RED is never "
		    "exported");
	if ((rc = open_archive(h, &a)) != HUBCTL_OK)
		return rc;
	memset(&eo, 0, sizeof eo);
	eo.out = f.out;
	eo.hub = h->cfg->domain;
	eo.now = (long long)hub_now();
	memset(&x, 0, sizeof x);
	if (export_begin(f.format, &eo, &x.e, x.err, sizeof x.err) == -1) {
		rc = hubctl_fail(h, HUBCTL_ERROR, "%s", x.err);
		goto out;
	}
	memset(&af, 0, sizeof af);
	af.since = f.since;
	af.until = f.until;
	af.list = f.list;
	af.team = f.team;
	af.tlp = f.tlp;
	af.tlp_max = TLP_AMBER_STRICT;	/* RED never leaves */
	af.type = f.type;
	st = archive_each_post(a, &af, export_cb, &x, &cbrc);
	if (st != ARCHIVE_OK || cbrc != 0) {
		export_abort(x.e);
		rc = st != ARCHIVE_OK ? archive_fail(h, st, a) :
		    hubctl_fail(h, HUBCTL_ENV, "export: %s", x.err);
		goto out;
	}
	if (export_end(x.e, &posts, &items, &red, x.err, sizeof x.err) ==
	    -1) {
		rc = hubctl_fail(h, HUBCTL_ENV, "export: %s", x.err);
		goto out;
	}
	/* the data may be on stdout: the summary goes to stderr */
	hubctl_warn("exported %zu posts, %zu items (%s)%s",
	    posts, items, f.format, f.out != NULL ? "" : " to stdout");
	rc = HUBCTL_OK;
out:
	archive_close(a);
	return rc;
}

static int
do_stats(struct hubctl *h, int argc, char **argv)
{
	struct archive_counts c;
	struct archive *a = NULL;
	enum archive_status st;
	struct stat sb;
	char *db;
	int rc;

	(void)argv;
	if (argc != 1)
		return hubctl_fail(h, HUBCTL_USAGE, "archive stats takes no "
		    "arguments");
	if ((rc = open_archive(h, &a)) != HUBCTL_OK)
		return rc;
	if ((st = archive_count(a, &c)) != ARCHIVE_OK) {
		rc = archive_fail(h, st, a);
		archive_close(a);
		return rc;
	}
	db = xasprintf("%s/%s", h->cfg->data_dir, ARCHIVE_DB_FILE);
	out_map_begin(h->out);
	out_kint(h->out, "posts", c.posts);
	out_kint(h->out, "indicators", c.indicators);
	out_kint(h->out, "sightings", c.sightings);
	out_kint(h->out, "size", stat(db, &sb) == 0 ? (long long)sb.st_size :
	    0);
	out_map_end(h->out);
	free(db);
	archive_close(a);
	return HUBCTL_OK;
}

int
cmd_archive(struct hubctl *h, int argc, char **argv)
{
	const struct hubctl_cmd *c = hubctl_cmd_find("archive");

	if (argc < 2)
		return hubctl_usage(c);
	if (hubctl_wants_help(argc, argv))
		return hubctl_help(c);
	if (strcmp(argv[1], "search") == 0)
		return do_search(h, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return do_show(h, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return do_export(h, argc - 1, argv + 1);
	if (strcmp(argv[1], "stats") == 0)
		return do_stats(h, argc - 1, argv + 1);
	hubctl_warn("archive: unknown verb: %s", argv[1]);
	return hubctl_usage(c);
}
