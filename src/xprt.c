/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The plain transport (recv and send on the socket, EAGAIN mapped to
 * XPRT_WANT_*) and the pump that relays between two transports through a
 * bounded buffer, which the TLS paths use where plain ones splice.  Runs
 * in workers and the health checker; allocates nothing.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "xprt.h"

const char *
xprt_fail_str(enum xprt_fail f)
{
	switch (f) {
	case XPRT_FAIL_NONE:
		return "none";
	case XPRT_FAIL_IO:
		return "io";
	case XPRT_FAIL_EOF:
		return "eof";
	case XPRT_FAIL_NOT_TLS:
		return "not-tls";
	case XPRT_FAIL_PROTOCOL:
		return "protocol";
	case XPRT_FAIL_CERT:
		return "certificate";
	case XPRT_FAIL_OTHER:
		return "other";
	}
	return "?";
}

static ssize_t
io_fail(struct xconn *c, int err)
{
	c->fail = XPRT_FAIL_IO;
	c->err = err;
	return XPRT_FAIL;
}

static int
plain_handshake(struct xconn *c)
{
	(void)c;
	return 0;
}

static ssize_t
plain_recv(struct xconn *c, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(c->fd, buf, len, 0);
	while (n == -1 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return XPRT_WANT_READ;
	return io_fail(c, errno);
}

static ssize_t
plain_send(struct xconn *c, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return XPRT_WANT_WRITE;
	return io_fail(c, errno);
}

static int
plain_shutdown(struct xconn *c)
{
	if (shutdown(c->fd, SHUT_WR) == -1 && errno != ENOTCONN)
		return (int)io_fail(c, errno);
	return 0;
}

static size_t
plain_pending(const struct xconn *c)
{
	(void)c;
	return 0;
}

static void
plain_close(struct xconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

const struct xprt_ops xprt_plain = {
	.name = "plain",
	.handshake = plain_handshake,
	.recv = plain_recv,
	.send = plain_send,
	.shutdown = plain_shutdown,
	.pending = plain_pending,
	.close = plain_close,
	.splice = true,
};

void
xprt_plain_init(struct xconn *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->ops = &xprt_plain;
}

static uint32_t
want_events(ssize_t r)
{
	return r == XPRT_WANT_READ ? EPOLLIN : EPOLLOUT;
}

/* send what b holds; 0 when empty, else what to wait for / -1 */
static int
drain(struct xconn *to, struct xbuf *b, struct xprt_wait *w,
    uint64_t *moved)
{
	while (b->len > 0) {
		ssize_t n = to->ops->send(to, b->data + b->off, b->len);

		if (n == XPRT_FAIL)
			return -1;
		if (n < 0) {
			w->to = want_events(n);
			return 1;
		}
		b->off += (size_t)n;
		b->len -= (size_t)n;
		*moved += (uint64_t)n;
	}
	b->off = 0;
	return 0;
}

int
xprt_pump(struct xconn *from, struct xconn *to, struct xbuf *b,
    struct xprt_wait *w, uint64_t *moved)
{
	ssize_t n;
	int r;

	w->from = w->to = 0;
	for (;;) {
		if ((r = drain(to, b, w, moved)) != 0)
			return r == 1 ? 0 : -1;
		n = from->ops->recv(from, b->data, b->cap);
		if (n == 0)
			return 1;
		if (n == XPRT_FAIL)
			return -1;
		if (n < 0) {
			w->from = want_events(n);
			return 0;
		}
		b->off = 0;
		b->len = (size_t)n;
	}
}
