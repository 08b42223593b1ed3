/*
 * hubkey: the scratch hub key of the unit tests that need one (the
 * roster store, the archive): a short mkdtemp() directory with
 * DIR/gnupg holding a fresh ed25519/cv25519 key (about a second), and
 * its removal, agent included.  Not cmocka-specific: 0 or -1.
 */
#ifndef TESTS_UNIT_HUBKEY_H
#define TESTS_UNIT_HUBKEY_H

struct gpg;

/* tmpdir is a mkdtemp() template ("/tmp/hubXX.XXXXXX"), filled in. */
int hubkey_setup(char *tmpdir, struct gpg **g, char fpr[41]);
void hubkey_teardown(const char *tmpdir, struct gpg *g);

#endif
