#!/bin/bash
# The access log says how each exchange ended (issue 23): a termination
# code beside the times (HAProxy's session state at disconnection), the
# bytes that really went out when a transfer was cut -- a 20 MB download
# the client aborts after 2 MB is logged with "CD" and what was sent, and
# /metrics counts the same bytes, spliced or copied -- and a refused head
# logs what came of its request line and the parser's reason.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port); P2=$(free_port); P3=$(free_port); S=$(free_port)
DEAD=$(free_port)
{ conf_header; cat <<EOF2
status_listen = "127.0.0.1:$S"
accesslog = "$T/access.log"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    maxclients = 16
    read_timeout = 2
    request_timeout = 2
    request_min_rate = 0
    max_request_line = 256
    max_body_size = 1000
    server "127.0.0.1:$PORT_a" { }
}
virtual copy {
    listen = "127.0.0.1:$P3"
    scheduler = "rr"
    startservers = 1
    maxclients = 4
    splice = false
    server "127.0.0.1:$PORT_a" { }
}
virtual dead {
    listen = "127.0.0.1:$P2"
    scheduler = "rr"
    startservers = 1
    maxclients = 4
    server "127.0.0.1:$DEAD" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 5 port_open "$P2"
wait_until 5 port_open "$P3"
wait_until 5 port_open "$S"
# the line of the request whose line contains $1
line_of() { grep -F -- "$1" "$T/access.log" | tail -n 1; }
logged() { grep -qF -- "$1" "$T/access.log" 2>/dev/null; }
sent_metric() { # VIRTUAL
	get "http://127.0.0.1:$S/metrics" | awk -v k="tcpvs_service_sent_bytes_total{virtual=\"$1\"}" '$1 == k { print $2 }'
}

# a 20 MB download the client aborts after 2 MB, spliced or copied
abort_download() { # PORT VIRTUAL
	local port=$1 v=$2 before got l bytes
	get "http://127.0.0.1:$port/first-$v" > /dev/null
	wait_until 5 logged "GET /first-$v "
	before=$(sent_metric "$v")
	got=$(python3 - "$port" "$v" <<'EOP'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /bytes/20000000?%s HTTP/1.1\r\nHost: t\r\n\r\n" % sys.argv[2].encode())
n = 0
while n < 2000000:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
s.close()   # unread bytes: a reset
print(n)
EOP
)
	check "$v: the client read about 2 MB ($got)" test "$got" -ge 2000000
	wait_until 10 logged "GET /bytes/20000000?$v "
	l=$(line_of "GET /bytes/20000000?$v ")
	say "logged: $l"
	bytes=$(echo "$l" | awk '{ print $10 }')
	check "$v: an aborted download: 200, client abort in the data phase (CD)" \
	    eval 'echo "$l" | grep -qE "\" 200 [0-9]+ .* CD \"the client closed during the response\"$"'
	check "$v: it logs the bytes sent: at least what the client read ($bytes >= $got), not 20 MB" \
	    test "$bytes" -ge "$got" -a "$bytes" -lt 20000000
	counted() { test "$(( $(sent_metric "$v") - before ))" -eq "$bytes"; }
	check "$v: tcpvs_service_sent_bytes_total counts them ($before + $bytes)" wait_until 5 counted
	check "$v: tcpvs_service_sent_bytes_total grew by at least what the client read" \
	    test "$(( $(sent_metric "$v") - before ))" -ge "$got"
}
abort_download "$P" web
abort_download "$P3" copy

# a server that resets mid-response
status "http://127.0.0.1:$P/reset/1000000" > /dev/null
wait_until 5 logged "GET /reset/1000000 "
check "a server reset mid-response: 200, SD, the bytes that got through" \
    eval 'line_of "GET /reset/1000000 " | grep -qE "\" 200 [0-9]+ .* SD \"[^\"]*\"$"'
# a server that does not answer within read_timeout (2 s)
check "no response head in read_timeout: 504" test "$(status "http://127.0.0.1:$P/slow/4000")" = 504
wait_until 5 logged "GET /slow/4000 "
check "logged as a server timeout waiting for the head (sH)" \
    eval 'line_of "GET /slow/4000 " | grep -qE "\" 504 [0-9]+ .* sH \"[^\"]*\"$"'
# no server can be had
check "nothing listens on the only server: 503" test "$(status "http://127.0.0.1:$P2/none")" = 503
wait_until 5 logged "GET /none "
check "logged as refused by the server side, connect phase (SC)" \
    eval 'line_of "GET /none " | grep -qE "\" 503 [0-9]+ .* SC \"[^\"]*\"$"'

# refused heads: what came of the request line, escaped, and why
printf 'GET /a\001"b HTTP/1.1\r\nHost: t\r\n\r\n' | raw "$P" > /dev/null
wait_until 5 logged 'GET /a\x01\x22b HTTP/1.1'
check "a 400 logs the request line received, escaped, FR and the parser's reason" \
    eval 'line_of "GET /a\\x01" | grep -qE "^127\.0\.0\.1 - - \[.*\] \"GET /a\\\\x01\\\\x22b HTTP/1\.1\" 400 [0-9]+ \"-\" \"-\" - .* FR \"control character\"\$"'
{ printf 'GET /'; head -c 400 /dev/zero | tr '\0' x; printf ' HTTP/1.1\r\n\r\n'; } | raw "$P" > /dev/null
wait_until 5 logged '" 414 '
check "an over-long request line: 414, what came of it, PR" \
    eval 'grep -F "\" 414 " "$T/access.log" | grep -qE "\"GET /x{100,}.*\" 414 [0-9]+ .* PR \"request line too long\"$"'
# a body over max_body_size, a chunked body with invalid framing
head -c 5000 /dev/zero > "$T/body"
check "a body over max_body_size: 413" test "$(status "http://127.0.0.1:$P/big" --data-binary @"$T/body")" = 413
wait_until 5 logged "POST /big "
check "logged as refused by a limit on the body (PB)" \
    eval 'line_of "POST /big " | grep -qE "\" 413 [0-9]+ .* PB \"request body over max_body_size\"$"'
printf 'POST /fb HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' | raw "$P" > /dev/null
wait_until 5 logged "POST /fb "
check "invalid chunked framing: 400, FB" \
    eval 'line_of "POST /fb " | grep -qE "\" 400 [0-9]+ .* FB \"[^\"]*\"$"'
# a head the client cuts, and one that does not come in time
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /cut HTTP/1.1\r\nHost: t\r\n")
time.sleep(0.3)
s.close()' "$P"
wait_until 5 logged "GET /cut "
check "a head cut by the client: no status, CR" \
    eval 'line_of "GET /cut " | grep -qE "\"GET /cut HTTP/1.1\" - - .* CR \"the client closed during its request head\"$"'
printf 'GET /late HTTP/1.1\r\nHost: t\r\n' | raw "$P" > /dev/null
wait_until 5 logged "GET /late "
check "a head not complete within request_timeout: 408, cR" \
    eval 'line_of "GET /late " | grep -qE "\" 408 [0-9]+ .* cR \"[^\"]*\"$"'
check "empty kept or silent connections write no line" test "$(grep -c '\] "-" ' "$T/access.log")" -eq 0
finish
