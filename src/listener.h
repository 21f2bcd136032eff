/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * A service's listening sockets, as the master binds them and hands them
 * from one generation to the next: an address both generations serve
 * keeps its socket (found by address), a new one is bound, a dropped one
 * closed.  A service's addresses are its listen ones, then its tls_listen
 * ones, numbered 0 .. listener_count() - 1 in that order; a worker
 * watches the same numbering (worker.c).
 */
#ifndef TCPVS_LISTENER_H
#define TCPVS_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

struct conf_listen;
struct generation;
struct service;
struct tls_service;

/* how many addresses svc listens on, plain and TLS */
unsigned		 listener_count(const struct service *);
/* the k-th (k < listener_count); _mut: to set its fd */
const struct conf_listen *listener_get(const struct service *, unsigned k);
struct conf_listen	*listener_mut(struct service *, unsigned k);
/* the TLS side of the k-th, or NULL when it speaks plain HTTP */
const struct tls_service *listener_tls(const struct service *, unsigned k);

/* bind every address of gen's listening services; 0, or -1 after
   logging "virtual IDENT: listen ADDR: bind" */
int	 listener_bind(struct generation *);
/*
 * Give gen its sockets: an address that cur (the running generation,
 * may be NULL) listens on keeps that socket, so connections wait in the
 * backlog across a restart and a plain listen may become a tls_listen on
 * the same address; a new one is bound.  0, or -1 with the reason in err
 * and none of gen's new sockets left open.
 */
int	 listener_take(const struct generation *cur, struct generation *gen,
	    char *err, size_t errlen);
/* undo listener_take: close gen's sockets that cur does not own */
void	 listener_drop_new(const struct generation *cur,
	    struct generation *gen);
/* the reload stands: gen's sockets take its backlog, old's that gen did
   not take close, and old forgets them all */
void	 listener_release(struct generation *old,
	    const struct generation *gen);
/* close every socket of gen (graceful stop) */
void	 listener_close(const struct generation *);
/* in a child: close the sockets of svc, unless mine listens on them too */
void	 listener_close_child(const struct service *svc,
	    const struct service *mine);

#endif /* TCPVS_LISTENER_H */
