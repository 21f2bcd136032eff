#!/bin/bash
# Slowloris: 2 x maxclients connections from one address trickle header
# lines while a normal client makes requests from another.  maxconnperip
# keeps the attacker to a few workers, request_min_rate cuts the trickles
# short: the normal client's success rate stays >= 99% and its p99 under
# 1 s.  (Bounded: 20 s of attack.)
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 20
    minspareservers = 5
    maxspareservers = 20
    maxclients = 20
    maxconnperip = 8
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
timeout 60 python3 "$top_srcdir/tests/integration/slowloris.py" "$P" 40 20 > "$T/sl" 2> "$T/sl.err"
cat "$T/sl" "$T/sl.err"
read -r _ n ok succ p50 p99 max < "$T/sl"
succ=${succ#success=}; succ=${succ%\%}; p99=${p99#p99=}
check "normal client served during the attack ($n, $ok)" test "${n#requests=}" -gt 50
check "normal client success $succ% >= 99%" python3 -c "import sys; sys.exit(0 if float('$succ') >= 99 else 1)"
check "normal client p99 ${p99} ms < 1000 ms" test "${p99%.*}" -lt 1000 -a "${p99%.*}" -ge 0
check "the attacker's connections were cut (request_min_rate, maxconnperip)" grep -q 'closed_by_server=[1-9]' "$T/sl"
check "tcpvsd still serves" test "$(get "http://127.0.0.1:$P/")" = a
finish
