# SPDX-License-Identifier: GPL-2.0-or-later
"""Concurrent clients for the tests of several exchanges in one worker.

    inflight.py kept PORT N PATH PATH2
        N kept-alive connections at once, PATH on each, then PATH2 on
        each: prints "ok=K secs=S" (K responses with status 200 of 2N)
    inflight.py at PORT [DELAY_MS:]PATH...
        each PATH on a connection of its own, all started at once (or
        DELAY_MS after the start): prints "PATH STATUS MS" per path, in
        the order given (STATUS 0: no response, MS from its own start)
    inflight.py hold PORT N SECS
        N connections opened at once, then a request on each: they are
        held open, kept alive, for SECS, then closed; prints "ok=K" (K
        responses with status 200)
    inflight.py asleep PORT PID N SLOWPATH
        N kept-alive connections, one request each; then SLOWPATH on
        another, and while it is in flight a second request on each of
        the N, 30 ms apart: prints "switches=K ok=A late=S", K the
        voluntary context switches of process PID while they were sent,
        A the second requests answered (status 200), S when the last
        was sent (s after the slow request)

Every socket operation has h1.py's timeout; every thread is joined with
a bound.
"""
import sys
import threading
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import h1  # noqa: E402


def cmd_kept(port, n, path, path2):
    ok = [0]
    lock = threading.Lock()
    go = threading.Event()

    def one():
        try:
            c = h1.Conn(port)
            go.wait(10)
            for p in (path, path2):
                c.send(h1.req("GET", p))
                if c.response()[0] == 200:
                    with lock:
                        ok[0] += 1
        except (OSError, h1.Closed, ValueError) as e:
            print("error: %s" % e, file=sys.stderr)

    ts = [threading.Thread(target=one, daemon=True) for _ in range(n)]
    for t in ts:
        t.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    go.set()
    for t in ts:
        t.join(timeout=60)
    print("ok=%d secs=%.2f" % (ok[0], time.monotonic() - t0))


def cmd_at(port, specs):
    res = [None] * len(specs)

    def one(i, delay, path):
        time.sleep(delay)
        t0 = time.monotonic()
        status = 0
        try:
            c = h1.Conn(port)
            c.send(h1.req("GET", path, b"Connection: close\r\n"))
            status = c.response()[0]
        except (OSError, h1.Closed, ValueError) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
        res[i] = (path, status, (time.monotonic() - t0) * 1000)

    ts = []
    for i, s in enumerate(specs):
        delay, path = 0.0, s
        if ":" in s:
            d, path = s.split(":", 1)
            delay = int(d) / 1000.0
        ts.append(threading.Thread(target=one, args=(i, delay, path),
                                   daemon=True))
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    for r in res:
        if r is not None:
            print("%s %d %d" % r)


def cmd_hold(port, n, secs):
    conns = [h1.Conn(port) for _ in range(n)]
    for c in conns:
        c.send(h1.req("GET", "/"))
    ok = sum(1 for c in conns if c.response()[0] == 200)
    print("ok=%d" % ok, flush=True)
    time.sleep(secs)


def switches(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return -1


def cmd_asleep(port, pid, n, slow):
    conns = [h1.Conn(port) for _ in range(n)]
    for c in conns:
        c.send(h1.req("GET", "/"))
        c.response()
    s = h1.Conn(port)
    t0 = time.monotonic()
    s.send(h1.req("GET", slow))
    time.sleep(0.3)
    k0 = switches(pid)
    for c in conns:
        c.send(h1.req("GET", "/"))
        time.sleep(0.03)
    k1 = switches(pid)
    late = time.monotonic() - t0
    s.response()
    ok = sum(1 for c in conns if c.response()[0] == 200)
    print("switches=%d ok=%d late=%.2f" % (k1 - k0, ok, late))


def main(argv):
    h1.TIMEOUT = 30
    if argv[1] == "kept":
        cmd_kept(int(argv[2]), int(argv[3]), argv[4], argv[5])
    elif argv[1] == "at":
        cmd_at(int(argv[2]), argv[3:])
    elif argv[1] == "hold":
        cmd_hold(int(argv[2]), int(argv[3]), float(argv[4]))
    elif argv[1] == "asleep":
        cmd_asleep(int(argv[2]), int(argv[3]), int(argv[4]), argv[5])
    else:
        sys.exit("usage: inflight.py kept|at|hold|asleep PORT ...")


if __name__ == "__main__":
    main(sys.argv)
