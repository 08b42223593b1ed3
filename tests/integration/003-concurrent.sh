# 20 concurrent clients x 50 messages: exactly 1000 spool entries, each
# byte-identical to what was sent.
. "$top_srcdir/tests/lib/hubd.sh"

write_conf
start_hubd
mkdir "$T/sent"
send --from poc@cert.test --to ops@hub.test --parallel 20 --count 50 \
    --size 3000 --pipelining --save "$T/sent" --quiet 2> "$T/summary" ||
    fail "some messages failed: $(cat "$T/summary")"
cat "$T/summary"
[ "$(ls "$T/sent" | wc -l)" = 1000 ] || fail "client did not save 1000"
[ "$(count_spool incoming)" = 1000 ] ||
    fail "expected 1000 entries, found $(count_spool incoming)"
[ "$(count_spool tmp)" = 0 ] || fail "tmp/ not empty"
for f in "$T/sent"/*; do sha256sum < "$f" | cut -d' ' -f1; done | sort > "$T/want"
spool_sums incoming > "$T/got"
cmp "$T/want" "$T/got" || fail "spool bodies differ from what was sent"
[ "$(grep -c 'message-accepted' "$LOG")" = 1000 ] || fail "log count"
ok "1000 messages from 20 clients, all byte-identical"
stop_hubd
