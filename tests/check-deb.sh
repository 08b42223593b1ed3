#!/bin/sh
# tests/check-deb.sh: the Debian package, end to end, on this machine.
# Builds it (dpkg-buildpackage -us -uc -b in a copy of the source tree),
# runs lintian (an error fails), installs it (dpkg -i), checks the users,
# the data directory, the unit (systemd-analyze verify and security), then
# runs hubctl init and a post through the installed hubd (as the unit runs
# it: foreground, its capability bounding set, no new privileges; by
# hand, as this machine's init may not be systemd) to a sink, each
# member's copy decrypted with its key alone; then purges the package and
# removes the users it made.
#
# Not in make check: it needs root, installs packages and takes minutes.
# tools/check runs it when root.  Exit 0 pass, 1 fail, 77 skipped.
#
#   top_builddir=BUILD tests/check-deb.sh
#
# BUILD is a configured build tree of this source (the tests' smtpc client
# is built there if missing); the tools it needs (dpkg-dev, debhelper,
# fakeroot, lintian) are installed with apt when missing.
# shellcheck disable=SC1091,SC2034,SC2317
# (the harness reads HUBCTL, SPOOL, COMMUNITY_CONF; cleanup runs from a trap)
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir
DATA=/var/lib/csirt-hub
ETC=/etc/csirt-hub

# --- the post, in a child: the integration harness exits its process --------
if [ "${1:-}" = --post ]; then
	. "$top_srcdir/tests/lib/hubd.sh"
	. "$top_srcdir/tests/lib/hubctl.sh"
	. "$top_srcdir/tests/lib/community.sh"
	# the installed programs, on the packaged data directory
	HUBCTL=/usr/sbin/hubctl
	DATA=/var/lib/csirt-hub
	SPOOL=$DATA/spool
	# hubd as the unit starts it: its bounding set, no new privileges
	HUBD=/usr/sbin/hubd
	bset=$(sed -n 's/^CapabilityBoundingSet=//p' \
	    /lib/systemd/system/csirt-hub.service | tr '[:upper:]' '[:lower:]' |
	    sed 's/cap_/+/g; s/ /,/g')
	if [ -n "$bset" ] && command -v setpriv > /dev/null 2>&1; then
		HUBD=$T/hubd-as-unit
		printf '#!/bin/sh\nexec setpriv --no-new-privs --bounding-set -all,%s /usr/sbin/hubd "$@"\n' \
		    "$bset" > "$HUBD"
		chmod 755 "$HUBD"
		ok "hubd under setpriv --no-new-privs --bounding-set -all,$bset"
	fi
	COMMUNITY_CONF="user = csirt-hub
network_user = csirt-hub-net"
	community_make 2 0
	ok "hubctl init, list ops, two members (installed hubctl)"
	start_hubd
	ps -o user:32=,comm= --ppid "$HUBD_PID" | grep -q '^csirt-hub-net *hubd-smtp' ||
	    fail "hubd-smtp is not csirt-hub-net: $(ps -o user:32=,comm= --ppid "$HUBD_PID")"
	ps -o user:32=,comm= --ppid "$HUBD_PID" | grep -q '^csirt-hub *hubd-worker' ||
	    fail "hubd-worker is not csirt-hub: $(ps -o user:32=,comm= --ppid "$HUBD_PID")"
	ok "hubd-smtp runs as csirt-hub-net, hubd-worker as csirt-hub"
	printf 'TLP:GREEN\n\nScanning from 198.51.100.23.\n' > "$T/post.txt"
	from=$(log_lines)
	post_compose 1 "Package test" "$T/post.txt" > "$T/post.eml"
	post_send "$T/post.eml"
	r=$(post_result "$from")
	case $r in *"accepted post="*) ;; *) fail "post: $r" ;; esac
	sink_wait 2 60 || fail "$(sink_count) of 2 copies at the sink"
	for i in 1 2; do
		m=$(sink_by_rcpt "$(c_addr "$i")")
		[ -n "$m" ] || fail "no copy for member $i"
		copy_check "$m" "$i" | grep -q 'Scanning from 198' ||
		    fail "member $i: the copy lacks the post's text"
	done
	ok "a post relayed: each member's copy decrypted with its key alone"
	# hubctl reloads hubd through the pid file (as under systemd)
	from=$(log_lines)
	hc --json list create ops2
	grep -q "\"hubd_reloaded\": *$HUBD_PID" "$T/hc.out" ||
	    fail "hubctl did not signal hubd: $(cat "$T/hc.out")"
	wait_log "master\[$HUBD_PID\]: .*reload" 10 "$from" ||
	    fail "no reload in the log after hubctl list create"
	ok "hubctl list create reloaded hubd (pid file $DATA/hubd.pid)"
	stop_hubd
	exit 0
fi

# --- build, lint, install, post, purge -----------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: check-deb needs root (it installs the package)"
	exit 77
fi
: "${top_builddir:?set top_builddir to a configured build tree}"
top_builddir=$(cd "$top_builddir" && pwd) || exit 1
export top_builddir
if dpkg-query -W -f='${Status}' csirt-hub 2>/dev/null | grep -q installed ||
    [ -e "$DATA" ] || [ -e "$ETC" ]; then
	echo "SKIP: csirt-hub is installed here ($DATA or $ETC exists): not touching it"
	exit 77
fi

status=0
fail() {
	echo "FAIL: $*"
	status=1
}
ok() {
	echo "ok: $*"
}

need=""
for p in dpkg-dev debhelper fakeroot lintian; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    need="$need $p"
done
if [ -n "$need" ]; then
	echo "installing:$need"
	DEBIAN_FRONTEND=noninteractive
	export DEBIAN_FRONTEND
	# shellcheck disable=SC2086
	{ apt-get update -qq && apt-get install -y -qq $need > /dev/null; } || {
		echo "FAIL: apt-get install$need"
		exit 1
	}
fi
if ! [ -x "$top_builddir/tests/lib/smtpc" ]; then
	make -s -C "$top_builddir" tests/lib/smtpc > /dev/null 2>&1 || {
		echo "FAIL: cannot build $top_builddir/tests/lib/smtpc"
		exit 1
	}
fi

T=$(mktemp -d /tmp/hubdeb.XXXXXX) || exit 1
made_users=""
installed=0
cleanup() {
	rc=$?
	# a hubd the post left behind (timeout): ours, by its pid file
	pid=$(cat "$DATA/hubd.pid" 2>/dev/null)
	if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = /usr/sbin/hubd ]; then
		kill -TERM "$pid"
		sleep 3
		kill -KILL "$pid" 2>/dev/null
	fi
	if [ "$installed" = 1 ]; then
		dpkg --purge csirt-hub > "$T/purge.out" 2>&1 || cat "$T/purge.out"
	fi
	# the data dir and users are ours only because we checked they were
	# not there before
	gpgconf --homedir "$DATA/gnupg" --kill all > /dev/null 2>&1
	rm -rf "$DATA"
	for u in $made_users; do
		deluser --system --quiet "$u" > /dev/null 2>&1
		getent group "$u" > /dev/null && delgroup --system --quiet "$u" > /dev/null 2>&1
	done
	if [ "$rc" = 0 ]; then
		rm -rf "$T"
	else
		echo "--- kept $T (build.log, lintian.out) ---"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# a copy of the source: dpkg-buildpackage builds in the tree it is given
src=$T/csirt-hub
mkdir "$src"
if git -C "$top_srcdir" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$top_srcdir" && git ls-files --cached --others --exclude-standard |
	    while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
	    tar -cf - -T -) | tar -xf - -C "$src" || exit 1
else
	(cd "$top_srcdir" && tar -cf - --exclude='./_build*' --exclude=./.git .) |
	    tar -xf - -C "$src" || exit 1
fi
echo "check-deb: building the package in $src"
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b > "$T/build.log" 2>&1); then
	tail -n 40 "$T/build.log"
	echo "FAIL: dpkg-buildpackage"
	exit 1
fi
deb=$(ls "$T"/csirt-hub_*.deb)
ok "built $(basename "$deb")"

lintian "$T"/csirt-hub_*.changes > "$T/lintian.out" 2>&1
sed 's/^/lintian: /' "$T/lintian.out"
if grep -q '^E:' "$T/lintian.out"; then
	fail "lintian errors"
else
	ok "lintian: no errors ($(grep -c '^W:' "$T/lintian.out") warnings)"
fi

for u in csirt-hub csirt-hub-net; do
	getent passwd "$u" > /dev/null || made_users="$made_users $u"
done
installed=1
if ! dpkg -i "$deb" > "$T/install.out" 2>&1; then
	cat "$T/install.out"
	echo "FAIL: dpkg -i"
	exit 1
fi
ok "installed"
for u in csirt-hub csirt-hub-net; do
	e=$(getent passwd "$u") || { fail "no user $u"; continue; }
	case $e in *:/usr/sbin/nologin) ;; *) fail "user $u: $e" ;; esac
	[ "$(id -u "$u")" -lt 1000 ] || fail "user $u is not a system user"
done
[ "$(stat -c '%a %U:%G' "$DATA")" = "700 csirt-hub:csirt-hub" ] ||
    fail "$DATA: $(stat -c '%a %U:%G' "$DATA")"
for f in /usr/sbin/hubd /usr/sbin/hubctl "$ETC/hub.conf" \
    /lib/systemd/system/csirt-hub.service \
    /usr/share/man/man8/hubd.8.gz /usr/share/man/man8/hubctl.8.gz \
    /usr/share/man/man5/hub.conf.5.gz \
    /usr/share/man/man7/csirt-hub-postfix.7.gz; do
	[ -f "$f" ] || fail "not installed: $f"
done
/usr/sbin/hubd -n -c "$ETC/hub.conf" > "$T/n.out" 2>&1 ||
    fail "hubd -n $ETC/hub.conf: $(cat "$T/n.out")"
ok "users, $DATA (0700 csirt-hub), files, hub.conf"
if command -v systemd-analyze > /dev/null 2>&1; then
	unit=/lib/systemd/system/csirt-hub.service
	if systemd-analyze verify "$unit" > "$T/verify.out" 2>&1; then
		ok "systemd-analyze verify"
	else
		fail "systemd-analyze verify: $(cat "$T/verify.out")"
	fi
	systemd-analyze security --offline=true "$unit" 2>&1 | tail -n 1
fi

if ! (timeout 300 sh "$0" --post); then
	fail "the post through the installed hubd"
fi

if dpkg --purge csirt-hub > "$T/purge.out" 2>&1; then
	installed=0
	ok "purged"
	for f in /usr/sbin/hubd "$ETC" /lib/systemd/system/csirt-hub.service; do
		[ -e "$f" ] && fail "left after purge: $f"
	done
	# the store is kept on purge (debian/postrm)
	grep -q "keys and store: kept" "$T/purge.out" ||
	    fail "purge did not say it kept $DATA: $(cat "$T/purge.out")"
else
	cat "$T/purge.out"
	fail "dpkg --purge"
fi
exit "$status"
