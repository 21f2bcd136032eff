/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Content-based scheduling (KTCPVS tcp_vs_http.c): the service's rules are
 * tried in order against the request target and the first that matches
 * decides; among the servers that rule names, rule_scheduler chooses
 * (wlc by default: the least active connections per weight).  When
 * the matching rule's servers are all unavailable, or no rule matches,
 * there is no server: the request is never sent to a server a rule did
 * not name.  Matching is rule.c's; no state of its own.
 *
 * KTCPVS's phttp ("persistent http") applied the rules to every request
 * of a kept-alive connection.  tcpvsd schedules every request on its own
 * whatever the scheduler, so phttp is http under the name KTCPVS
 * administrators know.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf-t.h"
#include "http.h"
#include "rule.h"
#include "sched.h"

/*
 * At load: every rule names a server of the service.  A service without
 * rules is valid (KTCPVS builds one up with tcpvsadm -A, then
 * --add-rule): until it has one, every request gets 503.
 */
int
sched_init_rules(struct service *svc, char *err, size_t errlen)
{
	const struct rule *r;

	for (unsigned i = 0; i < svc->nrules; i++) {
		r = &svc->rules[i];
		if (r->ret == 0 && (r->servers & sched_all(svc)) == 0) {
			snprintf(err, errlen, "rule '%s' names no server of "
			    "this service", r->pattern != NULL ? r->pattern :
			    "");
			return -1;
		}
	}
	return 0;
}

int
sched_rule(const struct service *svc, const struct sched_req *req,
    size_t *mstart, size_t *mlen)
{
	struct rule_ctx ctx;
	int r;

	if (req == NULL || req->http == NULL || req->head == NULL)
		return -1;
	rule_ctx_init(&ctx, req->http, req->head, req->client);
	r = rule_match(svc, &ctx, mstart, mlen);
	/* a rule that answers itself has no server */
	return r >= 0 && svc->rules[r].ret != 0 ? -1 : r;
}

static int
http_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	int r = sched_rule(svc, req, NULL, NULL);

	if (r == -1)
		return -1;
	return sched_pick_rule(svc, sb, req, svc->rules[r].servers);
}

int
sched_pick_rule(const struct service *svc, struct sb *sb,
    const struct sched_req *req, uint64_t servers)
{
	struct sched_req sub = *req;

	if (svc->rule_sched == NULL)
		return sched_pick_wlc(svc, sb, req, servers);
	sub.only = servers;
	return svc->rule_sched->schedule(svc, sb, &sub);
}

const struct sched_ops sched_http = {
	.name = "http",
	.flags = SCHED_F_HTTP,
	.shm_size = sched_shm_none,
	.init_service = sched_init_rules,
	.done_service = sched_done_none,
	.schedule = http_schedule,
};

const struct sched_ops sched_phttp = {
	.name = "phttp",
	.flags = SCHED_F_HTTP,
	.shm_size = sched_shm_none,
	.init_service = sched_init_rules,
	.done_service = sched_done_none,
	.schedule = http_schedule,
};
