/*
 * i18n: the hub's mail in the recipient's language, from GNU gettext
 * catalogs (po/ja.po, compiled by msgfmt and installed as
 * LOCALEDIR/LANG/LC_MESSAGES/csirt-hub.mo by the po/ Makefile).
 *
 * Why not dgettext(): glibc's gettext picks the catalog from the
 * process (or, with uselocale(), the thread) locale, and a locale
 * object for Japanese exists only where ja_JP.UTF-8 was generated --
 * not on a typical server, where only C.UTF-8 is.  Switching the
 * process locale per mail (setlocale) is not thread-safe and would
 * change the logs' language too.  So the lookup is done here: each
 * catalog is read once (pthread_once) and then only read, which is
 * safe from any thread; the language is an argument of every lookup,
 * so one worker answers a Japanese and an English contact in turn
 * without any global state changing.  The .mo file format is GNU
 * gettext's (msgids sorted, as msgfmt writes them; "msgid\0plural"
 * for plural entries).
 *
 * Languages are "en" (the source texts; no catalog) and "ja".  NULL,
 * "" or an unknown language means English.  The catalog directory is
 * LOCALEDIR, or $HUB_LOCALEDIR when set (tests, a staged install).
 *
 * The texts mailed to people are marked for xgettext with L_(lang, s)
 * (or N_(s) where a table holds them and L_ translates them at use);
 * log lines stay English and are not marked.
 */
#ifndef BASE_I18N_H
#define BASE_I18N_H

#include <stdbool.h>

#define I18N_DOMAIN	"csirt-hub"

/* The translation of msgid in lang, or msgid itself. */
const char *i18n_get(const char *lang, const char *msgid)
    __attribute__((format_arg(2)));
/* The same for a text with a number: singular or plural by n. */
const char *i18n_nget(const char *lang, const char *singular,
    const char *plural, unsigned long n)
    __attribute__((format_arg(2), format_arg(3)));
/* Is lang one the hub speaks ("ja", "en")? */
bool i18n_lang_valid(const char *lang);

#define L_(lang, s)	i18n_get((lang), (s))
#define NL_(lang, s, p, n)	i18n_nget((lang), (s), (p), (n))
#define N_(s)		(s)

#endif
