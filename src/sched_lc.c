/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Least connection (IPVS ip_vs_lc.c): each new request goes to the
 * eligible real server with the fewest active connections, whatever its
 * weight (weight 0 still means quiescent); servers with equally few are
 * taken evenly in turn (sched_least.c), whose cursor is the shared state.
 * IPVS weighs inactive connections in as active * 256 + inactive; an
 * idle kept connection to an origin costs it nothing, so only the
 * scoreboard's active count is read.
 */
#include "config.h"

#include <stddef.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

static size_t
ties_size(const struct service *svc)
{
	(void)svc;
	return sizeof(struct sched_ties);
}

static int
lc_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	return sched_pick_least(svc, sb, req, sched_all(svc), SCHED_LOAD_LC,
	    sched_shared(svc, sb));
}

const struct sched_ops sched_lc = {
	.name = "lc",
	.flags = 0,
	.shm_size = ties_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = lc_schedule,
	.response_fields = sched_fields_none,
};
