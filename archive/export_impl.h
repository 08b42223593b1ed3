/*
 * export_impl: what export.c shares with the format back ends
 * (export_csv.c, export_misp.c, export_stix.c) and with
 * tests/unit/test_export.c.  Not for other callers: use export.h.
 *
 * A back end sees only records that may leave the hub (export_post()
 * has already dropped RED and unlabelled posts) and writes through its
 * own state; export.c counts and frees.
 */
#ifndef ARCHIVE_EXPORT_IMPL_H
#define ARCHIVE_EXPORT_IMPL_H

#include <stdio.h>

#include "archive/export.h"

#define EXPORT_UUID_LEN	36

struct export_format {
	const char	*name;
	/* Make e->state; -1 with err. */
	int	(*begin)(struct exporter *e, char *err, size_t errlen);
	/* One exportable post; adds to e->items; -1 with err. */
	int	(*post)(struct exporter *e, const struct archive_record *r,
		    char *err, size_t errlen);
	/* Complete the output; -1 with err.  free follows either way. */
	int	(*end)(struct exporter *e, char *err, size_t errlen);
	/* Release e->state; abort passes 1 to drop partial output. */
	void	(*free)(struct exporter *e, int aborted);
};

struct exporter {
	const struct export_format *fmt;
	char		*out;		/* copies of the caller's options */
	char		*hub;
	long long	 now;
	void		*state;
	size_t		 posts, items, skipped_red;
};

extern const struct export_format export_csv, export_misp, export_stix;

/* Open a file for writing, mode 0600 whatever was there; NULL path is
 * stdout (never closed by export_close_file). */
FILE *export_open_file(const char *path, char *err, size_t errlen);
/* Flush and close; -1 with err when anything written was lost. */
int export_close_file(FILE *f, const char *path, char *err, size_t errlen);

/* A valid UTF-8 copy of s (NULL: ""): invalid octets become U+FFFD,
 * control characters a space when flatten is set, at most maxcp code
 * points (0: no limit).  Caller frees. */
char *export_utf8(const char *s, size_t maxcp, int flatten);
/*
 * The code point at p (valid UTF-8, *n set to its length) if it must
 * never reach a terminal or viewer raw: a C0 control, DEL, a C1 control
 * (U+0080-U+009F) or a bidirectional/line format character (U+061C,
 * U+200E, U+200F, U+2028-U+202E, U+2066-U+2069); else 0.  NUL gives 0
 * too (the end of the string).
 */
unsigned export_unsafe_cp(const unsigned char *p, size_t *n);
/* s with leading and trailing white space removed; caller frees. */
char *export_trim(const char *s);

/* Name-based UUID (RFC 9562 version 5) in namespace ns; out gets 36
 * characters and a NUL.  export_uuid5f() uses the hub's own namespace,
 * the name given printf-style. */
void export_uuid5(const unsigned char ns[16], const char *name,
    size_t namelen, char out[EXPORT_UUID_LEN + 1]);
void export_uuid5f(char out[EXPORT_UUID_LEN + 1], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Lower-case hex MD5 of s, for the MISP feed's hashes.csv. */
void export_md5_hex(const char *s, char out[33]);

/* t in UTC: "2025-01-31", "2025-01-31T10:00:00Z" (CSV, STIX
 * valid_from), "2025-01-31T10:00:00.000Z" (STIX created/modified). */
enum export_time_style {
	EXPORT_TIME_DATE,
	EXPORT_TIME_ISO,
	EXPORT_TIME_STIX,
};
#define EXPORT_TIME_MAX	32
void export_time(long long t, enum export_time_style style, char *buf,
    size_t n);
/* TLP 2.0 level as the MISP taxonomy and the STIX extension write it:
 * "clear", "green", "amber", "amber+strict"; NULL for what never
 * leaves (none, red). */
const char *export_tlp_level(enum tlp t);

#endif
