/*
 * receipt: the signed delivery receipt a post's signer gets once the
 * hub has finished with the post (issue 16 item 7; hubd(8) RECEIPTS).
 *
 * The relay holds no key, so the work is split through the spool:
 *
 *  1. At fan-out, when the signer's receipts are on (store:
 *     store_contact_flag(), the "receipts on|off" mail command), the
 *     worker stages a receipt request, SPOOL_RECEIPT_FILE, with the
 *     post's copies: the list, the signer (address, key), the label,
 *     the copy file names with their team and address, and the teams
 *     policy left out because the label does not clear them.  Nothing
 *     of the report itself (no subject, no text).
 *
 *	CSIRT-HUB-RECEIPT 1
 *	list NAME
 *	post ID
 *	sender ADDRESS
 *	fpr FPR
 *	tlp TLP:LABEL
 *	received T
 *	copy NAME TEAM ADDRESS		(one per copy of the post)
 *	not-cleared TEAM		(one per team left out for TLP)
 *
 *  2. The relay records each copy it gives up beside it before
 *     removing it; a copy gone without a record was delivered
 *     (hub/copystate.h).  A set with a request is not reaped.
 *
 *  3. A worker (receipt_run(), once a second) finds a set with a
 *     request, no copy left, and its post no longer in active/; it
 *     takes the request (an exclusive lock on the file, so of several
 *     workers one makes it), reads the outcomes, and stages one
 *     notice, NOTICE_RECEIPT, to the signer: encrypted to the signer's
 *     current key and signed by the list, never in clear, under a fresh
 *     id; then it removes the request and the set.  Per team: the
 *     copies the smarthost accepted, those given up with why (the
 *     recipient's address taken out of the reply), the teams not sent
 *     to for the label.  A receipt names teams that are subscribed to
 *     the list the signer posted to, never an address.
 *
 * A crash after the receipt is committed and before the request is
 * removed sends the receipt twice; a request whose signer is no longer
 * a contact of the list (or has no usable key) is dropped, logged.
 * Only the first list an entry was accepted for gets a request (a post
 * sent to two lists at once is rare; the second is logged).  Worker
 * process; blocks on the store, gpg and the spool.
 */
#ifndef HUB_RECEIPT_H
#define HUB_RECEIPT_H

#include <stddef.h>

#include "hub/job.h"
#include "lists/policy.h"

struct roster_view;

/* One copy of the post staged for a recipient. */
struct receipt_copy {
	const char	*name;		/* its file name in the set */
	const char	*address;
	const char	*team;
};

/* Stage the request in j->stage (see 1.) if the signer wants one.
 * V_TEMPFAIL when the store or the disk failed. */
enum verdict receipt_request(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d, enum tlp label,
    const struct contact *signer, const struct receipt_copy *copies,
    size_t ncopies);

/* Make the receipts that are due (see 3.).  Failures are logged; a
 * receipt that could not be made now is tried at the next call. */
void receipt_run(struct worker *w);

#endif
