# bench/: benchmarks that print ratios measured in one run (never tests).
# Their C helpers are built by make check so they keep compiling; the
# scripts run them.
check_PROGRAMS += bench/rawwrite bench/crypto_bench bench/archive_bench \
	bench/roster_fill bench/sink
bench_rawwrite_SOURCES = bench/rawwrite.c
bench_rawwrite_LDADD = libhubbase.a
bench_crypto_bench_SOURCES = bench/crypto_bench.c
bench_crypto_bench_CFLAGS = $(AM_CFLAGS) $(GPGME_CFLAGS) $(LIBETPAN_CFLAGS)
bench_crypto_bench_LDADD = $(CRYPTO_LIBS)
bench_archive_bench_SOURCES = bench/archive_bench.c
bench_archive_bench_LDADD = $(ARCHIVE_LIBS)
bench_roster_fill_SOURCES = bench/roster_fill.c
bench_roster_fill_CFLAGS = $(AM_CFLAGS) $(GPGME_CFLAGS)
bench_roster_fill_LDADD = $(STORE_LIBS)
bench_sink_SOURCES = bench/sink.c
EXTRA_DIST += bench/intake bench/relay bench/crypto bench/archive \
	bench/peers.sh bench/schleuder-list.rb bench/setup-peers
