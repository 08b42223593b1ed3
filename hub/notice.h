/*
 * notice: the texts the hub sends on its own account (DESIGN.md,
 * issue 5 "Notices"), as MIME entities with headers, ready for the
 * worker to sign and encrypt.  Pure string building: no gpg, no I/O.
 *
 * Rules the texts keep (tests check them):
 *  - a refusal notice to a member says why in one sentence
 *    (policy_reason_advice()) and what to do, names the post by its date
 *    and spool id, and carries the post's subject only when the notice
 *    will be encrypted to that member (in->encrypted);
 *  - notices to admins carry metadata only (spool id, envelope sender,
 *    client, signer fingerprint, reasons), never anything from the body
 *    or subject of a refused post;
 *  - every notice starts with a line naming the list and the kind, so an
 *    admin can filter them (the kind as its English token in every
 *    language);
 *  - the texts are in the recipient's language (in->lang, base/i18n.h:
 *    the GNU gettext catalogs in po/); values from outside, tokens such
 *    as policy_reason_str() and dates are the same in every language.
 *
 * Ownership: outputs are appended to the caller's bufs.  Worker process.
 */
#ifndef HUB_NOTICE_H
#define HUB_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/id.h"
#include "lists/policy.h"

struct buf;

enum notice_kind {
	NOTICE_REFUSED_MEMBER = 0,	/* to the signer of a refused post */
	NOTICE_REFUSED_UNKNOWN,		/* to admins: refused, sender not a
					   known member */
	NOTICE_SKIPPED,			/* to admins: recipients skipped */
	NOTICE_KEY_EXPIRING,		/* to admins: a key expires soon */
	NOTICE_DELIVERY_FAILED,		/* to admins: permanent failure */
	NOTICE_LOST_TEAM,		/* to admins: a team has no usable key */
	NOTICE_POISON,			/* to admins: quarantined entry */
	NOTICE_REQUEST_HELP,		/* reply from LIST-request */
	NOTICE_SENDKEY,			/* reply from LIST-sendkey */
	NOTICE_OWNER_FORWARD,		/* LIST-owner mail, to each admin */
	NOTICE_COMMAND_ANSWER,		/* the answer to a mail of commands
					   (payload: UTF-8 text, may hold
					   archived reports); never in clear */
	NOTICE_SEARCH_REFUSED,		/* a search request refused (detail:
					   why); nothing of the request */
	NOTICE_PARTS_DROPPED,		/* to the signer of a relayed post:
					   ndropped clear parts left out
					   (detail: their MIME paths) */
	NOTICE_DELIVERY_DISABLED,	/* to the team and admins: rcpt's
					   delivery disabled by its bounces
					   (status: the last; detail: the
					   score) */
	NOTICE_KEY_EXPIRY,		/* to a contact and its team: its
					   key (items[0]) expires on when */
	NOTICE_KEY_UNUSABLE,		/* to admins: keys expired or
					   revoked (items, reason), their
					   contacts receive nothing */
	NOTICE_LIST_REKEY,		/* to each subscriber: the list's
					   new key (payload, armored;
					   items[0].fpr, .when: the grace's
					   end), replacing detail (the old
					   fingerprint) */
	NOTICE_RECEIPT,			/* to the signer of a relayed post:
					   what became of it per team
					   (receipt, tlp); hub/receipt.h;
					   never in clear */
};
#define NOTICE_KIND_LAST	NOTICE_RECEIPT

const char *notice_kind_str(enum notice_kind k);

/* The mail commands of LIST-request, as the help text lists them: one
 * text for the signed help to anyone and the "help" command's answer. */
void notice_put_commands(struct buf *t, const char *lang, const char *list,
    const char *domain);

/* One skipped recipient or one key, for NOTICE_SKIPPED,
 * NOTICE_KEY_EXPIRING, NOTICE_KEY_EXPIRY and NOTICE_KEY_UNUSABLE. */
struct notice_item {
	const char	*address;
	const char	*team;		/* may be NULL */
	const char	*fpr;		/* may be NULL */
	const char	*reason;	/* skip_reason_str(), or NULL */
	long long	 when;		/* key expiry, 0 if none */
};

/* How a refused post lies in spool/rejected/ (as it was received). */
enum notice_kept {
	KEPT_AS_RECEIVED = 0,	/* not known (it could not be read) */
	KEPT_ENCRYPTED,		/* wholly encrypted */
	KEPT_CLEAR,		/* never encrypted: the sender's text in
				   clear */
	KEPT_PARTLY_CLEAR,	/* encrypted, with parts outside */
};

/* NOTICE_RECEIPT: one team the post was for, and what became of its
 * copies.  Team handles only: the receipt names no recipient address. */
struct notice_team_outcome {
	const char	*team;
	unsigned	 copies;	/* staged for the team's contacts */
	unsigned	 delivered;	/* of them, accepted by the smarthost */
	unsigned	 failed;	/* given up (5xx, or past the lifetime) */
	/* the first failure's: its enhanced status code ("5.1.1"; NULL if
	 * none) and whether it was refused or not delivered in time; no
	 * text of the smarthost's reply ever reaches the receipt */
	const char	*status;
	bool		 expired;
};

struct notice_receipt {
	const char			*tlp;		/* "TLP:AMBER" */
	const struct notice_team_outcome *teams;
	size_t				 nteams;
	/* teams on the list not sent the post because of its TLP */
	const char *const		*not_cleared;
	size_t				 nnot_cleared;
};

struct notice_in {
	enum notice_kind	 kind;
	const char		*list;
	const char		*domain;
	const char		*post_id;	/* spool id, may be NULL */
	long long		 received;	/* of the post, 0 if none */
	bool			 encrypted;	/* the notice will be encrypted
						   to its recipient */
	const char		*lang;		/* the recipient's: "ja", "en";
						   NULL: English */
	/* refusals */
	enum policy_reason	 reason;
	const char		*detail;	/* e.g. "key expired on
						   2026-01-02"; may be NULL */
	const char		*subject;	/* the refused post's; used only
						   if encrypted and a member
						   refusal */
	const char		*mail_from;	/* envelope sender */
	const char		*client;	/* "192.0.2.1:4000" */
	const char		*signer_fpr;	/* may be NULL */
	enum notice_kept	 kept;		/* refused-unknown */
	unsigned		 ndropped;	/* parts-dropped */
	/* skipped recipients, expiring keys, lost teams (team in
	 * address) */
	const struct notice_item *items;
	size_t			 nitems;
	/* delivery failures: post_id is the failed copy's post (NULL when
	 * the report does not say), report_id the report's own spool id */
	const char		*report_id;
	const char		*rcpt;
	const char		*status;	/* "5.1.1" */
	const char		*diagnostic;	/* remote reply, may be NULL */
	/* sendkey: the armored list key; owner forward: the forwarded
	 * MIME entity and what is known about it */
	const char		*payload;
	size_t			 payload_len;
	/* the key that signs the notice, NULL: the list's (a rekey's
	 * announcement is signed with the old key, the one members know) */
	const char		*sign_fpr;
	/* receipts */
	const struct notice_receipt *receipt;
};

/*
 * Append the notice's Subject (one line of UTF-8 text, "[LIST] ..."
 * without the "Subject: " prefix, not yet RFC 2047-encoded: Japanese is
 * not ASCII; the values in it are ASCII) to subject, and its MIME
 * entity (Content-Type ...,
 * empty line, body; CRLF) to entity.  -1 if a field the kind needs is
 * missing.
 */
int notice_build(const struct notice_in *in, struct buf *subject,
    struct buf *entity);

/*
 * The post a delivery report (the whole message, len octets) is about:
 * the spool id in the Message-ID "<ID.LIST@DOMAIN>" that the fan-out
 * gave every copy (hub/outmsg.c), as the report quotes the copy's
 * headers.  Anyone can mail a bounce address, so the id only labels the
 * admins' notice.  0 and id filled if found, -1 otherwise.
 */
int notice_bounced_post(const char *text, size_t len, const char *list,
    const char *domain, char id[HUB_ID_SIZE]);

#endif
