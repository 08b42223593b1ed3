# Fail, then crash, each durable step of the smtp process's commit in
# turn (fault hook HUB_FS_FAULT): the client never gets 250 for a message
# that is not durable, and nothing half-written is ever visible.
. "$top_srcdir/tests/lib/hubd.sh"

for step in write fsync rename dirsync; do
	rm -rf "$DATA"
	write_conf
	export HUB_FS_FAULT="smtp:$step:1:fail"
	start_hubd
	unset HUB_FS_FAULT
	send --from poc@cert.test --to ops@hub.test > "$T/out" &&
	    fail "$step failure: client got 250"
	grep -q '451 4.3.0' "$T/out" || fail "$step failure: reply $(cat "$T/out")"
	[ "$(count_spool incoming)" = 0 ] || fail "$step failure: entry visible"
	[ "$(count_spool tmp)" = 0 ] || fail "$step failure: tmp not cleaned"
	send --from poc@cert.test --to ops@hub.test > /dev/null ||
	    fail "$step failure: next message refused"
	[ "$(count_spool incoming)" = 1 ] || fail "$step: next message missing"
	stop_hubd
	ok "$step fails: 451, nothing visible, next message stored"
done

for step in write fsync rename dirsync; do
	rm -rf "$DATA"
	write_conf
	export HUB_FS_FAULT="smtp:$step:1:crash"
	start_hubd
	unset HUB_FS_FAULT
	from=$(log_lines)
	send --from poc@cert.test --to ops@hub.test > "$T/out" &&
	    fail "$step crash: client got 250"
	grep -q '^ok' "$T/out" && fail "$step crash: acknowledged"
	wait_log 'child-died role=smtp .*status=exit:99' 10 "$from" ||
	    fail "$step crash: no crash seen"
	stop_hubd
	start_hubd	# without the fault: recovery
	[ "$(count_spool tmp)" = 0 ] || fail "$step crash: tmp not recovered"
	n=$(check_spool_valid incoming)
	# Before the rename nothing may be there; after it the message may
	# be (never acknowledged: the client will retry; a duplicate, never a
	# loss).
	case $step in
	write|fsync) [ "$n" = 0 ] || fail "$step crash: entry visible" ;;
	esac
	stop_hubd
	ok "$step crash: no 250, recovered spool valid ($n entries)"
done
