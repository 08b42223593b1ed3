/*
 * crypto_bench: time crypto/ doing what bench/crypto asks, so the script
 * can put it next to the raw gpg CLI doing the same.  Prints one number,
 * the wall-clock seconds for the whole run.
 *
 * usage: crypto_bench GNUPGHOME combined LIST_FPR ENTITY RCPT_FPR...
 *        crypto_bench GNUPGHOME signonce LIST_FPR ENTITY RCPT_FPR...
 *        crypto_bench GNUPGHOME decrypt COUNT MESSAGE
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/decrypt.h"
#include "crypto/encrypt.h"
#include "crypto/gpg.h"
#include "base/buf.h"

static struct buf *
slurp(const char *path)
{
	struct buf *b = buf_new(BUF_SENSITIVE);
	char tmp[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(2);
	}
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(b, tmp, n);
	fclose(f);
	return b;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
check(enum crypto_status st, const char *what)
{
	if (st != CRYPTO_OK) {
		fprintf(stderr, "crypto_bench: %s: %s\n", what,
		    crypto_status_str(st));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	const struct crypto_headers h = {
		.from = "list@hub.test", .to = "member@cert.test",
		.subject = "bench",
	};
	struct gpg *g;
	struct buf *in, *out, *sig;
	struct verified *v;
	double t0;
	int i, n;

	if (argc < 5) {
		fprintf(stderr, "usage: see bench/crypto_bench.c\n");
		return 2;
	}
	check(gpg_open(argv[1], &g), "gpg_open");
	out = buf_new(0);
	if (strcmp(argv[2], "decrypt") == 0) {
		n = atoi(argv[3]);
		in = slurp(argv[4]);
		t0 = now();
		for (i = 0; i < n; i++) {
			check(decrypt_verify(g, buf_data(in), buf_len(in), &v),
			    "decrypt_verify");
			check(verified_status(v), "verified_status");
			verified_free(v);
		}
	} else {
		in = slurp(argv[4]);
		sig = buf_new(BUF_SENSITIVE);
		t0 = now();
		if (strcmp(argv[2], "signonce") == 0)
			check(encrypt_sign_once(g, argv[3], buf_data(in),
			    buf_len(in), sig), "encrypt_sign_once");
		for (i = 5; i < argc; i++) {
			buf_reset(out);
			if (strcmp(argv[2], "signonce") == 0)
				check(encrypt_to(g, argv[i], &h, buf_data(sig),
				    buf_len(sig), out), "encrypt_to");
			else
				check(encrypt_for(g, argv[3], argv[i], &h,
				    buf_data(in), buf_len(in), out),
				    "encrypt_for");
		}
		buf_free(sig);
	}
	printf("%.4f\n", now() - t0);
	buf_free(in);
	buf_free(out);
	gpg_close(g);
	return 0;
}
