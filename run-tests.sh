#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, as README says: builds tcpvs twice out of tree --
# a normal build with warnings as errors (_build) and an AddressSanitizer +
# UndefinedBehaviorSanitizer build (_build-asan) -- and runs `make check`
# in each, and in the sanitizer build once more with maxinflight = 1 in
# every service that does not set it.  Prints the log of every failing
# test and ends with the line "N passed, N failed" summed over all runs.
# RUN_DISTCHECK=1 adds `make distcheck`, with TLS and --without-openssl.
# Exits non-zero on any failure.
set -u
cd "$(dirname "$0")" || exit 1
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
passed=0; failed=0; skipped=0; rc=0

# the builds are out of tree; configure refuses those once the source
# tree itself is configured (an in-tree build, or an older ./demo.sh)
if [ -f config.status ]; then
	echo "the source tree was configured in place: make distclean"
	make -s distclean > /dev/null 2>&1 || rm -f config.status
fi
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi || { echo "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# run_build DIR CFLAGS...
run_build() {
	local dir=$1 cflags=$2
	echo "=== $dir: CFLAGS=$cflags"
	mkdir -p "$top/$dir"
	( cd "$top/$dir" && "$top/configure" -q --enable-werror CFLAGS="$cflags" ) ||
	    { echo "$dir: configure failed"; failed=$((failed + 1)); rc=1; return 1; }
	make -C "$top/$dir" -s -j"$jobs" > "$top/$dir/build.log" 2>&1 ||
	    { cat "$top/$dir/build.log"; echo "$dir: build failed"; failed=$((failed + 1)); rc=1; return 1; }
	run_check "$dir"
}

# run_check DIR: make check there, and count each test's result
run_check() {
	local dir=$1 log
	make -C "$top/$dir" -s -j"$jobs" check > "$top/$dir/check.log" 2>&1 || rc=1
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$top/$dir/check.log"
	for log in "$top/$dir"/tests/unit/*.log "$top/$dir"/tests/integration/*.log; do
		[ -f "$log" ] || continue
		case "$(tail -n 1 "$log")" in
		PASS*) passed=$((passed + 1)) ;;
		SKIP*) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)); echo "--- $log"; tail -n 60 "$log" ;;
		esac
	done
	if ! grep -q '^# PASS:' "$top/$dir/check.log"; then
		tail -n 40 "$top/$dir/check.log"; failed=$((failed + 1)); rc=1
	fi
}

run_build _build "-O2 -g"
# any ASan, LeakSanitizer or UBSan report makes the process fail, and so
# the test that ran it
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if run_build _build-asan "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"; then
	# the same suite with one exchange a worker (maxinflight = 1, Apache
	# prefork) in every service that does not set it: both settings
	# under the sanitizers (lib.sh's inflight_conf); the fuzz targets
	# ran already
	echo "=== _build-asan: maxinflight = 1"
	TCPVS_TEST_MAXINFLIGHT=1 FUZZ_SECONDS=0 run_check _build-asan
fi
unset ASAN_OPTIONS UBSAN_OPTIONS

# The Check suites once more under valgrind memcheck, in the normal build:
# any error or definite leak fails.  Tests run in the suite's process
# (CK_FORK=no) so memcheck sees them; the processes tests fork themselves
# are left out.  check_rule is left out: PCRE2's JIT code is opaque to
# memcheck and reports uninitialised reads inside generated code.
if [ "${RUN_VALGRIND:-1}" = 1 ] && command -v valgrind > /dev/null &&
    [ -d "$top/_build/tests/unit" ]; then
	echo "=== valgrind memcheck: unit suites"
	units=$(cd "$top/_build/tests" && ls unit/check_* | grep -v -e '\.' -e check_rule)
	for u in $units; do
		if (cd "$top/_build/tests" && CK_FORK=no CK_DEFAULT_TIMEOUT=600 \
		    top_srcdir="$top" top_builddir="$top/_build" \
		    valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
		    "./$u" > "$u.valgrind.log" 2>&1); then
			echo "PASS: valgrind $u"; passed=$((passed + 1))
		else
			echo "FAIL: valgrind $u"; tail -n 40 "$top/_build/tests/$u.valgrind.log"
			failed=$((failed + 1)); rc=1
		fi
	done
fi

if [ "${RUN_DISTCHECK:-0}" = 1 ]; then
	# the tarball builds, installs and passes make check, with TLS and
	# --without-openssl (issue 20); the fuzz targets ran in both builds
	# above, so not again here
	for flags in "" --without-openssl; do
		echo "=== distcheck${flags:+ $flags}"
		log="$top/_build/distcheck${flags:+-nossl}.log"
		if FUZZ_SECONDS=0 make -C "$top/_build" -s -j"$jobs" distcheck \
		    DISTCHECK_CONFIGURE_FLAGS="$flags" > "$log" 2>&1; then
			passed=$((passed + 1))
		else
			tail -n 60 "$log"; failed=$((failed + 1)); rc=1
		fi
	done
fi
[ "$failed" -gt 0 ] && rc=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
