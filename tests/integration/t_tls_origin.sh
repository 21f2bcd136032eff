#!/bin/bash
# TLS to real servers (tls = true), against the test origin speaking TLS
# itself (tools/origin -c -k: the same /bytes, /sha256 and keep-alive as
# the plain one, so what it checks does not rest on tcpvsd's own TLS
# server side):
#  - 64 MiB down and up through tcpvsd intact by SHA-256
#  - server_keepalive over TLS: 10 requests on one kept origin connection
#  - without it, a new origin connection per request resumes the TLS
#    session of the one before (the origin counts resumed handshakes)
#  - pipelining and an Upgrade tunnel to the TLS origin, from a plain
#    client and from a TLS one (tls_listen)
#  - send_proxy with tls = true: the PROXY header goes in clear before
#    the ClientHello, to a server (a tls_listen with accept_proxy) that
#    closes a connection whose first bytes are not a PROXY header; the
#    HTTP health check of that server too (its LOCAL header): up
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
make_ca ca
make_cert ca origin origin.test
make_cert ca site www.example.test
start_origin t -c "$T/origin.pem" -k "$T/origin.key"
start_origin a
P=$(free_port); S=$(free_port); F=$(free_port); B=$(free_port); N=$(free_port)
{ conf_header; cat <<EOF2
virtual kept {
    listen = "127.0.0.1:$P"
    tls_listen = "127.0.0.1:$S"
    tls_certificate = "$T/site.pem"
    startservers = 1
    maxclients = 1
    server_keepalive = 1
    server "127.0.0.1:$PORT_t" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
}
virtual fresh {
    listen = "127.0.0.1:$N"
    startservers = 1
    maxclients = 1
    server_keepalive = 0
    server "127.0.0.1:$PORT_t" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
    }
}
virtual back {
    tls_listen = "127.0.0.1:$B"
    tls_certificate = "$T/origin.pem"
    accept_proxy = true
    trusted_proxies = "127.0.0.1"
    startservers = 1
    maxclients = 2
    server "127.0.0.1:$PORT_a" { }
}
virtual front {
    listen = "127.0.0.1:$F"
    accept_proxy = true
    trusted_proxies = "127.0.0.1"
    startservers = 1
    maxclients = 2
    check = "http"
    check_interval = 0.3
    rise = 1
    fall = 1
    server "127.0.0.1:$B" {
        tls = true
        tls_ca = "$T/ca.crt"
        tls_sni = "origin.test"
        send_proxy = "v1"
    }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
wait_until 10 port_open "$F" || { fail "tcpvsd does not listen on $F"; finish; }
U="http://127.0.0.1:$P"
check "the origin speaks TLS only: plain HTTP to it fails" \
    eval "! get 'http://127.0.0.1:$PORT_t/' | grep -q t"
check "through tcpvsd to the TLS origin: 200" test "$(get "$U/")" = t

# 64 MiB down and up, intact
get "$U/bytes/67108864" --max-time 60 > "$T/down"
# the same stream straight from the TLS origin, verified against the CA
want=$(curl -s --max-time 60 --cacert "$T/ca.crt" \
    --resolve "origin.test:$PORT_t:127.0.0.1" \
    "https://origin.test:$PORT_t/bytes/67108864" | sha256sum | cut -d' ' -f1)
check "64 MiB down: as many bytes" test "$(wc -c < "$T/down")" = 67108864
check "64 MiB down intact by SHA-256 (as the origin sends it directly)" \
    test "$(sha256sum < "$T/down" | cut -d' ' -f1)" = "$want"
head -c 67108864 /dev/urandom > "$T/big"
up=$(sha256sum < "$T/big" | cut -d' ' -f1)
check "64 MiB up intact by SHA-256" \
    eval "get '$U/sha256' --max-time 60 --data-binary @'$T/big' | grep -q '$up'"

# server_keepalive over TLS: the origin counts its accepted connections
# (its /stats, asked through tcpvsd on the kept connection)
stats() { get "$U/stats" | sed -n 's/^accepts=\([0-9]*\) .*/\1/p'; }
a1=$(stats)
for _ in $(seq 10); do get "$U/" > /dev/null; done
a2=$(stats)
check "10 requests on one kept TLS origin connection (accepts $a1 -> $a2)" \
    test -n "$a1" -a "$a1" = "$a2"

# server_keepalive = 0: a connection a request, each resuming the
# session the one before it was given (the worker's client cache)
field() { sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p"; }
get "http://127.0.0.1:$N/" > /dev/null
s1=$(get "http://127.0.0.1:$N/stats")
for _ in $(seq 10); do get "http://127.0.0.1:$N/" > /dev/null; done
s2=$(get "http://127.0.0.1:$N/stats")
na=$(( $(echo "$s2" | field accepts) - $(echo "$s1" | field accepts) ))
nr=$(( $(echo "$s2" | field resumed) - $(echo "$s1" | field resumed) ))
check "a new TLS origin connection a request ($na for 11)" test "$na" -ge 11
check "each resumes the TLS session ($nr of $na resumed)" test "$nr" -ge 10

# pipelining and an Upgrade tunnel to the TLS origin
pipeline() {
	$H1 pipeline "$1" /a/1 /b/2 /a/3 > "$T/pipe" 2> "$T/pipe.err" &&
	test "$(awk '{ print $1 $2 $3 }' "$T/pipe" | tr '\n' ' ')" = \
	    "200t/a/1 200t/b/2 200t/a/3 "
}
upgrade() {
	$H1 upgrade "$1" > "$T/up" 2> "$T/up.err" &&
	grep -qx 'status 101 upgrade websocket' "$T/up" &&
	grep -qx 'echo hello' "$T/up" && grep -qx '1 MiB echoed intact' "$T/up" &&
	grep -qx 'closed after client yes' "$T/up"
}
check "plain client, TLS origin: 3 pipelined answers in order" pipeline "$P"
check "plain client, TLS origin: an Upgrade tunnel, 1 MiB echoed" upgrade "$P"
export H1_TLS="$T/ca.crt:www.example.test"
check "TLS client, TLS origin: 3 pipelined answers in order" pipeline "$S"
check "TLS client, TLS origin: an Upgrade tunnel, 1 MiB echoed" upgrade "$S"
unset H1_TLS

# send_proxy with tls = true: PROXY, then the ClientHello
PC="python3 $top_srcdir/tests/integration/proxyclient.py"
$PC send "$F" v1 203.0.113.7 4711 /echo-headers > "$T/hp" 2>&1
check "send_proxy + tls: served through a server that wants PROXY first" \
    grep -q "^X-Origin: a" "$T/hp"
check "... its origin sees the client's address (X-Forwarded-For)" \
    grep -qi "^X-Forwarded-For: 203.0.113.7" "$T/hp"
is() { [ "$(sb_server "$1" "$2")" = "$3" ]; }	# is KEY FIELD VALUE
check "its HTTP health check over TLS, LOCAL header first: ok" \
    wait_until 10 is "front/127.0.0.1:$B" check ok
check "... never down" eval "! grep -q 'server 127.0.0.1:$B is DOWN' '$T/tcpvsd.log'"
check "no TLS handshake failed on the way" \
    eval "! grep -q 'TLS handshake failed' '$T/tcpvsd.log'"
finish
