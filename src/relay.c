/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes in a worker.  relay_run() relays both directions of a
 * proxied connection with splice(2): socket -> pipe -> socket, so the
 * payload never enters user space.  With splice off (or for tests of the
 * copy path) the same loop moves bytes through a buffer.  Everything is
 * non-blocking and every wait is a poll bounded by the read timeout; a
 * signal that sets the worker's stop flag ends the relay.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay.h"
#include "util.h"

#define RELAY_PIPE_SIZE		(256 * 1024)
#define RELAY_CHUNK		(256 * 1024)
#define RELAY_COPY_BUF		(64 * 1024)

/* one direction of the relay */
struct dir {
	int		 src;
	int		 dst;
	int		*pipe;		/* splice: [0] read end, [1] write end */
	size_t		*inpipe;	/* splice: bytes in the pipe */
	char		*buf;		/* copy: buffer, off and len pending */
	size_t		 off;
	size_t		 len;
	int		 eof;		/* src said EOF */
	int		 done;		/* EOF forwarded as shutdown */
	int		 src_err;	/* errno reading src */
	int		 dst_err;	/* errno writing dst */
	uint64_t	 bytes;
	uint64_t	 left;		/* bytes src may still send */
};

static int
make_pipe(int p[2])
{
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	/* a larger pipe moves more per splice; the default is fine too */
	(void)fcntl(p[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	return 0;
}

int
relay_init(struct relay *r, bool splice, volatile const int *stop)
{
	memset(r, 0, sizeof(*r));
	r->pipe_cs[0] = r->pipe_cs[1] = r->pipe_sc[0] = r->pipe_sc[1] = -1;
	r->splice = splice;
	r->stop = stop;
	if (splice)
		return make_pipe(r->pipe_cs) == -1 ||
		    make_pipe(r->pipe_sc) == -1 ? -1 : 0;
	r->buflen = RELAY_COPY_BUF;
	if ((r->buf = malloc(2 * r->buflen)) == NULL)
		return -1;
	return 0;
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
	free(r->buf);
	r->buf = NULL;
}

/* a pipe left with bytes after an aborted relay is replaced */
static void
reset_pipe(int p[2], size_t *inpipe)
{
	if (*inpipe == 0)
		return;
	close_pipe(p);
	(void)make_pipe(p);
	*inpipe = 0;
}

int
relay_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms)
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
		n = poll(&pfd, 1, timeout_ms);
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
relay_write_all(int fd, const void *buf, size_t len, int timeout_ms,
    volatile const int *stop)
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
		if (stop != NULL && *stop) {
			errno = EINTR;
			return -1;
		}
		rc = poll(&pfd, 1, timeout_ms);
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (rc == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

/* splice: fill the pipe from src; returns bytes moved (0 if none) */
static size_t
splice_in(struct dir *d)
{
	ssize_t n;

	if (d->eof || *d->inpipe > 0 || d->left == 0)
		return 0;
	n = splice(d->src, NULL, d->pipe[1], NULL,
	    d->left < RELAY_CHUNK ? (size_t)d->left : RELAY_CHUNK,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		*d->inpipe += (size_t)n;
		d->left -= (uint64_t)n;
		return (size_t)n;
	}
	if (n == 0)
		d->eof = 1;
	else if (errno != EAGAIN && errno != EINTR)
		d->src_err = errno;
	return 0;
}

/* splice: drain the pipe into dst */
static size_t
splice_out(struct dir *d)
{
	ssize_t n;

	if (*d->inpipe == 0 || d->dst_err)
		return 0;
	n = splice(d->pipe[0], NULL, d->dst, NULL, *d->inpipe,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		*d->inpipe -= (size_t)n;
		d->bytes += (uint64_t)n;
		return (size_t)n;
	}
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		d->dst_err = errno;
	return 0;
}

static size_t
copy_in(struct dir *d, size_t cap)
{
	ssize_t n;

	if (d->eof || d->len > 0 || d->left == 0)
		return 0;
	n = recv(d->src, d->buf, d->left < cap ? (size_t)d->left : cap, 0);
	if (n > 0) {
		d->off = 0;
		d->len = (size_t)n;
		d->left -= (uint64_t)n;
		return (size_t)n;
	}
	if (n == 0)
		d->eof = 1;
	else if (errno != EAGAIN && errno != EINTR)
		d->src_err = errno;
	return 0;
}

static size_t
copy_out(struct dir *d)
{
	ssize_t n;

	if (d->len == 0 || d->dst_err)
		return 0;
	n = send(d->dst, d->buf + d->off, d->len, MSG_NOSIGNAL);
	if (n > 0) {
		d->off += (size_t)n;
		d->len -= (size_t)n;
		d->bytes += (uint64_t)n;
		return (size_t)n;
	}
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		d->dst_err = errno;
	return 0;
}

static int
pending(const struct relay *r, const struct dir *d)
{
	return r->splice ? *d->inpipe > 0 : d->len > 0;
}

/* move what can be moved now; returns whether anything moved */
static int
step(struct relay *r, struct dir *d)
{
	size_t moved = 0;

	if (d->done)
		return 0;
	if (r->splice) {
		moved += splice_in(d);
		moved += splice_out(d);
	} else {
		moved += copy_in(d, r->buflen);
		moved += copy_out(d);
	}
	if (d->eof && !pending(r, d) && !d->dst_err) {
		(void)shutdown(d->dst, SHUT_WR);
		d->done = 1;
	}
	/* all that may pass has passed: stop reading, do not half-close */
	if (d->left == 0 && !pending(r, d))
		d->done = 1;
	if (d->dst_err)
		d->done = 1;
	return moved > 0;
}

static short
want(const struct relay *r, const struct dir *d, int fd)
{
	short ev = 0;

	if (d->done)
		return 0;
	if (d->src == fd && !d->eof && !pending(r, d))
		ev |= POLLIN;
	if (d->dst == fd && pending(r, d))
		ev |= POLLOUT;
	return ev;
}

static void
init_dir(struct relay *r, struct dir *d, int src, int dst, int *p,
    size_t *inpipe, char *buf)
{
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->dst = dst;
	d->pipe = p;
	d->inpipe = inpipe;
	d->buf = buf;
	d->left = UINT64_MAX;
	(void)r;
}

/* what ends the relay, or -1 to go on */
static int
verdict(const struct dir *cs, const struct dir *sc)
{
	if (sc->src_err)
		return RELAY_SERVER_ERROR;
	if (sc->dst_err || cs->src_err)
		return RELAY_CLIENT_GONE;
	if (sc->done)
		return RELAY_DONE;
	return -1;
}

enum relay_result
relay_run(struct relay *r, int cfd, int sfd, int timeout_ms,
    uint64_t cs_limit, struct relay_stats *st)
{
	struct dir cs, sc;
	struct pollfd pfd[2];
	int rc, v;

	init_dir(r, &cs, cfd, sfd, r->pipe_cs, &r->in_cs, r->buf);
	init_dir(r, &sc, sfd, cfd, r->pipe_sc, &r->in_sc,
	    r->buf ? r->buf + r->buflen : NULL);
	cs.left = cs_limit;
	/* the server speaks first only after our request: try both now */
	for (;;) {
		while (step(r, &cs) | step(r, &sc))
			;
		if ((v = verdict(&cs, &sc)) != -1)
			break;
		if (r->stop != NULL && *r->stop) {
			v = RELAY_INTERRUPTED;
			break;
		}
		pfd[0].fd = cfd;
		pfd[0].events = want(r, &cs, cfd) | want(r, &sc, cfd);
		pfd[1].fd = sfd;
		pfd[1].events = want(r, &cs, sfd) | want(r, &sc, sfd);
		rc = poll(pfd, 2, timeout_ms);
		if (rc == 0) {
			v = RELAY_TIMEOUT;
			break;
		}
		if (rc == -1 && errno != EINTR) {
			v = RELAY_SERVER_ERROR;
			break;
		}
		/* an error on a side we are not waiting on: it is gone */
		if (rc > 0 && pfd[0].events == 0 &&
		    (pfd[0].revents & POLLERR)) {
			v = RELAY_CLIENT_GONE;
			break;
		}
		if (rc > 0 && pfd[1].events == 0 &&
		    (pfd[1].revents & POLLERR)) {
			v = RELAY_SERVER_ERROR;
			break;
		}
	}
	if (r->splice) {
		reset_pipe(r->pipe_cs, &r->in_cs);
		reset_pipe(r->pipe_sc, &r->in_sc);
	}
	st->to_server = cs.bytes;
	st->to_client = sc.bytes;
	return (enum relay_result)v;
}

const char *
relay_result_str(enum relay_result rr)
{
	switch (rr) {
	case RELAY_DONE:
		return "done";
	case RELAY_CLIENT_GONE:
		return "client closed";
	case RELAY_SERVER_ERROR:
		return "server error";
	case RELAY_TIMEOUT:
		return "timeout";
	case RELAY_INTERRUPTED:
		return "interrupted";
	}
	return "?";
}
