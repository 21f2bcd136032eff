#!/bin/bash
# Reopening the logs (tcpvsadm --reopen-logs) when workers run as another
# user (user = "nobody"): the master creates the new files and gives them
# to that user, so the workers, which cannot create files in the log
# directory, reopen them and write there: an access-log line and a
# worker's error-log line (a connect refused once an origin stopped) land
# in the new files.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (CI runs as root)"
id nobody > /dev/null 2>&1 || skip "no user nobody"
CTL=$T/ctl.sock
start_origin a; start_origin b
P=$(free_port)
chmod 755 "$T"; mkdir -m 755 "$T/log"
{ conf_header | sed "s|errorlog = \"stderr\"|errorlog = \"$T/log/error.log\"|"
  cat <<EOF2
user = "nobody"
accesslog = "$T/log/access.log"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
}
EOF2
} > "$T/t.conf"
timeout 10 "$TCPVSD" -f "$T/t.conf" > "$T/cmd.out" 2>&1
wait_until 5 test -s "$T/tcpvsd.pid" || { fail "no pidfile"; finish; }
D=$(cat "$T/tcpvsd.pid"); PIDS="$PIDS $D"
wait_until 10 port_open "$P" || { fail "tcpvsd did not listen on $P"; finish; }
hits() { for i in $(seq 4); do get "http://127.0.0.1:$P/$1$i" > /dev/null; done; }
hits before
mv "$T/log/error.log" "$T/log/error.log.1"; mv "$T/log/access.log" "$T/log/access.log.1"
g=$(gen)
check "tcpvsadm --reopen-logs" adm --reopen-logs
check "the new error log belongs to nobody" wait_until 5 eventually '[ "$(stat -c %U "$T/log/error.log")" = nobody ]'
check "the master logs in it" grep -q "logs reopened" "$T/log/error.log"
check "workers write their access lines to the new file" wait_until 5 eventually 'hits after; grep -q "GET /after" "$T/log/access.log"'
check "the new access log belongs to nobody" test "$(stat -c %U "$T/log/access.log")" = nobody
sleep 1.5	# every worker has followed: its tick is one second
stop_origin b
check "a worker's refused connect is in the new error log" wait_until 5 eventually 'hits again; grep -q "server 127.0.0.1:$PORT_b: connect: Connection refused" "$T/log/error.log"'
check "no process failed to reopen a log" eval '! grep -v "logs reopened" "$T/log/error.log" | grep -q reopen'
check "same generation" test "$(gen)" = "$g"
finish
