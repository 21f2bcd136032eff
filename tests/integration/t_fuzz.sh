#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The tcpvs developers
#
# The libFuzzer targets of the HTTP parsers (tests/fuzz/run.sh), each for
# FUZZ_SECONDS (default 15 here): no crash, leak, sanitizer report or
# broken invariant.  Skipped (77) when clang or its fuzzer runtime is
# missing.  FUZZ_SECONDS=0 skips it too.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
cc=${FUZZ_CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
export FUZZ_SECONDS

if [ "$FUZZ_SECONDS" = 0 ]; then
	echo "t_fuzz: FUZZ_SECONDS=0, skipped"
	exit 77
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "t_fuzz: $cc not found, skipped"
	exit 77
fi
probe=$(mktemp -d "${TMPDIR:-/tmp}/tcpvs-fuzz-probe.XXXXXX")
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *, size_t);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return 0; }' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" \
    >/dev/null 2>&1; then
	echo "t_fuzz: $cc cannot build libFuzzer targets, skipped"
	exit 77
fi
rm -rf "$probe"
trap - EXIT
exec sh "$top_srcdir/tests/fuzz/run.sh"
