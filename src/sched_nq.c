/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Never queue (IPVS ip_vs_nq.c): an idle eligible server (no request in
 * flight) if there is one -- the first in configuration order, as IPVS --
 * else shortest expected delay.  No state.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

static int
nq_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	const struct sb_server *s;

	for (unsigned i = 0; i < svc->nrs && i < CONF_MAX_SERVERS; i++) {
		if (!sched_available(svc, sb, req, i))
			continue;
		s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
		if (atomic_load_explicit(&s->active, memory_order_relaxed) ==
		    0 && atomic_load_explicit(&s->weight,
		    memory_order_relaxed) > 0)
			return (int)i;
	}
	return sched_pick_sed(svc, sb, req, sched_all(svc));
}

const struct sched_ops sched_nq = {
	.name = "nq",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = nq_schedule,
};
