/*
 * notice_send: the hub's own mail (refusals, admin notices, replies)
 * from its text to the outgoing set.  hub/notice builds the text; this
 * signs it with the list key, encrypts it to the recipient's key when
 * that key can encrypt (signed only otherwise, never in clear), and
 * stages it with the job's entry, so it is committed, or dropped, with
 * everything else the entry sends (invariant 6).  A notice that carries
 * content (NOTICE_OWNER_FORWARD, NOTICE_COMMAND_ANSWER) is withheld
 * rather than sent unencrypted.
 *
 * The handlers (hub/post.c, fanout.c, request.c) fill a struct
 * notice_in with what the kind needs; list and domain are set here.
 * Worker process; blocks while gpg runs and on the stage's fsync.
 */
#ifndef HUB_NOTICE_SEND_H
#define HUB_NOTICE_SEND_H

#include "hub/job.h"
#include "lists/model.h"

struct notice_in;
struct roster_view;

/* To one address, with its key fingerprint (may be NULL) and that key's
 * state.  V_DONE also when the notice was withheld or gpg refused it
 * (logged); V_TEMPFAIL when gpg did not run or the stage failed. */
enum verdict notice_send(struct job *j, const struct roster_view *rv,
    const char *to, const char *to_fpr, enum key_usability key,
    struct notice_in *in);
/* The language of the hub's mail to the address to ("ja" or "en"): the
 * contact's choice in rv, else the community's default (store).  A
 * notice_in whose lang is NULL gets this one. */
const char *notice_lang(struct job *j, const struct roster_view *rv,
    const char *to);
/* To each admin of the list (one per address). */
enum verdict notice_send_admins(struct job *j, const struct roster_view *rv,
    struct notice_in *in);

#endif
