/*
 * export_misp: a MISP feed directory (REFERENCE.md §3): one event per
 * post in <event-uuid>.json, hashes.csv as events go, manifest.json
 * last.  The manifest is built under a temporary name and renamed at
 * the end: MISP reads the manifest first, so a feed without one is
 * visibly unfinished rather than silently short.
 */
#include "config.h"

#include "archive/export_impl.h"
#include "base/json.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST	"manifest.json"
#define MANIFEST_TMP	".manifest.json.part"
#define HASHES		"hashes.csv"
#define INFO_MAX	256	/* MISP's limit on an event's info */

struct misp {
	int	 dirfd;
	FILE	*manifest, *hashes;
	int	 nevents;
};

struct misp_type {
	const char	*type, *category;
};

static struct misp_type
misp_type(enum ind_type t)
{
	static const char net[] = "Network activity";
	static const char payload[] = "Payload delivery";

	switch (t) {
	case IND_IPV4:
	case IND_IPV6:
	case IND_CIDR:	/* ip-dst takes a CIDR block */
		return (struct misp_type){ "ip-dst", net };
	case IND_DOMAIN:
		return (struct misp_type){ "domain", net };
	case IND_URL:
		return (struct misp_type){ "url", net };
	case IND_EMAIL:
		return (struct misp_type){ "email-src", payload };
	case IND_MD5:
		return (struct misp_type){ "md5", payload };
	case IND_SHA1:
		return (struct misp_type){ "sha1", payload };
	case IND_SHA256:
		return (struct misp_type){ "sha256", payload };
	case IND_SHA512:
		return (struct misp_type){ "sha512", payload };
	case IND_CVE:
		return (struct misp_type){ "vulnerability",
		    "External analysis" };
	case IND_ASN:
		/* MISP takes "AS64500" and strips the prefix itself. */
		return (struct misp_type){ "AS", net };
	}
	return (struct misp_type){ "text", "Other" };
}

static const char *
tag_colour(enum tlp t)
{
	switch (t) {
	case TLP_CLEAR:
		return "#ffffff";
	case TLP_GREEN:
		return "#339900";
	default:
		return "#FFC000";	/* amber and amber+strict */
	}
}

static FILE *
misp_create(struct misp *m, const char *dir, const char *name, char *err,
    size_t errlen)
{
	FILE *f;
	int fd;

	/* O_EXCL: the directory was empty, so anything there is not ours. */
	fd = openat(m->dirfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

static int
dir_empty(int dirfd)
{
	struct dirent *de;
	DIR *d;
	int fd, empty = 1;

	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

static int
misp_begin(struct exporter *e, char *err, size_t errlen)
{
	struct misp *m;
	int empty;

	if (e->out == NULL) {
		snprintf(err, errlen, "misp: an output directory is required");
		return -1;
	}
	if (mkdir(e->out, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", e->out, strerror(errno));
		return -1;
	}
	m = xcalloc(1, sizeof(*m));
	m->dirfd = open(e->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->dirfd == -1) {
		snprintf(err, errlen, "%s: %s", e->out, strerror(errno));
		free(m);
		return -1;
	}
	/* Old events in the directory would be served as part of this
	 * feed, under labels and filters nobody chose this time. */
	if ((empty = dir_empty(m->dirfd)) != 1) {
		snprintf(err, errlen, "%s: %s", e->out, empty == 0 ?
		    "directory is not empty (a MISP feed needs a fresh one)" :
		    strerror(errno));
		close(m->dirfd);
		free(m);
		return -1;
	}
	e->state = m;
	if ((m->manifest = misp_create(m, e->out, MANIFEST_TMP, err,
	    errlen)) == NULL ||
	    (m->hashes = misp_create(m, e->out, HASHES, err, errlen)) == NULL)
		return -1;	/* misp_free cleans up */
	fputc('{', m->manifest);
	return 0;
}

/* The fields an event and its manifest entry share. */
static void
event_head(FILE *f, const struct exporter *e, const struct archive_record *r,
    const char *info)
{
	const char *org = r->team != NULL && *r->team != '\0' ? r->team :
	    e->hub;
	char date[EXPORT_TIME_MAX], org_uuid[EXPORT_UUID_LEN + 1];

	export_time(r->at, EXPORT_TIME_DATE, date, sizeof(date));
	export_uuid5f(org_uuid, "team:%s", org);
	fputs("\"info\":", f);
	json_fput_str(f, info);
	fprintf(f, ",\"date\":\"%s\",\"timestamp\":\"%lld\","
	    "\"threat_level_id\":\"2\",\"analysis\":\"2\",\"Orgc\":{\"name\":",
	    date, r->at);
	json_fput_str(f, org);
	fprintf(f, ",\"uuid\":\"%s\"},\"Tag\":[{\"name\":\"tlp:%s\","
	    "\"colour\":\"%s\",\"exportable\":true}]",
	    org_uuid, export_tlp_level(r->tlp), tag_colour(r->tlp));
}

static void
attribute(FILE *f, const struct archive_record *r,
    const struct archive_ind *ind)
{
	struct misp_type mt = misp_type(ind->type);
	char uuid[EXPORT_UUID_LEN + 1], *comment;

	export_uuid5f(uuid, "attr:%s:%s:%s", r->id, ind_type_str(ind->type),
	    ind->value);
	comment = export_trim(ind->context);
	fprintf(f, "{\"uuid\":\"%s\",\"type\":\"%s\",\"category\":\"%s\","
	    "\"value\":", uuid, mt.type, mt.category);
	json_fput_str(f, ind->value);
	/* Documentation ranges and the hub's own addresses would only
	 * make IDS rules fire on nothing (or on us). */
	fprintf(f, ",\"to_ids\":%s,\"distribution\":\"5\","
	    "\"sharing_group_id\":\"0\",\"comment\":",
	    ind->flags & (IND_DOC | IND_OWN) ? "false" : "true");
	json_fput_str(f, comment);
	fprintf(f, ",\"deleted\":false,\"timestamp\":\"%lld\"}", r->at);
	free(comment);
}

static int
misp_post(struct exporter *e, const struct archive_record *r, char *err,
    size_t errlen)
{
	struct misp *m = e->state;
	char uuid[EXPORT_UUID_LEN + 1], name[EXPORT_UUID_LEN + 8], md5[33];
	char *info, *raw;
	FILE *f;
	size_t i;
	int bad;

	export_uuid5f(uuid, "event:%s", r->id);
	snprintf(name, sizeof(name), "%s.json", uuid);
	raw = r->subject != NULL && *r->subject != '\0' ? NULL :
	    xasprintf("csirt-hub post %s", r->id);
	info = export_utf8(raw != NULL ? raw : r->subject, INFO_MAX, 1);
	free(raw);
	if ((f = misp_create(m, e->out, name, err, errlen)) == NULL) {
		free(info);
		return -1;
	}
	/* distribution 0 (this organisation): the TLP tag, not MISP
	 * sharing, says who may see it once imported. */
	fprintf(f, "{\"Event\":{\"uuid\":\"%s\",\"published\":false,"
	    "\"distribution\":\"0\",\"publish_timestamp\":\"0\",", uuid);
	event_head(f, e, r, info);
	fputs(",\"Attribute\":[", f);
	for (i = 0; i < r->ninds; i++) {
		if (i > 0)
			putc(',', f);
		attribute(f, r, &r->inds[i]);
		export_md5_hex(r->inds[i].value, md5);
		fprintf(m->hashes, "%s,%s\n", md5, uuid);
		e->items++;
	}
	fputs("]}}\n", f);
	bad = export_close_file(f, name, err, errlen);

	fprintf(m->manifest, "%s\"%s\":{", m->nevents > 0 ? "," : "", uuid);
	event_head(m->manifest, e, r, info);
	putc('}', m->manifest);
	m->nevents++;
	free(info);
	if (bad == 0 && (ferror(m->manifest) || ferror(m->hashes))) {
		snprintf(err, errlen, "%s: write error", e->out);
		bad = -1;
	}
	return bad;
}

static int
misp_end(struct exporter *e, char *err, size_t errlen)
{
	struct misp *m = e->state;
	int rc;

	fputs("}\n", m->manifest);
	rc = export_close_file(m->manifest, MANIFEST, err, errlen);
	m->manifest = NULL;
	if (rc == 0)
		rc = export_close_file(m->hashes, HASHES, err, errlen);
	else
		fclose(m->hashes);
	m->hashes = NULL;
	if (rc == 0 && renameat(m->dirfd, MANIFEST_TMP, m->dirfd,
	    MANIFEST) == -1) {
		snprintf(err, errlen, "%s/%s: %s", e->out, MANIFEST,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

static void
misp_free(struct exporter *e, int aborted)
{
	struct misp *m = e->state;

	if (m == NULL)
		return;
	if (m->manifest != NULL)
		fclose(m->manifest);
	if (m->hashes != NULL)
		fclose(m->hashes);
	/* Leave no half manifest that looks like a feed's index. */
	if (aborted)
		(void)unlinkat(m->dirfd, MANIFEST_TMP, 0);
	close(m->dirfd);
	free(m);
	e->state = NULL;
}

const struct export_format export_misp = {
	"misp", misp_begin, misp_post, misp_end, misp_free,
};
