#!/bin/bash
# retries: with three of four servers refusing connections, retries = 3
# reaches the live one for every request, retries = 0 fails the requests
# scheduled to a dead server (503), never retrying the same server.
. "$(dirname "$0")/lib.sh"
start_origin d
D1=$(free_port); D2=$(free_port); D3=$(free_port)	# nothing listens
svc() { # svc NAME PORT RETRIES
	cat <<EOF2
virtual $1 {
    listen = "127.0.0.1:$2"
    scheduler = "rr"
    startservers = 1
    minspareservers = 1
    maxspareservers = 2
    maxclients = 4
    retries = $3
    server "127.0.0.1:$D1" { }
    server "127.0.0.1:$D2" { }
    server "127.0.0.1:$D3" { }
    server "127.0.0.1:$PORT_d" { }
}
EOF2
}
P3=$(free_port); P0=$(free_port)
{ conf_header; svc three "$P3" 3; svc none "$P0" 0; } > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P3"
wait_until 5 port_open "$P0"
for i in $(seq 12); do status "http://127.0.0.1:$P3/"; echo; done > "$T/three"
check "retries = 3: 12 of 12 answered ($(sort "$T/three" | uniq -c | tr '\n' ' '))" test "$(grep -cx 200 "$T/three")" -eq 12
for i in $(seq 12); do status "http://127.0.0.1:$P0/"; echo; done > "$T/none"
check "retries = 0: requests to a dead server get 503 ($(sort "$T/none" | uniq -c | tr '\n' ' '))" test "$(grep -cx 503 "$T/none")" -ge 6
check "retries = 0: the live server still answers its share" test "$(grep -cx 200 "$T/none")" -ge 2
finish
