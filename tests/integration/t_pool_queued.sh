#!/bin/bash
# An idle worker is not spare while requests wait in other workers for an
# exchange place: it is about to take them by handoff.  The master counts
# the requests queued in the service's workers (the scoreboard's queued,
# set here with sbset as a worker would) against its idle ones, and
# grows the pool towards maxclients while they wait.  Counted spare, a
# worker that had just finished while others had requests queued stopped
# the pool's growth (t_pool: 18 - 20 workers of 24 for seconds).
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 2
    minspareservers = 2
    maxspareservers = 4
    maxclients = 4
    maxinflight = 1
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "startservers: 2 workers" wait_until 5 eventually '[ "$(sb_workers)" -eq 2 ]'
# the master looks once a second: two idle workers are minspareservers
sleep 2.5
check "idle, nothing waiting: still 2 workers ($(sb_workers))" test "$(sb_workers)" -eq 2
slot=$(sb | awk '$1=="worker" && $3!="pid=0" { print $2; exit }')
"$SBSET" "$T/sb" queued "$slot" 2
check "2 requests queued in worker slot $slot: the pool grows to maxclients" \
    wait_until 5 eventually '[ "$(sb_workers)" -eq 4 ]'
check "and no further ($(sb_workers))" test "$(sb_workers)" -eq 4
"$SBSET" "$T/sb" queued "$slot" 0
check "nothing queued: 4 idle workers are within maxspareservers, none retired" \
    eval 'sleep 2.5; [ "$(sb_workers)" -eq 4 ]'
stop_tcpvsd
finish
