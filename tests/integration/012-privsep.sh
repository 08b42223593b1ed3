# Privilege separation (issue 14): started as root with user (the hub
# user) and network_user, each role runs as its own user; the network
# user reads neither the keyring nor the stores and cannot touch any
# spool directory but tmp/ and incoming/; the spool-rename attack (the
# network user renames outgoing/ away and plants its own, or writes a
# forged outgoing set for the relay) fails; mail queued before the split
# is not stranded by the owner change; a planted link makes hubd refuse
# to start.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"

[ "$(id -u)" = 0 ] || skip "needs root (privilege separation is tested as root only)"
command -v runuser > /dev/null 2>&1 || skip "no runuser"
command -v useradd > /dev/null 2>&1 || skip "no useradd"

# The Debian package's users; made here (and removed) when missing.
HUB_USER=csirt-hub
NET_USER=csirt-hub-net
MADE=
for u in "$HUB_USER" "$NET_USER"; do
	if ! id "$u" > /dev/null 2>&1; then
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin "$u" ||
		    skip "cannot create user $u"
		MADE="$MADE $u"
	fi
done
privsep_cleanup() {
	_rc=$?
	set +e
	runuser -u "$HUB_USER" -- gpgconf --homedir "$DATA/gnupg" --kill all \
	    > /dev/null 2>&1
	if [ -n "$HUBD_PID" ] && kill -0 "$HUBD_PID" 2>/dev/null; then
		kill -TERM "$HUBD_PID"
		wait "$HUBD_PID"
		HUBD_PID=
	fi
	for _u in $MADE; do
		userdel "$_u" > /dev/null 2>&1
		getent group "$_u" > /dev/null && groupdel "$_u" > /dev/null 2>&1
	done
	(exit "$_rc")
	hubctl_cleanup
}
trap privsep_cleanup EXIT
[ "$(id -u "$HUB_USER")" != "$(id -u "$NET_USER")" ] || fail "same uid"
[ "$(id -u "$HUB_USER")" != 0 ] && [ "$(id -u "$NET_USER")" != 0 ] ||
    fail "a role user is root"

as_net() { runuser -u "$NET_USER" -- "$@"; }
chmod 0755 "$T"

# 1. A spool from before the split: everything root, one message queued.
write_conf
start_hubd
send --from poc@cert.test --to ops@hub.test > /dev/null || fail "send"
stop_hubd
old=$(ls "$SPOOL/incoming")
[ -n "$old" ] || fail "nothing queued before the split"
[ "$(stat -c %U "$SPOOL/incoming/$old")" = root ] || fail "old entry owner"

# 2. The split: hubctl init as root makes the store the hub user's.
write_conf "user = $HUB_USER" "network_user = $NET_USER" \
    "smarthost = 127.0.0.1:9"
expect 0 init
for f in "$DATA" "$DATA/gnupg" "$DATA/hub.db" "$DATA/hub.db.key"; do
	[ "$(stat -c %U "$f")" = "$HUB_USER" ] ||
	    fail "$f owned by $(stat -c %U "$f"), want $HUB_USER"
done
start_hubd
wait_log "worker\[[0-9]+\]: worker-ready" 20 ||
    fail "no worker ready as $HUB_USER"
wait_log "relay\[[0-9]+\]: " 10 || fail "no relay"

# Each role's user, as ps shows it.
users() { ps -o user:32=,comm= -p "$(pgrep -d, -P "$HUBD_PID")"; }
ps -o user:32=,comm= -p "$HUBD_PID" | grep -q '^root  *hubd$' ||
    fail "master: $(ps -o user:32=,comm= -p "$HUBD_PID")"
for pair in "$NET_USER hubd-smtp" "$HUB_USER hubd-worker" \
    "$NET_USER hubd-relay"; do
	set -- $pair
	n=$(users | awk -v u="$1" -v c="$2" '$1 == u && $2 == c' | wc -l)
	[ "$n" -ge 1 ] || fail "no $2 as $1: $(users | tr '\n' ';')"
	[ "$(users | awk -v c="$2" '$2 == c' | wc -l)" = "$n" ] ||
	    fail "a $2 not as $1: $(users | tr '\n' ';')"
done
ok "roles: master root, smtp and relay $NET_USER, workers $HUB_USER"

# The entry queued before the split was given to its new owners and
# taken by a worker (rejected: ops is no list of the store), not lost.
wait_log "rejected post=$old|post=$old.*reject|id=$old.*reject" 20 || true
for i in $(seq 1 100); do
	[ -e "$SPOOL/rejected/$old" ] && break
	sleep 0.1
done
[ -e "$SPOOL/rejected/$old" ] ||
    fail "the entry queued before the split is not in rejected/: $(ls -R "$SPOOL")"
ok "an entry queued as root before the split was processed by the hub user"

# The network user reads no key and no store.
for f in hub.db.key hub.db gnupg/pubring.kbx; do
	if as_net cat "$DATA/$f" > /dev/null 2>&1; then
		fail "$NET_USER can read $f"
	fi
done
if as_net ls "$DATA/gnupg" > /dev/null 2>&1; then
	fail "$NET_USER can list gnupg/"
fi
# ... and no queue but its own.
for q in active outgoing rejected deferred quarantine corrupt retry; do
	if as_net ls "$SPOOL/$q" > /dev/null 2>&1; then
		fail "$NET_USER can list spool/$q"
	fi
done
ok "$NET_USER reads neither gnupg/, the store, its key nor the queues"

# Mail still flows in as the network user; the worker can read it.
send --from poc@cert.test --to ops@hub.test > /dev/null || fail "send"

# The attack (issue 14 item 2), as the network user.
attack() {
	as_net sh -c "$1" > /dev/null 2>&1
}
if attack "mv '$SPOOL/outgoing' '$SPOOL/outgoing.gone'"; then
	fail "ATTACK: $NET_USER renamed outgoing/"
fi
if attack "mv '$SPOOL/rejected' '$SPOOL/rejected.gone'"; then
	fail "ATTACK: $NET_USER renamed rejected/"
fi
if attack "mkdir '$SPOOL/planted'"; then
	fail "ATTACK: $NET_USER made a directory in spool/"
fi
if attack "ln -s /tmp '$SPOOL/planted'"; then
	fail "ATTACK: $NET_USER planted a link in spool/"
fi
# A forged outgoing set: a valid spool file from smtp's own tmp/.
if attack "mkdir '$SPOOL/outgoing/0000000000000000-000000000000' &&
    echo forged > '$SPOOL/tmp/f' && cp '$SPOOL/tmp/f' '$SPOOL/outgoing/0000000000000000-000000000000/'"
then
	fail "ATTACK: $NET_USER wrote an outgoing set"
fi
if attack "touch '$SPOOL/outgoing/forged'"; then
	fail "ATTACK: $NET_USER wrote into outgoing/"
fi
[ -d "$SPOOL/outgoing" ] && [ ! -L "$SPOOL/outgoing" ] ||
    fail "outgoing/ is not the hub's"
[ "$(stat -c %U "$SPOOL")" = root ] || fail "spool/ not root's"
# What it may do: write tmp/ (and incoming/).
attack "touch '$SPOOL/tmp/allowed' && rm '$SPOOL/tmp/allowed'" ||
    fail "$NET_USER cannot write tmp/"
ok "spool-rename attack fails: outgoing/ and rejected/ stay, nothing planted, no forged set"

# hubctl run as root works as the hub user (a root-owned file in gnupg/
# or a store would stop the workers) and still reloads hubd.
from=$(log_lines)
chmod 600 "$CONF"	# root reads hub.conf; the hub user need not
expect 0 list create intel
bad=$(find "$DATA/gnupg" "$DATA"/hub.db* "$DATA/lists.names" \
    ! -user "$HUB_USER" | head -n 1)
[ -z "$bad" ] || fail "root-run hubctl left $bad owned by $(stat -c %U "$bad")"
wait_log 'master\[[0-9]+\]: reloaded' 10 "$from" ||
    fail "root-run hubctl did not reload hubd"
chmod 644 "$CONF"
ok "hubctl as root: the work done as $HUB_USER, hubd reloaded"

# Item 3: a keyring file another user owns (a root-run gpg) is named,
# with its owner, by hubctl and by the workers after SIGHUP; no crash.
touch "$DATA/gnupg/planted-by-root"
rc=0
runuser -u "$HUB_USER" -- "$HUBCTL" -c "$CONF" status > "$T/out" 2> "$T/err" ||
    rc=$?
[ "$rc" != 0 ] || fail "hubctl ran on a keyring with a root-owned file"
grep -q "keyring-not-ours file=$DATA/gnupg/planted-by-root owner=root" \
    "$T/err" || fail "hubctl's error does not name the file: $(cat "$T/err")"
from=$(log_lines)
kill -HUP "$HUBD_PID"
wait_log "keyring-not-ours file=$DATA/gnupg/planted-by-root owner=root" 10 \
    "$from" || fail "the worker does not name the file"
sleep 1
if tail -n +$((from + 1)) "$LOG" | grep -q 'status=signal:'; then
	fail "a worker crashed: $(grep 'status=signal:' "$LOG" | tail -n 1)"
fi
rm "$DATA/gnupg/planted-by-root"
ok "a root-owned keyring file is named with its owner; no crash"

# A directory planted while hubd was down (say by an older layout) is
# refused at start with a message naming it.
stop_hubd
mv "$SPOOL/outgoing" "$SPOOL/outgoing.real"
ln -s "$SPOOL/outgoing.real" "$SPOOL/outgoing"
from=$(log_lines)
if "$HUBD" -f -c "$CONF" 2>>"$LOG"; then
	fail "hubd started with outgoing/ a symbolic link"
fi
tail -n +$((from + 1)) "$LOG" | grep -q 'spool-owner-wrong.*outgoing.*refusing-to-run' ||
    fail "no clear refusal: $(tail -n 3 "$LOG")"
rm "$SPOOL/outgoing"
mv "$SPOOL/outgoing.real" "$SPOOL/outgoing"
# A queue with the wrong owner is given back at start.
chown "$NET_USER" "$SPOOL/outgoing"
start_hubd
[ "$(stat -c %U "$SPOOL/outgoing")" = "$HUB_USER" ] ||
    fail "outgoing/ owner not fixed at start"
stop_hubd
ok "a planted link is refused at start; a wrong owner is fixed"
