#!/bin/bash
# Two directors, one virtual IP (issue 10), in network namespaces this test
# makes: a client, directors A and B, and an origin host on one bridge.
# Both directors run tcpvsd with the same configuration; a cookie that A
# set sends B's requests to the same origin, and 1,000 hhttp user paths
# and mh keys reach the same origins through A and through B, since
# server ids and hashes come from the configuration.  keepalived (contrib/keepalived, rendered for these
# addresses) runs VRRP between A and B; stopping A's tcpvsd moves the
# virtual IP to B within a few seconds and the client's requests go on.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to make network namespaces (CI runs as root)"
command -v ip > /dev/null || skip "ip (iproute2) not installed"
command -v keepalived > /dev/null || skip "keepalived not installed (Debian package keepalived)"
pre="tv$$"
NETNS=""
mkns() { ip netns add "$pre$1" && NETNS="$NETNS $pre$1" && ip -n "$pre$1" link set lo up; }
mkns br || skip "cannot create network namespaces here"
ip -n "${pre}br" link add br0 type bridge && ip -n "${pre}br" link set br0 up
host() { # host NAME ADDR: a namespace on the bridge
	mkns "$1"
	ip link add "${pre}$1" netns "${pre}$1" type veth peer name "p$1" netns "${pre}br"
	ip -n "${pre}br" link set "p$1" master br0 up
	ip -n "${pre}$1" link set "${pre}$1" up
	ip -n "${pre}$1" addr add "$2/24" dev "${pre}$1"
}
NET=10.231.0
host cli $NET.5; host da $NET.2; host db $NET.3; host org $NET.10
VIP=$NET.100
# in the foreground only: a background function's $! is a subshell's pid
inns() { local n=$1; shift; ip netns exec "$pre$n" "$@"; }
# the origins: ports are free in a namespace nothing else uses
for o in a b c; do
	port=$((8080 + $(printf '%d' "'$o") - 96))
	ip netns exec "${pre}org" "$ORIGIN" -l "$NET.10:$port" -n "$o" > "$T/origin-$o.out" 2>&1 &
	PIDS="$PIDS $!"
done
conf() { # conf DIRECTOR
	cat <<EOF2
pidfile = "$T/$1.pid"
control = "$T/$1.sock"
errorlog = "stderr"
serverlimit = 64
scoreboardfile = "$T/sb-$1"
virtual web {
    listen = "0.0.0.0:8080"
    scheduler = "chttp"
    startservers = 4
    maxclients = 32
    server "$NET.10:8081" { }
    server "$NET.10:8082" { }
    server "$NET.10:8083" { }
}
virtual users {
    listen = "0.0.0.0:8090"
    scheduler = "hhttp"
    startservers = 2
    maxclients = 8
    server "$NET.10:8081" { }
    server "$NET.10:8082" { }
    server "$NET.10:8083" { }
    rule { pattern = "^/users/([^/]+)/" match = 1 server = {"$NET.10:8081", "$NET.10:8082", "$NET.10:8083"} }
}
virtual tenants {
    listen = "0.0.0.0:8091"
    scheduler = "mh"
    mh_header = "X-Tenant"
    startservers = 2
    maxclients = 8
    server "$NET.10:8081" { }
    server "$NET.10:8082" { }
    server "$NET.10:8083" { }
}
EOF2
}
for d in da db; do
	conf "$d" > "$T/$d.conf"
	ip netns exec "$pre$d" "$TCPVSD" -F -f "$T/$d.conf" >> "$T/tcpvsd-$d.log" 2>&1 &
	PIDS="$PIDS $!"; eval "TPID_$d=$!"
done
up() { inns cli bash -c "exec 3<>/dev/tcp/$1/8080" 2>/dev/null; }
check "director A serves" wait_until 10 up $NET.2
check "director B serves" wait_until 10 up $NET.3

# the same sessions through either director: 60 new clients through A,
# each cookie replayed through B
inns cli python3 - "$NET.2" "$NET.3" > "$T/keys" 2>&1 <<'PYEOF'
import sys, http.client
a, b = sys.argv[1], sys.argv[2]
same = diff = 0
for i in range(60):
    c = http.client.HTTPConnection(a, 8080, timeout=5)
    c.request("GET", "/")
    r = c.getresponse(); body_a = r.read(); cookie = r.getheader("Set-Cookie").split(";")[0]
    c = http.client.HTTPConnection(b, 8080, timeout=5)
    c.request("GET", "/", headers={"Cookie": cookie})
    r = c.getresponse(); body_b = r.read()
    if body_a == body_b and not r.getheader("Set-Cookie"): same += 1
    else: diff += 1
print("same=%d diff=%d" % (same, diff))
PYEOF
check "60 sessions set by A land on the same origin through B ($(cat "$T/keys"))" grep -qx 'same=60 diff=0' "$T/keys"
# 1,000 keys each for hhttp (user paths) and mh (a tenant header)
inns cli python3 - "$NET.2" "$NET.3" > "$T/keys2" 2>&1 <<'PYEOF'
import sys, http.client
conns = {}
def get(host, port, path, hdrs):
    c = conns.get((host, port))
    if c is None:
        c = conns[(host, port)] = http.client.HTTPConnection(host, port, timeout=5)
    c.request("GET", path, headers=hdrs)
    return c.getresponse().read()
for name, port, make in (("hhttp", 8090, lambda k: ("/users/u%d/x" % k, {})),
                         ("mh", 8091, lambda k: ("/", {"X-Tenant": "t%d" % k}))):
    same = 0
    origins = set()
    for k in range(1000):
        path, hdrs = make(k)
        a = get(sys.argv[1], port, path, hdrs)
        b = get(sys.argv[2], port, path, hdrs)
        same += a == b
        origins.add(a)
    print("%s same=%d origins=%d" % (name, same, len(origins)))
PYEOF
check "1000 hhttp user paths: same origin through A and B" grep -qx 'hhttp same=1000 origins=3' "$T/keys2"
check "1000 mh tenant keys: same origin through A and B" grep -qx 'mh same=1000 origins=3' "$T/keys2"

# VRRP between A and B with contrib/keepalived, rendered for this network
render() { # render A|B IFACE SRC PEER
	sed -e "s|eth0|$2|g" -e "s|192.0.2.100/24|$VIP/24|" \
	    -e "s|unicast_src_ip 192.0.2.[0-9]*|unicast_src_ip $3|" \
	    -e "s|^        192.0.2.[0-9]*\$|        $4|" \
	    -e "s|/usr/local/share/tcpvs/check_tcpvsd.sh -c /usr/local/var/run/tcpvsd.sock|/usr/bin/env TCPVSADM=$TCPVSADM $top_srcdir/contrib/keepalived/check_tcpvsd.sh -c $T/d$1.sock|" \
	    -e '/enable_script_security/d' \
	    "$top_srcdir/contrib/keepalived/keepalived-$1.conf"
}
render a "${pre}da" $NET.2 $NET.3 > "$T/ka-a.conf"
render b "${pre}db" $NET.3 $NET.2 > "$T/ka-b.conf"
for d in a b; do
	ip netns exec "${pre}d$d" keepalived -n -l -D --vrrp -f "$T/ka-$d.conf" \
	    -p "$T/ka-$d.pid" -r "$T/ka-vrrp-$d.pid" > "$T/keepalived-$d.out" 2>&1 &
	PIDS="$PIDS $!"
done
has_vip() { ip -n "$pre$1" -4 addr show | grep -q " $VIP/"; }
check "the virtual IP comes up on A" wait_until 15 has_vip da
check "and not on B" eval '! has_vip db'
# a client making requests through the VIP while A's tcpvsd stops
ip netns exec "${pre}cli" python3 - "$VIP" 14 > "$T/vipload" 2>&1 <<'PYEOF' &
import sys, time, http.client
vip, secs = sys.argv[1], float(sys.argv[2])
end = time.time() + secs
log = []
while time.time() < end:
    t = time.time()
    try:
        c = http.client.HTTPConnection(vip, 8080, timeout=1)
        c.request("GET", "/"); ok = c.getresponse().status == 200
    except OSError:
        ok = False
    log.append((t, ok))
    time.sleep(0.05)
fails = [t for t, ok in log if not ok]
gap = (max(fails) - min(fails)) if fails else 0.0
tail_ok = all(ok for t, ok in log if t > end - 4)
print("requests=%d failed=%d gap=%.1f tail_ok=%s" % (len(log), len(fails), gap, tail_ok))
PYEOF
LOAD=$!; PIDS="$PIDS $LOAD"
sleep 3
kill -TERM "$TPID_da"; t0=$(date +%s%N)
check "the virtual IP moves to B" wait_until 10 has_vip db
t1=$(date +%s%N); ms=$(( (t1 - t0) / 1000000 ))
check "within a few seconds of A's tcpvsd stopping ($ms ms)" test "$ms" -le 6000
wait "$LOAD"
cat "$T/vipload"
read -r reqs failed gap tail < "$T/vipload"
check "requests through the VIP go on after the failover ($reqs, $failed, $gap)" test "$tail" = tail_ok=True
check "the requests lost fall within the failover (${gap#gap=} s)" python3 -c "import sys; sys.exit(0 if float('${gap#gap=}') <= 6 else 1)"
finish
