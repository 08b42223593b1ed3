/*
 * store: the community roster at rest -- one SQLCipher database,
 * DATA_DIR/hub.db, holding teams, contacts, lists, subscriptions,
 * endorsements and the audit log of every change made to them.
 *
 * The database is encrypted with a random 256-bit key.  That key exists
 * on disk only wrapped (crypto/keyfile, OpenPGP-encrypted to the hub's
 * own key) in DATA_DIR/hub.db.key; the hub key's fingerprint is kept in
 * DATA_DIR/hub.fpr; the keyring is DATA_DIR/gnupg (the caller opens it
 * and passes the struct gpg).  store_open() unwraps the key, opens the
 * database with it through crypto/db (the archive's way too) and wipes
 * every copy it made.
 *
 * Concurrency: openers take turns on DATA_DIR/hub.db.lock while opening;
 * then WAL journal, a busy timeout (STORE_BUSY_MS), and one short BEGIN
 * IMMEDIATE transaction per change, so hubctl may change the roster
 * while hubd reads it.  Every change writes its audit row (who, when,
 * what, before/after as JSON) in the same transaction: there is no change
 * without its audit row and no audit row without its change.
 *
 * Schema: a schema_version table and forward migrations, applied by
 * store_open() in one transaction each; a database newer than this code
 * is refused (STORE_SCHEMA).
 *
 * Ownership: struct store is freed by store_close() (NULL is a no-op).
 * Records returned through out-parameters hold allocated free texts
 * (struct team.name, struct list.description): release them with the
 * matching _free()/_clear() function.  Out-parameters are written only
 * on STORE_OK.  store_errmsg() describes the last failure, naming the
 * thing and the problem ("no such team: CERT-EX"); it is valid until the
 * next call on the store.
 *
 * Used by hubctl, the worker and hubd's master (the lists' names).
 * Every function blocks on SQLite I/O; store_init() and store_open()
 * also block while gpg runs.
 */
#ifndef LISTS_STORE_H
#define LISTS_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/gpg.h"
#include "lists/model.h"

#define STORE_WUR	__attribute__((warn_unused_result))

#define STORE_DB_FILE		"hub.db"
#define STORE_KEY_FILE		"hub.db.key"
#define STORE_FPR_FILE		"hub.fpr"
#define STORE_GNUPG_DIR		"gnupg"
#define STORE_LOCK_FILE		"hub.db.lock"	/* while opening */
#define STORE_KEY_LEN		32	/* octets of the database key */
#define STORE_BUSY_MS		5000
#define STORE_SCHEMA_VERSION	10	/* what this code writes */

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,	/* no such team, contact, list, subscription */
	STORE_EXISTS,		/* already there (duplicate) */
	STORE_INVALID,		/* a bad value: handle, option, kind ... */
	STORE_CONFLICT,		/* not allowed in the current state */
	STORE_BUSY,		/* locked longer than the busy timeout */
	STORE_KEY,		/* key cannot be unwrapped or does not fit */
	STORE_SCHEMA,		/* schema newer than this code */
	STORE_IO,		/* files or SQLite failed: environment */
	STORE_CRYPTO,		/* gpg failed: environment */
};

/* "ok", "not-found", "exists", ... (static). */
const char *store_status_str(enum store_status st);

struct store;

/*
 * Create the store in data_dir (which must exist): a fresh random key,
 * wrapped to hub_fpr into hub.db.key, hub.fpr, and hub.db with the
 * current schema.  Refuses (STORE_EXISTS) when hub.db or hub.db.key is
 * already there.  On STORE_OK *sp is the open store.
 */
enum store_status store_init(const char *data_dir, struct gpg *g,
    const char *hub_fpr, struct store **sp) STORE_WUR;

/* Open an existing store (and migrate its schema forward). */
enum store_status store_open(const char *data_dir, struct gpg *g,
    struct store **sp) STORE_WUR;
/* The same, with why it failed in why (a CLI has no store to ask:
 * "hub.db: first read: disk I/O error (4874): No space left on
 * device"); why untouched on STORE_OK. */
enum store_status store_open_why(const char *data_dir, struct gpg *g,
    struct store **sp, char *why, size_t whylen) STORE_WUR;
void store_close(struct store *s);

const char *store_errmsg(const struct store *s);
/* Who the audit rows name (default "unknown"); copied. */
void store_set_actor(struct store *s, const char *actor);
int store_schema_version(const struct store *s);
/* The hub key's fingerprint as read from hub.fpr ("" if unreadable). */
const char *store_hub_fpr(const struct store *s);
/*
 * Is fpr the hub's own key or a list's key?  STORE_OK and owner set to
 * "the hub" / "the list NAME" (owner may be NULL), STORE_NOT_FOUND, or
 * an error.  Such a key is never a contact's: store_contact_add()
 * refuses it, and the worker treats its signatures as nobody's.
 */
enum store_status store_own_key(struct store *s, const char *fpr,
    char *owner, size_t size) STORE_WUR;

/* A team handle: 1-63 of A-Z a-z 0-9 . _ -, starting with a letter or a
 * digit.  Handles compare case-insensitively. */
int store_valid_handle(const char *handle);

/* --- teams ------------------------------------------------------------ */

/* t->name may be NULL.  STORE_EXISTS for a duplicate handle. */
enum store_status store_team_add(struct store *s, const struct team *t)
    STORE_WUR;
/* t->name is allocated: store_team_clear(t). */
enum store_status store_team_get(struct store *s, const char *handle,
    struct team *t) STORE_WUR;
void store_team_clear(struct team *t);
/* All teams by handle; store_teams_free(v, n). */
enum store_status store_team_list(struct store *s, struct team **vp,
    size_t *np) STORE_WUR;
void store_teams_free(struct team *v, size_t n);
/*
 * Allowed: candidate -> active (admission), active -> suspended,
 * suspended -> active, and anything but left -> left.  Anything else,
 * including a change to the same state, is STORE_CONFLICT.
 */
enum store_status store_team_set_state(struct store *s, const char *handle,
    enum team_state to) STORE_WUR;
/* Delete a team with its contacts, subscriptions and endorsements. */
enum store_status store_team_remove(struct store *s, const char *handle)
    STORE_WUR;

/* --- contacts --------------------------------------------------------- */

/* c->team must exist; address lowercased, fpr uppercased on the way in. */
enum store_status store_contact_add(struct store *s, const struct contact *c)
    STORE_WUR;
/* A team's contacts by address (team NULL: every contact, by team and
 * address); store_contacts_free(v, n). */
enum store_status store_contact_list(struct store *s, const char *team,
    struct contact **vp, size_t *np) STORE_WUR;
void store_contacts_free(struct contact *v, size_t n);
/* One contact by address (any case); c->name is allocated:
 * store_contact_clear(c). */
enum store_status store_contact_get(struct store *s, const char *address,
    struct contact *c) STORE_WUR;
void store_contact_clear(struct contact *c);
/*
 * Replace the key of the contact at address by fpr (already judged and
 * imported: lists/contact_key).  The old fingerprint is kept in the
 * contact's key history; *changed is false when fpr is the contact's key
 * already (a refreshed copy, e.g. a new expiry date: audited, no history
 * row).  Refuses the hub's and the lists' own keys (STORE_INVALID).
 * Audited "contact.key" with the before and after fingerprints.
 */
enum store_status store_contact_set_key(struct store *s, const char *address,
    const char *fpr, bool *changed) STORE_WUR;
/* The language of the hub's mail to the contact at address: "ja",
 * "en", or NULL/"" for the community's.  Audited "contact.lang" (the
 * actor: store_set_actor(), "mail:ADDRESS" for the language command). */
enum store_status store_contact_set_lang(struct store *s, const char *address,
    const char *lang) STORE_WUR;
struct store_key_change {
	char		 fpr[MODEL_FPR_LEN];	/* the key replaced */
	long long	 replaced;		/* when */
	char		*actor;
};
/*
 * A contact's own on/off settings, each on unless switched off:
 *   STORE_FLAG_RECEIPTS  a signed receipt for each of its posts
 *                        (hub/receipt.h; schema 9)
 *   STORE_FLAG_OWN_COPY  a copy of its own posts (schema 10; struct
 *                        contact's no_own_copy is the same, read with
 *                        the contact)
 * STORE_NOT_FOUND: no such contact.  Setting one is audited
 * "contact.receipts" / "contact.copy" with the before and after values,
 * and only when it changes.
 */
enum store_contact_flag {
	STORE_FLAG_RECEIPTS = 0,
	STORE_FLAG_OWN_COPY,
};
enum store_status store_contact_flag(struct store *s, const char *address,
    enum store_contact_flag f, bool *on) STORE_WUR;
enum store_status store_contact_set_flag(struct store *s,
    const char *address, enum store_contact_flag f, bool on) STORE_WUR;
/* A contact's replaced keys, oldest first; store_key_history_free(). */
enum store_status store_key_history(struct store *s, const char *address,
    struct store_key_change **vp, size_t *np) STORE_WUR;
void store_key_history_free(struct store_key_change *v, size_t n);
/*
 * Held keys: a new key a contact mailed (the key update command) that its
 * current key did not certify waits here for an admin (hubctl contact
 * key --held FPR).  One per contact: a later one replaces it.  The key
 * is kept here, armored, not in the hub keyring: it is judged and
 * imported only when accepted.  store_contact_set_key() ends a
 * contact's hold, whatever key it sets.
 */
struct store_held_key {
	char		 address[MODEL_ADDR_MAX];
	char		 fpr[MODEL_FPR_LEN];
	char		*key;		/* the armored key as mailed */
	long long	 at;
	char		*actor;
};
/* Hold fpr (whose data key is) for address; audited "contact.key-held". */
enum store_status store_held_key_put(struct store *s, const char *address,
    const char *fpr, const char *key) STORE_WUR;
/* STORE_NOT_FOUND when the contact has none; store_held_key_clear(). */
enum store_status store_held_key_get(struct store *s, const char *address,
    struct store_held_key *h) STORE_WUR;
void store_held_key_clear(struct store_held_key *h);
/* Every hold, oldest first; store_held_keys_free(). */
enum store_status store_held_key_list(struct store *s,
    struct store_held_key **vp, size_t *np) STORE_WUR;
void store_held_keys_free(struct store_held_key *v, size_t n);
/* Refuse the held key (it stays in the keyring, bound to nobody);
 * audited "contact.key-dropped"; STORE_NOT_FOUND when none. */
enum store_status store_held_key_drop(struct store *s, const char *address)
    STORE_WUR;

/* Delete a contact with its subscriptions (its key stays in the
 * keyring: mail it signed can still be verified). */
enum store_status store_contact_remove(struct store *s, const char *address)
    STORE_WUR;

/* --- lists ------------------------------------------------------------ */

/* A list as stored: the record and the list's own key (may be ""). */
struct store_list {
	struct list	 l;
	char		 fpr[MODEL_FPR_LEN];
	/* days with a permanent delivery failure after which a contact's
	 * delivery on this list is disabled (Mailman's
	 * bounce_score_threshold); 0: never (schema 5) */
	unsigned	 bounce_threshold;
};

#define STORE_BOUNCE_THRESHOLD_DEFAULT	5
#define STORE_BOUNCE_THRESHOLD_MAX	1000

/* A list name: 1-63 of a-z 0-9 . _ -, starting with a-z or 0-9. */
int store_valid_list_name(const char *name);
/* A new list record with the strict defaults: members post, AMBER
 * unless labelled, signatures not naming the list at most 48 h old. */
void store_list_init(struct store_list *l, const char *name);
enum store_status store_list_create(struct store *s,
    const struct store_list *l) STORE_WUR;
/* l->l.description is allocated: store_list_clear(l). */
enum store_status store_list_get(struct store *s, const char *name,
    struct store_list *l) STORE_WUR;
void store_list_clear(struct store_list *l);
enum store_status store_list_list(struct store *s, struct store_list **vp,
    size_t *np) STORE_WUR;
void store_lists_free(struct store_list *v, size_t n);
/*
 * Set one option by name from its text form: description (any text),
 * default_tlp (clear|green|amber|amber+strict|red), may_post
 * (members|admins|subscribers), subject_tag (up to 63 octets, no control
 * characters), keep_msgid (yes|no), max_size (octets, 0: the hub's),
 * max_signature_age (seconds, or with a unit s|m|h|d; 0: no limit),
 * bounce_score_threshold (0-1000 days with a permanent failure; 0:
 * never disable).
 * STORE_INVALID names the option and the value.
 */
enum store_status store_list_set(struct store *s, const char *name,
    const char *option, const char *value) STORE_WUR;
/*
 * The same option=value applied to a record in memory, nothing stored
 * (hubctl checks all options of "list create" before creating).  A new
 * description is allocated into *alloc (caller frees; it replaces
 * l->l.description).  0, or -1 with *known = 0 for an unknown option.
 */
int store_list_apply(struct store_list *l, const char *option,
    const char *value, char **alloc, int *known);
/* Delete a list with its subscriptions. */
enum store_status store_list_delete(struct store *s, const char *name)
    STORE_WUR;

/* --- a list's retired keys (schema 6) ---------------------------------- */
/*
 * hubctl list rekey: the list's key replaced by new_fpr (already in the
 * keyring), the old one kept as retired with the end of its grace
 * (mail encrypted to it is read until then: hub/job.c), and the new key
 * left for the worker to announce (store_rekey_untold()).  old_fpr gets
 * the key replaced.  STORE_CONFLICT when the list has no key or new_fpr
 * is its key already; STORE_INVALID for a key that is the hub's, a
 * list's (this one's retired keys included) or a contact's.  Audited
 * "list.rekey" with both fingerprints and the grace.
 */
enum store_status store_list_rekey(struct store *s, const char *name,
    const char *new_fpr, long long grace_until, char old_fpr[MODEL_FPR_LEN])
    STORE_WUR;
struct store_old_key {
	char		 list[MODEL_LIST_MAX];
	char		 fpr[MODEL_FPR_LEN];		/* the retired key */
	char		 new_fpr[MODEL_FPR_LEN];	/* its successor */
	long long	 retired;
	long long	 grace_until;	/* read until then (exclusive) */
	bool		 told;		/* the new key was announced */
};
/* A list's retired keys, newest first (name NULL: every list's);
 * free(*vp). */
enum store_status store_list_old_keys(struct store *s, const char *name,
    struct store_old_key **vp, size_t *np) STORE_WUR;
/* The rekeys not announced yet; free(*vp).  store_rekey_tell() takes the
 * announcing of one (*claimed for exactly one caller), _untell() gives
 * it back after a failure. */
enum store_status store_rekey_untold(struct store *s,
    struct store_old_key **vp, size_t *np) STORE_WUR;
enum store_status store_rekey_tell(struct store *s, const char *list,
    const char *fpr, bool *claimed) STORE_WUR;
enum store_status store_rekey_untell(struct store *s, const char *list,
    const char *fpr) STORE_WUR;

/* --- subscriptions ---------------------------------------------------- */

/* Exactly one of sub->contact, sub->team set; list and it must exist. */
enum store_status store_subscribe(struct store *s,
    const struct subscription *sub) STORE_WUR;
/* Remove the subscription of contact or team (one is "" or NULL). */
enum store_status store_unsubscribe(struct store *s, const char *list,
    const char *contact, const char *team) STORE_WUR;
enum store_status store_subscriptions(struct store *s, const char *list,
    struct subscription **vp, size_t *np) STORE_WUR;
void store_subscriptions_free(struct subscription *v);

/* --- delivery: disabled contacts (schema 5) ------------------------- */
/*
 * A list's delivery to one contact, whether the contact is subscribed on
 * its own or through its team: enabled unless disabled here (by the
 * bounce score, store_bounce_record(), or by an admin).  A disabled
 * contact stays subscribed (it may still post and run commands) but
 * receives nothing from the list (lists/roster marks it, lists/policy
 * skips it).
 *
 * store_delivery_set(): enabled false disables (reason "admin" or
 * "bounces"), true re-enables and restarts the bounce score from now.
 * STORE_NOT_FOUND: no such list or contact, or the contact is not
 * subscribed to the list in person or through its team; STORE_CONFLICT:
 * already in that state.  Audited "delivery.disable"/"delivery.enable".
 */
enum store_status store_delivery_set(struct store *s, const char *list,
    const char *address, bool enabled, const char *reason) STORE_WUR;
/* Is delivery of list to address disabled? */
enum store_status store_delivery_disabled(struct store *s, const char *list,
    const char *address, bool *disabled) STORE_WUR;
/* The lowercase addresses disabled on list; store_strings_free(v, n). */
enum store_status store_delivery_disabled_list(struct store *s,
    const char *list, char ***vp, size_t *np) STORE_WUR;
void store_strings_free(char **v, size_t n);

/* A contact disabled by its bounces whose team and admins are not told
 * yet (the worker tells them: hub/upkeep). */
struct store_untold {
	char		 list[MODEL_LIST_MAX];
	char		 address[MODEL_ADDR_MAX];
	unsigned	 score;
	char		 status[16];	/* the last failure's */
};
enum store_status store_delivery_untold(struct store *s,
    struct store_untold **vp, size_t *np) STORE_WUR;
/* Take the telling of one: *claimed for exactly one caller (of several
 * workers); store_delivery_untell() gives it back after a failure. */
enum store_status store_delivery_tell(struct store *s, const char *list,
    const char *address, bool *claimed) STORE_WUR;
enum store_status store_delivery_untell(struct store *s, const char *list,
    const char *address) STORE_WUR;

/* Per list and contact: the delivery failures recorded, what counts
 * towards disabling, and the delivery state (hubctl bounces). */
struct store_bounces {
	char		 list[MODEL_LIST_MAX];
	char		 address[MODEL_ADDR_MAX];	/* lowercase */
	unsigned	 failures;	/* every report recorded */
	unsigned	 permanent;	/* of them 5.x.x */
	unsigned	 score;		/* days with a permanent failure since
					   delivery was last enabled */
	unsigned	 threshold;	/* the list's; 0: never */
	long long	 last;		/* the last report's time, 0 none */
	char		 last_status[16];
	bool		 disabled;
	char		 reason[16];	/* "bounces" | "admin" | "" */
	long long	 since;		/* disabled since, 0 if enabled */
};
/* list NULL: every list; by list and address.  free(*vp). */
enum store_status store_bounces(struct store *s, const char *list,
    struct store_bounces **vp, size_t *np) STORE_WUR;

/* --- community options (schema 2) ------------------------------------ */

/*
 * The community's options, defaults where never set:
 *   endorsements_required  1-100 (default 2): distinct active member
 *                          teams whose endorsement admits a candidate
 *   admin_approval         yes|no (default no): a candidate also needs
 *                          store_team_approve() before it becomes active
 *   lang                   ja|en (default en): the language of the hub's
 *                          mail to a contact that chose none (schema 6)
 */
struct store_community {
	unsigned	 endorsements_required;
	bool		 admin_approval;
	char		 lang[MODEL_LANG_MAX];
};

#define STORE_ENDORSEMENTS_DEFAULT	2
#define STORE_ENDORSEMENTS_MAX		100

enum store_status store_community_get(struct store *s,
    struct store_community *c) STORE_WUR;
/* One option from its text form; STORE_INVALID names the option and the
 * value.  Audited as "community.set". */
enum store_status store_community_set(struct store *s, const char *key,
    const char *value) STORE_WUR;

/* --- endorsements and approval ----------------------------------------- */

/*
 * Record that e->endorser vouches for e->candidate, with the evidence
 * found (e->endorser_fpr certified e->candidate_fpr; both "" when none
 * was found).  Both teams must exist.  A second endorsement by the same
 * team replaces the first (a team counts once): *replaced says so.
 * Audited as "endorse".
 */
enum store_status store_endorse(struct store *s, const struct endorsement *e,
    int *replaced) STORE_WUR;
/* A candidate's endorsements by endorser; store_endorsements_free(v). */
enum store_status store_endorsements(struct store *s, const char *candidate,
    struct endorsement **vp, size_t *np) STORE_WUR;
void store_endorsements_free(struct endorsement *v);
/* The admin approves a team's admission (audited "team.approve");
 * STORE_CONFLICT unless it is a candidate, STORE_EXISTS if approved. */
enum store_status store_team_approve(struct store *s, const char *handle)
    STORE_WUR;
enum store_status store_team_approved(struct store *s, const char *handle,
    int *yes) STORE_WUR;

/* --- audit and counts ------------------------------------------------- */

struct store_audit {
	long long	 id;
	long long	 at;		/* time(2) */
	char		*actor;
	char		*action;	/* "team.add", "list.set", ... */
	char		*object;	/* "CERT-EX", "ops" */
	char		*before;	/* JSON object, NULL if none */
	char		*after;		/* JSON object, NULL if none */
};

/*
 * An audit row for an event that changes no roster row (hubctl backup,
 * restore): action "backup.create", object, after a JSON object or NULL;
 * one transaction of its own.
 */
enum store_status store_audit_event(struct store *s, const char *action,
    const char *object, const char *after) STORE_WUR;

/* The newest limit rows (0: all), oldest first; store_audit_free(v, n). */
enum store_status store_audit_list(struct store *s, size_t limit,
    struct store_audit **vp, size_t *np) STORE_WUR;
void store_audit_free(struct store_audit *v, size_t n);

struct store_counts {
	size_t	 teams[TEAM_LEFT + 1];	/* by enum team_state */
	size_t	 contacts;
	size_t	 lists;
	size_t	 subscriptions;
	size_t	 audit;
};

enum store_status store_count(struct store *s, struct store_counts *c)
    STORE_WUR;

/* --- the worker's journal (schema 3) ---------------------------------- */
/*
 * Replay: a post is identified by a hash of its signature (signer key,
 * creation time, signed content) per list.  store_seen_record() records
 * it for spool entry spool_id in one transaction and sets *replay when
 * the same hash was already recorded by another spool entry; the same
 * entry again is a redo after a crash, not a replay.  store_seen_lookup()
 * only asks.  The worker records right before committing the outgoing
 * set, so a crash in between is a redo.
 */
enum store_status store_seen_record(struct store *s, const char *list,
    const char *sighash, const char *spool_id, bool *replay) STORE_WUR;
enum store_status store_seen_lookup(struct store *s, const char *list,
    const char *sighash, const char *spool_id, bool *replay) STORE_WUR;
/*
 * A delivery failure reported for a list's recipient (status "5.1.1").
 * A permanent one (5.x.x) counts towards the list's
 * bounce_score_threshold: one per day (a day of posts to a dead mailbox
 * is one failure, as in Mailman), counted since delivery was last
 * enabled.  At the threshold the delivery to that contact is disabled
 * in the same transaction (audited "delivery.disable"), and left for
 * the worker to tell (store_delivery_untold()).
 */
enum store_status store_bounce_record(struct store *s, const char *list,
    const char *address, const char *status, const char *diagnostic)
    STORE_WUR;
/* How many failures are recorded for address (any case) on list.  Only
 * test_store reads the bounces back: it is how it sees what was
 * recorded. */
enum store_status store_bounce_count(struct store *s, const char *list,
    const char *address, unsigned *count) STORE_WUR;
/* store_notice_once() within a daily cap on the subjects of kind, in one
 * transaction: *capped when cap were noted today already (nothing is
 * noted then), else *first as store_notice_once() says. */
enum store_status store_notice_capped(struct store *s, const char *kind,
    const char *subject, long long cap, bool *first, bool *capped)
    STORE_WUR;
/* *first is true the first time (kind, subject) is noted ever (a key's
 * 30-day warning goes out once, not once a day). */
enum store_status store_notice_ever(struct store *s, const char *kind,
    const char *subject, bool *first) STORE_WUR;
/* *first is true for the first caller of the UTC day (hub_now()) for job
 * name: the day is recorded, so of several workers, and of the loop's
 * many turns, one runs a daily job once. */
enum store_status store_daily_claim(struct store *s, const char *name,
    bool *first) STORE_WUR;
/* *first is true the first time (kind, subject) is noted today (UTC):
 * notices such as "key expires soon" go out once a day, not per post. */
enum store_status store_notice_once(struct store *s, const char *kind,
    const char *subject, bool *first) STORE_WUR;

#endif
