#!/bin/sh
# Decompression bombs from a non-member through the real hubd: one
# decoded-size budget for the whole message (crypto/decrypt.h
# DECRYPT_BUDGET, checked while gpg streams) and a cap on the number of
# inline OpenPGP blocks end them as hostile-structure, the worker's peak
# memory stays under a stated bound, and a genuine post queued behind them
# is relayed.
#   A. 20 inline parts, each a few hundred octets of bzip2 inflating to
#      60 MB (1.2 GB in all; before the budget a worker reached 2.1 GB)
#   B. 100 such parts (beyond the block cap; crashed workers before)
#   C. one PGP/MIME payload inflating to 200 MB
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

# The bound the test holds the worker to (VmHWM, peak resident set).
# The budget is 64 MiB; the worker may hold a few copies of it while it
# splits and parses the cleartext.
RSS_BOUND_KB=$((640 * 1024))

COMMUNITY_CONF="workers = 1"
community_make 2 0
start_hubd
wpid=$(sed -n 's/.*spawned role=worker pid=\([0-9]*\).*/\1/p' "$LOG" |
    tail -n 1)
[ -n "$wpid" ] || fail "no worker pid in the log"

# bomb SIZE: an armored message encrypted to the list (unsigned, as a
# stranger would send it) whose bzip2 content inflates to SIZE octets
bomb() {
	head -c "$1" /dev/zero | gall --compress-algo bzip2 -z 9 \
	    -r "$LIST_FPR" --encrypt --armor
}
bomb 60000000 > "$T/b60.asc"
echo "bomb: $(wc -c < "$T/b60.asc") octets armored inflate to 60 MB"

# inline_bomb N: a mail with N text parts, each the 60 MB bomb
inline_bomb() {
	outer_headers stranger "bomb" "multipart/mixed; boundary=\"M$PB\""
	_k=0
	while [ "$_k" -lt "$1" ]; do
		printf -- '--M%s\nContent-Type: text/plain\n\n' "$PB"
		cat "$T/b60.asc"
		_k=$((_k + 1))
	done
	printf -- '--M%s--\n' "$PB"
}

# send_bomb CASE FILE: the verdict must be hostile-structure.
send_bomb() {
	_from=$(log_lines)
	post_send "$2" "$(c_addr stranger)"
	_line=$(post_result "$_from" 120)
	case $_line in
	*"rejected post="*"reason=hostile-structure"*) ;;
	*) fail "$1: want hostile-structure, got: $_line" ;;
	esac
	ok "$1: hostile-structure ($(wc -c < "$2") octets)"
}

inline_bomb 20 > "$T/a.eml"
send_bomb "A. 20 inline parts x 60 MB" "$T/a.eml"
inline_bomb 100 > "$T/b.eml"
send_bomb "B. 100 inline parts x 60 MB" "$T/b.eml"
bomb 200000000 | wrap_encrypted stranger > "$T/c.eml"
send_bomb "C. one PGP/MIME payload of 200 MB" "$T/c.eml"
rm -f "$T/a.eml" "$T/b.eml" "$T/c.eml" "$T/b60.asc"

# the same worker process took all three and is still alive
grep -q "child-died role=worker" "$LOG" && fail "a worker died"
kill -0 "$wpid" 2>/dev/null || fail "the worker $wpid is gone"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$wpid/status")
[ -n "$hwm" ] || fail "no VmHWM for worker $wpid"
echo "worker peak RSS after the bombs: $((hwm / 1024)) MB (bound $((RSS_BOUND_KB / 1024)) MB)"
[ "$hwm" -le "$RSS_BOUND_KB" ] ||
    fail "worker peak RSS $((hwm / 1024)) MB over the bound"
ok "worker peak RSS $((hwm / 1024)) MB <= $((RSS_BOUND_KB / 1024)) MB"

# a genuine post behind the bombs goes through (after the admins'
# three notices of the refusals are in)
sink_wait 3 60 || fail "the admins' notices of the bombs"
printf 'TLP:GREEN\n\nA genuine post after the bombs.\n' > "$T/body.txt"
post_compose 1 "genuine" "$T/body.txt" > "$T/g.eml"
before=$(sink_count)
from=$(log_lines)
post_send "$T/g.eml"
r=$(post_result "$from" 60)
case $r in *"accepted post="*) ;; *) fail "genuine post: $r" ;; esac
sink_wait $((before + 2)) 60 || fail "genuine post not relayed"
stop_hubd
ok "a genuine post behind the bombs is relayed"
