#!/bin/bash
# PROXY protocol.  accept_proxy: a v1 (python and curl --haproxy-protocol)
# and a v2 client from a trusted proxy; the origin (X-Forwarded-For), a
# source rule and the access log see the address the header carried; a
# connection without a header, or from an address not trusted, is closed
# with a log line.  send_proxy: v1 and v2 headers reach an origin that
# logs them, each on a new connection; an HTTP health check sends LOCAL.
. "$(dirname "$0")/lib.sh"
PC="python3 $top_srcdir/tests/integration/proxyclient.py"
start_origin a; start_origin b
OP=$(free_port)
$PC origin "$OP" "$T/proxied" > "$T/porigin.out" 2>&1 &
PIDS="$PIDS $!"
wait_until 5 port_open "$OP" || { fail "proxy origin did not start"; finish; }
OP2=$(free_port)
$PC origin "$OP2" "$T/proxied2" > "$T/porigin2.out" 2>&1 &
PIDS="$PIDS $!"
wait_until 5 port_open "$OP2" || { fail "proxy origin 2 did not start"; finish; }
P=$(free_port); Q=$(free_port); R=$(free_port)
{ conf_header; cat <<EOF2
virtual front {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    startservers = 1
    maxclients = 8
    accept_proxy = true
    trusted_proxies = "127.0.0.1"
    accesslog = "$T/access.log"
    accesslog_format = "%h %s"
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    rule { source = "198.51.100.0/24" server = "127.0.0.1:$PORT_b" }
    rule { server = "127.0.0.1:$PORT_a" }
}
virtual v1out {
    listen = "127.0.0.1:$Q"
    startservers = 1
    maxclients = 8
    server "127.0.0.1:$OP" { send_proxy = "v1" }
}
virtual v2out {
    listen = "127.0.0.1:$R"
    startservers = 1
    maxclients = 8
    check = "http"
    check_interval = 0.2
    server "127.0.0.1:$OP2" { send_proxy = "v2" }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 port_open "$R"
$PC send "$P" v1 203.0.113.7 4711 /echo-headers > "$T/v1"
check "v1: origin sees the carried address" grep -qix 'X-Forwarded-For: 203.0.113.7'$'\r' "$T/v1"
$PC send "$P" v2 198.51.100.9 4712 /echo-headers > "$T/v2"
check "v2: origin sees the carried address" grep -qix 'X-Forwarded-For: 198.51.100.9'$'\r' "$T/v2"
check "v2: the source rule sees it (origin b)" grep -q 'X-Origin: b' "$T/v2"
check "v6 in v1" test "$($PC send "$P" v1 2001:db8::7 1 /echo-headers | grep -ci '^X-Forwarded-For: 2001:db8::7')" -eq 1
check "curl --haproxy-protocol" test "$(get "http://127.0.0.1:$P/" --haproxy-protocol)" = a
wait_until 5 eventually 'grep -q "^198.51.100.9 200" "$T/access.log"'
check "access log: v1 address" grep -q '^203.0.113.7 200' "$T/access.log"
check "access log: v2 address" grep -q '^198.51.100.9 200' "$T/access.log"
check "no header: closed, nothing answered" test -z "$($PC send "$P" none 0.0.0.0 0 /)"
check "no header: logged" grep -q 'no PROXY header, closing' "$T/tcpvsd.log"
check "untrusted proxy: closed" test -z "$($PC send "$P" v1 203.0.113.8 1 / 127.0.0.2)"
check "untrusted proxy: logged" grep -q 'client 127.0.0.2:[0-9]*: PROXY header from an address not in trusted_proxies' "$T/tcpvsd.log"
check "send_proxy v1: answered" test "$(get "http://127.0.0.1:$Q/x")" = proxied
check "send_proxy v1: the origin got the client's header" grep -q '^PROXY TCP4 127.0.0.1 127.0.0.1 [0-9]* '"$Q"'$' "$T/proxied"
get "http://127.0.0.1:$R/x" --interface 127.0.0.2 > "$T/r2"
check "send_proxy v2: answered" test "$(cat "$T/r2")" = proxied
check "send_proxy v2: the origin got the client's address" grep -q '^v2 127.0.0.2 [0-9]*$' "$T/proxied2"
get "http://127.0.0.1:$Q/y" > /dev/null
wait_until 5 eventually 'grep -q "^v2 LOCAL$" "$T/proxied2"'
check "health check: v2 LOCAL header" grep -q '^v2 LOCAL$' "$T/proxied2"
check "send_proxy: a header for each request's connection" test "$(grep -c '^PROXY TCP4' "$T/proxied")" -eq 2
finish
