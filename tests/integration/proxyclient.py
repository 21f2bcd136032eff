# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The tcpvs developers
"""PROXY protocol helpers for t_proxy.sh, bounded in time.

  proxyclient.py send PORT v1|v2|none SRC SPORT PATH [BIND]
      connect to 127.0.0.1:PORT (from BIND), send a PROXY header claiming
      SRC:SPORT (none: no header), then "GET PATH", print the answer
  proxyclient.py origin PORT LOGFILE
      a one-thread origin that expects a PROXY header on each connection,
      appends it (v1 as text, v2 as "v2 SRC SPORT" or "v2 LOCAL") to
      LOGFILE and answers every request "200 proxied"

request() is the client as a function, also over TLS (the header in
clear before the ClientHello), for tests that import it.
"""
import ipaddress
import socket
import ssl
import struct
import sys

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def header(version, src, sport, dst="127.0.0.1", dport=80):
    if version == "none":
        return b""
    ip = ipaddress.ip_address(src)
    if version == "v1":
        fam = "TCP4" if ip.version == 4 else "TCP6"
        return ("PROXY %s %s %s %d %d\r\n" % (fam, src, dst if ip.version
                == 4 else "::1", sport, dport)).encode()
    d = ipaddress.ip_address(dst if ip.version == 4 else "::1")
    body = ip.packed + d.packed + struct.pack("!HH", sport, dport)
    fam = 0x11 if ip.version == 4 else 0x21
    return SIG + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


def request(port, version, src, sport, path, bind=None, tls=None):
    """The answer to GET PATH sent after a PROXY header claiming SRC:SPORT
    (version none: no header), over TLS when tls is (CAFILE, NAME): the
    server verified against CAFILE for NAME.  A timeout or a reset while
    reading ends the answer; one before raises."""
    s = socket.socket()
    s.settimeout(10)
    if bind:
        s.bind((bind, 0))
    s.connect(("127.0.0.1", int(port)))
    get = ("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" %
           path).encode()
    if tls:
        s.sendall(header(version, src, int(sport)))
        ctx = ssl.create_default_context(cafile=tls[0])
        s = ctx.wrap_socket(s, server_hostname=tls[1])
        s.sendall(get)
    else:
        s.sendall(header(version, src, int(sport)) + get)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def send(port, version, src, sport, path, bind=None):
    sys.stdout.buffer.write(request(port, version, src, sport, path, bind))


def read_header(c):
    first = c.recv(16, socket.MSG_PEEK)
    if first.startswith(SIG):
        head = c.recv(16)
        n = struct.unpack("!H", head[14:16])[0]
        body = c.recv(n) if n else b""
        if head[12] & 0x0f == 0:
            return "v2 LOCAL"
        alen = 4 if head[13] == 0x11 else 16
        src = ipaddress.ip_address(body[:alen])
        sport = struct.unpack("!H", body[2 * alen:2 * alen + 2])[0]
        return "v2 %s %d" % (src, sport)
    line = b""
    while not line.endswith(b"\r\n") and len(line) < 108:
        b = c.recv(1)
        if not b:
            break
        line += b
    return line.decode(errors="replace").strip()


def origin(port, logfile):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(port)))
    ls.listen(64)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        c.settimeout(10)
        try:
            h = read_header(c)
            with open(logfile, "a") as f:
                f.write(h + "\n")
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    b = c.recv(65536)
                    if not b:
                        raise EOFError
                    buf += b
                buf = buf[buf.index(b"\r\n\r\n") + 4:]
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n"
                          b"proxied\n")
        except (EOFError, OSError):
            pass
        c.close()


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(*sys.argv[2:])
    else:
        origin(*sys.argv[2:])
