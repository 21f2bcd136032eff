#!/bin/bash
# HTTP/1.1 persistent connections (issue 3): every request of a kept-alive
# client connection is scheduled on its own by the content rules (phttp),
# pipelined requests are answered in order, response framing (HEAD, 204,
# 304, chunked, close-delimited, 1xx) keeps the connection in step, and
# origin connections are reused: the origins accept far fewer connections
# than they answer requests.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "phttp"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    rule { pattern = "^/a/" server = "127.0.0.1:$PORT_a" }
    rule { pattern = "^/b/" server = "127.0.0.1:$PORT_b" }
    rule { pattern = "^/" server = {"127.0.0.1:$PORT_a", "127.0.0.1:$PORT_b"} }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"

# 100 requests on one client connection, alternating by rule
$H1 seq "$P" 100 /a/x /b/y > "$T/seq" 2> "$T/seq.err"
check "100 requests on one connection answered" test "$(grep -c '^200 ' "$T/seq")" -eq 100
check "odd requests routed to a" test "$(awk 'NR % 2 == 1 && $2 == "a"' "$T/seq" | wc -l)" -eq 50
check "even requests routed to b" test "$(awk 'NR % 2 == 0 && $2 == "b"' "$T/seq" | wc -l)" -eq 50
acc_a=$(origin_accepts a); acc_b=$(origin_accepts b)
# each accepts: the kept connection(s) of the worker(s), plus /stats
check "origin a reused connections: $acc_a accepts for 50 requests" test "$acc_a" -le 4
check "origin b reused connections: $acc_b accepts for 50 requests" test "$acc_b" -le 4
check "scoreboard: no request left active" eventually 'test "$(sb_server "web/127.0.0.1:$PORT_a" active)" -eq 0'

# pipelining: three requests in one write, three answers in order
$H1 pipeline "$P" /a/1 /b/2 /a/3 > "$T/pipe" 2> "$T/pipe.err"
check "3 pipelined requests: 3 answers" test "$(grep -c '^200 ' "$T/pipe")" -eq 3
check "pipelined answers in order" test "$(awk '{ print $2 $3 }' "$T/pipe" | tr '\n' ' ')" = "a/a/1 b/b/2 a/a/3 "

# pipelined while the first is at the origin: a request that arrives
# during an exchange is answered after it, not left unread in the socket
# until the keep-alive timeout (the engine's events are edge-triggered)
$H1 later "$P" 0.3 /slow/800 /b/1 > "$T/later" 2> "$T/later.err"
cat "$T/later.err"
check "a request pipelined during a slow one: both answered in order" test "$(awk '{ print $1 $4 }' "$T/later" | tr '\n' ' ')" = "200/slow/800 200/b/1 "
check "and the second at once after the first ($(awk 'NR == 2 { print $5 }' "$T/later") ms)" test "$(awk 'NR == 2 { print $5 }' "$T/later")" -lt 2000
$H1 later "$P" 0.3 POST:300000:/slow/800 /b/2 > "$T/later2" 2> "$T/later2.err"
cat "$T/later2.err"
check "the same after a request with a body" test "$(awk '{ print $1 $4 }' "$T/later2" | tr '\n' ' ')" = "200/slow/800 200/b/2 "
check "and the second at once after the first ($(awk 'NR == 2 { print $5 }' "$T/later2") ms)" test "$(awk 'NR == 2 { print $5 }' "$T/later2")" -lt 2000

# framing: no body for HEAD, 204, 304; chunked; close-delimited last
$H1 mixed "$P" "$PORT_a" > "$T/mixed" 2> "$T/mixed.err"
cat "$T/mixed.err"
check "HEAD with Content-Length: no body, no stall" grep -qx 'HEAD /bytes/1000 200 0 -' "$T/mixed"
check "204 with Content-Length: no body, no stall" grep -qx 'GET /status/204 204 0 -' "$T/mixed"
check "304 with Content-Length: no body, no stall" grep -qx 'GET /status/304 304 0 -' "$T/mixed"
check "chunked response intact, connection kept" grep -qx 'GET /chunked/300000 200 300000 intact' "$T/mixed"
check "HEAD of a chunked resource: no body" grep -qx 'HEAD /chunked/5000 200 0 -' "$T/mixed"
check "request after them served" grep -qx 'GET /bytes/1000 200 1000 intact' "$T/mixed"
check "close-delimited response intact" grep -qx 'GET /close/200000 200 200000 intact' "$T/mixed"
check "client connection closed after a close-delimited response" grep -qx 'closed after close-delimited: yes' "$T/mixed"

# Expect: 100-continue: the interim response is forwarded, then the body
$H1 expect "$P" 1048576 > "$T/expect" 2> "$T/expect.err"
check "Expect: 100-continue gets 100 before the body is sent" grep -qx 'interim 100' "$T/expect"
check "then the 1 MiB body arrives intact" grep -qx 'final 200 intact' "$T/expect"

# chunked upload with chunk extensions and a trailer, then the next request
$H1 chunked "$P" 1048576 > "$T/chunked" 2> "$T/chunked.err"
check "chunked 1 MiB upload intact" grep -qx 'chunked upload 200 intact' "$T/chunked"
check "request after a chunked upload on the same connection" grep -q '^next request 200 ' "$T/chunked"

# Upgrade: a two-way tunnel after 101
$H1 upgrade "$P" > "$T/upgrade" 2> "$T/upgrade.err"
check "upgrade: 101 with Upgrade forwarded" grep -qx 'status 101 upgrade websocket' "$T/upgrade"
check "upgrade: bytes echoed" grep -qx 'echo hello' "$T/upgrade"
check "upgrade: 1 MiB each way intact" grep -qx '1 MiB echoed intact' "$T/upgrade"
check "upgrade: tunnel closes after the client" grep -qx 'closed after client yes' "$T/upgrade"

# HTTP/1.0: kept only when asked
$H1 http10 "$P" > "$T/http10" 2> "$T/http10.err"
check "HTTP/1.0 keep-alive kept, said so" grep -qx '1.0 keep-alive 200 keep-alive' "$T/http10"
check "HTTP/1.0 without keep-alive: Connection: close, closed" grep -qx '1.0 plain 200 close closed' "$T/http10"
finish
