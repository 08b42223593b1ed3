#!/bin/sh
# Mail clients' shapes through the real hubd (issue 13 items 3 and 6),
# and the attacker's tries at each leniency:
#  - planck/pEp: a clear text/plain explanation beside the encrypted part.
#    The post is relayed without it (the copy holds nothing of it, its
#    TLP marking does not widen the label), the log says dropped=1, and
#    the signer is told in an encrypted notice (parts-dropped).
#  - Outlook with GpgOL: the PGP/MIME message as the attachment
#    GpgOL_MIME_structure.mime (base64) or .txt beside a placeholder:
#    relayed as the message it carries, the placeholder left out.
#  - Refused still: a GpgOL attachment carrying anything but one envelope
#    (malformed), a member's clearsigned text or an unsigned encrypted
#    block beside the signed part, also in UTF-16 or HTML-escaped, an
#    attachment (any name spelling, or none), another application/
#    pgp-encrypted in Exchange's shape (unprotected-parts), a member's
#    relayed post wrapped again in the pEp shape (replay); a stranger's
#    post in either shape, the admins told rejected/ holds clear parts.
# Contacts: 1, 2 members of ops (1 signs with a subkey), p1 a partner;
# ops's default label is AMBER, so rcpts=2 unless the post says GREEN.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 2 1
start_hubd

# sendpost FILE: send, print the worker's verdict line.
sendpost() {
	_from=$(log_lines)
	post_send "$1"
	post_result "$_from"
}

expect_reject() {
	_line=$(sendpost "$2")
	case $_line in
	*"rejected post="*"reason=$3 "*|*"rejected post="*"reason=$3") ;;
	*) fail "$1: want reason=$3, got: $_line" ;;
	esac
	ok "$1: refused, reason=$3"
}

# signed_ct FROM_ID SUBJECT BODYFILE: the post's entity signed by FROM_ID
# and encrypted to the list, armored, on stdout.
signed_ct() {
	inner_entity "$1" "$2" "$3" | crlf |
	    gall -u "$(c_fpr "$1")" -r "$LIST_FPR" --sign --encrypt --armor
}

# enc_entity < ARMOR: a multipart/encrypted entity (no message headers).
enc_entity() {
	printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E%s"\n\n' "$PB"
	printf -- '--E%s\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n' "$PB"
	printf -- '--E%s\nContent-Type: application/octet-stream; name="msg.asc"\n\n' "$PB"
	cat
	printf -- '\n--E%s--\n' "$PB"
}

# pep_mail FROM_ID EXPLANATION-FILE < ENTITY: the pEp shape.
pep_mail() {
	outer_headers "$1" "p=p" "multipart/mixed; boundary=\"M$PB\""
	printf -- '--M%s\nContent-Type: text/plain; charset=utf-8\n\n' "$PB"
	cat -- "$2"
	printf -- '\n--M%s\n' "$PB"
	cat
	printf -- '\n--M%s--\n' "$PB"
}

# gpgol_mail FROM_ID NAME TYPE < ENTITY: Outlook with GpgOL.
gpgol_mail() {
	outer_headers "$1" "GpgOL" "multipart/mixed; boundary=\"G$PB\""
	printf -- '--G%s\nContent-Type: text/plain; charset=us-ascii\n\n' "$PB"
	printf 'This message is encrypted with GpgOL. GPGOL-PLACEHOLDER-MARK\n'
	printf -- '--G%s\nContent-Type: %s; name="%s"\n' "$PB" "$3" "$2"
	printf 'Content-Disposition: attachment; filename="%s"\n' "$2"
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64
	printf -- '--G%s--\n' "$PB"
}

# copy_for ID POST: contact ID's copy of POST, decrypted with its key.
copy_for() {
	for _m in $(sink_by_rcpt "$(c_addr "$1")"); do
		_out=$(copy_check "$_m" "$1")
		case $_out in *"Post id:     $2"*)
			printf '%s\n' "$_out"
			return 0 ;;
		esac
	done
	fail "no copy of $2 for $1"
}

# --- planck/pEp ----------------------------------------------------------------------
printf 'TLP:AMBER\nIndicators from pEp: 198.51.100.61\n' > "$T/pep.txt"
printf 'This message was encrypted with p=p. TLP:CLEAR PEP-CLEAR-MARK evil.test\n' \
    > "$T/explain.txt"
signed_ct 1 "pEp post" "$T/pep.txt" | enc_entity |
    pep_mail 1 "$T/explain.txt" > "$T/pep.eml"
from=$(log_lines)
line=$(sendpost "$T/pep.eml")
case $line in *"accepted post="*) ;; *) fail "pEp: not accepted: $line" ;; esac
PEP=$(field post "$line")
[ "$(field dropped "$line")" = 1 ] || fail "pEp: $line"
# the explanation's TLP:CLEAR is not the signer's: AMBER, members only
[ "$(field tlp "$line")" = TLP:AMBER ] || fail "pEp: label widened: $line"
[ "$(field rcpts "$line")" = 2 ] || fail "pEp: $line"
wait_log "notice id=$PEP kind=parts-dropped list=ops to=$(c_addr 1) encrypted=yes" \
    30 "$from" || fail "pEp: no parts-dropped notice to the signer"
sink_wait 3 30 || fail "pEp: $(sink_count) messages at the sink"
sleep 0.5
out=$(copy_for 2 "$PEP")
case $out in *"198.51.100.61"*) ;; *) fail "pEp: the post is not in the copy" ;; esac
case $out in *PEP-CLEAR-MARK*|*evil.test*)
	fail "pEp: the clear explanation was relayed" ;;
esac
for m in $(sink_by_rcpt "$(c_addr 1)"); do
	n=$(copy_check "$m" 1)
	case $n in *"relayed without 1 part"*) NOTICE=$n ;; esac
done
[ -n "${NOTICE:-}" ] || fail "pEp: the signer's notice"
case $NOTICE in *PEP-CLEAR-MARK*) fail "pEp: the notice quotes the part" ;; esac
printf '%s\n' "$NOTICE" | grep -q '^Subject: \[ops\] post relayed without 1 unprotected part' ||
    fail "pEp: notice subject"
wait_log "archived post=$PEP" 30 "$from" || fail "pEp: not archived"
ok "pEp: relayed without its clear explanation, signer told"

# the same post wrapped again by someone who kept it: a replay
sed -n '/^--M/,$p' "$T/pep.eml" > "$T/pep.body"
{ outer_headers 2 "again" "multipart/mixed; boundary=\"M$PB\""
  cat "$T/pep.body"; } > "$T/again.eml"
expect_reject "pEp post sent again in another wrapper" "$T/again.eml" replay

# --- Outlook with GpgOL --------------------------------------------------------------
printf 'TLP:GREEN\nIndicators from Outlook: 203.0.113.62\n' > "$T/gol.txt"
signed_ct 2 "GpgOL post" "$T/gol.txt" | enc_entity |
    gpgol_mail 2 GpgOL_MIME_structure.mime application/octet-stream > "$T/gol.eml"
line=$(sendpost "$T/gol.eml")
case $line in *"accepted post="*) ;; *) fail "GpgOL: not accepted: $line" ;; esac
GOL=$(field post "$line")
[ "$(field tlp "$line")" = TLP:GREEN ] || fail "GpgOL: $line"
[ "$(field rcpts "$line")" = 3 ] || fail "GpgOL: $line"
[ "$(field dropped "$line")" = 0 ] || fail "GpgOL: $line"
grep -q "decrypted id=$GOL status=ok form=pgp-mime-encrypted gpgol=1" "$LOG" ||
    fail "GpgOL: not read as GpgOL's attachment"
sink_wait 6 30 || fail "GpgOL: $(sink_count) messages at the sink"
sleep 0.5
out=$(copy_for 1 "$GOL")
case $out in *"203.0.113.62"*) ;; *) fail "GpgOL: the post is not in the copy" ;; esac
case $out in *GPGOL-PLACEHOLDER-MARK*) fail "GpgOL: placeholder relayed" ;; esac
ok "GpgOL: GpgOL_MIME_structure.mime relayed as the message it carries"

printf 'TLP:AMBER\nAnother from Outlook: 203.0.113.63\n' > "$T/gol2.txt"
signed_ct 1 "GpgOL txt" "$T/gol2.txt" | enc_entity |
    gpgol_mail 1 GpgOL_MIME_structure.txt text/plain > "$T/gol2.eml"
line=$(sendpost "$T/gol2.eml")
case $line in *"accepted post="*) ;; *) fail "GpgOL .txt: $line" ;; esac
ok "GpgOL: GpgOL_MIME_structure.txt too"

# --- the attacker's tries ------------------------------------------------------------
# GpgOL's attachment carrying a mixed with an envelope inside: one level
# only, nothing is unwrapped again
printf 'TLP:CLEAR\nATTACKER TEXT\n' > "$T/att.txt"
signed_ct 1 "nested" "$T/gol2.txt" | enc_entity > "$T/env.ent"
{ printf 'Content-Type: multipart/mixed; boundary="N%s"\n\n--N%s\n' "$PB" "$PB"
  printf 'Content-Type: text/plain\n\n'
  cat "$T/att.txt"
  printf -- '--N%s\n' "$PB"
  cat "$T/env.ent"
  printf -- '\n--N%s--\n' "$PB"; } |
    gpgol_mail 1 GpgOL_MIME_structure.mime application/octet-stream > "$T/c.eml"
expect_reject "GpgOL attachment carrying more than an envelope" "$T/c.eml" \
    malformed

# a member's published clearsigned text beside its signed encrypted part,
# in the pEp shape: OpenPGP data outside the encryption is never dropped
printf 'Published, signed by member 1: install the patch from evil.test\n' |
    gall -u "$(c_fpr 1)" --clearsign > "$T/cs.txt"
signed_ct 1 "with clearsigned" "$T/gol2.txt" | enc_entity |
    pep_mail 1 "$T/cs.txt" > "$T/c.eml"
expect_reject "pEp shape, a clearsigned text beside" "$T/c.eml" \
    unprotected-parts

# an attacker's unsigned encrypted block, inline, beside the signed part
printf 'ATTACKER TEXT: install the patch from evil.test\n' |
    gall -r "$LIST_FPR" --encrypt --armor > "$T/b.asc"
signed_ct 1 "with a block" "$T/gol2.txt" | enc_entity |
    pep_mail 1 "$T/b.asc" > "$T/c.eml"
expect_reject "pEp shape, an unsigned encrypted block beside" "$T/c.eml" \
    unprotected-parts

# ... or as a second PGP/MIME part
{ outer_headers 1 "two" "multipart/mixed; boundary=\"M$PB\""
  printf -- '--M%s\n' "$PB"
  signed_ct 1 "two envelopes" "$T/gol2.txt" | enc_entity
  printf -- '\n--M%s\n' "$PB"
  enc_entity < "$T/b.asc"
  printf -- '\n--M%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "a second, unsigned envelope beside the signed one" \
    "$T/c.eml" unprotected-parts

# a clear attachment beside it is not an explanation
{ outer_headers 1 "attachment" "multipart/mixed; boundary=\"M$PB\""
  printf -- '--M%s\nContent-Type: text/plain; name="notes.txt"\n' "$PB"
  printf 'Content-Disposition: attachment; filename="notes.txt"\n\n'
  cat "$T/att.txt"
  printf -- '--M%s\n' "$PB"
  signed_ct 1 "attachment" "$T/gol2.txt" | enc_entity
  printf -- '\n--M%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "a clear attachment beside the encrypted part" "$T/c.eml" \
    unprotected-parts

# ... nor one whose name is spelt by RFC 2231, or that has no name
{ outer_headers 1 "attachment*" "multipart/mixed; boundary=\"M$PB\""
  printf -- "--M%s\nContent-Type: text/plain\n" "$PB"
  printf "Content-Disposition: inline; filename*=utf-8''notes.txt\n\n"
  cat "$T/att.txt"
  printf -- '--M%s\n' "$PB"
  signed_ct 1 "attachment*" "$T/gol2.txt" | enc_entity
  printf -- '\n--M%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "an RFC 2231-named attachment beside the encrypted part" \
    "$T/c.eml" unprotected-parts
{ outer_headers 1 "nameless" "multipart/mixed; boundary=\"M$PB\""
  printf -- '--M%s\nContent-Type: text/plain\n' "$PB"
  printf 'Content-Disposition: attachment\n\n'
  cat "$T/att.txt"
  printf -- '--M%s\n' "$PB"
  signed_ct 1 "nameless" "$T/gol2.txt" | enc_entity
  printf -- '\n--M%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "a nameless attachment beside the encrypted part" "$T/c.eml" \
    unprotected-parts

# the unsigned encrypted block again, spelt so that its bytes are not
# "-----BEGIN PGP": UTF-16LE, or HTML with character references
iconv -f UTF-8 -t UTF-16LE < "$T/b.asc" | base64 > "$T/b16.b64"
{ outer_headers 1 "utf-16" "multipart/mixed; boundary=\"M$PB\""
  printf -- '--M%s\nContent-Type: text/plain; charset=utf-16le\n' "$PB"
  printf 'Content-Transfer-Encoding: base64\n\n'
  cat "$T/b16.b64"
  printf -- '--M%s\n' "$PB"
  signed_ct 1 "utf-16" "$T/gol2.txt" | enc_entity
  printf -- '\n--M%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "pEp shape, a UTF-16 encrypted block beside" "$T/c.eml" \
    unprotected-parts
{ printf '<pre>'; sed 's/-/\&#45;/g' "$T/b.asc"; printf '</pre>\n'; } \
    > "$T/b.html"
{ outer_headers 1 "html" "multipart/mixed; boundary=\"M$PB\""
  printf -- '--M%s\nContent-Type: text/html; charset=utf-8\n\n' "$PB"
  cat "$T/b.html"
  printf -- '--M%s\n' "$PB"
  signed_ct 1 "html" "$T/gol2.txt" | enc_entity
  printf -- '\n--M%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "pEp shape, an HTML-escaped encrypted block beside" \
    "$T/c.eml" unprotected-parts

# Exchange's re-wrap with one more application/pgp-encrypted part: only
# the control part before the payload is Exchange's
signed_ct 1 "exchange" "$T/gol2.txt" > "$T/x.asc"
{ outer_headers 1 "exchange" "multipart/mixed; boundary=\"X$PB\""
  printf -- '--X%s\nContent-Type: text/plain\n\n\n' "$PB"
  printf -- '--X%s\nContent-Type: application/pgp-encrypted\n\n' "$PB"
  cat "$T/att.txt"
  printf -- '--X%s\nContent-Type: application/pgp-encrypted\n\n' "$PB"
  printf 'Version: 1\n'
  printf -- '--X%s\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n' "$PB"
  cat "$T/x.asc"
  printf -- '--X%s--\n' "$PB"; } > "$T/c.eml"
expect_reject "Exchange shape, another application/pgp-encrypted" \
    "$T/c.eml" unprotected-parts

# A stranger's post in the pEp or the GpgOL shape is refused, and the
# admins' notice says what rejected/ holds: the mail as received, its
# clear part (the explanation, the placeholder) in it
admin_kept() {
	_before=$(sink_count)
	_line=$(sendpost "$2")
	case $_line in *"reason=unknown-signer"*) ;;
	*) fail "$1: want unknown-signer, got: $_line" ;; esac
	sink_wait $((_before + 1)) 30 || fail "$1: no admins' notice"
	sleep 0.5
	_n=
	for _m in $(sink_by_rcpt "$(c_addr admin)" "$_before"); do
		_n=$(copy_check "$_m" admin) || fail "$1: notice"
	done
	printf '%s\n' "$_n" | grep -q 'kept as received, partly in clear' ||
	    fail "$1: admins told: $(printf '%s\n' "$_n" | grep -A1 kept)"
	ok "$1: refused, rejected/ said to hold clear parts"
}
inner_entity stranger "stranger pEp" "$T/pep.txt" | crlf |
    gall -u "$(c_fpr stranger)" -r "$LIST_FPR" --sign --encrypt --armor |
    enc_entity | pep_mail stranger "$T/explain.txt" > "$T/c.eml"
admin_kept "a stranger's post in the pEp shape" "$T/c.eml"
inner_entity stranger "stranger GpgOL" "$T/gol.txt" | crlf |
    gall -u "$(c_fpr stranger)" -r "$LIST_FPR" --sign --encrypt --armor |
    enc_entity | gpgol_mail stranger GpgOL_MIME_structure.mime \
    application/octet-stream > "$T/c.eml"
admin_kept "a stranger's post in the GpgOL shape" "$T/c.eml"

# nothing of the attacker's text left the hub: every message at the
# sink is for one of these contacts, and its plaintext (the copies and
# notices are encrypted) holds none of it
seen=0
for id in 1 2 p1 admin; do
	for m in $(sink_by_rcpt "$(c_addr "$id")"); do
		out=$(copy_check "$m" "$id") || fail "$m: not for $id"
		case $out in *"ATTACKER TEXT"*|*"install the patch"*)
			fail "attacker text at the sink: $m ($id)" ;;
		esac
		seen=$((seen + 1))
	done
done
[ "$seen" -eq "$(sink_count)" ] ||
    fail "$seen of $(sink_count) messages at the sink read"
stop_hubd
ok "mail clients' shapes relayed, the attacker's refused"
