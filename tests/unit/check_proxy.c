/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for proxy.c: PROXY v1 and v2 headers, valid (TCP4, TCP6,
 * with TLVs), truncated at every length (AGAIN, never OK or a wrong
 * answer), bad signatures and versions, oversized and malformed TLVs,
 * UNKNOWN and LOCAL; what proxy_build_v1/v2 write parses back.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define SIG	"\r\n\r\n\0\r\nQUIT\n"

/* a v2 header: signature, ver/cmd, family, then body (n bytes) */
static size_t
v2(char *out, unsigned char vc, unsigned char fam, const char *body,
    size_t n)
{
	memcpy(out, SIG, 12);
	out[12] = (char)vc;
	out[13] = (char)fam;
	out[14] = (char)(n >> 8);
	out[15] = (char)(n & 0xff);
	memcpy(out + 16, body, n);
	return 16 + n;
}

static const char tcp4[12] = { 192, 0, 2, 1, 198, 51, 100, 7, 0x30, 0x39,
	0x00, 0x50 };

static void
src_is(const struct proxy_hdr *h, const char *addr, unsigned port)
{
	char s[64];

	if (h->src.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&h->src;

		inet_ntop(AF_INET, &a->sin_addr, s, sizeof(s));
		ck_assert_uint_eq(ntohs(a->sin_port), port);
	} else {
		const struct sockaddr_in6 *a = (const void *)&h->src;

		ck_assert_int_eq(h->src.ss_family, AF_INET6);
		inet_ntop(AF_INET6, &a->sin6_addr, s, sizeof(s));
		ck_assert_uint_eq(ntohs(a->sin6_port), port);
	}
	ck_assert_str_eq(s, addr);
}

START_TEST(test_v1_valid)
{
	const char *s = "PROXY TCP4 192.0.2.1 198.51.100.7 12345 80\r\nGET /";
	struct proxy_hdr h;

	ck_assert_int_eq(proxy_parse(s, strlen(s), &h), PROXY_OK);
	ck_assert_uint_eq(h.len, strlen(s) - 5);
	ck_assert_int_eq(h.version, 1);
	ck_assert(!h.local);
	src_is(&h, "192.0.2.1", 12345);
	s = "PROXY TCP6 2001:db8::1 2001:db8::2 65535 443\r\n";
	ck_assert_int_eq(proxy_parse(s, strlen(s), &h), PROXY_OK);
	src_is(&h, "2001:db8::1", 65535);
	s = "PROXY UNKNOWN\r\n";
	ck_assert_int_eq(proxy_parse(s, strlen(s), &h), PROXY_OK);
	ck_assert(h.local);
	ck_assert_uint_eq(h.len, 15);
	s = "PROXY UNKNOWN ffff:f...f ffff:f...f 65535 65535\r\n";
	ck_assert_int_eq(proxy_parse(s, strlen(s), &h), PROXY_OK);
	ck_assert(h.local);
}
END_TEST

static const char *const v1_bad[] = {
	"PROXY TCP4 192.0.2.1 198.51.100.7 12345\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 12345 80 9\r\n",
	"PROXY TCP5 192.0.2.1 198.51.100.7 1 2\r\n",
	"PROXY TCP4 2001:db8::1 198.51.100.7 1 2\r\n",
	"PROXY TCP6 192.0.2.1 2001:db8::2 1 2\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 65536 2\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 080 2\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 -1 2\r\n",
	"PROXY TCP4 192.0.2.1  198.51.100.7 1 2\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 1 2 \r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 1 2\n",
	"PROXY TCP4 192.0.2.1\t198.51.100.7 1 2\r\n",
	"proxy TCP4 192.0.2.1 198.51.100.7 1 2\r\n",
	"GET / HTTP/1.1\r\n",
};

START_TEST(test_v1_bad)
{
	struct proxy_hdr h;

	ck_assert_msg(proxy_parse(v1_bad[_i], strlen(v1_bad[_i]), &h) ==
	    PROXY_ERROR, "'%s' accepted", v1_bad[_i]);
	ck_assert_ptr_nonnull(h.reason);
}
END_TEST

/* 107 bytes without a line end: refused, not waited for */
START_TEST(test_v1_too_long)
{
	char s[200];
	struct proxy_hdr h;

	memset(s, '1', sizeof(s));
	memcpy(s, "PROXY TCP4 ", 11);
	ck_assert_int_eq(proxy_parse(s, 106, &h), PROXY_AGAIN);
	ck_assert_int_eq(proxy_parse(s, 107, &h), PROXY_ERROR);
	ck_assert_int_eq(proxy_parse(s, sizeof(s), &h), PROXY_ERROR);
}
END_TEST

START_TEST(test_v2_valid)
{
	char buf[256], body[64];
	struct proxy_hdr h;
	size_t n;

	n = v2(buf, 0x21, 0x11, tcp4, 12);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	ck_assert_uint_eq(h.len, 28);
	ck_assert_int_eq(h.version, 2);
	src_is(&h, "192.0.2.1", 12345);
	/* with TLVs: ALPN "h2" and a NOOP of 3 bytes, and bytes after */
	memcpy(body, tcp4, 12);
	memcpy(body + 12, "\x01\x00\x02h2\x04\x00\x03xyz", 11);
	n = v2(buf, 0x21, 0x11, body, 23);
	memcpy(buf + n, "GET", 3);
	ck_assert_int_eq(proxy_parse(buf, n + 3, &h), PROXY_OK);
	ck_assert_uint_eq(h.len, n);
	/* TCP6 */
	memset(body, 0, 36);
	body[0] = 0x20; body[1] = 0x01; body[2] = 0x0d; body[3] = (char)0xb8;
	body[15] = 1;
	body[32] = 0x01; body[33] = (char)0xbb;
	n = v2(buf, 0x21, 0x21, body, 36);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	src_is(&h, "2001:db8::1", 443);
	/* LOCAL (a health check): no address, whatever follows */
	n = v2(buf, 0x20, 0x00, "", 0);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	ck_assert(h.local);
	n = v2(buf, 0x20, 0x11, tcp4, 12);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	ck_assert(h.local);
	/* PROXY with UNSPEC or a UNIX family: the address is ignored */
	n = v2(buf, 0x21, 0x31, "0123456789", 10);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	ck_assert(h.local);
}
END_TEST

START_TEST(test_v2_bad)
{
	char buf[4096], body[4096];
	struct proxy_hdr h;
	size_t n;

	/* version 1 in the binary form, and an unknown command */
	n = v2(buf, 0x11, 0x11, tcp4, 12);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	n = v2(buf, 0x22, 0x11, tcp4, 12);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	/* an address block shorter than its family's */
	n = v2(buf, 0x21, 0x11, tcp4, 8);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	n = v2(buf, 0x21, 0x21, tcp4, 12);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	/* a TLV longer than what is left, and a cut TLV header */
	memcpy(body, tcp4, 12);
	memcpy(body + 12, "\x01\x00\x09h2", 5);
	n = v2(buf, 0x21, 0x11, body, 17);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	memcpy(body + 12, "\x01\x00", 2);
	n = v2(buf, 0x21, 0x11, body, 14);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	/* oversized: refused on the length alone, before the bytes come */
	memset(body + 12, 0, sizeof(body) - 12);
	n = v2(buf, 0x21, 0x11, body, PROXY_V2_MAX - 16 + 1);
	ck_assert_int_eq(proxy_parse(buf, 16, &h), PROXY_ERROR);
	ck_assert_str_eq(h.reason, "PROXY v2: header too large");
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	/* the largest allowed, TLVs tiling it */
	body[12] = 0x04;
	body[13] = (char)((PROXY_V2_MAX - 16 - 15) >> 8);
	body[14] = (char)((PROXY_V2_MAX - 16 - 15) & 0xff);
	n = v2(buf, 0x21, 0x11, body, PROXY_V2_MAX - 16);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	/* a bad signature */
	n = v2(buf, 0x21, 0x11, tcp4, 12);
	buf[5] = 'x';
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_ERROR);
	ck_assert_str_eq(h.reason, "no PROXY header");
}
END_TEST

/* every prefix of a valid header: AGAIN, never OK or ERROR */
START_TEST(test_truncated)
{
	char buf[256];
	const char *v1 = "PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n";
	struct proxy_hdr h;
	size_t n;

	for (size_t i = 1; i < strlen(v1); i++)
		ck_assert_msg(proxy_parse(v1, i, &h) == PROXY_AGAIN,
		    "v1 at %zu", i);
	n = v2(buf, 0x21, 0x11, tcp4, 12);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(proxy_parse(buf, i, &h) == PROXY_AGAIN,
		    "v2 at %zu", i);
}
END_TEST

START_TEST(test_build)
{
	struct sockaddr_in s = { .sin_family = AF_INET,
	    .sin_port = htons(40000) }, d = { .sin_family = AF_INET,
	    .sin_port = htons(80) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(1) }, d6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons(2) };
	struct proxy_hdr h;
	char buf[128];
	size_t n;

	inet_pton(AF_INET, "203.0.113.5", &s.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &d.sin_addr);
	inet_pton(AF_INET6, "2001:db8::5", &s6.sin6_addr);
	inet_pton(AF_INET6, "::1", &d6.sin6_addr);
	n = proxy_build_v1(buf, sizeof(buf), (void *)&s, (void *)&d);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "PROXY TCP4 203.0.113.5 127.0.0.1 40000 80\r\n");
	n = proxy_build_v1(buf, sizeof(buf), (void *)&s6, (void *)&d6);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	src_is(&h, "2001:db8::5", 1);
	n = proxy_build_v1(buf, sizeof(buf), NULL, NULL);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "PROXY UNKNOWN\r\n");
	n = proxy_build_v2(buf, sizeof(buf), (void *)&s, (void *)&d);
	ck_assert_uint_eq(n, 28);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	src_is(&h, "203.0.113.5", 40000);
	n = proxy_build_v2(buf, sizeof(buf), (void *)&s6, (void *)&d6);
	ck_assert_uint_eq(n, 52);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	src_is(&h, "2001:db8::5", 1);
	n = proxy_build_v2(buf, sizeof(buf), NULL, NULL);
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_OK);
	ck_assert(h.local);
	ck_assert_uint_eq(proxy_build_v1(buf, 10, (void *)&s, (void *)&d), 0);
	ck_assert_uint_eq(proxy_build_v2(buf, 20, (void *)&s, (void *)&d), 0);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_v1_valid);
	tcase_add_loop_test(tc, test_v1_bad, 0,
	    (int)(sizeof(v1_bad) / sizeof(v1_bad[0])));
	tcase_add_test(tc, test_v1_too_long);
	tcase_add_test(tc, test_v2_valid);
	tcase_add_test(tc, test_v2_bad);
	tcase_add_test(tc, test_truncated);
	suite_add_tcase(s, tc);
	tc = tcase_create("build");
	tcase_add_test(tc, test_build);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proxy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
