#!/bin/sh
# The archive through the real hub: posts relayed by hubd (TLP:GREEN,
# AMBER, RED) are filed with their indicators; hubctl archive search finds
# them with the right metadata (exact, domain suffix, URL host, IP in a
# CIDR, CIDR contents, filters, --as a contact); mailed searches to
# ops-request answer each member with what it is cleared for (a partner,
# a member of another list, a member who was no recipient of the RED
# post, the RED post's recipient), refuse an unknown signer and an
# unsigned request; the MISP, STIX and CSV exports parse, have the
# documented shape and never hold RED; and nothing of a post -- a canary
# indicator, a canary subject -- is readable in any file under data_dir.
#
# Contacts: 1, 2 members of ops; 3 a member of the list intel only; 4 a
# member subscribed to ops only after the RED post; p1 a partner of ops.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

community_make 4 1
hc list create intel
hc unsubscribe ops "$(c_addr 3)"
hc unsubscribe ops "$(c_addr 4)"
hc subscribe intel "$(c_addr 3)" --role member
hc subscribe intel "$(c_addr 1)" --role member
start_hubd

TAG=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
CANARY_DOM="c$TAG.canary-evil.net"
CANARY_SUBJ="canary-subject-$TAG"
SHA=5b1f6d3e0c2a4f8e9d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e

# post ID SUBJECT TEXT: compose and send a post by ID; print its spool id
post() {
	printf '%s\n' "$3" > "$T/body.txt"
	post_compose "$1" "$2" "$T/body.txt" > "$T/post.eml"
	rm -f "$T/body.txt"
	echo "ops:$(post_archived "$T/post.eml")"	# the archive's id
}

G=$(post 1 "TLP:GREEN phishing wave $CANARY_SUBJ" "Phishing kit at
hxxps://login-micros0ft[.]example-bad[.]net/auth?session=1 served from
198.51.100.23 (AS64496 range 203.0.113.0/24). Payload sha256 $SHA.
Lure mail from phish@mail.bad-sender.org exploits CVE-2024-3094.
Questions to ops-owner@hub.test. Canary: $CANARY_DOM")
A=$(post 2 "TLP:AMBER c2 infrastructure" "C2 at a.b.shared-c2.net and
203.0.113.77, also seen: $CANARY_DOM")
R=$(post 1 "TLP:RED red-eyes-only report" "Do not share: red-secret.example-red.net
contacted 198.51.100.23")
hc subscribe ops "$(c_addr 4)" --role member
ok "three posts relayed and archived: GREEN $G, AMBER $A, RED $R"


# --- hubctl archive search --------------------------------------------------------
# found QUERY EXPR [options]: hubctl --json archive search, then a Python
# condition on d (the document) that must hold.
found() {
	_q=$1 _e=$2
	shift 2
	expect 0 --json archive search "$_q" "$@"
	[ "$(jget "$_e")" = True ] ||
	    fail "search $_q $*: not ($_e): $(cat "$T/out")"
}
hits() { echo "[(h['indicator'], h['count']) for h in d['hits']]"; }

# one message to two lists: archived once per list
printf 'TLP:GREEN\nBoth lists: both-lists.example-two.net\n' > "$T/body.txt"
hc --json list key intel
INTEL_FPR=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["fpr"])' \
    < "$T/hc.out")
hc list key intel --export
gall --import < "$T/hc.out" 2>/dev/null || fail "import intel's key"
POST_TO="ops@hub.test, intel@hub.test" POST_ALSO_TO=$INTEL_FPR \
    post_compose 1 "to ops and intel" "$T/body.txt" > "$T/post.eml"
rm -f "$T/body.txt"
_from=$(log_lines)
send --from "$(c_addr 1)" --to ops@hub.test --to intel@hub.test \
    --file "$T/post.eml" > /dev/null || fail "two-list post not accepted"
wait_log "archive_id=intel:" 30 "$_from" || fail "not archived for intel"
wait_log "archive_id=ops:.* indicators=1$" 30 "$_from" ||
    fail "not archived for ops"
found both-lists.example-two.net "$(hits) == [('both-lists.example-two.net', 2)]"
found both-lists.example-two.net "$(hits) == [('both-lists.example-two.net', 1)] \
and d['hits'][0]['reports'][0]['list'] == 'intel'" --as "$(c_addr 3)"
ok "a message to two lists is archived for each, visible to each list"

found 198.51.100.23 "$(hits) == [('198.51.100.23', 1)]"
found 198.51.100.23 "d['hits'][0]['teams'] == 'T01' and \
'$CANARY_SUBJ' in d['hits'][0]['reports'][0]['subject'] and \
d['hits'][0]['reports'][0]['tlp'] == 'TLP:GREEN' and \
d['hits'][0]['reports'][0]['list'] == 'ops' and \
d['hits'][0]['reports'][0]['post'] == '$G'"
found 198.51.100.23 "$(hits) == [('198.51.100.23', 2)] and \
d['hits'][0]['reports'][0]['tlp'] == 'TLP:RED'" --red
ok "exact search: metadata right; RED only with --red"

found shared-c2.net "$(hits) == [('a.b.shared-c2.net', 1)]"
found example-bad.net "sorted($(hits)) == \
[('https://login-micros0ft.example-bad.net/auth?session=1', 1), \
('login-micros0ft.example-bad.net', 1)]"
found bad-sender.org "$(hits) == [('phish@mail.bad-sender.org', 1)]"
found "$CANARY_DOM" "$(hits) == [('$CANARY_DOM', 2)] and \
d['hits'][0]['teams'] == 'T02,T01'"
ok "domain search finds subdomains, URL hosts and mail domains"

found 203.0.113.77 "$(hits) == [('203.0.113.77', 1), ('203.0.113.0/24', 1)]"
found 203.0.113.0/24 "$(hits) == [('203.0.113.77', 1), ('203.0.113.0/24', 1)]"
found 203.0.113.128/25 "$(hits) == [('203.0.113.0/24', 1)]"
found '198.51.100[.]23' "$(hits) == [('198.51.100.23', 1)]"
ok "an IP finds the CIDRs containing it, a CIDR what lies inside"

found "$SHA" "$(hits) == [('$SHA', 1)]"
found CVE-2024-3094 "$(hits) == [('CVE-2024-3094', 1)]"
found AS64496 "d['hits'][0]['documentation'] == True"
found ops-owner@hub.test "d['hits'][0]['hub_own'] == True"
found bad-sender.org "d['hits'][0]['hub_own'] == False"
found '' "[h['indicator'] for h in d['hits']] == ['CVE-2024-3094']" --type cve
found '' "{h['type'] for h in d['hits']} == {'domain', 'ipv4'}" \
    --tlp amber
found '' "all(r['team'] == 'T02' for h in d['hits'] for r in h['reports'])" \
    --team T02
expect 1 archive search 198.51.100.23 --list intel
expect 1 archive search 198.51.100.23 --since "$(date -u -d tomorrow +%F)"
found 198.51.100.23 "len(d['hits']) == 1" --until "$(date -u +%F)"
expect 2 archive search x --type nonsense
err_has "bad --type"
ok "filters: --type --tlp --team --list --since --until"

expect 1 archive search shared-c2.net --as "$(c_addr p1)"
found 198.51.100.23 "$(hits) == [('198.51.100.23', 1)]" --as "$(c_addr p1)"
expect 1 archive search 198.51.100.23 --as "$(c_addr 3)"
found 198.51.100.23 "$(hits) == [('198.51.100.23', 1)]" --as "$(c_addr 4)"
found 198.51.100.23 "$(hits) == [('198.51.100.23', 2)]" --as "$(c_addr 2)"
expect 1 archive search red-secret.example-red.net --as "$(c_addr 4)"
ok "--as: partner no AMBER, other list nothing, RED only for recipients"

expect 0 archive search 203.0.113.0/24 --csv
head -n 1 "$T/out" | grep -q '^indicator,type,first_seen,last_seen,count,teams,post,list,tlp,date,team,subject' ||
    fail "csv header: $(head -n 1 "$T/out")"
python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); sys.exit(0 if len(r) == 3 and all(len(x) == 12 for x in r) else 1)' "$T/out" ||
    fail "csv rows: $(cat "$T/out")"
expect 0 archive search shared-c2.net
grep -q "^a.b.shared-c2.net  domain  first " "$T/out" || fail "text table: $(cat "$T/out")"
grep -q "TLP:AMBER  T02  post $A  TLP:AMBER c2 infrastructure" "$T/out" ||
    fail "text table report line: $(cat "$T/out")"
ok "--csv parses, the text table lists reports"

expect 0 --json archive show "$G"
[ "$(jget "d['team'] == 'T01' and d['tlp'] == 'TLP:GREEN' and '$CANARY_DOM' in d['body'] and len(d['audience']) == 3")" = True ] ||
    fail "show: $(cat "$T/out")"
expect 1 archive show "$R"
err_has "shown with --red only"
expect 0 archive show "$R" --red
expect 1 archive show "$R" --as "$(c_addr 4)"
expect 0 archive show "$R" --as "$(c_addr 2)"
expect 1 archive show NOSUCHPOST
ok "archive show: one report; RED for --red and its recipients only"

# --- search by mail ----------------------------------------------------------------
# ask ID KIND TEXT: a request to ops-request (post_compose kinds); prints
# the path of the one reply, which went to WHO (default: ID's address).
ask() {
	_before=$(sink_count)
	printf '%s\n' "$3" > "$T/body.txt"
	post_compose "$1" "search" "$T/body.txt" "$2" > "$T/req.eml"
	rm -f "$T/body.txt"
	_from=$(sed -n '/^$/q; s/^From:.*<\([^>]*\)>.*/\1/p' "$T/req.eml" | head -n 1)
	send --from "$_from" --to ops-request@hub.test --file "$T/req.eml" \
	    > /dev/null || fail "request by $1 not accepted"
	sink_wait $((_before + 1)) 30 || fail "no reply to $1's request"
	sleep 0.5
	[ "$(sink_count)" -eq $((_before + 1)) ] ||
	    fail "$1's request: $(($(sink_count) - _before)) replies, want 1"
	_m=$(sink_msgs "$_before")
	[ "$(env_rcpts "$_m")" = "$_from" ] ||
	    fail "reply went to $(env_rcpts "$_m"), want $_from"
	echo "$_m"
}
QUERIES="search 198.51.100.23
search shared-c2.net
search red-secret.example-red.net"

m=$(ask 2 good "$QUERIES")
copy_check "$m" 2 > "$T/r2"
grep -q 'answer to your commands' "$T/r2" || fail "member 2: subject"
grep -q "post $R  TLP:RED red-eyes-only report" "$T/r2" ||
    fail "member 2 (RED recipient): RED report missing: $(cat "$T/r2")"
grep -q "post $A  TLP:AMBER c2 infrastructure" "$T/r2" ||
    fail "member 2: AMBER report missing"
copy_fails_for "$m" 1
ok "mailed search: the RED recipient gets RED, encrypted to it alone"

_before=$(sink_count)
_from=$(log_lines)
send --from "$(c_addr 2)" --to ops-request@hub.test --file "$T/req.eml" \
    > /dev/null || fail "replayed request not accepted"
wait_log "search-ignored .* reason=replay" 30 "$_from" ||
    fail "a replayed request was not recognised"
sleep 1
[ "$(sink_count)" -eq "$_before" ] || fail "a replayed request was answered"
m=$(ask 2 good "search *")
copy_check "$m" 2 | grep -q "not a query: give one indicator" ||
    fail "search * by mail was run"
ok "mailed search: a replayed request gets nothing; '*' is no query by mail"

m=$(ask 4 good "$QUERIES")
copy_check "$m" 4 > "$T/r4"
grep -q "post $G " "$T/r4" || fail "member 4: GREEN report missing"
grep -q "post $A " "$T/r4" || fail "member 4: AMBER report missing"
! grep -q "post $R\|red-eyes-only\|TLP:RED  \|^red-secret" "$T/r4" ||
    fail "member 4 (no RED recipient) sees RED: $(cat "$T/r4")"
ok "mailed search: a member who was no RED recipient sees no RED"

m=$(ask p1 partner "$QUERIES")
copy_check "$m" p1 > "$T/rp"
grep -q "post $G " "$T/rp" || fail "partner: GREEN report missing"
! grep -q "post $A \|post $R \|^a.b.shared-c2\|^red-secret" "$T/rp" ||
    fail "partner sees AMBER or RED: $(cat "$T/rp")"
ok "mailed search: a partner sees GREEN, not AMBER or RED"

m=$(ask 3 good "$QUERIES")
copy_check "$m" 3 > "$T/r3"
[ "$(grep -c '^no results' "$T/r3")" -eq 3 ] ||
    fail "member of intel sees ops reports: $(cat "$T/r3")"
ok "mailed search: a member of another list sees nothing of ops"

m=$(ask stranger unknown "$QUERIES")
grep -q 'archive search refused' "$m" || fail "stranger: no refusal"
! grep -q "198.51.100.23\|$CANARY_SUBJ\|shared-c2" "$m" ||
    fail "stranger's refusal holds archive content"
m=$(ask 1 unsigned "$QUERIES")
copy_check "$m" 1 > "$T/r1"
grep -q 'not signed' "$T/r1" || fail "unsigned: reason: $(cat "$T/r1")"
! grep -q "post $G" "$T/r1" || fail "unsigned request answered"
ok "mailed search: unknown signer and unsigned request get a refusal only"

# --- exports ----------------------------------------------------------------------
expect 0 archive export --format misp --out "$T/misp"
python3 - "$T/misp" "$G" "$A" "$R" <<'EOF' || fail "MISP feed shape"
import csv, hashlib, json, os, sys
d, g, a, r = sys.argv[1:]
man = json.load(open(os.path.join(d, "manifest.json")))
assert len(man) == 4, man	# GREEN, AMBER, the two-list post twice
for uuid, ev in man.items():
    assert {"info", "Orgc", "analysis", "timestamp", "date",
            "threat_level_id", "Tag"} <= set(ev), ev
    e = json.load(open(os.path.join(d, uuid + ".json")))["Event"]
    assert e["uuid"] == uuid
    tags = [t["name"] for t in e["Tag"]]
    assert tags in (["tlp:green"], ["tlp:amber"]), tags
    for at in e["Attribute"]:
        assert {"uuid", "type", "category", "value", "to_ids"} <= set(at)
        assert "red-secret" not in at["value"]
hashes = list(csv.reader(open(os.path.join(d, "hashes.csv"))))
assert hashes and all(len(h) == 2 and h[1] in man for h in hashes)
vals = {json.load(open(os.path.join(d, u + ".json")))["Event"]["uuid"] for u in man}
assert vals == set(man)
EOF
! grep -rq 'red-secret\|red-eyes' "$T/misp" || fail "RED in the MISP feed"
ok "MISP feed: manifest, 4 events with tlp tags, hashes.csv; no RED"

expect 0 archive export --format stix --out "$T/bundle.json"
python3 - "$T/bundle.json" <<'EOF' || fail "STIX bundle shape"
import json, re, sys
b = json.load(open(sys.argv[1]))
assert b["type"] == "bundle" and b["id"].startswith("bundle--")
objs = b["objects"]
ids = {o["id"] for o in objs}
pat = re.compile(r"^\[[a-z0-9-]+:[a-z0-9_.'-]+(\.'?[A-Z0-9-]+'?)? = ('([^'\\]|\\.)*'|\d+)\]$")
n = 0
for o in objs:
    if o["type"] == "indicator":
        n += 1
        for k in ("spec_version", "id", "created", "modified", "pattern",
                  "pattern_type", "valid_from"):
            assert k in o, (k, o)
        assert pat.match(o["pattern"]), o["pattern"]
        assert o["created_by_ref"] in ids
        assert all(m in ids for m in o["object_marking_refs"])
        assert "red-secret" not in o["pattern"]
assert n >= 8, n
marks = {o["id"] for o in objs if o["type"] == "marking-definition"}
assert "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" in marks
assert "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" in marks
assert not any("e828b379" in m for m in marks)
EOF
ok "STIX 2.1 bundle: well-formed patterns, TLP 2.0 markings; no RED"

expect 0 archive export --format csv --tlp amber
python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); sys.exit(0 if len(r) >= 4 and all(x[4] == "TLP:AMBER" for x in r[1:]) else 1)' "$T/out" ||
    fail "csv export: $(cat "$T/out")"
expect 1 archive export --format csv --tlp red
expect 1 archive export --format xml
expect 2 archive export --format csv --red
ok "CSV export with filters; RED and unknown formats refused"

# --- at rest ------------------------------------------------------------------------
expect 0 --json archive stats
[ "$(jget "d['posts'] == 5 and d['indicators'] >= 12")" = True ] ||
    fail "stats: $(cat "$T/out")"
if grep -rlaF -e "$CANARY_DOM" -e "$CANARY_SUBJ" -e "red-secret" "$DATA"; then
	fail "a canary is readable under data_dir"
fi
# and the test would see it: the member's copy holds both
m=$(sink_by_rcpt "$(c_addr 2)" | head -n 1)
copy_check "$m" 2 | grep -q "$CANARY_DOM" || fail "canary check is vacuous"
ok "no canary indicator or subject readable under data_dir"

stop_hubd
