/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The transport under a health check.  A real server with "tls = true" is
 * probed over TLS with its own client context (tls_ctx.c: tls_ca, the
 * name in tls_sni, tls_verify), so a check sees what a worker would: the
 * handshake runs first, resumed on readiness like the probe's own steps,
 * and a certificate that does not verify is PROBE_TLS with the X509
 * result as its code, which the log and tcpvsadm -L show in words.  Then
 * the probe (tcp, http) starts on the transport; for "check = tcp" a
 * completed handshake is the check.  A server with send_proxy gets its
 * PROXY header (LOCAL) in clear before the ClientHello, as a worker's
 * connection does (exchange_connect.c).  Runs in the health checker.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>

#include "conf-t.h"
#include "probe.h"
#include "proxy.h"
#include "tls.h"
#include "xprt.h"

int
probe_transport(struct probe *p, const struct realserver *rs, int fd)
{
	if (rs->tls == NULL) {
		xprt_plain_init(&p->x, fd);
		return 0;
	}
	if (xprt_tls_connect(&p->x, rs->tls, fd) == -1) {
		xprt_plain_init(&p->x, fd);	/* still closes fd */
		return -1;
	}
	return 0;
}

static enum probe_result
handshake(struct probe *p)
{
	int r = p->x.ops->handshake(&p->x);

	switch (r) {
	case 0:
		return PROBE_OK;
	case XPRT_WANT_READ:
	case XPRT_WANT_WRITE:
		p->events = r == XPRT_WANT_READ ? EPOLLIN : EPOLLOUT;
		return PROBE_PENDING;
	default:
		break;
	}
	if (p->x.fail == XPRT_FAIL_IO) {
		p->code = p->x.err;
		return PROBE_ERROR;
	}
	p->code = p->x.fail == XPRT_FAIL_CERT ? p->x.err :
	    -(int)p->x.fail;
	return PROBE_TLS;
}

/*
 * send_proxy to a TLS server: the LOCAL header first, in clear.  One
 * write of at most 16 bytes to a socket just connected, with its whole
 * send buffer free: it completes at once; a short write fails the check
 * (EAGAIN) rather than waiting, which a worker's connection does
 * (proxy_conn.c), since a probe has its own deadline to keep.
 */
static enum probe_result
proxy_first(struct probe *p)
{
	char h[64];
	size_t n = proxy_build_local(h, sizeof(h), p->chk->send_proxy);
	ssize_t w;

	p->proxied = 1;
	if (n == 0)
		return PROBE_OK;
	if ((w = send(p->fd, h, n, MSG_NOSIGNAL)) == (ssize_t)n)
		return PROBE_OK;
	p->code = w == -1 ? errno : EAGAIN;
	return PROBE_ERROR;
}

enum probe_result
probe_step(struct probe *p, uint32_t events)
{
	enum probe_result r;

	if (p->started)
		return p->chk->probe->io(p, events);
	if (p->x.ssl != NULL && !p->proxied &&
	    (r = proxy_first(p)) != PROBE_OK)
		return r;
	if ((r = handshake(p)) != PROBE_OK)	/* plain: at once */
		return r;
	p->started = 1;
	return p->chk->probe->start(p);
}

void
probe_tls_describe(int code, char *buf, size_t len)
{
	if (code >= 0)
		snprintf(buf, len, "tls: certificate verify failed: %s",
		    tls_verify_str(code));
	else
		snprintf(buf, len, "tls: handshake failed: %s",
		    xprt_fail_str((enum xprt_fail)-code));
}
