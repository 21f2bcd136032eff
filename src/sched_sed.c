/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Shortest expected delay (IPVS ip_vs_sed.c): the server with the least
 * (active + 1) / weight, read from the scoreboard, so a new request goes
 * where it would wait least; unlike wlc an idle heavy server beats an
 * idle light one: at no load the heaviest server takes every request, as
 * in IPVS.  Servers of equal expected delay are taken by smooth weighted
 * round robin (sched_least.c), whose cursor is the shared state.
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
sed_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	return sched_pick_least(svc, sb, req, sched_all(svc), SCHED_LOAD_SED,
	    sched_shared(svc, sb));
}

const struct sched_ops sched_sed = {
	.name = "sed",
	.flags = 0,
	.shm_size = ties_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = sed_schedule,
	.response_fields = sched_fields_none,
};
