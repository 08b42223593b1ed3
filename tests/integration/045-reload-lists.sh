#!/bin/sh
# The lists hubctl makes reach hubd through DATA_DIR/lists.names: the
# master never opens the keyring or the store (issue 14), and a reload
# that cannot read the names keeps the ones it had (issue 18).  A hubctl
# list is served after start, after SIGHUP, after hubctl's own SIGHUP,
# and across a SIGHUP with the file unreadable or lost; with the store but
# no file the answer is 451 until a worker has written it, then 250;
# never 550 for a list the store has.  A worker that cannot unwrap the
# store key for a moment tries again instead of dying.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"

command -v gpg >/dev/null 2>&1 || skip "gpg not found"
command -v flock >/dev/null 2>&1 || skip "flock not found"

NAMES="$DATA/lists.names"
n250=0 n451=0 n550=0
# rcpt ADDR: one session, RCPT TO:<ADDR>; $code is the reply's code, and
# the codes for intel (the hubctl list that always exists) are counted.
rcpt() {
	printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<%s>\r\nQUIT\r\n' "$1" |
	    raw > "$T/r"
	code=$(sed -n '/^250 2\.1\.0/{n;p;q;}' "$T/r" | cut -c1-3)
	case $1 in
	intel*@hub.test)
		case $code in
		250) n250=$((n250 + 1)) ;;
		451) n451=$((n451 + 1)) ;;
		550) n550=$((n550 + 1)) ;;
		esac ;;
	esac
}
# want CODE ADDR WHAT
want() {
	rcpt "$2"
	[ "$code" = "$1" ] || fail "$3: RCPT <$2> got '$code', want $1: $(cat "$T/r")"
}
# smtp_ready FROM LISTS: a new smtp process with LISTS names is ready.
# After a reload (FROM not 0) the old smtp process takes connections until
# it drains; a probe before that met the old list set (seen in CI).
smtp_ready() {
	wait_log "smtp\[[0-9]+\]: ready listeners=2 lists=$2( |\$)" 20 "$1" ||
	    fail "no smtp process ready with lists=$2"
	[ "$1" = 0 ] ||
	    wait_log 'smtp\[[0-9]+\]: drain reason=' 20 "$1" ||
	    fail "the old smtp process did not drain after the reload"
}
# workers_ready FROM: both workers started after log line FROM are past
# their start (where each rewrites a missing names file), so the test's
# own changes to the file are not undone under it.
# The last two workers the master spawned are the newest generation's:
# an older generation's worker-ready lines may still come after FROM.
workers_ready() {
	_i=0
	while :; do
		_pids=$(tail -n +$(($1 + 1)) "$LOG" |
		    sed -n 's/.*spawned role=worker pid=\([0-9]*\).*/\1/p' |
		    tail -n 2)
		_n=0
		for _p in $_pids; do
			grep -q "worker\[$_p\]: worker-ready" "$LOG" &&
			    _n=$((_n + 1))
		done
		[ "$_n" -lt 2 ] || break
		_i=$((_i + 1)); [ "$_i" -lt 200 ] || fail "workers not ready"
		sleep 0.1
	done
}
# hup: SIGHUP, wait for the reload and its smtp process.
hup() {
	_from=$(log_lines)
	kill -HUP "$HUBD_PID"
	wait_log 'master\[[0-9]+\]: reloaded lists=' 10 "$_from" ||
	    fail "reload not logged"
	smtp_ready "$_from" "$1"
}

write_conf
expect 0 init
[ -f "$NAMES" ] && [ ! -s "$NAMES" ] || fail "hubctl init: no empty $NAMES"
expect 0 list create intel
[ "$(cat "$NAMES")" = intel ] || fail "after list create: $(cat "$NAMES")"
[ "$(stat -c %a "$NAMES")" = 644 ] || fail "mode $(stat -c %a "$NAMES")"
ok "hubctl init and list create write $NAMES (the names only, 0644)"

start_hubd
# hub.conf's ops and the store's intel
smtp_ready 0 2
want 250 intel@hub.test "after start"
want 250 intel-request@hub.test "after start"
want 550 nosuch@hub.test "after start (names known)"
hup 2
want 250 intel@hub.test "after SIGHUP"
ok "a hubctl list is served after start and after SIGHUP"

# hubctl's own SIGHUP (pidfile) after create and delete
from=$(log_lines)
expect 0 list create vuln
smtp_ready "$from" 3
want 250 vuln@hub.test "after list create"
from=$(log_lines)
expect 0 list delete vuln
smtp_ready "$from" 2
want 550 vuln@hub.test "after list delete"
want 250 intel@hub.test "after list delete"
workers_ready "$from"
ok "hubctl list create/delete: served / refused after hubctl's reload"

# The names file unreadable across a SIGHUP (a directory: root reads a
# chmod 000 file): the reload keeps the set it had, and says so.
mv "$NAMES" "$T/names.saved"
mkdir "$NAMES"
from=$(log_lines)
kill -HUP "$HUBD_PID"
wait_log 'reload-partial kept=list-names reason=unreadable error="Is a directory"' 10 "$from" ||
    fail "no reload-partial for an unreadable names file"
smtp_ready "$from" 2
want 250 intel@hub.test "after SIGHUP with $NAMES a directory"
want 250 intel-sendkey@hub.test "after SIGHUP with $NAMES a directory"
# the new workers tried to heal it and could not: said, and no crash
wait_log 'worker\[[0-9]+\]: .*list-names-write-failed' 20 "$from" ||
    fail "worker did not report the unwritable names file"
workers_ready "$from"
rmdir "$NAMES"
mv "$T/names.saved" "$NAMES"
ok "SIGHUP with $NAMES unreadable: the previous set kept (reload-partial)"

# Lost: the reload keeps the set, a worker writes the file again.
rm -f "$NAMES"
from=$(log_lines)
kill -HUP "$HUBD_PID"
wait_log 'reload-partial kept=list-names reason=missing' 10 "$from" ||
    fail "no reload-partial for a lost names file"
smtp_ready "$from" 2
want 250 intel@hub.test "after SIGHUP with $NAMES lost"
wait_log 'worker\[[0-9]+\]: list-names-written lists=1' 20 "$from" ||
    fail "no worker rewrote the lost names file"
[ "$(cat "$NAMES")" = intel ] || fail "rewritten: $(cat "$NAMES")"
ok "SIGHUP with $NAMES lost: set kept, a worker wrote it again"
stop_hubd

# A store from before lists.names: unknown until a worker writes it.  The
# test holds the writers' lock so the workers wait at it: 451 meanwhile.
rm -f "$NAMES"
flock "$DATA/lists.names.lock" sh -c \
    ": > '$T/locked'; while [ ! -e '$T/release' ]; do sleep 0.1; done" &
lockpid=$!
i=0
while [ ! -e "$T/locked" ]; do
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "lock not taken"; sleep 0.1
done
from=$(log_lines)
start_hubd
wait_log 'master\[[0-9]+\]: list-names-unknown reason=missing' 1 "$from" ||
    fail "start without names: not logged"
wait_log 'smtp\[[0-9]+\]: ready listeners=2 lists=1 lists-unknown=yes' 1 \
    "$from" || fail "smtp not told the lists are unknown"
want 451 intel@hub.test "names unknown"
want 451 intel-bounces+x=y.test@hub.test "names unknown"
want 451 nosuch@hub.test "names unknown"
want 250 ops@hub.test "names unknown, a hub.conf list"
want 550 intel@elsewhere.test "names unknown, another domain"
: > "$T/release"
wait "$lockpid" || true
wait_log 'master\[[0-9]+\]: list-names-loaded from=worker lists=2' 30 "$from" ||
    fail "master did not load the names a worker wrote"
smtp_ready "$from" 2
# The old smtp process may take a connection or two until it reads its
# drain line: 451 until then, never 550.
i=0
while :; do
	rcpt intel@hub.test
	[ "$code" = 250 ] && break
	[ "$code" = 451 ] || fail "after the worker wrote the names: '$code'"
	i=$((i + 1)); [ "$i" -lt 50 ] || fail "still 451 after 5 s"
	sleep 0.1
done
want 550 nosuch@hub.test "names loaded"
stop_hubd
ok "start with the store but no names: 451, a worker writes them, then 250"

# A store key that cannot be unwrapped for a moment (gpg-agent busy in a
# reload storm; here a key file that does not decrypt, put back as soon
# as a worker says it will try again): the workers retry, none dies.
cp "$DATA/hub.db.key" "$T/key"
printf -- '-----BEGIN PGP MESSAGE-----\n\nhQ==\n-----END PGP MESSAGE-----\n' \
    > "$DATA/hub.db.key"
from=$(log_lines)
start_hubd
wait_log 'worker\[[0-9]+\]: store-open-retry status=bad-key attempt=1 ' 10 \
    "$from" || fail "no store-open-retry"
cp "$T/key" "$DATA/hub.db.key"
wait_log 'worker\[[0-9]+\]: worker-ready' 10 "$from" ||
    fail "no worker came up after the key came back"
want 250 intel@hub.test "after the workers' retry"
stop_hubd
ok "store key unreadable for a moment: the workers retry, none dies"

grep -q 'child-died' "$LOG" && fail "a child died: $(grep child-died "$LOG" | head -n 3)"
[ "$n550" -eq 0 ] || fail "$n550 550s for intel"
ok "intel@, made with hubctl: 250=$n250 451=$n451 550=$n550"
