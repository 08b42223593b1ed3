/*
 * relay: hubd's delivery role.  Takes the per-recipient files the workers
 * committed under spool/outgoing/POST/ and hands them to the smarthost
 * with libesmtp (STYLE.md §1.1: the relay may read and unlink outgoing
 * files; it never touches GNUPGHOME, the store or plaintext: every file
 * it sends is already encrypted and signed).
 *
 * Per file: 2xx -> the file is removed (spool_outgoing_remove; the set's
 * directory is fsynced once per session), so a crash re-sends at most
 * the files of the sessions in flight; 4xx or no connection -> retried
 * with backoff until the file is older than relay_lifetime; 5xx or the
 * lifetime exceeded -> a delivery status notification is committed to
 * spool/incoming addressed to the file's envelope sender
 * (LIST-bounces+TAG@domain), where a worker records it and tells the
 * list's admins, and the file is removed.  Files with the null envelope
 * sender (notices) are only logged when they fail.
 *
 * Wake-ups ("outgoing POST" lines on link_fd) shorten the wait; the relay
 * also rescans outgoing/ on a timer, so a lost wake-up costs latency.
 */
#ifndef HUB_RELAY_H
#define HUB_RELAY_H

struct hub_config;

/* The relay process's main loop; returns the exit status. */
int relay_main(const struct hub_config *cfg, int link_fd);

/*
 * In relay_nodelay.c (linked into the programs that run the relay):
 * bound each blocking TCP connect(2) of the process to ms milliseconds,
 * after which it fails with ETIMEDOUT; 0 leaves it to the kernel.
 */
void relay_connect_timeout_set(unsigned ms);

#endif
