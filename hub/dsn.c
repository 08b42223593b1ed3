/*
 * dsn: the delivery report the relay writes and the worker reads (see
 * hub/dsn.h).
 */
#include "config.h"

#include "hub/dsn.h"
#include "base/buf.h"
#include "base/id.h"

#include <stdio.h>
#include <string.h>

/* The copy's header section, with the CRLF that ends its last line. */
static size_t
header_len(const char *m, size_t len)
{
	const char *end = memmem(m, len, "\r\n\r\n", 4);

	return end != NULL ? (size_t)(end - m) + 2 : len;
}

void
dsn_build(const struct dsn_in *in, struct buf *b)
{
	char date[64], arrival[64], boundary[33], id[HUB_ID_SIZE];
	unsigned char rnd[16];
	size_t i;

	hub_random(rnd, sizeof rnd);
	for (i = 0; i < sizeof rnd; i++)
		snprintf(boundary + 2 * i, 3, "%02x", rnd[i]);
	hub_id_new(id);
	hub_date_mail(in->now, date, sizeof date);
	hub_date_mail(in->arrival, arrival, sizeof arrival);
	buf_printf(b, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n"
	    "To: <%s>\r\nSubject: Undelivered Mail Returned to Sender\r\n"
	    "Date: %s\r\nMessage-ID: <%s@%s>\r\n"
	    "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; "
	    "report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n",
	    in->domain, in->to, date, id, in->hostname, boundary);
	buf_printf(b, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n"
	    "\r\nThe message to <%s> could not be delivered: %s.\r\n\r\n",
	    boundary, in->rcpt, in->why);
	buf_printf(b, "--%s\r\nContent-Type: message/delivery-status\r\n\r\n"
	    "Reporting-MTA: dns; %s\r\nArrival-Date: %s\r\n\r\n"
	    "Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: %s\r\n"
	    "Remote-MTA: dns; %s\r\n", boundary, in->hostname, arrival,
	    in->rcpt, in->status, in->remote_mta);
	if (in->diagnostic != NULL)
		buf_printf(b, "Diagnostic-Code: smtp; %s\r\n", in->diagnostic);
	buf_printf(b, "Last-Attempt-Date: %s\r\n\r\n", date);
	buf_printf(b, "--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n",
	    boundary);
	buf_append(b, in->copy, header_len(in->copy, in->copy_len));
	buf_printf(b, "\r\n--%s--\r\n", boundary);
}

/* --- reading ---------------------------------------------------------- */

/*
 * Append a value to dst (size n, NUL-terminated), trimmed, controls
 * made spaces (a value may end up in a log or a notice), cut at n - 1
 * octets.
 */
static void
value_add(char *dst, size_t n, const char *v, size_t len)
{
	size_t have = strlen(dst), i;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;
	if (have > 0 && have + 1 < n)
		dst[have++] = ' ';	/* an unfolded line */
	for (i = 0; i < len && have + 1 < n; i++)
		dst[have++] = (unsigned char)v[i] < 0x20 ||
		    (unsigned char)v[i] == 0x7f ? ' ' : v[i];
	dst[have] = '\0';
}

/* The status code at the start of v ("5.1.1 (user unknown)" -> "5.1.1"),
 * or "" when it holds none or one too long to be one. */
static void
status_code(char dst[DSN_STATUS_MAX], const char *v, size_t len)
{
	size_t i = 0, n;

	dst[0] = '\0';
	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (n = 0; i + n < len &&
	    ((v[i + n] >= '0' && v[i + n] <= '9') || v[i + n] == '.'); n++)
		;
	if (n >= 5 && n < DSN_STATUS_MAX) {
		memcpy(dst, v + i, n);
		dst[n] = '\0';
	}
}

/* Does line (len octets) start with field name; the value then. */
static bool
field(const char *line, size_t len, const char *name, const char **v,
    size_t *vlen)
{
	size_t n = strlen(name);

	if (len < n || memcmp(line, name, n) != 0)
		return false;
	*v = line + n;
	*vlen = len - n;
	return true;
}

void
dsn_parse(const char *text, size_t len, struct dsn_report *out)
{
	const char *p = text, *end = text + len, *nl, *v, *semi;
	struct dsn_rcpt *cur = NULL;
	char *last = NULL;		/* the field a folded line continues */
	size_t lastn = 0, ll, vl;
	bool status_seen = false;

	memset(out, 0, sizeof *out);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		ll = (size_t)(nl - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll > 0 && (p[0] == ' ' || p[0] == '\t')) {
			if (last != NULL)
				value_add(last, lastn, p, ll);
			continue;
		}
		last = NULL;
		if (field(p, ll, "Final-Recipient:", &v, &vl)) {
			if (out->nrcpt == DSN_RCPT_MAX) {
				out->more = true;
				cur = NULL;
				continue;
			}
			cur = &out->rcpt[out->nrcpt++];
			/* "rfc822; addr": the address type is always
			 * rfc822 for mail */
			if ((semi = memchr(v, ';', vl)) != NULL) {
				vl -= (size_t)(semi + 1 - v);
				v = semi + 1;
			}
			value_add(cur->final_recipient,
			    sizeof cur->final_recipient, v, vl);
		} else if (field(p, ll, "Status:", &v, &vl)) {
			if (!status_seen) {
				status_seen = true;
				status_code(out->status, v, vl);
			}
			if (cur != NULL && cur->status[0] == '\0')
				status_code(cur->status, v, vl);
		} else if (cur != NULL && field(p, ll, "Action:", &v, &vl)) {
			if (cur->action[0] == '\0')
				value_add(cur->action, sizeof cur->action, v,
				    vl);
		} else if (cur != NULL &&
		    field(p, ll, "Diagnostic-Code:", &v, &vl)) {
			if (cur->diagnostic[0] == '\0') {
				value_add(cur->diagnostic,
				    sizeof cur->diagnostic, v, vl);
				last = cur->diagnostic;
				lastn = sizeof cur->diagnostic;
			}
		}
	}
}
