# Sourced by tools/check and tools/quickstart: the Debian packages the
# project builds and tests with, installed when missing (as root).
HUB_DEB_PACKAGES="gcc make autoconf automake autoconf-archive pkgconf
libgpgme-dev libevent-dev libetpan-dev libesmtp-dev libsqlcipher-dev
libcmocka-dev libpsl-dev libgcrypt20-dev libunistring-dev mandoc gnupg gpg-agent procps mutt python3 sqlite3"

hub_install_deps() {
	local p missing=""
	for p in $HUB_DEB_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages:$missing"
		echo "run as root, or: sudo apt-get install$missing"
		return 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq $missing > /dev/null
}
