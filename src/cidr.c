/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Address blocks for rules' source conditions and trusted_proxies.  A
 * block is stored masked, so matching is a prefix compare of at most 16
 * bytes: no allocation, usable on the request path.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "conf-t.h"

static void
mask(uint8_t *a, unsigned bits, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 :
		    bits > 8 * i ? bits - 8 * i : 0;

		a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int
cidr_parse(const char *s, struct cidr *c, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(s, '/');
	size_t hl = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	long bits;

	memset(c, 0, sizeof(*c));
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else
		goto bad;
	bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
		    bits < 0 || bits > (long)max)
			goto bad;
	}
	c->bits = (unsigned)bits;
	mask(c->addr, c->bits, max / 8);
	return 0;
bad:
	snprintf(err, errlen, "'%s': expected an address or a network such "
	    "as 192.0.2.0/24 or 2001:db8::/32", s);
	return -1;
}

void
cidr_format(const struct cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->addr, a, sizeof(a)) == NULL)
		a[0] = '\0';
	snprintf(buf, len, "%s/%u", a, c->bits);
}

/* the address of sa as bytes; IPv4-mapped IPv6 as IPv4 */
static int
addr_of(const struct sockaddr *sa, const uint8_t **a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const uint8_t *p;

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		*a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	p = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (memcmp(p, mapped, sizeof(mapped)) == 0) {
		*a = p + 12;
		return AF_INET;
	}
	*a = p;
	return AF_INET6;
}

static bool
in_block(const struct cidr *c, const uint8_t *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (memcmp(c->addr, a, full) != 0)
		return false;
	return rest == 0 ||
	    (a[full] & (uint8_t)(0xff00u >> rest)) == c->addr[full];
}

bool
cidr_match(const struct cidr *c, unsigned n, const struct sockaddr *sa)
{
	const uint8_t *a;
	int fam = addr_of(sa, &a);

	for (unsigned i = 0; fam != -1 && i < n; i++)
		if (c[i].family == fam && in_block(&c[i], a))
			return true;
	return false;
}
