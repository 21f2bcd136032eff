#!/bin/bash
# tcpvsd -t: "FILE: syntax OK" and exit 0 for a good file; every error as
# "FILE:LINE: reason" and exit 1 for a bad one; usage errors exit 1.
. "$(dirname "$0")/lib.sh"
cat > "$T/good.conf" <<'EOF2'
virtual web {
    listen = "127.0.0.1:18080"
    server "127.0.0.1:18081" { weight = 2 }
}
EOF2
out=$("$TCPVSD" -t -f "$T/good.conf" 2>&1); rc=$?
check "good file: exit 0" test "$rc" -eq 0
check "good file: '$T/good.conf: syntax OK'" test "$out" = "$T/good.conf: syntax OK"
cat > "$T/bad.conf" <<'EOF2'
# two mistakes
virtual web {
    listen = "127.0.0.1:18080"
    scheduler = "nosuch"
    server "127.0.0.1:18081" { weight = -1 }
}
EOF2
out=$("$TCPVSD" -t -f "$T/bad.conf" 2>&1); rc=$?
check "bad file: exit 1" test "$rc" -eq 1
check "bad file: scheduler error at line 4" grep -q "^$T/bad.conf:4: .*scheduler 'nosuch'" <<< "$out"
check "bad file: weight error at line 5" grep -q "^$T/bad.conf:5: .*weight -1: out of range" <<< "$out"
check "bad file: nothing else printed" test "$(wc -l <<< "$out")" -eq 2
"$TCPVSD" -t -f "$T/missing.conf" > "$T/out" 2>&1; rc=$?
check "missing file: exit 1, named" test "$rc" -eq 1 -a -n "$(grep missing.conf "$T/out")"
"$TCPVSD" -Q > "$T/out" 2>&1; rc=$?
check "unknown option: usage, exit 1" test "$rc" -eq 1 -a -n "$(grep usage "$T/out")"
check "-V prints the version" grep -q '^tcpvsd [0-9]' <<< "$("$TCPVSD" -V)"
check "the shipped example passes" "$TCPVSD" -t -f "$top_srcdir/conf/tcpvs.conf"
finish
