/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * A worker's kept connections to real servers: server_keepalive idle
 * connections per real server for each exchange the worker may run at
 * once, each closed after server_keepalive_timeout idle (a timer) or as
 * soon as the server closes it or writes to it unasked (it stays in the
 * worker's epoll set while it waits).
 */
#ifndef TCPVS_UPSTREAM_H
#define TCPVS_UPSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "timer.h"
#include "xprt.h"

struct worker;

struct upstream_conn {
	int			 fd;		/* -1: free */
	struct xconn		 x;		/* fd's transport (a TLS one
						   keeps its session) */
	int			 rsi;		/* index into svc->rs */
	int64_t			 since;		/* ms it went idle */
	struct timer		 tm;		/* server_keepalive_timeout */
	struct worker		*w;
};

struct upstream {
	struct upstream_conn	*k;		/* n places, never moved */
	unsigned		 n;
	unsigned		 per_server;	/* at most this many a server */
};

void		 upstream_init(struct worker *);
/* a kept connection to server rsi into *x, or false; the caller owns
   it then */
bool		 upstream_take(struct worker *, int rsi, struct xconn *x);
/* keep *x, still in the epoll set, for server rsi (or close it) */
void		 upstream_put(struct worker *, int rsi, const struct xconn *x);
/* an event on kept connection i: the server closed it or spoke */
void		 upstream_event(struct worker *, uint32_t i,
		    uint32_t events);
void		 upstream_close_all(struct worker *);

#endif /* TCPVS_UPSTREAM_H */
