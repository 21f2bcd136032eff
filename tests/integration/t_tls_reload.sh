#!/bin/bash
# TLS certificates at start and reload, as the master reads them: a key
# readable only by root loads with user = "nobody" (the workers never open
# it); a reload with a corrupted certificate is rejected with file:line
# and the running generation keeps serving; a reload with a good one gives
# the next generation.  tcpvsadm -S writes the paths and no key material.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (user = nobody)"
id nobody > /dev/null 2>&1 || skip "no user nobody"
start_origin a
make_ca ca
make_cert ca site www.example.test
chmod 600 "$T/site.pem"
P=$(free_port); S=$(free_port)
{ conf_header; cat <<EOF2
user = "nobody"
virtual web {
    listen = "127.0.0.1:$P"
    tls_listen = "127.0.0.1:$S"
    tls_certificate = "$T/site.pem"
    startservers = 1
    maxclients = 4
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
CTL=$(sed -n 's/^control = "\(.*\)"$/\1/p' "$T/t.conf")
start_tcpvsd "$T/t.conf" "$P"
check "a key only root reads, user = nobody: generation 1 serves" \
    test "$(get "http://127.0.0.1:$P/")" = a
check "its workers run as nobody" eval \
    "ps -o user= --ppid '$TCPVSD_PID' | grep -q nobody"
https() { get "https://www.example.test:$S/" --resolve "www.example.test:$S:127.0.0.1" --cacert "$T/ca.crt"; }
check "... and serve HTTPS with that key" test "$(https)" = a
adm -S > "$T/saved"
check "tcpvsadm -S writes the certificate's path" \
    grep -q "tls_certificate = {'$T/site.pem'}" "$T/saved"
check "... and no key material" eval "! grep -q 'BEGIN' '$T/saved'"
check "no key material in the log" eval "! grep -q 'BEGIN\|PRIVATE' '$T/tcpvsd.log'"

cp "$T/site.pem" "$T/site.good"
head -c 300 "$T/site.good" > "$T/site.pem"	# a truncated certificate
kill -HUP "$TCPVSD_PID"
L=$(grep -n 'tls_certificate =' "$T/t.conf" | cut -d: -f1)
check "the error log names file:line and the file" wait_until 5 grep -q \
    "$T/t.conf:$L: virtual web: tls_certificate $T/site.pem: no certificate in the file" \
    "$T/tcpvsd.log"
check "reload rejected, generation 1 keeps serving" \
    grep -q "reload rejected: generation 1 keeps serving" "$T/tcpvsd.log"
check "still serving" test "$(get "http://127.0.0.1:$P/")" = a
check "... HTTPS too, with the certificate it loaded" test "$(https)" = a
cp "$T/site.good" "$T/site.pem"
kill -HUP "$TCPVSD_PID"
check "generation 2 after a good SIGHUP" \
    wait_until 5 grep -q "generation 2 serving" "$T/tcpvsd.log"
check "serving" wait_until 5 eventually 'test "$(get "http://127.0.0.1:$P/")" = a'
check "serving HTTPS" wait_until 5 eventually 'test "$(https)" = a'
finish
