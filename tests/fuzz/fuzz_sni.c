/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for SNI selection (tls_sni.c): the names a certificate
 * carries and the names clients send.  Each input is lines: "N name" adds
 * the certificate name for certificate N (0-7), any other line is a
 * client's server name, looked up.  Held to: a name tls_sni_name accepts
 * comes out lower case, without a trailing dot, and a wildcard only as a
 * whole leftmost label; a lookup returns a certificate that exists, never
 * for a name with a '*' or a NUL, and an exact name added finds its
 * first certificate.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "tls_sni.h"

#define MAX_LINES	64

static void
check_name(const char *in, size_t len)
{
	char out[TLS_SNI_NAME_MAX];
	const char *why = NULL;
	size_t n;

	if (tls_sni_name(in, len, out, sizeof(out), &why) == -1) {
		FUZZ_CHECK(why != NULL);
		return;
	}
	n = strlen(out);
	FUZZ_CHECK(n > 0 && n < sizeof(out));
	FUZZ_CHECK(out[n - 1] != '.');
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(!(out[i] >= 'A' && out[i] <= 'Z'));
		FUZZ_CHECK(out[i] != '*' || (i == 0 && out[1] == '.'));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct tls_sni t = { 0 };
	unsigned added[8] = { 0 }, ncert = 1;
	const char *why;

	for (int k = 0; k < MAX_LINES && p < end; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len >= 2 && p[0] >= '0' && p[0] <= '7' && p[1] == ' ') {
			unsigned c = (unsigned)(p[0] - '0');

			check_name(p + 2, len - 2);
			if (tls_sni_add(&t, p + 2, len - 2, c, &why) == 0) {
				added[c]++;
				if (c + 1 > ncert)
					ncert = c + 1;
			}
		}
		p += len + (nl != NULL);
	}
	tls_sni_done(&t);
	for (size_t i = 0; i < t.n; i++) {
		const struct tls_sni_entry *e = &t.e[i];
		unsigned c = tls_sni_lookup(&t, e->name, strlen(e->name));

		FUZZ_CHECK(e->cert < ncert && added[e->cert] > 0);
		if (e->name[0] != '*')
			FUZZ_CHECK(c == e->cert);
		else
			FUZZ_CHECK(c == 0);	/* a client's '*': default */
	}
	/* every line as a client's name too */
	for (p = (const char *)data; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned c = tls_sni_lookup(&t, p, len);

		FUZZ_CHECK(c < ncert);
		if (memchr(p, '\0', len) != NULL || memchr(p, '*', len))
			FUZZ_CHECK(c == 0);
		p += len + (nl != NULL);
	}
	tls_sni_free(&t);
	return 0;
}
