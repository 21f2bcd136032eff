/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * A message about an address at most once an interval (ratelim.h): open
 * addressing over RATELIM_PROBES places from the address's hash; the
 * place of the address, else a free one, else the one seen least
 * recently, which is taken over (its count is lost: a table full of
 * sources each saying something is a flood, and the first line of the
 * newcomer says so).
 */
#include "config.h"

#include <netinet/in.h>

#include <string.h>

#include "ratelim.h"

void
ratelim_init(struct ratelim *rl, int64_t interval_ms)
{
	memset(rl, 0, sizeof(*rl));
	rl->interval_ms = interval_ms;
}

/* the address bytes of src, 0 for a family without them */
static size_t
key(const struct sockaddr *src, uint8_t out[16])
{
	memset(out, 0, 16);
	switch (src->sa_family) {
	case AF_INET:
		memcpy(out, &((const struct sockaddr_in *)(const void *)src)->
		    sin_addr, 4);
		return 4;
	case AF_INET6:
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)src)->
		    sin6_addr, 16);
		return 16;
	default:
		return 0;
	}
}

/* FNV-1a of the address */
static uint32_t
hash(const uint8_t *k, size_t n, unsigned family)
{
	uint32_t h = 2166136261u ^ family;

	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

/* the place of the address: its own, a free one, or the stalest */
static struct ratelim_slot *
place(struct ratelim *rl, const uint8_t k[16], unsigned family, bool *found)
{
	uint32_t h = hash(k, 16, family);
	struct ratelim_slot *stale = NULL, *free_ = NULL;

	*found = false;
	for (unsigned i = 0; i < RATELIM_PROBES; i++) {
		struct ratelim_slot *s = &rl->slot[(h + i) % RATELIM_SLOTS];

		if (s->family == family && memcmp(s->addr, k, 16) == 0) {
			*found = true;
			return s;
		}
		if (s->family == 0 && free_ == NULL)
			free_ = s;
		else if (s->family != 0 && (stale == NULL ||
		    s->seen_ms < stale->seen_ms))
			stale = s;
	}
	return free_ != NULL ? free_ : stale;
}

bool
ratelim_allow(struct ratelim *rl, const struct sockaddr *src, int64_t now_ms,
    uint32_t *held)
{
	uint8_t k[16];
	struct ratelim_slot *s;
	bool found;

	*held = 0;
	if (key(src, k) == 0)
		return true;	/* no address to key on: always said */
	s = place(rl, k, src->sa_family, &found);
	if (found && now_ms - s->said_ms < rl->interval_ms) {
		s->held++;
		s->seen_ms = now_ms;
		return false;
	}
	*held = found ? s->held : 0;
	memcpy(s->addr, k, 16);
	s->family = (uint8_t)src->sa_family;
	s->said_ms = s->seen_ms = now_ms;
	s->held = 0;
	return true;
}
