# Started as root with user = nobody, the smtp process runs as nobody and
# still stores mail; the master keeps root.
. "$top_srcdir/tests/lib/hubd.sh"

[ "$(id -u)" = 0 ] || skip "needs root"
id nobody > /dev/null 2>&1 || skip "no user nobody"
chmod 0755 "$T"
write_conf "user = nobody"
start_hubd
pid=$(smtp_pid)
uid=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$pid/status")
want=$(id -u nobody)
[ "$uid" = "$want$want$want$want" ] || fail "smtp process uids $uid"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$HUBD_PID/status")" = 0 ] ||
    fail "master not root"
send --from poc@cert.test --to ops@hub.test > /dev/null || fail "send"
f=$(ls "$SPOOL/incoming"/*)
[ "$(stat -c %U "$f")" = nobody ] || fail "spool file owner"
[ "$(stat -c %a "$f")" = 600 ] || fail "spool file mode"
stop_hubd
ok "smtp process runs as nobody; spool file 0600 nobody"
