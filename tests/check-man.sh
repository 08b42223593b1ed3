#!/bin/sh
# Man pages: lint them with mandoc (when configure found it), and check that
# hub.conf(5) documents exactly the keys hub/conf.c accepts, so a key added
# to the code without documentation (or documented but gone) fails make check.
#
# Environment (set by make check): top_srcdir, MANDOC (may be empty).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
CONFIG_C=$top_srcdir/hub/conf.c
CONF_MAN=$top_srcdir/man/hub.conf.5
status=0

fail() {
	echo "FAIL: $*"
	status=1
}

# --- lint -------------------------------------------------------------------
if [ -n "$MANDOC" ]; then
	n=0
	for page in "$top_srcdir"/man/*.[1-8]; do
		[ -f "$page" ] || continue
		n=$((n + 1))
		out=$("$MANDOC" -Tlint -Wwarning "$page" 2>&1)
		rc=$?
		if [ -n "$out" ] || [ $rc -ne 0 ]; then
			fail "mandoc -Tlint -Wwarning ${page#"$top_srcdir"/}" \
			    "(exit $rc):"
			printf '%s\n' "$out"
		else
			echo "ok: mandoc -Tlint -Wwarning ${page#"$top_srcdir"/}"
		fi
	done
	[ $n -gt 0 ] || fail "no man pages in $top_srcdir/man"
else
	# Not silent: say what was not done.
	echo "note: MANDOC is empty (mandoc not found by configure):" \
	    "man page lint NOT run"
fi

# --- csirt-hub-postfix(7) ---------------------------------------------------
# The Postfix page quotes the map file hubctl writes: the same name as
# hub/listnames.h, or an admin's main.cf points at a file nobody writes.
PF_MAN=$top_srcdir/man/csirt-hub-postfix.7
pf_file=$(sed -n 's/^#define LISTNAMES_POSTFIX_FILE[ \t]*"\(.*\)"$/\1/p' \
    "$top_srcdir/hub/listnames.h")
if [ ! -f "$PF_MAN" ]; then
	fail "man/csirt-hub-postfix.7 is missing"
elif [ -z "$pf_file" ]; then
	fail "no LISTNAMES_POSTFIX_FILE in hub/listnames.h"
elif ! grep -q "relay_recipient_maps = texthash:.*/$pf_file\$" "$PF_MAN"; then
	fail "man/csirt-hub-postfix.7 does not give relay_recipient_maps" \
	    "= texthash:.../$pf_file"
else
	echo "ok: man/csirt-hub-postfix.7 names the map hubctl writes ($pf_file)"
fi

# --- hub.conf keys ----------------------------------------------------------
# The key table in conf.c has one '{ "key",' row per key (see the comment
# above it); read the rows between its first and its closing line.
keys=$(awk '
	/^static const struct key keys\[\] = \{$/ { intable = 1; next }
	intable && /^\};$/ { exit }
	intable && /^[ \t]*\{ "[a-z_0-9]+",/ {
		sub(/^[ \t]*\{ "/, ""); sub(/".*/, ""); print
	}' "$CONFIG_C")
if [ -z "$keys" ]; then
	fail "no keys found in ${CONFIG_C#"$top_srcdir"/}: has the" \
	    "'static const struct key keys[] = {' table changed shape?"
	exit 1
fi
if [ ! -f "$CONF_MAN" ]; then
	fail "${CONF_MAN#"$top_srcdir"/} is missing"
	exit 1
fi

keyline=$(printf '%s\n' "$keys" | tr '\n' ' ')
n=0
missing=0
for key in $keys; do
	n=$((n + 1))
	if ! grep -q "^\.It Cm $key\( \|\$\)" "$CONF_MAN"; then
		fail "key '$key' is accepted by hub/conf.c but has no" \
		    "'.It Cm $key' in man/hub.conf.5"
		missing=$((missing + 1))
	fi
done
echo "checked $n keys of hub/conf.c against man/hub.conf.5" \
    "($missing undocumented): $keyline"

# The other way round: a documented key the parser does not know.
# Word splitting is wanted: a key is one word.
# shellcheck disable=SC2013
for doc in $(sed -n 's/^\.It Cm \([a-z_0-9]*\).*/\1/p' "$CONF_MAN"); do
	case " $keyline" in
	*" $doc "*) ;;
	*) fail "man/hub.conf.5 documents '.It Cm $doc' but hub/conf.c" \
	    "has no such key" ;;
	esac
done
echo "checked every '.It Cm' of man/hub.conf.5 is a key of hub/conf.c"

exit $status
