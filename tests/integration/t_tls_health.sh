#!/bin/bash
# Health checks over TLS.  Two TLS origins (openssl s_server -www), one
# with a certificate from the CA that tls_ca names, one from another CA:
# the first is up, the second is marked down, with the reason in the log
# and in tcpvsadm -L ("tls: certificate verify failed: ...").  A name the
# certificate does not carry (tls_sni) is down too, and the same server
# with tls_verify = false is up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
make_ca ca; make_ca other
make_cert ca good origin.test
make_cert other bad origin.test
start_tls_origin good good
start_tls_origin bad bad
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    maxclients = 4
    check = "http"
    check_interval = 0.3
    check_timeout = 2
    rise = 1
    fall = 1
    server "127.0.0.1:$PORT_good" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
    server "127.0.0.1:$PORT_bad" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
}
virtual names {
    listen = "127.0.0.1:$(free_port)"
    startservers = 1
    maxclients = 4
    check = "tcp"
    check_interval = 0.3
    rise = 1
    fall = 1
    server "127.0.0.1:$PORT_good" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "elsewhere.test"
    }
    server "127.0.0.1:$PORT_bad" {
        tls = true
        tls_verify = false
    }
}
EOF2
} > "$T/t.conf"
CTL=$(sed -n 's/^control = "\(.*\)"$/\1/p' "$T/t.conf")
start_tcpvsd "$T/t.conf" "$P"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }	# is KEY FIELD VALUE
KG="web/127.0.0.1:$PORT_good"; KB="web/127.0.0.1:$PORT_bad"

check "the right CA: up" wait_until 10 is "$KG" health up
check "another CA: down" wait_until 10 is "$KB" health down
check "its last check: tls" is "$KB" check tls
check "logged: 'web: server 127.0.0.1:$PORT_bad is DOWN (tls: certificate verify failed: ...)'" \
    grep -q "web: server 127.0.0.1:$PORT_bad is DOWN (tls: certificate verify failed: " "$T/tcpvsd.log"
adm -L -n > "$T/list"
check "tcpvsadm -L says why" grep -q "127.0.0.1:$PORT_bad .*down .*(tls: certificate verify failed: unable to get local issuer certificate)" "$T/list"
check "tcpvsadm -L: web's good one is up, no reason" eval "grep -A2 '^web ' \
    '$T/list' | grep '127.0.0.1:$PORT_good ' | grep -q ' up  *active$'"
check "a name the certificate lacks: down" \
    wait_until 10 is "names/127.0.0.1:$PORT_good" health down
check "... as a hostname mismatch" grep -q "names: server 127.0.0.1:$PORT_good is DOWN (tls: certificate verify failed: hostname mismatch" "$T/tcpvsd.log"
check "tls_verify = false: up" \
    wait_until 10 is "names/127.0.0.1:$PORT_bad" health up
check "the good one's last check: ok" is "$KG" check ok
finish
