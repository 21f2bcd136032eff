/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for header.c (set, add, delete, append on a built head,
 * bounded by the buffer), forwarded.c (X-Forwarded-*, RFC 7239 Forwarded,
 * chains kept from trusted proxies and replaced from anyone else) and
 * route.c (the upstream and response heads with a rule's edits).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-t.h"
#include "conf.h"
#include "forwarded.h"
#include "header.h"
#include "http.h"
#include "route.h"

static char buf[1024];

static size_t
set(const char *s)
{
	strcpy(buf, s);
	return strlen(s);
}

static void
is(long n, const char *want)
{
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

#define HEAD	"GET / HTTP/1.1\r\nHost: h\r\nServer: x\r\nA: 1\r\nserver: y\r\n\r\n"

START_TEST(test_del)
{
	is(hdr_del(buf, set(HEAD), "Server"),
	    "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n");
	/* a prefix of a name is another name */
	is(hdr_del(buf, set(HEAD), "Serve"), HEAD);
	/* the start line is never a field */
	is(hdr_del(buf, set("GET: / HTTP/1.1\r\nA: 1\r\n\r\n"), "GET"),
	    "GET: / HTTP/1.1\r\nA: 1\r\n\r\n");
	is(hdr_del(buf, set(HEAD "body"), "A"), "GET / HTTP/1.1\r\nHost: h\r\n"
	    "Server: x\r\nserver: y\r\n\r\nbody");
}
END_TEST

START_TEST(test_add_set)
{
	is(hdr_add(buf, set(HEAD), sizeof(buf), "X-New", "v 1"),
	    "GET / HTTP/1.1\r\nHost: h\r\nServer: x\r\nA: 1\r\nserver: y\r\n"
	    "X-New: v 1\r\n\r\n");
	is(hdr_set(buf, set(HEAD), sizeof(buf), "SERVER", "tcpvs"),
	    "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nSERVER: tcpvs\r\n\r\n");
	/* no room: -1, the head unchanged */
	ck_assert_int_eq(hdr_add(buf, set(HEAD), strlen(HEAD) + 5, "X-New",
	    "v"), -1);
	ck_assert_str_eq(buf, HEAD);
	ck_assert_int_eq(hdr_set(buf, set(HEAD), strlen(HEAD) + 5, "A", "v"),
	    -1);
	ck_assert_str_eq(buf, HEAD);
}
END_TEST

START_TEST(test_append_get)
{
	const char *v;
	size_t vl;

	is(hdr_append(buf, set("GET / HTTP/1.1\r\nForwarded: for=a\r\n"
	    "X: 1\r\nforwarded: for=b\r\n\r\n"), sizeof(buf), "Forwarded",
	    "for=c"), "GET / HTTP/1.1\r\nForwarded: for=a\r\nX: 1\r\n"
	    "forwarded: for=b, for=c\r\n\r\n");
	is(hdr_append(buf, set("GET / HTTP/1.1\r\n\r\n"), sizeof(buf),
	    "X-Forwarded-For", "1.2.3.4"),
	    "GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n");
	set(HEAD);
	v = hdr_get(buf, strlen(buf), "server", &vl);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(strncmp(v, "x", vl), 0);
	ck_assert_uint_eq(vl, 1);
	ck_assert_ptr_null(hdr_get(buf, strlen(buf), "Missing", &vl));
}
END_TEST

/*
 * Forwarding.
 */

static struct generation *
load_svc(const char *opts)
{
	char text[2048], *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	struct generation *g;

	snprintf(text, sizeof(text), "virtual web {\n%s\n"
	    "server \"127.0.0.1:18081\" { }\n}\n", opts);
	g = conf_load_buf("h.conf", text, f);
	fclose(f);
	ck_assert_msg(g != NULL, "rejected: %s", errs);
	free(errs);
	return g;
}

static struct sockaddr_storage client;

static const struct sockaddr *
addr(const char *a)
{
	memset(&client, 0, sizeof(client));
	if (strchr(a, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&client;

		s6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, a, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&client;

		s4->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, a, &s4->sin_addr), 1);
	}
	return (const struct sockaddr *)&client;
}

static bool over_tls;	/* the request came on a TLS listener */

/* the upstream head of a request from src, through route.c */
static void
upstream(const char *opts, const char *head, const char *src,
    const char *want)
{
	struct generation *g = load_svc(opts);
	struct http_limits lim = { 8192, 16384, 100 };
	static struct http_req req;
	struct route rt;
	long n;

	ck_assert_int_eq(http_parse_request(head, strlen(head), &lim, &req),
	    HTTP_OK);
	route_request(&rt, &g->svc[0], &req, head, addr(src));
	rt.https = over_tls;
	n = route_upstream(&rt, "close", buf, sizeof(buf));
	is(n, want);
	conf_free(g);
}

#define REQ	"GET /p HTTP/1.1\r\nHost: www.test\r\n" \
	"X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n" \
	"X-Forwarded-Host: evil\r\nForwarded: for=6.6.6.6\r\n\r\n"

START_TEST(test_xff_untrusted)
{
	/* default: xff, nobody trusted: every claim replaced */
	upstream("", REQ, "192.0.2.1", "GET /p HTTP/1.1\r\nHost: www.test\r\n"
	    "Connection: close\r\nX-Forwarded-For: 192.0.2.1\r\n"
	    "X-Forwarded-Proto: http\r\nX-Forwarded-Host: www.test\r\n\r\n");
	/* trusted, but not this client */
	upstream("trusted_proxies = \"10.0.0.0/8\"", REQ, "192.0.2.1",
	    "GET /p HTTP/1.1\r\nHost: www.test\r\nConnection: close\r\n"
	    "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: http\r\n"
	    "X-Forwarded-Host: www.test\r\n\r\n");
}
END_TEST

START_TEST(test_xff_trusted)
{
	/* kept and appended to; its proto and host believed */
	upstream("trusted_proxies = {\"10.0.0.0/8\", \"2001:db8::/32\"}", REQ,
	    "10.1.2.3", "GET /p HTTP/1.1\r\nHost: www.test\r\n"
	    "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\n"
	    "Forwarded: for=6.6.6.6\r\n"
	    "X-Forwarded-For: 6.6.6.6, 10.1.2.3\r\nConnection: close\r\n"
	    "\r\n");
	upstream("trusted_proxies = \"2001:db8::/32\"",
	    "GET /p HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\n"
	    "X-Forwarded-For: 2.2.2.2\r\n\r\n", "2001:db8::7",
	    "GET /p HTTP/1.1\r\nHost: h\r\n"
	    "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 2001:db8::7\r\n"
	    "Connection: close\r\nX-Forwarded-Proto: http\r\n"
	    "X-Forwarded-Host: h\r\n\r\n");
}
END_TEST

START_TEST(test_rfc7239)
{
	/* untrusted: replaced; IPv6 quoted and bracketed; host with a port
	   quoted */
	upstream("forwarded = \"rfc7239\"", "GET / HTTP/1.1\r\n"
	    "Host: www.test:8080\r\nForwarded: for=6.6.6.6;proto=https\r\n"
	    "X-Forwarded-For: 6.6.6.6\r\n\r\n", "2001:db8::1",
	    "GET / HTTP/1.1\r\nHost: www.test:8080\r\nConnection: close\r\n"
	    "Forwarded: for=\"[2001:db8::1]\";proto=http;"
	    "host=\"www.test:8080\"\r\n\r\n");
	/* trusted: appended to the last Forwarded field */
	upstream("forwarded = \"rfc7239\" trusted_proxies = \"127.0.0.1\"",
	    "GET / HTTP/1.1\r\nHost: www.test\r\nForwarded: for=1.1.1.1\r\n"
	    "\r\n", "127.0.0.1",
	    "GET / HTTP/1.1\r\nHost: www.test\r\n"
	    "Forwarded: for=1.1.1.1, for=127.0.0.1;proto=http;host=www.test"
	    "\r\nConnection: close\r\n\r\n");
	/* both */
	upstream("forwarded = \"both\"", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	    "192.0.2.9", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
	    "X-Forwarded-For: 192.0.2.9\r\nX-Forwarded-Proto: http\r\n"
	    "X-Forwarded-Host: a\r\n"
	    "Forwarded: for=192.0.2.9;proto=http;host=a\r\n\r\n");
	/* none: nothing added, nothing a client claims passed on */
	upstream("forwarded = \"none\"", REQ, "192.0.2.9",
	    "GET /p HTTP/1.1\r\nHost: www.test\r\nConnection: close\r\n\r\n");
}
END_TEST

/* over TLS the proto is https, in both forms; a client's claim still
   replaced */
START_TEST(test_proto_https)
{
	over_tls = true;
	upstream("forwarded = \"both\"", "GET / HTTP/1.1\r\nHost: a\r\n"
	    "X-Forwarded-Proto: http\r\n\r\n", "192.0.2.9",
	    "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
	    "X-Forwarded-For: 192.0.2.9\r\nX-Forwarded-Proto: https\r\n"
	    "X-Forwarded-Host: a\r\n"
	    "Forwarded: for=192.0.2.9;proto=https;host=a\r\n\r\n");
	over_tls = false;
}
END_TEST

/* request edits after forwarding; a rule's replace the service's */
START_TEST(test_request_edits)
{
	const char *opts = "forwarded = \"none\"\n"
	    "request_header_del = \"X-Debug\"\n"
	    "request_header_set = \"X-Env: prod\"\n"
	    "request_header_add = \"X-Via: tcpvs\"\n"
	    "rule { pattern = \"^/r\" request_header_set = \"X-Rule: 1\" "
	    "server = \"127.0.0.1:18081\" }\n"
	    "rule { server = \"127.0.0.1:18081\" }";

	upstream(opts, "GET /x HTTP/1.1\r\nHost: a\r\nX-Debug: 1\r\n"
	    "X-Env: dev\r\n\r\n", "192.0.2.9", "GET /x HTTP/1.1\r\nHost: a\r\n"
	    "Connection: close\r\nX-Env: prod\r\nX-Via: tcpvs\r\n\r\n");
	upstream(opts, "GET /r HTTP/1.1\r\nHost: a\r\nX-Debug: 1\r\n\r\n",
	    "192.0.2.9", "GET /r HTTP/1.1\r\nHost: a\r\nX-Debug: 1\r\n"
	    "Connection: close\r\nX-Rule: 1\r\n\r\n");
}
END_TEST

/* the response head, and a return rule's answer, rewritten */
START_TEST(test_response_edits)
{
	struct generation *g = load_svc("response_header_del = \"Server\"\n"
	    "response_header_set = \"Strict-Transport-Security: max-age=9\"\n"
	    "rule { pattern = \"^/old\" return = 301 location = "
	    "\"https://$host$target\" }\n"
	    "rule { server = \"127.0.0.1:18081\" }");
	const char *head = "GET /old?a HTTP/1.1\r\nHost: h.test\r\n\r\n";
	struct http_limits lim = { 8192, 16384, 100 };
	static struct http_req req;
	struct route rt;
	size_t n;

	ck_assert_int_eq(http_parse_request(head, strlen(head), &lim, &req),
	    HTTP_OK);
	route_request(&rt, &g->svc[0], &req, head, addr("192.0.2.1"));
	ck_assert(route_answers(&rt));
	is(route_answer(&rt, NULL, buf, sizeof(buf)), "HTTP/1.1 301 Moved "
	    "Permanently\r\nLocation: https://h.test/old?a\r\n"
	    "Content-Length: 0\r\nStrict-Transport-Security: max-age=9\r\n"
	    "\r\n");
	head = "GET /new HTTP/1.1\r\nHost: h.test\r\n\r\n";
	ck_assert_int_eq(http_parse_request(head, strlen(head), &lim, &req),
	    HTTP_OK);
	route_request(&rt, &g->svc[0], &req, head, addr("192.0.2.1"));
	ck_assert(!route_answers(&rt));
	n = set("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n");
	is(route_response(&rt, buf, n, sizeof(buf)), "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 0\r\nStrict-Transport-Security: max-age=9\r\n"
	    "\r\n");
	conf_free(g);
}
END_TEST

START_TEST(test_node)
{
	char b[64];

	ck_assert_str_eq(fwd_node(addr("192.0.2.1"), b, sizeof(b)),
	    "192.0.2.1");
	ck_assert_str_eq(fwd_node(addr("2001:db8::1"), b, sizeof(b)),
	    "\"[2001:db8::1]\"");
}
END_TEST

static Suite *
header_suite(void)
{
	Suite *s = suite_create("header");
	TCase *tc = tcase_create("rewrite");

	tcase_add_test(tc, test_del);
	tcase_add_test(tc, test_add_set);
	tcase_add_test(tc, test_append_get);
	suite_add_tcase(s, tc);
	tc = tcase_create("forwarded");
	tcase_add_test(tc, test_xff_untrusted);
	tcase_add_test(tc, test_xff_trusted);
	tcase_add_test(tc, test_rfc7239);
	tcase_add_test(tc, test_proto_https);
	tcase_add_test(tc, test_node);
	suite_add_tcase(s, tc);
	tc = tcase_create("route");
	tcase_add_test(tc, test_request_edits);
	tcase_add_test(tc, test_response_edits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(header_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
