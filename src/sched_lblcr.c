/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Locality-based least connection with replication (IPVS ip_vs_lblcr.c),
 * for cache farms.  lblcr keeps a set of servers per locality (Host and
 * path): the least loaded of the set takes the request; when it is
 * overloaded wlc's pick joins the set; a set of several not changed for
 * lblc_expiration seconds loses its most loaded member.  The table is
 * sched_locality.c's, in the scoreboard, shared by every worker.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"
#include "sched_locality.h"
#include "scoreboard.h"

/* the most loaded available member of set (active/weight), or -1 */
static int
most_loaded(const struct service *svc, const struct sb *sb, uint64_t set)
{
	uint64_t act, w, bact = 0, bw = 1;
	int most = -1;

	for (unsigned i = 0; i < svc->nrs; i++) {
		if (!((set >> i) & 1))
			continue;
		lblc_load(svc, sb, i, &act, &w);
		if (w == 0)
			return (int)i;	/* quiescent: first to go */
		if (most == -1 || act * bw > bact * w) {
			most = (int)i;
			bact = act;
			bw = w;
		}
	}
	return most;
}

static int
lblcr_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	uint64_t key = lblc_locality(req), set;
	uint32_t now = lblc_now();
	struct lblc_shared *sh = sched_shared(svc, sb);
	struct lblc_entry *e = sh != NULL ? lblc_find(svc, sh, key, now) :
	    NULL;
	int i = -1, j, drop;

	if (e == NULL) {
		if ((i = lblc_pick_wlc(svc, sb, req, sched_all(svc), sh)) < 0)
			return -1;
		if (sh != NULL)
			lblc_record(lblc_place(svc, sh, key, now), key,
			    (uint64_t)1 << i, now);
		return i;
	}
	set = atomic_load_explicit(&e->servers, memory_order_relaxed) &
	    sched_all(svc);
	/* a set of several, unchanged for long: its most loaded leaves */
	if (__builtin_popcountll(set) > 1 && now - atomic_load_explicit(
	    &e->modified, memory_order_relaxed) > svc->lblc_expiration &&
	    (drop = most_loaded(svc, sb, set)) >= 0) {
		set &= ~((uint64_t)1 << drop);
		atomic_store_explicit(&e->servers, set, memory_order_relaxed);
		atomic_store_explicit(&e->modified, now, memory_order_relaxed);
	}
	i = lblc_pick_wlc(svc, sb, req, set, sh);
	if (i >= 0 && !lblc_overloaded(svc, sb, req, (unsigned)i)) {
		atomic_store_explicit(&e->used, now, memory_order_relaxed);
		return i;
	}
	/* none of the set can take it well: wlc's choice joins the set */
	if ((j = lblc_pick_wlc(svc, sb, req, sched_all(svc), sh)) < 0)
		return i;
	set |= (uint64_t)1 << j;
	atomic_store_explicit(&e->servers, set, memory_order_relaxed);
	atomic_store_explicit(&e->modified, now, memory_order_relaxed);
	atomic_store_explicit(&e->used, now, memory_order_relaxed);
	return j;
}

const struct sched_ops sched_lblcr = {
	.name = "lblcr",
	.flags = 0,
	.shm_size = lblc_shm_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = lblcr_schedule,
	.response_fields = sched_fields_none,
};
