/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What tcpvsd does with a request head besides scheduling it, in the
 * order an exchange needs it, each one call from the worker: find the
 * request's rule, answer it when the rule says return, build the head
 * sent upstream (absolute-form, forwarding fields, request rewrites),
 * rewrite the response head.  The per-request state is struct route;
 * nothing is allocated.
 */
#ifndef TCPVS_ROUTE_H
#define TCPVS_ROUTE_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

#include "rule.h"

struct http_req;
struct service;

struct route {
	const struct service	*svc;
	const struct http_req	*req;
	struct rule_ctx		 ctx;
	const struct rule	*rule;		/* the first that holds, or NULL */
	bool			 https;		/* came on a TLS listener (the
						   forwarded proto); false
						   after route_request */
};

/* after the head is parsed: the rule that holds for the request */
void	route_request(struct route *, const struct service *,
	    const struct http_req *, const char *buf,
	    const struct sockaddr *client);
/* the rule answers the request itself (return =) */
bool	route_answers(const struct route *);
/*
 * Its answer into out, the response edits applied: "Connection: conn"
 * unless conn is NULL, no body for HEAD.  The length, or -1 when out is
 * too small.
 */
long	route_answer(const struct route *, const char *conn, char *out,
	    size_t outlen);
/*
 * The head for the server: http_build_upstream(), then the forwarding
 * fields (forwarded.c), then the request edits (the rule's, else the
 * service's).  The length, or -1 when out is too small.
 */
long	route_upstream(const struct route *, const char *conn_value,
	    char *out, size_t outlen);
/* the response head out[0..len) rewritten in place; -1: too small */
long	route_response(const struct route *, char *out, size_t len,
	    size_t cap);

#endif /* TCPVS_ROUTE_H */
