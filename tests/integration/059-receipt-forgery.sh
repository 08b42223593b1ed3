#!/bin/sh
# Receipts against a compromised relay (the network user, which through
# the hub group may create, rename and link entries in spool/outgoing/
# and outgoing/POST/): the request a worker makes a receipt from is in
# spool/receipts/, the workers' alone, so
#  - a request forged in outgoing/FAKE/receipt (with an outcome naming
#    an attacker's text) brings no receipt to anyone;
#  - a FIFO named receipt in a set does not hang the workers: a post
#    afterwards is processed and gets its receipt;
#  - a forged request of 4 MiB (65000 copies) is ignored, and the real
#    post's receipt comes at once;
#  - the smarthost's reply is never shown: a refusal naming the VERP
#    sender (ops-bounces+poc03=t03.test@hub.test) reaches the receipt as
#    its enhanced status code and a fixed text, with no address.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

COMMUNITY_RECEIPTS=on
SINK_REPLY=verp
export SINK_REPLY
start_sink "permfail-rcpt poc03@t03.test"
community_make 3 1
start_hubd
keycheck_settle

[ -d "$SPOOL/receipts" ] || fail "no spool/receipts/"
case $(stat -c %a "$SPOOL/receipts") in
700) ;;
*) fail "spool/receipts/ mode $(stat -c %a "$SPOOL/receipts")" ;;
esac

# set ID: make outgoing/ID/ as the relay could (built aside, renamed in)
set_make() {
	mkdir -p "$SPOOL/outgoing/.forge/$1"
}
set_commit() {
	mv "$SPOOL/outgoing/.forge/$1" "$SPOOL/outgoing/$1"
}

before=$(sink_count)
from=$(log_lines)

# --- a forged request and outcome, for member 2 who never posted ----------------
FAKE=0123456789abcdef-0123456789ab
CP=fedcba9876543210-fedcba987654
set_make "$FAKE"
cat > "$SPOOL/outgoing/.forge/$FAKE/receipt" <<R
CSIRT-HUB-RECEIPT 1
list ops
post $FAKE
sender $(c_addr 2)
fpr 0000
tlp TLP:CLEAR
received 1
copy $CP URGENT:send-your-reports-to-evil@attacker.example poc03@t03.test
not-cleared also-CC-evil@attacker.example
R
printf 'CSIRT-HUB-COPY-OUTCOME 1\nresult failed\nreply fetch https://attacker.example/key.asc\n' \
    > "$SPOOL/outgoing/.forge/$FAKE/$CP.outcome"
set_commit "$FAKE"

# --- a FIFO named receipt --------------------------------------------------------
FIFO=00000000000000dd-0000000000dd
set_make "$FIFO"
mkfifo "$SPOOL/outgoing/.forge/$FIFO/receipt"
set_commit "$FIFO"

# --- a huge forged request -------------------------------------------------------
HUGE=00000000000000cc-0000000000cc
set_make "$HUGE"
python3 - "$SPOOL/outgoing/.forge/$HUGE/receipt" "$HUGE" "$(c_addr 2)" <<'PY'
import sys
p, pid, snd = sys.argv[1:]
h = ("CSIRT-HUB-RECEIPT 1\nlist ops\npost %s\nsender %s\nfpr 0\n"
     "tlp TLP:CLEAR\nreceived 1\n" % (pid, snd))
lines = [h]; n = len(h); i = 0
while True:
    l = "copy %016x-%012x t%d a@b\n" % (i, i, i)
    if n + len(l) > 4 * 1024 * 1024:
        break
    lines.append(l); n += len(l); i += 1
open(p, "w").write("".join(lines))
PY
set_commit "$HUGE"
rmdir "$SPOOL/outgoing/.forge"
sleep 2

# --- a real post afterwards: processed, its receipt made ---------------------------
printf 'TLP:AMBER\nIndicators follow: 192.0.2.44\n' > "$T/body.txt"
post_compose 1 "receipt wanted" "$T/body.txt" > "$T/p1.eml"
t0=$(date +%s)
post_send "$T/p1.eml"
case $(post_result "$from") in *accepted*) ;; *) fail "post not accepted" ;; esac
P=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*accepted post=\([0-9a-f-]*\) .*tlp=TLP:AMBER.*/\1/p' | head -n 1)
[ -n "$P" ] || fail "no TLP:AMBER post id"
wait_log "receipt post=$P list=ops to=poc01@t01.test .* teams=3 delivered=2 failed=1 not-cleared=1" 30 "$from" ||
    fail "no receipt for the real post (workers hung?): $(tail -n 20 "$LOG")"
t1=$(date +%s)
[ $((t1 - t0)) -le 25 ] || fail "the receipt took $((t1 - t0)) s"
ok "a FIFO named receipt and a 4 MiB forged request: the next post is processed, its receipt made in $((t1 - t0)) s"

sleep 3
for id in "$FAKE" "$FIFO" "$HUGE"; do
	grep -q "receipt post=$id" "$LOG" &&
	    fail "a receipt was made from a forged request: $(grep "post=$id" "$LOG")"
done
for m in $(sink_by_rcpt "$(c_addr 2)" "$before"); do
	copy_check "$m" 2 > "$T/ans"
	grep -q 'csirt-hub notice (receipt)' "$T/ans" &&
	    fail "member 2 got a receipt: $(cat "$T/ans")"
done
ok "a request forged in outgoing/ brings no receipt"

# --- the real receipt: the status code and a fixed text, no address ----------------
# the receipt reaches the sink a moment after it is made
R=
i=0
while [ -z "$R" ] && [ "$i" -lt 60 ]; do
	for m in $(sink_by_rcpt poc01@t01.test "$before"); do
		copy_check "$m" 1 > "$T/ans"
		if grep -q 'csirt-hub notice (receipt)' "$T/ans"; then
			R=$m
			cp "$T/ans" "$T/receipt.txt"
		fi
	done
	[ -n "$R" ] || sleep 0.5
	i=$((i + 1))
done
[ -n "$R" ] || fail "no receipt among member 1's mail"
failed=$(awk 'index($0, "Failed") == 1 { on = 1; next }
    on && /^\r?$/ { exit } on { sub(/\r$/, ""); print }' "$T/receipt.txt")
case $failed in
*"T03: 5.7.1 refused by the recipient's server") ;;
*) fail "failed line: $failed" ;;
esac
sed -n '/csirt-hub notice (receipt)/,$p' "$T/receipt.txt" > "$T/body-only.txt"
grep -qi 'bounces\|poc03\|t03\.test\|@t0\|@p0\|attacker\|undeliverable\|rejected' \
    "$T/body-only.txt" &&
    fail "the receipt shows the reply or an address: $(cat "$T/body-only.txt")"
ok "a reply naming the VERP sender: the receipt shows 5.7.1 and a fixed text, no address"

# the real post's request and set are gone; receipts/ holds nothing else
i=0
while [ -e "$SPOOL/receipts/$P" ] || [ -e "$SPOOL/outgoing/$P" ]; do
	[ "$i" -lt 100 ] || fail "the post's request or set was left"
	sleep 0.1
	i=$((i + 1))
done
[ -z "$(ls -A "$SPOOL/receipts")" ] ||
    fail "receipts/ not empty: $(ls -A "$SPOOL/receipts")"
stop_hubd
ok "receipts/: the request gone with the receipt"
