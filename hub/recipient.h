/*
 * recipient: which addresses the hub serves (RCPT TO).
 *
 * For a list NAME at the hub's domain: NAME (posts), NAME-request (mail
 * commands), NAME-owner (the list admins), NAME-sendkey (the list's key),
 * NAME-bounces and NAME-bounces+TAG (VERP bounces).  Plus postmaster, which
 * RFC 5321 §4.5.1 obliges every SMTP server to accept, with or without the
 * domain.  Everything else is not served ("550 5.1.1"), unless the set of
 * lists is not known yet ("451 4.3.0", recipient_may_be_served).
 *
 * Pure: no I/O.  Local part and domain compare case-insensitively (list
 * names are stored lowercase).  Runs in the smtp process today; the worker
 * uses it to route an accepted message.
 */
#ifndef HUB_RECIPIENT_H
#define HUB_RECIPIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "hub/conf.h"

enum rcpt_kind {
	RCPT_NONE,		/* not served */
	RCPT_LIST,
	RCPT_REQUEST,
	RCPT_OWNER,
	RCPT_SENDKEY,
	RCPT_BOUNCES,
	RCPT_POSTMASTER,
};

#define RCPT_TAG_MAX	128

struct rcpt_target {
	enum rcpt_kind	kind;
	char		list[CONFIG_LIST_NAME_MAX + 1];	/* "" for postmaster */
	char		tag[RCPT_TAG_MAX + 1];		/* VERP tag, bounces only */
};

const char *rcpt_kind_str(enum rcpt_kind k);

/* lists must be sorted (strcmp order) and lowercase, as hub/conf gives
 * them.  Returns true (and fills out) when the address is served. */
bool recipient_classify(const char *addr, const char *domain,
    char *const *lists, size_t nlists, struct rcpt_target *out);

/*
 * Would addr be served if a list of its name existed?  For the time the
 * set of lists is unknown (hub_config.lists_unknown: the store exists but
 * its list names could not be read): such an address gets 451, a try
 * again later, never the 550 that would bounce a list's mail.  Every
 * address recipient_classify() serves with some list set is one.
 */
bool recipient_may_be_served(const char *addr, const char *domain);

#endif
