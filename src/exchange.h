/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * One request's way through a worker, as a resumable state machine: the
 * head read, the server chosen and connected (or a kept connection
 * taken), the head sent, both bodies relayed by their framing (flow.c),
 * the response head rewritten, then keep-alive or close.  Every step is
 * non-blocking and resumes on readiness or at a deadline; a worker runs
 * up to maxinflight of them at once.
 */
#ifndef TCPVS_EXCHANGE_H
#define TCPVS_EXCHANGE_H

#include <stdbool.h>
#include <stdint.h>

struct conn;
struct worker;

/* the worker's maxinflight places, made once */
void		 exchange_init(struct worker *);
/* a place is free */
bool		 exchange_room(const struct worker *);
/* an exchange may wait on its client connection (else every one waits
   on its server alone) */
bool		 exchange_need_clients(const struct worker *);
/*
 * Serve c (accepted, woken from a park, or handed off) in a free place;
 * false when there is none.  The exchange owns c from then on.
 */
bool		 exchange_start(struct worker *, const struct conn *);
/* epoll reported events on exchange i's client or server connection */
void		 exchange_event(struct worker *, uint32_t i, bool server,
		    uint32_t events);
/* SIGTERM: every exchange closed now */
void		 exchange_close_all(struct worker *);

#endif /* TCPVS_EXCHANGE_H */
