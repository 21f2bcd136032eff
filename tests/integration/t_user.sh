#!/bin/bash
# Started as root with user = "nobody": the master keeps root, every
# worker and the health checker run as nobody with no capabilities (none
# effective, permitted or bounded back); started as root without user,
# tcpvsd warns.
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
    check = "tcp"
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "served through workers running as nobody" test "$(get "http://127.0.0.1:$P/")" = a
check "master runs as root" test "$(ps -o user= -p "$TCPVSD_PID" | tr -d ' ')" = root
check "two workers and the health checker up" wait_until 5 eventually '[ "$(children | wc -l)" -ge 3 ]'
caps() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
seen=0
for k in $(children); do
	seen=$((seen + 1))
	what="$(ps -o comm= -p "$k") $k"
	check "$what runs as nobody" test "$(ps -o user= -p "$k" | tr -d ' ')" = nobody
	check "$what has no effective capabilities" test "$(caps "$k" CapEff)" = 0000000000000000
	check "$what has no permitted capabilities" test "$(caps "$k" CapPrm)" = 0000000000000000
done
check "the per-child checks ran on 3 children or more ($seen)" test "$seen" -ge 3
check "the health checker is among them" test "$(ps -o comm= --ppid "$TCPVSD_PID" | grep -c tcpvsd-health)" -eq 1
check "no warning about root" test "$(grep -c 'running as root' "$T/tcpvsd.log")" -eq 0
kill -TERM "$TCPVSD_PID"; wait "$TCPVSD_PID"
sed -i '/^user = /d' "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
check "without user: the warning names the option" wait_until 5 grep -q "running as root without a user option" "$T/tcpvsd.log"
# user = "root" is a choice: warned, and workers serve (no fork loop)
kill -TERM "$TCPVSD_PID"; wait "$TCPVSD_PID"
sed -i '1i user = "root"' "$T/t.conf"
: > "$T/tcpvsd.log"
start_tcpvsd "$T/t.conf" "$P"
check "user = root: warned" wait_until 5 grep -q 'user = "root" in .*: workers serve clients as root' "$T/tcpvsd.log"
check "user = root: served" test "$(get "http://127.0.0.1:$P/")" = a
sleep 1
check "user = root: no worker died" test "$(grep -c 'regained\|exited with status' "$T/tcpvsd.log")" -eq 0
finish
