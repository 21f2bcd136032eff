/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What the HTTP/1.x parsers share, so that requests (http.c), responses
 * (http_resp.c) and chunked trailers (http_chunk.c) obey one set of
 * rules: the character classes, comma-separated lists, lines, the syntax
 * of one field line, and the fields that frame a message (Content-Length,
 * Transfer-Encoding, Connection).  Each check returns NULL when valid,
 * else a short reason and the offset of the fault; which status that
 * costs (400, 501 to a client, 502 for a server) is the caller's choice.
 * Pure functions over the caller's buffer: no I/O, no allocation.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "http.h"

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static struct http_span
span(size_t off, size_t len)
{
	struct http_span s = { (uint32_t)off, (uint32_t)len };

	return s;
}

/* tchar of RFC 9110 5.6.2 */
int
http_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar, SP, HTAB, obs-text of RFC 9110 5.5: no controls */
int
http_is_fieldchar(unsigned char c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t';
}

/* the span holds s, ignoring case */
int
http_span_is(const char *buf, struct http_span sp, const char *s)
{
	size_t n = strlen(s);

	return sp.len == n && strncasecmp(buf + sp.off, s, n) == 0;
}

void
http_list_init(struct http_list *l, const char *buf, struct http_span sp)
{
	l->buf = buf;
	l->pos = sp.off;
	l->end = (size_t)sp.off + sp.len;
	l->done = 0;
}

/* the next element, empty ones included ("a,,b" has three); 0 at the end */
int
http_list_next(struct http_list *l, struct http_span *el)
{
	size_t s = l->pos, e = l->pos;

	if (l->done)
		return 0;
	while (e < l->end && l->buf[e] != ',')
		e++;
	l->done = e == l->end;
	l->pos = e + 1;
	while (s < e && is_ows(l->buf[s]))
		s++;
	while (e > s && is_ows(l->buf[e - 1]))
		e--;
	*el = span(s, e - s);
	return 1;
}

/*
 * The line at off in buf[0..len): its content is [off, *end), CR LF or a
 * bare LF excluded (RFC 9112 2.2); the next line starts at *next.  Returns
 * -1 when its LF has not arrived.
 */
int
http_line(const char *buf, size_t off, size_t len, size_t *end, size_t *next)
{
	const char *lf = memchr(buf + off, '\n', len - off);
	size_t e;

	if (lf == NULL)
		return -1;
	e = (size_t)(lf - buf);
	*next = e + 1;
	if (e > off && buf[e - 1] == '\r')
		e--;
	*end = e;
	return 0;
}

/* NUL, bare CR and other controls (HTAB aside) have no place in a head */
const char *
http_bad_byte(const char *buf, size_t off, size_t end, size_t *at)
{
	unsigned char c;

	for (; off < end; off++) {
		c = (unsigned char)buf[off];
		if (http_is_fieldchar(c))
			continue;
		*at = off;
		return c == '\r' ? "bare CR" : c == '\0' ? "NUL byte" :
		    "control character";
	}
	return NULL;
}

/* field-name ":" OWS field-value OWS (RFC 9112 5), in [off, end) */
const char *
http_field_line(const char *buf, size_t off, size_t end,
    struct http_header *h, size_t *at)
{
	const char *why;
	size_t c, v, ve;

	if ((why = http_bad_byte(buf, off, end, at)) != NULL)
		return why;
	*at = off;
	/* RFC 9112 5.2: a server may reject obs-fold with 400; we do */
	if (off < end && is_ows(buf[off]))
		return "obsolete line folding";
	for (c = off; c < end && http_is_tchar((unsigned char)buf[c]); c++)
		;
	*at = c;
	/* RFC 9112 5.1: no whitespace between field name and colon */
	if (c < end && is_ows(buf[c]))
		return "whitespace before colon";
	if (c == end)
		return "header line without colon";
	if (buf[c] != ':')
		return "invalid header name";
	if (c == off)
		return "empty header name";
	for (v = c + 1; v < end && is_ows(buf[v]); v++)
		;
	for (ve = end; ve > v && is_ows(buf[ve - 1]); ve--)
		;
	h->name = span(off, c - off);
	h->value = span(v, ve - v);
	return NULL;
}

/* case-insensitive lookup; the first match or NULL */
const struct http_header *
http_find_field(const struct http_header *hdr, unsigned n, const char *buf,
    const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (http_span_is(buf, hdr[i].name, name))
			return &hdr[i];
	return NULL;
}

/* 1*DIGIT, within uint64 */
static const char *
parse_length(const char *buf, struct http_span el, uint64_t *v, size_t *at)
{
	const char *s = buf + el.off;
	unsigned d;

	*at = el.off;
	if (el.len == 0)
		return "empty Content-Length";
	*v = 0;
	for (uint32_t i = 0; i < el.len; i++) {
		*at = (size_t)el.off + i;
		if (s[i] < '0' || s[i] > '9')
			return "invalid Content-Length";
		d = (unsigned)(s[i] - '0');
		if (*v > (UINT64_MAX - d) / 10)
			return "Content-Length too large";
		*v = *v * 10 + d;
	}
	return NULL;
}

/*
 * RFC 9112 6.3 (5): several Content-Length values, as repeated fields or
 * as a list ("5, 5"), are one length if all are equal, else an error.
 * Sets HTTP_F_CL in *flags and *len when there is one.
 */
const char *
http_content_length(const char *buf, const struct http_header *hdr,
    unsigned n, uint64_t *len, unsigned *flags, size_t *at)
{
	struct http_span el;
	struct http_list l;
	const char *why;
	uint64_t v;

	for (unsigned i = 0; i < n; i++) {
		if (!http_span_is(buf, hdr[i].name, "content-length"))
			continue;
		http_list_init(&l, buf, hdr[i].value);
		while (http_list_next(&l, &el)) {
			if ((why = parse_length(buf, el, &v, at)) != NULL)
				return why;
			if ((*flags & HTTP_F_CL) && v != *len) {
				*at = el.off;
				return "different Content-Length values";
			}
			*len = v;
			*flags |= HTTP_F_CL;
		}
	}
	return NULL;
}

/* a transfer-coding without parameters: a token */
static const char *
check_coding(const char *buf, struct http_span el, size_t *at)
{
	*at = el.off;
	if (el.len == 0)
		return "empty transfer coding";
	for (uint32_t k = 0; k < el.len; k++) {
		*at = (size_t)el.off + k;
		if (!http_is_tchar((unsigned char)buf[el.off + k]))
			return "invalid transfer coding";
	}
	return NULL;
}

/*
 * The transfer codings in order (RFC 9112 6.1): each a token without
 * parameters, none empty, chunked at most once.  What the final coding
 * means for the framing differs for requests and responses (6.3 rule 4).
 */
const char *
http_transfer_encoding(const char *buf, const struct http_header *hdr,
    unsigned n, struct http_te *te, size_t *at)
{
	struct http_span el;
	struct http_list l;
	const char *why;
	int seen = 0;

	memset(te, 0, sizeof(*te));
	for (unsigned i = 0; i < n; i++) {
		if (!http_span_is(buf, hdr[i].name, "transfer-encoding"))
			continue;
		http_list_init(&l, buf, hdr[i].value);
		while (http_list_next(&l, &el)) {
			if ((why = check_coding(buf, el, at)) != NULL)
				return why;
			te->ncodings++;
			te->last_off = el.off;
			te->chunked = http_span_is(buf, el, "chunked");
			if (te->chunked && seen++) {
				*at = el.off;
				return "chunked applied more than once";
			}
			if (!te->chunked && !te->other) {
				te->other = 1;
				te->other_off = el.off;
			}
		}
	}
	return NULL;
}

/*
 * Connection options (RFC 9110 7.6.1) into *flags: close, keep-alive, and
 * upgrade when an Upgrade field is there too.  An option naming a field
 * every hop needs would have it dropped as hop-by-hop, changing the
 * framing the next hop sees: refused.
 */
const char *
http_connection(const char *buf, const struct http_header *hdr, unsigned n,
    unsigned *flags, size_t *at)
{
	int upgrade = http_find_field(hdr, n, buf, "upgrade") != NULL;
	struct http_span el;
	struct http_list l;

	for (unsigned i = 0; i < n; i++) {
		if (!http_span_is(buf, hdr[i].name, "connection"))
			continue;
		http_list_init(&l, buf, hdr[i].value);
		while (http_list_next(&l, &el)) {
			if (http_span_is(buf, el, "close"))
				*flags |= HTTP_F_CONN_CLOSE;
			else if (http_span_is(buf, el, "keep-alive"))
				*flags |= HTTP_F_CONN_KEEPALIVE;
			else if (http_span_is(buf, el, "upgrade") && upgrade)
				*flags |= HTTP_F_CONN_UPGRADE;
			else if (http_span_is(buf, el, "content-length") ||
			    http_span_is(buf, el, "transfer-encoding") ||
			    http_span_is(buf, el, "host")) {
				*at = el.off;
				return "Connection names an end-to-end field";
			}
		}
	}
	return NULL;
}
