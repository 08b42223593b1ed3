#!/bin/sh
# $sendmail for mutt in tests: store the message in the file named by $1
# (the remaining arguments are mutt's recipients).
out=$1
cat > "$out"
