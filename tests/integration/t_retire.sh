#!/bin/bash
# When the pool shrinks, the master retires the worker holding the fewest
# connections.  One worker holds 40 idle kept-alive connections; a slow
# request makes the master fork a second (no spare left), and once it is
# answered the pool is one over maxspareservers, so one worker is
# retired.  The new one, holding nothing, must be the one: the 40 are
# still kept and answer a second request each.  Before, the first worker
# to wake was retired, the one holding the 40, which closed them all
# (bench/run's idle-10k: 4,998 of 10,000 closed).
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 3
    keepalive_timeout = 60
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 eventually '[ "$(sb_workers)" -eq 1 ]' || fail "one worker at start"
first=$(sb | awk '$1=="worker" { sub("pid=", "", $3); print $3 }')

# 40 kept connections, one request each; a second on each once $T/go exists
python3 - "$P" "$T/go" > "$T/hold" 2> "$T/hold.err" <<'PY' &
import os, socket, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
def ask(s):
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while b"\r\n\r\n" not in d or not d.endswith(b"a\n"):
        b = s.recv(4096)
        if not b:
            return False
        d += b
    return d.startswith(b"HTTP/1.1 200")
cs = []
for _ in range(40):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    cs.append((s, ask(s)))
print("first", sum(1 for _, ok in cs if ok), flush=True)
t0 = time.monotonic()
while not os.path.exists(go) and time.monotonic() - t0 < 60:
    time.sleep(0.1)
kept = 0
for s, _ in cs:
    try:
        kept += ask(s)
    except OSError:
        pass
print("second", kept, flush=True)
PY
HOLD=$!
PIDS="$PIDS $HOLD"
wait_until 20 grep -q '^first' "$T/hold" || fail "the 40 connections opened"
check "40 first requests answered" grep -qx 'first 40' "$T/hold"
check "the worker holds them parked" test "$(sb | awk '$1=="worker" { for (i=3;i<=NF;i++) if ($i ~ /^parked=/) { sub("parked=", "", $i); print $i } }')" -eq 40

# a request in flight leaves no spare worker: a second is forked
curl -s --max-time 20 "http://127.0.0.1:$P/slow/2500" > /dev/null &
SLOW=$!
PIDS="$PIDS $SLOW"
check "a second worker forked" wait_until 10 eventually '[ "$(sb_workers)" -ge 2 ]'
wait "$SLOW"
# answered: one too many spare workers, one retired
check "the pool is one worker again" wait_until 15 eventually '[ "$(sb_workers)" -eq 1 ]'
check "the worker holding the connections is the one left" test "$(sb | awk '$1=="worker" { sub("pid=", "", $3); print $3 }')" = "$first"
sleep 1.5	# a retired worker's idle connections get 1 s
touch "$T/go"
wait_until 20 grep -q '^second' "$T/hold"
check "all 40 kept connections answer a second request" grep -qx 'second 40' "$T/hold"
wait "$HOLD" 2>/dev/null
stop_tcpvsd
finish
