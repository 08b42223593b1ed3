# Sourced by tests/integration/1NN-hubctl-*.sh, after tests/lib/hubd.sh:
# the real hubctl against the test's temporary data dir.
HUBCTL="$top_builddir/hubctl"

# The store's keyring runs a gpg-agent: stop it before the temp dir goes.
hubctl_cleanup() {
	_rc=$?
	gpgconf --homedir "$DATA/gnupg" --kill all >/dev/null 2>&1 || true
	(exit "$_rc")
	hub_cleanup
}
trap hubctl_cleanup EXIT

# expect RC ARGS...: run hubctl, insist on the exit code; $T/out, $T/err.
expect() {
	_want=$1
	shift
	_rc=0
	"$HUBCTL" -c "$CONF" "$@" > "$T/out" 2> "$T/err" || _rc=$?
	[ "$_rc" = "$_want" ] ||
	    fail "hubctl $*: exit $_rc, want $_want: $(cat "$T/err")"
}

# err_has TEXT: the error message on stderr.
err_has() {
	grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"
}

# jget EXPR: evaluate a Python expression on the JSON document d.
jget() {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" \
	    < "$T/out" || fail "not JSON: $(cat "$T/out")"
}
