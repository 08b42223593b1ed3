/*
 * endorsecert: the candidate's key an endorse mail carries, with the
 * endorser's certification on it (hub/mailedkey finds it), merged into
 * the hub keyring's copy so that the admission rule finds the evidence.
 *
 * Only certifications are merged (lists/certmerge: no subkey, user id or
 * revocation the hub's copy lacks; only by keys of the asker's team; at
 * most 4 new ones, 500 in all), and only for the key of a contact of a
 * candidate team of that name.  Nothing is said of the key unless the
 * team is a candidate: the answer must not tell whether a team exists.
 */
#ifndef HUB_ENDORSECERT_H
#define HUB_ENDORSECERT_H

#include <stddef.h>

#include "hub/job.h"

struct contact;

/* The line for the answer (in lang, "" when there is nothing to say) in
 * said.  V_TEMPFAIL when gpg or the store failed. */
enum verdict endorsecert_merge(struct job *j, const struct contact *who,
    const char *handle, const char *lang, char *said, size_t size);

#endif
