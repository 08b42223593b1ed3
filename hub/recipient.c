#include "config.h"

#include "hub/recipient.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char	*suffix;
	enum rcpt_kind	 kind;
} suffixes[] = {
	{ "-request", RCPT_REQUEST },
	{ "-owner", RCPT_OWNER },
	{ "-sendkey", RCPT_SENDKEY },
	{ "-bounces", RCPT_BOUNCES },
};

const char *
rcpt_kind_str(enum rcpt_kind k)
{
	switch (k) {
	case RCPT_NONE:
		return "none";
	case RCPT_LIST:
		return "list";
	case RCPT_REQUEST:
		return "request";
	case RCPT_OWNER:
		return "owner";
	case RCPT_SENDKEY:
		return "sendkey";
	case RCPT_BOUNCES:
		return "bounces";
	case RCPT_POSTMASTER:
		return "postmaster";
	}
	return "unknown";
}

/* Copy a known list name; false if it cannot be one. */
static bool
set_list(struct rcpt_target *t, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CONFIG_LIST_NAME_MAX)
		return false;
	memcpy(t->list, name, n + 1);
	return true;
}

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

/* any_list: the set of lists is not known, so any name a list could have
 * counts (recipient_may_be_served). */
static bool
list_known(const char *name, char *const *lists, size_t nlists, bool any_list)
{
	if (any_list)
		return config_valid_list_name(name);
	return nlists > 0 &&
	    bsearch(name, lists, nlists, sizeof *lists, cmp_name) != NULL;
}

/* VERP tags are ours (we generate them), so a strict alphabet is fine. */
static bool
tag_ok(const char *t)
{
	if (*t == '\0' || strlen(t) > RCPT_TAG_MAX)
		return false;
	for (; *t != '\0'; t++)
		if (!isalnum((unsigned char)*t) && *t != '-' && *t != '_' &&
		    *t != '=' && *t != '.')
			return false;
	return true;
}

static bool
classify(const char *addr, const char *domain, char *const *lists,
    size_t nlists, bool any_list, struct rcpt_target *out)
{
	char local[CONFIG_LIST_NAME_MAX + RCPT_TAG_MAX + 16];
	const char *at, *plus;
	struct rcpt_target t;
	size_t llen, i, slen;

	memset(&t, 0, sizeof t);
	at = strrchr(addr, '@');
	llen = at ? (size_t)(at - addr) : strlen(addr);
	if (llen == 0 || llen >= sizeof local)
		return false;
	if (at != NULL && strcasecmp(at + 1, domain) != 0)
		return false;
	for (i = 0; i < llen; i++)
		local[i] = (char)tolower((unsigned char)addr[i]);
	local[llen] = '\0';

	if (strcmp(local, "postmaster") == 0) {
		t.kind = RCPT_POSTMASTER;
		*out = t;
		return true;
	}
	/* Only postmaster may come without our domain (RFC 5321). */
	if (at == NULL)
		return false;

	plus = strchr(local, '+');
	if (plus != NULL) {
		/* Sub-addresses exist only as VERP: NAME-bounces+TAG. */
		if (!tag_ok(plus + 1))
			return false;
		snprintf(t.tag, sizeof t.tag, "%s", plus + 1);
		local[plus - local] = '\0';
		llen = strlen(local);
	}
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		slen = strlen(suffixes[i].suffix);
		if (llen <= slen ||
		    strcmp(local + llen - slen, suffixes[i].suffix) != 0)
			continue;
		local[llen - slen] = '\0';
		if (!list_known(local, lists, nlists, any_list) ||
		    !set_list(&t, local))
			return false;
		if (plus != NULL && suffixes[i].kind != RCPT_BOUNCES)
			return false;
		t.kind = suffixes[i].kind;
		*out = t;
		return true;
	}
	if (plus != NULL || !list_known(local, lists, nlists, any_list) ||
	    !set_list(&t, local))
		return false;
	t.kind = RCPT_LIST;
	*out = t;
	return true;
}

bool
recipient_classify(const char *addr, const char *domain,
    char *const *lists, size_t nlists, struct rcpt_target *out)
{
	return classify(addr, domain, lists, nlists, false, out);
}

bool
recipient_may_be_served(const char *addr, const char *domain)
{
	struct rcpt_target t;

	return classify(addr, domain, NULL, 0, true, &t);
}
