/*
 * keyupdate: the "key update" mail command (X-ADD-KEY in Schleuder's
 * words).  A contact replaces its own key by mailing the new public key
 * with the command, in mail signed by its current key (hub/request.c has
 * checked that, and the binding, before any command runs).
 *
 * The key is the one application/pgp-keys part of the signed content, or
 * else the one armored public key block in its text parts
 * (hub/mailedkey).  It is judged as hubctl contact key judges a key
 * (lists/contact_key: a user id for the contact's address, usable, never
 * a hub or list key, no shared subkey, at most 500 certifications)
 * before anything is imported.  Then:
 *   - the contact's key already (a refreshed copy: new expiry, user
 *     ids): imported, the keyring's copy refreshed, audited;
 *   - certified by the contact's current key (checked in a scratch
 *     keyring): imported, it becomes the contact's key at once
 *     (store_contact_set_key(), the old one in the key history, audited
 *     as the contact);
 *   - otherwise it is held (store_held_key_put(), the key's data in the
 *     store, not in the keyring) for an admin, who confirms the
 *     fingerprint with the contact before hubctl contact key ADDRESS
 *     --held FPR judges it again and imports it; until then the current
 *     key stays;
 *   - a revoked copy of the current key: the revocation is imported
 *     (it proves itself), mail signed by the key is refused from then
 *     on, and the list's admins are told (the answer, to the revoked
 *     key, cannot be sent).
 * At most 5 key update commands a day per contact (each costs gpg runs).
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
struct roster_view;

enum verdict keyupdate_run(struct job *j, const struct roster_view *rv,
    const struct contact *who, const char *lang, struct buf *out);

#endif
