#!/bin/sh
# The daily key check inside hubd (hubd(8) DAILY CHECK): a member's key
# that expires in 20 days (made with gpg --faked-system-time, so gpg
# sees it valid now) is announced, encrypted, to the contact and to the
# list's admin at the 30-, 7- and 1-day stages, once each, as hubd is
# restarted on later days of its calendar (HUB_FAKE_NOW); a second run
# on a day does nothing; once the calendar passes the expiry the admin
# is told once that the key no longer serves, and the notices name
# hubctl contact key, never contact add.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 1 0
NOW=$(date +%s)
CREATED=$((NOW - 10 * 86400))
gall --faked-system-time "$CREATED" --quick-gen-key \
    "$(c_name x) INSECURE <$(c_addr x)>" ed25519 sign 30d 2>/dev/null ||
    fail "gen key"
gall --faked-system-time "$CREATED" --quick-add-key "$(c_fpr x)" cv25519 \
    encr 30d 2>/dev/null || fail "subkey"
add_contact x member
X=$(c_addr x)
ADMIN=$(c_addr admin)

# on SECONDS [again]: hubd restarted SECONDS after now (its first
# worker turn runs the check, "again": the day's check ran already and
# must not run twice); the lines it logged go to $T/l
on() {
	[ -n "$HUBD_PID" ] && stop_hubd
	HUB_FAKE_NOW=$((NOW + $1))
	export HUB_FAKE_NOW
	_from=$(log_lines)
	start_hubd
	if [ "${2:-}" = again ]; then
		sleep 3
		! tail -n +"$((_from + 1))" "$LOG" | grep -q "keycheck lists" ||
		    fail "the check ran twice on a day"
	else
		wait_log "keycheck lists=1" 30 "$_from" ||
		    fail "no key check at +$1"
		sleep 2
	fi
	tail -n +"$((_from + 1))" "$LOG" > "$T/l"
}
told() {	# told KIND TO: one notice of KIND to TO in $T/l
	[ "$(grep -c "notice id=.* kind=$1 list=ops to=$2 encrypted=yes" \
	    "$T/l")" = 1 ] || fail "$1 to $2: $(grep 'notice\|key' "$T/l")"
}
none() {	# none: no key notice in $T/l
	! grep -q "kind=key-" "$T/l" || fail "told again: $(grep kind= "$T/l")"
}

before=$(sink_count)
on 60
told key-expiry "$X"
told key-expiring "$ADMIN"
grep -q "key-expiry-told .* contact=$X days=30" "$T/l" || fail "stage 30"
sink_wait $((before + 2)) 30 || fail "the notices did not reach the sink"
for m in $(sink_msgs "$before"); do
	case $(env_rcpts "$m") in
	"$X") copy_check "$m" x > "$T/x.txt" ;;
	"$ADMIN") copy_check "$m" admin > "$T/a.txt" ;;
	esac
done
grep -q "^Subject: \[ops\] your key expires on" "$T/x.txt" ||
    fail "contact's notice: $(cat "$T/x.txt")"
grep -q "hubctl contact key $X --key FILE.asc" "$T/x.txt" ||
    fail "contact's notice lacks what to do"
grep -q "gpg --quick-set-expire" "$T/x.txt" || fail "no extend advice"
grep -q "hubctl contact key $X --key FILE.asc" "$T/a.txt" ||
    fail "admin's notice: $(cat "$T/a.txt")"
grep -q "contact add" "$T/a.txt" "$T/x.txt" && fail "names contact add"
ok "30 days: the contact (encrypted) and the admin told what to do"

on 60 again
none
on 86460
none
ok "the check runs once a day; the next day at the same stage tells nobody"

on $((15 * 86400))
told key-expiry "$X"
told key-expiring "$ADMIN"
on $((16 * 86400))
none
on $((19 * 86400 + 43200))
told key-expiry "$X"
told key-expiring "$ADMIN"
ok "7 days, 1 day: each stage once"

on $((21 * 86400))
told key-unusable "$ADMIN"
! grep -q "kind=key-expiry " "$T/l" || fail "the contact told of a dead key"
on $((22 * 86400))
none
ok "past the expiry: the admin told once"
