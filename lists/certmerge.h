/*
 * certmerge: may a mailed copy of a key be merged into the hub keyring's
 * copy for the certifications it adds?  (The endorse mail command: a
 * member mails the candidate's key with its certification on it.)
 *
 * Merging a copy can add more than certifications: a subkey (a copy
 * made by the key's holder can bind another key's public subkey to it,
 * and two keys holding one subkey make that subkey's signatures
 * ambiguous: its member could no longer post), a user id, a revocation,
 * or thousands of certifications nobody needs a secret to make (gpg
 * keeps them, and checks each whenever the key is listed).  So only new
 * certifications are taken, only by the keys allowed (the endorsing
 * team's), at most max_new of them, and the merged key at most
 * CERTMERGE_TOTAL_MAX.
 *
 * Pure: compares the key as crypto/keyinspect merged it (merged) with the
 * hub keyring's copy (known).  No I/O.
 */
#ifndef LISTS_CERTMERGE_H
#define LISTS_CERTMERGE_H

#include <stddef.h>

#include "crypto/keys.h"

#define CERTMERGE_TOTAL_MAX	500	/* as lists/contact_key keeps */

enum certmerge {
	CERTMERGE_OK = 0,	/* *nnew certifications, all allowed */
	CERTMERGE_ADDS_KEYS,	/* a subkey the hub's copy lacks */
	CERTMERGE_ADDS_UIDS,	/* a user id the hub's copy lacks */
	CERTMERGE_REVOKES,	/* a revocation the hub's copy lacks */
	CERTMERGE_FOREIGN,	/* a new certification by another key */
	CERTMERGE_TOO_MANY,	/* more than max_new, or over the total */
	CERTMERGE_NOTHING,	/* no new certification at all */
};

/* allowed: the 16-digit key ids (uppercase) whose certifications may be
 * added. */
enum certmerge certmerge_judge(const struct key_info *merged,
    const struct key_info *known, const char (*allowed)[17], size_t nallowed,
    size_t max_new, size_t *nnew);
const char *certmerge_str(enum certmerge m);

#endif
