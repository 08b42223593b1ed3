/*
 * request: the list's addresses other than the list itself.
 *   LIST-owner     re-encrypted to each admin of the list;
 *   LIST-sendkey   the list's public key, signed (strangers answered at
 *                  most once a day per mailbox and 50 a day in all);
 *   LIST-request   the mail commands (lists/mailcmd.h; run by
 *                  hub/commands.c) in signed, encrypted mail, answered
 *                  encrypted to the signer (a mail with none: the help,
 *                  as a command); anything unauthenticated gets the
 *                  help text or the search refusal at most once a day
 *                  per mailbox, contacts too, and strangers 50 a day
 *                  in all;
 *   LIST-bounces+TAG  a delivery failure recorded, the admins told.
 * Each answers enum verdict like a post.  Worker process.
 */
#ifndef HUB_REQUEST_H
#define HUB_REQUEST_H

#include "hub/job.h"
#include "hub/notice.h"

struct roster_view;

enum verdict handle_owner(struct job *j, const struct roster_view *rv);
enum verdict handle_reply(struct job *j, const struct roster_view *rv,
    enum notice_kind kind);
enum verdict handle_request(struct job *j, const struct roster_view *rv);
enum verdict handle_bounce(struct job *j, const struct roster_view *rv,
    const char *tag);

#endif
