/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The worker process.  Forked by the master for one virtual service, it
 * blocks in accept on the service's listening sockets (one epoll set with
 * EPOLLEXCLUSIVE, so one idle worker wakes per connection) and serves one
 * client connection at a time: for each request on it, reads and parses
 * the head within request_timeout, asks the service's scheduler for a real
 * server, takes a kept connection to it or connects within connect_timeout
 * (another server on failure, at most once each), forwards the rewritten
 * head, then relays the request body and the response by their framing
 * (flow.c: splice, chunk framing checked), so the connection can carry the
 * next request.  Kept-alive client connections wait keepalive_timeout for
 * the next request in the worker's epoll set, and are handed to the
 * service's idle workers when this one is busy for long; origin
 * connections are kept per real server for later requests.  Failures are
 * answered with the status DESIGN.md names.  It exits between connections
 * when told to (pipe of death, SIGTERM), after maxrequestsperchild
 * connections, or when the master is gone.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alog.h"
#include "conf-t.h"
#include "flow.h"
#include "http.h"
#include "log.h"
#include "proc.h"
#include "relay.h"
#include "sched.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define WORKER_MAX_EVENTS	64
#define WORKER_ACCEPT_BATCH	16	/* connections taken a round */
#define WORKER_TICK_MS		1000	/* check the master is alive */
#define WORKER_LINGER_MS	2000	/* drain after an error reply */
#define WORKER_LINGER_BYTES	(1024 * 1024)
#define WORKER_CLIENT_BUF	16384	/* for the body, past the largest head */
#define WORKER_RESP_HEAD_MAX	65536	/* largest response head */
#define WORKER_RESP_READ	16384	/* read per recv while the response
					   head is incomplete: body bytes read
					   with it are copied, the rest of the
					   body is spliced */
#define WORKER_POOL_TRUST_MS	1000	/* reuse without a look first */
#define WORKER_PARK_MIN		64	/* places for idle client connections
					   a worker starts with, */
#define WORKER_PARK_MAX		4096	/* and grows to, doubling */
#define WORKER_PARK_TAG		(1ULL << 40)	/* epoll data of a parked one */
#define WORKER_HANDOFF_TAG	(1ULL << 41)	/* of the handoff socket */
#define WORKER_HANDOFF_MS	20	/* busy this long with one connection:
					   hand the parked ones to idle
					   workers */
#define WORKER_GRACE_IDLE_MS	1000	/* stopping: how long a kept idle
					   connection may still send its next
					   request (answered with close) */

static volatile sig_atomic_t stop_now;		/* SIGTERM: close and exit */
static volatile sig_atomic_t stop_graceful;	/* SIGUSR1: finish, exit */

/* an idle connection to a real server, kept for a later request */
struct idle {
	int			 fd;		/* -1: free */
	int			 rsi;		/* index into svc->rs */
	int64_t			 since;		/* ms it went idle */
};

/*
 * A client connection with nothing to read yet -- accepted before its
 * request arrived, or kept alive between requests -- waits in the
 * worker's epoll set instead of holding the worker (Apache's event MPM
 * does the same), until its first byte or its deadline.
 */
struct parked {
	int			 fd;		/* -1: free */
	unsigned		 nreq;
	int64_t			 deadline;	/* util_now_ms() */
	struct sockaddr_storage	 client;
};

struct worker {
	const struct worker_args *a;
	const struct service	*svc;
	struct sb		*sb;
	struct sb_worker	*ws;
	struct sb_service	*ss;
	pid_t			 master;
	int			 epfd;
	struct relay		 relay;		/* the two pipes */
	struct http_limits	 lim;
	struct http_limits	 rlim;		/* for response heads */
	struct http_req		 req;
	struct http_resp	 resp;
	char			*head;		/* client bytes read so far */
	size_t			 headcap;
	size_t			 headlen;
	size_t			 restoff;	/* headlen bytes start here */
	struct alog_rec		 rec;		/* this request, for the log */
	int64_t			 t_first;	/* us: the request's first byte */
	int64_t			 t_head;	/* us: its head complete */
	int64_t			 wall_first;	/* ms, wall clock, for the log */
	char			*up;		/* head sent upstream */
	size_t			 upcap;
	char			*sbuf;		/* bytes from the server */
	size_t			 scap;
	char			*obuf;		/* head sent to the client */
	size_t			 ocap;
	struct idle		*pool;
	unsigned		 npool;
	struct parked		*park;		/* parkcap places */
	unsigned		*parkfree;	/* free places, a stack */
	unsigned		 parkcap;
	unsigned		 parkmax;	/* within the open-files limit */
	unsigned		 nparked;
	int64_t			 parknext;	/* no deadline before this */
	bool			 finishing;	/* begin_finish() done */
	bool			 handed;	/* parked ones handed off since
						   the last epoll_wait */
	unsigned long		 served;
};

/* one client connection */
struct conn {
	int			 cfd;
	bool			 ready;		/* bytes are waiting: read first */
	struct sockaddr_storage	 client;
	char			 clientstr[UTIL_ADDRSTRLEN];
	unsigned		 nreq;		/* requests read on it */
	bool			 keep;		/* serve another request */
	int			 lowat;		/* SO_RCVLOWAT as set, 0: never */
	uint64_t		 in;		/* bytes from the client */
	uint64_t		 out;		/* bytes to the client */
};

/* one request's way to a server */
struct xfer {
	int			 sfd;
	int			 rsi;		/* index into svc->rs, -1 */
	bool			 sorry;		/* connected to the redirect */
	bool			 reused;	/* a kept connection */
	bool			 reusable;	/* may be kept afterwards */
	bool			 started;	/* the final response head went
						   to the client */
	enum http_body		 reqbody;
	size_t			 uplen;		/* bytes of w->up */
	int64_t			 t_conn;	/* us to get a connection, -1 */
	int64_t			 t_sent;	/* us: head sent */
	int64_t			 t_resp;	/* us from sent to response head */
	char			 setcookie[128]; /* chttp: a field for the
						   response, or "" */
	uint64_t		 to_server;
	uint64_t		 to_client;
	int			 lowat;		/* SO_RCVLOWAT of sfd, 0: never */
};

/* what an exchange ended with, besides a status to answer */
#define XFER_DONE	0
#define XFER_ABORT	(-1)	/* close the client connection, no reply */
#define XFER_RETRY	(-2)	/* a kept connection failed: try a new one */

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

/* handlers set flags; the master gone: finish the request, then exit */
static void
setup_signals(const struct sb *sb)
{
	static const struct proc_sig sigs[] = {
		{ SIGTERM, on_stop }, { SIGINT, on_stop },
		{ SIGUSR1, on_graceful }
	};

	if (!proc_child_init(NULL, sigs, 3, NULL, SIGUSR1, sb))
		exit(0);
}

/* between requests: the master's death also sets stop_graceful */
static bool
told_to_stop(void)
{
	return stop_now || stop_graceful;
}

/*
 * Stop taking connections and finish: told to (SIGUSR1, the pipe of
 * death, the master's death) or maxrequestsperchild served.
 */
static int
should_finish(const struct worker *w)
{
	if (told_to_stop() || getppid() != w->master)
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
		ev.data.u64 = (uint64_t)w->svc->listen[i].fd;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->svc->listen[i].fd,
		    &ev) == -1)
			fatal("epoll_ctl listen %s", w->svc->listen[i].name);
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u64 = (uint64_t)w->a->pod;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->a->pod, &ev) == -1)
		fatal("epoll_ctl pipe of death");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.u64 = WORKER_HANDOFF_TAG;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->a->handoff[1], &ev) == -1)
		fatal("epoll_ctl handoff socket");
}

/*
 * As many places as WORKER_PARK_MAX, and as leave this worker descriptors
 * for its listening sockets, kept server connections, the connection it
 * serves and its pipes: a worker out of descriptors could not accept.
 */
static void
park_limit(struct worker *w)
{
	struct rlimit rl;
	rlim_t spare = 64 + (rlim_t)w->npool + w->svc->nlisten;

	w->parkmax = WORKER_PARK_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)WORKER_PARK_MAX + spare)
		w->parkmax = rl.rlim_cur > spare + WORKER_PARK_MIN ?
		    (unsigned)(rl.rlim_cur - spare) : WORKER_PARK_MIN;
}

/* twice the places (WORKER_PARK_MIN at first); false at parkmax */
static bool
park_grow(struct worker *w)
{
	unsigned cap = w->parkcap ? 2 * w->parkcap : WORKER_PARK_MIN;

	if (w->parkcap >= w->parkmax)
		return false;
	if (cap > w->parkmax)
		cap = w->parkmax;
	w->park = xreallocarray(w->park, cap, sizeof(*w->park));
	w->parkfree = xreallocarray(w->parkfree, cap, sizeof(*w->parkfree));
	/* the free stack pops the lowest new place first */
	for (unsigned i = cap; i-- > w->parkcap; ) {
		w->park[i].fd = -1;
		w->parkfree[w->parkcap - w->nparked + (cap - 1 - i)] = i;
	}
	w->parkcap = cap;
	return true;
}

static void	hand_off_parked(void *);

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
	setup_signals(w->sb);
	w->lim.max_request_line = w->svc->max_request_line;
	w->lim.max_header_size = w->svc->max_header_size;
	w->lim.max_headers = w->svc->max_headers;
	w->rlim.max_request_line = WORKER_RESP_HEAD_MAX;
	w->rlim.max_header_size = WORKER_RESP_HEAD_MAX;
	w->rlim.max_headers = HTTP_MAX_HEADERS;
	/* one byte past the limit, so the parser sees it passed */
	w->headcap = (size_t)w->svc->max_header_size + 1 + WORKER_CLIENT_BUF;
	w->head = xmalloc(w->headcap);
	w->upcap = 2 * ((size_t)w->svc->max_header_size + 1) + 1024;
	w->up = xmalloc(w->upcap);
	w->scap = WORKER_RESP_HEAD_MAX + 1;
	w->sbuf = xmalloc(w->scap);
	w->ocap = w->scap + 1024;
	w->obuf = xmalloc(w->ocap);
	w->npool = w->svc->nrs * w->svc->server_keepalive;
	if (w->npool > 0) {
		w->pool = xmalloc(w->npool * sizeof(*w->pool));
		for (unsigned i = 0; i < w->npool; i++)
			w->pool[i].fd = -1;
	}
	park_limit(w);
	(void)park_grow(w);
	if (relay_init(&w->relay, &stop_now) == -1)
		fatal("relay pipes");
	w->relay.on_wake = hand_off_parked;
	w->relay.wake_arg = w;
	setup_epoll(w);
}

/*
 * Kept origin connections.
 */

static void
pool_drop(struct idle *k)
{
	if (k->fd != -1)
		close(k->fd);
	k->fd = -1;
}

/* close kept connections idle past server_keepalive_timeout */
static void
pool_expire(struct worker *w)
{
	int64_t now = util_now_ms(),
	    ttl = (int64_t)w->svc->server_keepalive_timeout * 1000;

	for (unsigned i = 0; i < w->npool; i++)
		if (w->pool[i].fd != -1 && now - w->pool[i].since >= ttl)
			pool_drop(&w->pool[i]);
}

/*
 * A kept connection to server rsi, or -1.  One the server closed (EOF
 * waiting) or wrote to unasked is dropped, not used.
 */
static int
pool_take(struct worker *w, int rsi)
{
	struct idle *k;
	char b;
	int fd;

	pool_expire(w);
	for (unsigned i = 0; i < w->npool; i++) {
		k = &w->pool[i];
		if (k->fd == -1 || k->rsi != rsi)
			continue;
		fd = k->fd;
		k->fd = -1;
		/*
		 * Servers close kept connections when they have idled: one
		 * used within the last second is taken on trust (a failure
		 * is retried), an older one is looked at first.
		 */
		if (util_now_ms() - k->since < WORKER_POOL_TRUST_MS)
			return fd;
		if (recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK))
			return fd;
		close(fd);
	}
	return -1;
}

/* keep fd for server rsi, dropping its oldest if it has too many */
static void
pool_put(struct worker *w, int rsi, int fd)
{
	struct idle *k, *free_slot = NULL, *oldest = NULL;
	unsigned n = 0;

	for (unsigned i = 0; i < w->npool; i++) {
		k = &w->pool[i];
		if (k->fd == -1) {
			if (free_slot == NULL)
				free_slot = k;
			continue;
		}
		if (k->rsi != rsi)
			continue;
		n++;
		if (oldest == NULL || k->since < oldest->since)
			oldest = k;
	}
	if (n >= w->svc->server_keepalive && oldest != NULL) {
		pool_drop(oldest);
		free_slot = oldest;
	}
	if (free_slot == NULL) {
		close(fd);
		return;
	}
	free_slot->fd = fd;
	free_slot->rsi = rsi;
	free_slot->since = util_now_ms();
}

static void
pool_close_all(struct worker *w)
{
	for (unsigned i = 0; i < w->npool; i++)
		pool_drop(&w->pool[i]);
}

/*
 * Client side.
 */

static void
send_error(struct worker *w, struct conn *c, int status)
{
	char buf[512];
	size_t n = http_error_reply(status, buf, sizeof(buf));

	/* best effort, bounded: the client may be gone already */
	if (relay_write_all(&w->relay, c->cfd, buf, n, 1000) == 0)
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
		    relay_poll(&w->relay, &pfd, 1,
		    (int)(deadline - util_now_ms())) == 0)
			return;
	}
}

/* parse what is buffered: 0 when a head is complete, a status, or 1 */
static int
parse_head(struct worker *w, struct conn *c)
{
	enum http_result hr;

	hr = http_parse_request(w->head, w->headlen, &w->lim, &w->req);
	if (hr == HTTP_OK)
		return 0;
	if (hr == HTTP_ERROR) {
		log_debug("client %s: %s at byte %zu", c->clientstr,
		    w->req.reason ? w->req.reason : "invalid request",
		    w->req.err_off);
		return w->req.status;
	}
	return w->headlen == w->headcap ? 431 : 1;
}

/*
 * A head that trickles in slower than request_min_rate bytes a second,
 * once the grace time has passed, ties up a worker for nothing
 * (slowloris): mod_reqtimeout's MinRate.
 */
static bool
too_slow(const struct worker *w, const struct conn *c, int64_t start)
{
	int64_t elapsed = util_now_ms() - start;

	if (w->svc->request_min_rate == 0 || w->headlen == 0 ||
	    elapsed < CONF_REQUEST_RATE_GRACE_MS)
		return false;
	if ((uint64_t)w->headlen * 1000 >=
	    (uint64_t)w->svc->request_min_rate * (uint64_t)elapsed)
		return false;
	log_debug("client %s: request head at %llu bytes/s, under "
	    "request_min_rate", c->clientstr, (unsigned long long)
	    ((uint64_t)w->headlen * 1000 / (uint64_t)elapsed));
	return true;
}

/* the head is parsed (or refused): note when */
static int
head_done(struct worker *w, int rc)
{
	w->t_head = util_now_us();
	return rc;
}

/*
 * Read until the head parses, starting with what is buffered (pipelined
 * bytes).  The first request of a connection has request_timeout from the
 * accept; a later one waits keepalive_timeout for its first byte, then
 * request_timeout for the rest.  Returns 0 with w->req filled, or the
 * status to answer, or -1 to close silently (nothing arrived in time, the
 * client left, or the worker was told to stop while the connection idled).
 */
static int
read_head(struct worker *w, struct conn *c)
{
	const struct service *svc = w->svc;
	struct pollfd pfd = { .fd = c->cfd, .events = POLLIN };
	int64_t deadline, start = util_now_ms(), wait;
	ssize_t n;
	int rc;
	/* a kept connection's next request is rarely there yet: wait first */
	bool ready = w->headlen > 0 || c->nreq == 0 || c->ready;

	if (w->headlen > 0 || c->nreq == 0 || c->ready)
		deadline = util_now_ms() + (int64_t)svc->request_timeout *
		    1000;
	else
		deadline = util_now_ms() + (int64_t)svc->keepalive_timeout *
		    1000;
	w->t_first = util_now_us();
	w->wall_first = util_wall_ms();
	if (w->headlen > 0 && (rc = parse_head(w, c)) != 1)
		return head_done(w, rc);
	for (;;) {
		if (ready) {
			n = recv(c->cfd, w->head + w->headlen,
			    w->headcap - w->headlen, 0);
			if (n > 0) {
				if (w->headlen == 0 && c->nreq > 0) {
					sb_worker_state(w->ws, WS_READING);
					w->t_first = util_now_us();
					w->wall_first = util_wall_ms();
					start = util_now_ms();
					deadline = start +
					    (int64_t)svc->request_timeout *
					    1000;
				}
				w->headlen += (size_t)n;
				if ((rc = parse_head(w, c)) != 1)
					return head_done(w, rc);
				continue;
			}
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				return -1;
		}
		ready = true;
		if (stop_now || (w->headlen == 0 && c->nreq > 0 &&
		    told_to_stop()))
			return -1;
		if (too_slow(w, c, start))
			return 408;
		wait = deadline - util_now_ms();
		/* look at the rate once a second while a head trickles in */
		if (svc->request_min_rate > 0 && w->headlen > 0 && wait > 1000)
			wait = 1000;
		rc = relay_poll(&w->relay, &pfd, 1, (int)(wait > 0 ? wait : 0));
		if (deadline <= util_now_ms())
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

/*
 * Choosing and connecting.
 */

/* try the sorry server; the socket or -1 */
static int
connect_sorry(struct worker *w, struct xfer *x)
{
	const struct service *svc = w->svc;
	int fd;

	if (!svc->has_redirect)
		return -1;
	fd = relay_connect(&w->relay, (const struct sockaddr *)&svc->redirect,
	    svc->redirectlen, (int)svc->connect_timeout * 1000);
	if (fd == -1) {
		log_warn("sorry server %s: connect", svc->redirect_name);
		return -1;
	}
	x->sorry = true;
	return fd;
}

/*
 * Passive health: a failed connect counts towards the server's fall (it
 * is marked down at once when actively checked); logged once a run.
 */
static void
note_connect_failure(struct worker *w, const struct realserver *rs, int err)
{
	struct sb_server *s = sb_server(w->sb, (unsigned)rs->sb_index);

	atomic_fetch_add_explicit(&s->connect_errors, 1,
	    memory_order_relaxed);
	if (sb_server_report_fail(w->sb, rs->sb_index, rs->check.fall) == 1) {
		errno = err;
		log_warn("server %s: connect", rs->name);
	}
}

static void
note_connect_success(struct worker *w, const struct realserver *rs)
{
	sb_server_connected(w->sb, rs->sb_index);
	if (sb_server_report_ok(w->sb, rs->sb_index) > 0)
		log_info("server %s: connect succeeds again", rs->name);
}

/*
 * Persistence (persistent = SECONDS, like ipvsadm -p): the client's
 * address under persistent_netmask (IPv6: the whole address), hashed.
 */
static uint64_t
persist_key(const struct service *svc, const struct sockaddr_storage *ss)
{
	const unsigned char *p;
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t a;
	size_t n;

	if (ss->ss_family == AF_INET) {
		a = ((const struct sockaddr_in *)ss)->sin_addr.s_addr &
		    svc->persistent_mask;
		p = (const unsigned char *)&a;
		n = sizeof(a);
	} else {
		p = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* the server the client's template names, if still eligible, or -1 */
static int
persist_lookup(struct worker *w, const struct conn *c,
    const struct sched_req *sr)
{
	const struct service *svc = w->svc;
	int slot;

	slot = sb_persist_get(w->sb, (unsigned)svc->sb_index,
	    persist_key(svc, &c->client), (uint32_t)time(NULL));
	if (slot < 0)
		return -1;
	for (unsigned i = 0; i < svc->nrs; i++)
		if (svc->rs[i].sb_index == slot)
			return sched_available(svc, w->sb, sr, i) ? (int)i : -1;
	return -1;
}

static void
persist_note(struct worker *w, const struct conn *c, int i)
{
	const struct service *svc = w->svc;

	sb_persist_put(w->sb, (unsigned)svc->sb_index,
	    persist_key(svc, &c->client), svc->rs[i].sb_index,
	    (uint32_t)time(NULL) + svc->persistent);
}

/*
 * Schedule and get a connection: a kept one (unless fresh is set), else a
 * new one; after a failed connect another server the scheduler picks, at
 * most retries more and never the same one twice.  Returns 0 with x->sfd
 * set and the server's active count held, or the status to answer: 503
 * when no server could take the request (after the sorry server), 504
 * when the last try timed out.
 */
static int
choose_and_connect(struct worker *w, struct conn *c, struct xfer *x,
    bool fresh)
{
	const struct service *svc = w->svc;
	struct sched_req sr = {
		.client = (const struct sockaddr *)&c->client,
		.http = &w->req,
		.head = w->head,
		.exclude = 0,
	};
	const struct realserver *rs;
	int timedout = 0, i;

	x->sfd = -1;
	x->rsi = -1;
	x->reused = false;
	for (unsigned tries = 0; tries <= svc->retries && tries < svc->nrs;
	    tries++) {
		sb_worker_state(w->ws, WS_SCHEDULING);
		i = -1;
		if (svc->persistent > 0 && tries == 0)
			i = persist_lookup(w, c, &sr);
		if (i < 0 && (i = svc->sched->schedule(svc, w->sb, &sr)) < 0)
			break;
		if (svc->persistent > 0)
			persist_note(w, c, i);
		rs = &svc->rs[i];
		sb_server_hold(w->sb, w->ws, rs->sb_index);
		x->rsi = i;
		if (!fresh && (x->sfd = pool_take(w, i)) != -1) {
			x->reused = true;
			return 0;
		}
		sb_worker_state(w->ws, WS_CONNECTING);
		x->sfd = relay_connect(&w->relay,
		    (const struct sockaddr *)&rs->addr, rs->addrlen,
		    (int)svc->connect_timeout * 1000);
		if (x->sfd != -1) {
			note_connect_success(w, rs);
			tune_socket(x->sfd);
			return 0;
		}
		timedout = errno == ETIMEDOUT;
		note_connect_failure(w, rs, errno);
		sb_server_release(w->sb, w->ws);
		x->rsi = -1;
		sr.exclude |= (uint64_t)1 << i;
		if (stop_now)
			return 503;
	}
	if ((x->sfd = connect_sorry(w, x)) != -1)
		return 0;
	return timedout ? 504 : 503;
}

static void
count_request(struct worker *w, const struct xfer *x)
{
	atomic_fetch_add_explicit(&w->ws->requests, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->requests, 1, memory_order_relaxed);
	if (x != NULL && x->rsi >= 0) {
		struct sb_server *s = sb_server(w->sb,
		    (unsigned)w->svc->rs[x->rsi].sb_index);

		atomic_fetch_add_explicit(&s->requests, 1,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&s->bytes_out, x->to_server,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&s->bytes_in, x->to_client,
		    memory_order_relaxed);
	}
}

/*
 * The request.
 */

static int
check_body_limit(const struct worker *w)
{
	return w->svc->max_body_size > 0 && (w->req.flags & HTTP_F_CL) &&
	    w->req.content_length > w->svc->max_body_size ? 413 : 0;
}

/*
 * A chunked body whose framing already in the buffer is invalid is
 * refused before any server is contacted (the common smuggling attempt
 * sends it all at once); framing that arrives later is checked as it is
 * relayed, and nothing from a bad byte on is forwarded.
 */
static int
check_buffered_chunks(const struct worker *w)
{
	struct http_chunk ch;
	const char *p = w->head + w->req.head_len;
	size_t len = w->headlen - w->req.head_len, used, n;

	http_chunk_init(&ch, FLOW_MAX_TRAILER);
	while (len > 0 && !ch.done) {
		if (ch.data_left > 0) {
			n = len < ch.data_left ? len : (size_t)ch.data_left;
			http_chunk_data(&ch, n);
			p += n;
			len -= n;
			continue;
		}
		if (http_chunk_parse(&ch, p, len, &used) == HTTP_ERROR) {
			log_debug("request body: %s", ch.reason);
			return 400;
		}
		p += used;
		len -= used;
		if (w->svc->max_body_size > 0 &&
		    ch.total > w->svc->max_body_size)
			return 413;
	}
	return 0;
}

static bool
method_is(const struct worker *w, const char *m)
{
	return http_span_is(w->head, w->req.method, m);
}

/* RFC 9110 9.2.2; a request that may be sent twice */
static bool
idempotent(const struct worker *w)
{
	static const char *const safe[] = {
		"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"
	};

	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (method_is(w, safe[i]))
			return true;
	return false;
}

/* may the client connection carry another request after this one */
static bool
client_keepalive(const struct worker *w, const struct conn *c)
{
	const struct http_req *req = &w->req;

	if (!w->svc->keepalive || (req->flags & HTTP_F_CONN_CLOSE))
		return false;
	if (req->minor == 0 && !(req->flags & HTTP_F_CONN_KEEPALIVE))
		return false;
	if (w->svc->maxkeepaliverequests > 0 &&
	    c->nreq >= w->svc->maxkeepaliverequests)
		return false;
	return !told_to_stop() && !w->finishing;
}

static void
note_request(struct worker *w)
{
	const char *line = w->head + w->req.method.off;
	const char *end = memchr(line, '\n', w->headlen - w->req.method.off);
	size_t n = end != NULL ? (size_t)(end - line) : 0;

	if (n > 0 && line[n - 1] == '\r')
		n--;

	/* the request line, as Apache's mod_status shows it; informative,
	   read racily by tools; escaped like a log line */
	log_escape(w->ws->request, sizeof(w->ws->request), line, n);
}

/* the Connection field for the response head, or NULL for none */
static const char *
response_connection(const struct worker *w, const struct conn *c,
    enum http_body body)
{
	if (body == HTTP_BODY_TUNNEL)
		return w->resp.status == 101 ? "upgrade" : NULL;
	if (!c->keep)
		return "close";
	return w->req.minor == 0 ? "keep-alive" : NULL;
}

/*
 * A complete response head is in sbuf: an interim one goes to an HTTP/1.1
 * client and the next is awaited (returns 1); the final one goes out
 * rewritten and its body flow is set up (returns 0).  Or a status / abort.
 */
static int
response_head(struct worker *w, struct conn *c, struct xfer *x,
    struct flow *fq, struct flow *fs, size_t *slen)
{
	enum http_body body;
	const char *conn;
	size_t rest;
	long n;

	body = http_response_body(&w->req, NULL, &w->resp);
	if (body == HTTP_BODY_INVALID) {
		log_warn("server %s: unrequested 101 response",
		    x->rsi >= 0 ? w->svc->rs[x->rsi].name : "sorry");
		return 502;
	}
	if (body == HTTP_BODY_NONE && w->resp.status < 200) {
		if (w->req.minor == 1) {
			n = http_build_response(&w->resp, w->sbuf, NULL, NULL,
			    w->obuf, w->ocap);
			if (n < 0 || relay_write_all(&w->relay, c->cfd,
			    w->obuf, (size_t)n,
			    (int)w->svc->read_timeout * 1000) == -1)
				return XFER_ABORT;
			x->to_client += (uint64_t)n;
		}
		rest = *slen - w->resp.head_len;
		memmove(w->sbuf, w->sbuf + w->resp.head_len, rest);
		*slen = rest;
		return 1;
	}
	if (body == HTTP_BODY_CLOSE || body == HTTP_BODY_TUNNEL)
		c->keep = false;
	conn = response_connection(w, c, body);
	n = http_build_response(&w->resp, w->sbuf, conn,
	    x->setcookie[0] != '\0' ? x->setcookie : NULL, w->obuf, w->ocap);
	rest = *slen - w->resp.head_len;
	if (n < 0 || (size_t)n + rest > w->ocap)
		return 502;
	/* the head and the body bytes that came with it: one write */
	memcpy(w->obuf + n, w->sbuf + w->resp.head_len, rest);
	x->started = true;
	if (x->rsi >= 0 && w->resp.status >= 100 && w->resp.status < 600)
		atomic_fetch_add_explicit(&sb_server(w->sb,
		    (unsigned)w->svc->rs[x->rsi].sb_index)->responses[
		    w->resp.status / 100 - 1], 1, memory_order_relaxed);
	x->reusable = http_response_keepalive(&w->resp, body) &&
	    !x->sorry && x->rsi >= 0 && w->svc->server_keepalive > 0;
	flow_init(fs, x->sfd, c->cfd, w->svc->splice, w->relay.pipe_sc,
	    &w->relay.in_sc, w->obuf, w->ocap, (size_t)n, (size_t)n + rest,
	    flow_mode_of(body), w->resp.content_length);
	if (body == HTTP_BODY_TUNNEL) {
		/* what the client sent after its head goes first */
		rest = fq->done ? flow_rest(fq) : 0;
		flow_init(fq, c->cfd, x->sfd, w->svc->splice,
		    w->relay.pipe_cs, &w->relay.in_cs,
		    w->head + w->req.head_len, w->headcap - w->req.head_len,
		    0, rest, FLOW_TUNNEL, 0);
	}
	return 0;
}

/* read from the server while its head is incomplete: 0, 1 more, or a
   status / XFER_ABORT / XFER_RETRY */
static int
read_response(struct worker *w, struct conn *c, struct xfer *x,
    struct flow *fq, struct flow *fs, size_t *slen, bool retry_ok)
{
	enum http_result hr;
	size_t want;
	ssize_t n;
	int rc;

	want = w->scap - *slen;
	if (want > WORKER_RESP_READ)
		want = WORKER_RESP_READ;
	n = recv(x->sfd, w->sbuf + *slen, want, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		/* a kept connection closed under us before answering */
		if (*slen == 0 && x->reused && retry_ok && fq->bytes == 0)
			return XFER_RETRY;
		log_warn("server %s: closed before a complete response head",
		    x->rsi >= 0 ? w->svc->rs[x->rsi].name : "sorry");
		return 502;
	}
	*slen += (size_t)n;
	for (;;) {
		hr = http_parse_response(w->sbuf, *slen, &w->rlim, &w->resp);
		if (hr == HTTP_AGAIN)
			return *slen == w->scap ? 502 : 1;
		if (hr == HTTP_ERROR) {
			log_warn("server %s: invalid response: %s at byte %zu",
			    x->rsi >= 0 ? w->svc->rs[x->rsi].name : "sorry",
			    w->resp.reason ? w->resp.reason : "?",
			    w->resp.err_off);
			return 502;
		}
		rc = response_head(w, c, x, fq, fs, slen);
		if (rc != 1)
			return rc;
		if (*slen == 0)
			return 1;
	}
}

/* why a flow failed, for the log */
static void
log_flow(const struct conn *c, const char *what, const struct flow *f)
{
	if (f->errnum != 0) {
		errno = f->errnum;
		log_debug("client %s: %s: %s: %s", c->clientstr, what,
		    flow_error_str(f->err), strerror(f->errnum));
	} else
		log_debug("client %s: %s: %s", c->clientstr, what,
		    flow_error_str(f->err));
}

/* a failure of the request body: what to answer */
static int
request_flow_failed(struct worker *w, struct conn *c, struct xfer *x,
    struct flow *fq)
{
	log_flow(c, "request body", fq);
	x->reusable = false;
	c->keep = false;
	if (x->started)
		return XFER_ABORT;
	switch (fq->err) {
	case FLOW_EFRAMING:
		return 400;
	case FLOW_ELIMIT:
		return 413;
	default:
		(void)w;
		return XFER_ABORT;
	}
}

/*
 * Send the head, then relay the request body and the response as they
 * are framed, until the response has ended.  Returns XFER_DONE, a status
 * to answer (nothing of a final response went out yet), XFER_ABORT or
 * XFER_RETRY.
 */
static int
exchange(struct worker *w, struct conn *c, struct xfer *x, bool retry_ok)
{
	const struct service *svc = w->svc;
	int timeout = (int)svc->read_timeout * 1000;
	struct flow fq, fs;
	struct pollfd pfd[2];
	bool head_phase = true, progress, server_write_failed = false;
	bool sready = false;	/* the answer rarely comes at once: poll */
	bool lowat;
	size_t slen = 0;
	int rc;

	x->started = false;
	x->reusable = false;
	sb_worker_state(w->ws, WS_RELAYING);
	if (relay_write_all(&w->relay, x->sfd, w->up, x->uplen,
	    timeout) == -1) {
		if (x->reused && retry_ok)
			return XFER_RETRY;
		return errno == ETIMEDOUT ? 504 : 502;
	}
	x->to_server += x->uplen;
	x->t_sent = util_now_us();
	/* the body starts after the head, which stays for a retry */
	flow_init(&fq, c->cfd, x->sfd, svc->splice, w->relay.pipe_cs,
	    &w->relay.in_cs, w->head + w->req.head_len,
	    w->headcap - w->req.head_len, 0, w->headlen - w->req.head_len,
	    flow_mode_of(x->reqbody), w->req.content_length);
	fq.limit = svc->max_body_size;
	fq.lowat = &c->lowat;
	memset(&fs, 0, sizeof(fs));
	fs.done = false;
	for (;;) {
		progress = false;
		if (!fq.done && fq.err == FLOW_OK && !server_write_failed) {
			progress |= flow_step(&fq);
			if (fq.err == FLOW_EDST) {
				/* the server stopped reading: its answer may
				   still come */
				server_write_failed = true;
				x->reusable = false;
				c->keep = false;
			} else if (fq.err != FLOW_OK)
				return request_flow_failed(w, c, x, &fq);
		}
		if (head_phase && sready) {
			rc = read_response(w, c, x, &fq, &fs, &slen, retry_ok);
			if (rc == 0) {
				x->t_resp = util_now_us() - x->t_sent;
				fs.lowat = &x->lowat;
				head_phase = false;
				progress = true;
			} else if (rc != 1)
				return rc;
		}
		if (!head_phase) {
			progress |= flow_step(&fs);
			if (fs.err != FLOW_OK) {
				log_flow(c, "response", &fs);
				return XFER_ABORT;
			}
			if (fs.done && fs.mode != FLOW_TUNNEL)
				break;
			if (fs.done && (fq.done || fq.err != FLOW_OK))
				break;
		}
		if (progress)
			continue;
		if (stop_now)
			return XFER_ABORT;
		pfd[0].fd = c->cfd;
		pfd[0].events = flow_events(&fq, c->cfd);
		pfd[1].fd = x->sfd;
		pfd[1].events = flow_events(&fq, x->sfd);
		if (head_phase)
			pfd[1].events |= POLLIN;
		else {
			pfd[0].events |= flow_events(&fs, c->cfd);
			pfd[1].events |= flow_events(&fs, x->sfd);
		}
		/* an fd waited on for nothing must not wake us on hangup */
		if (pfd[0].events == 0)
			pfd[0].fd = -1;
		if (pfd[1].events == 0)
			pfd[1].fd = -1;
		lowat = flow_lowat_waiting(&fq) || flow_lowat_waiting(&fs);
		rc = relay_poll(&w->relay, pfd, 2,
		    lowat && timeout > FLOW_LOWAT_WAIT_MS ?
		    FLOW_LOWAT_WAIT_MS : timeout);
		if (rc == 0 && lowat) {
			/* a slow source: wake at every segment from now */
			flow_lowat_off(&fq);
			flow_lowat_off(&fs);
			continue;
		}
		if (rc == 0) {
			log_debug("client %s: no progress for %us", c->clientstr,
			    svc->read_timeout);
			return x->started ? XFER_ABORT : 504;
		}
		if (rc == -1 && errno != EINTR)
			return XFER_ABORT;
		sready = rc > 0 && pfd[1].revents != 0;
	}
	x->to_server += fq.bytes;
	x->to_client += fs.bytes;
	if (fs.r > fs.c || fs.mode == FLOW_CLOSE)
		x->reusable = false;	/* bytes past the response */
	if (!fq.done) {
		/* answered before the whole body came: nothing to reuse */
		x->reusable = false;
		c->keep = false;
	} else if (fs.mode != FLOW_TUNNEL) {
		/* what followed the request: the next one's start, moved
		   to the front once the request is logged */
		w->headlen = flow_rest(&fq);
		w->restoff = (size_t)(fq.buf - w->head);
	}
	return XFER_DONE;
}

/* give the server connection back to the pool or close it; the receive
   low-water marks a body raised go back to 1 on both connections */
static void
end_xfer(struct worker *w, struct conn *c, struct xfer *x, bool keep)
{
	flow_set_lowat(c->cfd, &c->lowat, 1);
	if (x->sfd != -1) {
		flow_set_lowat(x->sfd, &x->lowat, 1);
		if (keep && x->reusable && x->rsi >= 0 && x->lowat <= 1)
			pool_put(w, x->rsi, x->sfd);
		else
			close(x->sfd);
	}
	x->sfd = -1;
	sb_server_release(w->sb, w->ws);
	/* a relay cut short leaves bytes in the pipes */
	relay_reset_pipes(&w->relay);
}

/*
 * chttp: when the request's cookie does not name the server chosen (none,
 * stale, or its server down), the response names it.
 */
static void
set_cookie(const struct worker *w, struct xfer *x)
{
	const struct service *svc = w->svc;

	x->setcookie[0] = '\0';
	if (!(svc->sched->flags & SCHED_F_COOKIE) || x->rsi < 0 ||
	    sched_cookie_server(svc, &w->req, w->head) == x->rsi)
		return;
	snprintf(x->setcookie, sizeof(x->setcookie),
	    "Set-Cookie: %s=%s; Path=/; HttpOnly\r\n", svc->cookie,
	    svc->rs[x->rsi].id);
}

/* what the access log says of the exchange */
static void
note_xfer(struct worker *w, const struct xfer *x)
{
	w->rec.server = x->rsi >= 0 ? w->svc->rs[x->rsi].name :
	    x->sorry ? w->svc->redirect_name : NULL;
	w->rec.tc = x->rsi >= 0 || x->sorry ? x->t_conn : -1;
	w->rec.tr = x->started ? x->t_resp : -1;
	w->rec.status = x->started ? w->resp.status : 0;
	w->rec.bytes = x->to_client;
}

/*
 * One line per request, one write: a short write of a full disk loses
 * the line, never the request.
 */
static void
access_log(struct worker *w, struct conn *c, bool head_ok)
{
	char line[4096];
	size_t n;

	if (w->a->alog == -1)
		return;
	w->rec.client = &c->client;
	w->rec.wall_ms = w->wall_first;
	w->rec.head = w->head;
	w->rec.req = head_ok ? &w->req : NULL;
	w->rec.ident = w->svc->ident;
	w->rec.tq = w->t_head >= w->t_first ? w->t_head - w->t_first : -1;
	w->rec.tt = util_now_us() - w->t_first;
	n = alog_format(line, sizeof(line), w->svc->accesslog_format,
	    &w->rec);
	(void)!write(w->a->alog, line, n);
}

/*
 * One request whose head is in w->req: returns 0 when a response went
 * out (c->keep says whether to go on), a status to answer, or -1 to close.
 */
static int
serve_request(struct worker *w, struct conn *c)
{
	struct xfer x;
	bool retry_ok;
	long n;
	int rc;

	memset(&x, 0, sizeof(x));
	x.sfd = -1;
	x.rsi = -1;
	note_request(w);
	x.reqbody = http_request_body(&w->req);
	if ((rc = check_body_limit(w)) != 0)
		goto fail;
	if (x.reqbody == HTTP_BODY_CHUNKED &&
	    (rc = check_buffered_chunks(w)) != 0)
		goto fail;
	c->keep = client_keepalive(w, c);
	n = http_build_upstream(&w->req, w->head, c->clientstr,
	    (w->req.flags & HTTP_F_CONN_UPGRADE) ? "upgrade" :
	    w->svc->server_keepalive > 0 ? "keep-alive" : "close",
	    w->up, w->upcap);
	if (n < 0) {
		rc = 431;
		goto fail;
	}
	x.uplen = (size_t)n;
	retry_ok = idempotent(w) && x.reqbody == HTTP_BODY_NONE;
	x.t_conn = util_now_us();
	if ((rc = choose_and_connect(w, c, &x, false)) != 0)
		goto fail;
	x.t_conn = x.reused ? 0 : util_now_us() - x.t_conn;
	set_cookie(w, &x);
	rc = exchange(w, c, &x, retry_ok);
	if (rc == XFER_RETRY) {
		/* scheduled anew on new connections: the server may be gone */
		log_debug("server %s: kept connection closed, reconnecting",
		    w->svc->rs[x.rsi].name);
		close(x.sfd);
		x.sfd = -1;
		x.lowat = 0;
		sb_server_release(w->sb, w->ws);
		x.to_server = x.to_client = 0;
		if ((rc = choose_and_connect(w, c, &x, true)) != 0)
			goto fail;
		set_cookie(w, &x);
		rc = exchange(w, c, &x, false);
		if (rc == XFER_RETRY)
			rc = 502;
	}
	c->in += x.to_server;
	c->out += x.to_client;
	count_request(w, &x);
	note_xfer(w, &x);
	end_xfer(w, c, &x, rc == XFER_DONE);
	if (rc > 0 && x.started)
		rc = XFER_ABORT;
	return rc;
fail:
	count_request(w, &x);
	note_xfer(w, &x);
	end_xfer(w, c, &x, false);
	return rc;
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr,
		    sizeof(struct in6_addr)) == 0;
	return false;
}

/*
 * maxconnperip: other workers of this service busy with a connection from
 * the same address, read from the scoreboard (racy by a connection or two,
 * never by more).
 */
static bool
over_conn_limit(const struct worker *w, const struct conn *c)
{
	const struct sb_worker *o;
	unsigned n = 0, nw = w->sb->hdr->nworkers;
	int st;

	if (w->svc->maxconnperip == 0)
		return false;
	for (unsigned i = 0; i < nw; i++) {
		o = sb_worker(w->sb, i);
		if (o == w->ws || atomic_load_explicit(&o->service,
		    memory_order_relaxed) != w->svc->sb_index)
			continue;
		st = atomic_load_explicit(&o->state, memory_order_relaxed);
		if (st < WS_READING || st > WS_KEEPALIVE)
			continue;
		if (same_host(&o->client, &c->client) &&
		    ++n >= w->svc->maxconnperip)
			return true;
	}
	return false;
}

/* the connection was accepted: limits, counters; false if refused */
static bool
begin_conn(struct worker *w, struct conn *c)
{
	util_addr_host((const struct sockaddr *)&c->client, c->clientstr,
	    sizeof(c->clientstr));
	if (over_conn_limit(w, c)) {
		log_debug("client %s: over maxconnperip (%u)", c->clientstr,
		    w->svc->maxconnperip);
		send_error(w, c, 503);
		count_request(w, NULL);
		return false;
	}
	atomic_fetch_add_explicit(&w->ws->conns, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->conns, 1, memory_order_relaxed);
	tune_socket(c->cfd);
	return true;
}

/*
 * Serve requests until the connection must close (returns false) or it
 * idles with nothing buffered and can be parked (returns true).
 */
static bool
serve_conn(struct worker *w, struct conn *c)
{
	bool head_ok;
	int status;

	memcpy(&w->ws->client, &c->client, sizeof(c->client));
	w->headlen = 0;
	sb_worker_state(w->ws, WS_READING);
	for (;;) {
		status = read_head(w, c);
		c->ready = false;
		if (status == -1)
			return false;
		c->nreq++;
		memset(&w->rec, 0, sizeof(w->rec));
		w->rec.tc = w->rec.tr = -1;
		w->restoff = 0;
		head_ok = status == 0;
		if (head_ok)
			status = serve_request(w, c);
		else
			count_request(w, NULL);
		if (status > 0) {
			uint64_t before = c->out;

			send_error(w, c, status);
			w->rec.status = status;
			w->rec.bytes += c->out - before;
			access_log(w, c, head_ok);
			linger(w, c);
			return false;
		}
		access_log(w, c, head_ok);
		if (w->restoff > 0) {
			memmove(w->head, w->head + w->restoff, w->headlen);
			w->restoff = 0;
		}
		if (status < 0 || !c->keep)
			return false;
		if (w->headlen == 0)
			return true;
		sb_worker_state(w->ws, WS_KEEPALIVE);
	}
}

/* add the connection's byte counts to the worker and the service */
static void
account_conn(struct worker *w, struct conn *c)
{
	atomic_fetch_add_explicit(&w->ws->bytes_in, c->in,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ws->bytes_out, c->out,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->bytes_in, c->in,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->bytes_out, c->out,
	    memory_order_relaxed);
	c->in = c->out = 0;
}

static void
finish_conn(struct worker *w, struct conn *c)
{
	sb_worker_state(w->ws, WS_CLOSING);
	sb_server_release(w->sb, w->ws);
	close(c->cfd);
	account_conn(w, c);
	w->served++;
}

/*
 * Parking.
 */

static void
unpark(struct worker *w, struct parked *pk)
{
	(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, pk->fd, NULL);
	pk->fd = -1;
	w->parkfree[w->parkcap - w->nparked] = (unsigned)(pk - w->park);
	w->nparked--;
}

/* watch c until its first byte or deadline; false if it cannot be */
static bool
park(struct worker *w, struct conn *c, int64_t deadline)
{
	struct epoll_event ev;
	struct parked *pk;
	int fd;

	if (w->nparked == w->parkcap && !park_grow(w)) {
		/* full: the one nearest its deadline goes (an idle
		   connection may be closed at any time, RFC 9112 9.5) */
		pk = &w->park[0];
		for (unsigned i = 1; i < w->parkcap; i++)
			if (w->park[i].deadline < pk->deadline)
				pk = &w->park[i];
		fd = pk->fd;
		unpark(w, pk);
		close(fd);
		w->served++;
	}
	pk = &w->park[w->parkfree[w->parkcap - w->nparked - 1]];
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = WORKER_PARK_TAG | (uint64_t)(pk - w->park);
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->cfd, &ev) == -1)
		return false;
	pk->fd = c->cfd;
	pk->nreq = c->nreq;
	pk->deadline = deadline;
	memcpy(&pk->client, &c->client, sizeof(pk->client));
	w->nparked++;
	if (w->nparked == 1 || deadline < w->parknext)
		w->parknext = deadline;
	account_conn(w, c);
	return true;
}

/*
 * Serve c; park it when it idles, else close it.  Parked connections
 * whose next request comes meanwhile would wait for this one: past
 * WORKER_HANDOFF_MS, relay_poll hands them to the other workers.
 */
static void
run_conn(struct worker *w, struct conn *c)
{
	int64_t idle = (int64_t)w->svc->keepalive_timeout * 1000;
	bool idles;

	if (w->nparked > 0 && w->svc->maxclients > 1 && !w->finishing)
		w->relay.wake_at = util_now_ms() + WORKER_HANDOFF_MS;
	idles = serve_conn(w, c);
	w->relay.wake_at = 0;
	if (idles && park(w, c, util_now_ms() + idle)) {
		sb_server_release(w->sb, w->ws);
		return;
	}
	finish_conn(w, c);
}

/* c has nothing to read yet: watch it until deadline without holding the
   worker; else (bytes, a hang-up, no room to watch it) serve it */
static void
serve_or_park(struct worker *w, struct conn *c, int64_t deadline)
{
	char b;

	if (recv(c->cfd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK) &&
	    park(w, c, deadline))
		return;
	c->ready = true;
	run_conn(w, c);
}

/*
 * A worker busy with one connection for WORKER_HANDOFF_MS hands its parked
 * ones to the service's other workers: each goes, as a descriptor
 * (SCM_RIGHTS) with its struct parked, into the service's handoff socket,
 * where one idle worker takes it (EPOLLEXCLUSIVE), as it would accept a
 * connection.  Without it a parked connection's next request would wait
 * for its worker's current one, however slow, while other workers idle.
 */

/* put one parked connection into the handoff socket; false if full */
static bool
send_parked(struct worker *w, const struct parked *pk)
{
	return util_send_fd(w->a->handoff[0], pk, sizeof(*pk), pk->fd,
	    MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(*pk);
}

/* relay_poll's wake-up: this worker is busy, let others watch its parked
   connections (those the socket has no room for stay) */
static void
hand_off_parked(void *arg)
{
	struct worker *w = arg;
	unsigned moved = 0;
	int fd;

	if (should_finish(w))
		return;		/* it will take its own back when finishing */
	for (unsigned i = 0; i < w->parkcap && w->nparked > 0; i++) {
		if (w->park[i].fd == -1)
			continue;
		if (!send_parked(w, &w->park[i]))
			break;
		fd = w->park[i].fd;
		unpark(w, &w->park[i]);
		close(fd);
		moved++;
	}
	if (moved == 0)
		return;
	w->handed = true;
	log_debug("busy for %d ms: %u idle connections handed to the other "
	    "workers", WORKER_HANDOFF_MS, moved);
}

/* take a connection from the handoff socket into pk; false if there is
   none */
static bool
recv_handoff(struct worker *w, struct parked *pk)
{
	ssize_t n;
	int fd;

	/* MSG_TRUNC: the length of the message, were it longer */
	n = util_recv_fd(w->a->handoff[1], pk, sizeof(*pk), &fd,
	    MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1)
		return false;	/* another worker was quicker */
	if (fd == -1 || n != (ssize_t)sizeof(*pk)) {
		if (fd != -1)
			close(fd);
		log_warnx("handoff socket: a message of %zd bytes without "
		    "a connection, expected %zu bytes and one descriptor",
		    n, sizeof(*pk));
		return false;
	}
	pk->fd = fd;
	return true;
}

/* the client connection pk describes */
static void
conn_of(struct conn *c, const struct parked *pk)
{
	memset(c, 0, sizeof(*c));
	c->cfd = pk->fd;
	c->nreq = pk->nreq;
	memcpy(&c->client, &pk->client, sizeof(c->client));
	util_addr_host((const struct sockaddr *)&c->client, c->clientstr,
	    sizeof(c->clientstr));
}

/* a connection another worker handed off */
static void
take_handoff(struct worker *w)
{
	struct parked pk;
	struct conn c;

	if (!recv_handoff(w, &pk))
		return;
	conn_of(&c, &pk);
	serve_or_park(w, &c, pk.deadline);
}

/* a parked connection has bytes (or hung up): serve it */
static void
wake_parked(struct worker *w, unsigned i)
{
	struct parked *pk;
	struct conn c;

	if (i >= w->parkcap || (pk = &w->park[i])->fd == -1)
		return;
	conn_of(&c, pk);
	c.ready = true;
	unpark(w, pk);
	run_conn(w, &c);
}

/*
 * Finishing: no more accepts (the listening sockets may already be the
 * next generation's), and each parked connection gets a last short while
 * to send its next request, which is answered with "Connection: close".
 * Closing them at once would race with a request on its way: the client
 * would get a reset instead of an answer.
 */
static void
begin_finish(struct worker *w)
{
	int64_t last = util_now_ms() + WORKER_GRACE_IDLE_MS;

	for (unsigned i = 0; i < w->svc->nlisten; i++)
		(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->svc->listen[i].fd,
		    NULL);
	(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->a->pod, NULL);
	(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->a->handoff[1], NULL);
	/* what was handed off before: a worker hands off only before it
	   finishes, so the last to finish takes the last of them */
	for (unsigned n = 0; n < WORKER_PARK_MAX; n++) {
		struct parked pk;
		struct conn c;

		if (!recv_handoff(w, &pk))
			break;
		conn_of(&c, &pk);
		if (!park(w, &c, pk.deadline))
			finish_conn(w, &c);
	}
	for (unsigned i = 0; i < w->parkcap; i++)
		if (w->park[i].fd != -1 && w->park[i].deadline > last)
			w->park[i].deadline = last;
	if (w->parknext > last)
		w->parknext = last;
	w->finishing = true;
}

/* close parked connections past their deadline (all, when closing);
   returns ms to the nearest deadline left, at most max.  The places are
   looked through only when the nearest deadline has come. */
static int
sweep_parked(struct worker *w, bool all, int max)
{
	int64_t now = util_now_ms(), next = now + max;
	struct parked *pk;
	char b;

	if (all || (w->nparked > 0 && w->parknext <= now)) {
		w->parknext = INT64_MAX;
		for (unsigned i = 0; i < w->parkcap && w->nparked > 0; i++) {
			pk = &w->park[i];
			if (pk->fd == -1)
				continue;
			if (!all && pk->deadline <= now && recv(pk->fd, &b, 1,
			    MSG_PEEK | MSG_DONTWAIT) == 1) {
				/* its request came while this worker was busy
				   (no other took it): epoll reports it next */
				pk->deadline = now +
				    (int64_t)w->svc->request_timeout * 1000;
			} else if (all || pk->deadline <= now) {
				int fd = pk->fd;

				unpark(w, pk);
				close(fd);
				w->served++;
				continue;
			}
			if (pk->deadline < w->parknext)
				w->parknext = pk->deadline;
		}
	}
	if (w->nparked > 0 && w->parknext < next)
		next = w->parknext;
	return (int)(next - now);
}

/* the master wrote a byte to retire one idle worker: was it for us */
static int
read_pod(struct worker *w)
{
	char b;

	return read(w->a->pod, &b, 1) == 1;
}

/* false when there was none to take (or no descriptor for it) */
static bool
accept_one(struct worker *w, int lfd)
{
	struct conn c;
	socklen_t len = sizeof(c.client);

	memset(&c, 0, sizeof(c));
	c.cfd = accept4(lfd, (struct sockaddr *)&c.client, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c.cfd == -1) {
		int e = errno;

		if (e != EAGAIN && e != EINTR && e != ECONNABORTED)
			log_warn("virtual %s: accept", w->svc->ident);
		return e == ECONNABORTED || e == EINTR;
	}
	if (!begin_conn(w, &c)) {
		finish_conn(w, &c);
		return true;
	}
	/* nothing to read yet (defer_accept timed out, or a syncookie) */
	serve_or_park(w, &c, util_now_ms() +
	    (int64_t)w->svc->request_timeout * 1000);
	return true;
}

/*
 * Up to WORKER_ACCEPT_BATCH waiting connections, each served or parked
 * before the next is taken.  epoll reports the listening socket once a
 * round, beside up to WORKER_MAX_EVENTS parked connections: taking one
 * connection a round, a burst of new ones would wait in the listen queue
 * for dozens of rounds (t_accept).
 */
static void
accept_some(struct worker *w, int lfd)
{
	for (unsigned i = 0; i < WORKER_ACCEPT_BATCH && !stop_now &&
	    !should_finish(w); i++)
		if (!accept_one(w, lfd))
			break;
}

void
worker_main(const struct worker_args *a)
{
	struct epoll_event ev[WORKER_MAX_EVENTS];
	struct worker w;
	int n;

	worker_init(&w, a);
	while (!stop_now) {
		if (!w.finishing && should_finish(&w))
			begin_finish(&w);
		if (w.finishing && w.nparked == 0)
			break;
		sb_worker_state(w.ws, w.finishing ? WS_CLOSING : WS_IDLE);
		n = epoll_wait(w.epfd, ev, WORKER_MAX_EVENTS,
		    sweep_parked(&w, false, WORKER_TICK_MS));
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		if (n == 0)
			pool_expire(&w);
		w.handed = false;
		for (int i = 0; i < n && !stop_now; i++) {
			if (ev[i].data.u64 == WORKER_HANDOFF_TAG) {
				take_handoff(&w);
				continue;
			}
			if (ev[i].data.u64 & WORKER_PARK_TAG) {
				/* after a handoff a place may hold another
				   connection: epoll says again what is ready */
				if (!w.handed)
					wake_parked(&w, (unsigned)(
					    ev[i].data.u64 & ~WORKER_PARK_TAG));
				continue;
			}
			if (ev[i].data.u64 == (uint64_t)a->pod) {
				if (read_pod(&w))
					stop_graceful = 1;
				continue;
			}
			accept_some(&w, (int)ev[i].data.u64);
		}
	}
	/* idle kept connections may be closed at any time (RFC 9112 9.5) */
	sweep_parked(&w, true, 0);
	sb_worker_state(w.ws, WS_CLOSING);
	pool_close_all(&w);
	relay_free(&w.relay);
	exit(0);
}
