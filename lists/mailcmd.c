/*
 * mailcmd: the commands of a LIST-request mail (see lists/mailcmd.h).
 */
#include "config.h"

#include "base/i18n.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/id.h"
#include "lists/mailcmd.h"

/* What a keyword's arguments are. */
enum args {
	A_NONE,		/* nothing */
	A_OPT_ADDR,	/* [ADDRESS] */
	A_ADDR_FPR,	/* ADDRESS [FINGERPRINT] (X-SUBSCRIBE) */
	A_KEYSPEC,	/* ADDRESS | FINGERPRINT */
	A_HANDLE,	/* TEAM */
	A_POST,		/* [LIST:]SPOOLID */
	A_QUERY,	/* one indicator, two words at most */
	A_ONOFF,
	A_LANG,
	A_LIST,		/* a list name or address */
	A_IGNORED,	/* unsupported: whatever follows */
};

/* The most words after the keyword a command of these arguments is
 * written with; a line with more is prose that happens to start with a
 * keyword ("Key points of ...", "Search results from our team
 * follow"), and reading stops there. */
static size_t
max_words(enum args args)
{
	switch (args) {
	case A_NONE:
		return 0;
	case A_KEYSPEC:
		return 10;	/* a fingerprint as gpg prints it: 10 groups */
	case A_QUERY:
		return 2;	/* one indicator; "AS 64500" is two words */
	case A_ADDR_FPR:
		return 11;	/* an address and a grouped fingerprint */
	case A_IGNORED:
		return (size_t)-1;
	case A_OPT_ADDR:
	case A_HANDLE:
	case A_POST:
	case A_ONOFF:
	case A_LANG:
	case A_LIST:
		return 1;
	}
	return 0;
}

static const struct keyword {
	const char		*word;	/* lowercase */
	enum mailcmd_verb	 verb;
	enum args		 args;
	const char		*why;	/* unsupported: the reason */
} keywords[] = {
	{ "help", MAILCMD_HELP, A_NONE, NULL },
	{ "subscriptions", MAILCMD_SUBSCRIPTIONS, A_NONE, NULL },
	{ "x-list-subscriptions", MAILCMD_SUBSCRIPTIONS, A_NONE, NULL },
	{ "subscribe", MAILCMD_SUBSCRIBE, A_OPT_ADDR, NULL },
	{ "x-subscribe", MAILCMD_SUBSCRIBE, A_ADDR_FPR, NULL },
	{ "unsubscribe", MAILCMD_UNSUBSCRIBE, A_OPT_ADDR, NULL },
	{ "x-unsubscribe", MAILCMD_UNSUBSCRIBE, A_OPT_ADDR, NULL },
	{ "key update", MAILCMD_KEY_UPDATE, A_NONE, NULL },
	{ "x-add-key", MAILCMD_KEY_UPDATE, A_NONE, NULL },
	{ "key get", MAILCMD_KEY_GET, A_KEYSPEC, NULL },
	{ "x-get-key", MAILCMD_KEY_GET, A_KEYSPEC, NULL },
	{ "members", MAILCMD_MEMBERS, A_NONE, NULL },
	{ "x-list-keys", MAILCMD_MEMBERS, A_NONE, NULL },
	{ "endorse", MAILCMD_ENDORSE, A_HANDLE, NULL },
	{ "get", MAILCMD_GET, A_POST, NULL },
	{ "search", MAILCMD_SEARCH, A_QUERY, NULL },
	{ "copy", MAILCMD_COPY, A_ONOFF, NULL },
	{ "receipts", MAILCMD_RECEIPTS, A_ONOFF, NULL },
	{ "language", MAILCMD_LANGUAGE, A_LANG, NULL },
	{ "x-list-name", MAILCMD_LIST_NAME, A_LIST, NULL },
	/* Schleuder's, with no meaning here: said so, never guessed at */
	{ "x-resend", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the hub does not resend mail to other addresses: it would "
	    "leave the list's encryption and roster behind") },
	{ "x-resend-encrypted-only", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the hub does not resend mail to other addresses") },
	{ "x-resend-unencrypted", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the hub never sends anything in clear") },
	{ "x-resend-cc", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the hub does not resend mail to other addresses") },
	{ "x-resend-cc-encrypted-only", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the hub does not resend mail to other addresses") },
	{ "x-fetch-key", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the hub does not fetch keys from key servers or the web; a "
	    "contact's key is the one the roster registered (key get)") },
	{ "x-delete-key", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("keys are removed by the hub's admin (hubctl), not by mail") },
	{ "x-set-fingerprint", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("a contact's key is changed with key update, or by the hub's "
	    "admin") },
	{ "x-sign-this", MAILCMD_UNSUPPORTED, A_IGNORED,
	    N_("the list key signs only the hub's own mail") },
};

const char *
mailcmd_verb_str(enum mailcmd_verb v)
{
	switch (v) {
	case MAILCMD_INVALID:
		return "invalid";
	case MAILCMD_UNSUPPORTED:
		return "unsupported";
	case MAILCMD_HELP:
		return "help";
	case MAILCMD_SUBSCRIPTIONS:
		return "subscriptions";
	case MAILCMD_SUBSCRIBE:
		return "subscribe";
	case MAILCMD_UNSUBSCRIBE:
		return "unsubscribe";
	case MAILCMD_KEY_UPDATE:
		return "key-update";
	case MAILCMD_KEY_GET:
		return "key-get";
	case MAILCMD_MEMBERS:
		return "members";
	case MAILCMD_ENDORSE:
		return "endorse";
	case MAILCMD_GET:
		return "get";
	case MAILCMD_SEARCH:
		return "search";
	case MAILCMD_COPY:
		return "copy";
	case MAILCMD_RECEIPTS:
		return "receipts";
	case MAILCMD_LANGUAGE:
		return "language";
	case MAILCMD_LIST_NAME:
		return "list-name";
	}
	return "unknown";
}

const char *
mailcmd_status_str(enum mailcmd_status st)
{
	switch (st) {
	case MAILCMD_OK:
		return "ok";
	case MAILCMD_TOO_MANY:
		return "too-many-commands";
	case MAILCMD_TOO_LONG:
		return "too-long";
	}
	return "unknown";
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char
upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* RFC 5322 atext, and the dot of a dot-atom. */
static bool
local_char(unsigned char c)
{
	return alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.", c)
	    != NULL);
}

int
mailcmd_address(const char *s, size_t len, char *out)
{
	size_t i, at, label = 0;

	/* <a@b> as mail clients copy it */
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	if (len < 3 || len > 254)
		return -1;
	at = len;
	for (i = 0; i < len; i++)
		if (s[i] == '@') {
			if (at != len)
				return -1;	/* two */
			at = i;
		}
	if (at == 0 || at == len || at > 64 || s[0] == '.' ||
	    s[at - 1] == '.')
		return -1;
	for (i = 0; i < at; i++)
		if (!local_char((unsigned char)s[i]) ||
		    (s[i] == '.' && s[i + 1] == '.'))
			return -1;
	/* the domain: dot-separated labels of letters, digits and '-' */
	for (i = at + 1; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				return -1;
			label = 0;
			continue;
		}
		if (!alnum((unsigned char)s[i]) && s[i] != '-')
			return -1;
		label++;
	}
	if (out != NULL) {
		for (i = 0; i < len; i++)
			out[i] = lower(s[i]);
		out[len] = '\0';
	}
	return 0;
}

int
mailcmd_fpr(const char *s, size_t len, char *out)
{
	char f[MODEL_FPR_LEN];
	size_t i, n = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		if (blank(s[i]))
			continue;	/* "ABCD 1234 ..." as gpg prints it */
		if (n == 40 || !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return -1;
		f[n++] = upper(s[i]);
	}
	if (n != 40)
		return -1;
	f[n] = '\0';
	if (out != NULL)
		memcpy(out, f, sizeof f);
	return 0;
}

int
mailcmd_handle(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= MODEL_HANDLE_MAX ||
	    !alnum((unsigned char)s[0]))
		return -1;
	for (i = 0; i < len; i++)
		if (!alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return -1;
	return 0;
}

/* A list name (lists/store.h's rule), lowercased into out. */
static int
list_name(const char *s, size_t len, char *out)
{
	size_t i;

	if (len == 0 || len >= MODEL_LIST_MAX ||
	    !alnum((unsigned char)s[0]))
		return -1;
	for (i = 0; i < len; i++) {
		if (!alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return -1;
		out[i] = lower(s[i]);
	}
	out[len] = '\0';
	return 0;
}

/* The next blank-separated token of [*p, e): its start and length. */
static size_t
token(const char **p, const char *e, const char **tok)
{
	const char *s = *p;

	while (s < e && blank(*s))
		s++;
	*tok = s;
	while (s < e && !blank(*s))
		s++;
	*p = s;
	return (size_t)(s - *tok);
}

static bool
rest_empty(const char *p, const char *e)
{
	while (p < e && blank(*p))
		p++;
	return p == e;
}

/* The arguments [p, e) of a known keyword into c; c->error if bad. */
static void
parse_args(struct mailcmd *c, enum args args, const char *p, const char *e)
{
	const char *t;
	size_t n, i;

	switch (args) {
	case A_NONE:
		if (!rest_empty(p, e))
			c->error = N_("takes no arguments");
		return;
	case A_IGNORED:
		return;
	case A_OPT_ADDR:
		if ((n = token(&p, e, &t)) == 0)
			return;		/* the asker */
		if (mailcmd_address(t, n, c->address) != 0)
			c->error = N_("not a mail address");
		else if (!rest_empty(p, e))
			c->error = N_("takes one address at most");
		return;
	case A_ADDR_FPR:
		if ((n = token(&p, e, &t)) == 0) {
			c->error = N_("needs an address");
			return;
		}
		if (mailcmd_address(t, n, c->address) != 0) {
			c->error = N_("not a mail address");
			return;
		}
		while (p < e && blank(*p))
			p++;
		if (p < e && mailcmd_fpr(p, (size_t)(e - p), c->fpr) != 0)
			c->error = N_("not a fingerprint (40 hex digits)");
		return;
	case A_KEYSPEC:
		while (p < e && blank(*p))
			p++;
		if (p == e) {
			c->error = N_("needs an address or a fingerprint");
			return;
		}
		if (memchr(p, '@', (size_t)(e - p)) != NULL) {
			n = token(&p, e, &t);
			if (mailcmd_address(t, n, c->address) != 0)
				c->error = N_("not a mail address");
			else if (!rest_empty(p, e))
				c->error = N_("takes one address or "
				    "fingerprint");
		} else if (mailcmd_fpr(p, (size_t)(e - p), c->fpr) != 0)
			c->error = N_("not a fingerprint (40 hex digits)");
		return;
	case A_HANDLE:
		n = token(&p, e, &t);
		if (n == 0)
			c->error = N_("needs a team handle");
		else if (mailcmd_handle(t, n) != 0 || !rest_empty(p, e))
			c->error = N_("not a team handle");
		else {
			memcpy(c->handle, t, n);
			c->handle[n] = '\0';
		}
		return;
	case A_POST: {
		const char *colon;

		n = token(&p, e, &t);
		if (n == 0) {
			c->error = N_("needs a post id (as search shows it)");
			return;
		}
		if (!rest_empty(p, e)) {
			c->error = N_("takes one post id");
			return;
		}
		colon = memchr(t, ':', n);
		if (colon != NULL && list_name(t, (size_t)(colon - t),
		    c->post_list) != 0) {
			c->error = N_("not a post id");
			return;
		}
		if (colon != NULL) {
			n -= (size_t)(colon + 1 - t);
			t = colon + 1;
		}
		if (n != HUB_ID_LEN) {
			c->error = N_("not a post id");
			return;
		}
		for (i = 0; i < n; i++)
			c->post_id[i] = lower(t[i]);
		c->post_id[n] = '\0';
		if (!hub_id_valid(c->post_id)) {
			c->post_id[0] = '\0';
			c->post_list[0] = '\0';
			c->error = N_("not a post id");
		}
		return;
	}
	case A_QUERY:
		while (p < e && blank(*p))
			p++;
		if (p == e) {
			c->error = N_("needs a query");
			return;
		}
		/* echoed in the answer: no control character survives */
		for (i = 0; p + i < e; i++)
			c->query[i] = (unsigned char)p[i] < 0x20 ||
			    p[i] == 0x7f ? ' ' : p[i];
		c->query[i] = '\0';
		return;
	case A_ONOFF:
		n = token(&p, e, &t);
		if (n == 2 && strncasecmp(t, "on", 2) == 0)
			c->on = true;
		else if (n == 3 && strncasecmp(t, "off", 3) == 0)
			c->on = false;
		else {
			c->error = N_("takes on or off");
			return;
		}
		if (!rest_empty(p, e))
			c->error = N_("takes on or off");
		return;
	case A_LANG:
		n = token(&p, e, &t);
		if (n != 2 || !rest_empty(p, e) ||
		    (strncasecmp(t, "ja", 2) != 0 &&
		    strncasecmp(t, "en", 2) != 0)) {
			c->error = N_("takes ja or en");
			return;
		}
		c->lang[0] = lower(t[0]);
		c->lang[1] = lower(t[1]);
		c->lang[2] = '\0';
		return;
	case A_LIST: {
		char addr[MODEL_ADDR_MAX];
		const char *at;

		n = token(&p, e, &t);
		if (n == 0 || !rest_empty(p, e)) {
			c->error = N_("not a list name");
			return;
		}
		if (memchr(t, '@', n) == NULL) {
			if (list_name(t, n, c->list) != 0)
				c->error = N_("not a list name");
			return;
		}
		/* Schleuder's form, the list's address: both parts kept,
		 * the caller compares the domain too */
		if (mailcmd_address(t, n, addr) != 0 ||
		    (at = strchr(addr, '@')) == NULL ||
		    list_name(addr, (size_t)(at - addr), c->list) != 0) {
			c->list[0] = '\0';
			c->error = N_("not a list name or address");
			return;
		}
		snprintf(c->list_domain, sizeof c->list_domain, "%s", at + 1);
		return;
	}
	}
}

/* Blank-separated words in [p, e). */
static size_t
words(const char *p, const char *e)
{
	const char *t;
	size_t n = 0;

	while (token(&p, e, &t) > 0)
		n++;
	return n;
}

/* Is the keyword one of Schleuder's X- ones?  Those are never prose. */
static bool
schleuder(const struct keyword *kw)
{
	return strncmp(kw->word, "x-", 2) == 0;
}

/* c (already counted in set) becomes the line where reading stopped. */
static void
prose(struct mailcmd_set *set, struct mailcmd *c, const char *why)
{
	unsigned line = c->line;

	memset(c, 0, sizeof *c);
	c->verb = MAILCMD_INVALID;
	c->line = line;
	c->error = why;
	set->stopped = true;
}

#define NOT_READ "not a command; the lines after it were not read"


/* The keyword at the start of [p, e) (one word, or "key" and one
 * more); *after is past it and a colon.  NULL if unknown; *known is
 * set when the first word is "key" with a wrong second word. */
static const struct keyword *
keyword(const char *p, const char *e, const char **after, char *word,
    size_t wsize, bool *keyish)
{
	char w[48];
	const char *s = p, *t;
	size_t n = 0, i, k;

	*keyish = false;
	for (k = 0; k < 2; k++) {
		if (k == 1) {
			if (strcmp(w, "key") != 0)
				break;
			*keyish = true;
			while (s < e && blank(*s))
				s++;
			if (n + 1 >= sizeof w)
				return NULL;
			w[n++] = ' ';
		}
		t = s;
		while (s < e && !blank(*s) && *s != ':') {
			/* a NUL or control inside a keyword is no keyword
			 * ("subscribe\0..." must not read as subscribe) */
			if (n + 1 >= sizeof w || (unsigned char)*s < 0x20 ||
			    *s == 0x7f)
				return NULL;
			w[n++] = lower(*s++);
		}
		w[n] = '\0';
		if (s == t)
			break;
	}
	if (s < e && *s == ':')
		s++;		/* Schleuder's "X-SUBSCRIBE: ..." */
	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (strcmp(keywords[i].word, w) == 0)
			break;
	if (i == sizeof keywords / sizeof keywords[0])
		return NULL;
	*after = s;
	/* the keyword as written, for the answer: it is ASCII here */
	for (k = 0, t = p; t < s && k + 1 < wsize; t++)
		if (alnum((unsigned char)*t) || *t == '-' || *t == ' ')
			word[k++] = *t;
	word[k] = '\0';
	return &keywords[i];
}

static bool
starts(const char *p, const char *e, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(e - p) >= n && memcmp(p, prefix, n) == 0;
}

enum mailcmd_status
mailcmd_parse(const char *text, size_t len, struct mailcmd_set *set)
{
	const char *p = text, *end = text + len, *nl, *s, *e, *after;
	const char *armor = NULL;	/* start of the block we are in */
	const struct keyword *kw;
	struct mailcmd *c;
	unsigned lineno = 0, lines = 0, quoted = 0;
	bool in_key = false, hash_hdr = false, keyish;

	memset(set, 0, sizeof *set);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		s = p;
		e = nl;
		while (e > s && (e[-1] == '\r' || blank(e[-1])))
			e--;
		while (s < e && blank(*s))
			s++;
		if (armor != NULL) {
			if ((size_t)(nl - armor) > MAILCMD_ARMOR_MAX)
				return MAILCMD_TOO_LONG;
			if (starts(s, e, "-----END PGP ")) {
				if (in_key && set->nkeys == 1 &&
				    set->key_len == 0)
					set->key_len = (size_t)(e - text) -
					    set->key_off;
				armor = NULL;
				in_key = false;
			}
			continue;
		}
		if (hash_hdr) {
			/* a clearsigned text's "Hash:" lines, to the blank */
			if (s == e)
				hash_hdr = false;
			continue;
		}
		if (s == e)
			continue;
		if (*s == '>') {
			/* quoted: a reply quotes the whole mail it answers,
			 * so these are bounded apart, and generously */
			if (++quoted > MAILCMD_MAX_QUOTED)
				return MAILCMD_TOO_LONG;
			continue;
		}
		if (++lines > MAILCMD_MAX_LINES)
			return MAILCMD_TOO_LONG;
		if (e - s == 2 && s[0] == '-' && s[1] == '-')
			break;		/* the signature */
		if (starts(s, e, "-----BEGIN PGP SIGNED MESSAGE-----")) {
			hash_hdr = true;
			continue;
		}
		if (starts(s, e, "-----BEGIN PGP ")) {
			armor = p;
			lines--;	/* an armor block is bounded apart */
			if (starts(s, e, "-----BEGIN PGP PUBLIC KEY BLOCK")) {
				in_key = true;
				if (set->nkeys++ == 0)
					set->key_off = (size_t)(s - text);
			}
			continue;
		}
		if ((e - s == 6 || (e - s == 7 && s[6] == ':')) &&
		    strncasecmp(s, "x-stop", 6) == 0)
			break;		/* Schleuder's end of keywords */
		if (set->n == MAILCMD_MAX)
			return MAILCMD_TOO_MANY;
		c = &set->cmd[set->n++];
		c->line = lineno;
		if ((size_t)(e - s) >= MAILCMD_LINE_MAX) {
			/* nobody writes a command this long: prose (or a
			 * pasted report), and what follows is more of it */
			prose(set, c, "line too long: " NOT_READ);
			break;
		}
		kw = keyword(s, e, &after, c->word, sizeof c->word, &keyish);
		if (kw == NULL && keyish) {
			if (words(s, e) > 2) {
				/* "Key points of what ... (forwarded below):" */
				prose(set, c, NOT_READ);
				break;
			}
			snprintf(c->word, sizeof c->word, "key");
			c->verb = MAILCMD_INVALID;
			c->error = N_("key update or key get");
			continue;
		}
		if (kw == NULL) {
			/* prose, a greeting, a typo: reading stops here so
			 * nothing further down is taken for a command */
			prose(set, c, NOT_READ);
			break;
		}
		if (!schleuder(kw) && words(after, e) > max_words(kw->args)) {
			/* a keyword opening a sentence: prose, not a
			 * command with bad arguments */
			prose(set, c, NOT_READ);
			break;
		}
		c->verb = kw->verb;
		c->error = kw->why;
		parse_args(c, kw->args, after, e);
		if (c->error != NULL && kw->verb == MAILCMD_LIST_NAME)
			set->list_name_bad = true;
		if (c->error != NULL && c->verb != MAILCMD_UNSUPPORTED) {
			/* the reason stays, the half-read arguments go */
			const char *why = c->error;
			unsigned line = c->line;
			char word[sizeof c->word];

			memcpy(word, c->word, sizeof word);
			memset(c, 0, sizeof *c);
			c->verb = MAILCMD_INVALID;
			c->line = line;
			c->error = why;
			memcpy(c->word, word, sizeof word);
		}
	}
	return MAILCMD_OK;
}
