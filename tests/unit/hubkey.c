#include "config.h"

#include "tests/unit/hubkey.h"
#include "crypto/crypto.h"
#include "crypto/gpg.h"
#include "crypto/keys.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int
hubkey_setup(char *tmpdir, struct gpg **g, char fpr[41])
{
	char *home;
	int rc = 0;

	if (mkdtemp(tmpdir) == NULL)
		return -1;
	home = xasprintf("%s/gnupg", tmpdir);
	if (mkdir(home, 0700) == -1 || gpg_open(home, g) != CRYPTO_OK ||
	    keys_generate(*g, "hub INSECURE <hub@hub.test>", KEYS_NO_EXPIRY,
	    fpr) != CRYPTO_OK)
		rc = -1;
	free(home);
	return rc;
}

void
hubkey_teardown(const char *tmpdir, struct gpg *g)
{
	char *cmd;

	gpg_close(g);
	/* the agent the key generation started serves a directory that
	 * is about to go */
	cmd = xasprintf("gpgconf --homedir %s/gnupg --kill all 2>/dev/null; "
	    "rm -rf %s", tmpdir, tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed: %s\n", cmd);
	free(cmd);
}
