#!/bin/bash
# tcpvsadm and the rule conditions and actions: --add-rule with --host,
# --method, --header, --source, --return and --location; -L prints them;
# requests go where they say; -S writes them so that the file loads back
# (tcpvsadm -f) to the same rule table; --del-rule names a rule by its
# conditions.
. "$(dirname "$0")/lib.sh"
CTL=$T/ctl.sock
start_origin a; start_origin b
P=$(free_port)
A=127.0.0.1:$PORT_a; B=127.0.0.1:$PORT_b
{ conf_header; cat <<EOF2
virtual web {
    listen = "127.0.0.1:$P"
    scheduler = "http"
    startservers = 2
    maxclients = 16
    server "$A" { }
    server "$B" { }
}
EOF2
} > "$T/t.conf"
start_tcpvsd "$T/t.conf" "$P"
U="http://127.0.0.1:$P"
rules() { adm -L -n -i web | grep '^  -> rule'; }
check "--add-rule --host --method -> b" adm --add-rule -i web --host 'API.test,*.api.test' --method GET,HEAD -r "$B"
check "--add-rule --header --source -> b" adm --add-rule -i web -p '^/h' --header 'X-Beta: ^yes$' --source 127.0.0.0/8,::1 -r "$B"
check "--add-rule --return 301 --location" adm --add-rule -i web --host old.test --return 301 --location 'https://$host$target'
check "--add-rule --return 403" adm --add-rule -i web -p '^/deny' --return 403
check "--add-rule catch-all -> a" adm --add-rule -i web -r "$A"
check "--add-rule: a second server to the host rule" adm --add-rule -i web --host 'api.test,*.api.test' --method GET,HEAD -r "$A"
rules > "$T/l1"
check "-L: host rule with both servers" grep -qx "  -> rule host 'api.test,\*.api.test' method 'GET,HEAD' -> $A,$B" "$T/l1"
check "-L: header and source" grep -qx "  -> rule '^/h' header 'X-Beta: ^yes\$' source '127.0.0.0/8,::1/128' -> $B" "$T/l1"
check "-L: return 301 with location" grep -qx "  -> rule host 'old.test' -> return 301 location 'https://\$host\$target'" "$T/l1"
check "-L: return 403" grep -qx "  -> rule '^/deny' -> return 403" "$T/l1"
check "301 to https" test "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$U/x?y" -H 'Host: old.test')" = "301 https://old.test/x?y"
check "403" test "$(status "$U/deny")" = 403
check "header rule -> b" test "$(get "$U/h" -H 'X-Beta: yes')" = b
check "catch-all -> a" test "$(get "$U/other")" = a
adm -S > "$T/saved.conf"
check "-S writes the conditions" grep -q "host = {'api.test', '\*.api.test'}" "$T/saved.conf"
check "-f the saved file" adm -f "$T/saved.conf"
rules > "$T/l2"
check "-S, -f: the same rule table" diff "$T/l1" "$T/l2"
check "--del-rule by conditions, one server" adm --del-rule -i web --host 'api.test,*.api.test' --method GET,HEAD -r "$B"
check "-L: host rule keeps a" test "$(rules | grep -c "host 'api.test,\*.api.test' method 'GET,HEAD' -> $A\$")" -eq 1
check "--del-rule the 301" adm --del-rule -i web --host old.test --return 301 --location 'https://$host$target'
check "-L: 301 gone" test "$(rules | grep -c 'return 301')" -eq 0
check "--del-rule of a rule that is not there fails" eval '! adm --del-rule -i web --host nope.test 2>/dev/null'
check "--return with -r is refused" eval '! adm --add-rule -i web -p "^/z" --return 403 -r "$A" 2>/dev/null'
finish
