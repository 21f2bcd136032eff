# SPDX-License-Identifier: GPL-2.0-or-later
"""A bounded mixed load through tcpvsd that checks every body it accepts.

    faultload.py PORT ORIGIN_PORT THREADS SECONDS [PATH [close]]

Each thread keeps an HTTP/1.1 connection open and asks in turn for
/bytes/65536 and /chunked/65536 (the same 64 KiB stream, two framings),
reconnecting whenever the connection breaks.  A response counts as
complete only when its framing says it ended (all Content-Length bytes,
or the last chunk); a complete body must equal the origin's own answer,
fetched directly at the start.  It prints

    complete=N corrupt=K truncated=T errors=E status5xx=S

where truncated are responses cut short (seen, never accepted), errors
failed connections, status5xx answers tcpvsd gave itself.  With PATH,
every request asks for PATH and any 200 counts as complete (PATH "-":
the two checked bodies); with "close" each request has its own
connection.
"""
import hashlib
import sys
import threading
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import h1  # noqa: E402


def worker(port, ref, until, stats, lock, paths, close):
    c = None
    i = 0
    while time.time() < until:
        path = paths[i % len(paths)]
        i += 1
        phase = "connect"
        try:
            if c is None:
                c = h1.Conn(port)
            phase = "send"
            c.send(h1.req("GET", path, b"Connection: close\r\n" if close
                          else b""))
            phase = "response"
            status, h, body, _ = c.response()
        except h1.Closed:
            # a response cut short, or a kept connection closed between
            # requests: either way nothing was accepted
            with lock:
                stats["truncated"] += 1
            c = None
            continue
        except OSError as e:
            with lock:
                stats["errors"] += 1
                # which error, and when: a test's log can then be read
                # beside tcpvsd's
                print("error at %s%s, %s: %r" % (
                    time.strftime("%H:%M:%S"), ("%.3f" % time.time())[-4:],
                    phase, e), file=sys.stderr, flush=True)
            c = None
            time.sleep(0.05)
            continue
        with lock:
            if status >= 500:
                stats["status5xx"] += 1
            elif ref is None or hashlib.sha256(body).digest() == ref:
                stats["complete"] += 1
            else:
                stats["corrupt"] += 1
        if h.get("connection", "").lower() == "close":
            c.s.close()
            c = None


def main():
    port, oport = int(sys.argv[1]), int(sys.argv[2])
    threads, secs = int(sys.argv[3]), float(sys.argv[4])
    h1.TIMEOUT = 5
    paths, ref = ["/bytes/65536", "/chunked/65536"], None
    if len(sys.argv) > 5 and sys.argv[5] != "-":
        paths = [sys.argv[5]]
    else:
        ref = hashlib.sha256(h1.direct(oport, "/bytes/65536")).digest()
    close = len(sys.argv) > 6 and sys.argv[6] == "close"
    stats = dict(complete=0, corrupt=0, truncated=0, errors=0, status5xx=0)
    lock = threading.Lock()
    until = time.time() + secs
    ts = [threading.Thread(target=worker, args=(port, ref, until, stats,
                                                lock, paths, close),
                           daemon=True)
          for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=secs + 15)
    print(" ".join("%s=%d" % kv for kv in stats.items()))


if __name__ == "__main__":
    main()
