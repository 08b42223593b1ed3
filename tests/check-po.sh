#!/bin/sh
# The translations (po/, base/i18n.h): po/ja.po compiles cleanly with
# every message translated and none fuzzy; po/csirt-hub.pot holds exactly
# the texts the sources mark (L_, NL_, N_ in po/POTFILES.in's files); and
# ja.po merged with the sources' texts still has them all translated.
# So a mailed text added or changed without its Japanese fails make
# check.  (The fix: make -C po csirt-hub.pot-update, then translate with
# msgmerge --update po/ja.po po/csirt-hub.pot.)
#
# Environment (set by make check): top_srcdir, XGETTEXT, MSGFMT, MSGMERGE.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
PO=$top_srcdir/po
: "${XGETTEXT:=xgettext}" "${MSGFMT:=msgfmt}" "${MSGMERGE:=msgmerge}"
status=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	status=1
}

for t in "$XGETTEXT" "$MSGFMT" "$MSGMERGE"; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "FAIL: $t not found (Debian package gettext)"
		exit 1
	}
done

# stats FILE: msgfmt -c's verdict; fails unless all translated, none fuzzy
stats() {
	out=$("$MSGFMT" -c --statistics -o /dev/null "$1" 2>&1) || {
		fail "msgfmt -c ${1#"$top_srcdir"/}: $out"
		return
	}
	case $out in
	*fuzzy*|*untranslated*) fail "${2:-${1#"$top_srcdir"/}}: $out" ;;
	*" translated message"*) echo "ok: ${2:-${1#"$top_srcdir"/}}: $out" ;;
	*) fail "${1#"$top_srcdir"/}: no statistics: $out" ;;
	esac
}

for lang in $(sed 's/#.*//' "$PO/LINGUAS"); do
	stats "$PO/$lang.po"
done

# the sources' texts now, with po/Makevars' options (one logical line)
opts=$(sed -n '/^XGETTEXT_OPTIONS *=/,/[^\\]$/p' "$PO/Makevars" |
    sed 's/^XGETTEXT_OPTIONS *= *//; s/\\$//' | tr '\n' ' ')
files=$(sed 's/#.*//' "$PO/POTFILES.in" | grep -v '^[[:space:]]*$')
# shellcheck disable=SC2086
(cd "$top_srcdir" && "$XGETTEXT" $opts --omit-header -o "$tmp/now.pot" \
    $files) 2>"$tmp/xgettext.err" || {
	fail "xgettext: $(cat "$tmp/xgettext.err")"
	exit 1
}

# every source that marks a mailed text is in POTFILES.in: a file left
# out would mail English to everyone and no check above would see it
for f in $(cd "$top_srcdir" && grep -l -E '\<N?L_\(' \
    base/*.c hub/*.c lists/*.c archive/*.c 2>/dev/null); do
	printf '%s\n' $files | grep -qx "$f" ||
	    fail "$f marks texts (L_) but is not in po/POTFILES.in"
done

# the committed .pot, the same texts (header and places aside)
msgids() {
	"$MSGMERGE" --no-location --no-wrap --sort-output -q -o - "$1" "$1" |
	    grep -v '^#' |
	    awk 'BEGIN { RS = ""; ORS = "\n\n" } !/^msgid ""\nmsgstr ""/'
}
msgids "$tmp/now.pot" > "$tmp/now.ids"
msgids "$PO/csirt-hub.pot" > "$tmp/pot.ids"
if cmp -s "$tmp/now.ids" "$tmp/pot.ids"; then
	echo "ok: po/csirt-hub.pot is up to date with the sources"
else
	fail "po/csirt-hub.pot is not up to date with the sources" \
	    "(make -C po csirt-hub.pot-update):"
	diff "$tmp/pot.ids" "$tmp/now.ids" | head -n 40
fi

# each catalog against the sources' texts: a new or changed text is
# untranslated or fuzzy after the merge
for lang in $(sed 's/#.*//' "$PO/LINGUAS"); do
	"$MSGMERGE" -q --no-fuzzy-matching -o "$tmp/$lang.po" "$PO/$lang.po" \
	    "$tmp/now.pot" 2>"$tmp/merge.err" || {
		fail "msgmerge $lang.po: $(cat "$tmp/merge.err")"
		continue
	}
	stats "$tmp/$lang.po" "$lang.po against the sources"
done
exit $status
