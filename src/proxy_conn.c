/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The PROXY protocol on connections.  The header a client connection
 * begins with is read by the exchange's HEAD phase with the request head
 * (exchange.c), never blocking: proxy_take() looks at what came so far,
 * and takes the header off the front once it is whole.  Bad, missing and
 * untrusted headers close the connection with a log line naming the
 * peer.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "cidr.h"
#include "log.h"
#include "proxy.h"
#include "proxy_conn.h"
#include "util.h"

bool
proxy_trusted(const struct service *svc,
    const struct sockaddr_storage *client)
{
	char peer[UTIL_ADDRSTRLEN];

	if (cidr_match(svc->trusted, svc->ntrusted,
	    (const struct sockaddr *)client))
		return true;
	util_addr_str((const struct sockaddr *)client, peer, sizeof(peer));
	log_warnx("client %s: PROXY header from an address not in "
	    "trusted_proxies, closing", peer);
	return false;
}

int
proxy_take(char *buf, size_t *len, struct sockaddr_storage *client,
    const char *peer)
{
	struct proxy_hdr h;

	switch (proxy_parse(buf, *len, &h)) {
	case PROXY_AGAIN:
		return 1;
	case PROXY_ERROR:
		log_warnx("client %s: %s, closing", peer, h.reason);
		return -1;
	case PROXY_OK:
		break;
	}
	if (!h.local)
		memcpy(client, &h.src, sizeof(h.src));
	log_debug("client %s: PROXY v%d header%s", peer, h.version,
	    h.local ? " (LOCAL): the connection's address" : "");
	memmove(buf, buf + h.len, *len - h.len);
	*len -= h.len;
	return 0;
}

int
proxy_send(int sfd, enum proxy_send mode, const struct sockaddr *client,
    int cfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLOUT };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const struct sockaddr *local = NULL;
	char buf[128];
	size_t n = 0, off = 0;
	ssize_t w;

	if (mode != PROXY_SEND_NONE && client != NULL &&
	    getsockname(cfd, (struct sockaddr *)&ss, &sl) == 0)
		local = (const struct sockaddr *)&ss;
	if (local == NULL)
		client = NULL;	/* LOCAL, UNKNOWN */
	switch (mode) {
	case PROXY_SEND_NONE:
		return 0;
	case PROXY_SEND_V1:
		n = proxy_build_v1(buf, sizeof(buf), client, local);
		break;
	case PROXY_SEND_V2:
		n = proxy_build_v2(buf, sizeof(buf), client, local);
		break;
	}
	while (off < n) {
		w = send(sfd, buf + off, n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (poll(&pfd, 1, timeout_ms) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}
