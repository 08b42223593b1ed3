#!/bin/sh
# The disk fails under the worker at each moment of an entry's way
# (fault hook HUB_FS_FAULT, one failing call: the fault then clears by
# itself): while a post's copies are staged, while the outgoing set is
# committed (before and after its rename), at the finish, while a
# refusal writes its reason, and while the archive files a post.  In
# every case, without a restart: each acknowledged post reaches each
# member exactly once, the refusal is written, nothing stays in active/
# or deferred/, no worker dies and the master counts no poison attempt.
# (Before intake, 007 fails the smtp process's commit; 042 refuses MAIL
# FROM on a disk under queue_minfree.)
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=3
# one worker: the fault counts are that process's; a quick retry
COMMUNITY_CONF="workers = 1
worker_retry = 1
worker_retry_max = 2
relay_retry = 1"
community_make "$N" 0
printf 'TLP:GREEN\nIndicators follow.\n' > "$T/body.txt"

# A first start writes what a fresh data dir lacks (lists.names, the
# archive): the fault counts below start from a worker with nothing to
# write before its first entry.
start_hubd
post_compose 1 "warm-up" "$T/body.txt" > "$T/p0.eml"
from=$(log_lines)
post_send "$T/p0.eml"
wait_log "archived post=" 60 "$from" || fail "warm-up post not archived"
sink_wait "$N" 60 || fail "warm-up: $(sink_count) of $N copies"
stop_hubd

# no_poison FROM: no worker death and no master retry or quarantine
# since log line FROM; nothing left in active/ or deferred/.
no_poison() {
	_t=$(tail -n +$(($1 + 1)) "$LOG" |
	    grep -Ec 'child-died role=worker|entry-retry|entry-quarantined|fatal' || true)
	[ "$_t" -eq 0 ] || fail "$2: a worker died or a poison count: $(tail -n 30 "$LOG")"
	_i=0
	while [ -n "$(find "$SPOOL/active" "$SPOOL/deferred" -mindepth 1)" ]; do
		[ "$_i" -lt 100 ] || fail "$2: left in active/ or deferred/: $(ls -R "$SPOOL/active" "$SPOOL/deferred")"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# exactly_once BEFORE WHAT: each member has exactly one copy after sink
# message BEFORE, also a second later (no late duplicate).
exactly_once() {
	sink_wait $(($1 + N)) 60 ||
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

# post_fault SPEC WHAT: a post under worker fault SPEC.
k=1
post_fault() {
	HUB_FS_FAULT="worker:$1:fail" start_hubd
	before=$(sink_count)
	from=$(log_lines)
	post_compose 1 "fault $1" "$T/body.txt" > "$T/p$k.eml"
	post_send "$T/p$k.eml"
	k=$((k + 1))
	wait_log "fault-injected op=${1%%:*}" 60 "$from" ||
	    fail "$2: the fault never fired"
	exactly_once "$before" "$2"
	no_poison "$from" "$2"
	stop_hubd
	ok "$2 ($1): delivered once to each of $N, no death, nothing stranded"
}

# claim: rename 1, dirsync 1-2; copies: write/fsync 1..N; the commit:
# dirsync 3, rename 2, dirsync 4; the finish: dirsync 5
post_fault write:1 "staging a copy"
wait_log 'deferred id=[0-9a-f-]+ reason=io-error attempt=0 .*counted=no' 1 "$from" ||
    fail "staging: no uncounted deferral in the log"
post_fault rename:2 "the outgoing commit"
post_fault dirsync:4 "the outgoing commit, after its rename"
post_fault dirsync:5 "the finish"

# --- the refusal's reason (postmaster mail stages no copy) -------------------
# claim: rename 1, dirsync 1-2; the .why: write 1
HUB_FS_FAULT="worker:write:1:fail" start_hubd
from=$(log_lines)
printf 'From: someone@example.test\r\nSubject: hello\r\n\r\nhi\r\n' > "$T/pm.eml"
send --from someone@example.test --to postmaster@hub.test --file "$T/pm.eml" \
    > /dev/null || fail "postmaster mail not accepted"
wait_log 'reject-note-failed' 30 "$from" || fail "the note fault never fired"
wait_log 'postmaster-mail id=' 30 "$from" || fail "no verdict"
id=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*postmaster-mail id=\([0-9a-f-]*\).*/\1/p' | head -n 1)
i=0
until [ -f "$SPOOL/rejected/$id" ]; do
	[ "$i" -lt 100 ] || fail "refusal not written after the fault: $(ls -R "$SPOOL")"
	sleep 0.1
	i=$((i + 1))
done
grep -qx 'reason=postmaster-mail' "$SPOOL/rejected/$id.why" ||
    fail "refusal without its reason: $(cat "$SPOOL/rejected/$id.why")"
no_poison "$from" "the refusal"
[ ! -e "$SPOOL/retry/$id" ] || fail "retry state left for a finished entry"
stop_hubd
ok "the refusal's reason: deferred, written once the disk works, no death"

# --- the archive insert ---------------------------------------------------------
# SQLite's I/O is not under the fault hook: its WAL file made a
# directory fails the archive's next open as a full or broken disk does.
# The post is deferred (counted: the worker cannot tell the archive's
# disk from any other archive failure), then relayed once it is gone.
start_hubd
before=$(sink_count)
from=$(log_lines)
rm -f "$DATA/archive.db-wal"
mkdir "$DATA/archive.db-wal"
# the worker has not opened the archive since its start
post_compose 1 "archive fails" "$T/body.txt" > "$T/pa.eml"
post_send "$T/pa.eml"
wait_log 'archive-(open-)?failed' 60 "$from" ||
    fail "the archive did not fail: $(tail -n 20 "$LOG")"
wait_log 'deferred id=[0-9a-f-]+ reason=tempfail' 30 "$from" ||
    fail "not deferred after the archive failed"
rmdir "$DATA/archive.db-wal"
exactly_once "$before" "archive insert"
wait_log "archived post=" 60 "$from" || fail "never archived"
no_poison "$from" "archive insert"
stop_hubd
ok "the archive insert fails: deferred, archived and relayed once after"
