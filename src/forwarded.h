/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The client's identity in the request sent to a server: X-Forwarded-For,
 * -Proto and -Host, RFC 7239 Forwarded, as the service's forwarded and
 * trusted_proxies options say.
 */
#ifndef TCPVS_FORWARDED_H
#define TCPVS_FORWARDED_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

struct service;

/*
 * buf[0..len) is a head built by http_build_upstream() without a client
 * (the client's own X-Forwarded-For values merged into one field).  From
 * a client not in svc->trusted, every X-Forwarded-For, X-Forwarded-Proto,
 * X-Forwarded-Host and Forwarded field it sent is removed; from a
 * trusted one they are kept.  Then, as svc->forwarded says, the client's
 * address is appended to X-Forwarded-For (and X-Forwarded-Proto, "https"
 * for a request that came over TLS, else "http", and X-Forwarded-Host
 * authority added when absent), and a Forwarded element
 * "for=...;proto=...;host=..." appended.  authority may be empty.
 * Returns the new length, or -1 when cap is too small.
 */
long	fwd_apply(char *buf, size_t len, size_t cap, const struct service *,
	    const struct sockaddr *client, bool https, const char *authority,
	    size_t alen);
/*
 * The RFC 7239 node of sa: "192.0.2.1" or "\"[2001:db8::1]\"" (quoted,
 * as section 6 requires for IPv6).  Returns buf.
 */
char	*fwd_node(const struct sockaddr *, char *buf, size_t len);

#endif /* TCPVS_FORWARDED_H */
