#!/bin/bash
# Slow readers and idle connections cost bounded memory: a client reading a
# 256 MiB response at 10 KiB/s for 10 s grows no tcpvsd process by more
# than 4 MiB (the body waits in splice pipes and socket buffers, bounded by
# the kernel, not in the worker), and 5,000 connections opened and left
# idle grow tcpvsd's memory by less than 16 MiB while a normal client is
# served at once by a pool of 4 workers: idle connections wait in the
# kernel (defer_accept) until its queue is full, and those accepted past
# it wait parked in a worker's epoll set, holding no worker, until
# request_timeout.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 4
    minspareservers = 0
    maxspareservers = 4
    maxclients = 4
    backlog = 1024
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
# rss_kb: the largest VmRSS of tcpvsd's processes, and their sum
rss() { for p in $TCPVSD_PID $(children); do awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null; done; }
max_rss() { rss | sort -n | tail -n 1; }
sum_rss() { rss | awk '{ s += $1 } END { print s }'; }
get "http://127.0.0.1:$P/bytes/1000000" > /dev/null
before=$(max_rss)
timeout 30 curl -s --limit-rate 10K --max-time 10 "http://127.0.0.1:$P/bytes/268435456" > /dev/null &
CURL=$!; PIDS="$PIDS $CURL"
peak=$before
for i in $(seq 9); do
	sleep 1
	r=$(max_rss); [ "$r" -gt "$peak" ] && peak=$r
done
wait "$CURL" 2>/dev/null
check "slow reader: largest process $before kB -> peak $peak kB (< +4 MiB)" test $((peak - before)) -lt 4096
check "served after the slow reader" test "$(get "http://127.0.0.1:$P/")" = a

before=$(sum_rss)
python3 - "$P" 5000 20 > "$T/idle" 2>&1 <<'PYEOF' &
import resource, socket, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 100), hard))
socks = []
for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    socks.append(s)
print("opened", len(socks), flush=True)
time.sleep(secs)
PYEOF
IDLE=$!; PIDS="$PIDS $IDLE"
wait_until 20 grep -q opened "$T/idle"
sleep 2
st=$(status "http://127.0.0.1:$P/" --max-time 5)
during=$(sum_rss)
check "5000 idle connections: a normal client is served ($st)" test "$st" = 200
check "5000 idle connections: tcpvsd memory $before kB -> $during kB (< +16 MiB)" test $((during - before)) -lt 16384
kill "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null
finish
