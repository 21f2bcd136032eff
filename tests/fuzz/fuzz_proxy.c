/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for proxy_parse(): a header found is within the input
 * and the size limits, a v1 one ends in CRLF, a v2 one starts with the
 * signature; an error has a reason; every shorter prefix of a valid
 * header asks for more (never a different answer); a PROXY address
 * parsed builds back into a header that parses to the same address.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proxy.h"

static void
check_ok(const char *buf, size_t len, const struct proxy_hdr *h)
{
	struct proxy_hdr again;
	char out[128];
	size_t n;

	FUZZ_CHECK(h->len > 0 && h->len <= len);
	FUZZ_CHECK(h->version == 1 || h->version == 2);
	if (h->version == 1) {
		FUZZ_CHECK(h->len <= PROXY_V1_MAX);
		FUZZ_CHECK(buf[h->len - 2] == '\r' && buf[h->len - 1] == '\n');
	} else
		FUZZ_CHECK(h->len >= 16 && h->len <= PROXY_V2_MAX);
	for (size_t i = 1; i < h->len; i++)
		FUZZ_CHECK(proxy_parse(buf, i, &again) == PROXY_AGAIN);
	if (h->local)
		return;
	n = proxy_build_v2(out, sizeof(out), (const void *)&h->src,
	    (const void *)&h->dst);
	FUZZ_CHECK(n > 0 && proxy_parse(out, n, &again) == PROXY_OK);
	FUZZ_CHECK(!again.local && memcmp(&again.src, &h->src,
	    sizeof(h->src)) == 0);
	n = proxy_build_v1(out, sizeof(out), (const void *)&h->src,
	    (const void *)&h->dst);
	FUZZ_CHECK(n > 0 && proxy_parse(out, n, &again) == PROXY_OK);
	FUZZ_CHECK(again.src.ss_family == h->src.ss_family);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct proxy_hdr h;

	switch (proxy_parse(buf, size, &h)) {
	case PROXY_OK:
		check_ok(buf, size, &h);
		break;
	case PROXY_AGAIN:
		FUZZ_CHECK(size < PROXY_V2_MAX);
		break;
	case PROXY_ERROR:
		FUZZ_CHECK(h.reason != NULL);
		break;
	}
	return 0;
}
