#!/bin/bash
# Every EXAMPLES block of tcpvs.conf.5 is a configuration tcpvsd -t
# accepts, and the man pages are clean under mandoc -Tlint.
. "$(dirname "$0")/lib.sh"
man=$top_srcdir/man/tcpvs.conf.5.in
awk '/^\.Sh EXAMPLES/ { ex = 1 } /^\.Sh SEE ALSO/ { ex = 0 }
    ex && /^\.Bd -literal/ { n++; f = sprintf("'"$T"'/example%d.conf", n); inb = 1; next }
    inb && /^\.Ed/ { inb = 0; next }
    inb { print > f }' "$man"
n=$(ls "$T"/example*.conf 2>/dev/null | wc -l)
check "tcpvs.conf.5 has EXAMPLES blocks ($n)" test "$n" -ge 1
for f in "$T"/example*.conf; do
	check "$(basename "$f") passes tcpvsd -t" "$TCPVSD" -t -f "$f"
done
if command -v mandoc > /dev/null; then
	for p in tcpvsd.8 tcpvsadm.8 tcpvs.conf.5; do
		sed -e 's|@sysconfdir[@]|/etc|g; s|@runstatedir[@]|/run|g; s|@sbindir[@]|/usr/sbin|g; s|@systemdsystemunitdir[@]|/lib/systemd/system|g; s|@PACKAGE_VERSION[@]|0|g' \
		    "$top_srcdir/man/$p.in" > "$T/$p"
		check "$p: mandoc -Tlint clean" mandoc -Tlint -W warning "$T/$p"
	done
fi
finish
