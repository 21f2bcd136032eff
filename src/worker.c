/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The worker process.  Forked by the master for one virtual service, it
 * blocks in accept on the service's listening sockets (one epoll set with
 * EPOLLEXCLUSIVE, so one idle worker wakes per connection), reads and
 * parses the request head within request_timeout, asks the service's
 * scheduler for a real server, connects within connect_timeout (another
 * server on failure, at most once each), forwards the rewritten head and
 * relays the rest with splice.  Failures cost one connection and are
 * answered with the status DESIGN.md names.  It exits between connections
 * when told to (pipe of death, SIGTERM), after maxrequestsperchild
 * connections, or when the master is gone.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "http.h"
#include "log.h"
#include "relay.h"
#include "sched.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define WORKER_MAX_EVENTS	(CONF_MAX_LISTEN + 1)
#define WORKER_TICK_MS		1000	/* check the master is alive */
#define WORKER_LINGER_MS	2000	/* drain after an error reply */
#define WORKER_LINGER_BYTES	(1024 * 1024)

static volatile sig_atomic_t stop_now;		/* SIGTERM: close and exit */
static volatile sig_atomic_t stop_graceful;	/* SIGUSR1: finish, exit */

struct worker {
	const struct worker_args *a;
	const struct service	*svc;
	struct sb		*sb;
	struct sb_worker	*ws;
	struct sb_service	*ss;
	pid_t			 master;
	int			 epfd;
	struct relay		 relay;
	struct http_limits	 lim;
	struct http_req		 req;
	char			*head;		/* client bytes read so far */
	size_t			 headcap;
	size_t			 headlen;
	char			*up;		/* head sent upstream */
	size_t			 upcap;
	unsigned long		 served;
};

/* one client connection */
struct conn {
	int			 cfd;
	int			 sfd;
	struct sockaddr_storage	 client;
	char			 clientstr[UTIL_ADDRSTRLEN];
	int			 rsi;		/* index into svc->rs, -1 */
	int			 sorry;		/* connected to the redirect */
	uint64_t		 in;		/* bytes from the client */
	uint64_t		 out;		/* bytes to the client */
};

static void
on_stop(int sig)
{
	(void)sig;
	stop_now = 1;
}

static void
on_graceful(int sig)
{
	(void)sig;
	stop_graceful = 1;
}

/* a child starts with the master's blocked mask: reset everything */
static void
setup_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: EINTR wakes us */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_graceful;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* the master gone: finish the current request, then exit */
	(void)prctl(PR_SET_PDEATHSIG, SIGUSR1);
}

static int
should_exit(const struct worker *w)
{
	if (stop_now || stop_graceful)
		return 1;
	if (getppid() != w->master)
		return 1;
	return w->svc->maxrequestsperchild > 0 &&
	    w->served >= w->svc->maxrequestsperchild;
}

static void
setup_epoll(struct worker *w)
{
	struct epoll_event ev;

	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	for (unsigned i = 0; i < w->svc->nlisten; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.fd = w->svc->listen[i].fd;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) == -1)
			fatal("epoll_ctl listen %s", w->svc->listen[i].name);
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = w->a->pod;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->a->pod, &ev) == -1)
		fatal("epoll_ctl pipe of death");
}

static void
worker_init(struct worker *w, const struct worker_args *a)
{
	char tag[64];

	memset(w, 0, sizeof(*w));
	w->a = a;
	w->svc = a->svc;
	w->sb = a->sb;
	w->ws = sb_worker(a->sb, (unsigned)a->slot);
	w->ss = sb_service(a->sb, (unsigned)a->svc->sb_index);
	w->master = getppid();
	snprintf(tag, sizeof(tag), "virtual %s", w->svc->ident);
	log_set_tag(tag);
	setup_signals();
	if (getppid() != atomic_load(&w->sb->hdr->master_pid))
		exit(0);
	w->lim.max_request_line = w->svc->max_request_line;
	w->lim.max_header_size = w->svc->max_header_size;
	w->lim.max_headers = w->svc->max_headers;
	/* one byte past the limit, so the parser sees it passed */
	w->headcap = (size_t)w->svc->max_header_size + 1;
	w->head = xmalloc(w->headcap);
	w->upcap = 2 * w->headcap + 1024;
	w->up = xmalloc(w->upcap);
	if (relay_init(&w->relay, w->svc->splice, &stop_now) == -1)
		fatal("relay buffers");
	setup_epoll(w);
}

static void
send_error(struct worker *w, struct conn *c, int status)
{
	char buf[512];
	size_t n = http_error_reply(status, buf, sizeof(buf));

	/* best effort, bounded: the client may be gone already */
	if (relay_write_all(c->cfd, buf, n, 1000, &stop_now) == 0)
		c->out += n;
	atomic_fetch_add_explicit(&w->ss->errors, 1, memory_order_relaxed);
	log_debug("client %s: %d %s", c->clientstr, status,
	    http_status_text(status));
}

/*
 * After an error reply the client may still be sending (the rest of an
 * over-large head, a body we refused).  Closing with unread bytes would
 * send a reset that can destroy the reply before the client reads it, so
 * half-close and drain for a bounded time and size first (lingering
 * close, as nginx and HAProxy do).
 */
static void
linger(struct worker *w, struct conn *c)
{
	int64_t deadline = util_now_ms() + WORKER_LINGER_MS;
	struct pollfd pfd = { .fd = c->cfd, .events = POLLIN };
	size_t total = 0;
	ssize_t n;

	if (shutdown(c->cfd, SHUT_WR) == -1)
		return;
	while (total < WORKER_LINGER_BYTES && !stop_now) {
		n = recv(c->cfd, w->head, w->headcap, 0);
		if (n > 0) {
			total += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return;
		if (util_now_ms() >= deadline ||
		    poll(&pfd, 1, (int)(deadline - util_now_ms())) == 0)
			return;
	}
}

/*
 * Read until the head parses.  Returns 0 with w->req filled, or the status
 * to answer, or -1 to close silently (nothing arrived, or the client left).
 */
static int
read_head(struct worker *w, struct conn *c)
{
	int64_t deadline = util_now_ms() + (int64_t)w->svc->request_timeout *
	    1000;
	struct pollfd pfd = { .fd = c->cfd, .events = POLLIN };
	enum http_result hr;
	ssize_t n;
	int rc;

	w->headlen = 0;
	for (;;) {
		n = recv(c->cfd, w->head + w->headlen, w->headcap - w->headlen,
		    0);
		if (n > 0) {
			w->headlen += (size_t)n;
			hr = http_parse_request(w->head, w->headlen, &w->lim,
			    &w->req);
			if (hr == HTTP_OK)
				return 0;
			if (hr == HTTP_ERROR) {
				log_debug("client %s: %s at byte %zu",
				    c->clientstr, w->req.reason ?
				    w->req.reason : "invalid request",
				    w->req.err_off);
				return w->req.status;
			}
			if (w->headlen == w->headcap)
				return 431;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if (stop_now)
			return -1;
		rc = poll(&pfd, 1, (int)(deadline - util_now_ms()));
		if (rc == 0 || deadline <= util_now_ms())
			return w->headlen == 0 ? -1 : 408;
		if (rc == -1 && errno != EINTR)
			return -1;
	}
}

static void
tune_socket(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* try the sorry server; the socket or -1 */
static int
connect_sorry(struct worker *w, struct conn *c)
{
	const struct service *svc = w->svc;
	int fd;

	if (!svc->has_redirect)
		return -1;
	fd = relay_connect((const struct sockaddr *)&svc->redirect,
	    svc->redirectlen, (int)svc->connect_timeout * 1000);
	if (fd == -1) {
		log_warn("sorry server %s: connect", svc->redirect_name);
		return -1;
	}
	c->sorry = 1;
	return fd;
}

static void
note_connect_failure(struct worker *w, const struct realserver *rs, int err)
{
	struct sb_server *s = sb_server(w->sb, (unsigned)rs->sb_index);

	atomic_fetch_add_explicit(&s->connect_errors, 1,
	    memory_order_relaxed);
	/* logged once per change of state, not once per request */
	if (atomic_fetch_add(&s->fails, 1) == 0) {
		errno = err;
		log_warn("server %s: connect", rs->name);
	}
}

static void
note_connect_success(struct worker *w, const struct realserver *rs)
{
	struct sb_server *s = sb_server(w->sb, (unsigned)rs->sb_index);

	if (atomic_load_explicit(&s->fails, memory_order_relaxed) != 0 &&
	    atomic_exchange(&s->fails, 0) != 0)
		log_info("server %s: connect succeeds again", rs->name);
}

/*
 * Schedule and connect, trying each real server at most once.  Returns 0
 * with c->sfd set, or the status to answer: 503 when no server could take
 * the request (after the sorry server), 504 when the last try timed out.
 */
static int
choose_and_connect(struct worker *w, struct conn *c)
{
	const struct service *svc = w->svc;
	struct sched_req sr = {
		.client = (const struct sockaddr *)&c->client,
		.http = &w->req,
		.head = w->head,
		.exclude = 0,
	};
	int timedout = 0, i;

	for (unsigned tries = 0; tries < svc->nrs; tries++) {
		sb_worker_state(w->ws, WS_SCHEDULING);
		if ((i = svc->sched->schedule(svc, w->sb, &sr)) < 0)
			break;
		sb_worker_state(w->ws, WS_CONNECTING);
		sb_server_hold(w->sb, w->ws, svc->rs[i].sb_index);
		c->sfd = relay_connect((const struct sockaddr *)&svc->rs[i].addr,
		    svc->rs[i].addrlen, (int)svc->connect_timeout * 1000);
		if (c->sfd != -1) {
			c->rsi = i;
			note_connect_success(w, &svc->rs[i]);
			return 0;
		}
		timedout = errno == ETIMEDOUT;
		note_connect_failure(w, &svc->rs[i], errno);
		sb_server_release(w->sb, w->ws);
		sr.exclude |= (uint64_t)1 << i;
		if (stop_now)
			return 503;
	}
	if ((c->sfd = connect_sorry(w, c)) != -1)
		return 0;
	return timedout ? 504 : 503;
}

static void
count_request(struct worker *w, const struct conn *c, uint64_t to_server,
    uint64_t to_client)
{
	atomic_fetch_add_explicit(&w->ws->requests, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->requests, 1, memory_order_relaxed);
	if (c->rsi >= 0) {
		struct sb_server *s = sb_server(w->sb,
		    (unsigned)w->svc->rs[c->rsi].sb_index);

		atomic_fetch_add_explicit(&s->requests, 1,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&s->bytes_out, to_server,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&s->bytes_in, to_client,
		    memory_order_relaxed);
	}
}

/* bytes of request body still to come from the client after the head */
static uint64_t
body_left(const struct http_req *req, size_t *extra)
{
	uint64_t body = 0;

	if (req->flags & HTTP_F_CHUNKED)
		return UINT64_MAX;	/* until the client closes */
	if (req->flags & HTTP_F_CL)
		body = req->content_length;
	/* bytes past the body (a pipelined request) are never forwarded */
	if (*extra > body)
		*extra = (size_t)body;
	return body - *extra;
}

/* send the head and relay; returns 0 or a status for a failure before
   the response began */
static int
forward(struct worker *w, struct conn *c)
{
	const struct service *svc = w->svc;
	struct relay_stats st = { 0, 0 };
	size_t extra = w->headlen - w->req.head_len;
	enum relay_result rr;
	uint64_t left;
	long n;

	n = http_build_upstream(&w->req, w->head, c->clientstr, "close",
	    w->up, w->upcap);
	if (n < 0)
		return 431;
	left = body_left(&w->req, &extra);
	memcpy(w->up + n, w->head + w->req.head_len, extra);
	tune_socket(c->sfd);
	sb_worker_state(w->ws, WS_RELAYING);
	if (relay_write_all(c->sfd, w->up, (size_t)n + extra,
	    (int)svc->read_timeout * 1000, &stop_now) == -1)
		return errno == ETIMEDOUT ? 504 : 502;
	rr = relay_run(&w->relay, c->cfd, c->sfd, (int)svc->read_timeout *
	    1000, left, &st);
	c->in += st.to_server;
	c->out += st.to_client;
	count_request(w, c, (uint64_t)n + extra + st.to_server, st.to_client);
	if (rr != RELAY_DONE)
		log_debug("client %s: relay ended: %s after %llu bytes out",
		    c->clientstr, relay_result_str(rr),
		    (unsigned long long)st.to_client);
	if (st.to_client > 0)
		return 0;
	if (rr == RELAY_TIMEOUT)
		return 504;
	if (rr == RELAY_SERVER_ERROR)
		return 502;
	return 0;
}

static int
check_body_limit(const struct worker *w)
{
	return w->svc->max_body_size > 0 && (w->req.flags & HTTP_F_CL) &&
	    w->req.content_length > w->svc->max_body_size ? 413 : 0;
}

static void
note_request(struct worker *w)
{
	size_t n = w->req.method.len + 1 + w->req.target.len;

	if (n >= sizeof(w->ws->request))
		n = sizeof(w->ws->request) - 1;
	/* informative, read racily by tools */
	memcpy(w->ws->request, w->head + w->req.method.off, n);
	w->ws->request[n] = '\0';
}

static void
serve_conn(struct worker *w, struct conn *c)
{
	int status;

	c->sfd = -1;
	c->rsi = -1;
	util_addr_host((const struct sockaddr *)&c->client, c->clientstr,
	    sizeof(c->clientstr));
	memcpy(&w->ws->client, &c->client, sizeof(c->client));
	atomic_fetch_add_explicit(&w->ws->conns, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->conns, 1, memory_order_relaxed);
	tune_socket(c->cfd);
	sb_worker_state(w->ws, WS_READING);
	if ((status = read_head(w, c)) == -1)
		return;
	c->in = w->headlen;
	if (status == 0) {
		note_request(w);
		status = check_body_limit(w);
	}
	if (status == 0)
		status = choose_and_connect(w, c);
	if (status == 0)
		status = forward(w, c);
	if (status != 0) {
		if (c->rsi == -1 && c->sfd == -1)
			count_request(w, c, 0, 0);
		send_error(w, c, status);
		linger(w, c);
	}
}

static void
finish_conn(struct worker *w, struct conn *c)
{
	sb_worker_state(w->ws, WS_CLOSING);
	if (c->sfd != -1)
		close(c->sfd);
	sb_server_release(w->sb, w->ws);
	close(c->cfd);
	atomic_fetch_add_explicit(&w->ws->bytes_in, c->in,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ws->bytes_out, c->out,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->bytes_in, c->in,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->bytes_out, c->out,
	    memory_order_relaxed);
	w->served++;
}

/* the master wrote a byte to retire one idle worker: was it for us */
static int
read_pod(struct worker *w)
{
	char b;

	return read(w->a->pod, &b, 1) == 1;
}

static void
accept_one(struct worker *w, int lfd)
{
	struct conn c;
	socklen_t len = sizeof(c.client);

	memset(&c, 0, sizeof(c));
	c.cfd = accept4(lfd, (struct sockaddr *)&c.client, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c.cfd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	serve_conn(w, &c);
	finish_conn(w, &c);
}

void
worker_main(const struct worker_args *a)
{
	struct epoll_event ev[WORKER_MAX_EVENTS];
	struct worker w;
	int n;

	worker_init(&w, a);
	while (!should_exit(&w)) {
		sb_worker_state(w.ws, WS_IDLE);
		n = epoll_wait(w.epfd, ev, WORKER_MAX_EVENTS, WORKER_TICK_MS);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		for (int i = 0; i < n && !stop_now; i++) {
			if (ev[i].data.fd == a->pod) {
				if (read_pod(&w))
					stop_graceful = 1;
				continue;
			}
			accept_one(&w, ev[i].data.fd);
		}
	}
	sb_worker_state(w.ws, WS_CLOSING);
	relay_free(&w.relay);
	exit(0);
}
