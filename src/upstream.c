/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The origin connection pool of a worker (upstream.h).  A connection is
 * registered in the worker's epoll set once, when an exchange makes it,
 * and stays there while it waits here: an event on it means the server
 * closed it or wrote unasked, and it is dropped at once, so a connection
 * taken from here is not looked at first.  The most recently kept one is
 * taken first (the least likely to have been timed out by the server);
 * when a server has its share, its oldest goes.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf-t.h"
#include "conn.h"
#include "log.h"
#include "scoreboard.h"
#include "upstream.h"
#include "util.h"
#include "worker.h"

/* InActConn: a kept connection to server rsi went idle (+1) or not (-1) */
static void
count(struct worker *w, int rsi, int delta)
{
	sb_server_idle(w->sb, w->ws, w->svc->rs[rsi].sb_index, delta);
}

static void
drop(struct worker *w, struct upstream_conn *k)
{
	if (k->fd == -1)
		return;
	timer_del(&w->timers, &k->tm);
	conn_xclose(w, &k->x);
	k->fd = -1;
	count(w, k->rsi, -1);
}

static void
on_expire(struct timer *t)
{
	struct upstream_conn *k = (struct upstream_conn *)(void *)
	    ((char *)t - offsetof(struct upstream_conn, tm));

	drop(k->w, k);
}

void
upstream_init(struct worker *w)
{
	struct upstream *u = &w->up;

	u->per_server = w->svc->server_keepalive * w->nx;
	u->n = w->svc->nrs * u->per_server;
	if (u->n == 0)
		return;
	u->k = xcalloc(u->n, sizeof(*u->k));
	for (unsigned i = 0; i < u->n; i++) {
		u->k[i].fd = -1;
		u->k[i].w = w;
	}
}

bool
upstream_take(struct worker *w, int rsi, struct xconn *x)
{
	struct upstream_conn *k, *best = NULL;

	for (unsigned i = 0; i < w->up.n; i++) {
		k = &w->up.k[i];
		if (k->fd != -1 && k->rsi == rsi &&
		    (best == NULL || k->since > best->since))
			best = k;
	}
	if (best == NULL)
		return false;
	*x = best->x;
	best->fd = -1;
	timer_del(&w->timers, &best->tm);
	count(w, rsi, -1);
	return true;
}

void
upstream_put(struct worker *w, int rsi, const struct xconn *x)
{
	struct upstream_conn *k, *free_slot = NULL, *oldest = NULL;
	unsigned n = 0;

	for (unsigned i = 0; i < w->up.n; i++) {
		k = &w->up.k[i];
		if (k->fd == -1) {
			if (free_slot == NULL)
				free_slot = k;
			continue;
		}
		if (k->rsi != rsi)
			continue;
		n++;
		if (oldest == NULL || k->since < oldest->since)
			oldest = k;
	}
	if (n >= w->up.per_server && oldest != NULL) {
		drop(w, oldest);
		free_slot = oldest;
	}
	if (free_slot == NULL) {
		struct xconn c = *x;

		conn_xclose(w, &c);
		return;
	}
	free_slot->fd = x->fd;
	free_slot->x = *x;
	free_slot->rsi = rsi;
	free_slot->since = w->now;
	worker_fd_own(w, x->fd, FD_POOL, (uint32_t)(free_slot - w->up.k));
	count(w, rsi, +1);
	timer_set(&w->timers, &free_slot->tm, w->now +
	    (int64_t)w->svc->server_keepalive_timeout * 1000, on_expire);
}

void
upstream_event(struct worker *w, uint32_t i, uint32_t events)
{
	char b;

	/* room to write again is no news from the server; nor is an event
	   of the same round about the response read since */
	if (i >= w->up.n || w->up.k[i].fd == -1 ||
	    (events & ~(uint32_t)EPOLLOUT) == 0)
		return;
	if (recv(w->up.k[i].fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	drop(w, &w->up.k[i]);
}

void
upstream_close_all(struct worker *w)
{
	for (unsigned i = 0; i < w->up.n; i++)
		drop(w, &w->up.k[i]);
}
