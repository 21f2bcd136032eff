/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The PROXY protocol on sockets.  A header is read with MSG_PEEK and then
 * consumed to its exact length, so the request behind it stays in the
 * socket for the worker's head reader.  A header that arrives in pieces
 * is looked at again every PROXY_RETRY_MS until request_timeout.  Bad,
 * missing and untrusted headers close the connection with a log line
 * naming the peer.
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

#define PROXY_RETRY_MS	10	/* a partial header: look again */

/* peek until a whole header, an error or the deadline; its length */
static const char *
peek_header(int fd, char *buf, size_t cap, int64_t deadline,
    struct proxy_hdr *h)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	enum proxy_result r;
	int64_t left;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, cap, MSG_PEEK);
		if (n == 0)
			return "closed before a complete PROXY header";
		if (n > 0) {
			r = proxy_parse(buf, (size_t)n, h);
			if (r == PROXY_OK)
				return NULL;
			if (r == PROXY_ERROR)
				return h->reason;
		} else if (errno != EAGAIN && errno != EINTR)
			return strerror(errno);
		if ((left = deadline - util_now_ms()) <= 0)
			return "no complete PROXY header within "
			    "request_timeout";
		(void)poll(&pfd, 1, n > 0 && left > PROXY_RETRY_MS ?
		    PROXY_RETRY_MS : (int)left);
	}
}

bool
proxy_accept(const struct service *svc, int fd,
    struct sockaddr_storage *client)
{
	char buf[PROXY_V2_MAX], peer[UTIL_ADDRSTRLEN];
	struct proxy_hdr h;
	const char *why;

	if (!svc->accept_proxy)
		return true;
	util_addr_str((const struct sockaddr *)client, peer, sizeof(peer));
	if (!cidr_match(svc->trusted, svc->ntrusted,
	    (const struct sockaddr *)client)) {
		log_warnx("client %s: PROXY header from an address not in "
		    "trusted_proxies, closing", peer);
		return false;
	}
	why = peek_header(fd, buf, sizeof(buf), util_now_ms() +
	    (int64_t)svc->request_timeout * 1000, &h);
	if (why == NULL && recv(fd, buf, h.len, 0) != (ssize_t)h.len)
		why = "PROXY header could not be consumed";
	if (why != NULL) {
		log_warnx("client %s: %s, closing", peer, why);
		return false;
	}
	if (!h.local)
		memcpy(client, &h.src, sizeof(h.src));
	log_debug("client %s: PROXY v%d header%s", peer, h.version,
	    h.local ? " (LOCAL): the connection's address" : "");
	return true;
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
