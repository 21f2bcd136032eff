/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Say a thing about a source address at most once an interval: a fixed
 * table (RATELIM_SLOTS places, no allocation) keyed by the address alone
 * (not the port), which counts the messages it held back and gives the
 * count with the next one it lets through.  A full table forgets the
 * place seen least recently among those the address may take.  Pure: the
 * caller gives the time, and does the logging.
 */
#ifndef TCPVS_RATELIM_H
#define TCPVS_RATELIM_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#define RATELIM_SLOTS	256
#define RATELIM_PROBES	8	/* places an address may take */

struct ratelim_slot {
	uint8_t		 addr[16];	/* IPv4 in the first 4 */
	uint8_t		 family;	/* 0: free */
	int64_t		 said_ms;	/* when it was last let through */
	int64_t		 seen_ms;	/* the last message, said or not */
	uint32_t	 held;		/* held back since said_ms */
};

struct ratelim {
	int64_t			 interval_ms;
	struct ratelim_slot	 slot[RATELIM_SLOTS];
};

void	ratelim_init(struct ratelim *, int64_t interval_ms);
/*
 * A message about src at now_ms: true when it is to be said, with *held
 * the number held back since the last one said about src (0 the first
 * time); false when it is held back (counted).
 */
bool	ratelim_allow(struct ratelim *, const struct sockaddr *src,
	    int64_t now_ms, uint32_t *held);

#endif /* TCPVS_RATELIM_H */
