/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The workers' census: what the scoreboard says of a service's live
 * workers and their free exchange places, read by the master to size the
 * pool (sb_census) and by the workers to decide whether to accept
 * (sb_room) and where to hand off waiting requests (sb_spare).  Reads
 * only: it never writes the scoreboard, never blocks, holds no lock.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>

#include "scoreboard.h"

/* the worker's exchanges in flight, by its counts by state */
static unsigned
inflight_of(const struct sb_worker *ws)
{
	unsigned n = 0;

	for (int x = XS_FREE + 1; x < XS__COUNT; x++)
		n += atomic_load_explicit(&ws->xstates[x],
		    memory_order_relaxed);
	return n;
}

/* free exchange slots of a worker in state st with n in flight */
static unsigned
free_of(int st, unsigned n, unsigned maxinflight)
{
	if (n == 0 && st != WS_IDLE && st != WS_STARTING)
		return 0;
	return n < maxinflight ? maxinflight - n : 0;
}

unsigned
sb_worker_free(const struct sb_worker *ws, unsigned maxinflight)
{
	return free_of(atomic_load_explicit(&ws->state, memory_order_acquire),
	    inflight_of(ws), maxinflight);
}

/* a live worker of service in generation gen (0: any), not skip */
static bool
counted(const struct sb_worker *ws, int service, unsigned gen,
    const struct sb_worker *skip)
{
	return ws != skip && atomic_load(&ws->pid) != 0 &&
	    (gen == 0 || atomic_load(&ws->generation) == gen) &&
	    atomic_load(&ws->service) == service;
}

struct sb_census
sb_census(const struct sb *sb, int service, unsigned gen,
    const struct sb_worker *skip, unsigned maxinflight)
{
	struct sb_census c = { .least = UINT_MAX };
	unsigned n, held;
	int st;

	for (unsigned i = 0; i < sb->hdr->nworkers; i++) {
		const struct sb_worker *ws = sb_worker(sb, i);

		if (!counted(ws, service, gen, skip))
			continue;
		c.total++;
		st = atomic_load_explicit(&ws->state, memory_order_acquire);
		if (st == WS_STARTING || st == WS_IDLE)
			c.idle++;
		n = inflight_of(ws);
		c.free += free_of(st, n, maxinflight);
		if (st == WS_CLOSING || st == WS_DEAD)
			continue;
		/* a closing worker hands nothing off */
		c.waiting += atomic_load_explicit(&ws->queued,
		    memory_order_relaxed);
		held = atomic_load_explicit(&ws->parked, memory_order_relaxed) +
		    n;
		if (held < c.least)
			c.least = held;
	}
	return c;
}

/* the free places of the workers sb_room() and sb_spare() count, each
   counted by f */
static unsigned
places(const struct sb *sb, int service, unsigned gen,
    const struct sb_worker *skip, unsigned maxinflight, unsigned below,
    unsigned (*f)(int st, unsigned n, unsigned maxinflight))
{
	unsigned sum = 0, n;
	int st;

	for (unsigned i = 0; i < sb->hdr->nworkers; i++) {
		const struct sb_worker *ws = sb_worker(sb, i);

		if (!counted(ws, service, gen, skip))
			continue;
		st = atomic_load_explicit(&ws->state, memory_order_acquire);
		if (st == WS_CLOSING || st == WS_DEAD)
			continue;	/* finishing: takes nothing new */
		n = inflight_of(ws);
		if (atomic_load_explicit(&ws->parked, memory_order_relaxed) +
		    n >= below)
			continue;
		sum += f(st, n, maxinflight);
	}
	return sum;
}

unsigned
sb_room(const struct sb *sb, int service, const struct sb_worker *skip,
    unsigned maxinflight, unsigned below)
{
	return places(sb, service, 0, skip, maxinflight, below, free_of);
}

/* half the free places (rounded up) of a worker at most half busy */
static unsigned
spare_of(int st, unsigned n, unsigned maxinflight)
{
	if (2 * n > maxinflight)
		return 0;
	return (free_of(st, n, maxinflight) + 1) / 2;
}

unsigned
sb_spare(const struct sb *sb, int service, unsigned gen,
    const struct sb_worker *skip, unsigned maxinflight)
{
	return places(sb, service, gen, skip, maxinflight, UINT_MAX,
	    spare_of);
}

int
sb_retiree(const struct sb *sb, int service, unsigned gen)
{
	int st, pick = -1;

	for (unsigned i = 0; i < sb->hdr->nworkers; i++) {
		const struct sb_worker *ws = sb_worker(sb, i);

		if (!counted(ws, service, gen, NULL))
			continue;
		/* one at a time: told, it counts as spare until reaped,
		   wherever its slot is */
		if (atomic_load(&ws->retiring) != 0)
			return -1;
		st = atomic_load_explicit(&ws->state, memory_order_acquire);
		if (st == WS_CLOSING || st == WS_DEAD || pick != -1)
			continue;
		if (inflight_of(ws) == 0 && atomic_load_explicit(&ws->parked,
		    memory_order_relaxed) == 0)
			pick = (int)i;
	}
	return pick;
}
