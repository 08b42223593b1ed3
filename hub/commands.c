/*
 * commands: the mail commands' effects (see hub/commands.h).
 */
#include "config.h"

#include "hub/commands.h"
#include "hub/conf.h"
#include "hub/job.h"
#include "hub/keyupdate.h"
#include "hub/endorsecert.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/outmsg.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "archive/archive.h"
#include "archive/search.h"
#include "crypto/keys.h"
#include "lists/admission.h"
#include "lists/cmdrule.h"
#include "lists/endorse.h"
#include "lists/mailcmd.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEARCH_MAIL_QUERIES	10	/* search lines answered per mail */
#define SEARCH_MAIL_HITS	50	/* hits per query */
#define ANSWER_MAX		(1024 * 1024)	/* octets of an answer */

/* What the commands of one mail share. */
struct cmdctx {
	struct job			*j;
	const struct roster_view	*rv;
	const struct contact		*who;
	enum commands_binding		 binding;
	struct buf			*out;
	/* the answer's language: the asker's, changed by a language
	 * command for the rest of the answer */
	const char			*lang;
	/* the asker's clearances, read on first use (search, get) */
	bool				 viewer_read;
	struct tlp_clearance		*cl;
	struct search_viewer		 viewer;
	unsigned			 nsearch;
};

/* why: a text marked N_() (or the store's own message, English). */
static void
refused(struct cmdctx *x, const char *why)
{
	buf_printf(x->out, L_(x->lang, "refused: %s\n"), L_(x->lang, why));
}

/* Append text with its line ends made CRLF (gpg's armor and the
 * archive's text end lines in LF). */
static void
append_crlf(struct buf *out, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
			buf_append(out, s + from, i - from);
			buf_append_str(out, "\r\n");
			from = i + 1;
		}
	buf_append(out, s + from, n - from);
	if (n > 0 && s[n - 1] != '\n')
		buf_append_str(out, "\r\n");
}

static enum verdict
store_failed(struct cmdctx *x, const char *what, enum store_status st)
{
	log_warnx("command-failed id=%s cmd=%s status=%s error=\"%s\"",
	    x->j->id, what, store_status_str(st),
	    store_errmsg(x->j->w->store));
	return V_TEMPFAIL;
}

/* Environment (retry) or a refusal the store explains. */
static bool
store_env(enum store_status st)
{
	return st == STORE_BUSY || st == STORE_IO || st == STORE_CRYPTO ||
	    st == STORE_KEY || st == STORE_SCHEMA;
}

/* The roster for the rules, with the list's subscriptions as stored
 * now (the view was read before the mail's earlier commands ran). */
static enum store_status
fresh_roster(struct cmdctx *x, struct subscription **subs,
    struct cmdrule_roster *r)
{
	enum store_status st;
	size_t n;

	if ((st = store_subscriptions(x->j->w->store, x->rv->list.l.name,
	    subs, &n)) != STORE_OK)
		return st;
	r->teams = x->rv->teams;
	r->nteams = x->rv->nteams;
	r->contacts = x->rv->contacts;
	r->ncontacts = x->rv->ncontacts;
	r->subs = *subs;
	r->nsubs = n;
	return STORE_OK;
}

static void
view_roster(const struct roster_view *rv, struct cmdrule_roster *r)
{
	r->teams = rv->teams;
	r->nteams = rv->nteams;
	r->contacts = rv->contacts;
	r->ncontacts = rv->ncontacts;
	r->subs = rv->subs;
	r->nsubs = rv->nsubs;
}

/* --- help, subscriptions ------------------------------------------------------ */

static void
cmd_help(struct cmdctx *x)
{
	notice_put_commands(x->out, x->lang, x->rv->list.l.name,
	    x->j->w->cfg->domain);
}

static bool
team_contact(const struct roster_view *rv, const char *address,
    const char *team)
{
	size_t i;

	for (i = 0; i < rv->ncontacts; i++)
		if (strcasecmp(rv->contacts[i].address, address) == 0)
			return strcasecmp(rv->contacts[i].team, team) == 0;
	return false;
}

static enum verdict
cmd_subscriptions(struct cmdctx *x)
{
	struct store *s = x->j->w->store;
	struct store_list *lists = NULL;
	struct subscription *subs;
	enum store_status st;
	size_t nl = 0, ns, i, k, shown = 0;

	if ((st = store_list_list(s, &lists, &nl)) != STORE_OK)
		return store_failed(x, "subscriptions", st);
	for (i = 0; i < nl; i++) {
		if ((st = store_subscriptions(s, lists[i].l.name, &subs,
		    &ns)) != STORE_OK) {
			store_lists_free(lists, nl);
			return store_failed(x, "subscriptions", st);
		}
		for (k = 0; k < ns; k++) {
			const struct subscription *u = &subs[k];

			if (u->contact[0] != '\0' ?
			    !team_contact(x->rv, u->contact, x->who->team) :
			    strcasecmp(u->team, x->who->team) != 0)
				continue;
			buf_printf(x->out, "  %s  %s%s  %s", u->list,
			    u->contact[0] != '\0' ? "" : L_(x->lang, "team "),
			    u->contact[0] != '\0' ? u->contact : u->team,
			    role_str(u->role));
			if (u->role == ROLE_PARTNER && u->clearance != TLP_NONE)
				buf_printf(x->out,
				    L_(x->lang, " (cleared to %s)"),
				    tlp_str(u->clearance));
			buf_append_str(x->out, "\r\n");
			shown++;
		}
		store_subscriptions_free(subs);
	}
	store_lists_free(lists, nl);
	if (shown == 0)
		buf_append_str(x->out, L_(x->lang, "  none\n"));
	return V_DONE;
}

/* --- subscribe, unsubscribe --------------------------------------------------- */

static enum verdict
cmd_subscribe(struct cmdctx *x, const struct mailcmd *c)
{
	struct cmdrule_roster r;
	struct subscription *subs = NULL, sub;
	enum store_status st;
	enum cmdrule rule;

	if ((st = fresh_roster(x, &subs, &r)) != STORE_OK)
		return store_failed(x, "subscribe", st);
	rule = cmdrule_subscribe(&r, x->who, c->address, c->fpr, &sub);
	store_subscriptions_free(subs);
	if (rule != CMDRULE_OK) {
		refused(x, cmdrule_text(rule));
		return V_DONE;
	}
	snprintf(sub.list, sizeof sub.list, "%s", x->rv->list.l.name);
	st = store_subscribe(x->j->w->store, &sub);
	if (store_env(st))
		return store_failed(x, "subscribe", st);
	if (st == STORE_EXISTS) {
		refused(x, N_("already subscribed"));
		return V_DONE;
	}
	if (st != STORE_OK) {
		refused(x, store_errmsg(x->j->w->store));
		return V_DONE;
	}
	buf_printf(x->out, L_(x->lang, "done: %s subscribed to %s as %s\n"),
	    sub.contact, sub.list, role_str(sub.role));
	log_info("command-subscribe id=%s list=%s by=%s contact=%s role=%s",
	    x->j->id, sub.list, x->who->address, sub.contact,
	    role_str(sub.role));
	return V_DONE;
}

static enum verdict
cmd_unsubscribe(struct cmdctx *x, const struct mailcmd *c)
{
	struct cmdrule_roster r;
	struct subscription *subs = NULL;
	char addr[MODEL_ADDR_MAX];
	const char *who = NULL;
	enum store_status st;
	enum cmdrule rule;

	if ((st = fresh_roster(x, &subs, &r)) != STORE_OK)
		return store_failed(x, "unsubscribe", st);
	rule = cmdrule_unsubscribe(&r, x->who, c->address, &who);
	if (rule == CMDRULE_OK)
		snprintf(addr, sizeof addr, "%s", who);
	store_subscriptions_free(subs);
	if (rule != CMDRULE_OK) {
		refused(x, cmdrule_text(rule));
		return V_DONE;
	}
	st = store_unsubscribe(x->j->w->store, x->rv->list.l.name, addr,
	    NULL);
	if (store_env(st))
		return store_failed(x, "unsubscribe", st);
	if (st == STORE_NOT_FOUND) {
		refused(x, cmdrule_text(CMDRULE_NOT_SUBSCRIBED));
		return V_DONE;
	}
	if (st != STORE_OK) {
		refused(x, store_errmsg(x->j->w->store));
		return V_DONE;
	}
	buf_printf(x->out, L_(x->lang, "done: %s unsubscribed from %s\n"), addr,
	    x->rv->list.l.name);
	log_info("command-unsubscribe id=%s list=%s by=%s contact=%s",
	    x->j->id, x->rv->list.l.name, x->who->address, addr);
	return V_DONE;
}

/* --- keys, members ------------------------------------------------------------ */

static enum verdict
cmd_key_get(struct cmdctx *x, const struct mailcmd *c)
{
	struct cmdrule_roster r;
	const struct contact *t = NULL;
	struct buf *k;
	enum cmdrule rule;
	size_t i;

	view_roster(x->rv, &r);
	if (c->address[0] != '\0')
		t = cmdrule_contact(&r, c->address);
	else
		for (i = 0; i < x->rv->ncontacts && t == NULL; i++)
			if (strcasecmp(x->rv->contacts[i].fpr, c->fpr) == 0 &&
			    cmdrule_key_get(&r, x->who, &x->rv->contacts[i]) ==
			    CMDRULE_OK)
				t = &x->rv->contacts[i];
	if ((rule = cmdrule_key_get(&r, x->who, t)) != CMDRULE_OK) {
		refused(x, cmdrule_text(rule));
		return V_DONE;
	}
	k = buf_new(0);
	if (keys_export(x->j->w->g, t->fpr, 1, k) != CRYPTO_OK ||
	    buf_len(k) == 0) {
		buf_free(k);
		refused(x, N_("the key is not in the hub's keyring"));
		return V_DONE;
	}
	buf_printf(x->out, L_(x->lang, "done: the key of %s (%s), fingerprint "
	    "%s:\n\n"),
	    t->address, t->team, t->fpr);
	append_crlf(x->out, buf_data(k), buf_len(k));
	buf_free(k);
	return V_DONE;
}

static enum verdict
cmd_members(struct cmdctx *x)
{
	struct cmdrule_roster r;
	enum cmdrule_view view;
	size_t i, k, shown = 0;

	view_roster(x->rv, &r);
	view = cmdrule_members_view(&r, x->who);
	if (view == CMDRULE_SEE_NOTHING) {
		refused(x, N_("you are not subscribed to this list"));
		return V_DONE;
	}
	for (i = 0; i < x->rv->nteams; i++) {
		const struct team *t = &x->rv->teams[i];
		bool on = false;

		if (t->state != TEAM_ACTIVE)
			continue;
		for (k = 0; k < x->rv->ncontacts && !on; k++)
			on = strcasecmp(x->rv->contacts[k].team,
			    t->handle) == 0 &&
			    cmdrule_on_list(&r, &x->rv->contacts[k]);
		if (!on)
			continue;
		buf_printf(x->out, "  %s (%s)\r\n", t->handle,
		    team_kind_str(t->kind));
		shown++;
		if (view != CMDRULE_SEE_CONTACTS)
			continue;
		for (k = 0; k < x->rv->ncontacts; k++) {
			const struct contact *c = &x->rv->contacts[k];

			if (strcasecmp(c->team, t->handle) != 0 ||
			    !cmdrule_on_list(&r, c))
				continue;
			buf_printf(x->out, "    %s  %s\r\n", c->address, c->fpr);
		}
	}
	if (shown == 0)
		buf_append_str(x->out, L_(x->lang, "  none\n"));
	return V_DONE;
}

/* --- endorse ------------------------------------------------------------------ */

static enum verdict
cmd_endorse(struct cmdctx *x, const struct mailcmd *c)
{
	struct cmdrule_roster r;
	struct admission_endorsed e;
	struct admission *a = NULL;
	enum store_status st;
	enum cmdrule rule;
	enum verdict vr;
	char said[400 + MODEL_FPR_LEN + MODEL_HANDLE_MAX];
	size_t i;

	view_roster(x->rv, &r);
	if ((rule = cmdrule_endorse(&r, x->who, c->handle)) != CMDRULE_OK) {
		refused(x, cmdrule_text(rule));
		return V_DONE;
	}
	if ((vr = endorsecert_merge(x->j, x->who, c->handle, x->lang, said,
	    sizeof said)) != V_DONE)
		return vr;
	/* as hubctl endorse CANDIDATE --by TEAM: recorded with the
	 * evidence found now, then the admission rule */
	st = admission_endorse(x->j->w->store, x->j->w->g, c->handle,
	    x->who->team, &e);
	if ((st != STORE_OK && e.not_candidate) || (st == STORE_NOT_FOUND &&
	    e.e.candidate[0] == '\0')) {
		/* One answer for no such team and a team in any other
		 * state: the command must not tell whether a team exists,
		 * is suspended or is active on lists the asker cannot see.
		 * The admins' log says which. */
		refused(x, N_("no candidate team by that name"));
		log_info("command-endorse-refused id=%s by=%s candidate=%s "
		    "reason=%s", x->j->id, x->who->address, c->handle,
		    e.not_candidate ? team_state_str(e.state) :
		    "no-such-team");
		return V_DONE;
	}
	if (store_env(st))
		return store_failed(x, "endorse", st);
	if (st != STORE_OK) {
		refused(x, store_errmsg(x->j->w->store));
		return V_DONE;
	}
	buf_printf(x->out, L_(x->lang, "done: %s endorses %s (%s)\n"),
	    e.e.endorser, e.e.candidate, e.replaced ?
	    L_(x->lang, "again: it replaces your team's earlier endorsement") :
	    L_(x->lang, "new"));
	buf_printf(x->out, L_(x->lang, "%s  evidence: %s\n"), said,
	    e.ev.text);
	log_info("command-endorse id=%s by=%s team=%s candidate=%s "
	    "evidence=%s", x->j->id, x->who->address, e.e.endorser,
	    e.e.candidate, e.ev.found ? "yes" : "no");
	if ((st = admission_run(x->j->w->store, x->j->w->g, e.e.candidate,
	    &a)) != STORE_OK) {
		if (store_env(st))
			return store_failed(x, "admission", st);
		buf_printf(x->out, L_(x->lang, "  admission not run: %s\n"),
		    store_errmsg(x->j->w->store));
		return V_DONE;
	}
	for (i = 0; i < a->n; i++)
		buf_printf(x->out, L_(x->lang, "  endorsed by %s: %s\n"),
		    a->v[i].endorser.handle, endorse_reason_text(a->v[i].why));
	buf_printf(x->out, L_(x->lang, "  admission: %u of %u required; "
	    "%s%s\n"), a->verdict.counted, a->community.endorsements_required,
	    endorse_outcome_str(a->verdict.outcome),
	    a->verdict.activate ? L_(x->lang, " (the team is now active)") :
	    "");
	admission_free(a);
	return V_DONE;
}

/* --- the archive: get, search ---------------------------------------------------- */

static enum verdict
viewer(struct cmdctx *x)
{
	struct worker *w = x->j->w;
	size_t ncl = 0;

	if (x->viewer_read)
		return V_DONE;
	if (roster_clearances(w->store, x->who->address, &x->cl, &ncl,
	    &x->viewer.community) != STORE_OK)
		return V_TEMPFAIL;
	if (worker_archive(w, x->j->id) != ARCHIVE_OK)
		return V_TEMPFAIL;
	x->viewer.admin = false;
	x->viewer.address = x->who->address;
	x->viewer.subs = x->cl;
	x->viewer.nsubs = ncl;
	x->viewer_read = true;
	return V_DONE;
}

static enum verdict
cmd_get(struct cmdctx *x, const struct mailcmd *c)
{
	struct archive_record rec;
	enum archive_status ast;
	char id[ARCHIVE_ID_MAX], date[64];
	bool recipient = false;
	enum verdict r;
	size_t i;

	if ((r = viewer(x)) != V_DONE)
		return r;
	snprintf(id, sizeof id, "%s:%s", c->post_list[0] != '\0' ?
	    c->post_list : x->rv->list.l.name, c->post_id);
	memset(&rec, 0, sizeof rec);
	ast = archive_get_post(x->j->w->archive, id, &rec);
	if (ast != ARCHIVE_OK && ast != ARCHIVE_NOT_FOUND) {
		log_warnx("command-failed id=%s cmd=get status=%s", x->j->id,
		    archive_status_str(ast));
		return V_TEMPFAIL;
	}
	if (ast == ARCHIVE_OK)
		for (i = 0; i < rec.naudience; i++)
			if (strcasecmp(rec.audience[i], x->who->address) == 0)
				recipient = true;
	/* one answer for "none" and "not for you": no oracle */
	if (ast != ARCHIVE_OK || !search_may_see(&x->viewer, rec.list,
	    rec.tlp, recipient)) {
		if (ast == ARCHIVE_OK)
			archive_record_clear(&rec);
		refused(x, N_("no such post, or none you are cleared to see"));
		return V_DONE;
	}
	if (buf_len(x->out) + rec.body_len > ANSWER_MAX) {
		archive_record_clear(&rec);
		refused(x,
		    N_("the answer would be too large; ask for it alone"));
		return V_DONE;
	}
	hub_utc(rec.at, HUB_UTC_MINUTE, date, sizeof date);
	buf_printf(x->out, L_(x->lang, "done: post %s\n  List: %s\n"
	    "  TLP: %s\n  Team: %s\n  Date: %s\n  Subject: "), rec.id,
	    rec.list,
	    tlp_str(rec.tlp), rec.team != NULL ? rec.team : "",
	    date);
	outmsg_clean(rec.subject != NULL ? rec.subject : "", x->out, false);
	buf_append_str(x->out, "\r\n\r\n");
	append_crlf(x->out, rec.body != NULL ? rec.body : "", rec.body_len);
	log_info("command-get id=%s by=%s post=%s", x->j->id,
	    x->who->address, rec.id);
	archive_record_clear(&rec);
	return V_DONE;
}

static enum verdict
cmd_search(struct cmdctx *x, const struct mailcmd *c)
{
	struct search_query sq;
	struct search_hit *hits;
	enum archive_status ast;
	char err[128];
	enum verdict r;
	size_t nh;

	if (++x->nsearch > SEARCH_MAIL_QUERIES) {
		buf_printf(x->out, L_(x->lang, "not run: only the first %d "
		    "search lines are answered\n"), SEARCH_MAIL_QUERIES);
		return V_DONE;
	}
	if ((r = viewer(x)) != V_DONE)
		return r;
	if (x->nsearch == 1)
		buf_append_str(x->out, L_(x->lang, "Only reports you were "
		    "cleared to receive are shown: TLP:CLEAR reports,\nand "
		    "reports to lists you are subscribed to at labels you "
		    "could receive\nthere; TLP:RED only where you were a "
		    "recipient.\n"));
	if (search_parse(c->query, &sq, err, sizeof err) == -1) {
		buf_printf(x->out, L_(x->lang, "not a query: %s\n"), err);
		return V_DONE;
	}
	if (sq.kind == SEARCH_ALL) {
		/* the whole archive is no answer to mail */
		buf_append_str(x->out, L_(x->lang, "not a query: give one "
		    "indicator\n"));
		return V_DONE;
	}
	sq.limit = SEARCH_MAIL_HITS;
	if ((ast = search_run(x->j->w->archive, &sq, &x->viewer, &hits,
	    &nh)) != ARCHIVE_OK) {
		log_warnx("search-failed id=%s status=%s error=\"%s\"",
		    x->j->id, archive_status_str(ast),
		    archive_errmsg(x->j->w->archive));
		return V_TEMPFAIL;
	}
	if (nh == 0)
		buf_append_str(x->out, L_(x->lang, "no results\n"));
	search_hits_text(hits, nh, "\r\n", true, x->out);
	if (nh == SEARCH_MAIL_HITS)
		buf_printf(x->out, L_(x->lang, "(the first %d results; narrow "
		    "the query for more)\n"), SEARCH_MAIL_HITS);
	log_info("search id=%s signer=%s hits=%zu", x->j->id,
	    x->who->address, nh);
	search_hits_free(hits, nh);
	return V_DONE;
}

/* --- language ----------------------------------------------------------------- */

/*
 * language ja|en: the asker's own setting, as hubctl contact set
 * ADDRESS lang= does it (audited "contact.lang", actor "mail:ADDRESS");
 * only a subscriber of this list may set it here (anyone else's mail to
 * this list's -request address changes nothing of theirs).  The rest of
 * the answer is in the new language.
 */
static enum verdict
cmd_language(struct cmdctx *x, const struct mailcmd *c)
{
	struct cmdrule_roster r;
	enum store_status st;

	view_roster(x->rv, &r);
	if (!cmdrule_on_list(&r, x->who)) {
		refused(x, N_("you are not subscribed to this list"));
		return V_DONE;
	}
	if (!i18n_lang_valid(c->lang)) {
		refused(x, N_("takes ja or en"));
		return V_DONE;
	}
	st = store_contact_set_lang(x->j->w->store, x->who->address, c->lang);
	if (store_env(st))
		return store_failed(x, "language", st);
	if (st != STORE_OK) {
		refused(x, store_errmsg(x->j->w->store));
		return V_DONE;
	}
	x->lang = strcmp(c->lang, "ja") == 0 ? "ja" : "en";
	/* TRANSLATORS: said in the language just chosen: name yours. */
	buf_append_str(x->out, L_(x->lang, "done: the hub now writes to you "
	    "in English\n"));
	log_info("command-language id=%s list=%s by=%s lang=%s", x->j->id,
	    x->rv->list.l.name, x->who->address, x->lang);
	return V_DONE;
}

/* --- receipts ------------------------------------------------------------------- */

/* receipts on|off (hub/receipt.h), copy on|off (lists/policy.h): the
 * asker's own settings, as hubctl contact set sets them. */
static enum verdict
cmd_flag(struct cmdctx *x, const struct mailcmd *c,
    enum store_contact_flag f)
{
	enum store_status st;

	if ((st = store_contact_set_flag(x->j->w->store, x->who->address, f,
	    c->on)) != STORE_OK) {
		if (store_env(st))
			return store_failed(x, f == STORE_FLAG_RECEIPTS ?
			    "receipts" : "copy", st);
		refused(x, store_errmsg(x->j->w->store));
		return V_DONE;
	}
	if (f == STORE_FLAG_RECEIPTS)
		buf_append_str(x->out, c->on ? L_(x->lang, "done: you get a "
		    "signed receipt for each of your posts once the hub has "
		    "finished delivering it\n") : L_(x->lang, "done: you get "
		    "no receipts for your posts\n"));
	else
		buf_append_str(x->out, c->on ? L_(x->lang, "done: you get a "
		    "copy of your own posts, as every member does\n") :
		    L_(x->lang, "done: you get no copy of your own posts (the "
		    "receipt, if on, still says what became of them)\n"));
	return V_DONE;
}

/* --- one command ----------------------------------------------------------------- */

/* Does the command change the roster?  (Refused in a read-only mail.) */
static bool
changes(enum mailcmd_verb v)
{
	switch (v) {
	case MAILCMD_SUBSCRIBE:
	case MAILCMD_UNSUBSCRIBE:
	case MAILCMD_KEY_UPDATE:
	case MAILCMD_ENDORSE:
	case MAILCMD_COPY:
	case MAILCMD_RECEIPTS:
	case MAILCMD_LANGUAGE:
		return true;
	default:
		return false;
	}
}

bool
commands_beyond_search(const struct mailcmd_set *set)
{
	size_t i;

	/* help is no search: an unsigned "help" must get the once-a-day
	 * instruction, not a search refusal */
	for (i = 0; i < set->n; i++)
		if (set->cmd[i].verb != MAILCMD_SEARCH)
			return true;
	return false;
}

/* "=== subscribe a@b.example": what the answer is to. */
static void
echo(struct cmdctx *x, const struct mailcmd *c)
{
	buf_printf(x->out, "\r\n=== %s", c->word[0] != '\0' ? c->word :
	    mailcmd_verb_str(c->verb));
	if (c->address[0] != '\0')
		buf_printf(x->out, " %s", c->address);
	if (c->fpr[0] != '\0')
		buf_printf(x->out, " %s", c->fpr);
	if (c->handle[0] != '\0')
		buf_printf(x->out, " %s", c->handle);
	if (c->post_id[0] != '\0')
		buf_printf(x->out, " %s%s%s", c->post_list,
		    c->post_list[0] != '\0' ? ":" : "", c->post_id);
	if (c->verb == MAILCMD_SEARCH)
		buf_printf(x->out, " %.200s", c->query);
	if (c->verb == MAILCMD_COPY || c->verb == MAILCMD_RECEIPTS)
		buf_append_str(x->out, c->on ? " on" : " off");
	if (c->lang[0] != '\0')
		buf_printf(x->out, " %s", c->lang);
	if (c->list[0] != '\0')
		buf_printf(x->out, " %s", c->list);
	buf_printf(x->out, "   (line %u)\r\n", c->line);
}

static enum verdict
run_one(struct cmdctx *x, const struct mailcmd *c)
{
	echo(x, c);
	if (changes(c->verb) && x->binding == COMMANDS_READ_ONLY) {
		refused(x, N_("the signed mail is addressed to the list "
		    "itself, not to its -request address; a command that "
		    "changes something must name the -request address"));
		return V_DONE;
	}
	switch (c->verb) {
	case MAILCMD_INVALID:
		refused(x, c->error != NULL ? c->error : N_("not a command"));
		return V_DONE;
	case MAILCMD_UNSUPPORTED:
		refused(x, c->error != NULL ? c->error : N_("not supported"));
		return V_DONE;
	case MAILCMD_LIST_NAME:
		/* request.c refused the whole mail if it named another */
		buf_append_str(x->out, L_(x->lang, "done: the list's name "
		    "matches\n"));
		return V_DONE;
	case MAILCMD_HELP:
		cmd_help(x);
		return V_DONE;
	case MAILCMD_SUBSCRIPTIONS:
		return cmd_subscriptions(x);
	case MAILCMD_SUBSCRIBE:
		return cmd_subscribe(x, c);
	case MAILCMD_UNSUBSCRIBE:
		return cmd_unsubscribe(x, c);
	case MAILCMD_KEY_UPDATE:
		return keyupdate_run(x->j, x->rv, x->who, x->lang, x->out);
	case MAILCMD_KEY_GET:
		return cmd_key_get(x, c);
	case MAILCMD_MEMBERS:
		return cmd_members(x);
	case MAILCMD_ENDORSE:
		return cmd_endorse(x, c);
	case MAILCMD_GET:
		return cmd_get(x, c);
	case MAILCMD_SEARCH:
		return cmd_search(x, c);
	case MAILCMD_LANGUAGE:
		return cmd_language(x, c);
	case MAILCMD_RECEIPTS:
		return cmd_flag(x, c, STORE_FLAG_RECEIPTS);
	case MAILCMD_COPY:
		return cmd_flag(x, c, STORE_FLAG_OWN_COPY);
	}
	refused(x, N_("not a command"));
	return V_DONE;
}

enum verdict
commands_run(struct job *j, const struct roster_view *rv,
    const struct contact *who, const struct mailcmd_set *set,
    enum commands_binding binding, const char **lang, struct buf *out)
{
	struct cmdctx x;
	char actor[MODEL_ADDR_MAX + 8];
	enum verdict r = V_DONE;
	size_t i;

	memset(&x, 0, sizeof x);
	x.j = j;
	x.rv = rv;
	x.who = who;
	x.binding = binding;
	x.out = out;
	x.lang = *lang;
	buf_printf(out, L_(x.lang, "Answer to the commands of %s (%s) to "
	    "%s-request@%s.\n"), who->address, who->team, rv->list.l.name,
	    j->w->cfg->domain);
	/* the audit rows name who asked, as hubctl's name the admin */
	snprintf(actor, sizeof actor, "mail:%s", who->address);
	store_set_actor(j->w->store, actor);
	for (i = 0; i < set->n && r == V_DONE; i++) {
		if (buf_len(out) > ANSWER_MAX) {
			buf_append_str(out, L_(x.lang, "\nThe answer reached "
			    "its size limit; the remaining commands were not "
			    "run.\n"));
			break;
		}
		r = run_one(&x, &set->cmd[i]);
		log_info("command id=%s list=%s signer=%s cmd=%s line=%u",
		    j->id, rv->list.l.name, who->address,
		    mailcmd_verb_str(set->cmd[i].verb), set->cmd[i].line);
	}
	store_set_actor(j->w->store, "unknown");
	*lang = x.lang;
	free(x.cl);
	return r;
}
