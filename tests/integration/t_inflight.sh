#!/bin/bash
# One worker runs several exchanges at once (maxinflight): 64 kept-alive
# clients whose requests the origin answers after 2 s are all served by
# one worker in about 2 s, not 64 x 2, and the scoreboard shows many
# exchanges in flight in that worker; a request to a fast origin is
# answered at once while a slow one is in flight in the same worker; and
# one exchange's read_timeout (504) fires while its neighbours complete.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    maxinflight = 64
    read_timeout = 4
    rule { pattern = "^/slow/" server = "127.0.0.1:$PORT_a" }
    rule { pattern = ".*" server = "127.0.0.1:$PORT_b" }
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 eventually '[ "$(sb_workers)" -eq 1 ]'
INF="python3 $top_srcdir/tests/integration/inflight.py"

# the most exchanges the one worker had in flight, sampled while it runs
inflight() { sb | awk '$1=="worker" { for (i=3;i<=NF;i++) if ($i ~ /^inflight=/) { sub("inflight=","",$i); print $i } }' | sort -n | tail -n 1; }
$INF kept "$P" 64 /slow/1900 / > "$T/kept" 2> "$T/kept.err" &
K=$!; PIDS="$PIDS $K"
max=0
for _ in $(seq 40); do
	n=$(inflight); [ "${n:-0}" -gt "$max" ] && max=$n
	kill -0 "$K" 2>/dev/null || break
	sleep 0.1
done
wait "$K"
read -r ok secs < <(tr '=' ' ' < "$T/kept" | awk '{ print $2, $4 }')
check "64 kept-alive clients, 2 requests each: all 128 answered ($ok)" test "${ok:-0}" -eq 128
check "in $secs s, not one after another" awk -v s="${secs:-99}" 'BEGIN { exit !(s < 8) }'
check "the scoreboard showed $max exchanges in flight in the one worker" test "$max" -gt 1 -a "$max" -le 64
check "all of it by one worker" test "$(sb_workers)" -eq 1

# a fast origin's answers while a slow one is in flight (same worker)
$INF at "$P" /slow/3000 300:/ 500:/ 700:/ 900:/ 1100:/ > "$T/at" 2> "$T/at.err"
read -r _ st ms < <(grep '^/slow/' "$T/at")
check "the slow request: 200 after 3 s ($st, ${ms:-?} ms)" test "${st:-0}" -eq 200 -a "${ms:-0}" -ge 2900
fast=$(awk '$1=="/" && $2==200' "$T/at" | wc -l)
slowest=$(awk '$1=="/" { print $3 }' "$T/at" | sort -n | tail -n 1)
check "5 fast requests meanwhile: all 200 ($fast), each within 100 ms (slowest ${slowest:-?} ms)" \
    test "$fast" -eq 5 -a "${slowest:-999}" -lt 100

# read_timeout (4 s) of one exchange; its neighbours complete
$INF at "$P" /slow/9000 /slow/500 /slow/2000 /slow/3500 100:/ 3000:/ > "$T/to" 2> "$T/to.err"
read -r _ st ms < <(grep '^/slow/9000' "$T/to")
check "the exchange past read_timeout: 504 after 4 s ($st, ${ms:-?} ms)" \
    test "${st:-0}" -eq 504 -a "${ms:-0}" -ge 3900 -a "${ms:-99999}" -lt 6000
n=$(awk '$1!="/slow/9000" && $2==200' "$T/to" | wc -l)
check "its 5 neighbours in the same worker: 200 ($n)" test "$n" -eq 5
stop_tcpvsd
finish
