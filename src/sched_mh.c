/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016; IPVS ip_vs_mh.c).
 * A lookup table of a prime size M (mh_table_size, 65537 by default) maps
 * a key to a server.  Each server has a permutation of the table from two
 * hashes of its id (offset, skip); the servers take turns claiming their
 * next free entry until the table is full, a server of weight w taking w
 * turns per round (weights divided by their greatest common divisor), so
 * entries are shared by weight and removing a server moves only its own
 * entries (and ~1/M of the others).  Servers take their turns in the order
 * of their ids, so the table depends on the configuration's servers and
 * weights, not on the order they are listed in: every process and every
 * director builds the same one.
 *
 * The key is the client's address, or the value of the request field
 * mh_header.  The table is built once, in the master, by init_service,
 * and inherited read-only by every worker; health does not change it.  A
 * key whose server is unavailable is rehashed with an attempt counter (up
 * to 32 times, the same sequence everywhere), then the table is walked
 * from there: deterministic fallback, and the key returns to its server
 * when the server does.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-t.h"
#include "http.h"
#include "sched.h"
#include "util.h"

#define MH_REHASH	32

struct mh_table {
	uint32_t	 size;
	uint8_t		*entry;		/* server index per slot */
};

static int
by_id(const void *a, const void *b, void *arg)
{
	const struct service *svc = arg;

	return strcmp(svc->rs[*(const unsigned *)a].id,
	    svc->rs[*(const unsigned *)b].id);
}

static unsigned
gcd(unsigned a, unsigned b)
{
	while (b != 0) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* fill t for svc (Maglev's population, weighted by turns) */
static int
populate(const struct service *svc, struct mh_table *t, char *err,
    size_t errlen)
{
	unsigned order[CONF_MAX_SERVERS], n = 0, g = 0;
	uint64_t offset[CONF_MAX_SERVERS], skip[CONF_MAX_SERVERS];
	uint64_t next[CONF_MAX_SERVERS];
	uint32_t filled = 0, m = t->size;
	uint8_t *claimed;

	for (unsigned i = 0; i < svc->nrs; i++)
		if (svc->rs[i].weight > 0) {
			order[n++] = i;
			g = gcd(g, svc->rs[i].weight);
		}
	if (n == 0) {
		snprintf(err, errlen, "scheduler mh: every server has "
		    "weight 0");
		return -1;
	}
	qsort_r(order, n, sizeof(order[0]), by_id, (void *)(uintptr_t)svc);
	for (unsigned k = 0; k < n; k++) {
		const char *id = svc->rs[order[k]].id;

		offset[order[k]] = sched_hash(id, strlen(id), 0x6d68) % m;
		skip[order[k]] = sched_hash(id, strlen(id), 0x736b) % (m - 1) +
		    1;
		next[order[k]] = 0;
	}
	claimed = xcalloc(m, 1);
	while (filled < m) {
		for (unsigned k = 0; k < n && filled < m; k++) {
			unsigned i = order[k];

			for (unsigned turn = svc->rs[i].weight / g;
			    turn > 0 && filled < m; turn--) {
				uint64_t c;

				do
					c = (offset[i] + next[i]++ * skip[i]) % m;
				while (claimed[c]);
				claimed[c] = 1;
				t->entry[c] = (uint8_t)i;
				filled++;
			}
		}
	}
	free(claimed);
	return 0;
}

static int
is_prime(uint32_t n)
{
	if (n < 2)
		return 0;
	for (uint32_t d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

static int
mh_init_service(struct service *svc, char *err, size_t errlen)
{
	struct mh_table *t;

	if (!is_prime(svc->mh_table_size)) {
		snprintf(err, errlen, "scheduler mh: mh_table_size %u is not "
		    "prime", svc->mh_table_size);
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	t->size = svc->mh_table_size;
	t->entry = xcalloc(t->size, 1);
	if (populate(svc, t, err, errlen) == -1) {
		free(t->entry);
		free(t);
		return -1;
	}
	svc->sched_data = t;
	return 0;
}

static void
mh_done_service(struct service *svc)
{
	struct mh_table *t = svc->sched_data;

	if (t != NULL) {
		free(t->entry);
		free(t);
	}
	svc->sched_data = NULL;
}

static uint64_t
mh_key(const struct service *svc, const struct sched_req *req)
{
	const struct http_header *h;

	if (svc->mh_header[0] == '\0')
		return sched_client_key(req);
	if (req->http == NULL || req->head == NULL ||
	    (h = http_find_header(req->http, req->head, svc->mh_header)) ==
	    NULL)
		return sched_hash("", 0, 0);
	return sched_hash(req->head + h->value.off, h->value.len, 0);
}

static int
mh_schedule(const struct service *svc, struct sb *sb,
    const struct sched_req *req)
{
	const struct mh_table *t = svc->sched_data;
	uint64_t key = mh_key(svc, req);
	uint32_t c = 0;
	unsigned i;

	if (t == NULL)
		return -1;
	for (uint64_t a = 0; a < MH_REHASH; a++) {
		c = (uint32_t)(sched_hash(&key, sizeof(key), a) % t->size);
		i = t->entry[c];
		if (sched_available(svc, sb, req, i))
			return (int)i;
	}
	for (uint32_t k = 1; k < t->size; k++) {
		i = t->entry[(c + k) % t->size];
		if (sched_available(svc, sb, req, i))
			return (int)i;
	}
	return -1;
}

int
sched_mh_entry(const struct service *svc, uint32_t c)
{
	const struct mh_table *t = svc->sched_data;

	return t != NULL && c < t->size ? t->entry[c] : -1;
}

const struct sched_ops sched_mh = {
	.name = "mh",
	.flags = 0,
	.shm_size = sched_shm_none,
	.init_service = mh_init_service,
	.done_service = mh_done_service,
	.schedule = mh_schedule,
	.response_fields = sched_fields_none,
};
