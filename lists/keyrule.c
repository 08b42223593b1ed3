/*
 * keyrule: may a key be a contact's key; see lists/keyrule.h for the rule
 * and why.
 */
#include "config.h"

#include "lists/keyrule.h"
#include "base/id.h"

#include <stdio.h>
#include <strings.h>
#include <time.h>

enum keyrule_problem
keyrule_check(const struct keyrule_facts *k, const char *address,
    long long now)
{
	size_t i;

	if (k->revoked)
		return KEYRULE_REVOKED;
	if (k->expired || (k->expires > 0 && k->expires <= now))
		return KEYRULE_EXPIRED;
	if (k->invalid)
		return KEYRULE_INVALID;
	if (k->disabled)
		return KEYRULE_DISABLED;
	if (!k->can_encrypt)
		return KEYRULE_CANNOT_ENCRYPT;
	for (i = 0; address != NULL && i < k->nuids; i++)
		if (!k->uids[i].revoked && !k->uids[i].invalid &&
		    k->uids[i].email != NULL &&
		    strcasecmp(k->uids[i].email, address) == 0)
			return KEYRULE_OK;
	return KEYRULE_NO_USER_ID;
}

const char *
keyrule_problem_str(enum keyrule_problem p)
{
	switch (p) {
	case KEYRULE_OK:
		return "ok";
	case KEYRULE_REVOKED:
		return "key-revoked";
	case KEYRULE_EXPIRED:
		return "key-expired";
	case KEYRULE_INVALID:
		return "key-invalid";
	case KEYRULE_DISABLED:
		return "key-disabled";
	case KEYRULE_CANNOT_ENCRYPT:
		return "cannot-encrypt";
	case KEYRULE_NO_USER_ID:
		return "no-user-id";
	}
	return "unknown";
}

const char *
keyrule_problem_text(enum keyrule_problem p)
{
	switch (p) {
	case KEYRULE_OK:
		return "key is usable";
	case KEYRULE_REVOKED:
		return "key is revoked";
	case KEYRULE_EXPIRED:
		return "key has expired";
	case KEYRULE_INVALID:
		return "key is invalid";
	case KEYRULE_DISABLED:
		return "key is disabled";
	case KEYRULE_CANNOT_ENCRYPT:
		return "key cannot encrypt (no valid encryption subkey)";
	case KEYRULE_NO_USER_ID:
		return "key has no user id for the address";
	}
	return "unknown";
}

void
keyrule_explain(enum keyrule_problem p, const struct keyrule_facts *k,
    const char *address, char *dst, size_t size)
{
	char day[32];

	switch (p) {
	case KEYRULE_EXPIRED:
		/* a key flagged expired may carry no date (0) */
		if (k->expires <= 0)
			break;
		hub_utc(k->expires, HUB_UTC_DAY, day, sizeof day);
		if (day[0] == '\0')
			snprintf(day, sizeof day, "%lld", k->expires);
		snprintf(dst, size, "key expired on %s", day);
		return;
	case KEYRULE_NO_USER_ID:
		if (address == NULL)
			break;
		snprintf(dst, size, "key has no user id for %s", address);
		return;
	default:
		break;
	}
	snprintf(dst, size, "%s", keyrule_problem_text(p));
}
