#!/bin/bash
# The hashing schedulers through real daemons (issue 7): hhttp sends
# /users/NAME/ to the same origin across a restart and on a second daemon
# whose configuration lists the servers in another order; mh keyed by a
# header and sh keyed by the client address agree between the two
# daemons; rule_scheduler = rr spreads a rule's servers evenly, and so
# does the default wlc at light load (idle servers taken in turn).
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port); Q=$(free_port)
svcs() { # svcs BASEPORT SERVERS...: the services of one daemon
	local base=$1; shift
	local s1 s2 s3; s1=$1; s2=$2; s3=$3
	cat <<EOF2
virtual users {
    listen = "127.0.0.1:$base"
    scheduler = "hhttp"
    startservers = 2
    maxclients = 8
    server "127.0.0.1:$s1" { }
    server "127.0.0.1:$s2" { }
    server "127.0.0.1:$s3" { }
    rule { pattern = "^/users/([^/]+)/" match = 1 server = {"127.0.0.1:$s1", "127.0.0.1:$s2", "127.0.0.1:$s3"} }
}
virtual maglev {
    listen = "127.0.0.1:$((base + 1))"
    scheduler = "mh"
    mh_header = "X-Tenant"
    startservers = 2
    maxclients = 8
    server "127.0.0.1:$s1" { }
    server "127.0.0.1:$s2" { }
    server "127.0.0.1:$s3" { }
}
virtual source {
    listen = "127.0.0.1:$((base + 2))"
    scheduler = "sh"
    startservers = 2
    maxclients = 8
    server "127.0.0.1:$s1" { }
    server "127.0.0.1:$s2" { }
    server "127.0.0.1:$s3" { }
}
EOF2
}
# three consecutive free ports for each daemon
three() { local p; for _ in $(seq 50); do p=$(free_port); ! port_open $((p + 1)) && ! port_open $((p + 2)) && { echo "$p"; return; }; done; }
P=$(three); Q=$(three)
{ conf_header; svcs "$P" "$PORT_a" "$PORT_b" "$PORT_c"; } > "$T/one.conf"
{ conf_header | sed "s|$T/tcpvsd.pid|$T/two.pid|; s|$T/sb|$T/sb2|"
  svcs "$Q" "$PORT_c" "$PORT_a" "$PORT_b"; } > "$T/two.conf"
start_tcpvsd "$T/one.conf" "$P"
ONE=$TCPVSD_PID
start_tcpvsd "$T/two.conf" "$Q"
wait_until 5 port_open $((P + 2)); wait_until 5 port_open $((Q + 2))
users() { for u in $(seq 40); do echo "$u $(get "http://127.0.0.1:$1/users/u$u/page")"; done; }
users "$P" > "$T/u1"
check "hhttp: 40 users spread over the 3 origins" test "$(awk '{ print $2 }' "$T/u1" | sort -u | wc -l)" -eq 3
check "hhttp: a user's other pages on the same origin" test "$(get "http://127.0.0.1:$P/users/u7/other?x=1")" = "$(awk '$1 == 7 { print $2 }' "$T/u1")"
users "$Q" > "$T/u2"
check "hhttp: the daemon listing servers in another order agrees" cmp -s "$T/u1" "$T/u2"
kill -TERM "$ONE"; wait "$ONE" 2>/dev/null
start_tcpvsd "$T/one.conf" "$P"
users "$P" > "$T/u3"
check "hhttp: the same after a restart" cmp -s "$T/u1" "$T/u3"
tenants() { for t in $(seq 40); do echo "$t $(get "http://127.0.0.1:$1/" -H "X-Tenant: t$t")"; done; }
tenants $((P + 1)) > "$T/m1"; tenants $((Q + 1)) > "$T/m2"
check "mh by X-Tenant: spread over 3 origins" test "$(awk '{ print $2 }' "$T/m1" | sort -u | wc -l)" -eq 3
check "mh by X-Tenant: both daemons agree" cmp -s "$T/m1" "$T/m2"
clients() { for n in $(seq 2 21); do echo "$n $(get "http://127.0.0.1:$1/" --interface 127.0.0.$n)"; done; }
clients $((P + 2)) > "$T/s1"; clients $((Q + 2)) > "$T/s2"
check "sh: 20 client addresses over 3 origins" test "$(awk '{ print $2 }' "$T/s1" | sort -u | wc -l)" -ge 2
check "sh: both daemons agree" cmp -s "$T/s1" "$T/s2"
check "sh: a client keeps its origin" test "$(get "http://127.0.0.1:$((P + 2))/" --interface 127.0.0.5)" = "$(awk '$1 == 5 { print $2 }' "$T/s1")"

# rule_scheduler
R=$(free_port); R2=$(free_port)
rulesvc() { # rulesvc NAME PORT RULE_SCHEDULER
	cat <<EOF2
virtual $1 {
    listen = "127.0.0.1:$2"
    scheduler = "http"
    rule_scheduler = "$3"
    startservers = 1
    maxclients = 4
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
    rule { pattern = "^/" server = {"127.0.0.1:$PORT_a", "127.0.0.1:$PORT_b", "127.0.0.1:$PORT_c"} }
}
EOF2
}
{ conf_header | sed "s|$T/tcpvsd.pid|$T/three.pid|; s|$T/sb|$T/sb3|"
  rulesvc byrr "$R" rr; rulesvc bywlc "$R2" wlc; } > "$T/three.conf"
start_tcpvsd "$T/three.conf" "$R"
wait_until 5 port_open "$R2"
for i in $(seq 30); do get "http://127.0.0.1:$R/"; done | sort | uniq -c > "$T/rr"
check "rule_scheduler = rr: 10 each ($(tr -s ' \n' ' ' < "$T/rr"))" test "$(awk '$1 == 10' "$T/rr" | wc -l)" -eq 3
for i in $(seq 30); do get "http://127.0.0.1:$R2/"; done | sort | uniq -c > "$T/wlc"
# idle servers tie: wlc takes them in turn by weight (issue 21)
check "rule_scheduler = wlc: sequential requests taken in turn, 10 each ($(tr -s ' \n' ' ' < "$T/wlc"))" test "$(awk '$1 == 10' "$T/wlc" | wc -l)" -eq 3
finish
