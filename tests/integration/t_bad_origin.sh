#!/bin/bash
# An origin's invalid response is never passed on as if it were valid:
# a head that does not parse, ambiguous framing, an unasked-for 101 or an
# over-large head gets 502; no answer within read_timeout gets 504; a body
# cut short or with invalid chunk framing ends the client connection
# without a valid end, and nothing after the bad byte reaches the client.
. "$(dirname "$0")/lib.sh"
BP=$(free_port)
python3 "$top_srcdir/tests/integration/badorigin.py" "$BP" > "$T/bad.out" 2>&1 &
PIDS="$PIDS $!"
wait_until 5 port_open "$BP" || { fail "bad origin did not start"; finish; }
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    read_timeout = 2
    server "127.0.0.1:$BP" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
for path in garbage cl-te two-cl 101 big-head close; do
	check "/$path: 502" test "$(status "http://127.0.0.1:$P/$path")" = 502
done
start=$(date +%s)
check "/silent: 504" test "$(status "http://127.0.0.1:$P/silent")" = 504
check "/silent: answered after read_timeout" test $(($(date +%s) - start)) -le 5
raw "$P" < <(printf 'GET /bad-chunk HTTP/1.1\r\nHost: x\r\n\r\n') > "$T/bc"
check "/bad-chunk: the valid part arrives" grep -q '^hello' "$T/bc"
check "/bad-chunk: nothing from the bad chunk size on" test "$(grep -c 'smuggled\|^zz' "$T/bc")" -eq 0
check "/bad-chunk: no final chunk forwarded" test "$(grep -c '^0' "$T/bc")" -eq 0
curl -s --max-time 10 "http://127.0.0.1:$P/short" > /dev/null; rc=$?
check "/short: the client sees a truncated body (curl exit $rc)" test "$rc" -eq 18
curl -s -i --max-time 10 "http://127.0.0.1:$P/hop" | tr -d '\r' > "$T/hop"
check "hop-by-hop response fields not forwarded" test "$(grep -ciE '^(x-private|keep-alive|proxy-connection|te|trailer|upgrade):' "$T/hop")" -eq 0
check "end-to-end response field forwarded" grep -qx 'X-End-To-End: kept' "$T/hop"
check "the response says Connection: close to an HTTP/1.1 client only when closing" test "$(grep -ci '^connection:' "$T/hop")" -eq 0
check "the body follows" test "$(tail -n 1 "$T/hop")" = hop
curl -s -D "$T/lh.h" -o "$T/lh.b" --max-time 10 "http://127.0.0.1:$P/long-head"
check "a 60,000-byte head in 1,000-byte pieces passes whole" test "$(tr -d '\r' < "$T/lh.h" | sed -n 's/^X-Long: //p' | wc -c)" -eq 59901
check "and so does the 1 MiB body after it" test "$(wc -c < "$T/lh.b")" -eq 1048576 -a "$(tail -c 4 "$T/lh.b")" = end
check "a valid response still passes" test "$(get "http://127.0.0.1:$P/ok")" = "bad-origin ok"
finish
