/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Shortest expected delay (IPVS ip_vs_sed.c): the server with the least
 * (active + 1) / weight, read from the scoreboard, so a new request goes
 * where it would wait least; unlike wlc an idle heavy server beats an
 * idle light one.  Ties go to the first in configuration order.  No state.
 */
#include "config.h"

#include <stddef.h>

#include "sched.h"

static int
sed_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	return sched_pick_sed(svc, sb, req, sched_all(svc));
}

const struct sched_ops sched_sed = {
	.name = "sed",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = sed_schedule,
};
