/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * HTTP/1.x request heads for the workers: a strict parser that applies
 * every framing rule of RFC 9112 before a byte goes upstream, so that
 * tcpvsd and a real server can never read one request two ways (request
 * smuggling); the head sent to the real server, without hop-by-hop fields;
 * and the short error replies.  Pure functions over the caller's buffers:
 * no I/O, no allocation.  The field rules shared with responses are in
 * http_field.c, responses in http_resp.c, chunked framing in http_chunk.c;
 * reading sockets and relaying bodies is left to worker.c and relay.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* empty lines skipped before the request line (RFC 9112 2.2) */
#define HTTP_MAX_EMPTY_LINES	4

/* one parse: the shared core's head (http_head.c), the result */
struct parse {
	struct http_head	 h;
	struct http_req		*req;
	int			 absolute;	/* absolute-form target */
};

static const char *const hop_by_hop[] = {
	"connection", "keep-alive", "proxy-connection", "te", "trailer",
	"upgrade"
};

static const struct {
	int		 code;
	const char	*text;
} statuses[] = {
	{ 200, "OK" },
	{ 204, "No Content" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 410, "Gone" },
	{ 429, "Too Many Requests" },
	{ 408, "Request Timeout" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

/* reg-name, IP-literal and port characters of RFC 3986 3.2.2 */
static int
is_hostchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~%!$&'()*+,;=:[]", c) != NULL;
}

static struct http_span
span(size_t off, size_t len)
{
	struct http_span s = { (uint32_t)off, (uint32_t)len };

	return s;
}

static int
name_is(const char *buf, const struct http_header *h, const char *name)
{
	return http_span_is(buf, h->name, name);
}

/* the comma-separated list in the C string s holds token */
static int
cstr_has_token(const char *s, const char *token)
{
	struct http_list l;
	struct http_span el;

	http_list_init(&l, s, span(0, strlen(s)));
	while (http_list_next(&l, &el))
		if (http_span_is(s, el, token))
			return 1;
	return 0;
}

/*
 * Parsing.  The head is parsed whole on every call: line by line, each
 * line checked for bytes no line may hold, then for its syntax; the
 * fields are then checked together for the framing rules.
 */

static enum http_result
fail(struct http_req *req, int status, size_t off, const char *reason)
{
	req->status = status;
	req->err_off = off;
	req->reason = reason;
	return HTTP_ERROR;
}

static void
req_reset(struct http_req *req)
{
	memset(req, 0, offsetof(struct http_req, hdr));
	req->status = 0;
	req->err_off = 0;
	req->reason = NULL;
}

/* the shared core's verdict (http_head.c), as this request's */
static enum http_result
core(struct parse *p, enum http_result r)
{
	if (r == HTTP_ERROR)
		return fail(p->req, p->h.status, p->h.err_off, p->h.reason);
	return r;
}

/* returns the offset of the request line */
static enum http_result
skip_empty_lines(struct parse *p, size_t *start)
{
	size_t off = 0;
	int n;

	for (n = 0; n <= HTTP_MAX_EMPTY_LINES; n++) {
		if (off < p->h.len && p->h.buf[off] == '\n')
			off++;
		else if (off + 1 < p->h.len && p->h.buf[off] == '\r' &&
		    p->h.buf[off + 1] == '\n')
			off += 2;
		else
			break;
	}
	*start = off;
	if (n > HTTP_MAX_EMPTY_LINES)
		return fail(p->req, 400, off,
		    "too many empty lines before the request line");
	return HTTP_OK;
}

/* method names are case-sensitive (RFC 9110 9.1) */
static int
method_is(const struct parse *p, const char *name)
{
	size_t n = strlen(name);

	return p->req->method.len == n &&
	    memcmp(p->h.buf + p->req->method.off, name, n) == 0;
}

/*
 * absolute-form (RFC 9112 3.2.2): host from the authority, then path.
 * Only http: https is for a TLS listener, and tcpvsd is no forward proxy
 * for other schemes.  Userinfo has no place in an http URI (RFC 9110
 * 4.2.4).
 */
static enum http_result
absolute_target(struct parse *p, size_t off, size_t end, size_t *path)
{
	struct http_req *req = p->req;
	size_t a;

	if (end - off > 7 && strncasecmp(p->h.buf + off, "http://", 7) == 0)
		off += 7;
	else if (end - off > 8 && strncasecmp(p->h.buf + off, "https://",
	    8) == 0)
		return fail(req, 400, off, "https request-target on a "
		    "listener without TLS");
	else
		return fail(req, 400, off, "invalid request-target");
	for (a = off; a < end && strchr("/?#", p->h.buf[a]) == NULL; a++) {
		if (p->h.buf[a] == '@')
			return fail(req, 400, a, "userinfo in request-target");
		if (!is_hostchar((unsigned char)p->h.buf[a]))
			return fail(req, 400, a, "invalid authority in "
			    "request-target");
	}
	if (a == off)
		return fail(req, 400, off, "empty authority in "
		    "request-target");
	req->host = span(off, a - off);
	req->flags |= HTTP_F_ABSOLUTE;
	p->absolute = 1;
	*path = a;
	return HTTP_OK;
}

/* RFC 9112 3.2: origin-, absolute-, authority- (CONNECT), asterisk-form */
static enum http_result
parse_target(struct parse *p)
{
	struct http_req *req = p->req;
	size_t off = req->target.off, end = off + req->target.len, e;
	enum http_result r;

	if ((req->flags & HTTP_F_CONNECT) || p->h.buf[off] == '/')
		r = HTTP_OK;
	else if (req->target.len == 1 && p->h.buf[off] == '*')
		r = method_is(p, "OPTIONS") ? HTTP_OK :
		    fail(req, 400, off, "asterisk-form target without OPTIONS");
	else
		r = absolute_target(p, off, end, &off);
	if (r != HTTP_OK)
		return r;
	for (e = off; e < end && p->h.buf[e] != '?' && p->h.buf[e] != '#'; e++)
		;
	req->path = span(off, e - off);
	return HTTP_OK;
}

/* method SP request-target SP HTTP-version (RFC 9112 3), in [off, end) */
static enum http_result
parse_request_line(struct parse *p, size_t off, size_t end)
{
	struct http_req *req = p->req;
	const char *buf = p->h.buf;
	size_t m, t, v;

	for (m = off; m < end && http_is_tchar((unsigned char)buf[m]); m++)
		;
	if (m == off || m == end || buf[m] != ' ')
		return fail(req, 400, m, "invalid method");
	/* the version is the last word, the target all between */
	for (v = end; v > m + 1 && buf[v - 1] != ' '; v--)
		;
	if (v == m + 1)
		return fail(req, 400, end, "missing HTTP version");
	/* HTTP-version is case-sensitive (RFC 9112 2.3) */
	if (end - v != 8 || strncmp(buf + v, "HTTP/1.", 7) != 0 ||
	    (buf[v + 7] != '0' && buf[v + 7] != '1'))
		return fail(req, 400, v, "unsupported HTTP version");
	for (t = m + 1; t < v - 1; t++)
		if ((unsigned char)buf[t] <= ' ' || buf[t] == 0x7f)
			return fail(req, 400, t, "invalid request-target");
	if (t == m + 1)
		return fail(req, 400, t, "invalid request-target");
	req->minor = buf[v + 7] - '0';
	req->method = span(off, m - off);
	req->target = span(m + 1, t - m - 1);
	if (method_is(p, "HEAD"))
		req->flags |= HTTP_F_HEAD;
	if (method_is(p, "CONNECT"))
		req->flags |= HTTP_F_CONNECT;
	if (method_is(p, "OPTIONS"))
		req->flags |= HTTP_F_OPTIONS;
	return parse_target(p);
}

static enum http_result
request_line(struct parse *p, size_t off, size_t *next)
{
	size_t end, max = p->h.lim->max_request_line;
	enum http_result r;

	if (http_line(p->h.buf, off, p->h.len, &end, next) == -1) {
		end = p->h.len;
		if (end > off && p->h.buf[end - 1] == '\r')
			end--;
		/* 414 as soon as the limit is passed, before the LF */
		if (end - off > max)
			return fail(p->req, 414, off + max,
			    "request line too long");
		return core(p, http_head_partial(&p->h, off));
	}
	if (end - off > max)
		return fail(p->req, 414, off + max, "request line too long");
	if (*next > p->h.lim->max_header_size)
		return core(p, http_head_too_large(&p->h));
	if ((r = core(p, http_head_bytes(&p->h, off, end))) != HTTP_OK)
		return r;
	return parse_request_line(p, off, end);
}

/*
 * Field checks, once the head is complete.
 */

const struct http_header *
http_find_header(const struct http_req *req, const char *buf,
    const char *name)
{
	return http_find_field(req->hdr, req->nheaders, buf, name);
}

/* RFC 9112 3.2: exactly one Host on HTTP/1.1, at most one on 1.0 */
static enum http_result
check_host(struct parse *p)
{
	struct http_req *req = p->req;
	const struct http_header *h;
	unsigned i, n = 0;

	for (i = 0; i < req->nheaders; i++) {
		h = &req->hdr[i];
		if (!name_is(p->h.buf, h, "host"))
			continue;
		if (++n > 1)
			return fail(req, 400, h->name.off,
			    "more than one Host");
		for (size_t o = h->value.off; o < h->value.off + h->value.len;
		    o++)
			if (!is_hostchar((unsigned char)p->h.buf[o]))
				return fail(req, 400, o, "invalid Host");
		req->flags |= HTTP_F_HOST;
		if (!p->absolute)	/* RFC 9112 3.2.2: the target wins */
			req->host = h->value;
	}
	if (n == 0 && req->minor == 1)
		return fail(req, 400, req->method.off, "missing Host");
	return HTTP_OK;
}

/* RFC 9112 6.3 (5): one length, however often it is repeated */
static enum http_result
check_content_length(struct parse *p)
{
	struct http_req *req = p->req;
	const char *why;
	size_t at;

	if ((why = http_content_length(p->h.buf, req->hdr, req->nheaders,
	    &req->content_length, &req->flags, &at)) != NULL)
		return fail(req, 400, at, why);
	return HTTP_OK;
}

/*
 * RFC 9112 6.1 and 6.3 (4): the final transfer coding of a request must
 * be chunked, applied once, else 400; any other coding is not ours to
 * decode: 501 (RFC 9112 6.1).  Empty elements are refused too, so that
 * what goes upstream is exactly "chunked".
 */
static enum http_result
check_transfer_encoding(struct parse *p)
{
	struct http_req *req = p->req;
	struct http_te te;
	const char *why;
	size_t at;

	if ((why = http_transfer_encoding(p->h.buf, req->hdr, req->nheaders,
	    &te, &at)) != NULL)
		return fail(req, 400, at, why);
	if (te.ncodings > 0 && !te.chunked)
		return fail(req, 400, te.last_off, "final transfer coding is "
		    "not chunked");
	if (te.other)
		return fail(req, 501, te.other_off, "transfer coding not "
		    "implemented");
	if (te.ncodings > 0)
		req->flags |= HTTP_F_CHUNKED;
	return HTTP_OK;
}

/* the framing of the body must be unambiguous (RFC 9112 6.1, 6.3) */
static enum http_result
check_framing(struct parse *p)
{
	struct http_req *req = p->req;
	enum http_result r;

	if ((r = core(p, http_head_framing(&p->h, req->minor))) != HTTP_OK)
		return r;
	if ((r = check_transfer_encoding(p)) != HTTP_OK)
		return r;
	return check_content_length(p);
}

/* Connection options (RFC 9110 7.6.1) */
static enum http_result
check_connection(struct parse *p)
{
	struct http_req *req = p->req;
	const char *why;
	size_t at;

	if ((why = http_connection(p->h.buf, req->hdr, req->nheaders,
	    &req->flags, &at)) != NULL)
		return fail(req, 400, at, why);
	return HTTP_OK;
}

/* RFC 9110 10.1.1: case-insensitive; ignored in HTTP/1.0 */
static void
check_expect(struct parse *p)
{
	struct http_req *req = p->req;
	struct http_span el;
	struct http_list l;

	if (req->minor == 0)
		return;
	for (unsigned i = 0; i < req->nheaders; i++) {
		if (!name_is(p->h.buf, &req->hdr[i], "expect"))
			continue;
		http_list_init(&l, p->h.buf, req->hdr[i].value);
		while (http_list_next(&l, &el))
			if (http_span_is(p->h.buf, el, "100-continue"))
				req->flags |= HTTP_F_EXPECT_100;
	}
}

enum http_result
http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
    struct http_req *req)
{
	struct parse p = { { buf, len, lim, req->hdr, &req->nheaders,
	    "request head too large",
	    "Transfer-Encoding in an HTTP/1.0 request", 0, 0, NULL }, req, 0 };
	size_t off = 0, next = 0;
	enum http_result r;

	req_reset(req);
	/* past max_header_size bytes, only 431 or a complete head remain */
	if (len > lim->max_header_size)
		p.h.len = (size_t)lim->max_header_size + 1;
	if ((r = skip_empty_lines(&p, &off)) != HTTP_OK ||
	    (r = request_line(&p, off, &next)) != HTTP_OK ||
	    (r = core(&p, http_head_fields(&p.h, next, &req->head_len))) !=
	    HTTP_OK)
		return r;
	if ((r = check_host(&p)) != HTTP_OK ||
	    (r = check_framing(&p)) != HTTP_OK ||
	    (r = check_connection(&p)) != HTTP_OK)
		return r;
	check_expect(&p);
	return HTTP_OK;
}

/*
 * The head for a real server.
 */

void
http_out_put(struct http_out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void
http_out_str(struct http_out *o, const char *s)
{
	http_out_put(o, s, strlen(s));
}

static void
put_span(struct http_out *o, const char *buf, struct http_span sp)
{
	http_out_put(o, buf + sp.off, sp.len);
}

/* the field is named as an option in a Connection field of hdr[0..n) */
static int
named_in_connection(const struct http_header *hdr, unsigned n,
    const char *buf, const struct http_header *h)
{
	struct http_span el;
	struct http_list l;

	for (unsigned i = 0; i < n; i++) {
		if (!name_is(buf, &hdr[i], "connection"))
			continue;
		http_list_init(&l, buf, hdr[i].value);
		while (http_list_next(&l, &el))
			if (el.len == h->name.len && strncasecmp(buf + el.off,
			    buf + h->name.off, el.len) == 0)
				return 1;
	}
	return 0;
}

/*
 * Upgrade is kept when the caller relays the upgrade (conn_value holds
 * "upgrade" and the client asked for it): the option means nothing
 * without the field.
 */
static int
is_hop_by_hop(const struct http_header *hdr, unsigned n, const char *buf,
    const struct http_header *h, int keep_upgrade)
{
	size_t i;

	if (keep_upgrade && name_is(buf, h, "upgrade"))
		return 0;
	for (i = 0; i < sizeof(hop_by_hop) / sizeof(hop_by_hop[0]); i++)
		if (name_is(buf, h, hop_by_hop[i]))
			return 1;
	return named_in_connection(hdr, n, buf, h);
}

/* the client's X-Forwarded-For values, then client, as one field */
static void
put_xff(struct http_out *o, const struct http_req *req, const char *buf,
    const char *client)
{
	const struct http_header *h;
	int n = 0;

	for (unsigned i = 0; i < req->nheaders; i++) {
		h = &req->hdr[i];
		if (!name_is(buf, h, "x-forwarded-for") || h->value.len == 0 ||
		    named_in_connection(req->hdr, req->nheaders, buf, h))
			continue;
		http_out_str(o, n++ ? ", " : "X-Forwarded-For: ");
		put_span(o, buf, h->value);
	}
	if (client != NULL && *client != '\0') {
		http_out_str(o, n++ ? ", " : "X-Forwarded-For: ");
		http_out_str(o, client);
	}
	if (n > 0)
		http_out_put(o, "\r\n", 2);
}

/*
 * One Content-Length in place of the first, as a plain number: a list
 * ("5, 5") or a repeated field is never passed to a server that may
 * read it differently (RFC 9112 6.3).
 */
static void
put_content_length(struct http_out *o, const struct http_req *req,
    const char *buf, const struct http_header *h)
{
	char num[24];
	int n;

	n = snprintf(num, sizeof(num), "%llu",
	    (unsigned long long)req->content_length);
	put_span(o, buf, h->name);
	http_out_put(o, ": ", 2);
	http_out_put(o, num, (size_t)n);
	http_out_put(o, "\r\n", 2);
}

/*
 * The request line: as sent, except that an absolute-form target goes
 * in origin-form (RFC 9112 3.2.1: what a server expects from a
 * gateway) and its authority in a Host field first.
 */
static void
put_request_line(struct http_out *o, const struct http_req *req, const char *buf)
{
	size_t end = (size_t)req->target.off + req->target.len;

	if (!(req->flags & HTTP_F_ABSOLUTE)) {
		/* method SP target SP "HTTP/1.x" */
		http_out_put(o, buf + req->method.off, end + 9 - req->method.off);
		http_out_put(o, "\r\n", 2);
		return;
	}
	put_span(o, buf, req->method);
	http_out_put(o, " ", 1);
	if (end > req->path.off && buf[req->path.off] == '/')
		http_out_put(o, buf + req->path.off, end - req->path.off);
	else {
		/* "http://a" or "http://a?q": the path is empty */
		http_out_str(o, (req->flags & HTTP_F_OPTIONS) && end ==
		    req->path.off ? "*" : "/");
		http_out_put(o, buf + req->path.off, end - req->path.off);
	}
	http_out_put(o, buf + end, 9);
	http_out_put(o, "\r\nHost: ", 8);
	put_span(o, buf, req->host);
	http_out_put(o, "\r\n", 2);
}

long
http_build_upstream(const struct http_req *req, const char *buf,
    const char *client, const char *conn_value, char *out, size_t outlen)
{
	struct http_out o = { out, 0, outlen, 0 };
	const struct http_header *h;
	int keep_upgrade, cl_done = 0;

	if (conn_value == NULL)
		conn_value = "close";
	keep_upgrade = (req->flags & HTTP_F_CONN_UPGRADE) &&
	    cstr_has_token(conn_value, "upgrade");
	put_request_line(&o, req, buf);
	for (unsigned i = 0; i < req->nheaders; i++) {
		h = &req->hdr[i];
		if (is_hop_by_hop(req->hdr, req->nheaders, buf, h,
		    keep_upgrade) ||
		    name_is(buf, h, "x-forwarded-for"))
			continue;
		if (name_is(buf, h, "content-length")) {
			if (!cl_done++)
				put_content_length(&o, req, buf, h);
			continue;
		}
		/* RFC 9112 3.2.2: the target's authority replaces Host */
		if (name_is(buf, h, "host") && (req->flags & HTTP_F_ABSOLUTE))
			continue;
		put_span(&o, buf, h->name);
		http_out_put(&o, ": ", 2);
		put_span(&o, buf, h->value);
		http_out_put(&o, "\r\n", 2);
	}
	put_xff(&o, req, buf, client);
	http_out_str(&o, "Connection: ");
	http_out_str(&o, conn_value);
	http_out_put(&o, "\r\n\r\n", 4);
	return o.full ? -1 : (long)o.len;
}

/*
 * The head for a client: the status line as HTTP/1.1 (RFC 9110 2.5: an
 * intermediary sends its own version), the server's fields without the
 * hop-by-hop ones (Upgrade kept for a 101), the caller's extra lines, then
 * a Connection field when conn_value is not NULL.
 */
long
http_build_response(const struct http_resp *resp, const char *buf,
    const char *conn_value, const char *extra, char *out, size_t outlen)
{
	struct http_out o = { out, 0, outlen, 0 };
	const struct http_header *h;
	char line[32];
	int n, keep_upgrade = resp->status == 101;

	n = snprintf(line, sizeof(line), "HTTP/1.1 %03d", resp->status);
	http_out_put(&o, line, (size_t)n);
	if (resp->phrase.len > 0) {
		http_out_put(&o, " ", 1);
		put_span(&o, buf, resp->phrase);
	} else
		http_out_put(&o, " ", 1);
	http_out_put(&o, "\r\n", 2);
	for (unsigned i = 0; i < resp->nheaders; i++) {
		h = &resp->hdr[i];
		if (is_hop_by_hop(resp->hdr, resp->nheaders, buf, h,
		    keep_upgrade))
			continue;
		put_span(&o, buf, h->name);
		http_out_put(&o, ": ", 2);
		put_span(&o, buf, h->value);
		http_out_put(&o, "\r\n", 2);
	}
	if (extra != NULL)
		http_out_str(&o, extra);
	if (conn_value != NULL) {
		http_out_str(&o, "Connection: ");
		http_out_str(&o, conn_value);
		http_out_put(&o, "\r\n", 2);
	}
	http_out_put(&o, "\r\n", 2);
	return o.full ? -1 : (long)o.len;
}

/*
 * Error replies.
 */

const char *
http_status_text(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == status)
			return statuses[i].text;
	return "Unknown Status";
}

size_t
http_error_reply(int status, char *out, size_t outlen)
{
	char body[64];
	const char *text;
	int blen, n;

	if (status < 400 || status > 599)
		status = 500;
	text = http_status_text(status);
	blen = snprintf(body, sizeof(body), "%d %s\n", status, text);
	n = snprintf(out, outlen, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %d\r\n"
	    "Connection: close\r\n"
	    "Cache-Control: no-cache\r\n"
	    "\r\n"
	    "%s", status, text, blen, body);
	if (n < 0 || outlen == 0)
		return 0;
	return (size_t)n < outlen ? (size_t)n : outlen - 1;
}
