/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for http_resp.c: valid response heads and what the parser
 * reports about them, every invalid response as one table row, the size
 * limits, heads arriving a byte at a time or followed by a body or the
 * next head, and the framing decisions: how each body ends for the
 * request it answers, and whether the server connection may be kept.
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

static struct http_resp resp;
static struct http_req req;

/* parse the first len bytes of s from a buffer of exactly len bytes */
static enum http_result
parse_n(const char *s, size_t len, const struct http_limits *l,
    struct http_resp *r)
{
	char *buf = exact_copy(s, len);
	enum http_result res;

	res = http_parse_response(buf, len, l, r);
	free(buf);
	return res;
}

static enum http_result
parse(const char *s)
{
	return parse_n(s, strlen(s), &lim, &resp);
}

/*
 * valid
 */

#define TE	"Transfer-Encoding: "
#define CL	"Content-Length: "

static const struct good {
	const char	*in;
	int		 status;
	int		 minor;
	unsigned	 flags;
	uint64_t	 length;	/* content_length */
	const char	*phrase;
	size_t		 after;		/* bytes after the head */
} good[] = {
	{ "HTTP/1.1 200 OK\r\n" CL "5\r\n\r\nhello", 200, 1, HTTP_F_CL, 5,
	    "OK", 5 },
	{ "HTTP/1.1 200 OK\r\n" TE "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	    200, 1, HTTP_F_CHUNKED, 0, "OK", 15 },
	{ "HTTP/1.1 200 OK\r\n" TE "gzip, Chunked\r\n\r\n", 200, 1,
	    HTTP_F_CHUNKED, 0, "OK", 0 },
	{ "HTTP/1.1 200 OK\r\n" TE "gzip\r\n" TE "chunked\r\n\r\n", 200, 1,
	    HTTP_F_CHUNKED, 0, "OK", 0 },
	/* RFC 9112 6.3 (4): final coding not chunked, until close */
	{ "HTTP/1.1 200 OK\r\n" TE "chunked, gzip\r\n\r\nzz", 200, 1, 0, 0,
	    "OK", 2 },
	{ "HTTP/1.1 200 OK\r\n" TE "gzip\r\n\r\n", 200, 1, 0, 0, "OK", 0 },
	{ "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody", 200, 0, 0, 0, "OK", 4 },
	{ "HTTP/1.1 100 Continue\r\n\r\n", 100, 1, 0, 0, "Continue", 0 },
	{ "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n",
	    103, 1, 0, 0, "Early Hints", 0 },
	{ "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
	    "Upgrade: websocket\r\n\r\n\x81\x05", 101, 1, HTTP_F_CONN_UPGRADE,
	    0, "Switching Protocols", 2 },
	{ "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n\r\n",
	    101, 1, 0, 0, "Switching Protocols", 0 },
	{ "HTTP/1.1 204 No Content\r\n" CL "10\r\n\r\n", 204, 1, HTTP_F_CL,
	    10, "No Content", 0 },
	{ "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", 304, 1, 0, 0,
	    "Not Modified", 0 },
	{ "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n" CL "0\r\n\r\n",
	    200, 0, HTTP_F_CONN_KEEPALIVE | HTTP_F_CL, 0, "OK", 0 },
	{ "HTTP/1.1 200 OK\r\nConnection: close\r\n"
	    CL "18446744073709551615\r\n\r\n", 200, 1,
	    HTTP_F_CONN_CLOSE | HTTP_F_CL, UINT64_MAX, "OK", 0 },
	{ "HTTP/1.1 599 x\r\n" CL "1, 1\r\ncontent-length: 01\r\n\r\nx",
	    599, 1, HTTP_F_CL, 1, "x", 1 },
	/* the reason-phrase may be empty, or missing with its SP */
	{ "HTTP/1.1 200\r\n\r\n", 200, 1, 0, 0, "", 0 },
	{ "HTTP/1.1 200 \r\n\r\n", 200, 1, 0, 0, "", 0 },
	{ "HTTP/1.1 404 Not  Found \t\r\n\r\n", 404, 1, 0, 0,
	    "Not  Found \t", 0 },
	{ "HTTP/1.1 200 \xc3\x93K\r\n\r\n", 200, 1, 0, 0, "\xc3\x93K", 0 },
	/* RFC 9112 2.2: bare LF line ends */
	{ "HTTP/1.1 200 OK\n" CL "2\n\nhi", 200, 1, HTTP_F_CL, 2, "OK", 2 },
	/* a body with bytes no head may hold is not looked at */
	{ "HTTP/1.1 200 OK\r\n" CL "3\r\n\r\n\r\001\177", 200, 1, HTTP_F_CL,
	    3, "OK", 3 },
};

START_TEST(test_valid)
{
	const struct good *g = &good[_i];
	size_t len = strlen(g->in);

	ck_assert_msg(parse_n(g->in, len, &lim, &resp) == HTTP_OK,
	    "row %d: %s", _i, resp.reason);
	ck_assert_int_eq(resp.status, g->status);
	ck_assert_int_eq(resp.minor, g->minor);
	ck_assert_uint_eq(resp.flags, g->flags);
	ck_assert_uint_eq(resp.content_length, g->length);
	ck_assert_str_eq(sp(g->in, resp.phrase), g->phrase);
	ck_assert_uint_eq(resp.head_len, len - g->after);
	ck_assert_ptr_null(resp.reason);
	ck_assert_uint_eq(resp.err_off, 0);
}
END_TEST

START_TEST(test_headers)
{
	const char *s = "HTTP/1.1 200 OK\r\nServer:tcpvs\r\nX-Empty:\r\n"
	    "Set-Cookie: \t a=b; c \t \r\n\r\n";
	const struct http_header *h;

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_uint_eq(resp.nheaders, 3);
	ck_assert_str_eq(sp(s, resp.hdr[0].name), "Server");
	ck_assert_str_eq(sp(s, resp.hdr[0].value), "tcpvs");
	ck_assert_uint_eq(resp.hdr[1].value.len, 0);
	h = http_resp_find_header(&resp, s, "set-cookie");
	ck_assert_ptr_eq(h, &resp.hdr[2]);
	ck_assert_str_eq(sp(s, h->value), "a=b; c");
	ck_assert_ptr_eq(http_resp_find_header(&resp, s, "SERVER"),
	    &resp.hdr[0]);
	ck_assert_ptr_null(http_resp_find_header(&resp, s, "Serve"));
	ck_assert_ptr_null(http_resp_find_header(&resp, s, "Date"));
}
END_TEST

/* a 1xx, then the final head in the same buffer */
START_TEST(test_interim_then_final)
{
	const char *s = "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 201 Created\r\n" CL "0\r\n\r\n";
	const char *second = strstr(s, "HTTP/1.1 201");

	ck_assert_int_eq(parse(s), HTTP_OK);
	ck_assert_int_eq(resp.status, 100);
	ck_assert_uint_eq(resp.head_len, (size_t)(second - s));
	ck_assert_uint_eq(resp.nheaders, 0);
	ck_assert_int_eq(parse(s + resp.head_len), HTTP_OK);
	ck_assert_int_eq(resp.status, 201);
	ck_assert_uint_eq(resp.flags, HTTP_F_CL);
	ck_assert_uint_eq(resp.head_len, strlen(second));
}
END_TEST

/*
 * invalid: every rejection, one row each
 */

#define R11	"HTTP/1.1 200 OK\r\n"

static const struct bad {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*reason;
	const char	*at;		/* err_off: first occurrence of this */
} bad[] = {
	{ R11 CL "5\r\n" TE "chunked\r\n\r\n", 0,
	    "both Content-Length and Transfer-Encoding", "Transfer" },
	{ R11 TE "chunked\r\n" CL "5\r\n\r\n", 0,
	    "both Content-Length and Transfer-Encoding", "Transfer" },
	{ R11 TE "gzip\r\n" CL "5\r\n\r\n", 0,
	    "both Content-Length and Transfer-Encoding", "Transfer" },
	{ R11 CL "5\r\n" CL "6\r\n\r\n", 0,
	    "different Content-Length values", "6" },
	{ R11 CL "5, 6\r\n\r\n", 0, "different Content-Length values", "6" },
	{ R11 CL "+5\r\n\r\n", 0, "invalid Content-Length", "+5" },
	{ R11 CL "-1\r\n\r\n", 0, "invalid Content-Length", "-1" },
	{ R11 CL "0x10\r\n\r\n", 0, "invalid Content-Length", "x10" },
	{ R11 CL "1 0\r\n\r\n", 0, "invalid Content-Length", " 0\r" },
	{ R11 CL "\r\n\r\n", 0, "empty Content-Length", "\r\n\r\n" },
	{ R11 CL "5,\r\n\r\n", 0, "empty Content-Length", "\r\n\r\n" },
	{ R11 CL "18446744073709551616\r\n\r\n", 0,
	    "Content-Length too large", "6\r" },
	{ R11 TE "chunked, chunked\r\n\r\n", 0,
	    "chunked applied more than once", "chunked\r" },
	{ R11 TE "chunked\r\n" TE "gzip, chunked\r\n\r\n", 0,
	    "chunked applied more than once", "chunked\r\n\r" },
	{ R11 TE "chunked,\r\n\r\n", 0, "empty transfer coding", "\r\n\r\n" },
	{ R11 TE "\r\n\r\n", 0, "empty transfer coding", "\r\n\r\n" },
	{ R11 TE "chunked;q=1\r\n\r\n", 0, "invalid transfer coding", ";q" },
	{ "HTTP/1.0 200 OK\r\n" TE "chunked\r\n\r\n", 0,
	    "Transfer-Encoding in an HTTP/1.0 response", "Transfer" },
	{ R11 "Connection: close, Content-Length\r\n" CL "3\r\n\r\n", 0,
	    "Connection names an end-to-end field", "Content" },
	{ R11 "Connection: transfer-encoding\r\n\r\n", 0,
	    "Connection names an end-to-end field", "transfer" },
	{ R11 "X-A: a\r\n b\r\n\r\n", 0, "obsolete line folding", " b" },
	{ R11 "\tX-A: a\r\n\r\n", 0, "obsolete line folding", "\tX" },
	{ R11 "X-A: a\0b\r\n\r\n", sizeof(R11 "X-A: a\0b\r\n\r\n") - 1,
	    "NUL byte", "\0b" },
	{ R11 "X-A: a\rb\r\n\r\n", 0, "bare CR", "\rb" },
	{ R11 "X-A: a\001b\r\n\r\n", 0, "control character", "\001" },
	{ R11 "X-A: a\177\r\n\r\n", 0, "control character", "\177" },
	{ R11 "X-A : a\r\n\r\n", 0, "whitespace before colon", " :" },
	{ R11 "X-A\t: a\r\n\r\n", 0, "whitespace before colon", "\t:" },
	{ R11 ": a\r\n\r\n", 0, "empty header name", ": a" },
	{ R11 "X(A): a\r\n\r\n", 0, "invalid header name", "(" },
	{ R11 "NoColon\r\n\r\n", 0, "header line without colon",
	    "\r\n\r\n" },
	{ "HTTP/1.1 200 O\rK\r\n\r\n", 0, "bare CR", "\rK" },
	{ "HTTP/1.1 200 O\001K\r\n\r\n", 0, "control character", "\001" },
	{ "HTTP/1.1 200 O\0K\r\n\r\n", sizeof("HTTP/1.1 200 O\0K\r\n\r\n") - 1,
	    "NUL byte", "\0K" },
	{ "HTTP/1.2 200 OK\r\n\r\n", 0, "unsupported HTTP version", "HTTP" },
	{ "HTTP/2 200 OK\r\n\r\n", 0, "unsupported HTTP version", "HTTP" },
	{ "HTTP/1.10 200 OK\r\n\r\n", 0, "unsupported HTTP version", "HTTP" },
	{ "HTTP/1.1\t200 OK\r\n\r\n", 0, "unsupported HTTP version", "HTTP" },
	{ "HTTP/1.\r\n\r\n", 0, "unsupported HTTP version", "HTTP" },
	{ "HTTP/1.1\r\n\r\n", 0, "invalid status code", "\r\n\r\n" },
	{ "HTTP/1.1 \r\n\r\n", 0, "invalid status code", "\r\n\r\n" },
	{ "HTTP/1.1 20\r\n\r\n", 0, "invalid status code", "20" },
	{ "HTTP/1.1 20 OK\r\n\r\n", 0, "invalid status code", "20" },
	{ "HTTP/1.1  200 OK\r\n\r\n", 0, "invalid status code", " 200" },
	{ "HTTP/1.1 2000 OK\r\n\r\n", 0, "invalid status code", "2000" },
	{ "HTTP/1.1 200OK\r\n\r\n", 0, "invalid status code", "200" },
	{ "HTTP/1.1 2x0 OK\r\n\r\n", 0, "invalid status code", "2x0" },
	{ "HTTP/1.1 +20 OK\r\n\r\n", 0, "invalid status code", "+20" },
	{ "HTTP/1.1 099 Low\r\n\r\n", 0, "status code out of range", "099" },
	{ "HTTP/1.1 000 Zero\r\n\r\n", 0, "status code out of range", "000" },
	{ "HTTP/1.1 600 High\r\n\r\n", 0, "status code out of range", "600" },
	{ "http/1.1 200 OK\r\n\r\n", 0, "invalid status line", "http" },
	{ "HTTPS/1.1 200 OK\r\n\r\n", 0, "invalid status line", "S/" },
	{ "\r\nHTTP/1.1 200 OK\r\n\r\n", 0, "invalid status line", "\r\nH" },
	{ "<html>hello</html>\n", 0, "invalid status line", "<" },
	{ " HTTP/1.1 200 OK\r\n\r\n", 0, "invalid status line", " H" },
};

START_TEST(test_invalid)
{
	const struct bad *b = &bad[_i];
	size_t len = b->len ? b->len : strlen(b->in);
	const char *at = memmem(b->in, len, b->at, strlen(b->at) ?
	    strlen(b->at) : 1);

	ck_assert_ptr_nonnull(at);
	ck_assert_msg(parse_n(b->in, len, &lim, &resp) == HTTP_ERROR,
	    "row %d: not HTTP_ERROR", _i);
	ck_assert_str_eq(resp.reason, b->reason);
	ck_assert_uint_eq(resp.err_off, (size_t)(at - b->in));
}
END_TEST

/*
 * limits: max_header_size 128, max_headers 4; max_request_line unused
 */

START_TEST(test_size)
{
	char buf[256];
	size_t n;

	/* a head of exactly 128 bytes, with a status line over 32 */
	n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 %0*d\r\n"
	    "X: 1\r\n\r\n", 128 - 13 - 2 - 8, 0);
	ck_assert_uint_eq(n, 128);
	ck_assert_int_eq(parse_n(buf, n, &small, &resp), HTTP_OK);
	ck_assert_uint_eq(resp.head_len, 128);

	/* one more byte: an error once byte 129 arrived */
	n = (size_t)snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"
	    "X: %0*d\r\n\r\n", 128 - 17 - 7 + 1, 0);
	ck_assert_uint_eq(n, 129);
	ck_assert_int_eq(parse_n(buf, 128, &small, &resp), HTTP_AGAIN);
	ck_assert_int_eq(parse_n(buf, 129, &small, &resp), HTTP_ERROR);
	ck_assert_str_eq(resp.reason, "response head too large");
	ck_assert_uint_eq(resp.err_off, 128);

	/* a status line growing past the limit, before its LF */
	memset(buf, 'v', sizeof(buf));
	memcpy(buf, "HTTP/1.1 200 ", 13);
	ck_assert_int_eq(parse_n(buf, 128, &small, &resp), HTTP_AGAIN);
	ck_assert_int_eq(parse_n(buf, sizeof(buf), &small, &resp),
	    HTTP_ERROR);
	ck_assert_str_eq(resp.reason, "response head too large");
}
END_TEST

START_TEST(test_count)
{
	const char *four = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
	    "D: 4\r\n\r\n";
	const char *five = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n"
	    "D: 4\r\nE: 5\r\n\r\n";

	ck_assert_int_eq(parse_n(four, strlen(four), &small, &resp), HTTP_OK);
	ck_assert_uint_eq(resp.nheaders, 4);
	ck_assert_int_eq(parse_n(five, strlen(five), &small, &resp),
	    HTTP_ERROR);
	ck_assert_str_eq(resp.reason, "too many header fields");
	ck_assert_uint_eq(resp.err_off, strstr(five, "E:") - five);
}
END_TEST

START_TEST(test_again)
{
	/* nothing, or the start of "HTTP/": wait */
	ck_assert_int_eq(parse_n("", 0, &lim, &resp), HTTP_AGAIN);
	ck_assert_int_eq(parse_n("HTT", 3, &lim, &resp), HTTP_AGAIN);
	ck_assert_int_eq(parse_n("HTTP/1.1 200 OK\r", 16, &lim, &resp),
	    HTTP_AGAIN);
	ck_assert_ptr_null(resp.reason);
	/* anything else is refused before the line ends */
	ck_assert_int_eq(parse_n("HTX", 3, &lim, &resp), HTTP_ERROR);
	ck_assert_str_eq(resp.reason, "invalid status line");
	ck_assert_uint_eq(resp.err_off, 2);
	ck_assert_int_eq(parse_n("\x15\x03\x03", 3, &lim, &resp),
	    HTTP_ERROR);
	ck_assert_uint_eq(resp.err_off, 0);
	ck_assert_int_eq(parse_n("HTTP/1.1 200 OK\r\nX: \0", 21, &lim,
	    &resp), HTTP_ERROR);
	ck_assert_str_eq(resp.reason, "NUL byte");
	ck_assert_uint_eq(resp.err_off, 20);
}
END_TEST

/*
 * split: a byte at a time
 */

static const char *const split_resps[] = {
	"HTTP/1.1 200 OK\r\nServer: s\r\n" CL "12\r\nX-Tab:\tv\t\r\n\r\n",
	"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
	"Upgrade: websocket\r\n\r\n",
	"HTTP/1.0 404\nConnection: keep-alive\n" TE "gzip\n\n",
	"HTTP/1.1 200 OK\r\n" TE "chunked\r\n" CL "1\r\n\r\n",
};

START_TEST(test_byte_by_byte)
{
	const char *s = split_resps[_i];
	size_t len = strlen(s);
	static struct http_resp whole;
	enum http_result r;

	r = parse_n(s, len, &lim, &whole);
	for (size_t n = 0; n < len; n++)
		ck_assert_msg(parse_n(s, n, &lim, &resp) == HTTP_AGAIN,
		    "not HTTP_AGAIN after %zu of %zu bytes", n, len);
	ck_assert_int_eq(parse_n(s, len, &lim, &resp), r);
	if (r == HTTP_ERROR) {
		ck_assert_str_eq(resp.reason, whole.reason);
		ck_assert_uint_eq(resp.err_off, whole.err_off);
		return;
	}
	ck_assert_uint_eq(whole.head_len, len);
	ck_assert_int_eq(resp.status, whole.status);
	ck_assert_uint_eq(resp.flags, whole.flags);
	ck_assert_uint_eq(resp.nheaders, whole.nheaders);
	ck_assert_int_eq(memcmp(resp.hdr, whole.hdr,
	    whole.nheaders * sizeof(whole.hdr[0])), 0);
}
END_TEST

/*
 * framing: the body of each response to each request, and keep-alive
 */

#define GET	"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
#define HEAD	"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"
#define GET10	"GET / HTTP/1.0\r\n\r\n"
#define WS	"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n" \
		"Upgrade: websocket\r\n\r\n"
#define WS10	"GET /ws HTTP/1.0\r\nConnection: upgrade\r\n" \
		"Upgrade: websocket\r\n\r\n"
#define CONNECT	"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"
#define R101	"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n" \
		"Upgrade: websocket\r\n\r\n"

static const struct framing {
	const char	*req;
	const char	*resp;
	enum http_body	 body;
	int		 keepalive;
} framing[] = {
	{ GET, R11 CL "2\r\n\r\n", HTTP_BODY_LENGTH, 1 },
	{ GET, R11 CL "0\r\n\r\n", HTTP_BODY_LENGTH, 1 },
	{ GET, R11 TE "chunked\r\n\r\n", HTTP_BODY_CHUNKED, 1 },
	{ GET, R11 TE "gzip, chunked\r\n\r\n", HTTP_BODY_CHUNKED, 1 },
	{ GET, R11 "\r\n", HTTP_BODY_CLOSE, 0 },
	{ GET, R11 TE "chunked, gzip\r\n\r\n", HTTP_BODY_CLOSE, 0 },
	{ GET, R11 "Connection: close\r\n" CL "2\r\n\r\n",
	    HTTP_BODY_LENGTH, 0 },
	{ GET, R11 "Connection: close\r\n" TE "chunked\r\n\r\n",
	    HTTP_BODY_CHUNKED, 0 },
	{ GET10, "HTTP/1.0 200 OK\r\n" CL "2\r\n\r\n", HTTP_BODY_LENGTH, 0 },
	{ GET10, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
	    CL "2\r\n\r\n", HTTP_BODY_LENGTH, 1 },
	{ GET10, "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
	    HTTP_BODY_CLOSE, 0 },
	{ GET, "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n"
	    CL "2\r\n\r\n", HTTP_BODY_LENGTH, 0 },
	{ GET10, R11 CL "2\r\n\r\n", HTTP_BODY_LENGTH, 1 },
	/* RFC 9112 6.3 (1): no body whatever the fields say */
	{ HEAD, R11 CL "100\r\n\r\n", HTTP_BODY_NONE, 1 },
	{ HEAD, R11 TE "chunked\r\n\r\n", HTTP_BODY_NONE, 1 },
	{ HEAD, R11 "\r\n", HTTP_BODY_NONE, 1 },
	{ HEAD, "HTTP/1.0 200 OK\r\n\r\n", HTTP_BODY_NONE, 0 },
	{ GET, "HTTP/1.1 204 No Content\r\n" CL "5\r\n\r\n",
	    HTTP_BODY_NONE, 1 },
	{ GET, "HTTP/1.1 304 Not Modified\r\n" TE "chunked\r\n\r\n",
	    HTTP_BODY_NONE, 1 },
	{ GET, "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n",
	    HTTP_BODY_NONE, 0 },
	{ GET, "HTTP/1.1 205 Reset Content\r\n\r\n", HTTP_BODY_CLOSE, 0 },
	/* interim */
	{ GET, "HTTP/1.1 100 Continue\r\n\r\n", HTTP_BODY_NONE, 1 },
	{ GET, "HTTP/1.1 103 Early Hints\r\n" CL "5\r\n\r\n",
	    HTTP_BODY_NONE, 1 },
	{ HEAD, "HTTP/1.1 199 Misc\r\n\r\n", HTTP_BODY_NONE, 1 },
	/* upgrade: asked for in HTTP/1.1 and named, else invalid */
	{ WS, R101, HTTP_BODY_TUNNEL, 0 },
	{ WS, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "\r\n", HTTP_BODY_INVALID, 0 },
	{ WS, "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
	    "\r\n", HTTP_BODY_INVALID, 0 },
	{ WS, "HTTP/1.0 101 Switching Protocols\r\nConnection: upgrade\r\n"
	    "Upgrade: websocket\r\n\r\n", HTTP_BODY_INVALID, 0 },
	{ GET, R101, HTTP_BODY_INVALID, 0 },
	{ WS10, R101, HTTP_BODY_INVALID, 0 },
	{ WS, R11 CL "2\r\n\r\n", HTTP_BODY_LENGTH, 1 },
	/* RFC 9112 6.3 (2): a 2xx to CONNECT is a tunnel */
	{ CONNECT, R11 "\r\n", HTTP_BODY_TUNNEL, 0 },
	{ CONNECT, "HTTP/1.1 204 OK\r\n" CL "0\r\n\r\n", HTTP_BODY_TUNNEL, 0 },
	{ CONNECT, "HTTP/1.1 299 OK\r\n\r\n", HTTP_BODY_TUNNEL, 0 },
	{ CONNECT, "HTTP/1.1 300 Choices\r\n" CL "0\r\n\r\n",
	    HTTP_BODY_LENGTH, 1 },
	{ CONNECT, "HTTP/1.1 407 Auth\r\n" CL "10\r\n\r\n",
	    HTTP_BODY_LENGTH, 1 },
	{ CONNECT, "HTTP/1.1 502 Bad\r\n\r\n", HTTP_BODY_CLOSE, 0 },
};

START_TEST(test_response_body)
{
	const struct framing *f = &framing[_i];
	enum http_body body;

	ck_assert_int_eq(http_parse_request(f->req, strlen(f->req), &lim,
	    &req), HTTP_OK);
	ck_assert_int_eq(parse(f->resp), HTTP_OK);
	body = http_response_body(&req, f->req, &resp);
	ck_assert_msg(body == f->body, "row %d: %s, not %s", _i,
	    http_body_str(body), http_body_str(f->body));
	ck_assert_int_eq(http_response_body(&req, NULL, &resp), body);
	ck_assert_int_eq(http_response_keepalive(&resp, body), f->keepalive);
}
END_TEST

START_TEST(test_keepalive_by_body)
{
	static const enum http_body never[] = {
		HTTP_BODY_CLOSE, HTTP_BODY_TUNNEL, HTTP_BODY_INVALID
	};
	static const enum http_body can[] = {
		HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED
	};

	ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\n\r\n"), HTTP_OK);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(http_response_keepalive(&resp, never[i]), 0);
		ck_assert_int_eq(http_response_keepalive(&resp, can[i]), 1);
	}
}
END_TEST

static const struct {
	const char	*req;
	enum http_body	 body;
} req_bodies[] = {
	{ GET, HTTP_BODY_NONE },
	{ HEAD, HTTP_BODY_NONE },
	{ "POST / HTTP/1.1\r\nHost: h\r\n" CL "5\r\n\r\n", HTTP_BODY_LENGTH },
	{ "POST / HTTP/1.1\r\nHost: h\r\n" CL "0\r\n\r\n", HTTP_BODY_LENGTH },
	{ "POST / HTTP/1.0\r\n" CL "5\r\n\r\n", HTTP_BODY_LENGTH },
	{ "POST / HTTP/1.1\r\nHost: h\r\n" TE "chunked\r\n\r\n",
	    HTTP_BODY_CHUNKED },
};

START_TEST(test_request_body)
{
	const char *s = req_bodies[_i].req;

	ck_assert_int_eq(http_parse_request(s, strlen(s), &lim, &req),
	    HTTP_OK);
	ck_assert_int_eq(http_request_body(&req), req_bodies[_i].body);
}
END_TEST

START_TEST(test_body_str)
{
	ck_assert_str_eq(http_body_str(HTTP_BODY_NONE), "none");
	ck_assert_str_eq(http_body_str(HTTP_BODY_LENGTH), "length");
	ck_assert_str_eq(http_body_str(HTTP_BODY_CHUNKED), "chunked");
	ck_assert_str_eq(http_body_str(HTTP_BODY_CLOSE), "close");
	ck_assert_str_eq(http_body_str(HTTP_BODY_TUNNEL), "tunnel");
	ck_assert_str_eq(http_body_str(HTTP_BODY_INVALID), "invalid");
	ck_assert_str_eq(http_body_str((enum http_body)99), "unknown");
}
END_TEST

static Suite *
http_resp_suite(void)
{
	Suite *s = suite_create("http_resp");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, test_valid, 0,
	    (int)(sizeof(good) / sizeof(good[0])));
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_interim_then_final);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_invalid, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_count);
	tcase_add_test(tc, test_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_loop_test(tc, test_byte_by_byte, 0,
	    (int)(sizeof(split_resps) / sizeof(split_resps[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("framing");
	tcase_add_loop_test(tc, test_response_body, 0,
	    (int)(sizeof(framing) / sizeof(framing[0])));
	tcase_add_test(tc, test_keepalive_by_body);
	tcase_add_loop_test(tc, test_request_body, 0,
	    (int)(sizeof(req_bodies) / sizeof(req_bodies[0])));
	tcase_add_test(tc, test_body_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_resp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
