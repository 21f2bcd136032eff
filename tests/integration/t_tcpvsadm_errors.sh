#!/bin/bash
# tcpvsadm's errors: each has a message that names what is wrong and the
# exit tcpvsadm(8) gives (1 from tcpvsd, no tcpvsd or an unreadable -f
# file; 2 with usage for the command line: options, numbers and
# addresses), and a refused command changes nothing (same generation,
# same -S).
# Covers: no daemon (the socket path is named), permission denied (file
# mode, and SO_PEERCRED with control_group, as root), unknown ident,
# unknown server, unknown rule, invalid pattern (PCRE2's message and
# offset), invalid address, missing argument, an address in use, a bad
# file for -f, and the protocol's own limits.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a
P=$(free_port)
A=127.0.0.1:$PORT_a
mkconf() { # mkconf EXTRA_GLOBALS
	{ conf_header; printf '%s\n' "$1"; cat <<EOF2
virtual idle {
    maxclients = 16
}
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    startservers = 2
    maxclients = 16
    server "$A" { }
    rule { pattern = "^/" server = "$A" }
}
EOF2
	} > "$T/t.conf"
}
mkconf 'control_mode = 0666'
start_tcpvsd "$T/t.conf" "$P"
adm -S > "$T/before"

# expect RC REGEX ARGS...: tcpvsadm ARGS exits RC, stderr matches REGEX
expect() {
	local rc=$1 re=$2 out; shift 2
	out=$(adm "$@" 2>&1 >/dev/null); got=$?
	if [ "$got" -eq "$rc" ] && grep -qE -- "$re" <<< "$out"; then
		ok "tcpvsadm $*: exit $rc, '$out'" | head -n 1
	else
		fail "tcpvsadm $*: exit $got (want $rc), '$out' (want /$re/)"
	fi
}

out=$("$TCPVSADM" --control "$T/none.sock" -L 2>&1); rc=$?
check "no daemon: exit 1, names the socket: '$out'" test "$rc" -eq 1 -a -n "$(grep "cannot connect to tcpvsd at $T/none.sock: No such file or directory" <<< "$out")"

expect 1 "unknown ident 'nosuch': no such virtual service" -a -i nosuch -r "$A"
expect 1 "unknown ident 'nosuch'" -L -i nosuch
expect 1 "unknown ident 'nosuch'" -D -i nosuch
expect 1 "unknown ident 'nosuch'" --stop -i nosuch
expect 1 "unknown server 127\.0\.0\.1:1: not a server of virtual web" -d -i web -r 127.0.0.1:1
expect 1 "unknown server 127\.0\.0\.1:1" --drain -i web -r 127.0.0.1:1
expect 1 "unknown server 127\.0\.0\.1:1" -e -i web -r 127.0.0.1:1 -w 2
expect 1 "unknown server 127\.0\.0\.1:1" --add-rule -i web -p '^/x' -r 127.0.0.1:1
expect 1 "unknown rule: virtual web has no rule with pattern '/nope'" --del-rule -i web -p /nope
expect 1 "invalid pattern '/\(a': missing closing parenthesis at offset 3" --add-rule -i web -p '/(a' -r "$A"
expect 1 "invalid pattern '\[z-a\]': range out of order in character class at offset 3" --add-rule -i web -p '[z-a]' -r "$A"
expect 1 "pattern '/x' has no match group 2" --add-rule -i web -p /x -r "$A" -m 2
# what is written on the command line is checked there: usage, exit 2
expect 2 "invalid server address '127\.0\.0\.1:99999': port 99999 out of range" -a -i web -r 127.0.0.1:99999
expect 2 "invalid server address 'no-such-host\.invalid:80': cannot resolve host" -a -i web -r no-such-host.invalid
expect 2 "invalid listen address '127\.0\.0\.1:0': port 0 out of range" -A -i x -l 127.0.0.1:0
expect 2 "invalid listen address '0\.0\.0\.0:0': port 0 out of range" -A -i x -P 0
expect 2 "invalid listen address '0\.0\.0\.0:nosuchservice': " -A -i x -P nosuchservice
expect 2 "invalid weight '70000': expected 0 to 65535" -e -i web -r "$A" -w 70000
expect 2 "invalid weight '-1': expected 0 to 65535" -a -i web -r 127.0.0.1:1 -w -1
expect 2 "invalid weight '2x': expected 0 to 65535" -e -i web -r "$A" -w 2x
expect 2 "invalid matchnum '100': expected 0 to 99" --add-rule -i web -p /x -r "$A" -m 100
expect 2 "--reset needs -r ADDR" --reset -i web
expect 2 "--reopen-logs does not take -i IDENT" --reopen-logs -i web
expect 1 "unknown server 127\.0\.0\.1:1" --reset -i web -r 127.0.0.1:1
expect 1 "server $A is already a server of virtual web" -a -i web -r "$A"
expect 1 "server $A is named by rule '\^/' of virtual web" -d -i web -r "$A"
expect 1 "virtual service 'web' already exists" -A -i web
expect 1 "invalid ident 'a b'" -A -i 'a b'
expect 1 "unknown scheduler 'fastest', expected one of rr wrr" -A -i x -s fastest
expect 1 "virtual web: cannot listen on 127\.0\.0\.1:$PORT_a: Address already in use" -E -i web -l "$A"
expect 1 "virtual x: listen 127\.0\.0\.1:$P: already used by virtual web" -A -i x -l "127.0.0.1:$P"
expect 1 "virtual idle has no listen address: give it one with -E -i idle -P PORT or -l ADDR:PORT" --start -i idle
expect 2 "-A needs -i IDENT" -A
expect 2 "-a needs -r ADDR" -a -i web
expect 2 "-e needs -w WEIGHT" -e -i web -r "$A"
expect 1 "missing server" --add-rule -i web -p '^/q'
expect 1 "a rule has a server \(-r\) or a return status \(--return\), not both" --add-rule -i web --return 403 -r "$A"
expect 2 "-D does not take -r" -D -i web -r "$A"
expect 2 "-L and -S: one command at a time" -L -S
expect 2 "-i needs an argument" -L -i
expect 2 "no command given" -n
expect 2 "-P PORT and -l ADDR: one or the other" -A -i x -P 80 -l 127.0.0.1:80
check "usage printed with a command-line error" grep -q '^usage: tcpvsadm' <<< "$(adm -A 2>&1)"
printf 'virtual bad {\n    listen = "127.0.0.1"\n    scheduler = "nosuch"\n}\n' > "$T/bad.conf"
expect 1 "$T/bad.conf rejected with 2 errors" -f "$T/bad.conf"
expect 1 "$T/bad.conf:2: virtual bad: listen: '127\.0\.0\.1': missing port" -f "$T/bad.conf"
expect 1 "$T/bad.conf:3: virtual bad: scheduler 'nosuch': unknown scheduler" -f "$T/bad.conf"
expect 1 "$T/missing.conf: No such file or directory" -f "$T/missing.conf"
check "every refused command changed nothing: generation 1" grep -q 'generation 1)$' <<< "$(adm -L -n)"
check "every refused command changed nothing: same -S" cmp "$T/before" <(adm -S)
check "still serving" test "$(get "http://127.0.0.1:$P/")" = a

# the protocol itself
proto() { python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
out = b""
try:
    s.sendall(sys.argv[2].encode())
except OSError:
    pass
while True:
    b = s.recv(65536)
    if not b: break
    out += b
print(out.decode(errors="replace"), end="")' "$CTL" "$1"; }
check "unknown command" grep -qx "error unknown command 'frobnicate'" <<< "$(proto $'frobnicate\n')"
check "malformed field" grep -q "^error field 'ident': expected NAME=VALUE" <<< "$(proto $'list ident\n')"
check "bad escape" grep -q "^error field ident: malformed %XX escape" <<< "$(proto $'list ident=%zz\n')"
check "the daemon checks addresses too" grep -q "^error invalid server address '1.2.3': missing port" <<< "$(proto $'add-server ident=web server=1.2.3\n')"
check "load without a descriptor" grep -q "^error load: no file descriptor" <<< "$(proto $'load\n')"
check "a request over 4096 bytes is refused" grep -q "^error request longer than 4096 bytes" <<< "$(proto "list $(head -c 5000 /dev/zero | tr '\0' x)")"
check "an answer ends with ." test "$(proto $'list\n' | tail -n 1)" = .
# found by fuzz_control: a newline the client sent, quoted in the error,
# split the status line
proto $'del-rule ident=a%0aok%0a.%0a pattern=x\n' > "$T/nl"
check "a quoted newline stays on the status line" test "$(wc -l < "$T/nl")" -eq 2 -a "$(head -n 1 "$T/nl")" = "error unknown ident 'a\x0aok\x0a.\x0a': no such virtual service"
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"li")
time.sleep(60)' "$CTL" & idle=$!
PIDS="$PIDS $idle"
check "a silent client does not block others" test "$(get "http://127.0.0.1:$P/")" = a -a -n "$(adm -L -n)"
check "a silent client is dropped after 10 s" wait_until 15 eventually '! grep -q "$idle" <(ss -xp 2>/dev/null | grep "$CTL")'
kill "$idle" 2>/dev/null

# permission: file mode, then SO_PEERCRED, then control_group
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
	chmod 755 "$T"
	asnobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$TCPVSADM" --control "$CTL" "$@"; }
	out=$(asnobody -L 2>&1); rc=$?
	check "mode 0666, not in control_group: refused by the daemon: '$out'" test "$rc" -eq 1 -a -n "$(grep "permission denied: uid $(id -u nobody) is not root, tcpvsd's user (uid 0) or a member of control_group" <<< "$out")"
	mkconf "control_mode = 0660
control_group = \"$(id -gn nobody)\""
	kill -HUP "$TCPVSD_PID"
	check "control_group: a member is served" wait_until 10 asnobody -L -n
	check "control_group: the socket has the group" test "$(stat -c %G:%a "$CTL")" = "$(id -gn nobody):660"
	mkconf ''
	kill -HUP "$TCPVSD_PID"
	check "mode 0600: nobody cannot connect" wait_until 10 eventually '[ "$(stat -c %a "$CTL")" = 600 ]'
	out=$(asnobody -L 2>&1); rc=$?
	check "mode 0600: permission denied, exit 1: '$out'" test "$rc" -eq 1 -a -n "$(grep "cannot connect to tcpvsd at $CTL: permission denied" <<< "$out")"
else
	say "skipping the permission checks: they need root, setpriv and a nobody user"
fi
finish
