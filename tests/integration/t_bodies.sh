#!/bin/bash
# A 64 MiB request body and a 64 MiB response body pass intact (SHA-256
# compared), relayed with splice and, in a second daemon, by copying.
. "$(dirname "$0")/lib.sh"
start_origin a
SIZE=$((64 * 1024 * 1024))
head -c "$SIZE" /dev/urandom > "$T/up"
UP=$(sha256sum < "$T/up" | cut -d' ' -f1)
for mode in true false; do
	P=$(free_port)
	{ conf_header | sed "s|$T/tcpvsd.pid|$T/$mode.pid|"; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "rr"
    startservers = 2
    splice = $mode
    server "127.0.0.1:$PORT_a" { }
}
EOF2
	} > "$T/$mode.conf"
	start_tcpvsd "$T/$mode.conf" "$P"
	got=$(curl -s --max-time 60 --data-binary @"$T/up" -H 'Expect:' "http://127.0.0.1:$P/sha256")
	check "splice=$mode: 64 MiB upload intact" test "$got" = "$UP $SIZE"
	direct=$(curl -s --max-time 60 "http://127.0.0.1:$PORT_a/bytes/$SIZE" | sha256sum)
	via=$(curl -s --max-time 60 "http://127.0.0.1:$P/bytes/$SIZE" | sha256sum)
	check "splice=$mode: 64 MiB download intact" test "$via" = "$direct"
	got=$(curl -s --max-time 60 -H 'Transfer-Encoding: chunked' --data-binary @"$T/up" -H 'Expect:' "http://127.0.0.1:$P/sha256")
	check "splice=$mode: 64 MiB chunked upload intact" test "$got" = "$UP $SIZE"
done
finish
