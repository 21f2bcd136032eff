# SPDX-License-Identifier: GPL-2.0-or-later
# TLS helpers for the integration tests, sourced after lib.sh: a throwaway
# CA and the certificates it signs, made with the openssl command in $T
# (ECDSA P-256), and openssl s_server as a TLS origin.  Skips the test
# (77) when tcpvsd was built without TLS or openssl is missing.

command -v openssl > /dev/null 2>&1 || skip "no openssl command"
printf 'virtual v {\n    tls_certificate = "/nonexistent"\n}\n' > "$T/probe-tls.conf"
if "$TCPVSD" -t -f "$T/probe-tls.conf" 2>&1 | grep -q "built without TLS"; then
	skip "tcpvsd was built without TLS"
fi

# make_ca NAME: $T/NAME.crt and $T/NAME.key
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -out "$T/$1.crt" -subj "/CN=tcpvs test $1" \
	    -days 2 > "$T/openssl.log" 2>&1 || { fail "make_ca $1"; finish; }
}

# make_cert CA NAME DNSNAME...: $T/NAME.crt, $T/NAME.key, and $T/NAME.pem
# (certificate, CA, key: what tls_certificate reads)
make_cert() {
	local ca=$1 name=$2 san="" n; shift 2
	for n in "$@"; do san="${san:+$san,}DNS:$n"; done
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$name.key" -out "$T/$name.csr" -subj "/CN=$1" \
	    > "$T/openssl.log" 2>&1 &&
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' \
	    "$san" > "$T/$name.ext" &&
	openssl x509 -req -in "$T/$name.csr" -CA "$T/$ca.crt" \
	    -CAkey "$T/$ca.key" -CAcreateserial -out "$T/$name.crt" -days 2 \
	    -extfile "$T/$name.ext" >> "$T/openssl.log" 2>&1 ||
	    { fail "make_cert $name"; finish; }
	cat "$T/$name.crt" "$T/$ca.crt" "$T/$name.key" > "$T/$name.pem"
}

# start_tls_origin NAME CERT: openssl s_server -www with $T/CERT.crt and
# .key on a free port: sets PORT_NAME and PID_NAME
start_tls_origin() {
	local port; port=$(free_port)
	openssl s_server -www -quiet -accept "127.0.0.1:$port" \
	    -cert "$T/$2.crt" -key "$T/$2.key" < /dev/null \
	    > "$T/origin-$1.out" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
	eval "PORT_$1=$port"
	wait_until 5 port_open "$port" || { fail "TLS origin $1 did not start"; finish; }
}
