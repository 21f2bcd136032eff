/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Hashed content scheduling (KTCPVS hhttp): the first rule matching the
 * request target decides, as with http, and its match group (the rule's
 * match = N; 0 = the whole match) is hashed consistently over that rule's
 * servers, so /users/alice/... always reaches the same server, in every
 * process, after restarts and on every director with the same
 * configuration.  Weighted rendezvous hashing (sched_pick_hash): a server
 * that is down sends only its own keys to their next best.  No state.
 */
#include "config.h"

#include <stddef.h>

#include "conf-t.h"
#include "http.h"
#include "sched.h"

static int
hhttp_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	size_t ms = 0, ml = 0;
	int r = sched_rule(svc, req, &ms, &ml);

	if (r == -1)
		return -1;
	return sched_pick_hash(svc, sb, req, svc->rules[r].servers,
	    sched_hash(req->head + ms, ml, 0));
}

const struct sched_ops sched_hhttp = {
	.name = "hhttp",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = sched_init_rules,
	.done_service = sched_done_none,
	.schedule = hhttp_schedule,
	.response_fields = sched_fields_none,
};
