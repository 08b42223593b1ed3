/*
 * mailcmd: the mail commands a member sends to LIST-request, read from
 * the text of the mail as one pure function.  The text is what the
 * worker decrypted and verified (hub/request.c decides whether it is
 * authentic; this file only reads it): every line of it may still be
 * written by someone else (a quoted mail, a forwarded one), so nothing
 * here trusts it, and every argument is checked before it is returned.
 *
 * One command per line, the keyword first, case-insensitively:
 *   help
 *   subscriptions                     X-LIST-SUBSCRIPTIONS
 *   subscribe [ADDRESS]               X-SUBSCRIBE ADDRESS [FINGERPRINT]
 *   unsubscribe [ADDRESS]             X-UNSUBSCRIBE [ADDRESS]
 *   key update                        X-ADD-KEY
 *   key get ADDRESS|FINGERPRINT       X-GET-KEY ADDRESS|FINGERPRINT
 *   members                           X-LIST-KEYS
 *   endorse TEAM
 *   get POST-ID                       (LIST:SPOOLID, or SPOOLID)
 *   search QUERY
 *   copy on|off, receipts on|off, language ja|en
 *   X-LIST-NAME LIST[@DOMAIN]         (checked by the caller)
 * Schleuder's keywords may carry a colon ("X-SUBSCRIBE: a@b.example").
 * X-RESEND*, X-FETCH-KEY, X-DELETE-KEY, X-SET-FINGERPRINT and
 * X-SIGN-THIS are recognised and returned as MAILCMD_UNSUPPORTED with
 * the reason; X-STOP ends the commands.
 *
 * What is not read: blank lines, quoted lines ("> ..."), everything
 * after a signature separator ("-- "), and OpenPGP armor blocks (a
 * public key block is noted, for "key update", by its place in the
 * text).  Reading stops at the first line that is not a command (the
 * greeting or prose of a mail): that line is returned as
 * MAILCMD_INVALID with set->stopped, so the answer can say where
 * reading stopped, and no later line is read.  Prose is also a line
 * that starts with a keyword but holds more words than the command
 * takes ("Key points of ...", "Search results from our team follow",
 * "Members of our team ..."), and a line longer than MAILCMD_LINE_MAX
 * octets: neither is a command written by hand, and what follows them
 * is more prose (or a quoted mail) whose lines must not run.  A
 * keyword with bad arguments that is otherwise command-shaped (no more
 * words than the command takes) is MAILCMD_INVALID with the reason,
 * and reading goes on.  Schleuder's X- keywords are never prose.
 *
 * X-LIST-NAME takes the list's name or its address (Schleuder writes
 * NAME@DOMAIN); the caller compares both parts.  One that cannot be
 * read sets set->list_name_bad: the caller then runs none of the mail,
 * as for one that names another list.
 *
 * Bounds: at most MAILCMD_MAX commands and MAILCMD_MAX_LINES lines read
 * (armor lines are not counted, but an armor block is at most
 * MAILCMD_ARMOR_MAX octets; quoted lines are counted apart, up to
 * MAILCMD_MAX_QUOTED, since a reply quotes the whole mail it answers);
 * a longer mail gives MAILCMD_TOO_MANY or MAILCMD_TOO_LONG and the
 * caller runs none of it.
 *
 * Pure: no I/O, no globals, no allocation (the caller owns the set; it
 * is large, allocate it).  Used by the worker (hub/request.c) and
 * tests/fuzz/fuzz_mailcmd.c.
 */
#ifndef LISTS_MAILCMD_H
#define LISTS_MAILCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "lists/model.h"

#define MAILCMD_MAX		20	/* commands per mail */
#define MAILCMD_MAX_LINES	200	/* lines read per mail */
#define MAILCMD_MAX_QUOTED	20000	/* quoted ("> ") lines per mail */
#define MAILCMD_LINE_MAX	1024	/* octets of one line */
#define MAILCMD_ARMOR_MAX	(256 * 1024)	/* octets of an armor block */
#define MAILCMD_POST_MAX	(MODEL_LIST_MAX + 32)	/* "LIST:ID" */

enum mailcmd_verb {
	MAILCMD_INVALID = 0,	/* error says why */
	MAILCMD_UNSUPPORTED,	/* a Schleuder keyword: error says why */
	MAILCMD_HELP,
	MAILCMD_SUBSCRIPTIONS,
	MAILCMD_SUBSCRIBE,
	MAILCMD_UNSUBSCRIBE,
	MAILCMD_KEY_UPDATE,
	MAILCMD_KEY_GET,
	MAILCMD_MEMBERS,
	MAILCMD_ENDORSE,
	MAILCMD_GET,
	MAILCMD_SEARCH,
	MAILCMD_COPY,
	MAILCMD_RECEIPTS,
	MAILCMD_LANGUAGE,
	MAILCMD_LIST_NAME,
};

/* "help", "key-get", "invalid" ... (static) */
const char *mailcmd_verb_str(enum mailcmd_verb v);

struct mailcmd {
	enum mailcmd_verb	 verb;
	unsigned		 line;		/* 1-based, in the text */
	/* the keyword as written, ASCII letters, digits and '-' only (for
	 * the answer: "X-SUBSCRIBE", "key get") */
	char			 word[32];
	/* subscribe, unsubscribe, key get: lowercase; "" = the asker */
	char			 address[MODEL_ADDR_MAX];
	/* key get, X-SUBSCRIBE: 40 uppercase hex digits, or "" */
	char			 fpr[MODEL_FPR_LEN];
	char			 handle[MODEL_HANDLE_MAX];	/* endorse */
	/* get: "" or a list name (lowercase), and the spool id */
	char			 post_list[MODEL_LIST_MAX];
	char			 post_id[32];
	/* X-LIST-NAME: the name (lowercase), and the domain when an
	 * address was written (lowercase), else "" */
	char			 list[MODEL_LIST_MAX];
	char			 list_domain[MODEL_ADDR_MAX];
	/* search: the rest of the line, control characters made spaces */
	char			 query[MAILCMD_LINE_MAX];
	bool			 on;		/* copy, receipts */
	char			 lang[3];	/* "ja" or "en" */
	const char		*error;		/* INVALID, UNSUPPORTED; static,
						   English, N_() (translated
						   in the answer) */
};

enum mailcmd_status {
	MAILCMD_OK = 0,
	MAILCMD_TOO_MANY,	/* more than MAILCMD_MAX commands */
	MAILCMD_TOO_LONG,	/* more than MAILCMD_MAX_LINES lines, more
				   than MAILCMD_MAX_QUOTED quoted ones, or
				   an armor block over MAILCMD_ARMOR_MAX */
};

const char *mailcmd_status_str(enum mailcmd_status st);

struct mailcmd_set {
	struct mailcmd	 cmd[MAILCMD_MAX];
	size_t		 n;
	/* reading stopped at a line that is no command: the last entry */
	bool		 stopped;
	/* an X-LIST-NAME line that is no list name or address */
	bool		 list_name_bad;
	/* public key blocks seen; the first one's place in the text */
	unsigned	 nkeys;
	size_t		 key_off, key_len;
};

/*
 * Read the commands of text (len octets, any bytes; NULs end nothing).
 * *set is always filled: on MAILCMD_TOO_MANY it holds the first
 * MAILCMD_MAX, on MAILCMD_TOO_LONG what was read before.
 */
enum mailcmd_status mailcmd_parse(const char *text, size_t len,
    struct mailcmd_set *set);

/* The argument checks, for the effects and the tests: 0 if valid. */
/* ADDRESS: local@domain, printable ASCII, at most 254 octets; out (if
 * not NULL, MODEL_ADDR_MAX) gets it lowercased. */
int mailcmd_address(const char *s, size_t len, char *out);
/* 40 hex digits, optionally "0x" first and blanks between groups; out
 * (MODEL_FPR_LEN) gets them uppercase. */
int mailcmd_fpr(const char *s, size_t len, char *out);
/* A team handle (lists/store.h's rule). */
int mailcmd_handle(const char *s, size_t len);

#endif
