/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Accepting client connections (conn.h), and which worker of a service
 * accepts: a batch at a time into exchanges, else parked (conn.c), up to
 * the worker's share of the service's connections.  A full worker must
 * not take a wake-up meant for a worker with room: it waits on the
 * listening sockets only when no other worker of its service would take
 * the connection (worker.c, conn_want_accept).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "conn_priv.h"
#include "exchange.h"
#include "log.h"
#include "proxy_conn.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define CONN_ACCEPT_BATCH	16	/* connections taken a round */

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr,
		    sizeof(struct in6_addr)) == 0;
	return false;
}

/*
 * maxconnperip: exchanges of this service's workers in flight for the
 * same address, read from the scoreboard (racy by a connection or two,
 * never by more).
 */
bool
conn_over_limit(const struct worker *w, const struct conn *c)
{
	const struct sb_exchange *xs;
	unsigned n = 0, nw = w->sb->hdr->nworkers, nx = w->sb->hdr->inflight;

	if (w->svc->maxconnperip == 0)
		return false;
	for (unsigned i = 0; i < nw; i++) {
		if (atomic_load_explicit(&sb_worker(w->sb, i)->service,
		    memory_order_relaxed) != w->svc->sb_index)
			continue;
		for (unsigned k = 0; k < nx; k++) {
			xs = sb_exchange(w->sb, i, k);
			if (atomic_load_explicit(&xs->state,
			    memory_order_relaxed) != XS_FREE &&
			    same_host(&xs->client, &c->client) &&
			    ++n >= w->svc->maxconnperip)
				return true;
		}
	}
	return false;
}

static void
tune_socket(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/*
 * A connection from a TLS listener gets the service's TLS transport; its
 * handshake is the exchange's first step.  false: closed.
 */
static bool
start_tls(struct worker *w, struct conn *c, const struct tls_service *ts)
{
	int fd = c->x.fd;

	if (xprt_tls_accept(&c->x, ts, fd) == -1) {
		log_warn("virtual %s: client %s: TLS", w->svc->ident,
		    c->clientstr);
		close(fd);
		return false;
	}
	c->tls = c->handshake = true;
	return true;
}

/* false when there was none to take (or no descriptor for it) */
static bool
accept_one(struct worker *w, const struct worker_listener *l)
{
	struct conn c;
	socklen_t len = sizeof(c.client);
	int lfd = l->fd;

	memset(&c, 0, sizeof(c));
	c.lname = l->name;
	xprt_plain_init(&c.x, accept4(lfd, (struct sockaddr *)&c.client,
	    &len, SOCK_NONBLOCK | SOCK_CLOEXEC));
	if (c.x.fd == -1) {
		int e = errno;

		if (e != EAGAIN && e != EINTR && e != ECONNABORTED)
			log_warn("virtual %s: accept", w->svc->ident);
		return e == ECONNABORTED || e == EINTR;
	}
	/* accept_proxy: the address the header carries is the client's;
	   the exchange reads it with the head (exchange.c), and counts the
	   client against maxconnperip then */
	if (w->svc->accept_proxy && !proxy_trusted(w->svc, &c.client)) {
		close(c.x.fd);
		return true;
	}
	c.proxy = w->svc->accept_proxy;
	util_addr_host((const struct sockaddr *)&c.client, c.clientstr,
	    sizeof(c.clientstr));
	if (l->tls != NULL && !start_tls(w, &c, l->tls))
		return true;
	atomic_fetch_add_explicit(&w->ws->conns, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->conns, 1, memory_order_relaxed);
	if (!c.proxy && conn_over_limit(w, &c)) {
		log_debug("client %s: over maxconnperip (%u)", c.clientstr,
		    w->svc->maxconnperip);
		c.refuse = true;	/* the exchange says 503 */
	}
	if (worker_fd_watch(w, c.x.fd, FD_CLIENT, 0) == -1) {
		c.x.ops->close(&c.x);
		return true;
	}
	tune_socket(c.x.fd);
	/* nothing to read yet (defer_accept timed out, or a syncookie):
	   parked until request_timeout; a deferred connection has waited
	   CONF_DEFER_ACCEPT_SECS in the kernel already */
	c.idle_until = w->now + ((int64_t)w->svc->request_timeout -
	    (w->svc->defer_accept ? CONF_DEFER_ACCEPT_SECS : 0)) * 1000;
	if (exchange_start(w, &c))
		return true;
	/* every exchange place is taken: it waits parked, and its request
	   queues behind those of the kept connections that came first
	   (or goes to an idle worker with them, by handoff) */
	if (c.refuse)
		conn_close(w, &c);	/* no place to say 503 from */
	else
		(void)conn_park(w, &c, c.idle_until);
	return true;
}

/* a place to park one more connection without closing another */
static bool
park_room(const struct worker *w)
{
	return w->conns.nfree > 0 || w->conns.cap < w->conns.max;
}

static bool	others_idle(const struct worker *);
static bool	over_share(struct worker *);
static unsigned	least_held(struct worker *);

/*
 * Up to CONN_ACCEPT_BATCH waiting connections a round, into exchanges
 * while a place is free, else parked.  epoll reports the listening socket
 * once a round, beside up to WORKER_MAX_EVENTS others: taking one a
 * round, or none while every place is taken by kept connections that
 * always have a next request, a burst of new connections would wait in
 * the listen queue for dozens of rounds (t_accept).  But one a round
 * while another worker idles, and none past the worker's share
 * (over_share): each connection of a burst woke a worker asleep on the
 * listeners (EPOLLEXCLUSIVE), and a batch would take them from under
 * those, leaving one worker with a burst's kept connections to serve in
 * turn (15 of 16 at maxinflight = 1) while the others idle.
 */
void
conn_accept(struct worker *w, unsigned i)
{
	unsigned n, least;

	if (i >= w->nlisteners)
		return;
	for (n = 0; n < CONN_ACCEPT_BATCH &&
	    (exchange_room(w) || park_room(w)) && !worker_stop_now() &&
	    !worker_should_finish(w); n++) {
		if (n > 0 && ((n == 1 && others_idle(w)) || over_share(w)))
			break;
		if (!accept_one(w, &w->listeners[i]))
			break;
	}
	/* ahead of another worker by more than one while one idles: the
	   others are woken first for the next connection (conn_requeue;
	   under load, the busy ones not waiting, that happens anyway) */
	if (n > 0 && (least = least_held(w)) != UINT_MAX &&
	    w->inflight + w->conns.nparked > least + 1 && others_idle(w))
		conn_requeue(w);
}

/* the fewest connections another worker of its service and generation
   holds (sb_census), read once a millisecond at most */
static unsigned
least_held(struct worker *w)
{
	struct conns *cs = &w->conns;

	if (cs->census_ms != w->now) {
		cs->census_ms = w->now;
		cs->least = sb_census(w->sb, w->svc->sb_index,
		    atomic_load(&w->ws->generation), w->ws, w->nx).least;
	}
	return cs->least;
}

/*
 * A worker holding this many connections or more is over its share
 * (over_share), as near as this worker can tell: the least loaded
 * worker's count, or this one's if lower, plus maxinflight.
 */
static unsigned
share_limit(struct worker *w)
{
	unsigned least = least_held(w), held = w->inflight + w->conns.nparked;

	if (held < least)
		least = held;
	return least == UINT_MAX ? UINT_MAX : least + w->nx;
}

/*
 * Another worker of the service has a free exchange place and is within
 * its share (over_share), so would take a new connection (racy by a
 * connection: the scoreboard is read without a lock).  One over its share
 * does not count: with it, the least loaded worker, full, left new
 * connections to one that would not take them either, until that one's
 * CONN_HANDOFF_MS ran out and it took them all (1,024 connections over 8
 * workers at maxinflight = 1: 5 - 24 in some, 229 - 429 in others).
 */
static bool
others_have_room(struct worker *w)
{
	return sb_room(w->sb, w->svc->sb_index, w->ws, w->nx,
	    share_limit(w)) > 0;
}

/* another worker of the service has no exchange (as racy) */
static bool
others_idle(const struct worker *w)
{
	return sb_census(w->sb, w->svc->sb_index, 0, w->ws, w->nx).idle > 0;
}

/*
 * Holding maxinflight connections (in flight and parked) more than
 * another worker of its service and generation, a worker leaves new ones
 * to that one, which takes them as soon as it has a free place: else a
 * burst's connections pile up in the first worker to wake (32 of 64 in
 * one at maxinflight = 1), to be served in turn while the others idle.
 * The scoreboard is read once a millisecond at most.
 */
static bool
over_share(struct worker *w)
{
	struct conns *cs = &w->conns;
	unsigned held = w->inflight + cs->nparked, least;

	if (held < w->nx) {
		cs->over_since = 0;
		return false;
	}
	least = least_held(w);
	if (least == UINT_MAX || held < least + w->nx) {
		cs->over_since = 0;
		return false;
	}
	if (cs->over_since == 0)
		cs->over_since = w->now;
	return true;
}

/*
 * With a free place, up to its share (over_share).  Full, a new
 * connection's wake-up (EPOLLEXCLUSIVE) should go to a worker with room,
 * so a full worker leaves its listeners alone while another has room;
 * when none has, it accepts, up to its share, and the connection is
 * parked and its request queued in turn: when every worker stays full (or
 * there is one), connections kept busy by their clients would take every
 * freed place, and a new one would wait in the listen queue for as long
 * as the load lasts (t_accept).  Should another worker get room first,
 * the request goes there by handoff.  (It waited CONN_HANDOFF_MS full
 * before: 1,024 connections opened at once over 8 workers at maxinflight
 * = 1 then piled up in a few, p90 140 - 180 ms and p99 400 ms against 65
 * - 75 and 150 - 200 without the wait.)
 */
bool
conn_want_accept(struct worker *w)
{
	w->conns.declined = false;
	if (w->finishing)
		return false;
	if (!exchange_room(w) && park_room(w) && others_have_room(w)) {
		w->conns.declined = true;	/* until they fill */
		return false;
	}
	if (!exchange_room(w) && !park_room(w))
		return false;
	if (!over_share(w))
		return true;
	/*
	 * Over it for CONN_HANDOFF_MS: the worker it leaves new connections
	 * to may not be taking them (stopped, say).  One that waits, if one
	 * does, without waiting on the listeners, and again CONN_HANDOFF_MS
	 * later.  (Waiting on them past that time, a worker took the
	 * connections meant for the one within its share: all five of
	 * t_handoff's, and under ASan 834 of t_spread's 1,024.)
	 */
	if (w->now - w->conns.over_since >= CONN_HANDOFF_MS) {
		w->conns.over_since = w->now;
		for (unsigned i = 0; i < w->nlisteners; i++)
			(void)accept_one(w, &w->listeners[i]);
	}
	return false;
}

int
conn_wait_ms(const struct worker *w, int timeout)
{
	int64_t since, left;

	/* full, left new connections to others with room: look again */
	if (w->conns.declined && (timeout < 0 || timeout > CONN_HANDOFF_MS))
		timeout = CONN_HANDOFF_MS;
	since = w->conns.over_since;
	if (since == 0 || w->finishing)
		return timeout;
	left = since + CONN_HANDOFF_MS - w->now;
	/* run out: conn_want_accept has started it again, and the worker
	   waits on the listeners already, or it is full and does not (a
	   0 ms wait then, until the clock moved on, polled without sleeping
	   for a millisecond in every CONN_HANDOFF_MS) */
	if (left <= 0)
		return timeout;
	return timeout < 0 || timeout > left ? (int)left : timeout;
}
