# archive/: indicators and (later) the encrypted store (issue 6).
# Included by Makefile.am; only "+=" here, the top level owns the
# variables.  libhubarchive.a links before libhubbase.a (layering).
noinst_LIBRARIES += libhubarchive.a
libhubarchive_a_CFLAGS = $(AM_CFLAGS) $(LIBPSL_CFLAGS)
libhubarchive_a_SOURCES = \
	archive/extract.c archive/extract.h \
	archive/ipkey.c archive/ipkey.h \
	archive/archive.c archive/archive.h \
	archive/search.c archive/search.h \
	archive/export.h

# The store needs lists/tlp.c (who may see a label), crypto (key unwrap)
# and SQLCipher after it (layering).
ARCHIVE_LIBS = libhubarchive.a liblists.a libhubcrypto.a libhubbase.a $(LIBPSL_LIBS) \
	$(SQLCIPHER_LIBS) $(GPGME_LIBS) $(LIBETPAN_LIBS) $(LIBGCRYPT_LIBS)

# The store and search: a real SQLCipher archive in a scratch GNUPGHOME.
check_PROGRAMS += tests/unit/test_archive
TESTS += tests/unit/test_archive
tests_unit_test_archive_SOURCES = tests/unit/test_archive.c \
	tests/unit/hubkey.c tests/unit/hubkey.h
tests_unit_test_archive_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_archive_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)

# Pure extraction: table-driven, no I/O.
check_PROGRAMS += tests/unit/test_extract
TESTS += tests/unit/test_extract
tests_unit_test_extract_SOURCES = tests/unit/test_extract.c
tests_unit_test_extract_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_extract_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)

# Exporters (csv, MISP feed, STIX 2.1): UUIDv5 and MD5 from libgcrypt.
libhubarchive_a_SOURCES += archive/export.c archive/export_impl.h \
	archive/export_csv.c archive/export_misp.c archive/export_stix.c
libhubarchive_a_CFLAGS += $(LIBGCRYPT_CFLAGS)

# Every format into a temp dir; RED must be absent everywhere.
# liblists.a: tlp_str() names the label in the CSV and the STIX markings.
check_PROGRAMS += tests/unit/test_export
TESTS += tests/unit/test_export
tests_unit_test_export_SOURCES = tests/unit/test_export.c
tests_unit_test_export_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBGCRYPT_CFLAGS)
tests_unit_test_export_LDADD = libhubarchive.a liblists.a $(ARCHIVE_LIBS) \
	$(LIBGCRYPT_LIBS) $(CMOCKA_LIBS)

# The text of a post (MIME tree to UTF-8) that indicators come from.
libhubarchive_a_SOURCES += archive/text.c archive/text.h

# Posts built in the test, parsed with crypto/mime: needs libhubcrypto.a
# after libhubarchive.a (layering) and before libhubbase.a.
check_PROGRAMS += tests/unit/test_text
TESTS += tests/unit/test_text
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_text_LDADD = $(ARCHIVE_LIBS) $(CRYPTO_LIBS) $(CMOCKA_LIBS)

# bench/archive (not a test): fills an archive and times searches; built
# by make check so it keeps compiling, run only by the script.
check_PROGRAMS += bench/archive_bench
bench_archive_bench_SOURCES = bench/archive_bench.c
bench_archive_bench_CFLAGS = $(AM_CFLAGS)
bench_archive_bench_LDADD = $(ARCHIVE_LIBS)
EXTRA_DIST += bench/archive

# Fuzz harnesses (tests/fuzz/replay.sh replays their corpora): indicator
# extraction, the text of a post (MIME parse: crypto after archive), the
# query parser.
check_PROGRAMS += tests/fuzz/replay_extract tests/fuzz/replay_text \
	tests/fuzz/replay_search
tests_fuzz_replay_extract_SOURCES = tests/fuzz/fuzz_extract.c \
	tests/fuzz/driver.c
tests_fuzz_replay_extract_LDADD = $(ARCHIVE_LIBS)
tests_fuzz_replay_text_SOURCES = tests/fuzz/fuzz_text.c tests/fuzz/driver.c
tests_fuzz_replay_text_LDADD = $(ARCHIVE_LIBS) $(CRYPTO_LIBS)
tests_fuzz_replay_search_SOURCES = tests/fuzz/fuzz_search.c \
	tests/fuzz/driver.c
tests_fuzz_replay_search_LDADD = $(ARCHIVE_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_extract tests/fuzz/fuzz_text \
	tests/fuzz/fuzz_search
tests_fuzz_fuzz_extract_SOURCES = tests/fuzz/fuzz_extract.c
tests_fuzz_fuzz_extract_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_extract_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_extract_LDADD = $(ARCHIVE_LIBS)
tests_fuzz_fuzz_text_SOURCES = tests/fuzz/fuzz_text.c
tests_fuzz_fuzz_text_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_text_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_text_LDADD = $(ARCHIVE_LIBS) $(CRYPTO_LIBS)
tests_fuzz_fuzz_search_SOURCES = tests/fuzz/fuzz_search.c
tests_fuzz_fuzz_search_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_search_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_search_LDADD = $(ARCHIVE_LIBS)
endif
