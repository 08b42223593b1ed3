#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlcipher/sqlite3.h>

#include "base/xalloc.h"
#include "lists/store.h"
#include "lists/store_impl.h"

static int
parse_required(const char *v, unsigned *out)
{
	size_t n;

	if (store_parse_size(v, &n) == -1 || n < 1
	    || n > STORE_ENDORSEMENTS_MAX)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static char *
community_json(const struct store_community *c)
{
	return xasprintf("{\"endorsements_required\":%u,"
	    "\"admin_approval\":%s,\"lang\":\"%s\"}",
	    c->endorsements_required, c->admin_approval ? "true" : "false",
	    c->lang);
}

enum store_status
store_community_get(struct store *s, struct store_community *c)
{
	struct store_community r;
	sqlite3_stmt *stmt;
	enum store_status st;
	const char *k, *v;
	int rc;

	r.endorsements_required = STORE_ENDORSEMENTS_DEFAULT;
	r.admin_approval = false;
	snprintf(r.lang, sizeof r.lang, "en");
	if ((st = store_prep(s, "SELECT key, value FROM settings", &stmt)) !=
	    STORE_OK)
		return st;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		k = (const char *)sqlite3_column_text(stmt, 0);
		v = (const char *)sqlite3_column_text(stmt, 1);
		if (k == NULL || v == NULL)
			continue;
		/* store_community_set() wrote them: a bad one keeps the
		 * default rather than failing every command */
		if (strcmp(k, "endorsements_required") == 0)
			(void)parse_required(v, &r.endorsements_required);
		else if (strcmp(k, "admin_approval") == 0)
			(void)store_parse_bool(v, &r.admin_approval);
		else if (strcmp(k, "lang") == 0 && (strcmp(v, "ja") == 0 ||
		    strcmp(v, "en") == 0))
			snprintf(r.lang, sizeof r.lang, "%s", v);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_dberr(s, rc, "settings");
	*c = r;
	return STORE_OK;
}

enum store_status
store_community_set(struct store *s, const char *key, const char *value)
{
	struct store_community c;
	sqlite3_stmt *stmt;
	enum store_status st;
	char *before, *after, canon[16];

	if ((st = store_tx_begin(s)) != STORE_OK)
		return st;
	if ((st = store_community_get(s, &c)) != STORE_OK)
		return store_tx_end(s, st);
	before = community_json(&c);
	if (strcmp(key, "endorsements_required") == 0) {
		if (parse_required(value, &c.endorsements_required) == -1)
			st = store_seterr(s, STORE_INVALID, "bad value for %s: "
			    "%s (1 to %d)", key, value, STORE_ENDORSEMENTS_MAX);
		snprintf(canon, sizeof canon, "%u", c.endorsements_required);
	} else if (strcmp(key, "admin_approval") == 0) {
		if (store_parse_bool(value, &c.admin_approval) == -1)
			st = store_seterr(s, STORE_INVALID, "bad value for %s: "
			    "%s (yes or no)", key, value);
		snprintf(canon, sizeof canon, "%s", c.admin_approval ? "yes" :
		    "no");
	} else if (strcmp(key, "lang") == 0) {
		if (strcmp(value, "ja") != 0 && strcmp(value, "en") != 0)
			st = store_seterr(s, STORE_INVALID, "bad value for %s: "
			    "%s (ja or en)", key, value);
		else
			snprintf(c.lang, sizeof c.lang, "%s", value);
		snprintf(canon, sizeof canon, "%s", c.lang);
	} else
		st = store_seterr(s, STORE_INVALID, "no such community option: "
		    "%s", key);
	if (st != STORE_OK) {
		free(before);
		return store_tx_end(s, st);
	}
	after = community_json(&c);
	if ((st = store_prep(s, "INSERT OR REPLACE INTO settings (key, value) "
	    "VALUES (?, ?)", &stmt)) == STORE_OK) {
		store_bind_text(stmt, 1, key);
		store_bind_text(stmt, 2, canon);
		st = store_step_done(s, stmt, "settings");
	}
	if (st == STORE_OK)
		st = store_audit_row(s, "community.set", key, before, after);
	free(before);
	free(after);
	return store_tx_end(s, st);
}
