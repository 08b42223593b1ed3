/*
 * outgoing_put: commit one outgoing set, as a worker would, for tests.
 *
 *	outgoing_put [-a AGE] [-f MAIL_FROM] [-n N] [-s SIZE] SPOOL_DIR RCPT...
 *
 * Writes N files (default 1) to the recipients in turn, each with the
 * envelope sender MAIL_FROM (default "ops-bounces+RCPT@hub.test" with
 * RCPT's '@' as '=', VERP style; "-f ''" for the null sender), received
 * AGE seconds ago (default 0), and a body of about SIZE bytes (default
 * 2000) with CRLF line ends, headers naming the file's sequence number
 * ("X-Seq: I") and lines starting with '.' for the dot-stuffing.  Prints
 * the post id.
 */
#include "config.h"

#include "hub/spool.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
body_make(struct buf *b, const char *rcpt, const char *post, unsigned i,
    size_t size)
{
	buf_printf(b, "From: ops via ops <ops@hub.test>\r\nTo: <%s>\r\n"
	    "Subject: [ops] test %u\r\nMessage-ID: <%s.%u@hub.test>\r\n"
	    "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nX-Seq: %u\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n",
	    rcpt, i, post, i, i);
	buf_append_str(b, ".a line that starts with a dot\r\n..two dots\r\n"
	    ".\r\n");
	while (buf_len(b) < size)
		buf_append_str(b, "-----BEGIN PGP MESSAGE----- filler text "
		    "standing in for ciphertext 0123456789\r\n");
	buf_printf(b, "end %u\r\n", i);
}

static char *
verp(const char *rcpt)
{
	char *s, *at;

	if (asprintf(&s, "ops-bounces+%s@hub.test", rcpt) == -1)
		return NULL;
	if ((at = strchr(s + strlen("ops-bounces+"), '@')) != NULL)
		*at = '=';
	return s;
}

int
main(int argc, char **argv)
{
	struct spool *sp;
	struct spool_stage *st;
	const char *from = NULL;
	char post[HUB_ID_SIZE];
	unsigned i, n = 1;
	long age = 0;
	size_t size = 2000;
	int c;

	while ((c = getopt(argc, argv, "a:f:n:s:")) != -1)
		switch (c) {
		case 'a': age = atol(optarg); break;
		case 'f': from = optarg; break;
		case 'n': n = (unsigned)atoi(optarg); break;
		case 's': size = (size_t)atol(optarg); break;
		default: goto usage;
		}
	if (argc - optind < 2)
		goto usage;
	log_init("outgoing_put", LOG_TO_STDERR, 0);
	if (spool_open(argv[optind], &sp) != SPOOL_OK)
		return 1;
	hub_id_new(post);
	if (spool_stage_begin(sp, post, &st) != SPOOL_OK)
		return 1;
	for (i = 0; i < n; i++) {
		const char *rcpt = argv[optind + 1 + i % (unsigned)(argc -
		    optind - 1)];
		char *mf = from != NULL ? strdup(from) : verp(rcpt);
		struct spool_envelope env;
		struct buf *b = buf_new(0);

		memset(&env, 0, sizeof env);
		env.received = time(NULL) - age;
		env.protocol = "local";
		env.client = "worker";
		env.helo = "";
		env.mail_from = mf;
		env.rcpt = &rcpt;
		env.nrcpt = 1;
		body_make(b, rcpt, post, i, size);
		if (spool_stage_add(st, &env, buf_data(b), buf_len(b), NULL) !=
		    SPOOL_OK)
			return 1;
		buf_free(b);
		free(mf);
	}
	if (spool_stage_commit(st) != SPOOL_OK)
		return 1;
	spool_close(sp);
	printf("%s\n", post);
	return 0;
usage:
	fprintf(stderr, "usage: outgoing_put [-a AGE] [-f MAIL_FROM] [-n N] "
	    "[-s SIZE] SPOOL_DIR RCPT...\n");
	return 2;
}
