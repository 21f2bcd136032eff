#!/bin/bash
# The access log (issues 6, 23): exactly one well-formed line per request --
# also under concurrent load from many workers, written with one write on
# O_APPEND -- in Apache's combined format plus the real server and times,
# then the termination code and reason, or the fields accesslog_format
# names; bytes from clients escaped; a refused head logs what came; a
# graceful restart (SIGUSR1) reopens it after rotation.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port); P2=$(free_port)
{ conf_header; cat <<EOF2
accesslog = "$T/access.log"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 8
    maxclients = 32
    server "127.0.0.1:$PORT_a" { }
}
virtual custom {
    listen = "127.0.0.1:$P2"
    scheduler = "rr"
    startservers = 1
    maxclients = 4
    accesslog = "$T/custom.log"
    accesslog_format = "%v %h %s %S %{X-Test}i %%"
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 5 port_open "$P2"
for i in $(seq 20); do get "http://127.0.0.1:$P/page?i=$i" -A "agent $i" -e "http://ref/$i" > /dev/null; done
status "http://127.0.0.1:$P/status/404" > /dev/null
printf 'GARBAGE\r\n\r\n' > "$T/bad"; raw "$P" < "$T/bad" > /dev/null
get "http://127.0.0.1:$P/x" -A "$(printf 'say "caf\303\251"')" > /dev/null
lines() { wc -l < "$1"; }
check "one line per request: 23" wait_until 5 eventually 'test "$(lines "$T/access.log")" -eq 23'
re='^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} [-+][0-9]{4}\] "[^"]*" ([0-9]{3}|-) ([0-9]+|-) "[^"]*" "[^"]*" [^ ]+ ([0-9]+|-) ([0-9]+|-) ([0-9]+|-) [0-9]+ (--|[CScsPFKI][RCBHD-]) "[^"]*"$'
check "every line is combined format plus server, times, termination" test "$(grep -cEv "$re" "$T/access.log")" -eq 0
check "a complete exchange ends in -- \"-\"" grep -q "\"GET /page?i=7 HTTP/1.1\" 200 .* -- \"-\"\$" "$T/access.log"
check "a request line, status, referer and agent as sent" grep -q "\"GET /page?i=7 HTTP/1.1\" 200 [0-9]* \"http://ref/7\" \"agent 7\" 127.0.0.1:$PORT_a " "$T/access.log"
check "the origin's 404 logged" grep -q '"GET /status/404 HTTP/1.1" 404 ' "$T/access.log"
check "tcpvsd's own 400 logged, no server, what came and why" grep -qE '"GARBAGE" 400 [0-9]+ "-" "-" - .* FR "invalid method"$' "$T/access.log"
check "quotes and non-ASCII bytes from the client escaped" grep -qF '"say \x22caf\xc3\xa9\x22"' "$T/access.log"
get "http://127.0.0.1:$P2/" -H 'X-Test: hello' > /dev/null
check "accesslog_format picks fields" wait_until 5 grep -qx "custom 127.0.0.1 200 127.0.0.1:$PORT_a hello %" "$T/custom.log"

# many workers at once: every line whole
: > "$T/access.log"
python3 "$top_srcdir/tests/integration/faultload.py" "$P" "$PORT_a" 8 4 / close > "$T/load" 2>&1
eval "$(tr ' ' '\n' < "$T/load" | grep '=')"
check "concurrent load: $complete requests, $complete lines" wait_until 5 eventually 'test "$(lines "$T/access.log")" -eq "$complete"'
check "concurrent load: every line well-formed" test "$(grep -cEv "$re" "$T/access.log")" -eq 0

# rotation: move the file away, graceful restart, a new file
mv "$T/access.log" "$T/access.log.1"
kill -USR1 "$TCPVSD_PID"
reopened() { get "http://127.0.0.1:$P/after" > /dev/null; [ -s "$T/access.log" ] && grep -q 'GET /after' "$T/access.log"; }
check "after SIGUSR1 the log is reopened" wait_until 10 reopened
finish
