#!/bin/sh
# The committed sample mail (tests/data/mail/) read with the committed
# INSECURE list key (tests/data/keys/), in a short temporary GNUPGHOME.
: "${top_srcdir:?}" "${top_builddir:?}"
command -v gpg >/dev/null 2>&1 || { echo "no gpg"; exit 77; }
SAMPLE_HOME=$(mktemp -d /tmp/hubgpg.XXXXXX) || exit 99
trap 'gpgconf --homedir "$SAMPLE_HOME" --kill all 2>/dev/null;
    rm -rf "$SAMPLE_HOME"' EXIT
K=$top_srcdir/tests/data/keys
for k in list-INSECURE.sec.asc alice-INSECURE.pub.asc \
    carol-INSECURE.pub.asc; do
	gpg --homedir "$SAMPLE_HOME" --batch --quiet --import "$K/$k" \
	    2>/dev/null || exit 99
done
SAMPLEDIR=$top_srcdir/tests/data/mail
export SAMPLE_HOME SAMPLEDIR
set -a
. "$K/fprs"
set +a
# not exec: the trap must still remove the directory
"$top_builddir/tests/unit/test_crypto"
