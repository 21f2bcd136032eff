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

#include <netinet/in.h>

#include <ctype.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf-t.h"
#include "http.h"
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
	&sched_hhttp,
	&sched_sed,
	&sched_nq,
	&sched_sh,
	&sched_dh,
	&sched_mh,
	&sched_lblc,
	&sched_lblcr,
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
	if (req != NULL && req->only != 0 && !((req->only >> i) & 1))
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

int
sched_pick_sed(const struct service *svc, const struct sb *sb,
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
		act = atomic_load_explicit(&s->active, memory_order_relaxed) +
		    1;
		if (w == 0)
			continue;
		if (least == -1 || act * lw < lact * w) {
			least = (int)i;
			lact = act;
			lw = w;
		}
	}
	return least;
}

uint64_t
sched_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	/* splitmix64's finaliser: every input bit moves every output bit */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

int
sched_pick_hash(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, uint64_t mask, uint64_t key)
{
	const struct realserver *rs;
	double score, best = -1.0, u;
	uint64_t h;
	int pick = -1;

	for (unsigned i = 0; i < svc->nrs && i < CONF_MAX_SERVERS; i++) {
		rs = &svc->rs[i];
		if (!((mask >> i) & 1) || rs->weight == 0 ||
		    !sched_available(svc, sb, req, i))
			continue;
		h = sched_hash(rs->id, strlen(rs->id), key);
		/* u in (0, 1): 53 bits, never 0 */
		u = ((double)(h >> 11) + 0.5) / 9007199254740992.0;
		score = (double)rs->weight / -log(u);
		/* ties (never in practice) by id, not by position */
		if (score > best || (score == best && pick >= 0 &&
		    strcmp(rs->id, svc->rs[pick].id) < 0)) {
			best = score;
			pick = (int)i;
		}
	}
	return pick;
}

size_t
sched_host(const struct sched_req *req, char *buf, size_t len)
{
	const struct http_req *h = req->http;
	const char *p;
	size_t n = 0, hl;

	if (h == NULL || req->head == NULL || len == 0 ||
	    !(h->flags & HTTP_F_HOST))
		return 0;
	p = req->head + h->host.off;
	hl = h->host.len;
	/* [v6]:port keeps the brackets; name:port loses the port */
	if (hl > 0 && p[0] != '[') {
		const char *c = memchr(p, ':', hl);

		if (c != NULL)
			hl = (size_t)(c - p);
	} else if (hl > 0) {
		const char *c = memchr(p, ']', hl);

		if (c != NULL)
			hl = (size_t)(c - p) + 1;
	}
	while (hl > 0 && p[hl - 1] == '.')
		hl--;
	for (; n < hl && n < len; n++)
		buf[n] = (char)tolower((unsigned char)p[n]);
	return n;
}

uint64_t
sched_client_key(const struct sched_req *req)
{
	const struct sockaddr *sa = req->client;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return sched_hash(&((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4, 0);
	if (sa->sa_family == AF_INET6)
		return sched_hash(&((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, 16, 0);
	return 0;
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
