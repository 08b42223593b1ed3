# Sourced by tests/integration/02N-relay*.sh after tests/lib/hubd.sh: the
# relay alone (tests/lib/relay_run) against the test smarthost
# (tests/lib/sink.py), fed by tests/lib/outgoing_put as a worker would feed
# it.  Set RELAY_CONNS (default 2) before relay_conf for the connection
# count.
RELAY_RUN="$top_builddir/tests/lib/relay_run"
PUT="$top_builddir/tests/lib/outgoing_put"
SINK="$top_srcdir/tests/lib/sink.py"
RELAY_PID=
SINK_PID=
SINK_PORT=
SINK_DIR=

command -v python3 > /dev/null || skip "python3 not found"

t_cleanup() {
	rc=$?
	[ -z "$RELAY_PID" ] || kill -KILL "$RELAY_PID" 2>/dev/null || true
	[ -z "$SINK_PID" ] || kill -TERM "$SINK_PID" 2>/dev/null || true
	(exit "$rc")
	hub_cleanup
}
trap t_cleanup EXIT

# start_sink DIR [sink options...]
start_sink() {
	SINK_DIR=$1
	shift
	rm -f "$T/sink.port"
	python3 "$SINK" --port-file "$T/sink.port" --dir "$SINK_DIR" "$@" \
	    2>>"$T/sink.log" &
	SINK_PID=$!
	_i=0
	while [ ! -s "$T/sink.port" ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || fail "sink did not start"
		sleep 0.1
	done
	SINK_PORT=$(cat "$T/sink.port")
}

stop_sink() {
	kill -TERM "$SINK_PID"
	wait "$SINK_PID" || fail "sink exited with status $?"
	SINK_PID=
}

# relay_conf [extra key = value lines...]
relay_conf() {
	write_conf "smarthost = 127.0.0.1:$SINK_PORT" "relay_retry = 1" \
	    "relay_connections = ${RELAY_CONNS:-2}" "$@"
}

start_relay() {
	_from=$(log_lines)
	"$RELAY_RUN" "$CONF" 2>>"$LOG" &
	RELAY_PID=$!
	wait_log "relay\[$RELAY_PID\]: ready" 10 "$_from" ||
	    fail "relay did not become ready"
}

stop_relay() {
	kill -TERM "$RELAY_PID"
	_rc=0
	wait "$RELAY_PID" || _rc=$?
	RELAY_PID=
	[ "$_rc" -eq 0 ] || fail "relay exited with status $_rc"
}

outgoing_files() {
	# copies only: their names are ids; a copy's retry state beside it
	# (hub/copystate.h) is NAME.retry
	find "$SPOOL/outgoing" -type f ! -name '*.*' | wc -l | tr -d ' '
}

# wait_until SECONDS COMMAND...: poll until COMMAND succeeds.
wait_until() {
	_secs=$1
	shift
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ "$_i" -lt $((_secs * 10)) ] || return 1
		sleep 0.1
	done
}

outgoing_empty() {
	[ "$(outgoing_files)" -eq 0 ] &&
	    [ -z "$(find "$SPOOL/outgoing" -mindepth 1 -maxdepth 1)" ]
}

sink_count() {
	find "$SINK_DIR" -name '*.env' | wc -l | tr -d ' '
}
