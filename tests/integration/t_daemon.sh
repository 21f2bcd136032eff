#!/bin/bash
# Without -F tcpvsd detaches (the command returns, the daemon is in a new
# session with no terminal), writes its pidfile, logs to the errorlog file,
# and reopens that file on SIGUSR1 (logrotate); SIGTERM removes the pidfile.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header | sed "s|errorlog = \"stderr\"|errorlog = \"$T/error.log\"|"; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
timeout 10 "$TCPVSD" -f "$T/t.conf" > "$T/cmd.out" 2>&1; rc=$?
check "tcpvsd returns at once with status 0 (got $rc)" test "$rc" -eq 0
check "the pidfile appears" wait_until 5 test -s "$T/tcpvsd.pid"
D=$(cat "$T/tcpvsd.pid")
PIDS="$PIDS $D"
check "the daemon runs" kill -0 "$D"
check "it runs in a session of its own" test "$(ps -o sid= -p "$D" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')"
check "with no controlling terminal" test "$(ps -o tty= -p "$D" | tr -d ' ')" = "?"
check "it serves" wait_until 5 eventually 'test "$(get "http://127.0.0.1:$P/")" = a'
check "it logs to the errorlog file" wait_until 5 grep -q "starting with" "$T/error.log"
check "nothing on the terminal" test ! -s "$T/cmd.out"
mv "$T/error.log" "$T/error.log.1"
kill -USR1 "$D"
check "SIGUSR1 reopens the errorlog: the restart is logged in a new file" wait_until 5 grep -q "graceful restart" "$T/error.log"
check "the old file has no line of the restart" test "$(grep -c 'graceful restart' "$T/error.log.1")" -eq 0
check "still serving after the restart" test "$(get "http://127.0.0.1:$P/")" = a
kill -TERM "$D"
gone() { ! kill -0 "$D" 2>/dev/null; }
check "SIGTERM stops the daemon" wait_until 10 gone
check "and removes the pidfile" test ! -e "$T/tcpvsd.pid"
finish
