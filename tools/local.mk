# tools/: hubctl, the admin CLI (hubctl(8)), one file per noun.  It works
# on the stores directly; the rules it applies live in lists/.

# --- the program -------------------------------------------------------------
sbin_PROGRAMS += hubctl
hubctl_SOURCES = \
	tools/hubctl.c tools/hubctl.h \
	tools/hubctl_init.c \
	tools/hubctl_team.c \
	tools/hubctl_list.c tools/hubctl_import.c tools/hubctl_rekey.c \
	tools/hubctl_contact.c \
	tools/hubctl_sub.c \
	tools/hubctl_endorse.c \
	tools/hubctl_archive.c \
	tools/hubctl_queue.c \
	tools/hubctl_bounces.c \
	tools/hubctl_backup.c tools/hubctl_backup.h \
	tools/hubctl_restore.c \
	tools/hubctl_postfix.c tools/hubctl_postfix.h \
	tools/out.c tools/out.h \
	tools/safetext.c tools/safetext.h
hubctl_LDADD = libhub.a $(ARCHIVE_LIBS) $(STORE_LIBS) $(LIBEVENT_LIBS)
dist_man_MANS += man/hubctl.8

# --- unit tests --------------------------------------------------------------
# hubctl's rule for free text and the escaping of its output.
check_PROGRAMS += tests/unit/test_safetext
TESTS += tests/unit/test_safetext
tests_unit_test_safetext_SOURCES = tests/unit/test_safetext.c \
	tools/safetext.c tools/safetext.h tools/out.c tools/out.h
tests_unit_test_safetext_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_safetext_LDADD = libhubbase.a $(CMOCKA_LIBS)

# --- integration tests -------------------------------------------------------
HUBCTL_TESTS = \
	tests/integration/101-hubctl-team.sh \
	tests/integration/102-hubctl-list.sh \
	tests/integration/103-hubctl-at-rest.sh \
	tests/integration/104-hubctl-contact.sh \
	tests/integration/105-hubctl-subscribe.sh \
	tests/integration/106-hubctl-community.sh \
	tests/integration/107-hubctl-endorse.sh \
	tests/integration/108-hubctl-controls.sh \
	tests/integration/109-hubctl-queue.sh \
	tests/integration/110-hubctl-bounces.sh \
	tests/integration/111-hubctl-contact-key.sh \
	tests/integration/115-hubctl-backup.sh
TESTS += $(HUBCTL_TESTS)

# --- dist --------------------------------------------------------------------
EXTRA_DIST += $(HUBCTL_TESTS) tests/lib/hubctl.sh
