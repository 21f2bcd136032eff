#!/bin/bash
# Weight changes, drains, disables and structural changes made with
# tcpvsadm during a bounded load cost no request (issue 6): 64 KiB bodies
# checked byte for byte, kept-alive and one-request connections, while
# -e, --drain, --disable, --enable, -a and -d run one after another.  A
# drained server gets no new request while drained; weights and admin
# states go straight to the scoreboard (no new generation) and -a/-d each
# switch generations gracefully.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a; start_origin b; start_origin c
P=$(free_port)
A=127.0.0.1:$PORT_a; B=127.0.0.1:$PORT_b; C=127.0.0.1:$PORT_c
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "wrr"
    startservers = 8
    maxclients = 32
    server "$A" { }
    server "$B" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
# requests B has served so far, from -L --stats
reqs_b() { adm -L -n --stats -i web | awk -v s="$B" '$1 == "->" && $2 == s { print $4 }'; }
adm -L -n --stats -i web
FL="python3 $top_srcdir/tests/integration/faultload.py"
$FL "$P" "$PORT_a" 3 14 > "$T/ka" 2>&1 &
KA=$!; PIDS="$PIDS $KA"
$FL "$P" "$PORT_a" 2 14 - close > "$T/cl" 2>&1 &
CL=$!; PIDS="$PIDS $CL"
sleep 1
g0=$(gen)
check "-e -w 3: weight in the scoreboard" adm -e -i web -r "$B" -w 3
check "-e -w 0 (quiescent)" adm -e -i web -r "$B" -w 0
sleep 0.5
check "-e -w 1" adm -e -i web -r "$B" -w 1
check "weights: no new generation" test "$(gen)" = "$g0"
check "--drain B" adm --drain -i web -r "$B"
sleep 0.5		# requests in flight on B finish
n0=$(reqs_b); sleep 1.5; n1=$(reqs_b)
check "drained B got no new request in 1.5 s under load ($n0 -> $n1)" test "$n0" = "$n1"
check "--enable B" adm --enable -i web -r "$B"
check "enabled B serves again" wait_until 5 eventually '[ "$(reqs_b)" -gt "$n1" ]'
check "--disable A" adm --disable -i web -r "$A"
sleep 1
check "--enable A" adm --enable -i web -r "$A"
check "admin states: no new generation" test "$(gen)" = "$g0"
check "-a C (structural: a new generation)" adm -a -i web -r "$C"
check "C serves" wait_until 5 eventually 'adm -L -n --stats -i web | awk -v s="$C" "\$1 == \"->\" && \$2 == s && \$4 > 0 { f = 1 } END { exit !f }"'
check "-d A" adm -d -i web -r "$A"
check "-a A -w 2" adm -a -i web -r "$A" -w 2
check "three new generations" test "$(gen)" -eq $((g0 + 3))
wait "$KA" "$CL"
cat "$T/ka" "$T/cl"
adm -L -n --stats -i web
for f in ka cl; do
	eval "$(tr ' ' '\n' < "$T/$f" | grep '=')"
	check "$f: $complete requests, none failed (corrupt=$corrupt truncated=$truncated errors=$errors 5xx=$status5xx)" test "$complete" -gt 100 -a "$corrupt" -eq 0 -a "$errors" -eq 0 -a "$status5xx" -eq 0 -a "$truncated" -eq 0
done
finish
