/*
 * libFuzzer harness for the archive's query parser, search_parse(): the
 * text a member mails or types to hubctl.  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/search/ in
 * `make check`.
 *
 * Input: the query, up to its first NUL (it is a C string).  Over 64 KiB
 * is skipped.
 * Invariants (abort()):
 *  - the result is 0 or -1; on -1 err is a non-empty NUL-terminated
 *    message and the query (after trimming) is 512 octets or more, holds
 *    a control character or was only dots;
 *  - on 0: a known kind; value NUL-terminated inside its array, without
 *    control characters; filters cleared (type -1, since/until 0, list
 *    and team "", tlp TLP_NONE, limit 0); SEARCH_ALL iff the trimmed
 *    text (blanks at both ends, dots at the end) is "" or "*" and was
 *    not only dots, and then value is ""; SEARCH_IP/CIDR/DOMAIN
 *    values are non-empty and lower case;
 *  - determinism: the same text gives the same query (byte for byte);
 *  - a normalised query is a fixed point: parsing q->value again gives
 *    the same kind and value (what is stored and shown is what a member
 *    may paste back).  Not checked for the IP "::" or a CIDR "::/N"
 *    ("::0" normalises to "::", "d::/006" to "::/6", but "::" itself is
 *    EXACT), nor for an EXACT value with defang brackets left in
 *    ("AS6[.]cm": extract reads AS6, not the domain).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The query inside text: blanks cut at both ends, dots at the end
 * (*len); *dotted when what was cut held a dot. */
static const char *
trim(const char *text, size_t *len, int *dotted)
{
	const char *t = text;
	size_t n;

	while (is_blank(*t))
		t++;
	n = strlen(t);
	*dotted = 0;
	while (n > 0 && (is_blank(t[n - 1]) || t[n - 1] == '\r' ||
	    t[n - 1] == '\n' || t[n - 1] == '.')) {
		if (t[n - 1] == '.')
			*dotted = 1;
		n--;
	}
	*len = n;
	return t;
}

static void
check_query(const char *text, const struct search_query *q)
{
	size_t len, i, vl;
	const char *t;
	int dotted;

	if ((int)q->kind < SEARCH_ALL || q->kind > SEARCH_CIDR)
		abort();
	if (memchr(q->value, '\0', sizeof q->value) == NULL ||
	    q->type != -1 || q->since != 0 || q->until != 0 ||
	    q->list[0] != '\0' || q->team[0] != '\0' || q->tlp != TLP_NONE ||
	    q->limit != 0)
		abort();
	vl = strlen(q->value);
	for (i = 0; i < vl; i++)
		if ((unsigned char)q->value[i] < 0x20 || q->value[i] == 0x7f)
			abort();
	t = trim(text, &len, &dotted);
	if (len == 0 && dotted)		/* only dots: an error, not "all" */
		abort();
	if ((q->kind == SEARCH_ALL) !=
	    (len == 0 || (len == 1 && t[0] == '*')))
		abort();
	if (q->kind == SEARCH_ALL && vl != 0)
		abort();
	if (q->kind == SEARCH_IP || q->kind == SEARCH_CIDR ||
	    q->kind == SEARCH_DOMAIN) {
		if (vl == 0)
			abort();
		for (i = 0; i < vl; i++)
			if (q->value[i] >= 'A' && q->value[i] <= 'Z')
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_query q, q2, q3;
	char err[256], err2[256], *text;
	const char *t;
	size_t len, i;
	int r, dotted;

	if (size > 64 * 1024)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof err);
	memset(err2, 'x', sizeof err2);
	r = search_parse(text, &q, err, sizeof err);
	if (r != search_parse(text, &q2, err2, sizeof err2))
		abort();
	if (r == -1) {
		if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0' ||
		    strcmp(err, err2) != 0)
			abort();
		t = trim(text, &len, &dotted);
		for (i = 0; i < len; i++)
			if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
				break;
		if (len < sizeof q.value && i == len && !(len == 0 && dotted))
			abort();
	} else if (r == 0) {
		if (memcmp(&q, &q2, sizeof q) != 0)
			abort();
		check_query(text, &q);
		/* known: "::0" gives IP "::" and "d::/006" CIDR "::/6",
		 * but "::" alone is no indicator to extract (EXACT); an
		 * EXACT fallback keeps defang brackets ("AS6[.]cm":
		 * extract reads AS6, not the domain) */
		if (q.kind != SEARCH_ALL && q.value[0] != '\0' &&
		    strcmp(q.value, "::") != 0 &&
		    strncmp(q.value, "::/", 3) != 0 &&
		    (q.kind != SEARCH_EXACT ||
		    strpbrk(q.value, "[({") == NULL)) {
			if (search_parse(q.value, &q3, err, sizeof err) != 0 ||
			    q3.kind != q.kind ||
			    strcmp(q3.value, q.value) != 0)
				abort();
		}
	} else
		abort();
	free(text);
	return 0;
}
