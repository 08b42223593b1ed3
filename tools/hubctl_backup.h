/*
 * hubctl backup and restore: the file between them (hubctl(8) BACKUP AND
 * RESTORE).  tools/hubctl_backup.c writes it, tools/hubctl_restore.c
 * reads it.
 *
 * A backup is one OpenPGP message signed with the hub key (the data
 * dir's own, hub_fpr of the manifest) and encrypted to a key the admin
 * chose; restore requires that signature to be good, made by the hub
 * key the backup itself carries, and that key to be the one the admin
 * names with --expect.  Inside, a small framed format (no tar: no new library), produced and
 * consumed as a stream while gpg encrypts and decrypts it:
 *
 *	"csirt-hub-backup 1\n", then records, each a line
 *	"TYPE MODE MTIME SIZE NAME\n" and SIZE octets of content:
 *	  M manifest, key=value lines (format, program, created, data_dir,
 *	    domain, hub_fpr, store_schema, archive_schema, recipient)
 *	  C hub.conf as it was (only when readable)
 *	  P every public key of the keyring, gpg's binary export
 *	  S every secret key of the keyring, gpg's binary export
 *	  D a directory (SIZE 0)
 *	  F a file; NAME relative to data_dir
 *	  E the last record: "records=N\n", N the records before it
 *	MODE octal, MTIME seconds since the epoch (kept: a deferred entry's
 *	mtime is its next try), SIZE decimal, at most BACKUP_MANIFEST_MAX
 *	for M, BACKUP_CONF_MAX for C, BACKUP_KEYS_MAX for P and S together,
 *	BACKUP_END_MAX for E (restore refuses more before it takes memory).  NAME: components of letters,
 *	digits and "._-+@", never "." or "..", at most BACKUP_NAME_DEPTH.
 */
#ifndef TOOLS_HUBCTL_BACKUP_H
#define TOOLS_HUBCTL_BACKUP_H

#include <limits.h>

#define BACKUP_MAGIC		"csirt-hub-backup 1\n"
#define BACKUP_FORMAT		1
#define BACKUP_HEADER_MAX	(PATH_MAX + 96)	/* a record's header line */
#define BACKUP_MANIFEST_MAX	(16u << 10)	/* M content */
#define BACKUP_CONF_MAX		(1u << 20)	/* hub.conf read, C content */
#define BACKUP_KEYS_MAX		(64u << 20)	/* P and S content together */
#define BACKUP_END_MAX		64u		/* E content */
#define BACKUP_NAME_DEPTH	4
#define BACKUP_SCRATCH		".backup-"	/* in data_dir, while it runs */
#define BACKUP_RESTORED_CONF	"hub.conf.backup" /* C, restored */

#endif
