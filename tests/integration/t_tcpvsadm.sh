#!/bin/bash
# KTCPVS's README sequence, on 127.0.0.1 and free ports, builds a working
# balancer with tcpvsadm on a tcpvsd started with no virtual service:
# requests reach the origins by the rules; -L -n lists it; --stats counts
# exactly the requests made and -Z zeroes them; -S output started in a
# fresh tcpvsd gives the same -L -n listing.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a; start_origin b; start_origin c
P=$(free_port)
A=127.0.0.1:$PORT_a; B=127.0.0.1:$PORT_b; C=127.0.0.1:$PORT_c
conf_header > "$T/t.conf"
start_tcpvsd_ctl "$T/t.conf"
check "tcpvsd started with no virtual service" test "$(adm -L -n | wc -l)" -eq 4

# listed REGEX: a line of -L -n matches it (the command's effect)
listed() { adm -L -n | grep -Eq "$1"; }
adm -A -i http -s http
check "-A -i http -s http: listed with scheduler http" listed '^http +(.* )?http( |$)'
for s in "$A" "$B" "$C"; do
	adm -a -i http -r "$s"
	check "-a -i http -r $s: listed" listed "^  -> ${s//./\\.} +1 "
done
check "--add-rule /images/.* -> a" adm --add-rule -i http -p '/images/.*' -r "$A"
check "--add-rule /html/.* -> b" adm --add-rule -i http -p '/html/.*' -r "$B"
check "--add-rule /html/.* -> c (same pattern: c added to the rule)" adm --add-rule -i http -p '/html/.*' -r "$C"
check "--add-rule .* -> c" adm --add-rule -i http -p '.*' -r "$C"
check "no listen address yet: port $P closed" test -z "$(port_open "$P" && echo open)"
check "-E -i http -l 127.0.0.1:$P" adm -E -i http -l "127.0.0.1:$P"
check "--start -i http" adm --start -i http
check "the service listens" wait_until 10 port_open "$P"

adm -L -n > "$T/list"
cat "$T/list"
check "-L: version line" grep -q '^tcpvs version [0-9.]* (tcpvsd pid [0-9]*, generation [0-9]*)$' "$T/list"
check "-L: the service, its address, scheduler and state" grep -Eq "^http +127\.0\.0\.1:$P +http +listening$" "$T/list"
for s in "$A" "$B" "$C"; do
	check "-L: server $s with weight 1, no connections, active" grep -Eq "^  -> ${s//./\\.} +1 +0 +0 +[a-z]+ +active +[^ ]+$" "$T/list"
done
check "-L: rule /images/.* -> a" grep -qx "  -> rule '/images/.\*' -> $A" "$T/list"
check "-L: rule /html/.* -> b and c, one rule" grep -qx "  -> rule '/html/.\*' -> $B,$C" "$T/list"
check "-L: rule .* -> c, last" test "$(tail -n 1 "$T/list")" = "  -> rule '.*' -> $C"
check "-L without -n: names looked up" grep -Eq "^  -> [^ ]+:$PORT_a +1 " <<< "$(adm -L)"

stat_of() { adm -L -n --stats | awk -v k="$1" -v f="$2" '($1 == k) || ($1 == "->" && $2 == k) { print $(NF - 4 + f) }'; }
get "http://127.0.0.1:$P/other/0" > /dev/null
check "a request before -Z is counted" wait_until 5 eventually '[ "$(stat_of http 2)" -eq 1 ] && [ "$(stat_of "$C" 2)" -eq 1 ]'
adm -Z
check "-Z zeroes the service's and the servers' counters" eventually '[ "$(stat_of http 1)" -eq 0 ] && [ "$(stat_of http 2)" -eq 0 ] && [ "$(stat_of "$C" 2)" -eq 0 ]'
for i in 1 2 3 4; do get "http://127.0.0.1:$P/images/$i.png"; done > "$T/img"
for i in 1 2 3; do get "http://127.0.0.1:$P/html/$i.html"; done > "$T/html"
for i in 1 2 3; do get "http://127.0.0.1:$P/other/$i"; done > "$T/other"
check "/images/ went to a (4 of 4)" test "$(grep -cx a "$T/img")" -eq 4
check "/html/ went to b or c (3 of 3)" test "$(grep -cxE 'b|c' "$T/html")" -eq 3
check "everything else went to c (3 of 3)" test "$(grep -cx c "$T/other")" -eq 3

# --stats: Conns Requests InBytes OutBytes for the service and each server
check "--stats: the service counted 10 requests" wait_until 5 eventually '[ "$(stat_of http 2)" -eq 10 ]'
check "--stats: the service counted 10 connections" test "$(stat_of http 1)" -eq 10
check "--stats: server a counted 4 requests" test "$(stat_of "$A" 2)" -eq 4
check "--stats: servers b and c counted 3 and 3 (html, other)" test $(( $(stat_of "$B" 2) + $(stat_of "$C" 2) )) -eq 6 -a "$(stat_of "$C" 2)" -ge 3
check "--stats: bytes counted both ways" test "$(stat_of http 3)" -gt 0 -a "$(stat_of http 4)" -gt 0
adm -L -n --stats
check "-Z -i http zeroes the counters" adm -Z -i http
check "--stats: 0 requests after -Z" test "$(stat_of http 2)" -eq 0 -a "$(stat_of "$A" 2)" -eq 0

# -S: the running configuration, loadable; a fresh tcpvsd on it lists the same
adm -S > "$T/saved.conf"
check "-S output passes tcpvsd -t" "$TCPVSD" -t -f "$T/saved.conf"
# InActConn (idle kept origin connections) is runtime state, not configuration
listing() { adm -L -n | tail -n +2 | awk '$1 == "->" { $5 = "-" } { print }'; }
listing > "$T/before"
stop_tcpvsd
check "tcpvsd stopped: control socket removed" test ! -e "$CTL"
start_tcpvsd_ctl "$T/saved.conf"
check "the fresh tcpvsd listens" wait_until 10 port_open "$P"
listing > "$T/after"
check "-S loaded into a fresh tcpvsd gives an identical -L -n" diff -u "$T/before" "$T/after"
check "and the same routing" test "$(get "http://127.0.0.1:$P/images/x")" = a
finish
