#!/bin/bash
# KTCPVS content rules (scheduler http): /images/ goes to origin a only,
# the first matching rule wins, and when a rule's servers are all down the
# request gets 503, never another server.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    startservers = 3
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
    rule { pattern = "^/images/" server = "127.0.0.1:$PORT_a" }
    rule { pattern = "^/images/never" server = "127.0.0.1:$PORT_b" }
    rule { pattern = "\\\\.php(\\\\?|$)" server = "127.0.0.1:$PORT_c" }
    rule { pattern = ".*" server = {"127.0.0.1:$PORT_b", "127.0.0.1:$PORT_c"} }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
for i in $(seq 10); do get "http://127.0.0.1:$P/images/x$i.png"; done > "$T/img"
check "10 /images/ requests all on a" test "$(grep -cx a "$T/img")" -eq 10
check "first match wins over a later, longer rule" test "$(get "http://127.0.0.1:$P/images/never")" = a
check "regex rule: /index.php?x=1 on c" test "$(get "http://127.0.0.1:$P/index.php?x=1")" = c
for i in $(seq 10); do get "http://127.0.0.1:$P/other$i"; done > "$T/rest"
check "catch-all rule never uses a" test "$(grep -cx a "$T/rest")" -eq 0
check "catch-all rule answered all 10" test "$(grep -cxE 'b|c' "$T/rest")" -eq 10
stop_origin a
check "rule's only server down: 503" test "$(status "http://127.0.0.1:$P/images/y.png")" = 503
check "other rules still served" test "$(status "http://127.0.0.1:$P/z")" = 200
finish
