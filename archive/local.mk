# archive/: indicators from a post's text (extraction, refanging, libpsl),
# the encrypted SQLCipher archive, search and exports.  Includes base/,
# crypto/ and lists/tlp.h only (tests/check-layering.sh).

# --- library -----------------------------------------------------------------
noinst_LIBRARIES += libhubarchive.a
libhubarchive_a_CFLAGS = $(AM_CFLAGS) $(LIBPSL_CFLAGS) $(LIBGCRYPT_CFLAGS)
libhubarchive_a_SOURCES = \
	archive/text.c archive/text.h \
	archive/extract.c archive/extract.h \
	archive/ipkey.c archive/ipkey.h \
	archive/archive.c archive/archive.h \
	archive/search.c archive/search.h \
	archive/export.c archive/export.h archive/export_impl.h \
	archive/export_csv.c archive/export_misp.c archive/export_stix.c

# lists/tlp.c (who may see a label), crypto/ (key unwrap, MIME), SQLCipher
# and libgcrypt (UUIDv5 and MD5 of the exports) after it.
ARCHIVE_LIBS = libhubarchive.a liblists.a libhubcrypto.a libhubbase.a \
	$(LIBPSL_LIBS) $(SQLCIPHER_LIBS) $(GPGME_LIBS) $(LIBETPAN_LIBS) \
	$(LIBGCRYPT_LIBS)

# --- unit tests --------------------------------------------------------------
# extract: pure, table-driven; text: posts built in the test; archive:
# a real SQLCipher archive in a scratch GNUPGHOME; export: every format
# into a temp dir, RED absent everywhere.
ARCHIVE_UNIT_TESTS = \
	tests/unit/test_extract \
	tests/unit/test_text \
	tests/unit/test_archive \
	tests/unit/test_export \
	tests/unit/test_search
check_PROGRAMS += $(ARCHIVE_UNIT_TESTS)
TESTS += $(ARCHIVE_UNIT_TESTS)
tests_unit_test_extract_SOURCES = tests/unit/test_extract.c
tests_unit_test_extract_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_extract_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_text_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)
tests_unit_test_archive_SOURCES = tests/unit/test_archive.c \
	tests/unit/hubkey.c tests/unit/hubkey.h
tests_unit_test_archive_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_archive_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)
tests_unit_test_export_SOURCES = tests/unit/test_export.c
tests_unit_test_export_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBGCRYPT_CFLAGS)
tests_unit_test_export_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)
tests_unit_test_search_SOURCES = tests/unit/test_search.c
tests_unit_test_search_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_search_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)

# --- fuzz (corpora replayed by tests/fuzz/replay.sh) -------------------------
# Indicator extraction, the text of a post, the query parser.
check_PROGRAMS += tests/fuzz/replay_extract tests/fuzz/replay_text \
	tests/fuzz/replay_search
tests_fuzz_replay_extract_SOURCES = tests/fuzz/fuzz_extract.c \
	tests/fuzz/driver.c
tests_fuzz_replay_extract_LDADD = $(ARCHIVE_LIBS)
tests_fuzz_replay_text_SOURCES = tests/fuzz/fuzz_text.c tests/fuzz/driver.c
tests_fuzz_replay_text_LDADD = $(ARCHIVE_LIBS)
tests_fuzz_replay_search_SOURCES = tests/fuzz/fuzz_search.c \
	tests/fuzz/driver.c
tests_fuzz_replay_search_LDADD = $(ARCHIVE_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_extract tests/fuzz/fuzz_text \
	tests/fuzz/fuzz_search
tests_fuzz_fuzz_extract_SOURCES = tests/fuzz/fuzz_extract.c
tests_fuzz_fuzz_extract_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_extract_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_extract_LDADD = $(ARCHIVE_LIBS)
tests_fuzz_fuzz_text_SOURCES = tests/fuzz/fuzz_text.c
tests_fuzz_fuzz_text_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_text_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_text_LDADD = $(ARCHIVE_LIBS)
tests_fuzz_fuzz_search_SOURCES = tests/fuzz/fuzz_search.c
tests_fuzz_fuzz_search_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_search_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_search_LDADD = $(ARCHIVE_LIBS)
endif
