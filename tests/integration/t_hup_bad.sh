#!/bin/bash
# SIGHUP with a broken configuration: the error log names file:line, the
# running generation keeps serving unchanged; SIGHUP with a good one
# restarts at once.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
cp "$T/t.conf" "$T/good.conf"
sed -i 's/scheduler = "rr"/scheduler = "bogus"/' "$T/t.conf"
kill -HUP "$TCPVSD_PID"
L=$(grep -n 'scheduler = "bogus"' "$T/t.conf" | cut -d: -f1)
check "the error log names file:line" wait_until 5 grep -q "$T/t.conf:$L: virtual web: scheduler 'bogus'" "$T/tcpvsd.log"
check "reload rejected, generation 1 keeps serving" grep -q "reload rejected: generation 1 keeps serving" "$T/tcpvsd.log"
check "still serving from a" test "$(get "http://127.0.0.1:$P/")" = a
sed "s/$PORT_a/$PORT_b/" "$T/good.conf" > "$T/t.conf"
kill -HUP "$TCPVSD_PID"
check "generation 2 after a good SIGHUP" wait_until 5 grep -q "generation 2 serving" "$T/tcpvsd.log"
check "now served from b" wait_until 5 eventually 'test "$(get "http://127.0.0.1:$P/")" = b'
finish
