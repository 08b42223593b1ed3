#!/bin/sh
# The rejection matrix through the real hubd: each kind of post that must
# not be relayed ends in rejected/ with its documented reason (the same
# token in the log, rejected/ID.why and the notice), nothing reaches the
# members, and the notices go out: to the signer when a roster member
# signed it (encrypted to the signer's key when that key can encrypt,
# signed only when it expired), to the list's admin for anyone else
# (never to an unauthenticated sender: no backscatter); a member's post
# signed in clear is told to the admin and to the member (issue 13 item
# 8).  What the crypto layer refuses (no secret key, a passphrase only,
# tampered, malformed) has its own reason, not not-encrypted (item 7).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=4
community_make "$N" 1
community_add_expired
start_hubd
keycheck_settle	# the admins are told of the expired key first
printf 'TLP:AMBER\n\nA post that must not be relayed.\n' > "$T/body.txt"

# notices AFTER "ID...": the new messages at the sink since AFTER, one
# notice to each contact ID and no other; prints each one's path, in the
# order of the IDs.
notices() {
	_want=$(printf '%s\n' $2 | wc -l)
	sink_wait $(($1 + _want)) 30 || fail "$CASE: not all notices at the sink"
	sleep 0.5
	[ "$(sink_count)" -eq $(($1 + _want)) ] ||
	    fail "$CASE: $(($(sink_count) - $1)) messages, want $_want notices"
	for _id in $2; do
		_found=
		for _m in $(sink_msgs "$1"); do
			[ -z "$(env_from "$_m")" ] ||
			    fail "$CASE: notice has a sender"
			if [ "$(env_rcpts "$_m")" = "$(c_addr "$_id")" ]; then
				_found=$_m
			fi
		done
		[ -n "$_found" ] || fail "$CASE: no notice to $(c_addr "$_id")"
		echo "$_found"
	done
}

# case FILE REASON "NOTICE-TO..." [ENVELOPE-FROM]: send, check the verdict,
# rejected/ID.why, and the notices naming the reason (encrypted, unless
# PLAIN_NOTICE).
check_case() {
	_file=$1 _reason=$2 _to=$3
	before=$(sink_count)
	from=$(log_lines)
	if [ -n "${4:-}" ]; then
		post_send "$_file" "$4"
	else
		post_send "$_file"
	fi
	r=$(post_result "$from")
	case $r in
	*"rejected post="*"reason=$_reason "*|*"rejected post="*"reason=$_reason") ;;
	*) fail "$CASE: want reason=$_reason, got: $r" ;;
	esac
	id=$(field post "$r")
	wait_log "(finish|rejected).*$id|notice id=$id" 10 "$from" || true
	i=0
	until [ -f "$SPOOL/rejected/$id" ]; do
		[ "$i" -lt 50 ] || fail "$CASE: $id not in rejected/"
		sleep 0.1
		i=$((i + 1))
	done
	grep -qx "reason=$_reason" "$SPOOL/rejected/$id.why" ||
	    fail "$CASE: rejected/$id.why: $(cat "$SPOOL/rejected/$id.why")"
	cmp -s "$_file" "$SPOOL/rejected/$id" && fail "$CASE: not a spool file"
	for m in $(notices "$before" "$_to"); do
		_nto=$(for _id in $_to; do
			if [ "$(env_rcpts "$m")" = "$(c_addr "$_id")" ]; then
				echo "$_id"
			fi
		done)
		check_notice "$m" "$_nto"
	done
	ok "$CASE: reason=$_reason, notices to $_to"
}

# check_notice MAIL ID: the notice to ID names the reason, and nothing of
# the post.
check_notice() {
	m=$1
	if [ "${PLAIN_NOTICE:-}" = yes ]; then
		outer_header "$m" Subject |
		    grep -q "\[ops\] post refused: $_reason" ||
		    fail "$CASE: signed notice subject: $(outer_header "$m" Subject)"
		grep -q 'multipart/signed' "$m" || fail "$CASE: notice not signed"
		grep -q 'A post that must not be relayed' "$m" &&
		    fail "$CASE: the post's text in a notice"
	else
		copy_check "$m" "$2" > "$T/notice.out"
		grep -q "^Subject: \[ops\] post refused: $_reason" \
		    "$T/notice.out" || fail "$CASE: notice subject"
		grep -q "$_reason" "$T/notice.out" ||
		    fail "$CASE: the notice does not name $_reason"
		grep -q 'A post that must not be relayed' "$T/notice.out" &&
		    fail "$CASE: the post's text in a notice"
		if [ "$2" = admin ]; then
			# how the post lies in rejected/ (item 9)
			_kept=${KEPT:-, encrypted,}
			grep -qF "kept as received$_kept" "$T/notice.out" ||
			    fail "$CASE: admin notice: $(grep kept "$T/notice.out")"
		else
			# what to do, and where the list's key is (item 8)
			[ "$_reason" != not-encrypted ] ||
			    grep -q 'ops-sendkey@hub.test' "$T/notice.out" ||
			    fail "$CASE: member notice names no -sendkey"
		fi
		rm -f "$T/notice.out"
	fi
	return 0
}

CASE=plain
post_compose 1 "plain" "$T/body.txt" plain > "$T/c.eml"
KEPT=', in clear'
check_case "$T/c.eml" not-encrypted admin
# a member's post signed in clear: the member is told too, once a day
CASE=signed-only
post_compose 1 "signed only" "$T/body.txt" signedonly > "$T/c.eml"
KEPT=', in clear'
check_case "$T/c.eml" not-encrypted "admin 1"
CASE=signed-only-again
post_compose 1 "signed only, again" "$T/body.txt" signedonly > "$T/c.eml"
from=$(log_lines)
KEPT=', in clear'
check_case "$T/c.eml" not-encrypted admin
wait_log 'notice-skipped .*kind=refused-not-encrypted reason=once-a-day' 10 \
    "$from" || fail "$CASE: no once-a-day line"
# gpg --sign -z 0 -a inline (an opaque signed message): the same
CASE=opaque-signed-only
inner_entity 2 "opaque signed" "$T/body.txt" | crlf |
    gall -u "$(c_fpr 2)" -z 0 --sign --armor > "$T/c.asc"
{ outer_headers 2 "opaque signed" "text/plain; charset=us-ascii"
  cat "$T/c.asc"; } > "$T/c.eml"
KEPT=', in clear'
check_case "$T/c.eml" not-encrypted "admin 2"
# a stranger's post signed in clear: the admin only
CASE=signed-only-stranger
inner_entity stranger "stranger" "$T/body.txt" | crlf |
    gall -u "$(c_fpr stranger)" -z 0 --sign --armor > "$T/c.asc"
{ outer_headers stranger "stranger" "text/plain; charset=us-ascii"
  cat "$T/c.asc"; } > "$T/c.eml"
KEPT=', in clear'
check_case "$T/c.eml" not-encrypted admin

# What the crypto layer refuses (issue 13 item 7): its own reason.
KEPT=
CASE=no-secret-key
inner_entity 1 "to another key" "$T/body.txt" | crlf |
    gall -u "$(c_fpr 1)" -r "$(c_fpr 3)" --sign --encrypt --armor |
    wrap_encrypted 1 > "$T/c.eml"
check_case "$T/c.eml" no-secret-key admin
CASE=symmetric-only
inner_entity 1 "passphrase only" "$T/body.txt" | crlf |
    gall --passphrase 'shared secret' --symmetric --armor |
    wrap_encrypted 1 > "$T/c.eml"
check_case "$T/c.eml" no-secret-key admin
# gpg --sign compresses by default: the hub does not open compressed
# data outside the encryption (gpg would decrypt what it hides): not
# encrypted, its signature unread, so the admins are told
CASE=opaque-compressed
inner_entity 2 "opaque compressed" "$T/body.txt" | crlf |
    gall -u "$(c_fpr 2)" -z 6 --sign --armor > "$T/c.asc"
{ outer_headers 2 "opaque compressed" "text/plain; charset=us-ascii"
  cat "$T/c.asc"; } > "$T/c.eml"
KEPT=', in clear'
check_case "$T/c.eml" not-encrypted admin
KEPT=
CASE=tampered
inner_entity 1 "tampered" "$T/body.txt" | crlf |
    gall -u "$(c_fpr 1)" -r "$LIST_FPR" --sign --encrypt > "$T/ct"
_n=$(wc -c < "$T/ct")
_o=$((_n - 30))
{ head -c "$_o" "$T/ct"
  head -c $((_o + 1)) "$T/ct" | tail -c 1 | tr '\000-\377' '\377\000-\376'
  tail -c +$((_o + 2)) "$T/ct"; } | gall --enarmor 2>/dev/null |
    sed 's/ARMORED FILE/MESSAGE/; /^Comment:/d' | wrap_encrypted 1 > "$T/c.eml"
rm -f "$T/ct"
check_case "$T/c.eml" decrypt-failed admin
CASE=malformed
{ outer_headers 1 "no payload" \
    "multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"$PB\""
  printf -- '--%s\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n' "$PB"
  printf -- '--%s--\n' "$PB"; } > "$T/c.eml"
KEPT=' (it could not be read)'
check_case "$T/c.eml" malformed admin
KEPT=
CASE=unsigned
post_compose 1 "unsigned" "$T/body.txt" unsigned > "$T/c.eml"
check_case "$T/c.eml" not-signed admin
CASE=bad-signature
post_compose 1 "bad signature" "$T/body.txt" badsig > "$T/c.eml"
check_case "$T/c.eml" bad-signature admin
CASE=unknown-signer
post_compose 1 "stranger" "$T/body.txt" unknown > "$T/c.eml"
check_case "$T/c.eml" unknown-signer admin
CASE=no-mdc
post_compose 1 "no mdc" "$T/body.txt" nomdc > "$T/c.eml"
check_case "$T/c.eml" no-integrity admin
CASE=partner-posting
post_compose p1 "partner" "$T/body.txt" partner > "$T/c.eml"
check_case "$T/c.eml" not-allowed-to-post p1

CASE=replay
before=$(sink_count)
from=$(log_lines)
post_compose 2 "the original" "$T/body.txt" > "$T/orig.eml"
post_send "$T/orig.eml"
r=$(post_result "$from")
case $r in *accepted*) ;; *) fail "replay: original not accepted: $r" ;; esac
ORIG=$(field rcpts "$r")
sink_wait $((before + ORIG)) 30 || fail "replay: original not relayed"
sleep 0.5
check_case "$T/orig.eml" replay 2

CASE=oversize
hc list set ops max_size=2000
head -c 3000 /dev/urandom | base64 > "$T/big.txt"	# incompressible
post_compose 3 "too big" "$T/big.txt" > "$T/c.eml"
check_case "$T/c.eml" too-large admin
hc list set ops max_size=0

CASE=suspended
hc team suspend T03
post_compose 3 "suspended" "$T/body.txt" > "$T/c.eml"
check_case "$T/c.eml" signer-team-not-active 3
# the same captured post sent again, four times: refused each time, and
# the member heard of it once today (the one notice above), never once
# per copy (a refused post is not recorded as seen, so no replay)
CASE=suspended-flood
before=$(sink_count)
from=$(log_lines)
for k in 1 2 3 4; do
	f=$(log_lines)
	post_send "$T/c.eml"
	case $(post_result "$f") in
	*"reason=signer-team-not-active"*) ;;
	*) fail "$CASE: copy $k: $(post_result "$f")" ;;
	esac
done
i=0
until [ "$(tail -n +$((from + 1)) "$LOG" |
    grep -c 'notice-skipped .*kind=refused-signer-team-not-active reason=once-a-day')" -eq 4 ]; do
	[ "$i" -lt 50 ] || fail "$CASE: not 4 once-a-day lines"
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
[ "$(sink_count)" -eq "$before" ] ||
    fail "$CASE: $(($(sink_count) - before)) notices for 4 copies, want 0"
ok "$CASE: 5 copies, 1 member notice"
hc team reinstate T03

CASE=expired-key
post_compose 1 "expired" "$T/body.txt" expired > "$T/c.eml"
PLAIN_NOTICE=yes check_case "$T/c.eml" signer-key-expired x

# No post above reached a member: every message at the sink since the
# original was relayed is a notice (null sender).
copies=0
for m in $(sink_msgs); do
	case $(env_from "$m") in
	"") ;;
	ops-bounces+*) copies=$((copies + 1)) ;;
	*) fail "unexpected envelope sender $(env_from "$m")" ;;
	esac
done
[ "$copies" -eq "$ORIG" ] || fail "$copies copies relayed, want $ORIG"
# 19 cases, and the suspended post's 4 more copies
[ "$(find "$SPOOL/rejected" -name '*.why' | wc -l)" -eq 23 ] ||
    fail "rejected/: $(find "$SPOOL/rejected" -name '*.why' | wc -l) reasons"
stop_hubd
ok "nothing but notices left the hub for refused posts"
