#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gpgme.h>

#include "crypto/crypto.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "crypto/gpg_internal.h"
#include "crypto/mime.h"
#include "crypto/packets.h"
#include "crypto/pgpmime.h"
#include "base/buf.h"
#include "base/digits.h"
#include "base/xalloc.h"

/* Map a failed encryption: what was wrong with the recipient key. */
static enum crypto_status
encrypt_failure(gpgme_ctx_t ctx, gpgme_error_t err)
{
	gpgme_encrypt_result_t er = gpgme_op_encrypt_result(ctx);
	enum crypto_status st;

	if (er != NULL && er->invalid_recipients != NULL)
		return gpgme_err_code(er->invalid_recipients->reason) ==
		    GPG_ERR_NO_PUBKEY ? CRYPTO_KEY_NOT_FOUND :
		    CRYPTO_KEY_UNUSABLE;
	st = gpg_err_status(err);
	if (st == CRYPTO_OK || st == CRYPTO_MALFORMED)
		st = CRYPTO_ENGINE_ERROR;
	return st;
}

/*
 * Sign (list_fpr != NULL) and encrypt inner to rcpt_fpr; build the
 * message into out.  The recipient goes to gpg as a fingerprint string
 * (gpgme_op_encrypt_ext), not a listed key: listing it first would cost
 * a second gpg run per recipient, and gpg itself refuses a key that is
 * expired, revoked or cannot encrypt.
 */
static enum crypto_status
seal(struct gpg *g, const char *list_fpr, const char *rcpt_fpr,
    const struct crypto_headers *h, const struct buf *inner,
    struct buf *out)
{
	enum crypto_status st;
	gpgme_key_t signer = NULL;
	gpgme_data_t in = NULL, cipher = NULL;
	struct gpg_src src;
	struct gpg_sink sk;
	struct buf *ct;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	gpgme_encrypt_flags_t flags;

	ct = buf_new(0);
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK) {
		buf_free(ct);
		return st;
	}
	if (list_fpr != NULL) {
		if ((st = gpg_signer(g, ctx, list_fpr, &signer)) != CRYPTO_OK)
			goto out;
		if (gpgme_signers_add(ctx, signer) != 0) {
			st = CRYPTO_ENGINE_ERROR;
			goto out;
		}
	}
	if ((st = gpg_data_src(&src, buf_data(inner), buf_len(inner),
	    &in)) != CRYPTO_OK || (st = gpg_data_sink(&sk, ct, GPG_NO_LIMIT,
	    &cipher)) !=
	    CRYPTO_OK)
		goto out;
	/* the roster vouches for the key; only this key, nobody else's */
	flags = GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_ENCRYPT_TO;
	if (list_fpr != NULL)
		err = gpgme_op_encrypt_sign_ext(ctx, NULL, rcpt_fpr, flags,
		    in, cipher);
	else
		err = gpgme_op_encrypt_ext(ctx, NULL, rcpt_fpr, flags, in,
		    cipher);
	if (err != 0) {
		st = encrypt_failure(ctx, err);
		goto out;
	}
	pgpmime_build_encrypted(h, buf_data(ct), buf_len(ct), out);
	st = CRYPTO_OK;
out:
	gpgme_data_release(in);
	gpgme_data_release(cipher);
	gpgme_key_unref(signer);
	gpgme_release(ctx);
	buf_free(ct);
	return st;
}

enum crypto_status
encrypt_for(struct gpg *g, const char *list_fpr, const char *rcpt_fpr,
    const struct crypto_headers *h, const char *entity, size_t len,
    struct buf *out)
{
	enum crypto_status st;
	struct buf *inner;

	if (!gpg_is_fpr(list_fpr) || !gpg_is_fpr(rcpt_fpr))
		return CRYPTO_BAD_ARGUMENT;
	inner = buf_new(BUF_SENSITIVE);
	if ((st = pgpmime_protect(h, entity, len, inner)) == CRYPTO_OK)
		st = seal(g, list_fpr, rcpt_fpr, h, inner, out);
	buf_free(inner);
	return st;
}

enum crypto_status
encrypt_to(struct gpg *g, const char *rcpt_fpr,
    const struct crypto_headers *h, const char *entity, size_t len,
    struct buf *out)
{
	enum crypto_status st;
	struct buf *inner;

	if (!gpg_is_fpr(rcpt_fpr))
		return CRYPTO_BAD_ARGUMENT;
	inner = buf_new(BUF_SENSITIVE);
	if ((st = pgpmime_protect(h, entity, len, inner)) == CRYPTO_OK)
		st = seal(g, NULL, rcpt_fpr, h, inner, out);
	buf_free(inner);
	return st;
}

enum crypto_status
encrypt_sign_once(struct gpg *g, const char *list_fpr, const char *entity,
    size_t len, struct buf *signed_out)
{
	enum crypto_status st;
	gpgme_key_t signer = NULL;
	gpgme_data_t in = NULL, sig = NULL;
	gpgme_sign_result_t sr;
	struct gpg_src src;
	struct gpg_sink sk;
	struct buf *canon, *sb;
	gpgme_ctx_t ctx;
	gpgme_error_t err;
	const char *hn;
	char micalg[32];
	size_t i;

	if (!gpg_is_fpr(list_fpr))
		return CRYPTO_BAD_ARGUMENT;
	if ((st = gpg_ctx_new(g, &ctx)) != CRYPTO_OK)
		return st;
	/* RFC 3156 §5: the signed entity is canonical, CRLF */
	canon = buf_new(BUF_SENSITIVE);
	sb = buf_new(0);
	mime_canon_crlf(entity, len, canon);
	if ((st = gpg_signer(g, ctx, list_fpr, &signer)) != CRYPTO_OK)
		goto out;
	if (gpgme_signers_add(ctx, signer) != 0) {
		st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	if ((st = gpg_data_src(&src, buf_data(canon), buf_len(canon),
	    &in)) != CRYPTO_OK || (st = gpg_data_sink(&sk, sb, GPG_NO_LIMIT,
	    &sig)) !=
	    CRYPTO_OK)
		goto out;
	err = gpgme_op_sign(ctx, in, sig, GPGME_SIG_MODE_DETACH);
	sr = gpgme_op_sign_result(ctx);
	if (err != 0 || sr == NULL || sr->signatures == NULL ||
	    sr->invalid_signers != NULL) {
		st = err != 0 ? gpg_err_status(err) : CRYPTO_ENGINE_ERROR;
		if (st == CRYPTO_OK || st == CRYPTO_MALFORMED)
			st = CRYPTO_ENGINE_ERROR;
		goto out;
	}
	/* micalg must name the hash actually used (RFC 3156 §5) */
	hn = gpgme_hash_algo_name(sr->signatures->hash_algo);
	(void)snprintf(micalg, sizeof micalg, "pgp-%s",
	    hn != NULL ? hn : "sha256");
	for (i = 0; micalg[i] != '\0'; i++)
		micalg[i] = (char)tolower((unsigned char)micalg[i]);
	pgpmime_build_signed(buf_data(canon), buf_len(canon), buf_data(sb),
	    buf_len(sb), micalg, signed_out);
	st = CRYPTO_OK;
out:
	gpgme_data_release(in);
	gpgme_data_release(sig);
	gpgme_key_unref(signer);
	gpgme_release(ctx);
	buf_free(canon);
	buf_free(sb);
	return st;
}

/* ---- encrypt once, split per recipient ---------------------------- */

/*
 * Keys per gpg run: gpg's handling of its recipient list grows with the
 * square of its length (one run to 1 000 cv25519 keys took 0.35 s here,
 * to 3 000 1.7 s, to 10 000 13 s), so a list of thousands is encrypted
 * in parts of at most this many keys, each with its own session key.
 * With several gpg handles the parts run side by side, and a list of at
 * least twice split_least keys is cut into one part per handle, so that
 * every core works on it (each run costs a gpg start, ~5 ms: not worth
 * it for fewer keys).
 */
static size_t split_most = 1000, split_least = 32;
/* What the parts made only to share the cores may hold of gpg's output
 * at once (each part holds a whole copy of the post). */
#define SPLIT_SIDE_BUDGET	(32u << 20)

void
encrypt_split_parts(size_t most, size_t least)
{
	split_most = most > 0 ? most : 1000;
	split_least = least > 0 ? least : 32;
}

/* One gpg run's output. */
struct split_part {
	struct buf		*ct;	/* gpg's binary output */
	struct pgp_split	 sp;	/* its packets */
};

struct encrypt_split {
	struct split_part	*parts;
	size_t			 nparts;
	size_t			 n;
	enum crypto_status	*st;	/* per recipient */
	size_t			*part;	/* per recipient: its part */
	size_t			*pk;	/* per recipient: its PKESK there */
};

/* One distinct key asked for, and what became of it. */
struct split_key {
	const char		*fpr;
	gpgme_key_t		 key;
	enum crypto_status	 st;
	size_t			 pk;	/* its PKESK, once matched */
};

/*
 * Armor (RFC 9580 §6): base64 in lines of 64 and the CRC-24 line.  The
 * CRC is a checksum of the bytes, not cryptography; RFC 9580 lets a
 * writer leave it out, but gpg 2.2 and the clients built on it refuse an
 * armored message without it.
 */
static void
armor_put(struct buf *out, const unsigned char *p, size_t n,
    uint32_t *crc, unsigned *col, unsigned char *q, size_t *nq, int flush)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char o[4];
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		*crc ^= (uint32_t)p[i] << 16;
		for (k = 0; k < 8; k++) {
			*crc <<= 1;
			if (*crc & 0x1000000)
				*crc ^= 0x1864cfb;
		}
		q[(*nq)++] = p[i];
		if (*nq < 3)
			continue;
		o[0] = b64[q[0] >> 2];
		o[1] = b64[((q[0] & 3) << 4) | (q[1] >> 4)];
		o[2] = b64[((q[1] & 15) << 2) | (q[2] >> 6)];
		o[3] = b64[q[2] & 63];
		buf_append(out, o, 4);
		*nq = 0;
		if ((*col += 4) == 64) {
			buf_append(out, "\n", 1);
			*col = 0;
		}
	}
	if (flush && *nq > 0) {
		o[0] = b64[q[0] >> 2];
		o[1] = b64[((q[0] & 3) << 4) | (*nq > 1 ? q[1] >> 4 : 0)];
		o[2] = *nq > 1 ? b64[(q[1] & 15) << 2] : '=';
		o[3] = '=';
		buf_append(out, o, 4);
		*col += 4;
		*nq = 0;
	}
	if (flush && *col > 0)
		buf_append(out, "\n", 1);
}

/* An armored OpenPGP message of a then b, into out. */
static void
armor2(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen, struct buf *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t crc = 0xb704ce;
	unsigned col = 0;
	unsigned char q[3];
	size_t nq = 0;
	char c[6];

	buf_append_str(out, "-----BEGIN PGP MESSAGE-----\n\n");
	armor_put(out, a, alen, &crc, &col, q, &nq, 0);
	armor_put(out, b, blen, &crc, &col, q, &nq, 1);
	crc &= 0xffffff;
	c[0] = '=';
	c[1] = b64[(crc >> 18) & 63];
	c[2] = b64[(crc >> 12) & 63];
	c[3] = b64[(crc >> 6) & 63];
	c[4] = b64[crc & 63];
	c[5] = '\n';
	buf_append(out, c, 6);
	buf_append_str(out, "-----END PGP MESSAGE-----\n");
}

/* The distinct keys from the keyring's kept listing (one gpg run when
 * the keyring changed since the last post, none otherwise). */
static enum crypto_status
split_list(struct gpg *g, struct split_key *k, size_t nk)
{
	enum crypto_status st;
	gpgme_key_t key;
	size_t i;

	if ((st = gpg_ring_refresh(g)) != CRYPTO_OK)
		return st;
	for (i = 0; i < nk; i++) {
		/* only a primary fingerprint names a key (as gpg_key_by_fpr) */
		if ((key = gpg_ring_find(g, k[i].fpr)) == NULL) {
			k[i].st = CRYPTO_KEY_NOT_FOUND;
			continue;
		}
		gpgme_key_ref(key);
		k[i].key = key;
		k[i].st = gpg_key_usable(key, 1) ? CRYPTO_OK :
		    CRYPTO_KEY_UNUSABLE;
	}
	return CRYPTO_OK;
}

/*
 * Encrypt inner to the usable keys of k; a key gpg refuses (its state
 * changed since the listing) is marked and the rest tried again.
 */
static enum crypto_status
split_encrypt(gpgme_ctx_t ctx, struct split_key *k, size_t nk,
    const struct buf *inner, struct buf *ct)
{
	gpgme_key_t *rk = xcalloc(nk + 1, sizeof *rk);
	gpgme_encrypt_result_t er;
	gpgme_invalid_key_t inv;
	gpgme_data_t in = NULL, cipher = NULL;
	struct gpg_src src;
	struct gpg_sink sk;
	enum crypto_status st;
	gpgme_error_t err;
	size_t i, m, tries, marked;

	/* binary, to split by packet; each copy is armored on its own */
	gpgme_set_armor(ctx, 0);
	for (tries = 0;; tries++) {
		for (i = m = 0; i < nk; i++)
			if (k[i].st == CRYPTO_OK)
				rk[m++] = k[i].key;
		rk[m] = NULL;
		if (m == 0) {
			st = CRYPTO_OK;		/* nobody to encrypt to */
			break;
		}
		buf_reset(ct);
		if ((st = gpg_data_src(&src, buf_data(inner), buf_len(inner),
		    &in)) != CRYPTO_OK || (st = gpg_data_sink(&sk, ct,
		    GPG_NO_LIMIT, &cipher)) != CRYPTO_OK)
			break;
		/* the roster vouches for the keys; only these, nobody else's */
		err = gpgme_op_encrypt(ctx, rk, GPGME_ENCRYPT_ALWAYS_TRUST |
		    GPGME_ENCRYPT_NO_ENCRYPT_TO, in, cipher);
		gpgme_data_release(in);
		gpgme_data_release(cipher);
		in = cipher = NULL;
		if (err == 0) {
			st = CRYPTO_OK;
			break;
		}
		er = gpgme_op_encrypt_result(ctx);
		marked = 0;
		for (inv = er != NULL ? er->invalid_recipients : NULL;
		    inv != NULL; inv = inv->next)
			for (i = 0; i < nk; i++)
				if (k[i].st == CRYPTO_OK && inv->fpr != NULL &&
				    k[i].key->fpr != NULL &&
				    strcasecmp(inv->fpr, k[i].key->fpr) == 0) {
					k[i].st = gpgme_err_code(inv->reason) ==
					    GPG_ERR_NO_PUBKEY ?
					    CRYPTO_KEY_NOT_FOUND :
					    CRYPTO_KEY_UNUSABLE;
					marked++;
				}
		/* gpg failed for a reason other than a key, or keeps
		 * refusing: the engine's trouble */
		if (marked == 0 || tries >= 2) {
			st = gpg_err_status(err);
			if (st == CRYPTO_OK || st == CRYPTO_MALFORMED)
				st = CRYPTO_ENGINE_ERROR;
			break;
		}
	}
	gpgme_data_release(in);
	gpgme_data_release(cipher);
	free(rk);
	return st;
}

/* A (sub)key id of a recipient key, and which key it is. */
struct split_id {
	uint64_t	 id;
	size_t		 key;
};

static int
split_id_cmp(const void *a, const void *b)
{
	const struct split_id *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static uint64_t
id_of_bytes(const unsigned char id[8])
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | id[i];
	return v;
}

/* 16 hex digits; 0 (no key has it: 0 is the wildcard) if not */
static uint64_t
id_of_hex(const char *hex)
{
	uint64_t v = 0;
	size_t i;
	int d;

	if (hex == NULL || strlen(hex) != 16)
		return 0;
	for (i = 0; i < 16; i++) {
		if ((d = hub_hex_digit((unsigned char)hex[i])) < 0)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	return v;
}

/*
 * Each encrypted-to key gets exactly one PKESK that is its own (one of
 * its key ids, primary or subkey), and each PKESK belongs to exactly one
 * key: anything else and a copy could carry someone else's packet, or
 * none.  The keys' ids are sorted once and each PKESK looked up, so the
 * check costs n log n, not n squared, on a list of thousands.
 */
static enum crypto_status
split_match(const struct pgp_split *sp, struct split_key *k, size_t nk)
{
	struct split_id *ids = NULL, key;
	gpgme_subkey_t sk;
	size_t *hits = xcalloc(nk + 1, sizeof *hits);
	size_t i, j, lo, hi, mid, nids = 0, cap = 0, used = 0, owners;
	enum crypto_status st = CRYPTO_MALFORMED;

	for (i = 0; i < nk; i++) {
		if (k[i].st != CRYPTO_OK)
			continue;
		used++;
		for (sk = k[i].key->subkeys; sk != NULL; sk = sk->next) {
			if ((key.id = id_of_hex(sk->keyid)) == 0)
				continue;
			if (nids == cap) {
				cap = cap ? cap * 2 : 64;
				ids = xreallocarray(ids, cap, sizeof *ids);
			}
			ids[nids].id = key.id;
			ids[nids++].key = i;
		}
	}
	if (used != sp->npkesk)
		goto out;
	if (nids > 1)
		qsort(ids, nids, sizeof *ids, split_id_cmp);
	for (j = 0; j < sp->npkesk; j++) {
		key.id = id_of_bytes(sp->pkesk[j].keyid);
		/* the first id not below this one */
		for (lo = 0, hi = nids; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (ids[mid].id < key.id)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* how many distinct keys have it (sorted by key within) */
		for (owners = 0, i = lo; i < nids && ids[i].id == key.id; i++)
			if (i == lo || ids[i].key != ids[i - 1].key) {
				owners++;
				k[ids[i].key].pk = j;
				hits[ids[i].key]++;
			}
		if (key.id == 0 || owners != 1)
			goto out;
	}
	for (i = 0; i < nk; i++)
		if (k[i].st == CRYPTO_OK && hits[i] != 1)
			goto out;
	st = CRYPTO_OK;
out:
	free(ids);
	free(hits);
	return st;
}

/* Pointers to recipients' fingerprints, by fingerprint, ties in order. */
static int
fpr_ptr_cmp(const void *a, const void *b)
{
	const char *const *x = *(const char *const *const *)a;
	const char *const *y = *(const char *const *const *)b;
	int c = strcasecmp(*x, *y);

	return c != 0 ? c : (x > y) - (x < y);
}

/* The parts of one split, encrypted on one or more gpg handles. */
struct split_job {
	struct encrypt_split	*s;
	struct split_key	*k;
	size_t			 nk, per;
	const struct buf	*inner;
	size_t			 next;	/* the next part to take */
	enum crypto_status	 st;	/* the first failure */
	pthread_mutex_t		 mu;
};

/* One thread's share of a split job, on its own gpg handle. */
struct split_thread {
	struct split_job	*sj;
	struct gpg		*g;
};

/* One part: gpg's run, then its packets matched to its keys. */
static enum crypto_status
split_part_run(struct split_job *sj, gpgme_ctx_t ctx, size_t p)
{
	struct split_part *part = &sj->s->parts[p];
	size_t i, j, off = p * sj->per;
	size_t cnt = sj->nk - off < sj->per ? sj->nk - off : sj->per;
	enum crypto_status st;

	if ((st = split_encrypt(ctx, sj->k + off, cnt, sj->inner,
	    part->ct)) != CRYPTO_OK)
		return st;
	for (i = j = 0; i < cnt; i++)
		j += sj->k[off + i].st == CRYPTO_OK;
	if (j > 0 && (pgp_split_encrypted(buf_data(part->ct),
	    buf_len(part->ct), cnt, &part->sp) != 0 ||
	    split_match(&part->sp, sj->k + off, cnt) != CRYPTO_OK))
		return CRYPTO_MALFORMED;
	return CRYPTO_OK;
}

/* A thread's share: parts taken one by one until none is left or one
 * failed; its own context on its own handle. */
static void *
split_worker(void *arg)
{
	struct split_thread *th = arg;
	struct split_job *sj = th->sj;
	enum crypto_status st;
	gpgme_ctx_t ctx = NULL;
	size_t p;

	st = gpg_ctx_new(th->g, &ctx);
	for (;;) {
		pthread_mutex_lock(&sj->mu);
		if (st != CRYPTO_OK && sj->st == CRYPTO_OK)
			sj->st = st;
		if (sj->st != CRYPTO_OK || sj->next >= sj->s->nparts) {
			pthread_mutex_unlock(&sj->mu);
			break;
		}
		p = sj->next++;
		pthread_mutex_unlock(&sj->mu);
		st = split_part_run(sj, ctx, p);
	}
	gpgme_release(ctx);
	return NULL;
}

enum crypto_status
encrypt_split_new(struct gpg *g, struct gpg *const *tg, size_t ntg,
    const char *const *rcpt_fprs, size_t n, const struct crypto_headers *h,
    const char *entity, size_t len, struct encrypt_split **sp)
{
	struct encrypt_split *s;
	struct split_key *k;
	struct split_job sj;
	const char *const **ord;
	struct buf *inner = NULL;
	enum crypto_status st;
	pthread_t tid[SPLIT_THREADS_MAX];
	struct split_thread th[SPLIT_THREADS_MAX];
	size_t i, j, p, nk = 0, nt, *ki;

	*sp = NULL;
	for (i = 0; i < n; i++)
		if (!gpg_is_fpr(rcpt_fprs[i]))
			return CRYPTO_BAD_ARGUMENT;
	if (tg == NULL || ntg == 0) {
		tg = &g;
		ntg = 1;
	}
	if (ntg > SPLIT_THREADS_MAX)
		ntg = SPLIT_THREADS_MAX;
	s = xcalloc(1, sizeof *s);
	s->n = n;
	s->st = xcalloc(n + 1, sizeof *s->st);
	s->pk = xcalloc(n + 1, sizeof *s->pk);
	s->part = xcalloc(n + 1, sizeof *s->part);
	k = xcalloc(n + 1, sizeof *k);
	ki = xcalloc(n + 1, sizeof *ki);
	/* one entry per distinct key: gpg writes one packet per key (the
	 * recipients sorted by key once, not compared pairwise: n squared
	 * on a list of thousands); keys in the order of their first
	 * recipient */
	ord = xcalloc(n + 1, sizeof *ord);
	for (i = 0; i < n; i++)
		ord[i] = &rcpt_fprs[i];
	if (n > 1)
		qsort(ord, n, sizeof *ord, fpr_ptr_cmp);
	for (i = 0; i < n; i++) {
		j = (size_t)(ord[i] - rcpt_fprs);
		/* the first of a run of equal keys stands for the run */
		ki[j] = i > 0 && strcasecmp(*ord[i - 1], *ord[i]) == 0 ?
		    ki[ord[i - 1] - rcpt_fprs] : j;
	}
	free(ord);
	/* ki[] now names a recipient index; make it a key index */
	for (i = 0; i < n; i++) {
		if (ki[i] == i) {
			k[nk].fpr = rcpt_fprs[i];
			ki[i] = nk++;
		} else
			ki[i] = ki[ki[i]];
	}
	memset(&sj, 0, sizeof sj);
	pthread_mutex_init(&sj.mu, NULL);
	inner = buf_new(BUF_SENSITIVE);
	if ((st = pgpmime_protect(h, entity, len, inner)) != CRYPTO_OK ||
	    (nk > 0 && (st = split_list(g, k, nk)) != CRYPTO_OK))
		goto out;
	/* parts of at most split_most keys; one per handle for a list long
	 * enough to share; as even as they can be */
	s->nparts = nk > 0 ? (nk + split_most - 1) / split_most : 1;
	if (ntg > 1 && nk >= 2 * split_least && s->nparts < ntg) {
		p = nk / split_least < ntg ? nk / split_least : ntg;
		/* each part holds gpg's whole output at once: a large post
		 * is not multiplied by the number of cores */
		if (len > 0 && p * len > SPLIT_SIDE_BUDGET)
			p = SPLIT_SIDE_BUDGET / len;
		if (p > s->nparts)
			s->nparts = p;
	}
	sj.per = nk > 0 ? (nk + s->nparts - 1) / s->nparts : 1;
	/* no part left empty by the rounding (every part is off < nk) */
	s->nparts = nk > 0 ? (nk + sj.per - 1) / sj.per : 1;
	s->parts = xcalloc(s->nparts, sizeof *s->parts);
	for (p = 0; p < s->nparts; p++)
		s->parts[p].ct = buf_new(0);
	sj.s = s;
	sj.k = k;
	sj.nk = nk;
	sj.inner = inner;
	sj.st = CRYPTO_OK;
	if (nk > 0) {
		nt = ntg < s->nparts ? ntg : s->nparts;
		for (i = 0; i < nt; i++) {
			th[i].sj = &sj;
			th[i].g = tg[i];
		}
		if (nt == 1)
			split_worker(&th[0]);
		else {
			for (i = 0; i < nt; i++)
				if (pthread_create(&tid[i], NULL, split_worker,
				    &th[i]) != 0)
					break;
			/* a thread that could not start: its share is taken
			 * by those that did, or here */
			if (i == 0)
				split_worker(&th[0]);
			for (j = 0; j < i; j++)
				pthread_join(tid[j], NULL);
		}
		if ((st = sj.st) != CRYPTO_OK)
			goto out;
	}
	for (i = 0; i < n; i++) {
		s->st[i] = k[ki[i]].st;
		s->pk[i] = k[ki[i]].pk;
		s->part[i] = ki[i] / sj.per;
	}
	*sp = s;
	s = NULL;
	st = CRYPTO_OK;
out:
	pthread_mutex_destroy(&sj.mu);
	for (i = 0; i < nk; i++)
		gpgme_key_unref(k[i].key);
	free(k);
	free(ki);
	buf_free(inner);
	encrypt_split_free(s);
	return st;
}

size_t
encrypt_split_nparts(const struct encrypt_split *s)
{
	return s != NULL ? s->nparts : 0;
}

enum crypto_status
encrypt_split_status(const struct encrypt_split *s, size_t i)
{
	return s == NULL || i >= s->n ? CRYPTO_BAD_ARGUMENT : s->st[i];
}

enum crypto_status
encrypt_split_copy(const struct encrypt_split *s, size_t i,
    const struct crypto_headers *h, struct buf *out)
{
	const unsigned char *d;
	const struct pgp_split_pkesk *p;
	const struct split_part *part;
	struct buf *arm;
	enum crypto_status st;

	if ((st = encrypt_split_status(s, i)) != CRYPTO_OK)
		return st;
	part = &s->parts[s->part[i]];
	d = (const unsigned char *)buf_data(part->ct);
	p = &part->sp.pkesk[s->pk[i]];
	arm = buf_new(0);
	/* their session key packet, then the data everyone of their part
	 * shares, as gpg wrote them */
	armor2(d + p->off, p->len, d + part->sp.data_off, part->sp.data_len,
	    arm);
	pgpmime_build_encrypted(h, buf_data(arm), buf_len(arm), out);
	buf_free(arm);
	return CRYPTO_OK;
}

void
encrypt_split_free(struct encrypt_split *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nparts; i++) {
		buf_free(s->parts[i].ct);
		pgp_split_free(&s->parts[i].sp);
	}
	free(s->parts);
	free(s->st);
	free(s->part);
	free(s->pk);
	free(s);
}
