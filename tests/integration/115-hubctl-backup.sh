#!/bin/sh
# hubctl backup and restore (hubctl(8) BACKUP AND RESTORE), through the
# real binaries:
#  1. a backup is refused without a recipient key (and with an unknown
#     one), and nothing is written;
#  2. backups taken while a stream of posts runs, encrypted to the
#     admin's key (--to, from the hub's keyring; --to-file, a key file):
#     no plaintext of the stores or keys in the file;
#  3. a damaged, a truncated, a foreign backup, one with data after its
#     end record and a file that is no backup are refused on restore with
#     a clear error and nothing left in DIR; a non-empty DIR is refused;
#     restore wants --expect; an unsigned backup, one signed by another
#     key and a wrong --expect are refused; a record claiming more than
#     its type may hold is refused before restore takes the memory
#     (its peak RSS stays small);
#  4. restored elsewhere (the admin's own keyring decrypts), with the
#     modes hubctl init makes; hubd runs from the restored dir: a post is
#     relayed, each copy decrypted by its recipient alone, and hubctl
#     archive search finds what was archived before the backup; the
#     restored dir backs up and restores again.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

# the restored hubs' agents too, whatever the outcome
backup_cleanup() {
	_rc=$?
	set +e
	for _h in "$T"/r*/gnupg; do
		[ -d "$_h" ] && gpgconf --homedir "$_h" --kill all >/dev/null 2>&1
	done
	(exit "$_rc")
	community_cleanup
}
trap backup_cleanup EXIT

N=3
COMMUNITY_CONF="workers = 2"
community_make "$N" 0
ADMIN_FPR=$(c_fpr admin)
ADMIN_HOME=$(c_home admin)
start_hubd
keycheck_settle

TAG=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
DOM="b$TAG.backup-before.example"
printf 'TLP:GREEN\nC2 seen at %s and 198.51.100.61\n' "$DOM" > "$T/body.txt"
post_compose 1 "TLP:GREEN before the backup" "$T/body.txt" > "$T/p0.eml"
P0=$(post_archived "$T/p0.eml")
# and a refused one, kept in rejected/ with its reason
post_compose 1 "no signature" "$T/body.txt" plain > "$T/rej.eml"
from=$(log_lines)
post_send "$T/rej.eml"
REJ=$(field post "$(post_result "$from")")
i=0
until [ -f "$SPOOL/rejected/$REJ" ] && [ -f "$SPOOL/rejected/$REJ.why" ]; do
	[ "$i" -lt 300 ] || fail "no rejected entry $REJ"
	sleep 0.1
	i=$((i + 1))
done
ok "a post archived ($P0) and one rejected ($REJ) before the backup"

# --- 1. no recipient, no backup ----------------------------------------------------
expect 2 backup "$T/none.gpg"
err_has "--to FPR or --to-file"
[ ! -e "$T/none.gpg" ] || fail "a backup without a recipient was written"
expect 2 backup "$T/none.gpg" --to "$ADMIN_FPR" --to-file "$T/x.asc"
expect 1 backup "$T/none.gpg" --to 0123456789ABCDEF0123456789ABCDEF01234567
err_has "no such key"
[ -z "$(ls "$T" | grep '^none\.gpg')" ] || fail "left: $(ls "$T")"
[ -z "$(ls -a "$DATA" | grep '^\.backup-')" ] ||
    fail "scratch snapshots left in $DATA"
ok "refused without a recipient key (and to an unknown one), nothing written"

# --- 2. backups under load ------------------------------------------------------------
printf 'TLP:GREEN\nroutine traffic\n' > "$T/load.txt"
i=1
while [ "$i" -le 6 ]; do
	post_compose $(((i % N) + 1)) "load $i" "$T/load.txt" > "$T/load$i.eml"
	i=$((i + 1))
done
from=$(log_lines)
before=$(sink_count)
(
	i=1
	while [ "$i" -le 6 ]; do
		post_send "$T/load$i.eml"
		i=$((i + 1))
	done
) &
LOAD=$!
expect 0 --json backup "$T/b1.gpg" --to "$ADMIN_FPR"
[ "$(jget "d['recipient']")" = "$ADMIN_FPR" ] || fail "recipient: $(cat "$T/out")"
# the hub fingerprint the admin notes for restore --expect
HUB_FPR=$(jget "d['hub_fpr']")
[ "$HUB_FPR" = "$(cat "$DATA/hub.fpr")" ] && [ "$(jget "d['signed_by']")" = \
    "$HUB_FPR" ] || fail "hub_fpr/signed_by: $(cat "$T/out") vs $(cat "$DATA/hub.fpr")"
[ "$(jget "d['store_schema'] > 0 and d['archive_schema'] > 0")" = True ] ||
    fail "schemas: $(cat "$T/out")"
gall --armor --export "$ADMIN_FPR" > "$T/admin.asc"
expect 0 backup "$T/b2.gpg" --to-file "$T/admin.asc"
grep -q "recipient: $ADMIN_FPR" "$T/out" || fail "text report: $(cat "$T/out")"
grep -q "hub_fpr: $HUB_FPR" "$T/out" || fail "text report: $(cat "$T/out")"
wait "$LOAD" || fail "the load's posts were not all accepted"
[ "$(stat -c %a "$T/b1.gpg")" = 600 ] || fail "backup mode $(stat -c %a "$T/b1.gpg")"
[ -z "$(ls -a "$DATA" | grep '^\.backup-')" ] ||
    fail "scratch snapshots left in $DATA"
# OpenPGP to the admin's key alone, nothing of the data dir readable
gpg --homedir "$ADMIN_HOME" --batch --list-packets "$T/b1.gpg" 2>&1 |
    grep -q "pubkey enc packet" || fail "b1 is no OpenPGP message"
# signed by the hub key
for f in "$T/b1.gpg" "$T/b2.gpg"; do
	gpg --homedir "$ADMIN_HOME" --batch --list-packets "$f" 2>/dev/null |
	    grep -q ':onepass_sig packet:' || fail "$f not signed"
done
for f in "$T/b1.gpg" "$T/b2.gpg"; do
	! grep -qa -e 'csirt-hub-backup' -e 'BEGIN PGP' -e 'SQLite format' \
	    -e "$DOM" -e 'reason=' "$f" || fail "$f holds plaintext"
done
expect 0 log
grep -q 'backup.create' "$T/out" || fail "backup not audited: $(cat "$T/out")"
ok "two backups under a stream of posts, encrypted to the admin's key, audited"

# --- 3. refusals on restore -------------------------------------------------------------
RH="--gnupghome $ADMIN_HOME --expect $HUB_FPR"
# signs as the hub would (its own keyring), encrypts to the admin
hub_seal() {
	gpg --homedir "$DATA/gnupg" --batch --no-tty --quiet \
	    --pinentry-mode loopback --passphrase '' --trust-model always \
	    --sign --local-user "$HUB_FPR" --encrypt -r "$ADMIN_FPR"
}
# the plaintext of b1, only in a pipe
b1_plain() {
	gpg --homedir "$ADMIN_HOME" --batch --quiet --decrypt "$T/b1.gpg" \
	    2>/dev/null
}
size=$(stat -c %s "$T/b1.gpg")
# one octet flipped in the middle
python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x55
open(sys.argv[2], "wb").write(b)' "$T/b1.gpg" "$T/damaged.gpg"
expect 1 restore "$T/damaged.gpg" "$T/r-damaged" $RH
err_has "refused, nothing restored"
[ ! -e "$T/r-damaged" ] || fail "damaged: DIR left: $(ls -la "$T/r-damaged")"
# truncated, into an empty directory that must stay empty
head -c $((size * 2 / 3)) "$T/b1.gpg" > "$T/short.gpg"
mkdir -m 700 "$T/r-short"
expect 1 restore "$T/short.gpg" "$T/r-short" $RH
err_has "refused, nothing restored"
[ -d "$T/r-short" ] && [ -z "$(ls -A "$T/r-short")" ] ||
    fail "truncated: DIR not left empty: $(ls -la "$T/r-short")"
# not ours to read: the stranger's keyring
expect 1 restore "$T/b1.gpg" "$T/r-foreign" --gnupghome "$(c_home stranger)" \
    --expect "$HUB_FPR"
err_has "no secret key"
[ ! -e "$T/r-foreign" ] || fail "foreign: DIR left"
# a good message whose content runs on after the end record (the
# plaintext only in a pipe)
b1_plain | { cat; printf 'F 0600 0 5 spool/incoming/extra\nextra'; } |
    hub_seal > "$T/longer.gpg" || fail "re-encrypt"
expect 1 restore "$T/longer.gpg" "$T/r-longer" $RH
err_has "data after the end record"
[ ! -e "$T/r-longer" ] || fail "longer: DIR left"
# not a backup at all
printf 'hello\n' > "$T/junk.gpg"
expect 1 restore "$T/junk.gpg" "$T/r-junk" $RH
[ ! -e "$T/r-junk" ] || fail "junk: DIR left"
# never over something
mkdir -m 700 "$T/r-full" && : > "$T/r-full/.keep"
expect 1 restore "$T/b1.gpg" "$T/r-full" $RH
err_has "not empty"
[ "$(ls -A "$T/r-full")" = .keep ] || fail "a non-empty DIR was changed"
ok "damaged, truncated, foreign, overlong and junk backups refused, nothing left; a non-empty DIR refused"

# --expect is required, and must be a fingerprint
expect 2 restore "$T/b1.gpg" "$T/r-noexp" --gnupghome "$ADMIN_HOME"
err_has "--expect FPR"
[ ! -e "$T/r-noexp" ] || fail "no --expect: DIR left"
expect 2 restore "$T/b1.gpg" "$T/r-noexp" --gnupghome "$ADMIN_HOME" \
    --expect nothex
[ ! -e "$T/r-noexp" ] || fail "bad --expect: DIR left"
# a wrong --expect: the admin's own key named as the hub
expect 1 restore "$T/b1.gpg" "$T/r-wrong" --gnupghome "$ADMIN_HOME" \
    --expect "$ADMIN_FPR"
err_has "not of the expected $ADMIN_FPR"
[ ! -e "$T/r-wrong" ] || fail "wrong --expect: DIR left"
# anyone can encrypt to the admin's public key: unsigned, refused
b1_plain | gpg --homedir "$ADMIN_HOME" --batch --quiet --trust-model always \
    --encrypt -r "$ADMIN_FPR" > "$T/unsigned.gpg" || fail "unsigned"
expect 1 restore "$T/unsigned.gpg" "$T/r-unsigned" $RH
err_has "not signed"
[ ! -e "$T/r-unsigned" ] || fail "unsigned: DIR left"
# the hub's own content, but signed by another key (the stranger's)
STRANGER_FPR=$(c_fpr stranger)
b1_plain | gall --sign --local-user "$STRANGER_FPR" --encrypt \
    -r "$ADMIN_FPR" > "$T/other.gpg" || fail "other signer"
expect 1 restore "$T/other.gpg" "$T/r-other" $RH
err_has "not by the hub key $HUB_FPR"
[ ! -e "$T/r-other" ] || fail "other signer: DIR left"
# ... and with the stranger as the expected hub: the manifest says no
expect 1 restore "$T/other.gpg" "$T/r-other" --gnupghome "$ADMIN_HOME" \
    --expect "$STRANGER_FPR"
err_has "not of the expected $STRANGER_FPR"
[ ! -e "$T/r-other" ] || fail "other signer: DIR left"
ok "restore wants --expect; unsigned, another key's signature and a wrong --expect refused"

# a manifest claiming 256 MiB (8 MiB of zeros follow, compressed to
# little), signed as the hub would: refused at its header, small RSS
python3 -c '
import sys
o = sys.stdout.buffer
o.write(b"csirt-hub-backup 1\nM 0600 0 %d manifest\n" % (256 << 20))
z = b"\0" * (1 << 20)
for _ in range(8):
    o.write(z)' | hub_seal > "$T/bomb.gpg" || fail "bomb"
/usr/bin/time -f '%M' -o "$T/bomb.rss" "$HUBCTL" -c "$CONF" restore \
    "$T/bomb.gpg" "$T/r-bomb" $RH > "$T/out" 2> "$T/err" &&
    fail "the bomb was restored"
err_has "too large"
rss=$(tail -n 1 "$T/bomb.rss")
[ "$rss" -lt 102400 ] || fail "restore took $rss KiB on the bomb"
[ ! -e "$T/r-bomb" ] || fail "bomb: DIR left"
ok "an oversized record refused before it is held (max RSS $rss KiB)"

# --- 4. restore and run from it -----------------------------------------------------------
# the stream is through before the hub stops
wait_log "accepted post=.*" 60 "$from" || fail "the load was not processed"
i=0
until [ "$(tail -n +$((from + 1)) "$LOG" | grep -c ' accepted post=')" -ge 6 ]; do
	[ "$i" -lt 600 ] || fail "the load was not processed"
	sleep 0.1
	i=$((i + 1))
done
stop_hubd
R="$T/r1"
expect 0 --json restore "$T/b1.gpg" "$R" $RH
[ "$(jget "d['dir']")" = "$R" ] || fail "restore report: $(cat "$T/out")"
[ "$(jget "d['spool_files'] >= 0 and d['files'] > 3")" = True ] ||
    fail "restore counts: $(cat "$T/out")"
[ "$(stat -c %a "$R")" = 700 ] && [ "$(stat -c %a "$R/gnupg")" = 700 ] ||
    fail "modes: $(stat -c '%a %n' "$R" "$R/gnupg")"
for f in hub.db hub.db.key hub.fpr archive.db archive.db.key hub.conf.backup; do
	[ -f "$R/$f" ] || fail "restored dir lacks $f: $(ls -la "$R")"
	[ "$(stat -c %a "$R/$f")" = 600 ] || fail "$f mode $(stat -c %a "$R/$f")"
done
cmp -s "$DATA/hub.fpr" "$R/hub.fpr" || fail "hub.fpr differs"
for f in "rejected/$REJ" "rejected/$REJ.why"; do
	cmp -s "$DATA/spool/$f" "$R/spool/$f" || fail "spool/$f not restored"
done
[ "$(stat -c %Y "$DATA/spool/rejected/$REJ")" = \
    "$(stat -c %Y "$R/spool/rejected/$REJ")" ] || fail "mtime not kept"
[ -d "$R/spool/incoming" ] && [ -d "$R/spool/tmp" ] || fail "spool layout"
# the second one restores too (to a key from a file)
expect 0 restore "$T/b2.gpg" "$T/r2" $RH
gpgconf --homedir "$T/r2/gnupg" --kill all >/dev/null 2>&1 || true
ok "restored with hubctl init's modes, the stores open with the restored keys"

# hubd on the restored dir, with its own config
DATA0=$DATA
DATA=$R
SPOOL="$DATA/spool"
sed "s|^data_dir = .*|data_dir = $R|" "$T/hub.conf" > "$T/hub-r.conf"
CONF="$T/hub-r.conf"
expect 0 log
grep -q 'backup.restore' "$T/out" || fail "restore not audited: $(cat "$T/out")"
! grep -q 'backup.create' "$T/out" ||
    fail "the restored log holds the backup's own row (taken after the copy)"
start_hubd
keycheck_settle
before=$(sink_count)
printf 'TLP:GREEN\nafter the restore: 192.0.2.99\n' > "$T/body.txt"
post_compose 2 "TLP:GREEN after the restore" "$T/body.txt" > "$T/p9.eml"
P9=$(post_archived "$T/p9.eml")
wait_log "delivered post=$P9 .*rcpt=$(c_addr 1)" 60 &&
    wait_log "delivered post=$P9 .*rcpt=$(c_addr 2)" 60 &&
    wait_log "delivered post=$P9 .*rcpt=$(c_addr 3)" 60 ||
    fail "post $P9 not delivered to every member"
# the entries in flight at the backup may come again (never lost):
# every copy decrypts for its recipient, one of them is this post
# (the sink may store a copy a moment after the relay logs it)
i=1
while [ "$i" -le "$N" ]; do
	w=0
	while :; do
		got=0
		for m in $(sink_by_rcpt "$(c_addr "$i")" "$before"); do
			txt=$(copy_check "$m" "$i")
			case $txt in *192.0.2.99*) got=$((got + 1)) ;; esac
		done
		[ "$got" -eq 0 ] && [ "$w" -lt 100 ] || break
		sleep 0.2
		w=$((w + 1))
	done
	[ "$got" -eq 1 ] || fail "member $i got the post $got times"
	i=$((i + 1))
done
ok "hubd runs from the restored dir: post $P9 relayed, each copy decrypted by its recipient"

expect 0 --json archive search "$DOM"
[ "$(jget "d['hits'][0]['reports'][0]['post'] == 'ops:$P0'")" = True ] ||
    fail "archive search on the restored dir: $(cat "$T/out")"
expect 0 --json archive search 192.0.2.99
ok "hubctl archive search finds what was archived before the backup"
stop_hubd

# a restored dir backs up and restores again (its hub.conf.backup is not
# carried: the backup's hub.conf is the one it runs with)
expect 0 backup "$T/b3.gpg" --to "$ADMIN_FPR"
expect 0 --json restore "$T/b3.gpg" "$T/r3" $RH
[ "$(jget "d['hub_fpr']")" = "$HUB_FPR" ] || fail "r3 hub_fpr: $(cat "$T/out")"
cmp -s "$T/hub-r.conf" "$T/r3/hub.conf.backup" || fail "r3's hub.conf.backup"
cmp -s "$R/hub.fpr" "$T/r3/hub.fpr" || fail "r3's hub.fpr"
ok "a restored dir backs up and restores again"
gpgconf --homedir "$R/gnupg" --kill all >/dev/null 2>&1 || true
DATA=$DATA0
