/*
 * tlp: TLP 2.0 labels.  See lists/tlp.h for the rules; the comments here
 * say why the scanner looks the way it does.
 */
#include "config.h"

#include "lists/tlp.h"

#include <string.h>

static const struct {
	const char	*name;	/* uppercase, as after "TLP:" */
	enum tlp	 label;
} names[] = {
	/* AMBER+STRICT before AMBER: the longer name must win. */
	{ "AMBER+STRICT", TLP_AMBER_STRICT },
	{ "AMBER", TLP_AMBER },
	{ "GREEN", TLP_GREEN },
	{ "CLEAR", TLP_CLEAR },
	{ "WHITE", TLP_CLEAR },
	{ "RED", TLP_RED },
};
#define NNAMES	(sizeof names / sizeof names[0])

const char *
tlp_str(enum tlp t)
{
	switch (t) {
	case TLP_NONE:
		return "none";
	case TLP_CLEAR:
		return "TLP:CLEAR";
	case TLP_GREEN:
		return "TLP:GREEN";
	case TLP_AMBER:
		return "TLP:AMBER";
	case TLP_AMBER_STRICT:
		return "TLP:AMBER+STRICT";
	case TLP_RED:
		return "TLP:RED";
	}
	return "unknown";
}

const char *
tlp_where_str(enum tlp_where w)
{
	switch (w) {
	case TLP_FROM_DEFAULT:
		return "default";
	case TLP_FROM_SUBJECT:
		return "subject";
	case TLP_FROM_BODY:
		return "body";
	}
	return "unknown";
}

/* ASCII only: the locale must not change what a label is. */
static int
up(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static bool
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

/* Octets that would make "XTLP" or "REDACTED" one word with the label. */
static bool
is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Does s (n octets) start with the uppercase word w, any case? */
static bool
prefix_ci(const char *s, size_t n, const char *w, bool *lower)
{
	size_t i, wl = strlen(w);

	if (n < wl)
		return false;
	for (i = 0; i < wl; i++)
		if (up((unsigned char)s[i]) != w[i])
			return false;
	for (i = 0; i < wl; i++)
		if (is_lower((unsigned char)s[i]))
			*lower = true;
	return true;
}

int
tlp_from_name(const char *name, enum tlp *out)
{
	size_t i, n;
	bool lower = false;

	if (name == NULL)
		return -1;
	n = strlen(name);
	if (n == 4 && prefix_ci(name, n, "NONE", &lower)) {
		*out = TLP_NONE;
		return 0;
	}
	if (prefix_ci(name, n, "TLP:", &lower)) {
		name += 4;
		n -= 4;
	}
	for (i = 0; i < NNAMES; i++)
		if (strlen(names[i].name) == n &&
		    prefix_ci(name, n, names[i].name, &lower)) {
			*out = names[i].label;
			return 0;
		}
	return -1;
}

const char *
role_str(enum role r)
{
	switch (r) {
	case ROLE_MEMBER:
		return "member";
	case ROLE_PARTNER:
		return "partner";
	case ROLE_ADMIN:
		return "admin";
	}
	return "unknown";
}

int
role_from_name(const char *name, enum role *out)
{
	static const enum role all[] = { ROLE_MEMBER, ROLE_PARTNER,
	    ROLE_ADMIN };
	size_t i, j, n;
	const char *s;

	if (name == NULL)
		return -1;
	n = strlen(name);
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		s = role_str(all[i]);
		if (strlen(s) != n)
			continue;
		for (j = 0; j < n; j++)
			if (up((unsigned char)name[j]) !=
			    up((unsigned char)s[j]))
				break;
		if (j == n) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

/* One label found by scan(): folds it into the result. */
static void
found(struct tlp_result *res, enum tlp label, enum tlp_where where,
    unsigned warnings)
{
	res->nlabels++;
	res->warnings |= warnings;
	/* Strictly greater: the first place the maximum was seen wins. */
	if (res->nlabels == 1 || label > res->label) {
		res->label = label;
		res->where = where;
	}
}

/*
 * Every label lying wholly in s[0..n).  The octet after a name is looked
 * at up to avail (>= n), so a word cut by the body window
 * ("TLP:REDACTED" across octet TLP_BODY_MAX) is not taken for a label.
 * A linear scan for "TLP" with explicit word
 * boundaries, rather than a regex, so the rules in tlp.h are the code and
 * the fuzzer can hold it to them.
 */
static void
scan(const char *s, size_t n, size_t avail, enum tlp_where where,
    struct tlp_result *res)
{
	size_t i, j, k, nl = 0;
	unsigned warn;
	bool lower, nlower = false;

	for (i = 0; i + 4 <= n; i++) {
		if (up((unsigned char)s[i]) != 'T')
			continue;
		if (i > 0 && is_word((unsigned char)s[i - 1]))
			continue;
		lower = false;
		if (!prefix_ci(s + i, n - i, "TLP:", &lower))
			continue;
		warn = 0;
		j = i + 4;
		/*
		 * "TLP: AMBER" breaks TLP 2.0 but its author meant AMBER;
		 * skipping the label would lower it to the default.  Spaces
		 * only within the line: a label does not span lines.
		 */
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j > i + 4)
			warn |= TLP_WARN_SPACE;
		for (k = 0; k < NNAMES; k++) {
			nl = strlen(names[k].name);
			nlower = false;
			if (!prefix_ci(s + j, n - j, names[k].name, &nlower))
				continue;
			if (j + nl < avail &&
			    is_word((unsigned char)s[j + nl]))
				continue;
			break;
		}
		if (k == NNAMES)
			continue;
		if (lower || nlower)
			warn |= TLP_WARN_CASE;
		if (names[k].name[0] == 'W')
			warn |= TLP_WARN_WHITE;
		found(res, names[k].label, where, warn);
		i = j + nl - 1;
	}
}

/* The octets of body that may carry the label: see TLP_BODY_LINES. */
static size_t
body_window(const char *body, size_t len)
{
	size_t i, lines = 0;
	bool nonempty = false;

	if (len > TLP_BODY_MAX)
		len = TLP_BODY_MAX;
	for (i = 0; i < len; i++) {
		if (body[i] == '\n') {
			if (nonempty && ++lines == TLP_BODY_LINES)
				return i;
			nonempty = false;
		} else if (body[i] != ' ' && body[i] != '\t' &&
		    body[i] != '\r')
			nonempty = true;
	}
	return len;
}

void
tlp_parse(const char *subject, const char *body, size_t body_len,
    enum tlp dflt, struct tlp_result *res)
{
	size_t n;

	memset(res, 0, sizeof *res);
	if (subject != NULL) {
		n = strlen(subject);
		scan(subject, n, n, TLP_FROM_SUBJECT, res);
	}
	if (body != NULL && body_len > 0)
		scan(body, body_window(body, body_len), body_len,
		    TLP_FROM_BODY, res);
	if (res->nlabels == 0) {
		res->label = dflt;
		res->where = TLP_FROM_DEFAULT;
	}
}

bool
tlp_may_receive(enum tlp t, enum role r, enum tlp clearance)
{
	switch (r) {
	case ROLE_MEMBER:
		return true;
	case ROLE_PARTNER:
		switch (t) {
		case TLP_CLEAR:
		case TLP_GREEN:
			return true;
		case TLP_AMBER:
		case TLP_AMBER_STRICT:
			/* Explicit clearance, at least this label; a RED
			 * clearance is meaningless but covers AMBER. */
			return clearance >= t;
		case TLP_RED:
		case TLP_NONE:
			return false;
		}
		return false;
	case ROLE_ADMIN:
		/* Admin subscriptions get notices, not posts. */
		return false;
	}
	return false;
}
