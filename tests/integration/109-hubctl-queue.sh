#!/bin/sh
# hubctl queue and hubctl quarantine against a running hubd:
#  - the listing shows entries in incoming/, active/, deferred/,
#    rejected/ and quarantine/ with the right counts, their list, size,
#    age, attempts and next try, and never a subject or body (a token
#    planted in both, in plain posts kept as received, is absent from the
#    text and the JSON);
#  - show prints the envelope, the retry state and the .why;
#  - retry makes a deferred entry (next try in 5 minutes) due now;
#  - delete refuses an entry a worker holds in active/, removes a
#    deferred one with its retry state;
#  - quarantine release puts an entry back (no .why, no count) and, the
#    fault gone, it is delivered once; drop removes one.
# Faults: the archive's WAL made a directory defers good posts (041);
# HUB_WORKER_POISON=hang:TOKEN holds a worker in active/ until
# worker_timeout, then the master quarantines the entry (034).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=1
COMMUNITY_CONF="workers = 1
worker_timeout = 10
worker_attempts = 1
worker_retry = 300
worker_retry_max = 600
worker_retry_attempts = 5
relay_retry = 1"
community_make "$N" 0
TOK="QTOK$$x$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
HANG="HANG-$$-TOKEN"
printf 'TLP:GREEN\nbody %s body\n' "$TOK" > "$T/body.txt"

# no_token WHAT: the planted token is not in hubctl's last output.
no_token() {
	! grep -qF "$TOK" "$T/out" "$T/err" || fail "$1 shows the content"
}
# accepted_id FROM: the spool id of the first message accepted after log
# line FROM.
accepted_id() {
	wait_log 'message-accepted .*id=[0-9a-f-]+' 10 "$1" ||
	    fail "no message-accepted: $(tail -n 5 "$LOG")"
	tail -n +$(($1 + 1)) "$LOG" |
	    sed -n 's/.*message-accepted .*id=\([0-9a-f-]*\).*/\1/p' | head -n 1
}
# wait_file PATH: the worker logs its verdict before the entry's move.
wait_file() {
	_i=0
	until [ -e "$1" ]; do
		[ "$_i" -lt 300 ] || fail "$1 never appeared"
		sleep 0.1
		_i=$((_i + 1))
	done
}
# json_ok: the last output is valid JSON.
json_ok() {
	python3 -m json.tool < "$T/out" > /dev/null || fail "not JSON: $(cat "$T/out")"
}

export HUB_WORKER_POISON="hang:$HANG"
start_hubd
rm -f "$DATA/archive.db-wal"
mkdir "$DATA/archive.db-wal"

# --- deferred (x2), rejected, active, incoming (x2) --------------------------
from=$(log_lines)
post_compose 1 "subject $TOK" "$T/body.txt" > "$T/d1.eml"
post_send "$T/d1.eml"
D1=$(accepted_id "$from")
wait_log "deferred id=$D1 reason=tempfail attempt=1" 30 "$from" ||
    fail "D1 not deferred: $(tail -n 20 "$LOG")"
wait_file "$SPOOL/deferred/$D1"
from=$(log_lines)
post_compose 1 "subject two $TOK" "$T/body.txt" > "$T/d2.eml"
post_send "$T/d2.eml"
D2=$(accepted_id "$from")
wait_log "deferred id=$D2 reason=tempfail attempt=1" 30 "$from" ||
    fail "D2 not deferred"
wait_file "$SPOOL/deferred/$D2"
from=$(log_lines)
post_compose 1 "subject $TOK" "$T/body.txt" plain > "$T/r.eml"
post_send "$T/r.eml"
R=$(accepted_id "$from")
wait_log "rejected post=$R" 30 "$from" || fail "R not rejected"
wait_file "$SPOOL/rejected/$R"
grep -qF "$TOK" "$SPOOL/rejected/$R" ||
    fail "the token is not in the spool: the test would prove nothing"

# H1 hangs the only worker; H2 and I wait in incoming/ behind it.  H1 and
# H2 are good posts whose outer subject carries the hang token.
from=$(log_lines)
POST_OUTER_SUBJECT=$HANG post_compose 1 "hang one" "$T/body.txt" > "$T/h1.eml"
POST_OUTER_SUBJECT=$HANG post_compose 1 "hang two" "$T/body.txt" > "$T/h2.eml"
post_send "$T/h1.eml"
H1=$(accepted_id "$from")
wait_log 'poison-hook action=hang' 10 "$from" || fail "H1 did not hang"
from=$(log_lines)
post_send "$T/h2.eml"
H2=$(accepted_id "$from")
from=$(log_lines)
post_send "$T/r.eml"
I=$(accepted_id "$from")

# --- the listing ---------------------------------------------------------------
expect 0 queue
no_token "queue"
for id in "$D1" "$D2" "$R" "$H1" "$H2" "$I"; do
	grep -qF "$id" "$T/out" || fail "queue lacks $id: $(cat "$T/out")"
done
cp "$T/out" "$T/queue.txt"
expect 0 --json queue
no_token "queue --json"
json_ok
[ "$(jget 'd["counts"]["incoming"], d["counts"]["active"], d["counts"]["deferred"], d["counts"]["rejected"], d["counts"]["quarantine"]')" = "2 1 2 1 0" ] ||
    fail "counts: $(jget 'd["counts"]')"
[ "$(jget '[e["id"] for e in d["active"]][0]')" = "$H1" ] || fail "active"
[ "$(jget 'sorted(e["id"] for e in d["incoming"]) == sorted(["'"$H2"'", "'"$I"'"])')" = True ] ||
    fail "incoming: $(jget 'd["incoming"]')"
[ "$(jget '[e for e in d["deferred"] if e["id"] == "'"$D1"'"][0]["attempts"]')" = 1 ] ||
    fail "deferred attempts: $(jget 'd["deferred"]')"
[ "$(jget '[e for e in d["deferred"] if e["id"] == "'"$D1"'"][0]["next_try"] is not None')" = True ] ||
    fail "no next try"
[ "$(jget '[e for e in d["incoming"] if e["id"] == "'"$I"'"][0]["lists"]')" = "['ops']" ] ||
    fail "lists: $(jget 'd["incoming"]')"
[ "$(jget 'd["rejected"][0]["reason"] is not None and d["rejected"][0]["size"] > 0')" = True ] ||
    fail "rejected: $(jget 'd["rejected"]')"
# the relay's retry state of each copy (049 defers and restarts them)
[ "$(jget 'all(isinstance(e["attempts"], int) and "next_try" in e and "last_error" in e for e in d["outgoing"])')" = True ] ||
    fail "outgoing: $(jget 'd["outgoing"]')"
ok "queue: every state with its counts, lists, attempts; no content"

expect 0 queue show "$D1"
no_token "queue show"
grep -qx 'queue: deferred' "$T/out" || fail "show: $(cat "$T/out")"
grep -qx '  attempts: 1' "$T/out" || fail "show attempts: $(cat "$T/out")"
grep -qx '  last: tempfail' "$T/out" || fail "show last: $(cat "$T/out")"
grep -qx '  from: poc01@t01.test' "$T/out" || fail "show from: $(cat "$T/out")"
expect 0 --json queue show "$R"
no_token "queue show --json"
json_ok
case $(jget 'd["why"]') in reason=*) ;; *) fail "no why: $(cat "$T/out")" ;; esac
expect 1 queue show ../../etc
err_has "bad spool id"
ok "queue show: envelope, retry state, why"

# --- delete -------------------------------------------------------------------------
expect 1 queue delete "$H1"
err_has "active/: a worker holds it"
[ -f "$SPOOL/active/$H1" ] || fail "the active entry was touched"
[ -f "$SPOOL/retry/$D2" ] || fail "D2 has no retry state to remove"
expect 0 queue delete "$D2"
err_has "queue-delete id=$D2 queue=deferred"
[ ! -e "$SPOOL/deferred/$D2" ] && [ ! -e "$SPOOL/retry/$D2" ] ||
    fail "D2 or its retry state left"
expect 1 queue delete "$D2"
err_has "no such entry"
ok "delete refuses active/, removes a deferred entry and its count"

# --- quarantine ------------------------------------------------------------------
from=$(log_lines)
wait_log "entry-quarantined id=$H1" 30 || fail "H1 not quarantined"
wait_log "entry-quarantined id=$H2" 30 || fail "H2 not quarantined"
wait_log "rejected post=$I" 30 || fail "I not rejected"
wait_file "$SPOOL/rejected/$I"
expect 0 --json quarantine ls
json_ok
no_token "quarantine ls"
[ "$(jget 'sorted(e["id"] for e in d["quarantine"]) == sorted(["'"$H1"'", "'"$H2"'"]) and d["counts"]["quarantine"] == 2')" = True ] ||
    fail "quarantine ls: $(cat "$T/out")"
[ "$(jget 'd["quarantine"][0]["reason"]')" = quarantined ] || fail "reason"
expect 0 quarantine show "$H1"
no_token "quarantine show"
grep -q 'reason=quarantined' "$T/out" || fail "no .why: $(cat "$T/out")"
expect 1 quarantine show "$R"
err_has "not quarantined"
expect 0 quarantine drop "$H2"
err_has "quarantine-drop id=$H2"
[ ! -e "$SPOOL/quarantine/$H2" ] && [ ! -e "$SPOOL/quarantine/$H2.why" ] ||
    fail "H2 not dropped"
ok "quarantine ls, show, drop"

# --- retry: due now, processed within a bounded wait -------------------------------
rmdir "$DATA/archive.db-wal"
from=$(log_lines)
expect 0 queue retry "$D1"
err_has "queue-retry id=$D1"
# its next try was 5 minutes away
wait_log "accepted post=$D1" 15 "$from" ||
    fail "D1 not processed after retry: $(tail -n 20 "$LOG")"
expect 1 queue retry "$R"
err_has "not deferred"
expect 0 --json queue retry --all
json_ok
ok "retry makes a deferred entry due now"

# --- release: the fault removed, delivered once -------------------------------------
stop_hubd
unset HUB_WORKER_POISON
start_hubd
i=0
while :; do
	expect 0 --json queue
	[ "$(jget 'd["counts"]["outgoing"]')" = 0 ] && break
	[ "$i" -lt 300 ] || fail "outgoing/ never empty: $(cat "$T/out")"
	sleep 0.1
	i=$((i + 1))
done
before=$(sink_by_rcpt poc01@t01.test | wc -l | tr -d ' ')
from=$(log_lines)
expect 0 quarantine release "$H1"
[ ! -e "$SPOOL/quarantine/$H1" ] && [ ! -e "$SPOOL/quarantine/$H1.why" ] ||
    fail "released entry or its .why left in quarantine/"
[ ! -e "$SPOOL/retry/$H1" ] || fail "stale retry state"
wait_log "accepted post=$H1" 15 "$from" ||
    fail "H1 not processed after release: $(tail -n 20 "$LOG")"
i=0
until [ "$(sink_by_rcpt poc01@t01.test | wc -l | tr -d ' ')" -gt "$before" ]; do
	[ "$i" -lt 300 ] || fail "H1 not delivered"
	sleep 0.1
	i=$((i + 1))
done
sleep 2
[ "$(sink_by_rcpt poc01@t01.test | wc -l | tr -d ' ')" -eq $((before + 1)) ] ||
    fail "H1 delivered more than once"
expect 1 quarantine release "$H1"
expect 0 --json queue
[ "$(jget 'd["counts"]["quarantine"]')" = 0 ] || fail "quarantine not empty"
stop_hubd
ok "release: back in the queue, delivered once; nothing left in quarantine"
