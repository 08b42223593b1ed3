#!/bin/sh
# The mail commands at ops-request through the real hubd: every command
# accepted and refused with its reason (help, subscriptions, subscribe,
# unsubscribe, key get, members, endorse, get, key update without a key,
# the settings copy, receipts and language, Schleuder's X- keywords), one answer per mail encrypted
# to the asker alone (another member's key cannot decrypt it) and signed
# by the list; a replayed command mail changes nothing and gets nothing;
# unsigned, stranger-signed, candidate-signed, forwarded (signed for
# someone else) and post-addressed command mails change nothing; the
# List-Unsubscribe mail (Subject "unsubscribe") works signed and gets one
# instruction a day unsigned; unsigned mail with a member's forged
# envelope sender (no command, help, search) buys one reply a day, and
# 50 forged strangers do not use up a member's; prose that starts with
# a keyword, and a line too long, stop the reading; X-LIST-NAME in
# Schleuder's NAME@DOMAIN form; endorse tells nothing of a team that is
# no candidate; quoted lines do not make a mail too long.
#
# Contacts: 1, 2 members of ops (T01, T02); 3 a member of intel only
# (T03); p1 a partner of ops; 1b a second contact of T01 (not
# subscribed); cand the PoC of the candidate team CAND, certified by 1
# and 2; admin.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 3 1
hc list create intel
hc unsubscribe ops "$(c_addr 3)"
hc subscribe intel "$(c_addr 3)" --role member

# extra ID NAME ADDRESS TEAM: a key for a contact the community helpers
# do not know, registered to TEAM (not subscribed); prints its fpr.
extra() {
	gall --quick-gen-key "$2 INSECURE <$3>" ed25519 sign never \
	    2>/dev/null || fail "key of $3"
	_f=$(gall --with-colons --list-keys "<$3>" |
	    awk -F: '/^fpr/ { print $10; exit }')
	gall --quick-add-key "$_f" cv25519 encr never 2>/dev/null ||
	    fail "subkey of $3"
	echo "$_f"
}
B1=poc1b@t01.test
B1_FPR=$(extra 1b "Member 1b" "$B1" T01)
gall --armor --export "$B1_FPR" > "$CK/1b.asc"
hc contact add "$B1" --team T01 --key "$CK/1b.asc"

CAND=cand@cand.test
CAND_FPR=$(extra cand "Cand PoC" "$CAND" CAND)
for _by in 1 2; do
	gall -u "$(c_fpr "$_by")" --quick-sign-key "$CAND_FPR" 2>/dev/null ||
	    fail "certification of cand by $_by"
done
gall --armor --export "$CAND_FPR" > "$CK/cand.asc"
hc team add CAND --kind member --state candidate
hc contact add "$CAND" --team CAND --key "$CK/cand.asc"
start_hubd

# subscribed LIST ADDRESS: is ADDRESS subscribed to LIST in person?
subscribed() {
	expect 0 --json list show "$1"
	[ "$(jget "any(s['contact'] == '$2' for s in d['subscriptions'])")" = True ]
}

# compose ID KIND TEXT [SUBJECT]: a command mail to ops-request in
# $T/req.eml (post_compose kinds; the signed To is $POST_TO, by default
# ops-request, as a mail client writes it).
compose() {
	printf '%s' "$3" > "$T/body.txt"
	[ -z "$3" ] || printf '\n' >> "$T/body.txt"
	POST_TO=${POST_TO:-ops-request@hub.test} \
	    post_compose "$1" "${4:-commands}" "$T/body.txt" "$2" > "$T/req.eml"
	rm -f "$T/body.txt"
}

# mail_req [FROM]: send $T/req.eml to ops-request (envelope sender: the
# From header's address unless given).
mail_req() {
	_from=${1:-$(sed -n '/^$/q; s/^From:.*<\([^>]*\)>.*/\1/p' "$T/req.eml" | head -n 1)}
	send --from "$_from" --to ops-request@hub.test --file "$T/req.eml" \
	    > /dev/null || fail "request from $_from not accepted"
}

# answer ID: mail $T/req.eml from ID and wait for the one reply, which
# must go to ID's address; decrypt it with ID's key alone into $T/ans
# (plaintext piped from gpg, kept only in the test's temp dir); $M is the
# reply's path.
answer() {
	_before=$(sink_count)
	mail_req
	sink_wait $((_before + 1)) 30 || fail "no answer to $1"
	sleep 0.5
	[ "$(sink_count)" -eq $((_before + 1)) ] ||
	    fail "$1: $(($(sink_count) - _before)) answers, want 1"
	M=$(sink_msgs "$_before")
	[ "$(env_rcpts "$M")" = "$(c_addr "$1")" ] ||
	    fail "answer went to $(env_rcpts "$M"), want $(c_addr "$1")"
	copy_check "$M" "$1" > "$T/ans"
}

# ask ID TEXT: compose a good command mail by ID and get its answer.
ask() {
	compose "$1" good "$2"
	answer "$1"
}

has() { grep -qF -- "$1" "$T/ans" || fail "answer lacks '$1': $(cat "$T/ans")"; }
hasnt() { ! grep -qF -- "$1" "$T/ans" || fail "answer has '$1': $(cat "$T/ans")"; }

# nothing PATTERN: the worker logs PATTERN for the mail just sent and no
# mail goes out for it.
nothing() {
	_before=$(sink_count)
	_l=$(log_lines)
	mail_req "$@"
	wait_log "$PAT" 30 "$_l" || fail "no '$PAT' in the log"
	sleep 1
	[ "$(sink_count)" -eq "$_before" ] || fail "an answer went out"
}

# --- help, subscriptions ----------------------------------------------------------
ask 2 "help"
has "Mail commands, one per line"
# a kind of its own: the answer is never titled a search result
grep -q 'Subject:.*answer to your commands' "$T/ans" "$M" ||
    fail "answer's subject: $(grep -h '^Subject:' "$T/ans" "$M")"
has "key get ADDRESS|FPR"
has "=== help"
copy_fails_for "$M" 1
copy_fails_for "$M" p1
ok "help: answered encrypted to the asker alone, signed by the list"

ask 1 "subscriptions"
has "ops  poc01@t01.test  member"
hasnt "intel"
ask p1 "X-LIST-SUBSCRIPTIONS:"
has "ops  poc01@p01.test  partner"
ok "subscriptions (and X-LIST-SUBSCRIPTIONS): mine and my team's"

# --- subscribe / unsubscribe --------------------------------------------------------
ask 1 "subscribe $B1
subscriptions"
has "done: $B1 subscribed to ops as member"
has "ops  $B1  member"
subscribed ops "$B1" || fail "$B1 not subscribed"
expect 0 --json log
grep -q "mail:poc01@t01.test" "$T/out" || fail "audit does not name the asker"
# (each body differs from the one before: ed25519 signatures are
# deterministic, so the same text signed in the same second is a replay)
ask 1 "subscribe <$B1>"
has "refused: already subscribed"
ok "subscribe: a team-mate, audited as the asker; twice is refused"

ask 2 "unsubscribe $B1
subscribe $(c_addr 1)
subscribe poc1b@T01.test"
[ "$(grep -c 'refused: you may do this only for yourself and the contacts of your own team' "$T/ans")" -eq 3 ] ||
    fail "another team's contacts: $(cat "$T/ans")"
subscribed ops "$B1" || fail "another team unsubscribed $B1"
compose 3 good "subscribe"
answer 3
has "refused: your team is not on this list"
subscribed ops "$(c_addr 3)" && fail "a member of intel joined ops"
ask admin "unsubscribe"
has "refused: an admin subscription is changed only by the hub's admin"
subscribed ops admin@hub.test || fail "the admin was unsubscribed"
ok "subscribe/unsubscribe: not another team's, not a list the team is not on, not an admin"

ask 1 "unsubscribe $B1"
has "done: $B1 unsubscribed from ops"
subscribed ops "$B1" && fail "$B1 still subscribed"
ask 1 "unsubscribe <$B1>"
has "refused: not subscribed to this list"
ok "unsubscribe: a team-mate; twice is refused"

# --- key get, members ------------------------------------------------------------------
ask 1 "key get $(c_addr 2)
X-GET-KEY: $(c_fpr p1)
key get $(c_addr 3)
key get stranger@evil.test"
has "done: the key of $(c_addr 2) (T02), fingerprint $(c_fpr 2)"
has "done: the key of $(c_addr p1) (P01), fingerprint $(c_fpr p1)"
[ "$(grep -c 'BEGIN PGP PUBLIC KEY BLOCK' "$T/ans")" -eq 2 ] ||
    fail "two keys expected: $(cat "$T/ans")"
[ "$(grep -c 'refused: no such member of this list that you may see' "$T/ans")" -eq 2 ] ||
    fail "intel's member and a stranger: $(cat "$T/ans")"
sed -n '/BEGIN PGP PUBLIC KEY BLOCK/,/END PGP PUBLIC KEY BLOCK/p' "$T/ans" |
    sed 's/\r$//' | gpg --batch --with-colons --import-options show-only \
    --import 2>/dev/null | grep -q "$(c_fpr 2)" || fail "key of 2 unreadable"
ok "key get / X-GET-KEY: a member's key; not another list's member, not a stranger"

ask 2 "members"
has "T01 (member)"
has "P01 (partner)"
has "$(c_addr 1)  $(c_fpr 1)"
hasnt "T03"
hasnt "$(c_addr 3)"
ask p1 "X-LIST-KEYS"
has "T01 (member)"
hasnt "$(c_addr 1)"
compose 3 good "members"
answer 3
has "refused: you are not subscribed to this list"
ok "members / X-LIST-KEYS: contacts for members, teams for partners, nothing for others"

# --- endorse ------------------------------------------------------------------------------
# the candidate vouching for itself is no contact of an active team
cp "$CK/cand.asc" "$T/cand.asc"
printf 'endorse CAND\n' > "$T/body.txt"
inner_entity 1 commands "$T/body.txt" | sed 's/^To: .*/To: ops-request@hub.test/' |
    crlf | gall -u "$CAND_FPR" -r "$LIST_FPR" --sign --encrypt --armor |
    wrap_encrypted 1 > "$T/req.eml"
rm -f "$T/body.txt"
# (it gets the signed help, once a day)
_l=$(log_lines)
_before=$(sink_count)
mail_req "$CAND"
wait_log "commands-refused .*signer's team is not an active member" 30 \
    "$_l" || fail "the candidate's own endorsement was not refused"
sink_wait $((_before + 1)) 30 || fail "no instruction for the candidate"
ask p1 "endorse CAND"
has "refused: only a contact of an active member team may endorse"
ask 1 "endorse T01"
has "refused: a team cannot endorse itself"
ask 1 "endorse CAND"
has "done: T01 endorses CAND (new)"
has "admission: 1 of 2 required; need-endorsements"
hasnt "endorsed by CAND"
expect 0 --json team show CAND
[ "$(jget "d['state']")" = candidate ] || fail "CAND active after one"
ask 2 "endorse cand"
has "done: T02 endorses CAND"
has "(the team is now active)"
expect 0 --json team show CAND
[ "$(jget "d['state']")" = active ] || fail "CAND not admitted"
ask 2 "endorse CAND
endorse NOSUCH
endorse T03"
# one answer for an active team, another list's team and no team: no
# oracle of which teams exist or in which state
[ "$(grep -c '^refused: no candidate team by that name' "$T/ans")" -eq 3 ] ||
    fail "endorse of no candidate: $(cat "$T/ans")"
hasnt "active"
hasnt "no such team"
ok "endorse: recorded as hubctl does, the admission rule runs; not by a partner, not itself; one answer for every team that is no candidate"

# --- get ------------------------------------------------------------------------------------
printf 'TLP:AMBER\nC2 at get-me.example-bad.net\n' > "$T/body.txt"
post_compose 1 "TLP:AMBER for get" "$T/body.txt" > "$T/post.eml"
rm -f "$T/body.txt"
AID=$(post_archived "$T/post.eml")
ask 2 "get ops:$AID"
has "done: post ops:$AID"
has "TLP: TLP:AMBER"
has "get-me.example-bad.net"
ask 2 "get $AID"
has "get-me.example-bad.net"
ask p1 "get ops:$AID"
has "refused: no such post, or none you are cleared to see"
hasnt "get-me"
compose 3 good "get ops:$AID"
answer 3
has "refused: no such post, or none you are cleared to see"
ask 2 "get ops:0000000000000001-abcdef012345"
has "refused: no such post, or none you are cleared to see"
ok "get: an archived report for who is cleared; a partner (AMBER) and another list's member get nothing"

# --- settings, Schleuder, bad lines ---------------------------------------------------------
ask 1 "key update
copy on
receipts off
language en
X-RESEND: someone@else.example
X-FETCH-KEY: https://keys.example/k.asc
key delete
search
Dear list, please unsubscribe me
unsubscribe"
has "refused: key update: attach your new public key"
has "done: you get a copy of your own posts, as every member does"
has "done: the hub now writes to you in English"
# receipts are stored (044 tests what they do)
has "done: you get no receipts for your posts"
has "refused: the hub does not resend mail to other addresses"
has "refused: the hub does not fetch keys"
has "refused: key update or key get"
has "refused: needs a query"
has "refused: not a command; the lines after it were not read"
subscribed ops "$(c_addr 1)" || fail "a line after prose was run"
ok "key update without a key refused; copy, language and receipts done; X-RESEND, X-FETCH-KEY refused with why; reading stops at prose"

ask 1 "X-LIST-NAME: intel
unsubscribe"
has "Nothing was done: X-LIST-NAME names another list"
subscribed ops "$(c_addr 1)" || fail "X-LIST-NAME intel unsubscribed"
# Schleuder writes the list's address: the name and the domain count
ask 1 "X-LIST-NAME: intel@hub.test
unsubscribe"
has "Nothing was done: X-LIST-NAME names another list"
subscribed ops "$(c_addr 1)" || fail "X-LIST-NAME intel@hub.test unsubscribed"
ask 1 "X-LIST-NAME: ops@other.test
unsubscribe"
has "Nothing was done: X-LIST-NAME names another list"
subscribed ops "$(c_addr 1)" || fail "X-LIST-NAME ops@other.test unsubscribed"
# one that cannot be read may be meant for another list
ask 1 "X-LIST-NAME: ops/x@hub.test
unsubscribe"
has "Nothing was done: X-LIST-NAME is neither a list's name nor its address"
subscribed ops "$(c_addr 1)" || fail "a bad X-LIST-NAME unsubscribed"
ask 1 "X-LIST-NAME: OPS@Hub.Test
subscriptions"
has "done: the list's name matches"
has "ops  poc01@t01.test  member"
ok "X-LIST-NAME naming another list (by name or address), or unreadable: nothing done; this list's address: run"

# prose that starts with a keyword, and a line too long, stop the
# reading (a forwarded mail below them is not commands)
ask 1 "subscriptions
Key points of what my colleague sent me (forwarded below):
unsubscribe"
has "ops  poc01@t01.test  member"
has "refused: not a command; the lines after it were not read"
subscribed ops "$(c_addr 1)" || fail "a line after 'Key points ...' was run"
ask 1 "Search results from our team follow
unsubscribe"
hasnt "=== search"
subscribed ops "$(c_addr 1)" || fail "a line after 'Search results ...' was run"
ask 1 "subscriptions
$(head -c 1100 /dev/zero | tr '\0' x)
unsubscribe"
has "refused: line too long: not a command; the lines after it were not read"
subscribed ops "$(c_addr 1)" || fail "a line after a too long one was run"
ok "prose opening with a keyword, and a line too long, stop the reading"

# a reply quoting a long mail: the quoted lines are skipped, not counted
ask 1 "subscriptions
$(for _i in $(seq 1 300); do echo "> line $_i of the quoted mail"; done)"
has "ops  poc01@t01.test  member"
hasnt "Nothing was done"
ok "300 quoted lines after the commands: the commands run"

# --- replay, forgeries --------------------------------------------------------------------------
ask 1 "subscribe $B1"
has "done: $B1 subscribed"
hc unsubscribe ops "$B1"
PAT="commands-ignored .* reason=replay"
nothing
subscribed ops "$B1" && fail "a replayed subscribe was run"
ok "a replayed command mail: nothing done, nothing sent"

# unsigned (encrypted only), from member 2's address: one instruction
compose 2 unsigned "unsubscribe"
_before=$(sink_count)
mail_req
sink_wait $((_before + 1)) 30 || fail "no instruction for an unsigned command"
M=$(sink_msgs "$_before")
copy_check "$M" 2 | grep -q "encrypted to the list's key and signed" ||
    fail "instruction text"
subscribed ops "$(c_addr 2)" || fail "an unsigned unsubscribe was run"
compose 2 unsigned "unsubscribe"
PAT="reply-limited .* reason=once-a-day"
nothing
ok "unsigned: nothing done; one signed instruction a day per mailbox"

compose stranger unknown "subscribe $(c_addr 2)
unsubscribe $(c_addr 1)"
_l=$(log_lines)
_before=$(sink_count)
mail_req
wait_log "commands-refused .*belongs to no registered contact" 30 "$_l" ||
    fail "stranger's commands not refused"
sink_wait $((_before + 1)) 30 || fail "no instruction for the stranger"
subscribed ops "$(c_addr 1)" || fail "a stranger unsubscribed 1"
ok "stranger-signed: nothing done"

# A forged envelope sender buys one reply a day, a member's too: four
# unsigned mails claiming to be a member, with no command, with help,
# with a search, each get one signed reply between them.
# flood ADDR BODY TAG: four clear mails from ADDR with BODY.
flood() {
	_before=$(sink_count)
	_l=$(log_lines)
	for _i in 1 2 3 4; do
		printf 'From: <%s>\nTo: ops-request@hub.test\nSubject: x\nMessage-ID: <%s.%s.%s@evil.test>\nDate: %s\n\n%s\n' \
		    "$1" "$3" "$_i" "$$" "$(date -R)" "$2" > "$T/req.eml"
		mail_req "$1"
	done
	_k=0
	until [ "$(tail -n +$((_l + 1)) "$LOG" |
	    grep -c "reply-limited .* to=$1 reason=once-a-day")" -ge 3 ]; do
		_k=$((_k + 1))
		[ "$_k" -lt 300 ] || fail "$3: the mails after the first were not limited"
		sleep 0.1
	done
	sleep 1
	_n=$(sink_by_rcpt "$1" "$_before" | wc -l)
	[ "$_n" -eq 1 ] || fail "$3: $_n replies to $1, want 1"
}
flood "$(c_addr 1)" "hello there" prose
flood "$(c_addr 3)" "help" help
flood admin@hub.test "search 192.0.2.1" search
ok "unsigned mail with a member's envelope sender (no command, help, search): one reply a day"

# 50 forged strangers use up the strangers' daily replies; a member's
# mistake is still answered once
_l=$(log_lines)
for _i in $(seq 1 50); do
	printf 'From: <s%s@evil.test>\nTo: ops-request@hub.test\nSubject: x\nMessage-ID: <cap.%s.%s@evil.test>\n\nhelp\n' \
	    "$_i" "$_i" "$$" > "$T/req.eml"
	mail_req "s$_i@evil.test"
done
printf 'From: <s51@evil.test>\nTo: ops-request@hub.test\nSubject: x\nMessage-ID: <cap.51.%s@evil.test>\n\nhelp\n' "$$" > "$T/req.eml"
mail_req s51@evil.test
wait_log "reply-limited .* to=s51@evil.test reason=daily-limit" 120 "$_l" ||
    fail "the strangers' daily limit was not reached"
_before=$(sink_count)
printf 'From: <%s>\nTo: ops-request@hub.test\nSubject: x\nMessage-ID: <cap.b1.%s@evil.test>\n\nhelp\n' "$B1" "$$" > "$T/req.eml"
mail_req "$B1"
# the strangers' replies may still be on their way to the sink (ASan):
# the member's is looked for among whatever comes, not taken to be first
_i=0
while [ -z "$(sink_by_rcpt "$B1" "$_before")" ]; do
	_i=$((_i + 1))
	[ "$_i" -lt 300 ] || fail "a member got nothing after the strangers' limit"
	sleep 0.1
done
ok "50 forged strangers do not use up a member's one reply a day"

# member 2's signed mail to someone else, re-encrypted to the list by
# its recipient: the signed To names others
POST_TO=friend@else.example compose 2 good "unsubscribe"
PAT="commands-refused .*addressed to others"
nothing
subscribed ops "$(c_addr 2)" || fail "a forwarded signed mail unsubscribed 2"
ok "a signed mail for someone else, forwarded to ops-request: nothing done"

# a post to the list sent to ops-request: read-only
POST_TO=ops@hub.test compose 2 good "members
unsubscribe"
answer 2
has "T01 (member)"
has "refused: the signed mail is addressed to the list itself"
subscribed ops "$(c_addr 2)" || fail "a post-addressed mail unsubscribed 2"
ok "signed for the list's post address: read-only commands only"

# --- List-Unsubscribe -----------------------------------------------------------------------------
# clear, as a mail client's one click sends it
{
	printf 'From: <%s>\nTo: ops-request@hub.test\nSubject: unsubscribe\n' "$(c_addr p1)"
	printf 'Message-ID: <unsub.%s@p01.test>\nDate: %s\n\n' "$$" "$(date -R)"
} > "$T/req.eml"
_before=$(sink_count)
mail_req
sink_wait $((_before + 1)) 30 || fail "no instruction for a clear unsubscribe"
subscribed ops "$(c_addr p1)" || fail "a clear unsubscribe was run"
PAT="reply-limited .* reason=once-a-day"
nothing
# signed and encrypted, the subject inside: done
compose p1 partner "" unsubscribe
answer p1
has "=== unsubscribe (Subject)"
has "done: $(c_addr p1) unsubscribed from ops"
subscribed ops "$(c_addr p1)" && fail "p1 still subscribed"
ok "List-Unsubscribe: signed works, clear gets one instruction a day"

stop_hubd
