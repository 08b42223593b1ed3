#!/bin/sh
# hubctl community show and set: the defaults, each option, bad values
# and names, usage errors, the audit log, and --json (parsed); and
# "team approve" of a candidate (admin_approval).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
write_conf
expect 0 --json init
[ "$(jget 'd["schema_version"]')" = 10 ] || fail "schema version"

expect 0 community show
grep -qx "endorsements_required: 2" "$T/out" || fail "default required"
grep -qx "admin_approval: no" "$T/out" || fail "default approval"
expect 0 --json community set endorsements_required=3 admin_approval=yes
[ "$(jget 'd["endorsements_required"], d["admin_approval"]')" = "3 True" ] ||
    fail "set: $(cat "$T/out")"
expect 0 --json community show
[ "$(jget 'd["endorsements_required"], d["admin_approval"]')" = "3 True" ] ||
    fail "show after set"
expect 1 community set endorsements_required=0
err_has "bad value for endorsements_required: 0 (1 to 100)"
expect 1 community set endorsements_required=many
err_has "bad value for endorsements_required: many"
expect 1 community set admin_approval=maybe
err_has "bad value for admin_approval: maybe (yes or no)"
expect 1 --json community set colour=red
[ "$(jget 'd["error"]')" = "no such community option: colour" ] ||
    fail "json error"
expect 2 community set admin_approval
err_has "not option=value: admin_approval"
expect 2 community set
expect 2 community show extra
expect 2 community show --verbose
expect 2 community frob
err_has "community: no such subcommand: frob"
expect 2 community
expect 0 community --help
grep -q "endorsements_required=" "$T/out" || fail "help: options"
ok "community show, set and errors"

expect 0 --json log
[ "$(jget '[(e["action"], e["object"]) for e in d]')" = \
    "[('community.set', 'endorsements_required'), ('community.set', 'admin_approval')]" ] ||
    fail "log: $(cat "$T/out")"
[ "$(jget 'd[0]["before"]["endorsements_required"], d[0]["after"]["endorsements_required"]')" \
    = "2 3" ] || fail "log before/after"
ok "community changes audited"

# approval alone admits nobody: endorsements are still needed
expect 0 team add CAND
expect 0 --json team approve cand
[ "$(jget 'd["approved"], d["outcome"], d["state"], d["counted"]')" = \
    "True need-endorsements candidate 0" ] || fail "approve: $(cat "$T/out")"
expect 1 team approve CAND
err_has "team CAND is already approved"
expect 0 team add OLD --state active
expect 1 team approve OLD
err_has "team OLD is active, not a candidate: nothing to approve"
expect 1 team approve NOPE
err_has "no such team: NOPE"
expect 2 team approve
ok "team approve"
