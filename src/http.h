/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * HTTP/1.x message heads: the request-head parser, the head tcpvsd sends
 * upstream, and the error replies.  Pure functions over caller buffers:
 * no I/O, no allocation.  Smuggling rules follow RFC 9112 section 6.
 */
#ifndef TCPVS_HTTP_H
#define TCPVS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS	256	/* hard cap; max_headers <= this */

enum http_result {
	HTTP_OK,	/* a complete, valid head */
	HTTP_AGAIN,	/* valid so far, need more bytes */
	HTTP_ERROR	/* invalid: send req->status and close */
};

/* a byte range of the parsed buffer */
struct http_span {
	uint32_t	off;
	uint32_t	len;
};

struct http_header {
	struct http_span name;
	struct http_span value;	/* leading and trailing OWS excluded */
};

/* message facts */
#define HTTP_F_CL		0x0001	/* Content-Length present */
#define HTTP_F_CHUNKED		0x0002	/* Transfer-Encoding ends in chunked */
#define HTTP_F_CONN_CLOSE	0x0004	/* Connection: close */
#define HTTP_F_CONN_KEEPALIVE	0x0008	/* Connection: keep-alive */
#define HTTP_F_CONN_UPGRADE	0x0010	/* Connection: upgrade + Upgrade */
#define HTTP_F_EXPECT_100	0x0020	/* Expect: 100-continue */
#define HTTP_F_HOST		0x0040	/* Host present */
#define HTTP_F_HEAD		0x0080	/* method HEAD */
#define HTTP_F_CONNECT		0x0100	/* method CONNECT */

struct http_limits {
	unsigned	max_request_line;	/* bytes, CRLF excluded */
	unsigned	max_header_size;	/* bytes of the whole head */
	unsigned	max_headers;		/* header fields */
};

struct http_req {
	struct http_span method;
	struct http_span target;	/* as sent */
	struct http_span path;		/* target up to '?' or '#' */
	struct http_span host;		/* Host value, or empty */
	int		 minor;		/* HTTP/1.<minor>: 0 or 1 */
	unsigned	 flags;		/* HTTP_F_* */
	uint64_t	 content_length; /* when HTTP_F_CL */
	size_t		 head_len;	/* bytes of the head, final empty
					   line included */
	unsigned	 nheaders;
	struct http_header hdr[HTTP_MAX_HEADERS];
	int		 status;	/* HTTP_ERROR: 400, 414, 431, 501 */
	size_t		 err_off;	/* HTTP_ERROR: offset of the fault */
	const char	*reason;	/* HTTP_ERROR: short text for the log */
};

/*
 * Parse the request head at buf[0..len).  The whole buffer is parsed each
 * call (callers call again when more bytes arrived); bytes after the head
 * (a body, a pipelined request) are left alone.  HTTP_AGAIN while the head
 * is incomplete but within the limits (an over-long request line is 414
 * and an over-large head 431 as soon as the limit is passed, before the
 * end arrives).  Lines end in CRLF or a bare LF (RFC 9112 2.2); a bare CR
 * is an error.
 */
enum http_result http_parse_request(const char *buf, size_t len,
		    const struct http_limits *, struct http_req *);

/* case-insensitive header lookup; the first match or NULL */
const struct http_header *http_find_header(const struct http_req *,
		    const char *buf, const char *name);

/*
 * Build the head sent to a real server into out: the request line, every
 * header except the hop-by-hop ones (Connection and the headers it names,
 * Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade), an X-Forwarded-For
 * with client appended to any the client sent (one field,
 * comma-separated), then "Connection: close" (or the given conn_value).
 * Returns the length, or -1 if out is too small.
 */
long		 http_build_upstream(const struct http_req *, const char *buf,
		    const char *client, const char *conn_value, char *out,
		    size_t outlen);

/*
 * A complete error reply for status (400, 408, 413, 414, 431, 501, 502,
 * 503, 504): status line, Content-Type text/plain, Content-Length,
 * Connection: close, and a short text body.  Returns the length (the reply
 * is truncated, never overflowed, if outlen is too small).
 */
size_t		 http_error_reply(int status, char *out, size_t outlen);
const char	*http_status_text(int status);

#endif /* TCPVS_HTTP_H */
