/*
 * Unit tests for lists/mailcmd (the command parser) and lists/cmdrule
 * (who may do what by mail).  Table-driven: one row per command form,
 * per refusal of an argument and per way a stranger's text tries to
 * become a command; one row per rule and refusal.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lists/cmdrule.h"
#include "lists/mailcmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FPR_A	"0123456789ABCDEF0123456789ABCDEF01234567"
#define ID	"0000000000000001-abcdef012345"
#define NOT_READ "not a command; the lines after it were not read"

/* --- the parser ------------------------------------------------------------- */

struct row {
	const char		*text;
	enum mailcmd_status	 st;
	size_t			 n;		/* commands */
	/* the first command */
	enum mailcmd_verb	 verb;
	const char		*arg;	/* its main argument as parsed, or
					   the error; NULL: not checked */
};

/* The first command's main argument, or its error. */
static const char *
main_arg(const struct mailcmd *c)
{
	if (c->error != NULL)
		return c->error;
	switch (c->verb) {
	case MAILCMD_SUBSCRIBE:
	case MAILCMD_UNSUBSCRIBE:
		return c->fpr[0] != '\0' ? c->fpr : c->address;
	case MAILCMD_KEY_GET:
		return c->address[0] != '\0' ? c->address : c->fpr;
	case MAILCMD_ENDORSE:
		return c->handle;
	case MAILCMD_GET:
		return c->post_list[0] != '\0' ? c->post_list : c->post_id;
	case MAILCMD_SEARCH:
		return c->query;
	case MAILCMD_COPY:
	case MAILCMD_RECEIPTS:
		return c->on ? "on" : "off";
	case MAILCMD_LANGUAGE:
		return c->lang;
	case MAILCMD_LIST_NAME:
		return c->list;
	default:
		return "";
	}
}

static const struct row rows[] = {
	/* every command, and the Schleuder aliases */
	{ "help\n", MAILCMD_OK, 1, MAILCMD_HELP, "" },
	{ "  HELP  \r\n", MAILCMD_OK, 1, MAILCMD_HELP, "" },
	{ "subscriptions", MAILCMD_OK, 1, MAILCMD_SUBSCRIPTIONS, "" },
	{ "X-LIST-SUBSCRIPTIONS:", MAILCMD_OK, 1, MAILCMD_SUBSCRIPTIONS, "" },
	{ "subscribe\n", MAILCMD_OK, 1, MAILCMD_SUBSCRIBE, "" },
	{ "subscribe Poc02@T02.test", MAILCMD_OK, 1, MAILCMD_SUBSCRIBE,
	    "poc02@t02.test" },
	{ "subscribe <poc02@t02.test>", MAILCMD_OK, 1, MAILCMD_SUBSCRIBE,
	    "poc02@t02.test" },
	{ "X-SUBSCRIBE: a@b.example 0x0123 4567 89ab cdef 0123 4567 89AB "
	    "CDEF 0123 4567", MAILCMD_OK, 1, MAILCMD_SUBSCRIBE, FPR_A },
	{ "unsubscribe", MAILCMD_OK, 1, MAILCMD_UNSUBSCRIBE, "" },
	{ "X-UNSUBSCRIBE: a@b.example", MAILCMD_OK, 1, MAILCMD_UNSUBSCRIBE,
	    "a@b.example" },
	{ "key update", MAILCMD_OK, 1, MAILCMD_KEY_UPDATE, "" },
	{ "KEY   UPDATE", MAILCMD_OK, 1, MAILCMD_KEY_UPDATE, "" },
	{ "X-ADD-KEY:", MAILCMD_OK, 1, MAILCMD_KEY_UPDATE, "" },
	{ "key get a@b.example", MAILCMD_OK, 1, MAILCMD_KEY_GET,
	    "a@b.example" },
	{ "key get " FPR_A, MAILCMD_OK, 1, MAILCMD_KEY_GET, FPR_A },
	{ "X-GET-KEY: 0x" FPR_A, MAILCMD_OK, 1, MAILCMD_KEY_GET, FPR_A },
	{ "members", MAILCMD_OK, 1, MAILCMD_MEMBERS, "" },
	{ "X-LIST-KEYS", MAILCMD_OK, 1, MAILCMD_MEMBERS, "" },
	{ "endorse CERT-NEW", MAILCMD_OK, 1, MAILCMD_ENDORSE, "CERT-NEW" },
	{ "get " ID, MAILCMD_OK, 1, MAILCMD_GET, ID },
	{ "get OPS:" ID, MAILCMD_OK, 1, MAILCMD_GET, "ops" },
	{ "search 198.51.100[.]23", MAILCMD_OK, 1, MAILCMD_SEARCH,
	    "198.51.100[.]23" },
	{ "search a\tb", MAILCMD_OK, 1, MAILCMD_SEARCH, "a b" },
	{ "copy on", MAILCMD_OK, 1, MAILCMD_COPY, "on" },
	{ "receipts OFF", MAILCMD_OK, 1, MAILCMD_RECEIPTS, "off" },
	{ "language JA", MAILCMD_OK, 1, MAILCMD_LANGUAGE, "ja" },
	{ "language en", MAILCMD_OK, 1, MAILCMD_LANGUAGE, "en" },
	{ "X-LIST-NAME: Ops", MAILCMD_OK, 1, MAILCMD_LIST_NAME, "ops" },
	/* Schleuder's form: the list's address (the domain is kept) */
	{ "X-LIST-NAME: intel@hub.test", MAILCMD_OK, 1, MAILCMD_LIST_NAME,
	    "intel" },
	{ "X-LIST-NAME: <Intel@Hub.Test>", MAILCMD_OK, 1, MAILCMD_LIST_NAME,
	    "intel" },
	{ "search AS 64500", MAILCMD_OK, 1, MAILCMD_SEARCH, "AS 64500" },
	/* Schleuder's with no meaning here: refused with the reason */
	{ "X-RESEND: a@b.example", MAILCMD_OK, 1, MAILCMD_UNSUPPORTED,
	    NULL },
	{ "x-resend-unencrypted a@b.example", MAILCMD_OK, 1,
	    MAILCMD_UNSUPPORTED, "the hub never sends anything in clear" },
	{ "X-FETCH-KEY: https://evil.example/k.asc", MAILCMD_OK, 1,
	    MAILCMD_UNSUPPORTED, NULL },
	/* bad arguments: refused, reading goes on */
	{ "X-LIST-KEYS: all", MAILCMD_OK, 1, MAILCMD_INVALID, "takes no arguments" },
	{ "subscribe not-an-address", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a mail address" },
	{ "subscribe a@@b.example", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "subscribe a@b..example", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "subscribe a@-b.example", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "subscribe .a@b.example", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "subscribe a\"b@c.example", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "subscribe a@b.example\x01", MAILCMD_OK, 1, MAILCMD_INVALID,
	    NULL },
	{ "X-SUBSCRIBE: a@b.example true false", MAILCMD_OK, 1,
	    MAILCMD_INVALID, "not a fingerprint (40 hex digits)" },
	{ "X-SUBSCRIBE:", MAILCMD_OK, 1, MAILCMD_INVALID, "needs an address" },
	{ "key", MAILCMD_OK, 1, MAILCMD_INVALID, "key update or key get" },
	{ "key delete", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "key update or key get" },
	{ "key get", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "needs an address or a fingerprint" },
	{ "key get 0123", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a fingerprint (40 hex digits)" },
	{ "key get " FPR_A "00", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "X-ADD-KEY: now", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "takes no arguments" },
	{ "endorse", MAILCMD_OK, 1, MAILCMD_INVALID, "needs a team handle" },
	{ "endorse -X", MAILCMD_OK, 1, MAILCMD_INVALID, "not a team handle" },
	{ "endorse A/B", MAILCMD_OK, 1, MAILCMD_INVALID, "not a team handle" },
	{ "get", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	{ "get ops:", MAILCMD_OK, 1, MAILCMD_INVALID, "not a post id" },
	{ "get ../../etc:" ID, MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a post id" },
	{ "get 0000000000000001-abcdef01234Z", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a post id" },
	{ "search", MAILCMD_OK, 1, MAILCMD_INVALID, "needs a query" },
	{ "copy", MAILCMD_OK, 1, MAILCMD_INVALID, "takes on or off" },
	{ "copy yes", MAILCMD_OK, 1, MAILCMD_INVALID, "takes on or off" },
	{ "receipts maybe", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "takes on or off" },
	{ "language fr", MAILCMD_OK, 1, MAILCMD_INVALID, "takes ja or en" },
	{ "X-LIST-NAME: a/b", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a list name" },
	{ "X-LIST-NAME: a/b@hub.test", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a list name or address" },
	{ "X-LIST-NAME: ops@hub..test", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a list name or address" },
	{ "X-LIST-NAME: ops hub.test", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a list name" },
	/* what is not read */
	{ "", MAILCMD_OK, 0, MAILCMD_INVALID, NULL },
	{ "\n\r\n  \n", MAILCMD_OK, 0, MAILCMD_INVALID, NULL },
	{ "> unsubscribe\n>members", MAILCMD_OK, 0, MAILCMD_INVALID, NULL },
	{ "-- \nunsubscribe", MAILCMD_OK, 0, MAILCMD_INVALID, NULL },
	{ "--\r\nunsubscribe", MAILCMD_OK, 0, MAILCMD_INVALID, NULL },
	{ "X-STOP\nunsubscribe", MAILCMD_OK, 0, MAILCMD_INVALID, NULL },
	{ "-----BEGIN PGP SIGNATURE-----\nunsubscribe\n"
	    "-----END PGP SIGNATURE-----\n", MAILCMD_OK, 0, MAILCMD_INVALID,
	    NULL },
	{ "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhelp\n",
	    MAILCMD_OK, 1, MAILCMD_HELP, "" },
	/* prose stops the reading: nothing after it is a command */
	{ "Hello,\nunsubscribe\n", MAILCMD_OK, 1, MAILCMD_INVALID,
	    "not a command; the lines after it were not read" },
	{ "please unsubscribe me", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
	/* a keyword opening a sentence: more words than the command takes
	 * is prose, and the lines after it are not read */
	{ "unsubscribe me please", MAILCMD_OK, 1, MAILCMD_INVALID, NOT_READ },
	{ "help me", MAILCMD_OK, 1, MAILCMD_INVALID, NOT_READ },
	{ "subscribe a@b.example c@d.example", MAILCMD_OK, 1,
	    MAILCMD_INVALID, NOT_READ },
	{ "endorse A B", MAILCMD_OK, 1, MAILCMD_INVALID, NOT_READ },
	{ "receipts on off", MAILCMD_OK, 1, MAILCMD_INVALID, NOT_READ },
	{ "key update now", MAILCMD_OK, 1, MAILCMD_INVALID, NOT_READ },
	{ "Key points of what my colleague sent me (forwarded below):\n"
	    "unsubscribe a@b.example\n", MAILCMD_OK, 1, MAILCMD_INVALID,
	    NOT_READ },
	{ "Search results from our team follow\nunsubscribe\n", MAILCMD_OK,
	    1, MAILCMD_INVALID, NOT_READ },
	{ "Members of our team will attend\nunsubscribe\n", MAILCMD_OK, 1,
	    MAILCMD_INVALID, NOT_READ },
	{ "Get well soon\nunsubscribe\n", MAILCMD_OK, 1, MAILCMD_INVALID,
	    NOT_READ },
	/* Schleuder's X- keywords are never prose: refused, reading goes on */
	{ "X-UNSUBSCRIBE: a@b.example c@d.example\nhelp\n", MAILCMD_OK, 2,
	    MAILCMD_INVALID, "takes one address at most" },
	{ "subscribe\0unsubscribe", MAILCMD_OK, 1, MAILCMD_INVALID, NULL },
};

static void
test_rows(void **state)
{
	struct mailcmd_set *set = calloc(1, sizeof *set);
	size_t i;

	(void)state;
	assert_non_null(set);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		/* the NUL row: its length is the literal's */
		size_t len = strcmp(r->text, "subscribe") == 0 ?
		    sizeof "subscribe\0unsubscribe" - 1 : strlen(r->text);
		enum mailcmd_status st;

		st = mailcmd_parse(r->text, len, set);
		if (st != r->st || set->n != r->n) {
			print_error("row %zu \"%s\": status %s n %zu\n", i,
			    r->text, mailcmd_status_str(st), set->n);
			fail();
		}
		if (r->n == 0)
			continue;
		if (set->cmd[0].verb != r->verb) {
			print_error("row %zu \"%s\": verb %s, want %s (%s)\n",
			    i, r->text, mailcmd_verb_str(set->cmd[0].verb),
			    mailcmd_verb_str(r->verb),
			    set->cmd[0].error ? set->cmd[0].error : "");
			fail();
		}
		if (r->arg != NULL && strcmp(main_arg(&set->cmd[0]),
		    r->arg) != 0) {
			print_error("row %zu \"%s\": arg \"%s\", want \"%s\"\n",
			    i, r->text, main_arg(&set->cmd[0]), r->arg);
			fail();
		}
	}
	free(set);
}

static void
test_several(void **state)
{
	struct mailcmd_set *set = calloc(1, sizeof *set);
	const char *t = "subscribe\r\n\r\nsubscriptions\r\n> members\r\n"
	    "key get a@b.example\r\n"
	    "-----BEGIN PGP PUBLIC KEY BLOCK-----\r\n\r\nmQINBF\r\n"
	    "-----END PGP PUBLIC KEY BLOCK-----\r\nkey update\r\n-- \r\n"
	    "unsubscribe\r\n";

	(void)state;
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_int_equal(set->n, 4);
	assert_int_equal(set->cmd[0].verb, MAILCMD_SUBSCRIBE);
	assert_int_equal(set->cmd[0].line, 1);
	assert_int_equal(set->cmd[1].verb, MAILCMD_SUBSCRIPTIONS);
	assert_int_equal(set->cmd[1].line, 3);
	assert_int_equal(set->cmd[2].verb, MAILCMD_KEY_GET);
	assert_int_equal(set->cmd[3].verb, MAILCMD_KEY_UPDATE);
	assert_false(set->stopped);
	assert_int_equal(set->nkeys, 1);
	assert_true(strncmp(t + set->key_off, "-----BEGIN PGP PUBLIC",
	    21) == 0);
	assert_true(strncmp(t + set->key_off + set->key_len - 5, "-----",
	    5) == 0);
	free(set);
}

static void
test_bounds(void **state)
{
	struct mailcmd_set *set = calloc(1, sizeof *set);
	char *t = malloc(64 * 1024);
	size_t n = 0, i;

	(void)state;
	/* MAILCMD_MAX commands are run; one more refuses the mail */
	for (i = 0; i < MAILCMD_MAX; i++)
		n += (size_t)sprintf(t + n, "help\n");
	assert_int_equal(mailcmd_parse(t, n, set), MAILCMD_OK);
	assert_int_equal(set->n, MAILCMD_MAX);
	n += (size_t)sprintf(t + n, "members\n");
	assert_int_equal(mailcmd_parse(t, n, set), MAILCMD_TOO_MANY);
	/* quoted lines do not count against the lines read: a reply
	 * quotes the mail it answers (300 lines are common) */
	n = (size_t)sprintf(t, "subscriptions\n");
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(t + n, "> q\n");
	assert_int_equal(mailcmd_parse(t, n, set), MAILCMD_OK);
	assert_int_equal(set->n, 1);
	/* they have a bound of their own */
	t = realloc(t, (MAILCMD_MAX_QUOTED + 2) * 4 + 16);
	assert_non_null(t);
	n = 0;
	for (i = 0; i <= MAILCMD_MAX_QUOTED; i++)
		n += (size_t)sprintf(t + n, "> q\n");
	n += (size_t)sprintf(t + n, "help\n");
	assert_int_equal(mailcmd_parse(t, n, set), MAILCMD_TOO_LONG);
	/* unquoted lines keep theirs */
	n = 0;
	for (i = 0; i <= MAILCMD_MAX_LINES; i++)
		n += (size_t)sprintf(t + n, "-----BEGIN PGP SIGNED MESSAGE-----"
		    "\n\n");
	assert_int_equal(mailcmd_parse(t, n, set), MAILCMD_TOO_LONG);
	/* a line too long is prose: reading stops there */
	memset(t, 'a', MAILCMD_LINE_MAX);
	memcpy(t, "search ", 7);
	memcpy(t + MAILCMD_LINE_MAX, "\nhelp\n", 6);
	assert_int_equal(mailcmd_parse(t, MAILCMD_LINE_MAX + 6, set),
	    MAILCMD_OK);
	assert_int_equal(set->n, 1);
	assert_int_equal(set->cmd[0].verb, MAILCMD_INVALID);
	assert_string_equal(set->cmd[0].error,
	    "line too long: " NOT_READ);
	assert_true(set->stopped);
	memset(t, 'x', 1100);
	memcpy(t + 1100, "\nunsubscribe\n", 13);
	assert_int_equal(mailcmd_parse(t, 1113, set), MAILCMD_OK);
	assert_int_equal(set->n, 1);
	assert_true(set->stopped);
	/* prose: one entry, and the caller knows it was no command */
	assert_int_equal(mailcmd_parse("Hello,\nhelp\n", 12, set),
	    MAILCMD_OK);
	assert_int_equal(set->n, 1);
	assert_true(set->stopped);
	assert_int_equal(mailcmd_parse("help\nHello,\nhelp\n", 17, set),
	    MAILCMD_OK);
	assert_int_equal(set->n, 2);
	assert_true(set->stopped);
	assert_int_equal(set->cmd[1].verb, MAILCMD_INVALID);
	free(t);
	free(set);
}

/* Prose after commands stops the reading; a refused command does not. */
static void
test_stops(void **state)
{
	struct mailcmd_set *set = calloc(1, sizeof *set);
	const char *t;

	(void)state;
	t = "subscriptions\nKey points of the report (forwarded below):\n"
	    "unsubscribe a@b.example\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_int_equal(set->n, 2);
	assert_true(set->stopped);
	assert_string_equal(set->cmd[1].error, NOT_READ);
	assert_int_equal(set->cmd[1].line, 2);
	t = "subscriptions\nSearch results from our team follow\nhelp\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_int_equal(set->n, 2);
	assert_true(set->stopped);
	assert_int_equal(set->cmd[1].verb, MAILCMD_INVALID);
	/* command-shaped with bad arguments: refused, reading goes on */
	t = "key delete\nendorse -X\nhelp\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_int_equal(set->n, 3);
	assert_false(set->stopped);
	assert_string_equal(set->cmd[0].error, "key update or key get");
	assert_int_equal(set->cmd[2].verb, MAILCMD_HELP);
	free(set);
}

/* X-LIST-NAME: the name and the domain, or the mail is refused whole. */
static void
test_list_name(void **state)
{
	struct mailcmd_set *set = calloc(1, sizeof *set);
	const char *t;

	(void)state;
	t = "X-LIST-NAME: intel@Hub.Test\nsubscribe a@b.example\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_int_equal(set->n, 2);
	assert_int_equal(set->cmd[0].verb, MAILCMD_LIST_NAME);
	assert_string_equal(set->cmd[0].list, "intel");
	assert_string_equal(set->cmd[0].list_domain, "hub.test");
	assert_false(set->list_name_bad);
	t = "X-LIST-NAME: ops\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_string_equal(set->cmd[0].list, "ops");
	assert_string_equal(set->cmd[0].list_domain, "");
	assert_false(set->list_name_bad);
	t = "subscriptions\nX-LIST-NAME: a/b@hub.test\nsubscribe\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_int_equal(set->n, 3);
	assert_true(set->list_name_bad);
	assert_int_equal(set->cmd[1].verb, MAILCMD_INVALID);
	assert_string_equal(set->cmd[1].list, "");
	assert_string_equal(set->cmd[1].list_domain, "");
	t = "X-LIST-NAME: ops extra words\nsubscribe\n";
	assert_int_equal(mailcmd_parse(t, strlen(t), set), MAILCMD_OK);
	assert_true(set->list_name_bad);
	free(set);
}

/* --- the rules ------------------------------------------------------------------ */

static const struct team teams[] = {
	{ "T01", NULL, TEAM_KIND_MEMBER, TEAM_ACTIVE },
	{ "T02", NULL, TEAM_KIND_MEMBER, TEAM_ACTIVE },
	{ "P01", NULL, TEAM_KIND_PARTNER, TEAM_ACTIVE },
	{ "T03", NULL, TEAM_KIND_MEMBER, TEAM_ACTIVE },	/* another list */
	{ "CAND", NULL, TEAM_KIND_MEMBER, TEAM_CANDIDATE },
	{ "WHOLE", NULL, TEAM_KIND_MEMBER, TEAM_ACTIVE },	/* team sub */
	{ "SUSP", NULL, TEAM_KIND_MEMBER, TEAM_SUSPENDED },
};
static const struct contact contacts[] = {
	{ "a1@t01.test", FPR_A, "T01", NULL, "", false },
	{ "b1@t01.test", "1111111111111111111111111111111111111111", "T01",
	    NULL, "", false },
	{ "a2@t02.test", "2222222222222222222222222222222222222222", "T02",
	    NULL, "", false },
	{ "p1@p01.test", "3333333333333333333333333333333333333333", "P01",
	    NULL, "", false },
	{ "q1@p01.test", "4444444444444444444444444444444444444444", "P01",
	    NULL, "", false },
	{ "a3@t03.test", "5555555555555555555555555555555555555555", "T03",
	    NULL, "", false },
	{ "w1@whole.test", "6666666666666666666666666666666666666666",
	    "WHOLE", NULL, "", false },
	{ "adm@t02.test", "7777777777777777777777777777777777777777", "T02",
	    NULL, "", false },
	{ "s1@susp.test", "8888888888888888888888888888888888888888", "SUSP",
	    NULL, "", false },
};
static const struct subscription subs[] = {
	{ "ops", "a1@t01.test", "", ROLE_MEMBER, TLP_NONE },
	{ "ops", "a2@t02.test", "", ROLE_MEMBER, TLP_NONE },
	{ "ops", "p1@p01.test", "", ROLE_PARTNER, TLP_AMBER },
	{ "ops", "", "WHOLE", ROLE_MEMBER, TLP_NONE },
	{ "ops", "adm@t02.test", "", ROLE_ADMIN, TLP_NONE },
	{ "ops", "s1@susp.test", "", ROLE_MEMBER, TLP_NONE },
};
static const struct cmdrule_roster roster = {
	teams, sizeof teams / sizeof teams[0],
	contacts, sizeof contacts / sizeof contacts[0],
	subs, sizeof subs / sizeof subs[0],
};

static const struct contact *
who(const char *address)
{
	const struct contact *c = cmdrule_contact(&roster, address);

	assert_non_null(c);
	return c;
}

struct rule_row {
	const char	*asker;
	const char	*target;	/* NULL: itself */
	const char	*fpr;
	enum cmdrule	 want;
	enum role	 role;		/* subscribe OK */
	enum tlp	 clearance;
};

static const struct rule_row sub_rows[] = {
	/* a contact of a team on the list subscribes a team-mate */
	{ "a1@t01.test", "b1@t01.test", NULL, CMDRULE_OK, ROLE_MEMBER,
	    TLP_NONE },
	{ "a1@t01.test", "B1@T01.TEST", NULL, CMDRULE_OK, ROLE_MEMBER,
	    TLP_NONE },
	/* a partner's team-mate becomes a partner, cleared as the team */
	{ "p1@p01.test", "q1@p01.test", NULL, CMDRULE_OK, ROLE_PARTNER,
	    TLP_AMBER },
	{ "q1@p01.test", NULL, NULL, CMDRULE_OK, ROLE_PARTNER, TLP_AMBER },
	{ "a1@t01.test", NULL, NULL, CMDRULE_ALREADY, 0, 0 },
	/* another team's contact, or no contact: the same answer */
	{ "a1@t01.test", "a2@t02.test", NULL, CMDRULE_NOT_OWN_TEAM, 0, 0 },
	{ "a1@t01.test", "nobody@t01.test", NULL, CMDRULE_NOT_OWN_TEAM, 0,
	    0 },
	/* a member of another list cannot join this one */
	{ "a3@t03.test", NULL, NULL, CMDRULE_TEAM_NOT_ON_LIST, 0, 0 },
	/* an admin subscription does not put a team on the list */
	{ "adm@t02.test", NULL, NULL, CMDRULE_ALREADY, 0, 0 },
	{ "w1@whole.test", NULL, NULL, CMDRULE_VIA_TEAM, 0, 0 },
	{ "a1@t01.test", "b1@t01.test", FPR_A, CMDRULE_FPR_MISMATCH, 0, 0 },
	{ "a1@t01.test", "b1@t01.test",
	    "1111111111111111111111111111111111111111", CMDRULE_OK,
	    ROLE_MEMBER, TLP_NONE },
	{ "s1@susp.test", NULL, NULL, CMDRULE_TEAM_NOT_ACTIVE, 0, 0 },
};

static const struct rule_row unsub_rows[] = {
	{ "a1@t01.test", NULL, NULL, CMDRULE_OK, 0, 0 },
	{ "b1@t01.test", "a1@t01.test", NULL, CMDRULE_OK, 0, 0 },
	{ "b1@t01.test", NULL, NULL, CMDRULE_NOT_SUBSCRIBED, 0, 0 },
	{ "a2@t02.test", "a1@t01.test", NULL, CMDRULE_NOT_OWN_TEAM, 0, 0 },
	/* a team-mate cannot remove the list's admin */
	{ "a2@t02.test", "adm@t02.test", NULL, CMDRULE_ADMIN_ROLE, 0, 0 },
	{ "adm@t02.test", NULL, NULL, CMDRULE_ADMIN_ROLE, 0, 0 },
	{ "w1@whole.test", NULL, NULL, CMDRULE_VIA_TEAM, 0, 0 },
};

static void
test_subscribe_rules(void **state)
{
	struct subscription out;
	const char *whom;
	enum cmdrule r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof sub_rows / sizeof sub_rows[0]; i++) {
		const struct rule_row *w = &sub_rows[i];

		memset(&out, 0, sizeof out);
		r = cmdrule_subscribe(&roster, who(w->asker), w->target,
		    w->fpr, &out);
		if (r != w->want) {
			print_error("subscribe row %zu: %s, want %s\n", i,
			    cmdrule_str(r), cmdrule_str(w->want));
			fail();
		}
		if (r == CMDRULE_OK) {
			assert_int_equal(out.role, w->role);
			assert_int_equal(out.clearance, w->clearance);
			assert_string_equal(out.team, "");
			assert_true(out.contact[0] != '\0');
		}
	}
	for (i = 0; i < sizeof unsub_rows / sizeof unsub_rows[0]; i++) {
		const struct rule_row *w = &unsub_rows[i];

		whom = NULL;
		r = cmdrule_unsubscribe(&roster, who(w->asker), w->target,
		    &whom);
		if (r != w->want) {
			print_error("unsubscribe row %zu: %s, want %s\n", i,
			    cmdrule_str(r), cmdrule_str(w->want));
			fail();
		}
		if (r == CMDRULE_OK)
			assert_string_equal(whom, w->target != NULL ?
			    w->target : w->asker);
	}
}

static void
test_view_rules(void **state)
{
	(void)state;
	assert_int_equal(cmdrule_members_view(&roster, who("a1@t01.test")),
	    CMDRULE_SEE_CONTACTS);
	assert_int_equal(cmdrule_members_view(&roster, who("adm@t02.test")),
	    CMDRULE_SEE_CONTACTS);
	assert_int_equal(cmdrule_members_view(&roster, who("w1@whole.test")),
	    CMDRULE_SEE_CONTACTS);
	/* a partner sees the teams; its team-mate not subscribed, nothing */
	assert_int_equal(cmdrule_members_view(&roster, who("p1@p01.test")),
	    CMDRULE_SEE_TEAMS);
	assert_int_equal(cmdrule_members_view(&roster, who("q1@p01.test")),
	    CMDRULE_SEE_NOTHING);
	assert_int_equal(cmdrule_members_view(&roster, who("a3@t03.test")),
	    CMDRULE_SEE_NOTHING);
	assert_int_equal(cmdrule_members_view(&roster, who("s1@susp.test")),
	    CMDRULE_SEE_NOTHING);
	/* keys: a member fetches a member's; nobody fetches an outsider's */
	assert_int_equal(cmdrule_key_get(&roster, who("a1@t01.test"),
	    who("a2@t02.test")), CMDRULE_OK);
	assert_int_equal(cmdrule_key_get(&roster, who("a1@t01.test"),
	    who("a3@t03.test")), CMDRULE_NOT_VISIBLE);
	assert_int_equal(cmdrule_key_get(&roster, who("a1@t01.test"),
	    who("s1@susp.test")), CMDRULE_NOT_VISIBLE);
	assert_int_equal(cmdrule_key_get(&roster, who("p1@p01.test"),
	    who("a1@t01.test")), CMDRULE_NOT_VISIBLE);
	assert_int_equal(cmdrule_key_get(&roster, who("a3@t03.test"),
	    who("a3@t03.test")), CMDRULE_OK);
	assert_int_equal(cmdrule_key_get(&roster, who("a1@t01.test"), NULL),
	    CMDRULE_NOT_VISIBLE);
	/* endorsing */
	assert_int_equal(cmdrule_endorse(&roster, who("a1@t01.test"),
	    "CAND"), CMDRULE_OK);
	assert_int_equal(cmdrule_endorse(&roster, who("a1@t01.test"),
	    "t01"), CMDRULE_SELF);
	assert_int_equal(cmdrule_endorse(&roster, who("p1@p01.test"),
	    "CAND"), CMDRULE_NOT_MEMBER_TEAM);
	assert_int_equal(cmdrule_endorse(&roster, who("s1@susp.test"),
	    "CAND"), CMDRULE_TEAM_NOT_ACTIVE);
}

static void
test_strings(void **state)
{
	enum cmdrule r;
	enum mailcmd_verb v;

	(void)state;
	for (r = CMDRULE_OK; r <= CMDRULE_NOT_VISIBLE; r++) {
		assert_string_not_equal(cmdrule_str(r), "unknown");
		assert_string_not_equal(cmdrule_text(r), "refused");
	}
	for (v = MAILCMD_INVALID; v <= MAILCMD_LIST_NAME; v++)
		assert_string_not_equal(mailcmd_verb_str(v), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_stops),
		cmocka_unit_test(test_list_name),
		cmocka_unit_test(test_subscribe_rules),
		cmocka_unit_test(test_view_rules),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
