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
#include "base/fsutil.h"
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
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECEIPT_MAGIC	"CSIRT-HUB-RECEIPT 1\n"
#define RECEIPT_MARK	"CSIRT-HUB-RECEIPT-MARK 1\n"
#define TLP_MAX		32
/* A request names at most this many copies (a post with more gets no
 * receipt) and is at most this big; anything bigger is not ours. */
#define RECEIPT_COPIES_MAX	100000
#define RECEIPT_MAX_FILE	(64 * 1024 * 1024)

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

/* Write receipts/POST durably, replacing any (a redone post's). */
static int
request_write(struct spool *sp, const char *post, const void *data,
    size_t len)
{
	char tmp[NAME_MAX + 1];
	int dfd, rc, saved;

	if (!hub_id_valid(post)) {
		errno = EINVAL;
		return -1;
	}
	if ((dfd = spool_receipts_dirfd(sp)) == -1)
		return -1;
	/* a dot name: no id, never read as a request */
	snprintf(tmp, sizeof tmp, ".%s.tmp.%ld", post, (long)getpid());
	rc = fs_write_atomic_at(dfd, tmp, post, data, len, 0600, (gid_t)-1,
	    NULL);
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

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
	if (ncopies > RECEIPT_COPIES_MAX) {
		log_warnx("receipt-skipped post=%s reason=too-many-copies "
		    "copies=%zu", j->id, ncopies);
		return V_DONE;
	}
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
	/* The request where only the workers write (receipts/), first;
	 * then the mark that tells the relay to keep the set. */
	if (request_write(j->w->sp, j->id, buf_data(b), buf_len(b)) == -1) {
		log_warn("receipt-failed post=%s reason=request", j->id);
		buf_free(b);
		return V_TEMPFAIL;
	}
	buf_free(b);
	sst = spool_stage_put(j->stage, SPOOL_RECEIPT_FILE, RECEIPT_MARK,
	    strlen(RECEIPT_MARK));
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
 * format.  The arrays are sized once, from the number of lines. */
static int
req_parse(char *text, size_t len, struct req *r)
{
	size_t mlen = strlen(RECEIPT_MAGIC), pos, lines = 0;
	char *line, *nl, *v, *t2, *t3;
	enum tlp label;
	bool ok;

	memset(r, 0, sizeof *r);
	if (len < mlen || memcmp(text, RECEIPT_MAGIC, mlen) != 0 ||
	    text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
		return -1;
	for (pos = mlen; pos < len; pos++)
		if (text[pos] == '\n')
			lines++;
	if (lines > 2 * (size_t)RECEIPT_COPIES_MAX + 16)
		return -1;
	r->copies = xcalloc(lines + 1, sizeof *r->copies);
	r->nc = xcalloc(lines + 1, sizeof *r->nc);
	for (pos = mlen; pos < len; pos = (size_t)(nl - text) + 1) {
		line = text + pos;
		nl = memchr(line, '\n', len - pos);
		*nl = '\0';
		if ((v = strchr(line, ' ')) == NULL)
			return -1;
		*v++ = '\0';
		if (strcmp(line, "copy") == 0) {
			struct req_copy *c;

			if (r->ncopies >= RECEIPT_COPIES_MAX ||
			    (t2 = strchr(v, ' ')) == NULL ||
			    (t3 = strchr(t2 + 1, ' ')) == NULL)
				return -1;
			*t2++ = '\0';
			*t3++ = '\0';
			c = &r->copies[r->ncopies++];
			ok = take(c->name, sizeof c->name, v) &&
			    hub_id_valid(c->name) &&
			    take(c->team, sizeof c->team, t2) &&
			    take(c->address, sizeof c->address, t3);
		} else if (strcmp(line, "not-cleared") == 0)
			ok = take(r->nc[r->nnc++], MODEL_HANDLE_MAX, v);
		else if (strcmp(line, "list") == 0)
			ok = take(r->list, sizeof r->list, v);
		else if (strcmp(line, "post") == 0)
			ok = take(r->post, sizeof r->post, v) &&
			    hub_id_valid(r->post);
		else if (strcmp(line, "sender") == 0)
			ok = take(r->sender, sizeof r->sender, v);
		else if (strcmp(line, "fpr") == 0)
			ok = take(r->fpr, sizeof r->fpr, v);
		else if (strcmp(line, "tlp") == 0)
			/* a label the parser knows, written as it writes it */
			ok = tlp_from_name(v, &label) == 0 &&
			    take(r->tlp, sizeof r->tlp, tlp_str(label));
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

/* The copies' order by team (any case), then by place in the request. */
static const struct req_copy *sort_base;

static int
by_team(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, k = *(const size_t *)b;
	int c = strcasecmp(sort_base[i].team, sort_base[k].team);

	return c != 0 ? c : i < k ? -1 : i > k;
}

/* The outcomes per team (the teams sorted, each once), read from set
 * directory setfd: the relay's records, looked up only for the copies
 * the request names.  status[k] holds team k's first failure's code. */
static size_t
outcomes(int setfd, const struct req *r, struct notice_team_outcome *o,
    char (*status)[COPY_STATUS_MAX])
{
	struct copy_outcome oc;
	size_t *ix, i, n = 0;

	ix = xcalloc(r->ncopies + 1, sizeof *ix);
	for (i = 0; i < r->ncopies; i++)
		ix[i] = i;
	sort_base = r->copies;
	qsort(ix, r->ncopies, sizeof *ix, by_team);
	for (i = 0; i < r->ncopies; i++) {
		const struct req_copy *c = &r->copies[ix[i]];
		struct notice_team_outcome *t;

		if (n == 0 || strcasecmp(o[n - 1].team, c->team) != 0) {
			memset(&o[n], 0, sizeof o[n]);
			o[n].team = c->team;
			status[n][0] = '\0';
			n++;
		}
		t = &o[n - 1];
		t->copies++;
		/* no outcome: delivered (hub/copystate.h) */
		if (copy_outcome_loadat(setfd, c->name, &oc) != SPOOL_OK ||
		    oc.result != COPY_FAILED)
			t->delivered++;
		else {
			if (t->failed++ == 0) {
				memcpy(status[n - 1], oc.status,
				    sizeof status[n - 1]);
				t->status = status[n - 1][0] != '\0' ?
				    status[n - 1] : NULL;
				t->expired = oc.expired;
			}
		}
	}
	free(ix);
	return n;
}

/* Stage and commit the receipt under a fresh id.  V_DONE also when it
 * is dropped for good (logged); V_TEMPFAIL: try again later. */
static enum verdict
receipt_send(struct worker *w, int setfd, const struct req *r)
{
	struct roster_view *rv;
	struct notice_team_outcome *o;
	char (*status)[COPY_STATUS_MAX];
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
	status = xcalloc(r->ncopies + 1, sizeof *status);
	nt = outcomes(setfd, r, o, status);
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
	free(o);
	free(status);
	free(nc);
	roster_view_free(rv);
	return v;
}

/* Does set directory setfd still hold a copy (a file named by an id)? */
static int
copies_left(int setfd)
{
	struct dirent *de;
	DIR *d;
	int fd, left = 0;

	if ((fd = dup(setfd)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (hub_id_valid(de->d_name)) {
			left = 1;
			break;
		}
	closedir(d);
	return left;
}

/* Remove receipts/POST if it is still the file fd holds. */
static void
request_remove(int rfd, const char *post, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) == -1 ||
	    fstatat(rfd, post, &b, AT_SYMLINK_NOFOLLOW) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return;
	if (unlinkat(rfd, post, 0) == -1 && errno != ENOENT)
		log_warn("receipt-unlink post=%s", post);
}

/* Read the request fd holds (a regular file of size octets). */
static int
request_text(int fd, off_t size, char **text, size_t *len)
{
	size_t got = 0, want = (size_t)size;
	ssize_t n;
	char *p;

	p = xmalloc(want + 2);
	while (got < want + 1) {
		n = read(fd, p + got, want + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != want) {	/* short, long or an error: not whole */
		free(p);
		return -1;
	}
	p[got] = '\0';
	*text = p;
	*len = got;
	return 0;
}

/* receipts/POST: make its receipt if the worker and the relay are done
 * with the post.  The request is the workers' own file (rfd); of the
 * set in outgoing/ (ofd), the relay's, only the outcomes of the copies
 * the request names are read, and no link is followed. */
static void
receipt_try(struct worker *w, int rfd, int ofd, const char *post)
{
	char dir[PATH_MAX], *text;
	struct stat a, b;
	struct req r;
	size_t len;
	int fd, setfd, left;

	spool_path(w->sp, SPOOL_Q_ACTIVE, post, dir, sizeof dir);
	if (access(dir, F_OK) == 0)
		return;		/* the worker is not done */
	if ((fd = openat(rfd, post, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		if (errno == ELOOP && unlinkat(rfd, post, 0) == 0)
			log_warnx("receipt-dropped post=%s "
			    "reason=not-a-request", post);
		return;
	}
	if (fstat(fd, &a) == -1 || !S_ISREG(a.st_mode) ||
	    a.st_uid != geteuid() || a.st_size > RECEIPT_MAX_FILE) {
		/* not one the workers wrote */
		log_warnx("receipt-dropped post=%s reason=not-a-request",
		    post);
		(void)unlinkat(rfd, post, 0);
		close(fd);
		return;
	}
	/* Of several workers one: the lock, and the file still the one
	 * locked (a worker that made the receipt removed it). */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 ||
	    fstatat(rfd, post, &b, AT_SYMLINK_NOFOLLOW) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		return;
	}
	setfd = openat(ofd, post, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (setfd == -1) {
		if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
			/* the post was never committed (refused, deferred:
			 * a redo writes its request again), or its set is
			 * gone or not a directory */
			log_warnx("receipt-dropped post=%s reason=%s", post,
			    errno == ENOENT ? "no-set" : "set-not-a-directory");
			request_remove(rfd, post, fd);
		}
		close(fd);
		return;
	}
	if ((left = copies_left(setfd)) != 0) {
		close(setfd);
		close(fd);
		return;		/* the relay is not done (or unreadable) */
	}
	if (request_text(fd, a.st_size, &text, &len) == -1) {
		close(setfd);
		close(fd);
		return;
	}
	if (req_parse(text, len, &r) == -1 || strcmp(r.post, post) != 0)
		log_warnx("receipt-dropped post=%s reason=unreadable-request",
		    post);
	else if (receipt_send(w, setfd, &r) == V_TEMPFAIL) {
		req_free(&r);
		free(text);
		close(setfd);
		close(fd);
		return;
	}
	req_free(&r);
	free(text);
	/* The mark first, so the relay may reap the set if what follows
	 * fails; then the request: once it is gone no worker makes the
	 * receipt again. */
	if (unlinkat(setfd, SPOOL_RECEIPT_FILE, 0) == -1 && errno != ENOENT)
		log_warn("receipt-mark-unlink post=%s", post);
	close(setfd);
	request_remove(rfd, post, fd);
	if (spool_outgoing_drop(w->sp, post) != SPOOL_OK)
		log_warn("receipt-set-remove post=%s", post);
	close(fd);
}

void
receipt_run(struct worker *w)
{
	struct dirent *de;
	char **posts = NULL;
	size_t i, n = 0, cap = 0;
	DIR *d;
	int rfd, ofd, fd;

	if ((rfd = spool_receipts_dirfd(w->sp)) == -1)
		return;
	if ((ofd = spool_outgoing_dirfd(w->sp)) == -1) {
		close(rfd);
		return;
	}
	if ((fd = dup(rfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		close(ofd);
		close(rfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    fstatat(rfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime < time(NULL) - 3600)
			/* a crashed writer's temporary file */
			(void)unlinkat(rfd, de->d_name, 0);
		if (!hub_id_valid(de->d_name))
			continue;	/* ".", "..", a writer's .tmp */
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			posts = xreallocarray(posts, cap, sizeof *posts);
		}
		posts[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++)
		receipt_try(w, rfd, ofd, posts[i]);
	spool_ids_free(posts, n);
	close(ofd);
	close(rfd);
}
