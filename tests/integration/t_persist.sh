#!/bin/bash
# persistent = SECONDS (ipvsadm -p, issue 7): with rr over three servers a
# client keeps its server across connections, a client of the same /8
# (persistent_netmask) shares it, and after SECONDS of silence the
# template expires and rr moves on.  Persistence you can see (issue 21):
# tcpvsadm -E --persistent 60 sets it, -L shows it with the netmask and
# each server's id, and -L -c lists the templates of 127.0.0.2 and
# 127.0.0.3 with their servers and expiry.
. "$(dirname "$0")/lib.sh"
start_origin a; start_origin b; start_origin c
P=$(free_port); P2=$(free_port)
svc() { # svc NAME PORT MASK
	cat <<EOF2
virtual $1 {
    listen = "127.0.0.1:$2"
    scheduler = "rr"
    startservers = 2
    maxclients = 8
    persistent = 2
    persistent_netmask = "$3"
    server "127.0.0.1:$PORT_a" { }
    server "127.0.0.1:$PORT_b" { }
    server "127.0.0.1:$PORT_c" { }
}
EOF2
}
CTL=$T/ctl
{ conf_header; svc web "$P" 255.0.0.0; svc host "$P2" 255.255.255.255; } > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 5 port_open "$P2"
first=$(get "http://127.0.0.1:$P/")
for i in $(seq 20); do get "http://127.0.0.1:$P/"; done > "$T/same"
check "20 connections from 127.0.0.1 all on $first" test "$(grep -cx "$first" "$T/same")" -eq 20
check "127.0.0.2, same /8: on $first too" test "$(get "http://127.0.0.1:$P/" --interface 127.0.0.2)" = "$first"
sleep 3.2
after=$(get "http://127.0.0.1:$P/")
check "after 3 s of silence the template expired: rr moved on ($first -> $after)" test -n "$after" -a "$after" != "$first"
h1=$(get "http://127.0.0.1:$P2/")
for i in $(seq 5); do get "http://127.0.0.1:$P2/" --interface 127.0.0.2; done > "$T/other"
check "netmask /32: 127.0.0.2 keeps its own server, one server for all 5" test "$(sort -u "$T/other" | wc -l)" -eq 1
check "and 127.0.0.1 keeps $h1" test "$(get "http://127.0.0.1:$P2/")" = "$h1"

check "-E --persistent 60" adm -E -i host --persistent 60
check "-E --persistent x is refused" eval '! adm -E -i host --persistent x 2> "$T/err"'
check "  naming the value" grep -q "invalid persistent 'x'" "$T/err"
wait_until 10 eventually 'adm -L -n -i host | grep -q "persistent 60"'
adm -L -n > "$T/list"
check "-L: host persistent 60 mask 255.255.255.255" grep -Eq "^host +127\.0\.0\.1:$P2 +rr +listening persistent 60 mask 255\.255\.255\.255$" "$T/list"
check "-L: web persistent 2 mask 255.0.0.0" grep -Eq "^web .* persistent 2 mask 255\.0\.0\.0$" "$T/list"
check "-L: each server's id" test "$(grep -Ec '^  -> 127\.0\.0\.1:[0-9]+ .* active +[0-9a-zA-Z_.-]+$' "$T/list")" -eq 6
s2=$(get "http://127.0.0.1:$P2/" --interface 127.0.0.2)
s3=$(get "http://127.0.0.1:$P2/" --interface 127.0.0.3)
eval "a2=127.0.0.1:\$PORT_$s2"; eval "a3=127.0.0.1:\$PORT_$s3"
adm -L -c -n -i host > "$T/conns"
cat "$T/conns"
check "-L -c: 127.0.0.2's template names $a2, expiring within 60 s" \
    grep -Eq "^host +127\.0\.0\.2 +${a2//./\\.} +(60|59|58|57|56|55)s$" "$T/conns"
check "-L -c: 127.0.0.3's template names $a3" \
    grep -Eq "^host +127\.0\.0\.3 +${a3//./\\.} +[0-9]+s$" "$T/conns"
check "-L -c -i host: no template of web" eval '! grep -q "^web " "$T/conns"'
finish
