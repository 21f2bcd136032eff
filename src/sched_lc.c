/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Least connection (IPVS ip_vs_lc.c): each new request goes to the
 * eligible real server with the fewest active connections, whatever its
 * weight (weight 0 still means quiescent); ties go to the first in
 * configuration order.  IPVS weighs inactive connections in as
 * active * 256 + inactive; a proxy has no half-closed connections worth
 * counting, so only the scoreboard's active count is read.  No state.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

static int
lc_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	const struct sb_server *s;
	uint32_t act, lact = 0;
	int least = -1;

	for (unsigned i = 0; i < svc->nrs; i++) {
		if (!sched_available(svc, sb, req, i))
			continue;
		s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
		act = atomic_load_explicit(&s->active, memory_order_relaxed);
		if (least == -1 || act < lact) {
			least = (int)i;
			lact = act;
		}
	}
	return least;
}

const struct sched_ops sched_lc = {
	.name = "lc",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = lc_schedule,
};
