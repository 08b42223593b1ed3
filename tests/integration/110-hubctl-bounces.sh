#!/bin/sh
# hubctl bounces and the bounce score, through hubd: delivery reports
# fed to ops-bounces+TAG are recorded per contact; a permanent failure
# counts once a day (HUB_FAKE_NOW moves the hub's calendar, hubd is
# restarted for each day), a delayed one never; at the list's
# bounce_score_threshold the contact's delivery is disabled and the
# admin is told (once); hubctl bounces shows it, text and --json;
# subscribe --enable delivers again with the score restarted; one
# contact of a team subscription is disabled and enabled on its own.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 2 0
# contact 2 receives through its team's subscription
hc unsubscribe ops "$(c_addr 2)"
hc subscribe ops --team "$(c_team 2)"
hc list set ops bounce_score_threshold=2
A1=$(c_addr 1)
DAY0=$(( ($(date +%s) / 86400) * 86400 + 43200 ))

# bounce STATUS: a delivery report for contact 1 to ops-bounces+TAG
bounce() {
	printf 'From: MAILER-DAEMON@mx.t01.test\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.t01.test\r\n\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: %s\r\n\r\n--b--\r\n' \
	    "$A1" "$1" > "$T/dsn.eml"
	_from=$(log_lines)
	send --from "" --to "ops-bounces+poc01=t01.test@hub.test" \
	    --file "$T/dsn.eml" > /dev/null || fail "bounce not accepted"
	wait_log "bounce id=[0-9a-f-]+ list=ops rcpt=$A1 status=$1" 30 \
	    "$_from" || fail "bounce $1 not recorded"
}
# day N: hubd on day N of the hub's calendar
day() {
	[ -n "$HUBD_PID" ] && stop_hubd
	HUB_FAKE_NOW=$((DAY0 + $1 * 86400))
	export HUB_FAKE_NOW
	start_hubd
}
# bjson EXPR: on hubctl --json bounces ops, d[0] being contact 1's row
bjson() {
	expect 0 --json bounces ops
	jget "$1"
}

day 0
bounce 5.1.1
bounce 5.1.1
bounce 4.4.1
[ "$(bjson '(d[0]["address"], d[0]["failures"], d[0]["permanent"], d[0]["score"], d[0]["threshold"], d[0]["delivery"])')" = \
    "('$A1', 3, 2, 1, 2, 'enabled')" ] || fail "day 0: $(cat "$T/out")"
ok "two permanent failures on one day score 1, a delayed one 0"

before=$(sink_count)
day 1
from=$(log_lines)
bounce 5.2.2
[ "$(bjson '(d[0]["score"], d[0]["delivery"], d[0]["reason"])')" = \
    "(2, 'disabled', 'bounces')" ] || fail "day 1: $(cat "$T/out")"
wait_log "delivery-disabled-told id=[0-9a-f-]+ list=ops rcpt=$A1" 30 \
    "$from" || fail "nobody told of the disabled delivery"
# the admin: the delivery-failed notice of the bounce, and the disabling
sink_wait $((before + 2)) 30 || fail "admin notices missing"
sleep 1
found=
for m in $(sink_msgs "$before"); do
	[ "$(env_rcpts "$m")" = "$(c_addr admin)" ] || continue
	copy_check "$m" admin > "$T/notice.txt"
	grep -q "^Subject: \[ops\] delivery disabled: $A1" "$T/notice.txt" &&
	    found=$m
done
[ -n "$found" ] || fail "no delivery-disabled notice to the admin"
grep -q "hubctl subscribe ops $A1 --enable" "$T/notice.txt" ||
    copy_check "$found" admin | grep -q "hubctl subscribe ops $A1 --enable" ||
    fail "the notice does not say how to enable"
ok "day 1: score 2 = threshold: delivery disabled, the admin told"

# once: another bounce the next day tells nobody again
day 2
from=$(log_lines)
bounce 5.1.1
sleep 2
grep -q "delivery-disabled-told" "$(tail -n +"$((from + 1))" "$LOG" > "$T/l"; echo "$T/l")" &&
    fail "told twice"
expect 0 bounces
grep -q "^ops  *$A1  *disabled" "$T/out" ||
    grep -q "$A1.*disabled" "$T/out" || fail "text: $(cat "$T/out")"
expect 1 subscribe ops "$A1" --disable
err_has "disabled already"
expect 0 subscribe ops "$A1" --enable
grep -qx "delivery: enabled" "$T/out" || fail "enable: $(cat "$T/out")"
[ "$(bjson '(d[0]["score"], d[0]["delivery"])')" = "(0, 'enabled')" ] ||
    fail "after enable: $(cat "$T/out")"
expect 1 subscribe ops "$A1" --enable
err_has "enabled already"
expect 0 --json log --limit 1
[ "$(jget 'd[0]["action"], d[0]["object"]')" = "delivery.enable ops" ] ||
    fail "enable not audited: $(cat "$T/out")"
ok "told once; subscribe --enable delivers again, score restarted, audited"

# one contact of a team subscription, on its own
A2=$(c_addr 2)
expect 1 unsubscribe ops "$A2"
expect 0 --json subscribe ops "$A2" --disable
[ "$(jget 'd["delivery"]')" = disabled ] || fail "disable: $(cat "$T/out")"
expect 0 --json bounces ops
[ "$(jget '[(r["address"], r["delivery"], r["reason"]) for r in d if r["address"] == "'"$A2"'"]')" = \
    "[('$A2', 'disabled', 'admin')]" ] || fail "team contact: $(cat "$T/out")"
expect 0 subscribe ops "$A2" --enable
expect 1 subscribe ops "$(c_addr admin)x" --enable
expect 1 subscribe nolist "$A2" --enable
err_has "no such list: nolist"
expect 2 subscribe ops --team "$(c_team 2)" --disable
expect 2 subscribe ops "$A2" --enable --role member
expect 1 bounces nolist
err_has "no such list: nolist"
expect 2 bounces --bogus
ok "a team's contact disabled and enabled alone; usage and errors"
