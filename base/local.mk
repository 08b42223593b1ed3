# base/: the ground every folder stands on (logging, allocation, buffers,
# durable files, ids and the clock, addresses, UTF-8, key-value state
# files).  No mail knowledge;
# includes only itself (tests/check-layering.sh).  Linked last.

# --- library -----------------------------------------------------------------
noinst_LIBRARIES += libhubbase.a
libhubbase_a_SOURCES = \
	base/buf.c base/buf.h \
	base/digits.c base/digits.h \
	base/fsutil.c base/fsutil.h \
	base/i18n.c base/i18n.h \
	base/kvlines.c base/kvlines.h \
	base/id.c base/id.h \
	base/json.c base/json.h \
	base/log.c base/log.h \
	base/netaddr.c base/netaddr.h \
	base/utf8.c base/utf8.h \
	base/xalloc.c base/xalloc.h

# --- unit tests --------------------------------------------------------------
check_PROGRAMS += tests/unit/test_base
TESTS += tests/unit/test_base
tests_unit_test_base_SOURCES = tests/unit/test_base.c
tests_unit_test_base_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_base_LDADD = libhubbase.a $(CMOCKA_LIBS)
