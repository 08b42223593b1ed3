#!/bin/sh
# The wall clock steps back an hour while copies wait for the smarthost
# (issue 18): hubd runs under libfaketime (Debian package faketime), its
# offset read from a file at every clock call, so the test moves the
# clock of every hubd process at once, as ntpdate or an admin would.
# The smarthost refuses (451) until the step, then accepts: each copy
# must be delivered within its retry interval (the relay schedules on
# CLOCK_MONOTONIC, which a step does not move; libfaketime is told to
# leave that clock alone, as the kernel does), not an hour later.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

FT_LIB=
for _f in /usr/lib/*/faketime/libfaketimeMT.so.1 \
    /usr/lib/faketime/libfaketimeMT.so.1 \
    /usr/local/lib/faketime/libfaketimeMT.so.1; do
	if [ -f "$_f" ]; then
		FT_LIB=$_f
		break
	fi
done
[ -n "$FT_LIB" ] ||
    skip "libfaketime not installed (Debian package faketime)"

N=3
RETRY=3		# relay_retry: the first wait; it doubles per failure
FT_FILE="$T/faketime"
echo "+0" > "$FT_FILE"

# ft_run CMD...: CMD under the same libfaketime as hubd
ft_run() {
	LD_PRELOAD=$FT_LIB FAKETIME_TIMESTAMP_FILE=$FT_FILE FAKETIME_NO_CACHE=1 \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
}
# libfaketime must work here at all: a probe sees the offset
echo "-1d" > "$FT_FILE"
probe=$(ft_run date +%s) || skip "libfaketime does not load: $FT_LIB"
[ $(( $(date +%s) - probe )) -ge 86000 ] ||
    skip "libfaketime does not move the clock here"
echo "+0" > "$FT_FILE"

# hubd itself through a wrapper: exec keeps the pid start_hubd waits on,
# and every child hubd forks inherits the preload.  An ASan build wants
# its runtime first among the libraries: libfaketime comes before it.
cat > "$T/hubd-ft" <<EOF
#!/bin/sh
ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
LD_PRELOAD='$FT_LIB' FAKETIME_TIMESTAMP_FILE='$FT_FILE' FAKETIME_NO_CACHE=1 \\
    FAKETIME_DONT_FAKE_MONOTONIC=1 exec '$HUBD' "\$@"
EOF
chmod +x "$T/hubd-ft"

start_sink tempfail
COMMUNITY_CONF="relay_retry = $RETRY"
community_make "$N" 0
HUBD="$T/hubd-ft"
start_hubd
wait_log "keycheck lists=" 30 || fail "no key check"
# every hubd process runs under libfaketime
for _p in "$HUBD_PID" $(sed -n 's/.*spawned role=[a-z]* pid=\([0-9]*\).*/\1/p' "$LOG"); do
	grep -q faketime "/proc/$_p/maps" ||
	    fail "pid $_p runs without libfaketime: $(ps -o pid,args -p "$_p")"
done

printf 'TLP:GREEN\nThe clock will step.\n' > "$T/body.txt"
post_compose 1 "clock step" "$T/body.txt" > "$T/p.eml"
from=$(log_lines)
post_send "$T/p.eml"
# each copy refused at least once
i=0
while [ "$(tail -n +$((from + 1)) "$LOG" |
    grep -c 'relay\[[0-9]*\]: deferred post=.* reply=451' || true)" -lt "$N" ]; do
	i=$((i + 1))
	[ "$i" -lt 600 ] || fail "copies not deferred by the smarthost: $(tail -n 20 "$LOG")"
	sleep 0.1
done
[ "$(sink_count)" -eq 0 ] || fail "the tempfail sink stored a message"

# The step: an hour back for every hubd process, at once.
echo "-1h" > "$FT_FILE.new" && mv "$FT_FILE.new" "$FT_FILE"
skew=$(( $(date +%s) - $(ft_run date +%s) ))
[ "$skew" -ge 3590 ] || fail "the clock did not step back: skew ${skew}s"

# The smarthost comes back on the same port.
stop_sink
rm -f "$T/sink.port"
python3 "$top_srcdir/tests/lib/sink.py" --port-file "$T/sink.port" \
    --dir "$SINK_DIR" --mode ok --port "$SINK_PORT" 2>>"$T/sink.log" &
SINK_PID=$!
i=0
until [ -s "$T/sink.port" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "the sink did not come back: $(tail -n 5 "$T/sink.log")"
	sleep 0.1
done
back=$(date +%s)

# The longest wait the relay has scheduled so far bounds the delivery;
# 20 s more for a loaded machine.  Before CLOCK_MONOTONIC: an hour.
wait_max=$(tail -n +$((from + 1)) "$LOG" |
    sed -n 's/.*relay\[[0-9]*\]: deferred .*retry-in=\([0-9]*\).*/\1/p' |
    sort -n | tail -n 1)
bound=$((wait_max * 2 + 20))
sink_wait "$N" "$bound" ||
    fail "$(sink_count) of $N copies within ${bound}s of the smarthost's return (longest retry-in ${wait_max}s)"
took=$(( $(date +%s) - back ))
sleep 1
[ "$(sink_count)" -eq "$N" ] || fail "$(sink_count) copies for $N members"
i=1
while [ "$i" -le "$N" ]; do
	c=$(sink_by_rcpt "$(c_addr "$i")" | wc -l | tr -d ' ')
	[ "$c" -eq 1 ] || fail "member $i got $c copies"
	i=$((i + 1))
done
grep -Eq 'child-died|fatal' "$LOG" && fail "a child died: $(grep -E 'child-died|fatal' "$LOG")"
ok "clock stepped back 1h: $N copies delivered ${took}s after the smarthost returned (longest retry-in ${wait_max}s)"

# The clock steps forward again (NTP correcting it): still nothing
# expires or is sent twice.
echo "+0" > "$FT_FILE.new" && mv "$FT_FILE.new" "$FT_FILE"
stop_hubd
[ "$(sink_count)" -eq "$N" ] || fail "$(sink_count) copies after the stop"
ok "hubd stopped cleanly under libfaketime"
