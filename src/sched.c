/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The scheduler registry and what schedulers share.  The one list of
 * schedulers is the table below; conf.c finds a service's scheduler by
 * name through sched_lookup() and reports an unknown name as a
 * configuration error (there is no default to fall back to).  The helpers
 * decide eligibility from the scoreboard (runtime weight, health, admin
 * state) and the request's exclusions, and implement KTCPVS's weighted
 * least-connection choice used by wlc and the content-rule schedulers.
 * Everything here runs in workers on the request path: no allocation, no
 * system calls.
 */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

/* the only list of schedulers: one line per sched_<name>.c */
static const struct sched_ops *const scheds[] = {
	&sched_rr,
	&sched_wrr,
	&sched_lc,
	&sched_wlc,
	&sched_http,
	&sched_phttp,
	&sched_chttp,
};

#define NSCHEDS	(sizeof(scheds) / sizeof(scheds[0]))

const struct sched_ops *
sched_lookup(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < NSCHEDS; i++)
		if (strcmp(scheds[i]->name, name) == 0)
			return scheds[i];
	return NULL;
}

const char * const *
sched_names(void)
{
	static const char *names[NSCHEDS + 1];

	if (names[0] == NULL)
		for (size_t i = 0; i < NSCHEDS; i++)
			names[i] = scheds[i]->name;
	return names;
}

int
sched_available(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, unsigned i)
{
	int slot;

	if (i >= svc->nrs || i >= CONF_MAX_SERVERS)
		return 0;
	if (req != NULL && (req->exclude >> i) & 1)
		return 0;
	if ((slot = svc->rs[i].sb_index) < 0)
		return 0;
	return sb_server_available(sb_server(sb, (unsigned)slot));
}

int
sched_pick_wlc(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, uint64_t mask)
{
	const struct sb_server *s;
	uint64_t act, w, lact = 0, lw = 0;
	int least = -1;

	for (unsigned i = 0; i < svc->nrs && i < CONF_MAX_SERVERS; i++) {
		if (!((mask >> i) & 1) || !sched_available(svc, sb, req, i))
			continue;
		s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
		w = atomic_load_explicit(&s->weight, memory_order_relaxed);
		act = atomic_load_explicit(&s->active, memory_order_relaxed);
		if (w == 0)	/* set to 0 since sched_available() looked */
			continue;
		/* act/w < lact/lw, without division; 32x32 bits fit in 64 */
		if (least == -1 || act * lw < lact * w) {
			least = (int)i;
			lact = act;
			lw = w;
		}
	}
	return least;
}

uint64_t
sched_all(const struct service *svc)
{
	if (svc->nrs >= 64)
		return UINT64_MAX;
	return ((uint64_t)1 << svc->nrs) - 1;
}

size_t
sched_shm_none(const struct service *svc)
{
	(void)svc;
	return 0;
}

int
sched_init_none(struct service *svc, char *err, size_t errlen)
{
	(void)svc;
	(void)err;
	(void)errlen;
	return 0;
}

void
sched_done_none(struct service *svc)
{
	(void)svc;
}
