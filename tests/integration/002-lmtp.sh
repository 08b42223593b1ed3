# LMTP over TCP and a unix socket: LHLO, one reply per recipient after
# DATA, envelope marked lmtp.
. "$top_srcdir/tests/lib/hubd.sh"

sock="$T/lmtp.sock"
write_conf "list = alerts" "listen = lmtp:unix:$sock"
start_hubd
[ -n "$LMTP_PORT" ] || fail "no lmtp port"
[ -S "$sock" ] || fail "no unix socket at $sock"

printf 'LHLO mta.test\r\nMAIL FROM:<poc@cert.test>\r\nRCPT TO:<ops@hub.test>\r\nRCPT TO:<nobody@hub.test>\r\nRCPT TO:<alerts@hub.test>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n..dot\r\n.\r\nQUIT\r\n' |
    raw "$LMTP_PORT" > "$T/replies"
grep -q '^220 .* LMTP' "$T/replies" || fail "no LMTP greeting"
grep -q '^550 5.1.1 <nobody@hub.test>' "$T/replies" || fail "unknown rcpt"
[ "$(grep -c '^250 2.1.5 <[a-z]*@hub.test> Ok: queued as' "$T/replies")" = 2 ] ||
    fail "expected one 250 per accepted recipient: $(cat "$T/replies")"
grep -q '^250 2.1.5 <ops@hub.test>' "$T/replies" || fail "ops reply"
grep -q '^250 2.1.5 <alerts@hub.test>' "$T/replies" || fail "alerts reply"
f=$(ls "$SPOOL/incoming"/*)
"$SPOOL_DUMP" -e "$f" > "$T/env"
grep -qx "protocol lmtp" "$T/env" || fail "protocol not lmtp"
[ "$(grep -c '^rcpt ' "$T/env")" = 2 ] || fail "two recipients expected"
printf 'Subject: x\r\n\r\nbody\r\n.dot\r\n' > "$T/expect"
"$SPOOL_DUMP" "$f" | cmp - "$T/expect" || fail "dot-unstuffing"
ok "LMTP over TCP: per-recipient replies, dot-unstuffed body"

printf 'EHLO mta.test\r\nQUIT\r\n' | raw "$LMTP_PORT" > "$T/r2"
grep -q '^500 5.5.1' "$T/r2" || fail "EHLO accepted on LMTP"

"$SMTPC" --unix "$sock" --lmtp --from poc@cert.test --to ops@hub.test \
    --to alerts@hub.test > "$T/out" || fail "LMTP over unix: $(cat "$T/out")"
[ "$(count_spool incoming)" = 2 ] || fail "unix LMTP message not stored"
ok "LMTP over a unix socket"

stop_hubd
[ ! -e "$sock" ] || fail "unix socket left behind"
