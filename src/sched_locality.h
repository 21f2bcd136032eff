/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The locality table lblc and lblcr share (sched_locality.c): in the
 * scheduler's scoreboard bytes, 1024 localities a service, each with a
 * mask of server positions, open addressing over 8 slots from the
 * locality's hash, each field an atomic word (a torn update at worst
 * sends one request of a locality elsewhere, as a reschedule would).  An
 * entry unused for lblc_expiration seconds is free; a full neighbourhood
 * gives up its least recently used entry.  After the table, the cursor of
 * the least-connection choice for new localities.
 */
#ifndef TCPVS_SCHED_LOCALITY_H
#define TCPVS_SCHED_LOCALITY_H

#include <stdatomic.h>
#include <stdint.h>

#include "sched.h"

#define LBLC_ENTRIES	1024
#define LBLC_PROBE	8

struct lblc_entry {
	_Atomic uint64_t	 key;		/* locality hash | 1; 0: free */
	_Atomic uint64_t	 servers;	/* mask of server positions */
	_Atomic uint32_t	 used;		/* unix seconds */
	_Atomic uint32_t	 modified;	/* lblcr: set last changed */
	uint64_t		 pad;
};

struct lblc_shared {
	struct lblc_entry	 e[LBLC_ENTRIES];
	struct sched_ties	 ties;
};

size_t		 lblc_shm_size(const struct service *);
/* unix seconds (sched_lblc_now in tests) */
uint32_t	 lblc_now(void);
/* the locality of a request: Host and path, hashed; never 0 */
uint64_t	 lblc_locality(const struct sched_req *);
/* the live entry of key, or NULL */
struct lblc_entry *lblc_find(const struct service *, struct lblc_shared *,
		    uint64_t key, uint32_t now);
/* a place for key: its own, a free or dead one, or the least recent */
struct lblc_entry *lblc_place(const struct service *, struct lblc_shared *,
		    uint64_t key, uint32_t now);
void		 lblc_record(struct lblc_entry *, uint64_t key,
		    uint64_t servers, uint32_t now);
/* active count and runtime weight of server i */
void		 lblc_load(const struct service *, const struct sb *,
		    unsigned i, uint64_t *act, uint64_t *w);
/* IPVS's is_overloaded(): over its weight while another is under half */
int		 lblc_overloaded(const struct service *, const struct sb *,
		    const struct sched_req *, unsigned i);
/* wlc over mask, ties in turn; sh may be NULL */
int		 lblc_pick_wlc(const struct service *, const struct sb *,
		    const struct sched_req *, uint64_t mask,
		    struct lblc_shared *);

#endif /* TCPVS_SCHED_LOCALITY_H */
