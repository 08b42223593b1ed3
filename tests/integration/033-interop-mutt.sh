#!/bin/sh
# Interop with a real mail client, through the real hubd: a post composed
# and PGP/MIME signed+encrypted by mutt (GPGME backend) is accepted and
# relayed; a relayed copy opened in mutt shows the decrypted text and
# "Good signature from" the list key (tests/crypto/mutt-read.py); gpg
# alone decrypts and verifies it too (030).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"
command -v mutt >/dev/null 2>&1 || skip "mutt not found"

N=3
community_make "$N" 0
start_hubd

# --- mutt composes as member 1 ----------------------------------------------------
H1=$(c_home 1)
echo "$LIST_FPR:6:" | gpg --homedir "$H1" --batch --import-ownertrust \
    2>/dev/null || fail "ownertrust"
mkdir "$T/mutt" "$T/mtmp" "$T/mfolder"
cat > "$T/muttrc" <<EOT
set crypt_use_gpgme=yes
set pgp_sign_as=$(c_fpr 1)
set crypt_autosign=yes
set crypt_autoencrypt=yes
set pgp_autoinline=no
set pgp_self_encrypt=no
set sendmail="$top_srcdir/tests/crypto/mutt-sink.sh $T/mutt/post.eml"
set from="$(c_name 1) <$(c_addr 1)>"
set use_from=yes
set postpone=no
set record=""
set folder=$T/mfolder
set spoolfile=/dev/null
set tmpdir=$T/mtmp
set editor=true
set charset=utf-8
set send_charset=utf-8
EOT
printf 'From: %s <%s>\nTo: ops@hub.test\nSubject: TLP:GREEN from mutt\n\nmutt-interop-body-marker\n' \
    "$(c_name 1)" "$(c_addr 1)" > "$T/draft"
HOME=$T GNUPGHOME=$H1 python3 "$top_srcdir/tests/crypto/mutt-compose.py" \
    mutt -n -F "$T/muttrc" -H "$T/draft" > "$T/compose.out" 2>&1 ||
    fail "mutt could not compose: $(tail -n 5 "$T/compose.out")"
rm -f "$T/draft"
grep -q 'multipart/encrypted' "$T/mutt/post.eml" ||
    fail "mutt did not encrypt"
from=$(log_lines)
post_send "$T/mutt/post.eml" "$(c_addr 1)"
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "mutt's post: $r" ;; esac
sink_wait "$N" 60 || fail "mutt's post: $(sink_count) of $N copies"
ok "a post composed by mutt is accepted and relayed to $N members"

# --- mutt reads member 2's copy ------------------------------------------------------
H2=$(c_home 2)
# member 2 vouches for the list key as a PoC would: its own key is
# ultimately trusted, the list key locally signed
echo "$(c_fpr 2):6:" | gpg --homedir "$H2" --batch --import-ownertrust \
    2>/dev/null || fail "ownertrust"
gpg --homedir "$H2" --batch --yes --pinentry-mode loopback --passphrase '' \
    --quick-lsign-key "$LIST_FPR" >/dev/null 2>&1 || fail "lsign the list key"
m=$(sink_by_rcpt "$(c_addr 2)")
[ -n "$m" ] || fail "no copy for member 2"
mkdir "$T/r"
GNUPGHOME=$H2 python3 "$top_srcdir/tests/crypto/mutt-read.py" "$T/r" "$m" \
    "mutt-interop-body-marker" "ops <ops@hub.test>" > "$T/read.out" 2>&1 ||
    fail "mutt did not show a good list signature: $(head -n 20 "$T/read.out")"
stop_hubd
ok "mutt decrypts a relayed copy and shows a good signature by the list"
