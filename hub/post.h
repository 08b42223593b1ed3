/*
 * post: a mail to LIST (a post), in the order of its stages: decrypt,
 * the crypto facts, the TLP label, the replay record, policy_decide(),
 * then either the fan-out (hub/fanout.h), the notices about the roster
 * and the archive, or a refusal with one reason and the notice it calls
 * for.  Worker process; the job's stage receives what is staged.
 */
#ifndef HUB_POST_H
#define HUB_POST_H

#include "hub/job.h"

struct roster_view;

/* V_DONE (relayed and filed), V_REJECT (refused: notice staged) or
 * V_TEMPFAIL (retry the entry). */
enum verdict handle_post(struct job *j, const struct roster_view *rv);

#endif
