#!/bin/bash
# README's Quick start commands are the ones .ci/run runs, in the same
# order, so CI proves what README tells a new user; .ci/run installs the
# same Debian packages as demo.sh.  (Skipped in a release tarball, which
# has no .ci/.)
. "$(dirname "$0")/lib.sh"
ci=$top_srcdir/.ci/run
[ -f "$ci" ] || skip "no .ci/run (a release tarball)"
# the first indented block after the "Quick start" heading, comments off
awk '/^Quick start/ { q = 1; next }
    q && /^    [^ ]/ { b = 1; sub(/^ +/, ""); sub(/ +#.*/, ""); print; next }
    q && b && /^[^ ]/ { exit }' "$top_srcdir/README" > "$T/readme"
sed -n '/^README_CMDS=(/,/^)/p' "$ci" | sed -n "s/^[[:space:]]*'\(.*\)'[[:space:]]*\$/\1/p" > "$T/ci"
check "README's Quick start has commands ($(wc -l < "$T/readme"))" test -s "$T/readme"
check "README's Quick start starts with ./demo.sh" test "$(head -n 1 "$T/readme")" = ./demo.sh
check ".ci/run's README_CMDS are README's Quick start" cmp -s "$T/readme" "$T/ci"
diff -u "$T/readme" "$T/ci"
check ".ci/run runs every README_CMDS entry" grep -q '^for cmd in "${README_CMDS\[@\]}"; do' "$ci"
# PKGS="..." across lines, as a sorted word list
pkgs() { awk '/^PKGS="/ { p = 1 } p { print } p && /"$/ { exit }' "$1" |
    sed 's/^PKGS=//; s/"//g' | tr -s ' \t' '\n' | sed '/^$/d' | sort; }
pkgs "$top_srcdir/demo.sh" > "$T/demo-pkgs"
pkgs "$ci" > "$T/ci-pkgs"
check "demo.sh lists packages" test -s "$T/demo-pkgs"
check "demo.sh and .ci/run install the same packages" cmp -s "$T/demo-pkgs" "$T/ci-pkgs"
for p in libssl-dev debhelper devscripts lintian fakeroot; do
	check "demo.sh installs $p" grep -qx "$p" "$T/demo-pkgs"
done
finish
