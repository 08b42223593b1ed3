#!/bin/sh
# The rejection matrix through the real hubd: each kind of post that must
# not be relayed ends in rejected/ with its documented reason, nothing
# reaches the members, and exactly one notice goes out: to the signer
# when a roster member signed it (encrypted to the signer's key when that
# key can encrypt, signed only when it expired), to the list's admin for
# anyone else (never to an unauthenticated sender: no backscatter).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=4
community_make "$N" 1
community_add_expiring 12
EXPIRES_AT=$(($(date +%s) + 12))
start_hubd
printf 'TLP:AMBER\n\nA post that must not be relayed.\n' > "$T/body.txt"

# notice_to AFTER ID: the one new message at the sink since AFTER, which
# must be addressed to contact ID; prints its path.
notice_to() {
	sink_wait $(($1 + 1)) 30 || fail "$CASE: no notice at the sink"
	sleep 0.5
	[ "$(sink_count)" -eq $(($1 + 1)) ] ||
	    fail "$CASE: $(($(sink_count) - $1)) messages, want one notice"
	_m=$(sink_msgs "$1")
	[ "$(env_rcpts "$_m")" = "$(c_addr "$2")" ] ||
	    fail "$CASE: notice went to $(env_rcpts "$_m"), want $(c_addr "$2")"
	[ -z "$(env_from "$_m")" ] || fail "$CASE: notice has a sender"
	echo "$_m"
}

# case FILE REASON NOTICE-TO [ENVELOPE-FROM]: send, check the verdict,
# rejected/ID.why, and the encrypted notice naming the reason.
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
	m=$(notice_to "$before" "$_to")
	if [ "${PLAIN_NOTICE:-}" = yes ]; then
		outer_header "$m" Subject |
		    grep -q "\[ops\] post refused: $_reason" ||
		    fail "$CASE: signed notice subject: $(outer_header "$m" Subject)"
		grep -q 'multipart/signed' "$m" || fail "$CASE: notice not signed"
		grep -q 'A post that must not be relayed' "$m" &&
		    fail "$CASE: the post's text in a notice"
	else
		copy_check "$m" "$_to" > "$T/notice.out"
		grep -q "^Subject: \[ops\] post refused: $_reason" \
		    "$T/notice.out" || fail "$CASE: notice subject"
		grep -q 'A post that must not be relayed' "$T/notice.out" &&
		    fail "$CASE: the post's text in a notice"
		rm -f "$T/notice.out"
	fi
	ok "$CASE: reason=$_reason, notice to $_to"
}

CASE=plain
post_compose 1 "plain" "$T/body.txt" plain > "$T/c.eml"
check_case "$T/c.eml" not-encrypted admin
CASE=signed-only
post_compose 1 "signed only" "$T/body.txt" signedonly > "$T/c.eml"
check_case "$T/c.eml" not-encrypted admin
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
hc team reinstate T03

CASE=expired-key
post_compose 1 "expired" "$T/body.txt" expired > "$T/c.eml"
while [ "$(date +%s)" -le "$EXPIRES_AT" ]; do sleep 0.5; done
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
[ "$(find "$SPOOL/rejected" -name '*.why' | wc -l)" -eq 11 ] ||
    fail "rejected/: $(find "$SPOOL/rejected" -name '*.why' | wc -l) reasons"
stop_hubd
ok "nothing but notices left the hub for refused posts"
