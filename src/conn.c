/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Client connections of a worker outside exchanges (conn.h): accept,
 * park, queue, hand off, close at the deadline.  Parked connections live
 * in places made CONN_CHUNK at a time and never moved (their timers are
 * in the worker's heap), up to WORKER_PARK_MAX within the open-files
 * limit; free places are a stack.  A parked connection whose request
 * comes while every exchange place is taken waits in a queue, oldest
 * first; the worker serves it as soon as a place frees, or, when it stays
 * full for CONN_HANDOFF_MS while another worker is idle, hands queued
 * connections to the service's idle workers through the handoff socket
 * (SCM_RIGHTS), where one worker with room takes each (EPOLLEXCLUSIVE), as
 * it would accept a connection.  A full worker must not take a wake-up
 * meant for a worker with room: it waits on the listening sockets only
 * when no other worker of its service would take the connection
 * (worker.c, conn_want_accept).
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "conn.h"
#include "exchange.h"
#include "log.h"
#include "proxy_conn.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define CONN_CHUNK		256	/* places made at a time */
#define CONN_PARK_MIN		64	/* places at least */
#define CONN_PARK_MAX		(1 << 20)	/* places at most (as many as
					   the worker's descriptors) */
#define CONN_ACCEPT_BATCH	16	/* connections taken a round */
#define CONN_HANDOFF_MS		20	/* full this long: hand off */
#define CONN_GRACE_IDLE_MS	1000	/* finishing: how long a kept idle
					   connection may still send its next
					   request (answered with close) */
#define CONN_NONE		UINT32_MAX

static struct parked *
place(const struct worker *w, uint32_t i)
{
	return &w->conns.chunk[i / CONN_CHUNK][i % CONN_CHUNK];
}

static uint32_t
place_index(const struct worker *w, const struct parked *pk)
{
	const struct conns *cs = &w->conns;

	for (unsigned k = 0; k < cs->nchunk; k++)
		if (pk >= cs->chunk[k] && pk < cs->chunk[k] + CONN_CHUNK)
			return k * CONN_CHUNK + (uint32_t)(pk - cs->chunk[k]);
	return CONN_NONE;
}

/*
 * As many places as the open-files limit allows (4096 a worker made a
 * pool of two close idle connections past 8,192), leaving the worker
 * descriptors for its listening sockets, its exchanges (client and
 * server; pipes are made only when a body is spliced, else it is copied)
 * and its kept server connections.
 */
static void
park_limit(struct worker *w)
{
	struct rlimit rl;
	rlim_t spare = 64 + (rlim_t)w->up.n + w->nlisteners + 2 * w->nx;

	w->conns.max = CONN_PARK_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)CONN_PARK_MAX + spare)
		w->conns.max = rl.rlim_cur > spare + CONN_PARK_MIN ?
		    (unsigned)(rl.rlim_cur - spare) : CONN_PARK_MIN;
}

/* CONN_CHUNK more places; false at the limit */
static bool
grow(struct worker *w)
{
	struct conns *cs = &w->conns;
	struct parked *p;

	if (cs->cap >= cs->max)
		return false;
	p = xcalloc(CONN_CHUNK, sizeof(*p));
	cs->chunk[cs->nchunk++] = p;
	/* the stack pops the lowest new place first */
	for (unsigned i = CONN_CHUNK; i-- > 0; ) {
		p[i].fd = -1;
		p[i].w = w;
		if (cs->cap + i < cs->max)
			cs->free[cs->nfree++] = cs->cap + i;
	}
	cs->cap += CONN_CHUNK;
	return true;
}

/* the listening sockets in or out of w->epl, w->epls and w->eplc, the
   handoff socket and the pipe of death of w->epl and w->eph (a full
   worker can take neither); each registered in the set waited on, not
   nested, for EPOLLEXCLUSIVE counts only a waiter on the set itself */
static void
listen_ctl(struct worker *w, bool on)
{
	const int sets[] = { w->epl, w->epls, w->eplc };
	struct epoll_event ev;
	int op = on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL;

	if (w->conns.listening == on)
		return;
	w->conns.listening = on;
	for (unsigned i = 0; i < w->nlisteners; i++)
		for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | EPOLLEXCLUSIVE;
			ev.data.u64 = WORKER_TAG_LISTEN | i;
			if (epoll_ctl(sets[k], op, w->listeners[i].fd,
			    &ev) == -1 && on)
				fatal("epoll_ctl listen %s",
				    w->listeners[i].name);
		}
	for (size_t k = 0; k < 2; k++) {
		int set = k == 0 ? w->epl : w->eph;

		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = WORKER_TAG_HANDOFF;
		if (epoll_ctl(set, op, w->a->handoff[1], &ev) == -1 && on)
			fatal("epoll_ctl handoff socket");
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = WORKER_TAG_POD;
		if (epoll_ctl(set, op, w->a->pod, &ev) == -1 && on)
			fatal("epoll_ctl pipe of death");
	}
}

void
conn_init(struct worker *w)
{
	struct conns *cs = &w->conns;

	park_limit(w);
	cs->chunk = xcalloc(cs->max / CONN_CHUNK + 1, sizeof(*cs->chunk));
	cs->free = xcalloc(cs->max + CONN_CHUNK, sizeof(*cs->free));
	cs->qhead = cs->qtail = CONN_NONE;
	(void)grow(w);
	listen_ctl(w, true);
}

unsigned
conn_parked(const struct worker *w)
{
	return w->conns.nparked;
}

static void
account(struct worker *w, struct conn *c)
{
	atomic_fetch_add_explicit(&w->ws->bytes_in, c->in,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ws->bytes_out, c->out,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->bytes_in, c->in,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->bytes_out, c->out,
	    memory_order_relaxed);
	c->in = c->out = 0;
}

void
conn_xclose(struct worker *w, struct xconn *x)
{
	if (x->fd < 0)
		return;
	worker_fd_own(w, x->fd, FD_NONE, 0);
	x->ops->close(x);
}

void
conn_close(struct worker *w, struct conn *c)
{
	conn_xclose(w, &c->x);
	account(w, c);
	w->served++;
}

/* take pk out of the queue, if it is in it */
static void
dequeue(struct worker *w, struct parked *pk, uint32_t i)
{
	struct conns *cs = &w->conns;
	uint32_t *pp = &cs->qhead, prev = CONN_NONE;

	if (!pk->queued)
		return;
	while (*pp != CONN_NONE && *pp != i) {
		prev = *pp;
		pp = &place(w, *pp)->next;
	}
	if (*pp == i)
		*pp = pk->next;
	if (cs->qtail == i)
		cs->qtail = prev;
	pk->queued = false;
}

/* the place is free again; its connection is the caller's */
static void
unpark(struct worker *w, struct parked *pk, uint32_t i)
{
	dequeue(w, pk, i);
	timer_del(&w->timers, &pk->tm);
	pk->fd = -1;
	w->conns.free[w->conns.nfree++] = i;
	w->conns.nparked--;
	atomic_store_explicit(&w->ws->parked, w->conns.nparked,
	    memory_order_relaxed);
}

static void
conn_of(struct conn *c, int fd, const struct handoff_msg *m)
{
	memset(c, 0, sizeof(*c));
	xprt_plain_init(&c->x, fd);
	c->nreq = m->nreq;
	c->idle_until = m->deadline;
	c->proxy = m->proxy;
	memcpy(&c->client, &m->client, sizeof(c->client));
	util_addr_host((const struct sockaddr *)&c->client, c->clientstr,
	    sizeof(c->clientstr));
}

/* the parked connection closes, its place free */
static void
drop(struct worker *w, struct parked *pk)
{
	struct xconn x = pk->x;

	unpark(w, pk, place_index(w, pk));
	conn_xclose(w, &x);
	w->served++;
}

static void	wake(struct worker *, struct parked *, uint32_t);

/*
 * Its keepalive_timeout (or request_timeout, queued) ran out.  But a
 * request may have come in time while the worker, full, slept on its
 * servers alone (worker.c): the event that says so is not taken yet.
 * Served or queued then, not closed for idling.
 */
static void
on_deadline(struct timer *t)
{
	struct parked *pk = (struct parked *)(void *)((char *)t -
	    offsetof(struct parked, tm));
	char b;

	if (!pk->queued && recv(pk->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1) {
		wake(pk->w, pk, place_index(pk->w, pk));
		return;
	}
	drop(pk->w, pk);
}

static void
handoff_due(struct timer *);

bool
conn_park(struct worker *w, struct conn *c, int64_t deadline)
{
	struct conns *cs = &w->conns;
	struct parked *pk;
	uint32_t i;

	if (cs->nfree == 0 && !grow(w)) {
		/* full: the one nearest its deadline goes (an idle
		   connection may be closed at any time, RFC 9112 9.5) */
		pk = NULL;
		for (uint32_t k = 0; k < cs->cap; k++)
			if (place(w, k)->fd != -1 && (pk == NULL ||
			    place(w, k)->m.deadline < pk->m.deadline))
				pk = place(w, k);
		if (pk == NULL) {
			conn_close(w, c);
			return false;
		}
		drop(w, pk);
	}
	/* finishing: a last short while for its next request */
	if (w->finishing && deadline > w->now + CONN_GRACE_IDLE_MS)
		deadline = w->now + CONN_GRACE_IDLE_MS;
	i = cs->free[--cs->nfree];
	pk = place(w, i);
	pk->fd = c->x.fd;
	pk->x = c->x;
	pk->tls = c->tls;
	pk->queued = false;
	pk->m.nreq = c->nreq;
	pk->m.deadline = deadline;
	pk->m.proxy = c->proxy;
	memcpy(&pk->m.client, &c->client, sizeof(pk->m.client));
	cs->nparked++;
	atomic_store_explicit(&w->ws->parked, cs->nparked,
	    memory_order_relaxed);
	worker_fd_own(w, c->x.fd, FD_PARKED, i);
	timer_set(&w->timers, &pk->tm, deadline, on_deadline);
	account(w, c);
	if (!exchange_room(w) && !timer_armed(&cs->handoff) &&
	    w->svc->maxclients > 1 && !w->finishing)
		timer_set(&w->timers, &cs->handoff, w->now + CONN_HANDOFF_MS,
		    handoff_due);
	return true;
}

/* pk's request came: serve it, or queue it while every place is taken */
static void
wake(struct worker *w, struct parked *pk, uint32_t i)
{
	struct conns *cs = &w->conns;
	struct conn c;

	/* a place goes to the oldest waiting request: one that became
	   ready in this round waits behind those queued before it */
	if (exchange_room(w) && (cs->qhead == CONN_NONE || cs->qhead == i)) {
		conn_of(&c, pk->fd, &pk->m);
		c.x = pk->x;
		c.tls = pk->tls;
		unpark(w, pk, i);
		(void)exchange_start(w, &c);
		return;
	}
	if (pk->queued)
		return;
	pk->queued = true;
	pk->next = CONN_NONE;
	if (cs->qtail != CONN_NONE)
		place(w, cs->qtail)->next = i;
	else
		cs->qhead = i;
	cs->qtail = i;
	/* it came in time: it is served, not closed for idling */
	timer_set(&w->timers, &pk->tm, w->now +
	    (int64_t)w->svc->request_timeout * 1000, on_deadline);
}

void
conn_parked_event(struct worker *w, uint32_t i, uint32_t events)
{
	struct parked *pk;

	if (i >= w->conns.cap || (pk = place(w, i))->fd == -1 ||
	    (events & ~(uint32_t)EPOLLOUT) == 0)
		return;
	wake(w, pk, i);
}

void
conn_run_queue(struct worker *w)
{
	struct conns *cs = &w->conns;

	while (cs->qhead != CONN_NONE && exchange_room(w))
		wake(w, place(w, cs->qhead), cs->qhead);
}

/* put one parked connection into the handoff socket; false if full */
static bool
send_parked(struct worker *w, struct parked *pk)
{
	return util_send_fd(w->a->handoff[0], &pk->m, sizeof(pk->m), pk->fd,
	    MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(pk->m);
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
 * Parked connection i into the handoff socket: 1 handed off, 0 not (TLS:
 * its state cannot cross the socket; it waits for a place here), -1 the
 * socket is full.
 */
static int
hand_off(struct worker *w, uint32_t i)
{
	struct parked *pk = place(w, i);
	int fd = pk->fd;

	if (fd == -1 || pk->tls)
		return 0;
	/* the descriptor in the socket keeps the registration alive:
	   take it out of the epoll set first */
	(void)epoll_ctl(w->epc, EPOLL_CTL_DEL, fd, NULL);
	if (!send_parked(w, pk)) {
		(void)worker_fd_watch(w, fd, FD_PARKED, i);
		return -1;
	}
	unpark(w, pk, i);
	worker_fd_close(w, fd);
	return 1;
}

/*
 * Full for CONN_HANDOFF_MS while another worker of the service is at most
 * half busy (idle, at maxinflight = 1): the connections whose request
 * waits here go to the others, oldest first, up to half the free places
 * of those, so that a request does not wait for a place here, however
 * slow the exchanges holding them (those the socket has no room for stay;
 * TLS connections, whose state cannot cross it, too).  The worker may have slept on
 * its servers alone (worker.c): it takes its client connections' events
 * first, which queues the requests that came meanwhile.  Still full with
 * parked connections, it looks again CONN_HANDOFF_MS later.
 *
 * Not to a full worker: a request handed off to one would lose its place
 * in this queue to wait in the socket, and full workers passed their
 * connections back and forth (at 1,024 connections over 2 workers each
 * handed the other some 500 every 20 ms, leaving them 295 and 707
 * apart).  Nor to a busy one with a free place: between two exchanges a
 * loaded worker has one for a moment, with requests it has not seen yet,
 * and drew the others' queues (745 of 1,024 connections in one of 8
 * workers at maxinflight = 1).  Nor do idle connections move: every one
 * went to an idle worker before, and a spare worker the master forked
 * under load took all of a busy worker's 500.
 */
static void
handoff_due(struct timer *t)
{
	struct worker *w = (struct worker *)(void *)((char *)t -
	    offsetof(struct worker, conns.handoff));
	struct conns *cs = &w->conns;
	unsigned moved = 0, room;
	uint32_t i, next;
	int rc;

	if (exchange_room(w) || w->finishing || worker_should_finish(w))
		return;		/* it will take its own back when finishing */
	/* the generation's workers at most half busy: its own take from
	   its socket */
	room = sb_spare(w->sb, w->svc->sb_index,
	    atomic_load(&w->ws->generation), w->ws, w->nx);
	if (room > 0) {
		worker_take_client_events(w);
		if (exchange_room(w))
			return;		/* conn_run_queue() serves them */
	}
	for (i = cs->qhead; i != CONN_NONE && moved < room; i = next) {
		next = place(w, i)->next;
		if ((rc = hand_off(w, i)) == -1)
			break;
		moved += (unsigned)rc;
	}
	if (cs->nparked > 0)
		timer_set(&w->timers, &cs->handoff, w->now + CONN_HANDOFF_MS,
		    handoff_due);
	if (moved > 0)
		log_debug("full for %d ms or more: %u waiting requests handed "
		    "to the other workers", CONN_HANDOFF_MS, moved);
}

/* a connection from the handoff socket; false if there is none */
static bool
recv_handoff(struct worker *w, struct conn *c)
{
	struct handoff_msg m;
	ssize_t n;
	int fd;

	/* MSG_TRUNC: the length of the message, were it longer */
	n = util_recv_fd(w->a->handoff[1], &m, sizeof(m), &fd,
	    MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1)
		return false;	/* another worker was quicker */
	if (fd == -1 || n != (ssize_t)sizeof(m)) {
		if (fd != -1)
			close(fd);
		log_warnx("handoff socket: a message of %zd bytes without "
		    "a connection, expected %zu bytes and one descriptor",
		    n, sizeof(m));
		return false;
	}
	conn_of(c, fd, &m);
	if (worker_fd_watch(w, fd, FD_CLIENT, 0) == -1) {
		close(fd);
		return false;
	}
	return true;
}

void
conn_take_handoff(struct worker *w)
{
	struct conn c;

	if (!exchange_room(w) || !recv_handoff(w, &c))
		return;
	(void)exchange_start(w, &c);
}

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
	if (i >= w->nlisteners)
		return;
	for (unsigned n = 0; n < CONN_ACCEPT_BATCH &&
	    (exchange_room(w) || park_room(w)) && !worker_stop_now() &&
	    !worker_should_finish(w); n++) {
		if (n > 0 && ((n == 1 && others_idle(w)) || over_share(w)))
			break;
		if (!accept_one(w, &w->listeners[i]))
			break;
	}
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
	if (left < 0)
		return timeout;		/* waiting on the listeners already */
	return timeout < 0 || timeout > left ? (int)left : timeout;
}

void
conn_set_full(struct worker *w, bool full)
{
	struct conns *cs = &w->conns;

	if (!full)
		timer_del(&w->timers, &cs->handoff);
	else if (cs->nparked > 0 && w->svc->maxclients > 1 && !w->finishing)
		timer_set(&w->timers, &cs->handoff, w->now + CONN_HANDOFF_MS,
		    handoff_due);
}

/*
 * Finishing: no more accepts (the listening sockets may already be the
 * next generation's), and each parked connection gets a last short while
 * to send its next request, which is answered with "Connection: close".
 * Closing them at once would race with a request on its way: the client
 * would get a reset instead of an answer.  What other workers handed off
 * and no one took yet is parked here: a worker hands off only before it
 * finishes, so the last to finish takes the last of it.
 */
void
conn_begin_finish(struct worker *w)
{
	struct conns *cs = &w->conns;
	int64_t last = w->now + CONN_GRACE_IDLE_MS;
	struct parked *pk;
	struct conn c;

	listen_ctl(w, false);
	timer_del(&w->timers, &cs->handoff);
	w->finishing = true;
	for (unsigned n = 0; n < cs->max; n++) {
		if (!recv_handoff(w, &c))
			break;
		(void)conn_park(w, &c, c.idle_until);
	}
	for (uint32_t i = 0; i < cs->cap; i++) {
		pk = place(w, i);
		if (pk->fd != -1 && !pk->queued && pk->m.deadline > last) {
			pk->m.deadline = last;
			timer_set(&w->timers, &pk->tm, last, on_deadline);
		}
	}
}

void
conn_close_all(struct worker *w)
{
	struct conns *cs = &w->conns;
	struct parked *pk;
	struct xconn x;

	for (uint32_t i = 0; i < cs->cap && cs->nparked > 0; i++) {
		pk = place(w, i);
		if (pk->fd == -1)
			continue;
		x = pk->x;
		unpark(w, pk, i);
		conn_xclose(w, &x);
		w->served++;
	}
}
