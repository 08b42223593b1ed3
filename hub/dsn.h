/*
 * dsn: the delivery status notification (RFC 3464), both ways.  The
 * relay builds one when a copy fails for good and commits it to
 * incoming/, addressed to the copy's VERP sender; the worker reads it
 * there (LIST-bounces+TAG), as it reads the reports of remote MTAs.
 * One module owns the format, so what the relay writes is what the
 * worker understands (tests/unit/test_dsn round-trips it).
 *
 * The parser reads untrusted mail: it is bounded by len (no NUL
 * needed), never fails, and keeps every value short and free of
 * control characters; what it cannot read it leaves empty.  It reads
 * the fields line by line wherever they stand, not by MIME structure,
 * as the worker always has; field names are matched as MTAs write them
 * ("Status:", not "status:").
 *
 * Pure: no I/O, nothing blocks.  Used by hubd-relay and hubd-worker.
 */
#ifndef HUB_DSN_H
#define HUB_DSN_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* What the relay knows about one failed copy. */
struct dsn_in {
	const char	*domain;	/* From: MAILER-DAEMON@domain */
	const char	*hostname;	/* Reporting-MTA, Message-ID */
	const char	*remote_mta;	/* the smarthost */
	const char	*to;		/* the copy's envelope sender */
	const char	*rcpt;		/* the copy's recipient */
	const char	*status;	/* "5.1.1" */
	const char	*why;		/* one line for the reader */
	const char	*diagnostic;	/* the remote reply, NULL if none */
	long long	 arrival;	/* when the copy was made */
	long long	 now;
	/* the failed copy; only its header section is quoted (the copy is
	 * encrypted: nothing of a post is there) */
	const char	*copy;
	size_t		 copy_len;
};

/* Append the report (headers, empty line, multipart/report body; CRLF)
 * to out. */
void dsn_build(const struct dsn_in *in, struct buf *out);

#define DSN_STATUS_MAX	16	/* "x.yyy.zzz" and a NUL */
#define DSN_ADDR_MAX	256
#define DSN_TEXT_MAX	512
#define DSN_RCPT_MAX	16

/* One per-recipient group of a report. */
struct dsn_rcpt {
	char	 final_recipient[DSN_ADDR_MAX];	/* "rfc822;" dropped */
	char	 action[32];			/* "failed", "delayed" */
	char	 status[DSN_STATUS_MAX];	/* "" unless a status code */
	char	 diagnostic[DSN_TEXT_MAX];	/* unfolded */
};

struct dsn_report {
	/* The report's first Status field, "" when it holds no status
	 * code: what the worker files for the VERP recipient (a report
	 * about one copy names one recipient). */
	char		 status[DSN_STATUS_MAX];
	struct dsn_rcpt	 rcpt[DSN_RCPT_MAX];
	size_t		 nrcpt;
	bool		 more;	/* groups past DSN_RCPT_MAX dropped */
};

/* Read a report (the whole message as received) into *out. */
void dsn_parse(const char *text, size_t len, struct dsn_report *out);

#endif
