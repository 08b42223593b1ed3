# Sourced by tools/check and tools/quickstart: the Debian packages the
# project builds and tests with, installed when missing (as root).
# postfix is for tests/integration/050-postfix.sh, which runs a private
# instance of its own; the system's Postfix is installed unconfigured and
# not started (see hub_install_deps).  schleuder is for 049 (a real
# Schleuder list to import from; its API daemon is not started either),
# faketime for 053 (a clock step under hubd), e2fsprogs and util-linux
# for 055 (a full loop-mounted ext4).
HUB_DEB_PACKAGES="gcc make autoconf automake autoconf-archive pkgconf
libgpgme-dev libevent-dev libetpan-dev libesmtp-dev libsqlcipher-dev
libcmocka-dev libpsl-dev libgcrypt20-dev libunistring-dev gettext autopoint mandoc gnupg gpg-agent procps mutt python3 sqlite3
postfix schleuder faketime e2fsprogs util-linux"

hub_install_deps() {
	local p missing="" policy=""
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
	case " $missing " in
	*" postfix "*|*" schleuder "*)
		# Postfix "No configuration": no main.cf, so no system
		# instance that could listen on port 25; the test runs its
		# own.  And no service started by the install itself (nor
		# schleuder's API daemon): a policy-rc.d that says no (101),
		# only if none is there.
		echo "postfix postfix/main_mailer_type select No configuration" |
		    debconf-set-selections
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d &&
			    chmod 755 /usr/sbin/policy-rc.d && policy=1
		fi
		;;
	esac
	apt-get update -qq && apt-get install -y -qq $missing > /dev/null
	local rc=$?
	[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
	return "$rc"
}
