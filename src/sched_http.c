/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Content-based scheduling (KTCPVS tcp_vs_http.c): the service's rules are
 * tried in order against the request target and the first that matches
 * decides; among the servers that rule names, rule_scheduler chooses
 * (wlc by default: the least active connections per weight, equal ones
 * in turn by weight).  When the matching rule's servers are all
 * unavailable, or no rule matches, there is no server: the request is
 * never sent to a server a rule did not name (sched_rule.c).  No state of
 * its own: the scoreboard bytes are rule_scheduler's.
 *
 * KTCPVS's phttp ("persistent http") applied the rules to every request
 * of a kept-alive connection.  tcpvsd schedules every request on its own
 * whatever the scheduler, so phttp is http under the name KTCPVS
 * administrators know.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"

static int
http_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	int r;

	if ((r = sched_rule(svc, req, NULL, NULL)) == -1)
		return -1;
	return sched_pick_rule(svc, sb, req, svc->rules[r].servers);
}

const struct sched_ops sched_http = {
	.name = "http",
	.flags = SCHED_F_RULES,
	.shm_size = sched_shm_none,
	.init_service = sched_init_rules,
	.done_service = sched_done_none,
	.schedule = http_schedule,
	.response_fields = sched_fields_none,
};

const struct sched_ops sched_phttp = {
	.name = "phttp",
	.flags = SCHED_F_RULES,
	.shm_size = sched_shm_none,
	.init_service = sched_init_rules,
	.done_service = sched_done_none,
	.schedule = http_schedule,
	.response_fields = sched_fields_none,
};
