/*
 * notice: the hub's own texts (see notice.h).
 *
 * Values that came from outside (envelope sender, client, remote
 * diagnostics, a refused post's subject) are made one line without
 * controls before they are written, so they cannot shape the text's
 * structure; the Subject is additionally kept to ASCII.
 */
#include "config.h"

#include "hub/notice.h"
#include "hub/outmsg.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uniwidth.h>
#include <strings.h>
#include <time.h>

#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "lists/mailcmd.h"
#include "lists/policy.h"

const char *
notice_kind_str(enum notice_kind k)
{
	switch (k) {
	case NOTICE_REFUSED_MEMBER:
		return "refused-member";
	case NOTICE_REFUSED_UNKNOWN:
		return "refused-unknown";
	case NOTICE_SKIPPED:
		return "skipped";
	case NOTICE_KEY_EXPIRING:
		return "key-expiring";
	case NOTICE_DELIVERY_FAILED:
		return "delivery-failed";
	case NOTICE_LOST_TEAM:
		return "lost-team";
	case NOTICE_POISON:
		return "poison";
	case NOTICE_REQUEST_HELP:
		return "request-help";
	case NOTICE_SENDKEY:
		return "sendkey";
	case NOTICE_OWNER_FORWARD:
		return "owner-forward";
	case NOTICE_COMMAND_ANSWER:
		return "command-answer";
	case NOTICE_SEARCH_REFUSED:
		return "search-refused";
	case NOTICE_PARTS_DROPPED:
		return "parts-dropped";
	case NOTICE_DELIVERY_DISABLED:
		return "delivery-disabled";
	case NOTICE_KEY_EXPIRY:
		return "key-expiry";
	case NOTICE_KEY_UNUSABLE:
		return "key-unusable";
	case NOTICE_LIST_REKEY:
		return "list-rekey";
	case NOTICE_RECEIPT:
		return "receipt";
	}
	return "unknown";
}

/* One line: controls dropped, white space runs made one space. */
/* One line: controls dropped, white space runs made one space. */
static void
put_clean(struct buf *out, const char *s, bool ascii)
{
	outmsg_clean(s, out, ascii);
}

/* A cleaned copy of s for a translated format's %s (free()). */
static char *
clean_dup(const char *s)
{
	struct buf *b = buf_new(0);
	char *r;

	outmsg_clean(s != NULL ? s : "", b, false);
	r = xstrdup(buf_data(b) != NULL ? buf_data(b) : "");
	buf_free(b);
	return r;
}

/* "ADDRESS (TEAM)" or "ADDRESS", cleaned (free()). */
static char *
who_dup(const char *address, const char *team)
{
	struct buf *b = buf_new(0);
	char *r;

	put_clean(b, address, false);
	if (team != NULL) {
		buf_append_str(b, " (");
		put_clean(b, team, false);
		buf_append_str(b, ")");
	}
	r = xstrdup(buf_data(b) != NULL ? buf_data(b) : "");
	buf_free(b);
	return r;
}

/* "  Label: value\r\n" with value cleaned; nothing if value is NULL. */
/* "  LABEL" padded to 15 columns as a reader sees them (a Japanese
 * character takes two: printf's %-15s counts octets) and a space. */
static void
put_label(struct buf *out, const char *label)
{
	int w = u8_strwidth((const uint8_t *)label, "UTF-8");

	buf_printf(out, "  %s", label);
	for (; w < 15; w++)
		buf_append(out, " ", 1);
	buf_append(out, " ", 1);
}

static void
put_field(struct buf *out, const char *label, const char *v)
{
	if (v == NULL)
		return;
	put_label(out, label);
	put_clean(out, v, false);
	buf_append_str(out, "\r\n");
}

/* "2026-01-02 03:04 UTC" into dst (the same in every language). */
static void
date_str(const char *lang, long long t, char *dst, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(dst, size, "%s", L_(lang, "unknown time"));
		return;
	}
	snprintf(dst, size, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static void
put_date(struct buf *out, const char *lang, long long t)
{
	char d[64];

	date_str(lang, t, d, sizeof d);
	buf_append_str(out, d);
}

static void
put_fpr(struct buf *out, const char *fpr)
{
	size_t i;

	for (i = 0; fpr[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			buf_append(out, " ", 1);
		if ((unsigned char)fpr[i] > 0x20 &&
		    (unsigned char)fpr[i] < 0x7f)
			buf_append(out, fpr + i, 1);
	}
}

static void
put_date_field(struct buf *out, const char *lang, const char *label,
    long long t)
{
	if (t == 0)
		return;
	put_label(out, label);
	put_date(out, lang, t);
	buf_append_str(out, "\r\n");
}

/*
 * The advice strings speak of "the list's -owner address" in general;
 * a notice names the real one, so the member can write to it at once.
 * The pattern is translated with the advice ("the list's -" ...
 * " address" in English), so a translation names it its own way.
 */
static void
put_advice(struct buf *out, const char *lang, const char *advice,
    const char *list, const char *domain)
{
	/* TRANSLATORS: with " address", how the advice texts name one of
	 * the list's addresses ("the list's -owner address"); the notice
	 * puts the real address there. */
	const char *pre = L_(lang, "the list's -");
	/* TRANSLATORS: see "the list's -". */
	const char *post = L_(lang, " address");
	size_t npre = strlen(pre), npost = strlen(post);
	const char *p = advice, *q, *e;
	bool named_owner = false;

	while ((q = strstr(p, pre)) != NULL) {
		e = q + npre;
		while (*e >= 'a' && *e <= 'z')
			e++;
		if (e == q + npre || strncmp(e, post, npost) != 0) {
			buf_append(out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		buf_append(out, p, (size_t)(q - p));
		buf_printf(out, "%s-%.*s@%s", list, (int)(e - (q + npre)),
		    q + npre, domain);
		if (strncmp(q + npre, "owner", 5) == 0)
			named_owner = true;
		p = e + npost;
	}
	buf_append_str(out, p);
	/* wording we did not foresee still gets the address */
	if (!named_owner && strstr(advice, "-owner") != NULL)
		buf_printf(out, L_(lang, " (The list's owner address is "
		    "%s-owner@%s.)"), list, domain);
	buf_append_str(out, "\r\n");
}

static void
text_headers(struct buf *out)
{
	buf_append_str(out, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n");
}

/* Does the entity start with a header block that is more than Content-*
 * (i.e. is it a message rather than a bare MIME entity)? */
static int
entity_kind(const char *s, size_t n)
{
	size_t i = 0, j;
	bool message = false, any = false;

	while (i < n) {
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < n &&
		    s[i + 1] == '\n'))
			return !any ? 0 : message ? 2 : 1;
		if (s[i] == ' ' || s[i] == '\t') {
			if (!any)
				return 0;
		} else {
			for (j = i; j < n && s[j] > 0x20 && s[j] < 0x7f &&
			    s[j] != ':'; j++)
				;
			if (j == i || j >= n || s[j] != ':')
				return 0;
			if (j - i < 8 || strncasecmp(s + i, "content-", 8) != 0)
				message = true;
			any = true;
		}
		while (i < n && s[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

static int
body_refused_member(const struct notice_in *in, const char *addr,
    struct buf *t)
{
	const char *lg = in->lang;
	char d[64], *id;

	if (in->post_id == NULL)
		return -1;
	id = clean_dup(in->post_id);
	date_str(lg, in->received, d, sizeof d);
	if (in->received != 0)
		buf_printf(t, L_(lg, "Your post to %s of %s (id %s) was not "
		    "relayed.\n\n"), addr, d, id);
	else
		buf_printf(t, L_(lg, "Your post to %s (id %s) was not "
		    "relayed.\n\n"), addr, id);
	free(id);
	put_advice(t, lg, L_(lg, policy_reason_advice(in->reason)), in->list,
	    in->domain);
	buf_append_str(t, "\r\n");
	put_field(t, L_(lg, "Reason:"), policy_reason_str(in->reason));
	put_field(t, L_(lg, "Detail:"), in->detail);
	/* only the member's own eyes see this, and only encrypted */
	if (in->encrypted && in->subject != NULL)
		put_field(t, L_(lg, "Subject:"), in->subject);
	return 0;
}

/* Only the count and the MIME paths: the dropped parts' text is the
 * sender's own, and nothing of it is kept. */
static int
body_parts_dropped(const struct notice_in *in, const char *addr,
    struct buf *t)
{
	const char *lg = in->lang;
	char d[64], *id;

	if (in->post_id == NULL || in->ndropped == 0)
		return -1;
	id = clean_dup(in->post_id);
	date_str(lg, in->received, d, sizeof d);
	if (in->received != 0)
		buf_printf(t, NL_(lg, "Your post to %s of %s (id %s) was "
		    "relayed without %u part outside its encryption.\n\n",
		    "Your post to %s of %s (id %s) was relayed without %u "
		    "parts outside its encryption.\n\n", in->ndropped),
		    addr, d, id, in->ndropped);
	else
		buf_printf(t, NL_(lg, "Your post to %s (id %s) was relayed "
		    "without %u part outside its encryption.\n\n",
		    "Your post to %s (id %s) was relayed without %u parts "
		    "outside its encryption.\n\n", in->ndropped),
		    addr, id, in->ndropped);
	free(id);
	buf_append_str(t, L_(lg, "Only what you encrypted and signed reaches "
	    "the list and its archive; text\nbeside the encrypted part "
	    "(some mail clients, planck/pEp among them,\nadd an "
	    "explanation there) is left out. Put everything you want\n"
	    "relayed inside the encrypted message.\n\n"));
	put_field(t, L_(lg, "Left out:"), in->detail);
	return 0;
}

static int
body_refused_unknown(const struct notice_in *in, const char *addr,
    struct buf *t)
{
	const char *lg = in->lang;
	char *id;

	if (in->post_id == NULL)
		return -1;
	buf_printf(t, L_(lg, "A post to %s was refused: %s.\n\n"), addr,
	    policy_reason_str(in->reason));
	put_field(t, L_(lg, "Spool id:"), in->post_id);
	put_date_field(t, lg, L_(lg, "Received:"), in->received);
	put_field(t, L_(lg, "Envelope from:"), in->mail_from);
	put_field(t, L_(lg, "Client:"), in->client);
	if (in->signer_fpr != NULL) {
		put_label(t, L_(lg, "Signer key:"));
		put_fpr(t, in->signer_fpr);
		buf_append_str(t, "\r\n");
	}
	/* say what an admin will find there: a post in clear holds the
	 * sender's text, to be handled as its label asks */
	id = clean_dup(in->post_id);
	switch (in->kept) {
	case KEPT_ENCRYPTED:
		buf_printf(t, L_(lg, "\nThe post is kept as received, "
		    "encrypted, in spool/rejected/%s.\n"), id);
		break;
	case KEPT_CLEAR:
		buf_printf(t, L_(lg, "\nThe post is kept as received, in "
		    "clear (it was never encrypted), in spool/rejected/%s."
		    "\n"), id);
		break;
	case KEPT_PARTLY_CLEAR:
		buf_printf(t, L_(lg, "\nThe post is kept as received, partly "
		    "in clear (parts outside its encryption), in "
		    "spool/rejected/%s.\n"), id);
		break;
	case KEPT_AS_RECEIVED:
	default:
		buf_printf(t, L_(lg, "\nThe post is kept as received (it "
		    "could not be read) in spool/rejected/%s.\n"), id);
		break;
	}
	free(id);
	return 0;
}

/* "The [OpenPGP] key of ADDRESS (TEAM) expires on DATE." and the key's
 * fingerprint. */
static void
put_expiring(struct buf *t, const char *lang, const struct notice_item *it,
    bool openpgp)
{
	char d[64], *who = who_dup(it->address, it->team);

	date_str(lang, it->when, d, sizeof d);
	if (openpgp)
		buf_printf(t, L_(lang, "The OpenPGP key of %s expires on %s."),
		    who, d);
	else
		buf_printf(t, L_(lang, "The key of %s expires on %s."), who, d);
	free(who);
	buf_append_str(t, "\r\n");
	if (it->fpr != NULL) {
		put_label(t, L_(lang, "Key:"));
		put_fpr(t, it->fpr);
		buf_append_str(t, "\r\n");
	}
}

static int
body_items(const struct notice_in *in, struct buf *t)
{
	const char *lg = in->lang;
	const struct notice_item *it;
	char *a, *b, *c;
	size_t i;

	if (in->items == NULL || in->nitems == 0)
		return -1;
	for (i = 0; i < in->nitems; i++)
		if (in->items[i].address == NULL)
			return -1;

	switch (in->kind) {
	case NOTICE_SKIPPED:
		if (in->post_id != NULL) {
			a = clean_dup(in->post_id);
			buf_printf(t, L_(lg, "These recipients did not get "
			    "post %s:\n\n"), a);
			free(a);
		} else
			buf_append_str(t, L_(lg, "These recipients did not get "
			    "the post:\n\n"));
		for (i = 0; i < in->nitems; i++) {
			it = &in->items[i];
			a = who_dup(it->address, it->team);
			buf_printf(t, "  %s: ", a);
			free(a);
			put_clean(t, it->reason != NULL ? it->reason :
			    "skipped", false);
			buf_append_str(t, "\r\n");
		}
		break;
	case NOTICE_KEY_EXPIRING:
		for (i = 0; i < in->nitems; i++) {
			it = &in->items[i];
			put_expiring(t, lg, it, false);
			a = clean_dup(it->address);
			buf_printf(t, L_(lg, "Please ask the team for an "
			    "extended or new key and import it with:\n"
			    "  hubctl contact key %s --key FILE.asc\n\n"),
			    a);
			free(a);
		}
		break;
	case NOTICE_LOST_TEAM:
		for (i = 0; i < in->nitems; i++) {
			it = &in->items[i];
			a = clean_dup(it->address);
			buf_printf(t, L_(lg, "Team %s is subscribed but none "
			    "of its contacts has a usable key, so it receives "
			    "nothing.\n"), a);
			free(a);
			put_field(t, L_(lg, "Why:"), it->reason);
		}
		buf_append_str(t, L_(lg, "\nAsk the team for a valid key and "
		    "import it with hubctl contact key ADDRESS --key "
		    "FILE.asc\n(hubctl contact add for a new contact).\n"));
		break;
	case NOTICE_KEY_EXPIRY:
		it = &in->items[0];
		put_expiring(t, lg, it, true);
		a = clean_dup(in->list);
		b = clean_dup(in->domain);
		c = clean_dup(it->address);
		buf_printf(t, L_(lg, "\nAfter that date the list can no "
		    "longer encrypt to this key, and the address\n"
		    "receives nothing from the list.  What to do before "
		    "then:\n"
		    "  1. extend the key's expiry date (gpg --quick-set-expire "
		    "FINGERPRINT 1y,\n"
		    "     for the key and its encryption subkey) or make a new "
		    "key;\n"
		    "  2. send the public key to the list's admins at "
		    "%s-owner@%s;\n"
		    "  3. they import it with hubctl contact key %s --key "
		    "FILE.asc\n"
		    "     after confirming its fingerprint with you.\n"),
		    a, b, c);
		free(a);
		free(b);
		free(c);
		break;
	case NOTICE_KEY_UNUSABLE:
		for (i = 0; i < in->nitems; i++) {
			it = &in->items[i];
			a = who_dup(it->address, it->team);
			if (it->reason != NULL &&
			    strcmp(it->reason, "revoked") == 0)
				buf_printf(t, L_(lg, "The key of %s has been "
				    "revoked: it receives nothing from the "
				    "list until it has a usable key.\n"), a);
			else
				buf_printf(t, L_(lg, "The key of %s has "
				    "expired: it receives nothing from the "
				    "list until it has a usable key.\n"), a);
			free(a);
			if (it->fpr != NULL) {
				put_label(t, L_(lg, "Key:"));
				put_fpr(t, it->fpr);
				buf_append_str(t, "\r\n");
			}
			a = clean_dup(it->address);
			buf_printf(t, L_(lg, "Ask the team for a new key and "
			    "import it with:\n  hubctl contact key %s --key "
			    "FILE.asc\n\n"), a);
			free(a);
		}
		break;
	default:
		return -1;
	}
	return 0;
}

static int
body_delivery_failed(const struct notice_in *in, const char *addr,
    struct buf *t)
{
	const char *lg = in->lang;

	if (in->rcpt == NULL || in->status == NULL)
		return -1;
	buf_printf(t, L_(lg, "A copy of a post to %s could not be delivered; "
	    "the hub will not retry.\n\n"), addr);
	put_field(t, L_(lg, "Recipient:"), in->rcpt);
	put_field(t, L_(lg, "Status:"), in->status);
	put_field(t, L_(lg, "Diagnostic:"), in->diagnostic);
	/* the post whose copy failed, as the report quotes it; the
	 * report's own spool id is only where its log lines are */
	put_field(t, L_(lg, "Post id:"), in->post_id != NULL ? in->post_id :
	    L_(lg, "unknown (the report does not quote the copy)"));
	put_field(t, L_(lg, "Report id:"), in->report_id);
	return 0;
}

static int
body_delivery_disabled(const struct notice_in *in, const char *addr,
    struct buf *t)
{
	const char *lg = in->lang;
	char *r, *l;

	if (in->rcpt == NULL)
		return -1;
	r = clean_dup(in->rcpt);
	buf_printf(t, L_(lg, "The list %s no longer delivers to %s: copies to "
	    "it failed permanently on too many days.\nIt stays subscribed "
	    "and may still post.\n\n"), addr, r);
	put_field(t, L_(lg, "Recipient:"), in->rcpt);
	put_field(t, L_(lg, "Last status:"), in->status);
	put_field(t, L_(lg, "Score:"), in->detail);
	l = clean_dup(in->list);
	buf_printf(t, L_(lg, "\nOnce the mailbox accepts mail again, an "
	    "admin delivers to it again with:\n  hubctl subscribe %s %s "
	    "--enable\n"), l, r);
	free(l);
	free(r);
	return 0;
}

static int
body_poison(const struct notice_in *in, struct buf *t)
{
	const char *lg = in->lang;

	if (in->post_id == NULL)
		return -1;
	buf_append_str(t, L_(lg, "A spool entry could not be processed and "
	    "was quarantined; it is kept for inspection.\n\n"));
	put_field(t, L_(lg, "Spool id:"), in->post_id);
	put_date_field(t, lg, L_(lg, "Received:"), in->received);
	put_field(t, L_(lg, "Envelope from:"), in->mail_from);
	put_field(t, L_(lg, "Client:"), in->client);
	put_field(t, L_(lg, "Detail:"), in->detail);
	return 0;
}

static int
body_search_refused(const struct notice_in *in, struct buf *t)
{
	const char *lg = in->lang;

	if (in->detail == NULL)
		return -1;
	buf_printf(t, L_(lg, "Your archive search request to %s-request@%s "
	    "was not answered.\n\n"), in->list, in->domain);
	put_field(t, L_(lg, "Reason:"), L_(lg, in->detail));
	buf_append_str(t, L_(lg, "\nSearch requests must be encrypted to "
	    "the list's key and signed with\nthe key the hub has "
	    "registered for you, and your team must be an\nactive member "
	    "of the community.  Mail to the -owner address reaches\nthe "
	    "list's admins.\n"));
	put_date_field(t, lg, L_(lg, "Received:"), in->received);
	put_field(t, L_(lg, "Spool id:"), in->post_id);
	return 0;
}

void
notice_put_commands(struct buf *t, const char *lang, const char *l,
    const char *d)
{
	buf_printf(t, L_(lang,
	    "Mail commands, one per line, in a mail to %s-request@%s that\n"
	    "is encrypted to the list's key and signed with your registered\n"
	    "key (up to %d commands; reading stops at the first line that\n"
	    "is no command, at a \"-- \" signature line; quoted lines are\n"
	    "skipped).  The answer is encrypted to your key.\n"
	    "\n"
	    "  help                       this text\n"
	    "  subscriptions              your and your team's subscriptions\n"
	    "  subscribe [ADDRESS]        you, or a contact of your team, on\n"
	    "                             this list (your team must be on it)\n"
	    "  unsubscribe [ADDRESS]      the same, off this list\n"
	    "  key get ADDRESS|FPR        a member's public key\n"
	    "  key update                 your new key, attached: certified\n"
	    "                             by your key it replaces it, else\n"
	    "                             the admins confirm it first\n"
	    "  members                    the teams (and, for members, the\n"
	    "                             contacts) of this list\n"
	    "  endorse TEAM               your team vouches for a candidate\n"
	    "  get POST-ID                an archived report, if you are\n"
	    "                             cleared for it\n"
	    "  search QUERY\n"
	    "                             the indicator archive (up to 10 per\n"
	    "                             mail): an IP address (also the\n"
	    "                             reported networks containing it), a\n"
	    "                             CIDR, a domain (also its subdomains,\n"
	    "                             URLs and mail addresses), a URL, a\n"
	    "                             mail address, a hash, a CVE id or an\n"
	    "                             AS number, defanged or not; only\n"
	    "                             reports you were cleared to receive\n"
	    "  language ja|en             the language of the hub's mail to\n"
	    "                             you: Japanese or English\n"
	    "  receipts on|off            a signed receipt for each of your\n"
	    "                             posts once it is delivered (on)\n"
	    "  copy on|off                a copy of your own posts (on)\n"
	    "\n"
	    "Schleuder's X-LIST-SUBSCRIPTIONS, X-SUBSCRIBE, X-UNSUBSCRIBE,\n"
	    "X-ADD-KEY, X-GET-KEY, X-LIST-KEYS and X-LIST-NAME work too.\n"
	    "For anything else, write to %s-owner@%s.\n"),
	    l, d, MAILCMD_MAX, l, d);
}

static void
body_help(const struct notice_in *in, struct buf *t)
{
	const char *l = in->list, *d = in->domain;

	buf_printf(t, L_(in->lang,
	    "This is the csirt-hub list %s@%s. Its addresses:\n"
	    "\n"
	    "  %s@%s\n"
	    "      posts to the list: encrypt to the list's key and sign\n"
	    "      with your registered key.\n"
	    "  %s-request@%s\n"
	    "      mail commands (below).\n"
	    "  %s-owner@%s\n"
	    "      reaches the list's admins.\n"
	    "  %s-sendkey@%s\n"
	    "      replies with the list's public key.\n"
	    "\n"), l, d, l, d, l, d, l, d, l, d);
	notice_put_commands(t, in->lang, l, d);
}

/* The text of a rekey announcement, before the new key (attached). */
static int
rekey_text(const struct notice_in *in, const char *addr, struct buf *e)
{
	const struct notice_item *it = in->nitems > 0 && in->items != NULL ?
	    &in->items[0] : NULL;

	if (it == NULL || it->fpr == NULL || in->detail == NULL)
		return -1;
	buf_printf(e, L_(in->lang, "The list %s has a new key, attached. "
	    "Import it and\nencrypt your posts to it from now on.\n\n"), addr);
	put_label(e, L_(in->lang, "New key:"));
	put_fpr(e, it->fpr);
	buf_append_str(e, "\r\n");
	put_label(e, L_(in->lang, "Old key:"));
	put_fpr(e, in->detail);
	buf_append_str(e, "\r\n");
	put_date_field(e, in->lang, L_(in->lang, "Old key read to:"),
	    it->when);
	buf_append_str(e, L_(in->lang, "\nThis notice is signed with the old "
	    "key, and the old key has\ncertified the new one: check both "
	    "before you trust it.\nMail encrypted to the old key is read "
	    "until the date above\nand refused after it.\n"));
	return 0;
}

static int
build_sendkey(const struct notice_in *in, const char *addr,
    const char *head, struct buf *e)
{
	struct buf *k;
	char b[48];

	if (in->payload == NULL || in->payload_len == 0)
		return -1;
	if (in->kind == NOTICE_LIST_REKEY) {
		struct buf *t = buf_new(0);

		/* checked before anything is written to e */
		if (rekey_text(in, addr, t) != 0) {
			buf_free(t);
			return -1;
		}
		buf_free(t);
	}
	k = buf_new(0);
	mime_canon_crlf(in->payload, in->payload_len, k);
	pgpmime_boundary(buf_data(k), buf_len(k), b);
	buf_printf(e, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
	    "\r\n--%s\r\n", b, b);
	text_headers(e);
	buf_printf(e, "\r\n%s", head);
	if (in->kind == NOTICE_LIST_REKEY)
		(void)rekey_text(in, addr, e);
	else
		buf_printf(e, L_(in->lang, "The public key of %s is attached. "
		    "Encrypt posts to it, and\ncheck its fingerprint with the "
		    "list's admins before you trust it.\n"), addr);
	buf_printf(e, "\r\n--%s\r\n"
	    "Content-Type: application/pgp-keys; name=\"%s-key.asc\"\r\n"
	    "Content-Disposition: attachment; filename=\"%s-key.asc\"\r\n"
	    "\r\n", b, in->list, in->list);
	buf_append(e, buf_data(k), buf_len(k));
	if (buf_len(k) >= 2 && memcmp(buf_data(k) + buf_len(k) - 2, "\r\n",
	    2) != 0)
		buf_append_str(e, "\r\n");
	buf_printf(e, "\r\n--%s--\r\n", b);
	buf_free(k);
	return 0;
}

static int
build_forward(const struct notice_in *in, const char *addr,
    const char *head, struct buf *e)
{
	const char *lg = in->lang;
	struct buf *f;
	char b[48];
	int kind;

	if (in->payload == NULL)
		return -1;
	f = buf_new(BUF_SENSITIVE);
	mime_canon_crlf(in->payload, in->payload_len, f);
	pgpmime_boundary(buf_data(f), buf_len(f), b);
	buf_printf(e, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
	    "\r\n--%s\r\n", b, b);
	text_headers(e);
	buf_printf(e, "\r\n%s", head);
	buf_printf(e, L_(lg, "Mail to %s-owner@%s follows, forwarded to each "
	    "admin.\n\n"), in->list, in->domain);
	(void)addr;
	put_field(e, L_(lg, "Envelope from:"), in->mail_from);
	put_field(e, L_(lg, "Client:"), in->client);
	put_date_field(e, lg, L_(lg, "Received:"), in->received);
	put_field(e, L_(lg, "Spool id:"), in->post_id);
	put_field(e, L_(lg, "Arrived:"), in->detail);
	buf_printf(e, "\r\n--%s\r\n", b);
	kind = entity_kind(buf_data(f), buf_len(f));
	if (kind == 2)
		buf_append_str(e, "Content-Type: message/rfc822\r\n\r\n");
	else if (kind == 0)
		/* a bare body: an empty header block makes it text */
		buf_append_str(e, "\r\n");
	buf_append(e, buf_data(f), buf_len(f));
	buf_printf(e, "\r\n--%s--\r\n", b);
	buf_free(f);
	return 0;
}

/* " and N more" after the first of several items. */
static void
put_more(struct buf *s, const char *lang, size_t n)
{
	if (n > 1)
		buf_printf(s, L_(lang, " and %zu more"), n - 1);
}

/* --- the delivery receipt (hub/receipt.h) ---------------------------- */

static void
subject_receipt(const struct notice_in *in, struct buf *s)
{
	buf_append_str(s, L_(in->lang, "receipt for your post "));
	put_clean(s, in->post_id, true);
}

/*
 * Per team: delivered (every copy accepted), failed (every copy given
 * up, with why), or both counted; then the teams the label kept out.
 * Team handles only, never an address: the sender addressed the list.
 */
static int
body_receipt(const struct notice_in *in, struct buf *t)
{
	const struct notice_receipt *r = in->receipt;
	const char *lg = in->lang;
	size_t i, n;

	if (r == NULL || in->post_id == NULL || r->tlp == NULL ||
	    !in->encrypted)
		return -1;
	buf_append_str(t, L_(lg, "The hub has finished delivering your "
	    "post.\n\n"));
	put_field(t, L_(lg, "Post:"), in->post_id);
	put_date_field(t, lg, L_(lg, "Received:"), in->received);
	put_field(t, "TLP:", r->tlp);
	buf_append_str(t, L_(lg, "\nDelivered: the smarthost accepted the "
	    "copies for\n"));
	for (i = n = 0; i < r->nteams; i++) {
		const struct notice_team_outcome *o = &r->teams[i];

		if (o->delivered == 0)
			continue;
		buf_append_str(t, "  ");
		put_clean(t, o->team, false);
		if (o->delivered < o->copies)
			buf_printf(t, L_(lg, " (%u of %u copies)"),
			    o->delivered, o->copies);
		buf_append_str(t, "\r\n");
		n++;
	}
	if (n == 0)
		buf_append_str(t, L_(lg, "  no team\n"));
	buf_append_str(t, L_(lg, "\nFailed: refused by the smarthost, or "
	    "not delivered in time, for\n"));
	for (i = n = 0; i < r->nteams; i++) {
		const struct notice_team_outcome *o = &r->teams[i];

		if (o->failed == 0)
			continue;
		buf_append_str(t, "  ");
		put_clean(t, o->team, false);
		if (o->failed < o->copies)
			buf_printf(t, L_(lg, " (%u of %u copies)"),
			    o->failed, o->copies);
		buf_append_str(t, ": ");
		if (o->status != NULL) {
			put_clean(t, o->status, false);
			buf_append_str(t, " ");
		}
		buf_append_str(t, o->expired ?
		    L_(lg, "not delivered in time") :
		    L_(lg, "refused by the recipient's server"));
		buf_append_str(t, "\r\n");
		n++;
	}
	if (n == 0)
		buf_append_str(t, L_(lg, "  no team\n"));
	buf_append_str(t, L_(lg, "\nNot sent because of the post's TLP (not "
	    "cleared for it):\n"));
	for (i = 0; i < r->nnot_cleared; i++) {
		buf_append_str(t, "  ");
		put_clean(t, r->not_cleared[i], false);
		buf_append_str(t, "\r\n");
	}
	if (r->nnot_cleared == 0)
		buf_append_str(t, L_(lg, "  no team\n"));
	buf_printf(t, L_(lg, "\nTo stop these receipts, send \"receipts "
	    "off\" in a signed, encrypted mail to %s-request@%s.\n"),
	    in->list, in->domain);
	return 0;
}

static void
put_subject(const struct notice_in *in, struct buf *s)
{
	const char *lg = in->lang;
	const struct notice_item *it = in->nitems > 0 && in->items != NULL ?
	    &in->items[0] : NULL;

	buf_append_str(s, "[");
	put_clean(s, in->list, true);
	buf_append_str(s, "] ");
	switch (in->kind) {
	case NOTICE_REFUSED_MEMBER:
	case NOTICE_REFUSED_UNKNOWN:
		buf_printf(s, L_(lg, "post refused: %s"),
		    policy_reason_str(in->reason));
		break;
	case NOTICE_SKIPPED:
		buf_append_str(s, L_(lg, "recipients skipped"));
		break;
	case NOTICE_KEY_EXPIRING:
		buf_append_str(s, L_(lg, "key expires soon: "));
		put_clean(s, it->address, true);
		put_more(s, lg, in->nitems);
		break;
	case NOTICE_DELIVERY_FAILED:
		buf_append_str(s, L_(lg, "delivery failed: "));
		put_clean(s, in->rcpt, true);
		break;
	case NOTICE_LOST_TEAM:
		buf_append_str(s, L_(lg, "team without a usable key: "));
		put_clean(s, it->address, true);
		put_more(s, lg, in->nitems);
		break;
	case NOTICE_POISON:
		buf_append_str(s, L_(lg, "message quarantined"));
		break;
	case NOTICE_REQUEST_HELP:
		buf_append_str(s, L_(lg, "help"));
		break;
	case NOTICE_SENDKEY:
		buf_append_str(s, L_(lg, "the list's key"));
		break;
	case NOTICE_OWNER_FORWARD:
		buf_append_str(s, L_(lg, "mail to the owners"));
		break;
	case NOTICE_COMMAND_ANSWER:
		buf_append_str(s, L_(lg, "answer to your commands"));
		break;
	case NOTICE_SEARCH_REFUSED:
		buf_append_str(s, L_(lg, "archive search refused"));
		break;
	case NOTICE_PARTS_DROPPED:
		buf_printf(s, NL_(lg, "post relayed without %u unprotected "
		    "part", "post relayed without %u unprotected parts",
		    in->ndropped), in->ndropped);
		break;
	case NOTICE_DELIVERY_DISABLED:
		buf_append_str(s, L_(lg, "delivery disabled: "));
		put_clean(s, in->rcpt, true);
		break;
	case NOTICE_KEY_EXPIRY:
		buf_append_str(s, L_(lg, "your key expires on "));
		put_date(s, lg, it->when);
		break;
	case NOTICE_KEY_UNUSABLE:
		buf_append_str(s, L_(lg, "key no longer usable: "));
		put_clean(s, it->address, true);
		put_more(s, lg, in->nitems);
		break;
	case NOTICE_LIST_REKEY:
		buf_append_str(s, "the list has a new key");
		break;
	case NOTICE_RECEIPT:
		subject_receipt(in, s);
		break;
	}
}


int
notice_build(const struct notice_in *in, struct buf *subject,
    struct buf *entity)
{
	struct buf *t;
	char *addr, *head;
	int rc = 0;

	if (in == NULL || in->list == NULL || *in->list == '\0' ||
	    in->domain == NULL || *in->domain == '\0' ||
	    strpbrk(in->list, " \t\r\n\"\\") != NULL ||
	    strpbrk(in->domain, " \t\r\n\"\\") != NULL ||
	    (unsigned)in->kind > NOTICE_KIND_LAST)
		return -1;
	addr = xasprintf("%s@%s", in->list, in->domain);
	/* the kind stays its English token: admins filter on it */
	head = xasprintf(L_(in->lang, "csirt-hub notice (%s) for %s\n\n"),
	    notice_kind_str(in->kind), addr);
	/* the refused subject may land here: treat the text as secret */
	t = buf_new(BUF_SENSITIVE);

	switch (in->kind) {
	case NOTICE_SENDKEY:
	case NOTICE_LIST_REKEY:
		rc = build_sendkey(in, addr, head, t);
		goto done;
	case NOTICE_OWNER_FORWARD:
		rc = build_forward(in, addr, head, t);
		goto done;
	default:
		break;
	}

	text_headers(t);
	buf_append_str(t, "\r\n");
	buf_append_str(t, head);
	switch (in->kind) {
	case NOTICE_REFUSED_MEMBER:
		rc = body_refused_member(in, addr, t);
		break;
	case NOTICE_REFUSED_UNKNOWN:
		rc = body_refused_unknown(in, addr, t);
		break;
	case NOTICE_SKIPPED:
	case NOTICE_KEY_EXPIRING:
	case NOTICE_LOST_TEAM:
	case NOTICE_KEY_EXPIRY:
	case NOTICE_KEY_UNUSABLE:
		rc = body_items(in, t);
		break;
	case NOTICE_DELIVERY_DISABLED:
		rc = body_delivery_disabled(in, addr, t);
		break;
	case NOTICE_DELIVERY_FAILED:
		rc = body_delivery_failed(in, addr, t);
		break;
	case NOTICE_POISON:
		rc = body_poison(in, t);
		break;
	case NOTICE_REQUEST_HELP:
		body_help(in, t);
		break;
	case NOTICE_COMMAND_ANSWER:
		if (in->payload == NULL || !in->encrypted)
			rc = -1;	/* archive content: never in clear */
		else
			buf_append(t, in->payload, in->payload_len);
		break;
	case NOTICE_SEARCH_REFUSED:
		rc = body_search_refused(in, t);
		break;
	case NOTICE_PARTS_DROPPED:
		rc = body_parts_dropped(in, addr, t);
		break;
	case NOTICE_RECEIPT:
		rc = body_receipt(in, t);
		break;
	default:
		rc = -1;
		break;
	}
done:
	if (rc == 0) {
		put_subject(in, subject);
		/* the translatable texts end their lines in LF (as gettext
		 * wants them); mail's are CRLF */
		mime_canon_crlf(buf_data(t), buf_len(t), entity);
	}
	buf_free(t);
	free(head);
	free(addr);
	return rc;
}

/*
 * The post a delivery report is about: reports quote the failed copy's
 * header section (ours, and most MTAs', RFC 3464 text/rfc822-headers),
 * whose Message-ID the fan-out made "<POST.LIST@DOMAIN>" (hub/outmsg.c).
 * The first such Message-ID naming this list and a valid spool id wins;
 * the report's own Message-ID has another form.  Anyone can mail the
 * bounce address, so this only labels the admins' notice.  0 if found.
 */
int
notice_bounced_post(const char *text, size_t len, const char *list,
    const char *domain, char id[HUB_ID_SIZE])
{
	static const char field[] = "Message-ID:";
	const char *p, *end = text + len, *e, *nl;
	char want[512];
	size_t n, wl;
	int r;

	r = snprintf(want, sizeof want, ".%s@%s>", list, domain);
	if (r < 0 || (size_t)r >= sizeof want)
		return -1;
	wl = (size_t)r;
	/* line by line: MTAs write the field name in any case */
	for (p = text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) < sizeof field - 1 ||
		    strncasecmp(p, field, sizeof field - 1) != 0)
			continue;
		for (p += sizeof field - 1; p < nl && (*p == ' ' ||
		    *p == '\t'); p++)
			;
		if (p >= nl || *p != '<')
			continue;
		for (e = p + 1; e < nl && *e != '.' && *e != '>'; e++)
			;
		n = (size_t)(e - (p + 1));
		if (n == 0 || n >= HUB_ID_SIZE || (size_t)(nl - e) < wl ||
		    strncasecmp(e, want, wl) != 0)
			continue;
		memcpy(id, p + 1, n);
		id[n] = '\0';
		if (hub_id_valid(id))
			return 0;
	}
	return -1;
}
