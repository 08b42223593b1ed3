#!/bin/sh
# hubctl contact key: a contact's key replaced (the same checks as
# contact add: expired, revoked, sign-only keys, keys without the
# address, two keys, a secret key, the list's own key refused, and none
# of them changing the contact), the same key again a refresh, the old
# fingerprint in contact show's previous_keys and in the audit log, a
# contact that does not exist, the usage errors, and --json.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
command -v gpg >/dev/null 2>&1 || skip "gpg not found"
write_conf
keys_init
expect 0 init
expect 0 team add CERT-EX --state active
expect 0 list create ops

OLD=$(mkkey 'Alice Old INSECURE <alice@cert.test>' never)
NEW=$(mkkey 'Alice New INSECURE <alice@cert.test>' 2y)
ED=$(mkkey 'Alice Expired INSECURE <alice@cert.test>' 1d \
    --faked-system-time 20200101T000000!)
RITA=$(mkkey 'Alice Revoked INSECURE <alice@cert.test>' never)
sed 's/^:-----BEGIN/-----BEGIN/' "$K/openpgp-revocs.d/$RITA.rev" |
    gk --import 2>/dev/null || fail "revoke"
OTHER=$(mkkey 'Bob INSECURE <bob@cert.test>' never)
gk --quick-gen-key 'Sig INSECURE <alice@cert.test>' ed25519 sign never \
    2>/dev/null || fail "gen sig"
SIG=$(kfpr 'Sig INSECURE')
for k in OLD NEW ED RITA OTHER SIG; do
	eval "export_key \"\$T/$k.asc\" \"\$$k\""
done
export_key "$T/two.asc" "$OLD" "$NEW"
gk --armor --export-secret-keys "$NEW" > "$T/secret.asc"
echo "not a key" > "$T/junk.asc"
expect 0 contact add alice@cert.test --team CERT-EX --key "$T/OLD.asc"
ok "keys generated, alice added with $OLD"

# --- refused as contact add refuses them -------------------------------------------
refused() {
	_file=$1 _why=$2
	expect 1 contact key alice@cert.test --key "$_file"
	err_has "$_why"
	expect 0 --json contact show alice@cert.test
	[ "$(jget 'd["fpr"]')" = "$OLD" ] ||
	    fail "contact key $_file changed the key: $(cat "$T/out")"
}
refused "$T/ED.asc" "expired"
refused "$T/RITA.asc" "revoked"
refused "$T/SIG.asc" "encrypt"
refused "$T/OTHER.asc" "alice@cert.test"
refused "$T/two.asc" "holds 2 keys, expected one"
refused "$T/secret.asc" "holds a secret key"
refused "$T/junk.asc" "no OpenPGP public key"
refused "$T/missing.asc" "cannot read key file"
expect 0 --json list key ops
LISTFPR=$(jget 'd["fpr"]')
expect 0 list key ops --export
cp "$T/out" "$T/list.asc"
expect 1 contact key alice@cert.test --key "$T/list.asc"
expect 0 --json contact show alice@cert.test
[ "$(jget 'd["fpr"]')" = "$OLD" ] || fail "the list key replaced alice's"
for f in "$ED" "$RITA" "$OTHER" "$SIG"; do
	gpg --homedir "$DATA/gnupg" --batch --list-keys "$f" >/dev/null 2>&1 &&
	    fail "refused key $f left in the keyring"
done
ok "contact key refuses what contact add refuses; nothing changed"

expect 1 contact key nobody@cert.test --key "$T/NEW.asc"
err_has "no such contact: nobody@cert.test"
gpg --homedir "$DATA/gnupg" --batch --list-keys "$NEW" >/dev/null 2>&1 &&
    fail "a key imported for a contact that does not exist"
expect 2 contact key alice@cert.test
expect 2 contact key --key "$T/NEW.asc"
expect 2 contact key alice@cert.test --key "$T/NEW.asc" --bogus
ok "contact key: no such contact, usage errors"

# --- replaced ----------------------------------------------------------------------
expect 0 contact key alice@cert.test --key "$T/NEW.asc"
grep -qx "fpr: $NEW" "$T/out" || fail "key: fpr: $(cat "$T/out")"
grep -qx "old_fpr: $OLD" "$T/out" || fail "key: old_fpr"
grep -qx "replaced: yes" "$T/out" || fail "key: replaced"
grep -q "^confirm: .*phone" "$T/out" || fail "key: no out-of-band advice"
gpg --homedir "$DATA/gnupg" --batch --list-keys "$NEW" >/dev/null 2>&1 ||
    fail "the new key not imported"
expect 0 --json contact show alice@cert.test
[ "$(jget 'd["fpr"], d["key"]')" = "$NEW usable" ] ||
    fail "show after key: $(cat "$T/out")"
[ "$(jget '[k["fpr"] for k in d["previous_keys"]]')" = "['$OLD']" ] ||
    fail "history: $(cat "$T/out")"
expect 0 --json log --limit 1
[ "$(jget 'd[0]["action"], d[0]["object"], d[0]["before"]["fpr"], d[0]["after"]["fpr"]')" = \
    "contact.key alice@cert.test $OLD $NEW" ] || fail "audit: $(cat "$T/out")"
ok "contact key: replaced, old fingerprint in the history and the audit log"

# the same key again: a refresh, no history row
expect 0 --json contact key ALICE@cert.test --key "$T/NEW.asc"
[ "$(jget 'd["replaced"], d["fpr"]')" = "False $NEW" ] ||
    fail "refresh: $(cat "$T/out")"
expect 0 --json contact show alice@cert.test
[ "$(jget 'len(d["previous_keys"])')" = 1 ] || fail "refresh added history"
expect 0 --json log --limit 1
[ "$(jget 'd[0]["action"]')" = "contact.key" ] || fail "refresh not audited"
# back to the old key: two rows, oldest first
expect 0 contact key alice@cert.test --key "$T/OLD.asc"
expect 0 --json contact show alice@cert.test
[ "$(jget '[k["fpr"] for k in d["previous_keys"]]')" = "['$OLD', '$NEW']" ] ||
    fail "history order: $(cat "$T/out")"
expect 0 contact show alice@cert.test
grep -q "^previous_keys:" "$T/out" || fail "text show lacks previous_keys"
ok "contact key: the same key is a refresh; history in order"

expect 0 contact --help
grep -q "contact key ADDRESS --key FILE" "$T/out" || fail "help lacks key"
ok "contact --help names contact key"
