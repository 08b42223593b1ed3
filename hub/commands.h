/*
 * commands: the effects of the mail commands (lists/mailcmd reads them,
 * lists/cmdrule says who may, hub/request.c decides the mail is
 * authentic and sends the answer).  Each command goes through the same
 * functions hubctl uses (lists/store.h, lists/admission.h, the archive's
 * search_may_see()), one store transaction each, and appends what it did
 * or why it refused to the answer; a refused command changes nothing.
 *
 * Redo: the worker retries an entry after V_TEMPFAIL (the store busy,
 * gpg or the archive failing); the commands run again then, and the ones
 * already done answer "already subscribed", "not subscribed" or replace
 * the same endorsement: each is idempotent in its effect.
 *
 * Worker process; blocks on the store, gpg and the archive.
 */
#ifndef HUB_COMMANDS_H
#define HUB_COMMANDS_H

#include <stdbool.h>

#include "hub/job.h"
#include "lists/mailcmd.h"

struct buf;
struct roster_view;

/* How the mail was bound to this list's request address (hub/request.c):
 * commands that change something need it named in the signed headers,
 * or a fresh signature; a mail naming only the list's post address is a
 * post sent here (maybe by someone who captured it), read-only then. */
enum commands_binding {
	COMMANDS_BOUND = 0,	/* names LIST-request, or fresh and unnamed */
	COMMANDS_READ_ONLY,	/* names LIST, not LIST-request */
};

/*
 * Run set's commands for who (an authenticated contact of an active
 * team, whose key can encrypt) on rv's list; the answer's text is
 * appended to out (CRLF lines), in *lang ("ja", "en": the asker's
 * language; a language command changes it for the rest of the answer,
 * and *lang says the language it ends in, for the notice around it).
 * V_TEMPFAIL when the environment failed
 * (the entry is retried); V_DONE otherwise, whatever was refused.
 */
enum verdict commands_run(struct job *j, const struct roster_view *rv,
    const struct contact *who, const struct mailcmd_set *set,
    enum commands_binding binding, const char **lang, struct buf *out);

/* Does the set hold a command other than search?  (help counts: it
 * is no search, and unauthenticated it gets the instruction.) */
bool commands_beyond_search(const struct mailcmd_set *set);

#endif
