#!/bin/sh
# Japanese and English mail (issue 16 item 5) through the real hubd: each
# contact gets the hub's mail in its own language, whatever another
# recipient's, in one worker: a Japanese contact the help, a refused
# post's notice and a delivery receipt in Japanese, an English one in
# English.  Each mail is
# read as a client reads it: decrypted with the contact's key alone
# (copy_check), then decoded by python3's email module (RFC 2047 Subject
# and display name, UTF-8 body), and compared with the translation in
# po/ja.po (the catalog hubd reads, built from it).  The language:
# hubctl contact set ADDRESS lang=, shown by contact show; the mail
# command "language ja|en" changes the asker's own (audited as the
# asker), is refused for a contact not on the list, changes nothing
# when replayed; community set lang= is the default of those who chose
# none.
#
# Contacts: 1, 2 members of ops; 3 a member of intel only (T03); p1, p2
# partners of ops (their posts are refused: not-allowed-to-post).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

# hubd reads LOCALEDIR/ja/LC_MESSAGES/csirt-hub.mo: the one just built
GMO="$top_srcdir/po/ja.gmo"
[ -f "$GMO" ] || GMO="$top_builddir/po/ja.gmo"
[ -f "$GMO" ] || fail "po/ja.gmo not built"
mkdir -p "$T/locale/ja/LC_MESSAGES" || fail "mkdir locale"
cp "$GMO" "$T/locale/ja/LC_MESSAGES/csirt-hub.mo" || fail "copy $GMO"
HUB_LOCALEDIR="$T/locale"
export HUB_LOCALEDIR
PO="$top_srcdir/po/ja.po"

community_make 3 2
hc list create intel
hc unsubscribe ops "$(c_addr 3)"
hc subscribe intel "$(c_addr 3)" --role member

# --- hubctl: contact set lang=, community set lang= -------------------------------
expect 0 --json contact show "$(c_addr 1)"
[ "$(jget "d['lang']")" = default ] || fail "new contact: lang $(cat "$T/out")"
expect 0 --json contact set "$(c_addr 1)" lang=ja
[ "$(jget "d['lang']")" = ja ] || fail "contact set: $(cat "$T/out")"
expect 0 --json contact show "$(c_addr 1)"
[ "$(jget "d['lang']")" = ja ] || fail "contact show: $(cat "$T/out")"
expect 0 contact set "$(c_addr p1)" lang=ja
expect 2 contact set "$(c_addr 2)" lang=fr
err_has "bad value for lang: fr"
expect 2 contact set "$(c_addr 2)" colour=blue
expect 1 contact set nobody@nowhere.test lang=ja
expect 0 --json community show
[ "$(jget "d['lang']")" = en ] || fail "community default: $(cat "$T/out")"
expect 1 community set lang=de
err_has "bad value for lang: de"
expect 0 --json log
grep -q '"contact.lang"' "$T/out" || fail "contact set not audited"
ok "hubctl: contact set lang=, contact show, community lang"

start_hubd

# po MSGID [ARG...]: ja.po's translation of MSGID (C escapes), with ARGs
# put into its %s/%d/%u, LF line ends; MSGID ending in "..." is the one
# msgid it begins; prints nothing if it is missing or empty (po runs in
# a command substitution, where fail cannot end the test: body_has and
# subj_is refuse an empty expectation).
po() {
	python3 - "$PO" "$@" <<'EOF' || fail "po: no translation of $2"
import re, sys
def unq(s):
    return bytes(s[1:-1], 'utf-8').decode('unicode_escape').encode(
        'latin-1').decode('utf-8')
ids, cur, field = {}, None, None
for line in open(sys.argv[1], encoding='utf-8'):
    line = line.strip()
    m = re.match(r'(msgid|msgid_plural|msgstr(?:\[0\])?) (".*")$', line)
    if m:
        field = m.group(1)
        if field == 'msgid':
            cur = [unq(m.group(2)), '']
        elif field.startswith('msgstr'):
            cur[1] = unq(m.group(2))
            ids[cur[0]] = cur
        continue
    if line.startswith('"') and cur is not None:
        if field == 'msgid':
            cur[0] += unq(line)
        elif field.startswith('msgstr'):
            cur[1] += unq(line)
            ids[cur[0]] = cur
want = bytes(sys.argv[2], 'utf-8').decode('unicode_escape')
if want.endswith('...'):
    # a prefix of one msgid: the long help text is not spelt out twice
    hits = [k for k in ids if k.startswith(want[:-3])]
    t = ids[hits[0]][1] if len(hits) == 1 else ''
else:
    t = ids.get(want, ['', ''])[1]
if not t:
    sys.exit(1)
args = tuple(int(a) if a.isdigit() else a for a in sys.argv[3:])
sys.stdout.write(t % args if args else t)
EOF
}

# decode MAIL ID: MAIL decrypted with ID's key alone and signed by the
# list (copy_check), read as a client reads it: $T/subj the Subject
# (protected, RFC 2047 decoded), $T/from the outer From's display name
# (decoded), $T/body the text/plain parts (UTF-8, LF).
decode() {
	copy_check "$1" "$2" > "$T/dec.eml"
	python3 - "$1" "$T/dec.eml" "$T" <<'EOF' || fail "decode $1"
import email, email.policy, sys
pol = email.policy.default
outer = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=pol)
inner = email.message_from_binary_file(open(sys.argv[2], 'rb'), policy=pol)
subj = str(inner['Subject'] or '')
name = outer['From'].addresses[0].display_name
body = ''
for p in inner.walk():
    if p.get_content_type() == 'text/plain':
        body += p.get_content().replace('\r\n', '\n')
for n, v in (('subj', subj), ('from', name), ('body', body)):
    open(sys.argv[3] + '/' + n, 'w', encoding='utf-8').write(v)
EOF
	# the raw headers are ASCII: Japanese only in encoded words
	sed -n '/^\r\{0,1\}$/q; p' "$1" | tr -d '\r' | LC_ALL=C grep -q '[^ -~	]' &&
	    fail "$1: raw 8-bit in the outer header"
	sed -n '/^\r\{0,1\}$/q; p' "$T/dec.eml" | tr -d '\r' | LC_ALL=C grep -q '[^ -~	]' &&
	    fail "$1: raw 8-bit in the protected header"
	return 0
}

subj_is() {
	[ "$(cat "$T/subj")" = "$1" ] || fail "Subject '$(cat "$T/subj")', want '$1'"
}
from_is() {
	[ "$(cat "$T/from")" = "$1" ] || fail "From name '$(cat "$T/from")', want '$1'"
}
# body_has TEXT: the decoded body holds TEXT (several lines may be).
body_has() {
	[ -n "$1" ] || fail "body_has: nothing to look for (a po lookup failed)"
	printf '%s' "$1" > "$T/want"
	python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
	    "$T/want" "$T/body" ||
	    fail "body lacks '$1': $(cat "$T/body")"
}
body_lacks() {
	! grep -qF -- "$1" "$T/body" || fail "body has '$1': $(cat "$T/body")"
}

# ask ID TEXT: a signed, encrypted command mail to ops-request from ID;
# its one answer, to ID, decoded ($M the raw mail).
ask() {
	printf '%s\n' "$2" > "$T/body.txt"
	POST_TO=ops-request@hub.test post_compose "$1" commands \
	    "$T/body.txt" good > "$T/req.eml"
	_before=$(sink_count)
	send --from "$(c_addr "$1")" --to ops-request@hub.test \
	    --file "$T/req.eml" > /dev/null || fail "request from $1"
	sink_wait $((_before + 1)) 30 || fail "no answer to $1"
	sleep 0.5
	[ "$(sink_count)" -eq $((_before + 1)) ] ||
	    fail "$1: $(($(sink_count) - _before)) answers, want 1"
	M=$(sink_msgs "$_before")
	[ "$(env_rcpts "$M")" = "$(c_addr "$1")" ] ||
	    fail "answer went to $(env_rcpts "$M")"
	decode "$M" "$1"
}

JA_LIST=$(po '%s list' ops)
[ "$JA_LIST" != "ops list" ] || fail "no Japanese display name"

# --- help: Japanese to 1, English to 2 ------------------------------------------------
ask 1 help
subj_is "[ops] $(po 'answer to your commands')"
from_is "$JA_LIST"
body_has "$(po 'Answer to the commands of %s (%s) to %s-request@%s.\n' \
    "$(c_addr 1)" T01 ops hub.test)"
body_has "$(po 'Mail commands, one per line, in a mail to %s-request@%s that...' \
    ops hub.test 20 ops hub.test)"
body_lacks "this text"
ok "help in Japanese to a Japanese contact"

ask 2 help
subj_is "[ops] answer to your commands"
from_is "ops list"
body_has "Answer to the commands of $(c_addr 2) (T02) to ops-request@hub.test."
body_has "  help                       this text"
body_lacks "$(po 'help')"
ok "help in English to an English contact"

# --- a refused post's notice: Japanese to p1, English to p2 -----------------------------
printf 'TLP:GREEN\n\nA partner may not post here.\n' > "$T/post.txt"
# refused ID: ID's post refused as not-allowed-to-post, its notice to ID
# alone, decoded.
refused() {
	post_compose "$1" "partner post" "$T/post.txt" partner > "$T/p.eml"
	_before=$(sink_count)
	_from=$(log_lines)
	post_send "$T/p.eml"
	_r=$(post_result "$_from")
	case $_r in
	*"reason=not-allowed-to-post"*) ;;
	*) fail "$1: want not-allowed-to-post, got $_r" ;;
	esac
	sink_wait $((_before + 1)) 30 || fail "no notice to $1"
	sleep 0.5
	[ "$(sink_count)" -eq $((_before + 1)) ] ||
	    fail "$1: $(($(sink_count) - _before)) notices, want 1"
	M=$(sink_msgs "$_before")
	[ "$(env_rcpts "$M")" = "$(c_addr "$1")" ] ||
	    fail "notice went to $(env_rcpts "$M")"
	decode "$M" "$1"
}
refused p1
subj_is "[ops] $(po 'post refused: %s' not-allowed-to-post)"
from_is "$JA_LIST"
# the advice names the real -owner address, in the translation too
_adv=$(po "You may not post on this list; contact the list's -owner address if you think you should.")
_pre=$(po "the list's -")
_post=$(po " address")
body_has "$(printf '%s' "$_adv" | sed "s/${_pre}owner${_post}/ops-owner@hub.test/")"
body_has "$(po 'Reason:')"
body_has "not-allowed-to-post"
body_lacks "You may not post"
body_lacks "A partner may not post here"
# the fields' values line up as a reader sees them (a Japanese label is
# two columns a character: "  LABEL" padded to 17 columns, a space)
python3 - "$T/body" "$(po 'Reason:')" <<'EOF2' || fail "labels do not line up: $(cat "$T/body")"
import sys, unicodedata
label = sys.argv[2]
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("  " + label):
        head = line[:len("  " + label)]
        rest = line[len(head):]
        pad = len(rest) - len(rest.lstrip(" "))
        sys.exit(0 if width(head) + pad == 18 else 1)
sys.exit(1)
EOF2
ok "refusal notice in Japanese to a Japanese contact"

refused p2
subj_is "[ops] post refused: not-allowed-to-post"
from_is "ops list"
body_has "You may not post on this list; contact ops-owner@hub.test if you think you should."
body_lacks "$_adv"
ok "refusal notice in English to an English contact"

# --- the language command -------------------------------------------------------------
ask 2 "language ja"
# the answer turns Japanese at the command, and the notice around it is
subj_is "[ops] $(po 'answer to your commands')"
body_has "Answer to the commands of $(c_addr 2) (T02) to ops-request@hub.test."
body_has "$(po 'done: the hub now writes to you in English\n')"
expect 0 --json contact show "$(c_addr 2)"
[ "$(jget "d['lang']")" = ja ] || fail "language ja not stored: $(cat "$T/out")"
expect 0 --json log
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows if isinstance(rows, list) else rows.get("entries", rows)
ok = any(r.get("action") == "contact.lang" and r.get("actor") == "mail:" + sys.argv[2]
         for r in rows)
sys.exit(0 if ok else 1)' "$T/out" "$(c_addr 2)" ||
    fail "language command not audited as the asker: $(cat "$T/out")"
ask 2 help
subj_is "[ops] $(po 'answer to your commands')"
body_has "$(po 'Answer to the commands of %s (%s) to %s-request@%s.\n' \
    "$(c_addr 2)" T02 ops hub.test)"
ok "language ja: stored, audited, the next answer Japanese"

# a replay of it changes nothing and gets nothing
cp "$T/req.eml" "$T/req2.eml"
ask 2 "language en"
body_has "done: the hub now writes to you in English"
subj_is "[ops] answer to your commands"
expect 0 --json contact show "$(c_addr 2)"
[ "$(jget "d['lang']")" = en ] || fail "language en not stored"
_before=$(sink_count)
_l=$(log_lines)
send --from "$(c_addr 2)" --to ops-request@hub.test --file "$T/req.eml" \
    > /dev/null || fail "replay not accepted"
wait_log "commands-ignored .*reason=replay" 30 "$_l" || fail "replay not ignored"
sleep 1
[ "$(sink_count)" -eq "$_before" ] || fail "a replay got an answer"
ok "language en; a replayed language mail ignored"

ask 2 "language fr"
body_has "refused: takes ja or en"
expect 0 --json contact show "$(c_addr 2)"
[ "$(jget "d['lang']")" = en ] || fail "language fr changed it"

# --- a receipt in Japanese to 1 ----------------------------------------------------------
hc contact set "$(c_addr 1)" receipts=on
printf 'TLP:AMBER\n\nFor members only.\n' > "$T/amber.txt"
post_compose 1 "amber post" "$T/amber.txt" > "$T/p.eml"
_before=$(sink_count)
_from=$(log_lines)
post_send "$T/p.eml"
case $(post_result "$_from") in *accepted*) ;; *) fail "amber post not accepted" ;; esac
P=$(tail -n +$((_from + 1)) "$LOG" |
    sed -n 's/.*accepted post=\([0-9a-f-]*\) .*/\1/p' | head -n 1)
wait_log "receipt post=$P list=ops to=$(c_addr 1)" 60 "$_from" ||
    fail "no receipt: $(tail -n 20 "$LOG")"
M=
_i=0
while [ -z "$M" ] && [ "$_i" -lt 300 ]; do
	for _m in $(sink_by_rcpt "$(c_addr 1)" "$_before"); do
		[ -z "$(env_from "$_m")" ] && M=$_m
	done
	[ -n "$M" ] || { sleep 0.1; _i=$((_i + 1)); }
done
[ -n "$M" ] || fail "the receipt is not at the sink"
decode "$M" 1
subj_is "[ops] $(po 'receipt for your post ')$P"
from_is "$JA_LIST"
body_has "$(po 'The hub has finished delivering your post.\n\n')"
# (a command substitution drops the heading's final newline: put it back)
body_has "$(po '\nDelivered: the smarthost accepted the copies for\n')
  T01
  T02"
body_has "$(po '\nNot sent because of the post'"'"'s TLP (not cleared for it):\n')
  P01
  P02"
body_lacks "Delivered:"
hc contact set "$(c_addr 1)" receipts=off
ok "a receipt in Japanese to a Japanese contact"

# --- the community default; refused for a contact not on the list ------------------------
expect 0 community set lang=ja
ask 3 "language en"
# 3 chose nothing: the community's Japanese; not on ops: nothing changes
subj_is "[ops] $(po 'answer to your commands')"
body_has "$(po 'refused: %s\n' "$(po 'you are not subscribed to this list')")"
expect 0 --json contact show "$(c_addr 3)"
[ "$(jget "d['lang']")" = default ] || fail "a non-member changed its language"
ask 2 help
subj_is "[ops] answer to your commands"
ok "community lang=ja for those who chose none; language refused off the list"

stop_hubd
