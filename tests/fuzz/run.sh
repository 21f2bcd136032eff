#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The tcpvs developers
#
# Build the libFuzzer targets of the HTTP parsers (fuzz_request,
# fuzz_response, fuzz_chunk), of the configuration loader (fuzz_conf), of
# the control protocol (fuzz_control), of the PROXY protocol parser
# (fuzz_proxy), of rule matching and head rewriting (fuzz_rule), of the
# access log's JSON escaper (fuzz_json) and of SNI selection and
# certificate names (fuzz_sni) with clang's fuzzer, address and
# undefined sanitizers, and run each for FUZZ_SECONDS (default 20) from
# its seed corpus.  Fails on any crash, leak, sanitizer report or broken invariant;
# the input that did it is kept in FUZZ_ARTIFACTS (default ./fuzz-artifacts)
# to be replayed with "fuzz_<target> <file>".  Works from a plain checkout:
# config.h comes from $top_builddir when there is one, else a stand-in
# defining _GNU_SOURCE.  Nothing is written to the source tree.
#
# Environment: FUZZ_SECONDS, FUZZ_TARGETS (default "request response
# chunk conf control proxy rule json sni"), FUZZ_CC (default clang), FUZZ_ARTIFACTS, top_builddir.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../src" && pwd)
cc=${FUZZ_CC:-clang}
seconds=${FUZZ_SECONDS:-20}
targets=${FUZZ_TARGETS:-request response chunk conf control proxy rule json sni}
artifacts=${FUZZ_ARTIFACTS:-$(pwd)/fuzz-artifacts}
sources="$src/http.c $src/http_chunk.c $src/http_field.c $src/http_head.c \
    $src/http_resp.c"

work=$(mktemp -d "${TMPDIR:-/tmp}/tcpvs-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if [ -n "${top_builddir:-}" ] && [ -f "$top_builddir/config.h" ]; then
	cfgdir=$top_builddir
else
	printf '#define _GNU_SOURCE 1\n' >"$work/config.h"
	cfgdir=$work
fi

# the last value of a libFuzzer final statistic ("stat::name: value")
stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

failed=0
for t in $targets; do
	bin=$work/fuzz_$t
	srcs=$sources libs= dict=$here/http.dict
	if [ "$t" = proxy ]; then
		srcs=$src/proxy.c dict=$here/proxy.dict
	fi
	if [ "$t" = conf ] || [ "$t" = control ] || [ "$t" = rule ]; then
		# the loader and what it calls: every daemon source but main,
		# with OpenSSL (tls_none.c stands in for it without)
		srcs="$(ls "$src"/*.c | grep -v -e '/tcpvsd\.c$' \
		    -e '/tcpvsadm\.c$' -e '/adm_print\.c$' \
		    -e '/tls_none\.c$') $here/fuzz_gen.c"
		libs="$(pkg-config --libs libconfuse libpcre2-8 openssl) -ldl -lm"
		dict=$here/$t.dict
		[ "$t" = rule ] && dict=$here/http.dict
	fi
	if [ "$t" = json ]; then
		srcs=$src/json.c
	fi
	if [ "$t" = sni ]; then
		srcs="$src/tls_sni.c $src/util.c $src/log.c"
		dict=$here/sni.dict
	fi
	# shellcheck disable=SC2086  # $srcs and $libs are lists
	if ! "$cc" -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -I"$cfgdir" -iquote "$src" -I"$here" \
	    $(pkg-config --cflags libconfuse libpcre2-8 openssl) \
	    -o "$bin" "$here/fuzz_$t.c" $srcs $libs; then
		echo "fuzz_$t: build failed" >&2
		failed=1
		continue
	fi
	mkdir "$work/corpus_$t" "$work/crash_$t"
	start=$(date +%s)
	# new inputs go to the first corpus directory, never the seeds
	if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	    "$bin" -max_total_time="$seconds" -timeout=10 \
	    -dict="$dict" -print_final_stats=1 \
	    -artifact_prefix="$work/crash_$t/" \
	    "$work/corpus_$t" "$here/corpus/$t" >"$work/$t.log" 2>&1; then
		echo "fuzz_$t: ok: $(stat number_of_executed_units \
		    "$work/$t.log") runs in $(($(date +%s) - start)) s" \
		    "($(stat average_exec_per_sec "$work/$t.log")/s)," \
		    "$(ls "$work/corpus_$t" | wc -l) inputs added to the corpus"
	else
		echo "fuzz_$t: FAILED" >&2
		tail -n 60 "$work/$t.log" >&2
		mkdir -p "$artifacts"
		cp "$work/crash_$t"/* "$artifacts/" 2>/dev/null || :
		echo "fuzz_$t: inputs kept in $artifacts" >&2
		failed=1
	fi
done
exit "$failed"
