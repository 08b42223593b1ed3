# lists/: the community model and its rules: TLP, posting policy,
# admission by endorsement, the roster and its SQLCipher store.
# Includes base/ and crypto/ (tests/check-layering.sh).

# --- library -----------------------------------------------------------------
noinst_LIBRARIES += liblists.a
liblists_a_SOURCES = \
	lists/model.h \
	lists/tlp.c lists/tlp.h \
	lists/policy.c lists/policy.h \
	lists/endorse.c lists/endorse.h \
	lists/admission.c lists/admission.h \
	lists/keyrule.c lists/keyrule.h \
	lists/contact_key.c lists/contact_key.h \
	lists/certmerge.c lists/certmerge.h \
	lists/mailcmd.c lists/mailcmd.h \
	lists/cmdrule.c lists/cmdrule.h \
	lists/store.c lists/store.h lists/store_impl.h lists/store_schema.c \
	lists/store_team.c lists/store_contact.c lists/store_list.c \
	lists/store_value.c lists/store_sub.c lists/store_community.c \
	lists/store_heldkey.c \
	lists/store_endorse.c lists/store_audit.c lists/store_journal.c \
	lists/store_rekey.c \
	lists/roster.c lists/roster.h

# The pure rules need only base/; the store needs crypto/ (key unwrap)
# and SQLCipher after it.
LISTS_LIBS = liblists.a libhubbase.a
STORE_LIBS = liblists.a libhubcrypto.a libhubbase.a $(SQLCIPHER_LIBS) \
	$(GPGME_LIBS) $(LIBETPAN_LIBS)

# --- unit tests --------------------------------------------------------------
LISTS_UNIT_TESTS = \
	tests/unit/test_tlp \
	tests/unit/test_policy \
	tests/unit/test_endorse \
	tests/unit/test_keyrule \
	tests/unit/test_certmerge \
	tests/unit/test_mailcmd \
	tests/unit/test_store
check_PROGRAMS += $(LISTS_UNIT_TESTS)
TESTS += $(LISTS_UNIT_TESTS)
tests_unit_test_tlp_SOURCES = tests/unit/test_tlp.c
tests_unit_test_tlp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tlp_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_policy_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
tests_unit_test_endorse_SOURCES = tests/unit/test_endorse.c
tests_unit_test_endorse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_endorse_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
tests_unit_test_keyrule_SOURCES = tests/unit/test_keyrule.c
tests_unit_test_keyrule_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_keyrule_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
tests_unit_test_certmerge_SOURCES = tests/unit/test_certmerge.c
tests_unit_test_certmerge_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_certmerge_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
tests_unit_test_mailcmd_SOURCES = tests/unit/test_mailcmd.c
tests_unit_test_mailcmd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mailcmd_LDADD = $(LISTS_LIBS) $(CMOCKA_LIBS)
tests_unit_test_store_SOURCES = tests/unit/test_store.c \
	tests/unit/hubkey.c tests/unit/hubkey.h
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_LDADD = $(STORE_LIBS) $(CMOCKA_LIBS)

# --- fuzz (corpora replayed by tests/fuzz/replay.sh) -------------------------
check_PROGRAMS += tests/fuzz/replay_tlp
tests_fuzz_replay_tlp_SOURCES = tests/fuzz/fuzz_tlp.c tests/fuzz/driver.c
tests_fuzz_replay_tlp_LDADD = $(LISTS_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_tlp
tests_fuzz_fuzz_tlp_SOURCES = tests/fuzz/fuzz_tlp.c
tests_fuzz_fuzz_tlp_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_tlp_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_tlp_LDADD = $(LISTS_LIBS)
endif

check_PROGRAMS += tests/fuzz/replay_mailcmd
tests_fuzz_replay_mailcmd_SOURCES = tests/fuzz/fuzz_mailcmd.c tests/fuzz/driver.c
tests_fuzz_replay_mailcmd_LDADD = $(LISTS_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_mailcmd
tests_fuzz_fuzz_mailcmd_SOURCES = tests/fuzz/fuzz_mailcmd.c
tests_fuzz_fuzz_mailcmd_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_mailcmd_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_mailcmd_LDADD = $(LISTS_LIBS)
endif
