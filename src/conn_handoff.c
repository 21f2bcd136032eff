/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Handing parked connections (conn.c) to the service's other workers, and
 * taking them: a worker full for CONN_HANDOFF_MS (conn_set_full and
 * conn_park arm the timer) while another worker is idle hands its queued
 * connections to the service's idle workers through the handoff socket
 * (SCM_RIGHTS), where one worker with room takes each (EPOLLEXCLUSIVE),
 * as it would accept a connection; a finishing worker takes back what no
 * one took (conn_begin_finish).
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <stddef.h>
#include <unistd.h>

#include "conf-t.h"
#include "conn_priv.h"
#include "exchange.h"
#include "log.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

/* when the last connection went into the socket: now (w->now may be
   late by a round), never earlier than another worker said */
static void
note_handed(struct sb_service *ss)
{
	int64_t now = util_now_ms();
	int64_t was = atomic_load_explicit(&ss->handed_ms,
	    memory_order_relaxed);

	while (was < now && !atomic_compare_exchange_weak_explicit(
	    &ss->handed_ms, &was, now, memory_order_relaxed,
	    memory_order_relaxed))
		;
}

/* put one parked connection into the handoff socket; false if full */
static bool
send_parked(struct worker *w, struct parked *pk)
{
	return util_send_fd(w->a->handoff[0], &pk->m, sizeof(pk->m), pk->fd,
	    MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(pk->m);
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
	/* counted before it can be taken, so the count is never low */
	atomic_fetch_add_explicit(&w->ss->handed, 1, memory_order_relaxed);
	if (!send_parked(w, pk)) {
		atomic_fetch_sub_explicit(&w->ss->handed, 1,
		    memory_order_relaxed);
		(void)worker_fd_watch(w, fd, FD_PARKED, i);
		return -1;
	}
	note_handed(w->ss);
	conn_unpark(w, pk, i);
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
void
conn_handoff_due(struct timer *t)
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
		    conn_handoff_due);
	if (moved > 0)
		log_debug("full for %d ms or more: %u waiting requests handed "
		    "to the other workers", CONN_HANDOFF_MS, moved);
}

/* a connection from the handoff socket; false if there is none */
bool
conn_recv_handoff(struct worker *w, struct conn *c)
{
	struct handoff_msg m;
	ssize_t n;
	int fd;

	/* MSG_TRUNC: the length of the message, were it longer */
	n = util_recv_fd(w->a->handoff[1], &m, sizeof(m), &fd,
	    MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1)
		return false;	/* another worker was quicker */
	atomic_fetch_sub_explicit(&w->ss->handed, 1, memory_order_relaxed);
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
	if (exchange_room(w))
		(void)conn_take_handed(w);
}

/*
 * Are there requests in the handoff socket to take before this worker's
 * own queue?  The socket wakes a worker waiting on it with a free place,
 * but a worker whose own queue fills each place it frees never waits
 * there: with every worker so, a handed-off request waited in the socket
 * until the load eased (5 s and more, t_handoff_busy).  Only once none
 * went in for CONN_HANDOFF_MS, though: they are meant for the idle
 * workers, which take them at once, and a busy worker that took them
 * first left those idle, so the master saw spare workers and did not
 * add any (t_pool: 20 workers of 24 under load).  A count of 0 is exact;
 * one too high (a worker killed between counting a connection and
 * sending it, or the other generation's during a reload) costs a look
 * into the socket each CONN_HANDOFF_MS, never a request.
 */
bool
conn_handed_waiting(const struct worker *w)
{
	return atomic_load_explicit(&w->ss->handed, memory_order_relaxed) >
	    0 && w->now >= w->conns.handed_look && !w->finishing &&
	    w->now - atomic_load_explicit(&w->ss->handed_ms,
	    memory_order_relaxed) >= CONN_HANDOFF_MS;
}

/* a handed-off request into a free place; false if there was none */
bool
conn_take_handed(struct worker *w)
{
	struct conn c;

	if (!conn_recv_handoff(w, &c))
		return false;
	(void)exchange_start(w, &c);
	return true;
}

void
conn_set_full(struct worker *w, bool full)
{
	struct conns *cs = &w->conns;

	if (!full)
		timer_del(&w->timers, &cs->handoff);
	else if (cs->nparked > 0 && w->svc->maxclients > 1 && !w->finishing)
		timer_set(&w->timers, &cs->handoff, w->now + CONN_HANDOFF_MS,
		    conn_handoff_due);
}
