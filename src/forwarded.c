/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Forwarding the client's identity (forwarded = xff | rfc7239 | both |
 * none, trusted_proxies): nothing a client says about itself is believed
 * unless it comes from a trusted proxy, so a client can claim neither
 * another address nor https.  Works on the head http_build_upstream()
 * built, through header.c; pure, bounded by the caller's buffer.
 */
#include "config.h"

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "conf-t.h"
#include "forwarded.h"
#include "header.h"
#include "http.h"
#include "util.h"

/* the proto the client spoke to us */
#define FWD_PROTO(https)	((https) ? "https" : "http")

static const char *const fwd_fields[] = {
	"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
	"Forwarded",
};

char *
fwd_node(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[UTIL_ADDRSTRLEN];

	util_addr_host(sa, host, sizeof(host));
	if (sa->sa_family == AF_INET6)
		snprintf(buf, len, "\"[%s]\"", host);
	else
		snprintf(buf, len, "%s", host);
	return buf;
}

/* host=... of a Forwarded element: a token, else a quoted-string */
static void
fwd_host(char *buf, size_t len, const char *a, size_t alen)
{
	bool token = alen > 0;

	for (size_t i = 0; i < alen; i++)
		token = token && http_is_tchar((unsigned char)a[i]);
	snprintf(buf, len, token ? ";host=%.*s" : ";host=\"%.*s\"",
	    (int)alen, a);
}

static long
add_xff(char *buf, long n, size_t cap, const struct sockaddr *client,
    bool https, const char *authority, size_t alen)
{
	char host[UTIL_ADDRSTRLEN], a[CONF_NAME_MAX * 2];
	size_t vl;

	util_addr_host(client, host, sizeof(host));
	n = hdr_append(buf, (size_t)n, cap, "X-Forwarded-For", host);
	if (n >= 0 && hdr_get(buf, (size_t)n, "X-Forwarded-Proto", &vl) ==
	    NULL)
		n = hdr_add(buf, (size_t)n, cap, "X-Forwarded-Proto",
		    FWD_PROTO(https));
	if (n >= 0 && alen > 0 && alen < sizeof(a) && hdr_get(buf,
	    (size_t)n, "X-Forwarded-Host", &vl) == NULL) {
		memcpy(a, authority, alen);
		a[alen] = '\0';
		n = hdr_add(buf, (size_t)n, cap, "X-Forwarded-Host", a);
	}
	return n;
}

static long
add_forwarded(char *buf, long n, size_t cap, const struct sockaddr *client,
    bool https, const char *authority, size_t alen)
{
	char node[UTIL_ADDRSTRLEN + 4], host[CONF_NAME_MAX * 2 + 8];
	char el[sizeof(node) + sizeof(host) + 32];

	fwd_node(client, node, sizeof(node));
	host[0] = '\0';
	if (alen > 0 && alen < CONF_NAME_MAX * 2)
		fwd_host(host, sizeof(host), authority, alen);
	snprintf(el, sizeof(el), "for=%s;proto=%s%s", node,
	    FWD_PROTO(https), host);
	return hdr_append(buf, (size_t)n, cap, "Forwarded", el);
}

long
fwd_apply(char *buf, size_t len, size_t cap, const struct service *svc,
    const struct sockaddr *client, bool https, const char *authority,
    size_t alen)
{
	long n = (long)len;

	if (client == NULL || !cidr_match(svc->trusted, svc->ntrusted, client))
		for (size_t i = 0; i < sizeof(fwd_fields) /
		    sizeof(fwd_fields[0]); i++)
			n = hdr_del(buf, (size_t)n, fwd_fields[i]);
	if (client == NULL)
		return n;
	switch (svc->forwarded) {
	case FWD_XFF:
		return add_xff(buf, n, cap, client, https, authority, alen);
	case FWD_RFC7239:
		return add_forwarded(buf, n, cap, client, https, authority,
		    alen);
	case FWD_BOTH:
		n = add_xff(buf, n, cap, client, https, authority, alen);
		return n < 0 ? n : add_forwarded(buf, n, cap, client, https,
		    authority, alen);
	case FWD_NONE:
		break;
	}
	return n;
}
