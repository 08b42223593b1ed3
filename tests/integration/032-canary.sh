#!/bin/sh
# Invariant 2 through the real hubd: a post whose subject and body carry
# a random token is relayed (and a second one refused); afterwards the
# token is in no file under the data dir (spool, store, keyring), the
# hubd log, the sink's copies (ciphertext), the test's own directory or
# /tmp.  The post is composed in a pipe and its file removed before the
# search: the only plaintext the test ever had.
. "$top_srcdir/tests/lib/hubd.sh"
. "$top_srcdir/tests/lib/hubctl.sh"
. "$top_srcdir/tests/lib/community.sh"

N=3
community_make "$N" 0
start_hubd
TOKEN="canary$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

printf 'TLP:AMBER\n\n%s in the body\n' "$TOKEN" |
    post_compose 1 "subject $TOKEN" - > "$T/post.eml"
from=$(log_lines)
post_send "$T/post.eml"
r=$(post_result "$from")
case $r in *"accepted post="*) ;; *) fail "canary post: $r" ;; esac
sink_wait "$N" 60 || fail "canary: $(sink_count) of $N copies"
# a refused one too (not allowed: a partner-less list, unknown signer)
printf '%s refused\n' "$TOKEN" |
    post_compose 1 "refused $TOKEN" - unknown > "$T/refused.eml"
from=$(log_lines)
post_send "$T/refused.eml"
r=$(post_result "$from")
case $r in *"rejected post="*) ;; *) fail "refused canary: $r" ;; esac
sink_wait $((N + 1)) 30 || fail "no notice for the refused canary"
# a member reads its copy: the token is there (the test is not vacuous)
copy_check "$(sink_by_rcpt "$(c_addr 2)" | head -n 1)" 2 |
    grep -q "$TOKEN in the body" || fail "the copy lacks the token"
stop_hubd
rm -f "$T/post.eml" "$T/refused.eml"

hits=$(grep -rlaF --devices=skip -e "$TOKEN" "$DATA" "$T" /tmp 2>/dev/null |
    grep -v '/proc/' || true)
[ -z "$hits" ] || fail "the token is on disk: $hits"
ok "token $TOKEN found in no file under the data dir, the log, the sink or /tmp"
