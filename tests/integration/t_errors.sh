#!/bin/bash
# Requests tcpvsd must answer itself: malformed 400, ambiguous framing 400
# (never forwarded: the origin sees no connection), 414, 431, 501, 413 --
# one test per smuggling vector of RFC 9112 (issue 3's list).
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    max_request_line = 1024
    max_header_size = 4096
    max_body_size = 1000
    request_timeout = 2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
accepts() { get "http://127.0.0.1:$PORT_a/stats" | sed 's/accepts=\([0-9]*\).*/\1/'; }
# expect STATUS DESCRIPTION: send $T/req (not a pipe: checks must count)
expect() {
	local before after
	before=$(accepts)
	raw "$P" < "$T/req" > "$T/resp"
	after=$(accepts)
	check "$2: $1" grep -q "^HTTP/1.1 $1 " "$T/resp"
	check "$2: Connection: close" grep -qi '^Connection: close' "$T/resp"
	# /stats itself is one accept
	check "$2: origin received nothing" test "$after" -eq $((before + 1))
}
printf 'GARBAGE\r\n\r\n' > "$T/req"
expect 400 "malformed request line"
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' > "$T/req"
expect 400 "Content-Length with Transfer-Encoding"
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' > "$T/req"
expect 400 "two different Content-Lengths"
printf 'GET / HTTP/1.1\r\nHost: x\r\nFoo : bar\r\n\r\n' > "$T/req"
expect 400 "space before colon"
printf 'GET / HTTP/1.1\r\n\r\n' > "$T/req"
expect 400 "HTTP/1.1 without Host"
{ printf 'GET /'; head -c 2000 /dev/zero | tr '\0' a; printf ' HTTP/1.1\r\nHost: x\r\n\r\n'; } > "$T/req"
expect 414 "request line over max_request_line"
{ printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Big: '; head -c 5000 /dev/zero | tr '\0' a; printf '\r\n\r\n'; } > "$T/req"
expect 431 "head over max_header_size"
printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' > "$T/req"
expect 501 "unsupported transfer coding"
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n' > "$T/req"
expect 413 "body over max_body_size"
# the rest of RFC 9112's smuggling vectors, each never forwarded
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello' > "$T/req"
expect 400 "Content-Length not a plain decimal"
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello' > "$T/req"
expect 400 "Content-Length in hex"
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n' > "$T/req"
expect 400 "Content-Length that overflows"
printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello' > "$T/req"
expect 400 "Content-Length list of different values"
printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n' > "$T/req"
expect 400 "Transfer-Encoding whose final coding is not chunked"
printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n' > "$T/req"
expect 400 "invalid chunk size"
printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n' > "$T/req"
expect 400 "chunk size that overflows"
printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n' > "$T/req"
expect 400 "chunk size line ending in a bare LF"
printf 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n' > "$T/req"
expect 400 "obs-fold continuation line"
printf 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n' > "$T/req"
expect 400 "NUL in a header value"
printf 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n' > "$T/req"
expect 400 "bare CR in a header value"
printf 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\001b\r\n\r\n' > "$T/req"
expect 400 "control byte in a header value"
printf 'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n' > "$T/req"
expect 400 "duplicated Host"
printf 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n' > "$T/req"
expect 413 "chunked body announced over max_body_size"
# a head that never completes: 408 after request_timeout
python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=8)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
sys.stdout.buffer.write(s.recv(4096))' "$P" > "$T/resp"
check "incomplete head: 408 after request_timeout" grep -q '^HTTP/1.1 408 ' "$T/resp"
check "valid request still served" test "$(get "http://127.0.0.1:$P/")" = a
finish
