#!/bin/sh
# hubctl list rekey: a new list key, certified by the old one, becomes
# the list's key; hubd's worker announces it to every subscriber in a
# notice signed with the old key, encrypted to that subscriber alone,
# the new public key attached (and carrying the old key's
# certification); a post encrypted to the old key is still read within
# the grace (--grace DAYS) and refused as not-encrypted-to-list after it
# (hubd restarted later on its calendar, HUB_FAKE_NOW); the old key is
# listed with its end date; a post to the new key is read.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 2 0
OLD=$LIST_FPR
NOW=$(date +%s)
start_hubd
keycheck_settle

# --- usage and refusals --------------------------------------------------------------
expect 2 list rekey
expect 2 list rekey ops --grace
expect 2 list rekey ops --grace -1
expect 2 list rekey ops --grace 1x
expect 2 list rekey ops extra
expect 1 list rekey nosuch
err_has "no such list: nosuch"
ok "usage errors, no such list"

# --- the rekey ---------------------------------------------------------------------
before=$(sink_count)
from=$(log_lines)
expect 0 --json list rekey ops --grace 10
NEW=$(jget 'd["fpr"]')
[ "$(jget 'd["old_fpr"]')" = "$OLD" ] || fail "old_fpr: $(cat "$T/out")"
[ "$(jget 'd["grace_days"]')" = 10 ] || fail "grace_days"
[ "$NEW" != "$OLD" ] || fail "the same key"
expect 0 --json list key ops
[ "$(jget 'd["fpr"]')" = "$NEW" ] || fail "list key: $(cat "$T/out")"
[ "$(jget 'd["retired_keys"][0]["fpr"]')" = "$OLD" ] || fail "retired key"
[ "$(jget 'd["retired_keys"][0]["in_grace"]')" = True ] || fail "in_grace"
[ "$(jget 'd["retired_keys"][0]["grace_ends"]')" = \
    "$(date -u -d "@$((NOW + 10 * 86400))" +%Y-%m-%d)" ] ||
    [ "$(jget 'd["retired_keys"][0]["grace_ends"]')" = \
    "$(date -u -d "@$((NOW + 10 * 86400 + 60))" +%Y-%m-%d)" ] ||
    fail "grace_ends: $(cat "$T/out")"
expect 0 log
grep -q "list.rekey" "$T/out" || fail "no list.rekey in the audit log"
ok "rekeyed: $OLD -> $NEW, the old key kept with its end date"

# --- the announcement -----------------------------------------------------------------
wait_log "rekey-told .* list=ops fpr=$NEW old=$OLD rcpts=3" 60 "$from" ||
    fail "no announcement"
sink_wait $((before + 3)) 60 || fail "announcements: $(sink_count)"
for m in $(sink_msgs "$before"); do
	case $(env_rcpts "$m") in
	"$(c_addr 1)") id=1 others="2 admin" ;;
	"$(c_addr 2)") id=2 others="1 admin" ;;
	"$(c_addr admin)") id=admin others="1 2" ;;
	*) fail "an announcement to $(env_rcpts "$m")" ;;
	esac
	# signed with the old key (LIST_FPR), readable by id alone
	copy_check "$m" "$id" > "$T/a.$id"
	for o in $others; do
		copy_fails_for "$m" "$o"
	done
	grep -q "^Subject: \[ops\] the list has a new key" "$T/a.$id" ||
	    fail "subject for $id: $(head -n 20 "$T/a.$id")"
	grep -q "application/pgp-keys" "$T/a.$id" || fail "no key attached"
	# the attached key: the new one, certified by the old
	h="$T/check.$id"
	mkdir -m 700 "$h"
	gall --export "$OLD" | gpg --homedir "$h" --batch --quiet --import \
	    2>/dev/null || fail "old key into $h"
	sed -n '/^-----BEGIN PGP PUBLIC KEY BLOCK/,/^-----END PGP PUBLIC KEY BLOCK/p' \
	    "$T/a.$id" | gpg --homedir "$h" --batch --quiet --import \
	    2>/dev/null || fail "the attached key does not import"
	gpg --homedir "$h" --batch --with-colons --check-sigs "$NEW" \
	    > "$T/sigs.$id" 2>/dev/null || fail "the new key is not attached"
	grep -q "^sig:!:.*:${OLD#????????????????????????}:" "$T/sigs.$id" ||
	    fail "the new key lacks the old key's good certification: $(cat "$T/sigs.$id")"
	gpgconf --homedir "$h" --kill all >/dev/null 2>&1
done
ok "each subscriber got the new key, signed with the old, encrypted to it alone, certified by the old"

# --- the grace ------------------------------------------------------------------------
post_once() {	# post_once FROM_ID: the worker's verdict line
	# a body of its own each time: the same signed text twice is a
	# replay (a counter would not do: $(post_once) runs in a subshell)
	npost=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	printf 'Advisory body %s to the list key %s.\n' "$npost" \
	    "$LIST_FPR" > "$T/body"
	post_compose "$1" "grace post $npost" "$T/body" > "$T/post.eml"
	_f=$(log_lines)
	post_send "$T/post.eml"
	post_result "$_f"
}
line=$(post_once 1)
case $line in
*" accepted "*) ;;
*) fail "post to the old key within the grace: $line" ;;
esac
grep -q "retired-key list=ops fpr=$OLD" "$LOG" || fail "no retired-key line"
ok "within the grace a post encrypted to the old key is relayed"

gpg --homedir "$DATA/gnupg" --batch --armor --export "$NEW" |
    gall --import 2>/dev/null || fail "the new key into the members' keyring"
LIST_FPR=$NEW
line=$(post_once 2)
case $line in
*" accepted "*) ;;
*) fail "post to the new key: $line" ;;
esac
ok "a post to the new key is relayed"

stop_hubd
HUB_FAKE_NOW=$((NOW + 11 * 86400))
export HUB_FAKE_NOW
start_hubd
LIST_FPR=$OLD
line=$(post_once 1)
case $line in
*" rejected "*"reason=not-encrypted-to-list"*) ;;
*) fail "post to the old key after the grace: $line" ;;
esac
expect 0 --json list key ops
[ "$(jget 'd["retired_keys"][0]["in_grace"]')" = False ] ||
    fail "in_grace after the grace: $(cat "$T/out")"
LIST_FPR=$NEW
line=$(post_once 2)
case $line in
*" accepted "*) ;;
*) fail "post to the new key after the grace: $line" ;;
esac
ok "after the grace the old key is refused (not-encrypted-to-list), the new one read"
