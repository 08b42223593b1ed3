# crypto/: GPGME and libetpan, RFC 3156, OpenPGP packet framing, the
# wrapped database keys and the encrypted SQLite layer.  Includes base/
# only.

# --- library -----------------------------------------------------------------
noinst_LIBRARIES += libhubcrypto.a
libhubcrypto_a_CFLAGS = $(AM_CFLAGS) $(GPGME_CFLAGS) $(LIBETPAN_CFLAGS)
libhubcrypto_a_SOURCES = \
	crypto/crypto.h \
	crypto/gpg.c crypto/gpg.h crypto/gpg_internal.h \
	crypto/keys.c crypto/keys.h \
	crypto/keyinspect.c crypto/keyinspect.h \
	crypto/mime.c crypto/mime.h \
	crypto/pgpmime.c crypto/pgpmime.h \
	crypto/packets.c crypto/packets.h \
	crypto/decrypt.c crypto/decrypt.h \
	crypto/encrypt.c crypto/encrypt.h \
	crypto/wrap.c crypto/wrap.h \
	crypto/keyfile.c crypto/keyfile.h \
	crypto/db.c crypto/db.h \
	crypto/backup.c crypto/backup.h

CRYPTO_LIBS = libhubcrypto.a libhubbase.a $(GPGME_LIBS) $(LIBETPAN_LIBS)

# --- unit tests --------------------------------------------------------------
CRYPTO_UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(GPGME_CFLAGS) \
	$(LIBETPAN_CFLAGS)
CRYPTO_UNIT_LDADD = $(CRYPTO_LIBS) $(CMOCKA_LIBS)
# Pure MIME, PGP forms and packet framing: no gpg.
check_PROGRAMS += tests/unit/test_mime tests/unit/test_packets
TESTS += tests/unit/test_mime tests/unit/test_packets
tests_unit_test_mime_SOURCES = tests/unit/test_mime.c
tests_unit_test_mime_CFLAGS = $(CRYPTO_UNIT_CFLAGS)
tests_unit_test_mime_LDADD = $(CRYPTO_UNIT_LDADD)
tests_unit_test_packets_SOURCES = tests/unit/test_packets.c
tests_unit_test_packets_CFLAGS = $(CRYPTO_UNIT_CFLAGS)
tests_unit_test_packets_LDADD = $(CRYPTO_UNIT_LDADD)
# The encrypted SQLite layer with raw keys: migration, wrong key, lock.
check_PROGRAMS += tests/unit/test_db
TESTS += tests/unit/test_db
tests_unit_test_db_SOURCES = tests/unit/test_db.c
tests_unit_test_db_CFLAGS = $(CRYPTO_UNIT_CFLAGS)
tests_unit_test_db_LDADD = $(CRYPTO_UNIT_LDADD) $(SQLCIPHER_LIBS)
# Against real gpg: run through tests/crypto/crypto.sh, which makes keys
# and mail per run (the binary alone skips).
check_PROGRAMS += tests/unit/test_crypto
tests_unit_test_crypto_SOURCES = tests/unit/test_crypto.c
tests_unit_test_crypto_CFLAGS = $(CRYPTO_UNIT_CFLAGS)
tests_unit_test_crypto_LDADD = $(CRYPTO_UNIT_LDADD)
TESTS += tests/crypto/crypto.sh tests/crypto/samples.sh

# --- fuzz (corpora replayed by tests/fuzz/replay.sh) -------------------------
# MIME parse + PGP form detection, inline armor, the inline-block
# splitter, OpenPGP packet framing.
check_PROGRAMS += tests/fuzz/replay_mime tests/fuzz/replay_armor \
	tests/fuzz/replay_inline tests/fuzz/replay_packets
tests_fuzz_replay_mime_SOURCES = tests/fuzz/fuzz_mime.c tests/fuzz/driver.c
tests_fuzz_replay_mime_CFLAGS = $(AM_CFLAGS) $(LIBETPAN_CFLAGS)
tests_fuzz_replay_mime_LDADD = $(CRYPTO_LIBS)
tests_fuzz_replay_armor_SOURCES = tests/fuzz/fuzz_armor.c tests/fuzz/driver.c
tests_fuzz_replay_armor_LDADD = $(CRYPTO_LIBS)
tests_fuzz_replay_inline_SOURCES = tests/fuzz/fuzz_inline.c tests/fuzz/driver.c
tests_fuzz_replay_inline_LDADD = $(CRYPTO_LIBS)
tests_fuzz_replay_packets_SOURCES = tests/fuzz/fuzz_packets.c \
	tests/fuzz/driver.c
tests_fuzz_replay_packets_LDADD = $(CRYPTO_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_mime tests/fuzz/fuzz_armor \
	tests/fuzz/fuzz_inline tests/fuzz/fuzz_packets
tests_fuzz_fuzz_mime_SOURCES = tests/fuzz/fuzz_mime.c
tests_fuzz_fuzz_mime_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_mime_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_mime_LDADD = $(CRYPTO_LIBS)
tests_fuzz_fuzz_armor_SOURCES = tests/fuzz/fuzz_armor.c
tests_fuzz_fuzz_armor_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_armor_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_armor_LDADD = $(CRYPTO_LIBS)
tests_fuzz_fuzz_inline_SOURCES = tests/fuzz/fuzz_inline.c
tests_fuzz_fuzz_inline_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_inline_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_inline_LDADD = $(CRYPTO_LIBS)
tests_fuzz_fuzz_packets_SOURCES = tests/fuzz/fuzz_packets.c
tests_fuzz_fuzz_packets_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_packets_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_packets_LDADD = $(CRYPTO_LIBS)
endif

# --- dist --------------------------------------------------------------------
EXTRA_DIST += tests/crypto/crypto.sh tests/crypto/fixture.sh \
	tests/crypto/mutt-compose.py tests/crypto/mutt-sink.sh \
	tests/crypto/mutt-read.py tests/crypto/pgpgen.py \
	tests/crypto/samples.sh tests/data/keys tests/data/mail
