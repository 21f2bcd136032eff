/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * HTTP probe ("check = http"): on the connection health.c established it
 * sends "GET check_path HTTP/1.1" with Host (check_host), Connection:
 * close and User-Agent: tcpvs-check, then reads only the status line,
 * into a bounded buffer, and judges it with the response parser
 * (http_parse_status_line).  The server is healthy when the status is one
 * check_expect accepts.  Non-blocking: each step returns PROBE_PENDING
 * with the events it waits for; health.c owns the timeout.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>

#include "conf.h"
#include "http.h"
#include "probe.h"
#include "proxy.h"

static enum probe_result
fail_errno(struct probe *p, int err)
{
	p->code = err;
	return PROBE_ERROR;
}

/* p->len > 0 while the request is being sent */
static enum probe_result
send_request(struct probe *p)
{
	ssize_t n;

	while (p->off < p->len) {
		n = p->x.ops->send(&p->x, p->buf + p->off, p->len - p->off);
		if (n == XPRT_WANT_READ || n == XPRT_WANT_WRITE) {
			p->events = n == XPRT_WANT_READ ? EPOLLIN : EPOLLOUT;
			return PROBE_PENDING;
		}
		if (n == XPRT_FAIL)
			return fail_errno(p, p->x.err ? p->x.err : EPROTO);
		p->off += (size_t)n;
	}
	p->len = 0;
	p->off = 0;
	p->events = EPOLLIN;
	return PROBE_PENDING;
}

static enum probe_result
judge(struct probe *p, int eof)
{
	struct http_resp resp;

	switch (http_parse_status_line(p->buf, p->off, sizeof(p->buf),
	    &resp)) {
	case HTTP_OK:
		break;
	case HTTP_AGAIN:
		if (!eof && p->off < sizeof(p->buf))
			return PROBE_PENDING;
		return PROBE_INVALID;
	case HTTP_ERROR:
		return PROBE_INVALID;
	}
	p->code = resp.status;
	return conf_expect_match(&p->chk->expect, resp.status) ? PROBE_OK :
	    PROBE_HTTP_STATUS;
}

static enum probe_result
read_status(struct probe *p)
{
	enum probe_result r;
	ssize_t n;

	for (;;) {
		n = p->x.ops->recv(&p->x, p->buf + p->off, sizeof(p->buf) -
		    p->off);
		if (n == XPRT_WANT_READ || n == XPRT_WANT_WRITE) {
			p->events = n == XPRT_WANT_READ ? EPOLLIN : EPOLLOUT;
			return PROBE_PENDING;
		}
		if (n == XPRT_FAIL)
			return fail_errno(p, p->x.err ? p->x.err : EPROTO);
		p->off += (size_t)n;
		if ((r = judge(p, n == 0)) != PROBE_PENDING)
			return r;
	}
}

static enum probe_result
http_start(struct probe *p)
{
	/* send_proxy = v1 | v2: a header without an address first (over
	   TLS it went before the handshake: probe_tls.c) */
	size_t h = p->proxied ? 0 : proxy_build_local(p->buf,
	    sizeof(p->buf), p->chk->send_proxy);
	int n;

	n = snprintf(p->buf + h, sizeof(p->buf) - h, "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\nConnection: close\r\nUser-Agent: tcpvs-check\r\n"
	    "\r\n", p->chk->path, p->chk->host);
	if (n < 0 || (size_t)n >= sizeof(p->buf) - h)
		return fail_errno(p, EMSGSIZE);	/* path + host fit: never */
	p->len = h + (size_t)n;
	p->off = 0;
	return send_request(p);
}

static enum probe_result
http_io(struct probe *p, uint32_t events)
{
	(void)events;
	if (p->len > 0)
		return send_request(p);
	return read_status(p);
}

const struct probe_ops probe_http = {
	.name = "http",
	.start = http_start,
	.io = http_io,
};
