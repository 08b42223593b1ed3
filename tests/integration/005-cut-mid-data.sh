# A client that vanishes in the middle of DATA leaves nothing visible in
# incoming/ (and nothing behind in tmp/).
. "$top_srcdir/tests/lib/hubd.sh"

write_conf
start_hubd
from=$(log_lines)
send --from poc@cert.test --to ops@hub.test --size 200000 \
    --cut-after 50000 > "$T/out" || true
grep -q '^cut ' "$T/out" || fail "client did not cut: $(cat "$T/out")"
wait_log 'session-close .*reason=disconnect-in-data' 10 "$from" ||
    fail "disconnect not seen"
wait_log 'message-aborted' 1 "$from" || fail "abort not logged"
[ "$(count_spool incoming)" = 0 ] || fail "half message visible in incoming"
[ "$(count_spool tmp)" = 0 ] || fail "half message left in tmp"
send --from poc@cert.test --to ops@hub.test > /dev/null ||
    fail "next message refused"
[ "$(count_spool incoming)" = 1 ] || fail "next message not stored"
ok "cut mid-DATA leaves nothing; the next message flows"
stop_hubd
