# lists/: the community model and its pure decisions (issue 4): TLP
# vocabulary and parser, plain records, posting policy, admission rule.
# Included by Makefile.am; only "+=" here, the top level owns the
# variables.  liblists.a links before libhubbase.a (layering).
noinst_LIBRARIES += liblists.a
liblists_a_SOURCES = \
	lists/tlp.c lists/tlp.h \
	lists/model.h \
	lists/policy.c lists/policy.h \
	lists/endorse.c lists/endorse.h

LISTS_LIBS = liblists.a libhubbase.a

LISTS_UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
LISTS_UNIT_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
LISTS_UNIT_TESTS = \
	tests/unit/test_tlp \
	tests/unit/test_policy \
	tests/unit/test_endorse
check_PROGRAMS += $(LISTS_UNIT_TESTS)
TESTS += $(LISTS_UNIT_TESTS)
tests_unit_test_tlp_SOURCES = tests/unit/test_tlp.c
tests_unit_test_tlp_CFLAGS = $(LISTS_UNIT_CFLAGS)
tests_unit_test_tlp_LDADD = $(LISTS_UNIT_LDADD)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CFLAGS = $(LISTS_UNIT_CFLAGS)
tests_unit_test_policy_LDADD = $(LISTS_UNIT_LDADD)
tests_unit_test_endorse_SOURCES = tests/unit/test_endorse.c
tests_unit_test_endorse_CFLAGS = $(LISTS_UNIT_CFLAGS)
tests_unit_test_endorse_LDADD = $(LISTS_UNIT_LDADD)

# TLP label parser fuzz harness (tests/fuzz/replay.sh target "tlp").
check_PROGRAMS += tests/fuzz/replay_tlp
tests_fuzz_replay_tlp_SOURCES = tests/fuzz/fuzz_tlp.c tests/fuzz/driver.c
tests_fuzz_replay_tlp_LDADD = $(LISTS_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_tlp
tests_fuzz_fuzz_tlp_SOURCES = tests/fuzz/fuzz_tlp.c
tests_fuzz_fuzz_tlp_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_tlp_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_tlp_LDADD = $(LISTS_LIBS)
endif
EXTRA_DIST += tests/fuzz/corpus/tlp

# The roster store (issue 4): SQLCipher, key wrapped by crypto/wrap.
# liblists.a now needs libhubcrypto.a and SQLCipher after it (layering).
liblists_a_SOURCES += lists/store.c lists/store.h
STORE_LIBS = liblists.a libhubcrypto.a libhubbase.a $(SQLCIPHER_LIBS) \
	$(GPGME_LIBS) $(LIBETPAN_LIBS)
check_PROGRAMS += tests/unit/test_store
TESTS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c \
	tests/unit/hubkey.c tests/unit/hubkey.h
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_LDADD = $(STORE_LIBS) $(CMOCKA_LIBS)
liblists_a_SOURCES += lists/roster.c lists/roster.h
