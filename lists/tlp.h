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
 * Everything here is pure: no I/O, no globals.  Only tlp_parse() and
 * tlp_stricter() allocate, temporarily, within the call (lists/tlp.c uses
 * GNU libunistring for Unicode).  Strings returned by the _str()
 * functions are static.  Used in the worker
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
	TLP_FROM_OUTER_SUBJECT,	/* tlp_stricter(): the unsigned Subject */
};

/* "default", "subject", "body", "outer-subject"; "unknown". */
const char *tlp_where_str(enum tlp_where w);

/*
 * Warnings about labels that were recognised but are not written as TLP
 * 2.0 asks ("MUST not contain spaces and SHOULD be in capitals").  They
 * never change the label; they are for the notice to the sender.
 * Unreadable markings (below) give no warnings: they refuse the post.
 */
#define TLP_WARN_SPACE		0x01u	/* "TLP: AMBER", "TLP : RED",
					 * "AMBER + STRICT" */
#define TLP_WARN_CASE		0x02u	/* "tlp:amber" */
#define TLP_WARN_WHITE		0x04u	/* TLP 1.0 "TLP:WHITE" */
#define TLP_WARN_SEPARATOR	0x08u	/* "TLP-RED", "TLP_RED", "TLP RED",
					 * "AMBER STRICT", "AMBER-STRICT" */

/* Room for the first unreadable marking, NUL included. */
#define TLP_UNREADABLE_MAX	64

struct tlp_result {
	enum tlp	 label;		/* never TLP_NONE unless dflt was
					 * (and nothing was unreadable) */
	enum tlp_where	 where;		/* where the reported label is */
	unsigned	 warnings;	/* TLP_WARN_*, over all labels seen */
	unsigned	 nlabels;	/* labels recognised (0: default) */
	unsigned	 nunreadable;	/* unreadable markings: > 0 refuses */
	char		 unreadable[TLP_UNREADABLE_MAX];
					/* the first of them, or "" */
};

/*
 * Find the post's label in subject (a C string, may be NULL: the Subject
 * from the signed content, already RFC 2047-decoded, UTF-8) and the WHOLE
 * of body (body_len octets of UTF-8 text, not NUL-terminated, may contain
 * NULs; may be NULL when body_len is 0).  body is the decoded text of the
 * post, not its MIME headers: choosing the parts is the caller's job.
 * DESIGN.md: "TLP never widens: the most restrictive label found anywhere
 * in the signed content wins; an unreadable marking refuses the post,
 * never defaults."  Always fills *res (all of it).
 *
 * Text is read line by line (lines end at LF; a label never spans lines;
 * a long line is read in pieces, with the same result) after this
 * normalisation, which the unreadable text below also shows:
 *  - invalid UTF-8 is replaced by U+FFFD and reading goes on;
 *  - Unicode NFKC: fullwidth "ＴＬＰ：ＲＥＤ", mathematical, circled and
 *    other compatibility letters and punctuation become ASCII;
 *  - format and default-ignorable characters are dropped: zero-width
 *    space/joiners U+200B-U+200F, U+2060-U+2064, U+FEFF, soft hyphen
 *    U+00AD, bidi controls, variation selectors, U+034F;
 *  - TAB and every Unicode space separator (NBSP, U+2000-U+200A, U+3000,
 *    also U+2028/U+2029) are a space; a run of spaces is one space;
 *  - dashes (Unicode Dash: hyphen, en/em dash, minus U+2212 ...) are '-';
 *    U+2236 RATIO, U+A789, U+02F8, U+0589, U+05C3 are ':'; U+2795 and
 *    U+02D6 are '+'.
 * Confusables that NFKC keeps (Cyrillic "ТLР") are not folded.
 *
 * Then, ASCII case-insensitive (lowercase: TLP_WARN_CASE):
 *  - a marking starts at "TLP" that does not follow an ASCII letter, digit
 *    or '_' (XTLP:RED, 1TLP:RED, _TLP:RED are nothing; any other
 *    character, non-ASCII ones included, is a boundary: 機密TLP:AMBER)
 *    and is not followed by a letter, digit or combining mark (TLPs);
 *  - the colon form, the explicit marking: "TLP", optional space, ':',
 *    optional space, then the name ("TLP : RED", "TLP: RED": warned
 *    TLP_WARN_SPACE).  Brackets are allowed and not needed ([TLP:RED]);
 *  - the other forms: "TLP" then a space and/or one '-' or '_' ("TLP-RED",
 *    "TLP_RED", "TLP RED", "TLP - RED": TLP_WARN_SEPARATOR);
 *  - names: RED, AMBER, GREEN, CLEAR, WHITE (= CLEAR, TLP_WARN_WHITE),
 *    and AMBER+STRICT: AMBER, then optional space, at most one of
 *    + - _ / & ( [ and optional space, then STRICT ("AMBER+STRICT";
 *    "AMBER + STRICT": TLP_WARN_SPACE; "AMBER STRICT", "AMBER_STRICT",
 *    "AMBER-STRICT", "AMBER/STRICT", "AMBER (STRICT)": SEPARATOR);
 *  - a name must end its word: not followed by an ASCII letter, digit or
 *    '_', a combining mark or U+FFFD (TLP:REDACTED, TLP:RED_x, TLP:RED
 *    then an invalid octet are not RED).  Other non-ASCII characters end
 *    it (TLP:AMBER機密 is AMBER: CJK text has no spaces);
 *  - a name followed by '+' must be AMBER+STRICT: "TLP:AMBER+" then
 *    anything else, with or without spaces ("AMBER+STRIKT", "AMBER +",
 *    "AMBER+STRICTER"), and "TLP:RED+x" are not labels.  "AMBER-" or
 *    "AMBER_" glued to anything but STRICT ("AMBER-STRIKT", "AMBER-",
 *    "AMBER_X") is not a label either; "AMBER - customers" (spaced) and
 *    "AMBER STRIKT" are AMBER followed by text; "RED-team" is RED.
 * A colon form that does not make a label is an UNREADABLE marking:
 * TLP:REDD, TLP:ORANGE, TLP:, "TLP: the protocol", TLP:AMBER+STRIKT,
 * TLP:REDACTED, TLP:赤, TLP::RED.  Each counts in nunreadable; the first
 * is copied into unreadable: its normalised text from "TLP" to the end of
 * the offending word (letters, digits, marks, '_', '+', '-', U+FFFD;
 * trailing space dropped), at most TLP_UNREADABLE_MAX - 1 octets cut at a
 * character boundary, control characters as '?', valid UTF-8, NUL-
 * terminated ("TLP:REDD", "TLP:AMBER+STRIKT", "TLP: AMBRE").  The other
 * forms are never unreadable: what is not exactly a label there is prose
 * or an identifier and is ignored (TLP 2.0, TLP-based, TLP_HEADER,
 * TLP REDACTED, TLP_AMBER_COLOR).
 *
 * Result: the most restrictive label recognised anywhere; where is where
 * it was first seen (subject before body); nlabels and warnings count
 * them all.  No label: dflt, TLP_FROM_DEFAULT.  Any unreadable marking
 * also makes label TLP_RED (fail safe: a caller that forgot to refuse
 * still restricts), where being the first unreadable marking's place
 * unless a recognised RED came first; the caller must refuse the post and
 * may quote unreadable to the sender.
 *
 * Cost: linear in the input; memory bounded by a few hundred KiB whatever
 * the input size, allocated for the call and freed before it returns
 * (out of memory is fatal, as with xmalloc).  No I/O, no globals.
 */
void tlp_parse(const char *subject, const char *body, size_t body_len,
    enum tlp dflt, struct tlp_result *res);

/*
 * The outer, unsigned Subject may only make the label stricter: scan
 * outer_subject (a C string, may be NULL: nothing happens) as tlp_parse()
 * scans a subject.  A label in it more restrictive than res->label raises
 * res->label (also above a default: nlabels 0) and sets res->where to
 * TLP_FROM_OUTER_SUBJECT; nothing lowers it.  Its labels add to nlabels
 * and warnings, its unreadable markings to nunreadable (and fill
 * unreadable if empty; they make the label TLP_RED as above).  res must
 * have been filled by tlp_parse().
 */
void tlp_stricter(struct tlp_result *res, const char *outer_subject);

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
