#include "config.h"

#include "lists/store.h"
#include "lists/store_impl.h"

/*
 * Forward migrations: store_migrations[i] takes the schema from version i
 * to i + 1.  Never edit a shipped entry; append a new one and raise
 * STORE_SCHEMA_VERSION.  crypto/db runs them, recording each in the
 * schema_version table as this store always has.
 */
const char *const store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE teams ("
	" handle TEXT PRIMARY KEY COLLATE NOCASE,"
	" name TEXT,"
	" kind TEXT NOT NULL CHECK (kind IN ('member', 'partner')),"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('candidate', 'active', 'suspended', 'left')),"
	" created INTEGER NOT NULL);"
	"CREATE TABLE contacts ("
	" address TEXT PRIMARY KEY COLLATE NOCASE,"
	" fpr TEXT NOT NULL,"
	" team TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	" name TEXT,"
	" created INTEGER NOT NULL);"
	"CREATE INDEX contacts_team ON contacts(team);"
	"CREATE INDEX contacts_fpr ON contacts(fpr);"
	"CREATE TABLE lists ("
	" name TEXT PRIMARY KEY,"
	" description TEXT,"
	" default_tlp TEXT NOT NULL,"
	" may_post TEXT NOT NULL,"
	" subject_tag TEXT NOT NULL,"
	" keep_msgid INTEGER NOT NULL DEFAULT 0,"
	" max_size INTEGER NOT NULL DEFAULT 0,"
	" fpr TEXT NOT NULL DEFAULT '',"
	" created INTEGER NOT NULL);"
	"CREATE TABLE subscriptions ("
	" id INTEGER PRIMARY KEY,"
	" list TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,"
	" contact TEXT REFERENCES contacts(address) ON DELETE CASCADE,"
	" team TEXT REFERENCES teams(handle) ON DELETE CASCADE,"
	" role TEXT NOT NULL,"
	" clearance TEXT NOT NULL,"
	" CHECK ((contact IS NULL) <> (team IS NULL)));"
	/* NULLs are distinct in a UNIQUE constraint: two partial indexes */
	"CREATE UNIQUE INDEX subscriptions_contact"
	" ON subscriptions(list, contact) WHERE contact IS NOT NULL;"
	"CREATE UNIQUE INDEX subscriptions_team"
	" ON subscriptions(list, team COLLATE NOCASE) WHERE team IS NOT NULL;"
	"CREATE TABLE endorsements ("
	" candidate TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	" endorser TEXT NOT NULL REFERENCES teams(handle) ON DELETE CASCADE,"
	" candidate_fpr TEXT NOT NULL,"
	" endorser_fpr TEXT NOT NULL,"
	" recorded INTEGER NOT NULL,"
	" PRIMARY KEY (candidate, endorser));"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" object TEXT NOT NULL,"
	" before TEXT,"
	" after TEXT);",
	/* 1 -> 2: community options, admin approval of candidates */
	"CREATE TABLE settings ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE approvals ("
	" team TEXT PRIMARY KEY REFERENCES teams(handle) ON DELETE CASCADE,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL);",
	/* 2 -> 3: the worker's journal: replay records, bounces, notices
	 * already sent (once a day per subject) */
	"CREATE TABLE seen ("
	" list TEXT NOT NULL,"
	" sighash TEXT NOT NULL,"
	" spool_id TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (list, sighash));"
	"CREATE TABLE bounces ("
	" id INTEGER PRIMARY KEY,"
	" list TEXT NOT NULL,"
	" address TEXT NOT NULL COLLATE NOCASE,"
	" at INTEGER NOT NULL,"
	" status TEXT NOT NULL,"
	" diagnostic TEXT);"
	"CREATE INDEX bounces_address ON bounces(list, address);"
	"CREATE TABLE notices_sent ("
	" kind TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" day INTEGER NOT NULL,"
	" PRIMARY KEY (kind, subject, day));",
	/* 3 -> 4: how old a signature may be when the signed content does
	 * not name the list (lists/policy.h) */
	"ALTER TABLE lists ADD COLUMN max_signature_age INTEGER NOT NULL"
	" DEFAULT 172800;",
	/* 4 -> 5: keeping a roster working over time (issue 15): the
	 * bounce score that disables a list's delivery to a contact; that
	 * delivery state per list and contact, whether the contact is
	 * subscribed on its own or through its team (so one contact of a
	 * team can be disabled alone); a contact's replaced keys; notices
	 * sent once ever (a key's 30/7/1-day warnings), and the day each
	 * daily job last ran (so of N workers one runs it) */
	"ALTER TABLE lists ADD COLUMN bounce_score_threshold INTEGER NOT NULL"
	" DEFAULT 5;"
	"CREATE TABLE delivery ("
	" list TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,"
	" address TEXT NOT NULL COLLATE NOCASE"
	"  REFERENCES contacts(address) ON DELETE CASCADE,"
	" state TEXT NOT NULL CHECK (state IN ('enabled', 'disabled')),"
	" since INTEGER NOT NULL,"
	" reset INTEGER NOT NULL DEFAULT 0,"
	" reason TEXT NOT NULL,"
	" notified INTEGER NOT NULL DEFAULT 1,"
	" PRIMARY KEY (list, address));"
	"CREATE TABLE key_history ("
	" id INTEGER PRIMARY KEY,"
	" address TEXT NOT NULL COLLATE NOCASE"
	"  REFERENCES contacts(address) ON DELETE CASCADE,"
	" fpr TEXT NOT NULL,"
	" replaced INTEGER NOT NULL,"
	" actor TEXT NOT NULL);"
	"CREATE INDEX key_history_address ON key_history(address);"
	"CREATE TABLE notices_ever ("
	" kind TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (kind, subject));"
	"CREATE TABLE daily_runs ("
	" name TEXT PRIMARY KEY,"
	" day INTEGER NOT NULL);",
	/* 5 -> 6: a key a contact sent by mail (key update) that its
	 * current key did not certify, held (the key itself, armored: it
	 * is not in the keyring) until an admin decides */
	"CREATE TABLE held_keys ("
	" address TEXT PRIMARY KEY COLLATE NOCASE"
	"  REFERENCES contacts(address) ON DELETE CASCADE,"
	" fpr TEXT NOT NULL,"
	" key TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL);",
	/* 6 -> 7: a list's retired keys (hubctl list rekey): mail
	 * encrypted to one is still read until its grace ends; told 0
	 * until the worker has announced the new key to the subscribers */
	"CREATE TABLE list_old_keys ("
	" list TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,"
	" fpr TEXT NOT NULL COLLATE NOCASE,"
	" new_fpr TEXT NOT NULL,"
	" retired INTEGER NOT NULL,"
	" grace_until INTEGER NOT NULL,"
	" told INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (list, fpr));",
	/* 7 -> 8: the language of the hub's mail to a contact (issue 16);
	 * NULL follows the community's default (settings "lang") */
	"ALTER TABLE contacts ADD COLUMN lang TEXT"
	" CHECK (lang IS NULL OR lang IN ('ja', 'en'));",
	/* 8 -> 9: a contact's delivery receipts (issue 16 item 7): the
	 * "receipts on|off" mail command; on unless switched off */
	"ALTER TABLE contacts ADD COLUMN receipts INTEGER NOT NULL"
	" DEFAULT 1;",
	/* 9 -> 10: a copy of one's own posts, the "copy on|off" mail
	 * command; on unless switched off */
	"ALTER TABLE contacts ADD COLUMN own_copy INTEGER NOT NULL"
	" DEFAULT 1;",
};
_Static_assert(sizeof store_migrations / sizeof store_migrations[0] ==
    STORE_SCHEMA_VERSION, "one migration per schema version");
