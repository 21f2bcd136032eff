/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Weighted least connection (KTCPVS tcp_vs_wlc.c, IPVS ip_vs_wlc.c), the
 * KTCPVS default: each new request goes to the eligible real server with
 * the least active connections per unit of weight, read from the
 * scoreboard; ties go to the first in configuration order.  The choice
 * itself is sched_pick_wlc() in sched.c, which the content-rule
 * schedulers share.  No state.
 */
#include "config.h"

#include <stddef.h>

#include "sched.h"

static int
wlc_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	return sched_pick_wlc(svc, sb, req, sched_all(svc));
}

const struct sched_ops sched_wlc = {
	.name = "wlc",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = wlc_schedule,
};
