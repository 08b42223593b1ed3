# The dependency rules of STYLE.md §2, checked on every #include "...":
#   hub/base/  includes only hub/base/
#   crypto/    hub/base/, crypto/
#   lists/     hub/base/, crypto/, lists/
#   archive/   hub/base/, crypto/, archive/, and lists/tlp.h only
#   hub/ tools/ tests/: anything
set -eu
: "${top_srcdir:?}"
cd "$top_srcdir"

bad=0
checked=0
check_dir() {
	dir=$1
	allowed=$2
	for f in $(find "$dir" -name '*.[ch]' 2>/dev/null | sort); do
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
check_dir hub/base 'hub/base/*'
check_dir crypto 'hub/base/* crypto/*'
check_dir lists 'hub/base/* crypto/* lists/*'
check_dir archive 'hub/base/* crypto/* archive/* lists/tlp.h'
bad=$(wc -l < "$tmp")
echo "layering: $checked files checked, $bad violations"
[ "$bad" -eq 0 ]
