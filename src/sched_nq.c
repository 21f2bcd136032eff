/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Never queue (IPVS ip_vs_nq.c): an idle eligible server (no request in
 * flight) if there is one, else shortest expected delay.  Where IPVS
 * takes the first idle server, tcpvsd takes the idle servers in turn by
 * smooth weighted round robin (sched_least.c), so a lightly loaded farm
 * is shared by weight; the cursor is the shared state.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

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
nq_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	const struct sb_server *s;
	uint64_t idle = 0;

	for (unsigned i = 0; i < svc->nrs && i < CONF_MAX_SERVERS; i++) {
		if (!sched_available(svc, sb, req, i))
			continue;
		s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
		if (atomic_load_explicit(&s->active, memory_order_relaxed) == 0)
			idle |= (uint64_t)1 << i;
	}
	/* idle servers all have load 0: taken in turn by weight */
	return sched_pick_least(svc, sb, req, idle != 0 ? idle :
	    sched_all(svc), idle != 0 ? SCHED_LOAD_WLC : SCHED_LOAD_SED,
	    sched_shared(svc, sb));
}

const struct sched_ops sched_nq = {
	.name = "nq",
	.flags = 0,
	.shm_size = ties_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = nq_schedule,
	.response_fields = sched_fields_none,
};
