/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The one HTTP/1.x message core: what a request head (http.c) and a
 * response head (http_resp.c) are both held to, in one place so that the
 * rules against request smuggling and response splitting cannot drift
 * apart.  Bytes no line may hold, a partial last line refused as early
 * as it can be, the size limit, the field lines up to the empty line
 * that ends the head, and the two framing fields together.  What only
 * one side has -- the request line, Host, the request's transfer coding
 * rules, the status line, how a response body ends -- stays with its
 * parser.  Pure functions over the caller's buffer.
 */
#include "config.h"

#include "http.h"

static enum http_result
head_fail(struct http_head *h, int status, size_t off, const char *reason)
{
	h->status = status;
	h->err_off = off;
	h->reason = reason;
	return HTTP_ERROR;
}

enum http_result
http_head_too_large(struct http_head *h)
{
	return head_fail(h, 431, h->lim->max_header_size, h->size_reason);
}

/* NUL, bare CR and other controls (HTAB aside) are errors anywhere */
enum http_result
http_head_bytes(struct http_head *h, size_t off, size_t end)
{
	const char *why;
	size_t at;

	if ((why = http_bad_byte(h->buf, off, end, &at)) != NULL)
		return head_fail(h, 400, at, why);
	return HTTP_OK;
}

/* the last line has no LF yet: reject early what can never be valid */
enum http_result
http_head_partial(struct http_head *h, size_t off)
{
	size_t end = h->len;
	enum http_result r;

	if (end > off && h->buf[end - 1] == '\r')
		end--;		/* maybe the CR of CR LF */
	if ((r = http_head_bytes(h, off, end)) != HTTP_OK)
		return r;
	if (h->len > h->lim->max_header_size)
		return http_head_too_large(h);
	return HTTP_AGAIN;
}

/* one field line, in [off, end) */
static enum http_result
field_line(struct http_head *h, size_t off, size_t end)
{
	struct http_header f;
	const char *why;
	size_t at;
	unsigned max = h->lim->max_headers < HTTP_MAX_HEADERS ?
	    h->lim->max_headers : HTTP_MAX_HEADERS;

	if ((why = http_field_line(h->buf, off, end, &f, &at)) != NULL)
		return head_fail(h, 400, at, why);
	if (*h->nhdr >= max)
		return head_fail(h, 431, off, "too many header fields");
	h->hdr[(*h->nhdr)++] = f;
	return HTTP_OK;
}

enum http_result
http_head_fields(struct http_head *h, size_t off, size_t *head_end)
{
	size_t end, next;
	enum http_result r;

	for (;;) {
		if (http_line(h->buf, off, h->len, &end, &next) == -1)
			return http_head_partial(h, off);
		if (next > h->lim->max_header_size)
			return http_head_too_large(h);
		if (end == off) {
			*head_end = next;
			return HTTP_OK;
		}
		if ((r = field_line(h, off, end)) != HTTP_OK)
			return r;
		off = next;
	}
}

/*
 * RFC 9112 6.1: both framing fields is a message a proxy must refuse (it
 * would forward a length the next hop may read differently), and so is
 * Transfer-Encoding in HTTP/1.0 (h->te10_reason names which message).
 */
enum http_result
http_head_framing(struct http_head *h, int minor)
{
	const struct http_header *te, *cl;

	te = http_find_field(h->hdr, *h->nhdr, h->buf, "transfer-encoding");
	cl = http_find_field(h->hdr, *h->nhdr, h->buf, "content-length");
	if (te != NULL && cl != NULL)
		return head_fail(h, 400, te->name.off,
		    "both Content-Length and Transfer-Encoding");
	if (te != NULL && minor == 0)
		return head_fail(h, 400, te->name.off, h->te10_reason);
	return HTTP_OK;
}
