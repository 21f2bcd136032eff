#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# keepalived track script for tcpvsd: healthy when the process in PIDFILE
# is alive and ADDR:PORT accepts a connection within a second.
#   check_tcpvsd.sh PIDFILE ADDR PORT
pidfile=${1:-/run/tcpvsd.pid}
addr=${2:-127.0.0.1}
port=${3:-80}
pid=$(cat "$pidfile" 2>/dev/null) || exit 1
kill -0 "$pid" 2>/dev/null || exit 1
exec timeout 1 bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null
