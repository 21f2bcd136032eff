# SPDX-License-Identifier: GPL-2.0-or-later
"""An origin that answers wrongly, by the request path, for tests of how
tcpvsd treats invalid responses:

    /garbage      bytes that are no status line
    /cl-te        Content-Length with Transfer-Encoding: chunked
    /two-cl       two different Content-Length values
    /bad-chunk    a valid chunked head, then an invalid chunk size
    /short        Content-Length 100, 10 bytes, close
    /close        closes without answering
    /silent       never answers (holds the connection 30 s)
    /101          101 Switching Protocols nobody asked for
    /big-head     a head larger than any limit
    /long-head    a valid head of 60,000 bytes, sent in 1,000-byte pieces,
                  then 1 MiB of body (ends with "end\n")
    /hop          a valid 200 full of hop-by-hop fields
    anything else a valid 200 "bad-origin ok"

Usage: badorigin.py PORT; prints "listening" when ready.  Each connection
gets a thread; every socket has a timeout.
"""
import socket
import sys
import threading
import time

ANSWERS = {
    "/garbage": b"FOO BAR BAZ\r\n\r\n",
    "/cl-te": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "/two-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
               b"Content-Length: 6\r\n\r\nhello!",
    "/bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\nzz\r\nsmuggled\r\n0\r\n\r\n",
    "/short": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
    "/101": b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            b"Upgrade: websocket\r\n\r\n",
    "/big-head": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200000 +
                 b"\r\nContent-Length: 0\r\n\r\n",
    "/hop": b"HTTP/1.1 200 OK\r\nConnection: X-Private, keep-alive\r\n"
            b"X-Private: secret\r\nKeep-Alive: timeout=99\r\n"
            b"Proxy-Connection: keep-alive\r\nTE: trailers\r\n"
            b"Trailer: X-Sum\r\nUpgrade: h2c\r\nX-End-To-End: kept\r\n"
            b"Content-Length: 4\r\n\r\nhop\n",
}


def serve(c):
    c.settimeout(30)
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            d = c.recv(65536)
            if not d:
                return
            head += d
        path = head.split(b" ", 2)[1].decode("latin-1")
        if path == "/close":
            return
        if path == "/long-head":
            msg = (b"HTTP/1.1 200 OK\r\nX-Long: " + b"b" * 59900 +
                   b"\r\nContent-Length: 1048576\r\n\r\n" +
                   b"0123456789abcdef" * 65535 + b"0123456789ab" + b"end\n")
            for i in range(0, 70000, 1000):
                c.sendall(msg[i:i + 1000])
            c.sendall(msg[70000:])
            time.sleep(0.5)
            return
        if path == "/silent":
            time.sleep(30)
            return
        c.sendall(ANSWERS.get(path, b"HTTP/1.1 200 OK\r\nContent-Length: 14"
                              b"\r\nConnection: close\r\n\r\nbad-origin ok\n"))
        time.sleep(0.5)
    except OSError:
        pass
    finally:
        c.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(64)
    print("listening", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
