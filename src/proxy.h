/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The PROXY protocol (HAProxy's, versions 1 and 2): parsing the header a
 * proxy in front of tcpvsd sends (accept_proxy), building the one tcpvsd
 * sends a server (send_proxy).  Pure functions over caller buffers.
 */
#ifndef TCPVS_PROXY_H
#define TCPVS_PROXY_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

#define PROXY_V1_MAX	107	/* a v1 line, CRLF included */
#define PROXY_V2_MAX	2064	/* 16 bytes, addresses and TLVs: larger
				   is refused */

enum proxy_result {
	PROXY_OK,
	PROXY_AGAIN,	/* a valid start, more bytes needed */
	PROXY_ERROR
};

struct proxy_hdr {
	size_t			 len;		/* bytes of the header */
	int			 version;	/* 1 or 2 */
	bool			 local;		/* LOCAL or UNKNOWN: no
						   address, the connection's
						   own is the client's */
	struct sockaddr_storage	 src;		/* unless local */
	struct sockaddr_storage	 dst;
	const char		*reason;	/* PROXY_ERROR */
};

/*
 * Parse the header at buf[0..len), which must begin the connection.
 * PROXY_OK with h->len bytes used (the rest is the client's); PROXY_AGAIN
 * while buf is a valid beginning; PROXY_ERROR with h->reason.
 */
enum proxy_result proxy_parse(const char *buf, size_t len,
		    struct proxy_hdr *h);
/*
 * The header for a connection from src to dst (v1 text or v2 binary);
 * src NULL: v1 UNKNOWN, v2 LOCAL (health checks).  Returns the length,
 * or 0 when out is too small.
 */
size_t		 proxy_build_v1(char *out, size_t outlen,
		    const struct sockaddr *src, const struct sockaddr *dst);
size_t		 proxy_build_v2(char *out, size_t outlen,
		    const struct sockaddr *src, const struct sockaddr *dst);

/* a health check's header: v1 UNKNOWN or v2 LOCAL; 0 for another
   version (none) or when out is too small */
size_t		 proxy_build_local(char *out, size_t outlen, int version);

#endif /* TCPVS_PROXY_H */
