/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * libFuzzer target for http_parse_request() and http_build_upstream().
 * Each input is parsed under two sets of limits and checked: what a
 * result promises (spans inside the head, the head inside the input and
 * the limits, one framing at most, a reason with every error), that the
 * tighter limits never accept what the wider refuse, that every shorter
 * prefix of a valid head asks for more, and that the head built for a
 * real server parses again with the same method, target, Host and
 * framing: what tcpvsd forwards is read by the next hop as it read it.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "http.h"

static const struct http_limits wide = { 8192, 16384, 100 };
static const struct http_limits tight = { 40, 200, 6 };
static const struct http_limits any = { 1 << 20, 1 << 20, HTTP_MAX_HEADERS };

static struct http_req req, other, up;

static void
check_span(struct http_span s, size_t end)
{
	FUZZ_CHECK((size_t)s.off + s.len <= end);
}

static int
same_span(const char *a, struct http_span sa, const char *b,
    struct http_span sb)
{
	return sa.len == sb.len && memcmp(a + sa.off, b + sb.off, sa.len) == 0;
}

static void
check_valid(const struct http_req *r, size_t len,
    const struct http_limits *lim)
{
	FUZZ_CHECK(r->head_len > 0 && r->head_len <= len);
	FUZZ_CHECK(r->head_len <= lim->max_header_size);
	FUZZ_CHECK(r->minor == 0 || r->minor == 1);
	FUZZ_CHECK(r->nheaders <= lim->max_headers);
	FUZZ_CHECK(r->method.len > 0 && r->target.len > 0);
	FUZZ_CHECK(r->target.len <= lim->max_request_line);
	check_span(r->method, r->head_len);
	check_span(r->target, r->head_len);
	check_span(r->path, r->head_len);
	check_span(r->host, r->head_len);
	for (unsigned i = 0; i < r->nheaders; i++) {
		FUZZ_CHECK(r->hdr[i].name.len > 0);
		check_span(r->hdr[i].name, r->head_len);
		check_span(r->hdr[i].value, r->head_len);
	}
	FUZZ_CHECK(!((r->flags & HTTP_F_CL) && (r->flags & HTTP_F_CHUNKED)));
	FUZZ_CHECK(r->minor == 1 || !(r->flags & HTTP_F_CHUNKED));
	FUZZ_CHECK(r->minor == 0 || (r->flags & HTTP_F_HOST));
	FUZZ_CHECK(r->status == 0 && r->reason == NULL);
}

static void
check_result(enum http_result res, const struct http_req *r, size_t len,
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
		FUZZ_CHECK(r->status == 400 || r->status == 414 ||
		    r->status == 431 || r->status == 501);
		FUZZ_CHECK(r->err_off <= len);
		break;
	}
}

/* the head for a real server reads as the client's did (an
   absolute-form target in origin-form) */
static void
check_upstream(const char *buf)
{
	size_t cap = 2 * req.head_len + 256;
	char *out = malloc(cap);
	long n;

	FUZZ_CHECK(out != NULL);
	n = http_build_upstream(&req, buf, "192.0.2.1", "close", out, cap);
	FUZZ_CHECK(n > 0 && (size_t)n <= cap);
	FUZZ_CHECK(http_parse_request(out, (size_t)n, &any, &up) == HTTP_OK);
	FUZZ_CHECK(up.head_len == (size_t)n);
	FUZZ_CHECK(same_span(buf, req.method, out, up.method));
	if (req.flags & HTTP_F_ABSOLUTE) {
		/* RFC 9112 3.2.2: origin-form, the authority as Host */
		FUZZ_CHECK(!(up.flags & HTTP_F_ABSOLUTE));
		FUZZ_CHECK(up.flags & HTTP_F_HOST);
		FUZZ_CHECK(req.path.len == 0 ||
		    same_span(buf, req.path, out, up.path));
	} else
		FUZZ_CHECK(same_span(buf, req.target, out, up.target));
	FUZZ_CHECK(same_span(buf, req.host, out, up.host));
	FUZZ_CHECK(up.minor == req.minor);
	FUZZ_CHECK((up.flags & (HTTP_F_CL | HTTP_F_CHUNKED | HTTP_F_HEAD |
	    HTTP_F_CONNECT)) == (req.flags & (HTTP_F_CL | HTTP_F_CHUNKED |
	    HTTP_F_HEAD | HTTP_F_CONNECT)));
	FUZZ_CHECK((req.flags & HTTP_F_ABSOLUTE) || (up.flags & HTTP_F_HOST) ==
	    (req.flags & HTTP_F_HOST));
	FUZZ_CHECK(up.content_length == req.content_length);
	FUZZ_CHECK(up.flags & HTTP_F_CONN_CLOSE);
	FUZZ_CHECK(http_request_body(&up) == http_request_body(&req));
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	enum http_result r, t;

	r = http_parse_request(buf, size, &wide, &req);
	check_result(r, &req, size, &wide);
	t = http_parse_request(buf, size, &tight, &other);
	check_result(t, &other, size, &tight);
	/* tighter limits refuse more, never accept more */
	if (t == HTTP_OK)
		FUZZ_CHECK(r == HTTP_OK && other.head_len == req.head_len &&
		    other.flags == req.flags);
	if (t == HTTP_AGAIN)
		FUZZ_CHECK(r == HTTP_AGAIN);
	if (r != HTTP_OK)
		return 0;
	/* the head alone, and the head short of a byte */
	FUZZ_CHECK(http_parse_request(buf, req.head_len, &wide, &other) ==
	    HTTP_OK && other.head_len == req.head_len &&
	    other.flags == req.flags &&
	    other.content_length == req.content_length);
	FUZZ_CHECK(http_parse_request(buf, req.head_len - 1, &wide,
	    &other) == HTTP_AGAIN);
	FUZZ_CHECK(http_parse_request(buf, req.head_len / 2, &wide,
	    &other) == HTTP_AGAIN);
	check_upstream(buf);
	return 0;
}
