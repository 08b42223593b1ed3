/*
 * spool_dump: print a spool file's message (or envelope) for tests.
 *
 *	spool_dump FILE            the message body, byte for byte
 *	spool_dump -e FILE         the envelope, one "key value" per line
 *
 * Exit 0 if the file validates, 1 if it does not (with the reason on
 * stderr), 2 on usage error.
 */
#include "config.h"

#include "hub/spool.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct spool_msg *m;
	enum spool_status st;
	int envelope = 0;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "-e") == 0)
		envelope = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: spool_dump [-e] FILE\n");
		return 2;
	}
	st = spool_load_file(argv[argc - 1], &m);
	if (st != SPOOL_OK) {
		fprintf(stderr, "spool_dump: %s: %s\n", argv[argc - 1],
		    spool_status_str(st));
		return 1;
	}
	if (envelope) {
		printf("id %s\nreceived %lld\nprotocol %s\nclient %s\n"
		    "helo %s\nmail-from %s\n", m->id,
		    (long long)m->env.received, m->env.protocol,
		    m->env.client, m->env.helo, m->env.mail_from);
		for (i = 0; i < m->env.nrcpt; i++)
			printf("rcpt %s\n", m->env.rcpt[i]);
		printf("body %s\nsize %zu\n", m->env.body_8bit ? "8bit" :
		    "7bit", m->body_len);
	} else if (fwrite(m->body, 1, m->body_len, stdout) != m->body_len) {
		spool_msg_free(m);
		return 1;
	}
	spool_msg_free(m);
	return 0;
}
