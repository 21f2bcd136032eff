#!/bin/bash
# A full worker whose exchanges wait on their servers alone sleeps on its
# server connections alone, as a prefork worker polls only its request's
# connections: a parked connection's next request, which it could not
# serve yet, does not wake it.  One worker, maxinflight = 1, a slow
# request in flight, and 20 kept connections each sending a request
# meanwhile: the worker is not woken for each of them (it was, 20 times
# or more, when every connection was in the one set it slept on), and
# all 20 are answered once the slow one is.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    maxinflight = 1
    keepalive_timeout = 30
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 eventually '[ "$(sb_workers)" -eq 1 ]'
W=$(sb | awk '$1=="worker" { sub("pid=", "", $3); print $3 }')
check "the worker's pid from the scoreboard ($W)" test -n "$W" -a -e "/proc/${W:-0}/status"

timeout 60 python3 "$top_srcdir/tests/integration/inflight.py" asleep "$P" "${W:-0}" 20 /slow/2500 > "$T/out" 2> "$T/err"
cat "$T/err"
read -r k ok late < <(tr '=' ' ' < "$T/out" | awk '{ print $2, $4, $6 }')
check "the 20 requests were sent while the slow one was in flight (by ${late:-?} s)" awk -v s="${late:-99}" 'BEGIN { exit !(s < 2.2) }'
check "meanwhile the worker woke $k times, not once for each of the 20" test "${k:-99}" -lt 10
check "all 20 answered after the slow one ($ok)" test "${ok:-0}" -eq 20
finish
