/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * One direction of an HTTP exchange: see flow.h.  A step writes what is
 * pending (pipe or buffer), then classifies bytes already read (by the
 * framing: a length, the chunk decoder, or everything), then reads more:
 * by splice into the pipe when the next bytes are payload of a known
 * length or the rest of the stream, else by recv into the buffer (a
 * chunk-size line, or everything when splice is off).  It stops when the
 * destination or the source would block, so one poll covers both.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "flow.h"
#include "relay.h"

#define FLOW_CHUNK	RELAY_PIPE_MAX	/* bytes per splice into the pipe:
					   as much as relay.c's largest holds */

void
flow_init(struct flow *f, struct xconn *src, struct xconn *dst,
    bool splice, int *pipe,
    size_t *inpipe, char *buf, size_t cap, size_t pre, size_t r,
    enum flow_mode mode, uint64_t length)
{
	memset(f, 0, sizeof(*f));
	f->src = src;
	f->dst = dst;
	f->splice = splice && src->ops->splice && dst->ops->splice;
	f->pipe = pipe;
	f->inpipe = inpipe;
	f->buf = buf;
	f->cap = cap;
	f->c = pre;
	f->r = r;
	f->mode = mode;
	f->left = mode == FLOW_LENGTH ? length : 0;
	if (mode == FLOW_CHUNKED)
		http_chunk_init(&f->ch, FLOW_MAX_TRAILER);
	f->lowat_off = !f->splice || mode != FLOW_LENGTH ||
	    length < FLOW_LOWAT_MIN;
	f->done = pre == 0 && (mode == FLOW_NONE ||
	    (mode == FLOW_LENGTH && length == 0));
}

enum flow_mode
flow_mode_of(enum http_body body)
{
	switch (body) {
	case HTTP_BODY_LENGTH:
		return FLOW_LENGTH;
	case HTTP_BODY_CHUNKED:
		return FLOW_CHUNKED;
	case HTTP_BODY_CLOSE:
		return FLOW_CLOSE;
	case HTTP_BODY_TUNNEL:
		return FLOW_TUNNEL;
	case HTTP_BODY_NONE:
	case HTTP_BODY_INVALID:
		break;
	}
	return FLOW_NONE;
}

bool
flow_pending(const struct flow *f)
{
	return *f->inpipe > 0 || f->w < f->c;
}

static void
fail(struct flow *f, enum flow_error err, int errnum)
{
	if (f->err == FLOW_OK) {
		f->err = err;
		f->errnum = errnum;
	}
}

/* write what is pending; returns bytes written, stops when it would block */
static size_t
write_pending(struct flow *f)
{
	size_t moved = 0;
	ssize_t n;

	while (*f->inpipe > 0) {
		n = splice(f->pipe[0], NULL, f->dst->fd, NULL, *f->inpipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				fail(f, FLOW_EDST, errno);
			return moved;
		}
		*f->inpipe -= (size_t)n;
		f->bytes += (uint64_t)n;
		moved += (size_t)n;
	}
	while (f->w < f->c) {
		n = f->dst->ops->send(f->dst, f->buf + f->w, f->c - f->w);
		if (n <= 0) {
			if (n == XPRT_FAIL)
				fail(f, FLOW_EDST, xprt_errno(f->dst));
			return moved;
		}
		f->w += (size_t)n;
		f->bytes += (uint64_t)n;
		moved += (size_t)n;
	}
	return moved;
}

void
flow_set_lowat(int fd, int *cur, int want)
{
	if (want == *cur || (want == 1 && *cur == 0))
		return;
	/* a failure leaves the kernel's default: waking at every segment */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &want,
	    sizeof(want)) == 0)
		*cur = want;
}

bool
flow_lowat_waiting(const struct flow *f)
{
	return f->lowat != NULL && *f->lowat > 1 && !f->done &&
	    f->err == FLOW_OK && !flow_pending(f);
}

void
flow_lowat_off(struct flow *f)
{
	if (f->lowat == NULL)
		return;
	flow_set_lowat(f->src->fd, f->lowat, 1);
	f->lowat_off = true;
}

void
flow_lowat_timeout(struct flow *f)
{
	int avail = 0;

	if (f->lowat == NULL || f->lowat_off || !flow_lowat_waiting(f))
		return;
	if (ioctl(f->src->fd, FIONREAD, &avail) == 0 && avail >= FLOW_LOWAT_FAST)
		f->slow = 0;
	else if (++f->slow >= FLOW_LOWAT_SLOW)
		flow_lowat_off(f);
}

/* about to wait for the source: how many bytes should wake us */
static void
wait_lowat(struct flow *f)
{
	int want = 1;

	if (f->lowat == NULL)
		return;
	if (!f->lowat_off && f->left > 1)
		want = f->left < FLOW_LOWAT ? (int)f->left : FLOW_LOWAT;
	flow_set_lowat(f->src->fd, f->lowat, want);
}

/* the message is complete (given nothing is pending) */
static bool
complete(const struct flow *f)
{
	switch (f->mode) {
	case FLOW_NONE:
		return true;
	case FLOW_LENGTH:
		return f->left == 0;
	case FLOW_CHUNKED:
		return f->ch.done;
	case FLOW_CLOSE:
	case FLOW_TUNNEL:
		return f->eof;
	}
	return true;
}

static void
count_body(struct flow *f, uint64_t n)
{
	f->body += n;
	if (f->limit > 0 && f->body > f->limit)
		fail(f, FLOW_ELIMIT, 0);
}

/* classify buf[c..r) as far as the framing allows */
static void
classify(struct flow *f)
{
	enum http_result hr;
	size_t n, used;

	while (f->c < f->r && f->err == FLOW_OK && !f->bad && !complete(f)) {
		n = f->r - f->c;
		switch (f->mode) {
		case FLOW_LENGTH:
			if (n > f->left)
				n = (size_t)f->left;
			f->c += n;
			f->left -= n;
			count_body(f, n);
			break;
		case FLOW_CHUNKED:
			if (f->ch.data_left > 0) {
				if (n > f->ch.data_left)
					n = (size_t)f->ch.data_left;
				f->c += n;
				http_chunk_data(&f->ch, n);
				count_body(f, n);
				break;
			}
			hr = http_chunk_parse(&f->ch, f->buf + f->c, n, &used);
			f->c += used;
			if (hr == HTTP_ERROR) {
				/* what came before goes out; nothing from
				   the bad byte on */
				f->bad = true;
				return;
			}
			if (f->limit > 0 && f->ch.total > f->limit)
				fail(f, FLOW_ELIMIT, 0);
			break;
		case FLOW_CLOSE:
		case FLOW_TUNNEL:
			f->c = f->r;
			count_body(f, n);
			break;
		case FLOW_NONE:
			return;
		}
	}
}

/* splice payload of known extent into the empty pipe; as ops->recv */
static ssize_t
splice_in(struct flow *f, uint64_t max)
{
	ssize_t n;

	n = splice(f->src->fd, NULL, f->pipe[1], NULL,
	    max < FLOW_CHUNK ? (size_t)max : FLOW_CHUNK,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0)
		*f->inpipe += (size_t)n;
	else if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return XPRT_WANT_READ;
	else if (n == -1) {
		f->src->fail = XPRT_FAIL_IO;
		f->src->err = errno;
		return XPRT_FAIL;
	}
	return n;
}

/*
 * Read more from the source, the buffer and the pipe being empty.
 * Returns >0 bytes read, 0 at EOF, or XPRT_WANT_* / XPRT_FAIL.
 */
static ssize_t
read_more(struct flow *f)
{
	uint64_t max = UINT64_MAX;
	ssize_t n;

	f->w = f->c = f->r = 0;
	if (f->mode == FLOW_LENGTH)
		max = f->left;
	else if (f->mode == FLOW_CHUNKED)
		max = f->ch.data_left;	/* 0: framing comes next */
	if (f->splice && max > 0) {
		n = splice_in(f, max);
		if (n > 0) {
			if (f->mode == FLOW_LENGTH)
				f->left -= (uint64_t)n;
			else if (f->mode == FLOW_CHUNKED)
				http_chunk_data(&f->ch, (uint64_t)n);
			count_body(f, (uint64_t)n);
		}
		return n;
	}
	if (f->mode != FLOW_CHUNKED && max < f->cap)
		n = f->src->ops->recv(f->src, f->buf, (size_t)max);
	else
		n = f->src->ops->recv(f->src, f->buf, f->cap);
	if (n > 0)
		f->r = (size_t)n;
	return n;
}

bool
flow_step(struct flow *f)
{
	bool moved = false;
	ssize_t n;

	while (!f->done && f->err == FLOW_OK) {
		/* classify first, so what came together leaves together */
		classify(f);
		if (write_pending(f) > 0)
			moved = true;
		if (flow_pending(f) || f->err != FLOW_OK)
			break;
		if (f->bad) {
			fail(f, FLOW_EFRAMING, 0);
			break;
		}
		if (complete(f)) {
			if (f->mode == FLOW_TUNNEL)
				(void)f->dst->ops->shutdown(f->dst);
			f->done = true;
			break;
		}
		if (f->eof) {
			/* a length or chunked message cut short */
			fail(f, FLOW_ESRC, 0);
			break;
		}
		n = read_more(f);
		if (n > 0)
			moved = true;
		else if (n == 0)
			f->eof = true;
		else if (n == XPRT_FAIL)
			fail(f, FLOW_ESRC, xprt_errno(f->src));
		else {
			wait_lowat(f);
			break;
		}
	}
	return moved;
}

short
flow_events(const struct flow *f, int fd)
{
	if (f->done || f->err != FLOW_OK)
		return 0;
	if (flow_pending(f))
		return f->dst->fd == fd ? POLLOUT : 0;
	return f->src->fd == fd && !f->eof ? POLLIN : 0;
}

size_t
flow_rest(struct flow *f)
{
	size_t rest = f->r - f->c;

	memmove(f->buf, f->buf + f->c, rest);
	f->w = f->c = 0;
	f->r = rest;
	return rest;
}

const char *
flow_error_str(enum flow_error err)
{
	switch (err) {
	case FLOW_OK:
		return "ok";
	case FLOW_ESRC:
		return "source closed or failed";
	case FLOW_EDST:
		return "destination closed or failed";
	case FLOW_EFRAMING:
		return "invalid chunked framing";
	case FLOW_ELIMIT:
		return "body larger than the limit";
	}
	return "?";
}
