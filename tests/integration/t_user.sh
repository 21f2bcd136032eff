#!/bin/bash
# Started as root with user = "nobody": the master keeps root, every
# worker runs as nobody; started as root without user, tcpvsd warns.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (CI runs as root)"
id nobody > /dev/null 2>&1 || skip "no user nobody"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
user = "nobody"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "served through workers running as nobody" test "$(get "http://127.0.0.1:$P/")" = a
check "master runs as root" test "$(ps -o user= -p "$TCPVSD_PID" | tr -d ' ')" = root
for k in $(children); do
	check "worker $k runs as nobody" test "$(ps -o user= -p "$k" | tr -d ' ')" = nobody
done
check "no warning about root" test "$(grep -c 'running as root' "$T/tcpvsd.log")" -eq 0
kill -TERM "$TCPVSD_PID"; wait "$TCPVSD_PID"
sed -i '/^user = /d' "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "without user: the warning names the option" wait_until 5 grep -q "running as root without a user option" "$T/tcpvsd.log"
finish
