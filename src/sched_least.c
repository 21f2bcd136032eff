/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The least-load choice that lc, wlc, sed, nq, lblc and lblcr share.
 * The load of a server is read from the scoreboard once per request:
 * active connections (lc), active / weight (wlc, KTCPVS's default) or
 * (active + 1) / weight (sed), compared by cross-multiplying.  Among the
 * servers of least load, which at light load is all of them, the choice
 * goes in turn: smooth weighted round robin (nginx's, for wlc, sed and
 * nq), or plain turns (weight 1 each, for lc, which ignores weights as
 * IPVS does).  Without this the first server in configuration order would
 * take every request of a lightly loaded farm.
 *
 * Smooth weighted round robin: each tied server's current value grows by
 * its weight, the largest is chosen and loses the sum of the weights.
 * The current values are atomic words in the scheduler's scoreboard
 * bytes, shared by every worker: additions and subtractions commute, so
 * concurrent choosers never lose a step (they may see each other's half
 * steps, which at worst lets a server go twice in a row).  No lock, and a
 * worker killed in the middle of a step leaves an offset that the next
 * steps absorb.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

/* a current value past this is garbage (another scheduler's bytes) */
#define TIES_BOUND	((int64_t)1 << 40)

/* one reading of the candidates' loads, as a fraction num / den */
struct least_view {
	uint64_t	 num[CONF_MAX_SERVERS];
	uint64_t	 den[CONF_MAX_SERVERS];
	uint64_t	 mask;		/* the eligible ones */
};

static void
read_loads(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, uint64_t mask, enum sched_load how,
    struct least_view *v)
{
	const struct sb_server *s;
	uint64_t act, w;

	v->mask = 0;
	for (unsigned i = 0; i < svc->nrs && i < CONF_MAX_SERVERS; i++) {
		if (!((mask >> i) & 1) || !sched_available(svc, sb, req, i))
			continue;
		s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
		w = atomic_load_explicit(&s->weight, memory_order_relaxed);
		act = atomic_load_explicit(&s->active, memory_order_relaxed);
		if (w == 0)	/* set to 0 since sched_available() looked */
			continue;
		switch (how) {
		case SCHED_LOAD_WLC:
			v->num[i] = act;
			v->den[i] = w;
			break;
		case SCHED_LOAD_SED:
			v->num[i] = act + 1;
			v->den[i] = w;
			break;
		case SCHED_LOAD_LC:
			v->num[i] = act;
			v->den[i] = 1;
			break;
		}
		v->mask |= (uint64_t)1 << i;
	}
}

/* the servers of least load; 32x32 bits fit in 64 */
static uint64_t
least_set(const struct least_view *v)
{
	uint64_t set = 0, ln = 0, ld = 0;

	for (unsigned i = 0; i < CONF_MAX_SERVERS; i++) {
		if (!((v->mask >> i) & 1))
			continue;
		if (set == 0 || v->num[i] * ld < ln * v->den[i]) {
			set = (uint64_t)1 << i;
			ln = v->num[i];
			ld = v->den[i];
		} else if (v->num[i] * ld == ln * v->den[i])
			set |= (uint64_t)1 << i;
	}
	return set;
}

/* one step of smooth weighted round robin over set */
static int
smooth_turn(const struct service *svc, const struct sb *sb,
    struct sched_ties *t, uint64_t set, enum sched_load how)
{
	int64_t w[CONF_MAX_SERVERS], cur, best = 0, total = 0;
	int pick = -1;

	for (unsigned i = 0; i < CONF_MAX_SERVERS; i++) {
		if (!((set >> i) & 1))
			continue;
		w[i] = how == SCHED_LOAD_LC ? 1 : (int64_t)atomic_load_explicit(
		    &sb_server(sb, (unsigned)svc->rs[i].sb_index)->weight,
		    memory_order_relaxed);
		total += w[i];
		cur = atomic_fetch_add_explicit(&t->cur[i], w[i],
		    memory_order_relaxed) + w[i];
		if (cur > TIES_BOUND || cur < -TIES_BOUND) {
			atomic_store_explicit(&t->cur[i], 0,
			    memory_order_relaxed);
			cur = 0;
		}
		if (pick == -1 || cur > best) {
			best = cur;
			pick = (int)i;
		}
	}
	if (pick >= 0)
		atomic_fetch_sub_explicit(&t->cur[pick], total,
		    memory_order_relaxed);
	return pick;
}

int
sched_pick_least(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, uint64_t mask, enum sched_load how,
    struct sched_ties *ties)
{
	struct least_view v;
	uint64_t set;

	read_loads(svc, sb, req, mask, how, &v);
	if ((set = least_set(&v)) == 0)
		return -1;
	if (ties == NULL || (set & (set - 1)) == 0)
		return __builtin_ctzll(set);
	return smooth_turn(svc, sb, ties, set, how);
}
