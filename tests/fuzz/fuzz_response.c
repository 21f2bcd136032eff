/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for http_parse_response() and the framing decisions.
 * Each input is parsed under two sets of limits and checked: a valid head
 * has a status within 100..599, spans inside the head and the head inside
 * the input and the limits, at most one framing; an error has a reason;
 * tighter limits never accept what wider ones refuse; every shorter
 * prefix of a valid head asks for more.  The body decision is then taken
 * for a GET, a HEAD, a CONNECT, an upgrade and an HTTP/1.0 request and
 * held to RFC 9112 6.3.  The head tcpvsd would send a client
 * (http_build_response) must parse again with the same status and
 * framing, say Connection: close, and carry no hop-by-hop field.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "http.h"

static const struct http_limits wide = { 8192, 16384, 100 };
static const struct http_limits tight = { 40, 200, 6 };
/* for the rebuilt head: ": " after every name and one more field */
static const struct http_limits roomy = { 65536, 65536, HTTP_MAX_HEADERS };

static const char *const requests[] = {
	"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
	"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
	"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
	("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n"
	"Upgrade: websocket\r\n\r\n"),
	"GET / HTTP/1.0\r\n\r\n",
};

static struct http_resp resp, other;
static struct http_req req;

static void
check_span(struct http_span s, size_t end)
{
	FUZZ_CHECK((size_t)s.off + s.len <= end);
}

static void
check_valid(const struct http_resp *r, size_t len,
    const struct http_limits *lim)
{
	FUZZ_CHECK(r->head_len >= 14 && r->head_len <= len);
	FUZZ_CHECK(r->head_len <= lim->max_header_size);
	FUZZ_CHECK(r->status >= 100 && r->status <= 599);
	FUZZ_CHECK(r->minor == 0 || r->minor == 1);
	FUZZ_CHECK(r->nheaders <= lim->max_headers);
	check_span(r->phrase, r->head_len);
	for (unsigned i = 0; i < r->nheaders; i++) {
		FUZZ_CHECK(r->hdr[i].name.len > 0);
		FUZZ_CHECK(r->hdr[i].name.off > r->phrase.off);
		check_span(r->hdr[i].name, r->head_len);
		check_span(r->hdr[i].value, r->head_len);
	}
	FUZZ_CHECK(!((r->flags & HTTP_F_CL) && (r->flags & HTTP_F_CHUNKED)));
	FUZZ_CHECK(r->minor == 1 || !(r->flags & HTTP_F_CHUNKED));
	FUZZ_CHECK(r->reason == NULL);
}

static void
check_result(enum http_result res, const struct http_resp *r, size_t len,
    const struct http_limits *lim)
{
	switch (res) {
	case HTTP_OK:
		check_valid(r, len, lim);
		break;
	case HTTP_AGAIN:
		FUZZ_CHECK(len <= lim->max_header_size);
		FUZZ_CHECK(r->reason == NULL);
		break;
	case HTTP_ERROR:
		FUZZ_CHECK(r->reason != NULL);
		FUZZ_CHECK(r->err_off <= len);
		break;
	}
}

/* RFC 9112 6.3, in the order it gives */
static void
check_body(const char *reqbuf)
{
	enum http_body b;
	int st = resp.status, ka;

	FUZZ_CHECK(http_parse_request(reqbuf, strlen(reqbuf), &wide, &req) ==
	    HTTP_OK);
	b = http_response_body(&req, reqbuf, &resp);
	ka = http_response_keepalive(&resp, b);
	FUZZ_CHECK(strcmp(http_body_str(b), "unknown") != 0);
	if (st == 101)
		FUZZ_CHECK(b == HTTP_BODY_INVALID || (b == HTTP_BODY_TUNNEL &&
		    (req.flags & HTTP_F_CONN_UPGRADE) &&
		    (resp.flags & HTTP_F_CONN_UPGRADE)));
	else if (st < 200)
		FUZZ_CHECK(b == HTTP_BODY_NONE);
	else if ((req.flags & HTTP_F_CONNECT) && st < 300)
		FUZZ_CHECK(b == HTTP_BODY_TUNNEL);
	else if ((req.flags & HTTP_F_HEAD) || st == 204 || st == 304)
		FUZZ_CHECK(b == HTTP_BODY_NONE);
	else
		FUZZ_CHECK(b == HTTP_BODY_LENGTH ? (resp.flags & HTTP_F_CL) :
		    b == HTTP_BODY_CHUNKED ? (resp.flags & HTTP_F_CHUNKED) :
		    b == HTTP_BODY_CLOSE && !(resp.flags &
		    (HTTP_F_CL | HTTP_F_CHUNKED)));
	if (ka)
		FUZZ_CHECK((b == HTTP_BODY_NONE || b == HTTP_BODY_LENGTH ||
		    b == HTTP_BODY_CHUNKED) &&
		    !(resp.flags & HTTP_F_CONN_CLOSE));
}

static char out[2 * 16384 + 256];

static void
check_rebuilt(const char *buf)
{
	long n;

	n = http_build_response(&resp, buf, "close", NULL, out, sizeof(out));
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(http_parse_response(out, (size_t)n, &roomy, &other) ==
	    HTTP_OK);
	FUZZ_CHECK((size_t)n == other.head_len);
	FUZZ_CHECK(other.status == resp.status && other.minor == 1);
	FUZZ_CHECK((other.flags & (HTTP_F_CL | HTTP_F_CHUNKED)) ==
	    (resp.flags & (HTTP_F_CL | HTTP_F_CHUNKED)));
	FUZZ_CHECK(other.content_length == resp.content_length ||
	    !(resp.flags & HTTP_F_CL));
	FUZZ_CHECK(other.flags & HTTP_F_CONN_CLOSE);
	FUZZ_CHECK(http_resp_find_header(&other, out, "keep-alive") == NULL);
	FUZZ_CHECK(http_resp_find_header(&other, out, "proxy-connection") ==
	    NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	enum http_result r, t;

	r = http_parse_response(buf, size, &wide, &resp);
	check_result(r, &resp, size, &wide);
	t = http_parse_response(buf, size, &tight, &other);
	check_result(t, &other, size, &tight);
	if (t == HTTP_OK)
		FUZZ_CHECK(r == HTTP_OK && other.head_len == resp.head_len &&
		    other.flags == resp.flags &&
		    other.status == resp.status);
	if (t == HTTP_AGAIN)
		FUZZ_CHECK(r == HTTP_AGAIN);
	if (r != HTTP_OK)
		return 0;
	FUZZ_CHECK(http_parse_response(buf, resp.head_len, &wide, &other) ==
	    HTTP_OK && other.head_len == resp.head_len &&
	    other.flags == resp.flags &&
	    other.content_length == resp.content_length);
	FUZZ_CHECK(http_parse_response(buf, resp.head_len - 1, &wide,
	    &other) == HTTP_AGAIN);
	FUZZ_CHECK(http_parse_response(buf, resp.head_len / 2, &wide,
	    &other) == HTTP_AGAIN);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		check_body(requests[i]);
	if (resp.status != 101)
		check_rebuilt(buf);
	return 0;
}
