#!/bin/sh
# A post through the real hubd to a list of 20 subscriptions (17 members,
# 2 partners, 1 admin): each cleared recipient receives exactly one copy,
# decryptable with its own key alone and not with another's, signed by
# the list key, carrying the verdict (signer team, signature, TLP) inside
# the signature and nothing of the sender's MTA or MUA outside.
# TLP:AMBER reaches the members only; TLP:GREEN the partners too; the
# admin gets posts never (notices only).
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=17
community_make "$N" 2
start_hubd

# --- TLP:AMBER ------------------------------------------------------------------
printf 'TLP:AMBER\n\nScanning from 198.51.100.23 since 06:00 UTC.\n' > "$T/amber.txt"
from=$(log_lines)
post_compose 1 "Scanning wave" "$T/amber.txt" > "$T/amber.eml"
post_send "$T/amber.eml"
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "AMBER post: $r" ;; esac
[ "$(field rcpts "$r")" = "$N" ] || fail "AMBER recipients: $r"
sink_wait "$N" 60 || fail "AMBER: $(sink_count) of $N copies at the sink"
sleep 1
[ "$(sink_count)" -eq "$N" ] || fail "AMBER: $(sink_count) copies, want $N"
for id in p1 p2 admin; do
	[ -z "$(sink_by_rcpt "$(c_addr "$id")")" ] ||
	    fail "AMBER reached $id ($(c_addr "$id"))"
done
i=1
while [ "$i" -le "$N" ]; do
	m=$(sink_by_rcpt "$(c_addr "$i")")
	[ "$(echo "$m" | grep -c .)" -eq 1 ] ||
	    fail "member $i: $(echo "$m" | grep -c .) copies"
	[ "$(env_from "$m")" = "ops-bounces+poc$(nn "$i")=t$(nn "$i").test@hub.test" ] ||
	    fail "member $i: envelope sender $(env_from "$m")"
	# the outer headers: the list's, nothing of the sender's (its
	# name, address, domain and team are inside the encryption only)
	[ "$(outer_header "$m" From)" = "ops <ops@hub.test>" ] ||
	    fail "member $i: From $(outer_header "$m" From)"
	[ "$(outer_header "$m" Subject)" = "[...]" ] ||
	    fail "member $i: outer Subject $(outer_header "$m" Subject)"
	if [ "$i" -ne 1 ] && sed '/^\r*$/q' "$m" |
	    grep -Eiq "$(c_name 1)|$(c_addr 1)|@t01\.test|\<$(c_team 1)\>| via "; then
		fail "member $i: the sender in the outer headers"
	fi
	[ "$(outer_header "$m" To)" = "<$(c_addr "$i")>" ] ||
	    fail "member $i: To $(outer_header "$m" To)"
	outer_header "$m" List-Id | grep -q '<ops.hub.test>' ||
	    fail "member $i: no List-Id"
	if sed '/^\r*$/q' "$m" | grep -Eqi 'sender-ua-marker|sender-xmailer-marker|SENDERQID|192\.0\.2\.7|X-CSIRT-Hub|Scanning'; then
		fail "member $i: sender's headers, verdict or subject outside the encryption"
	fi
	# only member i's key opens it, and the list signed it
	# decrypted, verified, header lines unfolded
	copy_check "$m" "$i" | tr -d '\r' |
	    awk 'NR > 1 && /^[ \t]/ { sub(/^[ \t]+/, " "); printf "%s", $0; next }
	        NR > 1 { print "" } { printf "%s", $0 } END { print "" }' \
	    > "$T/clear.out"
	grep -q '^X-CSIRT-Hub-TLP: TLP:AMBER' "$T/clear.out" ||
	    fail "member $i: no signed TLP verdict header"
	grep -q "^X-CSIRT-Hub-Signer: T01; $(c_addr 1); $(c_fpr 1)" \
	    "$T/clear.out" || fail "member $i: signer verdict header"
	grep -q '^Content-Description: csirt-hub verdict' "$T/clear.out" ||
	    fail "member $i: no verdict part"
	grep -q '^Subject: \[ops\] TLP:AMBER Scanning wave' "$T/clear.out" ||
	    fail "member $i: protected subject"
	grep -q '198.51.100.23' "$T/clear.out" || fail "member $i: body"
	j=$((i % N + 1))
	copy_fails_for "$m" "$j"
	rm -f "$T/clear.out"
	i=$((i + 1))
done
ok "TLP:AMBER: $N member copies, each for one key, list-signed; none for partners or the admin"

# --- TLP:GREEN: partners too ------------------------------------------------------------
before=$(sink_count)
printf 'TLP:GREEN\n\nPatch now.\n' > "$T/green.txt"
from=$(log_lines)
post_compose 2 "Patch advisory" "$T/green.txt" > "$T/green.eml"
# the list twice in one envelope (any case) is one post, not two
send --from "$(c_addr 2)" --to ops@hub.test --to OPS@Hub.Test \
    --file "$T/green.eml" > "$T/send.out" || fail "GREEN not accepted"
r=$(post_result "$from")
[ "$(field rcpts "$r")" = $((N + 2)) ] || fail "GREEN recipients: $r"
sink_wait $((before + N + 2)) 60 ||
    fail "GREEN: $(($(sink_count) - before)) of $((N + 2))"
for id in p1 p2; do
	m=$(sink_by_rcpt "$(c_addr "$id")" "$before")
	[ "$(echo "$m" | grep -c .)" -eq 1 ] || fail "GREEN: $id copies"
	copy_check "$m" "$id" | grep -q '^X-CSIRT-Hub-TLP: TLP:GREEN' ||
	    fail "GREEN: $id verdict"
	copy_fails_for "$m" 1
done
[ -z "$(sink_by_rcpt "$(c_addr admin)" "$before")" ] ||
    fail "GREEN reached the admin"
sleep 1
[ "$(sink_count)" -eq $((before + N + 2)) ] ||
    fail "GREEN: $(($(sink_count) - before)) copies for $((N + 2)) (twice?)"
stop_hubd
ok "TLP:GREEN: members and partners ($((N + 2)) copies), not the admin"
