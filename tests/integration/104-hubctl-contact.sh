#!/bin/sh
# hubctl contact: add with a key file (imported into data_dir/gnupg;
# expired, revoked, sign-only keys, keys without the address, files with
# two keys, a secret key or no key refused, each with its reason, and
# none of them left in the keyring), show,
# ls, remove, their usage errors, the audit log, and --json (parsed).
# Keys are generated per run in a short GNUPGHOME.
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
BOB=$(mkkey 'Bob INSECURE <Bob@Cert.Test>' never)
ED=$(mkkey 'Ed INSECURE <ed@cert.test>' 1d \
    --faked-system-time 20200101T000000!)
RITA=$(mkkey 'Rita INSECURE <rita@cert.test>' never)
sed 's/^:-----BEGIN/-----BEGIN/' "$K/openpgp-revocs.d/$RITA.rev" |
    gk --import 2>/dev/null || fail "revoke rita"
gk --quick-gen-key 'Sig INSECURE <sig@cert.test>' ed25519 sign never \
    2>/dev/null || fail "gen sig"
SIG=$(kfpr 'sig@cert.test')
export_key "$T/alice.asc" "$ALICE"
export_key "$T/bob.asc" "$BOB"
export_key "$T/ed.asc" "$ED"
export_key "$T/rita.asc" "$RITA"
export_key "$T/sig.asc" "$SIG"
export_key "$T/two.asc" "$ALICE" "$BOB"
gk --armor --export-secret-keys "$ALICE" > "$T/secret.asc"
echo "not a key" > "$T/junk.asc"
ok "keys generated: $ALICE $BOB $ED $RITA $SIG"

# --- add -----------------------------------------------------------------------
mkdir "$T/tmp"
export TMPDIR="$T/tmp"
expect 0 contact add alice@cert.test --team cert-ex --key "$T/alice.asc" \
    --name "Alice A."
grep -qx "fpr: $ALICE" "$T/out" || fail "add: fpr: $(cat "$T/out")"
grouped=$(echo "$ALICE" | sed 's/..../& /g; s/ $//')
grep -qx "fingerprint: $grouped" "$T/out" || fail "add: grouped fpr"
grep -q "^confirm: .*fingerprint.*out\|^confirm: .*phone" "$T/out" ||
    fail "add: no out-of-band advice"
grep -qx "team: CERT-EX" "$T/out" || fail "add: team spelling"
gpg --homedir "$DATA/gnupg" --batch --list-keys "$ALICE" >/dev/null 2>&1 ||
    fail "alice's key not imported into data_dir/gnupg"
expect 0 --json contact add BOB@cert.test --team PSIRT --key "$T/bob.asc"
[ "$(jget 'd["address"], d["fpr"], d["team"], d["name"]')" = \
    "bob@cert.test $BOB PSIRT None" ] || fail "add --json: $(cat "$T/out")"
ok "contact add: imported, fingerprint printed"

expect 1 contact add alice@cert.test --team CERT-EX --key "$T/alice.asc"
err_has "contact already exists: alice@cert.test"
# Mallory's key carrying Alice's encryption subkey (gpg binds an
# encryption or authentication subkey without the subkey's own
# signature; with the same creation time it has the same fingerprint):
# in the hub keyring it would make Alice's subkey ambiguous.  Refused,
# and not imported.
read -r _grip _created <<EOT
$(gk --with-colons --with-keygrip --list-keys "$ALICE" |
    awk -F: '/^sub/ { c = $6 } /^grp/ && c { print $10, c; exit }')
EOT
[ -n "$_grip" ] || fail "alice's subkey keygrip"
# Mallory's key is older than the subkey it binds (gpg refuses a binding
# made before the key's own creation)
MAL=$(mkkey 'Mal INSECURE <mal@cert.test>' never --faked-system-time \
    "$(date -u -d "@$((_created - 60))" +%Y%m%dT%H%M%S)!")
ASUB=$(gk --with-colons --list-keys "$ALICE" |
    awk -F: '/^sub/ { s = 1 } /^fpr/ && s { print $10; exit }')
printf 'addkey\n13\n%s\nq\n0\nsave\n' "$_grip" |
    gpg --homedir "$K" --no-tty --pinentry-mode loopback --passphrase '' \
    --expert --command-fd 0 \
    --faked-system-time "$(date -u -d "@$_created" +%Y%m%dT%H%M%S)!" \
    --edit-key "$MAL" >/dev/null 2>&1 || fail "addkey alice's subkey to mal"
gk --with-colons --list-keys "$MAL" | grep -q "^fpr:.*:$ASUB:" ||
    fail "mal does not carry alice's subkey $ASUB"
export_key "$T/mal.asc" "$MAL"
expect 1 contact add mal@cert.test --team CERT-EX --key "$T/mal.asc"
err_has "its subkey $ASUB is already in the hub keyring as part of key $ALICE"
gpg --homedir "$DATA/gnupg" --batch --list-keys "$MAL" >/dev/null 2>&1 &&
    fail "the key sharing alice's subkey reached the hub keyring"
ok "contact add refuses a key carrying another key's subkey"

expect 1 contact add ed@cert.test --team CERT-EX --key "$T/ed.asc"
err_has "key expired on 2020-01-02"
expect 1 contact add rita@cert.test --team CERT-EX --key "$T/rita.asc"
err_has "key is revoked"
expect 1 contact add sig@cert.test --team CERT-EX --key "$T/sig.asc"
err_has "key cannot encrypt"
expect 1 contact add carol@cert.test --team CERT-EX --key "$T/alice.asc"
err_has "key has no user id for carol@cert.test"
expect 1 contact add carol@cert.test --team CERT-EX --key "$T/two.asc"
err_has "holds 2 keys, expected one"
expect 1 contact add carol@cert.test --team CERT-EX --key "$T/nope.asc"
err_has "cannot read key file $T/nope.asc: No such file or directory"
expect 1 contact add carol@cert.test --team CERT-EX --key "$T/junk.asc"
err_has "key file $T/junk.asc: no OpenPGP public key in it"
expect 1 contact add alice2@cert.test --team CERT-EX --key "$T/secret.asc"
err_has "holds a secret key"
gpg --homedir "$DATA/gnupg" --batch --list-secret-keys "$ALICE" \
    >/dev/null 2>&1 && fail "a secret key reached the hub keyring"
expect 1 contact add carol@cert.test --team NOPE --key "$T/alice.asc"
err_has "no such team: NOPE"
expect 1 contact add carol --team CERT-EX --key "$T/alice.asc"
err_has "bad address: carol"
expect 1 --json contact add ed@cert.test --team CERT-EX --key "$T/ed.asc"
jget 'd["error"]' | grep -q "key expired on 2020-01-02" || fail "json error"
# a refused key is judged before the import: none of them is in the keyring
for k in "$ED" "$RITA" "$SIG"; do
	gpg --homedir "$DATA/gnupg" --batch --list-keys "$k" >/dev/null 2>&1 &&
	    fail "refused key $k left in the hub keyring"
done
# the judgement comes from a scratch keyring in $TMPDIR, gone again
[ -z "$(ls -A "$TMPDIR")" ] || fail "scratch keyring left: $(ls "$TMPDIR")"
expect 2 contact add carol@cert.test --team CERT-EX
err_has "--team and --key are required"
expect 2 contact add --team CERT-EX --key "$T/alice.asc"
expect 2 contact add carol@cert.test --team CERT-EX --key "$T/alice.asc" \
    --colour red
err_has "unknown option or missing value: --colour"
expect 2 contact add carol@cert.test --team
ok "contact add refuses: duplicate, expired, revoked, sign-only, wrong" \
    "uid, two keys, unreadable, junk, secret key, unknown team, usage"

# --- show, ls --------------------------------------------------------------------
expect 0 contact show ALICE@cert.test
grep -qx "key: usable" "$T/out" || fail "show: key state: $(cat "$T/out")"
grep -qx "name: Alice A." "$T/out" || fail "show: name"
grep -qx "team_state: active" "$T/out" || fail "show: team state"
expect 0 --json contact show bob@cert.test
[ "$(jget 'd["fpr"], d["key"], d["key_expires"], d["team"]')" = \
    "$BOB usable never PSIRT" ] || fail "show --json: $(cat "$T/out")"
expect 1 contact show nobody@cert.test
err_has "no such contact: nobody@cert.test"
expect 2 contact show
expect 2 contact show a@b --verbose
expect 0 contact ls
[ "$(wc -l < "$T/out")" = 2 ] || fail "ls: two lines: $(cat "$T/out")"
grep -q "^alice@cert.test  *CERT-EX  *Alice A.  *$ALICE\$" "$T/out" ||
    fail "ls line: $(cat "$T/out")"
expect 0 --json contact ls --team psirt
[ "$(jget '[c["address"] for c in d]')" = "['bob@cert.test']" ] ||
    fail "ls --team: $(cat "$T/out")"
expect 1 contact ls --team NOPE
err_has "no such team: NOPE"
expect 2 contact ls extra
expect 2 contact ls --team
expect 2 contact frob
err_has "contact: no such subcommand: frob"
expect 2 contact
ok "contact show, ls"

# --- remove, log -------------------------------------------------------------------
expect 0 --json contact remove Bob@Cert.Test
[ "$(jget 'd["address"], d["removed"]')" = "bob@cert.test True" ] ||
    fail "remove: $(cat "$T/out")"
expect 1 contact remove bob@cert.test
err_has "no such contact: bob@cert.test"
expect 0 --json contact ls
[ "$(jget 'len(d)')" = 1 ] || fail "removed contact still listed"
gpg --homedir "$DATA/gnupg" --batch --list-keys "$BOB" >/dev/null 2>&1 ||
    fail "remove dropped the key from the keyring"
expect 0 --json log
[ "$(jget '[e["action"] for e in d if e["action"].startswith("contact")]')" \
    = "['contact.add', 'contact.add', 'contact.remove']" ] ||
    fail "log: $(cat "$T/out")"
[ "$(jget '[e for e in d if e["action"] == "contact.remove"][0]["before"]["fpr"]')" \
    = "$BOB" ] || fail "log: before of remove"
expect 0 --json status
[ "$(jget 'd["contacts"]')" = 1 ] || fail "status: contacts"
ok "contact remove, audit log"
