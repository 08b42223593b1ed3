/*
 * listnames: DATA_DIR/lists.names, the names of the lists the store holds,
 * one a line, for the processes that may not open the store.
 *
 * The master reads it at start and on SIGHUP and hands the names to the
 * smtp process in its configuration (the master never opens the keyring
 * or the store: issue 14).  Whoever changes the set of lists writes it
 * after the store's transaction commits: hubctl init (empty), hubctl list
 * create and delete; a worker rewrites it from the store at start, so a
 * data dir from before the file existed, or a lost file, heals itself.
 *
 * List names are not secret, but nothing else goes into the file: no
 * comments, no settings; it is written whole (fs_write_atomic), mode
 * 0644, sorted, so equal sets are equal bytes.
 *
 * Writers of the file serialise on listnames_lock() around "read the
 * store, write the file": without it a hubctl that read the store before
 * another hubctl's commit could rename its older view over the newer one.
 *
 * Runs in the master (read), the worker and hubctl (write).  Base and
 * hub/conf only: no store, no keys.
 */
#ifndef HUB_LISTNAMES_H
#define HUB_LISTNAMES_H

#include <stdbool.h>
#include <stddef.h>

#define LISTNAMES_FILE	"lists.names"

/*
 * Read DATA_DIR/lists.names.  0 and *names (lowercase, sorted, unique;
 * free with listnames_free) and *n; -1 with errno: ENOENT when there is
 * no file, EINVAL when a line is not a list name (hub/conf's rule), or
 * what open/read said (EACCES, EISDIR, EIO ...).  Nothing is returned on
 * -1: a file that is partly bad is not half-believed.
 */
int listnames_read(const char *data_dir, char ***names, size_t *n);

/*
 * Write names (any order, may repeat) as DATA_DIR/lists.names unless the
 * file already says exactly that: 1 written, 0 unchanged, -1 with errno
 * (EINVAL: a name that is not a list name; nothing written).
 */
int listnames_write(const char *data_dir, char *const *names, size_t n);

/* Do two sorted, unique sets hold the same names? */
bool listnames_equal(char *const *a, size_t na, char *const *b, size_t nb);

void listnames_free(char **names, size_t n);

/* Sort names (strcmp order, as recipient_classify() expects) and drop
 * repeats in place, keeping the first; owned: free the repeats.  The
 * new count. */
size_t listnames_sort_unique(char **v, size_t n, bool owned);

/*
 * DATA_DIR/postfix-recipients: every address hubd serves at domain, one
 * "ADDRESS OK" line each (LIST and its -request, -owner, -sendkey,
 * -bounces; postmaster), for Postfix's relay_recipient_maps as a
 * texthash: (or, after postmap, hash:) table, so Postfix refuses an
 * unknown address at RCPT instead of accepting and bouncing it
 * (csirt-hub-postfix(7)).  Written by whoever writes lists.names, under
 * the same lock, from the same set; mode 0644 (Postfix reads it as its
 * own user).  1 written, 0 unchanged, -1 with errno (EINVAL: a bad name
 * or domain; nothing written).
 */
#define LISTNAMES_POSTFIX_FILE	"postfix-recipients"
int listnames_postfix_write(const char *data_dir, const char *domain,
    char *const *names, size_t n);

/* An exclusive lock for writers (flock on DATA_DIR/lists.names.lock):
 * the fd to give to listnames_unlock(), or -1 with errno. */
int listnames_lock(const char *data_dir);
void listnames_unlock(int fd);

#endif
