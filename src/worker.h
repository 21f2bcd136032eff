/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The worker process: belongs to one virtual service and runs up to
 * maxinflight exchanges (exchange.c) at once in one epoll loop, with every
 * deadline in one timer heap (timer.c).  Client connections are accepted,
 * parked between requests and handed off in conn_accept.c, conn.c and
 * conn_handoff.c; kept connections to real servers wait in upstream.c.
 * The worker's own file holds its start, its signals and its loop.
 */
#ifndef TCPVS_WORKER_H
#define TCPVS_WORKER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "conn.h"
#include "http.h"
#include "timer.h"
#include "upstream.h"

struct exchange;
struct generation;
struct sb;
struct sb_service;
struct sb_worker;
struct service;
struct tls_service;

/* what the master hands a worker it forks */
struct worker_args {
	const struct generation	*gen;
	const struct service	*svc;
	struct sb		*sb;
	int			 slot;		/* its scoreboard slot */
	int			 handoff[2];	/* [0] send, [1] take parked
						   connections (conn_handoff.c) */
	int			 alog;		/* access log, or -1 */
};

/* what a descriptor in the worker's epoll set belongs to (w->fdk) */
enum fd_kind {
	FD_NONE,
	FD_PARKED,	/* an idle client connection: its place */
	FD_CLIENT,	/* an exchange's client connection: the exchange */
	FD_SERVER,	/* an exchange's server connection: the exchange */
	FD_POOL		/* a kept server connection: its place in the pool */
};

/* epoll data of what is not a connection (those carry their fd) */
#define WORKER_TAG_LISTEN	(1ULL << 40)	/* | listener index */
#define WORKER_TAG_HANDOFF	(1ULL << 42)
#define WORKER_TAG_CONNS	(1ULL << 43)	/* epfd has events */
#define WORKER_TAG_CLIENTS	(1ULL << 44)	/* epc has events */

/*
 * A listening socket the worker watches: its index i is the one in
 * WORKER_TAG_LISTEN | i and conn_accept(w, i).  The service's listen
 * addresses come first, then its tls_listen ones (listener.c).
 */
struct worker_listener {
	int				 fd;
	const char			*name;	/* the address as written */
	const struct tls_service	*tls;	/* tls_listen: the service's TLS
						   side (xprt_tls_accept);
						   NULL: plain HTTP */
};

struct worker {
	const struct worker_args *a;
	const struct service	*svc;
	struct sb		*sb;
	struct sb_worker	*ws;
	struct sb_service	*ss;
	struct worker_listener	*listeners;	/* nlisteners, from the
						   generation it was forked
						   for */
	unsigned		 nlisteners;
	pid_t			 master;
	/*
	 * Three sets of descriptors, edge-triggered, each registered
	 * once for its life, and two sets of sets, chosen each round
	 * (worker.c, wait_set): a full worker whose exchanges wait on
	 * their servers alone is not woken by a parked connection's
	 * request it could not serve yet, as a prefork worker polls
	 * only its exchange's connections.
	 */
	int			 epfd;		/* server connections, the
						   exchanges' and the kept */
	int			 epc;		/* client connections, in
						   exchanges and parked */
	int			 epa;		/* epfd and epc */
	int			 epl;		/* listening sockets, handoff
						   socket, epfd and epc:
						   waited on with room */
	int			 epls;		/* listening sockets and epfd:
						   full, yet accepting */
	int			 eplc;		/* listening sockets, epfd and
						   epc: full, accepting, an
						   exchange waiting on its
						   client */
	int			 eph;		/* handoff socket, epfd and
						   epc: room, not accepting
						   (over its share) */
	struct timers		 timers;
	int64_t			 now;		/* ms, as of the last wake-up */
	struct http_limits	 lim;		/* request heads */
	struct http_limits	 rlim;		/* response heads */
	struct exchange		*x;		/* nx places, never moved */
	unsigned		 nx;		/* maxinflight */
	unsigned		 inflight;
	struct exchange		*xfree;		/* free places, a stack: the
						   last used (warm) goes first */
	struct conns		 conns;		/* conn.c */
	struct upstream		 up;		/* upstream.c */
	uint8_t			*fdk;		/* enum fd_kind, by descriptor */
	uint32_t		*fdi;		/* the place it names */
	unsigned		 nfd;
	bool			 finishing;
	bool			 orphaned;	/* the master is gone */
	int64_t			 master_check;	/* ms: next look */
	unsigned long		 served;	/* connections closed */
};

noreturn void	worker_main(const struct worker_args *);

/* SIGTERM: close everything now */
bool		 worker_stop_now(void);
/* SIGTERM or SIGUSR1 (also the master's death) */
bool		 worker_told_to_stop(void);
/* stop taking work: told to, the master gone, or maxrequestsperchild */
bool		 worker_should_finish(const struct worker *);
/* the descriptor belongs to kind / place i (FD_NONE: forget it) */
void		 worker_fd_own(struct worker *, int fd, enum fd_kind,
		    uint32_t i);
/* register a new connection for every event, edge-triggered; -1 */
int		 worker_fd_watch(struct worker *, int fd, enum fd_kind,
		    uint32_t i);
/* close a descriptor the worker owns */
void		 worker_fd_close(struct worker *, int fd);
/* take the events of the client connections (epc) now, without waiting:
   a full worker asleep on its servers alone has not seen them */
void		 worker_take_client_events(struct worker *);

#endif /* TCPVS_WORKER_H */
