#!/bin/sh
# hubd behind and in front of a real Postfix, as csirt-hub-postfix(7) sets
# it up: a private Postfix instance (its own main.cf, master.cf, queue and
# data directories under the test's temp dir, unprivileged ports on
# 127.0.0.1) receives the list domain on its "port 25" and hands it to
# hubd over LMTP on a unix socket; hubd's smarthost is Postfix's second
# smtpd on a loopback port; Postfix delivers the members' copies to the
# test's sink (tests/lib/sink.py) behind it.
#   - Postfix refuses an address hubd does not serve at RCPT, from the
#     map hubctl writes (DATA_DIR/postfix-recipients), and accepts a new
#     list once hubctl list create has rewritten it and Postfix reloads;
#   - a post submitted to Postfix reaches every member as its own copy,
#     decrypted by that member's key alone;
#   - a copy Postfix cannot deliver bounces (Postfix's own DSN) back
#     through LMTP to ops-bounces+TAG, and so does a remote MTA's DSN
#     sent to Postfix's port 25; hubd records both;
#   - Postfix down: hubd's relay defers; Postfix back: delivered.
# Postfix runs its daemons as root and the mail_owner "postfix": the test
# needs root (CI runs as root) and the Debian postfix package
# (tools/deps.sh); it skips otherwise.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"

[ "$(id -u)" = 0 ] || skip "a private Postfix instance needs root"
PF_BIN=$(command -v postfix 2>/dev/null || echo /usr/sbin/postfix)
[ -x "$PF_BIN" ] || skip "postfix is not installed (apt-get install postfix)"
id postfix >/dev/null 2>&1 || skip "no postfix user"
getent group postdrop >/dev/null 2>&1 || skip "no postdrop group"

. "$top_srcdir/tests/lib/community.sh"

PF="$T/pf"
PF_UP=
# Postfix first (by its own command, on its own config), then the sink,
# the keyrings' agents and hubd.
pf_cleanup() {
	_rc=$?
	set +e
	if [ -n "$PF_UP" ]; then
		"$PF_BIN" -c "$PF/etc" stop >/dev/null 2>&1
		PF_UP=
	fi
	if [ "$_rc" -ne 0 ] && [ "$_rc" -ne 77 ] && [ -f "$PF/maillog" ]; then
		echo "--- postfix log ($PF/maillog) ---"
		tail -n 40 "$PF/maillog"
	fi
	(exit "$_rc")
	community_cleanup
}
trap pf_cleanup EXIT

# free_port: a port nobody listens on now (the kernel's choice).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pf_start() {
	_from=$(wc -l < "$PF/maillog" 2>/dev/null || echo 0)
	"$PF_BIN" -c "$PF/etc" start > "$T/pf.out" 2>&1 ||
	    fail "postfix start: $(cat "$T/pf.out")"
	PF_UP=1
	# ready once both smtpd ports answer
	for _p in "$PF_MX" "$PF_IN"; do
		_i=0
		until printf 'QUIT\r\n' | raw "$_p" 2 2>/dev/null | grep -q '^220'; do
			[ "$_i" -lt 100 ] || fail "postfix port $_p does not answer"
			sleep 0.1
			_i=$((_i + 1))
		done
	done
}

pf_stop() {
	"$PF_BIN" -c "$PF/etc" stop > "$T/pf.out" 2>&1 ||
	    fail "postfix stop: $(cat "$T/pf.out")"
	PF_UP=
	_i=0
	while printf 'QUIT\r\n' | raw "$PF_IN" 1 2>/dev/null | grep -q '^220'; do
		[ "$_i" -lt 100 ] || fail "postfix still answers after stop"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# rcpt_reply ADDR: Postfix's reply to RCPT TO:<ADDR> on its port 25.
rcpt_reply() {
	printf 'EHLO client.test\r\nMAIL FROM:<someone@remote.test>\r\nRCPT TO:<%s>\r\nQUIT\r\n' "$1" |
	    raw "$PF_MX" 10 | grep -E '^[245][0-9][0-9] ' | sed -n 4p
}

# pf_send FILE FROM TO: submit to Postfix's port 25; fails unless 250.
pf_send() {
	"$SMTPC" --host 127.0.0.1 --port "$PF_MX" --from "$2" --to "$3" \
	    --file "$1" > "$T/send.out" ||
	    fail "Postfix did not accept $1 for $3: $(cat "$T/send.out")"
}

# --- the hub: members 1-3 delivered through Postfix, 4 refused there --------
N=4
COMMUNITY_CONF="listen = lmtp:unix:$T/lmtp.sock
relay_retry = 1"
community_make "$N" 0
PF_MX=$(free_port)
PF_IN=$(free_port)
[ "$PF_MX" != "$PF_IN" ] || PF_IN=$(free_port)
# hubd's smarthost: Postfix's second smtpd, not the sink
sed -i "s/^smarthost = .*/smarthost = 127.0.0.1:$PF_IN/" "$CONF"

MAP="$DATA/postfix-recipients"
[ -f "$MAP" ] || fail "hubctl list create wrote no $MAP"
for a in ops ops-request ops-owner ops-sendkey ops-bounces postmaster; do
	grep -qx "$a@hub.test OK" "$MAP" || fail "$MAP lacks $a@hub.test"
done
[ "$(stat -c %a "$MAP")" = 644 ] || fail "$MAP mode $(stat -c %a "$MAP")"
ok "hubctl wrote the Postfix recipient map with every list address"

# --- the private Postfix instance ---------------------------------------------
# The postfix user must reach the queue (its daemons chdir there) and
# hubd's socket.
chmod 711 "$T"
# the queue directory is root's; postfix check makes its subdirectories
mkdir -p "$PF/etc" "$PF/spool"
cat > "$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
# Postfix writes a log file only under these (default /var, /dev/stdout)
maillog_file_prefixes = $PF
myhostname = postfix.hub-test.invalid
mydomain = hub-test.invalid
myorigin = \$myhostname
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
biff = no
# as csirt-hub-postfix(7): the list domain is relayed to hubd over LMTP,
# only the addresses hubctl lists are accepted
relay_domains = hub.test
relay_recipient_maps = texthash:$MAP
recipient_delimiter = +
transport_maps = texthash:$PF/etc/transport
# every other domain: the test's sink, as if it were the Internet
relayhost = [127.0.0.1]:$SINK_PORT
smtp_tls_security_level = none
smtpd_tls_security_level = none
# a test: retry the deferred mail within seconds, no DNS
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
disable_dns_lookups = yes
smtp_host_lookup = native
EOF
# hub.test to hubd; the admin's mail (at the hub's domain, but not a
# list's address) to the sink; member 4's domain refuses every copy
cat > "$PF/etc/transport" <<EOF
admin@hub.test	smtp:[127.0.0.1]:$SINK_PORT
hub.test	lmtp:unix:$T/lmtp.sock
t04.test	error:5.1.1 mailbox unknown
EOF
cat > "$PF/etc/master.cf" <<EOF
127.0.0.1:$PF_MX inet n - n - - smtpd
127.0.0.1:$PF_IN inet n - n - - smtpd
  -o syslog_name=postfix/from-hubd
  -o content_filter=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o smtpd_helo_restrictions=
  -o smtpd_client_restrictions=
  -o smtpd_sender_restrictions=
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
  -o smtpd_relay_restrictions=permit_mynetworks,reject
  -o mynetworks=127.0.0.0/8
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
"$PF_BIN" -c "$PF/etc" check > "$T/pf.out" 2>&1 ||
    fail "postfix check: $(cat "$T/pf.out")"
start_hubd
[ -S "$T/lmtp.sock" ] || fail "hubd made no LMTP socket $T/lmtp.sock"
pf_start
ok "private Postfix on 127.0.0.1:$PF_MX (in) and :$PF_IN (from hubd)"

# --- RCPT: the map decides ---------------------------------------------------------
for a in ops@hub.test ops-request@hub.test ops-owner@hub.test \
    ops-sendkey@hub.test ops-bounces+poc01=t01.test@hub.test \
    postmaster@hub.test; do
	r=$(rcpt_reply "$a")
	case $r in 250*) ;; *) fail "RCPT $a: $r" ;; esac
done
for a in nobody@hub.test news@hub.test ops-admin@hub.test; do
	r=$(rcpt_reply "$a")
	case $r in 550*) ;; *) fail "RCPT $a not refused: $r" ;; esac
done
hc list create news
grep -qx "news-bounces@hub.test OK" "$MAP" || fail "list create: map not rewritten"
# texthash: is read when a Postfix process starts
"$PF_BIN" -c "$PF/etc" reload > /dev/null 2>&1 || fail "postfix reload"
i=0
until case $(rcpt_reply news@hub.test) in 250*) true ;; *) false ;; esac; do
	[ "$i" -lt 50 ] || fail "news@hub.test refused after list create + reload"
	sleep 0.2
	i=$((i + 1))
done
hc list delete news
grep -q "^news" "$MAP" && fail "list delete: news still in the map"
ok "Postfix refuses unknown addresses at RCPT, follows list create/delete"

# --- a post through Postfix ---------------------------------------------------------
printf 'TLP:AMBER\n\nScanning from 198.51.100.23 since 06:00 UTC.\n' > "$T/amber.txt"
before=$(sink_count)
from=$(log_lines)
post_compose 1 "Scanning wave" "$T/amber.txt" > "$T/amber.eml"
pf_send "$T/amber.eml" "$(c_addr 1)" ops@hub.test
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "post through Postfix: $r" ;; esac
[ "$(field rcpts "$r")" = "$N" ] || fail "recipients: $r"
tail -n +$((from + 1)) "$LOG" | grep -q "session-open .*proto=lmtp" ||
    fail "the post did not come over LMTP"
sink_wait $((before + 3)) 60 || fail "$(($(sink_count) - before)) of 3 copies at the sink"
for i in 1 2 3; do
	m=$(sink_by_rcpt "$(c_addr "$i")" "$before")
	[ "$(echo "$m" | grep -c .)" -eq 1 ] ||
	    fail "member $i: $(echo "$m" | grep -c .) copies"
	[ "$(env_from "$m")" = "ops-bounces+poc$(nn "$i")=t$(nn "$i").test@hub.test" ] ||
	    fail "member $i: envelope sender $(env_from "$m")"
	copy_check "$m" "$i" | grep -q '198.51.100.23' ||
	    fail "member $i: not the post"
	copy_fails_for "$m" $((i % 3 + 1))
done
ok "a post submitted to Postfix reaches members 1-3 as their own copies"

# member 4's copy: Postfix's own DSN comes back to ops-bounces+TAG
wait_log "bounce id=[0-9a-f-]+ list=ops rcpt=$(c_addr 4) status=5\.1\.1" 60 \
    "$from" || fail "Postfix's bounce for member 4 not recorded"
ok "an undeliverable copy: Postfix's bounce reached ops-bounces+TAG over LMTP"

# --- a remote MTA's bounce, to Postfix's port 25 -------------------------------------
from=$(log_lines)
printf 'From: MAILER-DAEMON@mx.t02.test\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.t02.test\r\n\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n--b--\r\n' \
    "$(c_addr 2)" > "$T/dsn.eml"
pf_send "$T/dsn.eml" "" "ops-bounces+poc02=t02.test@hub.test"
wait_log "bounce id=[0-9a-f-]+ list=ops rcpt=$(c_addr 2) status=5\.2\.2" 60 \
    "$from" || fail "remote bounce not recorded"
ok "a remote bounce to Postfix's port 25 reached ops-bounces+TAG"

# --- Postfix down: hubd defers; back: delivered --------------------------------------
pf_stop
printf 'TLP:AMBER\n\nSecond wave.\n' > "$T/second.txt"
post_compose 2 "Second wave" "$T/second.txt" > "$T/second.eml"
before=$(sink_count)
from=$(log_lines)
post_send "$T/second.eml"	# straight to hubd: Postfix is down
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "second post: $r" ;; esac
id=$(field post "$r")
wait_log "deferred post=$id " 60 "$from" ||
    fail "no deferral while Postfix is down"
[ "$(sink_count)" -eq "$before" ] || fail "delivered while Postfix was down"
ok "Postfix down: hubd's relay defers"
pf_start
wait_log "delivered post=$id " 60 "$from" ||
    fail "not delivered once Postfix is back"
sink_wait $((before + 3)) 60 || fail "$(($(sink_count) - before)) of 3 copies after Postfix came back"
for i in 1 2 3; do
	m=$(sink_by_rcpt "$(c_addr "$i")" "$before")
	[ "$(echo "$m" | grep -c .)" -eq 1 ] ||
	    fail "second post, member $i: $(echo "$m" | grep -c .) copies"
	copy_check "$m" "$i" | grep -q 'Second wave' ||
	    fail "second post, member $i: not the post"
done
ok "Postfix back: the deferred copies delivered"
exit 0
