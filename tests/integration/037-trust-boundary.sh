#!/bin/sh
# The trust boundary through the real hubd, as an attacker tries it
# (DESIGN.md invariants 7 and 8):
#  - a copy says "signed by X" only for content X signed, all of it, for
#    this list: spliced inline parts, a member's mail forwarded by a
#    stranger (named elsewhere, or stale), an unsigned wrapper's subject
#    around signed content, and the list's own key as a contact;
#  - TLP never widens: the most restrictive label anywhere in the signed
#    content wins (RFC 2047 subjects, fullwidth, zero-width characters,
#    separators, AMBER STRICT spellings, late lines, HTML-only bodies,
#    attachments, forwarded mail); the unsigned outer subject only raises
#    it; an unreadable marking refuses the post.
# Contacts: 1, 2 members of ops; p1 a partner (cleared for GREEN only);
# ops's default label is AMBER.  Members get every label; p1 only
# CLEAR/GREEN, so rcpts= in the log shows the label's effect: 3 for
# CLEAR/GREEN, 2 for AMBER and above.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 2 1
hc list create intel
hc subscribe intel "$(c_addr 2)" --role member
start_hubd

# sendpost FILE: send, print the worker's verdict line.
sendpost() {
	_from=$(log_lines)
	post_send "$1"
	post_result "$_from"
}

# expect_reject CASE FILE REASON
expect_reject() {
	_line=$(sendpost "$2")
	case $_line in
	*"rejected post="*"reason=$3 "*|*"rejected post="*"reason=$3") ;;
	*) fail "$1: want reason=$3, got: $_line" ;;
	esac
	ok "$1: refused, reason=$3"
}

# expect_accept CASE FILE TLP RCPTS: accepted with that label and that
# many copies; prints the spool id.
expect_accept() {
	_line=$(sendpost "$2")
	case $_line in
	*"accepted post="*) ;;
	*) fail "$1: not accepted: $_line" ;;
	esac
	[ "$(field tlp "$_line")" = "$3" ] ||
	    fail "$1: tlp=$(field tlp "$_line"), want $3"
	[ "$(field rcpts "$_line")" = "$4" ] ||
	    fail "$1: rcpts=$(field rcpts "$_line"), want $4"
	field post "$_line"
}

# copy_of ID: member 2's copy of post ID (once all copies are in),
# decrypted with member 2's key alone.
copy_of() {
	for _m in $(sink_by_rcpt "$(c_addr 2)"); do
		_out=$(copy_check "$_m" 2)
		case $_out in *"Post id:     $1"*)
			printf '%s\n' "$_out"
			return 0 ;;
		esac
	done
	fail "no copy of $1 for member 2"
}

# inline_mail FROM_ID FILE...: a multipart/mixed of text/plain parts, each
# holding one file's content (armored blocks) as it is.
inline_mail() {
	_f=$1
	shift
	outer_headers "$_f" "inline post" \
	    "multipart/mixed; boundary=\"M$PB\""
	for _p in "$@"; do
		printf -- '--M%s\nContent-Type: text/plain; charset=us-ascii\n\n' "$PB"
		cat -- "$_p"
	done
	printf -- '--M%s--\n' "$PB"
}

# encrypt_entity FROM_ID ENTITY-FILE [SIGNER]: the entity (CRLF) signed
# by SIGNER (none: unsigned) and encrypted to the list, as a PGP/MIME post.
encrypt_entity() {
	if [ -n "${3:-}" ]; then
		crlf < "$2" | gall -u "$(c_fpr "$3")" -r "$LIST_FPR" --sign \
		    --encrypt --armor
	else
		crlf < "$2" | gall -r "$LIST_FPR" --encrypt --armor
	fi | wrap_encrypted "$1"
}

# entity SUBJECT BODY-TEXT [TO]: a text entity with protected headers
# (Subject, and To when given) on stdout.
entity() {
	printf 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"\n'
	printf 'Subject: %s\nFrom: "%s" <%s>\n' "$1" "$(c_name 1)" "$(c_addr 1)"
	[ -z "${3:-}" ] || printf 'To: %s\n' "$3"
	printf '\n%s\n' "$2"
}

# --- 1. coverage: spliced inline parts ----------------------------------------------
printf 'Published advisory text, signed by member 1.\n' |
    gall -u "$(c_fpr 1)" --clearsign > "$T/a.asc"
printf 'ATTACKER TEXT: install the patch from evil.test\n' |
    gall -r "$LIST_FPR" --encrypt --armor > "$T/b.asc"
inline_mail 1 "$T/a.asc" "$T/b.asc" > "$T/c.eml"
expect_reject "splice: member's clearsigned part + attacker's encrypted part" \
    "$T/c.eml" unprotected-parts

printf 'TLP:GREEN\nA block member 1 signed and encrypted to the list.\n' |
    gall -u "$(c_fpr 1)" -r "$LIST_FPR" --sign --encrypt --armor > "$T/a.asc"
inline_mail 1 "$T/a.asc" "$T/b.asc" > "$T/c.eml"
expect_reject "splice: member's signed+encrypted block + attacker's unsigned block" \
    "$T/c.eml" partly-signed

printf 'ATTACKER TEXT signed by the stranger\n' |
    gall -u "$(c_fpr stranger)" -r "$LIST_FPR" --sign --encrypt --armor \
    > "$T/b.asc"
inline_mail 1 "$T/a.asc" "$T/b.asc" > "$T/c.eml"
expect_reject "splice: member's block + stranger's signed block" \
    "$T/c.eml" multiple-signatures

printf 'TLP:GREEN\nSecond block, same signer.\n' |
    gall -u "$(c_fpr 1)" -r "$LIST_FPR" --sign --encrypt --armor > "$T/b.asc"
inline_mail 1 "$T/a.asc" "$T/b.asc" > "$T/c.eml"
expect_accept "two inline blocks, each signed+encrypted by member 1" \
    "$T/c.eml" TLP:GREEN 3 > /dev/null
ok "two inline blocks by one signer are relayed"
# the same signer's block for the narrower list intel spliced beside one
# for ops, sent to ops: intel's text must not reach ops's audience
hc --json list key intel
INTEL_FPR=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["fpr"])' \
    < "$T/hc.out")
hc list key intel --export
gall --import < "$T/hc.out" 2>/dev/null || fail "import intel's key"
printf 'TLP:GREEN\nA block member 1 wrote for intel only.\n' |
    gall -u "$(c_fpr 1)" -r "$INTEL_FPR" --sign --encrypt --armor > "$T/b.asc"
inline_mail 1 "$T/a.asc" "$T/b.asc" > "$T/c.eml"
expect_reject "splice: member's block for ops + its block for intel" \
    "$T/c.eml" not-encrypted-to-list

# --- 2. binding to the list: surreptitious forwarding -------------------------------
# member 1 signed a mail for the stranger (protected To names only them);
# the stranger re-encrypts it, unchanged, to the list
entity "Re: your question" "TLP:GREEN
Private answer to the stranger." stranger@evil.test | crlf > "$T/e.ent"
signed_entity 1 "$T/e.ent" | gall -r "$LIST_FPR" --encrypt --armor |
    wrap_encrypted stranger > "$T/c.eml"
expect_reject "forward: signed content names other recipients" \
    "$T/c.eml" not-for-this-list

# the same with no recipients named, older than the list allows (the
# keys are minutes old: the limit is made small instead of the
# signature old)
hc list set ops max_signature_age=2
printf 'Content-Type: text/plain; charset=utf-8\n\nTLP:GREEN\nAn old signed mail.\n' |
    crlf > "$T/e.ent"
signed_entity 1 "$T/e.ent" | gall -r "$LIST_FPR" --encrypt --armor |
    wrap_encrypted stranger > "$T/old.eml"
sleep 4
expect_reject "forward: names nobody, signed longer ago than allowed" \
    "$T/old.eml" signature-too-old
# a list that switched the age check off takes it
hc list set ops max_signature_age=0
expect_accept "max_signature_age=0" "$T/old.eml" TLP:GREEN 3 > /dev/null
hc list set ops max_signature_age=48h
ok "max_signature_age=0 switches the age check off"

# fresh, named nowhere: relayed, and the copy says it was not bound; an
# unsigned wrapper's protected Subject/To around the signed part count
# for nothing
printf 'Content-Type: text/plain; charset=utf-8\n\nTLP:GREEN\nfresh-unbound-marker\n' |
    crlf > "$T/e.ent"
signed_entity 1 "$T/e.ent" | sed '1s/$/; protected-headers="v1"\r\nSubject: WRAPPER-SUBJECT-BY-STRANGER\r\nTo: ops@hub.test/' |
    gall -r "$LIST_FPR" --encrypt --armor | wrap_encrypted stranger \
    > "$T/c.eml"
before=$(sink_count)
id=$(expect_accept "fresh signature, names nobody" "$T/c.eml" TLP:GREEN 3)
sink_wait $((before + 3)) 30 || fail "unbound: copies not relayed"
copy_of "$id" > "$T/copy.txt"
grep -q 'fresh-unbound-marker' "$T/copy.txt" || fail "unbound: body missing"
grep -q 'WRAPPER-SUBJECT-BY-STRANGER' "$T/copy.txt" &&
    fail "unbound: the unsigned wrapper's subject is in the copy"
grep -q '^Subject: .*(subject not signed)' "$T/copy.txt" ||
    fail "unbound: copy subject: $(grep '^Subject:' "$T/copy.txt")"
grep -q 'does not name its recipients' "$T/copy.txt" ||
    fail "unbound: the verdict does not say the list was not named"
rm -f "$T/copy.txt"
ok "unbound post relayed with its verdict; the wrapper's subject is not shown"

# --- 2b. a post re-wrapped: its ciphertext as an inline attachment --------------------
# attach_mail FROM_ID TO FILE: FILE (an armored message) as the one part
# of a new mail, an attachment "report.asc"
attach_mail() {
	outer_headers "$1" "fwd" "multipart/mixed; boundary=\"M$PB\"" |
	    sed "s/^To: ops@hub.test/To: $2/"
	printf -- '--M%s\nContent-Type: application/octet-stream\n' "$PB"
	printf 'Content-Disposition: attachment; filename="report.asc"\n\n'
	cat -- "$3"
	printf -- '--M%s--\n' "$PB"
}
printf 'TLP:RED\nrewrap-red-marker: for ops members only\n' > "$T/body.txt"
post_compose 1 "[TLP:RED] incident" "$T/body.txt" > "$T/orig.eml"
rm -f "$T/body.txt"
expect_accept "the original RED post" "$T/orig.eml" TLP:RED 2 > /dev/null
sed -n '/BEGIN PGP MESSAGE/,/END PGP MESSAGE/p' "$T/orig.eml" > "$T/ct.asc"
attach_mail stranger ops@hub.test "$T/ct.asc" > "$T/c.eml"
expect_reject "re-wrap: the same ciphertext as an attachment, same list" \
    "$T/c.eml" replay
attach_mail stranger intel@hub.test "$T/ct.asc" > "$T/c.eml"
_from=$(log_lines)
send --from stranger@evil.test --to intel@hub.test --file "$T/c.eml" \
    > /dev/null || fail "re-wrap to intel not taken"
_line=$(post_result "$_from")
case $_line in
*"reason=not-encrypted-to-list"*) ;;
*) fail "re-wrap to another list: $_line" ;;
esac
ok "re-wrap: the same ciphertext sent to another list: not-encrypted-to-list"
# a stranger who got a member's signed+encrypted mail strips the
# encryption (gpg --unwrap) and encrypts the signed packets, unchanged,
# to the list: the protected To inside names the stranger
entity "For you only" "TLP:GREEN
signed for the stranger" stranger@evil.test | crlf |
    gall -u "$(c_fpr 1)" -r "$(c_fpr stranger)" --sign --encrypt \
    > "$T/to-stranger.pgp"
gall --decrypt --unwrap < "$T/to-stranger.pgp" 2>/dev/null |
    gall --no-literal -r "$LIST_FPR" --encrypt --armor > "$T/ct.asc" ||
    fail "unwrap and re-encrypt"
attach_mail stranger ops@hub.test "$T/ct.asc" > "$T/c.eml"
expect_reject "unwrap + re-encrypt as an attachment" "$T/c.eml" \
    not-for-this-list
rm -f "$T/ct.asc" "$T/to-stranger.pgp" "$T/orig.eml"

# --- 3. the list's and the hub's own keys are never a contact's ---------------------
hc list key ops --export
cp "$T/hc.out" "$T/listkey.asc"
hc team add EVIL --kind member --state active
if "$HUBCTL" -c "$CONF" contact add ops@hub.test --team EVIL \
    --key "$T/listkey.asc" > "$T/hc.out" 2> "$T/hc.err"; then
	fail "contact add accepted the list key"
fi
grep -q "own key" "$T/hc.err" || fail "contact add: $(cat "$T/hc.err")"
ok "hubctl contact add refuses the list's key: $(cat "$T/hc.err")"

# --- 4-5. TLP: the most restrictive label of the signed content ---------------------
# tlp_post CASE ENTITY-FILE WANT-TLP WANT-RCPTS [OUTER-SUBJECT]
TLP_N=0
tlp_post() {
	# a line of its own, so no two posts are the same signed content
	# (a replay); after a multipart's end it is epilogue, not text
	TLP_N=$((TLP_N + 1))
	printf '\ncase %s\n' "$TLP_N" >> "$2"
	POST_OUTER_SUBJECT=${5:-...} encrypt_entity 1 "$2" 1 > "$T/c.eml"
	expect_accept "$1" "$T/c.eml" "$3" "$4" > /dev/null
	ok "tlp: $1 -> $3"
}

# the outer subject (unsigned: mutt's default) may not widen the label
printf 'Content-Type: text/plain; charset=utf-8\n\nno label in the body\n' \
    > "$T/e.ent"
tlp_post "outer subject TLP:CLEAR, list default AMBER" "$T/e.ent" \
    TLP:AMBER 2 "TLP:CLEAR rewritten by a man in the middle"
printf 'Content-Type: text/plain; charset=utf-8\n\nno label in the body\n' \
    > "$T/e.ent"
tlp_post "outer subject TLP:RED raises the default" "$T/e.ent" TLP:RED 2 \
    "TLP:RED from mutt"

# RFC 2047 encoded protected subject: "【TLP:RED】 障害報告"
printf 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"\nSubject: =?UTF-8?B?44CQVExQOlJFROOAkSDpmpzlrrPloLHlkYo=?=\nTo: ops@hub.test\n\nno label here\n' \
    > "$T/e.ent"
tlp_post "RFC 2047 B subject" "$T/e.ent" TLP:RED 2
printf 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"\nSubject: =?ISO-8859-1?Q?Bericht_=E4_TLP=3AAMBER?=\nTo: ops@hub.test\n\nno label here\n' \
    > "$T/e.ent"
tlp_post "RFC 2047 Q subject" "$T/e.ent" TLP:AMBER 2

# body spellings (UTF-8 as bytes)
body_case() {
	printf 'Content-Type: text/plain; charset=utf-8\nTo: ops@hub.test\n\n' > "$T/e.ent"
	printf "$2" >> "$T/e.ent"
	tlp_post "$1" "$T/e.ent" "$3" "$4"
}
body_case "fullwidth" '\357\274\264\357\274\254\357\274\260\357\274\232\357\274\262\357\274\245\357\274\244 report\n' TLP:RED 2
body_case "zero-width space inside" 'TL\342\200\213P:RED report\n' TLP:RED 2
body_case "NBSP after the colon" 'TLP:\302\240RED report\n' TLP:RED 2
body_case "TLP : RED" 'TLP : RED report\n' TLP:RED 2
body_case "TLP-RED" 'TLP-RED report\n' TLP:RED 2
body_case "TLP_RED" 'TLP_RED report\n' TLP:RED 2
body_case "AMBER STRICT" 'TLP:AMBER STRICT\n' TLP:AMBER+STRICT 2
body_case "AMBER_STRICT" 'TLP:AMBER_STRICT\n' TLP:AMBER+STRICT 2
body_case "label on line 12" 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nTLP:RED\n' TLP:RED 2
body_case "GREEN then RED" 'TLP:GREEN summary\n\nDetails: TLP:RED\n' TLP:RED 2

# HTML only
printf 'Content-Type: text/html; charset=utf-8\n\n<html><body><p>TLP&#58;<b>RED</b> html only</p></body></html>\n' \
    > "$T/e.ent"
tlp_post "HTML-only body" "$T/e.ent" TLP:RED 2

# a label only in an attached text file
printf 'Content-Type: multipart/mixed; boundary="X%s"\n\n--X%s\nContent-Type: text/plain; charset=utf-8\n\nSee the attachment.\n--X%s\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename="iocs.txt"\n\nTLP:RED\n198.51.100.9\n--X%s--\n' \
    "$PB" "$PB" "$PB" "$PB" > "$T/e.ent"
tlp_post "label only in an attachment" "$T/e.ent" TLP:RED 2

# a forwarded GREEN mail placed before the sender's own RED line
printf 'Content-Type: multipart/mixed; boundary="X%s"\n\n--X%s\nContent-Type: message/rfc822\n\nFrom: a@b.test\nSubject: TLP:GREEN old\n\nTLP:GREEN forwarded\n--X%s\nContent-Type: text/plain; charset=utf-8\n\nTLP:RED my own comment\n--X%s--\n' \
    "$PB" "$PB" "$PB" "$PB" > "$T/e.ent"
tlp_post "forwarded GREEN before own RED" "$T/e.ent" TLP:RED 2

# an unreadable marking in the unsigned outer subject raises the label,
# never refuses (a man in the middle could write one)
printf 'Content-Type: text/plain; charset=utf-8\n\nTLP:GREEN body\n' > "$T/e.ent"
tlp_post "unreadable outer subject" "$T/e.ent" TLP:RED 2 "TLP:NOPE"

# a label in an attachment whose name and type say nothing of text
printf 'Content-Type: multipart/mixed; boundary="X%s"\n\n--X%s\nContent-Type: text/plain; charset=utf-8\n\nTLP:GREEN cover note\n--X%s\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="notes.md"\n\n# TLP:RED\ndetails\n--X%s--\n' \
    "$PB" "$PB" "$PB" "$PB" > "$T/e.ent"
tlp_post "label in a .md octet-stream attachment" "$T/e.ent" TLP:RED 2

# an unreadable marking refuses the post, with the text in the notice
printf 'Content-Type: text/plain; charset=utf-8\n\nTLP:AMBRE internal only\n' \
    > "$T/e.ent"
encrypt_entity 1 "$T/e.ent" 1 > "$T/c.eml"
before=$(sink_count)
expect_reject "unreadable marking TLP:AMBRE" "$T/c.eml" tlp-unreadable
sink_wait $((before + 1)) 30 || fail "tlp-unreadable: no notice"
m=$(sink_msgs "$before")
copy_check "$m" 1 > "$T/notice.txt"
grep -q 'TLP:AMBRE' "$T/notice.txt" ||
    fail "tlp-unreadable: the notice does not quote the marking"
rm -f "$T/notice.txt" "$T/e.ent"
ok "the member is told which marking could not be read"

# --- 7. reflection: strangers get one answer a day, 50 in all ------------------------
# wait_quiet: until the worker has handled every entry (incoming and
# active empty) and the sink count stays put
wait_quiet() {
	_i=0 _last=-1
	while [ "$_i" -lt 150 ]; do
		_c=$(sink_count)
		if [ "$(count_spool incoming)" -eq 0 ] &&
		    [ "$(count_spool active)" -eq 0 ] &&
		    [ -z "$(ls "$SPOOL/outgoing" 2>/dev/null)" ] &&
		    [ "$_c" -eq "$_last" ]; then
			return 0
		fi
		_last=$_c
		sleep 0.2
		_i=$((_i + 1))
	done
	fail "the hub did not settle"
}
printf 'Subject: key please\r\n\r\nkey?\r\n' > "$T/m.eml"
wait_quiet
before=$(sink_count)
for k in 1 2 3; do
	send --from victim@forged.test --to ops-sendkey@hub.test \
	    --file "$T/m.eml" > /dev/null || fail "sendkey not accepted"
done
wait_quiet
[ "$(sink_count)" -eq $((before + 1)) ] ||
    fail "reflection: $(($(sink_count) - before)) answers to one forged sender, want 1"
for k in 1 2; do
	send --from "$(c_addr 2)" --to ops-sendkey@hub.test \
	    --file "$T/m.eml" > /dev/null || fail "sendkey not accepted"
done
wait_quiet
# a member's address is as easy to forge: once a day too (issue 16)
[ "$(sink_count)" -eq $((before + 2)) ] ||
    fail "reflection: a member's two requests got $(($(sink_count) - before - 1)) answers, want 1"
ok "a forged sender is answered once a day, a member's address too"
k=0
while [ "$k" -lt 55 ]; do
	send --from "victim$k@forged.test" --to ops-request@hub.test \
	    --file "$T/m.eml" > /dev/null || fail "request not accepted"
	k=$((k + 1))
done
wait_quiet
# -request answers strangers from a daily 50 of its own (the sendkey
# answers above count apart: hub/request.c request_instruction_ok)
[ "$(sink_count)" -eq $((before + 2 + 50)) ] ||
    fail "reflection: $(($(sink_count) - before - 2)) answers to 55 strangers, want 50"
grep -q 'reply-limited .*reason=daily-limit' "$LOG" ||
    fail "reflection: no reply-limited line"
ok "strangers get at most 50 answers a day in all"

# --- 8. envelope values are escaped in the log -------------------------------------
from=$(log_lines)
send --from '"x reason=forged action=none"@evil.test' \
    --to 'ops-sendkey@hub.test' --file "$T/m.eml" > /dev/null ||
    fail "quoted sender not accepted"
wait_quiet
tail -n +$((from + 1)) "$LOG" | grep -Eq ' (reason=forged|action=none)( |$)' &&
    fail "a forged key=value token reached the log"
ok "envelope values cannot forge log tokens"

stop_hubd
ok "trust boundary held"
