#!/bin/bash
# 1 MiB and 64 MiB request bodies (Content-Length and chunked) and
# response bodies (Content-Length, chunked, close-delimited) pass intact
# (SHA-256 compared with the origin's own answer), relayed with splice and,
# in a second daemon, by copying.
. "$(dirname "$0")/lib.sh"
start_origin a
SIZE=$((64 * 1024 * 1024))
head -c "$SIZE" /dev/urandom > "$T/up"
UP=$(sha256sum < "$T/up" | cut -d' ' -f1)
head -c 1048576 "$T/up" > "$T/up1"
UP1=$(sha256sum < "$T/up1" | cut -d' ' -f1)
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
	via=$(curl -s --max-time 60 "http://127.0.0.1:$P/chunked/$SIZE" | sha256sum)
	check "splice=$mode: 64 MiB chunked download intact" test "$via" = "$direct"
	via=$(curl -s --max-time 60 "http://127.0.0.1:$P/close/$SIZE" | sha256sum)
	check "splice=$mode: 64 MiB close-delimited download intact" test "$via" = "$direct"
	got=$(curl -s --max-time 60 --data-binary @"$T/up1" -H 'Expect:' "http://127.0.0.1:$P/sha256")
	check "splice=$mode: 1 MiB upload intact" test "$got" = "$UP1 1048576"
	got=$(curl -s --max-time 60 -H 'Transfer-Encoding: chunked' --data-binary @"$T/up1" "http://127.0.0.1:$P/sha256")
	check "splice=$mode: 1 MiB chunked upload with Expect: 100-continue intact" test "$got" = "$UP1 1048576"
	direct1=$(curl -s --max-time 60 "http://127.0.0.1:$PORT_a/bytes/1048576" | sha256sum)
	for how in bytes chunked close; do
		via=$(curl -s --max-time 60 "http://127.0.0.1:$P/$how/1048576" | sha256sum)
		check "splice=$mode: 1 MiB $how download intact" test "$via" = "$direct1"
	done
done
finish
