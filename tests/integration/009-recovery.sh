# Start-up recovery: leftovers in tmp/ removed, active/ put back to
# incoming/, invalid files in incoming/ set aside in corrupt/ and logged.
. "$top_srcdir/tests/lib/hubd.sh"

write_conf
start_hubd
send --from poc@cert.test --to ops@hub.test --count 3 > /dev/null ||
    fail "send"
stop_hubd
set -- "$SPOOL/incoming"/*
mv "$1" "$SPOOL/active/"			# a worker was busy with it
head -c 100 "$2" > "$SPOOL/tmp/$(basename "$2")"	# half-written
printf 'garbage' > "$SPOOL/incoming/0000000000000001-000000000000"
head -c 150 "$3" > "$SPOOL/incoming/0000000000000002-000000000000"

start_hubd
grep -q 'spool-recovered tmp-removed=1 requeued=1 corrupt=2 incoming=3' "$LOG" ||
    fail "recovery counts: $(grep spool-recovered "$LOG")"
grep -q 'spool-corrupt file=incoming/0000000000000001-000000000000 action=moved-to-corrupt' "$LOG" ||
    fail "corrupt file not reported"
[ "$(count_spool tmp)" = 0 ] || fail "tmp"
[ "$(count_spool active)" = 0 ] || fail "active"
[ "$(count_spool corrupt)" = 2 ] || fail "corrupt"
[ "$(check_spool_valid incoming)" = 3 ] || fail "incoming"
stop_hubd
ok "recovery: tmp cleared, active requeued, corrupt set aside"

# Bad configurations stop hubd at start with file:line.
printf 'data_dir = %s\ndomain = hub.test\nworkers = many\n' "$DATA" > "$T/bad.conf"
"$HUBD" -f -c "$T/bad.conf" 2> "$T/err" && fail "bad config started"
grep -q "^hubd: $T/bad.conf:3: " "$T/err" || fail "message: $(cat "$T/err")"
"$HUBD" -f -c "$T/missing.conf" 2> "$T/err" && fail "missing config started"
grep -q "missing.conf" "$T/err" || fail "missing: $(cat "$T/err")"
"$HUBD" -x 2> /dev/null && fail "bad option accepted"
"$HUBD" -h | grep -q '^usage: hubd' || fail "-h"
ok "bad configuration refused at start with file:line"

# Only data_dir and domain: hubd runs with its defaults, on 127.0.0.1:2525.
if (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null; then
	echo "note: 127.0.0.1:2525 in use here, default listener not checked"
else
	printf 'data_dir = %s\ndomain = hub.test\n' "$T/min" > "$T/min.conf"
	from=$(log_lines)
	"$HUBD" -f -c "$T/min.conf" 2>> "$LOG" &
	HUBD_PID=$!
	wait_log 'listening proto=smtp addr=127\.0\.0\.1:2525' 10 "$from" ||
	    fail "minimal config does not listen on 127.0.0.1:2525"
	wait_log 'smtp\[[0-9]+\]: ready' 10 "$from" || fail "not ready"
	printf 'EHLO c\r\nQUIT\r\n' | raw 2525 > "$T/r"
	grep -q '^250-SIZE 26214400' "$T/r" || fail "default size limit: $(cat "$T/r")"
	[ -s "$T/min/hubd.pid" ] || fail "default pidfile"
	stop_hubd
	ok "data_dir and domain alone: defaults, 127.0.0.1:2525, 25M"
fi
