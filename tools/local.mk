# tools/: hubctl, the admin CLI (issue 4; hubctl(8)).  Included by
# Makefile.am after lists/local.mk and after dist_man_MANS is set; only
# "+=" to shared variables here.
sbin_PROGRAMS += hubctl
hubctl_SOURCES = \
	tools/hubctl.c tools/hubctl.h \
	tools/hubctl_init.c \
	tools/hubctl_team.c \
	tools/hubctl_list.c \
	tools/hubctl_contact.c \
	tools/hubctl_sub.c \
	tools/hubctl_endorse.c \
	tools/hubctl_archive.c \
	tools/out.c tools/out.h
hubctl_LDADD = libhub.a libhubarchive.a $(STORE_LIBS) $(LIBPSL_LIBS) \
	$(LIBGCRYPT_LIBS) $(LIBEVENT_LIBS)

dist_man_MANS += man/hubctl.8

HUBCTL_TESTS = \
	tests/integration/101-hubctl-team.sh \
	tests/integration/102-hubctl-list.sh \
	tests/integration/103-hubctl-at-rest.sh \
	tests/integration/104-hubctl-contact.sh \
	tests/integration/105-hubctl-subscribe.sh \
	tests/integration/106-hubctl-community.sh \
	tests/integration/107-hubctl-endorse.sh
TESTS += $(HUBCTL_TESTS)
EXTRA_DIST += $(HUBCTL_TESTS) tests/lib/hubctl.sh
