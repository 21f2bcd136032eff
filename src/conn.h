/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * A worker's client connections outside exchanges: accepting them (a
 * batch at a time), parking them while they idle (before their first
 * request, and between requests), queueing those whose request came while
 * every exchange place was taken, handing the parked ones to the
 * service's idle workers when this one stays full, and closing them at
 * their deadline.  A connection is registered in the worker's epoll set
 * once, when it is accepted; parking it and waking it make no system
 * call.
 */
#ifndef TCPVS_CONN_H
#define TCPVS_CONN_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include "timer.h"
#include "util.h"
#include "xprt.h"

struct worker;

/* a client connection, as an exchange holds it */
struct conn {
	struct xconn		 x;		/* its transport; x.fd the
						   socket */
	bool			 tls;		/* from a TLS listener: stays
						   in this worker (the SSL
						   cannot be handed off) */
	bool			 handshake;	/* its TLS handshake is to do
						   (first request's time) */
	const char		*lname;		/* its listener as written */
	struct sockaddr_storage	 client;
	char			 clientstr[UTIL_ADDRSTRLEN];
	unsigned		 nreq;		/* requests read on it */
	int			 lowat;		/* SO_RCVLOWAT as set, 0: never */
	uint64_t		 in;		/* bytes from the client */
	uint64_t		 out;		/* bytes to the client */
	int64_t			 idle_until;	/* parked again with this
						   deadline if nothing comes */
	int64_t			 since;		/* its request came then
						   (queued for a place):
						   request_timeout counts from
						   it; 0: from the exchange's
						   start */
	bool			 refuse;	/* over maxconnperip: 503 */
	bool			 proxy;		/* accept_proxy: its PROXY
						   header is still to come */
};

/* what goes with a parked connection through the handoff socket */
struct handoff_msg {
	unsigned		 nreq;
	int64_t			 deadline;	/* util_now_ms() */
	int64_t			 since;		/* its request came then, and
						   waits for a place; 0: not
						   queued */
	struct sockaddr_storage	 client;
	bool			 proxy;		/* its PROXY header to come */
};

struct parked {
	int			 fd;		/* -1: free */
	struct xconn		 x;		/* fd's transport */
	bool			 tls;
	bool			 handshake;	/* accepted while full: its TLS
						   handshake (and a PROXY header
						   before it) still to come */
	const char		*lname;		/* its listener as written */
	struct handoff_msg	 m;
	struct timer		 tm;		/* m.deadline */
	bool			 queued;	/* its request came, no place */
	uint32_t		 next;		/* in the queue */
	uint32_t		 iprev, inext;	/* idle (not queued), oldest
						   parked first */
	uint32_t		 index;		/* its place */
	struct worker		*w;
};

struct conns {
	struct parked		**chunk;	/* CONN_CHUNK places each */
	unsigned		 nchunk;
	unsigned		 cap;		/* places made */
	unsigned		 max;		/* within the open-files limit */
	uint32_t		*free;		/* free places, a stack */
	unsigned		 nfree;
	unsigned		 nparked;	/* queued ones included */
	uint32_t		 qhead, qtail;	/* queued, oldest first */
	unsigned		 nqueued;	/* of those, that could be
						   handed off (not TLS) */
	bool			 own_turn;	/* conn_run_queue: the queue's
						   head before a handed-off
						   request */
	uint32_t		 ihead, itail;	/* idle, oldest parked first */
	bool			 listening;	/* listeners in the epoll set */
	struct timer		 handoff;	/* full this long: hand off */
	bool			 declined;	/* full, others had room */
	int64_t			 over_since;	/* ms: holding more than its
						   share since, 0: not */
	int64_t			 census_ms;	/* ms: least as of then */
	int64_t			 handed_look;	/* ms: handed-off requests
						   counted, none found: not
						   before then */
	unsigned		 least;		/* sb_census().least */
};

void		 conn_init(struct worker *);
/* epoll reported listening socket i / the handoff socket / a parked one */
void		 conn_accept(struct worker *, unsigned i);
void		 conn_take_handoff(struct worker *);
void		 conn_parked_event(struct worker *, uint32_t place,
		    uint32_t events);
/* c idles: watch it until deadline; false if it cannot be (closed) */
bool		 conn_park(struct worker *, struct conn *, int64_t deadline);
/*
 * A TLS connection whose handshake is to come: has its client sent the
 * whole first record of its ClientHello (so waits on this side)?  A
 * client that stalls mid-hello has not.  false with a PROXY header to
 * come first.
 */
bool		 conn_hello_sent(int fd, bool handshake, bool proxy);
/* maxconnperip: is c's address over the service's limit? */
bool		 conn_over_limit(const struct worker *, const struct conn *);
/* close c and count it */
void		 conn_close(struct worker *, struct conn *);
/* close a connection's transport and descriptor (a client's or a
   server's); the worker forgets the descriptor */
void		 conn_xclose(struct worker *, struct xconn *);
/* give places freed since to queued connections */
void		 conn_run_queue(struct worker *);
/* every exchange place taken, or one free again */
void		 conn_set_full(struct worker *, bool full);
/* should the worker wait for new connections too (its listeners) */
bool		 conn_want_accept(struct worker *);
/* ms to wait at most for events (timeout from the timers), so that a
   worker over its share, or full while others had room, looks at its
   listeners again in time */
int		 conn_wait_ms(const struct worker *, int timeout);
/* told to finish: no more accepts, parked ones get a last second */
void		 conn_begin_finish(struct worker *);
/* parked or queued connections left */
unsigned	 conn_parked(const struct worker *);
void		 conn_close_all(struct worker *);

#endif /* TCPVS_CONN_H */
