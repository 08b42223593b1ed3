# Two ways a client can leave that must neither lose a reply nor wedge a
# session slot:
#  - half-close (shutdown SHUT_WR) right after the message: the client
#    still gets its 250 (with QUIT pipelined too: 250 and 221);
#  - a client that pipelines megabytes of commands and never reads: it is
#    dropped at the write timeout and its slot is free again.
. "$top_srcdir/tests/lib/hubd.sh"
command -v python3 > /dev/null || skip "needs python3"

write_conf "max_connections = 1" "timeout_command = 2s"
# A slow first fsync: the client's half-close arrives while its message
# is still being committed.
export HUB_FS_FAULT="smtp:fsync:1:delay"
start_hubd
unset HUB_FS_FAULT

# half_close PORT QUIT?: send one message (and QUIT), shut down our
# writing side, print every reply until the server closes.
half_close() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<ops@hub.test>\r\n"
          b"DATA\r\nSubject: half\r\n\r\nbody\r\n.\r\n" +
          (b"QUIT\r\n" if sys.argv[2] == "quit" else b""))
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
PY
}
half_close "$SMTP_PORT" noquit > "$T/half"
grep -q '^250 2.0.0 Ok: queued as' "$T/half" || fail "half-close lost the 250: $(cat "$T/half")"
half_close "$SMTP_PORT" quit > "$T/half2"
grep -q '^250 2.0.0 Ok: queued as' "$T/half2" || fail "half-close+QUIT lost the 250"
grep -q '^221 2.0.0' "$T/half2" || fail "half-close lost the 221"
[ "$(count_spool incoming)" = 2 ] || fail "messages not stored"
ok "half-closed client still gets 250 and 221"

python3 - "$SMTP_PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.setblocking(False)
junk = b"NOOP\r\n" * 100000
sent = 0
end = time.time() + 6
while time.time() < end:
    try:
        sent += s.send(junk[sent % len(junk):])
    except BlockingIOError:
        time.sleep(0.05)
    except OSError:
        break
PY
writer=$!
sleep 4.5
# The writer still holds its socket; the server must have dropped it.
printf 'EHLO c\r\nQUIT\r\n' | raw "$SMTP_PORT" 3 > "$T/next"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
grep -q '^221' "$T/next" || fail "slot still taken by a client that never reads: $(cat "$T/next")"
grep -q 'reason=write-timeout' "$LOG" || fail "write timeout not logged"
ok "a client that never reads is dropped at the write timeout"
stop_hubd
