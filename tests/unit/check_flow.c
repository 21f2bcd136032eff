/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Check suite for flow.c: one direction of an exchange, moved between
 * two socketpairs (the test writes the source's peer and reads the
 * destination's), with splice on and off.  Framing modes (Content-Length,
 * chunked, until close, tunnel, none) with what follows the message left
 * in place; limits; the errors of a short or invalid source and of a
 * closed destination; partial writes to a destination that takes a few
 * bytes at a time, resumed from flow_events() until every byte is there,
 * in order.  And the size of relay.c's pipes.
 */
#include "config.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flow.h"
#include "http.h"
#include "relay.h"

#define BUFCAP		4096	/* the flow's buffer, as a worker's */
#define OUTCAP		(2 << 20)
#define DRIVE_STEPS	200000	/* bounds on a run: iterations */
#define DRIVE_MS	10000	/* and time */

/* the flow's four sockets and its pipe */
struct pair {
	int		 src, src_peer;	/* the flow reads src */
	int		 dst, dst_peer;	/* the flow writes dst */
	struct xconn	 xsrc, xdst;	/* src and dst, plain */
	int		 pipe[2];
	size_t		 inpipe;
	char		 buf[BUFCAP];
};

static void
nonblock(int fd)
{
	ck_assert_int_ne(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK),
	    -1);
}

/* sndbuf > 0: the destination takes about that much at a time */
static void
pair_open(struct pair *p, int sndbuf)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->src = sv[0];
	p->src_peer = sv[1];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->dst = sv[0];
	p->dst_peer = sv[1];
	ck_assert_int_eq(pipe2(p->pipe, O_NONBLOCK | O_CLOEXEC), 0);
	nonblock(p->src);
	nonblock(p->src_peer);
	nonblock(p->dst);
	nonblock(p->dst_peer);
	xprt_plain_init(&p->xsrc, p->src);
	xprt_plain_init(&p->xdst, p->dst);
	if (sndbuf > 0)
		ck_assert_int_eq(setsockopt(p->dst, SOL_SOCKET, SO_SNDBUF,
		    &sndbuf, sizeof(sndbuf)), 0);
}

static void
pair_close(struct pair *p)
{
	int *fds[] = { &p->src, &p->src_peer, &p->dst, &p->dst_peer,
	    &p->pipe[0], &p->pipe[1] };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

/* what one run gave */
struct run {
	char		*out;		/* read from dst_peer */
	size_t		 outlen;
	bool		 dst_eof;	/* dst_peer read end of stream */
	unsigned	 partial;	/* steps that left bytes pending */
};

/* read what dst_peer has, at most readsz a call; false when none */
static bool
drain(struct pair *p, struct run *r, size_t readsz)
{
	ssize_t n;

	if (r->dst_eof || r->outlen == OUTCAP)
		return false;
	if (readsz > OUTCAP - r->outlen)
		readsz = OUTCAP - r->outlen;
	n = recv(p->dst_peer, r->out + r->outlen, readsz, 0);
	if (n == 0)
		r->dst_eof = true;
	if (n <= 0) {
		ck_assert(n == 0 || errno == EAGAIN);
		return false;
	}
	r->outlen += (size_t)n;
	return true;
}

/* feed more of wire to the source; shut it after when eof */
static bool
feed(struct pair *p, const char *wire, size_t len, size_t *sent, bool eof)
{
	ssize_t n;

	if (*sent == len) {
		if (eof && p->src_peer >= 0) {
			ck_assert_int_eq(shutdown(p->src_peer, SHUT_WR), 0);
			close(p->src_peer);
			p->src_peer = -1;
		}
		return false;
	}
	n = send(p->src_peer, wire + *sent, len - *sent, MSG_NOSIGNAL);
	if (n <= 0) {
		ck_assert(n == -1 && errno == EAGAIN);
		return false;
	}
	*sent += (size_t)n;
	return true;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* wait (briefly) for what f waits on, as a worker's poll would */
static void
wait_flow(const struct flow *f)
{
	struct pollfd pfd[2] = {
		{ .fd = f->src->fd, .events = flow_events(f, f->src->fd) },
		{ .fd = f->dst->fd, .events = flow_events(f, f->dst->fd) },
	};

	(void)poll(pfd, 2, 10);
}

/*
 * Run f to its end, feeding wire and reading the destination readsz
 * bytes at a time; r->out holds what came out.
 */
static void
drive(struct flow *f, struct pair *p, const char *wire, size_t len,
    bool eof, size_t readsz, struct run *r)
{
	size_t sent = 0;
	unsigned steps = 0;
	long long deadline = now_ms() + DRIVE_MS;
	bool moved;

	memset(r, 0, sizeof(*r));
	r->out = malloc(OUTCAP);
	ck_assert_ptr_nonnull(r->out);
	/* before the first step: a flow done at once leaves it unread */
	(void)feed(p, wire, len, &sent, false);
	while (!f->done && f->err == FLOW_OK) {
		ck_assert_uint_lt(steps++, DRIVE_STEPS);
		ck_assert_msg(now_ms() < deadline, "the flow did not end");
		moved = feed(p, wire, len, &sent, eof);
		moved |= flow_step(f);
		if (flow_pending(f) && f->err == FLOW_OK) {
			/* waits for the destination only */
			r->partial++;
			ck_assert_int_eq(flow_events(f, f->dst->fd), POLLOUT);
			ck_assert_int_eq(flow_events(f, f->src->fd), 0);
		}
		moved |= drain(p, r, readsz);
		if (!moved)
			wait_flow(f);
	}
	while (drain(p, r, 65536))
		;
}

/* the source's bytes after the message: flow_rest, then still on src */
static size_t
after(struct flow *f, struct pair *p, char *out, size_t cap)
{
	size_t n = flow_rest(f);
	ssize_t k;

	ck_assert_uint_le(n, cap);
	memcpy(out, f->buf, n);
	while (n < cap && (k = recv(p->src, out + n, cap - n, 0)) > 0)
		n += (size_t)k;
	return n;
}

/* one message through a flow */
struct fcase {
	const char	*name;
	enum flow_mode	 mode;
	uint64_t	 length;	/* FLOW_LENGTH */
	uint64_t	 limit;
	const char	*pre;		/* a head the caller built */
	const char	*inbuf;		/* read with the head */
	const char	*wire;		/* still on the source */
	bool		 eof;		/* the source closes after it */
	enum flow_error	 err;
	const char	*out;		/* what the destination gets */
	const char	*rest;		/* NULL: not checked */
	uint64_t	 body;		/* body bytes counted */
};

static const struct fcase cases[] = {
	{ "length, on the wire", FLOW_LENGTH, 5, 0, "", "", "hello", false,
	    FLOW_OK, "hello", "", 5 },
	{ "length, pipelined after", FLOW_LENGTH, 5, 0, "", "", "hello"
	    "GET /b HTTP/1.1\r\n\r\n", false, FLOW_OK, "hello",
	    "GET /b HTTP/1.1\r\n\r\n", 5 },
	{ "length, read with the head", FLOW_LENGTH, 5, 0, "HEAD\r\n\r\n",
	    "helloGET /c", " HTTP/1.1\r\n\r\n", false, FLOW_OK,
	    "HEAD\r\n\r\nhello", "GET /c HTTP/1.1\r\n\r\n", 5 },
	{ "length, split", FLOW_LENGTH, 11, 0, "", "hel", "lo world",
	    false, FLOW_OK, "hello world", "", 11 },
	{ "length, cut short", FLOW_LENGTH, 10, 0, "", "", "12345", true,
	    FLOW_ESRC, "12345", NULL, 5 },
	{ "length 0", FLOW_LENGTH, 0, 0, "", "", "next", false, FLOW_OK, "",
	    "next", 0 },
	{ "none, head only", FLOW_NONE, 0, 0, "HTTP/1.1 204 No Content\r\n"
	    "\r\n", "", "next", false, FLOW_OK, "HTTP/1.1 204 No Content\r\n"
	    "\r\n", "next", 0 },
	{ "chunked", FLOW_CHUNKED, 0, 0, "", "", "5\r\nhello\r\n6\r\n world"
	    "\r\n0\r\n\r\nNEXT", false, FLOW_OK, "5\r\nhello\r\n6\r\n world"
	    "\r\n0\r\n\r\n", "NEXT", 11 },
	{ "chunked, read with the head", FLOW_CHUNKED, 0, 0, "H\r\n\r\n",
	    "3\r\nabc\r\n0\r\n", "\r\nNEXT", false, FLOW_OK,
	    "H\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "NEXT", 3 },
	{ "chunked, extension and trailer", FLOW_CHUNKED, 0, 0, "", "",
	    "4;a=b\r\nwxyz\r\n0\r\nX-Sum: 1\r\n\r\n", false, FLOW_OK,
	    "4;a=b\r\nwxyz\r\n0\r\nX-Sum: 1\r\n\r\n", "", 4 },
	{ "chunked, invalid size", FLOW_CHUNKED, 0, 0, "", "",
	    "3\r\nabc\r\nzz\r\n", false, FLOW_EFRAMING, "3\r\nabc\r\n",
	    NULL, 3 },
	{ "chunked, cut short", FLOW_CHUNKED, 0, 0, "", "", "5\r\nhel",
	    true, FLOW_ESRC, "5\r\nhel", NULL, 3 },
	{ "until close", FLOW_CLOSE, 0, 0, "", "ab", "cdef", true, FLOW_OK,
	    "abcdef", "", 6 },
	{ "tunnel", FLOW_TUNNEL, 0, 0, "", "", "\x16\x03\x01 bytes", true,
	    FLOW_OK, "\x16\x03\x01 bytes", "", 9 },
	{ "limit, length", FLOW_LENGTH, 10, 5, "", "", "0123456789", false,
	    FLOW_ELIMIT, NULL, NULL, 0 },
	{ "limit, length at the limit", FLOW_LENGTH, 5, 5, "", "", "01234",
	    false, FLOW_OK, "01234", "", 5 },
	{ "limit, chunk announced", FLOW_CHUNKED, 0, 10, "", "",
	    "64\r\n0123456789", false, FLOW_ELIMIT, NULL, NULL, 0 },
	{ "limit, until close", FLOW_CLOSE, 0, 3, "", "", "abcdef", true,
	    FLOW_ELIMIT, NULL, NULL, 0 },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

/* loop index: case, splice off (even) or on (odd) */
START_TEST(test_framing)
{
	const struct fcase *c = &cases[_i / 2];
	bool splice = _i % 2;
	size_t pre = strlen(c->pre), in = strlen(c->inbuf);
	struct pair p;
	struct flow f;
	struct run r;
	char rest[256];
	size_t n;

	pair_open(&p, 0);
	memcpy(p.buf, c->pre, pre);
	memcpy(p.buf + pre, c->inbuf, in);
	flow_init(&f, &p.xsrc, &p.xdst, splice, p.pipe, &p.inpipe, p.buf,
	    sizeof(p.buf), pre, pre + in, c->mode, c->length);
	f.limit = c->limit;
	drive(&f, &p, c->wire, strlen(c->wire), c->eof, 65536, &r);
	ck_assert_msg(f.err == c->err, "%s (splice %d): error %s, expected "
	    "%s", c->name, splice, flow_error_str(f.err),
	    flow_error_str(c->err));
	ck_assert(f.done == (c->err == FLOW_OK));
	if (c->out != NULL) {
		ck_assert_msg(r.outlen == strlen(c->out) &&
		    memcmp(r.out, c->out, r.outlen) == 0, "%s (splice %d): "
		    "out '%.*s', expected '%s'", c->name, splice,
		    (int)r.outlen, r.out, c->out);
		ck_assert_uint_eq(f.bytes, r.outlen);
		ck_assert_uint_eq(f.body, c->body);
	}
	if (c->rest != NULL) {
		n = after(&f, &p, rest, sizeof(rest));
		ck_assert_msg(n == strlen(c->rest) && memcmp(rest, c->rest,
		    n) == 0, "%s (splice %d): rest '%.*s', expected '%s'",
		    c->name, splice, (int)n, rest, c->rest);
	}
	/* only a tunnel half-closes the destination */
	ck_assert(r.dst_eof == (c->mode == FLOW_TUNNEL && f.done));
	ck_assert_int_eq(flow_events(&f, p.src), 0);
	ck_assert_int_eq(flow_events(&f, p.dst), 0);
	free(r.out);
	pair_close(&p);
}
END_TEST

/* a flow that waits for its source polls the source for input only */
START_TEST(test_waits_for_source)
{
	struct pair p;
	struct flow f;

	pair_open(&p, 0);
	flow_init(&f, &p.xsrc, &p.xdst, _i, p.pipe, &p.inpipe, p.buf,
	    sizeof(p.buf), 0, 0, FLOW_LENGTH, 10);
	ck_assert(!flow_step(&f));
	ck_assert(!f.done);
	ck_assert_int_eq(f.err, FLOW_OK);
	ck_assert_int_eq(flow_events(&f, p.src), POLLIN);
	ck_assert_int_eq(flow_events(&f, p.dst), 0);
	ck_assert_int_eq(send(p.src_peer, "12345", 5, 0), 5);
	ck_assert(flow_step(&f));
	ck_assert_uint_eq(f.left, 5);
	ck_assert_int_eq(flow_events(&f, p.src), POLLIN);
	pair_close(&p);
}
END_TEST

/* a destination that is gone: FLOW_EDST with its errno */
START_TEST(test_destination_closed)
{
	struct pair p;
	struct flow f;
	static char body[200000];

	pair_open(&p, 0);
	close(p.dst_peer);
	p.dst_peer = -1;
	memset(body, 'x', sizeof(body));
	flow_init(&f, &p.xsrc, &p.xdst, _i, p.pipe, &p.inpipe, p.buf,
	    sizeof(p.buf), 0, 0, FLOW_LENGTH, sizeof(body));
	for (size_t sent = 0, steps = 0; f.err == FLOW_OK; steps++) {
		ck_assert_uint_lt(steps, DRIVE_STEPS);
		(void)feed(&p, body, sizeof(body), &sent, false);
		(void)flow_step(&f);
		if (f.err == FLOW_OK)
			wait_flow(&f);
	}
	ck_assert_int_eq(f.err, FLOW_EDST);
	ck_assert_int_eq(f.errnum, EPIPE);
	ck_assert(!f.done);
	pair_close(&p);
}
END_TEST

/* bytes 0, 1, ... 250, 0, ...: a misplaced or repeated run shows */
static void
pattern(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(i % 251);
}

/* "SIZE\r\n" DATA "\r\n" chunks of up to 40,000 bytes, then "0\r\n\r\n" */
static size_t
chunked(const char *data, size_t len, char *out)
{
	size_t o = 0, n;

	for (size_t i = 0; i < len; i += n) {
		n = len - i < 40000 ? len - i : 40000;
		o += (size_t)sprintf(out + o, "%zx\r\n", n);
		memcpy(out + o, data + i, n);
		o += n;
		memcpy(out + o, "\r\n", 2);
		o += 2;
	}
	memcpy(out + o, "0\r\n\r\n", 5);
	return o + 5;
}

/*
 * Partial writes: 1 MiB through a destination that takes a few KiB at a
 * time, read 1,000 bytes a call.  Loop index: mode (length, chunked,
 * until close) x splice off/on.
 */
START_TEST(test_partial_writes)
{
	static const enum flow_mode modes[] = { FLOW_LENGTH, FLOW_CHUNKED,
	    FLOW_CLOSE };
	enum flow_mode mode = modes[_i / 2];
	size_t len = 1 << 20, wlen = len;
	char *data = malloc(len), *wire = malloc(len + 4096);
	struct pair p;
	struct flow f;
	struct run r;

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(wire);
	pattern(data, len);
	if (mode == FLOW_CHUNKED)
		wlen = chunked(data, len, wire);
	else
		memcpy(wire, data, len);
	pair_open(&p, 4096);
	flow_init(&f, &p.xsrc, &p.xdst, _i % 2, p.pipe, &p.inpipe, p.buf,
	    sizeof(p.buf), 0, 0, mode, len);
	drive(&f, &p, wire, wlen, mode == FLOW_CLOSE, 1000, &r);
	ck_assert_msg(f.err == FLOW_OK, "%s", flow_error_str(f.err));
	ck_assert(f.done);
	ck_assert_uint_eq(r.outlen, wlen);
	ck_assert(memcmp(r.out, wire, wlen) == 0);
	ck_assert_uint_eq(f.bytes, wlen);
	ck_assert_uint_eq(f.body, len);
	/* the destination did stop the flow, and it resumed */
	ck_assert_uint_gt(r.partial, 0);
	free(r.out);
	free(data);
	free(wire);
	pair_close(&p);
}
END_TEST

START_TEST(test_names)
{
	static const struct {
		enum http_body	 body;
		enum flow_mode	 mode;
	} m[] = {
		{ HTTP_BODY_NONE, FLOW_NONE },
		{ HTTP_BODY_LENGTH, FLOW_LENGTH },
		{ HTTP_BODY_CHUNKED, FLOW_CHUNKED },
		{ HTTP_BODY_CLOSE, FLOW_CLOSE },
		{ HTTP_BODY_TUNNEL, FLOW_TUNNEL },
		{ HTTP_BODY_INVALID, FLOW_NONE },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		ck_assert_int_eq(flow_mode_of(m[i].body), m[i].mode);
	for (int e = FLOW_OK; e <= FLOW_ELIMIT; e++)
		ck_assert_str_ne(flow_error_str((enum flow_error)e), "?");
}
END_TEST

/* the pipes' size fits the configuration's pipes in the user's limit */
START_TEST(test_pipe_size)
{
	static const struct {
		unsigned long	npipes, soft, want;
	} c[] = {
		{ 256, 0, RELAY_PIPE_MAX },		/* no limit */
		{ 0, 16384, RELAY_PIPE_MAX },
		{ 16, 16384, RELAY_PIPE_MAX },
		{ 256, 16384, RELAY_PIPE_MAX },		/* 256 x 64 pages */
		{ 257, 16384, 128 * 1024 },
		{ 512, 16384, 128 * 1024 },
		{ 1024, 16384, RELAY_PIPE_MIN },
		{ 100000, 16384, RELAY_PIPE_MIN },	/* never under 64 KiB */
		{ 64, 1024, 64 * 1024 },
		{ 512, 16384, 128 * 1024 },	/* the defaults, 2 CPUs, two
						   generations */
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ck_assert_uint_eq(relay_pipe_size(c[i].npipes, c[i].soft, 4096),
		    c[i].want);
	/* pages larger than a pipe: one page a pipe, no division by 0 */
	ck_assert_uint_eq(relay_pipe_size(16385, 16384, 256 * 1024),
	    RELAY_PIPE_MIN);
}
END_TEST

/* a few pipes fit any host's limit: they are made RELAY_PIPE_MAX */
START_TEST(test_pipes_made)
{
	struct relay r;

	relay_size(16);
	relay_init(&r);
	ck_assert_int_eq(relay_pipe(r.pipe_sc), 0);
	ck_assert_int_eq(r.pipe_cs[0], -1);	/* made when needed */
	ck_assert_int_eq(fcntl(r.pipe_sc[0], F_GETPIPE_SZ), RELAY_PIPE_MAX);
	ck_assert_int_eq(relay_pipe(r.pipe_cs), 0);
	ck_assert_int_eq(fcntl(r.pipe_cs[0], F_GETPIPE_SZ), RELAY_PIPE_MAX);
	relay_free(&r);
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc;

	tc = tcase_create("framing");
	tcase_add_loop_test(tc, test_framing, 0, (int)NCASES * 2);
	tcase_add_loop_test(tc, test_waits_for_source, 0, 2);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_destination_closed, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("partial");
	tcase_add_loop_test(tc, test_partial_writes, 0, 6);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("pipes");
	tcase_add_test(tc, test_pipe_size);
	tcase_add_test(tc, test_pipes_made);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	/* a write to a closed destination fails with EPIPE, as in a worker */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
