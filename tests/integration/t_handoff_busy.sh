#!/bin/bash
# A request handed off to another worker is answered at that worker's
# next free place, even when that worker's own queue would fill every
# place it frees.  Before, a worker with room took from the handoff
# socket only while waiting on it, which a worker whose own kept
# connections always had a request queued never did: with every worker
# so, a handed-off request waited until the load eased (5 s and more:
# t_retry_empty's client timed out under ASan at maxinflight = 1).
#
# maxinflight = 1, two workers.  B is stopped (SIGSTOP) while its
# scoreboard slot says idle; requests come on three connections B holds,
# and go on coming as fast as B answers them, so B's queue never
# empties.  A relays a slow request; a request on another connection A
# holds waits 20 ms, and A hands it off, to B, which looks idle.  Then B
# goes on (SIGCONT): it must answer the handed-off request after at most
# one of its own, not after A's slow one (4 s).
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
    keepalive_timeout = 30
    maxkeepaliverequests = 0
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 eventually '[ "$(sb_workers)" -eq 2 ]'

timeout 40 python3 - "$P" "$top_srcdir/tests/integration" "$SBDUMP" "$T/sb" \
    "$T/tcpvsd.log" > "$T/out" 2> "$T/err" <<'EOP'
import os, signal, subprocess, sys, threading, time
sys.path.insert(0, sys.argv[2])
import h1
port, sbdump, sbfile, logfile = int(sys.argv[1]), sys.argv[3], sys.argv[4], sys.argv[5]
h1.TIMEOUT = 15

def held():
    """client connections held by each live worker, by pid"""
    out = subprocess.run([sbdump, sbfile], capture_output=True, text=True).stdout
    n = {}
    for line in out.splitlines():
        f = line.split()
        if not f or f[0] != "worker":
            continue
        kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
        if kv.get("state") in ("dead", None) or kv.get("pid", "0") == "0":
            continue
        n[int(kv["pid"])] = int(kv.get("parked", 0)) + int(kv.get("inflight", 0))
    return n

def get(c, path):
    c.send(h1.req("GET", path))
    return c.response()[0]

# kept connections, one at a time, each to the worker that took it: until
# one worker holds three and the other two (bounded)
conns = {}
before = held()
for _ in range(40):
    c = h1.Conn(port)
    get(c, "/")
    now = {}
    for _ in range(100):
        now = held()
        if sum(now.values()) == sum(before.values()) + 1:
            break
        time.sleep(0.02)
    pid = [p for p in now if now[p] > before.get(p, 0)]
    before = now
    if len(pid) != 1:
        c.s.close()
        continue
    conns.setdefault(pid[0], []).append(c)
    pids = sorted(conns, key=lambda p: -len(conns[p]))
    if len(pids) == 2 and len(conns[pids[0]]) >= 3 and len(conns[pids[1]]) >= 2:
        break
else:
    print("setup failed: connections held %s" % {p: len(v) for p, v in conns.items()})
    sys.exit(1)
B, A = pids
print("workers: B %d holds %d, A %d holds %d" % (B, len(conns[B]), A, len(conns[A])),
      flush=True)

os.kill(B, signal.SIGSTOP)
try:
    # B's own: each asks again as soon as it is answered, for 7 s
    until = time.monotonic() + 7
    done = [0]
    def busy(c):
        while time.monotonic() < until:
            if get(c, "/slow/30") == 200:
                done[0] += 1
    ts = [threading.Thread(target=busy, args=(c,), daemon=True) for c in conns[B][:3]]
    for t in ts:
        t.start()
    time.sleep(0.3)
    # A: a slow request, then one that waits behind it and is handed off
    slow, waiting = conns[A][0], conns[A][1]
    slow.send(h1.req("GET", "/slow/4000"))
    time.sleep(0.3)
    waiting.send(h1.req("GET", "/"))
    for _ in range(100):
        with open(logfile) as f:
            if "handed to the other workers" in f.read():
                break
        time.sleep(0.02)
    else:
        print("setup failed: A did not hand the request off")
        sys.exit(1)
    time.sleep(0.1)
finally:
    os.kill(B, signal.SIGCONT)
t0 = time.monotonic()
st = waiting.response()[0]
print("handed %d %d" % (st, (time.monotonic() - t0) * 1000))
st = slow.response()[0]
print("slow %d %d" % (st, (time.monotonic() - t0) * 1000))
for t in ts:
    t.join(10)
print("own %d" % done[0])
EOP
# B goes on, should python have been stopped before it said so
b=$(awk '$1=="workers:" { print $3 }' "$T/out")
[ -n "$b" ] && kill -CONT "$b" 2>/dev/null
cat "$T/out" "$T/err"
read -r _ st ms < <(grep '^handed' "$T/out")
check "the handed-off request answered (${st:-none}) within 1 s of B going on (${ms:-?} ms), not after A's slow one" \
    test "${st:-0}" -eq 200 -a "${ms:-9999}" -lt 1000
read -r _ st ms < <(grep '^slow' "$T/out")
check "A's slow request answered (${st:-none}, ${ms:-?} ms)" test "${st:-0}" -eq 200
read -r _ n < <(grep '^own' "$T/out")
check "B answered its own meanwhile (${n:-0})" test "${n:-0}" -gt 10
stop_tcpvsd
finish
