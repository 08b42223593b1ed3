/*
 * outmsg: the relayed copy of a post, as text (DESIGN.md "Outgoing
 * message").  Pure string building: no gpg, no I/O.  The worker signs
 * what this builds once per post and encrypts it per recipient:
 *
 *   outmsg_build()  ->  post->entity: protected headers (From "NAME
 *       (TEAM) via LIST" <LIST@domain>, To LIST@domain, Reply-To, Subject
 *       "[tag] TLP:X subject", Date, the post's new Message-ID,
 *       In-Reply-To/References, List-*, X-CSIRT-Hub-* verdict headers)
 *       around a multipart/mixed of (1) the verdict text part and (2) the
 *       sender's MIME entity exactly as decrypted;
 *   the worker: pgpmime_protect(h, entity), encrypt_sign_once() -> per
 *       recipient encrypt_to(rcpt's key, h with To <rcpt>) -> the RFC
 *       3156 message, whose outer From outmsg_outer_from() then makes
 *       the list alone.
 *
 * What travels in the clear (the outer headers, which every MTA on the
 * way and every mailbox index sees): From and Reply-To the list alone,
 * To the recipient, the RFC 9788 placeholder Subject "[...]", the
 * hub's Date and Message-ID, threading ids, List-*, OpenPGP and
 * Autocrypt (the list's key).  Nothing names the sender: the sender's
 * name and team are in the protected From inside the encryption
 * ("NAME (TEAM) via LIST"), the original Message-ID (keep_msgid) in the
 * signed entity's own headers.
 *
 * The verdict (signer team, contact, fingerprint, signature status, TLP)
 * exists twice, both inside the list's signature: as X-CSIRT-Hub-*
 * protected headers and as the first MIME part, which has its own
 * Content-Description and says where the sender's text begins.  Nothing
 * the sender writes can land in either place: the sender's entity is
 * always the second part, whatever it contains.
 *
 * Header values taken from the post (subject, names, references) are
 * unfolded, stripped of control characters and, where not ASCII, RFC
 * 2047-encoded, so no input can add a header line.
 *
 * Ownership: struct outmsg_post's inputs are the caller's and must
 * outlive the call; outputs are allocated here and released by
 * outmsg_free().  Worker process; nothing blocks.
 */
#ifndef HUB_OUTMSG_H
#define HUB_OUTMSG_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/pgpmime.h"
#include "lists/tlp.h"

struct buf;

/* What the worker knows about one accepted post. */
struct outmsg_in {
	const char	*list;		/* "ops" */
	const char	*domain;	/* "hub.example.org" */
	const char	*subject_tag;	/* "[ops]", may be "" */
	bool		 keep_msgid;	/* list option: X-Original-Message-ID */
	const char	*post_id;	/* the spool id */
	long long	 now;		/* time(2) of processing */
	/* the verdict */
	const char	*signer_name;	/* contact's name, may be NULL */
	const char	*signer_address;
	const char	*signer_team;	/* handle */
	const char	*signer_team_name; /* may be NULL */
	const char	*signer_fpr;	/* 40 hex */
	const char	*sig_status;	/* "good" */
	long long	 sig_created;	/* signature creation time */
	enum tlp	 tlp;
	enum tlp_where	 tlp_where;
	/* the signed content names no recipients (relayed because the
	 * signature was fresh): the verdict says so */
	bool		 unbound;
	/* the sender's Subject was not signed, so the copy does not show
	 * it: the verdict says so */
	bool		 subject_unsigned;
	/* from the post: the subject from the signed protected headers
	 * only; threading headers protected if present, else the outer
	 * ones; raw header values (may hold RFC 2047 words), may be NULL */
	const char	*subject;
	const char	*message_id;
	const char	*in_reply_to;
	const char	*references;
	/* the sender's MIME entity as decrypted (headers + body) */
	const char	*content;
	size_t		 content_len;
	/* the list key, for the Autocrypt and OpenPGP headers: its
	 * fingerprint and its minimal public key in base64 (may be NULL:
	 * no Autocrypt header) */
	const char	*list_fpr;
	const char	*autocrypt_keydata;
};

struct outmsg {
	/* the entity to sign once: protected headers + multipart/mixed;
	 * BUF_SENSITIVE (it holds the post's plaintext) */
	struct buf		*entity;
	/* headers of every copy; to is the list address here (the worker
	 * puts each recipient's address in its copy's To) */
	struct crypto_headers	 h;
	char			*message_id;	/* "<...>" of the post */
	/* the outer From of every copy: "LIST <LIST@domain>", nothing of
	 * the sender (h.from, with the sender's name and team, is for the
	 * protected headers only) */
	char			*outer_from;
	void			*priv_;		/* storage */
};

/* Build *out from in (always succeeds for valid input; -1 if a required
 * field is missing). */
int outmsg_build(const struct outmsg_in *in, struct outmsg *out);
void outmsg_free(struct outmsg *m);

/*
 * The outer headers of an encrypted copy built from m->h (crypto's
 * pgpmime_build_encrypted() writes the protected From as the first
 * line): that line becomes "From: m->outer_from".  Returns 0, or -1
 * with msg unchanged when msg does not begin with that exact line (then
 * the copy must not go out: it would carry the sender's name in clear).
 */
int outmsg_outer_from(const struct outmsg *m, struct buf *msg);

/* Append s as one header-safe line: control characters dropped, runs of
 * space and tab one space, no leading space; with ascii, every non-ASCII
 * octet becomes '?'.  NULL appends nothing.  (notice.c uses it too.) */
void outmsg_clean(const char *s, struct buf *out, bool ascii);

/* A Subject value (UTF-8 text; cleaned here) as the header carries it:
 * non-ASCII words as RFC 2047 UTF-8 B words, folded after "Subject: "
 * (the encoder the relayed copies use; notice_send.c for the hub's own
 * mail in Japanese). */
void outmsg_subject_header(const char *subject, struct buf *out);
/* A display name as an RFC 5322 phrase: UTF-8 B words when not ASCII,
 * else an atom or a quoted-string. */
void outmsg_phrase(const char *name, struct buf *out);

/* Append data in base64, unbroken (Autocrypt keydata). */
void outmsg_base64(const void *data, size_t n, struct buf *out);

/* "LIST-bounces+local=domain.of.rcpt@domain" (VERP) into dst. */
void outmsg_verp(const char *list, const char *domain, const char *rcpt,
    char *dst, size_t n);
/* The recipient address in a VERP tag ("bob=example.org" ->
 * "bob@example.org") into dst; -1 if tag is not one. */
int outmsg_verp_decode(const char *tag, char *dst, size_t n);

/* The Subject of a relayed copy: tag and label added unless present
 * already ("Re: [ops] TLP:AMBER x" stays as it is).  subject is the raw
 * header value: its RFC 2047 words are decoded first (text_header_utf8,
 * the one decoder), so a label inside one is seen.  Into out, as UTF-8
 * text (outmsg_build encodes it for the header). */
void outmsg_subject(const char *tag, enum tlp label, const char *subject,
    struct buf *out);

#endif
