#!/bin/sh
# A stranger's flood of refused posts does not become a flood of signed,
# encrypted notices in the admins' mailboxes: the first 20 of a list's
# day are told, the rest are logged and kept in rejected/ like any
# refusal.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 1 0
start_hubd
keycheck_settle
CAP=20 SENT=24

before=$(sink_count)
from=$(log_lines)
i=1
while [ "$i" -le "$SENT" ]; do
	printf 'From: <x%s@evil.test>\r\nSubject: flood %s\r\n\r\nhello\r\n' \
	    "$i" "$i" > "$T/m.eml"
	send --from "x$i@evil.test" --to ops@hub.test --file "$T/m.eml" \
	    > /dev/null || fail "mail $i not accepted"
	i=$((i + 1))
done
i=0
until [ "$(tail -n +"$((from + 1))" "$LOG" | grep -c 'rejected post=')" \
    -ge "$SENT" ]; do
	[ "$i" -lt 600 ] || fail "not all $SENT mails refused"
	sleep 0.1
	i=$((i + 1))
done
sink_wait $((before + CAP)) 60 || fail "fewer than $CAP admin notices"
# the notices still in flight when the last refusal was logged
i=0
while [ -n "$(find "$SPOOL/outgoing" -mindepth 1 -maxdepth 1 ! -name '.*')" ]
do
	[ "$i" -lt 300 ] || fail "notices stay queued"
	sleep 0.1
	i=$((i + 1))
done
n=$(sink_by_rcpt "$(c_addr admin)" "$before" | wc -l | tr -d ' ')
[ "$n" -eq "$CAP" ] || fail "admin got $n notices, want $CAP"
[ "$(sink_count)" -eq $((before + CAP)) ] ||
    fail "$(($(sink_count) - before)) messages at the sink, want $CAP"
skipped=$(tail -n +"$((from + 1))" "$LOG" |
    grep -c 'notice-skipped id=.* kind=refused-unknown list=ops reason=daily-limit')
[ "$skipped" -eq $((SENT - CAP)) ] ||
    fail "$skipped refusals logged as over the limit, want $((SENT - CAP))"
[ "$(find "$SPOOL/rejected" -maxdepth 1 -type f ! -name '*.why' | wc -l |
    tr -d ' ')" -eq "$SENT" ] || fail "not every refused mail kept"
ok "a stranger's $SENT refused mails: $CAP notices to the admins, all kept"

# the next UTC day the admins hear of refusals again
stop_hubd
HUB_FAKE_NOW=$(($(date +%s) + 86400))
export HUB_FAKE_NOW
start_hubd
keycheck_settle
before=$(sink_count)
from=$(log_lines)
send --from x1@evil.test --to ops@hub.test --file "$T/m.eml" > /dev/null ||
    fail "next day: not accepted"
wait_log "notice id=[0-9a-f-]+ kind=refused-unknown list=ops to=admin@hub.test" \
    60 "$from" || fail "next day: the admins were not told"
stop_hubd
ok "the next day the admins are told again"
