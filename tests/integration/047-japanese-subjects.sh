#!/bin/sh
# Japanese subjects through the real hubd (issue 16 items 6 and 8).
# A post whose signed Subject is one ISO-2022-JP encoded word carrying
# "TLP:GREEN" and whose body names a domain in full-width letters:
#  - each copy's protected Subject decodes (python3 email.header, as a
#    client would) to the tag, the label once, the Japanese text; it is
#    RFC 2047 UTF-8 on the wire (ASCII only);
#  - the outer headers show nothing of the sender: From the list alone,
#    Subject the RFC 9788 placeholder "[...]", no name, address, domain
#    or team anywhere outside the encryption;
#  - the archive's search (text, JSON, CSV) and its MISP, STIX and CSV
#    exports show the decoded subject, and the full-width domain is
#    found as login.example.jp.
# Then the attacker's subject: an encoded CR LF with a header after it, a
# bidi override and a hidden TLP:CLEAR -> one header line, no control or
# override anywhere, the post's own label in front.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 2 1
start_hubd

JA='不正アクセスの報告'
b64() { printf '%s' "$1" | iconv -f UTF-8 -t "$2" | base64 -w0; }
SUBJ="=?ISO-2022-JP?B?$(b64 "TLP:GREEN $JA" ISO-2022-JP)?="

# the Subject of member 2's copy of the last post, decoded; the raw
# protected header into $T/subj.raw
copy_subject() {
	_m=$(sink_by_rcpt "$(c_addr 2)" "$1")
	[ "$(echo "$_m" | grep -c .)" -eq 1 ] || fail "member 2: no one copy"
	copy_check "$_m" 2 > "$T/clear.out"
	python3 - "$T/clear.out" "$T/subj.raw" <<'EOF' || fail "copy's subject"
import email, email.header, sys
raw = open(sys.argv[1], "rb").read()
# the signed entity: the first header block that has X-CSIRT-Hub-TLP
msgs = [email.message_from_bytes(raw)]
subj = None
while msgs:
    m = msgs.pop(0)
    if m["X-CSIRT-Hub-TLP"] is not None:
        subj = m.get_all("Subject")
        break
    if m.is_multipart():
        msgs.extend(m.get_payload())
assert subj is not None and len(subj) == 1, subj
v = str(subj[0])
open(sys.argv[2], "w").write(v)
assert all(ord(c) < 128 for c in v), "8-bit Subject: %r" % v
for i, line in enumerate(v.replace("\r\n", "\n").split("\n")):
    assert len(line) <= (78 - len("Subject: ") if i == 0 else 78), line
print(str(email.header.make_header(email.header.decode_header(v))))
EOF
}

# --- the post -------------------------------------------------------------------
before=$(sink_count)
printf '%s\n\n%s\n%s\n' "TLP:GREEN" \
    "偽サイト ｌｏｇｉｎ．ｅｘａｍｐｌｅ．ｊｐ へ誘導されます。" \
    "接続元 198.51.100.44" > "$T/body.txt"
post_compose 1 "$SUBJ" "$T/body.txt" > "$T/post.eml"
P=ops:$(post_archived "$T/post.eml")
sink_wait $((before + 3)) 60 || fail "GREEN: $(($(sink_count) - before)) of 3"
got=$(copy_subject "$before")
[ "$got" = "[ops] TLP:GREEN $JA" ] || fail "copy's subject: '$got'"
grep -q '=?UTF-8?B?' "$T/subj.raw" || fail "not RFC 2047: $(cat "$T/subj.raw")"
ok "the copy's subject decodes to '[ops] TLP:GREEN $JA' (one label)"

# --- nothing of the sender in clear --------------------------------------------------
for id in 2 p1; do
	m=$(sink_by_rcpt "$(c_addr "$id")" "$before")
	[ "$(outer_header "$m" From)" = "ops <ops@hub.test>" ] ||
	    fail "$id: outer From $(outer_header "$m" From)"
	[ "$(outer_header "$m" Subject)" = "[...]" ] ||
	    fail "$id: outer Subject $(outer_header "$m" Subject)"
	if sed '/^\r*$/q' "$m" | grep -Eiq "$(c_name 1)|$(c_addr 1)|t01\.test|\<$(c_team 1)\>| via |ISO-2022-JP|TLP:"; then
		fail "$id: the sender or the subject in the outer headers: $(sed '/^\r*$/q' "$m")"
	fi
	# inside, the protected From names the sender and the team
	copy_check "$m" "$id" | grep -q "^From: \"$(c_name 1) ($(c_team 1)) via ops\"" ||
	    fail "$id: the protected From does not name the sender"
done
ok "outer From the list alone, outer Subject [...]; the sender inside only"

# --- the archive ---------------------------------------------------------------------
expect 0 --json archive search login.example.jp
[ "$(jget "[h['indicator'] for h in d['hits']] == ['login.example.jp'] and \
d['hits'][0]['reports'][0]['subject'] == 'TLP:GREEN $JA'")" = True ] ||
    fail "search: $(cat "$T/out")"
expect 0 archive search 198.51.100.44
grep -q "TLP:GREEN $JA" "$T/out" || fail "text search: $(cat "$T/out")"
expect 0 archive search 198.51.100.44 --csv
grep -q "TLP:GREEN $JA" "$T/out" || fail "search csv: $(cat "$T/out")"
expect 0 --json archive show "$P"
[ "$(jget "d['subject'] == 'TLP:GREEN $JA'")" = True ] ||
    fail "show: $(cat "$T/out")"
ok "search (text, JSON, CSV) and show: the decoded subject; the full-width domain found"

expect 0 archive export --format csv
grep -q "TLP:GREEN $JA" "$T/out" || fail "CSV export: $(head -n 3 "$T/out")"
expect 0 archive export --format misp --out "$T/misp"
expect 0 archive export --format stix --out "$T/bundle.json"
python3 - "$T/misp" "$T/bundle.json" "TLP:GREEN $JA" <<'EOF' || fail "MISP/STIX subject"
import json, os, sys
d, b, want = sys.argv[1:]
man = json.load(open(os.path.join(d, "manifest.json")))
infos = [json.load(open(os.path.join(d, u + ".json")))["Event"]["info"]
         for u in man]
assert want in infos, infos
descs = [o.get("description", "") for o in json.load(open(b))["objects"]]
assert any(want in x for x in descs), descs
assert not any("=?" in x for x in infos + descs)
EOF
! grep -rq '=?ISO-2022-JP' "$T/misp" "$T/bundle.json" ||
    fail "an encoded word in an export"
ok "CSV, MISP event info and STIX description: the decoded subject"

# --- the attacker's subject ----------------------------------------------------------
before=$(sink_count)
EVIL="=?utf-8?q?x=0D=0ABcc:_evil@evil.test=0D=0A?= =?utf-8?b?$(printf '\342\200\256DER:PLT' | base64 -w0)?= =?utf-8?q?_TLP:CLEAR?="
printf 'TLP:AMBER\n\nnothing\n' > "$T/body.txt"
post_compose 1 "$EVIL" "$T/body.txt" > "$T/evil.eml"
E=ops:$(post_archived "$T/evil.eml")
sink_wait $((before + 2)) 60 || fail "evil: $(($(sink_count) - before)) of 2"
got=$(copy_subject "$before")
case $got in
"[ops] TLP:AMBER x Bcc: evil@evil.test �DER:PLT TLP:CLEAR") ;;
*) fail "evil subject: '$got'" ;;
esac
grep -qi '^Bcc:' "$T/clear.out" && fail "an injected Bcc header"
printf '%s' "$got" | grep -q "$(printf '\342\200\256')" && fail "RLO survived"
expect 0 --json archive show "$E"
[ "$(jget "'\u202e' not in d['subject'] and not any(ord(c) < 32 for c in d['subject'])")" = True ] ||
    fail "archived subject: $(cat "$T/out")"
ok "encoded CR LF, bidi override, hidden label: one line, replaced, label in front"
stop_hubd
