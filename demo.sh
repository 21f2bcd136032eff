#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ./demo.sh       install the Debian packages tcpvs needs, build it out of
#                 the source tree (_build-demo/), start three demo origins
#                 on 127.0.0.1:8081..8083 and tcpvsd on conf/tcpvs.conf
#                 (127.0.0.1:8080), and say how to try it.
# ./demo.sh stop  stop exactly the processes the demo started.
# The source tree stays unconfigured, so ./run-tests.sh's out-of-tree
# builds work before or after the demo.
set -eu
cd "$(dirname "$0")"
top=$(pwd)
run=$top/demo-run
build=$top/_build-demo
# the build, then what the test suite uses (./run-tests.sh), then what
# the Debian package needs (dpkg-buildpackage; .ci/run)
PKGS="build-essential autoconf automake libtool pkg-config libconfuse-dev libpcre2-dev libssl-dev check mandoc curl python3
 clang libclang-rt-14-dev wrk valgrind keepalived iproute2 procps
 debhelper devscripts lintian fakeroot man-db"

# tcpvsd first, so no request reaches it after its origins are gone; then
# wait (at most 10 s each) until each has exited and freed its port
stop() {
	local f pid i
	[ -d "$run" ] || { echo "demo: nothing to stop"; return 0; }
	for f in "$run"/tcpvsd.pid "$run"/origin*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		rm -f "$f"
	done
	echo "demo: stopped"
}

if [ "${1:-}" = stop ]; then stop; exit 0; fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "demo: installing Debian packages: $PKGS"
$sudo apt-get update -q
$sudo apt-get install -y -q $PKGS

echo "demo: building in _build-demo/"
if [ -f config.status ]; then
	echo "demo: the source tree was configured in place (by an older ./demo.sh): make distclean"
	make -s distclean
fi
if [ ! -x configure ] || [ configure.ac -nt configure ]; then autoreconf -fi; fi
mkdir -p "$build"
[ -f "$build/Makefile" ] || (cd "$build" && "$top/configure" -q)
make -C "$build" -s -j"$(nproc)"
make -C "$build/tests" -s tools/origin

for port in 8080 8081 8082 8083; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "demo: 127.0.0.1:$port is already in use (a demo still running? ./demo.sh stop)" >&2
		exit 1
	fi
done
mkdir -p "$run"
for i in 1 2 3; do
	"$build/tests/tools/origin" -l "127.0.0.1:808$i" -n "origin$i" > "$run/origin$i.log" 2>&1 &
	echo $! > "$run/origin$i.pid"
done
"$build/src/tcpvsd" -F -f conf/tcpvs.conf > "$run/tcpvsd.log" 2>&1 &
echo $! > "$run/tcpvsd.pid"
for _ in $(seq 50); do
	(exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break
	sleep 0.1
done
if ! (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
	echo "demo: tcpvsd did not start; its log:" >&2
	cat "$run/tcpvsd.log" >&2
	stop
	exit 1
fi
cat <<EOM

tcpvsd is running on 127.0.0.1:8080 (log: demo-run/tcpvsd.log), balancing
over three origins on 127.0.0.1:8081..8083 with the rules in conf/tcpvs.conf.
Try:
    curl -i http://127.0.0.1:8080/             # least loaded of the three
    curl -i http://127.0.0.1:8080/images/a.png # always origin1 (a rule)
Each answer names its origin in the X-Origin header.  Watch and steer it:
    _build-demo/src/tcpvsadm --control /tmp/tcpvsd-demo.sock -L -n --stats
    _build-demo/src/tcpvsadm --control /tmp/tcpvsd-demo.sock --workers
Stop everything with:
    ./demo.sh stop
EOM
