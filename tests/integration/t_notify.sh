#!/bin/bash
# systemd's notification protocol (Type=notify), read from NOTIFY_SOCKET
# as systemd would: READY=1 once the service listens, RELOADING=1 with
# MONOTONIC_USEC on SIGUSR1 then READY=1 when generation 2 serves, and
# STOPPING=1 on SIGTERM, in that order, each with STATUS= naming the
# generation and its workers.  Abstract (@name) and path sockets both.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"

# listen ADDRESS OUT: print each datagram as a line ("|" between its
# lines, "@MONO=<now>" after it) until STOPPING=1 or 40 s
listen() {
	python3 - "$1" > "$2" 2>&1 <<'EOP' &
import socket, sys, time
a = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + a[1:] if a[0] == "@" else a)
s.settimeout(1)
print("listening", flush=True)
t0 = time.monotonic()
while time.monotonic() - t0 < 40:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        continue
    print(m.replace("\n", "|") + "|@MONO=%d" % (time.monotonic() * 1e6), flush=True)
    if "STOPPING=1" in m.split("\n"):
        break
EOP
	LISTEN_PID=$!
	PIDS="$PIDS $LISTEN_PID"
	wait_until 10 grep -q listening "$2" || fail "notify listener did not start"
}
# events FILE: the non-STATUS lines of each datagram, one datagram a line
events() { grep -v '^listening' "$1" | tr '|' '\n' | awk '/^(READY|RELOADING|STOPPING)=/ { printf "%s ", $0 } /^@MONO/ { print "" }' | sed 's/ $//' | grep -v '^$'; }

abs="@tcpvs-notify-$$-$RANDOM"
listen "$abs" "$T/n1"
NOTIFY_SOCKET=$abs start_tcpvsd "$T/t.conf" "$P"
wait_until 10 grep -q 'READY=1' "$T/n1" || fail "no READY=1 after start"
check "READY=1 names generation 1 and its 2 workers" grep -q 'READY=1|STATUS=generation 1 serving, 2 workers' "$T/n1"
check "the service answered by then" test "$(get "http://127.0.0.1:$P/")" = a
kill -USR1 "$TCPVSD_PID"
wait_until 10 eventually '[ "$(grep -c READY=1 "$T/n1")" -ge 2 ]' || fail "no second READY=1 after SIGUSR1"
check "READY=1 after the reload names generation 2" grep -q 'READY=1|STATUS=generation 2 serving' "$T/n1"
stop_tcpvsd
wait_until 10 eventually '! kill -0 "$LISTEN_PID"' || fail "no STOPPING=1"
cat "$T/n1"
events "$T/n1" > "$T/ev"
printf '%s\n' "READY=1" "RELOADING=1" "READY=1" "STOPPING=1" > "$T/want"
check "READY, RELOADING, READY, STOPPING, in order" diff -u "$T/want" "$T/ev"
# RELOADING=1's MONOTONIC_USEC is CLOCK_MONOTONIC now (within 5 s)
check "RELOADING=1 carries MONOTONIC_USEC of the reload" python3 - "$T/n1" <<'EOP'
import sys
for line in open(sys.argv[1]):
    f = dict(x.split("=", 1) for x in line.strip().split("|") if "=" in x)
    if "RELOADING" in f:
        mono = int(f["@MONO"]); usec = int(f["MONOTONIC_USEC"])
        sys.exit(0 if 0 <= mono - usec < 5000000 else 1)
sys.exit(1)
EOP
check "no notification after STOPPING=1" test "$(tail -n 1 "$T/n1" | grep -c 'STOPPING=1')" -eq 1
check "nothing but READY, RELOADING, STOPPING and STATUS was sent" test -z "$(grep -v '^listening' "$T/n1" | grep -v 'READY=1\|RELOADING=1\|STOPPING=1\|STATUS=generation')"

# a path socket too; without NOTIFY_SOCKET nothing is sent (the rest of
# the suite runs that way)
listen "$T/notify.sock" "$T/n2"
NOTIFY_SOCKET=$T/notify.sock start_tcpvsd "$T/t.conf" "$P"
wait_until 10 grep -q 'READY=1' "$T/n2" || fail "no READY=1 on a path socket"
check "path socket: READY=1" grep -q 'READY=1|STATUS=generation 1' "$T/n2"
stop_tcpvsd
wait_until 10 eventually '! kill -0 "$LISTEN_PID"' || fail "no STOPPING=1 on a path socket"
check "path socket: STOPPING=1 last" grep -q 'STOPPING=1' <(tail -n 1 "$T/n2")
finish
