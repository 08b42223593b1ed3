/*
 * scratch: a per-process directory for the fuzz harnesses whose parser
 * reads files (hub.conf, spool entries).  Made once under $TMPDIR (or
 * /tmp) on first use; at exit the files named through scratch_path() and
 * the directory are removed.  Any failure aborts: a harness that cannot
 * write its input has nothing to test.
 */
#ifndef HUB_FUZZ_SCRATCH_H
#define HUB_FUZZ_SCRATCH_H

/* The directory ("<TMPDIR>/<tag>.XXXXXX" made real). */
const char *scratch_dir(const char *tag);
/* dir/leaf, remembered for removal at exit; at most 4 leaves. */
const char *scratch_path(const char *tag, const char *leaf);

#endif
