/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Round robin (KTCPVS tcp_vs_rr.c, IPVS ip_vs_rr.c): each new request goes
 * to the next eligible real server in configuration order, whatever its
 * weight (weight 0 still means quiescent).  As in IPVS the search starts
 * after the server picked last, so a server that is down or drained does
 * not hand its turn to its neighbour twice.  The cursor is one atomic word
 * in the scoreboard, shared by every worker of the service and moved with
 * compare-and-swap: no lock, and a worker killed at any point leaves it
 * valid.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

static size_t
rr_shm_size(const struct service *svc)
{
	(void)svc;
	return sizeof(_Atomic uint32_t);
}

/* the first eligible server from start on, wrapping; -1 if none */
static int
rr_next(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, unsigned start)
{
	unsigned i;

	for (unsigned k = 0; k < svc->nrs; k++) {
		i = (start + k) % svc->nrs;
		if (sched_available(svc, sb, req, i))
			return (int)i;
	}
	return -1;
}

static int
rr_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	_Atomic uint32_t *cursor;
	uint32_t cur;
	int i;

	if (svc->nrs == 0 || svc->sb_index < 0)
		return -1;
	cursor = sb_sched(sb, (unsigned)svc->sb_index);
	cur = atomic_load_explicit(cursor, memory_order_relaxed);
	do {
		if ((i = rr_next(svc, sb, req, cur % svc->nrs)) == -1)
			return -1;
	} while (!atomic_compare_exchange_weak_explicit(cursor, &cur,
	    ((uint32_t)i + 1) % svc->nrs, memory_order_relaxed,
	    memory_order_relaxed));
	return i;
}

const struct sched_ops sched_rr = {
	.name = "rr",
	.flags = 0,
	.shm_size = rr_shm_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = rr_schedule,
	.response_fields = sched_fields_none,
};
