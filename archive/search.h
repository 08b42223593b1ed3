/*
 * search: the archive's query language, who may see what, and the
 * search itself.
 *
 * A query is one indicator, written as a member would paste it (defanged
 * forms are refanged by archive/extract first):
 *   - an IPv4/IPv6 address: that address, and every CIDR that contains it;
 *   - a CIDR: that CIDR, every address inside it and every CIDR inside it;
 *   - a domain: the domain and its subdomains ("example.org" finds
 *     "a.b.example.org"), as domains, as the host of URLs and as the
 *     domain of e-mail addresses;
 *   - anything else (URL, e-mail, hash, CVE, AS number, or a word
 *     extract does not read as an indicator): that exact value, case
 *     folded.
 *   - "" (or "*"): every indicator the filters admit.
 * Filters: type, since/until, list, team, tlp (struct search_query).
 *
 * Visibility (DESIGN.md "archived for"), one function, search_may_see():
 *   - the hub admin (hubctl on the hub host) sees everything but RED,
 *     and RED too when asked for it explicitly (--red);
 *   - a contact of an active team sees every TLP:CLEAR post (CLEAR has
 *     no limit on disclosure, DESIGN.md: "everyone allowed to search");
 *   - otherwise a contact sees a post only from a list it is subscribed
 *     to (in person or through its team), at a label it could have received
 *     there (tlp_may_receive: CLEAR/GREEN members and partners,
 *     AMBER/AMBER+STRICT members and partners cleared that high), and a
 *     RED post only if it was one of that post's recipients.
 *   Counts, first/last seen and the reporting teams of a hit are computed
 *   over the posts the viewer may see, so a RED report cannot be inferred
 *   from a count.
 */
#ifndef ARCHIVE_SEARCH_H
#define ARCHIVE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "archive/archive.h"
#include "lists/tlp.h"

struct search_viewer {
	bool				 admin;	/* the hub admin */
	bool				 red;	/* admin: RED included */
	const char			*address; /* a contact's address */
	bool				 community; /* of an active team */
	const struct tlp_clearance	*subs;
	size_t				 nsubs;
};

/* May this viewer see a post of this list and label?  recipient: the
 * viewer's address is in the post's audience (it was relayed to it). */
bool search_may_see(const struct search_viewer *v, const char *list,
    enum tlp tlp, bool recipient);

enum search_kind {
	SEARCH_ALL = 0,		/* "" or "*" */
	SEARCH_EXACT,		/* value, exact */
	SEARCH_DOMAIN,		/* domain and subdomains, URL hosts, e-mail */
	SEARCH_IP,		/* the address and the CIDRs containing it */
	SEARCH_CIDR,		/* the CIDR and everything inside it */
};

struct search_query {
	enum search_kind kind;
	char		 value[512];	/* normalised */
	int		 type;		/* enum ind_type, or -1: any */
	long long	 since, until;	/* 0: open */
	char		 list[64];	/* "" any */
	char		 team[64];
	enum tlp	 tlp;		/* TLP_NONE: any */
	size_t		 limit;		/* hits; 0: SEARCH_LIMIT */
};

#define SEARCH_LIMIT		200
#define SEARCH_REPORTS_MAX	20	/* reports listed per hit */

/* Fill q from text (kind, value), filters cleared; -1 with err set when
 * the text cannot be a query (too long, control characters, only dots).
 * Blanks around the text and dots at its end are not part of the query;
 * the rest is refanged and read as one indicator, or kept as an exact
 * (lower-case) value or a domain when no indicator covers it all. */
int search_parse(const char *text, struct search_query *q, char *err,
    size_t errlen);

/* One report of a hit. */
struct search_report {
	char		 post[ARCHIVE_ID_MAX];
	char		*list;
	char		*team;
	enum tlp	 tlp;
	long long	 at;
	char		*subject;
	char		*context;
};

struct search_hit {
	enum ind_type		 type;
	char			*value;
	unsigned		 flags;
	long long		 first_seen, last_seen;	/* visible posts */
	size_t			 count;			/* visible posts */
	char			*teams;		/* "CERT-A,CERT-B" */
	struct search_report	*reports;	/* newest first, at most
						   SEARCH_REPORTS_MAX */
	size_t			 nreports;
};

/* The hits for q that v may see, most recently seen first. */
enum archive_status search_run(struct archive *a,
    const struct search_query *q, const struct search_viewer *v,
    struct search_hit **out, size_t *n);
void search_hits_free(struct search_hit *h, size_t n);

/*
 * The hits as readable text (hubctl's table, the mailed answer), lines
 * ending in eol: per hit a line "VALUE  TYPE  first F  last L  seen Nx
 * teams T" (flags "documentation", "defanged", "hub's own" in brackets),
 * then one indented line per report: date, list, label, team, post id,
 * subject.  Subjects and contexts are cleaned of control characters;
 * for mail (a member's answer) also of bidi and format characters and
 * invalid UTF-8 (archive/text.h text_clean()); for hubctl those are left
 * for its escaping, which shows what was there.
 */
struct buf;
void search_hits_text(const struct search_hit *h, size_t n, const char *eol,
    bool mail, struct buf *out);

#endif
