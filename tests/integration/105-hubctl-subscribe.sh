#!/bin/sh
# hubctl subscribe and unsubscribe: a contact or a whole team, roles and
# their defaults, partner clearances (amber only, never red, only for
# partners), every error (unknown list, contact or team, duplicate, bad
# role or clearance), list show, the audit log, and --json (parsed).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
command -v gpg >/dev/null 2>&1 || skip "gpg not found"
write_conf
keys_init
expect 0 init
expect 0 team add CERT-EX --state active
expect 0 team add PSIRT --kind partner --state active
ALICE=$(mkkey 'Alice INSECURE <alice@cert.test>' never)
PAT=$(mkkey 'Pat INSECURE <pat@psirt.test>' never)
export_key "$T/alice.asc" "$ALICE"
export_key "$T/pat.asc" "$PAT"
expect 0 contact add alice@cert.test --team CERT-EX --key "$T/alice.asc"
expect 0 contact add pat@psirt.test --team PSIRT --key "$T/pat.asc"
expect 0 list create ops
expect 0 list create news

# --- subscribe -------------------------------------------------------------------
expect 0 subscribe ops Alice@cert.test
grep -qx "role: member" "$T/out" || fail "default role member: $(cat "$T/out")"
grep -qx "contact: alice@cert.test" "$T/out" || fail "contact lowercased"
expect 0 --json subscribe ops --team psirt --clearance amber
[ "$(jget 'd["team"], d["contact"], d["role"], d["clearance"]')" = \
    "PSIRT None partner TLP:AMBER" ] || fail "team sub: $(cat "$T/out")"
expect 0 --json subscribe news pat@psirt.test --role admin
[ "$(jget 'd["role"], d["clearance"]')" = "admin none" ] ||
    fail "admin sub: $(cat "$T/out")"
expect 0 subscribe news --team CERT-EX --role partner --clearance amber+strict
grep -qx "clearance: TLP:AMBER+STRICT" "$T/out" || fail "amber+strict"
ok "subscribe: contact, team, roles, clearance"

expect 1 subscribe ops alice@cert.test
err_has "already subscribed to ops: alice@cert.test"
expect 1 subscribe ops --team PSIRT
err_has "already subscribed to ops: PSIRT"
expect 1 subscribe nolist alice@cert.test
err_has "no such list: nolist"
expect 1 subscribe ops nobody@cert.test
err_has "no such contact: nobody@cert.test"
expect 1 subscribe ops --team NOPE
err_has "no such team: NOPE"
expect 1 subscribe news pat@psirt.test --role partner --clearance red
err_has "clearance TLP:RED refused for pat@psirt.test: RED is for the list's member subscribers only"
expect 1 subscribe news alice@cert.test --clearance amber
err_has "--clearance is only for partner subscriptions"
expect 1 subscribe news alice@cert.test --role admin --clearance amber
err_has "--clearance is only for partner subscriptions"
expect 1 subscribe ops pat@psirt.test --role member
err_has "pat@psirt.test belongs to a partner team"
expect 1 subscribe ops pat@psirt.test --clearance green
err_has "partners receive CLEAR and GREEN without one"
expect 1 --json subscribe ops pat@psirt.test --clearance red
jget 'd["error"]' | grep -q "never relayed to partners" || fail "json error"
expect 2 subscribe ops alice@cert.test --role owner
err_has "bad --role: owner"
expect 2 subscribe ops alice@cert.test --clearance purple
err_has "bad --clearance: purple"
expect 2 subscribe ops
expect 2 subscribe ops a@b c@d
expect 2 subscribe ops a@b --team CERT-EX
expect 2 subscribe ops --team
expect 2 subscribe ops a@b --colour red
err_has "unknown option or missing value: --colour"
ok "subscribe errors"

expect 0 --json list show ops
[ "$(jget '[(s["team"], s["contact"], s["role"]) for s in d["subscriptions"]]')" = \
    "[(None, 'alice@cert.test', 'member'), ('PSIRT', None, 'partner')]" ] ||
    fail "list show: $(cat "$T/out")"

# --- unsubscribe ---------------------------------------------------------------------
expect 0 --json unsubscribe ops ALICE@cert.test
[ "$(jget 'd["contact"], d["unsubscribed"]')" = "alice@cert.test True" ] ||
    fail "unsubscribe: $(cat "$T/out")"
expect 1 unsubscribe ops alice@cert.test
err_has "not subscribed to ops: alice@cert.test"
expect 0 unsubscribe ops --team psirt
grep -qx "team: PSIRT" "$T/out" || fail "unsubscribe team"
expect 1 unsubscribe nolist --team PSIRT
err_has "no such list: nolist"
expect 1 unsubscribe ops nobody@cert.test
err_has "no such contact: nobody@cert.test"
expect 1 unsubscribe ops --team NOPE
err_has "no such team: NOPE"
expect 2 unsubscribe ops alice@cert.test --role member
expect 2 unsubscribe ops
expect 0 --json list show ops
[ "$(jget 'd["subscriptions"]')" = "[]" ] || fail "ops still has subs"
# removing a contact takes its subscriptions along
expect 0 contact remove pat@psirt.test
expect 0 --json list show news
[ "$(jget '[s["team"] for s in d["subscriptions"]]')" = "['CERT-EX']" ] ||
    fail "contact remove kept its subscription: $(cat "$T/out")"
ok "unsubscribe and its errors"

expect 0 --json log
[ "$(jget '[e["action"] for e in d if "subscribe" in e["action"]]')" = \
    "['subscribe', 'subscribe', 'subscribe', 'subscribe', 'unsubscribe', 'unsubscribe']" ] ||
    fail "log: $(cat "$T/out")"
[ "$(jget '[e for e in d if e["action"] == "subscribe"][1]["after"]["clearance"]')" \
    = "TLP:AMBER" ] || fail "log after"
for c in subscribe unsubscribe contact; do
	expect 0 "$c" --help
	grep -q "^usage: hubctl .* $c" "$T/out" || fail "$c --help"
done
ok "audit log, --help"
