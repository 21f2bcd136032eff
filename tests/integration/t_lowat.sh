#!/bin/bash
# A worker waiting for more of a large spliced body asks to be woken only
# when 512 KiB (or the rest) have come, not at every segment: fetching an
# 8 MiB body that the origin writes 16 KiB at a time costs the worker a
# few dozen sleeps instead of hundreds.  An origin that sends less than
# that within 10 ms is relayed as it comes for the rest of the body, so a
# slow origin's first bytes are not held back; and the mark is lowered
# again afterwards, so the kept client and server connections answer the
# next request at once.
. "$(dirname "$0")/lib.sh"
start_origin a
P=$(free_port)
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    startservers = 1
    minspareservers = 1
    maxspareservers = 1
    maxclients = 1
    read_timeout = 30
    server "127.0.0.1:$PORT_a" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
worker() { pgrep -P "$TCPVSD_PID" -x tcpvsd | head -n 1; }
wait_until 10 eventually '[ -n "$(worker)" ]'
W=$(worker)
[ -n "$W" ] || { fail "no worker"; finish; }
sleeps() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$W/status"; }

# 8 MiB written 16 KiB at a time, 50 us apart: 512 pieces
get "http://127.0.0.1:$P/" > /dev/null
best=
for i in 1 2 3; do
	s0=$(sleeps)
	n=$(get "http://127.0.0.1:$P/drip/8388608/16384/50" | wc -c)
	s1=$(sleeps)
	[ "$n" -eq 8388608 ] || fail "drip $i: $n bytes, not 8388608"
	d=$((s1 - s0))
	say "drip $i: the worker slept $d times"
	if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
done
check "8 MiB in 16 KiB pieces: fewer than 100 sleeps of the worker (best of 3: $best)" test "$best" -lt 100

# 400 KiB in 4 KiB pieces 100 ms apart (10 s in all): the third piece
# comes after 200 ms, not with the rest, and the kept connections answer
# the next request at once
timeout 60 $H1 timed "$P" /drip/409600/4096/100000 /bytes/1000 > "$T/timed" 2> "$T/timed.err"
cat "$T/timed"
fb=$(sed -n 's/^first-12k //p' "$T/timed")
check "slow origin: the first 12 KiB of the body within 1 s (${fb:-none} ms)" test -n "$fb" -a "${fb:-9999}" -lt 1000
check "slow origin: the whole body" grep -q '^first 200 409600 ' "$T/timed"
sm=$(sed -n 's/^second 200 1000 //p' "$T/timed")
check "the next request on the same connections answered within 1 s (${sm:-none} ms)" test -n "$sm" -a "${sm:-9999}" -lt 1000
check "and it went over the kept server connection" test "$(origin_accepts a)" -le 3
finish
