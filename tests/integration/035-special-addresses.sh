#!/bin/sh
# The list's other addresses and the admins' notices, through hubd:
#   ops-sendkey   answers with the list's public key (encrypted to a
#                 member who asks, signed by the list);
#   ops-request   answers with the help text;
#   ops-owner     is re-encrypted to the list's admin;
#   ops-bounces+TAG records a delivery failure, the admin is told;
#   postmaster    is kept in rejected/ for a human;
# and on an accepted post the admin hears of a recipient skipped for a
# missing key (of a key expiring soon only from the daily check).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=3
community_make "$N" 0
community_add_expiring 86000	# expires in a day: within 14 days
start_hubd
keycheck_settle	# x and the admins are told first

# one_new AFTER ADDR: the one new sink message since AFTER, for ADDR
one_new() {
	sink_wait $(($1 + 1)) 30 || fail "$WHAT: nothing at the sink"
	sleep 0.5
	[ "$(sink_count)" -eq $(($1 + 1)) ] ||
	    fail "$WHAT: $(($(sink_count) - $1)) messages, want 1"
	_m=$(sink_msgs "$1")
	[ "$(env_rcpts "$_m")" = "$2" ] ||
	    fail "$WHAT: went to $(env_rcpts "$_m"), want $2"
	echo "$_m"
}

# --- sendkey -------------------------------------------------------------------
WHAT=sendkey
before=$(sink_count)
printf 'From: %s\r\nSubject: key please\r\n\r\nkey?\r\n' "$(c_addr 1)" > "$T/m.eml"
send --from "$(c_addr 1)" --to ops-sendkey@hub.test --file "$T/m.eml" \
    > /dev/null || fail "sendkey not accepted"
m=$(one_new "$before" "$(c_addr 1)")
copy_check "$m" 1 > "$T/reply.out"
grep -q "^Subject: \[ops\] the list's key" "$T/reply.out" ||
    fail "sendkey: subject"
grep -qi '^Content-Type: application/pgp-keys' "$T/reply.out" ||
    fail "sendkey: no key part"
mkdir -m 700 "$T/kk"
sed -n '/-----BEGIN PGP PUBLIC KEY BLOCK-----/,/-----END PGP PUBLIC KEY BLOCK-----/p' \
    "$T/reply.out" | gpg --homedir "$T/kk" --batch --import 2>/dev/null ||
    fail "sendkey: the key does not import"
gpg --homedir "$T/kk" --batch --with-colons --list-keys |
    grep -q "^fpr:::::::::$LIST_FPR:" || fail "sendkey: not the list's key"
gpgconf --homedir "$T/kk" --kill all 2>/dev/null || true
ok "ops-sendkey answers with the list's key, encrypted to the member"

# --- request --------------------------------------------------------------------
WHAT=request
before=$(sink_count)
send --from "$(c_addr 2)" --to ops-request@hub.test --file "$T/m.eml" \
    > /dev/null || fail "request not accepted"
m=$(one_new "$before" "$(c_addr 2)")
copy_check "$m" 2 | grep -q 'ops-owner@hub.test' || fail "request: help text"
ok "ops-request answers with the help text"

# --- owner -----------------------------------------------------------------------
WHAT=owner
before=$(sink_count)
printf 'Dear admins: owner-marker-%s\n' "$$" > "$T/owner.txt"
post_compose 3 "to the owners" "$T/owner.txt" > "$T/owner.eml"
send --from "$(c_addr 3)" --to ops-owner@hub.test --file "$T/owner.eml" \
    > /dev/null || fail "owner mail not accepted"
m=$(one_new "$before" "$(c_addr admin)")
copy_check "$m" admin > "$T/owner.out"
grep -q "owner-marker-$$" "$T/owner.out" || fail "owner: content not forwarded"
grep -q '^Subject: \[ops\] mail to the owners' "$T/owner.out" ||
    fail "owner: subject"
copy_fails_for "$m" 3
rm -f "$T/owner.out" "$T/owner.txt"
ok "ops-owner is re-encrypted to the admin"

# --- bounces -------------------------------------------------------------------------
WHAT=bounce
before=$(sink_count)
from=$(log_lines)
printf 'From: MAILER-DAEMON@mx.t01.test\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.t01.test\r\n\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n' \
    "$(c_addr 1)" > "$T/dsn.eml"
send --from "" --to "ops-bounces+poc01=t01.test@hub.test" \
    --file "$T/dsn.eml" > /dev/null || fail "bounce not accepted"
wait_log "bounce id=[0-9a-f-]+ list=ops rcpt=$(c_addr 1) status=5.1.1" 30 \
    "$from" || fail "bounce not recorded"
m=$(one_new "$before" "$(c_addr admin)")
copy_check "$m" admin | grep -q "^Subject: \[ops\] delivery failed: $(c_addr 1)" ||
    fail "bounce: admin notice"
ok "ops-bounces+TAG: the failure recorded for the member, the admin told"

# --- postmaster --------------------------------------------------------------------------
from=$(log_lines)
send --from "$(c_addr 2)" --to postmaster@hub.test --file "$T/m.eml" \
    > /dev/null || fail "postmaster not accepted"
wait_log "postmaster-mail id=" 30 "$from" || fail "postmaster mail not seen"
id=$(tail -n +$((from + 1)) "$LOG" | sed -n 's/.*postmaster-mail id=\([0-9a-f-]*\).*/\1/p' | head -n 1)
i=0
until [ -f "$SPOOL/rejected/$id" ]; do
	[ "$i" -lt 50 ] || fail "postmaster mail not kept in rejected/"
	sleep 0.1
	i=$((i + 1))
done
grep -qx 'reason=postmaster-mail' "$SPOOL/rejected/$id.why" ||
    fail "postmaster: reason"
ok "postmaster mail kept in rejected/ for a human"

# --- skipped recipient and expiring key ------------------------------------------------
gpg --homedir "$DATA/gnupg" --batch --yes --delete-keys "$(c_fpr 3)" \
    2>/dev/null || fail "remove member 3's key from the hub keyring"
before=$(sink_count)
from=$(log_lines)
printf 'TLP:GREEN\n\nnotice test\n' > "$T/b.txt"
post_compose 1 "with a skipped member" "$T/b.txt" > "$T/p.eml"
post_send "$T/p.eml"
r=$(post_result "$from")
case $r in *"accepted post="*"skipped="*) ;; *) fail "post: $r" ;; esac
wait_log "notice id=[0-9a-f-]+ kind=skipped list=ops to=admin@hub.test" 30 \
    "$from" || fail "no skipped notice"
sleep 1
[ -z "$(sink_by_rcpt "$(c_addr 3)" "$before")" ] ||
    fail "member 3 got a copy without a key"
found=
for m in $(sink_by_rcpt "$(c_addr admin)" "$before"); do
	copy_check "$m" admin > "$T/n.out"
	grep -q '^Subject: \[ops\] recipients skipped' "$T/n.out" &&
	    grep -q "$(c_addr 3)" "$T/n.out" && found="$found skipped"
done
[ "$found" = " skipped" ] || fail "admin notices: found '$found'"
# the expiring key is the daily check's (told at the start), never a
# post's
for m in $(sink_by_rcpt "$(c_addr admin)" 0); do
	copy_check "$m" admin > "$T/n.out"
	grep -q "^Subject: \[ops\] key expires soon: $(c_addr x)" "$T/n.out" &&
	    found="$found expiring"
done
case $found in *expiring*) ;; *) fail "no expiring-key notice" ;; esac
tail -n +$((from + 1)) "$LOG" | grep -q 'kind=key-expiring' &&
    fail "a post sent a key-expiring notice"
stop_hubd
ok "admin told of a skipped member; of an expiring key by the daily check only"
