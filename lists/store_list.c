#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include <sqlcipher/sqlite3.h>

#include "crypto/gpg.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "lists/model.h"
#include "lists/store.h"
#include "lists/store_impl.h"
#include "lists/tlp.h"

int
store_valid_list_name(const char *name)
{
	size_t i, n;

	if (name == NULL || (n = strlen(name)) == 0 || n >= MODEL_LIST_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

static char *
list_json(const struct store_list *l)
{
	struct buf *b = buf_new(0);
	char *r;

	buf_append_str(b, "{\"name\":");
	json_append_str(b, l->l.name);
	buf_append_str(b, ",\"description\":");
	json_append_str(b, l->l.description);
	buf_printf(b, ",\"default_tlp\":\"%s\",\"may_post\":\"%s\"",
	    tlp_str(l->l.default_tlp), post_permission_str(l->l.may_post));
	buf_append_str(b, ",\"subject_tag\":");
	json_append_str(b, l->l.subject_tag);
	buf_printf(b, ",\"keep_msgid\":%s,\"max_size\":%zu,"
	    "\"max_signature_age\":%lld,\"bounce_score_threshold\":%u,"
	    "\"fpr\":\"%s\"}",
	    l->l.opts.keep_msgid ? "true" : "false", l->l.opts.max_size,
	    l->l.opts.max_signature_age, l->bounce_threshold, l->fpr);
	r = xstrdup(buf_data(b));
	buf_free(b);
	return r;
}

#define LIST_COLS	"name, description, default_tlp, may_post, " \
	"subject_tag, keep_msgid, max_size, fpr, max_signature_age, " \
	"bounce_score_threshold"

static void
row_list(sqlite3_stmt *stmt, struct store_list *l)
{
	memset(l, 0, sizeof *l);
	store_col_copy(stmt, 0, l->l.name, sizeof l->l.name);
	l->l.description = store_col_dup(stmt, 1);
	if (tlp_from_name((const char *)sqlite3_column_text(stmt, 2),
	    &l->l.default_tlp) == -1 || l->l.default_tlp == TLP_NONE)
		l->l.default_tlp = TLP_RED;	/* when in doubt, restrict */
	if (post_permission_from_name((const char *)sqlite3_column_text(stmt,
	    3), &l->l.may_post) == -1)
		l->l.may_post = POST_ADMINS;
	store_col_copy(stmt, 4, l->l.subject_tag, sizeof l->l.subject_tag);
	l->l.opts.keep_msgid = sqlite3_column_int(stmt, 5) != 0;
	l->l.opts.max_size = (size_t)sqlite3_column_int64(stmt, 6);
	store_col_copy(stmt, 7, l->fpr, sizeof l->fpr);
	l->l.opts.max_signature_age = sqlite3_column_int64(stmt, 8);
	l->bounce_threshold = (unsigned)sqlite3_column_int64(stmt, 9);
}

enum store_status
store_list_get(struct store *s, const char *name, struct store_list *l)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	int rc;

	if ((st = store_prep(s, "SELECT " LIST_COLS " FROM lists WHERE name = "
	    "?", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		row_list(stmt, l);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE)
		return store_seterr(s, STORE_NOT_FOUND, "no such list: %s",
		    name);
	if (rc != SQLITE_ROW)
		return store_dberr(s, rc, "list");
	return STORE_OK;
}

void
store_list_clear(struct store_list *l)
{
	if (l == NULL)
		return;
	free((char *)(uintptr_t)l->l.description);
	l->l.description = NULL;
}

void
store_lists_free(struct store_list *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		store_list_clear(&v[i]);
	free(v);
}

static int
valid_tag(const char *tag)
{
	const unsigned char *p;

	if (strlen(tag) >= MODEL_TAG_MAX)
		return 0;
	for (p = (const unsigned char *)tag; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Write all columns of l (insert or update); inside a transaction. */
static enum store_status
list_write(struct store *s, const struct store_list *l, int insert)
{
	sqlite3_stmt *stmt;
	enum store_status st;

	if ((st = store_prep(s, insert ? "INSERT INTO lists (name, "
	    "description, default_tlp, may_post, subject_tag, keep_msgid, "
	    "max_size, fpr, max_signature_age, bounce_score_threshold, "
	    "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10, ?11, ?9)" :
	    "UPDATE lists SET description = ?2, default_tlp = ?3, may_post = "
	    "?4, subject_tag = ?5, keep_msgid = ?6, max_size = ?7, fpr = ?8, "
	    "max_signature_age = ?10, bounce_score_threshold = ?11 WHERE name "
	    "= ?1", &stmt)) != STORE_OK)
		return st;
	store_bind_text(stmt, 1, l->l.name);
	store_bind_text(stmt, 2, l->l.description);
	store_bind_text(stmt, 3, tlp_str(l->l.default_tlp));
	store_bind_text(stmt, 4, post_permission_str(l->l.may_post));
	store_bind_text(stmt, 5, l->l.subject_tag);
	sqlite3_bind_int(stmt, 6, l->l.opts.keep_msgid ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)l->l.opts.max_size);
	store_bind_text(stmt, 8, l->fpr);
	if (insert)
		sqlite3_bind_int64(stmt, 9, (sqlite3_int64)hub_now());
	sqlite3_bind_int64(stmt, 10,
	    (sqlite3_int64)l->l.opts.max_signature_age);
	sqlite3_bind_int64(stmt, 11, (sqlite3_int64)l->bounce_threshold);
	return store_step_done(s, stmt, "list");
}

void
store_list_init(struct store_list *l, const char *name)
{
	memset(l, 0, sizeof *l);
	snprintf(l->l.name, sizeof l->l.name, "%s", name);
	l->l.default_tlp = TLP_AMBER;
	l->l.may_post = POST_MEMBERS;
	l->l.opts.max_signature_age = LIST_MAX_SIGNATURE_AGE_DEFAULT;
	l->bounce_threshold = STORE_BOUNCE_THRESHOLD_DEFAULT;
}

enum store_status
store_list_create(struct store *s, const struct store_list *l)
{
	enum store_status st;
	char *after;

	if (!store_valid_list_name(l->l.name))
		return store_seterr(s, STORE_INVALID, "bad list name: %s "
		    "(1-63 of a-z 0-9 . _ -)", l->l.name);
	if (l->l.default_tlp == TLP_NONE || !valid_tag(l->l.subject_tag) ||
	    (l->fpr[0] != '\0' && !gpg_is_fpr(l->fpr)))
		return store_seterr(s, STORE_INVALID, "bad list record: %s",
		    l->l.name);
	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = list_write(s, l, 1)) == STORE_EXISTS)
		st = store_seterr(s, STORE_EXISTS, "list already exists: %s",
		    l->l.name);
	if (st == STORE_OK) {
		after = list_json(l);
		st = store_audit_row(s, "list.create", l->l.name, NULL, after);
		free(after);
	}
	return store_tx_end(s, st);
}

enum store_status
store_list_list(struct store *s, struct store_list **vp, size_t *np)
{
	sqlite3_stmt *stmt;
	enum store_status st;
	struct store_list *v = NULL;
	size_t n = 0;
	int rc;

	if ((st = store_prep(s, "SELECT " LIST_COLS " FROM lists ORDER BY name",
	    &stmt)) != STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		row_list(stmt, &v[n++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		store_lists_free(v, n);
		return store_dberr(s, rc, "lists");
	}
	*vp = v;
	*np = n;
	return STORE_OK;
}

int
store_list_apply(struct store_list *l, const char *option, const char *value,
    char **newdesc, int *known)
{
	enum post_permission pp;
	enum tlp t;

	*known = 1;
	if (strcmp(option, "description") == 0) {
		free(*newdesc);
		*newdesc = xstrdup(value);
		l->l.description = *newdesc;
	} else if (strcmp(option, "default_tlp") == 0) {
		if (tlp_from_name(value, &t) == -1 || t == TLP_NONE)
			return -1;
		l->l.default_tlp = t;
	} else if (strcmp(option, "may_post") == 0) {
		if (post_permission_from_name(value, &pp) == -1)
			return -1;
		l->l.may_post = pp;
	} else if (strcmp(option, "subject_tag") == 0) {
		if (!valid_tag(value))
			return -1;
		snprintf(l->l.subject_tag, sizeof l->l.subject_tag, "%s",
		    value);
	} else if (strcmp(option, "keep_msgid") == 0) {
		if (store_parse_bool(value, &l->l.opts.keep_msgid) == -1)
			return -1;
	} else if (strcmp(option, "max_size") == 0) {
		if (store_parse_size(value, &l->l.opts.max_size) == -1)
			return -1;
	} else if (strcmp(option, "max_signature_age") == 0) {
		if (store_parse_duration(value,
		    &l->l.opts.max_signature_age) == -1)
			return -1;
	} else if (strcmp(option, "bounce_score_threshold") == 0) {
		size_t n;

		if (store_parse_size(value, &n) == -1 ||
		    n > STORE_BOUNCE_THRESHOLD_MAX)
			return -1;
		l->bounce_threshold = (unsigned)n;
	} else {
		*known = 0;
		return -1;
	}
	return 0;
}

enum store_status
store_list_set(struct store *s, const char *name, const char *option,
    const char *value)
{
	struct store_list l;
	enum store_status st;
	char *before, *after, *newdesc = NULL;
	const char *olddesc;
	int known;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_list_get(s, name, &l)) != STORE_OK)
		return store_tx_end(s, st);
	olddesc = l.l.description;
	before = list_json(&l);
	if (store_list_apply(&l, option, value, &newdesc, &known) == -1) {
		st = known ? store_seterr(s, STORE_INVALID, "bad value for %s: "
		    "%s", option, value) : store_seterr(s, STORE_INVALID,
		    "no such list option: %s", option);
		after = NULL;
	} else {
		after = list_json(&l);
		if ((st = list_write(s, &l, 0)) == STORE_OK)
			st = store_audit_row(s, "list.set", l.l.name, before,
			    after);
	}
	free(before);
	free(after);
	free(newdesc);
	l.l.description = olddesc;
	store_list_clear(&l);
	return store_tx_end(s, st);
}

enum store_status
store_list_delete(struct store *s, const char *name)
{
	struct store_list l;
	sqlite3_stmt *stmt;
	enum store_status st;
	char *before;

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_list_get(s, name, &l)) != STORE_OK)
		return store_tx_end(s, st);
	before = list_json(&l);
	if ((st = store_prep(s, "DELETE FROM lists WHERE name = ?", &stmt)) ==
	    STORE_OK) {
		store_bind_text(stmt, 1, l.l.name);
		st = store_step_done(s, stmt, "list");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "list.delete", l.l.name, before, NULL);
	free(before);
	store_list_clear(&l);
	return store_tx_end(s, st);
}
