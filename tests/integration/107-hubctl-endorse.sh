#!/bin/sh
# hubctl endorse end to end, with real certifications made by
# gpg --quick-sign-key between keys generated per run: two active member
# teams certifying the candidate's PoC key admit it; a certification by a
# suspended team's key, by the candidate itself, a second endorsement by
# the same team, by a partner team, by a key revoked since, and a missing
# certification do not count, and the output says why for each.  Then admin_approval: enough endorsements wait for
# "team approve".  Usage and lookup errors, the audit log, --json.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
command -v gpg >/dev/null 2>&1 || skip "gpg not found"
write_conf
keys_init
expect 0 init

A=$(mkkey 'Ann INSECURE <ann@a.test>' never)
B=$(mkkey 'Ben INSECURE <ben@b.test>' never)
S=$(mkkey 'Sue INSECURE <sue@s.test>' never)
D=$(mkkey 'Dan INSECURE <dan@d.test>' never)
POC=$(mkkey 'Poc INSECURE <poc@cand.test>' never)
DEP=$(mkkey 'Dep INSECURE <dep@cand.test>' never)
POC2=$(mkkey 'Poc2 INSECURE <poc@cand2.test>' never)
P=$(mkkey 'Pia INSECURE <pia@p.test>' never)
R=$(mkkey 'Rob INSECURE <rob@r.test>' never)
# A, B, S, P (a partner), R (revoked later) and the candidate's own
# deputy certify the candidate's PoC key; D certifies nothing.  A and B
# also certify CAND2's.
for by in "$A" "$B" "$S" "$DEP" "$P" "$R"; do
	gk -u "$by" --quick-sign-key "$POC" 'Poc INSECURE <poc@cand.test>' \
	    2>/dev/null || fail "certify by $by"
done
for by in "$A" "$B"; do
	gk -u "$by" --quick-sign-key "$POC2" \
	    'Poc2 INSECURE <poc@cand2.test>' 2>/dev/null || fail "certify 2"
done
for k in A B S D POC DEP POC2 P R; do
	eval "export_key \"\$T/$k.asc\" \"\$$k\""
done
expect 0 team add A-CERT --state active
expect 0 team add B-CERT --state active
expect 0 team add S-CERT --state active
expect 0 team add D-CERT --state active
expect 0 team add CAND
expect 0 team add CAND2
expect 0 contact add ann@a.test --team A-CERT --key "$T/A.asc"
expect 0 contact add ben@b.test --team B-CERT --key "$T/B.asc"
expect 0 contact add sue@s.test --team S-CERT --key "$T/S.asc"
expect 0 contact add dan@d.test --team D-CERT --key "$T/D.asc"
expect 0 contact add poc@cand.test --team CAND --key "$T/POC.asc"
expect 0 contact add dep@cand.test --team CAND --key "$T/DEP.asc"
expect 0 contact add poc@cand2.test --team CAND2 --key "$T/POC2.asc"
expect 0 team add P-CERT --kind partner --state active
expect 0 team add R-CERT --state active
expect 0 contact add pia@p.test --team P-CERT --key "$T/P.asc"
expect 0 contact add rob@r.test --team R-CERT --key "$T/R.asc"
expect 0 team suspend S-CERT
# R's key is revoked after it certified (compromise, say): the hub learns
# of the revocation
sed 's/^:-----BEGIN/-----BEGIN/' "$K/openpgp-revocs.d/$R.rev" |
    gpg --homedir "$DATA/gnupg" --batch --quiet --import 2>/dev/null ||
    fail "revoke R in the hub keyring"
ok "keys, certifications, teams and contacts"

# counted endorsers and reasons of the last --json output
reasons() {
	jget '" ".join("%s:%s" % (e["endorser"], e["reason"]) for e in d["endorsements"])'
}

expect 0 --json endorse CAND --by D-CERT
[ "$(jget 'd["evidence_found"], d["counted"], d["state"]')" = \
    "False 0 candidate" ] || fail "missing cert: $(cat "$T/out")"
jget 'd["evidence"]' | grep -q "no certification by a key of D-CERT" ||
    fail "missing cert not explained: $(cat "$T/out")"
expect 0 --json endorse CAND --by CAND
[ "$(reasons)" = \
    "CAND:self-endorsement D-CERT:certification-not-verified" ] ||
    fail "self: $(cat "$T/out")"
jget 'd["evidence"]' | grep -q "key $DEP of dep@cand.test certified \"Poc INSECURE <poc@cand.test>\" on key $POC of poc@cand.test, on 20" ||
    fail "self evidence text: $(cat "$T/out")"
expect 0 --json endorse CAND --by S-CERT
[ "$(jget 'd["evidence_found"]')" = True ] || fail "suspended: evidence"
[ "$(reasons)" = "CAND:self-endorsement D-CERT:certification-not-verified S-CERT:endorser-not-active" ] ||
    fail "suspended: $(cat "$T/out")"
expect 0 --json endorse CAND --by P-CERT
[ "$(jget 'd["evidence_found"], d["counted"]')" = "True 0" ] ||
    fail "partner: $(cat "$T/out")"
jget '[e["reason"] for e in d["endorsements"] if e["endorser"] == "P-CERT"][0]' |
    grep -qx endorser-not-member || fail "partner reason: $(cat "$T/out")"
expect 0 --json endorse CAND --by R-CERT
[ "$(jget 'd["counted"]')" = 0 ] || fail "revoked key counted"
jget '[e["reason"] for e in d["endorsements"] if e["endorser"] == "R-CERT"][0]' |
    grep -qx certification-not-verified || fail "revoked: $(cat "$T/out")"
# (gpg does not verify a certification by a revoked key at all)
jget '[e["evidence"] for e in d["endorsements"] if e["endorser"] == "R-CERT"][0]' |
    grep -q "by rob@r.test ($R) on poc@cand.test is not valid: the certifying key is revoked" ||
    fail "revoked evidence: $(cat "$T/out")"
expect 0 --json endorse CAND --by a-cert
[ "$(jget 'd["evidence_found"], d["counted"], d["required"], d["outcome"], d["state"]')" = \
    "True 1 2 need-endorsements candidate" ] || fail "A: $(cat "$T/out")"
jget 'd["evidence"]' | grep -q "key $A of ann@a.test certified \"Poc INSECURE <poc@cand.test>\"" ||
    fail "A evidence: $(cat "$T/out")"
expect 0 endorse CAND --by A-CERT
grep -q "^recorded: again" "$T/out" || fail "second by A: $(cat "$T/out")"
grep -q "^counted: 1$" "$T/out" || fail "A counted twice: $(cat "$T/out")"
grep -q "^state: candidate$" "$T/out" || fail "A twice admitted"
grep -q "^  A-CERT .*counted" "$T/out" || fail "text: endorsement lines"
ok "missing, self, suspended, partner, revoked key, twice by the same" \
    "team: not counted"

expect 0 --json endorse CAND --by B-CERT
[ "$(jget 'd["counted"], d["outcome"], d["state"]')" = \
    "2 activate active" ] || fail "B: $(cat "$T/out")"
[ "$(reasons)" = "A-CERT:counted B-CERT:counted CAND:self-endorsement D-CERT:certification-not-verified P-CERT:endorser-not-member R-CERT:certification-not-verified S-CERT:endorser-not-active" ] ||
    fail "B reasons: $(cat "$T/out")"
expect 0 --json team show CAND
[ "$(jget 'd["state"]')" = active ] || fail "CAND not active"
expect 1 endorse CAND --by B-CERT
err_has "team CAND is active, not a candidate: nothing to endorse"
ok "two active member teams with certifications admit the candidate"

# admin approval: endorsements first, then the approval admits
expect 0 community set admin_approval=yes
expect 0 endorse CAND2 --by A-CERT
expect 0 --json endorse CAND2 --by B-CERT
[ "$(jget 'd["counted"], d["outcome"], d["state"]')" = \
    "2 need-approval candidate" ] || fail "need approval: $(cat "$T/out")"
expect 0 --json team approve CAND2
[ "$(jget 'd["approved"], d["outcome"], d["state"]')" = \
    "True activate active" ] || fail "approve: $(cat "$T/out")"
ok "admin_approval: approve admits an endorsed candidate"

expect 1 endorse NOPE --by A-CERT
err_has "no such team: NOPE"
expect 1 endorse CAND --by NOPE
err_has "no such team: NOPE"
expect 1 --json endorse NOPE --by A-CERT
[ "$(jget 'd["exit"]')" = 1 ] || fail "json error"
expect 2 endorse CAND
expect 2 endorse --by A-CERT
expect 2 endorse CAND CAND2 --by A-CERT
expect 2 endorse CAND --by
expect 2 endorse CAND --by A-CERT --why
expect 0 endorse --help
grep -q -- "--by TEAM" "$T/out" || fail "endorse --help"
expect 0 --json log
[ "$(jget '[e["object"] for e in d if e["action"] == "endorse"]')" = \
    "['CAND', 'CAND', 'CAND', 'CAND', 'CAND', 'CAND', 'CAND', 'CAND', 'CAND2', 'CAND2']" ] ||
    fail "log endorse: $(cat "$T/out")"
[ "$(jget '[e for e in d if e["action"] == "endorse"][5]["after"]["endorser_fpr"]')" \
    = "$A" ] || fail "log: evidence fpr"
[ "$(jget '[e for e in d if e["action"] == "endorse"][6]["before"]["endorser"]')" \
    = "A-CERT" ] || fail "log: replaced endorsement"
[ "$(jget '[e["object"] for e in d if e["action"] == "team.state" and e["after"]["state"] == "active"]')" \
    = "['CAND', 'CAND2']" ] || fail "log: activations"
ok "endorse errors, audit log"
