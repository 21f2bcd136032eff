/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for what a TLS connection leaves behind without a
 * handshake being needed: the access log's %{SSL_...}x directives with
 * the facts set (text and JSON), "-" / null on plain HTTP, an unknown
 * name refused; tls_count_handshake's counters by result and reason;
 * tls_log_fields on a plain connection; tls_note_not_tls's rate.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alog.h"
#include "scoreboard.h"
#include "tls_stat.h"
#include "util.h"
#include "xprt.h"

#define TLS_FMT	"%{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x " \
	"\"%{SSL_CLIENT_S_DN}x\""

struct line {
	struct sockaddr_storage	 ss;
	struct alog_rec		 rec;
	char			 out[ALOG_LINE_MAX];
};

static void
line_init(struct line *l)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&l->ss;

	memset(l, 0, sizeof(*l));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x7f000001);
	l->rec.client = &l->ss;
	l->rec.wall_ms = 1700000000123;
	l->rec.ident = "web";
	l->rec.tq = l->rec.tc = l->rec.tr = l->rec.tt = -1;
}

/* the line for the format, as a string */
static const char *
fmt(struct line *l, const char *f)
{
	size_t n = alog_format(l->out, sizeof(l->out), f, &l->rec);

	l->out[n < sizeof(l->out) ? n : sizeof(l->out) - 1] = '\0';
	return l->out;
}

static void
tls_set(struct alog_tls *t)
{
	t->on = true;
	t->version = "TLSv1.3";
	t->cipher = "TLS_AES_128_GCM_SHA256";
	t->sni = "www.example.test";
	util_strlcpy(t->subject, "/O=tcpvs test/CN=client \"1\"",
	    sizeof(t->subject));
}

START_TEST(test_alog_text)
{
	static struct line l;

	line_init(&l);
	tls_set(&l.rec.tls);
	ck_assert_str_eq(fmt(&l, TLS_FMT), "TLSv1.3 TLS_AES_128_GCM_SHA256 "
	    "www.example.test \"/O=tcpvs test/CN=client \\x221\\x22\"\n");
	l.rec.tls.sni = NULL;
	l.rec.tls.subject[0] = '\0';
	ck_assert_str_eq(fmt(&l, TLS_FMT), "TLSv1.3 TLS_AES_128_GCM_SHA256 - \"-\"\n");
}
END_TEST

START_TEST(test_alog_plain)
{
	static struct line l;

	line_init(&l);
	ck_assert_str_eq(fmt(&l, TLS_FMT), "- - - \"-\"\n");
	/* facts left over are not shown once the connection is plain */
	tls_set(&l.rec.tls);
	l.rec.tls.on = false;
	ck_assert_str_eq(fmt(&l, TLS_FMT), "- - - \"-\"\n");
}
END_TEST

START_TEST(test_alog_json)
{
	static struct line l;

	line_init(&l);
	tls_set(&l.rec.tls);
	ck_assert_str_eq(fmt(&l, "{\"v\":%{SSL_PROTOCOL}x,"
	    "\"c\":%{SSL_CIPHER}x,\"n\":%{SSL_TLS_SNI}x,"
	    "\"s\":%{SSL_CLIENT_S_DN}x}"), "{\"v\":\"TLSv1.3\","
	    "\"c\":\"TLS_AES_128_GCM_SHA256\",\"n\":\"www.example.test\","
	    "\"s\":\"/O=tcpvs test/CN=client \\\"1\\\"\"}\n");
	l.rec.tls.on = false;
	ck_assert_ptr_nonnull(strstr(fmt(&l, "json"), "\"tls_version\":null,"
	    "\"tls_cipher\":null,\"sni\":null,\"client_s_dn\":null}"));
}
END_TEST

START_TEST(test_alog_check)
{
	char err[256];

	ck_assert_int_eq(alog_check(TLS_FMT, err, sizeof(err)), 0);
	ck_assert_int_eq(alog_check("%{SSL_SESSION_ID}x", err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "'%{SSL_SESSION_ID}x': expected "
	    "%{SSL_PROTOCOL}x"));
	ck_assert_int_eq(alog_check("%{SSL_PROTOCOL}y", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(alog_check("{\"v\":\"%{SSL_CIPHER}x\"}", err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_count)
{
	static struct sb_service ss;
	struct xconn c;

	memset(&ss, 0, sizeof(ss));
	xprt_plain_init(&c, -1);
	tls_count_handshake(&ss, &c, 0);
	tls_count_handshake(&ss, &c, 0);
	ck_assert_uint_eq(atomic_load(&ss.tls_handshakes), 2);
	ck_assert_uint_eq(atomic_load(&ss.tls_resumed), 0);
	tls_count_handshake(&ss, &c, XPRT_WANT_READ);
	tls_count_handshake(&ss, &c, XPRT_WANT_WRITE);
	ck_assert_uint_eq(atomic_load(&ss.tls_handshakes), 2);
	for (int f = XPRT_FAIL_NONE; f <= XPRT_FAIL_OTHER; f++)
		ck_assert_uint_eq(atomic_load(&ss.tls_failed[f]), 0);
	c.fail = XPRT_FAIL_NOT_TLS;
	tls_count_handshake(&ss, &c, XPRT_FAIL);
	c.fail = XPRT_FAIL_CERT;
	tls_count_handshake(&ss, &c, XPRT_FAIL);
	tls_count_handshake(&ss, &c, XPRT_FAIL);
	ck_assert_uint_eq(atomic_load(&ss.tls_failed[XPRT_FAIL_NOT_TLS]), 1);
	ck_assert_uint_eq(atomic_load(&ss.tls_failed[XPRT_FAIL_CERT]), 2);
	ck_assert_uint_eq(atomic_load(&ss.tls_failed[XPRT_FAIL_PROTOCOL]), 0);
	ck_assert_uint_eq(atomic_load(&ss.tls_handshakes), 2);
	tls_count_handshake(NULL, &c, XPRT_FAIL);	/* no service: ignored */
}
END_TEST

START_TEST(test_fields_plain)
{
	struct alog_tls t;
	struct xconn c;

	memset(&t, 0x55, sizeof(t));
	tls_log_fields(&t, NULL);
	ck_assert(!t.on);
	ck_assert_ptr_null(t.version);
	xprt_plain_init(&c, -1);
	memset(&t, 0x55, sizeof(t));
	tls_log_fields(&t, &c);
	ck_assert(!t.on);
	ck_assert_str_eq(t.subject, "");
	ck_assert_str_eq(xprt_fail_str(XPRT_FAIL_NOT_TLS), "not-tls");
}
END_TEST

/* plain HTTP on a TLS port: said once per client per interval */
START_TEST(test_not_tls)
{
	struct sockaddr_storage a, b;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a;

	memset(&a, 0, sizeof(a));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc0000201);
	b = a;
	((struct sockaddr_in *)&b)->sin_addr.s_addr = htonl(0xc0000202);
	ck_assert(tls_note_not_tls("web", "127.0.0.1:443", &a, 1000));
	for (int i = 0; i < 100; i++)
		ck_assert(!tls_note_not_tls("web", "127.0.0.1:443", &a,
		    1000 + i));
	ck_assert(tls_note_not_tls("web", "127.0.0.1:443", &b, 1200));
	ck_assert(!tls_note_not_tls("web", "127.0.0.1:443", &a,
	    1000 + TLS_NOT_TLS_INTERVAL_MS - 1));
	ck_assert(tls_note_not_tls("web", "127.0.0.1:443", &a,
	    1000 + TLS_NOT_TLS_INTERVAL_MS));
}
END_TEST

static Suite *
tls_stat_suite(void)
{
	Suite *s = suite_create("tls_stat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_alog_text);
	tcase_add_test(tc, test_alog_plain);
	tcase_add_test(tc, test_alog_json);
	tcase_add_test(tc, test_alog_check);
	tcase_add_test(tc, test_count);
	tcase_add_test(tc, test_fields_plain);
	tcase_add_test(tc, test_not_tls);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tls_stat_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
