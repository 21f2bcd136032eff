/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Locality-based least connection, with and without replication (IPVS
 * ip_vs_lblc.c and ip_vs_lblcr.c), for cache farms.  The locality of a
 * request is its Host and path without the query.  lblc sends a locality
 * to the server that had it, unless that server is unavailable or
 * overloaded (IPVS: more active requests than its weight while another
 * server has fewer than half its weight), and then to the server wlc
 * picks, which keeps it from then on.  lblcr keeps a set of servers per
 * locality: the least loaded of the set takes the request; when it is
 * overloaded wlc's pick joins the set; a set of several not changed for
 * lblc_expiration seconds loses its most loaded member.
 *
 * The tables live in the scoreboard (shm_size), 1024 localities a
 * service, shared by every worker: open addressing over 8 slots from the
 * locality's hash, each field an atomic word (a torn update at worst
 * sends one request of a locality elsewhere, as a reschedule would).  An
 * entry unused for lblc_expiration seconds is free; a full neighbourhood
 * gives up its least recently used entry.  Server sets are masks of
 * configuration positions: a reload that reorders servers moves
 * localities once.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "conf-t.h"
#include "http.h"
#include "sched.h"
#include "scoreboard.h"

#define LBLC_ENTRIES	1024
#define LBLC_PROBE	8

struct lblc_entry {
	_Atomic uint64_t	 key;		/* locality hash | 1; 0: free */
	_Atomic uint64_t	 servers;	/* mask of server positions */
	_Atomic uint32_t	 used;		/* unix seconds */
	_Atomic uint32_t	 modified;	/* lblcr: set last changed */
	uint64_t		 pad;
};

/* the clock, replaceable by the unit tests */
uint32_t (*sched_lblc_now)(void);

static uint32_t
now_s(void)
{
	return sched_lblc_now != NULL ? sched_lblc_now() :
	    (uint32_t)time(NULL);
}

static size_t
lblc_shm_size(const struct service *svc)
{
	(void)svc;
	return LBLC_ENTRIES * sizeof(struct lblc_entry);
}

static uint64_t
locality(const struct sched_req *req)
{
	const struct http_req *h = req->http;
	char buf[2048];
	size_t n;

	n = sched_host(req, buf, sizeof(buf) / 2);
	if (h != NULL && req->head != NULL) {
		size_t pl = h->path.len < sizeof(buf) - n ? h->path.len :
		    sizeof(buf) - n;

		memcpy(buf + n, req->head + h->path.off, pl);
		n += pl;
	}
	return sched_hash(buf, n, 0x6c62) | 1;
}

static struct lblc_entry *
table(const struct service *svc, const struct sb *sb)
{
	return sb_sched(sb, (unsigned)svc->sb_index);
}

static int
live(const struct service *svc, struct lblc_entry *e, uint32_t now)
{
	return now - atomic_load_explicit(&e->used, memory_order_relaxed) <=
	    svc->lblc_expiration;
}

/* the live entry of key, or NULL */
static struct lblc_entry *
find(const struct service *svc, const struct sb *sb, uint64_t key,
    uint32_t now)
{
	struct lblc_entry *t = table(svc, sb), *e;

	for (unsigned n = 0; n < LBLC_PROBE; n++) {
		e = &t[(key + n) % LBLC_ENTRIES];
		if (atomic_load_explicit(&e->key, memory_order_acquire) == key &&
		    live(svc, e, now))
			return e;
	}
	return NULL;
}

/* a place for key: its own, a free or dead one, or the least recent */
static struct lblc_entry *
place(const struct service *svc, const struct sb *sb, uint64_t key,
    uint32_t now)
{
	struct lblc_entry *t = table(svc, sb), *e, *best = NULL;
	uint32_t age, oldest = 0;

	for (unsigned n = 0; n < LBLC_PROBE; n++) {
		e = &t[(key + n) % LBLC_ENTRIES];
		if (atomic_load_explicit(&e->key, memory_order_relaxed) == key)
			return e;
		age = atomic_load_explicit(&e->key, memory_order_relaxed) ==
		    0 || !live(svc, e, now) ? UINT32_MAX : now -
		    atomic_load_explicit(&e->used, memory_order_relaxed);
		if (best == NULL || age > oldest) {
			best = e;
			oldest = age;
		}
	}
	return best;
}

static void
record(struct lblc_entry *e, uint64_t key, uint64_t servers, uint32_t now)
{
	atomic_store_explicit(&e->servers, servers, memory_order_relaxed);
	atomic_store_explicit(&e->used, now, memory_order_relaxed);
	atomic_store_explicit(&e->modified, now, memory_order_relaxed);
	atomic_store_explicit(&e->key, key, memory_order_release);
}

static void
load(const struct service *svc, const struct sb *sb, unsigned i,
    uint64_t *act, uint64_t *w)
{
	const struct sb_server *s = sb_server(sb,
	    (unsigned)svc->rs[i].sb_index);

	*act = atomic_load_explicit(&s->active, memory_order_relaxed);
	*w = atomic_load_explicit(&s->weight, memory_order_relaxed);
}

/* IPVS's is_overloaded(): over its weight while another is under half */
static int
overloaded(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, unsigned i)
{
	uint64_t act, w, a2, w2;

	load(svc, sb, i, &act, &w);
	if (act <= w)
		return 0;
	for (unsigned j = 0; j < svc->nrs; j++) {
		if (!sched_available(svc, sb, req, j))
			continue;
		load(svc, sb, j, &a2, &w2);
		if (a2 * 2 < w2)
			return 1;
	}
	return 0;
}

static int
lblc_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	uint64_t key = locality(req), m;
	uint32_t now = now_s();
	struct lblc_entry *e = find(svc, sb, key, now);
	int i;

	if (e != NULL) {
		m = atomic_load_explicit(&e->servers, memory_order_relaxed);
		i = m != 0 ? __builtin_ctzll(m) : -1;
		if (i >= 0 && sched_available(svc, sb, req, (unsigned)i) &&
		    !overloaded(svc, sb, req, (unsigned)i)) {
			atomic_store_explicit(&e->used, now,
			    memory_order_relaxed);
			return i;
		}
	}
	if ((i = sched_pick_wlc(svc, sb, req, sched_all(svc))) < 0)
		return -1;
	record(place(svc, sb, key, now), key, (uint64_t)1 << i, now);
	return i;
}

/* the most loaded available member of set (active/weight), or -1 */
static int
most_loaded(const struct service *svc, const struct sb *sb, uint64_t set)
{
	uint64_t act, w, bact = 0, bw = 1;
	int most = -1;

	for (unsigned i = 0; i < svc->nrs; i++) {
		if (!((set >> i) & 1))
			continue;
		load(svc, sb, i, &act, &w);
		if (w == 0)
			return (int)i;	/* quiescent: first to go */
		if (most == -1 || act * bw > bact * w) {
			most = (int)i;
			bact = act;
			bw = w;
		}
	}
	return most;
}

static int
lblcr_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	uint64_t key = locality(req), set;
	uint32_t now = now_s();
	struct lblc_entry *e = find(svc, sb, key, now);
	int i = -1, j, drop;

	if (e == NULL) {
		if ((i = sched_pick_wlc(svc, sb, req, sched_all(svc))) < 0)
			return -1;
		record(place(svc, sb, key, now), key, (uint64_t)1 << i, now);
		return i;
	}
	set = atomic_load_explicit(&e->servers, memory_order_relaxed) &
	    sched_all(svc);
	/* a set of several, unchanged for long: its most loaded leaves */
	if (__builtin_popcountll(set) > 1 && now - atomic_load_explicit(
	    &e->modified, memory_order_relaxed) > svc->lblc_expiration &&
	    (drop = most_loaded(svc, sb, set)) >= 0) {
		set &= ~((uint64_t)1 << drop);
		atomic_store_explicit(&e->servers, set, memory_order_relaxed);
		atomic_store_explicit(&e->modified, now, memory_order_relaxed);
	}
	i = sched_pick_wlc(svc, sb, req, set);
	if (i >= 0 && !overloaded(svc, sb, req, (unsigned)i)) {
		atomic_store_explicit(&e->used, now, memory_order_relaxed);
		return i;
	}
	/* none of the set can take it well: wlc's choice joins the set */
	if ((j = sched_pick_wlc(svc, sb, req, sched_all(svc))) < 0)
		return i;
	set |= (uint64_t)1 << j;
	atomic_store_explicit(&e->servers, set, memory_order_relaxed);
	atomic_store_explicit(&e->modified, now, memory_order_relaxed);
	atomic_store_explicit(&e->used, now, memory_order_relaxed);
	return j;
}

const struct sched_ops sched_lblc = {
	.name = "lblc",
	.flags = SCHED_F_HTTP | SCHED_F_SHM,
	.shm_size = lblc_shm_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = lblc_schedule,
};

const struct sched_ops sched_lblcr = {
	.name = "lblcr",
	.flags = SCHED_F_HTTP | SCHED_F_SHM,
	.shm_size = lblc_shm_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = lblcr_schedule,
};
