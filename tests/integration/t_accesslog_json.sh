#!/bin/bash
# accesslog_format = "json" (issue 23): one JSON object a line, whatever
# a client sends.  Hostile request lines and header fields -- quotes,
# backslashes, every control byte, invalid UTF-8 (overlong, surrogates,
# truncated), 8 KiB fields, two of them at once -- each give exactly one
# line, every line parses (python3 -m json.tool, and json.loads), strings
# read back as the bytes sent with each invalid sequence as U+FFFD, and a
# field too large for the line is cut, never the line.  A JSON template
# of the operator's own ({...} with directives as values) works too.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port); P2=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    maxclients = 8
    max_header_size = 32768
    accesslog = "$T/access.json"
    accesslog_format = "json"
    server "127.0.0.1:$PORT_a" { }
}
virtual custom {
    listen = "127.0.0.1:$P2"
    scheduler = "rr"
    startservers = 1
    maxclients = 4
    accesslog = "$T/custom.json"
    accesslog_format = "{\"ua\": %{User-Agent}i, \"st\": %s, \"end\": %X, \"why\": %E, \"pct\": \"%%\"}"
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 5 port_open "$P2"

# send the hostile requests, one connection each; write what was sent
python3 - "$P" "$T/sent" <<'EOP'
import json, socket, sys
port, sent = int(sys.argv[1]), sys.argv[2]
bad_utf8 = b"\xff\xfe\xc0\x80\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"
junk = b'"\\' + bytes(range(0x80, 0x100)) + b"caf\xc3\xa9 \xf0\x9f\x98\x80 "
big = (junk * 64)[:8192]
reqs = [
    # (request line, header fields)
    (b'GET /q"uo\\te HTTP/1.1', [b"User-Agent: a\"b\\c"]),
    (b"GET /ctl\x01\x1b[31m\x7f HTTP/1.1", []),
    (b"GET /nul\x00x HTTP/1.1", []),
    (b"GET /" + bad_utf8 + b" HTTP/1.1", []),
    (b"GET /cr\rx HTTP/1.1", []),
    (b'GET /"' + b"\\" * 4000 + b'" HTTP/1.1', []),
    (b"GET /" + b"\x01" * 8000 + b" HTTP/1.1", []),
    (b"GET /ua HTTP/1.1", [b"User-Agent: " + bad_utf8 + b'"\\']),
    (b"GET /ctlfield HTTP/1.1", [b"User-Agent: a\x01b\x1fc"]),
    (b"GET /big HTTP/1.1", [b"User-Agent: " + big]),
    (b"GET /two HTTP/1.1", [b"User-Agent: " + b"\xff" * 8192,
                           b"Referer: " + b"\xfe" * 8192]),
] + [(b"GET /c%02x HTTP/1.1" % c, [b"User-Agent: x" + bytes([c]) + b"y"])
     for c in list(range(0, 0x20)) + [0x7f]]
with open(sent, "w") as f:
    for line, fields in reqs:
        head = line + b"\r\nHost: t\r\nConnection: close\r\n"
        head += b"".join(x + b"\r\n" for x in fields) + b"\r\n"
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(head)
        try:
            while s.recv(65536):
                pass
        except OSError:
            pass
        s.close()
        ua = [x[12:] for x in fields if x.startswith(b"User-Agent: ")]
        f.write(json.dumps({
            "line": line.decode("utf-8", "replace"),
            "ua": ua[0].decode("utf-8", "replace") if ua else None}) + "\n")
EOP
n=$(wc -l < "$T/sent")
check "$n hostile requests sent" test "$n" -ge 40
get "http://127.0.0.1:$P/plain" -A "curl \"quoted\"" > /dev/null
n=$((n + 1))
lines() { wc -l < "$T/access.json"; }
check "one line per request: $n" wait_until 10 eventually 'test "$(lines)" -eq "$n"'

# every line, on its own, through python3 -m json.tool
bad=0; i=0
while IFS= read -r l && [ "$i" -lt 1000 ]; do
	i=$((i + 1))
	printf '%s\n' "$l" | python3 -m json.tool > /dev/null 2>&1 || bad=$((bad + 1))
done < "$T/access.json"
check "python3 -m json.tool parses all $i lines ($bad fail)" test "$bad" -eq 0 -a "$i" -eq "$n"

python3 - "$T/access.json" "$T/sent" > "$T/verdict" 2>&1 <<'EOP'
import json, sys
raw = open(sys.argv[1], "rb").read()
sent = [json.loads(l) for l in open(sys.argv[2])]
fails = []
def fail(m):
    fails.append(m)
keys = {"time", "client", "virtual", "request", "method", "path", "host",
        "status", "bytes", "referer", "user_agent", "server", "tq", "tc",
        "tr", "tt", "term", "reason", "tls_version", "tls_cipher", "sni",
        "client_s_dn"}
objs = []
for i, l in enumerate(raw.split(b"\n")[:-1]):
    if any(b < 0x20 for b in l):
        fail("line %d holds a raw control byte" % i)
    try:
        l.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        fail("line %d is not UTF-8: %s" % (i, e))
    o = json.loads(l)
    objs.append(o)
    if set(o) != keys:
        fail("line %d keys %s" % (i, sorted(set(o) ^ keys)))
    if not (isinstance(o["term"], str) and len(o["term"]) == 2):
        fail("line %d term %r" % (i, o["term"]))
    if len(l) > 65536:
        fail("line %d of %d bytes" % (i, len(l)))
by_line = {}
for o in objs:
    if o["request"] is not None:
        by_line.setdefault(o["request"], o)
for s in sent:
    o = by_line.get(s["line"])
    if o is None:
        # a request line longer than a field is cut: a prefix of it
        cands = [x for x in objs if x["request"] and len(x["request"]) >= 16
                 and s["line"].startswith(x["request"])]
        if not cands:
            fail("no line for %r" % s["line"][:60])
            continue
        o = cands[0]
    if o["status"] == 200:
        if o["term"] != "--" or o["reason"] is not None:
            fail("%r: 200 with %r %r" % (s["line"][:40], o["term"], o["reason"]))
        if s["ua"] is not None and not s["ua"].startswith(o["user_agent"] or ""):
            fail("%r: user_agent %r" % (s["line"][:40], (o["user_agent"] or "")[:40]))
        if s["ua"] is not None and len(s["ua"]) <= 4096 and o["user_agent"] != s["ua"]:
            fail("%r: user_agent not whole" % s["line"][:40])
    elif o["status"] in (400, 414, 431):
        if o["term"] not in ("FR", "PR") or not o["reason"]:
            fail("%r: %r %r %r" % (s["line"][:40], o["status"], o["term"], o["reason"]))
# the operator's stated expectations
ok = [o for o in objs if o["path"] == "/ua"]
if not ok or ok[0]["user_agent"] != "\ufffd" * 15 + '"\\':
    fail("invalid UTF-8 field: %r" % (ok[0]["user_agent"] if ok else None))
two = [o for o in objs if o["path"] == "/two"]
if not two or not (1 <= len(two[0]["user_agent"]) < 8192 and set(two[0]["user_agent"]) == {"\ufffd"}):
    fail("two 8 KiB fields: not cut to fit")
big = [o for o in objs if o["path"] == "/big"]
if not big or len(big[0]["user_agent"]) < 4000:
    fail("one 8 KiB field: %r chars" % (len(big[0]["user_agent"]) if big else None))
plain = [o for o in objs if o["path"] == "/plain"]
if not plain or plain[0]["user_agent"] != 'curl "quoted"' or plain[0]["method"] != "GET" \
        or not isinstance(plain[0]["status"], int) or plain[0]["virtual"] != "web":
    fail("plain request: %r" % (plain[0] if plain else None))
print("\n".join(fails) if fails else "all good")
sys.exit(1 if fails else 0)
EOP
check "every line is an object with every field; strings are what was sent: $(head -c 2000 "$T/verdict")" grep -qx "all good" "$T/verdict"

# the operator's own JSON
get "http://127.0.0.1:$P2/" -A 'x"y\z' > /dev/null
check "a JSON template: directives as values" wait_until 5 grep -qxF '{"ua": "x\"y\\z", "st": 200, "end": "--", "why": null, "pct": "%"}' "$T/custom.json"
{ conf_header; cat <<EOF2
virtual q {
    listen = "127.0.0.1:$P2"
    accesslog_format = "{\"ua\": \"%{User-Agent}i\"}"
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/q.conf"
check "a directive quoted in a JSON template is a load error" eval '! "$TCPVSD" -t -f "$T/q.conf" > "$T/tout" 2>&1'
check "that names the directive: $(head -c 300 "$T/tout")" grep -q 'User-Agent.*without quotes' "$T/tout"
finish
