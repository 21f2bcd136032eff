# SPDX-License-Identifier: GPL-2.0-or-later
"""Slowloris against tcpvsd while a normal client makes requests.

    slowloris.py PORT CONNS SECONDS [ATTACK_ADDR]

CONNS attacker connections from ATTACK_ADDR (default 127.0.0.2, another
loopback address, so per-address limits can tell them apart) each send a
request line and then one header line a second, never ending the head;
each is reopened when the server closes it.  Meanwhile a normal client on
127.0.0.1 makes one request at a time, each with a 5 s timeout.  After
SECONDS it prints

    normal requests=N ok=K success=P% p50=MS p99=MS max=MS
    attack opened=N closed_by_server=K

Everything is bounded by SECONDS plus the timeouts.
"""
import socket
import sys
import threading
import time


def attacker(port, addr, stop, stats, lock):
    s = None
    while not stop.is_set():
        try:
            if s is None:
                s = socket.socket()
                s.settimeout(2)
                s.bind((addr, 0))
                s.connect(("127.0.0.1", port))
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                with lock:
                    stats["opened"] += 1
            time.sleep(1)
            s.sendall(b"X-Slow: a\r\n")
        except OSError:
            with lock:
                stats["closed"] += 1
            if s is not None:
                s.close()
            s = None
            time.sleep(0.2)
    if s is not None:
        s.close()


def normal(port, until, lat, fails):
    while time.time() < until:
        t0 = time.time()
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                d = c.recv(65536)
                if not d:
                    break
                data += d
            c.close()
            if data.startswith(b"HTTP/1.1 200 "):
                lat.append((time.time() - t0) * 1000)
            else:
                fails.append(data[:40])
        except OSError as e:
            fails.append(str(e))
        time.sleep(0.02)


def main():
    port, conns, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    addr = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.2"
    stop = threading.Event()
    lock = threading.Lock()
    stats = {"opened": 0, "closed": 0}
    threads = [threading.Thread(target=attacker, daemon=True,
                                args=(port, addr, stop, stats, lock))
               for _ in range(conns)]
    for t in threads:
        t.start()
    time.sleep(2)   # let the attack take hold
    lat, fails = [], []
    normal(port, time.time() + secs, lat, fails)
    stop.set()
    for t in threads:
        t.join(timeout=5)
    n = len(lat) + len(fails)
    lat.sort()

    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p))] if lat else -1
    print("normal requests=%d ok=%d success=%.2f%% p50=%.0f p99=%.0f max=%.0f"
          % (n, len(lat), 100.0 * len(lat) / max(n, 1), pct(0.5), pct(0.99),
             lat[-1] if lat else -1))
    print("attack opened=%d closed_by_server=%d" % (stats["opened"],
                                                     stats["closed"]))
    if fails:
        print("failures:", fails[:5], file=sys.stderr)


if __name__ == "__main__":
    main()
