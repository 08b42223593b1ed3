# hub/: the daemon.  Two libraries, by the processes that run them:
#   libhub.a   the network side: the master and hubd-smtp (hub.conf,
#              SMTP/LMTP, recipients, the spool and its committer,
#              processes).  It never links crypto/, lists/ or archive/.
#   libhubd.a  the key side: hubd-worker (claim, post, fanout, request,
#              notices) and hubd-relay (libesmtp, delivery reports).
# hubd.c is main and the master; the programs are everything but main
# so tests can link them.

# --- libraries ---------------------------------------------------------------
noinst_LIBRARIES += libhub.a
libhub_a_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
libhub_a_SOURCES = \
	hub/conf.c hub/conf.h \
	hub/proc.c hub/proc.h \
	hub/recipient.c hub/recipient.h \
	hub/listnames.c hub/listnames.h \
	hub/smtp_proto.c hub/smtp_proto.h \
	hub/smtp.c hub/smtp.h \
	hub/committer.c hub/committer.h \
	hub/spool.c hub/spool.h \
	hub/copystate.c hub/copystate.h
HUB_LIBS = libhub.a libhubbase.a $(LIBEVENT_LIBS)

noinst_LIBRARIES += libhubd.a
libhubd_a_CFLAGS = $(AM_CFLAGS) $(GPGME_CFLAGS) $(LIBETPAN_CFLAGS) \
	$(LIBESMTP_CFLAGS) $(LIBGCRYPT_CFLAGS) $(LIBEVENT_CFLAGS)
libhubd_a_SOURCES = \
	hub/worker.c hub/worker.h \
	hub/defer.c hub/defer.h \
	hub/job.c hub/job.h \
	hub/post.c hub/post.h \
	hub/fanout.c hub/fanout.h \
	hub/request.c hub/request.h \
	hub/commands.c hub/commands.h \
	hub/keyupdate.c hub/keyupdate.h \
	hub/mailedkey.c hub/mailedkey.h \
	hub/endorsecert.c hub/endorsecert.h \
	hub/outmsg.c hub/outmsg.h \
	hub/notice.c hub/notice.h \
	hub/notice_send.c hub/notice_send.h \
	hub/receipt.c hub/receipt.h \
	hub/upkeep.c hub/upkeep.h \
	hub/dsn.c hub/dsn.h \
	hub/relay.c hub/relay.h
HUBD_LIBS = libhubd.a libhub.a $(ARCHIVE_LIBS) $(STORE_LIBS) \
	$(LIBEVENT_LIBS) $(LIBESMTP_LIBS) -lpthread

# --- the program -------------------------------------------------------------
sbin_PROGRAMS += hubd
# relay_nodelay.c interposes connect(2) for libesmtp's sockets, so it
# must be an object of the program itself, not an archive member.
hubd_SOURCES = hub/hubd.c hub/relay_nodelay.c
hubd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
hubd_LDADD = $(HUBD_LIBS)
dist_man_MANS += man/hubd.8 man/hub.conf.5

# --- unit tests --------------------------------------------------------------
HUB_UNIT_TESTS = \
	tests/unit/test_committer \
	tests/unit/test_conf \
	tests/unit/test_recipient \
	tests/unit/test_smtp_proto \
	tests/unit/test_spool
# The key side's: they link libhubd.a.
HUBD_UNIT_TESTS = \
	tests/unit/test_outmsg \
	tests/unit/test_dsn \
	tests/unit/test_worker
check_PROGRAMS += $(HUB_UNIT_TESTS) $(HUBD_UNIT_TESTS)
TESTS += $(HUB_UNIT_TESTS) $(HUBD_UNIT_TESTS)
HUB_UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBEVENT_CFLAGS)
tests_unit_test_committer_SOURCES = tests/unit/test_committer.c
tests_unit_test_committer_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_committer_LDADD = $(HUB_LIBS) $(CMOCKA_LIBS)
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(HUB_LIBS) $(CMOCKA_LIBS)
tests_unit_test_recipient_SOURCES = tests/unit/test_recipient.c
tests_unit_test_recipient_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_recipient_LDADD = $(HUB_LIBS) $(CMOCKA_LIBS)
tests_unit_test_smtp_proto_SOURCES = tests/unit/test_smtp_proto.c
tests_unit_test_smtp_proto_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_smtp_proto_LDADD = $(HUB_LIBS) $(CMOCKA_LIBS)
tests_unit_test_spool_SOURCES = tests/unit/test_spool.c
tests_unit_test_spool_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_spool_LDADD = $(HUB_LIBS) $(CMOCKA_LIBS)
tests_unit_test_outmsg_SOURCES = tests/unit/test_outmsg.c
tests_unit_test_outmsg_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_outmsg_LDADD = $(HUBD_LIBS) $(CMOCKA_LIBS)
tests_unit_test_dsn_SOURCES = tests/unit/test_dsn.c
tests_unit_test_dsn_CFLAGS = $(HUB_UNIT_CFLAGS)
tests_unit_test_dsn_LDADD = $(HUBD_LIBS) $(CMOCKA_LIBS)
# worker_process() on a scratch DATA_DIR: store, keys, spool.
tests_unit_test_worker_SOURCES = tests/unit/test_worker.c
tests_unit_test_worker_CFLAGS = $(HUB_UNIT_CFLAGS) $(GPGME_CFLAGS)
tests_unit_test_worker_LDADD = $(HUBD_LIBS) $(CMOCKA_LIBS)

# --- fuzz (corpora replayed by tests/fuzz/replay.sh) -------------------------
# The SMTP/LMTP state machine, the spool file reader, hub.conf.
check_PROGRAMS += tests/fuzz/replay_smtp_proto tests/fuzz/replay_spool \
	tests/fuzz/replay_conf
tests_fuzz_replay_smtp_proto_SOURCES = tests/fuzz/fuzz_smtp_proto.c \
	tests/fuzz/driver.c
tests_fuzz_replay_smtp_proto_LDADD = $(HUB_LIBS)
tests_fuzz_replay_spool_SOURCES = tests/fuzz/fuzz_spool.c tests/fuzz/driver.c \
	tests/fuzz/scratch.c tests/fuzz/scratch.h
tests_fuzz_replay_spool_LDADD = $(HUB_LIBS)
tests_fuzz_replay_conf_SOURCES = tests/fuzz/fuzz_conf.c tests/fuzz/driver.c \
	tests/fuzz/scratch.c tests/fuzz/scratch.h
tests_fuzz_replay_conf_LDADD = $(HUB_LIBS)
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_smtp_proto tests/fuzz/fuzz_spool \
	tests/fuzz/fuzz_conf
tests_fuzz_fuzz_smtp_proto_SOURCES = tests/fuzz/fuzz_smtp_proto.c
tests_fuzz_fuzz_smtp_proto_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_smtp_proto_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_smtp_proto_LDADD = $(HUB_LIBS)
tests_fuzz_fuzz_spool_SOURCES = tests/fuzz/fuzz_spool.c tests/fuzz/scratch.c \
	tests/fuzz/scratch.h
tests_fuzz_fuzz_spool_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_spool_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_spool_LDADD = $(HUB_LIBS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c tests/fuzz/scratch.c \
	tests/fuzz/scratch.h
tests_fuzz_fuzz_conf_CFLAGS = $(FUZZER_CFLAGS)
tests_fuzz_fuzz_conf_LDFLAGS = $(FUZZER_LINK)
tests_fuzz_fuzz_conf_LDADD = $(HUB_LIBS)
endif
