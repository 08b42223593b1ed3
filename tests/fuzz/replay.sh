#!/bin/sh
# Replay every committed fuzz corpus through its harness, built with the
# normal compiler (tests/fuzz/driver.c), so a fixed crash stays fixed.
# A new target is one more word here, a replay_<target> program in
# Makefile.am and a corpus directory tests/fuzz/corpus/<target>/.
FUZZ_TARGETS="smtp_proto mime armor tlp inline packets extract text search spool conf mailcmd"

: "${top_builddir:?top_builddir is not set}"
: "${top_srcdir:?top_srcdir is not set}"

status=0
for target in $FUZZ_TARGETS; do
	prog="$top_builddir/tests/fuzz/replay_$target"
	corpus="$top_srcdir/tests/fuzz/corpus/$target"
	if [ ! -x "$prog" ]; then
		echo "replay.sh: $prog missing" >&2
		status=1
		continue
	fi
	if [ ! -d "$corpus" ]; then
		echo "replay.sh: $corpus missing" >&2
		status=1
		continue
	fi
	printf '%s: ' "$target"
	if ! "$prog" "$corpus"; then
		echo "replay.sh: $target: replay failed" >&2
		status=1
	fi
done
exit $status
