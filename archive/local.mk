# archive/: indicators and (later) the encrypted store (issue 6).
# Included by Makefile.am; only "+=" here, the top level owns the
# variables.  libhubarchive.a links before libhubbase.a (layering).
noinst_LIBRARIES += libhubarchive.a
libhubarchive_a_CFLAGS = $(AM_CFLAGS) $(LIBPSL_CFLAGS)
libhubarchive_a_SOURCES = \
	archive/extract.c archive/extract.h

ARCHIVE_LIBS = libhubarchive.a libhubbase.a $(LIBPSL_LIBS)

# Pure extraction: table-driven, no I/O.
check_PROGRAMS += tests/unit/test_extract
TESTS += tests/unit/test_extract
tests_unit_test_extract_SOURCES = tests/unit/test_extract.c
tests_unit_test_extract_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_extract_LDADD = $(ARCHIVE_LIBS) $(CMOCKA_LIBS)
