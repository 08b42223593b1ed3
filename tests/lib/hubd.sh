# Sourced by tests/integration/*.sh: run the real hubd on 127.0.0.1 with a
# throwaway data dir, and small helpers to talk to it and inspect the spool.
#
# Everything lives under one short mktemp -d directory ($T); it is removed
# when the test passes and kept (its path printed) when it fails.
set -eu

: "${top_builddir:?run through make check, or export top_builddir}"
: "${top_srcdir:?run through make check, or export top_srcdir}"

HUBD="$top_builddir/hubd"
SMTPC="$top_builddir/tests/lib/smtpc"
SPOOL_DUMP="$top_builddir/tests/lib/spool_dump"
T=$(mktemp -d /tmp/hubt.XXXXXX)
DATA="$T/data"
SPOOL="$DATA/spool"
CONF="$T/hub.conf"
LOG="$T/hubd.log"
HUBD_PID=
SMTP_PORT=
LMTP_PORT=
: > "$LOG"

hub_cleanup() {
	rc=$?
	if [ -n "$HUBD_PID" ] && kill -0 "$HUBD_PID" 2>/dev/null; then
		kill -TERM "$HUBD_PID" 2>/dev/null || true
		wait "$HUBD_PID" 2>/dev/null || true
	fi
	# A sanitizer report from any hubd process fails the test, even if
	# the process was restarted and the test's checks passed.
	if [ "$rc" -eq 0 ] && grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$LOG" 2>/dev/null; then
		echo "FAIL: sanitizer report in the hubd log" >&2
		grep -E -A 30 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		    "$LOG" | head -n 60 >&2
		rc=1
	fi
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$T"
	else
		echo "--- hubd log ($LOG) ---"
		tail -n 60 "$LOG" || true
		echo "--- kept $T for inspection ---"
	fi
	exit "$rc"
}
trap hub_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok: $*"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# write_conf [extra "key = value" lines...]
write_conf() {
	{
		echo "# written by $0"
		echo "data_dir = $DATA"
		echo "domain = hub.test"
		echo "listen = smtp:127.0.0.1:0"
		echo "listen = lmtp:127.0.0.1:0"
		echo "list = ops"
		for line in "$@"; do
			echo "$line"
		done
	} > "$CONF"
}

# wait_log PATTERN [SECONDS] [FROM_LINE]: wait for an extended regexp in
# the log, looking only at lines after FROM_LINE.
wait_log() {
	_pat=$1 _secs=${2:-10} _from=${3:-0}
	_i=0
	while [ "$_i" -lt $((_secs * 10)) ]; do
		if tail -n +$((_from + 1)) "$LOG" | grep -Eq -- "$_pat"; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

log_lines() {
	wc -l < "$LOG" | tr -d ' '
}

# start_hubd [hubd options...]: start in the foreground mode, wait until
# ready, read the ephemeral ports it bound.
start_hubd() {
	_from=$(log_lines)
	"$HUBD" -f -c "$CONF" "$@" 2>>"$LOG" &
	HUBD_PID=$!
	wait_log "master\[$HUBD_PID\]: ready" 10 "$_from" ||
	    fail "hubd did not become ready"
	wait_log "smtp\[[0-9]+\]: ready" 10 "$_from" ||
	    fail "smtp process did not become ready"
	SMTP_PORT=$(tail -n +$((_from + 1)) "$LOG" |
	    sed -n 's/.*listening proto=smtp addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' |
	    tail -n 1)
	LMTP_PORT=$(tail -n +$((_from + 1)) "$LOG" |
	    sed -n 's/.*listening proto=lmtp addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' |
	    tail -n 1)
	[ -n "$SMTP_PORT" ] || fail "no smtp port in the log"
}

# stop_hubd: SIGTERM, wait, and insist on a clean exit.
stop_hubd() {
	kill -TERM "$HUBD_PID"
	_rc=0
	wait "$HUBD_PID" || _rc=$?
	HUBD_PID=
	[ "$_rc" -eq 0 ] || fail "hubd exited with status $_rc"
}

# The pid of the current smtp process (the last one spawned).
smtp_pid() {
	sed -n 's/.*spawned role=smtp pid=\([0-9]*\).*/\1/p' "$LOG" | tail -n 1
}

# count_spool QUEUE: number of entries in spool/QUEUE.
count_spool() {
	find "$SPOOL/$1" -mindepth 1 -maxdepth 1 | wc -l | tr -d ' '
}

# send ARGS...: smtpc to our SMTP port.
send() {
	"$SMTPC" --host 127.0.0.1 --port "$SMTP_PORT" "$@"
}

# raw: a hand-written protocol script on stdin, replies on stdout.
raw() {
	"$SMTPC" --host 127.0.0.1 --port "${1:-$SMTP_PORT}" --raw --timeout "${2:-5}"
}

# Check that every spool entry in QUEUE validates; print their count.
check_spool_valid() {
	_n=0
	for _f in "$SPOOL/$1"/*; do
		[ -e "$_f" ] || continue
		"$SPOOL_DUMP" -e "$_f" > /dev/null ||
		    fail "spool file $_f does not validate"
		_n=$((_n + 1))
	done
	echo "$_n"
}

# spool_sums QUEUE: sha256 of every message body in QUEUE, sorted.
spool_sums() {
	for _f in "$SPOOL/$1"/*; do
		[ -e "$_f" ] || continue
		"$SPOOL_DUMP" "$_f" | sha256sum | cut -d' ' -f1
	done | sort
}
