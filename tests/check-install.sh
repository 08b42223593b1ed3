#!/bin/sh
# make install DESTDIR=scratch: the programs in sbindir, the man pages in
# their sections, the sample hub.conf in sysconfdir/csirt-hub with its
# data_dir under localstatedir/lib/csirt-hub (configure's --sbindir,
# --sysconfdir, --localstatedir), and both programs say their version.
#
# Environment (set by make check): top_builddir, MAKE.
set -u
: "${top_builddir:?run through make check}"
MAKE=${MAKE:-make}
T=$(mktemp -d /tmp/hubi.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
status=0
fail() {
	echo "FAIL: $*"
	status=1
}

# the configured directories, expanded as make expands them
# (a marker: under make check, make prints "Entering directory" lines)
dirs=$($MAKE -s -C "$top_builddir" --no-print-directory \
    -f Makefile -f - print-install-dirs <<'EOF' | sed -n 's/^DIRS //p'
print-install-dirs:
	@echo "DIRS $(sbindir) $(sysconfdir) $(localstatedir) $(mandir) $(localedir)"
EOF
)
[ -n "$dirs" ] || { echo "FAIL: cannot read the install dirs"; exit 1; }
# one word each: configure's directories hold no spaces
# shellcheck disable=SC2086
set -- $dirs
sbindir=$1 sysconfdir=$2 localstatedir=$3 mandir=$4 localedir=$5

if ! $MAKE -s -C "$top_builddir" install DESTDIR="$T/root" \
    > "$T/install.out" 2>&1; then
	cat "$T/install.out"
	echo "FAIL: make install DESTDIR=$T/root"
	exit 1
fi
for f in "$sbindir/hubd" "$sbindir/hubctl" "$mandir/man8/hubd.8" \
    "$mandir/man8/hubctl.8" "$mandir/man5/hub.conf.5" \
    "$mandir/man7/csirt-hub-postfix.7" \
    "$sysconfdir/csirt-hub/hub.conf.sample" \
    "$localedir/ja/LC_MESSAGES/csirt-hub.mo"; do
	if [ -f "$T/root$f" ]; then
		echo "ok: installed $f"
	else
		fail "make install did not install $f"
	fi
done
for p in hubd hubctl; do
	[ -x "$T/root$sbindir/$p" ] || fail "$sbindir/$p not executable"
done
sample=$T/root$sysconfdir/csirt-hub/hub.conf.sample
grep -qx "data_dir  = $localstatedir/lib/csirt-hub" "$sample" ||
    fail "sample data_dir: $(grep '^data_dir' "$sample")"
grep -q '@[a-z]*@' "$sample" && fail "unsubstituted @...@ in the sample"
# the sample is a valid hub.conf
"$T/root$sbindir/hubd" -n -c "$sample" > "$T/n.out" 2>&1 ||
    fail "hubd -n on the sample: $(cat "$T/n.out")"
"$T/root$sbindir/hubd" -V | grep -q '^hubd (csirt-hub) ' ||
    fail "hubd -V"
"$T/root$sbindir/hubctl" --version | grep -q '^hubctl (csirt-hub) ' ||
    fail "hubctl --version"
echo "installed files:"
(cd "$T/root" && find . -type f | sort)
exit $status
