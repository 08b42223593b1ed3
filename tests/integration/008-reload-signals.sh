# SIGHUP reloads hub.conf (a bad file is refused, the old one kept);
# SIGTERM lets a session in a transaction finish; -n checks a config;
# daemon mode writes and removes its pidfile; a second hubd is refused.
. "$top_srcdir/tests/lib/hubd.sh"

write_conf
start_hubd
printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<alerts@hub.test>\r\nQUIT\r\n' | raw > "$T/r"
grep -q '^550 5.1.1' "$T/r" || fail "alerts served before it exists"

write_conf "list = alerts"
from=$(log_lines)
kill -HUP "$HUBD_PID"
wait_log 'reloaded lists=2' 10 "$from" || fail "reload not logged"
wait_log 'smtp\[[0-9]+\]: ready listeners=2 lists=2' 10 "$from" ||
    fail "new smtp process not ready"
printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<alerts@hub.test>\r\nQUIT\r\n' | raw > "$T/r"
grep -q '^250 2.1.5' "$T/r" || fail "alerts not served after reload: $(cat "$T/r")"
ok "SIGHUP: new list served"

cp "$CONF" "$T/good.conf"
echo "no_such_key = 1" >> "$CONF"
from=$(log_lines)
kill -HUP "$HUBD_PID"
wait_log "reload-refused reason=config-error error=\"$CONF:[0-9]+: " 10 "$from" ||
    fail "bad config not refused with file:line"
printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<alerts@hub.test>\r\nQUIT\r\n' | raw > "$T/r"
grep -q '^250 2.1.5' "$T/r" || fail "old config lost after a refused reload"
"$HUBD" -n -c "$CONF" > "$T/n" 2>&1 && fail "-n accepted a bad config"
grep -q "$CONF:[0-9]*: " "$T/n" || fail "-n message: $(cat "$T/n")"
"$HUBD" -n -c "$T/good.conf" | grep -q 'configuration OK' || fail "-n on good config"
cp "$T/good.conf" "$CONF"
ok "SIGHUP with a bad file: refused, old config kept"

# A session in the middle of DATA when SIGTERM comes finishes its message.
(printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<ops@hub.test>\r\nDATA\r\nSubject: t\r\n\r\n'
 sleep 1.5
 printf 'last words\r\n.\r\n'
 sleep 1) | raw "$SMTP_PORT" 5 > "$T/term" &
rawpid=$!
sleep 0.7
t0=$(date +%s)
kill -TERM "$HUBD_PID"
wait "$rawpid" || true
grep -q '^250 2.0.0 Ok: queued' "$T/term" || fail "in-flight message lost at SIGTERM: $(cat "$T/term")"
grep -q '^421 4.3.2' "$T/term" || fail "no 421 after the transaction"
rc=0
wait "$HUBD_PID" || rc=$?
HUBD_PID=
[ "$rc" = 0 ] || fail "hubd exit status $rc"
# The session closes right after its 421, not at shutdown_timeout (30 s)
# nor when the client gives up (5 s).
[ $(( $(date +%s) - t0 )) -le 3 ] || fail "shutdown waited for the client"
[ ! -e "$DATA/hubd.pid" ] || fail "pidfile left behind"
ok "SIGTERM: transaction completed, then 421, clean exit"

# Daemon mode (no -f): pidfile, syslog, refuses a second instance.
"$HUBD" -c "$CONF" 2>> "$LOG" || fail "daemon start failed"
i=0
while [ ! -s "$DATA/hubd.pid" ]; do
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "no pidfile"; sleep 0.1
done
pid=$(cat "$DATA/hubd.pid")
kill -0 "$pid" || fail "pidfile pid $pid not running"
"$HUBD" -f -c "$CONF" 2> "$T/second" && fail "second hubd started"
grep -q "already running pid=$pid" "$T/second" || fail "second: $(cat "$T/second")"
kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -lt 100 ] || fail "daemon did not stop"; sleep 0.1
done
[ ! -e "$DATA/hubd.pid" ] || fail "daemon left its pidfile"
ok "daemon mode: pidfile, single instance, clean stop"
