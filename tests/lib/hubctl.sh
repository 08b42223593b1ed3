# Sourced by tests/integration/1NN-hubctl-*.sh, after tests/lib/hubd.sh:
# the real hubctl against the test's temporary data dir.
HUBCTL="$top_builddir/hubctl"

# The store's keyring runs a gpg-agent: stop it before the temp dir goes.
hubctl_cleanup() {
	_rc=$?
	# set -e must not end the trap before hub_cleanup stops hubd and
	# reports the failure.
	set +e
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

# --- contacts' keys (tests 104-109) ------------------------------------------
# keys_init: a second short GNUPGHOME, $K, for the keys the teams' contacts
# hold (generated per run, INSECURE, no passphrase); its agent is stopped
# on exit.
keys_init() {
	K="$T/k"
	mkdir -m 700 "$K" || fail "mkdir $K"
	trap keys_cleanup EXIT
}
keys_cleanup() {
	_rc=$?
	# set -e would end the trap at the first "(exit 1)" of a failed
	# test, before the agents and hubd are stopped
	set +e
	gpgconf --homedir "$K" --kill all >/dev/null 2>&1
	(exit "$_rc")
	hubctl_cleanup
}
gk() {
	gpg --homedir "$K" --batch --no-tty --quiet --pinentry-mode loopback \
	    --passphrase '' "$@"
}
kfpr() {
	gpg --homedir "$K" --batch --with-colons --list-keys "$1" 2>/dev/null |
	    awk -F: '/^fpr/ { print $10; exit }'
}
# mkkey UID EXPIRY [gpg options]: ed25519 (sign) + cv25519 (encrypt);
# prints the fingerprint.
mkkey() {
	_uid=$1 _exp=$2
	shift 2
	gk "$@" --quick-gen-key "$_uid" ed25519 sign "$_exp" 2>/dev/null ||
	    fail "gen $_uid"
	_f=$(kfpr "$_uid")
	gk "$@" --quick-add-key "$_f" cv25519 encr "$_exp" 2>/dev/null ||
	    fail "subkey $_uid"
	echo "$_f"
}
# export_key FILE FPR...: the public keys, armored, with certifications
export_key() {
	_file=$1
	shift
	gk --armor --export "$@" > "$_file" || fail "export $*"
}
