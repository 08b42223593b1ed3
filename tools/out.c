#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/base/log.h"
#include "hub/base/xalloc.h"
#include "tools/out.h"

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

int
out_is_json(const struct out *o)
{
	return o->json;
}

static struct frame *
top(struct out *o)
{
	return o->depth > 0 ? &o->f[o->depth - 1] : NULL;
}

static void
json_string(FILE *fp, const char *v)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
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

/* Text: print a scalar already formatted as s. */
/*
 * Text for a terminal: values may come from mail (an archived subject or
 * body), so control characters but newline and tab, and the C1 controls
 * as UTF-8 (U+0080..U+009F, e.g. CSI), are shown as '?', never sent to
 * the terminal.
 */
static void
put_safe(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', fp);
			p++;
		} else if ((*p < 0x20 && *p != '\n' && *p != '\t') ||
		    *p == 0x7f)
			fputc('?', fp);
		else
			fputc(*p, fp);
	}
}

static void
text_scalar(struct out *o, const char *s)
{
	struct frame *f = top(o);
	size_t pad;

	if (s == NULL || *s == '\0')
		s = "-";
	if (f == NULL) {
		put_safe(o->fp, s);
		fputc('\n', o->fp);
	} else if (f->type == FRAME_MAP && f->inline_map) {
		if (f->count > 0) {
			pad = f->lastw < OUT_COLUMN ? OUT_COLUMN - f->lastw : 1;
			fprintf(o->fp, "%*s", (int)(pad < 2 ? 2 : pad), "");
		}
		put_safe(o->fp, s);
		f->lastw = strlen(s);
		f->count++;
	} else if (f->type == FRAME_MAP) {
		fprintf(o->fp, "%*s%s: ", f->indent, "",
		    o->key != NULL ? o->key : "?");
		put_safe(o->fp, s);
		fputc('\n', o->fp);
		f->count++;
	} else {
		fprintf(o->fp, "%*s", f->indent, "");
		put_safe(o->fp, s);
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
		text_scalar(o, v);
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
		text_scalar(o, s);
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
		text_scalar(o, v ? "yes" : "no");
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
	fputs(json, o->fp);
}

void
out_kstr(struct out *o, const char *key, const char *v)
{
	out_key(o, key);
	out_str(o, v);
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
