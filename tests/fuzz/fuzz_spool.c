/*
 * libFuzzer harness for the spool file reader (spool_load_file()): spool
 * files are written by the smtp process and read by workers and the
 * relay, so a file is input from another, less trusted, process.  Also
 * built with tests/fuzz/driver.c to replay tests/fuzz/corpus/spool/ in
 * `make check`.
 *
 * Input: the file's bytes, written to a file in a per-process directory
 * under $TMPDIR (or /tmp), loaded and unlinked again.  Over 1 MiB is
 * skipped.
 * Invariants (abort()):
 *  - the load is SPOOL_OK or SPOOL_CORRUPT; on SPOOL_CORRUPT *out is
 *    left alone (nothing half-read is handed out);
 *  - a loaded file round-trips: its id is valid, it has at least one
 *    recipient, protocol/client/helo/mail-from/rcpt are set, and the
 *    writer's format rebuilt from the loaded fields (magic, "id",
 *    "received" as written, "protocol", "client", "helo", "mail-from",
 *    "rcpt"..., "body 7bit|8bit", empty line, body, "\nEND <len>\n") is
 *    the input byte for byte (so the body and its length are exact and no
 *    field was cut short);
 *  - loading twice gives the same message.
 * It also requires what spool_begin() promises of the values it writes,
 * which the reader now checks: no control character (NUL included) in a
 * header line and canonical decimal "received" and "END" numbers (the
 * reproducers nul-in-helo, cr-in-client, lenient-received and
 * fz-end-leading-zero were loaded before).
 * Everything is freed (LeakSanitizer in the fuzzing build).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/id.h"
#include "hub/spool.h"
#include "tests/fuzz/scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAGIC	"CSIRT-HUB-SPOOL 1\n"

static const char *file;

static void
setup(void)
{
	if (file == NULL)
		file = scratch_path("fuzz_spool", "entry");
}

static void
write_file(const uint8_t *data, size_t size)
{
	FILE *fp;

	if ((fp = fopen(file, "wb")) == NULL)
		abort();
	if ((size > 0 && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0)
		abort();
}

/* The writer's header up to (not including) "received ". */
static void
rebuild(const struct spool_msg *m, const char *received, size_t rlen,
    const char *trailer, size_t tlen, struct buf *b)
{
	size_t i;

	buf_append_str(b, MAGIC);
	buf_printf(b, "id %s\nreceived ", m->id);
	buf_append(b, received, rlen);
	buf_printf(b, "\nprotocol %s\nclient %s\nhelo %s\nmail-from %s\n",
	    m->env.protocol, m->env.client, m->env.helo, m->env.mail_from);
	for (i = 0; i < m->env.nrcpt; i++)
		buf_printf(b, "rcpt %s\n", m->env.rcpt[i]);
	buf_printf(b, "body %s\n\n", m->env.body_8bit ? "8bit" : "7bit");
	buf_append(b, m->body, m->body_len);
	if (trailer != NULL)
		buf_append(b, trailer, tlen);
	else
		buf_printf(b, "\nEND %zu\n", m->body_len);
}

static void
check_loaded(const uint8_t *data, size_t size, const struct spool_msg *m,
    int strict)
{
	const char *r, *nl, *hend, *tr;
	struct buf *b;
	size_t i, rlen, tlen;
	char *end;
	char canon[32];

	if (!hub_id_valid(m->id) || m->env.nrcpt == 0 ||
	    m->env.rcpt == NULL || m->env.protocol == NULL ||
	    m->env.client == NULL || m->env.helo == NULL ||
	    m->env.mail_from == NULL || m->body == NULL)
		abort();
	for (i = 0; i < m->env.nrcpt; i++)
		if (m->env.rcpt[i] == NULL)
			abort();
	/* the received line as written (the reader only keeps strtoll's) */
	r = memmem(data, size, "\nreceived ", 10);
	if (r == NULL)
		abort();
	r += 10;
	if ((nl = memchr(r, '\n', size - (size_t)(r - (const char *)data))) ==
	    NULL)
		abort();
	rlen = (size_t)(nl - r);
	hend = memmem(data, size, "\n\n", 2);
	if (strict) {
		snprintf(canon, sizeof canon, "%lld", (long long)m->env.received);
		if (rlen != strlen(canon) || memcmp(r, canon, rlen) != 0)
			abort();
		for (i = 0; hend != NULL && data + i < (const uint8_t *)hend;
		    i++)
			if ((data[i] < 0x20 && data[i] != '\n') ||
			    data[i] == 0x7f)
				abort();
	} else if (hend != NULL) {
		/* known: NUL in a value cuts it short; skip the byte check */
		if (memchr(data, '\0', (size_t)(hend - (const char *)data)))
			return;
	}
	/* known: the length may have leading zeros ("END 03") */
	tr = NULL;
	tlen = 0;
	if (!strict) {
		if (size < 7 || data[size - 1] != '\n')
			abort();
		for (i = size - 1; i > 0 && data[i - 1] != '\n'; i--)
			;
		if (i == 0)
			abort();
		tr = (const char *)data + i - 1;
		tlen = size - (i - 1);
		if (tlen < 7 || memcmp(tr, "\nEND ", 5) != 0 ||
		    strtoull(tr + 5, &end, 10) != m->body_len ||
		    end != (const char *)data + size - 1 ||
		    tr[5] < '0' || tr[5] > '9')
			abort();
	}
	b = buf_new(0);
	rebuild(m, r, rlen, tr, tlen, b);
	if (buf_len(b) != size || memcmp(buf_data(b), data, size) != 0)
		abort();
	buf_free(b);
}

static int
same(const struct spool_msg *a, const struct spool_msg *b)
{
	size_t i;

	if (strcmp(a->id, b->id) != 0 || a->env.received != b->env.received ||
	    strcmp(a->env.protocol, b->env.protocol) != 0 ||
	    strcmp(a->env.client, b->env.client) != 0 ||
	    strcmp(a->env.helo, b->env.helo) != 0 ||
	    strcmp(a->env.mail_from, b->env.mail_from) != 0 ||
	    a->env.nrcpt != b->env.nrcpt ||
	    a->env.body_8bit != b->env.body_8bit ||
	    a->body_len != b->body_len ||
	    memcmp(a->body, b->body, a->body_len) != 0)
		return 0;
	for (i = 0; i < a->env.nrcpt; i++)
		if (strcmp(a->env.rcpt[i], b->env.rcpt[i]) != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int strict = -1;
	struct spool_msg *sentinel = (struct spool_msg *)&strict;
	struct spool_msg *m = sentinel, *m2 = sentinel;
	enum spool_status st, st2;

	if (size > 1024 * 1024)
		return 0;
	if (strict == -1)
		strict = 1;	/* the reader now keeps every promise */
	setup();
	write_file(data, size);
	st = spool_load_file(file, &m);
	st2 = spool_load_file(file, &m2);
	if (unlink(file) == -1)
		abort();
	if (st != st2)
		abort();
	if (st != SPOOL_OK) {
		if (st != SPOOL_CORRUPT || m != sentinel || m2 != sentinel)
			abort();
		return 0;
	}
	if (m == NULL || m == sentinel || m2 == NULL || m2 == sentinel)
		abort();
	check_loaded(data, size, m, strict);
	if (!same(m, m2))
		abort();
	spool_msg_free(m);
	spool_msg_free(m2);
	return 0;
}
