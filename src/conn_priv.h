/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What conn.c, conn_accept.c and conn_handoff.c share, and nothing else
 * includes: the places of parked connections and the functions one file
 * calls in the other.  The worker sees only conn.h.
 */
#ifndef TCPVS_CONN_PRIV_H
#define TCPVS_CONN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "timer.h"
#include "worker.h"

#define CONN_CHUNK		256	/* places made at a time */
#define CONN_HANDOFF_MS		20	/* full this long: hand off */
#define CONN_NONE		UINT32_MAX

static inline struct parked *
place(const struct worker *w, uint32_t i)
{
	return &w->conns.chunk[i / CONN_CHUNK][i % CONN_CHUNK];
}

/* conn.c */
void		 conn_unpark(struct worker *, struct parked *, uint32_t i);
void		 conn_of(struct conn *, int fd, const struct handoff_msg *);
void		 conn_requeue(struct worker *);

/* conn_handoff.c */
void		 conn_handoff_due(struct timer *);
bool		 conn_recv_handoff(struct worker *, struct conn *);
bool		 conn_handed_waiting(const struct worker *);
bool		 conn_take_handed(struct worker *);

#endif /* TCPVS_CONN_PRIV_H */
