# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the integration tests: free ports, real origins and a
# real tcpvsd on 127.0.0.1, bounded waits, and cleanup of exactly the
# processes a test started (by pid, on exit).  Sourced by t_*.sh (bash).

set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
TCPVSD=$top_builddir/src/tcpvsd
ORIGIN=$top_builddir/tests/tools/origin
SBDUMP=$top_builddir/tests/tools/sbdump
SBSET=$top_builddir/tests/tools/sbset
TCPVSADM=$top_builddir/src/tcpvsadm
T=$(mktemp -d "${TMPDIR:-/tmp}/tcpvs-test.XXXXXX")
PIDS=""
FAILS=0

cleanup() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	# network namespaces a test made (after their processes are gone)
	for p in ${NETNS:-}; do ip netns del "$p" 2>/dev/null; done
	if [ "$FAILS" -ne 0 ] && [ -f "$T/tcpvsd.log" ]; then
		echo "--- tcpvsd log (last 40 lines)"; tail -n 40 "$T/tcpvsd.log"
	fi
	rm -rf "$T"
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { say "ok: $*"; }
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
	local d=$1; shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
# a sanitizer report in any process a test started fails the test
sanitizer_clean() {
	! grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
	    "$T"/*.log "$T"/*.out 2>/dev/null
}
finish() {
	check "no sanitizer report from tcpvsd or the origins" sanitizer_clean
	[ "$FAILS" -eq 0 ] && exit 0
	say "$FAILS check(s) failed"
	exit 1
}
skip() { say "SKIP: $*"; exit 77; }

[ -x "$TCPVSD" ] || skip "tcpvsd not built"
[ -x "$ORIGIN" ] || skip "tests/tools/origin not built"
command -v curl >/dev/null || skip "curl not installed"

# wait_until SECONDS COMMAND...: poll every 0.1 s, bounded.  The command is
# run again each time; to wait on a value, pass a function or `eventually`
# (a "$(...)" argument would be expanded once, before the wait).
wait_until() {
	local n=$(( $1 * 10 )); shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}

# eventually 'SHELL TEST': for wait_until, evaluated afresh on every try
eventually() { eval "$1"; }

# a port nothing listens on now (the kernel picks; never a fixed port)
# free_port: a port nothing listens on, nor on the two after it (tests use
# PORT+1, PORT+2), below the kernel's ephemeral range so that no outgoing
# connection of a load running beside the test takes it as a source port
# before tcpvsd binds it; never one this test was already given
free_port() {
	python3 - "$T/ports" <<'EOP'
import random, socket, sys
used = set()
try:
    used = set(int(x) for x in open(sys.argv[1]).read().split())
except OSError:
    pass
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
hi = min(lo, 32768) - 3
for _ in range(200):
    p = random.randrange(10000, hi)
    if used & {p, p + 1, p + 2}:
        continue
    try:
        for q in (p, p + 1, p + 2):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", q))
            finally:
                s.close()
    except OSError:
        continue
    with open(sys.argv[1], "a") as f:
        f.write("%d %d %d\n" % (p, p + 1, p + 2))
    print(p)
    sys.exit(0)
sys.exit("free_port: no free port found")
EOP
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_origin NAME [ORIGIN ARGS]: sets PORT_NAME and PID_NAME; the origin
# appends each request line it reads to $T/req-NAME
start_origin() {
	local port name=$1; port=$(free_port); shift
	"$ORIGIN" -l "127.0.0.1:$port" -n "$name" -r "$T/req-$name" "$@" \
	    > "$T/origin-$name.out" 2>&1 &
	set -- "$name"
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	eval "PORT_$1=$port"
	wait_until 5 port_open "$port" || { fail "origin $1 did not start"; finish; }
}

# origin_requests NAME: requests the origin has read so far
origin_requests() { if [ -f "$T/req-$1" ]; then wc -l < "$T/req-$1"; else echo 0; fi; }
# origin_accepts NAME: connections it accepted (its /stats counts itself)
origin_accepts() { local p; eval "p=\$PORT_$1"; get "http://127.0.0.1:$p/stats" | sed -n 's/^accepts=\([0-9]*\) .*/\1/p'; }
# H1: the scripted HTTP/1.1 client (tests/integration/h1.py)
H1="python3 $top_srcdir/tests/integration/h1.py"

stop_origin() { # stop_origin NAME
	local pid; eval "pid=\$PID_$1"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# inflight_conf CONF: with TCPVS_TEST_MAXINFLIGHT=N in the environment,
# every service of a configuration that does not set maxinflight itself
# runs N exchanges a worker (the suite at 1, Apache prefork, and at the
# default); configurations a test writes later for a reload keep the
# default
inflight_conf() {
	[ -n "${TCPVS_TEST_MAXINFLIGHT:-}" ] || return 0
	grep -q maxinflight "$1" && return 0
	sed -i "s/^\([[:space:]]*virtual[[:space:]][^{]*{\)[[:space:]]*\$/\1\n    maxinflight = $TCPVS_TEST_MAXINFLIGHT/" "$1"
}

# start_tcpvsd CONF PORT: tcpvsd -F in the background, log in $T/tcpvsd.log
start_tcpvsd() {
	inflight_conf "$1"
	"$TCPVSD" -F -f "$1" >> "$T/tcpvsd.log" 2>&1 &
	TCPVSD_PID=$!
	PIDS="$PIDS $TCPVSD_PID"
	wait_until 10 port_open "$2" || { fail "tcpvsd did not listen on $2"; finish; }
}

# start_tcpvsd_ctl CONF: tcpvsd -F in the background, ready when tcpvsadm
# gets an answer on $CTL (a configuration may have no service to listen)
start_tcpvsd_ctl() {
	inflight_conf "$1"
	"$TCPVSD" -F -f "$1" >> "$T/tcpvsd.log" 2>&1 &
	TCPVSD_PID=$!
	PIDS="$PIDS $TCPVSD_PID"
	wait_until 10 adm -L -n > /dev/null || { fail "tcpvsd did not answer on $CTL"; finish; }
}

# stop_tcpvsd: SIGTERM to the one started last, wait for it (bounded)
stop_tcpvsd() {
	kill -TERM "$TCPVSD_PID" 2>/dev/null
	wait_until 15 eventually '! kill -0 "$TCPVSD_PID"'
	wait "$TCPVSD_PID" 2>/dev/null
	return 0
}

# adm ARGS: tcpvsadm on the control socket of the test's tcpvsd
adm() { "$TCPVSADM" --control "$CTL" "$@"; }
# gen: the generation tcpvsd serves, from tcpvsadm -L's header
gen() { adm -L -n | sed -n 's/.*generation \([0-9]*\))$/\1/p'; }

# the real pids of tcpvsd's children (workers), from the process table
children() { pgrep -P "$TCPVSD_PID" 2>/dev/null || true; }

# get URL [curl args]: body on stdout, bounded
get() { local u=$1; shift; curl -s --max-time 20 "$@" "$u"; }
# status URL [curl args]: the HTTP status code
status() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" "$u"; }

# raw PORT: send stdin as is, print the answer (python3, bounded)
raw() {
	python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.stdin.buffer.read())
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except socket.timeout:
    pass
sys.stdout.buffer.write(out)' "$1"
}

sb() { "$SBDUMP" "$T/sb"; }
# sb_server KEY FIELD: a field of a server line of the scoreboard
sb_server() { sb | awk -v k="$1" -v f="$2" '$1=="server" && $2==k { for (i=3;i<=NF;i++) { split($i,a,"="); if (a[1]==f) print a[2] } }'; }
# sb_workers [STATE]: live worker slots (in that state)
sb_workers() { sb | awk -v s="${1:-}" '$1=="worker" && (s=="" || $5=="state="s)' | wc -l; }
# sb_held: the client connections each live worker holds, parked and in
# flight, a line each
sb_held() { sb | awk '$1=="worker" { p = 0; x = 0; for (i=3;i<=NF;i++) { if ($i ~ /^parked=/) { sub("parked=","",$i); p = $i } if ($i ~ /^inflight=/) { sub("inflight=","",$i); x = $i } } print p + x }'; }

# conf_header: global options every test config starts with; the control
# socket is $CTL when the test set it, else a path of its own, so that
# tests running several tcpvsd at once do not collide
CTL=${CTL:-}
conf_header() {
	cat <<EOC
control = "${CTL:-$(mktemp -u "$T/ctl.XXXXXX")}"
pidfile = "$T/tcpvsd.pid"
errorlog = "stderr"
loglevel = "debug"
serverlimit = 256
scoreboardfile = "$T/sb"
EOC
}
