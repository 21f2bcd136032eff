/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes in a worker: the two pipes a worker splices through (one
 * per direction, made once), connecting to a real server with a timeout,
 * and writing a buffer with a timeout.  The bodies themselves move in
 * flow.c.  Everything is non-blocking and every wait is a poll with a
 * deadline (relay_poll, which also wakes the worker once when it has been
 * busy long enough to hand off its idle connections); a signal that sets
 * the worker's stop flag ends a write.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "relay.h"
#include "util.h"

/*
 * 64 KiB, the kernel's default, set so that it does not depend on the
 * system: 256 KiB pipes cost a quarter more CPU per 1 MiB response (the
 * pages in flight no longer stay in cache), 1 MiB ones gained nothing;
 * see docs/prefork-vs-event.md.
 */
#define RELAY_PIPE_SIZE		(64 * 1024)

static int
make_pipe(int p[2])
{
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	(void)fcntl(p[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	return 0;
}

int
relay_init(struct relay *r, volatile const int *stop)
{
	memset(r, 0, sizeof(*r));
	r->pipe_cs[0] = r->pipe_cs[1] = r->pipe_sc[0] = r->pipe_sc[1] = -1;
	r->stop = stop;
	return make_pipe(r->pipe_cs) == -1 ||
	    make_pipe(r->pipe_sc) == -1 ? -1 : 0;
}

static void
close_pipe(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

void
relay_free(struct relay *r)
{
	close_pipe(r->pipe_cs);
	close_pipe(r->pipe_sc);
}

/* a pipe left with bytes after an aborted relay is replaced */
static void
reset_pipe(int p[2], size_t *inpipe)
{
	if (*inpipe == 0)
		return;
	close_pipe(p);
	if (make_pipe(p) == -1)
		fatal("pipe");
	*inpipe = 0;
}

void
relay_reset_pipes(struct relay *r)
{
	reset_pipe(r->pipe_cs, &r->in_cs);
	reset_pipe(r->pipe_sc, &r->in_sc);
}

int
relay_poll(struct relay *r, struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	int64_t now, end;
	int rc;

	if (r->wake_at == 0)
		return poll(pfd, n, timeout_ms);
	now = util_now_ms();
	end = timeout_ms < 0 ? INT64_MAX : now + timeout_ms;
	if (r->wake_at >= end)
		return poll(pfd, n, timeout_ms);
	rc = poll(pfd, n, r->wake_at > now ? (int)(r->wake_at - now) : 0);
	if (rc != 0)
		return rc;
	r->wake_at = 0;
	r->on_wake(r->wake_arg);
	if (end == INT64_MAX)
		return poll(pfd, n, -1);
	now = util_now_ms();
	return poll(pfd, n, end > now ? (int)(end - now) : 0);
}

int
relay_connect(struct relay *r, const struct sockaddr *sa, socklen_t len,
    int timeout_ms)
{
	struct pollfd pfd;
	socklen_t elen = sizeof(int);
	int fd, err = 0, n;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (connect(fd, sa, len) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		n = relay_poll(r, &pfd, 1, timeout_ms);
	while (n == -1 && errno == EINTR);
	if (n == 0) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (n == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		goto fail;
	if (err != 0) {
		errno = err;
		goto fail;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
relay_write_all(struct relay *r, int fd, const void *buf, size_t len,
    int timeout_ms)
{
	const char *p = buf;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;
	int rc;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (r->stop != NULL && *r->stop) {
			errno = EINTR;
			return -1;
		}
		rc = relay_poll(r, &pfd, 1, timeout_ms);
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (rc == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

