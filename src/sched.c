/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The scheduler registry and what schedulers share.  The one list of
 * schedulers is the table below; the configuration loader finds a
 * service's scheduler by name through sched_lookup() (conf_schema.c),
 * reports an unknown name as a configuration error (there is no default
 * to fall back to), and sets it up with sched_init()
 * (conf_build.c).  Workers call sched_choose(), which applies persistence
 * (sched_persist.c) around the scheduler's own choice, and
 * sched_response_fields().  The helpers decide eligibility from the
 * scoreboard (runtime weight, health, admin state) and the request's
 * exclusions and rule.  Everything but sched_init runs in workers on the
 * request path: no allocation, no system call but the clock.
 */
#include "config.h"

#include <netinet/in.h>

#include <ctype.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

const struct sched_ops * const *
sched_all_ops(void)
{
	static const struct sched_ops *all[NSCHEDS + 1];

	if (all[0] == NULL)
		for (size_t i = 0; i < NSCHEDS; i++)
			all[i] = scheds[i];
	return all;
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
sched_rule_capable(const struct sched_ops *ops)
{
	return ops != NULL && !(ops->flags & SCHED_F_RULES) &&
	    ops->init_service != sched_init_rules;
}

int
sched_init(struct service *svc, char *err, size_t errlen, const char **opt)
{
	const struct sched_ops *rs = svc->rule_sched;

	*opt = "scheduler";
	if (svc->sched->init_service(svc, err, errlen) == -1)
		return -1;
	svc->sched_shm = svc->sched->shm_size(svc);
	if (!(svc->sched->flags & SCHED_F_RULES)) {
		svc->rule_sched = NULL;
		return 0;
	}
	/* a scheduler of rules keeps nothing: its rule_scheduler may */
	if (rs == NULL)
		svc->rule_sched = rs = &sched_wlc;
	*opt = "rule_scheduler";
	if (rs->init_service(svc, err, errlen) == -1) {
		svc->sched->done_service(svc);
		return -1;
	}
	svc->sched_shm = rs->shm_size(svc);
	return 0;
}

void
sched_done(struct service *svc)
{
	if (svc->rule_sched != NULL)
		svc->rule_sched->done_service(svc);
	if (svc->sched != NULL)
		svc->sched->done_service(svc);
}

size_t
sched_shm_max(void)
{
	static struct service svc;	/* the most a service can have */
	size_t n, max = SB_SCHED_MIN;

	svc.nrs = CONF_MAX_SERVERS;
	for (size_t i = 0; i < NSCHEDS; i++)
		if ((n = scheds[i]->shm_size(&svc)) > max)
			max = n;
	return max;
}

void
sched_state_name(const struct service *svc, char *buf, size_t len)
{
	if (svc->sched == NULL)
		snprintf(buf, len, "%s", "");
	else if (svc->rule_sched != NULL)
		snprintf(buf, len, "%s/%s", svc->sched->name,
		    svc->rule_sched->name);
	else
		snprintf(buf, len, "%s", svc->sched->name);
}

void *
sched_shared(const struct service *svc, const struct sb *sb)
{
	if (svc->sb_index < 0 || sb == NULL ||
	    svc->sched_shm > sb->hdr->sched_bytes)
		return NULL;
	return sb_sched(sb, (unsigned)svc->sb_index);
}

/* i is a server of svc the request may go to at all */
static int
candidate(const struct service *svc, const struct sched_req *req,
    unsigned i)
{
	if (i >= svc->nrs || i >= CONF_MAX_SERVERS || svc->rs[i].sb_index < 0)
		return 0;
	if (req != NULL && (req->exclude >> i) & 1)
		return 0;
	return req == NULL || req->only == 0 || (req->only >> i) & 1;
}

int
sched_available(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, unsigned i)
{
	return candidate(svc, req, i) && sb_server_available(sb_server(sb,
	    (unsigned)svc->rs[i].sb_index));
}

int
sched_sticky(const struct service *svc, const struct sb *sb,
    const struct sched_req *req, unsigned i)
{
	const struct sb_server *s;

	if (!candidate(svc, req, i))
		return 0;
	s = sb_server(sb, (unsigned)svc->rs[i].sb_index);
	return atomic_load_explicit(&s->in_use, memory_order_relaxed) &&
	    atomic_load_explicit(&s->health, memory_order_relaxed) !=
	    RS_HEALTH_DOWN &&
	    atomic_load_explicit(&s->admin, memory_order_relaxed) !=
	    RS_ADMIN_DISABLED;
}

/* the position in svc of scoreboard server slot, or -1 */
static int
position(const struct service *svc, int slot)
{
	for (unsigned i = 0; i < svc->nrs && i < CONF_MAX_SERVERS; i++)
		if (svc->rs[i].sb_index == slot)
			return (int)i;
	return -1;
}

int
sched_choose(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	uint32_t now;
	uint64_t key = 0;
	int i = -1;

	if (svc->persistent > 0 && svc->sb_index >= 0 && req->client != NULL) {
		now = (uint32_t)time(NULL);
		key = sched_persist_key(svc, req->client);
		i = position(svc, sched_persist_get(sb,
		    (unsigned)svc->sb_index, key, now));
		if (i >= 0 && !sched_sticky(svc, sb, req, (unsigned)i))
			i = -1;
	}
	if (i < 0 && (i = svc->sched->schedule(svc, sb, req)) < 0)
		return -1;
	if (svc->persistent > 0 && svc->sb_index >= 0 && req->client != NULL)
		sched_persist_put(sb, (unsigned)svc->sb_index, key,
		    svc->rs[i].sb_index, (uint32_t)time(NULL) +
		    svc->persistent);
	return i;
}

size_t
sched_response_fields(const struct service *svc, const struct sched_req *req,
    int i, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	if (i < 0 || (unsigned)i >= svc->nrs)
		return 0;
	return svc->sched->response_fields(svc, req, i, buf, len);
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

size_t
sched_fields_none(const struct service *svc, const struct sched_req *req,
    int i, char *buf, size_t len)
{
	(void)svc;
	(void)req;
	(void)i;
	(void)buf;
	(void)len;
	return 0;
}
