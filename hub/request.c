/*
 * request: the list's other addresses: LIST-owner (re-encrypted to the
 * admins), LIST-sendkey and LIST-request (signed answers; strangers are
 * answered sparingly), the mailed archive search, LIST-bounces+TAG.
 * The mail commands are read here (lists/mailcmd) and run in
 * hub/commands.c.  See hub/request.h.
 */
#include "config.h"

#include "hub/job.h"
#include "hub/request.h"
#include "hub/commands.h"
#include "hub/conf.h"
#include "hub/dsn.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/outmsg.h"
#include "hub/proc.h"
#include "hub/recipient.h"
#include "hub/spool.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "archive/archive.h"
#include "archive/extract.h"
#include "archive/ipkey.h"
#include "archive/search.h"
#include "archive/text.h"
#include "crypto/decrypt.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "lists/mailcmd.h"
#include "lists/policy.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

#define STRANGER_REPLIES_PER_DAY 50	/* answers to non-roster senders */

/* LIST-owner: re-encrypted for each admin, whatever arrived. */
enum verdict
handle_owner(struct job *j, const struct roster_view *rv)
{
	struct notice_in in;
	char detail[256];
	const char *payload = j->m->body;
	size_t plen = j->m->body_len;
	enum verdict r;

	if ((r = stage_decrypt(j)) != V_DONE)
		return r;
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_OWNER_FORWARD;
	in.post_id = j->id;
	in.received = (long long)j->m->env.received;
	in.mail_from = j->m->env.mail_from;
	in.client = j->m->env.client;
	if (j->dst == CRYPTO_OK && j->v->encrypted && j->v->content != NULL) {
		/* only what was inside the encryption */
		mime_part_raw(j->v->content, &payload, &plen);
		snprintf(detail, sizeof detail, "It arrived encrypted; "
		    "signature: %s%s%s.", j->v->nsigs == 0 ? "none" :
		    crypto_status_str(j->v->sigs[0].status),
		    j->v->nsigs > 0 ? " by " : "",
		    j->v->nsigs > 0 ? j->v->sigs[0].fpr : "");
	} else
		snprintf(detail, sizeof detail, "It arrived NOT encrypted "
		    "(%s); forwarded as received.", crypto_status_str(j->dst));
	in.detail = detail;
	in.payload = payload;
	in.payload_len = plen;
	log_info("owner-mail id=%s list=%s", j->id, rv->list.l.name);
	return notice_send_admins(j, rv, &in);
}

/* One mailbox, however its address is spelt: case and +tag. */
static void
mailbox_key(const char *to, char *key, size_t size)
{
	const char *at = strrchr(to, '@'), *plus;
	size_t i;

	plus = at != NULL ? memchr(to, '+', (size_t)(at - to)) : NULL;
	snprintf(key, size, "%.*s%s",
	    (int)(plus != NULL ? (size_t)(plus - to) : strlen(to)),
	    to, plus != NULL ? at : "");
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
}

/*
 * May the hub answer the envelope sender `to` of a -sendkey mail?
 * Anyone can forge an envelope sender, and a signed reply is many times
 * the size of the request: every mailbox is answered once a day, a
 * roster contact too (or a forged sender would buy a stream of signed
 * mail to any member); strangers also share STRANGER_REPLIES_PER_DAY in
 * all, contacts are counted apart (the roster bounds them).  *ok false
 * means drop silently (logged); V_TEMPFAIL if the store failed.
 */
static enum verdict
stranger_reply_ok(struct job *j, const struct roster_view *rv,
    const char *to, const char *fpr, bool *ok)
{
	char safe[MODEL_ADDR_MAX], key[MODEL_ADDR_MAX];
	enum store_status st;
	bool first, capped = false;

	*ok = false;
	mailbox_key(to, key, sizeof key);
	if (fpr != NULL)
		st = store_notice_once(j->w->store, "sendkey-roster", key,
		    &first);
	else
		st = store_notice_capped(j->w->store, "stranger-reply", key,
		    STRANGER_REPLIES_PER_DAY, &first, &capped);
	if (st != STORE_OK)
		return V_TEMPFAIL;
	if (capped || !first) {
		log_info("reply-limited id=%s list=%s to=%s reason=%s",
		    j->id, rv->list.l.name, log_safe(safe, sizeof safe, to),
		    capped ? "daily-limit" : "once-a-day");
		return V_DONE;
	}
	*ok = true;
	return V_DONE;
}

/* LIST-sendkey: a short signed answer.  (LIST-request answers
 * unauthenticated mail through unauthenticated_reply(), which limits
 * contacts too.) */
enum verdict
handle_reply(struct job *j, const struct roster_view *rv,
    enum notice_kind kind)
{
	struct notice_in in;
	struct buf *key = NULL;
	const char *to = reply_address(j), *fpr;
	enum key_usability ku;
	enum verdict r;
	bool ok;

	if (to == NULL) {
		log_info("request-ignored id=%s list=%s reason=null-sender",
		    j->id, rv->list.l.name);
		return V_DONE;
	}
	reply_key(rv, to, &fpr, &ku);
	if ((r = stranger_reply_ok(j, rv, to, fpr, &ok)) != V_DONE || !ok)
		return r;
	memset(&in, 0, sizeof in);
	in.kind = kind;
	in.post_id = j->id;
	if (kind == NOTICE_SENDKEY) {
		key = buf_new(0);
		if (keys_export(j->w->g, rv->list.fpr, 1, key) != CRYPTO_OK) {
			buf_free(key);
			return V_TEMPFAIL;
		}
		in.payload = buf_data(key);
		in.payload_len = buf_len(key);
	}
	r = notice_send(j, rv, to, fpr, ku, &in);
	buf_free(key);
	return r;
}

/* --- mail commands (lists/mailcmd, hub/commands) ------------------------------- */

#define INSTRUCTIONS_PER_DAY	50	/* to non-roster mailboxes, in all */

/*
 * Every answer to a -request mail that was not authenticated (no
 * command, commands or a search that cannot run) goes to the envelope
 * sender, which proves nothing: it is answered once per mailbox a day,
 * whoever it claims to be -- a roster contact too, or a forged sender
 * would buy a stream of signed mail to any member.  Mailboxes not on
 * the roster share INSTRUCTIONS_PER_DAY a day in all (their number is
 * unbounded); roster mailboxes are counted apart, with no cap beyond
 * once a day each (the roster bounds them), so forged strangers cannot
 * use up the answer a real member's mistake should get.  *ok false
 * means drop silently (logged); V_TEMPFAIL if the store failed.
 */
static enum verdict
unauthenticated_reply_ok(struct job *j, const struct roster_view *rv,
    const char *to, const char *fpr, bool *ok)
{
	char safe[MODEL_ADDR_MAX], key[MODEL_ADDR_MAX];
	enum store_status st;
	bool first, capped = false;

	*ok = false;
	mailbox_key(to, key, sizeof key);
	if (fpr != NULL)
		st = store_notice_once(j->w->store,
		    "request-instruction-roster", key, &first);
	else
		st = store_notice_capped(j->w->store, "request-instruction",
		    key, INSTRUCTIONS_PER_DAY, &first, &capped);
	if (st != STORE_OK)
		return V_TEMPFAIL;
	if (capped || !first) {
		log_info("reply-limited id=%s list=%s to=%s reason=%s",
		    j->id, rv->list.l.name, log_safe(safe, sizeof safe, to),
		    capped ? "daily-limit" : "once-a-day");
		return V_DONE;
	}
	*ok = true;
	return V_DONE;
}

/*
 * A -request mail that cannot be run (not encrypted, not signed, signed
 * by no contact, not bound to this list), or that holds no command:
 * the signed help, which says how to send commands, or for a mail of
 * search lines alone the search refusal with the reason; to the
 * envelope sender, nothing of the request in it, within
 * unauthenticated_reply_ok()'s limits (List-Unsubscribe clicks land
 * here).  token is the log's word for it.
 */
static enum verdict
unauthenticated_reply(struct job *j, const struct roster_view *rv,
    enum notice_kind kind, const char *token, const char *why)
{
	struct notice_in in;
	const char *to = reply_address(j), *fpr;
	enum key_usability ku;
	enum verdict r;
	bool ok;

	log_info("%s id=%s list=%s reason=\"%s\"", token, j->id,
	    rv->list.l.name, why);
	if (to == NULL)
		return V_DONE;
	reply_key(rv, to, &fpr, &ku);
	if ((r = unauthenticated_reply_ok(j, rv, to, fpr, &ok)) != V_DONE ||
	    !ok)
		return r;
	memset(&in, 0, sizeof in);
	in.kind = kind;
	in.post_id = j->id;
	if (kind == NOTICE_SEARCH_REFUSED) {
		in.received = (long long)j->m->env.received;
		in.detail = why;
	}
	return notice_send(j, rv, to, fpr, ku, &in);
}

/*
 * Why a request may not run commands, or NULL; *who is the signer then
 * and *binding how the signed content names this list's request
 * address.  The same coverage rules as a post (lists/policy: all of it
 * signed by one key inside the encryption, encrypted to this list's
 * key), then the binding: a signature says who wrote the text, not to
 * whom, so a member's signed mail to someone else, re-encrypted to the
 * list by its recipient, must not unsubscribe the member.
 */
static const char *
request_refusal(struct job *j, const struct roster_view *rv,
    const struct contact **who, long *idx, enum commands_binding *binding)
{
	const struct team *team = NULL;
	const struct verified *v = j->v;
	struct msg_facts f;
	char req[MODEL_LIST_MAX + 300], post[MODEL_LIST_MAX + 300];
	long long max_age;
	bool names_req = false, names_post = false;
	size_t i;

	*who = NULL;
	*binding = COMMANDS_BOUND;
	if (j->dst != CRYPTO_OK || v == NULL)
		return N_("the request was not encrypted to the list's key");
	if (facts_of(j, rv, &f) != V_DONE)
		return N_("the list's key could not be read; try again later");
	switch (policy_authentic(&f, 0)) {
	case POLICY_OK:
		break;
	case POLICY_NOT_ENCRYPTED:
		return N_("the request was not encrypted to the list's key");
	case POLICY_NO_INTEGRITY:
		return N_("the request has no integrity protection (MDC)");
	case POLICY_NOT_ENCRYPTED_TO_LIST:
		return N_("the request was encrypted to another key than the "
		    "list's");
	case POLICY_UNPROTECTED_PARTS:
		return N_("the request has parts outside the encryption");
	case POLICY_NOT_SIGNED:
		return N_("the request was not signed");
	case POLICY_PARTLY_SIGNED:
		return N_("part of the request was not signed");
	default:
		/* several signers, or a bad one: never run, whatever f.sig;
		 * a key the hub does not hold is no contact's */
		return f.sig == SIG_UNKNOWN_KEY ? N_("the signing key belongs "
		    "to no registered contact") : N_("the request's signature "
		    "is not valid");
	}
	if (f.sig == SIG_UNKNOWN_KEY)
		return N_("the signing key belongs to no registered contact");
	if (f.sig != SIG_GOOD)
		return N_("the request's signature is not valid");
	if (store_own_key(j->w->store, v->sigs[0].fpr, NULL, 0) !=
	    STORE_NOT_FOUND)
		return N_("the signing key belongs to no registered contact");
	roster_view_signer(rv, v->sigs[0].fpr, who, &team);
	if (*who == NULL || team == NULL)
		return N_("the signing key belongs to no registered contact");
	if (team->state != TEAM_ACTIVE)
		return N_("the signer's team is not an active member");
	*idx = contact_index(rv, *who);
	snprintf(req, sizeof req, "%s-request@%s", rv->list.l.name,
	    j->w->cfg->domain);
	snprintf(post, sizeof post, "%s@%s", rv->list.l.name,
	    j->w->cfg->domain);
	for (i = 0; i < v->nnamed; i++) {
		if (strcasecmp(v->named[i], req) == 0)
			names_req = true;
		if (strcasecmp(v->named[i], post) == 0)
			names_post = true;
	}
	if (names_req)
		return NULL;
	if (names_post) {
		/* a post to the list (or a captured copy of one) sent
		 * here: read-only commands answer the signer alone */
		*binding = COMMANDS_READ_ONLY;
		return NULL;
	}
	if (v->nnamed > 0)
		return N_("the signed request is addressed to others, not to "
		    "this list's -request address");
	/* names no one: fresh only, as an unbound post */
	max_age = rv->list.l.opts.max_signature_age;
	if (f.sig_age < -POLICY_CLOCK_SKEW ||
	    (max_age > 0 && f.sig_age > max_age))
		return N_("the signed request names no recipient and its "
		    "signature is too old (or made in the future)");
	return NULL;
}

/* The Subject of the message as received (unsigned), trimmed, in dst;
 * "" if none. */
static void
outer_subject(const struct job *j, char *dst, size_t size)
{
	const char *p = j->m->body, *end = p + j->m->body_len, *nl, *s, *e;

	dst[0] = '\0';
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p || (nl - p == 1 && *p == '\r'))
			return;		/* end of the header */
		if (nl - p < 8 || strncasecmp(p, "Subject:", 8) != 0)
			continue;
		s = p + 8;
		e = nl;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' ||
		    e[-1] == '\t'))
			e--;
		snprintf(dst, size, "%.*s", (int)(e - s), s);
		return;
	}
}

static bool
word_is(const char *s, const char *word)
{
	size_t n = strlen(word);

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncasecmp(s, word, n) != 0)
		return false;
	for (s += n; *s == ' ' || *s == '\t' || *s == '\r'; s++)
		;
	return *s == '\0';
}

/*
 * No command in the text: the Subject may be one (List-Help and
 * List-Unsubscribe are mailto: URIs with subject=help / unsubscribe,
 * hub/outmsg.c).  Only a signed subject counts: the outer one of an
 * encrypted mail can be changed by anyone on the way, and a member's
 * empty signed mail must not become an unsubscription.  Returns true if
 * it added a command.
 */
static bool
subject_command(const struct job *j, struct mailcmd_set *set)
{
	struct mailcmd *c = &set->cmd[0];
	char outer[128];

	memset(c, 0, sizeof *c);
	set->stopped = false;
	if (j->dst == CRYPTO_OK && j->v != NULL && j->v->encrypted &&
	    j->v->subject != NULL) {
		if (word_is(j->v->subject, "unsubscribe"))
			c->verb = MAILCMD_UNSUBSCRIBE;
		else if (word_is(j->v->subject, "help"))
			c->verb = MAILCMD_HELP;
		else
			return false;
		snprintf(c->word, sizeof c->word, "%s (Subject)",
		    mailcmd_verb_str(c->verb));
		set->n = 1;
		return true;
	}
	outer_subject(j, outer, sizeof outer);
	if (!word_is(outer, "unsubscribe"))
		return false;
	/* unsigned: for an encrypted, signed mail the answer says why;
	 * for anything else it makes the mail a command refused */
	c->verb = MAILCMD_INVALID;
	snprintf(c->word, sizeof c->word, "unsubscribe (Subject)");
	c->error = N_("the Subject asks to unsubscribe, but it was not "
	    "signed (your mail program does not protect the Subject): "
	    "write unsubscribe in the body of the mail");
	set->n = 1;
	return true;
}

/* A refusal of the whole mail, in its answer. */
static void
whole_refusal(struct buf *out, const char *lang, const char *why)
{
	buf_printf(out, L_(lang, "Nothing was done: %s.\n"), L_(lang, why));
}

/*
 * Why X-LIST-NAME refuses the whole mail, or NULL: a mail written for
 * another list must run nothing here, and one whose X-LIST-NAME cannot
 * be read may be meant for another list too.  The name, and the domain
 * when the list's address was written (Schleuder's form), must be this
 * list's.
 */
static const char *
list_name_refusal(const struct job *j, const struct roster_view *rv,
    const struct mailcmd_set *set)
{
	const struct mailcmd *c;
	size_t i;

	if (set->list_name_bad)
		return N_("X-LIST-NAME is neither a list's name nor its "
		    "address");
	for (i = 0; i < set->n; i++) {
		c = &set->cmd[i];
		if (c->verb != MAILCMD_LIST_NAME)
			continue;
		if (strcmp(c->list, rv->list.l.name) != 0 ||
		    (c->list_domain[0] != '\0' &&
		    strcasecmp(c->list_domain, j->w->cfg->domain) != 0))
			return N_("X-LIST-NAME names another list than the one "
			    "this mail was sent to");
	}
	return NULL;
}

/* The help, as the one command of a mail that holds none. */
static void
help_command(struct mailcmd_set *set)
{
	struct mailcmd *c = &set->cmd[0];

	memset(c, 0, sizeof *c);
	c->verb = MAILCMD_HELP;
	c->line = 1;
	snprintf(c->word, sizeof c->word, "help (no command found)");
	set->n = 1;
	set->stopped = false;
}

/*
 * LIST-request: the mail commands (lists/mailcmd.h), run for the
 * signer and answered to the signer's registered address, encrypted to
 * its key (never to the envelope sender: a forged sender must not
 * receive, or be flooded with, answers).  A mail with no command gets
 * the help text.
 */
enum verdict
handle_request(struct job *j, const struct roster_view *rv)
{
	struct mailcmd_set *set = xcalloc(1, sizeof *set);
	struct buf *text = buf_new(BUF_SENSITIVE);
	const struct mime_part *tp = NULL;
	const struct contact *who = NULL;
	enum commands_binding binding = COMMANDS_BOUND;
	enum mailcmd_status pst;
	struct notice_in in;
	const char *why, *lang;
	char seen[MODEL_LIST_MAX + 16];
	enum verdict r;
	bool replay = false, nocmd = false;
	long idx = -1;

	if ((r = stage_decrypt(j)) != V_DONE)
		goto out;
	if (j->dst == CRYPTO_OK && j->v->content != NULL)
		tp = first_text(j->v->content, 0);
	if (tp == NULL || mime_part_text_utf8(tp, text) != CRYPTO_OK) {
		buf_reset(text);
		/* Not encrypted: its own bytes, for the commands only (a
		 * clear command gets a refusal).  Decrypted, only what was
		 * inside is read: never unsigned text around it. */
		if (j->dst != CRYPTO_OK || !j->v->encrypted)
			buf_append(text, j->m->body, j->m->body_len);
	}
	pst = mailcmd_parse(buf_data(text), buf_len(text), set);
	/* No command at all (nothing, or prose from its first line: a
	 * mail to the wrong address) is answered with the help: as a
	 * command when the mail is authenticated (to the signer, once per
	 * signature), else as any unauthenticated mail is answered. */
	if (pst == MAILCMD_OK && (set->n == 0 || (set->n == 1 &&
	    set->stopped)) && !subject_command(j, set)) {
		help_command(set);
		nocmd = true;
	}
	if ((why = request_refusal(j, rv, &who, &idx, &binding)) != NULL) {
		/* a search alone keeps its own refusal, with the reason */
		if (nocmd)
			r = unauthenticated_reply(j, rv, NOTICE_REQUEST_HELP,
			    "request-help", why);
		else if (pst == MAILCMD_OK && !commands_beyond_search(set))
			r = unauthenticated_reply(j, rv,
			    NOTICE_SEARCH_REFUSED, "search-refused", why);
		else
			r = unauthenticated_reply(j, rv, NOTICE_REQUEST_HELP,
			    "commands-refused", why);
		goto out;
	}
	/* A captured request mailed again must not buy another answer, or
	 * undo what was done since (an unsubscribe after a subscribe). */
	snprintf(seen, sizeof seen, "%s-request", rv->list.l.name);
	if (store_seen_record(j->w->store, seen, j->sighash, j->id,
	    &replay) != STORE_OK) {
		r = V_TEMPFAIL;
		goto out;
	}
	if (replay) {
		/* "search-ignored" is the token 036 and admins know */
		log_info("%s id=%s list=%s reason=replay",
		    commands_beyond_search(set) ? "commands-ignored" :
		    "search-ignored", j->id, rv->list.l.name);
		goto out;
	}
	if (idx < 0 || rv->keys[idx] != KEY_USABLE) {
		/* signed only, to the registered address: nothing of the
		 * archive or the roster in it, and nothing done */
		memset(&in, 0, sizeof in);
		in.kind = NOTICE_SEARCH_REFUSED;
		in.post_id = j->id;
		in.received = (long long)j->m->env.received;
		in.detail = N_("your registered key cannot be used for "
		    "encryption, and the answer is sent only encrypted; "
		    "none of your commands was run");
		log_info("commands-refused id=%s list=%s reason=key-%s", j->id,
		    rv->list.l.name, idx < 0 ? "missing" :
		    key_usability_str(rv->keys[idx]));
		r = notice_send(j, rv, who->address, who->fpr,
		    idx < 0 ? KEY_MISSING : rv->keys[idx], &in);
		goto out;
	}
	buf_reset(text);
	lang = notice_lang(j, rv, who->address);
	if (pst != MAILCMD_OK) {
		buf_printf(text, L_(lang, "Answer to the commands of %s (%s)."
		    "\n"), who->address, who->team);
		whole_refusal(text, lang, pst == MAILCMD_TOO_MANY ?
		    N_("the mail holds more commands than the hub runs from "
		    "one mail (20)") : N_("the mail is too long to be read as "
		    "commands; write them in a short, new mail"));
		log_info("commands-refused id=%s list=%s reason=%s", j->id,
		    rv->list.l.name, mailcmd_status_str(pst));
	} else {
		if ((why = list_name_refusal(j, rv, set)) != NULL) {
			/* written for another list: run none of it here */
			buf_printf(text, L_(lang, "Answer to the commands of "
			    "%s (%s).\n"), who->address, who->team);
			whole_refusal(text, lang, why);
			log_info("commands-refused id=%s list=%s "
			    "reason=list-name", j->id, rv->list.l.name);
		} else if ((r = commands_run(j, rv, who, set, binding,
		    &lang, text)) != V_DONE)
			goto out;
	}
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_COMMAND_ANSWER;
	in.lang = lang;
	in.post_id = j->id;
	in.payload = buf_data(text);
	in.payload_len = buf_len(text);
	r = notice_send(j, rv, who->address, who->fpr, KEY_USABLE, &in);
out:
	hub_wipe(set, sizeof *set);
	free(set);
	buf_free(text);
	return r;
}

/*
 * LIST-bounces+TAG: a delivery failure (the relay's own DSN or a remote
 * MTA's) for the recipient the VERP tag names.  Recorded, and the admins
 * are told.  Bounces are not posts: nothing is relayed.
 */
enum verdict
handle_bounce(struct job *j, const struct roster_view *rv, const char *tag)
{
	struct notice_in in;
	struct dsn_report rep;
	char rcpt[MODEL_ADDR_MAX], safe[MODEL_ADDR_MAX];
	const char *status;
	char post[HUB_ID_SIZE];

	if (outmsg_verp_decode(tag, rcpt, sizeof rcpt) != 0) {
		log_info("bounce-unattributed id=%s list=%s", j->id,
		    rv->list.l.name);
		return V_DONE;
	}
	/* a report without a readable status is a failure all the same */
	dsn_parse(j->m->body, j->m->body_len, &rep);
	status = rep.status[0] != '\0' ? rep.status : "5.0.0";
	if (store_bounce_record(j->w->store, rv->list.l.name, rcpt, status,
	    NULL) != STORE_OK)
		return V_TEMPFAIL;
	log_info("bounce id=%s list=%s rcpt=%s status=%s", j->id,
	    rv->list.l.name, log_safe(safe, sizeof safe, rcpt), status);
	if (status[0] != '5')
		return V_DONE;	/* delayed, not failed */
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_DELIVERY_FAILED;
	in.post_id = notice_bounced_post(j->m->body, j->m->body_len,
	    rv->list.l.name, j->w->cfg->domain, post) == 0 ? post : NULL;
	in.report_id = j->id;
	in.received = (long long)j->m->env.received;
	in.rcpt = rcpt;
	in.status = status;
	return notice_send_admins(j, rv, &in);
}
