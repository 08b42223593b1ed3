#!/bin/sh
# crypto/ against real gpg: keys and sample mail made per run, the cmocka
# suite, the outgoing messages read back by the gpg CLI with the
# recipient's key alone, and the canary: the random token that was
# decrypted must not be in any file under the temp dirs, GNUPGHOME or cwd.
: "${top_srcdir:?}" "${top_builddir:?}"
command -v gpg >/dev/null 2>&1 || { echo "no gpg"; exit 77; }
# tests/crypto/pgpgen.py frames the hostile inputs (tools/deps.sh)
command -v python3 >/dev/null 2>&1 || { echo "no python3"; exit 77; }
. "$top_srcdir/tests/crypto/fixture.sh"
OUTDIR=$HUBT/out
mkdir "$OUTDIR" || exit 99
export OUTDIR
stamp=$HUBT/stamp
touch "$stamp"

# A real client: mutt composes PGP/MIME signed+encrypted mail (skipped
# where mutt or python3 is missing; tools/deps.sh installs both).
if command -v mutt >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1
then
	MUTTDIR=$HUBT/mutt
	mkdir "$MUTTDIR" "$HUBT/mtmp" "$HUBT/mfolder" || exit 99
	cat > "$HUBT/muttrc" <<EOT
set crypt_use_gpgme=yes
set pgp_sign_as=$ALICE_FPR
set crypt_autosign=yes
set crypt_autoencrypt=yes
set pgp_autoinline=no
set pgp_self_encrypt=no
set sendmail="$top_srcdir/tests/crypto/mutt-sink.sh $MUTTDIR/mutt-pgpmime.eml"
set from="Alice <alice@cert.test>"
set use_from=yes
set postpone=no
set record=""
set folder=$HUBT/mfolder
set spoolfile=/dev/null
set tmpdir=$HUBT/mtmp
set editor=true
set charset=utf-8
set send_charset=utf-8
EOT
	# mutt asks GPGME for a valid key: the member trusts the list key
	echo "$LIST_FPR:6:" | gm --import-ownertrust 2>/dev/null
	printf 'From: Alice <alice@cert.test>\nTo: list@hub.test\nSubject: from mutt\n\nHello from mutt %s\n' \
	    "$LIST_FPR" > "$HUBT/draft"
	HOME=$HUBT GNUPGHOME=$MEMBER_GNUPGHOME python3 \
	    "$top_srcdir/tests/crypto/mutt-compose.py" mutt -n \
	    -F "$HUBT/muttrc" -H "$HUBT/draft" || exit 1
	# inline PGP: mutt's GPGME backend cannot, its classic one can
	gpgrc=/usr/share/doc/mutt/examples/gpg.rc
	if [ -r "$gpgrc" ]; then
		# gpg.rc first: it resets some of our settings
		{ echo "source $gpgrc"
		  sed -e 's/^set crypt_use_gpgme=yes/set crypt_use_gpgme=no/' \
		    -e 's/^set pgp_autoinline=no/set pgp_autoinline=yes/' \
		    -e "s|mutt-pgpmime.eml|mutt-inline.eml|" "$HUBT/muttrc"
		} > "$HUBT/muttrc2"
		printf 'From: Alice <alice@cert.test>\nTo: list@hub.test\nSubject: inline from mutt\n\nHello inline from mutt %s\n' \
		    "$LIST_FPR" > "$HUBT/draft"
		HOME=$HUBT GNUPGHOME=$MEMBER_GNUPGHOME python3 \
		    "$top_srcdir/tests/crypto/mutt-compose.py" mutt -n \
		    -F "$HUBT/muttrc2" -H "$HUBT/draft" || exit 1
		test -s "$MUTTDIR/mutt-inline.eml" || exit 1
		MUTT_INLINE=1
		export MUTT_INLINE
	fi
	rm -rf "$HUBT/draft" "$HUBT/mtmp"
	export MUTTDIR
else
	echo "SKIP mutt interop: no mutt or python3"
fi

"$top_builddir/tests/unit/test_crypto" || exit 1

# gpg reads what we wrote, with the recipient's key only
for f in combined-alice signonce-alice signonce-other; do
	awk '/^-----BEGIN PGP MESSAGE-----/ { p = 1 } p { print }
	    /^-----END PGP MESSAGE-----/ { exit }' "$OUTDIR/$f.eml" |
	    tr -d '\r' > "$HUBT/ct.asc"
	n=$(gpg --homedir "$MEMBER_GNUPGHOME" --batch --list-packets \
	    "$HUBT/ct.asc" 2>/dev/null | grep -c '^:pubkey enc packet')
	[ "$n" = 1 ] || { echo "FAIL $f: $n pubkey packets"; exit 1; }
	gpg --homedir "$MEMBER_GNUPGHOME" --batch --status-fd 1 -d \
	    "$HUBT/ct.asc" 2>/dev/null > "$HUBT/st" ||
	    { echo "FAIL $f: gpg cannot decrypt"; exit 1; }
	case $f in
	combined*) grep -q "^\[GNUPG:\] GOODSIG .*List" "$HUBT/st" ||
	    { echo "FAIL $f: no good list signature"; exit 1; } ;;
	esac
	grep -q '^\[GNUPG:\] DECRYPTION_OKAY' "$HUBT/st" ||
	    { echo "FAIL $f: no DECRYPTION_OKAY"; exit 1; }
	rm -f "$HUBT/st" "$HUBT/ct.asc"
done
echo "ok gpg CLI decrypts and verifies our output"

# ... and so does a real client: mutt, on a pty, in a keyring holding
# alice's secret key alone (the member keyring has Other's too), where
# alice has certified the list key (mutt warns on an unvalidated key)
if command -v mutt >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1
then
	AHOME=$HUBT/a
	trap 'gpgconf --homedir "$AHOME" --kill all 2>/dev/null
	    fixture_cleanup' EXIT
	mkdir -m 700 "$AHOME" || exit 99
	ga() { gpg --homedir "$AHOME" --batch --no-tty --quiet \
	    --pinentry-mode loopback --passphrase '' "$@"; }
	gm --export-secret-keys "$ALICE_FPR" | ga --import 2>/dev/null &&
	    gh --export "$LIST_FPR" | ga --import 2>/dev/null &&
	    echo "$ALICE_FPR:6:" | ga --import-ownertrust 2>/dev/null &&
	    ga --quick-lsign-key "$LIST_FPR" >/dev/null 2>&1 || exit 99
	mread() {
		rm -rf "$HUBT/r" && mkdir "$HUBT/r" || exit 99
		GNUPGHOME=$AHOME python3 "$top_srcdir/tests/crypto/mutt-read.py" \
		    "$HUBT/r" "$OUTDIR/$1.eml" "Outgoing body" \
		    "Test List INSECURE <list@hub.test>"
	}
	for f in combined-alice signonce-alice; do
		mread $f >/dev/null || { echo "FAIL $f: mutt"; exit 1; }
	done
	# the check can fail: not for alice, so mutt cannot decrypt it
	if mread signonce-other > "$HUBT/mr.out" 2>&1; then
		echo "FAIL signonce-other: mutt read it with alice's key"
		exit 1
	fi
	grep -q "missing decrypted body" "$HUBT/mr.out" &&
	    ! grep -q "missing the pager" "$HUBT/mr.out" &&
	    grep -q "decryption failed" "$HUBT/mr.out" || {
		echo "FAIL signonce-other: not a decryption failure:"
		cat "$HUBT/mr.out"; exit 1; }
	gpgconf --homedir "$AHOME" --kill all 2>/dev/null
	rm -rf "$HUBT/r" "$HUBT/mr.out" "$AHOME"
	echo "ok mutt reads and verifies our output (combined, sign-once)"
else
	echo "SKIP mutt read: no mutt or python3"
fi

# canary: nothing we decrypted reached a file (first prove the search
# would see it)
printf 'x %s x\n' "$CANARY" > "$HUBT/probe"
grep -rlq -- "$CANARY" "$HUBT" || { echo "FAIL canary probe"; exit 1; }
rm -f "$HUBT/probe"
leak=$(grep -rl -- "$CANARY" "$HUBT" . 2>/dev/null)
leak2=$(find "${TMPDIR:-/tmp}" -maxdepth 3 -type f -newer "$stamp" \
    -exec grep -l -- "$CANARY" {} + 2>/dev/null)
if [ -n "$leak$leak2" ]; then
	echo "FAIL canary $CANARY found in: $leak $leak2"
	exit 1
fi
echo "ok canary not on disk"
exit 0
