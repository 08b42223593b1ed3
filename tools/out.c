#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "tools/out.h"
#include "tools/safetext.h"

#define OUT_DEPTH	16
#define OUT_COLUMN	14	/* text: width of a column in the ls form */

enum frame_type {
	FRAME_MAP,
	FRAME_LIST,
};

struct frame {
	enum frame_type	 type;
	int		 count;		/* values so far */
	int		 inline_map;	/* text: a map in a list, one line */
	int		 indent;	/* text: spaces before each line */
	size_t		 lastw;		/* text: width of the last column */
};

struct out {
	FILE		*fp;
	int		 json;
	int		 depth;
	int		 any;		/* anything printed */
	const char	*key;
	struct frame	 f[OUT_DEPTH];
};

struct out *
out_new(FILE *fp, int json)
{
	struct out *o = xcalloc(1, sizeof *o);

	o->fp = fp;
	o->json = json;
	return o;
}

void
out_free(struct out *o)
{
	if (o == NULL)
		return;
	if (o->json && o->any)
		fputc('\n', o->fp);
	free(o);
}

static struct frame *
top(struct out *o)
{
	return o->depth > 0 ? &o->f[o->depth - 1] : NULL;
}

/* Every string in JSON: controls, format characters and bad UTF-8
 * escaped (tools/safetext.h). */
static void
json_string(FILE *fp, const char *v)
{
	safetext_json(fp, v);
}

/* JSON: the separator and key before a value or a container. */
static void
json_prefix(struct out *o)
{
	struct frame *f = top(o);

	if (f == NULL)
		return;
	if (f->count > 0)
		fputc(',', o->fp);
	if (f->type == FRAME_MAP) {
		if (o->key == NULL)
			panic("out: value without a key in a map");
		json_string(o->fp, o->key);
		fputc(':', o->fp);
	}
	f->count++;
	o->key = NULL;
}

/*
 * Text for a terminal: values may come from mail (an archived subject or
 * body) or from a store older than the rules for input, so every control
 * character, bidirectional or format character and octet of bad UTF-8
 * is shown as an escape (\x1b, \u202e; tools/safetext.h), never sent to
 * the terminal.  A value is one line: LF and TAB are escaped too, but in
 * a multi-line value (out_text), where each line after the first is
 * indented below its key.  Returns the width printed.
 */
static size_t
put_safe(FILE *fp, const char *s, unsigned flags, int indent)
{
	return safetext_write(fp, s, strlen(s), flags, indent);
}

/* Text: print a scalar already formatted as s. */
static void
text_scalar(struct out *o, const char *s, unsigned flags)
{
	struct frame *f = top(o);
	size_t pad;

	if (s == NULL || *s == '\0')
		s = "-";
	if (f == NULL) {
		put_safe(o->fp, s, flags, 2);
		fputc('\n', o->fp);
	} else if (f->type == FRAME_MAP && f->inline_map) {
		if (f->count > 0) {
			pad = f->lastw < OUT_COLUMN ? OUT_COLUMN - f->lastw : 1;
			fprintf(o->fp, "%*s", (int)(pad < 2 ? 2 : pad), "");
		}
		/* one line of columns: never a line break in it */
		f->lastw = put_safe(o->fp, s, 0, 0);
		f->count++;
	} else if (f->type == FRAME_MAP) {
		fprintf(o->fp, "%*s%s: ", f->indent, "",
		    o->key != NULL ? o->key : "?");
		put_safe(o->fp, s, flags, f->indent + 2);
		fputc('\n', o->fp);
		f->count++;
	} else {
		fprintf(o->fp, "%*s", f->indent, "");
		put_safe(o->fp, s, flags, f->indent + 2);
		fputc('\n', o->fp);
		f->count++;
	}
	o->key = NULL;
}

static void
push(struct out *o, enum frame_type type)
{
	struct frame *parent = top(o), *f;

	if (o->depth == OUT_DEPTH)
		panic("out: nested too deep");
	f = &o->f[o->depth];
	memset(f, 0, sizeof *f);
	f->type = type;
	o->any = 1;
	if (o->json) {
		json_prefix(o);
		fputc(type == FRAME_MAP ? '{' : '[', o->fp);
		o->depth++;
		return;
	}
	if (parent == NULL) {
		f->indent = 0;
	} else if (parent->type == FRAME_LIST && type == FRAME_MAP) {
		f->inline_map = 1;
		f->indent = parent->indent;
		fprintf(o->fp, "%*s", f->indent, "");
		parent->count++;
	} else if (parent->type == FRAME_MAP && !parent->inline_map) {
		fprintf(o->fp, "%*s%s:\n", parent->indent, "",
		    o->key != NULL ? o->key : "?");
		f->indent = parent->indent + 2;
		parent->count++;
	} else {
		f->indent = parent->indent + 2;
		parent->count++;
	}
	o->key = NULL;
	o->depth++;
}

static void
pop(struct out *o, enum frame_type type)
{
	struct frame *f = top(o);

	if (f == NULL || f->type != type)
		panic("out: unbalanced %s end",
		    type == FRAME_MAP ? "map" : "list");
	if (o->json)
		fputc(type == FRAME_MAP ? '}' : ']', o->fp);
	else if (f->inline_map)
		fputc('\n', o->fp);
	o->depth--;
}

void
out_map_begin(struct out *o)
{
	push(o, FRAME_MAP);
}

void
out_map_end(struct out *o)
{
	pop(o, FRAME_MAP);
}

void
out_list_begin(struct out *o)
{
	push(o, FRAME_LIST);
}

void
out_list_end(struct out *o)
{
	pop(o, FRAME_LIST);
}

void
out_key(struct out *o, const char *key)
{
	o->key = key;
}

void
out_str(struct out *o, const char *v)
{
	o->any = 1;
	if (!o->json) {
		text_scalar(o, v, 0);
		return;
	}
	json_prefix(o);
	if (v == NULL)
		fputs("null", o->fp);
	else
		json_string(o->fp, v);
}

void
out_int(struct out *o, long long v)
{
	char s[32];

	o->any = 1;
	if (!o->json) {
		snprintf(s, sizeof s, "%lld", v);
		text_scalar(o, s, 0);
		return;
	}
	json_prefix(o);
	fprintf(o->fp, "%lld", v);
}

void
out_bool(struct out *o, int v)
{
	o->any = 1;
	if (!o->json) {
		text_scalar(o, v ? "yes" : "no", 0);
		return;
	}
	json_prefix(o);
	fputs(v ? "true" : "false", o->fp);
}

void
out_json(struct out *o, const char *json)
{
	if (!o->json || json == NULL) {
		out_str(o, json);
		return;
	}
	o->any = 1;
	json_prefix(o);
	/* ours, but its strings may hold what a stranger wrote */
	if (safetext_json_embed(o->fp, json) == -1)
		json_string(o->fp, json);
}

void
out_text(struct out *o, const char *v)
{
	char *t;
	size_t n;

	if (o->json || v == NULL) {
		out_str(o, v);
		return;
	}
	/* the lines of the value, without the line breaks that end it */
	n = strlen(v);
	while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	t = xstrndup(v, n);
	o->any = 1;
	text_scalar(o, t, SAFETEXT_KEEP_NL | SAFETEXT_KEEP_TAB);
	free(t);
}

void
out_kstr(struct out *o, const char *key, const char *v)
{
	out_key(o, key);
	out_str(o, v);
}

void
out_ktext(struct out *o, const char *key, const char *v)
{
	out_key(o, key);
	out_text(o, v);
}

void
out_kint(struct out *o, const char *key, long long v)
{
	out_key(o, key);
	out_int(o, v);
}

void
out_kbool(struct out *o, const char *key, int v)
{
	out_key(o, key);
	out_bool(o, v);
}
