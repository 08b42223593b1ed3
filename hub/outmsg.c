/*
 * outmsg: the relayed copy of a post (see outmsg.h).
 *
 * Every value that came with the post passes through clean() before it
 * goes near a header: CR, LF and other controls are dropped, runs of
 * white space become one space.  Folding is ours alone and only ever
 * inserts CRLF before an existing space, so a header line can never be
 * started by input.
 */
#include "config.h"

#include "hub/outmsg.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "archive/text.h"
#include "crypto/mime.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/xalloc.h"
#include "lists/tlp.h"

#define FOLD_COLS	78
/* a plain word longer than this is B-encoded, so that it can be split
 * and no line of the Subject outgrows FOLD_COLS (nor RFC 5322's 998) */
#define PLAIN_WORD_MAX	66
#define MAX_REFS	20
/* longer "ids" are not ids, they are payloads */
#define MSGID_MAX	250

struct outmsg_priv {
	char	*from;
	char	*outer_from;
	char	*to;
	char	*subject;
	char	*date;
	char	*message_id;
	char	*extra;
};

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
buf_take(struct buf *b)
{
	char *s = xstrndup(buf_data(b), buf_len(b));

	buf_free(b);
	return s;
}

/*
 * One line of text from s: controls (CR and LF included) dropped, tabs
 * and runs of spaces made one space, trimmed.  Unfolding falls out of
 * this: "a\r\n b" is "a b".  8-bit octets are kept (UTF-8).
 */
void
outmsg_clean(const char *s, struct buf *out, bool ascii)
{
	bool space = false, any = false;
	unsigned char c;

	if (s == NULL)
		return;
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == ' ' || c == '\t') {
			space = any;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space)
			buf_append(out, " ", 1);
		space = false;
		any = true;
		if (ascii && c >= 0x80)
			buf_append(out, "?", 1);
		else
			buf_append(out, s, 1);
	}
}

static void
clean(const char *s, struct buf *out)
{
	outmsg_clean(s, out, false);
}

static char *
clean_dup(const char *s)
{
	struct buf *b = buf_new(0);

	clean(s, b);
	return buf_take(b);
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/*
 * Fold a cleaned value (single spaces, no controls) so that lines stay
 * within FOLD_COLS where a space allows; prefix is the length of
 * "Name: " already on the first line.  A word longer than a line stays
 * whole (RFC 5322 allows 998).
 */
static void
fold(const char *v, size_t prefix, struct buf *out)
{
	size_t col = prefix, n;
	const char *sp;
	bool first = true;

	while (*v != '\0') {
		sp = strchr(v, ' ');
		n = sp != NULL ? (size_t)(sp - v) : strlen(v);
		if (!first) {
			if (col + 1 + n > FOLD_COLS) {
				buf_append_str(out, "\r\n ");
				col = 1;
			} else {
				buf_append(out, " ", 1);
				col++;
			}
		}
		buf_append(out, v, n);
		col += n;
		first = false;
		v += n;
		while (*v == ' ')
			v++;
	}
}

static char *
fold_dup(const char *name, const char *v)
{
	struct buf *b = buf_new(0);

	fold(v, strlen(name) + 2, b);
	return buf_take(b);
}

/* "Name: value\r\n", folded; value must be clean. */
static void
put_line(struct buf *out, const char *name, const char *v)
{
	buf_append_str(out, name);
	buf_append_str(out, ": ");
	fold(v, strlen(name) + 2, out);
	buf_append_str(out, "\r\n");
}

static void b64_encode(const unsigned char *p, size_t n, struct buf *out);

void
outmsg_base64(const void *data, size_t n, struct buf *out)
{
	b64_encode(data, n, out);
}

static void
b64_encode(const unsigned char *p, size_t n, struct buf *out)
{
	char q[4];
	unsigned v;

	for (; n >= 3; p += 3, n -= 3) {
		v = (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
		q[0] = b64chars[v >> 18 & 63];
		q[1] = b64chars[v >> 12 & 63];
		q[2] = b64chars[v >> 6 & 63];
		q[3] = b64chars[v & 63];
		buf_append(out, q, 4);
	}
	if (n == 0)
		return;
	v = (unsigned)p[0] << 16 | (n == 2 ? (unsigned)p[1] << 8 : 0);
	q[0] = b64chars[v >> 18 & 63];
	q[1] = b64chars[v >> 12 & 63];
	q[2] = n == 2 ? b64chars[v >> 6 & 63] : '=';
	q[3] = '=';
	buf_append(out, q, 4);
}

/*
 * RFC 2047 B words for UTF-8 text, separated by single spaces (so fold()
 * may break between them).  45 octets make 60 base64 characters, which
 * with "=?UTF-8?B?" and "?=" is 72: within the 75 of §2.  Words end on
 * character boundaries (§5: each word must be decodable on its own).
 */
static void
rfc2047_encode(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n > 0) {
		k = n > 45 ? 45 : n;
		/* back off continuation octets so a character stays whole */
		if (k < n) {
			while (k > 0 && (p[k] & 0xc0) == 0x80)
				k--;
			if (k == 0)
				k = n > 45 ? 45 : n;
		}
		buf_append_str(out, "=?UTF-8?B?");
		b64_encode(p, k, out);
		buf_append_str(out, "?=");
		p += k;
		n -= k;
		if (n > 0)
			buf_append(out, " ", 1);
	}
}

/*
 * Needs an encoded word: not ASCII; "=?" (a reader would decode it,
 * and show other text than the label check saw); or too long to fold.
 */
static bool
special_word(const char *w, size_t n)
{
	size_t i;

	if (n > PLAIN_WORD_MAX)
		return true;
	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] >= 0x80 ||
		    (w[i] == '=' && i + 1 < n && w[i + 1] == '?'))
			return true;
	return false;
}

/*
 * A clean UTF-8 Subject (single spaces, no controls) as header text:
 * plain ASCII words as they are ("[ops] TLP:GREEN" stays readable),
 * each run of special words, with the spaces between them, as UTF-8 B
 * words (RFC 2047 §5(1)).  Space between a plain and an encoded word is
 * text; inside a run it is encoded, since space between two encoded
 * words is not text (§6.2).  fold() then breaks between words.
 */
static void
subject_encode(const char *s, struct buf *out)
{
	struct buf *run = buf_new(BUF_SENSITIVE);
	const char *p = s, *sp;
	size_t n;
	bool first = true;

	while (*p != '\0') {
		sp = strchr(p, ' ');
		n = sp != NULL ? (size_t)(sp - p) : strlen(p);
		if (special_word(p, n)) {
			if (buf_len(run) > 0)
				buf_append(run, " ", 1);
			buf_append(run, p, n);
		} else {
			if (buf_len(run) > 0) {
				if (!first)
					buf_append(out, " ", 1);
				rfc2047_encode(buf_data(run), out);
				buf_reset(run);
				first = false;
			}
			if (!first)
				buf_append(out, " ", 1);
			buf_append(out, p, n);
			first = false;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	if (buf_len(run) > 0) {
		if (!first)
			buf_append(out, " ", 1);
		rfc2047_encode(buf_data(run), out);
	}
	buf_free(run);
}

/* A display name as a phrase: B words, an atom, or a quoted-string. */
static void
put_phrase(const char *name, struct buf *out)
{
	const char *s;
	bool atom = *name != '\0';

	if (!is_ascii(name)) {
		rfc2047_encode(name, out);
		return;
	}
	for (s = name; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("!#$%&'*+-/=?^_`{|}~", *s) == NULL)
			atom = false;
	if (atom) {
		buf_append_str(out, name);
		return;
	}
	buf_append(out, "\"", 1);
	for (s = name; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_append(out, "\\", 1);
		buf_append(out, s, 1);
	}
	buf_append(out, "\"", 1);
}

void
outmsg_subject_header(const char *subject, struct buf *out)
{
	struct buf *c = buf_new(0), *enc = buf_new(0);

	outmsg_clean(subject, c, false);
	subject_encode(buf_len(c) > 0 ? buf_data(c) : "", enc);
	fold(buf_len(enc) > 0 ? buf_data(enc) : "", strlen("Subject") + 2,
	    out);
	buf_free(c);
	buf_free(enc);
}

void
outmsg_phrase(const char *name, struct buf *out)
{
	put_phrase(name, out);
}

static bool
utc(long long t, struct tm *tm)
{
	time_t tt = (time_t)t;

	return gmtime_r(&tt, tm) != NULL;
}

static void
date_iso(long long t, struct buf *out)
{
	struct tm tm;

	if (!utc(t, &tm)) {
		buf_append_str(out, "unknown");
		return;
	}
	buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
date_human(long long t, struct buf *out)
{
	struct tm tm;

	if (t == 0 || !utc(t, &tm)) {
		buf_append_str(out, "unknown time");
		return;
	}
	buf_printf(out, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/*
 * Append the msg-ids of s ("<a@b> <c@d>") to ids: only "<...>" with
 * visible ASCII inside and no second '<', at most MSGID_MAX long.
 * Anything else in between is dropped (comments, junk, injection).
 */
static size_t
msgids(const char *s, char ***ids)
{
	const char *p, *q;
	size_t n = 0, len;
	char **v = NULL;
	bool ok;

	if (s == NULL)
		return 0;
	for (p = s; (p = strchr(p, '<')) != NULL; p = q) {
		ok = true;
		for (q = p + 1; *q != '\0' && *q != '>'; q++) {
			if (*q == '<')
				break;
			if ((unsigned char)*q <= 0x20 ||
			    (unsigned char)*q >= 0x7f)
				ok = false;
		}
		if (*q != '>')
			continue;
		len = (size_t)(q - p) + 1;
		q++;
		if (!ok || len < 3 || len > MSGID_MAX)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xstrndup(p, len);
	}
	*ids = v;
	return n;
}

static void
free_ids(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * References keep the thread's root and the most recent ids (RFC 5322
 * §3.6.4 lets a long list lose its middle).
 */
static void
put_refs(struct buf *out, const char *name, const char *s, size_t max)
{
	struct buf *v;
	char **ids;
	size_t n, i;

	if ((n = msgids(s, &ids)) == 0)
		return;
	v = buf_new(0);
	for (i = 0; i < n; i++) {
		if (n > max && i > 0 && i < n - (max - 1))
			continue;
		if (buf_len(v) > 0)
			buf_append(v, " ", 1);
		buf_append_str(v, ids[i]);
	}
	put_line(out, name, buf_data(v));
	buf_free(v);
	free_ids(ids, n);
}

static bool
contains_ci(const char *hay, const char *needle)
{
	return *needle == '\0' || strcasestr(hay, needle) != NULL;
}

void
outmsg_subject(const char *tag, enum tlp label, const char *subject,
    struct buf *out)
{
	struct tlp_result r;
	struct buf *dec = buf_new(BUF_SENSITIVE);
	char *t = clean_dup(tag), *s;
	const char *lab = label != TLP_NONE ? tlp_str(label) : NULL;
	const char *at;
	bool have_tag, have_label;

	/* decoded before anything looks at it: a tag or label inside an
	 * encoded word is the sender's tag or label, and seen as such
	 * (else "[ops] TLP:GREEN ... (TLP:GREEN)") */
	text_header_utf8(subject, dec);
	s = clean_dup(buf_data(dec));
	buf_free(dec);
	if (*s == '\0') {
		free(s);
		s = xstrdup("(no subject)");
	}
	have_tag = *t == '\0' || contains_ci(s, t);
	have_label = true;
	if (lab != NULL) {
		/* the post's label, not merely some label: a subject that
		 * says GREEN on a post whose body says RED must show RED;
		 * "TLP-RED", "TLP RED" or an unreadable marking (read as
		 * RED) do not show it: add the canonical one */
		tlp_parse(s, NULL, 0, TLP_NONE, &r);
		have_label = r.nlabels > 0 && r.nunreadable == 0 &&
		    r.label == label && !(r.warnings & TLP_WARN_SEPARATOR);
	}
	if (!have_tag) {
		buf_printf(out, "%s ", t);
		if (!have_label)
			buf_printf(out, "%s ", lab);
		buf_append_str(out, s);
	} else if (!have_label && *t != '\0') {
		/* "Re: [ops] x" -> "Re: [ops] TLP:AMBER x" */
		at = strcasestr(s, t) + strlen(t);
		buf_append(out, s, (size_t)(at - s));
		buf_printf(out, " %s", lab);
		if (*at != '\0' && *at != ' ')
			buf_append(out, " ", 1);
		buf_append_str(out, at);
	} else if (!have_label) {
		buf_printf(out, "%s %s", lab, s);
	} else
		buf_append_str(out, s);
	free(t);
	free(s);
}

/* VERP tags are read back from bounces: a narrow alphabet, exactly one
 * '=', a domain after it. */
static bool
verp_char(int c)
{
	return isalnum(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static bool
plausible_domain(const char *d)
{
	size_t label = 0, labels = 0, len = strlen(d);

	if (len == 0 || len > 253)
		return false;
	for (; *d != '\0'; d++) {
		if (*d == '.') {
			if (label == 0 || d[-1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*d) && *d != '-')
			return false;
		if (label == 0) {
			if (*d == '-')
				return false;
			labels++;
		}
		if (++label > 63)
			return false;
	}
	return label > 0 && d[-1] != '-' && labels >= 2;
}

int
outmsg_verp_decode(const char *tag, char *dst, size_t n)
{
	const char *eq = NULL, *p;
	int w;

	if (tag == NULL || *tag == '\0')
		return -1;
	for (p = tag; *p != '\0'; p++) {
		if (!verp_char((unsigned char)*p))
			return -1;
		if (*p == '=') {
			if (eq != NULL)
				return -1;
			eq = p;
		}
	}
	if (eq == NULL || eq == tag || !plausible_domain(eq + 1))
		return -1;
	w = snprintf(dst, n, "%.*s@%s", (int)(eq - tag), tag, eq + 1);
	if (w < 0 || (size_t)w >= n)
		return -1;
	return 0;
}

/* hub/recipient.c serves bounces+TAG only for this alphabet. */
static bool
verp_servable(const char *t)
{
	for (; *t != '\0'; t++)
		if (!isalnum((unsigned char)*t) && strchr("-_=.", *t) == NULL)
			return false;
	return true;
}

void
outmsg_verp(const char *list, const char *domain, const char *rcpt,
    char *dst, size_t n)
{
	const char *at = rcpt != NULL ? strrchr(rcpt, '@') : NULL;
	char tag[256], back[256];
	int w;

	if (n == 0)
		return;
	/* a recipient we could not read back gets the plain bounce
	 * address: its bounce still arrives, just untracked */
	if (at != NULL && at != rcpt && (size_t)(at - rcpt) < sizeof tag) {
		w = snprintf(tag, sizeof tag, "%.*s=%s", (int)(at - rcpt),
		    rcpt, at + 1);
		if (w > 0 && (size_t)w < sizeof tag && w <= 128 &&
		    verp_servable(tag) &&
		    outmsg_verp_decode(tag, back, sizeof back) == 0 &&
		    strcmp(back, rcpt) == 0) {
			w = snprintf(dst, n, "%s-bounces+%s@%s", list, tag,
			    domain);
			if (w > 0 && (size_t)w < n)
				return;
		}
	}
	w = snprintf(dst, n, "%s-bounces@%s", list, domain);
	if (w < 0 || (size_t)w >= n)
		dst[0] = '\0';
}

/* "ABCD 1234 ..." for people who compare fingerprints by eye. */
static void
fpr_groups(const char *fpr, struct buf *out)
{
	size_t i;

	for (i = 0; fpr[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			buf_append(out, " ", 1);
		buf_append(out, fpr + i, 1);
	}
}

static const char *
tlp_reminder(enum tlp t)
{
	switch (t) {
	case TLP_AMBER:
		return "TLP:AMBER: share only within your organisation and "
		    "its clients, on a need-to-know basis.";
	case TLP_AMBER_STRICT:
		return "TLP:AMBER+STRICT: share only within your "
		    "organisation, on a need-to-know basis.";
	case TLP_RED:
		return "TLP:RED: for the named recipients only; do not "
		    "forward.";
	default:
		return NULL;
	}
}

static const char *
where_text(enum tlp_where w)
{
	switch (w) {
	case TLP_FROM_SUBJECT:
		return "from the subject";
	case TLP_FROM_BODY:
		return "from the body";
	case TLP_FROM_OUTER_SUBJECT:
		return "raised by the unsigned outer subject";
	case TLP_FROM_DEFAULT:
		break;
	}
	return "list default";
}

static void
verdict_text(const struct outmsg_in *in, struct buf *out)
{
	char *list = clean_dup(in->list), *dom = clean_dup(in->domain);
	char *name = clean_dup(in->signer_name);
	char *addr = clean_dup(in->signer_address);
	char *team = clean_dup(in->signer_team);
	char *tname = clean_dup(in->signer_team_name);
	char *fpr = clean_dup(in->signer_fpr);
	char *st = clean_dup(in->sig_status);
	char *id = clean_dup(in->post_id);
	const char *rem;

	buf_printf(out, "csirt-hub verified this post for the list "
	    "%s@%s:\r\n", list, dom);
	buf_append_str(out, "  Signed by:   ");
	if (*name != '\0')
		buf_printf(out, "%s <%s>", name, addr);
	else
		buf_append_str(out, addr);
	buf_printf(out, " of %s", team);
	if (*tname != '\0')
		buf_printf(out, " (%s)", tname);
	buf_append_str(out, "\r\n  Key:         ");
	fpr_groups(fpr, out);
	buf_printf(out, "\r\n  Signature:   %s, made ", st);
	date_human(in->sig_created, out);
	buf_printf(out, "\r\n  TLP:         %s (%s)\r\n", tlp_str(in->tlp),
	    where_text(in->tlp_where));
	if (in->subject_unsigned)
		buf_append_str(out, "  Subject:     not signed by the sender, "
		    "so not shown\r\n");
	if (in->unbound)
		buf_append_str(out, "  Addressed:   the signed message does "
		    "not name its recipients;\r\n"
		    "               relayed because its signature is recent\r\n");
	else
		buf_printf(out, "  Addressed:   the signed message names "
		    "%s@%s\r\n", list, dom);
	buf_printf(out, "  Post id:     %s\r\n", id);
	if ((rem = tlp_reminder(in->tlp)) != NULL)
		buf_printf(out, "%s\r\n", rem);
	buf_append_str(out,
	    "The sender's message follows as the next part. Only this first "
	    "part,\r\n"
	    "inside the list's signature, is written by the hub; anything "
	    "looking like\r\n"
	    "it further down was written by the sender.\r\n");
	free(list);
	free(dom);
	free(name);
	free(addr);
	free(team);
	free(tname);
	free(fpr);
	free(st);
	free(id);
}

/* Only atext and '.' survive in our own ids (spool ids are that anyway). */
static char *
idpart(const char *s)
{
	struct buf *b = buf_new(0);

	for (; *s != '\0'; s++)
		if (isalnum((unsigned char)*s) || strchr(".-_+=", *s) != NULL)
			buf_append(b, s, 1);
	return buf_take(b);
}

/*
 * x: header lines for every copy's outer message (threading, List-*,
 * OpenPGP, Autocrypt: nothing about the post's origin).  vh: the verdict
 * headers and the original Message-ID, which go into the signed
 * entity's own header block only: in the outer headers they would
 * travel in clear, and outside the list's signature anyone encrypting
 * to a member could forge them.
 */
static void
build_extra(const struct outmsg_in *in, const char *list, const char *dom,
    struct buf *x, struct buf *vh)
{
	struct buf *v = buf_new(0);
	const char *p;
	char **ids;
	size_t n;

	put_refs(x, "In-Reply-To", in->in_reply_to, 1);
	put_refs(x, "References", in->references, MAX_REFS);
	/* the sender's own Message-ID names the sender's host or domain:
	 * signed and encrypted, never in clear */
	if (in->keep_msgid && (n = msgids(in->message_id, &ids)) > 0) {
		put_line(vh, "X-Original-Message-ID", ids[0]);
		free_ids(ids, n);
	}

	put_phrase(list, v);
	buf_printf(v, " <%s.%s>", list, dom);
	put_line(x, "List-Id", buf_data(v));
	buf_reset(v);
	buf_printf(v, "<mailto:%s@%s>", list, dom);
	put_line(x, "List-Post", buf_data(v));
	buf_reset(v);
	buf_printf(v, "<mailto:%s-request@%s?subject=help>", list, dom);
	put_line(x, "List-Help", buf_data(v));
	buf_reset(v);
	buf_printf(v, "<mailto:%s-request@%s?subject=unsubscribe>", list, dom);
	put_line(x, "List-Unsubscribe", buf_data(v));
	buf_reset(v);
	buf_printf(v, "<mailto:%s-owner@%s>", list, dom);
	put_line(x, "List-Owner", buf_data(v));

	buf_reset(v);
	clean(in->signer_team, v);
	buf_append_str(v, "; ");
	clean(in->signer_address, v);
	buf_append_str(v, "; ");
	clean(in->signer_fpr, v);
	put_line(vh, "X-CSIRT-Hub-Signer", buf_data(v));
	buf_reset(v);
	clean(in->sig_status, v);
	buf_append_str(v, "; created=");
	date_iso(in->sig_created, v);
	put_line(vh, "X-CSIRT-Hub-Signature", buf_data(v));
	put_line(vh, "X-CSIRT-Hub-TLP", tlp_str(in->tlp));

	if (in->list_fpr != NULL) {
		buf_reset(v);
		buf_append_str(v, "id=");
		clean(in->list_fpr, v);
		buf_printf(v, "; url=mailto:%s-sendkey@%s; "
		    "preference=signencrypt", list, dom);
		put_line(x, "OpenPGP", buf_data(v));
	}
	if (in->autocrypt_keydata != NULL) {
		buf_printf(x, "Autocrypt: addr=%s@%s; prefer-encrypt=mutual; "
		    "keydata=", list, dom);
		n = 0;
		for (p = in->autocrypt_keydata; *p != '\0'; p++) {
			if (!isalnum((unsigned char)*p) && *p != '+' &&
			    *p != '/' && *p != '=')
				continue;
			if (n % 76 == 0)
				buf_append_str(x, "\r\n ");
			buf_append(x, p, 1);
			n++;
		}
		buf_append_str(x, "\r\n");
	}
	buf_free(v);
}

static void
build_entity(const struct outmsg_in *in, const struct buf *vh, struct buf *e)
{
	struct buf *c = buf_new(BUF_SENSITIVE);
	char b[48];

	mime_canon_crlf(in->content, in->content_len, c);
	pgpmime_boundary(buf_data(c), buf_len(c), b);
	buf_append(e, buf_data(vh), buf_len(vh));
	buf_printf(e, "Content-Type: multipart/mixed;\r\n"
	    " boundary=\"%s\"\r\n"
	    "\r\n"
	    "--%s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Content-Description: csirt-hub verdict\r\n"
	    "Content-Disposition: inline\r\n"
	    "\r\n", b, b);
	verdict_text(in, e);
	buf_printf(e, "\r\n--%s\r\n", b);
	buf_append(e, buf_data(c), buf_len(c));
	buf_printf(e, "\r\n--%s--\r\n", b);
	buf_free(c);
}

int
outmsg_build(const struct outmsg_in *in, struct outmsg *out)
{
	struct outmsg_priv *p;
	struct buf *v, *x, *vh;
	char *list, *dom, *name, *id, *s;
	const char *at;

	memset(out, 0, sizeof *out);
	if (in == NULL || in->list == NULL || *in->list == '\0' ||
	    in->domain == NULL || *in->domain == '\0' ||
	    in->post_id == NULL || *in->post_id == '\0' ||
	    in->signer_address == NULL || in->signer_team == NULL ||
	    in->signer_fpr == NULL || in->sig_status == NULL ||
	    (in->content == NULL && in->content_len > 0))
		return -1;

	p = xcalloc(1, sizeof *p);
	list = clean_dup(in->list);
	dom = clean_dup(in->domain);
	v = buf_new(0);

	/* "Alice (CERT-EX) via ops" <ops@hub> */
	name = clean_dup(in->signer_name);
	if (*name == '\0') {
		free(name);
		s = clean_dup(in->signer_address);
		at = strrchr(s, '@');
		name = at != NULL ? xstrndup(s, (size_t)(at - s)) :
		    xstrdup(s);
		free(s);
	}
	s = clean_dup(in->signer_team);
	id = xasprintf("%s (%s) via %s", name, s, list);
	free(s);
	free(name);
	put_phrase(id, v);
	free(id);
	buf_printf(v, " <%s@%s>", list, dom);
	p->from = fold_dup("From", buf_data(v));

	p->to = xasprintf("<%s@%s>", list, dom);

	/* the outer From: the list alone (nothing of the sender travels
	 * in clear) */
	buf_reset(v);
	put_phrase(list, v);
	buf_printf(v, " <%s@%s>", list, dom);
	p->outer_from = fold_dup("From", buf_data(v));

	buf_reset(v);
	{
		struct buf *enc = buf_new(0);

		outmsg_subject(in->subject_tag, in->tlp, in->subject, v);
		subject_encode(buf_data(v), enc);
		p->subject = fold_dup("Subject", buf_data(enc));
		buf_free(enc);
	}

	{
		char d[64];

		hub_date_mail(in->now, d, sizeof d);
		p->date = xstrdup(d);
	}
	id = idpart(in->post_id);
	s = idpart(in->list);
	p->message_id = xasprintf("<%s.%s@%s>", id, s, dom);
	free(id);
	free(s);

	x = buf_new(0);
	vh = buf_new(0);
	build_extra(in, list, dom, x, vh);
	p->extra = buf_take(x);

	out->entity = buf_new(BUF_SENSITIVE);
	build_entity(in, vh, out->entity);
	buf_free(vh);

	out->h.from = p->from;
	out->h.to = p->to;
	out->h.reply_to = p->to;
	out->h.subject = p->subject;
	out->h.date = p->date;
	out->h.message_id = p->message_id;
	out->h.extra = p->extra;
	out->message_id = xstrdup(p->message_id);
	out->outer_from = p->outer_from;
	out->priv_ = p;

	buf_free(v);
	free(list);
	free(dom);
	return 0;
}

int
outmsg_outer_from(const struct outmsg *m, struct buf *msg)
{
	struct buf *b;
	size_t n;

	if (m == NULL || m->h.from == NULL || m->outer_from == NULL ||
	    msg == NULL)
		return -1;
	n = 6 + strlen(m->h.from) + 2;
	if (buf_len(msg) < n || memcmp(buf_data(msg), "From: ", 6) != 0 ||
	    memcmp(buf_data(msg) + 6, m->h.from, n - 8) != 0 ||
	    memcmp(buf_data(msg) + n - 2, "\r\n", 2) != 0)
		return -1;
	b = buf_new(buf_flags(msg));
	buf_printf(b, "From: %s\r\n", m->outer_from);
	buf_append(b, buf_data(msg) + n, buf_len(msg) - n);
	buf_reset(msg);
	buf_append(msg, buf_data(b), buf_len(b));
	buf_free(b);
	return 0;
}

void
outmsg_free(struct outmsg *m)
{
	struct outmsg_priv *p;

	if (m == NULL)
		return;
	if ((p = m->priv_) != NULL) {
		free(p->from);
		free(p->outer_from);
		free(p->to);
		free(p->subject);
		free(p->date);
		free(p->message_id);
		free(p->extra);
		free(p);
	}
	buf_free(m->entity);
	free(m->message_id);
	memset(m, 0, sizeof *m);
}
