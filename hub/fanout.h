/*
 * fanout: an accepted post's copies.  The copy is built once
 * (hub/outmsg), signed once with the list key, encrypted once to all
 * included recipients and split into one copy per recipient, each with
 * that recipient's session key packet alone (hub.conf "encryption";
 * per-recipient: one encryption each, on the worker's threads); staged in
 * the job's outgoing set; recipients whose key gpg refuses are reported
 * to the admins.  On V_DONE the job's audience lists whose copy was
 * staged (the archive's RED audience).  Worker process.
 */
#ifndef HUB_FANOUT_H
#define HUB_FANOUT_H

#include "hub/job.h"
#include "lists/tlp.h"

struct roster_view;
struct policy_decision;
struct contact;
struct team;

enum verdict stage_relay(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d, const struct tlp_result *label,
    const struct contact *signer, const struct team *team);

#endif
