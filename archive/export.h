/*
 * export: archived posts out to the tools CSIRTs already run.  One
 * emitter interface, three formats (each in export_<format>.c):
 *   csv   one row per (post, indicator), RFC 4180 quoting, header row;
 *   misp  a MISP feed directory: one <event-uuid>.json per post (its
 *         attributes and its tlp: tag), manifest.json, hashes.csv
 *         (REFERENCE.md §3);
 *   stix  one STIX 2.1 bundle: an identity per team, the TLP 2.0
 *         marking definitions used, one indicator per (post, indicator)
 *         with a STIX pattern (REFERENCE.md §4).
 * TLP:RED is never exported: export_post() skips a RED record whatever
 * the caller asked for.  Every item carries its post's label.
 * Identifiers are UUIDv5 (SHA-1, libgcrypt) of the post id and value, so
 * exporting twice gives the same ids and MISP/OpenCTI update rather
 * than duplicate.
 */
#ifndef ARCHIVE_EXPORT_H
#define ARCHIVE_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "archive/archive.h"

struct export_opts {
	const char	*out;	/* misp: a directory (made if missing, must
				   be empty); csv/stix: a file, NULL stdout */
	const char	*hub;	/* the hub's domain: names the hub's own
				   identity and the feed's Orgc fallback */
	long long	 now;	/* time(2) of the export */
};

struct exporter;

/* "csv", "misp", "stix"; -1 with err for an unknown format or an
 * unusable out. */
int export_begin(const char *format, const struct export_opts *o,
    struct exporter **ep, char *err, size_t errlen);
/* One post with its indicators; 0, or -1 with err (I/O). */
int export_post(struct exporter *e, const struct archive_record *r,
    char *err, size_t errlen);
/* Finish (manifest, closing brackets), flush, close and free e (also
 * on failure); 0 or -1 with err.  The counts (any may be NULL) say what
 * went out, for hubctl's summary line. */
int export_end(struct exporter *e, size_t *posts, size_t *items,
    size_t *skipped_red, char *err, size_t errlen);
/* Drop a half-written export (after an error): close and free e. */
void export_abort(struct exporter *e);

/*
 * One CSV cell of text from mail (the csv exporter, hubctl --csv): RFC
 * 4180 quoting, invalid UTF-8 replaced, control characters but TAB, CR
 * and LF shown as '?' (the output may reach a terminal), and a leading
 * = + - @ TAB CR defused with a quote (spreadsheets would run it).  NULL
 * is an empty cell; last ends the row (CRLF) instead of a comma.
 */
void export_csv_cell(FILE *f, const char *s, int last);

#endif
