# Sourced by bench/relay (after tests/lib/community.sh): the two peers,
# Schleuder and gpg-remailer as Debian installs them (bench/setup-peers),
# given the hub's list key and the same subscribers' keys, fed the same
# kind of post (post_compose: signed by member 1, encrypted to the list
# key, PGP/MIME) and timed the same way: from the start of the peer
# (both work synchronously on one message, as an MTA's pipe would run
# them) until the bench's SMTP sink holds all N copies.  Everything is
# under $T; /etc/schleuder and root's home are not touched (gpg-remailer
# reads its home from the passwd entry: it runs in a private mount
# namespace with its home bind-mounted over root's, and there too with
# /usr/sbin/sendmail replaced by a shim that hands each copy to the sink;
# root only).
#
#	peers_have PEER            installed and usable here?
#	peer_setup PEER N LISTFPR  configure PEER for list bN (keys from the
#	                           hub keyring $DATA/gnupg and from $CKR)
#	peer_time PEER N SUBJECT   one post through PEER, seconds

peers_have() {
	case $1 in
	schleuder)
		command -v schleuder > /dev/null 2>&1 &&
		    command -v ruby > /dev/null 2>&1 ;;
	gpg-remailer)
		command -v gpg-remailer > /dev/null 2>&1 &&
		    [ -x /usr/bin/mail ] && [ -e /usr/sbin/sendmail ] &&
		    [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ;;
	*) return 1 ;;
	esac
}

# the list's secret key and the first N members' public keys into $1
peer_keyring() {
	mkdir -p -m 700 "$1"
	gpg --homedir "$DATA/gnupg" --batch --export-secret-keys "$2" |
	    gpg --homedir "$1" --batch --quiet --import 2>/dev/null
	_pk_i=1
	while [ "$_pk_i" -le "$3" ]; do
		c_fpr "$_pk_i"
		_pk_i=$((_pk_i + 1))
	done > "$1.fprs"
	# shellcheck disable=SC2046
	gall --export $(cat "$1.fprs") |
	    gpg --homedir "$1" --batch --quiet --import 2>/dev/null
	# no network, no key lookups
	printf 'no-auto-key-retrieve\nauto-key-locate local\n' > "$1/gpg.conf"
}

peer_schleuder_env() {
	SCHLEUDER_CONFIG=$T/schleuder/schleuder.yml
	SCHLEUDER_LIST_DEFAULTS=$T/schleuder/list-defaults.yml
	export SCHLEUDER_CONFIG SCHLEUDER_LIST_DEFAULTS
}

peer_setup() {
	_ps_n=$2 _ps_fpr=$3
	case $1 in
	schleuder)
		peer_schleuder_env
		if ! [ -f "$T/schleuder/db.sqlite" ]; then
			mkdir -p "$T/schleuder"
			cat > "$SCHLEUDER_CONFIG" <<EOT
lists_dir: $T/schleuder/lists
listlogs_dir: $T/schleuder/logs
keyword_handlers_dir: $T/schleuder/keyword_handlers
filters_dir: $T/schleuder/filters
log_level: warn
keyserver:
superadmin: root@localhost
smtp_settings:
  address: 127.0.0.1
  port: $SINK_PORT
  domain: hub.test
  enable_starttls_auto: false
  openssl_verify_mode: none
database:
  production:
    adapter: sqlite3
    database: $T/schleuder/db.sqlite
    timeout: 5000
EOT
			# Debian's defaults, made as strict as the hub: only
			# encrypted posts signed by a subscriber's key
			sed -E 's/^(receive_encrypted_only|receive_signed_only|receive_authenticated_only): .*/\1: true/' \
			    /etc/schleuder/list-defaults.yml > "$SCHLEUDER_LIST_DEFAULTS"
			schleuder install > "$T/schleuder/install.log" 2>&1 ||
			    { echo "schleuder install: $(tail -n 3 "$T/schleuder/install.log")" >&2; return 1; }
		fi
		_ps_dir=$T/schleuder/lists/hub.test/b$_ps_n
		mkdir -p "$T/schleuder/lists/hub.test"
		peer_keyring "$_ps_dir" "$_ps_fpr" "$_ps_n"
		_ps_i=1
		while [ "$_ps_i" -le "$_ps_n" ]; do
			echo "$(c_addr "$_ps_i") $(sed -n "${_ps_i}p" "$_ps_dir.fprs")"
			_ps_i=$((_ps_i + 1))
		done > "$_ps_dir.members"
		# the list and its subscriptions through Schleuder's own
		# library (what schleuder-cli asks its API daemon to do)
		ruby "$top_srcdir/bench/schleuder-list.rb" "b$_ps_n@hub.test" \
		    "$_ps_fpr" "$_ps_dir.members" > "$T/schleuder/list.$_ps_n.log" 2>&1 ||
		    { echo "schleuder list: $(tail -n 3 "$T/schleuder/list.$_ps_n.log")" >&2; return 1; }
		;;
	gpg-remailer)
		_ps_h=$T/remailer/$_ps_n
		mkdir -p -m 700 "$_ps_h" "$_ps_h/etc" "$_ps_h/tmp"
		peer_keyring "$_ps_h/.gnupg" "$_ps_fpr" "$_ps_n"
		echo "default-key $_ps_fpr" >> "$_ps_h/.gnupg/gpg.conf"
		{
			echo "logfile: etc/gpg-remailer.log"
			echo "loglevel: 1"
			echo "tmp: $_ps_h/tmp"
			echo "clear-text: rejected"
			echo "signature: good"
			echo "replyTo: b$_ps_n <b$_ps_n@hub.test>"
			echo "recipient: members"
			_ps_i=1
			while [ "$_ps_i" -le "$_ps_n" ]; do
				echo "member: $(c_addr "$_ps_i")"
				_ps_i=$((_ps_i + 1))
			done
		} > "$_ps_h/etc/gpg-remailer.rc"
		# /usr/bin/mail runs /usr/sbin/sendmail: in the peer's mount
		# namespace that is this, which gives the copy to the sink
		cat > "$T/remailer/sendmail" <<EOT
#!/usr/bin/python3
import smtplib, sys
args, rcpts, sender, i = sys.argv[1:], [], "b$_ps_n@hub.test", 0
while i < len(args):
    a = args[i]
    if a == "--":
        rcpts += args[i + 1:]
        break
    if a == "-f" and i + 1 < len(args):
        sender, i = args[i + 1], i + 2
        continue
    if a.startswith("-f") and len(a) > 2:
        sender = a[2:]
    elif not a.startswith("-"):
        rcpts.append(a)
    i += 1
msg = sys.stdin.buffer.read()
if "-t" in args:
    # mail(1) runs "sendmail -i -t": the recipients are in the header
    import email, email.utils
    h = email.message_from_bytes(msg.split(b"\n\n", 1)[0] + b"\n\n")
    rcpts += [a for _, a in email.utils.getaddresses(
        h.get_all("To", []) + h.get_all("Cc", []) + h.get_all("Bcc", []))]
with smtplib.SMTP("127.0.0.1", $SINK_PORT) as s:
    s.sendmail(sender, rcpts, msg)
EOT
		chmod 755 "$T/remailer/sendmail"
		;;
	esac
}

peer_time() {
	_pt_n=$2
	LIST_FPR=$(cat "$T/lfpr.$_pt_n") POST_TO="b$_pt_n@hub.test" \
	    post_compose 1 "$3" "$T/body.txt" > "$T/peerpost.eml"
	rm -rf "$SINK_DIR"/*
	wait_start "$_pt_n" || return 1
	wait_t0
	case $1 in
	schleuder)
		peer_schleuder_env
		schleuder work "b$_pt_n@hub.test" < "$T/peerpost.eml" \
		    > "$T/schleuder/work.log" 2>&1 ||
		    { echo "schleuder work: $(tail -n 3 "$T/schleuder/work.log")" >&2; kill "$WAIT_PID" 2>/dev/null; return 1; }
		;;
	gpg-remailer)
		unshare -m sh -c 'mount --bind "$1" /root &&
		    mount --bind "$2" /usr/sbin/sendmail && cd /root &&
		    exec gpg-remailer' sh "$T/remailer/$_pt_n" \
		    "$T/remailer/sendmail" < "$T/peerpost.eml" \
		    > "$T/remailer/work.log" 2>&1 ||
		    { echo "gpg-remailer: $(tail -n 3 "$T/remailer/work.log")" >&2; kill "$WAIT_PID" 2>/dev/null; return 1; }
		;;
	esac
	wait_end
}
