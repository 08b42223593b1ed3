# One message over SMTP lands in spool/incoming byte for byte, with its
# envelope; the refusals a client meets on the way are the documented ones.
. "$top_srcdir/tests/lib/hubd.sh"

write_conf "list = alerts"
start_hubd

mkdir "$T/sent"
send --helo client.test --from poc@cert.test --to ops@hub.test \
    --to alerts-owner@hub.test --save "$T/sent" > "$T/out" ||
    fail "send failed: $(cat "$T/out")"
grep -q '^ok .* 250 2.0.0 Ok: queued as [0-9a-f]\{16\}-[0-9a-f]\{12\}' "$T/out" ||
    fail "no queue id in the 250 reply: $(cat "$T/out")"
[ "$(count_spool incoming)" = 1 ] || fail "expected 1 entry in incoming"
[ "$(count_spool tmp)" = 0 ] || fail "tmp/ not empty"
f=$(ls "$SPOOL/incoming"/*)
id=$(basename "$f")
grep -q "Ok: queued as $id" "$T/out" || fail "reply id differs from file name"
"$SPOOL_DUMP" "$f" > "$T/body"
cmp "$T/body" "$T/sent"/*.eml || fail "spool body differs from what was sent"
"$SPOOL_DUMP" -e "$f" > "$T/env"
grep -qx "protocol smtp" "$T/env" || fail "protocol"
grep -qx "mail-from poc@cert.test" "$T/env" || fail "mail-from"
grep -qx "rcpt ops@hub.test" "$T/env" || fail "rcpt 1"
grep -qx "rcpt alerts-owner@hub.test" "$T/env" || fail "rcpt 2"
grep -qx "helo client.test" "$T/env" || fail "helo"
grep -q "^client 127.0.0.1:[0-9]*$" "$T/env" || fail "client"
ok "message stored byte-identical with its envelope"

printf 'EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<nobody@hub.test>\r\nRCPT TO:<ops@elsewhere.test>\r\nRCPT TO:<postmaster>\r\nVRFY ops\r\nEXPN ops\r\nHELP\r\nNOOP\r\nRSET\r\nDATA\r\nQUIT\r\n' |
    raw > "$T/replies"
grep -q '^220 ' "$T/replies" || fail "no greeting"
grep -q '^250-PIPELINING' "$T/replies" || fail "no PIPELINING"
grep -q '^250-SIZE [0-9]' "$T/replies" || fail "no SIZE"
grep -q '^250-8BITMIME' "$T/replies" || fail "no 8BITMIME"
grep -q '^250.ENHANCEDSTATUSCODES' "$T/replies" || fail "no ENHANCEDSTATUSCODES"
grep -q '^550 5.1.1 <nobody@hub.test>: no such list here' "$T/replies" ||
    fail "unknown list not refused"
grep -q '^550 5.1.1 <ops@elsewhere.test>' "$T/replies" ||
    fail "foreign domain not refused"
[ "$(grep -c '^250 2.1.5' "$T/replies")" = 1 ] || fail "postmaster not accepted"
[ "$(grep -c '^502 5.5.1' "$T/replies")" = 2 ] || fail "VRFY/EXPN not refused"
grep -q '^214' "$T/replies" || fail "no HELP reply"
grep -q '^503 5.5.1' "$T/replies" || fail "DATA after RSET not refused"
grep -q '^221 2.0.0' "$T/replies" || fail "no QUIT reply"
grep -q 'rcpt-refused session=[0-9a-f]* rcpt=<nobody@hub.test> reason=not-served' "$LOG" ||
    fail "refused recipient not logged"
ok "refusals: unknown list, foreign domain, VRFY/EXPN, bad sequence"

# Garbage and binary junk get errors, never a crash; the server goes on.
head -c 4000 /dev/urandom > "$T/junk"
raw < "$T/junk" > /dev/null || true
printf '\000\001\002\r\nEHLO\r\n\r\nMAIL\r\nMAIL FROM:<<>>\r\nRCPT TO:<ops@hub.test>\r\nQUIT\r\n' |
    raw > "$T/replies2"
grep -q '^221' "$T/replies2" || fail "session after junk did not end cleanly"
send --from poc@cert.test --to ops@hub.test > /dev/null ||
    fail "server no longer accepts mail after junk"
kill -0 "$HUBD_PID" || fail "master died"
[ "$(grep -c 'spawned role=smtp' "$LOG")" = 1 ] || fail "smtp process restarted"
ok "junk input answered, nothing crashed"

stop_hubd
grep -q 'master\[[0-9]*\]: exit' "$LOG" || fail "no clean exit"
