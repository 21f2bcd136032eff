/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The locality table of lblc and lblcr (sched_locality.h says how it is
 * kept).  The locality of a request is its Host and path without the
 * query.  Server sets are masks of configuration positions: a reload that
 * reorders servers moves localities once.
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
#include "sched_locality.h"
#include "scoreboard.h"

/* the clock, replaceable by the unit tests */
uint32_t (*sched_lblc_now)(void);

uint32_t
lblc_now(void)
{
	return sched_lblc_now != NULL ? sched_lblc_now() :
	    (uint32_t)time(NULL);
}

size_t
lblc_shm_size(const struct service *svc)
{
	(void)svc;
	return sizeof(struct lblc_shared);
}

uint64_t
lblc_locality(const struct sched_req *req)
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

static int
live(const struct service *svc, struct lblc_entry *e, uint32_t now)
{
	return now - atomic_load_explicit(&e->used, memory_order_relaxed) <=
	    svc->lblc_expiration;
}

struct lblc_entry *
lblc_find(const struct service *svc, struct lblc_shared *sh, uint64_t key,
    uint32_t now)
{
	struct lblc_entry *t = sh->e, *e;

	for (unsigned n = 0; n < LBLC_PROBE; n++) {
		e = &t[(key + n) % LBLC_ENTRIES];
		if (atomic_load_explicit(&e->key, memory_order_acquire) == key &&
		    live(svc, e, now))
			return e;
	}
	return NULL;
}

struct lblc_entry *
lblc_place(const struct service *svc, struct lblc_shared *sh, uint64_t key,
    uint32_t now)
{
	struct lblc_entry *t = sh->e, *e, *best = NULL;
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

void
lblc_record(struct lblc_entry *e, uint64_t key, uint64_t servers, uint32_t now)
{
	atomic_store_explicit(&e->servers, servers, memory_order_relaxed);
	atomic_store_explicit(&e->used, now, memory_order_relaxed);
	atomic_store_explicit(&e->modified, now, memory_order_relaxed);
	atomic_store_explicit(&e->key, key, memory_order_release);
}

void
lblc_load(const struct service *svc, const struct sb *sb, unsigned i,
    uint64_t *act, uint64_t *w)
{
	const struct sb_server *s = sb_server(sb,
	    (unsigned)svc->rs[i].sb_index);

	*act = atomic_load_explicit(&s->active, memory_order_relaxed);
	*w = atomic_load_explicit(&s->weight, memory_order_relaxed);
}

int
lblc_overloaded(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, unsigned i)
{
	uint64_t act, w, a2, w2;

	lblc_load(svc, sb, i, &act, &w);
	if (act <= w)
		return 0;
	for (unsigned j = 0; j < svc->nrs; j++) {
		if (!sched_available(svc, sb, req, j))
			continue;
		lblc_load(svc, sb, j, &a2, &w2);
		if (a2 * 2 < w2)
			return 1;
	}
	return 0;
}

int
lblc_pick_wlc(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, uint64_t mask, struct lblc_shared *sh)
{
	return sched_pick_least(svc, sb, req, mask, SCHED_LOAD_WLC,
	    sh != NULL ? &sh->ties : NULL);
}
