/*
 * search: query parsing, visibility, and the search (search.h).
 *
 * A search runs in two steps.  First the candidate indicators, by the
 * access path the query's kind calls for (archive.c explains the keys);
 * then, for each candidate, newest first, its sightings with their posts,
 * filtered by the query's filters and by what the viewer may see.  A
 * candidate with no visible sighting is no hit.  The first step is
 * bounded (CAND_MAX) so a query like "com" cannot walk the whole archive
 * into memory.
 */
#include "config.h"

#include "archive/search.h"
#include "archive/ipkey.h"
#include "archive/text.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlcipher/sqlite3.h>

#define CAND_MAX	100000	/* candidates gathered */
#define CAND_EVAL	5000	/* candidates evaluated for a viewer */

bool
search_may_see(const struct search_viewer *v, const char *list,
    enum tlp tlp, bool recipient)
{
	size_t i;

	if (v->admin)
		return tlp != TLP_RED && tlp != TLP_NONE ? true : v->red;
	if (tlp == TLP_CLEAR && v->community)
		return true;
	for (i = 0; i < v->nsubs; i++) {
		if (strcmp(v->subs[i].list, list) != 0)
			continue;
		/* RED: a recipient that is a member there still (a team
		 * turned partner, a mailbox handed on, lose it) */
		if (tlp == TLP_RED || tlp == TLP_NONE)
			return recipient && v->subs[i].role == ROLE_MEMBER;
		return tlp_may_receive(tlp, v->subs[i].role,
		    v->subs[i].clearance);
	}
	return false;
}

/* --- parsing ----------------------------------------------------------------- */

static bool
looks_like_domain(const char *s)
{
	bool dot = false, alpha = false;

	for (; *s != '\0'; s++) {
		if (*s == '.')
			dot = true;
		else if (isalpha((unsigned char)*s))
			alpha = true;
		else if (!isdigit((unsigned char)*s) && *s != '-')
			return false;
	}
	return dot && alpha;
}

int
search_parse(const char *text, struct search_query *q, char *err,
    size_t errlen)
{
	struct indicator *ind = NULL, *best = NULL;
	size_t n, i, len, lead = 0;
	char buf[sizeof q->value];

	memset(q, 0, sizeof *q);
	q->type = -1;
	if (text == NULL)
		text = "";
	while (text[lead] == ' ' || text[lead] == '\t')
		lead++;
	text += lead;
	len = strlen(text);
	/*
	 * Trailing dots go with the blanks: "evil[.]com." is the end of a
	 * sentence or an FQDN's root, and the indicator is what precedes
	 * it.  Cut before extraction, so the text is refanged and read as
	 * a whole like any other ("evil[.]com." is DOMAIN evil.com).
	 */
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
	    text[len - 1] == '\r' || text[len - 1] == '\n' ||
	    text[len - 1] == '.'))
		len--;
	if (len >= sizeof buf) {
		snprintf(err, errlen, "query too long (%zu octets, at most "
		    "%zu)", len, sizeof buf - 1);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
			snprintf(err, errlen, "control character in query");
			return -1;
		}
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (len == 0 && text[0] != '\0' && strspn(text, " \t\r\n") !=
	    strlen(text)) {
		/* only dots: not "everything" (mail refuses "*") */
		snprintf(err, errlen, "nothing to search for");
		return -1;
	}
	if (len == 0 || strcmp(buf, "*") == 0) {
		q->kind = SEARCH_ALL;
		return 0;
	}
	/* as a member would paste it: extract refangs and normalises */
	n = extract_indicators(buf, len, &ind);
	for (i = 0; i < n; i++)
		if (best == NULL || ind[i].end - ind[i].start >
		    best->end - best->start)
			best = &ind[i];
	if (best != NULL && best->start == 0 && best->end == len) {
		snprintf(q->value, sizeof q->value, "%s", best->value);
		switch (best->type) {
		case IND_IPV4:
		case IND_IPV6:
			q->kind = SEARCH_IP;
			break;
		case IND_CIDR:
			q->kind = SEARCH_CIDR;
			break;
		case IND_DOMAIN:
			q->kind = SEARCH_DOMAIN;
			break;
		default:
			q->kind = SEARCH_EXACT;
		}
	} else {
		/* "invoice.zip" is no indicator to extract, but a domain
		 * an analyst may still look for */
		for (i = 0; i < len; i++)
			buf[i] = (char)tolower((unsigned char)buf[i]);
		snprintf(q->value, sizeof q->value, "%s", buf);
		q->kind = looks_like_domain(buf) ? SEARCH_DOMAIN : SEARCH_EXACT;
	}
	indicators_free(ind, n);
	return 0;
}

/* --- candidates ------------------------------------------------------------------ */

struct cand {
	long long	 id;
	long long	 last;
};

/* Each access path yields an indicator at most once (search_run's
 * lookups are disjoint), so candidates need no deduplication. */
struct cands {
	struct cand	*v;
	size_t		 n, cap;
	bool		 capped;
};

static void
cand_add(struct cands *c, long long id, long long last)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xreallocarray(c->v, c->cap, sizeof *c->v);
	}
	c->v[c->n].id = id;
	c->v[c->n].last = last;
	c->n++;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* Run s (bound) and collect (id, last_seen) rows; type filter applied. */
static enum archive_status
collect(struct archive *a, sqlite3_stmt *s, int type, struct cands *c)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (type >= 0 && sqlite3_column_int(s, 2) != type)
			continue;
		if (c->n >= CAND_MAX) {
			c->capped = true;
			break;
		}
		cand_add(c, sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return archive_seterr(a, ARCHIVE_IO, "search: %s",
		    sqlite3_errmsg(archive_db(a)));
	return ARCHIVE_OK;
}

static enum archive_status
prep(struct archive *a, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(archive_db(a), sql, -1, s, NULL) != SQLITE_OK)
		return archive_seterr(a, ARCHIVE_IO, "search: %s",
		    sqlite3_errmsg(archive_db(a)));
	return ARCHIVE_OK;
}

#define CAND_COLS "SELECT id, last_seen, type FROM indicators "

static enum archive_status
cands_exact(struct archive *a, const struct search_query *q,
    struct cands *c)
{
	char forms[3][sizeof q->value];
	enum archive_status st;
	sqlite3_stmt *s;
	size_t i, k;

	if ((st = prep(a, CAND_COLS "WHERE type = ? AND value = ?", &s)) !=
	    ARCHIVE_OK)
		return st;
	/* the value as given, and case-folded both ways (hashes are
	 * stored lower case, CVE and AS numbers upper case) */
	snprintf(forms[0], sizeof forms[0], "%s", q->value);
	for (k = 0; forms[0][k] != '\0'; k++) {
		forms[1][k] = (char)tolower((unsigned char)forms[0][k]);
		forms[2][k] = (char)toupper((unsigned char)forms[0][k]);
	}
	forms[1][k] = forms[2][k] = '\0';
	for (i = 0; i <= IND_ASN && st == ARCHIVE_OK; i++) {
		if (q->type >= 0 && (int)i != q->type)
			continue;
		for (k = 0; k < 3 && st == ARCHIVE_OK; k++) {
			/* each form once: the lookups give disjoint rows */
			if ((k > 0 && strcmp(forms[k], forms[0]) == 0) ||
			    (k > 1 && strcmp(forms[k], forms[1]) == 0))
				continue;
			sqlite3_bind_int(s, 1, (int)i);
			sqlite3_bind_text(s, 2, forms[k], -1, SQLITE_STATIC);
			st = collect(a, s, -1, c);
		}
	}
	sqlite3_finalize(s);
	return st;
}

static enum archive_status
cands_domain(struct archive *a, const struct search_query *q,
    struct cands *c)
{
	enum archive_status st;
	sqlite3_stmt *s;
	char *lo, *hi;
	size_t n;

	if ((lo = ipkey_rdomain(q->value, strlen(q->value))) == NULL)
		return ARCHIVE_OK;
	/* "org.example." .. "org.example/": '/' follows '.' in ASCII */
	hi = xstrdup(lo);
	n = strlen(hi);
	hi[n - 1] = '/';
	if ((st = prep(a, CAND_COLS "WHERE rdomain >= ? AND rdomain < ?",
	    &s)) == ARCHIVE_OK) {
		sqlite3_bind_text(s, 1, lo, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, hi, -1, SQLITE_STATIC);
		st = collect(a, s, q->type, c);
		sqlite3_finalize(s);
	}
	free(lo);
	free(hi);
	return st;
}

/* Every network that contains ip/plen, plen itself included: one point
 * lookup per shorter prefix of the address's family. */
static enum archive_status
cands_containing(struct archive *a, const unsigned char ip[16], int plen,
    int type, struct cands *c)
{
	static const unsigned char v4map[12] =
	    { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	enum archive_status st;
	unsigned char net[16];
	sqlite3_stmt *s;
	int p, base;

	base = memcmp(ip, v4map, 12) == 0 ? 96 : 0;
	if ((st = prep(a, CAND_COLS "WHERE iplo = ? AND plen = ?", &s)) !=
	    ARCHIVE_OK)
		return st;
	for (p = base; p <= plen && st == ARCHIVE_OK; p++) {
		memcpy(net, ip, 16);
		ipkey_mask(net, p);
		sqlite3_bind_blob(s, 1, net, 16, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, p);
		st = collect(a, s, type, c);
	}
	sqlite3_finalize(s);
	return st;
}

static enum archive_status
cands_ip(struct archive *a, const struct search_query *q, struct cands *c)
{
	enum archive_status st;
	unsigned char ip[16], last[16];
	sqlite3_stmt *s;
	int plen;

	if (ipkey_of(q->kind == SEARCH_CIDR ? IND_CIDR : IND_IPV6, q->value,
	    ip, &plen) == -1 && ipkey_of(IND_IPV4, q->value, ip, &plen) == -1)
		return ARCHIVE_OK;
	if ((st = cands_containing(a, ip, plen, q->type, c)) != ARCHIVE_OK ||
	    q->kind != SEARCH_CIDR)
		return st;
	/* and everything inside the CIDR: one range of the ip index */
	ipkey_last(ip, plen, last);
	if ((st = prep(a, CAND_COLS "WHERE iplo >= ? AND iplo <= ?"
	    " AND plen > ?", &s)) != ARCHIVE_OK)
		return st;
	sqlite3_bind_blob(s, 1, ip, 16, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, last, 16, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, plen);
	st = collect(a, s, q->type, c);
	sqlite3_finalize(s);
	return st;
}

/* --- hits ------------------------------------------------------------------------ */

struct hitctx {
	struct archive		*a;
	const struct search_query *q;
	const struct search_viewer *v;
	sqlite3_stmt		*ind;	/* the indicator row */
	sqlite3_stmt		*sight;	/* its sightings with posts */
	sqlite3_stmt		*aud;	/* is the viewer a recipient? */
};

static const char sight_sql[] =
	"SELECT p.id, p.list, p.team, p.tlp, p.at, p.subject, s.context"
	" FROM sightings s JOIN posts p ON p.id = s.post"
	" WHERE s.indicator = ?1"
	" AND (?2 = 0 OR p.at >= ?2) AND (?3 = 0 OR p.at < ?3)"
	" AND (?4 IS NULL OR p.list = ?4)"
	" AND (?5 IS NULL OR p.team = ?5 COLLATE NOCASE)"
	" AND (?6 = 0 OR p.tlp = ?6)"
	" ORDER BY p.at DESC, p.id DESC";

static bool
recipient_of(struct hitctx *h, const char *post)
{
	bool yes;

	if (h->v->address == NULL)
		return false;
	sqlite3_bind_text(h->aud, 1, post, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(h->aud, 2, h->v->address, -1, SQLITE_STATIC);
	yes = sqlite3_step(h->aud) == SQLITE_ROW;
	sqlite3_reset(h->aud);
	return yes;
}

static void
teams_add(char **teams, const char *team)
{
	char *t = *teams, *p;
	size_t n = strlen(team);

	for (p = t; p != NULL && *p != '\0'; p += strcspn(p, ",") +
	    (p[strcspn(p, ",")] == ',')) {
		if (strncasecmp(p, team, n) == 0 && (p[n] == ',' ||
		    p[n] == '\0'))
			return;
	}
	*teams = t == NULL ? xstrdup(team) : xasprintf("%s,%s", t, team);
	free(t);
}

static const char *
opt(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/* Fill hit for indicator id from its visible sightings; 1 if any. */
static int
hit_of(struct hitctx *h, long long id, struct search_hit *hit,
    enum archive_status *st)
{
	const struct search_query *q = h->q;
	int rc;

	memset(hit, 0, sizeof *hit);
	sqlite3_bind_int64(h->sight, 1, id);
	sqlite3_bind_int64(h->sight, 2, q->since);
	sqlite3_bind_int64(h->sight, 3, q->until);
	if (opt(q->list))
		sqlite3_bind_text(h->sight, 4, q->list, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(h->sight, 4);
	if (opt(q->team))
		sqlite3_bind_text(h->sight, 5, q->team, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(h->sight, 5);
	sqlite3_bind_int(h->sight, 6, (int)q->tlp);
	while ((rc = sqlite3_step(h->sight)) == SQLITE_ROW) {
		const char *post = (const char *)sqlite3_column_text(h->sight, 0);
		const char *list = (const char *)sqlite3_column_text(h->sight, 1);
		const char *team = (const char *)sqlite3_column_text(h->sight, 2);
		enum tlp tlp = (enum tlp)sqlite3_column_int(h->sight, 3);
		long long at = sqlite3_column_int64(h->sight, 4);
		struct search_report *r;

		if (!search_may_see(h->v, list, tlp, tlp >= TLP_RED ||
		    tlp == TLP_NONE ? recipient_of(h, post) : false))
			continue;
		if (hit->count == 0 || at > hit->last_seen)
			hit->last_seen = at;
		if (hit->count == 0 || at < hit->first_seen)
			hit->first_seen = at;
		hit->count++;
		teams_add(&hit->teams, team);
		if (hit->nreports >= SEARCH_REPORTS_MAX)
			continue;
		hit->reports = xreallocarray(hit->reports, hit->nreports + 1,
		    sizeof *hit->reports);
		r = &hit->reports[hit->nreports++];
		memset(r, 0, sizeof *r);
		snprintf(r->post, sizeof r->post, "%s", post);
		r->list = xstrdup(list);
		r->team = xstrdup(team);
		r->tlp = tlp;
		r->at = at;
		if (sqlite3_column_type(h->sight, 5) != SQLITE_NULL)
			r->subject = xstrdup((const char *)
			    sqlite3_column_text(h->sight, 5));
		if (sqlite3_column_type(h->sight, 6) != SQLITE_NULL)
			r->context = xstrdup((const char *)
			    sqlite3_column_text(h->sight, 6));
	}
	sqlite3_reset(h->sight);
	if (rc != SQLITE_DONE) {
		*st = archive_seterr(h->a, ARCHIVE_IO, "search: %s",
		    sqlite3_errmsg(archive_db(h->a)));
		return 0;
	}
	if (hit->count == 0)
		return 0;	/* nothing visible: no need for the row */
	sqlite3_bind_int64(h->ind, 1, id);
	if ((rc = sqlite3_step(h->ind)) != SQLITE_ROW) {
		sqlite3_reset(h->ind);
		if (rc != SQLITE_DONE)
			*st = archive_seterr(h->a, ARCHIVE_IO, "search: %s",
			    sqlite3_errmsg(archive_db(h->a)));
		return 0;
	}
	hit->type = (enum ind_type)sqlite3_column_int(h->ind, 0);
	hit->value = xstrdup((const char *)sqlite3_column_text(h->ind, 1));
	hit->flags = (unsigned)sqlite3_column_int(h->ind, 2);
	sqlite3_reset(h->ind);
	return 1;
}

/* Archive content is plaintext of reports: wiped before it is freed. */
static void
wipe_free(char *p)
{
	if (p != NULL)
		hub_wipe(p, strlen(p));
	free(p);
}

static void
hit_clear(struct search_hit *h)
{
	size_t i;

	for (i = 0; i < h->nreports; i++) {
		free(h->reports[i].list);
		free(h->reports[i].team);
		wipe_free(h->reports[i].subject);
		wipe_free(h->reports[i].context);
	}
	free(h->reports);
	wipe_free(h->value);
	free(h->teams);
	memset(h, 0, sizeof *h);
}

void
search_hits_free(struct search_hit *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hit_clear(&h[i]);
	free(h);
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct search_hit *x = a, *y = b;

	const char *px, *py;
	int c;

	if (x->last_seen != y->last_seen)
		return x->last_seen < y->last_seen ? 1 : -1;
	/* the same second: the later report (spool ids sort by arrival,
	 * to the microsecond) */
	px = strrchr(x->reports[0].post, ':');
	py = strrchr(y->reports[0].post, ':');
	if ((c = strcmp(py != NULL ? py : y->reports[0].post,
	    px != NULL ? px : x->reports[0].post)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

/*
 * The hits, newest first by what the viewer sees.  Candidates from a
 * list are all evaluated (up to CAND_EVAL) before sorting, so neither
 * the order nor which hits make the limit depends on reports hidden
 * from the viewer.  SEARCH_ALL streams from the last_seen index and
 * stops at the limit; there the order follows every report (the admin's
 * listing), which is why a mailed search refuses it.
 */
static enum archive_status
hits_from(struct hitctx *h, struct cands *c, sqlite3_stmt *stream,
    struct search_hit **out, size_t *n)
{
	size_t limit = h->q->limit ? h->q->limit : SEARCH_LIMIT, i = 0;
	enum archive_status st = ARCHIVE_OK;
	struct search_hit hit;
	bool full = false;
	int rc;

	for (;;) {
		long long id;

		if (st != ARCHIVE_OK || (stream != NULL && *n >= limit))
			break;
		if (stream != NULL) {
			if ((rc = sqlite3_step(stream)) != SQLITE_ROW) {
				if (rc != SQLITE_DONE)
					st = archive_seterr(h->a, ARCHIVE_IO,
					    "search: %s", sqlite3_errmsg(
					    archive_db(h->a)));
				break;
			}
			id = sqlite3_column_int64(stream, 0);
		} else {
			if (i >= c->n || i >= CAND_EVAL)
				break;
			/*
			 * Candidates come newest first by their last report
			 * of all, and what a viewer sees of one is never
			 * newer: once the limit is full and the weakest hit
			 * kept is newer than this candidate could be, no
			 * later candidate gets in.  The result is the same
			 * as weighing them all.
			 */
			if (full && c->v[i].last < (*out)[limit - 1].last_seen)
				break;
			id = c->v[i++].id;
		}
		if (!hit_of(h, id, &hit, &st)) {
			hit_clear(&hit);
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = hit;
		if (stream == NULL && *n >= limit) {
			qsort(*out, *n, sizeof **out, hit_cmp);
			while (*n > limit)
				hit_clear(&(*out)[--(*n)]);
			full = true;
		}
	}
	if (stream == NULL && *n > 1)
		qsort(*out, *n, sizeof **out, hit_cmp);
	return st;
}

enum archive_status
search_run(struct archive *a, const struct search_query *q,
    const struct search_viewer *v, struct search_hit **out, size_t *n)
{
	struct hitctx h = { .a = a, .q = q, .v = v };
	struct cands c = { 0 };
	sqlite3_stmt *stream = NULL;
	enum archive_status st;

	*out = NULL;
	*n = 0;
	if ((st = prep(a, "SELECT type, value, flags FROM indicators"
	    " WHERE id = ?", &h.ind)) != ARCHIVE_OK ||
	    (st = prep(a, sight_sql, &h.sight)) != ARCHIVE_OK ||
	    (st = prep(a, "SELECT 1 FROM audience WHERE post = ?"
	    " AND address = ? COLLATE NOCASE", &h.aud)) != ARCHIVE_OK)
		goto out;
	switch (q->kind) {
	case SEARCH_ALL:
		if ((st = prep(a, "SELECT id FROM indicators"
		    " WHERE (?1 < 0 OR type = ?1)"
		    " ORDER BY last_seen DESC, id DESC", &stream)) !=
		    ARCHIVE_OK)
			goto out;
		sqlite3_bind_int(stream, 1, q->type);
		break;
	case SEARCH_EXACT:
		st = cands_exact(a, q, &c);
		break;
	case SEARCH_DOMAIN:
		st = cands_domain(a, q, &c);
		break;
	case SEARCH_IP:
	case SEARCH_CIDR:
		st = cands_ip(a, q, &c);
		break;
	}
	if (st != ARCHIVE_OK)
		goto out;
	if (stream == NULL && c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, cand_cmp);
	st = hits_from(&h, &c, stream, out, n);
out:
	sqlite3_finalize(h.ind);
	sqlite3_finalize(h.sight);
	sqlite3_finalize(h.aud);
	sqlite3_finalize(stream);
	free(c.v);
	if (st != ARCHIVE_OK) {
		search_hits_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return st;
}

/* --- text ------------------------------------------------------------------------ */

/* Text from the archive on one line, at most max octets (mail lines
 * stay under RFC 5322's 998).  For mail, text_clean: a stranger's
 * subject must not reorder what a member's answer shows.  For hubctl,
 * controls become spaces and the rest is left for its escaping
 * (tools/safetext.h), which shows an admin what was there. */
static void
put_line(struct buf *out, const char *s, size_t max, bool mail)
{
	size_t k, len = s != NULL ? strlen(s) : 0, cut = len;

	if (cut > max) {
		cut = max;
		/* not inside a UTF-8 sequence */
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	if (mail)
		text_clean(out, s, cut);
	else
		for (k = 0; k < cut; k++)
			buf_append(out, (unsigned char)s[k] < 0x20 ||
			    s[k] == 0x7f ? " " : s + k, 1);
	if (cut < len)
		buf_append_str(out, "...");
}

void
search_hits_text(const struct search_hit *h, size_t n, const char *eol,
    bool mail, struct buf *out)
{
	char f[16], l[16];
	size_t i, k;

	for (i = 0; i < n; i++) {
		hub_utc(h[i].first_seen, HUB_UTC_DAY, f, sizeof f);
		hub_utc(h[i].last_seen, HUB_UTC_DAY, l, sizeof l);
		buf_printf(out, "%s  %s  first %s  last %s  seen %zux  teams ",
		    h[i].value, ind_type_str(h[i].type), f, l, h[i].count);
		put_line(out, h[i].teams, 300, mail);
		if (h[i].flags & IND_DOC)
			buf_append_str(out, "  [documentation/reserved]");
		if (h[i].flags & IND_OWN)
			buf_append_str(out, "  [the hub's own]");
		buf_append_str(out, eol);
		for (k = 0; k < h[i].nreports; k++) {
			const struct search_report *r = &h[i].reports[k];

			hub_utc(r->at, HUB_UTC_DAY, f, sizeof f);
			buf_printf(out, "    %s  %s  %s  %s  post %s  ", f,
			    r->list, tlp_str(r->tlp), r->team, r->post);
			put_line(out, r->subject != NULL ? r->subject :
			    "(no subject)", 300, mail);
			buf_append_str(out, eol);
			if (r->context != NULL) {
				buf_append_str(out, "        | ");
				put_line(out, r->context, 300, mail);
				buf_append_str(out, eol);
			}
		}
		if (h[i].count > h[i].nreports)
			buf_printf(out, "    ... and %zu more reports%s",
			    h[i].count - h[i].nreports, eol);
	}
}
