#!/bin/sh
# The relay's SMTP timeouts (hub.conf(5) relay_*_timeout) against a test
# smarthost (tests/lib/sink.py) that stalls: one whose SYNs go unanswered,
# one that accepts the connection and never greets, one that takes the
# message after DATA's 354 and never answers the final dot, and one that
# stops reading in the middle of a big message.  Each time, with the
# timeout at 1 s: one "relay-timeout ... phase=P after=Ns" line per
# attempt, the copy still in outgoing/ (a temporary failure, retried with
# backoff), nothing stored at the sink; once the smarthost behaves, the
# copy is delivered exactly once, byte for byte.  The relay runs alone
# (tests/lib/relay_run), fed by tests/lib/outgoing_put, as in 020-relay.sh.
. "$top_srcdir/tests/lib/hubd.sh"

. "$top_srcdir/tests/lib/relay.sh"
# Every wait is bounded, and generous: a loaded machine is slow, not wrong.
LIMIT=30
# one connection, so attempts are counted one by one
RELAY_CONNS=1

# Lines of this relay's log since line $from matching an extended regexp.
relay_count() {
	tail -n +$((from + 1)) "$LOG" | grep -Ec -- "relay\[$RELAY_PID\]: $1" ||
	    true
}

# stall_case NAME PHASE RCPT SIZE SINK_MODE... -- CONF_LINE...
#
# A copy to RCPT (body of about SIZE bytes) against a sink in SINK_MODE:
# the relay must log the timeout in PHASE, keep the copy, store nothing
# at the sink; then a well-behaved sink on the same port must get it
# exactly once and intact.
stall_case() {
	_name=$1 _phase=$2 _rcpt=$3 _size=$4
	shift 4
	_mode=
	while [ "$1" != -- ]; do
		_mode="$_mode $1"
		shift
	done
	shift
	# shellcheck disable=SC2086 # the mode words are separate arguments
	start_sink "$T/sink-$_name" $_mode
	_port=$SINK_PORT
	relay_conf "$@"
	_post=$("$PUT" -n 1 -s "$_size" "$SPOOL" "$_rcpt")
	[ "$(outgoing_files)" -eq 1 ] || fail "$_name: expected 1 outgoing file"
	_want=$(find "$SPOOL/outgoing" -type f -exec "$SPOOL_DUMP" {} \; |
	    sha256sum | cut -d' ' -f1)
	from=$(log_lines)
	start_relay
	_line="relay-timeout post=$_post file=[^ ]+ rcpt=$_rcpt phase=$_phase after=[0-9]+s"
	wait_log "relay\[$RELAY_PID\]: $_line" "$LIMIT" "$from" ||
	    fail "$_name: no relay-timeout line with phase=$_phase in ${LIMIT}s"
	wait_log "relay\[$RELAY_PID\]: deferred post=$_post .*rcpt=$_rcpt reply=0 retry-in=" \
	    "$LIMIT" "$from" || fail "$_name: the timeout was not deferred"
	_after=$(tail -n +$((from + 1)) "$LOG" |
	    sed -En "s/.*relay\[$RELAY_PID\]: relay-timeout .* after=([0-9]+)s.*/\1/p" |
	    head -n 1)
	[ "$_after" -ge 1 ] && [ "$_after" -lt "$LIMIT" ] ||
	    fail "$_name: waited ${_after}s for a 1 s timeout"
	[ "$(outgoing_files)" -eq 1 ] || fail "$_name: the copy left outgoing/"
	[ "$(sink_count)" -eq 0 ] ||
	    fail "$_name: the sink stored a message it never acknowledged"
	# The smarthost comes back to its senses on the same port.
	stop_sink
	start_sink "$T/sink-$_name-ok" --port "$_port"
	wait_until "$LIMIT" outgoing_empty ||
	    fail "$_name: not delivered once the smarthost answers"
	[ "$(sink_count)" -eq 1 ] ||
	    fail "$_name: the sink has $(sink_count) messages, not 1"
	_got=$(cat "$SINK_DIR"/*.eml | sha256sum | cut -d' ' -f1)
	[ "$_got" = "$_want" ] || fail "$_name: the delivered body differs"
	[ "$(relay_count "delivered post=$_post ")" -eq 1 ] ||
	    fail "$_name: not one delivered line"
	# Once per attempt: never more timeout lines than deferrals.
	_nt=$(relay_count "relay-timeout post=$_post ")
	_nd=$(relay_count "deferred post=$_post ")
	[ "$_nt" -ge 1 ] && [ "$_nt" -le "$_nd" ] ||
	    fail "$_name: $_nt relay-timeout lines for $_nd deferrals"
	# A timeout line names its phase and nothing of the mail.
	tail -n +$((from + 1)) "$LOG" | grep -q 'PGP MESSAGE' &&
	    fail "$_name: a body reached the log"
	stop_relay
	stop_sink
	echo "$_name: $_nt timeout(s), $_nd deferral(s), then delivered"
}

mkdir -p "$DATA"

# --- 1. accepts the connection, never greets -------------------------------
stall_case greeting greeting alice@a.test 2000 --mode silent -- \
    "relay_helo_timeout = 1"
ok "silent smarthost: relay-timeout phase=greeting, kept, then delivered once"

# --- 2. takes the message, never answers the final dot ---------------------
stall_case data-done data-done bob@b.test 2000 --mode stall-data -- \
    "relay_data_done_timeout = 1"
ok "no reply to the dot: relay-timeout phase=data-done, kept, then delivered once"

# --- 3. SYNs unanswered (a full accept queue on Linux) ---------------------
stall_case connect connect carol@c.test 2000 --mode no-accept -- \
    "relay_connect_timeout = 1"
ok "connect hangs: relay-timeout phase=connect, kept, then delivered once"

# --- 4. stops reading mid-message: no copy with a hole in it ---------------
# libESMTP drops a buffer it cannot write within the timeout and goes on;
# the relay must then withhold the final dot, or the smarthost would take
# a cut message.  The body is bigger than any send buffer the kernel
# would give the relay, so its writes block.
wmem=$(awk '{ print $3 }' /proc/sys/net/ipv4/tcp_wmem 2>/dev/null || true)
case $wmem in '' | *[!0-9]*) wmem=4194304 ;; esac
stall_case data-xfer data-xfer dave@d.test $((2 * wmem + 1048576)) \
    --mode stall-xfer 4 -- "relay_data_xfer_timeout = 1"
ok "transfer stalls: relay-timeout phase=data-xfer, no cut copy, then delivered once"
