# Limits: message size, recipients, connections, timeouts, bare LF, long
# lines.  Each refusal has its documented reply and stores nothing.
. "$top_srcdir/tests/lib/hubd.sh"

write_conf "list = alerts" "list = isac" "list = misp" \
    "max_message_size = 10K" "max_recipients = 3" "max_connections = 3" \
    "timeout_command = 2s"
start_hubd

send --from poc@cert.test --to ops@hub.test --size 20000 > "$T/out" &&
    fail "oversized message accepted"
grep -q '552 5.3.4' "$T/out" || fail "oversize reply: $(cat "$T/out")"
printf 'EHLO c\r\nMAIL FROM:<a@b.test> SIZE=20000\r\nQUIT\r\n' | raw > "$T/r"
grep -q '^552 5.3.4' "$T/r" || fail "SIZE= over the limit not refused"
grep -q '^250-SIZE 10240' "$T/r" || fail "SIZE not advertised as 10240"
[ "$(count_spool incoming)" = 0 ] || fail "oversized message stored"
[ "$(count_spool tmp)" = 0 ] || fail "oversized message left in tmp"
send --from poc@cert.test --to ops@hub.test --size 8000 > /dev/null ||
    fail "message under the limit refused"
ok "size limit: 552 5.3.4, nothing stored"

printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<ops@hub.test>\r\nRCPT TO:<alerts@hub.test>\r\nRCPT TO:<isac@hub.test>\r\nRCPT TO:<misp@hub.test>\r\nQUIT\r\n' |
    raw > "$T/r"
[ "$(grep -c '^250 2.1.5' "$T/r")" = 3 ] || fail "3 recipients expected"
grep -q '^452 4.5.3' "$T/r" || fail "4th recipient not refused with 452"
ok "recipient limit: 452 4.5.3"

printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<ops@hub.test>\r\nDATA\r\nSubject: x\r\n\r\nsmuggled\n.\nMAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n' |
    raw > "$T/r"
grep -q '^554 5.6.0' "$T/r" || fail "bare LF in data not refused: $(cat "$T/r")"
grep -q '^250 2.0.0 Ok: queued' "$T/r" && fail "smuggled message accepted"
printf 'EHLO c\nMAIL FROM:<a@b.test>\r\nQUIT\r\n' | raw > "$T/r"
grep -q '^500 5.5.2' "$T/r" || fail "bare LF in command not refused"
long=$(head -c 1200 /dev/zero | tr '\0' 'a')
printf 'EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<ops@hub.test>\r\nDATA\r\n%s\r\n.\r\nQUIT\r\n' "$long" |
    raw > "$T/r"
grep -q '^554 5.6.0' "$T/r" || fail "data line over 1000 octets not refused"
[ "$(count_spool incoming)" = 1 ] || fail "a refused message was stored"
[ "$(count_spool tmp)" = 0 ] || fail "tmp not empty"
ok "bare LF (SMTP smuggling) and long lines refused, nothing stored"

# Three idle sessions fill the server; the fourth is turned away.
idle=
from=$(log_lines)
for i in 1 2 3; do
	(sleep 1.5 | raw "$SMTP_PORT" 3 > "$T/idle$i") &
	idle="$idle $!"
done
# All three must be in before the fourth knocks (no fixed sleep: a loaded
# machine may take longer to connect them).
i=0
while [ "$(tail -n +$((from + 1)) "$LOG" | grep -c 'session-open')" -lt 3 ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "three idle sessions did not connect"
	sleep 0.05
done
printf 'QUIT\r\n' | raw > "$T/r4"
grep -q '^421 4.7.0' "$T/r4" || fail "4th connection not refused: $(cat "$T/r4")"
for p in $idle; do wait "$p" || true; done
ok "connection limit: 421 4.7.0"

# An idle client is dropped after timeout_command with 421 4.4.2.
start=$(date +%s)
sleep 4 | raw "$SMTP_PORT" 6 > "$T/r5"
grep -q '^421 4.4.2' "$T/r5" || fail "idle timeout: $(cat "$T/r5")"
# 2 s configured; the client itself would wait 4 s + 6 s without it.
[ $(( $(date +%s) - start )) -le 5 ] || fail "idle timeout too slow"
grep -q 'reason=idle-timeout' "$LOG" || fail "idle timeout not logged"
ok "idle timeout: 421 4.4.2"
stop_hubd
