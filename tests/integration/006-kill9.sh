# kill -9 of the smtp process mid-session, then of the master: after a
# restart every acknowledged message is in incoming/, byte for byte, and
# nothing half-written is visible.
. "$top_srcdir/tests/lib/hubd.sh"

write_conf "shutdown_timeout = 5s"
start_hubd
mkdir "$T/sent"

# wait_acks FILE N: until FILE holds N "ok" lines (20 s at most).
wait_acks() {
	_i=0
	while [ "$(grep -c '^ok ' "$1" || true)" -lt "$2" ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || fail "only $(grep -c '^ok ' "$1") acks in $1"
		sleep 0.1
	done
}

: > "$T/acks1"
: > "$T/acks2"
send --from poc@cert.test --to ops@hub.test --parallel 4 --count 400 \
    --size 4000 --save "$T/sent" > "$T/acks1" 2>/dev/null &
c1=$!
wait_acks "$T/acks1" 100
old=$(smtp_pid)
from=$(log_lines)
kill -9 "$old"
wait_log "child-died role=smtp pid=$old status=signal:9" 10 "$from" ||
    fail "master did not see the smtp process die"
wait_log 'smtp\[[0-9]+\]: ready' 10 "$from" || fail "smtp not restarted"
[ "$(smtp_pid)" != "$old" ] || fail "same smtp pid"
wait "$c1" || true
ok "smtp process killed mid-session and restarted"

send --from poc@cert.test --to ops@hub.test --parallel 4 --count 400 \
    --size 4000 --save "$T/sent" > "$T/acks2" 2>/dev/null &
c2=$!
wait_acks "$T/acks2" 100
child=$(smtp_pid)
kill -9 "$HUBD_PID"
wait "$HUBD_PID" 2>/dev/null || true
HUBD_PID=
# The orphaned smtp process hears of it (link EOF) and drains.
i=0
while kill -0 "$child" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "smtp process outlived its master"
	sleep 0.1
done
wait "$c2" || true
ok "master killed; its smtp process drained and exited"

start_hubd
grep -q 'spool-recovered' "$LOG" || fail "no recovery line"
[ "$(count_spool tmp)" = 0 ] || fail "tmp/ not empty after recovery"
[ "$(count_spool corrupt)" = 0 ] || fail "corrupt entries after recovery"
n=$(check_spool_valid incoming)
spool_sums incoming > "$T/have"
acked=0
for tag in $(cat "$T/acks1" "$T/acks2" | awk '$1 == "ok" { print $2 }'); do
	sum=$(sha256sum < "$T/sent/$tag.eml" | cut -d' ' -f1)
	grep -qx "$sum" "$T/have" || fail "acknowledged message $tag is missing"
	acked=$((acked + 1))
done
[ "$acked" -ge 200 ] || fail "too few acknowledged messages ($acked)"
[ "$n" -ge "$acked" ] || fail "fewer entries ($n) than acknowledgements ($acked)"
ok "all $acked acknowledged messages present ($n entries, all valid)"
stop_hubd
