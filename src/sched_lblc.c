/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Locality-based least connection (IPVS ip_vs_lblc.c), for cache farms.
 * The locality of a request is its Host and path without the query.  lblc
 * sends a locality to the server that had it, unless that server is
 * unavailable or overloaded (IPVS: more active requests than its weight
 * while another server has fewer than half its weight), and then to the
 * server wlc picks (equal loads in turn by weight), which keeps it from
 * then on.  The table of localities is sched_locality.c's, in the
 * scoreboard, shared by every worker.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"
#include "sched_locality.h"
#include "scoreboard.h"

static int
lblc_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	uint64_t key = lblc_locality(req), m;
	uint32_t now = lblc_now();
	struct lblc_shared *sh = sched_shared(svc, sb);
	struct lblc_entry *e = sh != NULL ? lblc_find(svc, sh, key, now) :
	    NULL;
	int i;

	if (e != NULL) {
		m = atomic_load_explicit(&e->servers, memory_order_relaxed);
		i = m != 0 ? __builtin_ctzll(m) : -1;
		if (i >= 0 && sched_available(svc, sb, req, (unsigned)i) &&
		    !lblc_overloaded(svc, sb, req, (unsigned)i)) {
			atomic_store_explicit(&e->used, now,
			    memory_order_relaxed);
			return i;
		}
	}
	if ((i = lblc_pick_wlc(svc, sb, req, sched_all(svc), sh)) < 0)
		return -1;
	if (sh != NULL)
		lblc_record(lblc_place(svc, sh, key, now), key,
		    (uint64_t)1 << i, now);
	return i;
}

const struct sched_ops sched_lblc = {
	.name = "lblc",
	.flags = 0,
	.shm_size = lblc_shm_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = lblc_schedule,
	.response_fields = sched_fields_none,
};
