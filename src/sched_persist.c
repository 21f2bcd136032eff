/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Persistence templates (persistent = SECONDS, as ipvsadm -p): a client
 * keeps the server it was given until its template expires, renewed on
 * every request.  sched_choose() (sched.c) reads and writes them; the
 * control socket lists them (tcpvsadm -L -c).
 *
 * They live in the scoreboard, SB_PERSIST_ENTRIES a service slot, so they
 * survive reloads that keep the service.  The key of an IPv4 client is
 * its address under persistent_netmask, kept readable (top bit set), that
 * of an IPv6 client a hash of its address (top bit clear); the low bit is
 * always set, 0 meaning empty.  Open addressing over SB_PERSIST_PROBE
 * slots from the hashed key; lock-free, each word atomic: a torn pair at
 * worst sends one client to another server once, which persistence
 * allows.  A full neighbourhood loses its soonest to expire.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf-t.h"
#include "sched.h"
#include "scoreboard.h"

#define KEY_V4		((uint64_t)1 << 63)

uint64_t
sched_persist_key(const struct service *svc, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const void *)sa;
	const struct sockaddr_in6 *sin6 = (const void *)sa;
	uint32_t a;

	if (sa->sa_family == AF_INET) {
		a = ntohl(sin->sin_addr.s_addr & svc->persistent_mask);
		return KEY_V4 | (uint64_t)a << 1 | 1;
	}
	if (sa->sa_family == AF_INET6)
		return (sched_hash(&sin6->sin6_addr, 16, 0x7065) & ~KEY_V4) | 1;
	return 1;
}

static struct sb_persist *
table(const struct sb *sb, unsigned service)
{
	return &sb->persist[(size_t)service * SB_PERSIST_ENTRIES];
}

static size_t
home(uint64_t key, unsigned n)
{
	return (size_t)((sched_hash(&key, sizeof(key), 0) + n) %
	    SB_PERSIST_ENTRIES);
}

int
sched_persist_get(const struct sb *sb, unsigned service, uint64_t key,
    uint32_t now)
{
	struct sb_persist *t = table(sb, service);
	uint64_t v;
	size_t i;

	for (unsigned n = 0; n < SB_PERSIST_PROBE; n++) {
		i = home(key, n);
		if (atomic_load_explicit(&t[i].key, memory_order_acquire) !=
		    key)
			continue;
		v = atomic_load_explicit(&t[i].val, memory_order_relaxed);
		if ((uint32_t)(v >> 32) < now)
			return -1;
		return (int)(uint32_t)v;
	}
	return -1;
}

void
sched_persist_put(struct sb *sb, unsigned service, uint64_t key, int server,
    uint32_t expires)
{
	struct sb_persist *t = table(sb, service);
	uint64_t v = (uint64_t)expires << 32 | (uint32_t)server, k;
	uint64_t best_exp = UINT64_MAX, e;
	size_t i, best = home(key, 0);

	for (unsigned n = 0; n < SB_PERSIST_PROBE; n++) {
		i = home(key, n);
		k = atomic_load_explicit(&t[i].key, memory_order_relaxed);
		if (k == key) {
			best = i;
			break;
		}
		/* else the free or the soonest to expire */
		e = k == 0 ? 0 : atomic_load_explicit(&t[i].val,
		    memory_order_relaxed) >> 32;
		if (e < best_exp) {
			best_exp = e;
			best = i;
		}
	}
	atomic_store_explicit(&t[best].val, v, memory_order_relaxed);
	atomic_store_explicit(&t[best].key, key, memory_order_release);
}

int
sched_persist_entry(const struct sb *sb, unsigned service, unsigned e,
    uint32_t now, char *buf, size_t len, int *server, uint32_t *expires)
{
	struct sb_persist *t = table(sb, service);
	struct in_addr a;
	uint64_t k, v;

	if (e >= SB_PERSIST_ENTRIES)
		return -1;
	k = atomic_load_explicit(&t[e].key, memory_order_acquire);
	v = atomic_load_explicit(&t[e].val, memory_order_relaxed);
	if (k == 0 || (uint32_t)(v >> 32) < now)
		return -1;
	*server = (int)(uint32_t)v;
	*expires = (uint32_t)(v >> 32);
	if (k & KEY_V4) {
		a.s_addr = htonl((uint32_t)(k >> 1));
		if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) != NULL)
			return 0;
	}
	snprintf(buf, len, "key:%016llx", (unsigned long long)k);
	return 0;
}
