# The dependency rules of STYLE.md §2, checked on every #include "...":
#   base/      includes only base/
#   crypto/    base/, crypto/
#   lists/     base/, crypto/, lists/
#   archive/   base/, crypto/, archive/, and lists/tlp.h only
#   intake     (libhub.a: master and hubd-smtp) base/ and hub/ only
#   hub/hubd.c (the master) base/ and hub/ only
#   the rest of hub/, tools/, tests/: anything
set -eu
: "${top_srcdir:?}"
cd "$top_srcdir"

bad=0
checked=0
check_dir() {
	check_files "$2" $(find "$1" -name '*.[ch]' 2>/dev/null | sort)
}
check_files() {
	allowed=$1
	shift
	for f in "$@"; do
		checked=$((checked + 1))
		grep -n '^#[[:space:]]*include[[:space:]]*"' "$f" |
		while IFS= read -r line; do
			inc=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
			case $inc in
			config.h) continue ;;	# the autoconf header
			esac
			okay=0
			for a in $allowed; do
				case $inc in
				$a) okay=1 ;;
				esac
			done
			if [ "$okay" = 0 ]; then
				echo "layering: $f:${line%%:*}: includes \"$inc\" (allowed: $allowed)"
				echo x >> "$tmp"
			fi
		done
	done
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
check_dir base 'base/*'
check_dir crypto 'base/* crypto/*'
check_dir lists 'base/* crypto/* lists/*'
check_dir archive 'base/* crypto/* archive/* lists/tlp.h'
# The intake (libhub.a: the master's and hubd-smtp's code) faces the
# network and never links the keys' code.  Its sources are read from the
# build fragment, so a file added there is checked without editing this.
intake=$(sed -n '/^libhub_a_SOURCES/,/^[A-Z]/p' hub/local.mk |
	tr ' \t\\' '\n\n\n' | grep '^hub/.*\.[ch]$' | sort)
[ -n "$intake" ] || { echo "layering: no intake sources in hub/local.mk"; exit 1; }
check_files 'base/* hub/*' $intake
# The master (hub/hubd.c) likewise: it never opens the keyring or the
# stores (issue 14); the names of the lists come from DATA_DIR/lists.names.
check_files 'base/* hub/*' hub/hubd.c
bad=$(wc -l < "$tmp")
echo "layering: $checked files checked, $bad violations"
[ "$bad" -eq 0 ]
