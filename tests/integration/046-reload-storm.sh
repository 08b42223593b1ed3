#!/bin/sh
# A reload storm (issue 18): 30 SIGHUPs while posts stream in, with an
# idle SMTP session open across all of them.  The idle session is not
# told to go (no 421: the replaced smtp process drains instead of
# shutting down) and can still send a post after the storm; no RCPT gets
# 550; every post reaches every member exactly once; no child crashes.
# Throughout the storm the store's key cannot be unwrapped now and then
# (the hub key's secret key files leave the keyring for 0.8 s of every
# 2 s, as under gpg-agent trouble): a worker started by a reload then
# retries store_open with backoff (store-open-retry) instead of dying.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=3		# members: copies per post
POSTS=8		# posts sent during the storm
HUPS=30

community_make "$N" 0
start_hubd

i=1
while [ "$i" -le $((POSTS + 1)) ]; do
	printf 'TLP:AMBER\n\nStorm post %s.\n' "$i" > "$T/p$i.txt"
	post_compose $(( (i % N) + 1 )) "Storm $i" "$T/p$i.txt" > "$T/p$i.eml"
	rm -f "$T/p$i.txt"
	i=$((i + 1))
done

# The idle session: EHLO, then nothing until $T/go; then a post.
last=$((POSTS + 1))
idle_from=$(c_addr $(( (last % N) + 1 )))
{
	printf 'EHLO idle\r\n'
	while [ ! -e "$T/go" ]; do sleep 0.1; done
	printf 'MAIL FROM:<%s>\r\nRCPT TO:<ops@hub.test>\r\nDATA\r\n' "$idle_from"
	crlf < "$T/p$last.eml" | sed 's/^\./../'
	printf '.\r\nQUIT\r\n'
} | raw "$SMTP_PORT" 60 > "$T/idle.out" &
idlepid=$!
i=0
until grep -q '^250 ' "$T/idle.out" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "idle session: no EHLO reply"
	sleep 0.1
done

# The unwrap failures: the secret key files of the hub key (which
# hub.db.key is wrapped to; the list's key, which signs the copies,
# stays) away for 0.8 s, back for 1.2 s, until $T/flap.stop or the end
# of this shell; the keys are back whenever the loop ends.
KD="$DATA/gnupg/private-keys-v1.d"
grips=$(gpg --homedir "$DATA/gnupg" --batch --with-colons --with-keygrip \
    -K "$(head -c 40 "$DATA/hub.fpr")" 2>/dev/null |
    awk -F: '/^grp/ { print $10 }')
[ -n "$grips" ] || fail "no keygrip for the hub key"
for g in $grips; do
	[ -f "$KD/$g.key" ] || fail "no secret key file $KD/$g.key"
done
mkdir "$T/away"
(
	while [ ! -e "$T/flap.stop" ] && kill -0 $$ 2>/dev/null; do
		for g in $grips; do mv "$KD/$g.key" "$T/away/"; done
		sleep 0.8
		for g in $grips; do mv "$T/away/$g.key" "$KD/"; done
		sleep 1.2
	done
) &
flappid=$!

# The storm: each SIGHUP waits for its reload (so none is merged with
# the next by the kernel), every fourth is followed by a post.
from=$(log_lines)
: > "$T/sends"
sent=0
i=1
while [ "$i" -le "$HUPS" ]; do
	before=$(tail -n +$((from + 1)) "$LOG" | grep -c 'master\[[0-9]*\]: reloaded ' || true)
	kill -HUP "$HUBD_PID"
	j=0
	while [ "$(tail -n +$((from + 1)) "$LOG" | grep -c 'master\[[0-9]*\]: reloaded ' || true)" -le "$before" ]; do
		j=$((j + 1)); [ "$j" -lt 100 ] || fail "SIGHUP $i: no reload in 10 s"
		sleep 0.1
	done
	if [ $((i % 4)) -eq 0 ] && [ "$sent" -lt "$POSTS" ]; then
		sent=$((sent + 1))
		f=$(( (sent % N) + 1 ))
		send --from "$(c_addr "$f")" --to ops@hub.test \
		    --file "$T/p$sent.eml" >> "$T/sends" 2>&1 || true
	fi
	i=$((i + 1))
done
reloads=$(tail -n +$((from + 1)) "$LOG" | grep -c 'master\[[0-9]*\]: reloaded ' || true)
[ "$reloads" -eq "$HUPS" ] || fail "$reloads reloads for $HUPS SIGHUPs"
: > "$T/flap.stop"
wait "$flappid" || fail "the key flapper failed"
for g in $grips; do
	[ -f "$KD/$g.key" ] || fail "secret key file $g.key not back"
done
retries=$(tail -n +$((from + 1)) "$LOG" | grep -c 'store-open-retry ' || true)
[ "$retries" -gt 0 ] ||
    fail "no worker met an unwrap failure: the injection did nothing"
while [ "$sent" -lt "$POSTS" ]; do	# fewer than 4 x POSTS SIGHUPs
	sent=$((sent + 1))
	send --from "$(c_addr $(( (sent % N) + 1 )))" --to ops@hub.test \
	    --file "$T/p$sent.eml" >> "$T/sends" 2>&1 || true
done

# After the storm the idle session sends its post.
: > "$T/go"
wait "$idlepid" || true
n421=$(grep -c '^421' "$T/idle.out" || true)
[ "$n421" -eq 0 ] || fail "idle session got 421: $(cat "$T/idle.out")"
grep -q '^250 2.0.0' "$T/idle.out" || fail "idle session's post: $(cat "$T/idle.out")"
grep -q '^221' "$T/idle.out" || fail "idle session: no 221: $(cat "$T/idle.out")"
ok "idle session across $HUPS reloads: no 421, its post accepted after the storm"

n250=$(grep -c '^ok ' "$T/sends" || true)
n550=$(grep -c ' 550' "$T/sends" || true)
[ "$n550" -eq 0 ] || fail "$n550 posts refused with 550: $(grep ' 550' "$T/sends" | head -n 3)"
[ "$n250" -eq "$POSTS" ] || fail "$n250 of $POSTS posts accepted: $(grep -v '^ok ' "$T/sends" | head -n 3)"
ok "$POSTS posts during the storm: 250=$n250 550=$n550"

# Every post once per member: (POSTS + 1) x N copies, then no more.
want=$(( (POSTS + 1) * N ))
sink_wait "$want" 60 || fail "$(sink_count) of $want copies at the sink"
sleep 1
[ "$(sink_count)" -eq "$want" ] || fail "$(sink_count) copies, want $want"
i=1
while [ "$i" -le "$N" ]; do
	got=$(sink_by_rcpt "$(c_addr "$i")" | grep -c . || true)
	[ "$got" -eq $((POSTS + 1)) ] || fail "member $i: $got copies, want $((POSTS + 1))"
	i=$((i + 1))
done
ok "every post delivered once: $want copies for $((POSTS + 1)) posts x $N members"

if grep -Eq 'child-died|status=signal:(6|11)|entry-retry|entry-quarantined' "$LOG"; then
	fail "a child crashed: $(grep -E 'child-died|status=signal:|entry-' "$LOG" | head -n 3)"
fi
grep -q 'rcpt-refused' "$LOG" && fail "a RCPT refused: $(grep rcpt-refused "$LOG" | head -n 3)"
stop_hubd
ok "no child crash across $reloads reloads, $retries store-open retries"
