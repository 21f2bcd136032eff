#!/bin/bash
# Kept-alive connections wait between requests in the epoll set of the
# worker that served them.  When that worker is full (maxinflight = 1
# here: Apache prefork, busy with another connection) for 20 ms (a slow
# origin here) while another worker has room, it hands the connections
# whose next request waits to the service's other workers through the
# handoff socket: answered by an idle worker within a few handoff ticks
# instead of waiting for the slow one.  They keep their request count
# (maxkeepaliverequests).  An idle one stays, and closes at its
# keepalive_timeout.  When every worker is full, nothing moves.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 2
    minspareservers = 1
    maxspareservers = 2
    maxclients = 2
    maxinflight = 1
    keepalive_timeout = 3
    maxkeepaliverequests = 3
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 eventually '[ "$(sb_workers)" -eq 2 ]'

# 5 kept connections, spread over the two workers, then a request the
# origin answers after 3 s, on one of them; the second requests come
# 0.3 s later.  What the slow one's worker holds meanwhile (read from the
# scoreboard while it relays) waits for a handoff.
timeout 30 $H1 beside "$P" 5 /slow/3000 > "$T/b1" 2> "$T/b1.err" &
B1=$!
PIDS="$PIDS $B1"
# parked in the worker relaying the slow request
slow_parked() { sb | awk '$1=="worker" && $5=="state=relaying" { for (i=3;i<=NF;i++) if ($i ~ /^parked=/) { sub("parked=","",$i); print $i } }'; }
wait_until 10 eventually '[ -n "$(slow_parked)" ]'
# not a first request caught relaying: the slow one relays for 3 s
sleep 0.15
held=$(slow_parked)
wait "$B1"
read -r _ ok close ms < <(grep '^second' "$T/b1")
check "while the slow one runs, 5 second requests answered ($ok) at once (${ms:-?} ms)" \
    test "${ok:-0}" -eq 5 -a "${ms:-9999}" -lt 1000
check "without Connection: close ($close)" test "${close:-9}" -eq 0
read -r _ ok close _ < <(grep '^third' "$T/b1")
check "the third requests: 5 answered ($ok), each the last one its connection may carry ($close closed)" test "${ok:-0}" -eq 5 -a "${close:-0}" -eq 5
read -r _ st ms < <(grep '^slow' "$T/b1")
check "the slow request was answered ($st, ${ms:-?} ms)" test "${st:-0}" -eq 200 -a "${ms:-0}" -ge 2900
if [ "${held:-0}" -gt 0 ]; then
	check "the slow one's worker held ${held} of them: the log says they were handed off" grep -q "waiting requests handed to the other workers" "$T/tcpvsd.log"
else
	echo "the slow one's worker held none of them: nothing to hand off"
fi

# an idle connection on a busy worker stays there, and its
# keepalive_timeout is counted from its parking
timeout 30 python3 - "$P" "$top_srcdir/tests/integration" > "$T/idle" 2> "$T/idle.err" <<'EOP'
import socket, sys, threading, time
sys.path.insert(0, sys.argv[2])
import h1
port = int(sys.argv[1])
def get(c, path):
    c.send(h1.req("GET", path))
    c.response()
a = h1.Conn(port)
get(a, "/")
t0 = time.monotonic()
time.sleep(1.5)
threading.Thread(target=get, args=(h1.Conn(port), "/slow/1000"),
                 daemon=True).start()
a.s.settimeout(6)
try:
    gone = a.s.recv(1) == b""
except socket.timeout:
    gone = False
print("closed %s after %d ms" % ("yes" if gone else "no", (time.monotonic() - t0) * 1000))
EOP
read -r _ gone _ ms _ < "$T/idle"
check "an idle connection on a busy worker is closed at its keepalive_timeout ($gone, ${ms:-?} ms)" test "$gone" = yes -a "${ms:-0}" -ge 2500 -a "${ms:-9999}" -lt 3800

# both workers busy: nothing is handed off (it would only wait in the
# socket for a worker with room, and full workers would pass their
# connections back and forth); a graceful reload (SIGUSR1) meanwhile,
# and the old workers, finishing, serve their own
handed() { grep -c 'handed to the other' "$T/tcpvsd.log"; }
timeout 30 $H1 beside "$P" 5 /slow/2000 /slow/2000 > "$T/b2" 2> "$T/b2.err" &
B2=$!
PIDS="$PIDS $B2"
# both slow requests in flight (not a fixed sleep: python may start late)
check "both workers relaying a slow request" wait_until 10 eventually '[ "$(sb_workers relaying)" -eq 2 ]'
# counted from here: until the second slow request reached its worker,
# that one was idle, and a request waiting in the other for 20 ms was
# rightly handed to it (2 runs in 14 at maxinflight = 1)
h0=$(handed)
sleep 0.1
kill -USR1 "$TCPVSD_PID"
wait "$B2"
read -r _ ok close ms < <(grep '^second' "$T/b2")
check "reload: 5 second requests answered ($ok)" test "${ok:-0}" -eq 5
check "after the slow ones, by the old workers, with Connection: close ($close, ${ms:-?} ms)" test "${close:-0}" -eq 5 -a "${ms:-0}" -ge 1000
check "none handed off while both workers were full ($(handed) log lines, $h0 before)" test "$(handed)" -eq "$h0"
check "the new generation serves" test "$(get "http://127.0.0.1:$P/")" = a
stop_tcpvsd

# one worker: nobody to hand off to, the requests wait for the slow one;
# they came before their keepalive_timeout ran out (2 s), so they are
# answered, not closed for idling while the worker was busy
P1=$(free_port)
sed -e "s/127.0.0.1:$P\"/127.0.0.1:$P1\"/" -e 's/startservers = 2/startservers = 1/' \
    -e 's/maxclients = 2/maxclients = 1/' -e 's/maxspareservers = 2/maxspareservers = 1/' \
    -e 's/keepalive_timeout = 3/keepalive_timeout = 2/' "$T/t.conf" > "$T/one.conf"
h0=$(handed)
start_tcpvsd "$T/one.conf" "$P1"
timeout 30 $H1 beside "$P1" 5 /slow/3000 > "$T/b3" 2> "$T/b3.err"
read -r _ ok close ms < <(grep '^second' "$T/b3")
check "one worker: 5 second requests answered ($ok) after the slow one (${ms:-?} ms)" \
    test "${ok:-0}" -eq 5 -a "${ms:-0}" -ge 2000
check "and none handed off" test "$(handed)" -eq "$h0"
stop_tcpvsd
finish
