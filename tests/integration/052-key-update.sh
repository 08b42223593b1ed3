#!/bin/sh
# The key update mail command (and Schleuder's X-ADD-KEY) through the
# real hubd: a new key certified by the contact's current key replaces it
# at once (the old one in the key history, mail signed by it refused,
# mail signed by the new one relayed); a key the current key did not
# certify is held for an admin, who accepts it (hubctl contact key
# --held) or refuses it (--drop-held), and until then the current key
# stays; a key for another address, two keys, no key and the list's own
# key are refused and change nothing.  Every answer is encrypted to the
# asker's key (the current one when it asked).  An endorse mail may
# carry the candidate's key with the endorser's certification: merged
# into the hub's copy when it is a candidate contact's key, so it is the
# evidence; any other key is not read, and for a team that is no
# candidate the answer says nothing of it; a copy adding a subkey or a
# stranger's certification is not read either.  A held key stays out of
# the hub keyring until an admin accepts the fingerprint it confirmed; a
# contact's revocation of its own key is taken; five key updates a day.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 3 0
start_hubd
keycheck_settle

# ng ARGS: gpg on a keyring of new keys (and the old secret keys that
# certify them), apart from the community's, whose c_fpr reads by address
# (under $CK: community_cleanup stops its agent)
NK="$CK/nk"
mkdir -m 700 "$NK"
ng() {
	gpg --homedir "$NK" --batch --no-tty --quiet --pinentry-mode loopback \
	    --passphrase '' --trust-model always "$@"
}
# newkey ID [CERTIFIED]: a new key for ID's address; certified by ID's
# current key when CERTIFIED is yes; prints the fingerprint and exports
# it to $T/new-ID.asc
newkey() {
	_old=$(c_fpr "$1")
	gall --export-secret-keys "$_old" | ng --import >/dev/null 2>&1 ||
	    fail "old key of $1"
	ng --quick-gen-key "$(c_name "$1") renewed INSECURE <$(c_addr "$1")>" \
	    ed25519 sign never >/dev/null 2>&1 || fail "new key of $1"
	_nf=$(ng --with-colons --list-keys "<$(c_addr "$1")>" |
	    awk -F: -v old="$_old" '/^pub/ { p = 1; next }
	        /^fpr/ && p { p = 0; if ($10 != old) f = $10 }
	        END { print f }')
	ng --quick-add-key "$_nf" cv25519 encr never >/dev/null 2>&1 ||
	    fail "subkey of $1's new key"
	if [ "${2:-}" = yes ]; then
		ng -u "$_old" --quick-sign-key "$_nf" >/dev/null 2>&1 ||
		    fail "certify $1's new key"
	fi
	ng --armor --export "$_nf" > "$T/new-$1.asc"
	echo "$_nf"
}

# compose_to_request ID BODYFILE [ATTACH]: $T/req.eml, BODYFILE's
# commands to ops-request signed by ID's current key, with ATTACH as an
# application/pgp-keys part.
# ask ID BODYFILE [ATTACH]: compose it, mail it, wait for the one answer,
# to ID, decrypted with ID's key into $T/ans
compose_to_request() {
	{
		if [ -n "${3:-}" ]; then
			printf 'Content-Type: multipart/mixed; boundary="K%s"\n' "$PB"
			printf 'Subject: commands\nFrom: "%s" <%s>\n' \
			    "$(c_name "$1")" "$(c_addr "$1")"
			printf 'To: ops-request@hub.test\n\n--K%s\n' "$PB"
			printf 'Content-Type: text/plain; charset=utf-8\n\n'
			cat -- "$2"
			printf '\n--K%s\n' "$PB"
			printf 'Content-Type: application/pgp-keys; name="key.asc"\n'
			printf 'Content-Disposition: attachment; filename="key.asc"\n\n'
			cat -- "$3"
			printf '\n--K%s--\n' "$PB"
		else
			POST_TO=ops-request@hub.test inner_entity "$1" commands "$2"
		fi
	} | crlf | gall -u "$(c_fpr "$1")" -r "$LIST_FPR" --sign --encrypt \
	    --armor | wrap_encrypted "$1" > "$T/req.eml"
}
ask() {
	compose_to_request "$@"
	_before=$(sink_count)
	send --from "$(c_addr "$1")" --to ops-request@hub.test \
	    --file "$T/req.eml" > /dev/null || fail "request not accepted"
	sink_wait $((_before + 1)) 60 || fail "no answer to $1"
	sleep 0.5
	[ "$(sink_count)" -eq $((_before + 1)) ] ||
	    fail "$1: $(($(sink_count) - _before)) answers, want 1"
	M=$(sink_msgs "$_before")
	[ "$(env_rcpts "$M")" = "$(c_addr "$1")" ] ||
	    fail "answer went to $(env_rcpts "$M")"
	copy_check "$M" "$1" > "$T/ans"
}
has() { grep -qF -- "$1" "$T/ans" || fail "answer lacks '$1': $(cat "$T/ans")"; }
key_of() {	# key_of ID: the contact's fingerprint in the store
	expect 0 --json contact show "$(c_addr "$1")"
	jget 'd["fpr"]'
}

# --- certified: replaced at once ----------------------------------------------------
OLD1=$(c_fpr 1)
NEW1=$(newkey 1 yes)
{ printf 'key update\n\n'; cat "$T/new-1.asc"; } > "$T/b.txt"
ask 1 "$T/b.txt"
has "done: key update: your key is now $NEW1, certified by your previous key $OLD1"
[ "$(key_of 1)" = "$NEW1" ] || fail "contact 1's key: $(key_of 1)"
expect 0 --json contact show "$(c_addr 1)"
[ "$(jget 'd["previous_keys"][0]["fpr"]')" = "$OLD1" ] ||
    fail "old key not in the history"
[ "$(jget 'd["previous_keys"][0]["by"]')" = "mail:$(c_addr 1)" ] ||
    fail "history actor: $(jget 'd["previous_keys"][0]["by"]')"
expect 0 --json log
jget '[e["action"] for e in d if e["actor"] == "mail:'"$(c_addr 1)"'"]' |
    grep -q "contact.key" || fail "no contact.key audit row: $(cat "$T/out")"
ok "a new key certified by the current one replaces it, audited as the contact"

# mail signed by the old key is no longer the member's; the new key posts
printf 'TLP:GREEN\n\nafter the key change\n' > "$T/p.txt"
from=$(log_lines)
post_compose 1 "old key" "$T/p.txt" > "$T/p.eml"
post_send "$T/p.eml"
r=$(post_result "$from")
case $r in *"rejected post="*"reason=unknown-signer"*) ;;
*) fail "post signed by the old key: $r" ;; esac
# the list's public key for ng: it is in the community keyring
gall --export "$LIST_FPR" | ng --import 2>/dev/null
from=$(log_lines)
inner_entity 1 "new key" "$T/p.txt" | crlf |
    ng -u "$NEW1" -r "$LIST_FPR" --sign --encrypt --armor |
    wrap_encrypted 1 > "$T/p.eml" || fail "post with the new key"
post_send "$T/p.eml"
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "post signed by the new key: $r" ;; esac
ok "after the change the old key's mail is refused, the new key's relayed"

# --- not certified: held for an admin ----------------------------------------------
OLD2=$(c_fpr 2)
NEW2=$(newkey 2 no)
printf 'X-ADD-KEY:\n' > "$T/b.txt"
ask 2 "$T/b.txt" "$T/new-2.asc"
has "held: key update: your new key $NEW2 is not certified by your current key $OLD2"
[ "$(key_of 2)" = "$OLD2" ] || fail "a held key replaced contact 2's"
# held in the store, not in the keyring: a key no admin accepted can
# bind nothing there (a subkey of someone else's, say)
gpg --homedir "$DATA/gnupg" --batch --list-keys "$NEW2" >/dev/null 2>&1 &&
    fail "the held key is in the hub keyring"
expect 0 --json contact held
[ "$(jget '[(h["address"], h["held_fpr"]) for h in d]')" = \
    "[('$(c_addr 2)', '$NEW2')]" ] || fail "contact held: $(cat "$T/out")"
expect 0 --json contact show "$(c_addr 2)"
[ "$(jget 'd["held_key"]')" = "$NEW2" ] || fail "contact show: held_key"
# until an admin decides, the current key still posts
from=$(log_lines)
post_compose 2 "still the old key" "$T/p.txt" > "$T/p.eml"
post_send "$T/p.eml"
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "held: current key's post: $r" ;; esac
# the admin confirmed a fingerprint: only that one is taken
expect 1 contact key "$(c_addr 2)" --held "$OLD2"
err_has "the key held for $(c_addr 2) is $NEW2, not $OLD2"
expect 0 --json contact key "$(c_addr 2)" --held "$NEW2"
[ "$(jget 'd["replaced"]')" = True ] || fail "--held did not replace"
gpg --homedir "$DATA/gnupg" --batch --list-keys "$NEW2" >/dev/null 2>&1 ||
    fail "the accepted key is not in the hub keyring"
[ "$(key_of 2)" = "$NEW2" ] || fail "--held: contact 2's key"
expect 0 --json contact held
[ "$(jget 'len(d)')" = 0 ] || fail "the hold stays after --held"
expect 1 contact key "$(c_addr 2)" --held "$NEW2"
err_has "has no held key"
ok "an uncertified key (as an attachment, X-ADD-KEY) is held until an admin accepts it"

OLD3=$(c_fpr 3)
NEW3=$(newkey 3 no)
{ printf 'key update\n\n'; cat "$T/new-3.asc"; } > "$T/b.txt"
ask 3 "$T/b.txt"
has "held: key update"
expect 0 --json contact key "$(c_addr 3)" --drop-held
[ "$(jget 'd["dropped_fpr"]')" = "$NEW3" ] || fail "--drop-held: $(cat "$T/out")"
[ "$(key_of 3)" = "$OLD3" ] || fail "--drop-held changed the key"
expect 0 --json contact held
[ "$(jget 'len(d)')" = 0 ] || fail "the hold stays after --drop-held"
ok "an admin refuses a held key: the contact keeps its own"

# --- refused, nothing changed --------------------------------------------------------
printf 'key update\n' > "$T/b.txt"
ask 3 "$T/b.txt"
has "refused: key update: attach your new public key"
# another contact's key (its user id is not 3's address)
printf 'key update\n' > "$T/b.txt"
ng --armor --export "$NEW1" > "$T/k1.asc"
ask 3 "$T/b.txt" "$T/k1.asc"
has "refused: key update: key $NEW1:"
has "nothing was changed"
# two keys in one attachment
cat "$T/new-1.asc" "$T/new-2.asc" > "$T/two.asc"
printf 'key update\n' > "$T/b.txt"
ask 3 "$T/b.txt" "$T/two.asc"
has "refused: key update: send one key, not several"
# the list's own key
gall --armor --export "$LIST_FPR" > "$T/list.asc"
ask 3 "$T/b.txt" "$T/list.asc"
has "refused: key update:"
[ "$(key_of 3)" = "$OLD3" ] || fail "a refused key update changed 3's key"
expect 0 --json contact held
[ "$(jget 'len(d)')" = 0 ] || fail "a refused key update held a key"
# that was member 3's fifth key update today: the sixth is refused
printf 'key update\n' > "$T/b.txt"
ask 3 "$T/b.txt" "$T/new-3.asc"
has "refused: key update: at most 5 key updates a day"
ok "no key, another address's key, two keys, the list's key: refused, nothing changed"

# --- endorse with the certification attached ---------------------------------------
ng --quick-gen-key "Cand Two INSECURE <cand2@cand2.test>" ed25519 sign never \
    >/dev/null 2>&1 || fail "candidate's key"
C2=$(ng --with-colons --list-keys "<cand2@cand2.test>" |
    awk -F: '/^fpr/ { print $10; exit }')
ng --quick-add-key "$C2" cv25519 encr never >/dev/null 2>&1 ||
    fail "candidate's subkey"
ng --armor --export "$C2" > "$T/c2.asc"
hc team add CAND2 --kind member --state candidate
hc contact add cand2@cand2.test --team CAND2 --key "$T/c2.asc"
# member 3 certifies it in its own keyring only: the hub's copy lacks it
gall --export-secret-keys "$(c_fpr 3)" | ng --import >/dev/null 2>&1
ng -u "$(c_fpr 3)" --quick-sign-key "$C2" >/dev/null 2>&1 ||
    fail "certify the candidate"
ng --armor --export "$C2" > "$T/c2-cert.asc"
printf 'endorse CAND2\n' > "$T/b.txt"
# a key that is none of the candidate's: not read, and said so
ask 3 "$T/b.txt" "$T/k1.asc"
has "done: T03 endorses CAND2"
has "the attached key $NEW1 is no key of CAND2's contacts: not read"
has "evidence: no certification"
# a team that is no candidate: the same answer as without a key
printf 'endorse T01\nendorse NOSUCH\n' > "$T/b2.txt"
ask 3 "$T/b2.txt" "$T/c2-cert.asc"
[ "$(grep -c '^refused: no candidate team by that name' "$T/ans")" -eq 2 ] ||
    fail "endorse of no candidate with a key: $(cat "$T/ans")"
grep -q "attached\|certification" "$T/ans" &&
    fail "the answer tells of the key for no candidate: $(cat "$T/ans")"
ask 3 "$T/b.txt" "$T/c2-cert.asc"
has "done: T03 endorses CAND2 (again"
has "1 certification by your team's keys was added to the hub's copy of the key $C2"
has "evidence: key $(c_fpr 3) of $(c_addr 3) certified"
ok "endorse: the candidate's key certified by the endorser, attached, is the evidence; any other key is not read"

# the mailed copy may add certifications by the endorser's team only:
# not a subkey (a copy made by the candidate could carry a member's
# public subkey, making that member's signatures ambiguous), not a
# stranger's certifications (anyone can make thousands)
ng --quick-add-key "$C2" ed25519 auth never >/dev/null 2>&1 ||
    fail "a second subkey on the candidate's key"
ng -u "$(c_fpr 3)" --quick-sign-key "$C2" >/dev/null 2>&1 || true
ng --armor --export "$C2" > "$T/c2-sub.asc"
ask 3 "$T/b.txt" "$T/c2-sub.asc"
has "the attached key $C2 was not read: it adds subkeys the hub's copy lacks"
n=$(gpg --homedir "$DATA/gnupg" --batch --with-colons --list-keys "$C2" |
    grep -c '^sub:')
[ "$n" = 1 ] || fail "the hub's copy of the candidate's key has $n subkeys"
rm -rf "$CK/ng2"
mkdir -m 700 "$CK/ng2"
gall --export-secret-keys "$(c_fpr stranger)" |
    gpg --homedir "$CK/ng2" --batch --quiet --import >/dev/null 2>&1
gpg --homedir "$DATA/gnupg" --batch --armor --export "$C2" |
    gpg --homedir "$CK/ng2" --batch --quiet --import >/dev/null 2>&1
gpg --homedir "$CK/ng2" --batch --yes --pinentry-mode loopback \
    --passphrase '' -u "$(c_fpr stranger)" --quick-sign-key "$C2" \
    >/dev/null 2>&1 || fail "the stranger's certification"
gpg --homedir "$CK/ng2" --batch --armor --export "$C2" > "$T/c2-str.asc"
ask 3 "$T/b.txt" "$T/c2-str.asc"
has "was not read: it carries certifications by keys that are not your team's"
ok "endorse: a copy adding a subkey, or a stranger's certification, is not read"

# --- a contact revokes its own key: taken, though a revoked key is no new key
stop_hubd
HUB_FAKE_NOW=$(($(date +%s) + 86400))	# a day on: key updates again
export HUB_FAKE_NOW
start_hubd
keycheck_settle
# gpg asks: revoke? the reason (0), a description (none), all right?
printf 'y\n0\n\ny\n' | gpg --homedir "$NK" --no-tty --pinentry-mode loopback \
    --passphrase '' --command-fd 0 --armor --output "$T/rev3.rev" \
    --gen-revoke "$OLD3" >/dev/null 2>&1 || fail "member 3's revocation"
ng --import "$T/rev3.rev" >/dev/null 2>&1 || fail "import the revocation"
ng --armor --export "$OLD3" > "$T/rev3.asc"
# the answer would go to the revoked key: the admins are told instead
printf 'key update\n' > "$T/b.txt"
compose_to_request 3 "$T/b.txt" "$T/rev3.asc"
before=$(sink_count)
from=$(log_lines)
send --from "$(c_addr 3)" --to ops-request@hub.test --file "$T/req.eml" \
    > /dev/null || fail "revocation mail not accepted"
wait_log "key-revoked-by-contact id=.* contact=$(c_addr 3) fpr=$OLD3" 30 \
    "$from" || fail "the revocation was not taken"
wait_log "notice id=[0-9a-f-]+ kind=key-unusable list=ops to=admin@hub.test" \
    30 "$from" || fail "the admins were not told"
gpg --homedir "$DATA/gnupg" --batch --with-colons --list-keys "$OLD3" |
    grep -q '^pub:r:' || fail "the hub keyring does not hold the revocation"
from=$(log_lines)
post_compose 3 "after my revocation" "$T/p.txt" > "$T/p.eml"
post_send "$T/p.eml"
r=$(post_result "$from")
case $r in *"rejected post="*"reason=signer-key-revoked"*) ;;
*) fail "post signed by the revoked key: $r" ;; esac
stop_hubd
ok "a contact's revocation of its own key is taken: its mail is refused from then on"
