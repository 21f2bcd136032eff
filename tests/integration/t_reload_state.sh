#!/bin/bash
# Runtime state across reloads and log rotation (issue 23).  A drain, a
# disable and a weight set with tcpvsadm survive SIGUSR1, SIGHUP and the
# logrotate action (SIGUSR2, tcpvsadm --reopen-logs); -L marks them "*";
# -e with the configured weight, --enable and --reset clear them, and the
# next reload then takes the file's values.  Reopening the logs changes
# nothing else (same generation) and the master and the workers write to
# the new files.  -S writes the admin states and its output loads back
# with them.  A configuration loaded with -f is replaced by the next
# reload, with a warning at the change and at the reload.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a; start_origin b; start_origin c
P=$(free_port)
A=127.0.0.1:$PORT_a; B=127.0.0.1:$PORT_b; C=127.0.0.1:$PORT_c
{ conf_header | sed "s|errorlog = \"stderr\"|errorlog = \"$T/error.log\"|"
  cat <<EOF2
accesslog = "$T/access.log"
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    server "$A" { }
    server "$B" { }
    server "$C" { weight = 2 }
}
EOF2
} > "$T/t.conf"
timeout 10 "$TCPVSD" -f "$T/t.conf" > "$T/cmd.out" 2>&1
wait_until 5 test -s "$T/tcpvsd.pid" || { fail "no pidfile"; finish; }
D=$(cat "$T/tcpvsd.pid"); PIDS="$PIDS $D"
wait_until 10 port_open "$P" || { fail "tcpvsd did not listen on $P"; finish; }
# srv ADDR: the -L -n line of a server, from the address on
srv() { adm -L -n -i web | grep -E "^  -> ${1//./\\.} " | sed 's/^  -> //'; }
has() { srv "$1" | grep -qE "$2"; }
hits() { for i in $(seq "$1"); do get "http://127.0.0.1:$P/h$i"; echo; done | grep -v '^$'; }
only_c() { test "$(hits 6 | grep -cx c)" -eq 6; }
newgen() { wait_until 10 eventually "test \"\$(gen)\" = $1"; }

check "--drain a" adm --drain -i web -r "$A"
check "--disable b" adm --disable -i web -r "$B"
check "-e -w 5 c" adm -e -i web -r "$C" -w 5
check "-L: a drain*" has "$A" " drain\* +[^ ]+$"
check "-L: b disabled*" has "$B" " disabled\* +[^ ]+$"
check "-L: c weight 5*" has "$C" "^[^ ]+ +5\* "
check "-L: the key of *" grep -q "^\* set with tcpvsadm" <<< "$(adm -L -n)"
check "all requests to c" only_c

g=$(gen)
kill -USR1 "$D"
check "SIGUSR1: a new generation" newgen $((g + 1))
check "after SIGUSR1: a still drain*" has "$A" " drain\* +[^ ]+$"
check "after SIGUSR1: b still disabled*" has "$B" " disabled\* +[^ ]+$"
check "after SIGUSR1: c still weight 5*" has "$C" "^[^ ]+ +5\* "
check "after SIGUSR1: all requests to c" only_c
kill -HUP "$D"
check "SIGHUP: a new generation" newgen $((g + 2))
check "after SIGHUP: a drain*, b disabled*, c 5*" eval 'has "$A" " drain\* +[^ ]+$" && has "$B" " disabled\* +[^ ]+$" && has "$C" "^[^ ]+ +5\* "'

# logrotate: move the files, reopen; nothing else changes
g=$(gen)
rotate() { # rotate N COMMAND...: move the logs to .N, then run COMMAND
	local n=$1; shift
	mv "$T/error.log" "$T/error.log.$n"; mv "$T/access.log" "$T/access.log.$n"
	"$@"
}
# the postrotate script contrib/tcpvsd.logrotate ships, on this pidfile
sed -n '/postrotate/,/endscript/{/postrotate\|endscript/d;p}' \
    "$top_srcdir/contrib/tcpvsd.logrotate" | sed "s|/run/tcpvsd.pid|$T/tcpvsd.pid|g" > "$T/postrotate"
check "contrib/tcpvsd.logrotate has a postrotate script" grep -q pid "$T/postrotate"
for how in "adm --reopen-logs" "kill -USR2 $D" "sh $T/postrotate"; do
	n=${how%% *}
	check "$how: succeeds" rotate "$n" $how
	check "$how: the master logs in a new error log" wait_until 5 grep -q "logs reopened" "$T/error.log"
	# a worker asleep in epoll follows within its one-second tick
	check "$how: the workers log in a new access log" wait_until 5 eventually 'get "http://127.0.0.1:$P/rot" > /dev/null; grep -q "GET /rot" "$T/access.log"'
	check "$how: same generation" test "$(gen)" = "$g"
	check "$how: a drain*, b disabled*, c 5*" eval 'has "$A" " drain\* +[^ ]+$" && has "$B" " disabled\* +[^ ]+$" && has "$C" "^[^ ]+ +5\* "'
	check "$how: all requests to c" only_c
done

# killall -USR2 would reach the children too: they ignore it
kids=$(pgrep -P "$D" | tr '\n' ' ')
kill -USR2 $kids
sleep 0.5
check "SIGUSR2 to every child: all still running ($kids)" kill -0 $kids

# -S: admin states as configuration, loaded back
adm -S > "$T/saved.conf"
check "-S: admin = 'drain' on a" grep -q "server '$A' { weight = 1 admin = 'drain' }" "$T/saved.conf"
check "-S: admin = 'disable' on b" grep -q "server '$B' { weight = 1 admin = 'disable' }" "$T/saved.conf"
check "-S: weight 5 on c" grep -q "server '$C' { weight = 5 }" "$T/saved.conf"
check "-S output passes tcpvsd -t" "$TCPVSD" -t -f "$T/saved.conf"

# clearing: configured weight, --enable, --reset; then a reload
check "-e -w 2 (the configured weight) c" adm -e -i web -r "$C" -w 2
check "-L: c weight 2, no *" has "$C" "^[^ ]+ +2 "
check "--enable b" adm --enable -i web -r "$B"
check "-L: b active, no *" has "$B" " active +[^ ]+$"
check "--reset a" adm --reset -i web -r "$A"
check "-L: a active, no *" has "$A" " active +[^ ]+$"
check "-L: no key when nothing is set" eval '! adm -L -n | grep -q "^\*"'
check "--reset: no new generation" test "$(gen)" = "$g"

# -f: the saved file's admin states load; a reload reads t.conf again
adm -f "$T/saved.conf" 2> "$T/load.err"; rc=$?
check "-f saved.conf: exit 0 ($rc)" test "$rc" -eq 0
check "-f: tcpvsadm says a reload reads t.conf again" grep -qx "tcpvsadm: note: a reload of tcpvsd reads $T/t.conf again and replaces $T/saved.conf; copy it there to keep it" "$T/load.err"
check "-f: a drain (configured, no *)" has "$A" " drain +[^ ]+$"
check "-f: b disabled (configured, no *)" has "$B" " disabled +[^ ]+$"
check "-f: c weight 5 (configured, no *)" has "$C" "^[^ ]+ +5 "
check "-f: tcpvsd warns that a reload replaces it" wait_until 5 grep -q "differs from $T/t.conf: a reload reads the file again" "$T/error.log"
check "-a, -d: two more changes" eval 'adm -a -i web -r 127.0.0.1:1 -w 0 && adm -d -i web -r 127.0.0.1:1'
check "the warning comes once until the next reload" test "$(grep -c "differs from $T/t.conf" "$T/error.log")" -eq 1
g=$(gen)
kill -USR1 "$D"
check "SIGUSR1 after -f: a new generation" newgen $((g + 1))
check "SIGUSR1 after -f: warned" wait_until 5 grep -q "reload: $T/t.conf replaced the configuration changed with tcpvsadm" "$T/error.log"
check "SIGUSR1 after -f: the file's states (a active, b active, c 2)" eval 'has "$A" "^[^ ]+ +1 .* active +[^ ]+$" && has "$B" " active +[^ ]+$" && has "$C" "^[^ ]+ +2 "'
check "SIGUSR1 after -f: requests to every server" test "$(hits 8 | sort -u | tr -d '\n')" = abc
finish
