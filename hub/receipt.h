/*
 * receipt: the signed delivery receipt a post's signer gets once the
 * hub has finished with the post (issue 16 item 7; hubd(8) RECEIPTS).
 *
 * The relay holds no key, so the work is split through the spool.  The
 * relay (the network user, in the hub group) may create, rename and link
 * entries in outgoing/ and outgoing/POST/, so nothing a worker reads
 * there is trusted; the request is kept where only workers write.
 *
 *  1. At fan-out, when the signer's receipts are on (store:
 *     store_contact_flag(), the "receipts on|off" mail command), the
 *     worker writes a receipt request, receipts/POST
 *     (SPOOL_RECEIPTS_DIR: the hub user's, mode 0700, made and checked as
 *     retry/ is; a temporary file, fsync, rename), with the post's
 *     copies: the list, the signer (address, key), the label, the copy
 *     file names with their team and address, and the teams policy left
 *     out because the label does not clear them.  Nothing of the report
 *     itself (no subject, no text).  At most RECEIPT_COPIES_MAX copies
 *     (100000): a post with more gets no receipt.  Then it stages the
 *     mark SPOOL_RECEIPT_FILE with the copies, which only tells the relay
 *     to record outcomes and keep the set; its content is never read.
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
 *     removing it, as its result, enhanced status code and cause
 *     (refused or expired) only; a copy gone without a record was
 *     delivered (hub/copystate.h).  A set with the mark is not reaped.
 *
 *  3. A worker (receipt_run(), once a second) lists receipts/; for a
 *     request whose post is no longer in active/ it opens the request
 *     O_NOFOLLOW|O_NONBLOCK and takes it only if it is a regular file
 *     of the worker's user (an exclusive lock on it, so of several
 *     workers one makes the receipt); it opens the set with
 *     openat(outgoing, POST, O_DIRECTORY|O_NOFOLLOW) (no set: the post
 *     was never committed, or the set is not a directory: the request
 *     is dropped) and waits while it holds a copy.  It reads, relative
 *     to the set, only the outcomes of the copies the request names
 *     (copy_outcome_loadat(): regular files of at most 4096 octets, no
 *     link followed, parsed strictly) and stages one notice,
 *     NOTICE_RECEIPT, to the signer: encrypted to the signer's current
 *     key and signed by the list, never in clear, under a fresh id;
 *     then it removes the mark, the request and the set.  Per team
 *     (the teams sorted, each once): the copies the smarthost
 *     accepted, those given up with the enhanced status code and a
 *     fixed text (refused by the recipient's server, not delivered in
 *     time) -- never the reply's text, which may name an address (a
 *     VERP sender, an address cut short) -- and the teams not sent to
 *     for the label.  A receipt names teams that are subscribed to the
 *     list the signer posted to, never an address.
 *
 * A crash after the receipt is committed and before the request is
 * removed sends the receipt twice; a request whose signer is no longer
 * a contact of the list (or has no usable key) is dropped, logged, and
 * so is one whose post was never committed (refused or deferred: a redo
 * writes it again).  Only the first list an entry was accepted for gets
 * a request (a post sent to two lists at once is rare; the second is
 * logged).  Worker process; blocks on the store, gpg and the spool.
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

/* Write the request and stage the mark in j->stage (see 1.) if the
 * signer wants one.
 * V_TEMPFAIL when the store or the disk failed. */
enum verdict receipt_request(struct job *j, const struct roster_view *rv,
    const struct policy_decision *d, enum tlp label,
    const struct contact *signer, const struct receipt_copy *copies,
    size_t ncopies);

/* Make the receipts that are due (see 3.).  Failures are logged; a
 * receipt that could not be made now is tried at the next call. */
void receipt_run(struct worker *w);

#endif
