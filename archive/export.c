/*
 * export: the format-independent half -- dispatch, the TLP:RED gate,
 * and the helpers every back end needs (files, UTF-8, JSON strings,
 * deterministic UUIDs, times).
 */
#include "config.h"

#include "archive/export_impl.h"
#include "base/utf8.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The hub's UUIDv5 namespace.  Fixed forever: changing it would change
 * every exported id, and MISP/OpenCTI would then duplicate instead of
 * update what they imported before. */
static const unsigned char hub_ns[16] = {
	0xc8, 0x89, 0xf6, 0x8c, 0xcb, 0xe0, 0x44, 0x36,
	0x9a, 0x33, 0xee, 0xfb, 0x0c, 0xa4, 0xf6, 0xec,
};

static const struct export_format *const formats[] = {
	&export_csv, &export_misp, &export_stix,
};

/* ---- dispatch ------------------------------------------------------------ */

static void
gcrypt_init(void)
{
	/* hubctl may be the first libgcrypt user in the process; hashing
	 * needs no secure memory, so do the minimal initialisation only
	 * when nobody did it before us. */
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return;
	(void)gcry_check_version(NULL);
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
}

static void
exporter_free(struct exporter *e, int aborted)
{
	if (e == NULL)
		return;
	e->fmt->free(e, aborted);
	free(e->out);
	free(e->hub);
	free(e);
}

int
export_begin(const char *format, const struct export_opts *o,
    struct exporter **ep, char *err, size_t errlen)
{
	const struct export_format *fmt = NULL;
	struct exporter *e;
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (format != NULL && strcmp(format, formats[i]->name) == 0)
			fmt = formats[i];
	if (fmt == NULL) {
		snprintf(err, errlen, "unknown format: %s (csv, misp, stix)",
		    format != NULL ? format : "(none)");
		return -1;
	}
	gcrypt_init();
	e = xcalloc(1, sizeof(*e));
	e->fmt = fmt;
	e->out = o->out != NULL ? xstrdup(o->out) : NULL;
	/* Identities and the feed's Orgc need some name even when the
	 * caller has no domain configured. */
	e->hub = xstrdup(o->hub != NULL && *o->hub != '\0' ? o->hub :
	    "csirt-hub");
	e->now = o->now;
	if (fmt->begin(e, err, errlen) == -1) {
		exporter_free(e, 1);
		return -1;
	}
	*ep = e;
	return 0;
}

int
export_post(struct exporter *e, const struct archive_record *r, char *err,
    size_t errlen)
{
	/* The one place RED stops, whatever filter the caller used; no
	 * label is treated as RED, as tlp_may_receive() does. */
	if (r->tlp == TLP_NONE || r->tlp >= TLP_RED) {
		e->skipped_red++;
		return 0;
	}
	if (e->fmt->post(e, r, err, errlen) == -1)
		return -1;
	e->posts++;
	return 0;
}

int
export_end(struct exporter *e, size_t *posts, size_t *items,
    size_t *skipped_red, char *err, size_t errlen)
{
	int rc;

	rc = e->fmt->end(e, err, errlen);
	if (posts != NULL)
		*posts = e->posts;
	if (items != NULL)
		*items = e->items;
	if (skipped_red != NULL)
		*skipped_red = e->skipped_red;
	exporter_free(e, rc == -1);
	return rc;
}

void
export_abort(struct exporter *e)
{
	exporter_free(e, 1);
}

/* ---- files --------------------------------------------------------------- */

FILE *
export_open_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	if (path == NULL)
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* An existing file keeps its mode through O_TRUNC; TLP material
	 * must not stay readable by others.  Not a device or a pipe: that
	 * would change a mode the system owns. */
	if (fstat(fd, &st) == -1 ||
	    (S_ISREG(st.st_mode) && fchmod(fd, 0600) == -1) ||
	    (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

int
export_close_file(FILE *f, const char *path, char *err, size_t errlen)
{
	int bad;

	bad = fflush(f) == EOF || ferror(f);
	if (f != stdout && fclose(f) == EOF)
		bad = 1;
	if (bad) {
		snprintf(err, errlen, "%s: %s", path != NULL ? path : "stdout",
		    strerror(errno != 0 ? errno : EIO));
		return -1;
	}
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 if there is none.
 * s is NUL-terminated and NUL is never a continuation octet, so looking
 * ahead stops in time. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < n; k++)
		if (s[k] < 0x80 || s[k] > 0xbf)
			return 0;
	return n;
}

char *
export_utf8(const char *s, size_t maxcp, int flatten)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	char *out, *o;
	size_t n, cps = 0;

	/* Worst case every octet becomes a 3-octet U+FFFD. */
	out = o = xmalloc(strlen((const char *)p) * 3 + 1);
	while (*p != '\0' && (maxcp == 0 || cps < maxcp)) {
		n = utf8_len(p);
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else if (flatten && n == 1 && (*p < 0x20 || *p == 0x7f)) {
			*o++ = ' ';
			p++;
		} else {
			memcpy(o, p, n);
			o += n;
			p += n;
		}
		cps++;
	}
	*o = '\0';
	return out;
}

unsigned
export_unsafe_cp(const unsigned char *p, size_t *n)
{
	uint32_t cp = 0;

	/* export_utf8() output: valid, NUL-terminated, so a sequence never
	 * runs past its end */
	if ((*n = hub_utf8_dec(p, 4, &cp)) == 0)
		*n = 1;
	return cp != 0 && (hub_cp_control(cp) || hub_cp_format(cp)) ?
	    (unsigned)cp : 0;
}

char *
export_trim(const char *s)
{
	const char *a = s != NULL ? s : "", *b;

	while (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n')
		a++;
	b = a + strlen(a);
	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r' ||
	    b[-1] == '\n'))
		b--;
	return xstrndup(a, (size_t)(b - a));
}

/* ---- identifiers and times ----------------------------------------------- */

void
export_uuid5(const unsigned char ns[16], const char *name, size_t namelen,
    char out[EXPORT_UUID_LEN + 1])
{
	unsigned char *in, md[20];
	size_t i, o = 0;

	in = xmalloc(16 + namelen);
	memcpy(in, ns, 16);
	memcpy(in + 16, name, namelen);
	gcry_md_hash_buffer(GCRY_MD_SHA1, md, in, 16 + namelen);
	free(in);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);	/* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);	/* RFC variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", md[i]);
		o += 2;
	}
	out[o] = '\0';
}

void
export_uuid5f(char out[EXPORT_UUID_LEN + 1], const char *fmt, ...)
{
	va_list ap;
	char small[256], *name = small;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;	/* only an invalid format; the build checks those */
	if ((size_t)n >= sizeof(small)) {
		name = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		(void)vsnprintf(name, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	export_uuid5(hub_ns, name, (size_t)n, out);
	if (name != small)
		free(name);
}

void
export_md5_hex(const char *s, char out[33])
{
	unsigned char md[16];
	size_t i;

	gcry_md_hash_buffer(GCRY_MD_MD5, md, s, strlen(s));
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void
export_time(long long t, enum export_time_style style, char *buf,
    size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t len = 0;

	/* Literal formats, one per style: -Wformat=2 checks them. */
	if (gmtime_r(&tt, &tm) != NULL) {
		switch (style) {
		case EXPORT_TIME_DATE:
			len = strftime(buf, n, "%Y-%m-%d", &tm);
			break;
		case EXPORT_TIME_ISO:
			len = strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
			break;
		case EXPORT_TIME_STIX:
			len = strftime(buf, n, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
			break;
		}
	}
	if (len == 0 && n > 0)
		buf[0] = '\0';
}

const char *
export_tlp_level(enum tlp t)
{
	switch (t) {
	case TLP_CLEAR:
		return "clear";
	case TLP_GREEN:
		return "green";
	case TLP_AMBER:
		return "amber";
	case TLP_AMBER_STRICT:
		return "amber+strict";
	case TLP_NONE:
	case TLP_RED:
		break;
	}
	return NULL;
}
