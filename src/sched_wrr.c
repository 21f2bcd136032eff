/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Weighted round robin, IPVS's interleaved algorithm (ip_vs_wrr.c): a
 * current weight cw starts at the largest weight and steps down by the
 * greatest common divisor of the weights; each pass over the servers picks
 * those whose weight is at least cw, so weights 4:3:2 give a a b a b c a b
 * c.  The maximum and divisor are computed from the runtime weights in the
 * scoreboard on every call (at most 64 servers), so weight changes take
 * effect at once.  The position and cw are one atomic 64-bit word in the
 * scoreboard, shared by every worker of the service and advanced with
 * compare-and-swap: no lock, and a worker killed at any point leaves it
 * valid.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

/* the shared word: cw in the high half, next position in the low half */
#define WRR_PACK(pos, cw)	(((uint64_t)(cw) << 32) | (uint32_t)(pos))
#define WRR_POS(st)		((uint32_t)(st))
#define WRR_CW(st)		((uint32_t)((st) >> 32))

/* one consistent reading of the runtime weights for one request */
struct wrr_view {
	uint32_t	w[CONF_MAX_SERVERS];	/* 0: not a candidate */
	unsigned	n;
	uint32_t	mw;	/* largest weight of the available servers */
	uint32_t	di;	/* their greatest common divisor */
	uint32_t	cmax;	/* largest weight of the candidates */
};

static size_t
wrr_shm_size(const struct service *svc)
{
	(void)svc;
	return sizeof(_Atomic uint64_t);
}

static uint32_t
gcd(uint32_t a, uint32_t b)
{
	uint32_t t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * Read weights once.  Servers excluded for this request, or not named by
 * its rule, still count for mw and di, so the step of the shared cycle
 * does not depend on who asks; they are only never picked.  Returns the largest candidate weight.
 */
static uint32_t
wrr_view(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, struct wrr_view *v)
{
	const struct sb_server *s;
	uint32_t wt;

	v->n = svc->nrs < CONF_MAX_SERVERS ? svc->nrs : CONF_MAX_SERVERS;
	v->mw = v->di = v->cmax = 0;
	for (unsigned i = 0; i < v->n; i++) {
		v->w[i] = 0;
		if (!sched_available(svc, sb, NULL, i))
			continue;
		s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
		wt = atomic_load_explicit(&s->weight, memory_order_relaxed);
		if (wt == 0)
			continue;
		v->mw = wt > v->mw ? wt : v->mw;
		v->di = gcd(wt, v->di);
		/* the request's own limits: failed servers, a rule's servers */
		if (!sched_available(svc, sb, req, i))
			continue;
		v->w[i] = wt;
		v->cmax = wt > v->cmax ? wt : v->cmax;
	}
	return v->cmax;
}

/*
 * From the state (pos, cw), the next server whose weight is at least cw,
 * updating the state; -1 only if there is no candidate.  cw is never
 * above the largest candidate weight, so the current pass or the next one
 * finds a server: at most 2n + 1 steps.
 */
static int
wrr_step(const struct wrr_view *v, uint32_t *pos, uint32_t *cw)
{
	uint32_t i = *pos, c = *cw;

	c -= c % v->di;		/* realign after a weight change */
	for (unsigned steps = 0; steps <= 2 * v->n + 1; steps++) {
		if (i >= v->n) {
			i = 0;
			c = c > v->di ? c - v->di : 0;
		}
		if (c == 0)
			c = v->mw;
		if (c > v->cmax)
			c = v->cmax;
		if (v->w[i] >= c) {
			*pos = i + 1;
			*cw = c;
			return (int)i;
		}
		i++;
	}
	return -1;
}

static int
wrr_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	struct wrr_view v;
	_Atomic uint64_t *state;
	uint64_t cur;
	uint32_t pos, cw;
	int i;

	if (svc->sb_index < 0 || wrr_view(svc, sb, req, &v) == 0)
		return -1;
	state = sb_sched(sb, (unsigned)svc->sb_index);
	cur = atomic_load_explicit(state, memory_order_relaxed);
	do {
		pos = WRR_POS(cur);
		cw = WRR_CW(cur);
		if ((i = wrr_step(&v, &pos, &cw)) == -1)
			return -1;
	} while (!atomic_compare_exchange_weak_explicit(state, &cur,
	    WRR_PACK(pos, cw), memory_order_relaxed, memory_order_relaxed));
	return i;
}

const struct sched_ops sched_wrr = {
	.name = "wrr",
	.flags = 0,
	.shm_size = wrr_shm_size,
	.init_service = sched_init_none,
	.done_service = sched_done_none,
	.schedule = wrr_schedule,
	.response_fields = sched_fields_none,
};
