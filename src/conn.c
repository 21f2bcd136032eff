/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Client connections of a worker outside exchanges (conn.h): park, queue,
 * close at the deadline.  Parked connections live in places made
 * CONN_CHUNK at a time and never moved (their timers are in the worker's
 * heap), as many as the open-files limit allows; free places are a
 * stack.  Idle ones are listed oldest parked first: at the limit, the
 * oldest goes.  A parked connection whose request comes while every
 * exchange place is taken waits in a queue, oldest first; the worker
 * serves it as soon as a place frees, or hands it to an idle worker
 * (conn_handoff.c).  Accepting, and which worker accepts, is
 * conn_accept.c's.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <stddef.h>
#include <string.h>

#include "conf-t.h"
#include "conn_priv.h"
#include "exchange.h"
#include "log.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define CONN_PARK_MIN		64	/* places at least */
#define CONN_GRACE_IDLE_MS	1000	/* finishing: how long a kept idle
					   connection may still send its next
					   request (answered with close) */

/*
 * As many places as the worker's descriptor table (its open-files limit,
 * worker.c) leaves after its listening sockets, its exchanges (client,
 * server and a pipe each way: six descriptors each) and its kept server
 * connections; CONN_PARK_MIN at least.  (At most 4096, a pool of two
 * closed idle connections past 8,192.)
 */
static void
park_limit(struct worker *w)
{
	unsigned spare = 64 + (unsigned)w->up.n + w->nlisteners + 6 * w->nx;

	w->conns.max = w->nfd > spare + CONN_PARK_MIN ? w->nfd - spare :
	    CONN_PARK_MIN;
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
		p[i].index = cs->cap + i;
		if (cs->cap + i < cs->max)
			cs->free[cs->nfree++] = cs->cap + i;
	}
	cs->cap += CONN_CHUNK;
	return true;
}

/* the listening sockets in or out (op) of w->epl, w->epls and w->eplc */
static void
listeners_ctl(struct worker *w, int op)
{
	const int sets[] = { w->epl, w->epls, w->eplc };
	struct epoll_event ev;

	for (unsigned i = 0; i < w->nlisteners; i++)
		for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN | EPOLLEXCLUSIVE;
			ev.data.u64 = WORKER_TAG_LISTEN | i;
			if (epoll_ctl(sets[k], op, w->listeners[i].fd,
			    &ev) == -1 && op == EPOLL_CTL_ADD)
				fatal("epoll_ctl listen %s",
				    w->listeners[i].name);
		}
}

/* the listening sockets in or out of w->epl, w->epls and w->eplc, the
   handoff socket of w->epl and w->eph (a full worker cannot take what
   it brings); each registered in the set waited on, not nested, for
   EPOLLEXCLUSIVE counts only a waiter on the set itself */
static void
listen_ctl(struct worker *w, bool on)
{
	struct epoll_event ev;
	int op = on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL;

	if (w->conns.listening == on)
		return;
	w->conns.listening = on;
	listeners_ctl(w, op);
	for (size_t k = 0; k < 2; k++) {
		int set = k == 0 ? w->epl : w->eph;

		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = WORKER_TAG_HANDOFF;
		if (epoll_ctl(set, op, w->a->handoff[1], &ev) == -1 && on)
			fatal("epoll_ctl handoff socket");
	}
}

/*
 * This worker's listener registrations to the back of each listening
 * socket's wait queue.  EPOLLEXCLUSIVE wakes the first waiter in it, the
 * worker that registered first, whenever that one waits: of connections
 * arriving one after another, it took every one while the other workers
 * idled (t_spread_event: 16 of 16).  A burst is another matter: the
 * listener stays ready in the set of the worker that woke, which takes
 * one a round while another idles (conn_accept).
 */
void
conn_requeue(struct worker *w)
{
	if (!w->conns.listening)
		return;
	listeners_ctl(w, EPOLL_CTL_DEL);
	listeners_ctl(w, EPOLL_CTL_ADD);
}

void
conn_init(struct worker *w)
{
	struct conns *cs = &w->conns;

	park_limit(w);
	cs->chunk = xcalloc(cs->max / CONN_CHUNK + 1, sizeof(*cs->chunk));
	cs->free = xcalloc(cs->max + CONN_CHUNK, sizeof(*cs->free));
	cs->qhead = cs->qtail = CONN_NONE;
	cs->ihead = cs->itail = CONN_NONE;
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

/* pk, parked idle, at the end of the idle list */
static void
idle_add(struct worker *w, struct parked *pk, uint32_t i)
{
	struct conns *cs = &w->conns;

	pk->inext = CONN_NONE;
	pk->iprev = cs->itail;
	if (cs->itail != CONN_NONE)
		place(w, cs->itail)->inext = i;
	else
		cs->ihead = i;
	cs->itail = i;
}

/* pk out of the idle list: its request came, or it goes */
static void
idle_del(struct worker *w, struct parked *pk)
{
	struct conns *cs = &w->conns;

	if (pk->iprev != CONN_NONE)
		place(w, pk->iprev)->inext = pk->inext;
	else
		cs->ihead = pk->inext;
	if (pk->inext != CONN_NONE)
		place(w, pk->inext)->iprev = pk->iprev;
	else
		cs->itail = pk->iprev;
	pk->iprev = pk->inext = CONN_NONE;
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
	if (!pk->tls)
		atomic_store_explicit(&w->ws->queued, --cs->nqueued,
		    memory_order_relaxed);
}

/* the place is free again; its connection is the caller's */
void
conn_unpark(struct worker *w, struct parked *pk, uint32_t i)
{
	if (!pk->queued)
		idle_del(w, pk);
	dequeue(w, pk, i);
	timer_del(&w->timers, &pk->tm);
	pk->fd = -1;
	w->conns.free[w->conns.nfree++] = i;
	w->conns.nparked--;
	atomic_store_explicit(&w->ws->parked, w->conns.nparked,
	    memory_order_relaxed);
}

void
conn_of(struct conn *c, int fd, const struct handoff_msg *m)
{
	memset(c, 0, sizeof(*c));
	xprt_plain_init(&c->x, fd);
	c->nreq = m->nreq;
	c->idle_until = m->deadline;
	c->since = m->since;
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

	conn_unpark(w, pk, pk->index);
	conn_xclose(w, &x);
	w->served++;
}

static void	wake(struct worker *, struct parked *, uint32_t);
static void	start(struct worker *, struct parked *, uint32_t);

bool
conn_hello_sent(int fd, bool handshake, bool proxy)
{
	unsigned char h[5];	/* a TLS record's header */
	int n;

	if (!handshake || proxy ||
	    recv(fd, h, sizeof(h), MSG_PEEK | MSG_DONTWAIT) != (ssize_t)sizeof(h) ||
	    h[0] != 0x16 || ioctl(fd, FIONREAD, &n) == -1)
		return false;	/* 0x16: a handshake record */
	return n >= (int)sizeof(h) + (h[3] << 8 | h[4]);
}

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
	int64_t last;
	char b;

	if (!pk->queued && recv(pk->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1) {
		wake(pk->w, pk, pk->index);
		return;
	}
	/* queued, and a place freed in this round (a timer before this
	   one ended an exchange; the queue gets it only after the
	   timers): served, not closed unanswered, its head due at once
	   (exchange_begin_head) */
	if (pk->queued && exchange_room(pk->w)) {
		start(pk->w, pk, pk->index);
		return;
	}
	/* a TLS client that sent its whole hello waits on this side, not
	   stalls: it keeps its place in the queue for one request_timeout
	   more (exchange_begin_head gives it a whole one for the
	   handshake), while one that stalls mid-hello goes */
	last = pk->m.since + 2 * (int64_t)pk->w->svc->request_timeout * 1000;
	if (pk->queued && pk->w->now < last &&
	    conn_hello_sent(pk->fd, pk->handshake, pk->m.proxy)) {
		timer_set(&pk->w->timers, &pk->tm, last, on_deadline);
		return;
	}
	drop(pk->w, pk);
}

bool
conn_park(struct worker *w, struct conn *c, int64_t deadline)
{
	struct conns *cs = &w->conns;
	struct parked *pk;
	uint32_t i;

	if (cs->nfree == 0 && !grow(w)) {
		/* full: the idle one parked longest ago goes (an idle
		   connection may be closed at any time, RFC 9112 9.5), as
		   nginx reuses its oldest kept connection; never one whose
		   request came (queued) */
		if (cs->ihead == CONN_NONE) {
			conn_close(w, c);
			return false;
		}
		drop(w, place(w, cs->ihead));
	}
	/* finishing: a last short while for its next request */
	if (w->finishing && deadline > w->now + CONN_GRACE_IDLE_MS)
		deadline = w->now + CONN_GRACE_IDLE_MS;
	i = cs->free[--cs->nfree];
	pk = place(w, i);
	pk->fd = c->x.fd;
	pk->x = c->x;
	pk->tls = c->tls;
	pk->handshake = c->handshake;
	pk->lname = c->lname;
	pk->queued = false;
	idle_add(w, pk, i);
	pk->m.nreq = c->nreq;
	pk->m.deadline = deadline;
	pk->m.since = c->since;	/* handed off, taken back finishing */
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
		    conn_handoff_due);
	return true;
}

/* pk's exchange starts */
static void
start(struct worker *w, struct parked *pk, uint32_t i)
{
	struct conn c;

	conn_of(&c, pk->fd, &pk->m);
	c.x = pk->x;
	c.tls = pk->tls;
	c.handshake = pk->handshake;
	c.lname = pk->lname;
	conn_unpark(w, pk, i);
	(void)exchange_start(w, &c);
}

/* pk's request came: serve it, or queue it while every place is taken */
static void
wake(struct worker *w, struct parked *pk, uint32_t i)
{
	struct conns *cs = &w->conns;

	/* a place goes to the oldest waiting request: one that became
	   ready in this round waits behind those queued before it, and
	   those handed off by other workers (conn_run_queue) */
	if (exchange_room(w) && (cs->qhead == CONN_NONE || cs->qhead == i) &&
	    !conn_handed_waiting(w)) {
		start(w, pk, i);
		return;
	}
	if (pk->queued)
		return;
	idle_del(w, pk);
	pk->queued = true;
	if (pk->m.since == 0)
		pk->m.since = w->now;
	pk->next = CONN_NONE;
	if (cs->qtail != CONN_NONE)
		place(w, cs->qtail)->next = i;
	else
		cs->qhead = i;
	cs->qtail = i;
	/* what an idle worker could take by handoff (master.c's spare) */
	if (!pk->tls)
		atomic_store_explicit(&w->ws->queued, ++cs->nqueued,
		    memory_order_relaxed);
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

/*
 * Places freed since go to queued requests: this worker's own and those
 * handed off by others and left by the idle ones (conn_handed_waiting),
 * in turn, so that neither waits for the other to run dry.  Each round
 * starts one or takes one out of the socket, or stops.
 */
void
conn_run_queue(struct worker *w)
{
	struct conns *cs = &w->conns;

	while (exchange_room(w)) {
		if ((cs->qhead == CONN_NONE || !cs->own_turn) &&
		    conn_handed_waiting(w)) {
			if (conn_take_handed(w)) {
				cs->own_turn = true;
				continue;
			}
			/* none there: not looked for before CONN_HANDOFF_MS */
			cs->handed_look = w->now + CONN_HANDOFF_MS;
		}
		if (cs->qhead == CONN_NONE)
			break;
		cs->own_turn = false;
		start(w, place(w, cs->qhead), cs->qhead);
	}
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
		if (!conn_recv_handoff(w, &c))
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
		conn_unpark(w, pk, i);
		conn_xclose(w, &x);
		w->served++;
	}
}
