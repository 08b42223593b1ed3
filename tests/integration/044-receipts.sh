#!/bin/sh
# Signed delivery receipts (issue 16 item 7) through the real hubd: a
# TLP:AMBER post by member 1 to the members T01, T02, T03 and the
# partner P01, with the smarthost refusing member 3's copy (550), brings
# member 1 one receipt, decrypted with member 1's key alone and signed by
# the list, that lists T01 and T02 as delivered, T03 as failed with the
# refusal's enhanced status code and a fixed text (never the smarthost's
# reply, which may name the recipient) and P01 as not sent for the label; it names no recipient address and another member's
# key cannot read it.  After "receipts off" by mail, the next post
# brings no receipt; the receipt's request (spool/receipts/) and the
# outcomes leave the spool.
# "copy off" by mail: the sender's next post reaches everyone but the
# sender; hubctl contact set copy=on gives it back.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

COMMUNITY_RECEIPTS=on
start_sink "permfail-rcpt poc03@t03.test"
community_make 3 1
# on for every contact unless switched off; hubctl contact set switches
hc contact set "$(c_addr 2)" receipts=off
hc contact set "$(c_addr 2)" receipts=on
hc --json contact show "$(c_addr 1)"
grep -q '"receipts":"on"' "$T/hc.out" || fail "contact show: $(cat "$T/hc.out")"
start_hubd
keycheck_settle
printf 'TLP:AMBER\nIndicators follow: 192.0.2.44\n' > "$T/body.txt"

# section TITLE: the lines of the receipt ($T/ans) under the heading
# that starts with TITLE, up to the next empty line.
section() {
	awk -v t="$1" 'index($0, t) == 1 { on = 1; next }
	    on && /^\r?$/ { exit } on { sub(/\r$/, ""); print }' "$T/ans"
}
# settled: outgoing/ empty (every copy and receipt delivered or given
# up, every set reaped).
settled() {
	_i=0
	while [ -n "$(find "$SPOOL/outgoing" -mindepth 1 -maxdepth 1 \
	    ! -name '.*' 2>/dev/null)" ]; do
		[ "$_i" -lt 300 ] || fail "outgoing/ not empty: $(find "$SPOOL/outgoing")"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# --- a post, one copy refused: the receipt -------------------------------------
before=$(sink_count)
from=$(log_lines)
post_compose 1 "receipt wanted" "$T/body.txt" > "$T/p1.eml"
post_send "$T/p1.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "post not accepted" ;; esac
P=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*accepted post=\([0-9a-f-]*\) .*tlp=TLP:AMBER.*/\1/p' | head -n 1)
[ -n "$P" ] || fail "no TLP:AMBER post id"
wait_log "bounced post=$P .*rcpt=poc03@t03.test reply=550" 30 "$from" ||
    fail "member 3's copy was not refused: $(tail -n 20 "$LOG")"
wait_log "receipt post=$P list=ops to=poc01@t01.test .* teams=3 delivered=2 failed=1 not-cleared=1" 30 "$from" ||
    fail "no receipt made: $(tail -n 20 "$LOG")"
settled
R=
for m in $(sink_by_rcpt poc01@t01.test "$before"); do
	copy_check "$m" 1 > "$T/ans"
	if grep -q 'csirt-hub notice (receipt)' "$T/ans"; then
		[ -z "$R" ] || fail "two receipts"
		R=$m
		cp "$T/ans" "$T/receipt.txt"
	fi
done
[ -n "$R" ] || fail "no receipt among member 1's mail"
cp "$T/receipt.txt" "$T/ans"
grep -q "Subject: .*receipt for your post $P" "$T/ans" ||
    fail "receipt subject: $(grep Subject "$T/ans")"
grep -Eq "^ *Post: +$P" "$T/ans" || fail "no post id: $(cat "$T/ans")"
grep -Eq "^ *TLP: +TLP:AMBER" "$T/ans" || fail "no TLP: $(cat "$T/ans")"
[ "$(section Delivered | tr -d ' ' | sort | tr '\n' ' ')" = "T01 T02 " ] ||
    fail "delivered: $(section Delivered)"
failed=$(section Failed)
[ "$(printf '%s\n' "$failed" | wc -l | tr -d ' ')" = 1 ] || fail "failed: $failed"
case $failed in
*"T03: 5.1.1 refused by the recipient's server") ;;
*) fail "failed line: $failed" ;;
esac
[ "$(section 'Not sent because of' | tr -d ' ')" = P01 ] ||
    fail "not cleared: $(section 'Not sent because of')"
# teams only: no recipient's address in the text (its protected To
# header is the sender's own; the list's -request is named)
sed -n '/csirt-hub notice (receipt)/,$p' "$T/ans" | grep -q '@t0\|@p0' &&
    fail "the receipt names an address: $(cat "$T/ans")"
copy_fails_for "$R" 2
copy_fails_for "$R" 3
# the request (receipts/, the workers' alone) and the outcomes have
# left the spool with the set
[ ! -e "$SPOOL/outgoing/$P" ] || fail "the post's set was left"
[ ! -e "$SPOOL/receipts/$P" ] || fail "the post's request was left"
[ -z "$(ls -A "$SPOOL/receipts")" ] ||
    fail "receipts/ not empty: $(ls -A "$SPOOL/receipts")"
ok "receipt: encrypted to the sender alone, list-signed; T01 T02 delivered, T03 failed with why, P01 not cleared; no address"

# --- receipts off, by mail: no receipt ----------------------------------------
printf 'receipts off\n' > "$T/cmd.txt"
POST_TO=ops-request@hub.test post_compose 1 commands "$T/cmd.txt" > "$T/req.eml"
before=$(sink_count)
send --from poc01@t01.test --to ops-request@hub.test --file "$T/req.eml" \
    > /dev/null || fail "command mail not accepted"
sink_wait $((before + 1)) 30 || fail "no answer to receipts off"
copy_check "$(sink_msgs "$before" | head -n 1)" 1 > "$T/ans"
grep -qF "done: you get no receipts for your posts" "$T/ans" ||
    fail "answer: $(cat "$T/ans")"
settled
before=$(sink_count)
from=$(log_lines)
post_compose 1 "no receipt wanted" "$T/body.txt" > "$T/p2.eml"
post_send "$T/p2.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "post 2 not accepted" ;; esac
P2=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*accepted post=\([0-9a-f-]*\) .*/\1/p' | head -n 1)
wait_log "receipt-off post=$P2 list=ops" 30 "$from" ||
    fail "receipts not off: $(tail -n 20 "$LOG")"
wait_log "bounced post=$P2 " 30 "$from" || fail "post 2 not refused for member 3"
settled
sleep 2
tail -n +$((from + 1)) "$LOG" | grep -q "receipt post=$P2" &&
    fail "a receipt was made with receipts off"
[ "$(sink_by_rcpt poc01@t01.test "$before" | wc -l | tr -d ' ')" = 1 ] ||
    fail "member 1 got more than its copy: $(sink_by_rcpt poc01@t01.test "$before")"
ok "receipts off by mail: the next post brings no receipt"

# --- copy off, by mail: no copy of one's own post, the others theirs -----------
printf 'copy off\n' > "$T/cmd.txt"
POST_TO=ops-request@hub.test post_compose 1 commands "$T/cmd.txt" > "$T/req.eml"
before=$(sink_count)
send --from poc01@t01.test --to ops-request@hub.test --file "$T/req.eml" \
    > /dev/null || fail "copy off not accepted"
sink_wait $((before + 1)) 30 || fail "no answer to copy off"
copy_check "$(sink_msgs "$before" | head -n 1)" 1 > "$T/ans"
grep -qF "done: you get no copy of your own posts" "$T/ans" ||
    fail "answer: $(cat "$T/ans")"
settled
before=$(sink_count)
from=$(log_lines)
printf 'TLP:GREEN\nno copy for the sender\n' > "$T/body3.txt"
post_compose 1 "no own copy" "$T/body3.txt" > "$T/p3.eml"
post_send "$T/p3.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "post 3 not accepted" ;; esac
settled
sleep 1
[ -z "$(sink_by_rcpt poc01@t01.test "$before")" ] ||
    fail "the sender got its own post with copy off"
[ -n "$(sink_by_rcpt poc02@t02.test "$before")" ] ||
    fail "member 2 got no copy"
[ -n "$(sink_by_rcpt poc01@p01.test "$before")" ] ||
    fail "the partner got no copy of a GREEN post"
hc --json contact show poc01@t01.test
grep -q '"copy":"off"' "$T/hc.out" || fail "contact show: $(cat "$T/hc.out")"
hc contact set poc01@t01.test copy=on
before=$(sink_count)
from=$(log_lines)
printf 'TLP:GREEN\ncopy for the sender again\n' > "$T/body4.txt"
post_compose 1 "own copy again" "$T/body4.txt" > "$T/p4.eml"
post_send "$T/p4.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "post 4 not accepted" ;; esac
settled
[ -n "$(sink_by_rcpt poc01@t01.test "$before")" ] ||
    fail "copy=on: the sender got no copy"
stop_hubd
ok "copy off by mail: no copy of one's own post, every other member's as before; copy=on by hubctl"
