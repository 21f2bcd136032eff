#!/bin/bash
# Every tcpvsadm command against a running tcpvsd, each checked by its
# effect: -A with -P and -l, -E (address, scheduler), -a with a host name
# and weight, -e (scoreboard only: same generation), --drain, --disable,
# --enable (where requests go), -d, --add-rule / --del-rule, --stop /
# --start (one service and all), -D, -Z, -F, -f FILE, -h.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a; start_origin b
P=$(free_port); P2=$(free_port); P3=$(free_port)
A=127.0.0.1:$PORT_a; B=127.0.0.1:$PORT_b
{ conf_header | sed 's/^serverlimit = .*/serverlimit = 1024/'; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    maxclients = 64
    server "$A" { }
    server "$B" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
line() { adm -L -n | grep -qE "$1"; }
# server_line IDENT ADDR [REGEX]: the server's -L -n line matches REGEX
server_line() { adm -L -n -i "$1" | grep -qE "^  -> ${2//./\\.} +${3:-}"; }
rules_of() { adm -L -n -i "$1" | tail -n +5 | grep "^  -> rule "; }
# bodies of N requests to web
hits() { for i in $(seq "$1"); do get "http://127.0.0.1:$P/h$i"; echo; done | grep -v '^$'; }

# -A with -P, then -E with -l and -s
check "-A -i api -s wlc -P $P2" adm -A -i api -s wlc -P "$P2"
check "api listens on 0.0.0.0:$P2" wait_until 10 port_open "$P2"
check "-L: api 0.0.0.0:$P2 wlc listening" line "^api +0\.0\.0\.0:$P2 +wlc +listening$"
check "-E -i api -l 127.0.0.1:$P3" adm -E -i api -l "127.0.0.1:$P3"
check "api moved to $P3" wait_until 10 port_open "$P3"
check "$P2 closed" wait_until 10 eventually '! port_open "$P2"'
check "-E -i api -s rr" adm -E -i api -s rr
check "-L: api 127.0.0.1:$P3 rr" line "^api +127\.0\.0\.1:$P3 +rr +listening$"
g=$(gen)
check "-E with nothing to change: ok, no new generation" test "$(adm -E -i api; gen)" = "$g"

# -a with a host name and a weight; -e changes only the scoreboard
check "-a -i api -r localhost:$PORT_a -w 3" adm -a -i api -r "localhost:$PORT_a" -w 3
check "-L -n: api's server by number, weight 3" server_line api "$A" "3 +0 +0"
check "-S keeps the name as written" grep -q "server 'localhost:$PORT_a' { weight = 3 }" <<< "$(adm -S)"
check "-a without port: port 80" adm -a -i api -r 127.0.0.1
check "-L -n: 127.0.0.1:80" server_line api 127.0.0.1:80 1
g=$(gen)
check "-e -i api -r $A -w 5" adm -e -i api -r "$A" -w 5
check "-L: weight 5, set with tcpvsadm" server_line api "$A" "5\\* "
check "-e made no new generation" test "$(gen)" = "$g"
check "-S writes the runtime weight" grep -q "server 'localhost:$PORT_a' { weight = 5 }" <<< "$(adm -S)"
check "-d -i api -r 127.0.0.1:80" adm -d -i api -r 127.0.0.1:80
check "-L: 127.0.0.1:80 gone" eval '! server_line api 127.0.0.1:80' 
check "a structural change keeps the runtime weight" server_line api "$A" "5\\* "
check "get through api" test "$(get "http://127.0.0.1:$P3/")" = a

# drain, disable, enable: where web's requests go, no new generation
g=$(gen)
check "--drain -i web -r $A" adm --drain -i web -r "$A"
check "-L: a drain, set with tcpvsadm" server_line web "$A" "1 +0 +0 +[a-z]+ +drain\\* +[^ ]+$"
check "drained: 10 requests all to b" test "$(hits 10 | grep -cx b)" -eq 10
check "--disable -i web -r $A" adm --disable -i web -r "$A"
check "-L: a disabled, set with tcpvsadm" server_line web "$A" ".* disabled\\* +[^ ]+$"
check "disabled: 10 requests all to b" test "$(hits 10 | grep -cx b)" -eq 10
check "--enable -i web -r $A" adm --enable -i web -r "$A"
check "-L: a active" server_line web "$A" ".* active +[^ ]+$"
check "enabled: 10 requests 5 to a (rr)" test "$(hits 10 | grep -cx a)" -eq 5
check "-e -i web -r $B -w 0 (quiescent)" adm -e -i web -r "$B" -w 0
check "weight 0: 10 requests all to a" test "$(hits 10 | grep -cx a)" -eq 10
check "-e -i web -r $B -w 1" adm -e -i web -r "$B" -w 1
check "drain, disable, enable, -e made no new generation" test "$(gen)" = "$g"

# rules
check "-A -i rules -s http" adm -A -i rules -s http
check "-a -i rules -r $A" adm -a -i rules -r "$A"
check "-a -i rules -r $B" adm -a -i rules -r "$B"
check "--add-rule ^/x/(.*) -> a -m 1" adm --add-rule -i rules -p '^/x/(.*)' -r "$A" -m 1
check "--add-rule same pattern -> b" adm --add-rule -i rules -p '^/x/(.*)' -r "$B"
check "-L: one rule, match 1, a and b" line "^  -> rule '\^/x/\(\.\*\)' match 1 -> ${A//./\\.},${B//./\\.}$"
check "--del-rule -r a: b stays" adm --del-rule -i rules -p '^/x/(.*)' -r "$A"
check "-L: rule -> b" line "^  -> rule '\^/x/\(\.\*\)' match 1 -> ${B//./\\.}$"
check "--del-rule -r b: the rule is gone" adm --del-rule -i rules -p '^/x/(.*)' -r "$B"
check "-L: no rule left" test -z "$(rules_of rules)"
check "--add-rule again, --del-rule without -r" adm --add-rule -i rules -p '^/y' -r "$A"
check "--del-rule -i rules -p ^/y" adm --del-rule -i rules -p '^/y'
check "-L: no rule left" test -z "$(rules_of rules)"
check "-d a server no rule names" adm -d -i rules -r "$B"

# stop and start
check "--stop -i web" adm --stop -i web
check "web stopped listening" wait_until 10 eventually '! port_open "$P"'
check "-L: web stopped" line "^web +127\.0\.0\.1:$P +rr +stopped$"
check "api still listens" port_open "$P3"
check "web has no workers" wait_until 10 eventually '[ "$(sb | grep -c "service=web ")" -eq 0 ]'
check "--start -i web" adm --start -i web
check "web listens again" wait_until 10 port_open "$P"
check "and serves" test -n "$(get "http://127.0.0.1:$P/")"
check "--stop (all)" adm --stop
check "neither listens" wait_until 10 eventually '! port_open "$P" && ! port_open "$P3"'
check "--start (all)" adm --start
check "both listen again" wait_until 10 eventually 'port_open "$P" && port_open "$P3"'

# -Z, -D, -F
hits 3 > /dev/null
check "-Z -i web" adm -Z -i web
check "web's requests zeroed" test "$(adm -L -n --stats | awk '$1 == "web" { print $4 }')" -eq 0
check "-D -i api" adm -D -i api
check "-L: api gone" test -z "$(line '^api ')"
check "api's port closed" wait_until 10 eventually '! port_open "$P3"'
check "-F" adm -F
check "-L: no service left" test "$(adm -L -n | wc -l)" -eq 4
check "web's port closed" wait_until 10 eventually '! port_open "$P"'

# -f FILE: flush and load
{ conf_header; cat <<EOF2
virtual loaded {
    listen = "127.0.0.1:$P2"
    scheduler = "wrr"
    startservers = 1
    server "$B" { weight = 2 }
}
EOF2
} > "$T/load.conf"
check "-f FILE" adm -f "$T/load.conf"
check "-L: the file's service" line "^loaded +127\.0\.0\.1:$P2 +wrr"
check "-L: only the file's service" test "$(adm -L -n | tail -n +5 | grep -cE '^[a-z]')" -eq 1
check "it serves" wait_until 10 eventually '[ "$(get "http://127.0.0.1:$P2/")" = b ]'
check "-h: usage, exit 0" grep -q '^usage: tcpvsadm' <<< "$(adm -h)"
check "SIGHUP: back to the file tcpvsd started with" kill -HUP "$TCPVSD_PID"
check "web serves again after SIGHUP" wait_until 10 port_open "$P"
check "loaded is gone" wait_until 10 eventually '! port_open "$P2"'
finish
