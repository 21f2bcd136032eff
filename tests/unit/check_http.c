/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for http.c: valid request heads and what the parser reports
 * about them, the size limits (414, 431), every smuggling rule as one
 * table row, heads arriving a byte at a time or followed by a pipelined
 * request, the head built for a real server, and the error replies.
 * Inputs are copied into buffers of their exact size, so that a read past
 * the end shows under AddressSanitizer.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_fixture.h"

static const struct http_limits lim = { 8192, 16384, 100 };
static const struct http_limits small = { 32, 128, 4 };

static struct http_req req;

/* parse the first len bytes of s from a buffer of exactly len bytes */
static enum http_result
parse_n(const char *s, size_t len, const struct http_limits *l,
    struct http_req *r)
{
	char *buf = exact_copy(s, len);
	enum http_result res;

	res = http_parse_request(buf, len, l, r);
	free(buf);
	return res;
}

static enum http_result
parse(const char *s)
{
	return parse_n(s, strlen(s), &lim, &req);
}

/*
 * valid
 */

START_TEST(test_simple_get)
{
	const char *s = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n"
	    "User-Agent: check\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.method), "GET");
	ck_assert_str_eq(sp(s, req.target), "/index.html");
	ck_assert_str_eq(sp(s, req.path), "/index.html");
	ck_assert_str_eq(sp(s, req.host), "example.com");
	ck_assert_int_eq(req.minor, 1);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST);
	ck_assert_uint_eq(req.head_len, strlen(s));
	ck_assert_uint_eq(req.nheaders, 2);
	ck_assert_str_eq(sp(s, req.hdr[1].name), "User-Agent");
	ck_assert_str_eq(sp(s, req.hdr[1].value), "check");
	ck_assert_int_eq(req.status, 0);
	ck_assert_ptr_null(req.reason);
}
END_TEST

START_TEST(test_http10_no_host)
{
	const char *s = "GET / HTTP/1.0\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_int_eq(req.minor, 0);
	ck_assert_uint_eq(req.flags, 0);
	ck_assert_uint_eq(req.host.len, 0);
	ck_assert_uint_eq(req.nheaders, 0);
	ck_assert_uint_eq(req.head_len, 18);
}
END_TEST

START_TEST(test_absolute_form)
{
	const char *s = "GET http://Example.COM:8080/a/b?x=1 HTTP/1.1\r\n"
	    "Host: other.example\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.target), "http://Example.COM:8080/a/b?x=1");
	ck_assert_str_eq(sp(s, req.path), "/a/b");
	/* RFC 9112 3.2.2: the target's authority, not Host */
	ck_assert_str_eq(sp(s, req.host), "Example.COM:8080");
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_ABSOLUTE);

	s = "GET HTTP://h.example HTTP/1.0\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.host), "h.example");
	ck_assert_uint_eq(req.path.len, 0);
	ck_assert_uint_eq(req.flags, HTTP_F_ABSOLUTE);
}
END_TEST

START_TEST(test_query_split)
{
	const char *s = "GET /search/it?q=a/b&r=1#frag HTTP/1.1\r\nHost: h\r\n"
	    "\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.target), "/search/it?q=a/b&r=1#frag");
	ck_assert_str_eq(sp(s, req.path), "/search/it");

	s = "GET /page#top HTTP/1.1\r\nHost: h\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.path), "/page");
}
END_TEST

START_TEST(test_content_length)
{
	const char *s = "POST /form HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 5\r\ncontent-length: 5, 05\r\n\r\nhello";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CL);
	ck_assert_uint_eq(req.content_length, 5);
	ck_assert_uint_eq(req.head_len, strlen(s) - 5);

	s = "PUT /x HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 18446744073709551615\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.content_length, UINT64_MAX);

	s = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CL);
	ck_assert_uint_eq(req.content_length, 0);
}
END_TEST

START_TEST(test_chunked)
{
	const char *s = "POST /up HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CHUNKED);
	ck_assert_uint_eq(req.content_length, 0);
	ck_assert_uint_eq(req.head_len, strlen(s) - 15);
}
END_TEST

START_TEST(test_connection_tokens)
{
	const char *s = "GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, "
	    "X-Foo\r\nX-Foo: 1\r\nconnection:CLOSE\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CONN_CLOSE |
	    HTTP_F_CONN_KEEPALIVE);

	/* upgrade counts only with an Upgrade field */
	s = "GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST);
	s = "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade"
	    "\r\nUpgrade: websocket\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CONN_KEEPALIVE |
	    HTTP_F_CONN_UPGRADE);
}
END_TEST

START_TEST(test_expect)
{
	const char *s = "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n"
	    "Content-Length: 3\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CL |
	    HTTP_F_EXPECT_100);
	/* RFC 9110 10.1.1: ignored in HTTP/1.0 */
	s = "PUT /f HTTP/1.0\r\nExpect: 100-continue\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, 0);
}
END_TEST

START_TEST(test_methods)
{
	const char *s = "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_HEAD);

	s = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST | HTTP_F_CONNECT);
	ck_assert_str_eq(sp(s, req.target), "example.com:443");

	s = "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.path), "*");

	/* methods are case-sensitive: "head" is another (valid) method */
	s = "head / HTTP/1.1\r\nHost: h\r\n\r\n";
	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.flags, HTTP_F_HOST);
	ck_assert_str_eq(sp(s, req.method), "head");
}
END_TEST

START_TEST(test_line_endings)
{
	/* RFC 9112 2.2: empty lines first, bare LF line ends */
	const char *s = "\r\n\nGET /lf HTTP/1.1\nHost: h\n\n";

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.method.off, 3);
	ck_assert_str_eq(sp(s, req.path), "/lf");
	ck_assert_str_eq(sp(s, req.host), "h");
	ck_assert_uint_eq(req.head_len, strlen(s));
}
END_TEST

START_TEST(test_ows_and_lookup)
{
	const char *s = "GET / HTTP/1.1\r\nHost:h\r\nX-Empty:\r\n"
	    "X-Pad: \t a  b \t \r\n\r\n";
	const struct http_header *h;

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_str_eq(sp(s, req.host), "h");
	ck_assert_uint_eq(req.nheaders, 3);
	ck_assert_uint_eq(req.hdr[1].value.len, 0);
	h = http_find_header(&req, s, "x-pad");
	ck_assert_ptr_eq(h, &req.hdr[2]);
	ck_assert_str_eq(sp(s, h->value), "a  b");
	ck_assert_ptr_eq(http_find_header(&req, s, "HOST"), &req.hdr[0]);
	ck_assert_ptr_null(http_find_header(&req, s, "X-Pa"));
	ck_assert_ptr_null(http_find_header(&req, s, "Cookie"));
}
END_TEST

/*
 * limits: max_request_line 32, max_header_size 128, max_headers 4
 */

START_TEST(test_414)
{
	/* 33 bytes of request line */
	const char *line = "GET /aaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n"
	    "Host: h\r\n\r\n";
	char buf[64];

	ck_assert_uint_eq(strchr(line, '\r') - line, 33);
	ck_assert_int_eq(parse_n(line, 32, &small, &req), HTTP_AGAIN);
	/* the line is one byte too long: 414 before its end arrives */
	ck_assert_int_eq(parse_n(line, 33, &small, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 414);
	ck_assert_uint_eq(req.err_off, 32);
	ck_assert_int_eq(parse_n(line, strlen(line), &small, &req),
	    HTTP_ERROR);
	ck_assert_int_eq(req.status, 414);

	/* exactly 32: accepted; a CR at the end is not counted */
	snprintf(buf, sizeof(buf), "GET /aaaaaaaaaaaaaaaaaa HTTP/1.1\r");
	ck_assert_int_eq(parse_n(buf, strlen(buf), &small, &req), HTTP_AGAIN);
	snprintf(buf, sizeof(buf), "GET /aaaaaaaaaaaaaaaaaa HTTP/1.1\r\n"
	    "Host: h\r\n\r\n");
	ck_assert_int_eq(parse_n(buf, strlen(buf), &small, &req), HTTP_OK);
}
END_TEST

START_TEST(test_431_size)
{
	char buf[256];
	size_t n;

	/* a head of exactly 128 bytes */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n"
	    "X: %0*d\r\n\r\n", 128 - 16 - 9 - 7, 0);
	ck_assert_uint_eq(n, 128);
	ck_assert_int_eq(parse_n(buf, n, &small, &req), HTTP_OK);
	ck_assert_uint_eq(req.head_len, 128);

	/* one more byte in the value: 431 once byte 129 arrived */
	n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n"
	    "X: %0*d\r\n\r\n", 128 - 16 - 9 - 7 + 1, 0);
	ck_assert_int_eq(parse_n(buf, 128, &small, &req), HTTP_AGAIN);
	ck_assert_int_eq(parse_n(buf, 129, &small, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 431);
	ck_assert_uint_eq(req.err_off, 128);
	ck_assert_int_eq(parse_n(buf, n, &small, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 431);
	ck_assert_str_eq(req.reason, "request head too large");

	/* a field growing past the limit: 431 before its line ends */
	memset(buf, 'v', sizeof(buf));
	memcpy(buf, "GET / HTTP/1.1\r\nHost: h\r\nX: ", 28);
	ck_assert_int_eq(parse_n(buf, 128, &small, &req), HTTP_AGAIN);
	ck_assert_int_eq(parse_n(buf, 129, &small, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 431);
	ck_assert_uint_eq(req.err_off, 128);
	ck_assert_int_eq(parse_n(buf, sizeof(buf), &small, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 431);
}
END_TEST

START_TEST(test_431_count)
{
	const char *four = "GET / HTTP/1.1\r\nHost: h\r\n"
	    "A: 1\r\nB: 2\r\nC: 3\r\n\r\n";
	const char *five = "GET / HTTP/1.1\r\nHost: h\r\n"
	    "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";

	ck_assert_int_eq(parse_n(four, strlen(four), &small, &req), HTTP_OK);
	ck_assert_uint_eq(req.nheaders, 4);
	ck_assert_int_eq(parse_n(five, strlen(five), &small, &req),
	    HTTP_ERROR);
	ck_assert_int_eq(req.status, 431);
	ck_assert_uint_eq(req.err_off, strstr(five, "D:") - five);
	ck_assert_str_eq(req.reason, "too many header fields");
}
END_TEST

START_TEST(test_again)
{
	const char *s = "POST /p HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 2\r\n\r\n";
	static const size_t cuts[] = { 0, 1, 4, 17, 18, 26, 27, 45, 46, 47 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		ck_assert_int_eq(parse_n(s, cuts[i], &lim, &req), HTTP_AGAIN);
		ck_assert_int_eq(req.status, 0);
	}
	ck_assert_int_eq(parse_n(s, 48, &lim, &req), HTTP_OK);
	ck_assert_uint_eq(strlen(s), 48);
	/* bytes that no line may hold are refused before the line ends */
	ck_assert_int_eq(parse_n("GET /\0", 6, &lim, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 400);
	ck_assert_uint_eq(req.err_off, 5);
	ck_assert_int_eq(parse_n("\x16\x03\x01", 3, &lim, &req), HTTP_ERROR);
	ck_assert_int_eq(req.status, 400);
}
END_TEST

/*
 * smuggling: every rejection, one row each
 */

#define H11	"POST / HTTP/1.1\r\nHost: h\r\n"

static const struct bad {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 status;
	const char	*reason;
	const char	*at;		/* err_off: first occurrence of this */
} bad[] = {
	{ H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
	    400, "both Content-Length and Transfer-Encoding", "Transfer" },
	{ H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 0,
	    400, "both Content-Length and Transfer-Encoding", "Transfer" },
	{ H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 0,
	    400, "different Content-Length values", "6" },
	{ H11 "Content-Length: 5, 6\r\n\r\n", 0,
	    400, "different Content-Length values", "6" },
	{ H11 "Content-Length: +5\r\n\r\n", 0,
	    400, "invalid Content-Length", "+5" },
	{ H11 "Content-Length: -1\r\n\r\n", 0,
	    400, "invalid Content-Length", "-1" },
	{ H11 "Content-Length: 0x10\r\n\r\n", 0,
	    400, "invalid Content-Length", "x10" },
	{ H11 "Content-Length: 1 0\r\n\r\n", 0,
	    400, "invalid Content-Length", " 0\r" },
	{ H11 "Content-Length:\r\n\r\n", 0,
	    400, "empty Content-Length", "\r\n\r\n" },
	{ H11 "Content-Length: 5,\r\n\r\n", 0,
	    400, "empty Content-Length", "\r\n\r\n" },
	{ H11 "Content-Length: 18446744073709551616\r\n\r\n", 0,
	    400, "Content-Length too large", "6\r" },
	{ H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 0,
	    501, "transfer coding not implemented", "gzip" },
	{ H11 "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
	    0, 501, "transfer coding not implemented", "gzip" },
	{ H11 "Transfer-Encoding: chunked, gzip\r\n\r\n", 0,
	    400, "final transfer coding is not chunked", "gzip" },
	{ H11 "Transfer-Encoding: gzip\r\n\r\n", 0,
	    400, "final transfer coding is not chunked", "gzip" },
	{ H11 "Transfer-Encoding: chunked, chunked\r\n\r\n", 0,
	    400, "chunked applied more than once", "chunked\r" },
	{ H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n", 0, 400, "chunked applied more than once", "chunked\r\n\r" },
	{ H11 "Transfer-Encoding: chunked,\r\n\r\n", 0,
	    400, "empty transfer coding", "\r\n\r\n" },
	{ H11 "Transfer-Encoding:\r\n\r\n", 0,
	    400, "empty transfer coding", "\r\n\r\n" },
	{ H11 "Transfer-Encoding: chunked;q=1\r\n\r\n", 0,
	    400, "invalid transfer coding", ";q" },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
	    400, "Transfer-Encoding in an HTTP/1.0 request", "Transfer" },
	{ H11 "Connection: close, Content-Length\r\nContent-Length: 3\r\n\r\n",
	    0, 400, "Connection names an end-to-end field", "Content" },
	{ H11 "X-A: a\r\n b\r\n\r\n", 0,
	    400, "obsolete line folding", " b" },
	{ "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n", 0,
	    400, "obsolete line folding", "\tHost" },
	{ H11 "X-A: a\0b\r\n\r\n", sizeof(H11 "X-A: a\0b\r\n\r\n") - 1,
	    400, "NUL byte", "\0b" },
	{ "GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n",
	    sizeof("GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n") - 1,
	    400, "NUL byte", "\0 " },
	{ H11 "X-A: a\rb\r\n\r\n", 0, 400, "bare CR", "\rb" },
	{ H11 "X-A: a\r\r\n\r\n", 0, 400, "bare CR", "\r\r" },
	{ H11 "X-A: a\001b\r\n\r\n", 0, 400, "control character", "\001" },
	{ H11 "X-A: a\177\r\n\r\n", 0, 400, "control character", "\177" },
	{ H11 "X-A : a\r\n\r\n", 0, 400, "whitespace before colon", " :" },
	{ H11 "X-A\t: a\r\n\r\n", 0, 400, "whitespace before colon", "\t:" },
	{ H11 ": a\r\n\r\n", 0, 400, "empty header name", ": a" },
	{ H11 "X(A): a\r\n\r\n", 0, 400, "invalid header name", "(" },
	{ H11 "NoColon\r\n\r\n", 0, 400, "header line without colon",
	    "\r\n\r\n" },
	{ "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid request-target", " b" },
	{ "GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid request-target", "\t" },
	{ "GET /a\001 HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "control character", "\001" },
	{ "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid request-target", " / " },
	{ "GET x HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid request-target", "x" },
	{ "GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid request-target", "ftp" },
	{ "GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "userinfo in request-target", "@" },
	{ "GET http://u:p@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "userinfo in request-target", "@" },
	{ "GET https://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "https request-target on a listener without TLS", "https" },
	{ "GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "empty authority in request-target", "/p" },
	{ "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "asterisk-form target without OPTIONS", "*" },
	{ "GET / HTTP/1.1\r\n\r\n", 0, 400, "missing Host", "GET" },
	{ "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 0,
	    400, "more than one Host", "host" },
	{ "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 0,
	    400, "more than one Host", "Host: a\r\n\r" },
	{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 0,
	    400, "invalid Host", " b" },
	{ "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 0,
	    400, "invalid Host", "/b" },
	{ "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 0, 400, "invalid method", "(" },
	{ "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid method", "\t" },
	{ " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "invalid method", " GET" },
	{ "GET /\r\n\r\n", 0, 400, "missing HTTP version", "\r\n\r\n" },
	{ "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 0,
	    400, "unsupported HTTP version", "HTTP" },
	{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 0,
	    400, "unsupported HTTP version", "HTTP" },
	{ "GET / http/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "unsupported HTTP version", "http/" },
	{ "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 0,
	    400, "unsupported HTTP version", "HTTP" },
	{ "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 0,
	    400, "unsupported HTTP version", "\r\nHost" },
	{ "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    400, "too many empty lines before the request line", "GET" },
};

START_TEST(test_smuggling)
{
	const struct bad *b = &bad[_i];
	size_t len = b->len ? b->len : strlen(b->in);
	const char *at = memmem(b->in, len, b->at, strlen(b->at) ?
	    strlen(b->at) : 1);

	ck_assert_ptr_nonnull(at);
	ck_assert_msg(parse_n(b->in, len, &lim, &req) == HTTP_ERROR,
	    "row %d: not HTTP_ERROR", _i);
	ck_assert_int_eq(req.status, b->status);
	ck_assert_str_eq(req.reason, b->reason);
	ck_assert_uint_eq(req.err_off, (size_t)(at - b->in));
}
END_TEST

/*
 * split
 */

static void
assert_same(const struct http_req *a, const struct http_req *b)
{
	ck_assert_uint_eq(a->method.off, b->method.off);
	ck_assert_uint_eq(a->method.len, b->method.len);
	ck_assert_uint_eq(a->target.off, b->target.off);
	ck_assert_uint_eq(a->target.len, b->target.len);
	ck_assert_uint_eq(a->path.off, b->path.off);
	ck_assert_uint_eq(a->path.len, b->path.len);
	ck_assert_uint_eq(a->host.off, b->host.off);
	ck_assert_uint_eq(a->host.len, b->host.len);
	ck_assert_int_eq(a->minor, b->minor);
	ck_assert_uint_eq(a->flags, b->flags);
	ck_assert_uint_eq(a->content_length, b->content_length);
	ck_assert_uint_eq(a->head_len, b->head_len);
	ck_assert_uint_eq(a->nheaders, b->nheaders);
	for (unsigned i = 0; i < a->nheaders; i++) {
		ck_assert_uint_eq(a->hdr[i].name.off, b->hdr[i].name.off);
		ck_assert_uint_eq(a->hdr[i].name.len, b->hdr[i].name.len);
		ck_assert_uint_eq(a->hdr[i].value.off, b->hdr[i].value.off);
		ck_assert_uint_eq(a->hdr[i].value.len, b->hdr[i].value.len);
	}
}

static const char *const split_reqs[] = {
	"\r\nPOST /a/b?c=d HTTP/1.1\r\nHost: example.com:81\r\n"
	"Connection: keep-alive\r\nExpect: 100-continue\r\n"
	"Content-Length: 12\r\nX-Tab:\tv\t\r\n\r\n",
	"GET /lf HTTP/1.0\nHost: h\nTransfer-Length: 3\n\n",
};

START_TEST(test_byte_by_byte)
{
	const char *s = split_reqs[_i];
	size_t len = strlen(s);
	static struct http_req whole;

	ck_assert_int_eq(parse_n(s, len, &lim, &whole), HTTP_OK);
	ck_assert_uint_eq(whole.head_len, len);
	for (size_t n = 0; n < len; n++)
		ck_assert_msg(parse_n(s, n, &lim, &req) == HTTP_AGAIN,
		    "not HTTP_AGAIN after %zu of %zu bytes", n, len);
	ck_assert_int_eq(parse_n(s, len, &lim, &req), HTTP_OK);
	assert_same(&req, &whole);
}
END_TEST

START_TEST(test_pipelined)
{
	const char *s = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	const char *first_end = strstr(s, "GET /b");
	char big[1000];

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(req.head_len, first_end - s);
	ck_assert_str_eq(sp(s, req.path), "/a");
	ck_assert_uint_eq(req.nheaders, 1);
	ck_assert_int_eq(parse(s + req.head_len), HTTP_OK);
	ck_assert_str_eq(sp(first_end, req.path), "/b");

	/* a body with bytes no head may hold is not looked at */
	s = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n"
	    "\001\r\0x";
	ck_assert_int_eq(parse_n(s, strlen(s) + 2, &lim, &req), HTTP_OK);
	ck_assert_uint_eq(req.head_len, strlen(s) - 2);
	/* nor is what follows a head within the limit counted against it */
	memset(big, 'x', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 27);
	ck_assert_int_eq(parse_n(big, sizeof(big), &small, &req), HTTP_OK);
	ck_assert_uint_eq(req.head_len, 27);
}
END_TEST

/*
 * upstream
 */

static long
build(const char *s, const char *client, const char *conn, char *out,
    size_t outlen)
{
	ck_assert_int_eq(parse(s), HTTP_OK);
	return http_build_upstream(&req, s, client, conn, out, outlen);
}

START_TEST(test_upstream_hop_by_hop)
{
	const char *s = "\r\nGET /p?q HTTP/1.1\r\nHost: h\r\n"
	    "Connection: keep-alive, X-Secret\r\nKeep-Alive: 300\r\n"
	    "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n"
	    "Upgrade: h2c\r\nx-secret: 1\r\nAccept: */*\r\n"
	    "x-custom:  Keep Case \r\n\r\n";
	const char *want = "GET /p?q HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"
	    "x-custom: Keep Case\r\nX-Forwarded-For: 10.0.0.1\r\n"
	    "Connection: close\r\n\r\n";
	char out[1024];
	long n;

	n = build(s, "10.0.0.1", "close", out, sizeof(out));
	ck_assert_int_eq(n, (long)strlen(want));
	out[n] = '\0';
	ck_assert_str_eq(out, want);
	/* NULL conn_value is "close"; NULL client adds no field */
	n = build(s, NULL, NULL, out, sizeof(out));
	out[n] = '\0';
	ck_assert_str_eq(out, "GET /p?q HTTP/1.1\r\nHost: h\r\n"
	    "Accept: */*\r\nx-custom: Keep Case\r\nConnection: close\r\n\r\n");
}
END_TEST

START_TEST(test_upstream_xff)
{
	const char *s = "POST /x HTTP/1.0\nx-forwarded-for: 1.1.1.1, 2.2.2.2\n"
	    "Content-Length: 0\nX-Forwarded-For: 3.3.3.3\nX-Forwarded-For:\n"
	    "\n";
	char out[512];
	long n;

	n = build(s, "::1", "keep-alive", out, sizeof(out));
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	ck_assert_str_eq(out, "POST /x HTTP/1.0\r\nContent-Length: 0\r\n"
	    "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, ::1\r\n"
	    "Connection: keep-alive\r\n\r\n");

	s = "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 9.9.9.9\r\n\r\n";
	n = build(s, NULL, "close", out, sizeof(out));
	out[n] = '\0';
	ck_assert_str_eq(out, "GET / HTTP/1.1\r\nHost: h\r\n"
	    "X-Forwarded-For: 9.9.9.9\r\nConnection: close\r\n\r\n");
}
END_TEST

/* RFC 9112 3.2.2: origin-form upstream, the authority as Host */
START_TEST(test_upstream_absolute)
{
	static const struct {
		const char	*in;
		const char	*out;
	} c[] = {
		{ "GET http://A.example:81/p?q=1 HTTP/1.1\r\nHost: other\r\n"
		    "Accept: a\r\n\r\n",
		    "GET /p?q=1 HTTP/1.1\r\nHost: A.example:81\r\n"
		    "Accept: a\r\nConnection: close\r\n\r\n" },
		{ "GET http://a.example HTTP/1.0\r\n\r\n",
		    "GET / HTTP/1.0\r\nHost: a.example\r\n"
		    "Connection: close\r\n\r\n" },
		{ "GET http://a.example?x HTTP/1.1\r\nHost: b\r\n\r\n",
		    "GET /?x HTTP/1.1\r\nHost: a.example\r\n"
		    "Connection: close\r\n\r\n" },
		{ "OPTIONS http://a.example HTTP/1.1\r\nHost: a.example\r\n"
		    "\r\n",
		    "OPTIONS * HTTP/1.1\r\nHost: a.example\r\n"
		    "Connection: close\r\n\r\n" },
		/* origin-form: as sent */
		{ "GET /x HTTP/1.1\r\nHost: b\r\n\r\n",
		    "GET /x HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
		    "\r\n" },
	};
	char out[512];
	long n;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = build(c[i].in, NULL, "close", out, sizeof(out));
		ck_assert_int_ge(n, 0);
		out[n] = '\0';
		ck_assert_str_eq(out, c[i].out);
	}
}
END_TEST

START_TEST(test_upstream_content_length)
{
	const char *s = "POST /x HTTP/1.1\r\nHost: h\r\n"
	    "CONTENT-LENGTH: 05, 5\r\nAccept: a\r\ncontent-length: 5\r\n\r\n";
	char out[512];
	long n;

	n = build(s, "1.2.3.4", "close", out, sizeof(out));
	out[n] = '\0';
	ck_assert_str_eq(out, "POST /x HTTP/1.1\r\nHost: h\r\n"
	    "CONTENT-LENGTH: 5\r\nAccept: a\r\nX-Forwarded-For: 1.2.3.4\r\n"
	    "Connection: close\r\n\r\n");
}
END_TEST

START_TEST(test_upstream_upgrade)
{
	const char *s = "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n"
	    "Upgrade: websocket\r\n\r\n";
	char out[512];
	long n;

	n = build(s, "1.2.3.4", "upgrade", out, sizeof(out));
	out[n] = '\0';
	ck_assert_str_eq(out, "GET /ws HTTP/1.1\r\nHost: h\r\n"
	    "Upgrade: websocket\r\nX-Forwarded-For: 1.2.3.4\r\n"
	    "Connection: upgrade\r\n\r\n");
	n = build(s, "1.2.3.4", "close", out, sizeof(out));
	out[n] = '\0';
	ck_assert_str_eq(out, "GET /ws HTTP/1.1\r\nHost: h\r\n"
	    "X-Forwarded-For: 1.2.3.4\r\nConnection: close\r\n\r\n");
}
END_TEST

START_TEST(test_upstream_too_small)
{
	const char *s = "GET / HTTP/1.1\r\nHost: h\r\n"
	    "X-Forwarded-For: a\r\n\r\n";
	char big[256], *out;
	long n, m;

	n = build(s, "10.1.1.1", "close", big, sizeof(big));
	ck_assert_int_eq(n, 76);
	/* exactly enough, in a buffer of that size */
	out = malloc((size_t)n);
	ck_assert_ptr_nonnull(out);
	m = http_build_upstream(&req, s, "10.1.1.1", "close", out, (size_t)n);
	ck_assert_int_eq(m, n);
	ck_assert_int_eq(memcmp(out, big, (size_t)n), 0);
	/* one byte short, wherever it falls */
	for (size_t cap = 0; cap < (size_t)n; cap++)
		ck_assert_int_eq(http_build_upstream(&req, s, "10.1.1.1",
		    "close", out, cap), -1);
	free(out);
}
END_TEST

/*
 * errors
 */

static const struct {
	int		 code;
	const char	*text;
} replies[] = {
	{ 400, "Bad Request" },
	{ 408, "Request Timeout" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 431, "Request Header Fields Too Large" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

START_TEST(test_error_reply)
{
	char out[512], line[128], body[128];
	const char *b, *cl;
	size_t n;

	ck_assert_str_eq(http_status_text(replies[_i].code),
	    replies[_i].text);
	n = http_error_reply(replies[_i].code, out, sizeof(out));
	ck_assert_uint_eq(n, strlen(out));
	snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", replies[_i].code,
	    replies[_i].text);
	ck_assert_int_eq(strncmp(out, line, strlen(line)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Type: text/plain\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nConnection: close\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nCache-Control: no-cache\r\n"));
	b = strstr(out, "\r\n\r\n");
	ck_assert_ptr_nonnull(b);
	b += 4;
	snprintf(body, sizeof(body), "%d %s\n", replies[_i].code,
	    replies[_i].text);
	ck_assert_str_eq(b, body);
	cl = strstr(out, "\r\nContent-Length: ");
	ck_assert_ptr_nonnull(cl);
	ck_assert(cl < b);
	ck_assert_uint_eq(strtoul(cl + 18, NULL, 10), strlen(b));
}
END_TEST

START_TEST(test_error_truncated)
{
	char full[512], *out;
	size_t n;

	n = http_error_reply(503, full, sizeof(full));
	ck_assert_uint_gt(n, 100);
	out = malloc(10);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(http_error_reply(503, out, 10), 9);
	ck_assert_int_eq(memcmp(out, full, 9), 0);
	ck_assert_int_eq(out[9], '\0');
	free(out);
	ck_assert_uint_eq(http_error_reply(503, NULL, 0), 0);
	/* not an error status: 500 */
	http_error_reply(200, full, sizeof(full));
	ck_assert_int_eq(strncmp(full, "HTTP/1.1 500 Internal Server Error\r\n",
	    36), 0);
	ck_assert_str_eq(http_status_text(299), "Unknown Status");
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_simple_get);
	tcase_add_test(tc, test_http10_no_host);
	tcase_add_test(tc, test_absolute_form);
	tcase_add_test(tc, test_query_split);
	tcase_add_test(tc, test_content_length);
	tcase_add_test(tc, test_chunked);
	tcase_add_test(tc, test_connection_tokens);
	tcase_add_test(tc, test_expect);
	tcase_add_test(tc, test_methods);
	tcase_add_test(tc, test_line_endings);
	tcase_add_test(tc, test_ows_and_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_414);
	tcase_add_test(tc, test_431_size);
	tcase_add_test(tc, test_431_count);
	tcase_add_test(tc, test_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("smuggling");
	tcase_add_loop_test(tc, test_smuggling, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_byte_by_byte, 0,
	    (int)(sizeof(split_reqs) / sizeof(split_reqs[0])));
	tcase_add_test(tc, test_pipelined);
	suite_add_tcase(s, tc);

	tc = tcase_create("upstream");
	tcase_add_test(tc, test_upstream_hop_by_hop);
	tcase_add_test(tc, test_upstream_xff);
	tcase_add_test(tc, test_upstream_absolute);
	tcase_add_test(tc, test_upstream_content_length);
	tcase_add_test(tc, test_upstream_upgrade);
	tcase_add_test(tc, test_upstream_too_small);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_error_reply, 0,
	    (int)(sizeof(replies) / sizeof(replies[0])));
	tcase_add_test(tc, test_error_truncated);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
