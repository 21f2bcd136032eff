/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * HTTP/1.x messages: the request- and response-head parsers, how each
 * body is framed, the chunked-framing decoder, the head tcpvsd sends
 * upstream, and the error replies.  Pure functions over caller buffers:
 * no I/O, no allocation.  Smuggling rules follow RFC 9112 sections 6, 7.
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
#define HTTP_F_ABSOLUTE		0x0200	/* absolute-form target */
#define HTTP_F_OPTIONS		0x0400	/* method OPTIONS */

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
 * comma-separated; client NULL: only those), then "Connection: close"
 * (or the given conn_value).  An absolute-form target goes in
 * origin-form, with its authority as the Host field in place of the
 * client's (RFC 9112 3.2.2).
 * Returns the length, or -1 if out is too small.
 */
long		 http_build_upstream(const struct http_req *, const char *buf,
		    const char *client, const char *conn_value, char *out,
		    size_t outlen);

/*
 * Response heads (RFC 9112 4, 6.3).  Parsed like requests, with the same
 * strictness where the rules apply to responses; any fault is answered
 * with 502 by the worker, never passed on.
 */
struct http_resp {
	int		 status;	/* 100..599 */
	int		 minor;		/* HTTP/1.<minor>: 0 or 1 */
	struct http_span phrase;	/* reason-phrase, maybe empty */
	unsigned	 flags;		/* HTTP_F_CL, _CHUNKED, _CONN_* */
	uint64_t	 content_length; /* when HTTP_F_CL */
	size_t		 head_len;	/* bytes of the head, final empty
					   line included */
	unsigned	 nheaders;
	struct http_header hdr[HTTP_MAX_HEADERS];
	size_t		 err_off;	/* HTTP_ERROR: offset of the fault */
	const char	*reason;	/* HTTP_ERROR: short text for the log */
};

/*
 * Parse the response head at buf[0..len), as http_parse_request() does
 * (whole buffer each call, bytes after the head left alone, bare LF line
 * ends accepted, HTTP_AGAIN while incomplete).  Only max_header_size and
 * max_headers apply.  The status line is "HTTP/1.0" or "HTTP/1.1", SP, three
 * digits within 100..599, then SP and a reason-phrase, which may be empty
 * or missing with its SP.  HTTP_ERROR for: bytes that do not start
 * "HTTP/" (at once), an over-large head, any field fault the request
 * parser refuses, Content-Length with Transfer-Encoding, differing or
 * invalid Content-Length values, chunked applied twice, Transfer-Encoding
 * in an HTTP/1.0 response, Connection naming a framing field.  A
 * Transfer-Encoding whose final coding is not chunked is valid: the body
 * then ends when the server closes (RFC 9112 6.3 rule 4), and HTTP_F_CHUNKED
 * is not set.
 */
enum http_result http_parse_response(const char *buf, size_t len,
		    const struct http_limits *, struct http_resp *);
/*
 * Only the status line at buf[0..len), as http_parse_response() judges it
 * (health checks): HTTP_OK with status and minor set, HTTP_AGAIN while it
 * has no LF and fits in max bytes, HTTP_ERROR otherwise.
 */
enum http_result http_parse_status_line(const char *buf, size_t len,
		    size_t max, struct http_resp *);
const struct http_header *http_resp_find_header(const struct http_resp *,
		    const char *buf, const char *name);

/*
 * Build the head sent to a client for resp into out: "HTTP/1.1", the
 * status and reason-phrase, every field except the hop-by-hop ones
 * (Connection and the fields it names, Keep-Alive, Proxy-Connection, TE,
 * Trailer, and Upgrade unless the status is 101), then extra (whole
 * "Name: value\r\n" lines, or NULL), then "Connection: conn_value" unless
 * conn_value is NULL.  Returns the length, or -1 if out is too small.
 */
long		 http_build_response(const struct http_resp *, const char *buf,
		    const char *conn_value, const char *extra, char *out,
		    size_t outlen);

/* how a message body ends (RFC 9112 6.3) */
enum http_body {
	HTTP_BODY_NONE,		/* no body; for a 1xx, another head follows */
	HTTP_BODY_LENGTH,	/* content_length bytes (maybe 0) */
	HTTP_BODY_CHUNKED,	/* chunked: see struct http_chunk */
	HTTP_BODY_CLOSE,	/* until the server closes */
	HTTP_BODY_TUNNEL,	/* 101 or 2xx to CONNECT: bytes both ways */
	HTTP_BODY_INVALID	/* a 101 nobody asked for: answer 502 */
};

/*
 * The body of a request: HTTP_BODY_CHUNKED, _LENGTH or _NONE (neither
 * field: no body, RFC 9112 6.3 rule 7).
 */
enum http_body	 http_request_body(const struct http_req *);
/*
 * The body of resp, the answer to req (RFC 9112 6.3 in its order): a 1xx
 * other than 101 is interim (NONE; a 1xx is not for an HTTP/1.0 client,
 * RFC 9110 15.2); 101 is a TUNNEL when req asked for an upgrade in
 * HTTP/1.1 and resp names one (Connection: upgrade and Upgrade, RFC 9110
 * 7.8), else INVALID; a 2xx to CONNECT is a TUNNEL; HEAD, 204 and 304 have
 * none whatever the fields say; then chunked, Content-Length, or CLOSE.
 * reqbuf, the buffer req was parsed from, may be NULL: no rule reads
 * the request's field values today.
 */
enum http_body	 http_response_body(const struct http_req *req,
		    const char *reqbuf, const struct http_resp *resp);
const char	*http_body_str(enum http_body);
/*
 * After the final response resp framed by body has been relayed, may the
 * server connection carry another request?  HTTP/1.1 without "Connection:
 * close", or HTTP/1.0 with "Connection: keep-alive" (RFC 9112 9.3); never
 * after a CLOSE, TUNNEL or INVALID body.  Returns 1 or 0.  Whether the
 * request went out whole (a server may answer before reading its body)
 * is for the caller to add.
 */
int		 http_response_keepalive(const struct http_resp *resp,
		    enum http_body body);

/*
 * Chunked bodies (RFC 9112 7.1), relayed without copying the data: a
 * resumable decoder of the framing only.  It reads chunk-size lines (with
 * extensions, each checked against the grammar of 7.1.1), the CRLF after
 * each chunk's data, the last chunk, the trailer fields (checked as header
 * fields; at most max_trailer bytes with their CRLFs, 0 for none) and the
 * final CRLF, and says how many data bytes lie between; the caller moves
 * those by splice (or copy) without showing them to the decoder.
 *
 * Every line of the framing must end in CRLF: unlike a head, a bare LF is
 * an error, as is a bare CR.  The framing is forwarded verbatim, and a
 * next hop that takes LF alone for a line end, or not, must never read
 * the body differently from us (chunked smuggling).  What is accepted is
 * strict enough to forward as it came; the decoder never re-encodes.
 *
 *	http_chunk_init(&c, max_trailer);
 *	while (!c.done) {
 *		r = http_chunk_parse(&c, buf, len, &used);
 *		forward buf[0..used) as it is;  buf += used; len -= used;
 *		if (r == HTTP_ERROR)
 *			fail: c.reason, the bad byte at buf[0];
 *		else if (r == HTTP_AGAIN)
 *			read more bytes into buf;
 *		else if (c.data_left > 0)
 *			relay n <= c.data_left bytes (from buf first);
 *			http_chunk_data(&c, n);
 *	}
 *	buf[0..len): what follows the message (a pipelined request)
 */
#define HTTP_CHUNK_MAX_LINE	4096	/* chunk-size line, CRLF excluded */

struct http_chunk {
	int		 state;		/* private to http_chunk.c */
	unsigned	 line;		/* bytes of the chunk-size line */
	uint64_t	 size;		/* the chunk-size being read */
	uint64_t	 data_left;	/* data bytes that come next */
	uint64_t	 total;		/* data bytes announced so far
					   (saturates), for a body limit */
	uint64_t	 trailer;	/* bytes of trailer fields so far */
	uint64_t	 max_trailer;
	int		 done;		/* the final CRLF went by */
	const char	*reason;	/* HTTP_ERROR: short text for the log */
};

void		 http_chunk_init(struct http_chunk *, uint64_t max_trailer);
/*
 * Consume framing bytes from buf[0..len); *used says how many.  HTTP_OK:
 * stopped before data (data_left > 0) or after the final CRLF (done);
 * HTTP_AGAIN: all of buf was framing, more is needed; HTTP_ERROR: invalid
 * framing at buf[*used] (and at every later call).  A call while data is
 * pending or after the end consumes nothing and returns HTTP_OK.
 */
enum http_result http_chunk_parse(struct http_chunk *, const char *buf,
		    size_t len, size_t *used);
/* n data bytes went by, n <= data_left (more is taken as data_left) */
void		 http_chunk_data(struct http_chunk *, uint64_t n);

/*
 * A complete error reply for status (400, 408, 413, 414, 431, 501, 502,
 * 503, 504): status line, Content-Type text/plain, Content-Length,
 * Connection: close, and a short text body.  Returns the length (the reply
 * is truncated, never overflowed, if outlen is too small).
 */
size_t		 http_error_reply(int status, char *out, size_t outlen);
const char	*http_status_text(int status);

/*
 * Shared by the parsers of this module (http.c, http_chunk.c,
 * http_field.c, http_resp.c), not for other modules.  The checks return
 * NULL when valid, else a short reason with the offset of the fault in
 * *at; the caller picks the status to answer.
 */

/* the elements of a comma-separated list field, OWS trimmed */
struct http_list {
	const char	*buf;
	size_t		 pos;
	size_t		 end;
	int		 done;
};

/* what the Transfer-Encoding fields say, all taken in order */
struct http_te {
	unsigned	 ncodings;
	int		 chunked;	/* the final coding is chunked */
	int		 other;		/* a coding other than chunked */
	size_t		 last_off;	/* offset of the final coding */
	size_t		 other_off;	/* offset of the first other one */
};

/*
 * One head being parsed (http_head.c): the core requests and responses
 * share.  On HTTP_ERROR: status (400 or 431, for a request), err_off and
 * reason, which the parser copies into its message.
 */
struct http_head {
	const char		*buf;
	size_t			 len;		/* bytes looked at */
	const struct http_limits *lim;
	struct http_header	*hdr;		/* the message's fields */
	unsigned		*nhdr;
	const char		*size_reason;	/* "request head too large" */
	const char		*te10_reason;	/* Transfer-Encoding in 1.0 */
	int			 status;
	size_t			 err_off;
	const char		*reason;
};

enum http_result http_head_too_large(struct http_head *);
enum http_result http_head_bytes(struct http_head *, size_t off,
		    size_t end);
enum http_result http_head_partial(struct http_head *, size_t off);
/* the field lines from off; *head_end: just past the empty line */
enum http_result http_head_fields(struct http_head *, size_t off,
		    size_t *head_end);
enum http_result http_head_framing(struct http_head *, int minor);

int		 http_is_tchar(unsigned char);
int		 http_is_fieldchar(unsigned char);
int		 http_span_is(const char *buf, struct http_span, const char *);
void		 http_list_init(struct http_list *, const char *buf,
		    struct http_span);
int		 http_list_next(struct http_list *, struct http_span *);
int		 http_line(const char *buf, size_t off, size_t len,
		    size_t *end, size_t *next);
const char	*http_bad_byte(const char *buf, size_t off, size_t end,
		    size_t *at);
const char	*http_field_line(const char *buf, size_t off, size_t end,
		    struct http_header *, size_t *at);
const struct http_header *http_find_field(const struct http_header *,
		    unsigned n, const char *buf, const char *name);
const char	*http_content_length(const char *buf,
		    const struct http_header *, unsigned n, uint64_t *len,
		    unsigned *flags, size_t *at);
const char	*http_transfer_encoding(const char *buf,
		    const struct http_header *, unsigned n, struct http_te *,
		    size_t *at);
const char	*http_connection(const char *buf, const struct http_header *,
		    unsigned n, unsigned *flags, size_t *at);

/*
 * An output buffer that remembers it overflowed: the builders (the
 * upstream head here, rule answers in rule_reply.c) write without a
 * check per piece and look at full once.
 */
struct http_out {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 full;
};

void		 http_out_put(struct http_out *, const char *, size_t);
void		 http_out_str(struct http_out *, const char *);

#endif /* TCPVS_HTTP_H */
