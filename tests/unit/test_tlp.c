/*
 * Unit tests for lists/tlp: label names, the parser (subject, the whole
 * body, Unicode normalisation, every spelling, unreadable markings,
 * several labels, the outer subject) and the receiving matrix.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lists/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE	TLP_NONE
#define CLEAR	TLP_CLEAR
#define GREEN	TLP_GREEN
#define AMBER	TLP_AMBER
#define STRICT	TLP_AMBER_STRICT
#define RED	TLP_RED
#define SUBJ	TLP_FROM_SUBJECT
#define BODY	TLP_FROM_BODY
#define DFLT	TLP_FROM_DEFAULT
#define W_SP	TLP_WARN_SPACE
#define W_CASE	TLP_WARN_CASE
#define W_WHITE	TLP_WARN_WHITE

static void
test_str(void **state)
{
	(void)state;
	assert_string_equal(tlp_str(TLP_NONE), "none");
	assert_string_equal(tlp_str(TLP_CLEAR), "TLP:CLEAR");
	assert_string_equal(tlp_str(TLP_GREEN), "TLP:GREEN");
	assert_string_equal(tlp_str(TLP_AMBER), "TLP:AMBER");
	assert_string_equal(tlp_str(TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
	assert_string_equal(tlp_str(TLP_RED), "TLP:RED");
	assert_string_equal(tlp_str((enum tlp)99), "unknown");
	assert_string_equal(tlp_where_str(TLP_FROM_SUBJECT), "subject");
	assert_string_equal(tlp_where_str(TLP_FROM_BODY), "body");
	assert_string_equal(tlp_where_str(TLP_FROM_DEFAULT), "default");
	assert_string_equal(tlp_where_str(TLP_FROM_OUTER_SUBJECT),
	    "outer-subject");
	assert_string_equal(role_str(ROLE_MEMBER), "member");
	assert_string_equal(role_str(ROLE_PARTNER), "partner");
	assert_string_equal(role_str(ROLE_ADMIN), "admin");
	/* The order is the restrictiveness order. */
	assert_true(TLP_CLEAR < TLP_GREEN && TLP_GREEN < TLP_AMBER &&
	    TLP_AMBER < TLP_AMBER_STRICT && TLP_AMBER_STRICT < TLP_RED);
}

static const struct {
	const char	*name;
	int		 rc;
	enum tlp	 t;
} names[] = {
	{ "clear", 0, CLEAR },
	{ "CLEAR", 0, CLEAR },
	{ "white", 0, CLEAR },
	{ "TLP:WHITE", 0, CLEAR },
	{ "green", 0, GREEN },
	{ "tlp:green", 0, GREEN },
	{ "Amber", 0, AMBER },
	{ "amber+strict", 0, STRICT },
	{ "TLP:AMBER+STRICT", 0, STRICT },
	{ "red", 0, RED },
	{ "none", 0, NONE },
	{ "NONE", 0, NONE },
	{ "", -1, NONE },
	{ "tlp:", -1, NONE },
	{ "TLP:NONE", -1, NONE },
	{ "amber strict", -1, NONE },
	{ "amber+", -1, NONE },
	{ "[TLP:RED]", -1, NONE },
	{ " red", -1, NONE },
	{ "red ", -1, NONE },
	{ "redacted", -1, NONE },
	{ "TLP: RED", -1, NONE },
	{ "tlp:tlp:red", -1, NONE },
	{ "yellow", -1, NONE },
};

static void
test_from_name(void **state)
{
	enum tlp t;
	enum role r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		t = (enum tlp)77;
		if (tlp_from_name(names[i].name, &t) != names[i].rc)
			fail_msg("\"%s\": rc", names[i].name);
		if (names[i].rc == 0 && t != names[i].t)
			fail_msg("\"%s\": %s", names[i].name, tlp_str(t));
		if (names[i].rc != 0 && t != (enum tlp)77)
			fail_msg("\"%s\": out written on error", names[i].name);
	}
	assert_int_equal(tlp_from_name(NULL, &t), -1);
	assert_int_equal(role_from_name("Admin", &r), 0);
	assert_int_equal(r, ROLE_ADMIN);
	assert_int_equal(role_from_name("partner", &r), 0);
	assert_int_equal(r, ROLE_PARTNER);
	assert_int_equal(role_from_name("member", &r), 0);
	assert_int_equal(r, ROLE_MEMBER);
	assert_int_equal(role_from_name("members", &r), -1);
	assert_int_equal(role_from_name("", &r), -1);
	assert_int_equal(role_from_name(NULL, &r), -1);
}

#define OUTER	TLP_FROM_OUTER_SUBJECT
#define A10	"AAAAAAAAAA"
#define W_SEP	TLP_WARN_SEPARATOR

/*
 * One row: subject and body in, the whole result out.  unr is the
 * expected unreadable text (NULL: none, nunr must be 0).
 */
static const struct {
	const char	*name;
	const char	*subject;
	const char	*body;
	enum tlp	 dflt;
	enum tlp	 label;
	enum tlp_where	 where;
	unsigned	 warnings;
	unsigned	 nlabels;
	unsigned	 nunr;
	const char	*unr;
} parse[] = {
	/* the five labels, and 1.0 WHITE */
	{ "red", "[TLP:RED] x", NULL, GREEN, RED, SUBJ, 0, 1, 0, NULL },
	{ "amber", "TLP:AMBER", NULL, GREEN, AMBER, SUBJ, 0, 1, 0, NULL },
	{ "strict", "TLP:AMBER+STRICT", NULL, GREEN, STRICT, SUBJ, 0, 1, 0,
	    NULL },
	{ "green", "TLP:GREEN: scan", NULL, RED, GREEN, SUBJ, 0, 1, 0, NULL },
	{ "clear", "(TLP:CLEAR)", NULL, RED, CLEAR, SUBJ, 0, 1, 0, NULL },
	{ "white", "[TLP:WHITE]", NULL, RED, CLEAR, SUBJ, W_WHITE, 1, 0,
	    NULL },
	/* a label overrides the default either way */
	{ "lower than default", "TLP:CLEAR", NULL, AMBER, CLEAR, SUBJ, 0, 1,
	    0, NULL },
	/* none: the default */
	{ "no label", "weekly report", "hello\n", AMBER, AMBER, DFLT, 0, 0, 0,
	    NULL },
	{ "no label, NONE default", "x", NULL, NONE, NONE, DFLT, 0, 0, 0,
	    NULL },
	{ "empty", "", "", GREEN, GREEN, DFLT, 0, 0, 0, NULL },
	{ "null subject", NULL, NULL, STRICT, STRICT, DFLT, 0, 0, 0, NULL },
	/* case, brackets */
	{ "lowercase", "[tlp:red]", NULL, GREEN, RED, SUBJ, W_CASE, 1, 0,
	    NULL },
	{ "mixed", "Tlp:Amber+Strict", NULL, GREEN, STRICT, SUBJ, W_CASE, 1,
	    0, NULL },
	{ "lower strict", "TLP:AMBER+strict", NULL, NONE, STRICT, SUBJ,
	    W_CASE, 1, 0, NULL },
	{ "no brackets", "Re: TLP:RED incident", NULL, CLEAR, RED, SUBJ, 0,
	    1, 0, NULL },
	{ "half bracket", "[TLP:AMBER incident", NULL, CLEAR, AMBER, SUBJ, 0,
	    1, 0, NULL },
	{ "at end", "incident TLP:RED", NULL, CLEAR, RED, SUBJ, 0, 1, 0,
	    NULL },
	{ "punct", "TLP:RED, TLP:GREEN.", NULL, CLEAR, RED, SUBJ, 0, 2, 0,
	    NULL },
	/* substrings are not labels; with a colon they are unreadable */
	{ "XTLP", "XTLP:RED", NULL, GREEN, GREEN, DFLT, 0, 0, 0, NULL },
	{ "digit before", "1TLP:RED", NULL, GREEN, GREEN, DFLT, 0, 0, 0,
	    NULL },
	{ "underscore before", "_TLP:RED", NULL, GREEN, GREEN, DFLT, 0, 0, 0,
	    NULL },
	{ "TLPs", "TLPs:RED", NULL, GREEN, GREEN, DFLT, 0, 0, 0, NULL },
	{ "REDACTED", "TLP:REDACTED", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:REDACTED" },
	{ "REDD", "[TLP:REDD] x", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:REDD" },
	{ "AMBERX", "TLP:AMBERX", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:AMBERX" },
	{ "AMBRE", "tlp: ambre!", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "tlp: ambre" },
	{ "ORANGE", "TLP:ORANGE", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:ORANGE" },
	{ "YELLOW", "TLP:YELLOW", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:YELLOW" },
	{ "GREEN1", "TLP:GREEN1", NULL, CLEAR, RED, SUBJ, 0, 0, 1,
	    "TLP:GREEN1" },
	{ "RED_", "TLP:RED_x", NULL, CLEAR, RED, SUBJ, 0, 0, 1, "TLP:RED_x" },
	{ "WHITEOUT", "TLP:WHITEOUT", NULL, RED, RED, SUBJ, 0, 0, 1,
	    "TLP:WHITEOUT" },
	{ "bare", "TLP:", NULL, GREEN, RED, SUBJ, 0, 0, 1, "TLP:" },
	{ "bare colon space", "TLP: ", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:" },
	{ "bare then label", "TLP: TLP:GREEN", NULL, CLEAR, RED, SUBJ, 0, 1,
	    1, "TLP: TLP" },
	{ "double colon", "TLP::RED", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:" },
	{ "prose with colon", "", "About TLP: the protocol\n", GREEN, RED,
	    BODY, 0, 0, 1, "TLP: the" },
	{ "2.0 with colon", "TLP:2.0", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:2" },
	{ "translated", "TLP:\xe8\xb5\xa4\xe3\x80\x91", NULL, GREEN, RED,
	    SUBJ, 0, 0, 1, "TLP:\xe8\xb5\xa4" },
	{ "RED+", "TLP:RED+x", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:RED+x" },
	{ "mark after name", "TLP:CLEAR\xcc\x81 x", NULL, GREEN, RED, SUBJ,
	    0, 0, 1, "TLP:CLEA\xc5\x94" },
	{ "first unreadable kept", "TLP:PURPLE", "TLP:ORANGE\n", GREEN, RED,
	    SUBJ, 0, 0, 2, "TLP:PURPLE" },
	{ "unreadable beside RED", "TLP:RED", "TLP:REDD\n", GREEN, RED, SUBJ,
	    0, 1, 1, "TLP:REDD" },
	{ "unreadable beside GREEN", "TLP:GREEN", "TLP:GREN\n", CLEAR, RED,
	    BODY, 0, 1, 1, "TLP:GREN" },
	{ "unreadable, RED default", "TLP:X", NULL, RED, RED, SUBJ, 0, 0, 1,
	    "TLP:X" },
	{ "long word cut", "TLP:" A10 A10 A10 A10 A10 A10 A10 A10 "AAA", NULL,
	    GREEN, RED, SUBJ, 0, 0, 1, "TLP:" A10 A10 A10 A10 A10 "AAAAAAAAA" },
	{ "cut at a character", "TLP:" A10 A10 A10 A10 A10 "AAAAAAAA"
	    "\xe8\xb5\xa4\xe8\xb5\xa4", NULL, GREEN, RED, SUBJ, 0, 0, 1,
	    "TLP:" A10 A10 A10 A10 A10 "AAAAAAAA" },
	/* without a colon a word that is no label is no marking */
	{ "TLP 2.0", "TLP 2.0 explained", NULL, GREEN, GREEN, DFLT, 0, 0, 0,
	    NULL },
	{ "TLP-based", "TLP-based sharing", NULL, GREEN, GREEN, DFLT, 0, 0,
	    0, NULL },
	{ "TLP_HEADER", "", "#define TLP_HEADER 1\n", GREEN, GREEN, DFLT, 0,
	    0, 0, NULL },
	{ "the TLP protocol", "the TLP protocol", NULL, GREEN, GREEN, DFLT, 0,
	    0, 0, NULL },
	{ "TLP REDACTED", "TLP REDACTED", NULL, GREEN, GREEN, DFLT, 0, 0, 0,
	    NULL },
	{ "identifier", "", "x = TLP_AMBER_COLOR;\n", GREEN, GREEN, DFLT, 0,
	    0, 0, NULL },
	{ "XTLP-RED", "XTLP-RED", NULL, GREEN, GREEN, DFLT, 0, 0, 0, NULL },
	{ "TLPRED", "TLPRED", NULL, GREEN, GREEN, DFLT, 0, 0, 0, NULL },
	/* non-standard separators: recognised, warned */
	{ "dash", "TLP-RED", NULL, GREEN, RED, SUBJ, W_SEP, 1, 0, NULL },
	{ "underscore", "TLP_RED", NULL, GREEN, RED, SUBJ, W_SEP, 1, 0, NULL },
	{ "space sep", "TLP RED", NULL, GREEN, RED, SUBJ, W_SEP, 1, 0, NULL },
	{ "spaced dash", "TLP - amber", NULL, GREEN, AMBER, SUBJ,
	    W_SEP | W_CASE, 1, 0, NULL },
	{ "en dash", "TLP\xe2\x80\x93RED", NULL, GREEN, RED, SUBJ, W_SEP, 1,
	    0, NULL },
	{ "dash white", "[TLP-WHITE]", NULL, RED, CLEAR, SUBJ,
	    W_SEP | W_WHITE, 1, 0, NULL },
	{ "RED-team is RED", "TLP:RED-team", NULL, GREEN, RED, SUBJ, 0, 1, 0,
	    NULL },
	{ "hyphen before", "X-TLP:RED", NULL, GREEN, RED, SUBJ, 0, 1, 0,
	    NULL },
	{ "utf8 before", "\xe6\xa9\x9f\xe5\xaf\x86TLP:AMBER", NULL, GREEN,
	    AMBER, SUBJ, 0, 1, 0, NULL },
	{ "utf8 after", "TLP:AMBER\xe6\xa9\x9f", NULL, GREEN, AMBER, SUBJ,
	    0, 1, 0, NULL },
	{ "colon after", "TLP:RED:", NULL, GREEN, RED, SUBJ, 0, 1, 0, NULL },
	/* AMBER+STRICT, every spelling; malformed + suffixes unreadable */
	{ "strict wins", "TLP:AMBER+STRICT", NULL, NONE, STRICT, SUBJ, 0, 1,
	    0, NULL },
	{ "amber space strict", "TLP:AMBER STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "amber_strict", "TLP:AMBER_STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "amber-strict", "TLP:AMBER-STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "amber + strict", "TLP:AMBER + STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SP, 1, 0, NULL },
	{ "amber +strict", "[TLP:AMBER +Strict]", NULL, NONE, STRICT, SUBJ,
	    W_SP | W_CASE, 1, 0, NULL },
	{ "amber/strict", "TLP:AMBER/STRICT", NULL, NONE, STRICT, SUBJ, W_SEP,
	    1, 0, NULL },
	{ "amber (strict)", "TLP:AMBER (STRICT)", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "TLP-AMBER-STRICT", "TLP-AMBER-STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "TLP_AMBER_STRICT", "TLP_AMBER_STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "TLP AMBER STRICT", "TLP AMBER STRICT", NULL, NONE, STRICT, SUBJ,
	    W_SEP, 1, 0, NULL },
	{ "amber en-dash strict", "TLP:AMBER\xe2\x80\x93STRICT", NULL, NONE,
	    STRICT, SUBJ, W_SEP, 1, 0, NULL },
	{ "amber plus", "TLP:AMBER+", NULL, NONE, RED, SUBJ, 0, 0, 1,
	    "TLP:AMBER+" },
	{ "amber plus junk", "TLP:AMBER+STRICTER", NULL, NONE, RED, SUBJ, 0,
	    0, 1, "TLP:AMBER+STRICTER" },
	{ "amber plus strikt", "TLP:AMBER+STRIKT!", NULL, NONE, RED, SUBJ, 0,
	    0, 1, "TLP:AMBER+STRIKT" },
	{ "amber + strike", "TLP:AMBER + STRIKE", NULL, NONE, RED, SUBJ, 0,
	    0, 1, "TLP:AMBER + STRIKE" },
	{ "amber plus space end", "TLP:AMBER+ ", NULL, NONE, RED, SUBJ, 0, 0,
	    1, "TLP:AMBER+" },
	{ "amber-strikt", "TLP:AMBER-STRIKT", NULL, NONE, RED, SUBJ, 0, 0, 1,
	    "TLP:AMBER-STRIKT" },
	{ "amber- at end", "TLP:AMBER-", NULL, NONE, RED, SUBJ, 0, 0, 1,
	    "TLP:AMBER-" },
	{ "amber_x", "TLP:AMBER_X", NULL, NONE, RED, SUBJ, 0, 0, 1,
	    "TLP:AMBER_X" },
	{ "amber strikt is text", "TLP:AMBER STRIKT", NULL, NONE, AMBER, SUBJ,
	    0, 1, 0, NULL },
	{ "amber strictly is text", "TLP:AMBER strictly", NULL, NONE, AMBER,
	    SUBJ, 0, 1, 0, NULL },
	{ "amber - text", "TLP:AMBER - customers only", NULL, NONE, AMBER,
	    SUBJ, 0, 1, 0, NULL },
	{ "amber] strict", "[TLP:AMBER] strict deadline", NULL, NONE, AMBER,
	    SUBJ, 0, 1, 0, NULL },
	{ "amber plus no colon", "TLP AMBER+X", NULL, GREEN, GREEN, DFLT, 0,
	    0, 0, NULL },
	/* non-conformant spacing: recognised, never ignored, warned */
	{ "space", "TLP: AMBER", NULL, GREEN, AMBER, SUBJ, W_SP, 1, 0, NULL },
	{ "spaces", "TLP:   RED", NULL, GREEN, RED, SUBJ, W_SP, 1, 0, NULL },
	{ "tab", "TLP:\tRED", NULL, GREEN, RED, SUBJ, W_SP, 1, 0, NULL },
	{ "space lower", "tlp: red", NULL, GREEN, RED, SUBJ, W_SP | W_CASE,
	    1, 0, NULL },
	{ "space before colon", "TLP :RED", NULL, GREEN, RED, SUBJ, W_SP, 1,
	    0, NULL },
	{ "spaces around colon", "TLP : RED", NULL, GREEN, RED, SUBJ, W_SP, 1,
	    0, NULL },
	{ "not across lines", "", "TLP:\nRED\n", GREEN, RED, BODY, 0, 0, 1,
	    "TLP:" },
	{ "not across lines 2", "", "TLP\nRED\n", GREEN, GREEN, DFLT, 0, 0,
	    0, NULL },
	{ "CRLF", "", "TLP:RED\r\n", GREEN, RED, BODY, 0, 1, 0, NULL },
	{ "space keeps max", "TLP:GREEN TLP: RED", NULL, NONE, RED, SUBJ,
	    W_SP, 2, 0, NULL },
	/* Japanese subjects as the hub reads them: RFC 2047 words decoded
	 * first (archive/text.c text_header_utf8), then read here */
	{ "decoded japanese", "TLP:GREEN \xe4\xb8\x8d\xe6\xad\xa3\xe3\x82"
	    "\xa2\xe3\x82\xaf\xe3\x82\xbb\xe3\x82\xb9\xe3\x81\xae\xe5\xa0\xb1"
	    "\xe5\x91\x8a", NULL, NONE, GREEN, SUBJ, 0, 1, 0, NULL },
	{ "japanese glued", "TLP:GREEN\xe4\xb8\x8d\xe6\xad\xa3", NULL, NONE,
	    GREEN, SUBJ, 0, 1, 0, NULL },
	/* a bidi override the decoder made U+FFFD: not a label, and the
	 * reversed text is not one either */
	{ "bidi replaced", "\xef\xbf\xbd" "DER:PLT", NULL, GREEN, GREEN, DFLT,
	    0, 0, 0, NULL },
	/* Unicode: NFKC, invisible characters, Unicode spaces */
	{ "fullwidth", "\xef\xbc\xb4\xef\xbc\xac\xef\xbc\xb0\xef\xbc\x9a"
	    "\xef\xbc\xb2\xef\xbc\xa5\xef\xbc\xa4", NULL, GREEN, RED, SUBJ, 0,
	    1, 0, NULL },
	{ "fullwidth colon", "TLP\xef\xbc\x9aRED", NULL, GREEN, RED, SUBJ, 0,
	    1, 0, NULL },
	{ "japanese subject", "\xe3\x80\x90TLP:RED\xe3\x80\x91\xe8\x84\x86"
	    "\xe5\xbc\xb1\xe6\x80\xa7\xe6\x83\x85\xe5\xa0\xb1", NULL, GREEN,
	    RED, SUBJ, 0, 1, 0, NULL },
	{ "japanese fullwidth", "\xe3\x80\x90\xef\xbc\xb4\xef\xbc\xac\xef\xbc"
	    "\xb0\xef\xbc\x9a\xef\xbc\xa1\xef\xbc\xad\xef\xbc\xa2\xef\xbc\xa5"
	    "\xef\xbc\xb2\xe3\x80\x91\xe5\xa0\xb1\xe5\x91\x8a", NULL, GREEN,
	    AMBER, SUBJ, 0, 1, 0, NULL },
	{ "fullwidth lower", "\xef\xbd\x94\xef\xbd\x8c\xef\xbd\x90\xef\xbc\x9a"
	    "\xef\xbd\x87\xef\xbd\x92\xef\xbd\x85\xef\xbd\x85\xef\xbd\x8e",
	    NULL, RED, GREEN, SUBJ, W_CASE, 1, 0, NULL },
	{ "fullwidth unreadable", "\xef\xbc\xb4\xef\xbc\xac\xef\xbc\xb0"
	    "\xef\xbc\x9a\xef\xbc\xb2\xef\xbc\xa5\xef\xbc\xa4\xef\xbc\xa4",
	    NULL, GREEN, RED, SUBJ, 0, 0, 1, "TLP:REDD" },
	{ "mathematical bold", "\xf0\x9d\x90\x93\xf0\x9d\x90\x8b\xf0\x9d\x90"
	    "\x8f:\xf0\x9d\x90\x91\xf0\x9d\x90\x84\xf0\x9d\x90\x83", NULL,
	    GREEN, RED, SUBJ, 0, 1, 0, NULL },
	{ "circled", "\xe2\x93\x89\xe2\x93\x81\xe2\x93\x85:\xe2\x93\xa1\xe2"
	    "\x93\x94\xe2\x93\x93", NULL, GREEN, RED, SUBJ, W_CASE, 1, 0,
	    NULL },
	{ "zwsp in TLP", "TL\xe2\x80\x8bP:RED", NULL, GREEN, RED, SUBJ, 0, 1,
	    0, NULL },
	{ "zwsp in RED", "TLP:R\xe2\x80\x8b" "ED", NULL, GREEN, RED, SUBJ, 0,
	    1, 0, NULL },
	{ "zwj, zwnj, word joiner, bom", "T\xe2\x80\x8dL\xe2\x80\x8cP\xe2\x81"
	    "\xa0:\xef\xbb\xbfR\xe2\x81\xa4" "ED", NULL, GREEN, RED, SUBJ, 0, 1,
	    0, NULL },
	{ "soft hyphen", "TLP:AM\xc2\xad" "BER", NULL, GREEN, AMBER, SUBJ, 0,
	    1, 0, NULL },
	{ "bidi controls", "\xe2\x80\xaeTLP:\xe2\x80\x8fRED\xe2\x80\xac",
	    NULL, GREEN, RED, SUBJ, 0, 1, 0, NULL },
	{ "cgj, variation selector", "TL\xcd\x8fP:RE\xef\xb8\x8f" "D", NULL,
	    GREEN, RED, SUBJ, 0, 1, 0, NULL },
	{ "zwsp makes REDACTED", "TLP:RED\xe2\x80\x8b" "ACTED", NULL, GREEN,
	    RED, SUBJ, 0, 0, 1, "TLP:REDACTED" },
	{ "nbsp", "TLP:\xc2\xa0RED", NULL, GREEN, RED, SUBJ, W_SP, 1, 0,
	    NULL },
	{ "nbsp separator", "TLP\xc2\xa0RED", NULL, GREEN, RED, SUBJ, W_SEP,
	    1, 0, NULL },
	{ "ideographic space", "TLP:\xe3\x80\x80GREEN", NULL, RED, GREEN,
	    SUBJ, W_SP, 1, 0, NULL },
	{ "em space, thin space", "TLP\xe2\x80\x83:\xe2\x80\x89RED", NULL,
	    GREEN, RED, SUBJ, W_SP, 1, 0, NULL },
	{ "nbsp in strict", "TLP:AMBER\xc2\xa0+\xc2\xa0STRICT", NULL, GREEN,
	    STRICT, SUBJ, W_SP, 1, 0, NULL },
	{ "fullwidth plus", "TLP:AMBER\xef\xbc\x8bSTRICT", NULL, GREEN,
	    STRICT, SUBJ, 0, 1, 0, NULL },
	{ "ratio colon", "TLP\xe2\x88\xb6RED", NULL, GREEN, RED, SUBJ, 0, 1,
	    0, NULL },
	/* invalid UTF-8: replaced, never a reason to skip text */
	{ "invalid around", "\xff\xfe TLP:RED \xc3", NULL, GREEN, RED, SUBJ,
	    0, 1, 0, NULL },
	{ "invalid before", "\x80TLP:AMBER", NULL, GREEN, AMBER, SUBJ, 0, 1,
	    0, NULL },
	{ "invalid glued after", "TLP:CLEAR\xe9t\xe9", NULL, AMBER, RED, SUBJ,
	    0, 0, 1, "TLP:CLEAR\xef\xbf\xbdt\xef\xbf\xbd" },
	{ "invalid inside", "TLP:R\xc0\xaf" "ED", NULL, GREEN, RED, SUBJ, 0, 0,
	    1, "TLP:R\xef\xbf\xbd\xef\xbf\xbd" "ED" },
	{ "invalid line then label", "", "\xf5\xf6\xf7\xf8 junk\nTLP:RED\n",
	    GREEN, RED, BODY, 0, 1, 0, NULL },
	{ "invalid then label", "", "\xed\xa0\x80TLP:RED\n", GREEN, RED, BODY,
	    0, 1, 0, NULL },
	/* several labels: the most restrictive */
	{ "two in subject", "TLP:GREEN TLP:AMBER", NULL, NONE, AMBER, SUBJ, 0,
	    2, 0, NULL },
	{ "order", "TLP:RED TLP:CLEAR", NULL, NONE, RED, SUBJ, 0, 2, 0, NULL },
	{ "strict vs amber", "TLP:AMBER+STRICT / TLP:AMBER", NULL, NONE,
	    STRICT, SUBJ, 0, 2, 0, NULL },
	{ "subject and body", "TLP:GREEN", "TLP:RED\n", NONE, RED, BODY, 0, 2,
	    0, NULL },
	{ "clear subject, red body", "[TLP:CLEAR] news", "Hi\nTLP:RED\n",
	    CLEAR, RED, BODY, 0, 2, 0, NULL },
	{ "body lower", "TLP:AMBER", "TLP:CLEAR\n", NONE, AMBER, SUBJ, 0, 2,
	    0, NULL },
	{ "tie: subject", "TLP:AMBER", "TLP:AMBER\n", NONE, AMBER, SUBJ, 0, 2,
	    0, NULL },
	{ "white and green", "TLP:WHITE", "TLP:GREEN", NONE, GREEN, BODY,
	    W_WHITE, 2, 0, NULL },
	{ "green line, red line", "x", "TLP:GREEN\nTLP:RED\n", CLEAR, RED,
	    BODY, 0, 2, 0, NULL },
	/* the whole body: no window any more */
	{ "body first line", "x", "TLP:AMBER\r\nhi\r\n", CLEAR, AMBER, BODY,
	    0, 1, 0, NULL },
	{ "body no newline", "x", "TLP:RED", CLEAR, RED, BODY, 0, 1, 0, NULL },
	{ "body 10th line", "x",
	    "1\n2\n3\n4\n5\n6\n7\n8\n9\nTLP:RED\n11\n", CLEAR, RED, BODY,
	    0, 1, 0, NULL },
	{ "body 11th line (was outside the window)", "x",
	    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\nTLP:RED\n", CLEAR, RED, BODY,
	    0, 1, 0, NULL },
	{ "blank lines", "x",
	    "\n\n \n\t\n\r\n1\n2\n3\n4\n5\n6\n7\n8\n9\nTLP:RED\n", CLEAR,
	    RED, BODY, 0, 1, 0, NULL },
	{ "quoted later (was ignored)", "Re: x", "Hi\nsee below\n1\n2\n3\n4\n"
	    "5\n6\n7\n8\n> TLP:RED\n", GREEN, RED, BODY, 0, 1, 0, NULL },
};

static void
check_row(size_t i, const struct tlp_result *r)
{
	const char *unr = parse[i].unr != NULL ? parse[i].unr : "";

	if (r->label != parse[i].label || r->where != parse[i].where ||
	    r->warnings != parse[i].warnings ||
	    r->nlabels != parse[i].nlabels ||
	    r->nunreadable != parse[i].nunr ||
	    strcmp(r->unreadable, unr) != 0)
		fail_msg("%s: got %s from %s warn=%#x n=%u unr=%u \"%s\"",
		    parse[i].name, tlp_str(r->label), tlp_where_str(r->where),
		    r->warnings, r->nlabels, r->nunreadable, r->unreadable);
}

static void
test_parse_table(void **state)
{
	struct tlp_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse / sizeof parse[0]; i++) {
		memset(&r, 0x5a, sizeof r);
		tlp_parse(parse[i].subject, parse[i].body,
		    parse[i].body ? strlen(parse[i].body) : 0, parse[i].dflt,
		    &r);
		check_row(i, &r);
	}
}

/*
 * The same rows as one body line each (subject NULL): the body reads
 * like the subject, and a label is found wherever its line is.
 */
static void
test_parse_table_in_body(void **state)
{
	struct tlp_result r;
	char *body;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof parse / sizeof parse[0]; i++) {
		if (parse[i].subject == NULL || parse[i].body != NULL ||
		    strchr(parse[i].subject, '\n') != NULL)
			continue;
		n = strlen(parse[i].subject);
		body = malloc(n + 64);
		assert_non_null(body);
		memcpy(body, "line 1\n\nline 3\n", 15);
		memcpy(body + 15, parse[i].subject, n);
		memcpy(body + 15 + n, "\r\nend\n", 6);
		tlp_parse(NULL, body, n + 21, parse[i].dflt, &r);
		if (r.label != parse[i].label || r.nlabels != parse[i].nlabels
		    || r.nunreadable != parse[i].nunr ||
		    r.warnings != parse[i].warnings ||
		    (r.where != BODY && r.where != DFLT))
			fail_msg("%s in body: got %s n=%u unr=%u",
			    parse[i].name, tlp_str(r.label), r.nlabels,
			    r.nunreadable);
		free(body);
	}
}

/* A body of n octets of filler with label at off (filler: "x " or CJK). */
static char *
filled(size_t n, size_t off, const char *label, bool lines)
{
	char *b = malloc(n);
	size_t i;

	assert_non_null(b);
	for (i = 0; i < n; i++)
		b[i] = lines && i % 80 == 79 ? '\n' : (i % 2 ? ' ' : 'x');
	memcpy(b + off, label, strlen(label));
	return b;
}

/* Anywhere in the body: octet 5000, line 11, 10 MB, one long line. */
static void
test_body_anywhere(void **state)
{
	static const size_t big = 10 * 1000 * 1000;
	struct tlp_result r;
	char *b;

	(void)state;
	b = filled(8000, 5000, " TLP:RED ", true);
	tlp_parse("x", b, 8000, GREEN, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.where, BODY);
	free(b);

	b = filled(big, big - 20, " TLP:RED ", true);
	tlp_parse("TLP:GREEN", b, big, CLEAR, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.where, BODY);
	assert_int_equal(r.nlabels, 2);
	free(b);

	/* one 10 MB line: read in pieces, the label in the last one */
	b = filled(big, big - 9, " TLP:RED", false);
	tlp_parse(NULL, b, big, CLEAR, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.nlabels, 1);
	/* and an unreadable one at the very end */
	memcpy(b + big - 9, " TLP:RE", 7);
	b[big - 2] = 'D';
	b[big - 1] = 'D';
	tlp_parse(NULL, b, big, CLEAR, &r);
	assert_int_equal(r.nlabels, 0);
	assert_int_equal(r.nunreadable, 1);
	assert_string_equal(r.unreadable, "TLP:REDD");
	free(b);
}

/*
 * Long lines are normalised and judged in pieces (16 KiB in tlp.c): a
 * label or an unreadable marking at every offset around the first cuts
 * is seen exactly once, in ASCII and in non-ASCII text (3-octet
 * characters, so the cuts fall at every alignment).
 */
static void
test_piece_boundaries(void **state)
{
	static const char *cjk = "\xe6\xa9\x9f";	/* 機 */
	struct tlp_result r;
	char *b;
	size_t n = 3 * 16384 + 1000, off, i;
	int pass;

	(void)state;
	b = malloc(n);
	assert_non_null(b);
	for (pass = 0; pass < 2; pass++) {
		for (off = 16384 - 140; off < 16384 + 140; off++) {
			for (i = 0; i + 3 <= n; i += 3)
				memcpy(b + i, pass ? cjk : "x x", 3);
			for (; i < n; i++)
				b[i] = ' ';
			memcpy(b + off, " [TLP:AMBER+STRICT] ", 20);
			memcpy(b + off + 2 * 16384, " TLP:AMBRE ", 11);
			tlp_parse(NULL, b, n, CLEAR, &r);
			if (r.nlabels != 1 || r.nunreadable != 1 ||
			    strcmp(r.unreadable, "TLP:AMBRE") != 0)
				fail_msg("pass %d off %zu: n=%u unr=%u \"%s\"",
				    pass, off, r.nlabels, r.nunreadable,
				    r.unreadable);
		}
	}
	free(b);
}

/* A long run of non-ASCII text (NFKC in pieces) with labels in it. */
static void
test_long_unicode_line(void **state)
{
	/* fullwidth letters, NBSP, zero-width space, combining marks */
	static const char *unit = "\xef\xbc\xa1\xc2\xa0\xe2\x80\x8b"
	    "e\xcc\x81\xe3\x80\x80";
	static const char *fwred = "\xef\xbc\xb4\xef\xbc\xac\xef\xbc\xb0"
	    "\xef\xbc\x9a\xef\xbc\xb2\xef\xbc\xa5\xef\xbc\xa4";
	struct tlp_result r;
	size_t n = 2 * 1000 * 1000, u = strlen(unit), i;
	char *b = malloc(n);

	(void)state;
	assert_non_null(b);
	for (i = 0; i + u <= n; i += u)
		memcpy(b + i, unit, u);
	memset(b + i, ' ', n - i);
	memcpy(b + n / 2, " ", 1);
	memcpy(b + n / 2 + 1, fwred, strlen(fwred));
	b[n / 2 + 1 + strlen(fwred)] = ' ';
	tlp_parse(NULL, b, n, GREEN, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.nlabels, 1);
	assert_int_equal(r.nunreadable, 0);
	/* a line of nothing but combining marks is still read */
	for (i = 0; i + 2 <= n; i += 2)
		memcpy(b + i, "\xcc\x81", 2);
	memcpy(b + n - 8, " TLP:RED", 8);
	tlp_parse(NULL, b, n, GREEN, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.nlabels, 1);
	free(b);
}

/* NULs in the body are octets like others; body_len is what counts. */
static void
test_body_nul(void **state)
{
	static const char body[] = "a\0TLP:AMBER\0b\nTLP:GREEN";
	struct tlp_result r;

	(void)state;
	tlp_parse("", body, sizeof body - 1, CLEAR, &r);
	assert_int_equal(r.label, AMBER);
	assert_int_equal(r.nlabels, 2);
	tlp_parse("", body, 5, CLEAR, &r);	/* "a\0TLP": cut */
	assert_int_equal(r.label, CLEAR);
	assert_int_equal(r.nlabels, 0);
	tlp_parse("", body, 6, CLEAR, &r);	/* "a\0TLP:": unreadable */
	assert_int_equal(r.label, RED);
	assert_int_equal(r.nunreadable, 1);
	assert_string_equal(r.unreadable, "TLP:");
	tlp_parse(NULL, NULL, 0, RED, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.nunreadable, 0);
	assert_string_equal(r.unreadable, "");
}

/* The unreadable text: bounded, valid, no controls. */
static void
test_unreadable_text(void **state)
{
	struct tlp_result r;
	char s[256];

	(void)state;
	/* a NUL ends the word; C0 and C1 controls too */
	tlp_parse(NULL, "TLP:X\0Y", 7, GREEN, &r);
	assert_string_equal(r.unreadable, "TLP:X");
	tlp_parse("TLP:\x01" "ABC", NULL, 0, GREEN, &r);
	assert_string_equal(r.unreadable, "TLP:");
	tlp_parse("TLP: \xc2\x85" "ABC", NULL, 0, GREEN, &r);
	assert_string_equal(r.unreadable, "TLP:");
	/* 63 octets at most, whatever follows */
	memset(s, 'Q', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	memcpy(s, "TLP:", 4);
	tlp_parse(s, NULL, 0, GREEN, &r);
	assert_int_equal(strlen(r.unreadable), TLP_UNREADABLE_MAX - 1);
	assert_memory_equal(r.unreadable, s, TLP_UNREADABLE_MAX - 1);
}

/* The outer, unsigned Subject only ever makes the label stricter. */
static void
test_stricter(void **state)
{
	struct tlp_result r, before;

	(void)state;
	/* raises: from the inner subject, the body and the default */
	tlp_parse("[TLP:GREEN] x", "hello\n", 6, CLEAR, &r);
	tlp_stricter(&r, "[TLP:RED] x");
	assert_int_equal(r.label, RED);
	assert_int_equal(r.where, OUTER);
	assert_int_equal(r.nlabels, 2);
	assert_string_equal(tlp_where_str(r.where), "outer-subject");

	tlp_parse("x", "TLP:AMBER\n", 10, CLEAR, &r);
	tlp_stricter(&r, "tlp:amber+strict");
	assert_int_equal(r.label, STRICT);
	assert_int_equal(r.where, OUTER);
	assert_int_equal(r.warnings, W_CASE);

	tlp_parse("x", NULL, 0, GREEN, &r);
	tlp_stricter(&r, "TLP:AMBER");
	assert_int_equal(r.label, AMBER);
	assert_int_equal(r.where, OUTER);
	assert_int_equal(r.nlabels, 1);

	/* never lowers: below a label, equal, below the default */
	tlp_parse("TLP:AMBER", NULL, 0, GREEN, &r);
	before = r;
	tlp_stricter(&r, "TLP:CLEAR");
	assert_int_equal(r.label, AMBER);
	assert_int_equal(r.where, SUBJ);
	assert_int_equal(r.nlabels, 2);
	tlp_stricter(&r, "TLP:AMBER");
	assert_int_equal(r.label, AMBER);
	assert_int_equal(r.where, SUBJ);
	tlp_parse("x", NULL, 0, AMBER, &r);
	tlp_stricter(&r, "TLP:GREEN");
	assert_int_equal(r.label, AMBER);
	assert_int_equal(r.where, DFLT);
	assert_int_equal(r.nlabels, 1);

	/* nothing there, or NULL: unchanged */
	r = before;
	tlp_stricter(&r, "hello");
	assert_memory_equal(&r, &before, sizeof r);
	tlp_stricter(&r, NULL);
	assert_memory_equal(&r, &before, sizeof r);

	/* unreadable markings add up; the first text stays */
	tlp_parse("TLP:GREEN", "TLP:GRENE\n", 10, CLEAR, &r);
	assert_int_equal(r.label, RED);
	assert_int_equal(r.where, BODY);
	tlp_stricter(&r, "TLP:ROUGE");
	assert_int_equal(r.nunreadable, 2);
	assert_string_equal(r.unreadable, "TLP:GRENE");
	assert_int_equal(r.where, BODY);
	tlp_parse("TLP:GREEN", NULL, 0, CLEAR, &r);
	tlp_stricter(&r, "\xef\xbc\xb4\xef\xbc\xac\xef\xbc\xb0:ROUGE");
	assert_int_equal(r.nunreadable, 1);
	assert_string_equal(r.unreadable, "TLP:ROUGE");
	assert_int_equal(r.label, RED);
	assert_int_equal(r.where, OUTER);
	assert_int_equal(r.nlabels, 1);
}

/*
 * Receiving: every label x every role x every clearance, against the
 * DESIGN.md table written out independently of tlp.c.
 */
static bool
expected_receive(enum tlp t, enum role r, enum tlp c)
{
	if (r == ROLE_ADMIN)
		return false;
	if (r == ROLE_MEMBER)
		return true;
	switch (t) {
	case TLP_CLEAR:
	case TLP_GREEN:
		return true;
	case TLP_AMBER:
		return c == TLP_AMBER || c == TLP_AMBER_STRICT || c == TLP_RED;
	case TLP_AMBER_STRICT:
		return c == TLP_AMBER_STRICT || c == TLP_RED;
	case TLP_RED:
	case TLP_NONE:
		return false;
	}
	return false;
}

static void
test_may_receive_matrix(void **state)
{
	static const enum role roles[] = { ROLE_MEMBER, ROLE_PARTNER,
	    ROLE_ADMIN };
	enum tlp t, c;
	size_t r, n = 0;

	(void)state;
	for (t = TLP_NONE; t <= TLP_RED; t++)
		for (r = 0; r < 3; r++)
			for (c = TLP_NONE; c <= TLP_RED; c++, n++)
				if (tlp_may_receive(t, roles[r], c) !=
				    expected_receive(t, roles[r], c))
					fail_msg("%s role=%s clearance=%s",
					    tlp_str(t), role_str(roles[r]),
					    tlp_str(c));
	assert_int_equal(n, 6 * 3 * 6);
}

/* The rows the issue names, spelled out. */
static void
test_may_receive_named(void **state)
{
	enum tlp c;

	(void)state;
	for (c = TLP_NONE; c <= TLP_RED; c++)
		assert_false(tlp_may_receive(TLP_RED, ROLE_PARTNER, c));
	assert_true(tlp_may_receive(TLP_RED, ROLE_MEMBER, TLP_NONE));
	assert_true(tlp_may_receive(TLP_GREEN, ROLE_PARTNER, TLP_NONE));
	assert_true(tlp_may_receive(TLP_CLEAR, ROLE_PARTNER, TLP_NONE));
	assert_false(tlp_may_receive(TLP_AMBER, ROLE_PARTNER, TLP_NONE));
	assert_false(tlp_may_receive(TLP_AMBER, ROLE_PARTNER, TLP_GREEN));
	assert_true(tlp_may_receive(TLP_AMBER, ROLE_PARTNER, TLP_AMBER));
	assert_false(tlp_may_receive(TLP_AMBER_STRICT, ROLE_PARTNER,
	    TLP_AMBER));
	assert_true(tlp_may_receive(TLP_AMBER_STRICT, ROLE_PARTNER,
	    TLP_AMBER_STRICT));
	assert_false(tlp_may_receive(TLP_CLEAR, ROLE_ADMIN, TLP_RED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_from_name),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_table_in_body),
		cmocka_unit_test(test_body_anywhere),
		cmocka_unit_test(test_piece_boundaries),
		cmocka_unit_test(test_long_unicode_line),
		cmocka_unit_test(test_body_nul),
		cmocka_unit_test(test_unreadable_text),
		cmocka_unit_test(test_stricter),
		cmocka_unit_test(test_may_receive_matrix),
		cmocka_unit_test(test_may_receive_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
