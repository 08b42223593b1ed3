/*
 * worker: hubd's processing role (STYLE.md §1.1, §1.3).  N processes,
 * no network: each claims a spool entry (incoming -> active), decrypts
 * and verifies it, lets lists/policy decide, hands the cleartext to the
 * archive hook, builds and encrypts one copy per recipient, commits the
 * outgoing set at once, and finishes the entry.  A refused post moves to
 * rejected/ with its reason and the notices it calls for.
 *
 * Over link_fd the worker tells the master "claim ID" before it works on
 * an entry and "done ID" after, so that the master can count the crashes
 * and hangs an entry causes and quarantine a poison message; it reads
 * "incoming ID" wake-ups and otherwise rescans incoming/ every second.
 */
#ifndef HUB_WORKER_H
#define HUB_WORKER_H

struct hub_config;

/* The worker process's main loop; returns the exit status. */
int worker_main(const struct hub_config *cfg, int link_fd);

#endif
