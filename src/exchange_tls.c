/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The TLS handshakes of an exchange (exchange.c), the only steps that
 * know a connection speaks TLS; after them everything goes through the
 * connection's transport (xprt.h) as for a plain one.  A client from a
 * tls_listen address shakes hands in the HEAD phase, within the first
 * request's request_timeout; a server with "tls = true" after the
 * connect (and the PROXY header) in the CONNECT phase, within
 * connect_timeout, a failure there being a connect failure (another
 * server, then 502).  Both wait as the transport asks, on the
 * connection's epoll registration.
 */
#include "config.h"

#include <errno.h>

#include "conf-t.h"
#include "exchange_priv.h"
#include "log.h"
#include "tls.h"
#include "tls_stat.h"
#include "worker.h"
#include "xprt.h"

/* why a handshake failed, as the log says it */
static const char *
fail_reason(const struct xconn *c)
{
	if (c->fail == XPRT_FAIL_CERT)
		return tls_verify_str(c->err);
	return xprt_fail_str(c->fail);
}

/* a client's handshake ended (0, or failed: the connection closes);
   counted for /metrics, plain HTTP on the port logged now and then */
void
exchange_tls_handshake(struct exchange *x, int r)
{
	struct worker *w = x->w;
	const struct xconn *c = &x->c.x;

	tls_count_handshake(w->ss, c, r);
	if (r == 0) {
		log_debug("client %s: TLS %s %s%s", x->c.clientstr,
		    xprt_tls_version(c), xprt_tls_cipher(c),
		    xprt_tls_resumed(c) ? ", resumed" : "");
		return;
	}
	if (c->fail == XPRT_FAIL_NOT_TLS && tls_note_not_tls(w->svc->ident,
	    x->c.lname != NULL ? x->c.lname : "?", &x->c.client, w->now))
		return;
	log_debug("client %s: TLS handshake failed: %s", x->c.clientstr,
	    fail_reason(c));
}

/* the server's handshake failed: a connect failure, its reason logged */
static enum step
server_failed(struct exchange *x)
{
	const struct realserver *rs = &x->w->svc->rs[x->rsi];
	const struct xconn *c = &x->sx;

	log_warnx("server %s: TLS handshake failed: %s", rs->name,
	    fail_reason(c));
	/* none left: what it failed with */
	x->nosrv = 502;
	return exchange_connect_failed(x, c->fail == XPRT_FAIL_IO &&
	    c->err != 0 ? c->err : EPROTO);
}

/* a step of the server's handshake, in the CONNECT phase */
enum step
exchange_tls_step(struct exchange *x)
{
	int r = x->sx.ops->handshake(&x->sx);

	x->sev = 0;
	if (r == XPRT_WANT_READ || r == XPRT_WANT_WRITE)
		return STEP_WAIT;
	x->shaking = false;
	if (r != 0)
		return server_failed(x);
	return exchange_connected(x);
}

/* the TCP connection to a "tls = true" server is made: shake hands */
enum step
exchange_tls_connect(struct exchange *x)
{
	const struct realserver *rs = &x->w->svc->rs[x->rsi];
	int fd = x->sx.fd;

	if (xprt_tls_connect(&x->sx, rs->tls, fd) == -1) {
		log_warn("server %s: TLS", rs->name);
		xprt_plain_init(&x->sx, fd);
		return exchange_connect_failed(x, errno != 0 ? errno :
		    ENOMEM);
	}
	x->phase = XP_CONNECT;
	x->shaking = true;
	timer_set(&x->w->timers, &x->tm, x->w->now +
	    (int64_t)x->w->svc->connect_timeout * 1000, exchange_on_timer);
	return exchange_tls_step(x);
}
