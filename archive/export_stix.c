/*
 * export_stix: one STIX 2.1 bundle (REFERENCE.md §4).  Indicators and
 * vulnerabilities are written as posts come, so memory does not grow
 * with the archive; the identities and TLP marking definitions they
 * refer to are remembered and appended before the array closes (a
 * bundle's objects are unordered).
 */
#include "config.h"

#include "archive/export_impl.h"
#include "base/json.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Identities carry no date of their own.  A constant keeps every export
 * of the same team byte-identical, so an importer never sees two
 * versions of one id that disagree on "created". */
#define IDENTITY_CREATED	"1970-01-01T00:00:00.000Z"
#define TLP2_CREATED		"2022-10-01T00:00:00.000Z"
#define TLP2_EXTENSION \
	"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The TLP 2.0 marking definitions of oasis-open/cti-stix-common-objects:
 * their ids are fixed, so every consumer recognises them. */
static const char *const tlp2_ids[] = {
	[TLP_CLEAR] = "94868c89-83c2-464b-929b-a1a8aa3c8487",
	[TLP_GREEN] = "bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	[TLP_AMBER] = "55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	[TLP_AMBER_STRICT] = "939a9414-2ddd-4d32-a0cd-375ea402b003",
};

struct stix {
	FILE		*f;
	size_t		 nobj;
	char		**teams;
	size_t		 nteams;
	unsigned	 used;		/* 1 << enum tlp of markings used */
};

static int
stix_begin(struct exporter *e, char *err, size_t errlen)
{
	struct stix *s;
	char uuid[EXPORT_UUID_LEN + 1];
	FILE *f;

	if ((f = export_open_file(e->out, err, errlen)) == NULL)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->f = f;
	e->state = s;
	export_uuid5f(uuid, "bundle:%s:%lld", e->hub, e->now);
	fprintf(f, "{\"type\":\"bundle\",\"id\":\"bundle--%s\","
	    "\"objects\":[", uuid);
	return 0;
}

static void
next_object(struct stix *s)
{
	fputs(s->nobj++ > 0 ? ",\n" : "\n", s->f);
}

static void
remember_team(struct stix *s, const char *team)
{
	size_t i;

	/* Communities have tens of teams, not thousands: a scan will do. */
	for (i = s->nteams; i > 0; i--)
		if (strcmp(s->teams[i - 1], team) == 0)
			return;
	s->teams = xreallocarray(s->teams, s->nteams + 1, sizeof(char *));
	s->teams[s->nteams++] = xstrdup(team);
}

/* value as a STIX pattern string literal: only ' and \ are escaped. */
static char *
pattern_str(const char *object_path, const char *value)
{
	char *out, *o;
	const char *p;

	out = o = xmalloc(strlen(object_path) + 2 * strlen(value) + 16);
	o += sprintf(o, "[%s = '", object_path);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\'' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	strcpy(o, "']");
	return out;
}

/* The indicator's pattern; NULL when the value cannot be one (CVE ids
 * become vulnerabilities, an unparsable AS number nothing). */
static char *
pattern(const struct archive_ind *ind)
{
	const char *v = ind->value, *d;

	switch (ind->type) {
	case IND_IPV4:
		return pattern_str("ipv4-addr:value", v);
	case IND_IPV6:
		return pattern_str("ipv6-addr:value", v);
	case IND_CIDR:
		return pattern_str(strchr(v, ':') != NULL ? "ipv6-addr:value" :
		    "ipv4-addr:value", v);
	case IND_DOMAIN:
		return pattern_str("domain-name:value", v);
	case IND_URL:
		return pattern_str("url:value", v);
	case IND_EMAIL:
		return pattern_str("email-addr:value", v);
	case IND_MD5:
		return pattern_str("file:hashes.MD5", v);
	case IND_SHA1:
		return pattern_str("file:hashes.'SHA-1'", v);
	case IND_SHA256:
		return pattern_str("file:hashes.'SHA-256'", v);
	case IND_SHA512:
		return pattern_str("file:hashes.'SHA-512'", v);
	case IND_ASN:
		/* number is an integer property: no quotes. */
		for (d = v; *d != '\0' && (*d < '0' || *d > '9'); d++)
			;
		if (*d == '\0' || d[strspn(d, "0123456789")] != '\0' ||
		    strlen(d) > 10)
			return NULL;
		return xasprintf("[autonomous-system:number = %s]", d);
	case IND_CVE:
		break;
	}
	return NULL;
}

/* What every SDO of a post shares. */
static void
sdo_head(struct stix *s, const char *type, const char *uuid,
    const char *created, const char *creator, enum tlp t)
{
	next_object(s);
	fprintf(s->f, "{\"type\":\"%s\",\"spec_version\":\"2.1\","
	    "\"id\":\"%s--%s\",\"created\":\"%s\",\"modified\":\"%s\","
	    "\"created_by_ref\":\"identity--%s\","
	    "\"object_marking_refs\":[\"marking-definition--%s\"]",
	    type, type, uuid, created, created, creator, tlp2_ids[t]);
	s->used |= 1u << t;
}

static void
indicator(struct stix *s, const struct archive_record *r,
    const struct archive_ind *ind, const char *creator, const char *pat)
{
	char uuid[EXPORT_UUID_LEN + 1], created[EXPORT_TIME_MAX];
	char valid[EXPORT_TIME_MAX], *name;

	export_uuid5f(uuid, "ind:%s:%s:%s", r->id, ind_type_str(ind->type),
	    ind->value);
	export_time(r->at, EXPORT_TIME_STIX, created, sizeof(created));
	export_time(r->at, EXPORT_TIME_ISO, valid, sizeof(valid));
	sdo_head(s, "indicator", uuid, created, creator, r->tlp);
	name = xasprintf("%s %s", ind_type_str(ind->type), ind->value);
	fputs(",\"name\":", s->f);
	json_fput_str(s->f, name);
	free(name);
	if (r->subject != NULL) {
		fputs(",\"description\":", s->f);
		json_fput_str(s->f, r->subject);
	}
	/* Documentation ranges and the hub's own addresses are in the post
	 * but are not evidence of anything. */
	fprintf(s->f, ",\"indicator_types\":[\"%s\"],\"pattern\":",
	    ind->flags & (IND_DOC | IND_OWN) ? "benign" :
	    "malicious-activity");
	json_fput_str(s->f, pat);
	fprintf(s->f, ",\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\","
	    "\"valid_from\":\"%s\"}", valid);
}

static void
vulnerability(struct stix *s, const struct archive_record *r,
    const struct archive_ind *ind, const char *creator)
{
	char uuid[EXPORT_UUID_LEN + 1], created[EXPORT_TIME_MAX];

	export_uuid5f(uuid, "vuln:%s:%s", r->id, ind->value);
	export_time(r->at, EXPORT_TIME_STIX, created, sizeof(created));
	sdo_head(s, "vulnerability", uuid, created, creator, r->tlp);
	fputs(",\"name\":", s->f);
	json_fput_str(s->f, ind->value);
	if (r->subject != NULL) {
		fputs(",\"description\":", s->f);
		json_fput_str(s->f, r->subject);
	}
	fputs(",\"external_references\":[{\"source_name\":\"cve\","
	    "\"external_id\":", s->f);
	json_fput_str(s->f, ind->value);
	fputs("}]}", s->f);
}

static int
stix_post(struct exporter *e, const struct archive_record *r, char *err,
    size_t errlen)
{
	struct stix *s = e->state;
	char creator[EXPORT_UUID_LEN + 1], *pat;
	size_t i;

	if (r->team != NULL && *r->team != '\0') {
		remember_team(s, r->team);
		export_uuid5f(creator, "team:%s", r->team);
	} else
		export_uuid5f(creator, "hub:%s", e->hub);
	for (i = 0; i < r->ninds; i++) {
		const struct archive_ind *ind = &r->inds[i];

		if (ind->type == IND_CVE)
			vulnerability(s, r, ind, creator);
		else if ((pat = pattern(ind)) != NULL) {
			indicator(s, r, ind, creator, pat);
			free(pat);
		} else
			continue;
		e->items++;
	}
	if (ferror(s->f)) {
		snprintf(err, errlen, "%s: write error",
		    e->out != NULL ? e->out : "stdout");
		return -1;
	}
	return 0;
}

static void
identity(struct stix *s, const char *uuid, const char *name,
    const char *class)
{
	next_object(s);
	fprintf(s->f, "{\"type\":\"identity\",\"spec_version\":\"2.1\","
	    "\"id\":\"identity--%s\",\"created\":\"%s\",\"modified\":\"%s\","
	    "\"name\":", uuid, IDENTITY_CREATED, IDENTITY_CREATED);
	json_fput_str(s->f, name);
	fprintf(s->f, ",\"identity_class\":\"%s\"}", class);
}

static int
stix_end(struct exporter *e, char *err, size_t errlen)
{
	struct stix *s = e->state;
	char uuid[EXPORT_UUID_LEN + 1];
	enum tlp t;
	size_t i;
	int rc;

	for (i = 0; i < s->nteams; i++) {
		export_uuid5f(uuid, "team:%s", s->teams[i]);
		identity(s, uuid, s->teams[i], "organization");
	}
	export_uuid5f(uuid, "hub:%s", e->hub);
	identity(s, uuid, e->hub, "system");
	for (t = TLP_CLEAR; t <= TLP_AMBER_STRICT; t++) {
		if (!(s->used & (1u << t)))
			continue;
		next_object(s);
		fprintf(s->f, "{\"type\":\"marking-definition\","
		    "\"spec_version\":\"2.1\","
		    "\"id\":\"marking-definition--%s\",\"created\":\"%s\","
		    "\"name\":\"%s\",\"extensions\":{\"%s\":{"
		    "\"extension_type\":\"property-extension\","
		    "\"tlp_2_0\":\"%s\"}}}", tlp2_ids[t], TLP2_CREATED,
		    tlp_str(t), TLP2_EXTENSION, export_tlp_level(t));
	}
	fputs("\n]}\n", s->f);
	rc = export_close_file(s->f, e->out, err, errlen);
	s->f = NULL;
	return rc;
}

static void
stix_free(struct exporter *e, int aborted)
{
	struct stix *s = e->state;
	size_t i;

	(void)aborted;	/* a partial bundle is still the caller's file */
	if (s == NULL)
		return;
	if (s->f != NULL && s->f != stdout)
		fclose(s->f);
	for (i = 0; i < s->nteams; i++)
		free(s->teams[i]);
	free(s->teams);
	free(s);
	e->state = NULL;
}

const struct export_format export_stix = {
	"stix", stix_begin, stix_post, stix_end, stix_free,
};
