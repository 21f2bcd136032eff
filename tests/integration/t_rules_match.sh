#!/bin/bash
# Rules beyond the target, through real tcpvsd and origins: three host
# names to three origins (exact, wildcard, regex), a header rule, a source
# rule (127.0.0.2 against 127.0.0.1), an HTTP-to-HTTPS 301 with its
# Location, a return = 403 that no origin sees, response_header_del of
# Server and _set of Strict-Transport-Security as curl sees them, and
# X-Forwarded-For replaced from an untrusted client, appended from a
# trusted one.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    startservers = 2
    accesslog = "$T/access.log"
    trusted_proxies = "127.0.0.2"
    response_header_del = "Server"
    response_header_set = "Strict-Transport-Security: max-age=63072000"
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
    rule { host = "old.test" return = 301 location = "https://\$host\$target" }
    rule { pattern = "^/private/" return = 403 body = "no entry" }
    rule { host = "a.test" server = "127.0.0.1:$PORT_a" }
    rule { host = "*.b.test" server = "127.0.0.1:$PORT_b" }
    rule { host = "~^c[0-9]+\\\\.test\$" server = "127.0.0.1:$PORT_c" }
    rule { header = "X-Beta: ^yes\$" server = "127.0.0.1:$PORT_c" }
    rule { source = "127.0.0.2/32" server = "127.0.0.1:$PORT_c" }
    rule { server = "127.0.0.1:$PORT_b" }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
U="http://127.0.0.1:$P"
check "host A.TEST:port on a" test "$(get "$U/" -H "Host: A.TEST:$P")" = a
check "host x.b.test on b (wildcard)" test "$(get "$U/" -H 'Host: x.b.test')" = b
check "host c12.test on c (regex)" test "$(get "$U/" -H 'Host: c12.test')" = c
check "absolute-form authority wins over Host" \
    test "$(get "$U/" --request-target "http://c7.test/x" -H 'Host: a.test')" = c
check "header rule on c" test "$(get "$U/" -H 'X-Beta: yes')" = c
check "header rule: another value, the last rule: b" test "$(get "$U/" -H 'X-Beta: no')" = b
check "source 127.0.0.2 on c" test "$(get "$U/" --interface 127.0.0.2)" = c
check "source 127.0.0.1 on b" test "$(get "$U/" --interface 127.0.0.1)" = b
curl -s -D "$T/h301" -o /dev/null --max-time 20 "$U/p/q?x=1" -H 'Host: old.test:8080'
check "301 from old.test" grep -q '^HTTP/1.1 301' "$T/h301"
check "Location https://old.test/p/q?x=1" grep -qx 'Location: https://old.test/p/q?x=1'$'\r' "$T/h301"
before=$(( $(origin_requests a) + $(origin_requests b) + $(origin_requests c) ))
check "return 403" test "$(status "$U/private/x")" = 403
check "its body" test "$(get "$U/private/y")" = "no entry"
after=$(( $(origin_requests a) + $(origin_requests b) + $(origin_requests c) ))
check "no origin saw the 403 requests" test "$after" -eq "$before"
check "access log: 403 with no server" grep -q '"GET /private/x HTTP/1.1" 403 ' "$T/access.log"
curl -s -D "$T/hdr" -o /dev/null --max-time 20 "$U/"
check "origin's Server removed" test "$(grep -ci '^Server:' "$T/hdr")" -eq 0
check "Strict-Transport-Security set" grep -qix 'Strict-Transport-Security: max-age=63072000'$'\r' "$T/hdr"
get "$U/echo-headers" -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Forwarded-Proto: https' > "$T/untrusted"
check "untrusted: X-Forwarded-For replaced" grep -qix 'X-Forwarded-For: 127.0.0.1'$'\r' "$T/untrusted"
check "untrusted: X-Forwarded-Proto is http" grep -qix 'X-Forwarded-Proto: http'$'\r' "$T/untrusted"
get "$U/echo-headers" --interface 127.0.0.2 -H 'X-Forwarded-For: 6.6.6.6' > "$T/trusted"
check "trusted: X-Forwarded-For appended" grep -qix 'X-Forwarded-For: 6.6.6.6, 127.0.0.2'$'\r' "$T/trusted"
finish
