/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Address blocks ("10.0.0.0/8", "2001:db8::/32", or one address): parsed
 * at load, matched against a client address on the request path.
 */
#ifndef TCPVS_CIDR_H
#define TCPVS_CIDR_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

struct cidr;

/* 0, or -1 with the reason in err: "expected ADDRESS[/BITS]" */
int	cidr_parse(const char *, struct cidr *, char *err, size_t errlen);
/* "a.b.c.d/n" or "x::/n", as cidr_parse() reads it */
void	cidr_format(const struct cidr *, char *buf, size_t len);
/*
 * Does sa (AF_INET or AF_INET6; an IPv4-mapped IPv6 address counts as
 * IPv4) fall in one of c[0..n)?
 */
bool	cidr_match(const struct cidr *, unsigned n, const struct sockaddr *);

#endif /* TCPVS_CIDR_H */
