#!/bin/sh
# Retry state lives in the spool, not in a process (issue 15 item 2):
#  - copies the smarthost defers (451) keep their attempt count, next
#    try and last reply on disk beside them (outgoing/POST/NAME.retry),
#    shown by hubctl queue (text and --json) and queue show;
#  - a post the worker defers keeps its count and next try (deferred/,
#    retry/);
#  - after a kill -9 of every hubd process (master and children) and a
#    restart, hubctl shows the same counts and next tries, and neither
#    the relay nor a worker tries them before their time;
#  - a wall clock stepped back a day does not stall a copy longer than
#    the longest backoff (the relay caps the stored next try);
#  - once the smarthost is back, hubctl queue retry POST (its copies)
#    and --all (the rest) make them due, and every copy is delivered
#    exactly once.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=2
COMMUNITY_CONF="relay_retry = 300
worker_retry = 300
worker_retry_max = 600
worker_retry_attempts = 5"
start_sink tempfail
community_make "$N" 0
printf 'TLP:GREEN\nIndicators follow.\n' > "$T/body.txt"

# sink_mode MODE: the smarthost again, on the port hub.conf names.
sink_mode() {
	stop_sink
	rm -f "$T/sink.port"
	python3 "$top_srcdir/tests/lib/sink.py" --port-file "$T/sink.port" \
	    --dir "$SINK_DIR" --port "$SINK_PORT" --mode "$1" \
	    2>>"$T/sink.log" &
	SINK_PID=$!
	_i=0
	until [ -s "$T/sink.port" ]; do
		[ "$_i" -lt 100 ] || fail "the sink did not come back"
		sleep 0.1
		_i=$((_i + 1))
	done
}
# kill_all: kill -9 the master and every child, and wait until all are
# gone (by their pids only).
kill_all() {
	_kids=$(pgrep -P "$HUBD_PID" | tr '\n' ' ')
	[ -n "$_kids" ] || fail "no hubd children to kill"
	# shellcheck disable=SC2086
	kill -9 "$HUBD_PID" $_kids
	wait "$HUBD_PID" 2>/dev/null || true
	HUBD_PID=
	_i=0
	for _p in $_kids; do
		while kill -0 "$_p" 2>/dev/null; do
			[ "$_i" -lt 300 ] || fail "hubd process $_p outlived kill -9"
			sleep 0.1
			_i=$((_i + 1))
		done
	done
}
# state: "attempts next_try last_error" of every copy and deferred entry,
# one line each, sorted, from hubctl queue --json.
state() {
	expect 0 --json queue
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in d["outgoing"]:
    print("copy", e["id"], e["post"], e["attempts"], e["next_try"], e["last_error"])
for e in d["deferred"]:
    print("entry", e["id"], e["attempts"], e["next_try"])
' < "$T/out" | sort
}

start_hubd
wait_log "keycheck lists=" 30 || fail "no key check"

# --- a post the worker defers: the archive cannot be opened (041) ----------
rm -f "$DATA/archive.db-wal"
mkdir "$DATA/archive.db-wal"
from=$(log_lines)
post_compose 1 "deferred by the worker" "$T/body.txt" > "$T/d.eml"
post_send "$T/d.eml"
wait_log 'deferred id=[0-9a-f-]+ reason=tempfail attempt=1 ' 30 "$from" ||
    fail "the worker did not defer: $(tail -n 20 "$LOG")"
D=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*deferred id=\([0-9a-f-]*\) reason=tempfail attempt=1 .*/\1/p' |
    head -n 1)
i=0
until [ -f "$SPOOL/deferred/$D" ]; do
	[ "$i" -lt 300 ] || fail "D not in deferred/"
	sleep 0.1
	i=$((i + 1))
done
rmdir "$DATA/archive.db-wal"

# --- a post whose copies the smarthost defers --------------------------------
from=$(log_lines)
post_compose 2 "deferred by the smarthost" "$T/body.txt" > "$T/p.eml"
post_send "$T/p.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "P not accepted" ;; esac
P=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*accepted post=\([0-9a-f-]*\) .*/\1/p' | head -n 1)
i=1
while [ "$i" -le "$N" ]; do
	wait_log "deferred post=$P .*rcpt=$(c_addr "$i") reply=451 retry-in=300 attempt=1" \
	    30 "$from" || fail "copy for member $i not deferred: $(tail -n 20 "$LOG")"
	i=$((i + 1))
done
ls "$SPOOL/outgoing/$P/"*.retry > /dev/null 2>&1 || fail "no retry state on disk"
state > "$T/before"
[ "$(grep -c "^copy .* $P 1 " "$T/before")" -eq "$N" ] ||
    fail "copies' attempts: $(cat "$T/before")"
grep -q "^copy .* $P 1 None " "$T/before" && fail "a copy has no next try"
grep -q "^copy .* 451 4.3.0 try again later$" "$T/before" ||
    fail "no last error: $(cat "$T/before")"
grep -q "^entry $D 1 " "$T/before" || fail "D: $(cat "$T/before")"
expect 0 queue
grep -q "451 4.3.0 try again later" "$T/out" ||
    fail "queue (text) lacks the last error: $(cat "$T/out")"
copy=$(sed -n "s/^copy \([0-9a-f-]*\) $P .*/\1/p" "$T/before" | head -n 1)
expect 0 --json queue show "$copy"
[ "$(jget 'd["post"], d["retry"]["attempts"], d["retry"]["last_error"]')" = \
    "$P 1 451 4.3.0 try again later" ] ||
    fail "queue show copy: $(cat "$T/out")"
ok "copies deferred by the smarthost and a post deferred by the worker: counts, next tries, last reply on disk and in hubctl"

# --- kill -9 of every process, restart: nothing moves before its time ------
kill_all
start_hubd
from=$(log_lines)
state > "$T/after"
cmp -s "$T/before" "$T/after" ||
    fail "state changed across kill -9: $(diff "$T/before" "$T/after")"
wait_log "copy-retry-read post=$P file=$copy attempts=1 next-in=" 30 ||
    fail "the relay did not read the copy's state: $(tail -n 20 "$LOG")"
# a scan or two later, still not tried (their next try is minutes away)
sleep 3
tail -n +$((from + 1)) "$LOG" | grep -E "deferred post=$P|delivered post=$P|accepted post=$D" &&
    fail "retried before its time after the restart"
state > "$T/after"
cmp -s "$T/before" "$T/after" || fail "state changed after the restart"
ok "after kill -9 of every process: counts and next tries kept, nothing retried early"

# --- the wall clock stepped back a day: waits capped at the attempt's backoff --
kill_all
from=$(log_lines)
HUB_FAKE_NOW=$(($(date +%s) - 86400))
export HUB_FAKE_NOW
start_hubd
unset HUB_FAKE_NOW
wait_log "copy-retry-read post=$P file=$copy attempts=1 next-in=" 30 "$from" ||
    fail "the relay did not read the state"
wait_in=$(tail -n +$((from + 1)) "$LOG" |
    sed -n "s/.*copy-retry-read post=$P file=$copy attempts=1 next-in=\([0-9]*\).*/\1/p" |
    head -n 1)
# relay_retry = 300 after the first attempt: never more than that
[ "$wait_in" -le 300 ] && [ "$wait_in" -ge 240 ] ||
    fail "a next try a day away was not capped to the attempt's backoff: $wait_in"
ok "a clock stepped back: the stored next try capped ($wait_in s, not a day)"

# --- the smarthost is back: retry --all, each copy delivered once -----------
kill_all
sink_mode ok
before=$(sink_count)
start_hubd
from=$(log_lines)
# the post's id: each of its deferred copies due now, counts kept
expect 0 --json queue retry "$P"
[ "$(jget 'd["count"]')" = "$N" ] || fail "retry $P: $(cat "$T/out")"
grep -q "queue-retry id=$copy queue=outgoing" "$T/err" ||
    fail "retry not logged: $(cat "$T/err")"
expect 0 --json queue retry --all
sink_wait $((before + 2 * N)) 60 ||
    fail "delivered $(($(sink_count) - before)) of $((2 * N))"
i=0
while :; do
	expect 0 --json queue
	[ "$(jget 'd["counts"]["outgoing"] + d["counts"]["deferred"]')" = 0 ] && break
	[ "$i" -lt 300 ] || fail "queue not empty: $(cat "$T/out")"
	sleep 0.1
	i=$((i + 1))
done
sleep 2
i=1
while [ "$i" -le "$N" ]; do
	for id in "$P" "$D"; do
		c=0
		for m in $(sink_by_rcpt "$(c_addr "$i")" "$before"); do
			grep -q "$id" "$m" && c=$((c + 1))
		done
		[ "$c" -eq 1 ] || fail "member $i got $c copies of $id"
	done
	i=$((i + 1))
done
[ -z "$(find "$SPOOL/outgoing" -mindepth 1 ! -name '.*' 2>/dev/null)" ] ||
    fail "left in outgoing/: $(find "$SPOOL/outgoing")"
[ ! -e "$SPOOL/retry/$D" ] || fail "D's retry state left"
stop_hubd
ok "smarthost back: every copy delivered exactly once, nothing left"
