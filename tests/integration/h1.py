# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted HTTP/1.1 client for the integration tests.

It speaks over one TCP connection at a time and parses responses itself
(Content-Length, chunked with trailers, close-delimited, no body for HEAD,
204 and 304, 1xx interim), so a test sees exactly what went over the
connection: whether it was kept, in which order responses came, whether an
interim 100 arrived.  Every socket operation has a timeout.

    h1.py seq PORT N PATH_A PATH_B   N requests alternating the two paths
    h1.py pipeline PORT PATH...      all requests in one write
    h1.py later PORT GAP REQ...      each request written GAP seconds
                                     after the one before, answers not
                                     awaited (pipelined while the first
                                     is still at the origin); REQ is
                                     PATH, or POST:SIZE:PATH with a
                                     body of SIZE bytes; prints each
                                     answer and ms from the last write
    h1.py mixed PORT ORIGIN_PORT     HEAD, 204, 304, chunked, close-delimited
    h1.py expect PORT SIZE           Expect: 100-continue upload
    h1.py chunked PORT SIZE          chunked upload with a trailer, then GET
    h1.py upgrade PORT               WebSocket-style upgrade, echo both ways
    h1.py http10 PORT                HTTP/1.0 with and without keep-alive
    h1.py idle PORT SECONDS          one request, idle, then: closed?
    h1.py partial PORT               a request, then half a head: 408?
    h1.py many PORT N                N connections held open, one request
                                     on each, then a second on each in
                                     the order they were opened
    h1.py timed PORT PATH PATH2      PATH, then PATH2 on the same
                                     connection: when 12 KiB of the first
                                     body and the whole of each came
    h1.py burst PORT N               N new connections at once, a
                                     request on each: the slowest answer
    h1.py beside PORT N SLOW...      N kept connections; a request for
                                     each SLOW path on connections of
                                     their own; while those are answered,
                                     a second and a third request on
                                     each of the N

Each prints what it saw, one line per response, and exits 1 on a protocol
error or timeout (with the reason on stderr).  With H1_TLS=CAFILE:NAME in
the environment every connection speaks TLS, verifying the server against
CAFILE for NAME (sent as SNI).
"""
import hashlib
import os
import selectors
import socket
import ssl
import sys
import time

TIMEOUT = 10


class Closed(Exception):
    pass


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        tls = os.environ.get("H1_TLS")
        if tls:
            ca, name = tls.rsplit(":", 1)
            ctx = ssl.create_default_context(cafile=ca)
            self.s = ctx.wrap_socket(self.s, server_hostname=name)

    def shut_wr(self):
        """Says the client's side is done: over TLS, close_notify."""
        if isinstance(self.s, ssl.SSLSocket):
            self.s = self.s.unwrap()
        self.s.shutdown(socket.SHUT_WR)

    def send(self, data):
        self.s.sendall(data)

    def fill(self):
        d = self.s.recv(262144)
        if not d:
            raise Closed("connection closed")
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def until_eof(self):
        try:
            while True:
                self.fill()
        except Closed:
            pass
        d, self.buf = self.buf, b""
        return d

    def closed(self):
        """True if the peer closed (EOF) within half a second."""
        if self.buf:
            return False
        self.s.settimeout(0.5)
        try:
            return self.s.recv(1) == b""
        except socket.timeout:
            return False
        finally:
            self.s.settimeout(TIMEOUT)

    def head(self):
        status_line = self.line().decode("latin-1")
        parts = status_line.split(" ", 2)
        status = int(parts[1])
        hdrs = []
        while True:
            ln = self.line()
            if not ln:
                break
            k, v = ln.decode("latin-1").split(":", 1)
            hdrs.append((k.strip().lower(), v.strip()))
        return status, hdrs

    def response(self, method="GET"):
        """Final response: (status, headers, body, interim statuses)."""
        interim = []
        while True:
            status, hdrs = self.head()
            if 100 <= status < 200 and status != 101:
                interim.append(status)
                continue
            break
        h = dict(hdrs)
        if method == "HEAD" or status in (204, 304) or status == 101:
            body = b""
        elif "chunked" in h.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    break
                body += self.exact(size)
                if self.exact(2) != b"\r\n":
                    raise Closed("chunk not followed by CRLF")
        elif "content-length" in h:
            body = self.exact(int(h["content-length"]))
        else:
            body = self.until_eof()
        return status, h, body, interim


def req(method, path, extra=b"", version=b"HTTP/1.1"):
    return (method.encode() + b" " + path.encode() + b" " + version +
            b"\r\nHost: test\r\n" + extra + b"\r\n")


def direct(port, path):
    c = Conn(port)
    c.send(req("GET", path, b"Connection: close\r\n"))
    return c.response()[2]


def cmd_seq(port, n, a, b):
    c = Conn(port)
    for i in range(n):
        c.send(req("GET", a if i % 2 == 0 else b))
        status, h, body, _ = c.response()
        print(status, h.get("x-origin", "-"), len(body))
        if h.get("connection", "").lower() == "close":
            raise Closed("server closed the connection after %d" % (i + 1))


def cmd_pipeline(port, paths):
    c = Conn(port)
    c.send(b"".join(req("GET", p) for p in paths))
    for p in paths:
        status, h, body, _ = c.response()
        print(status, h.get("x-origin", "-"), p, len(body))


def cmd_later(port, gap, reqs):
    c = Conn(port)
    methods = []
    for i, r in enumerate(reqs):
        if i > 0:
            time.sleep(gap)
        if r.startswith("POST:"):
            _, size, path = r.split(":", 2)
            body = os.urandom(int(size))
            c.send(req("POST", path, b"Content-Length: %d\r\n" %
                       len(body)) + body)
            methods.append(("POST", path))
        else:
            c.send(req("GET", r))
            methods.append(("GET", r))
    t0 = time.monotonic()
    for method, path in methods:
        status, h, body, _ = c.response(method)
        print(status, h.get("x-origin", "-"), method, path,
              "%d" % ((time.monotonic() - t0) * 1000))


def cmd_mixed(port, oport):
    c = Conn(port)
    steps = [("HEAD", "/bytes/1000"), ("GET", "/status/204"),
             ("GET", "/status/304"), ("GET", "/chunked/300000"),
             ("HEAD", "/chunked/5000"), ("GET", "/bytes/1000"),
             ("GET", "/close/200000")]
    for method, path in steps:
        c.send(req(method, path))
        status, h, body, _ = c.response(method)
        ok = "-"
        if method == "GET" and status == 200:
            ok = "intact" if body == direct(oport, path) else "CORRUPT"
        print(method, path, status, len(body), ok)
    print("closed after close-delimited:", "yes" if c.closed() else "no")


def cmd_expect(port, size):
    data = os.urandom(size)
    c = Conn(port)
    c.send(b"POST /sha256 HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n"
           b"Expect: 100-continue\r\n\r\n" % size)
    # the body waits for the interim response, as a client must
    status, _ = c.head()
    print("interim", status)
    c.send(data)
    status, h, body, _ = c.response()
    want = hashlib.sha256(data).hexdigest() + " %d\n" % size
    print("final", status, "intact" if body.decode() == want else "CORRUPT")


def cmd_chunked(port, size):
    data = os.urandom(size)
    c = Conn(port)
    out = [b"POST /sha256 HTTP/1.1\r\nHost: test\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n"]
    off, step = 0, 1
    while off < size:
        step = step * 5 % 70001 + 1
        piece = data[off:off + step]
        out.append(b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n")
        off += len(piece)
    out.append(b"0\r\nX-Trailer: yes\r\n\r\n")
    c.send(b"".join(out))
    status, h, body, _ = c.response()
    want = hashlib.sha256(data).hexdigest() + " %d\n" % size
    print("chunked upload", status, "intact" if body.decode() == want
          else "CORRUPT")
    c.send(req("GET", "/"))
    status, h, body, _ = c.response()
    print("next request", status, h.get("x-origin", "-"))


def cmd_upgrade(port):
    c = Conn(port)
    c.send(b"GET /ws HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\n"
           b"Upgrade: websocket\r\n\r\n")
    status, h, _, _ = c.response()
    print("status", status, "upgrade", h.get("upgrade", "-"))
    c.send(b"hello")
    print("echo", c.exact(5).decode())
    big = os.urandom(1 << 20)
    c.send(big)
    print("1 MiB echoed", "intact" if c.exact(len(big)) == big else "CORRUPT")
    c.shut_wr()
    print("closed after client", "yes" if c.until_eof() == b"" else "no")


def cmd_http10(port):
    c = Conn(port)
    c.send(req("GET", "/", b"Connection: keep-alive\r\n", b"HTTP/1.0"))
    status, h, body, _ = c.response()
    print("1.0 keep-alive", status, h.get("connection", "-"))
    c.send(req("GET", "/", b"", b"HTTP/1.0"))
    status, h, body, _ = c.response()
    print("1.0 plain", status, h.get("connection", "-"),
          "closed" if c.closed() else "open")


def cmd_idle(port, secs):
    c = Conn(port)
    c.send(req("GET", "/"))
    status, h, _, _ = c.response()
    time.sleep(secs)
    print("closed after idle:", "yes" if c.closed() else "no")


def cmd_partial(port):
    c = Conn(port)
    c.send(req("GET", "/") + b"GET / HTTP/1.1\r\nHost: x\r\n")
    print("first", c.response()[0])
    status, h, _, _ = c.response()
    print("second", status, h.get("connection", "-"))


def open_kept(port, n):
    """N connections, each asked for / once: (connections, answered 200)"""
    conns, ok = [], 0
    for _ in range(n):
        c = Conn(port)
        c.send(req("GET", "/"))
        if c.response()[0] == 200:
            ok += 1
        conns.append(c)
    return conns, ok


def cmd_many(port, n):
    """Prints 'first OK' and 'second OK KEPT CLOSED': how many first
    requests were answered, and of the second requests how many were
    answered on their kept connection and how many connections the server
    had closed (listed by their opening order on stderr)."""
    conns, ok = open_kept(port, n)
    print("first", ok)
    kept = closed = 0
    gone = []
    for i, c in enumerate(conns):
        try:
            c.send(req("GET", "/"))
            if c.response()[0] == 200:
                kept += 1
        except (Closed, OSError):
            closed += 1
            gone.append(i)
        c.s.close()
    print("second", kept, closed)
    if gone:
        print("closed by the server:", " ".join(map(str, gone[:50])),
              "..." if len(gone) > 50 else "", file=sys.stderr)


def cmd_timed(port, path, path2):
    """Prints 'first-12k MS' (the first 12 KiB of the first body), 'first
    STATUS LENGTH MS' and 'second STATUS LENGTH MS': milliseconds from
    sending each request."""
    c = Conn(port)
    t0 = time.monotonic()
    c.send(req("GET", path))
    status, hdrs = c.head()
    h = dict(hdrs)
    body = c.exact(12288)
    print("first-12k %d" % ((time.monotonic() - t0) * 1000))
    body += c.exact(int(h["content-length"]) - len(body))
    print("first %d %d %d" % (status, len(body),
                              (time.monotonic() - t0) * 1000))
    t0 = time.monotonic()
    c.send(req("GET", path2))
    status, _, body, _ = c.response()
    print("second %d %d %d" % (status, len(body),
                               (time.monotonic() - t0) * 1000))


def cmd_burst(port, n):
    """Prints 'burst ANSWERED MS': of N connections opened at once, each
    sending a request as soon as it is connected, how many got a response
    head, and the slowest in ms from the first connect."""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        sel.register(s, selectors.EVENT_WRITE, [b""])
    answered = worst = 0
    while sel.get_map() and time.monotonic() - t0 < TIMEOUT:
        for key, ev in sel.select(0.5):
            s = key.fileobj
            if ev & selectors.EVENT_WRITE:
                s.send(req("GET", "/"))
                sel.modify(s, selectors.EVENT_READ, key.data)
                continue
            d = s.recv(4096)
            key.data[0] += d
            if d and b"\r\n\r\n" not in key.data[0]:
                continue
            if d:
                answered += 1
                worst = time.monotonic() - t0
            sel.unregister(s)
            s.close()
    print("burst %d %d" % (answered, worst * 1000))


def cmd_beside(port, n, slow):
    """Prints 'second OK CLOSE MS' and 'third OK CLOSE MS' (of the N:
    answered with 200, answered with Connection: close, the slowest
    answer in ms from sending all N requests), then 'slow STATUS MS' for
    each slow path, in ms from sending it."""
    conns, _ = open_kept(port, n)
    slows = []
    for path in slow:
        c = Conn(port)
        c.send(req("GET", path))
        slows.append((c, time.monotonic()))
    time.sleep(0.3)
    for what in ("second", "third"):
        ok = close = worst = 0
        t0 = time.monotonic()
        for c in conns:
            try:
                c.send(req("GET", "/"))
            except OSError:
                pass
        for c in conns:
            try:
                status, h, _, _ = c.response()
            except (Closed, OSError):
                continue
            worst = max(worst, time.monotonic() - t0)
            ok += status == 200
            close += h.get("connection", "").lower() == "close"
        print("%s %d %d %d" % (what, ok, close, worst * 1000))
    for c, t0 in slows:
        status = c.response()[0]
        print("slow %d %d" % (status, (time.monotonic() - t0) * 1000))


def main(argv):
    cmd, port = argv[1], int(argv[2])
    try:
        if cmd == "seq":
            cmd_seq(port, int(argv[3]), argv[4], argv[5])
        elif cmd == "pipeline":
            cmd_pipeline(port, argv[3:])
        elif cmd == "later":
            cmd_later(port, float(argv[3]), argv[4:])
        elif cmd == "mixed":
            cmd_mixed(port, int(argv[3]))
        elif cmd == "expect":
            cmd_expect(port, int(argv[3]))
        elif cmd == "chunked":
            cmd_chunked(port, int(argv[3]))
        elif cmd == "upgrade":
            cmd_upgrade(port)
        elif cmd == "http10":
            cmd_http10(port)
        elif cmd == "idle":
            cmd_idle(port, float(argv[3]))
        elif cmd == "partial":
            cmd_partial(port)
        elif cmd == "many":
            cmd_many(port, int(argv[3]))
        elif cmd == "timed":
            cmd_timed(port, argv[3], argv[4])
        elif cmd == "burst":
            cmd_burst(port, int(argv[3]))
        elif cmd == "beside":
            cmd_beside(port, int(argv[3]), argv[4:])
        else:
            sys.exit("h1.py: unknown command " + cmd)
    except (Closed, socket.timeout, OSError, ValueError) as e:
        print("h1.py %s: %s" % (cmd, e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
