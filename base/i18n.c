/*
 * i18n: GNU gettext .mo catalogs read once, looked up by language (see
 * i18n.h for why not dgettext()).
 */
#include "config.h"

#include "base/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

#define MO_MAGIC	0x950412deU
#define MO_MAX		(8u << 20)	/* a catalog larger is no ours */

struct catalog {
	const char	*lang;
	unsigned char	*data;		/* the whole file; NULL: none */
	size_t		 size;
	bool		 swap;		/* written on the other byte order */
	uint32_t	 n, orig, trans;
	unsigned	 nplurals;	/* from the header; 2 if not said */
};

/* The languages with a catalog ("en" is the source). */
static struct catalog catalogs[] = {
	{ .lang = "ja" },
};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint32_t
u32(const struct catalog *c, size_t off)
{
	const unsigned char *p = c->data + off;

	if (c->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* String i of table (orig or trans): its octets and length, or NULL
 * when the table entry points outside the file or is not terminated. */
static const char *
entry(const struct catalog *c, uint32_t table, uint32_t i, size_t *len)
{
	size_t at = (size_t)table + (size_t)i * 8;
	uint32_t l, off;

	if (at + 8 > c->size)
		return NULL;
	l = u32(c, at);
	off = u32(c, at + 4);
	if ((size_t)off + l >= c->size || c->data[(size_t)off + l] != '\0')
		return NULL;
	*len = l;
	return (const char *)c->data + off;
}

/* Little-endian host or not, the magic says how the file was written. */
static bool
load_header(struct catalog *c)
{
	const char *h, *p;
	size_t hl;

	if (c->size < 28)
		return false;
	c->swap = false;
	if (u32(c, 0) != MO_MAGIC) {
		c->swap = true;
		if (u32(c, 0) != MO_MAGIC)
			return false;
	}
	if ((u32(c, 4) >> 16) > 1)	/* major revision 0 or 1 */
		return false;
	c->n = u32(c, 8);
	c->orig = u32(c, 12);
	c->trans = u32(c, 16);
	if (c->n == 0 || (size_t)c->orig + (size_t)c->n * 8 > c->size ||
	    (size_t)c->trans + (size_t)c->n * 8 > c->size)
		return false;
	/* the header is the translation of "" (sorted first) */
	c->nplurals = 2;
	if ((h = entry(c, c->orig, 0, &hl)) != NULL && hl == 0 &&
	    (h = entry(c, c->trans, 0, &hl)) != NULL &&
	    (p = strstr(h, "nplurals=")) != NULL &&
	    p[9] >= '1' && p[9] <= '6')
		c->nplurals = (unsigned)(p[9] - '0');
	return true;
}

static void
load_one(struct catalog *c, const char *dir)
{
	char path[4096];
	struct stat st;
	ssize_t r;
	size_t got = 0;
	int fd, w;

	w = snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo", dir,
	    c->lang, I18N_DOMAIN);
	if (w < 0 || (size_t)w >= sizeof path)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;		/* not installed: English */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size < 28 ||
	    (uintmax_t)st.st_size > MO_MAX) {
		close(fd);
		return;
	}
	c->size = (size_t)st.st_size;
	if ((c->data = malloc(c->size)) == NULL) {
		close(fd);
		return;
	}
	while (got < c->size) {
		r = read(fd, c->data + got, c->size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != c->size || !load_header(c)) {
		free(c->data);
		c->data = NULL;
		c->size = 0;
	}
}

static void
load_all(void)
{
	const char *dir = getenv("HUB_LOCALEDIR");
	size_t i;

	if (dir == NULL || *dir == '\0')
		dir = LOCALEDIR;
	for (i = 0; i < sizeof catalogs / sizeof catalogs[0]; i++)
		load_one(&catalogs[i], dir);
}

static const struct catalog *
catalog_for(const char *lang)
{
	size_t i;

	if (lang == NULL || *lang == '\0' || strcmp(lang, "en") == 0)
		return NULL;
	(void)pthread_once(&once, load_all);
	for (i = 0; i < sizeof catalogs / sizeof catalogs[0]; i++)
		if (strcmp(catalogs[i].lang, lang) == 0)
			return catalogs[i].data != NULL ? &catalogs[i] : NULL;
	return NULL;
}

/* msgfmt sorts the msgids: a binary search.  The translation's octets
 * (all its plural forms, NUL-separated) and length, or NULL. */
static const char *
lookup(const struct catalog *c, const char *msgid, size_t *tlen)
{
	uint32_t lo = 0, hi = c->n, mid;
	const char *o;
	size_t ol;
	int cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((o = entry(c, c->orig, mid, &ol)) == NULL)
			return NULL;
		cmp = strcmp(msgid, o);
		if (cmp == 0) {
			o = entry(c, c->trans, mid, tlen);
			/* an empty translation means untranslated */
			return o != NULL && *tlen > 0 ? o : NULL;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
i18n_get(const char *lang, const char *msgid)
{
	const struct catalog *c = catalog_for(lang);
	const char *t;
	size_t tl;

	if (c == NULL || msgid == NULL || *msgid == '\0')
		return msgid;
	return (t = lookup(c, msgid, &tl)) != NULL ? t : msgid;
}

const char *
i18n_nget(const char *lang, const char *singular, const char *plural,
    unsigned long n)
{
	const struct catalog *c = catalog_for(lang);
	const char *t, *e;
	size_t tl, form;

	/* English's rule, and the fallback */
	if (c == NULL || (t = lookup(c, singular, &tl)) == NULL)
		return n == 1 ? singular : plural;
	/* The catalogs of the hub's languages have one form (Japanese)
	 * or the singular/plural rule n != 1; another language would
	 * need its Plural-Forms expression evaluated here. */
	form = c->nplurals == 1 ? 0 : n == 1 ? 0 : 1;
	e = t + tl;
	while (form > 0 && t < e) {
		t += strlen(t) + 1;
		form--;
	}
	return t < e && *t != '\0' ? t : n == 1 ? singular : plural;
}

bool
i18n_lang_valid(const char *lang)
{
	return lang != NULL && (strcmp(lang, "en") == 0 ||
	    strcmp(lang, "ja") == 0);
}
