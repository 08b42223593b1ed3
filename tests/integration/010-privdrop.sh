# Started as root with user = nobody alone (hub.conf from before
# network_user: it names the network processes' user), the smtp process
# runs as nobody and still stores mail; the master keeps root; spool/ is
# root's, so nobody can rename no queue (issue 14); 012-privsep tests the
# split with both users.
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
# group-readable (the hub group: root's here), nobody else
[ "$(stat -c %a "$f")" = 640 ] || fail "spool file mode $(stat -c %a "$f")"
[ "$(stat -c %U "$SPOOL")" = root ] || fail "spool/ owned by $(stat -c %U "$SPOOL")"
[ "$(stat -c %U "$SPOOL/outgoing")" = root ] || fail "outgoing/ owner"
if runuser -u nobody -- mv "$SPOOL/outgoing" "$SPOOL/o2" 2>/dev/null; then
	fail "nobody renamed outgoing/"
fi
stop_hubd
ok "smtp process runs as nobody; spool file 0640 nobody; spool/ root's"
