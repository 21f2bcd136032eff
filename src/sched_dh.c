/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Destination hashing (IPVS ip_vs_dh.c) at Layer 7: the destination is
 * the request's Host (lower case, without port), so every request for a
 * site goes to the same server -- for caches and virtual-host farms.
 * Weighted rendezvous hashing as sh; a request without Host hashes as the
 * empty name.  No state.
 */
#include "config.h"

#include <stddef.h>

#include "conf-t.h"
#include "sched.h"

static int
dh_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	char host[256];
	size_t n = sched_host(req, host, sizeof(host));

	return sched_pick_hash(svc, sb, req, sched_all(svc),
	    sched_hash(host, n, 0));
}

const struct sched_ops sched_dh = {
	.name = "dh",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = dh_schedule,
	.response_fields = sched_fields_none,
};
