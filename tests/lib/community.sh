# Sourced by tests/integration/03N-*.sh and bench/relay, after
# tests/lib/hubd.sh and tests/lib/hubctl.sh: a whole community (member and
# partner teams, their PoCs' INSECURE keys, an admin, the list ops), the
# SMTP sink the relay delivers to, posts of every kind made with the gpg
# CLI, and the checks of a relayed copy.
#
# Contacts are named by an id:
#	1, 2, ... NMEMBERS   member team TNN, "Member NN" <pocNN@tNN.test>
#	p1, p2, ...          partner team PNN, "Partner NN" <pocNN@pNN.test>
#	admin                team HUB, admin@hub.test, subscribed as admin
#	stranger             stranger@evil.test: a key the roster never saw
#	x                    pocx@x01.test of team X01, whose key expires
#	                     (community_add_expiring)
# The contacts in $COMMUNITY_SUBKEY_IDS (default: member 1) sign with a
# signing subkey, their primary key only certifies, as keys made by
# Thunderbird, on smartcards or by GpgOL do: every flow that member 1
# takes checks that the hub names the signer by the primary key.
# Every secret key is made in one shared keyring, $CK/all (fast: one gpg
# run for all of them).  A check that must use one contact's key alone
# (copy_check, copy_fails_for) exports that secret key into the contact's
# own GNUPGHOME $CK/ID first, so no other secret key is within reach.
# Plaintext is piped, never written to disk (tests/integration/032).

CK="$T/keys"
CKR="$CK/all"
SINK_DIR="$T/sink"
SINK_PID=
SINK_PORT=
LIST_FPR=
: "${COMMUNITY_CONF:=}"	# extra hub.conf lines, one per line
: "${COMMUNITY_SUBKEY_IDS=1}"	# contacts that sign with a subkey
# The contacts' delivery receipts (on by default in the hub) are off
# unless a test asks for them (044): the other tests count the mail a
# post brings.
: "${COMMUNITY_RECEIPTS:=off}"

# --- cleanup: the sink, every keyring's agent, then hubctl's and hubd's --------
community_cleanup() {
	_rc=$?
	set +e
	stop_sink
	for _h in "$CK"/*; do
		[ -d "$_h" ] && gpgconf --homedir "$_h" --kill all >/dev/null 2>&1
	done
	(exit "$_rc")
	hubctl_cleanup
}
trap community_cleanup EXIT

# --- the sink --------------------------------------------------------------------
# start_sink [MODE]: tests/lib/sink.py on an ephemeral port; SINK_PORT.
start_sink() {
	[ -z "$SINK_PID" ] || fail "start_sink: a sink runs already"
	mkdir -p "$SINK_DIR"
	rm -f "$T/sink.port"
	python3 "${SINK_PY:-$top_srcdir/tests/lib/sink.py}" --port-file "$T/sink.port" \
	    --dir "$SINK_DIR" --mode "${1:-ok}" 2>>"$T/sink.log" &
	SINK_PID=$!
	_i=0
	while ! [ -s "$T/sink.port" ]; do
		kill -0 "$SINK_PID" 2>/dev/null ||
		    fail "sink.py exited: $(tail -n 5 "$T/sink.log")"
		[ "$_i" -lt 100 ] || fail "sink.py wrote no port file in 10 s"
		sleep 0.1
		_i=$((_i + 1))
	done
	SINK_PORT=$(tr -dc 0-9 < "$T/sink.port")
	[ -n "$SINK_PORT" ] || fail "sink port file: $(cat "$T/sink.port")"
}

# stop_sink: by its pid only.
stop_sink() {
	[ -n "$SINK_PID" ] || return 0
	kill -TERM "$SINK_PID" 2>/dev/null || true
	wait "$SINK_PID" 2>/dev/null || true
	SINK_PID=
}

# sink_count: messages stored so far.
sink_count() {
	find "$SINK_DIR" -maxdepth 1 -name '*.eml' 2>/dev/null | wc -l |
	    tr -d ' '
}

# sink_wait N [SECONDS]: until the sink holds at least N messages.
sink_wait() {
	_n=$1 _secs=${2:-60} _i=0
	while [ "$(sink_count)" -lt "$_n" ]; do
		[ "$_i" -lt $((_secs * 10)) ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# keycheck_settle: until the day's key check (the first worker turn after
# a start) has run and the relay has delivered what it staged, so that a
# later count of the sink's messages is the test's own.
keycheck_settle() {
	wait_log "keycheck lists=" 30 || fail "no key check"
	_i=0
	while [ -n "$(find "$SPOOL/outgoing" -mindepth 1 -maxdepth 1 \
	    ! -name '.*' 2>/dev/null)" ]; do
		[ "$_i" -lt 300 ] || fail "the key check's notices stay queued"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# sink_msgs [AFTER]: the stored messages' paths (D/NNNNNN.eml) in order,
# only those numbered above AFTER (a count from sink_count) if given.
sink_msgs() {
	find "$SINK_DIR" -maxdepth 1 -name '*.eml' 2>/dev/null | sort |
	    tail -n +$((${1:-0} + 1))
}

# env_rcpts EML: the envelope recipients of a stored message, one a line.
env_rcpts() {
	sed -n 's/^rcpt <*\([^>]*\)>*$/\1/p' "${1%.eml}.env" | tr 'A-Z' 'a-z'
}
env_from() {
	sed -n 's/^from <*\([^>]*\)>*$/\1/p' "${1%.eml}.env" | head -n 1
}

# sink_by_rcpt ADDR [AFTER]: the stored messages for ADDR.
sink_by_rcpt() {
	for _m in $(sink_msgs "${2:-0}"); do
		env_rcpts "$_m" | grep -qxF "$1" && echo "$_m"
	done
	return 0
}

# --- contacts ------------------------------------------------------------------------
nn() { printf '%02d' "$1"; }

# c_addr ID: a contact's address.
c_addr() {
	case $1 in
	admin) echo admin@hub.test ;;
	stranger) echo stranger@evil.test ;;
	x) echo pocx@x01.test ;;
	p*) echo "poc$(nn "${1#p}")@p$(nn "${1#p}").test" ;;
	*) echo "poc$(nn "$1")@t$(nn "$1").test" ;;
	esac
}
c_name() {
	case $1 in
	admin) echo "Hub Admin" ;;
	stranger) echo "Stranger" ;;
	x) echo "Member X" ;;
	p*) echo "Partner $(nn "${1#p}")" ;;
	*) echo "Member $(nn "$1")" ;;
	esac
}
c_team() {
	case $1 in
	admin) echo HUB ;;
	stranger) echo ZZ-STRANGER ;;
	x) echo X01 ;;
	p*) echo "P$(nn "${1#p}")" ;;
	*) echo "T$(nn "$1")" ;;
	esac
}
# c_fpr ID: the primary key's fingerprint, from the shared keyring.
c_fpr() {
	_a=$(c_addr "$1")
	gpg --homedir "$CKR" --batch --with-colons --list-keys "<$_a>" \
	    2>/dev/null | awk -F: '/^fpr/ { print $10; exit }'
}

# gall ARGS: gpg on the shared keyring (every test secret key).
gall() {
	gpg --homedir "$CKR" --batch --no-tty --quiet --pinentry-mode loopback \
	    --passphrase '' --trust-model always "$@"
}

# c_home ID: the contact's own GNUPGHOME (made on first use) holding its
# secret key alone and the list's public key.
c_home() {
	_h="$CK/$1"
	if ! [ -d "$_h" ]; then
		mkdir -m 700 "$_h.tmp" || fail "mkdir $_h"
		gall --export-secret-keys "$(c_fpr "$1")" |
		    gpg --homedir "$_h.tmp" --batch --quiet --import 2>/dev/null ||
		    fail "secret key of $1 into its own keyring"
		if [ -n "$LIST_FPR" ]; then
			gall --export "$LIST_FPR" | gpg --homedir "$_h.tmp" \
			    --batch --quiet --import 2>/dev/null ||
			    fail "list key into $1's keyring"
		fi
		# the agent the import started serves the .tmp path: stop it,
		# or after the rename it would look for keys that moved.  The
		# kill is asynchronous: on a loaded machine the agent may still
		# be there when gpg first asks for $_h, and its socket would
		# move with the directory and answer NO_SECKEY (032 saw that
		# once).  Without the socket gpg starts a fresh agent for $_h.
		gpgconf --homedir "$_h.tmp" --kill all >/dev/null 2>&1
		rm -f "$_h.tmp"/S.gpg-agent*
		mv "$_h.tmp" "$_h"
	fi
	echo "$_h"
}

# subkey_signer ID: does the contact sign with a subkey?
subkey_signer() {
	case " $COMMUNITY_SUBKEY_IDS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# keyparams ALGO ID...: gpg --gen-key parameters for those contacts (a
# subkey signer's primary key certifies only: addsignsub adds the rest).
keyparams() {
	_algo=$1
	shift
	echo '%no-protection'
	for _id in "$@"; do
		_use=sign
		subkey_signer "$_id" && _use=cert
		case $_algo in
		ed25519|cv25519)
			printf 'Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: %s\n' "$_use"
			printf 'Subkey-Type: ecdh\nSubkey-Curve: cv25519\nSubkey-Usage: encrypt\n' ;;
		rsa3072)
			printf 'Key-Type: rsa\nKey-Length: 3072\nKey-Usage: %s\n' "$_use"
			printf 'Subkey-Type: rsa\nSubkey-Length: 3072\nSubkey-Usage: encrypt\n' ;;
		*) fail "unknown key algorithm: $_algo" ;;
		esac
		printf 'Name-Real: %s INSECURE\nName-Email: %s\nExpire-Date: 0\n%%commit\n' \
		    "$(c_name "$_id")" "$(c_addr "$_id")"
	done
}

# genkeys ALGO ID...: every key into $CKR; in parallel chunks (one per
# CPU) in scratch keyrings when there are many or they are RSA.
genkeys() {
	_algo=$1
	shift
	_gk_ids=$*
	_cpus=$(nproc 2>/dev/null || echo 2)
	if [ "$#" -lt 16 ] && [ "$_algo" != rsa3072 ]; then
		_cpus=1
	fi
	_per=$(( ($# + _cpus - 1) / _cpus ))
	_c=0 _pids=
	while [ "$#" -gt 0 ]; do
		_c=$((_c + 1))
		_ids=
		_k=0
		while [ "$#" -gt 0 ] && [ "$_k" -lt "$_per" ]; do
			_ids="$_ids $1"
			shift
			_k=$((_k + 1))
		done
		mkdir -m 700 "$CK/gen$_c" || fail "mkdir $CK/gen$_c"
		# shellcheck disable=SC2086
		keyparams "$_algo" $_ids > "$CK/gen$_c.params"
		gpg --homedir "$CK/gen$_c" --batch --quiet --gen-key \
		    "$CK/gen$_c.params" 2>"$CK/gen$_c.err" &
		_pids="$_pids $!"
	done
	for _p in $_pids; do
		wait "$_p" || fail "key generation failed: $(cat "$CK"/gen*.err)"
	done
	_i=1
	while [ "$_i" -le "$_c" ]; do
		gpg --homedir "$CK/gen$_i" --batch --quiet --export-secret-keys |
		    gall --import 2>/dev/null || fail "import generated keys"
		gpgconf --homedir "$CK/gen$_i" --kill all >/dev/null 2>&1
		rm -rf "$CK/gen$_i" "$CK/gen$_i.params" "$CK/gen$_i.err"
		_i=$((_i + 1))
	done
	for _id in $_gk_ids; do
		subkey_signer "$_id" && addsignsub "$_algo" "$_id"
	done
	return 0
}

# addsignsub ALGO ID: the contact's signing subkey (gpg then signs with
# it: the primary key cannot).
addsignsub() {
	_sa=$1
	[ "$_sa" = cv25519 ] && _sa=ed25519
	gall --quick-add-key "$(c_fpr "$2")" "$_sa" sign never 2>/dev/null ||
	    fail "signing subkey of $2"
}

# hc ARGS: hubctl on the test's store, quiet unless it fails.
hc() {
	"$HUBCTL" -c "$CONF" "$@" > "$T/hc.out" 2> "$T/hc.err" ||
	    fail "hubctl $*: $(cat "$T/hc.err")"
}

# add_contact ID ROLE: its team (active), the contact with its public
# key, the subscription to ops.
add_contact() {
	_id=$1 _role=$2
	_kind=member
	[ "$_role" = partner ] && _kind=partner
	hc team add "$(c_team "$_id")" --kind "$_kind" --state active
	gall --armor --export "$(c_fpr "$_id")" > "$CK/$_id.asc" ||
	    fail "export $_id"
	hc contact add "$(c_addr "$_id")" --team "$(c_team "$_id")" \
	    --key "$CK/$_id.asc" --name "$(c_name "$_id")"
	[ "$COMMUNITY_RECEIPTS" = on ] ||
	    hc contact set "$(c_addr "$_id")" receipts=off
	hc subscribe ops "$(c_addr "$_id")" --role "$_role"
}

# community_make NMEMBERS NPARTNERS [ALGO]: the sink (if none runs),
# hub.conf (smarthost = the sink, $COMMUNITY_CONF lines), hubctl init,
# the teams, contacts, the list ops (its public key in $CKR, LIST_FPR)
# and the subscriptions.  ALGO: ed25519 (= cv25519, default) or rsa3072,
# for the members' and partners' keys.  Does not start hubd.
COMMUNITY_N=0
COMMUNITY_P=0
community_make() {
	COMMUNITY_N=$1 COMMUNITY_P=$2
	_cm_algo=${3:-ed25519}
	command -v gpg >/dev/null 2>&1 || skip "gpg not found"
	command -v python3 >/dev/null 2>&1 || skip "python3 not found"
	[ -n "$SINK_PID" ] || start_sink
	_cm_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2086
	write_conf "smarthost = 127.0.0.1:$SINK_PORT" $COMMUNITY_CONF
	IFS=$_cm_ifs
	mkdir -m 700 -p "$CK" "$CKR" || fail "mkdir $CK"
	_cm_ids=
	_cm_i=1
	while [ "$_cm_i" -le "$COMMUNITY_N" ]; do
		_cm_ids="$_cm_ids $_cm_i"
		_cm_i=$((_cm_i + 1))
	done
	_cm_i=1
	while [ "$_cm_i" -le "$COMMUNITY_P" ]; do
		_cm_ids="$_cm_ids p$_cm_i"
		_cm_i=$((_cm_i + 1))
	done
	# the admin's and the stranger's keys are always ed25519
	# shellcheck disable=SC2086
	genkeys "$_cm_algo" $_cm_ids
	genkeys ed25519 admin stranger
	hc init
	hc list create ops
	hc --json list key ops
	LIST_FPR=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["fpr"])' \
	    < "$T/hc.out") || fail "list key: $(cat "$T/hc.out")"
	hc list key ops --export
	gall --import < "$T/hc.out" 2>/dev/null || fail "import the list key"
	for _cm_id in $_cm_ids; do
		case $_cm_id in
		p*) add_contact "$_cm_id" partner ;;
		*) add_contact "$_cm_id" member ;;
		esac
	done
	add_contact admin admin
}

# community_add_expiring SECONDS: member team X01 with contact x, whose
# key (made a day ago, valid one day) expires SECONDS from now, subscribed
# as a member.  post_compose's "expired" kind signs as it, at a time the
# key was valid; once SECONDS have passed the hub sees an expired key.
X_CREATED=
community_add_expiring() {
	X_CREATED=$(( $(date +%s) - 86400 + $1 ))
	gall --faked-system-time "$X_CREATED" --quick-gen-key \
	    "$(c_name x) INSECURE <$(c_addr x)>" ed25519 sign 1d 2>/dev/null ||
	    fail "gen expiring key"
	_f=$(c_fpr x)
	gall --faked-system-time "$X_CREATED" --quick-add-key "$_f" cv25519 \
	    encr 1d 2>/dev/null || fail "expiring subkey"
	add_contact x member
}

# community_add_expired: member team X01 with contact x, whose key was
# made 25 hours ago, valid one day, so it expired an hour ago: a key
# accepted while it was valid.  hubctl refuses it now, so the contact is
# written past hubctl (tests/lib/ctl_put) with its key imported into the
# hub keyring; the subscription is made by hubctl with the hub's calendar
# (HUB_FAKE_NOW) and gpg's clock (faked-system-time in the hub keyring's
# gpg.conf, for that run only) set back to when the key was valid.
# post_compose's "expired" kind signs as x at that time: the hub, at the
# real time, sees a signature by an expired key, and no test waits for a
# key to expire.
community_add_expired() {
	X_CREATED=$(( $(date +%s) - 86400 - 3600 ))
	gall --faked-system-time "$X_CREATED" --quick-gen-key \
	    "$(c_name x) INSECURE <$(c_addr x)>" ed25519 sign 1d 2>/dev/null ||
	    fail "gen expired key"
	_f=$(c_fpr x)
	gall --faked-system-time "$X_CREATED" --quick-add-key "$_f" cv25519 \
	    encr 1d 2>/dev/null || fail "expired key's subkey"
	hc team add "$(c_team x)" --kind member --state active
	gall --armor --export "$_f" |
	    gpg --homedir "$DATA/gnupg" --batch --quiet --import 2>/dev/null ||
	    fail "import x's key into the hub keyring"
	"$top_builddir/tests/lib/ctl_put" "$DATA" contact "$(c_addr x)" \
	    "$(c_team x)" "$(c_name x)" "$_f" || fail "ctl_put contact x"
	_gc="$DATA/gnupg/gpg.conf"
	cp "$_gc" "$_gc.orig" || fail "save gpg.conf"
	echo "faked-system-time $((X_CREATED + 120))" >> "$_gc"
	HUB_FAKE_NOW=$((X_CREATED + 120))
	export HUB_FAKE_NOW
	hc subscribe ops "$(c_addr x)" --role member
	unset HUB_FAKE_NOW
	mv "$_gc.orig" "$_gc" || fail "restore gpg.conf"
}

# --- posts ---------------------------------------------------------------------------
crlf() { sed 's/\r*$/\r/'; }
PB=csirthubtestboundary

# outer_headers FROM_ID SUBJECT CONTENT-TYPE: what the sender's MUA and
# MTA put around the post (a Received line, User-Agent, X-Mailer: the
# hub must drop them).
outer_headers() {
	printf 'Received: from mua.sender.test (mua.sender.test [192.0.2.7])\n'
	printf '\tby mx.sender.test with ESMTPS id SENDERQID; %s\n' \
	    "$(date -R)"
	printf 'From: "%s" <%s>\n' "$(c_name "$1")" "$(c_addr "$1")"
	printf 'To: ops@hub.test\nSubject: %s\n' "$2"
	printf 'Date: %s\n' "$(date -R)"
	printf 'Message-ID: <%s.%s@sender.test>\n' "$(date +%s)" \
	    "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
	printf 'User-Agent: SenderMUA/9.9 (sender-ua-marker)\n'
	printf 'X-Mailer: SenderMailer 1.0 (sender-xmailer-marker)\n'
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: %s\n\n' "$3"
}

# inner_entity FROM_ID SUBJECT BODYFILE: the text part, with protected
# headers (the real subject travels inside the encryption, and To names
# the list, or $POST_TO: the hub refuses a post whose signed To/Cc do not
# name the list it is sent to).
inner_entity() {
	printf 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"\n'
	printf 'Subject: %s\n' "$2"
	printf 'From: "%s" <%s>\nTo: %s\n\n' "$(c_name "$1")" \
	    "$(c_addr "$1")" "${POST_TO:-ops@hub.test}"
	cat -- "$3"
}

# wrap_encrypted FROM_ID: the PGP/MIME multipart/encrypted body around
# the armored ciphertext on stdin.
wrap_encrypted() {
	outer_headers "$1" "${POST_OUTER_SUBJECT-...}" \
	    "multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"$PB\""
	printf 'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\n'
	printf -- '--%s\nContent-Type: application/pgp-encrypted\n' "$PB"
	printf 'Content-Description: PGP/MIME version identification\n\n'
	printf 'Version: 1\n\n--%s\n' "$PB"
	printf 'Content-Type: application/octet-stream; name="encrypted.asc"\n'
	printf 'Content-Description: OpenPGP encrypted message\n'
	printf 'Content-Disposition: inline; filename="encrypted.asc"\n\n'
	cat
	printf -- '\n--%s--\n' "$PB"
}

# signed_entity SIGNER_ID ENTITY-FILE [SIGNED-FILE [gpg options]]: a
# multipart/signed of ENTITY-FILE (CRLF) with a detached signature by
# SIGNER_ID over SIGNED-FILE (default: the same entity).
signed_entity() {
	_sid=$1 _ent=$2 _over=${3:-$2}
	shift 2
	if [ "$#" -gt 0 ]; then
		shift
	fi
	printf 'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="S%s"\r\n\r\n' "$PB"
	printf -- '--S%s\r\n' "$PB"
	cat "$_ent"
	printf -- '\r\n--S%s\r\nContent-Type: application/pgp-signature; name="signature.asc"\r\n\r\n' "$PB"
	gall "$@" --digest-algo SHA256 -u "$(c_fpr "$_sid")" --detach-sign \
	    --armor < "$_over" | crlf || fail "detached signature by $_sid"
	printf -- '\r\n--S%s--\r\n' "$PB"
}

# post_compose FROM_ID SUBJECT BODYFILE [KIND]: a whole post to
# ops@hub.test on stdout (BODYFILE - for stdin); a good post is also
# encrypted to the keys in $POST_ALSO_TO (fingerprints: other lists the
# post is for, as a mail client encrypts to every recipient).  KIND:
#	good        RFC 3156 §6.2 combined sign+encrypt to the list key,
#	            signed by FROM_ID (also for a partner: FROM_ID pN)
#	partner     good, signed by partner FROM_ID (1 = p1)
#	plain       no crypto at all
#	signedonly  multipart/signed, not encrypted
#	unsigned    encrypted to the list key, not signed
#	badsig      encrypted multipart/signed whose signature (by FROM_ID)
#	            covers other text
#	unknown     good, but signed by (and From) the stranger
#	expired     encrypted multipart/signed by contact x, signed while its
#	            key was valid (community_add_expiring); FROM_ID ignored
#	nomdc       signed and encrypted without integrity protection
#	            (--rfc2440, 3DES: a SED packet, no MDC)
# The only plaintext on disk is what the caller wrote: the entity is
# piped; the few scratch files (badsig, expired) hold no body and go.
post_compose() {
	_from=$1 _subj=$2 _body=$3 _kind=${4:-good}
	[ -n "$LIST_FPR" ] || fail "post_compose before community_make"
	case $_kind in
	partner) _from=p${_from#p} ;;
	unknown) _from=stranger ;;
	expired) _from=x ;;
	esac
	case $_kind in
	good|partner|unknown)
		# shellcheck disable=SC2046
		inner_entity "$_from" "$_subj" "$_body" | crlf |
		    gall -u "$(c_fpr "$_from")" -r "$LIST_FPR" \
		    $(for _k in ${POST_ALSO_TO:-}; do printf -- '-r %s ' "$_k"; done) \
		    --sign --encrypt --armor | wrap_encrypted "$_from" ;;
	unsigned)
		inner_entity "$_from" "$_subj" "$_body" | crlf |
		    gall -r "$LIST_FPR" --encrypt --armor |
		    wrap_encrypted "$_from" ;;
	nomdc)
		inner_entity "$_from" "$_subj" "$_body" | crlf |
		    gall -u "$(c_fpr "$_from")" -r "$LIST_FPR" --rfc2440 \
		    --cipher-algo 3DES --sign --encrypt --armor 2>/dev/null |
		    wrap_encrypted "$_from" ;;
	plain)
		outer_headers "$_from" "$_subj" "text/plain; charset=utf-8"
		cat -- "$_body" ;;
	signedonly)
		inner_entity "$_from" "$_subj" "$_body" | crlf > "$T/post.ent"
		outer_headers "$_from" "$_subj" \
		    "multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"S$PB\""
		signed_entity "$_from" "$T/post.ent" | sed 1,2d
		rm -f "$T/post.ent" ;;
	badsig)
		# the signature covers a harmless text; the entity is another
		printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nnot what was signed\r\n' \
		    > "$T/post.other"
		inner_entity "$_from" "$_subj" "$_body" | crlf > "$T/post.ent"
		signed_entity "$_from" "$T/post.ent" "$T/post.other" |
		    gall -r "$LIST_FPR" --encrypt --armor |
		    wrap_encrypted "$_from"
		rm -f "$T/post.ent" "$T/post.other" ;;
	expired)
		[ -n "$X_CREATED" ] || fail "expired post before community_add_expiring"
		inner_entity x "$_subj" "$_body" | crlf > "$T/post.ent"
		signed_entity x "$T/post.ent" "$T/post.ent" \
		    --faked-system-time "$((X_CREATED + 60))" |
		    gall -r "$LIST_FPR" --encrypt --armor |
		    wrap_encrypted x
		rm -f "$T/post.ent" ;;
	*) fail "post_compose: unknown kind $_kind" ;;
	esac
}

# post_send FILE [ENVELOPE-FROM]: submit it to ops@hub.test (the envelope
# sender defaults to the From header's address); fails unless 250.
post_send() {
	_pf=${2:-$(sed -n '/^$/q; s/^From:.*<\([^>]*\)>.*/\1/p' "$1" | head -n 1)}
	send --from "$_pf" --to ops@hub.test --file "$1" > "$T/send.out" ||
	    fail "post $1 not accepted: $(cat "$T/send.out")"
}

# post_result FROM_LINE [SECONDS]: wait for the worker's verdict on the
# next post after log line FROM_LINE; print the line (accepted post=ID
# list=.. rcpts=N, or rejected post=ID reason=TOKEN).
post_result() {
	wait_log ' (accepted|rejected) post=' "${2:-60}" "$1" ||
	    fail "no accepted/rejected line from the worker in ${2:-60} s"
	tail -n +$(($1 + 1)) "$LOG" | grep -E ' (accepted|rejected) post=' |
	    head -n 1
}
# post_archived FILE: send the post, insist it is accepted and filed in
# the archive; print its spool id.
post_archived() {
	_pa_from=$(log_lines)
	post_send "$1"
	_pa_line=$(post_result "$_pa_from")
	case $_pa_line in
	*" accepted "*) ;;
	*) fail "post $1 not accepted: $_pa_line" ;;
	esac
	wait_log "archived post=$(field post "$_pa_line")" 30 "$_pa_from" ||
	    fail "post $1 not archived"
	field post "$_pa_line"
}

# field KEY LINE: the value of KEY=value in a log line.
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# --- relayed copies ------------------------------------------------------------------
# copy_check MAILFILE ID: decrypt with ID's key alone, insist on a good
# signature by the list key (combined, or a multipart/signed inside the
# encryption); print the decrypted MIME entity.  Fails the test.
copy_check() {
	_h=$(c_home "$2")
	_st="$T/copy.status"
	_out=$(gpg --homedir "$_h" --batch --no-tty --trust-model always \
	    --status-fd 3 --decrypt "$1" 3>"$_st" 2>/dev/null) ||
	    fail "$1: $2 ($(c_addr "$2")) cannot decrypt it"
	grep -q '^\[GNUPG:\] DECRYPTION_OKAY' "$_st" ||
	    fail "$1: no DECRYPTION_OKAY for $2"
	if ! grep -q '^\[GNUPG:\] VALIDSIG' "$_st"; then
		# RFC 3156 §6.1: a multipart/signed inside
		_out=$(printf '%s\n' "$_out" | verify_signed "$_h" "$_st") ||
		    fail "$1: decrypted for $2, but no valid signature"
	fi
	_signer=$(sed -n 's/^\[GNUPG:\] VALIDSIG .* \([0-9A-F]\{40\}\)$/\1/p' \
	    "$_st" | head -n 1)
	[ "$_signer" = "$LIST_FPR" ] ||
	    fail "$1: signed by '$_signer', not the list key $LIST_FPR"
	grep -q '^\[GNUPG:\] GOODSIG' "$_st" || fail "$1: no GOODSIG"
	rm -f "$_st"
	# one session key packet, the recipient's: a copy names nobody
	# else, on the split path (hub.conf encryption) as on the other
	_n=$(gpg --homedir "$_h" --batch --no-tty --list-packets "$1" \
	    2>/dev/null | grep -c '^:pubkey enc packet')
	[ "$_n" = 1 ] || fail "$1: $_n session key packets, not 1"
	printf '%s\n' "$_out"
}

# verify_signed HOME STATUSFILE: a multipart/signed entity on stdin;
# verify it with gpg (status to STATUSFILE), print the signed part.
verify_signed() {
	python3 -c '
import email, email.policy, subprocess, sys, os, tempfile
raw = sys.stdin.buffer.read()
m = email.message_from_bytes(raw, policy=email.policy.compat32)
if m.get_content_type() != "multipart/signed":
    sys.exit(1)
b = m.get_boundary().encode()
lines = raw.replace(b"\r\n", b"\n").split(b"\n")
marks = [i for i, l in enumerate(lines) if l.rstrip() in (b"--" + b, b"--" + b + b"--")]
if len(marks) < 3:
    sys.exit(1)
signed = b"\r\n".join(lines[marks[0] + 1:marks[1]])
sig = m.get_payload()[1].get_payload(decode=True)
with tempfile.TemporaryDirectory(dir=os.environ.get("T")) as d:
    # the signature only: no plaintext is written
    with open(os.path.join(d, "sig"), "wb") as f:
        f.write(sig)
    with open(sys.argv[2], "wb") as st:
        p = subprocess.run(["gpg", "--homedir", sys.argv[1], "--batch",
            "--trust-model", "always", "--status-fd", "1", "--verify",
            os.path.join(d, "sig"), "-"], input=signed, stdout=st,
            stderr=subprocess.DEVNULL)
if p.returncode != 0:
    sys.exit(1)
sys.stdout.buffer.write(signed.replace(b"\r\n", b"\n"))
' "$1" "$2"
}

# copy_fails_for MAILFILE ID: ID's key alone must not decrypt it.
copy_fails_for() {
	_h=$(c_home "$2")
	if gpg --homedir "$_h" --batch --no-tty --decrypt "$1" \
	    >/dev/null 2>&1; then
		fail "$1: $2 ($(c_addr "$2")) could decrypt it"
	fi
	return 0
}

# outer_header EML NAME: the value(s) of a header of the message's outer
# header block, unfolded.
outer_header() {
	awk -v n="$2" 'BEGIN { n = tolower(n) ":" }
	    /^\r?$/ { exit }
	    /^[ \t]/ { if (keep) v = v " " $0; next }
	    { if (keep) print v; keep = 0 }
	    tolower(substr($0, 1, length(n))) == n { keep = 1; v = substr($0, length(n) + 1) }
	    END { if (keep) print v }' "$1" | sed 's/\r$//; s/^ *//'
}
