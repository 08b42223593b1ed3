#!/bin/sh
# Faults in the pipeline, through the real hubd:
#  1. a poison message (one that kills the worker every time) is retried
#     worker_attempts times, then quarantined in quarantine/ with its
#     reason, the list's admins are told once (the master marks it,
#     a worker sends the notice), and the next post still flows;
#  2. kill -9 of the worker while it stages a post's copies: the master
#     puts the entry back, a new worker redoes it, every recipient gets
#     exactly one copy (the stage was never visible to the relay);
#  3. the smarthost is down: copies are deferred, then delivered when it
#     is back (same port);
#  2b. the worker dies right after committing the set: the entry is
#     finished, not redone;
#  4. kill -9 of the relay mid-delivery: every recipient gets its copy,
#     at most the batch in flight twice;
#  5. a message that hangs the worker: killed after worker_timeout,
#     quarantined after worker_attempts, the next post flows.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=12
COMMUNITY_CONF="workers = 1
worker_attempts = 2
relay_retry = 1"
community_make "$N" 0
printf 'TLP:GREEN\nIndicators follow.\n' > "$T/body.txt"

# each_member_once AFTER MAX: every member has 1..MAX copies after AFTER
each_member_once() {
	_i=1
	while [ "$_i" -le "$N" ]; do
		_c=$(sink_by_rcpt "$(c_addr "$_i")" "$1" | wc -l | tr -d ' ')
		[ "$_c" -ge 1 ] && [ "$_c" -le "$2" ] ||
		    fail "member $_i got $_c copies (want 1..$2)"
		_i=$((_i + 1))
	done
}

# sink_again DIR [sink options]: a new sink on the smarthost's port (a
# new directory: a new sink numbers its files from 1).
sink_again() {
	SINK_DIR=$1
	shift
	stop_sink
	rm -f "$T/sink.port"
	python3 "$top_srcdir/tests/lib/sink.py" --port-file "$T/sink.port" \
	    --dir "$SINK_DIR" --port "$port" "$@" 2>>"$T/sink.log" &
	SINK_PID=$!
}

# --- 1. poison ------------------------------------------------------------------
export HUB_WORKER_POISON="crash:POISON-$$-TOKEN"
start_hubd
keycheck_settle
from=$(log_lines)
a0=$(sink_count)
printf 'From: x@y.test\r\nSubject: POISON-%s-TOKEN\r\n\r\nbody\r\n' "$$" \
    > "$T/poison.eml"
send --from x@y.test --to ops@hub.test --file "$T/poison.eml" > /dev/null ||
    fail "poison not accepted"
wait_log 'entry-quarantined id=[0-9a-f-]+ attempts=2' 30 "$from" ||
    fail "poison message not quarantined: $(tail -n 20 "$LOG")"
pid=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*entry-quarantined id=\([0-9a-f-]*\).*/\1/p' | head -n 1)
[ -f "$SPOOL/quarantine/$pid" ] ||
    fail "quarantined entry not in quarantine/"
grep -qx 'reason=quarantined' "$SPOOL/quarantine/$pid.why" ||
    fail "no reason: $(cat "$SPOOL/quarantine/$pid.why")"
[ ! -e "$SPOOL/active/$pid" ] && [ ! -e "$SPOOL/rejected/$pid" ] ||
    fail "quarantined entry left in active/ or rejected/"
[ ! -e "$SPOOL/retry/$pid" ] || fail "retry state left for $pid"
[ "$(tail -n +$((from + 1)) "$LOG" | grep -c 'child-died role=worker')" -eq 2 ] ||
    fail "expected two worker crashes"
# the master holds no key: a worker tells the admins, once
wait_log "quarantine-told id=$pid attempts=2" 30 "$from" ||
    fail "the admins of a crash-quarantined entry were not told: $(tail -n 20 "$LOG")"
wait_log "notice id=[0-9a-f-]+ kind=poison list=ops to=admin@hub.test" 30 "$from" ||
    fail "no poison notice staged for the admins"
[ ! -e "$SPOOL/quarantine/$pid.tell" ] || fail "the mark was not taken"
i=0
until [ -n "$(sink_by_rcpt admin@hub.test "$a0")" ]; do
	[ "$i" -lt 300 ] || fail "the admins' notice was not relayed"
	sleep 0.1
	i=$((i + 1))
done
an=$(sink_by_rcpt admin@hub.test "$a0" | head -n 1)
copy_check "$an" admin | grep -q "$pid" ||
    fail "the notice does not name the quarantined entry $pid"
copy_check "$an" admin | grep -q 'died 2 times' ||
    fail "the notice does not say the worker died: $(copy_check "$an" admin)"
from=$(log_lines)
post_compose 1 "after the poison" "$T/body.txt" > "$T/p1.eml"
post_send "$T/p1.eml"
r=$(post_result "$from")
case $r in *accepted*) ;; *) fail "post after poison: $r" ;; esac
sink_wait "$N" 60 || fail "copies after poison: $(sink_count) of $N"
each_member_once 0 1
# several worker turns later, still one notice
[ "$(sink_by_rcpt admin@hub.test "$a0" | while read -r m; do
	copy_check "$m" admin | grep -c 'quarantined' ; done |
    awk '$1 > 0' | wc -l | tr -d ' ')" -eq 1 ] ||
    fail "the admins were told more than once"
stop_hubd
ok "poison message quarantined after 2 attempts, the admins told once, the next post relayed"
unset HUB_WORKER_POISON

# --- 2. kill -9 of the worker mid-staging -----------------------------------------
# The 4th fsync of the new worker waits a second: the window to kill it
# while the stage is half written.
HUB_FS_FAULT=worker:fsync:4:delay start_hubd
before=$(sink_count)
from=$(log_lines)
post_compose 2 "killed mid-staging" "$T/body.txt" > "$T/p2.eml"
post_send "$T/p2.eml"
i=0
until [ "$(find "$SPOOL/outgoing" -path '*/.stage-*' -type f 2>/dev/null |
    wc -l)" -ge 2 ]; do
	[ "$i" -lt 300 ] || fail "never saw the stage being written"
	sleep 0.02
	i=$((i + 1))
done
wpid=$(sed -n 's/.*spawned role=worker pid=\([0-9]*\).*/\1/p' "$LOG" |
    tail -n 1)
kill -9 "$wpid"
wait_log "entry-retry id=[0-9a-f-]+ attempt=1" 10 "$from" ||
    fail "the master did not put the entry back"
wait_log "accepted post=" 60 "$from" || fail "entry not redone"
sink_wait $((before + N)) 60 ||
    fail "after the kill: $(($(sink_count) - before)) of $N copies"
sleep 2
[ "$(sink_count)" -eq $((before + N)) ] ||
    fail "duplicates after a worker kill: $(($(sink_count) - before))"
each_member_once "$before" 1
[ -z "$(find "$SPOOL/outgoing" -name '.stage-*')" ] || fail "stage left"
stop_hubd
unset HUB_FS_FAULT
ok "worker killed mid-staging: entry redone, each member exactly once"

# --- 2b. the worker dies right after committing the set --------------------------
# Its 4th directory fsync is the one after renaming the stage into
# outgoing/ (2 for the claim, 1 for the stage): the master must see the
# committed set and finish the entry, not redo it (a redo would send
# every copy twice).
HUB_FS_FAULT=worker:dirsync:4:crash start_hubd
before=$(sink_count)
from=$(log_lines)
post_compose 2 "dies after the commit" "$T/body.txt" > "$T/p2b.eml"
post_send "$T/p2b.eml"
wait_log "entry-finished id=[0-9a-f-]+ after=worker-exit" 30 "$from" ||
    fail "the master did not finish the committed entry: $(tail -n 15 "$LOG")"
sink_wait $((before + N)) 60 ||
    fail "after the crash: $(($(sink_count) - before)) of $N copies"
sleep 2
[ "$(sink_count)" -eq $((before + N)) ] ||
    fail "a committed post was redone: $(($(sink_count) - before)) copies"
each_member_once "$before" 1
[ -z "$(ls "$SPOOL/active")" ] || fail "entry left in active/"
stop_hubd
unset HUB_FS_FAULT
ok "worker died after the commit: entry finished, each member exactly once"

# --- 3. smarthost down, then back ------------------------------------------------------
port=$SINK_PORT
stop_sink
start_hubd
before=$(sink_count)
from=$(log_lines)
post_compose 3 "smarthost down" "$T/body.txt" > "$T/p3.eml"
post_send "$T/p3.eml"
wait_log "relay\[[0-9]+\]: deferred" 30 "$from" ||
    fail "no deferral while the smarthost is down"
[ "$(find "$SPOOL/outgoing" -type f ! -name '*.*' | wc -l)" -eq "$N" ] ||
    fail "copies not kept while deferred"
before=0
sink_again "$T/sink3"
sink_wait $((before + N)) 60 ||
    fail "after the smarthost came back: $(($(sink_count) - before)) of $N"
each_member_once "$before" 1
stop_hubd
ok "smarthost down: deferred, then delivered when it came back"

# --- 4. kill -9 of the relay mid-delivery -------------------------------------------------
sink_again "$T/sink4" --delay 0.2
start_hubd
before=$(sink_count)
from=$(log_lines)
post_compose 4 "relay killed" "$T/body.txt" > "$T/p4.eml"
post_send "$T/p4.eml"
sink_wait $((before + 2)) 60 || fail "relay delivered nothing"
rpid=$(sed -n 's/.*spawned role=relay pid=\([0-9]*\).*/\1/p' "$LOG" |
    tail -n 1)
kill -9 "$rpid"
wait_log "child-died role=relay" 10 "$from" || fail "relay not reaped"
i=1
while [ "$i" -le "$N" ]; do
	_c=0
	for _s in $(seq 600); do
		_c=$(sink_by_rcpt "$(c_addr "$i")" "$before" | wc -l | tr -d ' ')
		[ "$_c" -ge 1 ] && break
		sleep 0.1
	done
	[ "$_c" -ge 1 ] || fail "member $i never got its copy after the relay kill"
	i=$((i + 1))
done
sleep 1
each_member_once "$before" 2
[ -z "$(find "$SPOOL/outgoing" -type f)" ] || fail "copies left in outgoing"
stop_hubd
ok "relay killed mid-delivery: every member got the post ($(($(sink_count) - before)) copies for $N)"

# --- 5. a message that hangs the worker ------------------------------------------
# worker_timeout (at least 10 s) kills the hung worker; after
# worker_attempts the entry is quarantined and the next post flows.
echo "worker_timeout = 10" >> "$CONF"
export HUB_WORKER_POISON="hang:HANG-$$-TOKEN"
sink_again "$T/sink5"
start_hubd
from=$(log_lines)
printf 'From: x@y.test\r\nSubject: HANG-%s-TOKEN\r\n\r\nbody\r\n' "$$" \
    > "$T/hang.eml"
send --from x@y.test --to ops@hub.test --file "$T/hang.eml" > /dev/null ||
    fail "hanging message not accepted"
wait_log 'worker-hung pid=[0-9]+ id=' 20 "$from" || fail "hang not detected"
wait_log 'entry-quarantined id=[0-9a-f-]+ attempts=2' 40 "$from" ||
    fail "hanging message not quarantined: $(tail -n 10 "$LOG")"
unset HUB_WORKER_POISON
from=$(log_lines)
post_compose 5 "after the hang" "$T/body.txt" > "$T/p5.eml"
post_send "$T/p5.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "post after hang" ;; esac
sink_wait "$N" 60 || fail "after the hang: $(sink_count) of $N"
stop_hubd
ok "a hanging message: worker killed after worker_timeout, quarantined, queue flows"
