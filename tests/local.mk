# tests/: the shell tests (integration against the real binaries, corpus
# replay, man page lint, layering) and the helper programs they drive.
# Unit tests and fuzz harnesses are built by the fragment of the folder
# they test.

# --- helper programs ---------------------------------------------------------
# smtpc: the SMTP client; spool_dump: a spool file in text; relay_run:
# the relay role alone (020); outgoing_put: a worker's outgoing set by
# hand; ctl_put: records written past hubctl's checks (108).
check_PROGRAMS += tests/lib/smtpc tests/lib/spool_dump tests/lib/relay_run \
	tests/lib/outgoing_put tests/lib/ctl_put
tests_lib_smtpc_SOURCES = tests/lib/smtpc.c
tests_lib_smtpc_LDADD = libhubbase.a
tests_lib_spool_dump_SOURCES = tests/lib/spool_dump.c
tests_lib_spool_dump_LDADD = $(HUB_LIBS)
tests_lib_relay_run_SOURCES = tests/lib/relay_run.c hub/relay_nodelay.c
tests_lib_relay_run_LDADD = $(HUBD_LIBS)
tests_lib_outgoing_put_SOURCES = tests/lib/outgoing_put.c
tests_lib_outgoing_put_LDADD = $(HUB_LIBS)
tests_lib_ctl_put_SOURCES = tests/lib/ctl_put.c
tests_lib_ctl_put_LDADD = $(ARCHIVE_LIBS) $(STORE_LIBS)

# --- shell tests -------------------------------------------------------------
SHELL_TESTS = \
	tests/check-layering.sh \
	tests/check-man.sh \
	tests/check-po.sh \
	tests/fuzz/replay.sh \
	tests/integration/001-smtp-basic.sh \
	tests/integration/002-lmtp.sh \
	tests/integration/003-concurrent.sh \
	tests/integration/004-limits.sh \
	tests/integration/005-cut-mid-data.sh \
	tests/integration/006-kill9.sh \
	tests/integration/007-fault-commit.sh \
	tests/integration/008-reload-signals.sh \
	tests/integration/009-recovery.sh \
	tests/integration/010-privdrop.sh \
	tests/integration/012-privsep.sh \
	tests/integration/011-half-close-slow-reader.sh \
	tests/integration/020-relay.sh \
	tests/integration/021-relay-timeouts.sh \
	tests/integration/030-relay-flow.sh \
	tests/integration/031-reject-matrix.sh \
	tests/integration/032-canary.sh \
	tests/integration/033-interop-mutt.sh \
	tests/integration/034-pipeline-faults.sh \
	tests/integration/035-special-addresses.sh \
	tests/integration/036-archive.sh \
	tests/integration/037-trust-boundary.sh \
	tests/integration/038-decode-budget.sh \
	tests/integration/039-mail-clients.sh \
	tests/integration/040-disk-faults.sh \
	tests/integration/043-mail-commands.sh \
	tests/integration/044-receipts.sh \
	tests/integration/041-retry-bound.sh \
	tests/integration/042-queue-minfree.sh \
	tests/integration/045-reload-lists.sh \
	tests/integration/046-reload-storm.sh \
	tests/integration/047-japanese-subjects.sh \
	tests/integration/048-key-expiry.sh \
	tests/integration/049-schleuder-import.sh \
	tests/integration/051-refusal-flood.sh \
	tests/integration/052-key-update.sh \
	tests/integration/053-clock-step.sh \
	tests/integration/054-list-rekey.sh \
	tests/integration/055-full-disk.sh \
	tests/integration/056-languages.sh \
	tests/integration/057-retry-restart.sh \
	tests/integration/058-key-revoked-between-posts.sh \
	tests/integration/059-receipt-forgery.sh \
	tests/integration/050-postfix.sh
TESTS += $(SHELL_TESTS)

# --- dist --------------------------------------------------------------------
EXTRA_DIST += $(SHELL_TESTS) tests/lib/hubd.sh tests/lib/relay.sh \
	tests/lib/sink.py tests/lib/community.sh tests/lsan.supp \
	tests/fuzz/corpus tests/fuzz/smtp.dict
