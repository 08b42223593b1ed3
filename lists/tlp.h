/*
 * tlp: the Traffic Light Protocol vocabulary (FIRST TLP 2.0), the label
 * parser for posts, and who may receive a labelled post.
 *
 * This header is the one piece of lists/ that archive/ may include, so it
 * depends on nothing of ours (STYLE.md §2).  For the same reason the
 * subscription role (enum role) is defined here rather than in
 * lists/model.h: tlp_may_receive() needs it and archive/ will need it to
 * decide who may search what.
 *
 * Everything here is pure: no I/O, no globals, no allocation.  Strings
 * returned by the _str() functions are static.  Used in the worker
 * (policy, rewrite), by hubctl and by archive/.
 */
#ifndef LISTS_TLP_H
#define LISTS_TLP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Labels, ordered by restrictiveness so that "most restrictive" is the
 * largest value and comparisons read naturally (label >= TLP_AMBER).
 * TLP_NONE means "no label": no label found, or no clearance.
 */
enum tlp {
	TLP_NONE = 0,
	TLP_CLEAR,		/* also TLP 1.0 "TLP:WHITE" */
	TLP_GREEN,
	TLP_AMBER,
	TLP_AMBER_STRICT,
	TLP_RED,
};

/*
 * A subscription's role on a list (DESIGN.md "Community model"):
 *   ROLE_MEMBER   posts and receives;
 *   ROLE_PARTNER  receives only what is cleared for partners;
 *   ROLE_ADMIN    receives notices and may run admin commands; it does
 *                 NOT receive posts (a person who should get posts too
 *                 also needs a member or partner subscription).
 */
enum role {
	ROLE_MEMBER = 0,
	ROLE_PARTNER,
	ROLE_ADMIN,
};

/* "TLP:AMBER+STRICT" (canonical, uppercase); "none"; "unknown". */
const char *tlp_str(enum tlp t);

/*
 * A label as written in hub.conf, on hubctl's command line or in the
 * store: "amber", "AMBER+STRICT", "TLP:green", "white" (= CLEAR), any
 * case, optional "TLP:" prefix, nothing else (no spaces, no brackets).
 * "none" gives TLP_NONE (e.g. "no clearance").  Returns 0 and sets *out,
 * or -1 and leaves *out alone.
 */
int tlp_from_name(const char *name, enum tlp *out);

/* "member", "partner", "admin"; "unknown". */
const char *role_str(enum role r);
/* Exact, case-insensitive; 0 and *out set, or -1. */
int role_from_name(const char *name, enum role *out);

/* Where tlp_parse() found the label it reports. */
enum tlp_where {
	TLP_FROM_DEFAULT = 0,	/* no label: the list's default */
	TLP_FROM_SUBJECT,
	TLP_FROM_BODY,
};

const char *tlp_where_str(enum tlp_where w);

/*
 * Warnings about labels that were recognised but are not written as TLP
 * 2.0 asks ("MUST not contain spaces and SHOULD be in capitals").  They
 * never change the label; they are for the notice to the sender.
 */
#define TLP_WARN_SPACE		0x01u	/* "TLP: AMBER" */
#define TLP_WARN_CASE		0x02u	/* "tlp:amber" */
#define TLP_WARN_WHITE		0x04u	/* TLP 1.0 "TLP:WHITE" */

struct tlp_result {
	enum tlp	 label;		/* never TLP_NONE unless dflt was */
	enum tlp_where	 where;		/* where the reported label is */
	unsigned	 warnings;	/* TLP_WARN_*, over all labels seen */
	unsigned	 nlabels;	/* labels recognised (0: default) */
};

/*
 * The body window: tlp_parse() reads the body from its first octet up to
 * the end of its TLP_BODY_LINES-th non-empty line (a line with anything
 * but space, tab or CR; lines end at LF), and never past octet
 * TLP_BODY_MAX.  A label must lie wholly inside the window (the octet
 * just after it is still looked at, so a word cut by the window is not
 * taken for a label).  TLP 2.0 puts
 * the label "directly prior to the information", so a label further down
 * is quoted or incidental text, not this post's marking.
 */
#define TLP_BODY_LINES		10
#define TLP_BODY_MAX		2048

/*
 * Find the post's label in subject (a C string, may be NULL) and the
 * window of body (body_len octets, not NUL-terminated, may contain NULs;
 * NULL when body_len is 0).  body is the decoded text of the post, not
 * its MIME headers: choosing the part is the caller's job.
 *
 * A label is "TLP:" + one of CLEAR, WHITE, GREEN, AMBER+STRICT, AMBER,
 * RED, case-insensitive, optionally in brackets (they are not needed):
 *  - "TLP" must not follow a letter, digit or '_' (XTLP:RED is no label);
 *    any other octet, including UTF-8 (non-ASCII text), is a boundary;
 *  - the name must not be followed by a letter, digit or '_'
 *    (TLP:REDACTED, TLP:AMBERX are no labels);
 *  - AMBER+STRICT is tried before AMBER; "TLP:AMBER+" followed by
 *    anything else is AMBER (the stricter reading of a malformed label);
 *  - spaces or tabs between "TLP:" and the name are recognised
 *    (TLP_WARN_SPACE), never ignored: ignoring them could lower a label.
 * Several labels give the most restrictive; where is where that one was
 * first seen (subject before body).  No label gives dflt, TLP_FROM_DEFAULT.
 * Always fills *res.
 */
void tlp_parse(const char *subject, const char *body, size_t body_len,
    enum tlp dflt, struct tlp_result *res);

/*
 * May a subscription with this role (and clearance, TLP_NONE for none)
 * receive a post labelled t?  DESIGN.md's table:
 *   CLEAR, GREEN         member, partner
 *   AMBER, AMBER+STRICT  member; partner only with clearance >= t
 *   RED                  member only; never a partner, whatever clearance
 *   any label            never ROLE_ADMIN (notices only; see enum role)
 * A member's clearance is ignored.  An unlabelled post (TLP_NONE) is
 * treated as RED: when in doubt, restrict.  The caller passes the
 * effective role: a contact of a partner team is a partner whatever its
 * subscription says (lists/policy.c does this).
 */
bool tlp_may_receive(enum tlp t, enum role r, enum tlp clearance);

/*
 * What a contact is cleared for on one list, as lists/roster resolves it
 * from the roster and archive/search applies it: the effective role (a
 * partner team's contact is a partner; of a personal and a team
 * subscription the wider one) and, for partners, the clearance.
 */
struct tlp_clearance {
	char		 list[64];
	enum role	 role;
	enum tlp	 clearance;
};

#endif
