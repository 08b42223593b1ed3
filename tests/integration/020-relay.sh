#!/bin/sh
# The relay role against a test smarthost (tests/lib/sink.py): delivery of
# outgoing sets, each file once with its envelope; a smarthost down then
# up; permanent failures and an exceeded lifetime turned into DSNs in
# incoming/ addressed to the VERP sender; kill -9 mid-delivery re-sends at
# most the message each session had in flight (the relay removes a file as
# its 250 arrives, not when the session ends).  The relay runs alone (tests/lib/relay_run),
# fed by tests/lib/outgoing_put as a worker would feed it.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/relay.sh"
CONNS=2
RELAY_CONNS=$CONNS

# Message-IDs the sink received, one per message, sorted.
sink_ids() {
	for _f in "$SINK_DIR"/*.eml; do
		[ -e "$_f" ] || continue
		sed -n 's/^Message-ID: \(.*\)\r$/\1/p' "$_f"
	done | sort
}

# Sums of every outgoing file's message, sorted.
outgoing_sums() {
	find "$SPOOL/outgoing" -type f ! -name '*.*' | while read -r _f; do
		"$SPOOL_DUMP" "$_f" | sha256sum | cut -d' ' -f1
	done | sort
}

mkdir -p "$DATA"

# --- 1. everything delivered once, with its envelope, byte for byte -------
start_sink "$T/sink1"
relay_conf
"$PUT" -n 20 "$SPOOL" alice@a.test bob@b.test carol@c.test > /dev/null
"$PUT" -n 5 "$SPOOL" dave@d.test > /dev/null
[ "$(outgoing_files)" -eq 25 ] || fail "expected 25 outgoing files"
want_sums=$(outgoing_sums)
start_relay
wait_until 15 outgoing_empty || fail "outgoing/ not emptied"
[ "$(sink_count)" -eq 25 ] || fail "sink has $(sink_count) messages, not 25"
[ -z "$(sink_ids | uniq -d)" ] || fail "duplicates: $(sink_ids | uniq -d)"
got_sums=$(for f in "$SINK_DIR"/*.eml; do sha256sum < "$f" |
    cut -d' ' -f1; done | sort)
[ "$want_sums" = "$got_sums" ] || fail "delivered bodies differ from the spool"
for env in "$SINK_DIR"/*.env; do
	eml=${env%.env}.eml
	rcpt=$(sed -n 's/^rcpt //p' "$env")
	[ "$(grep -c '^rcpt ' "$env")" -eq 1 ] || fail "$env: not one rcpt"
	grep -q "^To: <$rcpt>" "$eml" || fail "$env: rcpt $rcpt is not To:"
	verp="ops-bounces+$(echo "$rcpt" | tr @ =)@hub.test"
	grep -qx "from $verp" "$env" || fail "$env: envelope sender not $verp"
done
n=$(grep -c "relay\[$RELAY_PID\]: delivered post=.* reply=250" "$LOG")
[ "$n" -eq 25 ] || fail "$n delivered lines, not 25"
grep -q 'PGP MESSAGE' "$LOG" && fail "a body reached the log"
stop_relay
stop_sink
ok "25 files in 2 sets delivered once each, bodies and envelopes intact"

# --- 2. smarthost down, then up: deferred, then delivered -----------------
start_sink "$T/sink2"
port=$SINK_PORT
stop_sink
relay_conf
"$PUT" -n 3 "$SPOOL" alice@a.test > /dev/null
from=$(log_lines)
start_relay
wait_log "relay\[$RELAY_PID\]: deferred .*rcpt=alice@a.test reply=0 retry-in=1" \
    10 "$from" || fail "no deferral while the smarthost is down"
[ "$(outgoing_files)" -eq 3 ] || fail "a file went missing while deferred"
start_sink "$T/sink2" --port "$port"
wait_until 15 outgoing_empty || fail "not delivered once the smarthost is up"
[ "$(sink_count)" -eq 3 ] || fail "sink has $(sink_count) messages, not 3"
stop_relay
stop_sink
ok "smarthost down: deferred with backoff; up again: delivered"

# --- 3. tempfail first, then accepted -------------------------------------
start_sink "$T/sink3" --mode tempfail-first 2
relay_conf
"$PUT" -n 2 "$SPOOL" bob@b.test > /dev/null
from=$(log_lines)
start_relay
wait_until 15 outgoing_empty || fail "not delivered after 4xx"
wait_log "relay\[$RELAY_PID\]: deferred .* reply=451 retry-in=1" 1 "$from" ||
    fail "no 451 deferral logged"
[ "$(sink_count)" -eq 2 ] || fail "sink has $(sink_count) messages, not 2"
stop_relay
stop_sink
ok "4xx: deferred, then delivered"

# check_dsn FILE RCPT STATUS DIAG: FILE is a DSN for RCPT's failure.
check_dsn() {
	"$SPOOL_DUMP" -e "$1" > "$T/dsn.env" || fail "DSN does not validate"
	grep -qx 'mail-from ' "$T/dsn.env" || fail "DSN sender is not <>"
	verp="ops-bounces+$(echo "$2" | tr @ =)@hub.test"
	grep -qx "rcpt $verp" "$T/dsn.env" || fail "DSN not to $verp"
	grep -qx "protocol local" "$T/dsn.env" || fail "DSN protocol not local"
	"$SPOOL_DUMP" "$1" | tr -d '\r' > "$T/dsn.txt"
	for want in 'Content-Type: multipart/report; report-type=delivery-status;' \
	    'Content-Type: message/delivery-status' \
	    'Reporting-MTA: dns; hub.test' \
	    "Final-Recipient: rfc822; $2" \
	    'Action: failed' \
	    "Status: $3" \
	    "Diagnostic-Code: smtp; $4" \
	    'Content-Type: text/rfc822-headers' \
	    "To: <$2>"; do
		grep -qF -- "$want" "$T/dsn.txt" ||
		    fail "DSN lacks \"$want\": $(cat "$T/dsn.txt")"
	done
	grep -q 'filler text' "$T/dsn.txt" && fail "DSN carries the body"
	:
}

# --- 4. 5xx: removed, DSN to the VERP address; null sender: only logged ---
start_sink "$T/sink4" --mode permfail
relay_conf
"$PUT" -n 1 "$SPOOL" carol@c.test > /dev/null
"$PUT" -n 1 -f '' "$SPOOL" notice@n.test > /dev/null
rm -f "$SPOOL"/incoming/*
from=$(log_lines)
start_relay
wait_until 15 outgoing_empty || fail "5xx files not removed"
[ "$(count_spool incoming)" -eq 1 ] ||
    fail "$(count_spool incoming) DSNs in incoming/, not 1"
check_dsn "$SPOOL"/incoming/* carol@c.test 5.1.1 '550 5.1.1 no such user here'
wait_log "relay\[$RELAY_PID\]: bounced .*rcpt=notice@n.test reply=550 .*dsn=none" \
    1 "$from" || fail "null-sender failure not logged"
[ "$(sink_count)" -eq 0 ] || fail "the sink stored a refused message"
stop_relay
stop_sink
ok "5xx: file removed, DSN in incoming/ to the VERP address"

# --- 5. lifetime exceeded under 4xx: the same ------------------------------
start_sink "$T/sink5" --mode tempfail
relay_conf "relay_lifetime = 60"
rm -f "$SPOOL"/incoming/*
"$PUT" -n 1 -a 120 "$SPOOL" erin@e.test > /dev/null
"$PUT" -n 1 "$SPOOL" fresh@f.test > /dev/null
from=$(log_lines)
start_relay
wait_log "relay\[$RELAY_PID\]: bounced .*rcpt=erin@e.test reply=451 .*expired=yes" \
    10 "$from" || fail "expired file not bounced"
[ "$(count_spool incoming)" -eq 1 ] || fail "no DSN for the expired file"
check_dsn "$SPOOL"/incoming/* erin@e.test 5.4.7 '451 4.3.0 try again later'
[ "$(outgoing_files)" -eq 1 ] || fail "the fresh file did not stay queued"
stop_relay
stop_sink
find "$SPOOL/outgoing" -mindepth 1 -delete
rm -f "$SPOOL"/incoming/*
ok "lifetime exceeded: file removed, DSN with 5.4.7"

# --- 6. kill -9 mid-delivery of 200: all delivered, few duplicates --------
start_sink "$T/sink6" --delay 0.01
relay_conf
for i in 1 2 3 4; do
	"$PUT" -n 50 -s 8000 "$SPOOL" r1@a.test r2@b.test r3@c.test > /dev/null
done
[ "$(outgoing_files)" -eq 200 ] || fail "expected 200 outgoing files"
all_ids=$(find "$SPOOL/outgoing" -type f | while read -r f; do
	"$SPOOL_DUMP" "$f" | sed -n 's/^Message-ID: \(.*\)\r$/\1/p'; done | sort)
start_relay
sink_has_some() { [ "$(sink_count)" -ge 30 ]; }
wait_until 15 sink_has_some || fail "delivery did not start"
kill -KILL "$RELAY_PID"
wait "$RELAY_PID" 2>/dev/null || true
RELAY_PID=
left=$(outgoing_files)
got=$(sink_count)
echo "killed with $got at the sink, $left files left"
[ "$left" -gt 0 ] || echo "note: all delivered before the kill"
start_relay
wait_until 25 outgoing_empty || fail "not all delivered after the restart"
[ "$(sink_ids | uniq)" = "$all_ids" ] || fail "a message was lost"
dups=$(sink_ids | uniq -d | wc -l | tr -d ' ')
echo "duplicates: $dups"
[ "$dups" -le "$CONNS" ] ||
    fail "$dups duplicates, more than one per session in flight"
stop_relay
stop_sink
ok "kill -9 mid-delivery: all 200 delivered, $dups duplicates"

# --- 7. AUTH: the password file must be private; then AUTH PLAIN works -----
start_sink "$T/sink7" --auth 'hub@relay.test:s3cret pass'
printf 's3cret pass\n' > "$T/smarthost.pw"
chmod 640 "$T/smarthost.pw"
relay_conf "smarthost_user = hub@relay.test" \
    "smarthost_password_file = $T/smarthost.pw"
from=$(log_lines)
rc=0
"$RELAY_RUN" "$CONF" 2>>"$LOG" || rc=$?
[ "$rc" -eq 1 ] || fail "relay ran with a group-readable password file"
wait_log "password-file path=$T/smarthost.pw error=\"not a regular file private to its owner" \
    1 "$from" || fail "no log line for the readable password file"
chmod 600 "$T/smarthost.pw"
"$PUT" -n 2 "$SPOOL" gina@g.test > /dev/null
start_relay
wait_until 15 outgoing_empty || fail "not delivered with AUTH"
[ "$(grep -l '^auth hub@relay.test$' "$SINK_DIR"/*.env | wc -l)" -eq 2 ] ||
    fail "messages not sent after AUTH"
grep -q 's3cret' "$LOG" && fail "the password reached the log"
stop_relay
stop_sink
ok "AUTH PLAIN with a private password file; a readable one refused"

# --- 8. the master's link: wake-up lines, then EOF -> clean exit ----------
start_sink "$T/sink8"
relay_conf
from=$(log_lines)
rc=0
{
	sleep 1
	"$PUT" -n 1 "$SPOOL" hal@h.test > "$T/post"
	echo "outgoing $(cat "$T/post")"
	sleep 2
} | "$RELAY_RUN" -0 "$CONF" 2>>"$LOG" || rc=$?
[ "$rc" -eq 0 ] || fail "relay exited with $rc when its link closed"
wait_log "relay\[[0-9]+\]: master-gone" 1 "$from" || fail "no master-gone line"
wait_log "relay\[[0-9]+\]: delivered .*rcpt=hal@h.test" 1 "$from" ||
    fail "not delivered before the link closed"
stop_sink
ok "link EOF: the relay exits 0"
