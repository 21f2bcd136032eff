#!/bin/bash
# A connection that never sends a byte is closed within request_timeout
# + 1 s, with defer_accept on and off.  TCP_DEFER_ACCEPT's value is a
# count of SYN-ACK retransmissions (1, 3, 7, 15 ... s), and the worker's
# request_timeout clock starts only at accept: asking the kernel to defer
# for request_timeout = 5 s held the connection 7 s, closed at 12 s.
# defer_accept still wakes no worker for a connection that has sent
# nothing: none is accepted in its first half second.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
Q=$(free_port)
svc() { # svc NAME PORT DEFER
	cat <<EOF2
virtual $1 {
    listen = "127.0.0.1:$2"
    scheduler = "rr"
    startservers = 1
    minspareservers = 1
    maxspareservers = 2
    maxclients = 2
    request_timeout = 5
    defer_accept = $3
    server "127.0.0.1:$PORT_a" { }
}
EOF2
}
{ conf_header; svc deferred "$P" true; svc plain "$Q" false; } > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 port_open "$Q" || fail "plain service did not listen"
check "deferred service serves" test "$(get "http://127.0.0.1:$P/")" = a
check "plain service serves" test "$(get "http://127.0.0.1:$Q/")" = a
# connections each worker of a service accepted so far
conns() { sb | awk -v s="service=$1" '$1=="worker" && $4==s { sub("conns=", "", $6); n += $6 } END { print n + 0 }'; }
d0=$(conns deferred) p0=$(conns plain)
# one silent connection to each; print "PORT SECONDS" as each is closed
python3 - "$P" "$Q" > "$T/closed" 2> "$T/py.err" <<'EOP' &
import selectors, socket, sys, time
sel = selectors.DefaultSelector()
t0 = time.monotonic()
for port in sys.argv[1:]:
    s = socket.create_connection(("127.0.0.1", int(port)))
    sel.register(s, selectors.EVENT_READ, port)
print("open", flush=True)
left = len(sys.argv) - 1
while left and time.monotonic() - t0 < 20:
    for key, _ in sel.select(1):
        try:
            if key.fileobj.recv(4096):
                continue
        except OSError:
            pass
        print(key.data, "%.2f" % (time.monotonic() - t0), flush=True)
        sel.unregister(key.fileobj)
        left -= 1
EOP
py=$!
PIDS="$PIDS $py"
wait_until 10 grep -q open "$T/closed" || fail "the silent client did not connect"
sleep 0.5
check "defer_accept: no worker accepted the silent connection yet" test "$(conns deferred)" -eq "$d0"
check "no defer_accept: a worker accepted it" test "$(conns plain)" -eq $((p0 + 1))
wait_until 25 eventually '! kill -0 "$py"'
cat "$T/closed" "$T/py.err"
td=$(awk -v p="$P" '$1==p { print $2 }' "$T/closed")
tp=$(awk -v p="$Q" '$1==p { print $2 }' "$T/closed")
within() { python3 -c "import sys; sys.exit(0 if '$1' and $2 <= float('$1') <= $3 else 1)"; }
check "defer_accept: closed after ${td:-?} s, within 5 .. 6 s" within "$td" 4.9 6.0
check "no defer_accept: closed after ${tp:-?} s, within 5 .. 6 s" within "$tp" 4.9 6.0
finish
