#!/bin/sh
# Temporary failures are bounded and their count is on disk: a post
# whose every attempt fails (the archive cannot be opened) is deferred
# with backoff, keeps its attempt count across a restart of hubd, and
# after worker_retry_attempts is quarantined (quarantine/ID with its
# .why, nothing left in the working queues) and the list's admins are
# told once; the next post flows.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=2
COMMUNITY_CONF="worker_retry = 1
worker_retry_max = 2
worker_retry_attempts = 3
relay_retry = 1"
community_make "$N" 0
printf 'TLP:GREEN\nIndicators follow.\n' > "$T/body.txt"

start_hubd
from0=$(log_lines)
# The archive's WAL file made a directory: every open of the archive
# fails, as long as it is there (SQLite is not under the fault hook).
rm -f "$DATA/archive.db-wal"
mkdir "$DATA/archive.db-wal"
post_compose 1 "fails every time" "$T/body.txt" > "$T/p1.eml"
post_send "$T/p1.eml"
wait_log 'deferred id=[0-9a-f-]+ reason=tempfail attempt=2 of=3 counted=yes' 30 "$from0" ||
    fail "no second counted deferral: $(tail -n 20 "$LOG")"
id=$(tail -n +$((from0 + 1)) "$LOG" |
    sed -n 's/.*deferred id=\([0-9a-f-]*\) .*attempt=2 .*/\1/p' | head -n 1)
# the first wait was worker_retry, the second doubled
grep -q "deferred id=$id reason=tempfail attempt=1 of=3 counted=yes retry-in=1s" "$LOG" ||
    fail "first backoff not 1 s"
grep -q "deferred id=$id reason=tempfail attempt=2 of=3 counted=yes retry-in=2s" "$LOG" ||
    fail "second backoff not 2 s"
stop_hubd
# on disk: the count and the entry (in deferred/, or in incoming/ if the
# stop caught it mid-attempt)
grep -qx 'attempts 2' "$SPOOL/retry/$id" ||
    fail "attempt count not on disk: $(cat "$SPOOL/retry/$id" 2>&1)"
[ -f "$SPOOL/deferred/$id" ] || [ -f "$SPOOL/active/$id" ] ||
    fail "entry not deferred: $(ls -R "$SPOOL")"
ok "two counted attempts, backoff 1 s then 2 s, the count on disk"

# --- restart: the third attempt is the last -------------------------------------
start_hubd
from=$(log_lines)
wait_log "entry-quarantined id=$id attempts=3" 30 "$from" ||
    fail "not quarantined after the restart: $(tail -n 20 "$LOG")"
# the count survived: no deferral of it after the restart
tail -n +$((from + 1)) "$LOG" | grep -q "deferred id=$id" &&
    fail "the count was reset by the restart"
[ -f "$SPOOL/quarantine/$id" ] || fail "not in quarantine/"
grep -qx 'reason=quarantined' "$SPOOL/quarantine/$id.why" ||
    fail "no reason: $(cat "$SPOOL/quarantine/$id.why")"
grep -qx 'attempts=3' "$SPOOL/quarantine/$id.why" ||
    fail "no count in the reason"
for q in incoming active deferred retry; do
	[ ! -e "$SPOOL/$q/$id" ] || fail "left in $q/"
done
# the admins are told, once
wait_log "notice id=[0-9a-f-]+ kind=poison list=ops to=admin@hub.test" 30 "$from" ||
    fail "the admins were not told: $(tail -n 20 "$LOG")"
i=0
until [ -n "$(sink_by_rcpt admin@hub.test)" ]; do
	[ "$i" -lt 300 ] || fail "the admins' notice was not relayed"
	sleep 0.1
	i=$((i + 1))
done
sleep 1
[ "$(sink_by_rcpt admin@hub.test | wc -l | tr -d ' ')" -eq 1 ] ||
    fail "the admins were told more than once"
ok "quarantined after 3 attempts across a restart, the admins told once"

# --- the queue flows once the archive is back ----------------------------------
rmdir "$DATA/archive.db-wal"
before=$(sink_count)
from=$(log_lines)
post_compose 2 "after the quarantine" "$T/body.txt" > "$T/p2.eml"
post_send "$T/p2.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "next post" ;; esac
sink_wait $((before + N)) 60 || fail "next post: $(($(sink_count) - before)) of $N"
tail -n "+$((from0 + 1))" "$LOG" | grep -Eq 'child-died role=worker|entry-retry' &&
    fail "a worker died"
stop_hubd
ok "the next post flows; no worker died"
