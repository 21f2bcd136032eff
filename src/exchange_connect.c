/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The CONNECT phase of an exchange (exchange.c): the one place a server
 * is chosen (choose_server: the persistence template, then the
 * service's scheduler), the one place its active count is taken
 * (hold_server) and given back (exchange_release_server), a kept
 * connection from the pool or a non-blocking connect within
 * connect_timeout, another server after a failure (each at most once),
 * then the sorry server, then 503 (504 when the last try timed out).
 * Failed and successful connects are reported to the scoreboard
 * (passive health).
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "conf-t.h"
#include "exchange_priv.h"
#include "log.h"
#include "proxy_conn.h"
#include "relay.h"
#include "sched.h"
#include "scoreboard.h"
#include "upstream.h"
#include "util.h"
#include "worker.h"

/*
 * The one place a server is chosen (sched_choose: the persistence
 * template first, then the service's scheduler), never a server in
 * x->exclude.  -1: none.
 */
static int
choose_server(struct exchange *x)
{
	const struct service *svc = x->w->svc;
	struct sched_req sr = {
		.client = (const struct sockaddr *)&x->c.client,
		.http = &x->req,
		.head = x->head,
		.exclude = x->exclude,
	};

	return sched_choose(svc, x->w->sb, &sr);
}

/* the one place a server's active count is taken ... */
static void
hold_server(struct exchange *x, int i)
{
	sb_exchange_hold(x->w->sb, x->xs, x->w->svc->rs[i].sb_index);
	/* what the worker row names beside its last request */
	atomic_store_explicit(&x->w->ws->last_server,
	    x->w->svc->rs[i].sb_index, memory_order_relaxed);
	x->rsi = i;
}

/* ... and the one place it is given back (nothing if none is held) */
void
exchange_release_server(struct exchange *x)
{
	sb_exchange_release(x->w->sb, x->xs);
}

/*
 * Passive health: a failed connect counts towards the server's fall (it
 * is marked down at once when actively checked); logged once a run.
 */
static void
note_connect_failure(struct exchange *x, const struct realserver *rs,
    int err)
{
	struct sb_server *s = sb_server(x->w->sb, (unsigned)rs->sb_index);

	atomic_fetch_add_explicit(&s->connect_errors, 1,
	    memory_order_relaxed);
	if (sb_server_report_fail(x->w->sb, rs->sb_index,
	    rs->check.fall) == 1) {
		errno = err;
		log_warn("server %s: connect", rs->name);
	}
}

/*
 * A connect that failed for want of something of this host's, not the
 * server's (util_local_shortage): descriptors, socket memory, or a free
 * local port towards the server's address (EADDRNOTAVAIL once
 * ip_local_port_range is used up towards it, as under Connection: close
 * to an origin at a high rate).
 * Counted against the server, it marked every checked server down at
 * once, turning a shortage here into seconds of 503s after it had passed.
 * As HAProxy's SF_ERR_RESOURCE, it counts for nothing: said in the log,
 * at most once a second a worker.
 */
static void
note_local_failure(struct exchange *x, const struct realserver *rs, int err)
{
	static int64_t said;

	if (said != 0 && x->w->now - said < 1000)
		return;
	said = x->w->now;
	errno = err;
	log_warn("server %s: connect: out of a resource of this host "
	    "(open files, socket memory or local ports for its address), "
	    "not counted against the server", rs->name);
}

static void
note_connect_success(struct exchange *x, const struct realserver *rs)
{
	sb_server_connected(x->w->sb, rs->sb_index);
	if (sb_server_report_ok(x->w->sb, rs->sb_index) > 0)
		log_info("server %s: connect succeeds again", rs->name);
}

/* the header fields the scheduler adds to the response (chttp's cookie) */
static void
set_cookie(struct exchange *x)
{
	struct sched_req sr = {
		.client = (const struct sockaddr *)&x->c.client,
		.http = &x->req,
		.head = x->head,
	};

	(void)sched_response_fields(x->w->svc, &sr, x->rsi, x->setcookie,
	    sizeof(x->setcookie));
}

void
exchange_close_server(struct exchange *x)
{
	x->shaking = false;
	if (x->sx.fd == -1)
		return;
	conn_xclose(x->w, &x->sx);
	xprt_plain_init(&x->sx, -1);
	x->slowat = 0;
}


/*
 * send_proxy: the PROXY header goes first on a new connection.  It is one
 * small write to a fresh socket: it completes at once (a timeout of 0),
 * or the connect counts as failed.
 */
static bool
send_proxy(struct exchange *x)
{
	const struct realserver *rs;

	if (x->reused || x->rsi < 0)
		return true;
	rs = &x->w->svc->rs[x->rsi];
	return proxy_send(x->sx.fd, rs->send_proxy,
	    (const struct sockaddr *)&x->c.client, x->c.x.fd, 0) == 0;
}

/* the connection is made (or kept): a TLS server's handshake (after
   the PROXY header, which is for the TCP connection), then the head */
static enum step
connected(struct exchange *x)
{
	int one = 1;

	timer_del(&x->w->timers, &x->tm);
	if (!send_proxy(x))
		return exchange_connect_failed(x, errno != 0 ? errno : EIO);
	if (x->reused)
		return exchange_connected(x);
	(void)setsockopt(x->sx.fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one));
	if (x->rsi >= 0 && x->w->svc->rs[x->rsi].tls != NULL)
		return exchange_tls_connect(x);
	return exchange_connected(x);
}

/* ... made, and for TLS shaken hands on */
enum step
exchange_connected(struct exchange *x)
{
	timer_del(&x->w->timers, &x->tm);
	if (!x->reused && x->rsi >= 0)
		note_connect_success(x, &x->w->svc->rs[x->rsi]);
	x->t_conn = x->reused ? 0 : util_now_us() - x->t_conn;
	set_cookie(x);
	return exchange_start_relay(x);
}

/* start connecting to sa; STEP_WAIT while it is in progress */
static enum step
connect_to(struct exchange *x, const struct sockaddr *sa, socklen_t len,
    int *err)
{
	bool inprogress;
	int fd;

	*err = 0;
	exchange_xstate(x, XS_CONNECTING);
	if ((fd = relay_connect_start(sa, len, &inprogress)) == -1) {
		*err = errno;
		return STEP_AGAIN;
	}
	if (worker_fd_watch(x->w, fd, FD_SERVER, x->idx) == -1) {
		*err = errno;
		close(fd);
		return STEP_AGAIN;
	}
	xprt_plain_init(&x->sx, fd);
	x->reused = false;
	if (!inprogress)
		return STEP_AGAIN;
	x->phase = XP_CONNECT;
	x->sev = 0;
	timer_set(&x->w->timers, &x->tm, x->w->now +
	    (int64_t)x->w->svc->connect_timeout * 1000, exchange_on_timer);
	return STEP_WAIT;
}


/* the sorry server (redirect), once, when no real server could take it */
static enum step
connect_sorry(struct exchange *x)
{
	const struct service *svc = x->w->svc;
	int err;

	if (!svc->has_redirect || x->sorry_tried)
		return exchange_finish(x, x->timedout ? 504 : x->nosrv);
	x->sorry_tried = x->sorry = true;
	if (connect_to(x, (const struct sockaddr *)&svc->redirect,
	    svc->redirectlen, &err) == STEP_WAIT)
		return STEP_WAIT;
	return err != 0 ? exchange_connect_failed(x, err) : connected(x);
}

/*
 * Schedule and get a connection: a kept one (unless x->fresh), else a new
 * one; after a failed connect another server the scheduler picks, at most
 * retries more and never the same one twice; then the sorry server; then
 * 503 (504 when the last try timed out).
 */
enum step
exchange_connect_next(struct exchange *x)
{
	const struct service *svc = x->w->svc;
	const struct realserver *rs;
	int i, err;

	while (x->tries <= svc->retries && x->tries < svc->nrs) {
		exchange_xstate(x, XS_SCHEDULING);
		if ((i = choose_server(x)) < 0)
			break;
		x->tries++;
		rs = &svc->rs[i];
		hold_server(x, i);
		/* a kept connection carries another client's PROXY header */
		if (!x->fresh && rs->send_proxy == PROXY_SEND_NONE &&
		    upstream_take(x->w, i, &x->sx)) {
			worker_fd_own(x->w, x->sx.fd, FD_SERVER, x->idx);
			x->reused = true;
			return connected(x);
		}
		if (connect_to(x, (const struct sockaddr *)&rs->addr,
		    rs->addrlen, &err) == STEP_WAIT)
			return STEP_WAIT;
		if (err == 0)
			return connected(x);
		if (util_local_shortage(err))
			note_local_failure(x, rs, err);
		else
			note_connect_failure(x, rs, err);
		exchange_release_server(x);
		x->exclude |= (uint64_t)1 << i;
		x->rsi = -1;
		x->timedout = false;
		if (worker_stop_now())
			return exchange_finish(x, 503);
	}
	return connect_sorry(x);
}

/* the connect in progress failed (err), or timed out (ETIMEDOUT) */
enum step
exchange_connect_failed(struct exchange *x, int err)
{
	timer_del(&x->w->timers, &x->tm);
	exchange_close_server(x);
	x->timedout = err == ETIMEDOUT;
	if (x->sorry) {
		errno = err;
		log_warn("sorry server %s: connect", x->w->svc->redirect_name);
		x->sorry = false;
		return exchange_finish(x, x->timedout ? 504 : 503);
	}
	note_connect_failure(x, &x->w->svc->rs[x->rsi], err);
	exchange_release_server(x);
	x->exclude |= (uint64_t)1 << x->rsi;
	x->rsi = -1;
	return exchange_connect_next(x);
}

enum step
exchange_step_connect(struct exchange *x)
{
	int err;

	if (x->shaking)
		return exchange_tls_step(x);
	if ((x->sev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
		return STEP_WAIT;
	x->sev = 0;
	if ((err = relay_connect_result(x->sx.fd)) != 0)
		return exchange_connect_failed(x, err);
	return connected(x);
}

