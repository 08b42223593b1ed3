/*
 * export_csv: one row per (post, indicator), RFC 4180.  The consumer is
 * a spreadsheet as often as a script, so cells that a spreadsheet would
 * run as a formula are defused (OWASP "CSV injection").
 */
#include "config.h"

#include "archive/export_impl.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char header[] =
    "post,date,list,team,tlp,type,value,flags,subject,context\r\n";

static int
csv_begin(struct exporter *e, char *err, size_t errlen)
{
	FILE *f;

	if ((f = export_open_file(e->out, err, errlen)) == NULL)
		return -1;
	fputs(header, f);
	e->state = f;
	return 0;
}

void
export_csv_cell(FILE *f, const char *s, int last)
{
	char *clean = export_utf8(s != NULL ? s : "", 0, 0);
	const char *p;
	size_t n;
	int quote;

	quote = strpbrk(clean, ",\"\r\n") != NULL;
	if (quote)
		putc('"', f);
	/* A leading quote makes the cell text in Excel, LibreOffice and
	 * Google Sheets; TAB and CR start formulas in some of them too. */
	if (clean[0] != '\0' && strchr("=+-@\t\r", clean[0]) != NULL)
		putc('\'', f);
	for (p = clean; *p != '\0'; p += n) {
		unsigned cp = export_unsafe_cp((const unsigned char *)p, &n);

		if (*p == '"')
			putc('"', f);
		/* CSV has no escapes: controls (but the line breaks a quoted
		 * cell may hold), C1 and bidi controls become '?' */
		if (cp != 0 && cp != '\t' && cp != '\r' && cp != '\n')
			putc('?', f);
		else
			fwrite(p, 1, n, f);
	}
	if (quote)
		putc('"', f);
	fputs(last ? "\r\n" : ",", f);
	free(clean);
}

static void
flags_str(unsigned flags, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s",
	    flags & IND_DOC ? "doc" : "",
	    (flags & IND_DOC) && (flags & (IND_DEFANGED | IND_OWN)) ? ";" : "",
	    flags & IND_DEFANGED ? "defanged" : "",
	    (flags & IND_DEFANGED) && (flags & IND_OWN) ? ";" : "",
	    flags & IND_OWN ? "own" : "");
}

static int
csv_post(struct exporter *e, const struct archive_record *r, char *err,
    size_t errlen)
{
	FILE *f = e->state;
	char date[EXPORT_TIME_MAX], flags[32];
	size_t i;

	export_time(r->at, EXPORT_TIME_ISO, date, sizeof(date));
	for (i = 0; i < r->ninds; i++) {
		const struct archive_ind *ind = &r->inds[i];

		flags_str(ind->flags, flags, sizeof(flags));
		export_csv_cell(f, r->id, 0);
		export_csv_cell(f, date, 0);
		export_csv_cell(f, r->list, 0);
		export_csv_cell(f, r->team, 0);
		export_csv_cell(f, tlp_str(r->tlp), 0);
		export_csv_cell(f, ind_type_str(ind->type), 0);
		export_csv_cell(f, ind->value, 0);
		export_csv_cell(f, flags, 0);
		export_csv_cell(f, r->subject, 0);
		export_csv_cell(f, ind->context, 1);
		e->items++;
	}
	/* Stop at the first lost write rather than at export_end. */
	if (ferror(f)) {
		snprintf(err, errlen, "%s: write error",
		    e->out != NULL ? e->out : "stdout");
		return -1;
	}
	return 0;
}

static int
csv_end(struct exporter *e, char *err, size_t errlen)
{
	FILE *f = e->state;

	e->state = NULL;
	return export_close_file(f, e->out, err, errlen);
}

static void
csv_free(struct exporter *e, int aborted)
{
	FILE *f = e->state;

	(void)aborted;	/* a partial CSV is still the caller's file */
	if (f != NULL && f != stdout)
		fclose(f);
	e->state = NULL;
}

const struct export_format export_csv = {
	"csv", csv_begin, csv_post, csv_end, csv_free,
};
