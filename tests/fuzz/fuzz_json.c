/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for the access log's JSON string escaper (json.c).
 * Each input is escaped with room to spare and then into outputs of
 * sizes drawn from it.  The output must read back as a JSON string body
 * (RFC 8259: only \" \\ and \uXXXX escapes, no raw control byte, no raw
 * quote) that is valid UTF-8 once unescaped; input that is already clean
 * UTF-8 comes back unchanged; a cut output is a prefix of the whole one,
 * ends between two characters, and used says where the rest starts.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "json.h"

#define MAX_IN	4096

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* check out[0..n) is a JSON string body; count the U+FFFD it holds */
static size_t
check_body(const char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)out;
	size_t i = 0, k, bad, fffd = 0;
	int v;

	while (i < n) {
		FUZZ_CHECK(p[i] >= 0x20 && p[i] != '"' && p[i] != 0x7f);
		if (p[i] == '\\') {
			FUZZ_CHECK(i + 1 < n);
			if (p[i + 1] == '"' || p[i + 1] == '\\') {
				i += 2;
				continue;
			}
			FUZZ_CHECK(p[i + 1] == 'u' && i + 6 <= n);
			for (v = 0, k = 2; k < 6; k++) {
				FUZZ_CHECK(hexval(out[i + k]) >= 0);
				v = v * 16 + hexval(out[i + k]);
			}
			FUZZ_CHECK(v < 0x20 || v == 0x7f || v == 0xfffd);
			fffd += v == 0xfffd;
			i += 6;
			continue;
		}
		k = json_utf8_len(p + i, n - i, &bad);
		FUZZ_CHECK(k > 0);
		i += k;
	}
	return fffd;
}

/* the input is printable UTF-8 without a quote or a backslash */
static int
clean(const uint8_t *d, size_t n)
{
	size_t i = 0, k, bad;

	while (i < n) {
		if (d[i] < 0x20 || d[i] == 0x7f || d[i] == '"' || d[i] == '\\')
			return 0;
		if ((k = json_utf8_len(d + i, n - i, &bad)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static char full[MAX_IN * JSON_ESCAPE_MAX], cut[MAX_IN * JSON_ESCAPE_MAX],
	    rest[MAX_IN * JSON_ESCAPE_MAX];
	const char *in = (const char *)d;
	size_t whole, used, m, u2, cap;

	if (n > MAX_IN)
		return 0;
	whole = json_escape(full, sizeof(full), in, n, &used);
	FUZZ_CHECK(used == n);
	FUZZ_CHECK(check_body(full, whole) <= n);
	if (clean(d, n))
		FUZZ_CHECK(whole == n && memcmp(full, d, n) == 0);
	for (size_t t = 0; t < 4 && n > 0; t++) {
		cap = (d[t % n] * 257u + t * 31u) % (whole + 1);
		m = json_escape(cut, cap, in, n, &used);
		FUZZ_CHECK(m <= cap && used <= n);
		FUZZ_CHECK(memcmp(cut, full, m) == 0);
		(void)check_body(cut, m);
		FUZZ_CHECK(json_escape(rest, sizeof(rest), in + used, n - used,
		    &u2) == whole - m);
		FUZZ_CHECK(u2 == n - used);
		FUZZ_CHECK(memcmp(rest, full + m, whole - m) == 0);
	}
	return 0;
}
