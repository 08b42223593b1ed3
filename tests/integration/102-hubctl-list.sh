#!/bin/sh
# hubctl list: create (with the list's own key), show, ls, set, key,
# delete,
# each with its error paths, human and --json output (parsed).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
write_conf

expect 3 list ls
expect 0 init

# --- create ------------------------------------------------------------------------
expect 0 --json list create ops "description=Operations, TLP mixed" \
    default_tlp=green
fpr=$(jget 'd["fpr"]')
echo "$fpr" | grep -Eq '^[0-9A-F]{40}$' || fail "list key: $fpr"
[ "$(jget 'd["address"], d["default_tlp"], d["may_post"], d["subject_tag"]')" \
    = "ops@hub.test TLP:GREEN members [ops]" ] || fail "create: $(cat "$T/out")"
[ "$(jget 'd["description"]')" = "Operations, TLP mixed" ] || fail "description"
gpg --homedir "$DATA/gnupg" --batch --list-secret-keys "$fpr" > /dev/null \
    2>&1 || fail "list secret key not in gnupg/"
expect 0 list create alerts
grep -qx "default_tlp: TLP:AMBER" "$T/out" || fail "default TLP is not AMBER"
expect 1 list create ops
err_has "list already exists: ops"
expect 1 list create Ops
err_has "bad list name: Ops"
expect 1 list create ops-request
err_has "bad list name: ops-request"
expect 1 list create news colour=red
err_has "no such list option: colour"
expect 1 list create news default_tlp=purple
err_has "bad value for default_tlp: purple"
expect 1 list show news
err_has "no such list: news"
expect 2 list create news nonsense
err_has "not option=value: nonsense"
expect 2 list create
expect 2 list create news --key x
err_has "unknown option: --key"
ok "list create and its errors"

# --- show, ls ------------------------------------------------------------------------
expect 0 list show ops
grep -qx "fpr: $fpr" "$T/out" || fail "show fpr"
grep -qx "address: ops@hub.test" "$T/out" || fail "show address"
expect 0 --json list show ops
[ "$(jget 'd["subscriptions"], d["keep_msgid"], d["max_size"]')" = \
    "[] False 0" ] || fail "show --json: $(cat "$T/out")"
expect 1 list show nope
err_has "no such list: nope"
expect 2 list show
expect 0 list ls
[ "$(wc -l < "$T/out")" = 2 ] || fail "ls lines"
grep -q '^alerts  *TLP:AMBER  *members  *-$' "$T/out" || fail "ls: $(cat "$T/out")"
expect 0 --json list ls
[ "$(jget '[l["name"] for l in d]')" = "['alerts', 'ops']" ] || fail "ls --json"
expect 2 list ls x
expect 2 list frob
err_has "list: no such subcommand: frob"
ok "list show, ls"

# --- set -------------------------------------------------------------------------
expect 0 --json list set ops default_tlp=amber+strict may_post=admins \
    subject_tag=OPS keep_msgid=yes max_size=1000000 description=Ops
[ "$(jget 'd["default_tlp"], d["may_post"], d["subject_tag"], d["keep_msgid"], d["max_size"], d["description"]')" \
    = "TLP:AMBER+STRICT admins OPS True 1000000 Ops" ] ||
    fail "set: $(cat "$T/out")"
expect 1 list set ops may_post=everyone
err_has "bad value for may_post: everyone"
expect 1 list set ops keep_msgid=maybe
expect 1 list set ops max_size=-1
expect 1 list set ops default_tlp=red colour=red
err_has "no such list option: colour"
expect 0 --json list show ops
[ "$(jget 'd["default_tlp"]')" = "TLP:AMBER+STRICT" ] ||
    fail "a refused set changed something"
expect 1 list set nope max_size=1
err_has "no such list: nope"
expect 2 list set ops
expect 2 list set ops =x
expect 0 --json log
[ "$(jget 'sum(1 for e in d if e["action"] == "list.set")')" = 6 ] ||
    fail "one audit row per option set"
ok "list set and its errors"

# --- key ---------------------------------------------------------------------------------
expect 0 --json list key ops
[ "$(jget 'd["fpr"], d["can_sign"], d["can_encrypt"], d["revoked"]')" = \
    "$fpr True True False" ] || fail "list key: $(cat "$T/out")"
uid=$(jget 'd["uids"][0]')
case $uid in *'<ops@hub.test>'*) ;; *) fail "list key uid: $uid" ;; esac
expect 0 list key ops --export
grep -q '^-----BEGIN PGP PUBLIC KEY BLOCK-----' "$T/out" || fail "export armor"
# What a member imports is the list's key, and only its public part.
G=$(mktemp -d /tmp/hubmk.XXXXXX)
gpg --homedir "$G" --batch --import "$T/out" 2> /dev/null || fail "import"
gpg --homedir "$G" --batch --with-colons --list-keys | grep -q "^fpr:*$fpr:" ||
    fail "exported key is not $fpr"
gpg --homedir "$G" --batch --list-secret-keys 2>/dev/null | grep -q . &&
    fail "export carried a secret key"
gpgconf --homedir "$G" --kill all > /dev/null 2>&1
rm -rf "$G"
expect 0 --json list key ops --export
key=$(jget 'd["key"]')
case $key in *'BEGIN PGP PUBLIC KEY BLOCK'*) ;; *) fail "--json key" ;; esac
expect 1 list key nosuch
err_has "no such list: nosuch"
expect 2 list key ops --armor
expect 2 list key
ok "list key and --export"

# --- delete ----------------------------------------------------------------------------
expect 0 --json list delete alerts
[ "$(jget 'd["deleted"]')" = True ] || fail "delete"
expect 1 list delete alerts
err_has "no such list: alerts"
expect 2 list delete
expect 0 --json status
[ "$(jget 'd["lists"]')" = 1 ] || fail "status after delete"
expect 0 --json log --limit 1
[ "$(jget 'd[0]["action"], d[0]["object"], d[0]["after"]')" = \
    "list.delete alerts None" ] || fail "delete audit"
ok "list delete"
