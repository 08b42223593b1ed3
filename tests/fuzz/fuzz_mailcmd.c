/*
 * libFuzzer harness for lists/mailcmd: mailcmd_parse() on the text of a
 * LIST-request mail, as the worker hands it over after decryption (any
 * bytes: a member's MUA, a forwarded or quoted mail).  Also built with
 * tests/fuzz/driver.c to replay tests/fuzz/corpus/mailcmd/ in
 * `make check`.
 *
 * Input: the text, NULs included.  Over 256 KiB is skipped.  The text is
 * copied into an exact-size allocation so ASan sees overreads.
 * Invariants (abort()):
 *  - a known status; at most MAILCMD_MAX commands, line numbers rising;
 *  - every command a known verb; INVALID and UNSUPPORTED carry a reason,
 *    every other verb none;
 *  - arguments as documented: an address passes mailcmd_address() again
 *    and is lowercase, a fingerprint is 40 uppercase hex digits, a handle
 *    passes mailcmd_handle(), a post id passes hub_id_valid(), a query
 *    is non-empty without control characters, a language "ja" or "en";
 *    all NUL-terminated inside their arrays; the keyword echo holds only
 *    ASCII letters, digits, '-' and ' ';
 *  - stopped only after an INVALID last command;
 *  - the first key block lies inside the text;
 *  - determinism: the same text gives the same set, byte for byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/id.h"
#include "lists/mailcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
check_cmd(const struct mailcmd *c)
{
	size_t i, n;

	check_str(c->word, sizeof c->word);
	check_str(c->address, sizeof c->address);
	check_str(c->fpr, sizeof c->fpr);
	check_str(c->handle, sizeof c->handle);
	check_str(c->post_list, sizeof c->post_list);
	check_str(c->post_id, sizeof c->post_id);
	check_str(c->list, sizeof c->list);
	check_str(c->query, sizeof c->query);
	check_str(c->lang, sizeof c->lang);
	for (i = 0; c->word[i] != '\0'; i++)
		if (!((c->word[i] >= 'a' && c->word[i] <= 'z') ||
		    (c->word[i] >= 'A' && c->word[i] <= 'Z') ||
		    (c->word[i] >= '0' && c->word[i] <= '9') ||
		    c->word[i] == '-' || c->word[i] == ' '))
			abort();
	if (c->verb > MAILCMD_LIST_NAME)
		abort();
	if ((c->verb == MAILCMD_INVALID || c->verb == MAILCMD_UNSUPPORTED) !=
	    (c->error != NULL))
		abort();
	if ((n = strlen(c->address)) > 0) {
		if (mailcmd_address(c->address, n, NULL) != 0)
			abort();
		for (i = 0; i < n; i++)
			if (c->address[i] >= 'A' && c->address[i] <= 'Z')
				abort();
	}
	if ((n = strlen(c->fpr)) > 0) {
		if (n != 40)
			abort();
		for (i = 0; i < n; i++)
			if (!((c->fpr[i] >= '0' && c->fpr[i] <= '9') ||
			    (c->fpr[i] >= 'A' && c->fpr[i] <= 'F')))
				abort();
	}
	if (c->handle[0] != '\0' &&
	    mailcmd_handle(c->handle, strlen(c->handle)) != 0)
		abort();
	if (c->post_id[0] != '\0' && !hub_id_valid(c->post_id))
		abort();
	if (c->verb == MAILCMD_GET && c->post_id[0] == '\0')
		abort();
	if (c->verb == MAILCMD_SEARCH) {
		if (c->query[0] == '\0')
			abort();
		for (i = 0; c->query[i] != '\0'; i++)
			if ((unsigned char)c->query[i] < 0x20 ||
			    c->query[i] == 0x7f)
				abort();
	}
	if (c->verb == MAILCMD_LANGUAGE && strcmp(c->lang, "ja") != 0 &&
	    strcmp(c->lang, "en") != 0)
		abort();
	if (c->verb == MAILCMD_ENDORSE && c->handle[0] == '\0')
		abort();
	if (c->verb == MAILCMD_KEY_GET &&
	    (c->address[0] == '\0') == (c->fpr[0] == '\0'))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailcmd_set *a, *b;
	enum mailcmd_status sa, sb;
	char *text;
	size_t i;

	if (size > 256 * 1024)
		return 0;
	text = malloc(size ? size : 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	a = calloc(1, sizeof *a);
	b = calloc(1, sizeof *b);
	if (a == NULL || b == NULL)
		abort();
	sa = mailcmd_parse(text, size, a);
	sb = mailcmd_parse(text, size, b);
	if (sa != sb || memcmp(a, b, sizeof *a) != 0)
		abort();
	if (sa != MAILCMD_OK && sa != MAILCMD_TOO_MANY &&
	    sa != MAILCMD_TOO_LONG)
		abort();
	if (a->n > MAILCMD_MAX)
		abort();
	for (i = 0; i < a->n; i++) {
		check_cmd(&a->cmd[i]);
		if (i > 0 && a->cmd[i].line <= a->cmd[i - 1].line)
			abort();
	}
	if (a->stopped && (a->n == 0 ||
	    a->cmd[a->n - 1].verb != MAILCMD_INVALID))
		abort();
	if (a->nkeys > 0 && (a->key_off > size ||
	    a->key_len > size - a->key_off))
		abort();
	free(a);
	free(b);
	free(text);
	return 0;
}
