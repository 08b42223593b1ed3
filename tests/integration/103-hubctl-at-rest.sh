#!/bin/sh
# At rest: a team named with a random token is stored, yet the token is
# in no file under data_dir, and sqlite3 cannot read hub.db without the
# key (its key file is an OpenPGP message, not the key).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
write_conf

hc() {
	"$HUBCTL" -c "$CONF" "$@"
}

token=tok$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
handle=T$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
hc init > /dev/null || fail "init"
hc team add "$handle" --name "$token" > /dev/null || fail "team add"
hc list create ops "description=$token" > /dev/null || fail "list create"
hc team show "$handle" > "$T/out" || fail "team show"
grep -qx "name: $token" "$T/out" || fail "the token was not stored"
hc log > "$T/out" || fail "log"
grep -q "$token" "$T/out" || fail "the token is not in the audit log"
ok "token stored and read back through the key"

[ -s "$DATA/hub.db" ] || fail "no hub.db"
if grep -r -a -l -e "$token" -e "$handle" "$DATA"; then
	fail "token or handle found in plain text under data_dir"
fi
ok "neither token nor handle in any file under data_dir"

head -c 16 "$DATA/hub.db" | grep -qa 'SQLite format 3' &&
    fail "hub.db has a plain SQLite header"
grep -q -- '-----BEGIN PGP MESSAGE-----' "$DATA/hub.db.key" ||
    fail "hub.db.key is not an OpenPGP message"
ok "hub.db has no SQLite header; hub.db.key is wrapped"

if command -v sqlite3 > /dev/null 2>&1; then
	rc=0
	sqlite3 "$DATA/hub.db" 'SELECT * FROM teams;' > "$T/sq" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "sqlite3 read hub.db: $(cat "$T/sq")"
	grep -q "$token" "$T/sq" && fail "sqlite3 printed the token"
	ok "sqlite3 cannot read hub.db: $(head -n 1 "$T/sq")"
else
	echo "note: sqlite3 not installed: the sqlite3 check was NOT run"
fi

# Without the right key the store does not open: exit 3, nothing shown.
cp "$DATA/hub.db.key" "$T/key.saved"
printf 'not a key\n' > "$DATA/hub.db.key"
rc=0
hc team show "$handle" > "$T/out" 2> "$T/err" || rc=$?
[ "$rc" = 3 ] || fail "garbage key file: exit $rc"
grep -q "cannot open the store" "$T/err" || fail "message: $(cat "$T/err")"
grep -q "$token" "$T/out" "$T/err" && fail "token shown without the key"
cp "$T/key.saved" "$DATA/hub.db.key"
hc team show "$handle" > /dev/null || fail "the saved key no longer opens"
ok "a wrong key file: exit 3; the right one opens again"
