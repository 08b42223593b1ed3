#!/bin/sh
# The worker keeps the keyring's key listing between posts (one gpg run
# per change of the keyring, not one per post; crypto/gpg_internal.h):
# a member's key revoked in the hub keyring between two posts must stop
# receiving at the second post, skipped by the roster as revoked (the
# admins hear it so), not merely refused by gpg at encryption time
# (encrypt-failed), which a stale listing would leave to chance.  One
# worker, so the second post meets the listing the first one made; both
# encryption paths.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

COMMUNITY_CONF="workers = 1"
community_make 3 0
printf 'TLP:AMBER\n\nScanning from 198.51.100.23.\n' > "$T/body.txt"
HUBG="gpg --homedir $DATA/gnupg --batch --no-tty --quiet"

# post SUBJECT: one post by member 1; the worker's verdict line in $T/r,
# the sink's count before it in $T/before
post() {
	sink_count > "$T/before"
	# (not _from: post_compose and wait_log set that one)
	_p_at=$(log_lines)
	post_compose 1 "$1" "$T/body.txt" > "$T/post.eml"
	post_send "$T/post.eml"
	post_result "$_p_at" > "$T/r"
	wait_log "archived post=$(field post "$(cat "$T/r")")" 60 "$_p_at" ||
	    fail "$1: not archived: $(cat "$T/r")"
}

# revoke ID: a revocation of ID's key, made in the test keyring,
# imported into the hub's keyring behind the hub's back (as an admin
# would with gpg)
revoke() {
	# gpg makes a revocation certificate only as a dialogue (never
	# with --batch): the answers come on --command-fd
	printf 'y\n0\n\ny\n' | gpg --homedir "$CKR" --no-tty --quiet \
	    --pinentry-mode loopback --passphrase '' --command-fd 0 --yes \
	    --armor --gen-revoke "$(c_fpr "$1")" > "$T/rev.$1.asc" \
	    2>/dev/null && [ -s "$T/rev.$1.asc" ] || fail "revocation of $1"
	$HUBG --import < "$T/rev.$1.asc" 2>/dev/null ||
	    fail "import the revocation of $1"
	$HUBG --with-colons --list-keys "$(c_fpr "$1")" | grep -q '^pub:r:' ||
	    fail "$1's key not revoked in the hub keyring"
}

for path in split per-recipient; do
	[ -n "$HUBD_PID" ] && stop_hubd
	grep -v '^encryption *=' "$CONF" > "$CONF.new"
	echo "encryption = $path" >> "$CONF.new"
	mv "$CONF.new" "$CONF"
	start_hubd
	keycheck_settle
	# members 1..3; one more key revoked in each round, the highest
	case $path in
	split) victim=3 ;;
	*) victim=2 ;;
	esac
	revoked=$((3 - victim))	# before this round
	skipped=$((revoked + 1))	# the admin gets posts never

	# the first post reaches every member left and warms the listing
	post "before $path"
	r=$(cat "$T/r")
	case $r in
	*" accepted "*) ;;
	*) fail "$path: first post: $r" ;;
	esac
	[ "$(field rcpts "$r")" = "$victim" ] &&
	    [ "$(field skipped "$r")" = "$skipped" ] ||
	    fail "$path: first post: $r"
	# the copies, and the admins' notice of a key skipped before
	sink_wait $(($(cat "$T/before") + victim + (revoked > 0))) 60 ||
	    fail "$path: first post: $(sink_count) at the sink"
	[ -n "$(sink_by_rcpt "$(c_addr "$victim")" "$(cat "$T/before")")" ] ||
	    fail "$path: member $victim had no copy of the first post"

	revoke "$victim"
	from=$(log_lines)
	post "after $path"
	r=$(cat "$T/r")
	case $r in
	*" accepted "*) ;;
	*) fail "$path: second post: $r" ;;
	esac
	[ "$(field rcpts "$r")" = "$((victim - 1))" ] &&
	    [ "$(field skipped "$r")" = "$((skipped + 1))" ] ||
	    fail "$path: the revoked key still counted: $r"
	! tail -n +"$((from + 1))" "$LOG" | grep -q 'encrypt-failed' ||
	    fail "$path: the roster saw the key usable, gpg refused it: $(
	    tail -n +"$((from + 1))" "$LOG" | grep encrypt-failed)"
	# the copies and the admins' notice of the skipped keys
	sink_wait $(($(cat "$T/before") + victim)) 60 ||
	    fail "$path: second post: $(sink_count) at the sink"
	sleep 1
	[ -z "$(sink_by_rcpt "$(c_addr "$victim")" "$(cat "$T/before")")" ] ||
	    fail "$path: the revoked member $victim received the second post"
	i=1
	while [ "$i" -lt "$victim" ]; do
		[ -n "$(sink_by_rcpt "$(c_addr "$i")" "$(cat "$T/before")")" ] ||
		    fail "$path: member $i missed the second post"
		i=$((i + 1))
	done
	m=$(sink_by_rcpt "$(c_addr admin)" "$(cat "$T/before")")
	[ "$(echo "$m" | grep -c .)" -eq 1 ] ||
	    fail "$path: admin notices: $(echo "$m" | grep -c .)"
	copy_check "$m" admin | grep -q "$(c_addr "$victim")" ||
	    fail "$path: the admins' notice does not name member $victim"
	ok "$path: a key revoked between two posts receives no copy of the second"
done
