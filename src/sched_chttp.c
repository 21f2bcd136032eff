/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Cookie persistence (KTCPVS chttp).  A request carrying the service's
 * cookie (cookie = "NAME", default TCPVSID) whose value is the id of a
 * real server goes to that server while it keeps sessions (sched_sticky:
 * up, and active or drained, not disabled) and, with rules, the matching
 * rule names it.  Any other request is scheduled as http would (the
 * first matching rule; rule_scheduler among its servers) or, without
 * rules, by rule_scheduler over all servers, and the response gets a
 * Set-Cookie naming the chosen server (response_fields).  The
 * value is the server's id (conf_build.c server_id(): configured, or a hash of
 * the service ident and address), never its address, and the same on
 * every director with the same configuration.  No shared state: the
 * client carries it.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf-t.h"
#include "http.h"
#include "sched.h"

/* the value of cookie name in one Cookie field ("a=b; NAME=v; c=d") */
static int
cookie_value(const char *v, size_t len, const char *name, const char **val,
    size_t *vlen)
{
	size_t nlen = strlen(name), i = 0, start, eq, end;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ';'))
			i++;
		start = i;
		while (i < len && v[i] != ';')
			i++;
		end = i;
		for (eq = start; eq < end && v[eq] != '='; eq++)
			;
		if (eq < end && eq - start == nlen &&
		    memcmp(v + start, name, nlen) == 0) {
			*val = v + eq + 1;
			*vlen = end - eq - 1;
			while (*vlen > 0 && (*val)[*vlen - 1] == ' ')
				(*vlen)--;
			return 1;
		}
	}
	return 0;
}

int
sched_cookie_server(const struct service *svc, const struct http_req *req,
    const char *head)
{
	const struct http_header *h;
	const char *val;
	size_t vlen;

	if (req == NULL || head == NULL)
		return -1;
	for (unsigned i = 0; i < req->nheaders; i++) {
		h = &req->hdr[i];
		if (!http_span_is(head, h->name, "cookie") ||
		    !cookie_value(head + h->value.off, h->value.len,
		    svc->cookie, &val, &vlen))
			continue;
		for (unsigned s = 0; s < svc->nrs; s++)
			if (strlen(svc->rs[s].id) == vlen &&
			    memcmp(svc->rs[s].id, val, vlen) == 0)
				return (int)s;
	}
	return -1;
}

static int
chttp_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	uint64_t servers = sched_all(svc);
	int i, r;

	if (svc->nrules > 0) {
		if ((r = sched_rule(svc, req, NULL, NULL)) == -1)
			return -1;
		servers = svc->rules[r].servers;
	}
	i = sched_cookie_server(svc, req->http, req->head);
	if (i >= 0 && ((servers >> i) & 1) &&
	    sched_sticky(svc, sb, req, (unsigned)i))
		return i;
	return sched_pick_rule(svc, sb, req, servers);
}

/* a response to a request whose cookie does not name server i names it */
static size_t
chttp_fields(const struct service *svc, const struct sched_req *req, int i,
    char *buf, size_t len)
{
	int n;

	if (sched_cookie_server(svc, req->http, req->head) == i)
		return 0;
	n = snprintf(buf, len, "Set-Cookie: %s=%s; Path=/; HttpOnly\r\n",
	    svc->cookie, svc->rs[i].id);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

const struct sched_ops sched_chttp = {
	.name = "chttp",
	.flags = SCHED_F_RULES,
	.shm_size = sched_shm_none,
	.init_service = sched_init_rules,
	.done_service = sched_done_none,
	.schedule = chttp_schedule,
	.response_fields = chttp_fields,
};
