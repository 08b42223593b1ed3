/*
 * libFuzzer harness for lists/tlp: tlp_parse() on a subject and a body.
 * Also built without libFuzzer, with tests/fuzz/driver.c, to replay the
 * corpus in `make check`.
 *
 * Input format (seeds in tests/fuzz/corpus/tlp/ follow it):
 *   byte 0   the list default: value % 6 as enum tlp (0 = TLP_NONE)
 *   byte 1-  the subject up to the first LF (or the end; it stops at a
 *            NUL too, as a C string would), then the body: everything
 *            after that LF, NULs included.
 * Inputs under 1 or over 64 KiB octets are skipped.
 *
 * Besides not crashing (or reading outside the input: the body is copied
 * into an exact-size allocation so ASan sees overreads), the result must
 * keep these properties (abort()):
 *  - no label: the default, from the default; a label: CLEAR..RED, from
 *    the subject or body, and never from the default;
 *  - case-insensitive: the ASCII-uppercased input gives the same label;
 *  - the window: only the first TLP_BODY_MAX body octets matter (and
 *    the one after them, as a word boundary);
 *  - never lowered: "TLP:RED" added to the subject gives RED, and
 *    "[TLP:AMBER] " in front of the subject gives at least AMBER.
 */
#include "config.h"

#include "lists/tlp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT	(64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static void
check_result(const struct tlp_result *r, enum tlp dflt)
{
	if (r->nlabels == 0) {
		check(r->label == dflt);
		check(r->where == TLP_FROM_DEFAULT);
		check(r->warnings == 0);
	} else {
		check(r->label >= TLP_CLEAR && r->label <= TLP_RED);
		check(r->where == TLP_FROM_SUBJECT ||
		    r->where == TLP_FROM_BODY);
	}
}

static char *
dup_upper(const char *s, size_t n)
{
	char *u = malloc(n + 1);
	size_t i;

	if (u == NULL)
		abort();
	for (i = 0; i < n; i++)
		u[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i];
	u[n] = '\0';
	return u;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlp_result r, r2;
	enum tlp dflt;
	const char *in, *nl;
	char *subject, *body, *usub, *ubody, *more;
	size_t n, slen, blen;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	dflt = (enum tlp)(data[0] % 6);
	in = (const char *)data + 1;
	n = size - 1;
	nl = memchr(in, '\n', n);
	slen = nl != NULL ? (size_t)(nl - in) : n;
	blen = nl != NULL ? n - slen - 1 : 0;

	subject = malloc(slen + 1);
	body = malloc(blen > 0 ? blen : 1);
	if (subject == NULL || body == NULL)
		abort();
	memcpy(subject, in, slen);
	subject[slen] = '\0';
	if (blen > 0)
		memcpy(body, nl + 1, blen);

	tlp_parse(subject, blen > 0 ? body : NULL, blen, dflt, &r);
	check_result(&r, dflt);

	usub = dup_upper(subject, strlen(subject));
	ubody = dup_upper(body, blen);
	tlp_parse(usub, blen > 0 ? ubody : NULL, blen, dflt, &r2);
	check_result(&r2, dflt);
	check(r2.label == r.label && r2.where == r.where &&
	    r2.nlabels == r.nlabels);
	check(!(r2.warnings & TLP_WARN_CASE));

	if (blen > TLP_BODY_MAX + 1) {
		tlp_parse(subject, body, TLP_BODY_MAX + 1, dflt, &r2);
		check(r2.label == r.label && r2.where == r.where &&
		    r2.nlabels == r.nlabels);
	}

	n = strlen(subject);
	more = malloc(n + 32);
	if (more == NULL)
		abort();
	memcpy(more, subject, n);
	memcpy(more + n, " TLP:RED", sizeof " TLP:RED");
	tlp_parse(more, blen > 0 ? body : NULL, blen, dflt, &r2);
	check(r2.label == TLP_RED);
	memcpy(more, "[TLP:AMBER] ", 12);
	memcpy(more + 12, subject, n + 1);
	tlp_parse(more, blen > 0 ? body : NULL, blen, dflt, &r2);
	check(r2.label >= TLP_AMBER);
	if (r.nlabels > 0)
		check(r2.label >= r.label);

	free(more);
	free(usub);
	free(ubody);
	free(subject);
	free(body);
	return 0;
}
