#!/bin/sh
# hubctl and control characters (hubctl(8) "TEXT AND CONTROL CHARACTERS"):
#  - free text with a control character (ESC, CR, LF, TAB, DEL, the C1 CSI
#    as UTF-8 and as a raw octet), a bidirectional control (U+202E,
#    U+2066, U+061C) or invalid UTF-8 is refused by every command that
#    stores text -- team add (handle, --name), list create and list set
#    (description, subject_tag, any option), contact add (address,
#    --name), community set -- with exit 1 and the field named, and
#    nothing is stored (the audit log does not grow);
#  - Japanese and accented text is stored and printed unchanged;
#  - what an older store or a stranger's mail put there (a team's, a
#    contact's, a list's text, the audit log, an archived subject, body,
#    context, indicator, filed directly or relayed by hubd) is printed
#    escaped by show, ls, log, archive show, archive search, --csv and
#    --json: no raw control, C1 or bidirectional character reaches the
#    terminal, the JSON is valid UTF-8 and parses, and the escapes
#    (\x1b, \u009b, \x9b, \u202e) show what was there.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"
CTL_PUT="$top_builddir/tests/lib/ctl_put"

community_make 1 0
gall --armor --export "$(c_fpr stranger)" > "$CK/stranger.asc" ||
    fail "export the stranger's key"
STRANGER=$(c_addr stranger)
# What a stranger writes: ESC CSI, C1 CSI as UTF-8, a raw 0x9b, RLO, CR,
# LF and a forged "key: value" line, TAB.
EVIL=$(printf 'Evil\033[2J\302\233\233\342\200\256X\rY\nname: fake\tT')
# ... as --json gives it back, a Python literal: the raw 0x9b is U+FFFD
EVIL_PY="'Evil\\x1b[2J\\x9b\\ufffd\\u202eX\\rY\\nname: fake\\tT'"

# clean MODE WHAT [FILE]: FILE (default $T/out) is strict UTF-8 without a
# control, C1 or bidirectional/format character: MODE text allows LF,
# body LF and TAB, csv CR before LF, json only LF and must parse.
cat > "$T/clean.py" <<'EOF'
import json, sys
mode, path = sys.argv[1], sys.argv[2]
try:
    s = open(path, 'rb').read().decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit('not UTF-8: %s' % e)
bad = set(map(chr, range(0x20))) | set(map(chr, range(0x7f, 0xa0))) | \
    set('\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e'
        '\u2066\u2067\u2068\u2069\u2028\u2029')
ok = {'\n'} | ({'\t'} if mode == 'body' else set())
for i, ch in enumerate(s):
    if ch in ok or ch not in bad:
        continue
    if mode == 'csv' and ch == '\r' and s[i + 1:i + 2] == '\n':
        continue
    sys.exit('raw U+%04X at %d: %r' % (ord(ch), i, s[max(0, i - 30):i + 30]))
if mode == 'json':
    json.loads(s)
EOF
clean() {
	python3 "$T/clean.py" "$1" "${3:-$T/out}" > "$T/clean.err" 2>&1 ||
	    fail "$2: $(cat "$T/clean.err")"
}
# has TEXT WHAT: stdout has TEXT (fixed string).
has() {
	grep -qF -- "$1" "$T/out" || fail "$2: no '$1' in: $(cat "$T/out")"
}
audit_count() {
	expect 0 --json status
	jget 'd["audit_entries"]'
}

# --- refused on the way in ---------------------------------------------------
# NAME:printf-format of each bad value (octal escapes: portable printf)
BAD='ESC:a\033[31mb
CR:a\rb
LF:a\nb
TAB:a\tb
DEL:a\177b
C1-CSI-UTF-8:a\302\233b
raw-0x9b:a\233b
U+202E:a\342\200\256b
U+2066:a\342\201\246b
U+061C:a\330\234b
bad-UTF-8:a\303(b
overlong:a\300\257b
surrogate:a\355\240\200b'
# refused WHAT FIELD ARGS...: exit 1, 'bad FIELD "a\...' on stderr (the
# value quoted escaped: each bad value is "a", the bad part, "b") with the
# rule; the same with --json as a valid document.
refused() {
	_what=$1 _field=$2
	shift 2
	expect 1 "$@"
	clean text "$_what: $*: stderr" "$T/err"
	grep -qF "hubctl: bad $_field \"a\\" "$T/err" &&
	    grep -q 'refused' "$T/err" ||
	    fail "$_what: $*: not 'bad $_field \"a\\...': $(cat "$T/err")"
	expect 1 --json "$@"
	clean json "$_what: --json $*: the error document"
	[ "$(jget 'd["exit"]')" = 1 ] || fail "$_what: --json $*: exit"
}
expect 0 --json list show ops
OPS_BEFORE=$(jget '(d["description"], d["subject_tag"], d["may_post"])')
N0=$(audit_count)
IFS_SAVE=$IFS
IFS='
'
for spec in $BAD; do
	IFS=$IFS_SAVE
	what=${spec%%:*}
	# shellcheck disable=SC2059
	v=$(printf "${spec#*:}")
	refused "$what" --name team add BADT --name "$v"
	refused "$what" "team handle" team add "$v"
	refused "$what" description list create badlist "description=$v"
	refused "$what" description list set ops "description=$v"
	refused "$what" subject_tag list set ops "subject_tag=$v"
	refused "$what" may_post list set ops "may_post=$v"
	refused "$what" --name contact add "$STRANGER" --team T01 \
	    --key "$CK/stranger.asc" --name "$v"
	refused "$what" address contact add "${v}@evil.test" --team T01 \
	    --key "$CK/stranger.asc"
	refused "$what" endorsements_required community set \
	    "endorsements_required=$v"
	expect 1 team show BADT
	expect 1 list show badlist
	expect 1 contact show "$STRANGER"
	IFS='
'
done
IFS=$IFS_SAVE
err_has "no such contact"
[ "$(audit_count)" = "$N0" ] ||
    fail "the audit log grew: something refused was stored"
expect 0 --json list show ops
[ "$(jget '(d["description"], d["subject_tag"], d["may_post"])')" = \
    "$OPS_BEFORE" ] ||
    fail "list ops changed: $(cat "$T/out")"
ok "refused with exit 1, the field named, nothing stored: $(printf '%s\n' \
    "$BAD" | sed 's/:.*//' | tr '\n' ' ')"

# --- fine text is stored and printed unchanged -------------------------------
JP=$(printf '\346\227\245\346\234\254CSIRT\345\215\224\350\255\260\344\274\232')
ACC=$(printf '\303\211quipe de r\303\251ponse \342\200\224 ')
ACC=$ACC$(printf 's\303\251curit\303\251')
NAME=$(printf 'Jos\303\251 M\303\274ller-\303\230deg\303\245rd')
TAG=$(printf '[\303\251quipe]')
expect 0 team add JP-CSIRT --name "$JP" --state active
expect 0 team show JP-CSIRT
grep -qxF "name: $JP" "$T/out" || fail "team show: $(cat "$T/out")"
expect 0 team ls
has "$JP" "team ls"
expect 0 --json team show JP-CSIRT
clean json "--json team show JP-CSIRT"
[ "$(jget "d['name'] == '$JP'")" = True ] || fail "--json: $(cat "$T/out")"
expect 0 list set ops description="$ACC" subject_tag="$TAG"
expect 0 list show ops
grep -qxF "description: $ACC" "$T/out" || fail "list show: $(cat "$T/out")"
grep -qxF "subject_tag: $TAG" "$T/out" || fail "list show: $(cat "$T/out")"
expect 0 --json list ls
[ "$(jget "d[0]['description'] == '$ACC'")" = True ] ||
    fail "--json list ls: $(cat "$T/out")"
expect 0 contact add "$STRANGER" --team JP-CSIRT --key "$CK/stranger.asc" \
    --name "$NAME"
expect 0 contact show "$STRANGER"
grep -qxF "name: $NAME" "$T/out" || fail "contact show: $(cat "$T/out")"
expect 0 --json contact ls --team JP-CSIRT
[ "$(jget "d[0]['name'] == '$NAME'")" = True ] ||
    fail "--json contact ls: $(cat "$T/out")"
expect 0 log --limit 4
for e in "$JP" "$ACC" "$TAG" "$NAME"; do
	has "$e" "log"
done
ok "Japanese and accented names, descriptions, tags stored and printed as given"

# --- escaped on the way out: what an older store holds -----------------------
"$CTL_PUT" "$DATA" team EVIL-T "$EVIL" || fail "ctl_put team"
"$CTL_PUT" "$DATA" contact evil@evil.test EVIL-T "$EVIL" ||
    fail "ctl_put contact"
"$CTL_PUT" "$DATA" list evil "$EVIL" || fail "ctl_put list"
for cmd in "team show EVIL-T" "team ls" "contact show evil@evil.test" \
    "contact ls" "list show evil" "list ls" "log"; do
	# shellcheck disable=SC2086
	expect 0 $cmd
	clean text "$cmd"
	# the audit log holds the store's JSON (base/json): ESC, CR, LF
	# already escaped, the raw 0x9b (not UTF-8) as \ufffd
	for e in '\u009b' '\u202e'; do
		has "$e" "$cmd"
	done
	if [ "$cmd" = log ]; then
		has '\ufffd' "$cmd"
	else
		has '\x9b' "$cmd"
	fi
	if [ "$cmd" != log ]; then
		for e in '\x1b[2J' 'X\rY\nname: fake\tT'; do
			has "$e" "$cmd"
		done
	fi
	! grep -q '^ *name: fake' "$T/out" || fail "$cmd: a forged line"
	# shellcheck disable=SC2086
	expect 0 --json $cmd
	clean json "--json $cmd"
done
expect 0 --json team show EVIL-T
[ "$(jget "d['name'] == $EVIL_PY")" = True ] ||
    fail "--json team show: not the value escaped: $(cat "$T/out")"
ok "team, contact, list, log: stored controls printed escaped, JSON valid"

# --- escaped on the way out: the archive -------------------------------------
BODY=$(printf 'first line\n%s\nsigner: fake@evil.test\tend' "$EVIL")
"$CTL_PUT" "$DATA" post ops:ctl-1 T01 "$(c_addr 1)" "$EVIL" "$BODY" \
    ctl-evil.example "seen at ctl-evil.example $EVIL" || fail "ctl_put post"
"$CTL_PUT" "$DATA" post ops:ctl-2 T01 "$(c_addr 1)" "plain" "plain" \
    "$(printf 'ctl\033[2J\302\233\233\342\200\256.example')" \
    "$EVIL" || fail "ctl_put post 2"
expect 0 archive show ops:ctl-1
clean body "archive show"
for e in '\x1b[2J' '\u009b' '\x9b' '\u202e' '\r'; do
	has "$e" "archive show"
done
! grep -q '^signer: fake' "$T/out" || fail "archive show: a forged line"
grep -q "^  signer: fake@evil.test$(printf '\t')end\$" "$T/out" ||
    fail "archive show: body lines not indented: $(cat "$T/out")"
expect 0 --json archive show ops:ctl-1
clean json "--json archive show"
# the subject is made readable once, when filed (archive/text: controls
# to spaces, bidi and invalid octets to U+FFFD); the body kept as sent
[ "$(jget "d['subject'] == 'Evil [2J \\ufffd\\ufffdX Y name: fake T' and
    d['body'].startswith('first line\\nEvil\\x1b[2J')")" = True ] ||
    fail "--json archive show: $(cat "$T/out")"
for q in ctl-evil.example ''; do
	expect 0 archive search $q
	clean text "archive search '$q'"
	has '\u202e' "archive search '$q'"
	expect 0 --json archive search $q
	clean json "--json archive search '$q'"
	expect 0 archive search $q --csv
	clean csv "archive search '$q' --csv"
	# the subject as filed (made readable when archived)
	has 'Evil [2J' "archive search '$q' --csv"
done
has 'ctl\x1b[2J\u009b\x9b\u202e.example' "--csv: the indicator"
ok "archive show, search, --json, --csv: subject, body, context," \
    "indicator escaped"

# --- escaped on the way out: a stranger's mail, relayed and archived by hubd -
start_hubd
printf 'TLP:GREEN\nsee ctl-mail.example %s\nsigner: fake@evil.test\n' \
    "$EVIL" > "$T/body.txt"
post_compose 1 "$(printf 'mail \033[2J\302\233\233\342\200\256 subject')" \
    "$T/body.txt" > "$T/post.eml"
rm -f "$T/body.txt"
M="ops:$(post_archived "$T/post.eml")"
# the subject travels as raw header octets; filed readable (see above)
expect 0 archive show "$M"
clean body "archive show (mail)"
has "subject: mail  [2J $(printf '\357\277\275\357\277\275') subject" \
    "archive show (mail)"
has '\u202eX\rY' "archive show (mail): the body"
! grep -q '^signer: fake' "$T/out" || fail "archive show (mail): forged line"
expect 0 --json archive show "$M"
clean json "--json archive show (mail)"
[ "$(jget "d['subject'] == 'mail  [2J \\ufffd\\ufffd subject' and
    'ctl-mail.example' in d['body']")" = True ] ||
    fail "--json archive show (mail): $(cat "$T/out")"
expect 0 archive search ctl-mail.example
clean text "archive search (mail)"
expect 0 --json archive search ctl-mail.example
clean json "--json archive search (mail)"
expect 0 archive search ctl-mail.example --csv
clean csv "archive search --csv (mail)"
ok "a stranger's mail through hubd: archive show, search, --json, --csv clean"
