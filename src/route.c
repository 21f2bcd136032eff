/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The worker's hooks into rules, header rewriting and forwarding, kept
 * out of the worker so that its event loop calls one function at each
 * step of an exchange: route_request() when the head is parsed,
 * route_answer() for a rule that answers itself, route_upstream() for
 * the head a server gets, route_response() for the head the client gets.
 * Pure functions over the caller's buffers.
 */
#include "config.h"

#include <string.h>

#include "conf-t.h"
#include "forwarded.h"
#include "header.h"
#include "http.h"
#include "route.h"

void
route_request(struct route *rt, const struct service *svc,
    const struct http_req *req, const char *buf,
    const struct sockaddr *client)
{
	int r;

	rt->svc = svc;
	rt->req = req;
	rt->https = false;
	rule_ctx_init(&rt->ctx, req, buf, client);
	r = rule_match(svc, &rt->ctx, NULL, NULL);
	rt->rule = r >= 0 ? &svc->rules[r] : NULL;
}

bool
route_answers(const struct route *rt)
{
	return rt->rule != NULL && rt->rule->ret != 0;
}

/* the rule's edits when it has any, else the service's */
static const struct hdr_edits *
edits(const struct route *rt, bool request)
{
	const struct rule *r = rt->rule;

	if (request)
		return r != NULL && r->req_edits.n > 0 ? &r->req_edits :
		    &rt->svc->req_edits;
	return r != NULL && r->resp_edits.n > 0 ? &r->resp_edits :
	    &rt->svc->resp_edits;
}

long
route_answer(const struct route *rt, const char *conn, char *out,
    size_t outlen)
{
	bool head = (rt->req->flags & HTTP_F_HEAD) != 0;
	char tmp[128];
	const char *b;
	size_t blen;
	long n;

	/* the edits see the head alone; the body follows */
	if ((n = rule_reply(rt->rule, &rt->ctx, conn, true, out, outlen)) < 0 ||
	    (n = hdr_apply(out, (size_t)n, outlen, edits(rt, false))) < 0)
		return -1;
	b = rule_body(rt->rule, tmp, sizeof(tmp), &blen);
	if (head)
		return n;
	if (blen > outlen - (size_t)n)
		return -1;
	memcpy(out + n, b, blen);
	return n + (long)blen;
}

long
route_upstream(const struct route *rt, const char *conn_value, char *out,
    size_t outlen)
{
	const struct http_req *req = rt->req;
	long n;

	n = http_build_upstream(req, rt->ctx.buf, NULL, conn_value, out,
	    outlen);
	if (n >= 0)
		n = fwd_apply(out, (size_t)n, outlen, rt->svc, rt->ctx.source,
		    rt->https, rt->ctx.buf + req->host.off, req->host.len);
	if (n >= 0)
		n = hdr_apply(out, (size_t)n, outlen, edits(rt, true));
	return n;
}

long
route_response(const struct route *rt, char *out, size_t len, size_t cap)
{
	return hdr_apply(out, len, cap, edits(rt, false));
}
