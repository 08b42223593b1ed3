#!/bin/sh
# hubctl against a temporary data dir: the global options and exit codes,
# init, every "team" verb and its error paths, log and status, and the
# --json form of each (parsed).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
write_conf

# --- global options -----------------------------------------------------------
expect 0 --help
for c in init team list log status; do
	grep -q "^  $c " "$T/out" || fail "--help lacks $c"
done
expect 2
expect 2 frobnicate
err_has "no such command: frobnicate"
expect 2 --frobnicate
for c in init team list log status; do
	expect 0 "$c" --help
	grep -q "^usage: hubctl .* $c" "$T/out" || fail "$c --help"
done
ok "help, usage errors exit 2"

# hubctl(8) and --help agree: every command, every verb, every list option
# of the help is documented, and every command and verb documented is in
# the help.
MAN=$top_srcdir/man/hubctl.8
expect 0 --help
cmds=$(sed -n '/^commands:/,/^options:/s/^  \([a-z-]*\) .*/\1/p' "$T/out")
[ -n "$cmds" ] || fail "no commands in --help"
for c in $cmds; do
	grep -q "^\.It Cm $c\( \|\$\)" "$MAN" || fail "hubctl.8 lacks $c"
done
# shellcheck disable=SC2013
for c in $(grep -v ' Ns = ' "$MAN" | sed -n 's/^\.It Cm \([a-z-]*\).*/\1/p' |
    sort -u); do
	echo "$cmds" | grep -qx "$c" || fail "hubctl.8 documents $c, --help not"
done
for noun in team list; do
	expect 0 "$noun" --help
	verbs=$(sed -n "s/^  $noun \([a-z]*\).*/\1/p" "$T/out")
	[ -n "$verbs" ] || fail "no verbs in $noun --help"
	for v in $verbs; do
		grep -q "^\.It Cm $noun $v" "$MAN" ||
		    fail "hubctl.8 lacks $noun $v"
	done
	# shellcheck disable=SC2013
	for v in $(sed -n "s/^\.It Cm $noun \([a-z]*\).*/\1/p" "$MAN"); do
		echo "$verbs" | grep -qx "$v" ||
		    fail "hubctl.8 documents $noun $v, --help not"
	done
done
expect 0 list --help
for o in $(sed -n '/^options:/,$p' "$T/out" | grep -o '[a-z_]*=' | tr -d =); do
	grep -q "^\.It Cm $o Ns = " "$MAN" || fail "hubctl.8 lacks option $o"
done
for o in $(sed -n 's/^\.It Cm \([a-z_]*\) Ns = .*/\1/p' "$MAN"); do
	grep -q "$o=" "$T/out" || fail "list --help lacks option $o"
done
expect 0 team --help
for o in kind name state; do
	grep -q -- "--$o" "$T/out" || fail "team --help lacks --$o"
	grep -q "Fl \\\\-$o" "$MAN" || fail "hubctl.8 lacks --$o"
done
ok "hubctl.8 agrees with --help: $(echo $cmds)"

# --- before init: the environment is missing -----------------------------------
expect 3 team ls
err_has "cannot open the keyring"
expect 3 status
"$HUBCTL" -c "$T/nonexistent.conf" status > /dev/null 2>&1 && fail "no conf"
expect 3 --json status
[ "$(jget 'd["exit"]')" = 3 ] || fail "--json error document"
# a data_dir that cannot be made
: > "$T/file"
sed "s|^data_dir = .*|data_dir = $T/file/data|" "$CONF" > "$T/bad.conf"
_rc=0
"$HUBCTL" -c "$T/bad.conf" init > /dev/null 2> "$T/err" || _rc=$?
[ "$_rc" = 3 ] || fail "init in an impossible data_dir: exit $_rc"
grep -q "^hubctl: .*$T/file/data" "$T/err" || fail "init: $(cat "$T/err")"
ok "no store: exit 3"

# --- init ----------------------------------------------------------------------
expect 0 --json init
fpr=$(jget 'd["hub_fpr"]')
echo "$fpr" | grep -Eq '^[0-9A-F]{40}$' || fail "init: fingerprint $fpr"
[ "$(jget 'd["schema_version"]')" = 10 ] || fail "init: schema"
[ "$(stat -c %a "$DATA/gnupg")" = 700 ] || fail "gnupg/ not 0700"
[ "$(stat -c %a "$DATA/hub.db")" = 600 ] || fail "hub.db not 0600"
[ -s "$DATA/hub.db.key" ] || fail "no hub.db.key"
grep -q "^$fpr\$" "$DATA/hub.fpr" || fail "hub.fpr"
gpg --homedir "$DATA/gnupg" --batch --list-secret-keys "$fpr" \
    > /dev/null 2>&1 || fail "hub secret key not in gnupg/"
# the worker's parallel gpg processes must not wait on each other's lock
# of random_seed (250 ms each time): none is kept
grep -qx 'no-random-seed-file' "$DATA/gnupg/gpg.conf" ||
    fail "gpg.conf lacks no-random-seed-file"
[ ! -e "$DATA/gnupg/random_seed" ] || fail "gnupg/random_seed was written"
expect 1 init
err_has "store already exists in $DATA"
expect 2 init extra
ok "init: key $fpr, store, modes; second init refused"

# --- team add --------------------------------------------------------------------
expect 0 team add CERT-EX --name "Example CERT"
grep -qx "state: candidate" "$T/out" || fail "new team is not a candidate"
expect 1 team add CERT-EX
err_has "team already exists: CERT-EX"
expect 1 team add cert-ex
err_has "team already exists: cert-ex"
expect 2 team add CERT-X --kind vendor
err_has "bad --kind: vendor"
expect 2 team add CERT-X --state suspended
err_has "bad --state: suspended"
expect 2 team add CERT-X --colour red
err_has "unknown option or missing value: --colour"
expect 2 team add CERT-X --kind
expect 2 team add
expect 2 team add A B
expect 1 team add 'bad/handle'
err_has "bad team handle: bad/handle"
expect 0 --json team add PSIRT --kind partner --state active
[ "$(jget 'd["kind"], d["state"], d["name"]')" = "partner active None" ] ||
    fail "--json team add: $(cat "$T/out")"
ok "team add and its errors"

# --- show, ls ---------------------------------------------------------------------
expect 0 team show cert-ex
grep -qx "handle: CERT-EX" "$T/out" || fail "show: handle"
grep -qx "name: Example CERT" "$T/out" || fail "show: name"
expect 0 --json team show CERT-EX
[ "$(jget 'd["contacts"]')" = "[]" ] || fail "show --json contacts"
expect 1 team show CERT-NOPE
err_has "no such team: CERT-NOPE"
expect 1 --json team show CERT-NOPE
[ "$(jget 'd["error"]')" = "no such team: CERT-NOPE" ] || fail "json error"
expect 2 team show
expect 2 team show CERT-EX --verbose
expect 0 team ls
[ "$(wc -l < "$T/out")" = 2 ] || fail "ls: two lines"
grep -q '^CERT-EX  *member  *candidate  *Example CERT$' "$T/out" ||
    fail "ls line: $(cat "$T/out")"
expect 0 --json team ls
[ "$(jget '[t["handle"] for t in d]')" = "['CERT-EX', 'PSIRT']" ] ||
    fail "ls --json"
expect 2 team ls extra
expect 2 team frob CERT-EX
err_has "team: no such subcommand: frob"
expect 2 team
ok "team show, ls"

# --- suspend, reinstate, remove ----------------------------------------------------------
expect 1 team suspend CERT-EX
err_has "team CERT-EX is candidate: cannot become suspended"
expect 1 team reinstate CERT-EX
err_has "team CERT-EX is candidate, not suspended"
expect 0 --json team suspend PSIRT
[ "$(jget 'd["state"]')" = suspended ] || fail "suspend"
expect 1 team suspend PSIRT
expect 0 team reinstate psirt
grep -qx "state: active" "$T/out" || fail "reinstate"
expect 1 team reinstate PSIRT
expect 1 team suspend NOPE
err_has "no such team: NOPE"
expect 0 --json team remove PSIRT
[ "$(jget 'd["removed"]')" = True ] || fail "remove"
expect 1 team remove PSIRT
err_has "no such team: PSIRT"
expect 0 --json team ls
[ "$(jget 'len(d)')" = 1 ] || fail "removed team still listed"
ok "team suspend, reinstate, remove"

# --- log, status ---------------------------------------------------------------------
expect 0 --json log
[ "$(jget '[e["action"] for e in d]')" = \
    "['team.add', 'team.add', 'team.state', 'team.state', 'team.remove']" ] ||
    fail "log actions: $(cat "$T/out")"
[ "$(jget 'd[2]["object"], d[2]["before"]["state"], d[2]["after"]["state"]')" \
    = "PSIRT active suspended" ] || fail "log before/after: $(cat "$T/out")"
[ "$(jget 'd[0]["before"], d[4]["after"]')" = "None None" ] ||
    fail "log: no before for an add, no after for a remove"
jget 'd[0]["actor"]' | grep -q "uid $(id -u)" || fail "log actor"
expect 0 --json log --limit 1
[ "$(jget 'len(d), d[0]["action"]')" = "1 team.remove" ] || fail "--limit"
expect 0 log
[ "$(wc -l < "$T/out")" = 5 ] || fail "log text: five lines"
expect 2 log --limit x
expect 2 log --since 1
expect 2 log extra
expect 0 status
grep -qx "hub_fpr: $fpr" "$T/out" || fail "status fpr"
expect 0 --json status
[ "$(jget 'd["teams"]["candidate"], d["teams"]["active"], d["audit_entries"]')" \
    = "1 0 5" ] || fail "status counts: $(cat "$T/out")"
expect 2 status extra
ok "log and status"
