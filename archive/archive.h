/*
 * archive: the community's encrypted memory of what was relayed -- one
 * SQLCipher database, DATA_DIR/archive.db, holding every accepted post
 * (list, signer, TLP, date, subject, decoded text, audience) and the
 * indicators found in it.
 *
 * A database of its own, beside the roster's hub.db: it grows with every
 * post (10^6 indicators is a normal year for a busy community) while the
 * roster stays small, and a roster backup need not carry the archive.  Its
 * key is a fresh random 256-bit key, on disk only wrapped (crypto/keyfile)
 * to the hub key named in DATA_DIR/hub.fpr, in DATA_DIR/archive.db.key.
 * archive_open() with create makes both on first use; openers take turns
 * (crypto/db's lock on DATA_DIR/archive.lock, held only while opening),
 * and the key file is linked into place, never replaced, so two workers
 * racing to create the archive agree on one key.  The schema version is
 * PRAGMA user_version.
 *
 * Idempotence: a post is keyed by its list and spool id.  archive_add_post() of an
 * id already there changes nothing (a redo after a crash), so indicators
 * and their counts are never doubled.  One transaction per post.
 *
 * Visibility is not decided here but in archive/search: this file stores
 * and reads; who may see what is one function there.
 *
 * Used by the worker (add) and hubctl (search, show, export).  Every
 * function blocks on SQLite I/O; archive_open() also while gpg runs.
 */
#ifndef ARCHIVE_ARCHIVE_H
#define ARCHIVE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "archive/extract.h"
#include "lists/tlp.h"

struct gpg;

#define ARCHIVE_DB_FILE		"archive.db"
#define ARCHIVE_KEY_FILE	"archive.db.key"
#define ARCHIVE_FPR_FILE	"hub.fpr"	/* written by hubctl init */
#define ARCHIVE_LOCK_FILE	"archive.lock"	/* held while opening */
#define ARCHIVE_KEY_LEN		32
#define ARCHIVE_BUSY_MS		5000
#define ARCHIVE_SCHEMA_VERSION	1
#define ARCHIVE_CONTEXT_MAX	160	/* octets of context per sighting */
#define ARCHIVE_ID_MAX		128	/* "LIST:SPOOLID" and its NUL */

/* An indicator flag of the archive's own, beside IND_DOC/IND_DEFANGED:
 * the value is one of the hub's addresses or its domain (a list's
 * address quoted in a post is not a threat). */
#define IND_OWN		0x4u

enum archive_status {
	ARCHIVE_OK = 0,
	ARCHIVE_NOT_FOUND,	/* no such post; no archive yet */
	ARCHIVE_INVALID,	/* a bad query, filter or record */
	ARCHIVE_BUSY,		/* locked longer than the busy timeout */
	ARCHIVE_KEY,		/* the key cannot be unwrapped or does not fit */
	ARCHIVE_SCHEMA,		/* a schema newer than this code */
	ARCHIVE_IO,		/* files or SQLite failed */
	ARCHIVE_CRYPTO,		/* gpg failed */
};

const char *archive_status_str(enum archive_status st);

/* One indicator as found in one post. */
struct archive_ind {
	enum ind_type	 type;
	char		*value;		/* normalised (extract.c) */
	unsigned	 flags;		/* IND_DOC | IND_DEFANGED | IND_OWN */
	char		*context;	/* a line of text around it, UTF-8 */
};

/*
 * A post as archived.  For archive_add_post() the caller fills it (the
 * strings stay the caller's); records read back (archive_get_post,
 * archive_each_post) own their strings: archive_record_clear().
 * audience: the addresses of the contacts the post was relayed to --
 * kept for every post, decisive for TLP:RED (visible to them only).
 */
struct archive_record {
	char			 id[ARCHIVE_ID_MAX]; /* "LIST:SPOOLID": one
						   message sent to two lists
						   is two posts */
	char			*list;
	char			*team;		/* the signer's team handle */
	char			*contact;	/* the signer's address */
	char			*signer_fpr;
	enum tlp		 tlp;
	long long		 at;		/* time(2) it was received */
	char			*subject;	/* may be NULL */
	char			*body;		/* decoded text, UTF-8 */
	size_t			 body_len;
	struct archive_ind	*inds;
	size_t			 ninds;
	char			**audience;
	size_t			 naudience;
};

struct archive;

/*
 * Open DATA_DIR/archive.db.  Without create a missing archive is
 * ARCHIVE_NOT_FOUND ("nothing archived yet"); with create it is made
 * (hub.fpr must name a key of g's keyring that can encrypt).
 */
enum archive_status archive_open(const char *data_dir, struct gpg *g,
    bool create, struct archive **ap);
void archive_close(struct archive *a);
/* The last failure, naming the thing and the problem; valid until the
 * next call on a. */
const char *archive_errmsg(const struct archive *a);

/* File a post; *added false when that id was already there. */
enum archive_status archive_add_post(struct archive *a,
    const struct archive_record *r, bool *added);

/* One post by id, with its indicators and audience. */
enum archive_status archive_get_post(struct archive *a, const char *id,
    struct archive_record *r);
void archive_record_clear(struct archive_record *r);

/* What archive_each_post() walks: every field is optional (NULL / 0 /
 * TLP_NONE / -1 for "any"). */
struct archive_filter {
	long long	 since, until;	/* at >= since, at < until; 0: open */
	const char	*list;
	const char	*team;
	enum tlp	 tlp;		/* exactly this label */
	enum tlp	 tlp_max;	/* at most this label (export: AMBER+STRICT) */
	int		 type;		/* only indicators of this enum ind_type */
};

/*
 * Every post the filter admits, oldest first, each with its indicators
 * (only those of filter->type when it is set; a post left with none is
 * skipped then).  cb returns 0 to go on, anything else stops the walk
 * and is returned through *cb_rc.
 */
enum archive_status archive_each_post(struct archive *a,
    const struct archive_filter *f,
    int (*cb)(void *ctx, const struct archive_record *r), void *ctx,
    int *cb_rc);

/* Counts for "hubctl archive stats" and the bench. */
struct archive_counts {
	long long	 posts;
	long long	 indicators;	/* distinct (type, value) */
	long long	 sightings;	/* (indicator, post) pairs */
};
enum archive_status archive_count(struct archive *a, struct archive_counts *c);

/* For archive/search (same library): the open database. */
struct sqlite3 *archive_db(struct archive *a);
enum archive_status archive_seterr(struct archive *a,
    enum archive_status st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
