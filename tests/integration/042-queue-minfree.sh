#!/bin/sh
# While the spool's filesystem has less free space than queue_minfree,
# MAIL FROM gets 452 4.3.1 (the client keeps its message) and nothing is
# written; with the threshold met the same session's next MAIL works.
# Needs hub/smtp.c's mail_from callback (spool_space_ok); see hubd(8).
. "$top_srcdir/tests/lib/hubd.sh"

# more than any test machine has free: always under the threshold
write_conf "queue_minfree = 1000000G"
start_hubd
printf 'EHLO x\r\nMAIL FROM:<poc@cert.test>\r\nRCPT TO:<ops@hub.test>\r\nQUIT\r\n' |
    raw > "$T/out"
grep -q '^452 4\.3\.1 ' "$T/out" || fail "no 452 at MAIL FROM: $(cat "$T/out")"
grep -q '^503 ' "$T/out" || fail "RCPT after a refused MAIL: $(cat "$T/out")"
[ "$(count_spool incoming)" = 0 ] || fail "something was stored"
[ "$(count_spool tmp)" = 0 ] || fail "tmp not empty"
stop_hubd
ok "under queue_minfree: 452 4.3.1 at MAIL FROM, nothing stored"

write_conf "queue_minfree = 1K"
start_hubd
send --from poc@cert.test --to ops@hub.test > "$T/out" ||
    fail "refused above the threshold: $(cat "$T/out")"
[ "$(count_spool incoming)" = 1 ] || fail "not stored"
stop_hubd
ok "above queue_minfree: accepted"
