#!/bin/bash
# Connections that arrive one after another are spread over the workers
# on the default engine too, where no worker comes to hold maxinflight
# more than another (the rule that spreads them at maxinflight = 1,
# t_spread).  EPOLLEXCLUSIVE wakes the first waiter in a listening
# socket's wait queue, the worker that registered first, whenever it
# waits: it took them all while the other idled.  Now a worker that has
# accepted and holds more than one more than another moves to the back
# of the queue.  Two workers, 16 kept-alive connections opened one after
# another, each answered before the next opens: neither worker holds
# more than 11 (before: 0 and 16 in each of 3 runs).
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
    keepalive_timeout = 30
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "2 workers" wait_until 10 eventually '[ "$(sb_workers)" -eq 2 ]'
total() { sb_held | awk '{ s += $1 } END { print s + 0 }'; }

# one after another, each answered before the next opens
python3 - "$P" > "$T/seq" 2> "$T/seq.err" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
cs, ok = [], 0
for _ in range(16):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while not d.endswith(b"a\n"):
        b = s.recv(4096)
        if not b:
            break
        d += b
    ok += d.startswith(b"HTTP/1.1 200")
    cs.append(s)
print("ok=%d" % ok, flush=True)
time.sleep(20)
PY
S=$!
PIDS="$PIDS $S"
wait_until 20 grep -q '^ok=' "$T/seq"
wait_until 10 eventually '[ "$(total)" -eq 16 ]'
sb_held | sort -n | tr '\n' ' ' > "$T/seqspread"
kill "$S" 2>/dev/null; wait "$S" 2>/dev/null
check "one after another: answered ($(cat "$T/seq"))" grep -qx 'ok=16' "$T/seq"
check "one after another: neither worker holds more than 11 ($(cat "$T/seqspread"))" test "$(tr ' ' '\n' < "$T/seqspread" | sort -n | tail -n 1)" -le 11
stop_tcpvsd
finish
