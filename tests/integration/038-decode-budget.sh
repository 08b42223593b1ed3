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
#   D. a payload inflating to 60 MB of bare MIME delimiters ("--b"), which
#      libetpan would make twelve million parts of (workers crashed at
#      the address-space limit before the delimiters were counted)
#   E. a PGP/MIME payload naming 2000 recipients (each a secret-key try
#      in gpg-agent) and a detached signature of 500 signature packets
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

# The bound the test holds the worker to (VmHWM, peak resident set).
# The budget is 64 MiB; the worker may hold a few copies of it while it
# splits and parses the cleartext (seen: 135 MB).  AddressSanitizer keeps
# freed memory in quarantine and adds shadow memory (seen: 400 MB).
RSS_BOUND_KB=$((256 * 1024))
if ldd "$HUBD" 2>/dev/null | grep -q libasan; then
	RSS_BOUND_KB=$((640 * 1024))
fi

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
python3 -c 'import sys
sys.stdout.write("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
sys.stdout.write("--b\n\n" * 12000000)' |
    gall --compress-algo bzip2 -z 9 -r "$LIST_FPR" --encrypt --armor |
    wrap_encrypted stranger > "$T/d.eml"
send_bomb "D. 60 MB of bare MIME delimiters" "$T/d.eml"
# E: 2000 copies of the PKESK packet in front of the encrypted data
# (framing only: the packets are gpg's own, repeated)
printf 'x\n' | gall -r "$LIST_FPR" --encrypt > "$T/one.pgp"
python3 - "$T/one.pgp" <<'EOF2' | gall --enarmor 2>/dev/null |
import sys
d = open(sys.argv[1], "rb").read()
# the first packet is the PKESK (new or old format header)
b = d[0]
if b & 0x40:
    l0 = d[1]
    hl, n = (2, l0) if l0 < 192 else (3, ((l0 - 192) << 8) + d[2] + 192)
else:
    lt = b & 3
    hl = 1 + (1, 2, 4)[lt]
    n = int.from_bytes(d[1:hl], "big")
pk = d[:hl + n]
sys.stdout.buffer.write(pk * 2000 + d[hl + n:])
EOF2
    sed 's/ARMORED FILE/MESSAGE/; /^Comment:/d' | wrap_encrypted stranger > "$T/e.eml"
send_bomb "E. 2000 session key packets" "$T/e.eml"
# and a multipart/signed whose signature part repeats one signature
# packet 500 times (gpg's verification is quadratic in them)
printf 'Content-Type: text/plain\r\n\r\nsigned text\r\n' > "$T/ent"
gall -u "$(c_fpr stranger)" --detach-sign < "$T/ent" > "$T/one.sig"
{
	outer_headers stranger "sig bomb" \
	    "multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"S$PB\""
	printf -- '--S%s\r\n' "$PB"
	cat "$T/ent"
	printf -- '\r\n--S%s\r\nContent-Type: application/pgp-signature\r\n\r\n' "$PB"
	python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1], "rb").read() * 500)' \
	    "$T/one.sig" | gall --enarmor 2>/dev/null |
	    sed 's/ARMORED FILE/SIGNATURE/; /^Comment:/d'
	printf -- '\r\n--S%s--\r\n' "$PB"
} > "$T/f.eml"
send_bomb "E. 500 signature packets in one detached signature" "$T/f.eml"
rm -f "$T/a.eml" "$T/b.eml" "$T/c.eml" "$T/d.eml" "$T/e.eml" "$T/f.eml" \
    "$T/one.pgp" "$T/one.sig" "$T/ent" \
    "$T/b60.asc"

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
# six notices of the refusals are in)
sink_wait 6 60 || fail "the admins' notices of the bombs"
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
