/*
 * out: the one printer of hubctl's results, with two back ends behind one
 * interface (notmuch's sprinter): text for people, JSON for scripts.
 *
 * A command describes its result as nested maps and lists of scalars:
 * out_map_begin(), out_key() + a value, out_list_begin(), ...  The JSON
 * back end prints exactly that structure (one document per run).  The
 * text back end prints a map as "key: value" lines, a list as one item
 * per line, and a map inside a list as one line of columns (the "ls"
 * form), without its keys.
 *
 * Owned by the caller: out_new() ... out_free(); out_free(NULL) is a
 * no-op.  Writes to a stdio stream; never blocks beyond that.
 */
#ifndef TOOLS_OUT_H
#define TOOLS_OUT_H

#include <stdio.h>

struct out;

struct out *out_new(FILE *fp, int json);
/* Ends the document (a newline after JSON) and frees. */
void out_free(struct out *o);

void out_map_begin(struct out *o);
void out_map_end(struct out *o);
void out_list_begin(struct out *o);
void out_list_end(struct out *o);
/* The key of the next value inside a map; the string must live until
 * that value is printed. */
void out_key(struct out *o, const char *key);
/*
 * NULL is JSON null and "-" in text, as is "" in text.  Any string may
 * come from a stranger's mail: control characters, bidirectional and
 * format characters and bad UTF-8 are printed escaped, in text and in
 * JSON (tools/safetext.h); in text a value stays on one line.
 */
void out_str(struct out *o, const char *v);
/* A value of several lines (an archived body): as out_str, but in text
 * its line breaks and tabs are kept, each line after the first indented
 * below its key, and line breaks at its end dropped. */
void out_text(struct out *o, const char *v);
void out_int(struct out *o, long long v);
void out_bool(struct out *o, int v);
/* A JSON text we made ourselves (the audit log's before/after): embedded
 * as is in JSON, printed as a string in text; NULL as out_str(NULL). */
void out_json(struct out *o, const char *json);

/* Shorthands: out_key + value. */
void out_kstr(struct out *o, const char *key, const char *v);
void out_ktext(struct out *o, const char *key, const char *v);
void out_kint(struct out *o, const char *key, long long v);
void out_kbool(struct out *o, const char *key, int v);

#endif
