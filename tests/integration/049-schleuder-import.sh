#!/bin/sh
# hubctl list import from a real Schleuder list (Debian package
# schleuder): a Schleuder 4 install of its own under $T (schleuder.yml,
# its SQLite database, the lists directory), the list ops@old.test made
# by Schleuder's ListBuilder around a key in the list's GnuPG home, its
# subscribers added by Schleuder with their keys.  The hub imports the
# list as ops with the OLD list key: the subscribers become contacts
# (new ones in the team of their mail domain, existing ones kept),
# Schleuder's "delivery disabled" stays disabled, and the subscribers
# that cannot be imported (no key, a key without their address) are
# reported with why.  Then a post encrypted to the old Schleuder key is
# relayed, and every subscriber's copy decrypts with their key alone,
# signed by that same key.  Refusals of the list key itself (a public
# key only, the hub's list key in use) change nothing.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

command -v schleuder >/dev/null 2>&1 ||
    skip "schleuder not installed (Debian package schleuder)"
command -v ruby >/dev/null 2>&1 || skip "ruby not found"

SCH="$T/schleuder"
LD="$SCH/lists/old.test/ops"
sch_cleanup() {
	_r=$?
	set +e
	[ -d "$LD" ] && gpgconf --homedir "$LD" --kill all >/dev/null 2>&1
	(exit "$_r")
	community_cleanup
}
trap sch_cleanup EXIT

# the hub: member 1 and the admin are contacts already; 2 and 3 are not
community_make 1 0
genkeys ed25519 2 3
HUBLIST=$LIST_FPR
# the hub's own list key is never a second list's
gpg --homedir "$DATA/gnupg" --batch --armor --export-secret-keys "$HUBLIST" \
    > "$T/hub-secret.asc" 2>/dev/null || fail "export the hub's list key"
expect 1 list import ops2 --key "$T/hub-secret.asc"
err_has "it is the list ops's own key"
gpg --homedir "$DATA/gnupg" --batch --list-secret-keys "$HUBLIST" \
    >/dev/null 2>&1 || fail "the refusal removed the list key in use"
hc list delete ops

# --- the Schleuder list --------------------------------------------------------------
mkdir -p "$SCH" || fail "mkdir $SCH"
cat > "$SCH/schleuder.yml" <<EOF
lists_dir: $SCH/lists
listlogs_dir: $SCH/logs
keyserver:
log_level: warn
database:
  production:
    adapter: 'sqlite3'
    database: $SCH/db.sqlite
    timeout: 5000
EOF
SCHLEUDER_CONFIG="$SCH/schleuder.yml"
export SCHLEUDER_CONFIG
schleuder install > "$T/sch.out" 2>&1 || fail "schleuder install: $(cat "$T/sch.out")"
mkdir -p "$SCH/lists/old.test" && mkdir -m 700 "$LD" || fail "mkdir $LD"
lg() {
	gpg --homedir "$LD" --batch --no-tty --quiet --pinentry-mode loopback \
	    --passphrase '' "$@"
}
lg --quick-gen-key 'ops <ops@old.test>' ed25519 sign,cert never 2>/dev/null ||
    fail "gen the Schleuder list key"
OLD=$(lg --with-colons --list-keys '<ops@old.test>' |
    awk -F: '/^fpr/ { print $10; exit }')
lg --quick-add-key "$OLD" cv25519 encr never 2>/dev/null || fail "subkey"
for id in 1 2 3 admin stranger; do
	gall --armor --export "$(c_fpr "$id")" > "$T/$id.pub" || fail "export $id"
done
# member 1 is the Schleuder list's admin; 3's delivery is disabled;
# ghost@t09.test has no key; mallory@t04.test is subscribed with the
# stranger's key, which has no user id for that address
cat > "$T/mk.rb" <<'EOF'
require 'schleuder'
t = ENV['T']
list, msg = Schleuder::ListBuilder.new({ email: 'ops@old.test' },
    ARGV[0], ARGV[1], File.read("#{t}/1.pub")).run
raise "list: #{list.inspect}" unless list.is_a?(Schleuder::List) && list.persisted?
[[ARGV[2], ARGV[3], "2", true], [ARGV[4], ARGV[5], "3", false],
 [ARGV[6], ARGV[7], "admin", true],
 ['mallory@t04.test', ARGV[8], "stranger", true]].each do |a, f, id, d|
	s, m = list.subscribe(a, f, false, d, File.read("#{t}/#{id}.pub"))
	raise "subscribe #{a}: #{s.errors.full_messages}" if s.errors.any?
end
s, m = list.subscribe('ghost@t09.test', nil, false, true, nil)
raise "subscribe ghost: #{s.errors.full_messages}" if s.errors.any?
EOF
T="$T" ruby "$T/mk.rb" "$(c_addr 1)" "$(c_fpr 1)" "$(c_addr 2)" "$(c_fpr 2)" \
    "$(c_addr 3)" "$(c_fpr 3)" "$(c_addr admin)" "$(c_fpr admin)" \
    "$(c_fpr stranger)" > "$T/sch.out" 2>&1 ||
    fail "the Schleuder list: $(cat "$T/sch.out")"
[ -s "$SCH/db.sqlite" ] && [ -s "$LD/pubring.kbx" ] ||
    fail "no Schleuder database or list keyring"
lg --armor --export-secret-keys "$OLD" > "$T/ops-secret.asc" ||
    fail "export the Schleuder list's secret key"
lg --armor --export "$OLD" > "$T/ops-public.asc" || fail "export public"
ok "a Schleuder list ops@old.test with 6 subscribers, key $OLD"

# --- refusals: nothing changes ---------------------------------------------------
expect 2 list import ops
expect 2 list import ops --schleuder "$LD"
expect 2 list import ops --key "$T/ops-secret.asc" --bogus
expect 1 list import ops --key "$T/ops-public.asc" --schleuder "$LD"
err_has "holds no secret key"
expect 1 list import ops2 --key "$T/ops-secret.asc" --schleuder "$LD" \
    --team NO-SUCH
err_has "no such team: NO-SUCH"
expect 1 list import ops --key "$T/ops-secret.asc" \
    --schleuder "$SCH/lists/old.test/nosuch"
err_has "has no list nosuch@old.test"
expect 1 list show ops
gpg --homedir "$DATA/gnupg" --batch --list-keys "$OLD" >/dev/null 2>&1 &&
    fail "a refused import left the list key in the hub keyring"
ok "usage errors, a public key only, no such team, no such Schleuder list"

# --- the import --------------------------------------------------------------------
expect 0 --json list import ops --key "$T/ops-secret.asc" --schleuder "$LD"
cp "$T/out" "$T/import.json"
[ "$(jget 'd["fpr"]')" = "$OLD" ] || fail "imported fpr: $(cat "$T/out")"
[ "$(jget 'd["from"]')" = "ops@old.test" ] || fail "from"
[ "$(jget 'd["imported"], d["refused"]')" = "4 2" ] ||
    fail "counts: $(cat "$T/out")"
res() {	# res ADDRESS: result team delivery schleuder_admin
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["subscribers"] if x["address"] == sys.argv[2]][0]
print(s["result"], s["team"], s["delivery"], s["schleuder_admin"], s["why"])' \
	    "$T/import.json" "$1"
}
[ "$(res "$(c_addr 1)")" = "subscribed T01 enabled True None" ] ||
    fail "member 1: $(res "$(c_addr 1)")"
[ "$(res "$(c_addr 2)")" = "imported t02.test enabled False None" ] ||
    fail "member 2: $(res "$(c_addr 2)")"
[ "$(res "$(c_addr 3)")" = "imported t03.test disabled False None" ] ||
    fail "member 3: $(res "$(c_addr 3)")"
[ "$(res "$(c_addr admin)")" = "subscribed HUB enabled False None" ] ||
    fail "admin: $(res "$(c_addr admin)")"
res ghost@t09.test | grep -q "^refused None enabled False no key fingerprint" ||
    fail "ghost: $(res ghost@t09.test)"
res mallory@t04.test | grep -q "^refused None .*key refused: .*mallory@t04.test" ||
    fail "mallory: $(res mallory@t04.test)"
[ "$(jget 'sorted(d["teams_created"])')" = "['t02.test', 't03.test']" ] ||
    fail "teams: $(cat "$T/out")"
expect 1 contact show mallory@t04.test
gpg --homedir "$DATA/gnupg" --batch --list-keys "$(c_fpr stranger)" \
    >/dev/null 2>&1 && fail "the refused key of mallory is in the keyring"
expect 0 --json team show t02.test
[ "$(jget 'd["state"]')" = active ] || fail "team t02.test: $(cat "$T/out")"
expect 0 --json list show ops
[ "$(jget 'len(d["subscriptions"])')" = 4 ] || fail "subs: $(cat "$T/out")"
[ "$(jget 'd["fpr"]')" = "$OLD" ] || fail "list fpr"
expect 0 --json list key ops
[ "$(jget 'sorted(d["uids"])')" = "['ops <ops@hub.test>', 'ops <ops@old.test>']" ] ||
    fail "the list key's user ids: $(cat "$T/out")"
expect 0 log
for a in list.create team.add contact.add subscribe delivery.disable; do
	grep -q "$a" "$T/out" || fail "no $a in the audit log: $(cat "$T/out")"
done
expect 1 list import ops --key "$T/ops-secret.asc"
err_has "list already exists: ops"
expect 1 list import ops2 --key "$T/ops-secret.asc"
err_has "it is the list ops's own key"
ok "imported: 4 subscribers (2 new contacts in new teams), 2 refused with why"

# again from what "schleuder-cli subscriptions list" prints, the keys
# from the list's keyring; the text form says the same
expect 0 list delete ops
tab=$(printf '\t')
cat > "$T/subs.txt" <<EOF
# schleuder-cli subscriptions list ops@old.test
$(c_addr admin)$tab$(c_fpr admin)$tab$tab
ghost@t09.test${tab}N/A$tab$tab
$(c_addr 1)$tab$(c_fpr 1)${tab}admin$tab
$(c_addr 2)$tab$(c_fpr 2)$tab$tab
$(c_addr 3)$tab$(c_fpr 3)$tab${tab}Delivery disabled!

EOF
expect 2 list import ops --key "$T/ops-secret.asc" --schleuder-db "$T/x"
expect 0 list import ops --key "$T/ops-secret.asc" --subscribers \
    "$T/subs.txt" --keyring "$LD"
grep -q "^  ghost@t09.test .* refused  *no key fingerprint recorded" "$T/out" &&
    grep -q "^  poc03@t03.test .* subscribed .* disabled$" "$T/out" &&
    grep -q "^  poc01@t01.test .* subscribed .* yes  *enabled$" "$T/out" &&
    grep -q "^imported: 4$" "$T/out" && grep -q "^refused: 1$" "$T/out" ||
    fail "text output: $(cat "$T/out")"
printf 'bob@t05.test N/A ZZZ\n' > "$T/bad.txt"
expect 1 list import ops9 --key "$T/ops-secret.asc" --subscribers "$T/bad.txt"
err_has "unknown field: ZZZ"
ok "import again after list delete (the key is kept) from schleuder-cli's listing, text output"

# --- a post to the old key --------------------------------------------------------
LIST_FPR=$OLD
gall --import < "$T/ops-public.asc" 2>/dev/null || fail "import the old key"
start_hubd
keycheck_settle
before=$(sink_count)
printf 'Advisory body via the old Schleuder key.\n' > "$T/body"
post_compose 2 "old key post" "$T/body" > "$T/post.eml"
from=$(log_lines)
post_send "$T/post.eml"
line=$(post_result "$from")
case $line in
*" accepted "*) ;;
*) fail "post to the old key: $line" ;;
esac
# members 1 and 2 and the admin; 3's delivery is disabled
sink_wait $((before + 3)) 60 || fail "copies: $(sink_count) after $before"
n=0
for m in $(sink_msgs "$before"); do
	r=$(env_rcpts "$m")
	case $r in
	"$(c_addr 1)") id=1 ;;
	"$(c_addr 2)") id=2 ;;
	"$(c_addr admin)") id=admin ;;
	*) fail "a copy for $r" ;;
	esac
	copy_check "$m" "$id" | grep -q "Advisory body via the old Schleuder" ||
	    fail "copy for $id lacks the body"
	copy_fails_for "$m" 3
	n=$((n + 1))
done
[ "$n" = 3 ] || fail "$n copies"
ok "a post encrypted to the old Schleuder key reaches every subscriber, each copy readable by that subscriber alone"
