#!/bin/bash
# debian/: the package's version is configure.ac's (AC_INIT), its
# configuration passes tcpvsd -t and runs the workers as _tcpvs, and its
# logrotate file reopens the logs without a reload.  (Skipped in a
# release tarball, which has no debian/.)
. "$(dirname "$0")/lib.sh"
deb=$top_srcdir/debian
[ -f "$deb/changelog" ] || skip "no debian/ (a release tarball)"
ac=$(sed -n 's/^AC_INIT(\[tcpvs\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
dv=$(sed -n '1s/^tcpvs (\([^)]*\)).*/\1/p' "$deb/changelog")
check "configure.ac's version ($ac) is debian/changelog's ($dv)" test -n "$ac" -a "$ac" = "$dv"
check "the package is native (its version is upstream's)" grep -qx '3.0 (native)' "$deb/source/format"
check "packaged tcpvs.conf runs the workers as _tcpvs" grep -qx 'user = "_tcpvs"' "$deb/tcpvs.conf"
# tcpvsd -t resolves the user: nobody stands in for _tcpvs here
sed 's/^user = "_tcpvs"/user = "nobody"/' "$deb/tcpvs.conf" > "$T/tcpvs.conf"
check "packaged tcpvs.conf passes tcpvsd -t" "$TCPVSD" -t -f "$T/tcpvs.conf"
tr -d '\\\n' < "$deb/postinst" > "$T/postinst"
check "postinst makes the _tcpvs system user" grep -q 'adduser --system.* _tcpvs' "$T/postinst"
check "logrotate reopens the logs (tcpvsadm --reopen-logs), no reload" \
    grep -q 'tcpvsadm --reopen-logs' "$deb/tcpvs.logrotate"
check "logrotate sends no reload signal" test -z "$(grep -e '-USR1' -e '-HUP' "$deb/tcpvs.logrotate")"
finish
