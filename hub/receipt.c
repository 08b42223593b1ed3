/*
 * receipt: a post's delivery receipt, from the request staged at fan-out
 * and the relay's outcomes to the notice; see hub/receipt.h.
 */
#include "config.h"

#include "hub/receipt.h"
#include "hub/conf.h"
#include "hub/copystate.h"
#include "hub/notice.h"
#include "hub/notice_send.h"
#include "hub/spool.h"
#include "hub/worker.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "lists/roster.h"
#include "lists/store.h"
#include "lists/tlp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECEIPT_MAGIC	"CSIRT-HUB-RECEIPT 1\n"
#define TLP_MAX		32

/* A value the request's line format can hold: printable, no space. */
static bool
token_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* --- 1. the request, at fan-out --------------------------------------------- */

/* Has team a copy of the post? */
static bool
team_has_copy(const struct receipt_copy *copies, size_t n, const char *team)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(copies[i].team, team) == 0)
			return true;
	return false;
}

enum verdict
receipt_request(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d, enum tlp label,
    const struct contact *signer, const struct receipt_copy *copies,
    size_t ncopies)
{
	const char **listed;
	enum store_status st;
	enum spool_status sst;
	struct buf *b;
	size_t i, k, nlisted = 0;
	bool on;

	if (ncopies == 0 || j->stage == NULL)
		return V_DONE;
	if (j->receipt_staged) {
		log_info("receipt-skipped post=%s list=%s reason=second-list",
		    j->id, rv->list.l.name);
		return V_DONE;
	}
	st = store_contact_flag(j->w->store, signer->address,
	    STORE_FLAG_RECEIPTS, &on);
	if (st == STORE_NOT_FOUND)
		return V_DONE;
	if (st != STORE_OK) {
		log_warnx("receipt-failed post=%s reason=store status=%s",
		    j->id, store_status_str(st));
		return V_TEMPFAIL;
	}
	if (!on) {
		log_info("receipt-off post=%s list=%s", j->id,
		    rv->list.l.name);
		return V_DONE;
	}
	if (!token_ok(signer->address, MODEL_ADDR_MAX) ||
	    !token_ok(signer->fpr, MODEL_FPR_LEN)) {
		log_warnx("receipt-skipped post=%s reason=signer", j->id);
		return V_DONE;
	}
	b = buf_new(0);
	buf_printf(b, RECEIPT_MAGIC "list %s\npost %s\nsender %s\nfpr %s\n"
	    "tlp %s\nreceived %lld\n", rv->list.l.name, j->id,
	    signer->address, signer->fpr, tlp_str(label),
	    (long long)j->m->env.received);
	for (i = 0; i < ncopies; i++)
		if (token_ok(copies[i].name, HUB_ID_SIZE) &&
		    token_ok(copies[i].team, MODEL_HANDLE_MAX) &&
		    token_ok(copies[i].address, MODEL_ADDR_MAX))
			buf_printf(b, "copy %s %s %s\n", copies[i].name,
			    copies[i].team, copies[i].address);
	/* The teams the label left out: each once, and only a team that
	 * got no copy at all (a team with a cleared contact was sent
	 * the post). */
	listed = xcalloc(d->nrcpts + 1, sizeof *listed);
	for (i = 0; i < d->nrcpts; i++) {
		const char *team = d->rcpts[i].cand->contact->team;

		if (d->rcpts[i].skip != SKIP_TLP_NOT_CLEARED ||
		    !token_ok(team, MODEL_HANDLE_MAX) ||
		    team_has_copy(copies, ncopies, team))
			continue;
		for (k = 0; k < nlisted; k++)
			if (strcasecmp(listed[k], team) == 0)
				break;
		if (k < nlisted)
			continue;
		listed[nlisted++] = team;
		buf_printf(b, "not-cleared %s\n", team);
	}
	free(listed);
	sst = spool_stage_put(j->stage, SPOOL_RECEIPT_FILE, buf_data(b),
	    buf_len(b));
	buf_free(b);
	if (sst != SPOOL_OK) {
		log_warn("receipt-failed post=%s reason=stage", j->id);
		return V_TEMPFAIL;
	}
	j->receipt_staged = 1;
	return V_DONE;
}

/* --- 3. the receipt, once the relay is done ------------------------------------ */

struct req_copy {
	char	name[HUB_ID_SIZE];
	char	team[MODEL_HANDLE_MAX];
	char	address[MODEL_ADDR_MAX];
};

struct req {
	char		 list[MODEL_LIST_MAX];
	char		 post[HUB_ID_SIZE];
	char		 sender[MODEL_ADDR_MAX];
	char		 fpr[MODEL_FPR_LEN];
	char		 tlp[TLP_MAX];
	long long	 received;
	struct req_copy	*copies;
	size_t		 ncopies;
	char		 (*nc)[MODEL_HANDLE_MAX];
	size_t		 nnc;
};

static void
req_free(struct req *r)
{
	free(r->copies);
	free(r->nc);
}

/* Copy a token into dst (n octets); false if it is not one. */
static bool
take(char *dst, size_t n, const char *v)
{
	if (!token_ok(v, n))
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

/* Parse the request's text (NULs written into it); -1 if not the
 * format. */
static int
req_parse(char *text, size_t len, struct req *r)
{
	size_t mlen = strlen(RECEIPT_MAGIC), pos;
	char *line, *nl, *v, *t2, *t3;
	bool ok;

	memset(r, 0, sizeof *r);
	if (len < mlen || memcmp(text, RECEIPT_MAGIC, mlen) != 0 ||
	    text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
		return -1;
	for (pos = mlen; pos < len; pos = (size_t)(nl - text) + 1) {
		line = text + pos;
		nl = memchr(line, '\n', len - pos);
		*nl = '\0';
		if ((v = strchr(line, ' ')) == NULL)
			return -1;
		*v++ = '\0';
		if (strcmp(line, "copy") == 0) {
			struct req_copy *c;

			if ((t2 = strchr(v, ' ')) == NULL ||
			    (t3 = strchr(t2 + 1, ' ')) == NULL)
				return -1;
			*t2++ = '\0';
			*t3++ = '\0';
			r->copies = xreallocarray(r->copies, r->ncopies + 1,
			    sizeof *r->copies);
			c = &r->copies[r->ncopies++];
			ok = take(c->name, sizeof c->name, v) &&
			    hub_id_valid(c->name) &&
			    take(c->team, sizeof c->team, t2) &&
			    take(c->address, sizeof c->address, t3);
		} else if (strcmp(line, "not-cleared") == 0) {
			r->nc = xreallocarray(r->nc, r->nnc + 1,
			    sizeof *r->nc);
			ok = take(r->nc[r->nnc++], MODEL_HANDLE_MAX, v);
		} else if (strcmp(line, "list") == 0)
			ok = take(r->list, sizeof r->list, v);
		else if (strcmp(line, "post") == 0)
			ok = take(r->post, sizeof r->post, v) &&
			    hub_id_valid(r->post);
		else if (strcmp(line, "sender") == 0)
			ok = take(r->sender, sizeof r->sender, v);
		else if (strcmp(line, "fpr") == 0)
			ok = take(r->fpr, sizeof r->fpr, v);
		else if (strcmp(line, "tlp") == 0)
			ok = take(r->tlp, sizeof r->tlp, v);
		else if (strcmp(line, "received") == 0) {
			char *end;

			errno = 0;
			r->received = strtoll(v, &end, 10);
			ok = errno == 0 && *end == '\0' && end != v &&
			    r->received >= 0;
		} else
			ok = false;
		if (!ok)
			return -1;
	}
	return r->list[0] != '\0' && r->post[0] != '\0' &&
	    r->sender[0] != '\0' && r->tlp[0] != '\0' ? 0 : -1;
}

/* The reply with the recipient's address taken out: the receipt names
 * teams, never an address. */
static char *
scrub(const char *reply, const char *address)
{
	struct buf *b = buf_new(0);
	size_t alen = strlen(address);
	const char *p = reply;
	char *r;

	while (*p != '\0') {
		if (alen > 0 && strncasecmp(p, address, alen) == 0) {
			buf_append_str(b, "(the recipient)");
			p += alen;
		} else
			buf_append(b, p++, 1);
	}
	buf_append(b, "", 1);
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

/* The outcomes per team, in the order of the copies; each why (the
 * first failure's) malloc'd: free with outcomes_free(). */
static size_t
outcomes(struct worker *w, const struct req *r, struct notice_team_outcome *o)
{
	char reply[COPY_REPLY_MAX];
	enum copy_result res;
	size_t i, k, n = 0;

	for (i = 0; i < r->ncopies; i++) {
		const struct req_copy *c = &r->copies[i];

		for (k = 0; k < n; k++)
			if (strcasecmp(o[k].team, c->team) == 0)
				break;
		if (k == n) {
			memset(&o[n], 0, sizeof o[n]);
			o[n++].team = c->team;
		}
		o[k].copies++;
		/* no outcome: delivered (hub/copystate.h) */
		if (copy_outcome_load(w->sp, r->post, c->name, &res, reply) !=
		    SPOOL_OK || res != COPY_FAILED)
			o[k].delivered++;
		else {
			o[k].failed++;
			if (o[k].why == NULL)
				o[k].why = scrub(reply[0] != '\0' ? reply :
				    "no reply recorded", c->address);
		}
	}
	return n;
}

static void
outcomes_free(struct notice_team_outcome *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)o[i].why);
	free(o);
}

/* Stage and commit the receipt under a fresh id.  V_DONE also when it
 * is dropped for good (logged); V_TEMPFAIL: try again later. */
static enum verdict
receipt_send(struct worker *w, const struct req *r)
{
	struct roster_view *rv;
	struct notice_team_outcome *o;
	struct notice_receipt nr;
	struct notice_in in;
	struct job n;
	enum store_status st;
	enum spool_status sst;
	enum verdict v;
	char nid[HUB_ID_SIZE], safe[MODEL_ADDR_MAX];
	const char **nc;
	unsigned delivered = 0, failed = 0;
	size_t i, nt;
	long ci = -1;

	if ((st = roster_view_load(w->store, w->g, r->list, &rv)) ==
	    STORE_NOT_FOUND) {
		log_warnx("receipt-dropped post=%s reason=no-such-list",
		    r->post);
		return V_DONE;
	}
	if (st != STORE_OK)
		return V_TEMPFAIL;
	for (i = 0; i < rv->ncontacts && ci < 0; i++)
		if (strcasecmp(rv->contacts[i].address, r->sender) == 0)
			ci = (long)i;
	if (ci < 0 || rv->keys[ci] != KEY_USABLE) {
		/* never in clear: the receipt names the community's teams */
		log_warnx("receipt-dropped post=%s to=%s reason=%s", r->post,
		    log_safe(safe, sizeof safe, r->sender), ci < 0 ?
		    "not-a-contact" : key_usability_str(rv->keys[ci]));
		roster_view_free(rv);
		return V_DONE;
	}
	o = xcalloc(r->ncopies + 1, sizeof *o);
	nt = outcomes(w, r, o);
	nc = xcalloc(r->nnc + 1, sizeof *nc);
	for (i = 0; i < r->nnc; i++)
		nc[i] = r->nc[i];
	memset(&nr, 0, sizeof nr);
	nr.tlp = r->tlp;
	nr.teams = o;
	nr.nteams = nt;
	nr.not_cleared = nc;
	nr.nnot_cleared = r->nnc;
	memset(&in, 0, sizeof in);
	in.kind = NOTICE_RECEIPT;
	in.post_id = r->post;
	in.received = r->received;
	in.receipt = &nr;
	memset(&n, 0, sizeof n);
	hub_id_new(nid);
	n.w = w;
	n.id = nid;
	v = notice_send(&n, rv, rv->contacts[ci].address, rv->contacts[ci].fpr,
	    rv->keys[ci], &in);
	if (v == V_DONE && n.stage != NULL && spool_stage_count(n.stage) > 0) {
		sst = spool_stage_commit(n.stage);
		n.stage = NULL;
		if (sst != SPOOL_OK) {
			log_warn("receipt-failed post=%s reason=commit",
			    r->post);
			v = V_TEMPFAIL;
		} else
			worker_tell_master(w, "outgoing", nid);
	}
	spool_stage_abort(n.stage);
	for (i = 0; i < nt; i++) {
		delivered += o[i].delivered;
		failed += o[i].failed;
	}
	if (v == V_DONE)
		log_info("receipt post=%s list=%s to=%s id=%s teams=%zu "
		    "delivered=%u failed=%u not-cleared=%zu", r->post, r->list,
		    log_safe(safe, sizeof safe, r->sender), nid, nt, delivered,
		    failed, r->nnc);
	outcomes_free(o, nt);
	free(nc);
	roster_view_free(rv);
	return v;
}

/* Set post holds a request: make its receipt if the relay is done. */
static void
receipt_try(struct worker *w, const char *post)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], *text;
	struct stat a, b;
	struct req r;
	size_t nf, len;
	char **files;
	int fd;

	if (spool_outgoing_files(w->sp, post, &files, &nf) != SPOOL_OK)
		return;
	spool_ids_free(files, nf);
	if (nf > 0)
		return;		/* the relay is not done */
	spool_path(w->sp, SPOOL_Q_ACTIVE, post, dir, sizeof dir);
	if (access(dir, F_OK) == 0)
		return;		/* the worker is not done */
	spool_path(w->sp, SPOOL_Q_OUTGOING, post, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/" SPOOL_RECEIPT_FILE, dir);
	/* Of several workers one: the lock, and the file still the one
	 * locked (a worker that made the receipt removed it). */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || fstat(fd, &a) == -1 ||
	    stat(path, &b) == -1 || a.st_ino != b.st_ino) {
		close(fd);
		return;
	}
	if (copy_receipt_read(w->sp, post, &text, &len) != SPOOL_OK) {
		close(fd);
		return;
	}
	if (req_parse(text, len, &r) == -1 || strcmp(r.post, post) != 0)
		log_warnx("receipt-dropped post=%s reason=unreadable-request",
		    post);
	else if (receipt_send(w, &r) == V_TEMPFAIL) {
		req_free(&r);
		free(text);
		close(fd);
		return;
	}
	req_free(&r);
	free(text);
	/* the request first: once it is gone no worker makes the receipt
	 * again, and the relay reaps what is left if the drop fails */
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("receipt-unlink post=%s", post);
	else if (spool_outgoing_drop(w->sp, post) != SPOOL_OK)
		log_warn("receipt-set-remove post=%s", post);
	close(fd);
}

void
receipt_run(struct worker *w)
{
	char **posts;
	size_t i, n;

	if (spool_outgoing_posts(w->sp, &posts, &n) != SPOOL_OK)
		return;
	for (i = 0; i < n; i++)
		if (copy_receipt_wanted(w->sp, posts[i]))
			receipt_try(w, posts[i]);
	spool_ids_free(posts, n);
}
