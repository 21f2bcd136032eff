/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Weighted least connection (KTCPVS tcp_vs_wlc.c, IPVS ip_vs_wlc.c), the
 * KTCPVS default: each new request goes to the eligible real server with
 * the least active connections per unit of weight, read from the
 * scoreboard.  Servers of equal load (all of them, at light load) are
 * taken by smooth weighted round robin, so weights hold at any load.  The
 * choice itself is sched_pick_least() (sched_least.c); the shared state
 * is its round robin's cursor.
 */
#include "config.h"

#include <stddef.h>

#include "sched.h"

static size_t
ties_size(const struct service *svc)
{
	(void)svc;
	return sizeof(struct sched_ties);
}

static int
wlc_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	return sched_pick_least(svc, sb, req, sched_all(svc), SCHED_LOAD_WLC,
	    sched_shared(svc, sb));
}

const struct sched_ops sched_wlc = {
	.name = "wlc",
	.flags = 0,
	.shm_size = ties_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = wlc_schedule,
	.response_fields = sched_fields_none,
};
