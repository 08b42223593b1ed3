/*
 * keyupdate: the "key update" mail command (X-ADD-KEY in Schleuder's
 * words).  A contact replaces its own key by mailing the new public key
 * with the command, in mail signed by its current key (hub/request.c has
 * checked that, and the binding, before any command runs).
 *
 * The key is the one application/pgp-keys part of the signed content, or
 * else the one armored public key block in its text parts.  It gets the
 * checks hubctl contact key applies (lists/contact_key: judged for the
 * contact's address, never a hub or list key, no shared subkey) and is
 * imported.  Then:
 *   - the contact's key already (a refreshed copy: new expiry, user
 *     ids): the keyring's copy is refreshed, audited;
 *   - certified by the contact's current key: it becomes the contact's
 *     key at once (store_contact_set_key(), the old one in the key
 *     history, audited as the contact);
 *   - otherwise it is held (store_held_key_put()) for an admin, who
 *     confirms the fingerprint with the contact before hubctl contact
 *     key ADDRESS --held; until then the current key stays.
 * Whoever holds the current key's secret can so replace it (the rule
 * the community chose): each change is in the audit log with the
 * contact as actor and in the worker's log.
 *
 * Writes the answer lines ("done: ...", "held: ...", "refused: ...")
 * to out in lang (base/i18n.h), lines ending in LF like every
 * translated text.  V_TEMPFAIL when gpg or the store failed (nothing, or only an
 * idempotent import, was done).
 */
#ifndef HUB_KEYUPDATE_H
#define HUB_KEYUPDATE_H

#include "hub/job.h"

struct buf;
struct contact;

enum verdict keyupdate_run(struct job *j, const struct contact *who,
    const char *lang, struct buf *out);

#endif
