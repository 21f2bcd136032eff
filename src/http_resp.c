/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * HTTP/1.x response heads for the workers: a strict parser of what a real
 * server answers, applying the framing rules of RFC 9112 6 that bind
 * responses, so that an invalid or ambiguous response is answered with 502
 * and never passed on; then how the body ends (length, chunked, close,
 * tunnel or none) for the request it answers, and whether the server
 * connection may carry another request.  Pure functions over the
 * caller's buffers: no I/O, no allocation.  The field rules are shared
 * with requests (http_field.c); relaying the body is relay.c's.
 */
#include "config.h"

#include <string.h>

#include "http.h"

/* one parse: the shared core's head (http_head.c), the result */
struct parse {
	struct http_head	 h;
	struct http_resp	*resp;
};

static const char *const body_names[] = {
	[HTTP_BODY_NONE] = "none",
	[HTTP_BODY_LENGTH] = "length",
	[HTTP_BODY_CHUNKED] = "chunked",
	[HTTP_BODY_CLOSE] = "close",
	[HTTP_BODY_TUNNEL] = "tunnel",
	[HTTP_BODY_INVALID] = "invalid",
};

static struct http_span
span(size_t off, size_t len)
{
	struct http_span s = { (uint32_t)off, (uint32_t)len };

	return s;
}

static enum http_result
fail(struct http_resp *resp, size_t off, const char *reason)
{
	resp->err_off = off;
	resp->reason = reason;
	return HTTP_ERROR;
}

/* the shared core's verdict (http_head.c), as this response's */
static enum http_result
core(struct parse *p, enum http_result r)
{
	if (r == HTTP_ERROR)
		return fail(p->resp, p->h.err_off, p->h.reason);
	return r;
}

static void
resp_reset(struct http_resp *resp)
{
	memset(resp, 0, offsetof(struct http_resp, hdr));
	resp->err_off = 0;
	resp->reason = NULL;
}

/*
 * A response starts "HTTP/": anything else (an HTTP/0.9 body, a TLS
 * alert, garbage after the previous response) is refused at once.
 */
static enum http_result
check_start(struct parse *p)
{
	size_t n = p->h.len < 5 ? p->h.len : 5;

	for (size_t i = 0; i < n; i++)
		if (p->h.buf[i] != "HTTP/"[i])
			return fail(p->resp, i, "invalid status line");
	return HTTP_OK;
}

/* HTTP-version SP status-code [ SP reason-phrase ] (RFC 9112 4), [0, end) */
static enum http_result
parse_status_line(struct parse *p, size_t end)
{
	struct http_resp *resp = p->resp;
	const char *b = p->h.buf;
	int code = 0;

	/* HTTP-version is case-sensitive (RFC 9112 2.3) */
	if (end < 8 || strncmp(b, "HTTP/1.", 7) != 0 ||
	    (b[7] != '0' && b[7] != '1') || (end > 8 && b[8] != ' '))
		return fail(resp, 0, "unsupported HTTP version");
	if (end < 12)
		return fail(resp, end < 9 ? end : 9, "invalid status code");
	for (size_t i = 9; i < 12; i++) {
		if (b[i] < '0' || b[i] > '9')
			return fail(resp, 9, "invalid status code");
		code = code * 10 + (b[i] - '0');
	}
	/* RFC 9112 4: the SP is required; we take its absence as no phrase */
	if (end > 12 && b[12] != ' ')
		return fail(resp, 9, "invalid status code");
	if (code < 100 || code > 599)
		return fail(resp, 9, "status code out of range");
	resp->minor = b[7] - '0';
	resp->status = code;
	resp->phrase = end > 12 ? span(13, end - 13) : span(end, 0);
	return HTTP_OK;
}

static enum http_result
status_line(struct parse *p, size_t *next)
{
	enum http_result r;
	size_t end;

	if ((r = check_start(p)) != HTTP_OK)
		return r;
	if (http_line(p->h.buf, 0, p->h.len, &end, next) == -1)
		return core(p, http_head_partial(&p->h, 0));
	if (*next > p->h.lim->max_header_size)
		return core(p, http_head_too_large(&p->h));
	if ((r = core(p, http_head_bytes(&p->h, 0, end))) != HTTP_OK)
		return r;
	return parse_status_line(p, end);
}

/*
 * RFC 9112 6.1, 6.3: one framing or none.  Transfer-Encoding wins over
 * Content-Length only in a message that is invalid anyway (rule 3): we
 * refuse both.  A final coding other than chunked means "until close"
 * (rule 4 for responses), not an error.
 */
static enum http_result
check_framing(struct parse *p)
{
	struct http_resp *resp = p->resp;
	struct http_te codings;
	enum http_result r;
	const char *why;
	size_t at;

	if ((r = core(p, http_head_framing(&p->h, resp->minor))) != HTTP_OK)
		return r;
	if ((why = http_transfer_encoding(p->h.buf, resp->hdr, resp->nheaders,
	    &codings, &at)) != NULL)
		return fail(resp, at, why);
	if (codings.chunked)
		resp->flags |= HTTP_F_CHUNKED;
	if ((why = http_content_length(p->h.buf, resp->hdr, resp->nheaders,
	    &resp->content_length, &resp->flags, &at)) != NULL)
		return fail(resp, at, why);
	return HTTP_OK;
}

enum http_result
http_parse_response(const char *buf, size_t len,
    const struct http_limits *lim, struct http_resp *resp)
{
	struct parse p = { { buf, len, lim, resp->hdr, &resp->nheaders,
	    "response head too large",
	    "Transfer-Encoding in an HTTP/1.0 response", 0, 0, NULL }, resp };
	size_t next = 0, at;
	const char *why;
	enum http_result r;

	resp_reset(resp);
	/* past max_header_size bytes, only an error or a whole head remain */
	if (len > lim->max_header_size)
		p.h.len = (size_t)lim->max_header_size + 1;
	if ((r = status_line(&p, &next)) != HTTP_OK ||
	    (r = core(&p, http_head_fields(&p.h, next, &resp->head_len))) !=
	    HTTP_OK ||
	    (r = check_framing(&p)) != HTTP_OK)
		return r;
	if ((why = http_connection(buf, resp->hdr, resp->nheaders,
	    &resp->flags, &at)) != NULL)
		return fail(resp, at, why);
	return HTTP_OK;
}

enum http_result
http_parse_status_line(const char *buf, size_t len, size_t max,
    struct http_resp *resp)
{
	struct http_limits lim = { 0, (unsigned)max, 0 };
	struct parse p = { { buf, len, &lim, resp->hdr, &resp->nheaders,
	    "response head too large",
	    "Transfer-Encoding in an HTTP/1.0 response", 0, 0, NULL }, resp };
	size_t next;

	resp_reset(resp);
	if (len > max)
		p.h.len = max + 1;
	return status_line(&p, &next);
}

const struct http_header *
http_resp_find_header(const struct http_resp *resp, const char *buf,
    const char *name)
{
	return http_find_field(resp->hdr, resp->nheaders, buf, name);
}

/*
 * Body framing.
 */

enum http_body
http_request_body(const struct http_req *req)
{
	if (req->flags & HTTP_F_CHUNKED)
		return HTTP_BODY_CHUNKED;
	if (req->flags & HTTP_F_CL)
		return HTTP_BODY_LENGTH;
	return HTTP_BODY_NONE;
}

/* RFC 9110 7.8: asked for in HTTP/1.1, and named in the 101 */
static int
upgrade_agreed(const struct http_req *req, const struct http_resp *resp)
{
	return req->minor == 1 && (req->flags & HTTP_F_CONN_UPGRADE) &&
	    resp->minor == 1 && (resp->flags & HTTP_F_CONN_UPGRADE);
}

enum http_body
http_response_body(const struct http_req *req, const char *reqbuf,
    const struct http_resp *resp)
{
	(void)reqbuf;
	if (resp->status == 101)
		return upgrade_agreed(req, resp) ? HTTP_BODY_TUNNEL :
		    HTTP_BODY_INVALID;
	/* RFC 9110 15.2: interim, the final response follows */
	if (resp->status < 200)
		return HTTP_BODY_NONE;
	/* RFC 9112 6.3 (2), RFC 9110 9.3.6 */
	if ((req->flags & HTTP_F_CONNECT) && resp->status < 300)
		return HTTP_BODY_TUNNEL;
	/* RFC 9112 6.3 (1): whatever Content-Length or chunked say */
	if ((req->flags & HTTP_F_HEAD) || resp->status == 204 ||
	    resp->status == 304)
		return HTTP_BODY_NONE;
	if (resp->flags & HTTP_F_CHUNKED)
		return HTTP_BODY_CHUNKED;
	if (resp->flags & HTTP_F_CL)
		return HTTP_BODY_LENGTH;
	/* RFC 9112 6.3 (4) and (8) */
	return HTTP_BODY_CLOSE;
}

const char *
http_body_str(enum http_body body)
{
	if ((size_t)body >= sizeof(body_names) / sizeof(body_names[0]))
		return "unknown";
	return body_names[body];
}

/* RFC 9112 9.3: persistence */
int
http_response_keepalive(const struct http_resp *resp, enum http_body body)
{
	switch (body) {
	case HTTP_BODY_CLOSE:
	case HTTP_BODY_TUNNEL:
	case HTTP_BODY_INVALID:
		return 0;
	case HTTP_BODY_NONE:
	case HTTP_BODY_LENGTH:
	case HTTP_BODY_CHUNKED:
		break;
	}
	if (resp->flags & HTTP_F_CONN_CLOSE)
		return 0;
	if (resp->minor == 1)
		return 1;
	return (resp->flags & HTTP_F_CONN_KEEPALIVE) != 0;
}
