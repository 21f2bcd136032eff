/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What the content-rule schedulers (http, phttp, chttp, hhttp) share: the
 * check at load that every rule names a server, the first rule matching a
 * request (rule.c's matching), and the choice among a rule's servers,
 * which is the service's rule_scheduler's with the request limited to
 * those servers (sched_req.only): whatever the rule_scheduler, a request
 * never reaches a server the rule does not name.
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

int
sched_pick_rule(const struct service *svc, struct sb *sb,
    const struct sched_req *req, uint64_t servers)
{
	struct sched_req sub = *req;

	/* both limits hold: the caller's and the rule's */
	sub.only = req->only != 0 ? req->only & servers : servers;
	if (sub.only == 0)
		return -1;
	if (svc->rule_sched == NULL)
		return sched_pick_least(svc, sb, &sub, servers,
		    SCHED_LOAD_WLC, NULL);
	return svc->rule_sched->schedule(svc, sb, &sub);
}
