#!/bin/sh
# A real full disk (root only): the data dir on a 40 MB ext4 mounted
# from a loop file, filled by a filler file at each moment of a post's
# way, then freed, with one hubd that is never restarted:
#	before intake	MAIL FROM gets 452 4.3.1 (queue_minfree); the
#			client's retry after the space returns is accepted
#	staging		a 1 MB post whose second copy finds no room
#	the archive	a post whose copies fit but whose 3 MB of text
#			does not fit in the archive
#	a refusal	postmaster mail: the disk fills while the entry
#			waits (the worker is stopped), its reason finds no room
# Every acknowledged post reaches each member exactly once, nothing
# stays in active/ or deferred/, no worker dies, no poison count.  And
# hubctl, on the full disk, names the cause ("No space left on device")
# where gpg and SQLite say "Unknown system error" and "disk I/O error".
# 040 does the same moments through the fault hook, without root.
. "$top_srcdir/tests/lib/hubd.sh"

[ "$(id -u)" = 0 ] || skip "needs root (mount -o loop)"
for _c in mkfs.ext4 mount umount losetup fallocate mountpoint; do
	command -v "$_c" > /dev/null 2>&1 || skip "$_c not found"
done

MNT="$T/mnt"
IMG="$T/disk.img"
MOUNTED=

# The filesystem must go before hub_cleanup removes $T: hubd, the sink
# and every gpg-agent on it are stopped first (an agent keeps the mount
# busy), then it is unmounted (lazily if something still holds it) and
# its loop device released; the image stays in a kept $T.
disk_cleanup() {
	_drc=$?
	set +e
	if [ -n "$HUBD_PID" ] && kill -0 "$HUBD_PID" 2>/dev/null; then
		kill -TERM "$HUBD_PID" 2>/dev/null
		wait "$HUBD_PID" 2>/dev/null
	fi
	HUBD_PID=
	[ -n "${SINK_PID:-}" ] && stop_sink
	if [ -n "$MOUNTED" ]; then
		gpgconf --homedir "$DATA/gnupg" --kill all > /dev/null 2>&1
		_j=0
		while mountpoint -q "$MNT" && ! umount "$MNT" 2>/dev/null &&
		    [ "$_j" -lt 50 ]; do
			sleep 0.2
			_j=$((_j + 1))
		done
		mountpoint -q "$MNT" && umount -l "$MNT"
		for _l in $(losetup -j "$IMG" 2>/dev/null | cut -d: -f1); do
			losetup -d "$_l"
		done
		MOUNTED=
	fi
	(exit "$_drc")
	community_cleanup
}

truncate -s 40M "$IMG" || fail "truncate $IMG"
# 4 KiB blocks: with ext4's default 1 KiB blocks for a small filesystem
# SQLite's shared-memory file is only partly allocated and its mapping
# faults (SIGBUS) on a full disk; real data dirs have 4 KiB blocks.
# No blocks reserved for root: hubd runs as root here.
mkfs.ext4 -q -F -m 0 -b 4096 "$IMG" 2>"$T/mkfs.err" ||
    skip "mkfs.ext4 failed: $(cat "$T/mkfs.err")"
mkdir "$MNT" || fail "mkdir $MNT"
mount -o loop "$IMG" "$MNT" 2>"$T/mount.err" ||
    skip "cannot mount a loop device here: $(cat "$T/mount.err")"
MOUNTED=1
DATA="$MNT/data"
SPOOL="$DATA/spool"

. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"
trap disk_cleanup EXIT
# sourced after the mount: hubctl's and the community's traps are
# chained into disk_cleanup, which runs first

N=3
# one worker (the refusal stops it); quick retries; MAIL FROM refused
# under 1 MiB free
COMMUNITY_CONF="workers = 1
worker_retry = 1
worker_retry_max = 2
relay_retry = 1
queue_minfree = 1M"
community_make "$N" 0

# avail_kb: free space for anyone (no root reserve), in KiB.
avail_kb() {
	echo $(( $(stat -f -c '%a' "$MNT") * $(stat -f -c '%S' "$MNT") / 1024 ))
}

# fill_leaving KB: a filler file takes all but KB KiB (0: everything).
fill_leaving() {
	rm -f "$MNT/filler" "$MNT/filler2"
	sync
	# ext4 keeps some blocks back from an allocation that would take
	# the last ones: a little less, until it fits
	_want=$(( ($(avail_kb) - $1) * 1024 ))
	_j=0
	while [ "$_want" -gt 0 ] &&
	    ! fallocate -l "$_want" "$MNT/filler" 2>/dev/null; do
		rm -f "$MNT/filler"
		[ "$_j" -lt 64 ] || fail "fallocate: $(avail_kb) KiB free"
		_want=$((_want - 65536))
		_j=$((_j + 1))
	done
	if [ "$1" -eq 0 ]; then
		# fallocate stops short of the extents' own blocks
		dd if=/dev/zero of="$MNT/filler2" bs=4096 2>/dev/null || true
		[ "$(avail_kb)" -eq 0 ] || fail "disk not full: $(avail_kb) KiB"
	fi
	sync
}

free_disk() {
	rm -f "$MNT/filler" "$MNT/filler2"
	sync
}

# no_poison FROM WHAT: no worker death, no master retry or quarantine
# since log line FROM; nothing left in active/ or deferred/.
no_poison() {
	_t=$(tail -n +$(($1 + 1)) "$LOG" |
	    grep -Ec 'child-died role=worker|entry-retry|entry-quarantined|fatal' || true)
	[ "$_t" -eq 0 ] || fail "$2: a worker died or a poison count: $(tail -n 30 "$LOG")"
	_i=0
	while [ -n "$(find "$SPOOL/active" "$SPOOL/deferred" -mindepth 1)" ]; do
		[ "$_i" -lt 300 ] || fail "$2: left in active/ or deferred/: $(ls -R "$SPOOL/active" "$SPOOL/deferred")"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# exactly_once BEFORE WHAT: each member has exactly one copy after sink
# message BEFORE, also a second later (no late duplicate).
exactly_once() {
	sink_wait $(($1 + N)) 120 ||
	    fail "$2: $(($(sink_count) - $1)) of $N copies"
	sleep 1
	[ "$(sink_count)" -eq $(($1 + N)) ] ||
	    fail "$2: $(($(sink_count) - $1)) copies for $N members"
	_i=1
	while [ "$_i" -le "$N" ]; do
		_c=$(sink_by_rcpt "$(c_addr "$_i")" "$1" | wc -l | tr -d ' ')
		[ "$_c" -eq 1 ] || fail "$2: member $_i got $_c copies"
		_i=$((_i + 1))
	done
}

# send_until_250 FILE SECONDS: the post as a client retrying a 4xx does.
send_until_250() {
	_sf=$(sed -n '/^$/q; s/^From:.*<\([^>]*\)>.*/\1/p' "$1" | head -n 1)
	_i=0
	until send --from "$_sf" --to ops@hub.test --file "$1" \
	    > "$T/send.out" 2>&1; do
		[ "$_i" -lt $(($2 * 2)) ] ||
		    fail "$1 not accepted in $2 s: $(cat "$T/send.out")"
		sleep 0.5
		_i=$((_i + 1))
	done
}

# --- hubctl on the full disk ------------------------------------------------------
# No process holds the store: its shared-memory file is made anew and
# finds no room (SQLite: "disk I/O error").
fill_leaving 0
expect 3 team ls
err_has "No space left on device"
# the last line says it too, not only the log line before it
tail -n 1 "$T/err" | grep -q "cannot open the store in .*No space left on device" ||
    fail "hubctl's last line: $(tail -n 1 "$T/err")"
free_disk
# The workers hold the store open: hubctl reads it, and gpg cannot make
# the list's key ("Unknown system error", the errno lost in gpg).
start_hubd
keycheck_settle
fill_leaving 0
expect 3 list create intel
err_has "No space left on device"
tail -n 1 "$T/err" | grep -q "cannot generate the key of list intel: No space left on device" ||
    fail "hubctl's last line: $(tail -n 1 "$T/err")"
free_disk
expect 0 team ls
ok "hubctl on a full disk: 'No space left on device' (store and keyring)"

# --- before intake: 452 4.3.1 at MAIL FROM ------------------------------------
printf 'TLP:GREEN\nIndicators follow: 192.0.2.44\n' > "$T/small.txt"
post_compose 1 "before intake" "$T/small.txt" > "$T/p1.eml"
before=$(sink_count)
from=$(log_lines)
fill_leaving 512
i=0
until printf 'EHLO x\r\nMAIL FROM:<%s>\r\nQUIT\r\n' "$(c_addr 1)" | raw \
    > "$T/out" && grep -q '^452 4\.3\.1 ' "$T/out"; do
	# spool_space_ok() caches its probe for a second
	[ "$i" -lt 150 ] || fail "no 452 at MAIL FROM on a full disk: $(cat "$T/out")"
	sleep 0.2
	i=$((i + 1))
done
[ "$(count_spool incoming)" = 0 ] || fail "stored while refused"
free_disk
send_until_250 "$T/p1.eml" 30
exactly_once "$before" "before intake"
no_poison "$from" "before intake"
ok "before intake: 452 4.3.1 at MAIL FROM, accepted and delivered once after"

# --- staging: the second copy finds no room -----------------------------------
# random text: gpg cannot compress it, each copy is about as large as
# the post (~1 MiB armored)
{
	printf 'TLP:GREEN\nA large attachment follows.\n'
	head -c 750000 /dev/urandom | base64
} > "$T/big.txt"
post_compose 1 "staging" "$T/big.txt" > "$T/p2.eml"
size=$(($(wc -c < "$T/p2.eml") / 1024))
before=$(sink_count)
from=$(log_lines)
# room for the post and one copy (more than queue_minfree), not three
fill_leaving $((size * 2 + 100))
sleep 1.2	# spool_space_ok()'s cached probe
send_until_250 "$T/p2.eml" 30
wait_log 'deferred id=[0-9a-f-]+ reason=io-error' 60 "$from" ||
    fail "staging: no io-error deferral: $(tail -n 20 "$LOG")"
free_disk
exactly_once "$before" "staging"
no_poison "$from" "staging"
ok "staging on a full disk: deferred, delivered once to each of $N after"

# --- the archive insert: the copies fit, the text does not ---------------------
# one line over and over: gpg compresses 3 MB to a few KiB, the
# archive keeps the text whole
{
	printf 'TLP:GREEN\nThe timeline, line by line.\n'
	yes 'The same line of the incident timeline, again, for the archive.' |
	    head -c 3000000
} > "$T/long.txt"
post_compose 1 "archive" "$T/long.txt" > "$T/p3.eml"
before=$(sink_count)
from=$(log_lines)
fill_leaving 1600
sleep 1.2
send_until_250 "$T/p3.eml" 30
wait_log 'archive-(open-)?failed' 60 "$from" ||
    fail "the archive did not fail: $(tail -n 20 "$LOG")"
wait_log 'deferred id=[0-9a-f-]+ reason=' 30 "$from" ||
    fail "not deferred after the archive failed"
[ "$(sink_count)" -eq "$before" ] || fail "relayed before it was archived"
free_disk
exactly_once "$before" "archive insert"
wait_log "archived post=" 60 "$from" || fail "never archived"
no_poison "$from" "archive insert"
ok "the archive insert on a full disk: deferred, archived and relayed once after"

# --- a refusal's reason ------------------------------------------------------
# postmaster mail stages no copy: the worker is stopped while the entry
# is accepted and the disk fills, so its first write is the reason's
wpid=$(sed -n 's/.*spawned role=worker pid=\([0-9]*\).*/\1/p' "$LOG" |
    tail -n 1)
[ -n "$wpid" ] && kill -0 "$wpid" || fail "no worker pid"
from=$(log_lines)
kill -STOP "$wpid"
printf 'From: someone@example.test\r\nSubject: hello\r\n\r\nhi\r\n' > "$T/pm.eml"
if ! send --from someone@example.test --to postmaster@hub.test \
    --file "$T/pm.eml" > "$T/send.out"; then
	kill -CONT "$wpid"
	fail "postmaster mail not accepted: $(cat "$T/send.out")"
fi
fill_leaving 0
kill -CONT "$wpid"
wait_log 'reject-note-failed' 60 "$from" ||
    fail "the reason did not fail: $(tail -n 20 "$LOG")"
wait_log 'deferred id=[0-9a-f-]+ reason=io-error' 30 "$from" ||
    fail "refusal not deferred: $(tail -n 20 "$LOG")"
id=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*deferred id=\([0-9a-f-]*\) reason=io-error.*/\1/p' | head -n 1)
free_disk
i=0
until [ -f "$SPOOL/rejected/$id" ] && [ -f "$SPOOL/rejected/$id.why" ]; do
	[ "$i" -lt 300 ] || fail "refusal not written after the space returned: $(ls -R "$SPOOL")"
	sleep 0.1
	i=$((i + 1))
done
grep -qx 'reason=postmaster-mail' "$SPOOL/rejected/$id.why" ||
    fail "refusal without its reason: $(cat "$SPOOL/rejected/$id.why")"
no_poison "$from" "the refusal"
[ ! -e "$SPOOL/retry/$id" ] || fail "retry state left for a finished entry"
ok "a refusal on a full disk: deferred, its reason written once freed"

stop_hubd
ok "no restart: one hubd through every fault, stopped cleanly"
