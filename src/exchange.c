/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * One request's way through a worker (exchange.h), a resumable state
 * machine after nginx's ngx_http_upstream.c.  Its phases:
 *
 *   HEAD     read and parse the client's head (request_timeout,
 *            request_min_rate); nothing at all: the connection is parked
 *   CONNECT  a server chosen (choose_server) and being connected
 *            (connect_timeout); on failure another, then the sorry server
 *   RELAY    the rewritten head sent, the request body and the response
 *            relayed by their framing (flow.c); read_timeout is the
 *            longest time without progress
 *   REPLY    an error status being written, then
 *   LINGER   what the client still sends drained, for a bounded time
 *
 * Every step is non-blocking: a step moves what it can and returns; the
 * worker calls exchange_event() when the client's or server's connection
 * is ready (both are in its epoll set, edge-triggered, for their whole
 * life) and the timer heap fires the phase's deadline.  finish() ends
 * every exchange; decide() says whether the client connection carries
 * another request and whether the server connection is kept, in one
 * place; a server's active count is taken in hold_server() and given
 * back in release_server(), nowhere else.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alog.h"
#include "conf-t.h"
#include "exchange.h"
#include "flow.h"
#include "http.h"
#include "log.h"
#include "proxy_conn.h"
#include "relay.h"
#include "route.h"
#include "sched.h"
#include "scoreboard.h"
#include "term.h"
#include "util.h"
#include "worker.h"

#define X_CLIENT_BUF	16384	/* for the body, past the largest head */
#define X_RESP_HEAD_MAX	65536	/* largest response head */
#define X_RESP_READ	16384	/* read per recv while the response head
				   is incomplete: body bytes read with it
				   are copied, the rest of the body spliced */
#define X_REPLY_MS	1000	/* to write an error reply */
#define X_LINGER_MS	2000	/* drain after an error reply */
#define X_LINGER_BYTES	(1024 * 1024)
#define X_RUN_MAX	16	/* pipelined requests in a row, then the
				   others get their turn */

/* how an exchange ends, besides a status to answer (> 0) */
#define XFER_DONE	0
#define XFER_ABORT	(-1)	/* close the client connection, no reply */
#define XFER_RETRY	(-2)	/* the server failed before answering */

enum xphase { XP_FREE, XP_HEAD, XP_CONNECT, XP_RELAY, XP_REPLY, XP_LINGER };

/* what a step did: moved to another phase (go on), or wait */
enum step { STEP_AGAIN, STEP_WAIT };

struct exchange {
	struct worker		*w;
	uint32_t		 idx;
	enum xphase		 phase;
	struct sb_exchange	*xs;
	struct exchange		*next;		/* free stack */
	struct conn		 c;
	/* the client's bytes: head, then body or pipelined requests */
	char			*head;
	size_t			 headcap, headlen, restoff;
	int64_t			 head_start;	/* ms: request_min_rate from */
	int64_t			 head_deadline;
	struct http_req		 req;
	struct route		 route;		/* the request's rule (route.c) */
	bool			 head_ok;
	bool			 answered;	/* a rule's answer being sent */
	unsigned		 run;		/* requests in this run */
	/* the way to the server */
	char			*up;		/* head sent upstream */
	size_t			 upcap, uplen, upoff;
	char			*sbuf;		/* bytes from the server */
	size_t			 scap, slen;
	bool			 sparse;	/* sbuf holds unparsed bytes */
	char			*obuf;		/* head sent to the client */
	size_t			 ocap, ooff, olen; /* an interim head or an
						   error reply, being sent */
	struct http_resp	 resp;
	struct relay		 relay;
	enum http_body		 reqbody;
	bool			 keep;		/* client: another request */
	bool			 retry_ok;	/* may be sent again */
	bool			 retried;	/* sent again to another */
	bool			 fresh;		/* no kept connection */
	bool			 sorry_tried;
	bool			 timedout;	/* the last connect */
	int			 nosrv;		/* status when no server is left:
						   503, 502 after a retry */
	unsigned		 tries;
	uint64_t		 exclude;	/* servers failed */
	int			 sfd;
	int			 rsi;		/* index into svc->rs, -1 */
	bool			 sorry;		/* connected to the redirect */
	bool			 reused;	/* a kept connection */
	bool			 reusable;	/* may be kept afterwards */
	bool			 started;	/* the final response head went
						   to the client */
	bool			 srd;		/* the server may have bytes */
	bool			 swfail;	/* the server stopped reading */
	bool			 fq_on;		/* the head went: fq runs */
	bool			 relaying;	/* the exchange proper began:
						   its end is term_exchange's */
	enum term		 term;		/* how it ended, for the log */
	bool			 head_phase;	/* awaiting the response head */
	uint32_t		 sev;		/* server events not looked at */
	int			 slowat;	/* SO_RCVLOWAT of sfd, 0: never */
	struct flow		 fq, fs;
	struct alog_rec		 rec;
	int64_t			 t_first;	/* us: the request's first byte */
	int64_t			 t_head;	/* us: its head complete */
	int64_t			 wall_first;	/* ms, wall clock, for the log */
	int64_t			 t_conn;	/* us to get a connection, -1 */
	int64_t			 t_sent;	/* us: head sent */
	int64_t			 t_resp;	/* us from sent to response head */
	char			 setcookie[128]; /* chttp: a field for the
						   response, or "" */
	uint64_t		 to_server;
	uint64_t		 to_client;
	struct timer		 tm;		/* the phase's deadline */
	struct timer		 tl;		/* a raised low-water mark's
						   wait; a turn given away */
	int64_t			 progress;	/* ms: RELAY moved last */
	size_t			 lingered;
	bool			 linger;	/* drain after the reply */
};

static enum step	finish(struct exchange *, int rc);
static void		run(struct exchange *);

#define X_OF(t, member)	((struct exchange *)(void *)((char *)(t) - \
			    offsetof(struct exchange, member)))

void
exchange_init(struct worker *w)
{
	const struct service *svc = w->svc;
	struct exchange *x;
	char *p;

	w->x = xcalloc(w->nx, sizeof(*w->x));
	for (unsigned i = w->nx; i-- > 0; ) {
		x = &w->x[i];
		x->w = w;
		x->idx = i;
		x->xs = sb_exchange(w->sb, (unsigned)w->a->slot, i);
		x->sfd = -1;
		x->c.cfd = -1;
		x->rsi = -1;
		/* one byte past the limit, so the parser sees it passed */
		x->headcap = (size_t)svc->max_header_size + 1 + X_CLIENT_BUF;
		x->upcap = 2 * ((size_t)svc->max_header_size + 1) + 1024;
		x->scap = X_RESP_HEAD_MAX + 1;
		x->ocap = x->scap + 1024;
		/* one block: pages are touched only as far as used */
		p = xmalloc(x->headcap + x->upcap + x->scap + x->ocap);
		x->head = p;
		x->up = p + x->headcap;
		x->sbuf = x->up + x->upcap;
		x->obuf = x->sbuf + x->scap;
		relay_init(&x->relay);
		x->next = w->xfree;
		w->xfree = x;
	}
}

bool
exchange_room(const struct worker *w)
{
	return w->xfree != NULL;
}

/* the exchange's state, for the scoreboard (and the worker's, at 1) */
static void
xstate(struct exchange *x, enum xs_state s)
{
	static const enum ws_state ws[XS__COUNT] = {
		[XS_FREE] = WS_IDLE,
		[XS_READING] = WS_READING,
		[XS_SCHEDULING] = WS_SCHEDULING,
		[XS_CONNECTING] = WS_CONNECTING,
		[XS_RELAYING] = WS_RELAYING,
		[XS_CLOSING] = WS_CLOSING,
	};

	sb_exchange_state(x->w->ws, x->xs, s);
	if (x->w->nx == 1 && s != XS_FREE)
		sb_worker_state(x->w->ws, ws[s]);
}

/* the place is free again; the connection went elsewhere before */
static void
put_back(struct exchange *x)
{
	struct worker *w = x->w;
	bool was_full = w->xfree == NULL;

	timer_del(&w->timers, &x->tm);
	timer_del(&w->timers, &x->tl);
	x->phase = XP_FREE;
	x->answered = false;
	x->c.cfd = -1;
	sb_exchange_end(w->sb, w->ws, x->xs);
	x->next = w->xfree;
	w->xfree = x;
	w->inflight--;
	if (was_full)
		conn_set_full(w, false);
}

/* the client connection closes; the place is free */
static enum step
close_client(struct exchange *x)
{
	conn_close(x->w, &x->c);
	put_back(x);
	return STEP_WAIT;
}

/* nothing to read: the connection waits parked, the place is free */
static enum step
park_client(struct exchange *x, int64_t deadline)
{
	struct conn c = x->c;

	put_back(x);
	(void)conn_park(x->w, &c, deadline);
	return STEP_WAIT;
}

static void
begin_head(struct exchange *x)
{
	struct worker *w = x->w;

	x->phase = XP_HEAD;
	xstate(x, XS_READING);
	x->t_first = util_now_us();
	x->wall_first = util_wall_ms();
	x->head_start = w->now;
	x->head_deadline = w->now + (int64_t)w->svc->request_timeout * 1000;
	x->head_ok = false;
}

bool
exchange_start(struct worker *w, const struct conn *c)
{
	struct exchange *x = w->xfree;

	if (x == NULL)
		return false;
	w->xfree = x->next;
	w->inflight++;
	if (w->xfree == NULL)
		conn_set_full(w, true);
	x->c = *c;
	worker_fd_own(w, c->cfd, FD_CLIENT, x->idx);
	sb_exchange_begin(w->ws, x->xs, &c->client);
	memcpy(&w->ws->client, &c->client, sizeof(c->client));
	x->headlen = 0;
	x->restoff = 0;
	x->run = 0;
	begin_head(x);
	run(x);
	return true;
}

static enum step	head_cut(struct exchange *, enum term);

void
exchange_close_all(struct worker *w)
{
	struct exchange *x;

	for (unsigned i = 0; i < w->nx; i++) {
		x = &w->x[i];
		if (x->phase == XP_FREE)
			continue;
		/* what a stop cuts is logged, as the end of a turn would */
		if (x->phase == XP_HEAD && x->headlen > 0) {
			(void)head_cut(x, TERM_KILLED_HEAD);
			continue;
		}
		if (x->phase == XP_RELAY) {
			(void)finish(x, XFER_ABORT);
			continue;
		}
		if (x->sfd != -1) {
			worker_fd_close(w, x->sfd);
			x->sfd = -1;
		}
		sb_exchange_release(w->sb, x->xs);
		(void)close_client(x);
	}
}

/*
 * Reading the head.
 */

/* parse what is buffered: 0 when a head is complete, a status, or 1 */
static int
parse_head(struct exchange *x)
{
	enum http_result hr;

	hr = http_parse_request(x->head, x->headlen, &x->w->lim, &x->req);
	if (hr == HTTP_OK)
		return 0;
	if (hr == HTTP_ERROR) {
		log_debug("client %s: %s at byte %zu", x->c.clientstr,
		    x->req.reason ? x->req.reason : "invalid request",
		    x->req.err_off);
		return x->req.status;
	}
	return x->headlen == x->headcap ? 431 : 1;
}

/*
 * A head that trickles in slower than request_min_rate bytes a second,
 * once the grace time has passed, ties up a place for nothing
 * (slowloris): mod_reqtimeout's MinRate.
 */
static bool
too_slow(const struct exchange *x)
{
	const struct service *svc = x->w->svc;
	int64_t elapsed = x->w->now - x->head_start;

	if (svc->request_min_rate == 0 || x->headlen == 0 ||
	    elapsed < CONF_REQUEST_RATE_GRACE_MS)
		return false;
	if ((uint64_t)x->headlen * 1000 >=
	    (uint64_t)svc->request_min_rate * (uint64_t)elapsed)
		return false;
	log_debug("client %s: request head at %llu bytes/s, under "
	    "request_min_rate", x->c.clientstr, (unsigned long long)
	    ((uint64_t)x->headlen * 1000 / (uint64_t)elapsed));
	return true;
}

static void	on_timer(struct timer *);

/* the head's deadline, or a look at its rate once a second */
static void
arm_head(struct exchange *x)
{
	int64_t when = x->head_deadline;

	if (x->w->svc->request_min_rate > 0 && x->headlen > 0 &&
	    when > x->w->now + 1000)
		when = x->w->now + 1000;
	timer_set(&x->w->timers, &x->tm, when, on_timer);
}

static enum step	on_head(struct exchange *);
static enum step	reply(struct exchange *, int status, bool logged);

static void
count_request(struct exchange *x)
{
	struct worker *w = x->w;

	atomic_fetch_add_explicit(&w->ws->requests, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->ss->requests, 1, memory_order_relaxed);
	if (x->rsi >= 0) {
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

/* a head parsed (rc 0) or refused (a status) */
static enum step
head_done(struct exchange *x, int rc)
{
	timer_del(&x->w->timers, &x->tm);
	x->t_head = util_now_us();
	x->c.nreq++;
	memset(&x->rec, 0, sizeof(x->rec));
	x->rec.tc = x->rec.tr = -1;
	x->restoff = 0;
	x->rsi = -1;
	x->sorry = false;
	x->to_server = x->to_client = 0;
	x->term = TERM_NONE;
	x->relaying = x->fq_on = false;
	x->head_phase = true;
	memset(&x->fq, 0, sizeof(x->fq));
	memset(&x->fs, 0, sizeof(x->fs));
	x->head_ok = rc == 0;
	if (rc != 0) {
		x->rec.term = term_head(rc);
		x->rec.reason = x->req.reason;
		count_request(x);
		return reply(x, rc, true);
	}
	return on_head(x);
}

static void	access_log(struct exchange *);

/* a head cut by the client or a stop is logged when something came */
static enum step
head_cut(struct exchange *x, enum term term)
{
	if (alog_head_seen(x->head, x->headlen)) {
		memset(&x->rec, 0, sizeof(x->rec));
		x->rec.tc = x->rec.tr = -1;
		x->rec.term = term;
		x->head_ok = false;
		x->t_head = -1;
		access_log(x);
	}
	return close_client(x);
}

static enum step
step_head(struct exchange *x)
{
	ssize_t n;
	int rc;

	if (x->c.refuse) {
		/* over maxconnperip: 503 and close, no drain (a place held
		   for its linger is what the limit is there to prevent) */
		x->c.refuse = false;
		x->keep = false;
		count_request(x);
		reply(x, 503, false);
		x->linger = false;
		return STEP_AGAIN;
	}
	if (x->headlen > 0 && (rc = parse_head(x)) != 1)
		return head_done(x, rc);
	for (;;) {
		n = recv(x->c.cfd, x->head + x->headlen,
		    x->headcap - x->headlen, 0);
		if (n > 0) {
			x->headlen += (size_t)n;
			if ((rc = parse_head(x)) != 1)
				return head_done(x, rc);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN)
			return head_cut(x, TERM_CLIENT_ABORT_HEAD);
		break;
	}
	if (x->headlen == 0) {
		/* nothing came (yet): it waits without a place */
		if (x->c.idle_until <= x->w->now || worker_stop_now())
			return close_client(x);
		return park_client(x, x->c.idle_until);
	}
	if (too_slow(x))
		return head_done(x, 408);
	arm_head(x);
	return STEP_WAIT;
}

static enum step
head_timer(struct exchange *x)
{
	if (x->w->now >= x->head_deadline)
		return x->headlen == 0 ? close_client(x) : head_done(x, 408);
	if (too_slow(x))
		return head_done(x, 408);
	arm_head(x);
	return STEP_WAIT;
}

/*
 * The request.
 */

static int
check_body_limit(const struct exchange *x)
{
	return x->w->svc->max_body_size > 0 && (x->req.flags & HTTP_F_CL) &&
	    x->req.content_length > x->w->svc->max_body_size ? 413 : 0;
}

/*
 * A chunked body whose framing already in the buffer is invalid is
 * refused before any server is contacted (the common smuggling attempt
 * sends it all at once); framing that arrives later is checked as it is
 * relayed, and nothing from a bad byte on is forwarded.
 */
static int
check_buffered_chunks(const struct exchange *x)
{
	struct http_chunk ch;
	const char *p = x->head + x->req.head_len;
	size_t len = x->headlen - x->req.head_len, used, n;

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
		if (x->w->svc->max_body_size > 0 &&
		    ch.total > x->w->svc->max_body_size)
			return 413;
	}
	return 0;
}

/* RFC 9110 9.2.2; a request that may be sent twice */
static bool
idempotent(const struct exchange *x)
{
	static const char *const safe[] = {
		"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"
	};

	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (http_span_is(x->head, x->req.method, safe[i]))
			return true;
	return false;
}

/* may the client connection carry another request after this one */
static bool
client_keepalive(const struct exchange *x)
{
	const struct http_req *req = &x->req;
	const struct service *svc = x->w->svc;

	if (!svc->keepalive || (req->flags & HTTP_F_CONN_CLOSE))
		return false;
	if (req->minor == 0 && !(req->flags & HTTP_F_CONN_KEEPALIVE))
		return false;
	if (svc->maxkeepaliverequests > 0 &&
	    x->c.nreq >= svc->maxkeepaliverequests)
		return false;
	return !worker_told_to_stop() && !x->w->finishing;
}

/* the request line, as Apache's mod_status shows it */
static void
note_request(struct exchange *x)
{
	const char *line = x->head + x->req.method.off;
	const char *end = memchr(line, '\n', x->headlen - x->req.method.off);
	size_t n = end != NULL ? (size_t)(end - line) : 0;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	sb_exchange_request(x->xs, line, n);
	/* the worker's last request, as Apache's mod_status shows it;
	   informative, read racily by tools; escaped like a log line */
	log_escape(x->w->ws->request, sizeof(x->w->ws->request), line, n);
}

/*
 * The rewritten head for the server: hop-by-hop fields dropped,
 * X-Forwarded-For appended, the connection kept or not.  Its length, or
 * -1 when it does not fit.
 */
static long
upstream_head(struct exchange *x)
{
	const struct service *svc = x->w->svc;

	return route_upstream(&x->route,
	    (x->req.flags & HTTP_F_CONN_UPGRADE) ? "upgrade" :
	    svc->server_keepalive > 0 ? "keep-alive" : "close",
	    x->up, x->upcap);
}

static enum step	connect_next(struct exchange *);

/*
 * A rule answers the request itself (route.c): no server sees it.  A
 * request body is not read, so the connection closes after the answer
 * (a lingering close: the body's bytes are drained, not reset).
 */
static enum step
answer_itself(struct exchange *x)
{
	struct worker *w = x->w;
	long n;

	if (x->reqbody == HTTP_BODY_CHUNKED || (x->reqbody ==
	    HTTP_BODY_LENGTH && x->req.content_length > 0))
		x->keep = false;
	n = route_answer(&x->route, !x->keep ? "close" : x->req.minor == 0 ?
	    "keep-alive" : NULL, x->obuf, x->ocap);
	if (n < 0)
		return finish(x, 500);
	x->c.out += (uint64_t)n;
	count_request(x);
	x->rec.status = x->route.rule->ret;
	x->rec.bytes = (uint64_t)n;
	access_log(x);
	/* what follows the head: the next request's start */
	x->headlen -= x->req.head_len;
	x->restoff = x->req.head_len;
	x->ooff = 0;
	x->olen = (size_t)n;
	x->linger = !x->keep;
	x->answered = true;
	x->phase = XP_REPLY;
	xstate(x, XS_CLOSING);
	timer_set(&w->timers, &x->tm, w->now +
	    (int64_t)w->svc->read_timeout * 1000, on_timer);
	return STEP_AGAIN;
}

/* a head is in x->req: check it, rewrite it, choose a server */
static enum step
on_head(struct exchange *x)
{
	long n;
	int rc;

	note_request(x);
	x->reqbody = http_request_body(&x->req);
	if ((rc = check_body_limit(x)) != 0 ||
	    (x->reqbody == HTTP_BODY_CHUNKED &&
	    (rc = check_buffered_chunks(x)) != 0))
		return finish(x, rc);
	x->keep = client_keepalive(x);
	route_request(&x->route, x->w->svc, &x->req, x->head,
	    (const struct sockaddr *)&x->c.client);
	if (route_answers(&x->route))
		return answer_itself(x);
	if ((n = upstream_head(x)) < 0)
		return finish(x, 431);
	x->uplen = (size_t)n;
	x->retry_ok = idempotent(x) && x->reqbody == HTTP_BODY_NONE;
	x->retried = x->fresh = x->sorry_tried = x->timedout = false;
	x->tries = 0;
	x->exclude = 0;
	x->nosrv = 503;
	x->started = false;
	x->t_conn = util_now_us();
	return connect_next(x);
}

/*
 * Choosing and connecting.
 */

/*
 * The one place a server is chosen (sched_choose: the persistence
 * template first, then the service's scheduler), never a server in
 * x->exclude.  -1: none.
 */
static int
choose_server(struct exchange *x)
{
	const struct service *svc = x->w->svc;
	struct sched_req sr = {
		.client = (const struct sockaddr *)&x->c.client,
		.http = &x->req,
		.head = x->head,
		.exclude = x->exclude,
	};

	return sched_choose(svc, x->w->sb, &sr);
}

/* the one place a server's active count is taken ... */
static void
hold_server(struct exchange *x, int i)
{
	sb_exchange_hold(x->w->sb, x->xs, x->w->svc->rs[i].sb_index);
	x->rsi = i;
}

/* ... and the one place it is given back (nothing if none is held) */
static void
release_server(struct exchange *x)
{
	sb_exchange_release(x->w->sb, x->xs);
}

/*
 * Passive health: a failed connect counts towards the server's fall (it
 * is marked down at once when actively checked); logged once a run.
 */
static void
note_connect_failure(struct exchange *x, const struct realserver *rs,
    int err)
{
	struct sb_server *s = sb_server(x->w->sb, (unsigned)rs->sb_index);

	atomic_fetch_add_explicit(&s->connect_errors, 1,
	    memory_order_relaxed);
	if (sb_server_report_fail(x->w->sb, rs->sb_index,
	    rs->check.fall) == 1) {
		errno = err;
		log_warn("server %s: connect", rs->name);
	}
}

static void
note_connect_success(struct exchange *x, const struct realserver *rs)
{
	sb_server_connected(x->w->sb, rs->sb_index);
	if (sb_server_report_ok(x->w->sb, rs->sb_index) > 0)
		log_info("server %s: connect succeeds again", rs->name);
}

/* the header fields the scheduler adds to the response (chttp's cookie) */
static void
set_cookie(struct exchange *x)
{
	struct sched_req sr = {
		.client = (const struct sockaddr *)&x->c.client,
		.http = &x->req,
		.head = x->head,
	};

	(void)sched_response_fields(x->w->svc, &sr, x->rsi, x->setcookie,
	    sizeof(x->setcookie));
}

static void
close_server(struct exchange *x)
{
	if (x->sfd == -1)
		return;
	worker_fd_close(x->w, x->sfd);
	x->sfd = -1;
	x->slowat = 0;
}

static enum step	start_relay(struct exchange *);

static enum step	connect_failed(struct exchange *, int err);

/*
 * send_proxy: the PROXY header goes first on a new connection.  It is one
 * small write to a fresh socket: it completes at once (a timeout of 0),
 * or the connect counts as failed.
 */
static bool
send_proxy(struct exchange *x)
{
	const struct realserver *rs;

	if (x->reused || x->rsi < 0)
		return true;
	rs = &x->w->svc->rs[x->rsi];
	return proxy_send(x->sfd, rs->send_proxy,
	    (const struct sockaddr *)&x->c.client, x->c.cfd, 0) == 0;
}

/* the connection is made (or kept): the head goes next */
static enum step
connected(struct exchange *x)
{
	int one = 1;

	timer_del(&x->w->timers, &x->tm);
	if (!send_proxy(x))
		return connect_failed(x, errno != 0 ? errno : EIO);
	if (!x->reused) {
		if (x->rsi >= 0)
			note_connect_success(x, &x->w->svc->rs[x->rsi]);
		(void)setsockopt(x->sfd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	}
	x->t_conn = x->reused ? 0 : util_now_us() - x->t_conn;
	set_cookie(x);
	return start_relay(x);
}

/* start connecting to sa; STEP_WAIT while it is in progress */
static enum step
connect_to(struct exchange *x, const struct sockaddr *sa, socklen_t len,
    int *err)
{
	bool inprogress;
	int fd;

	*err = 0;
	xstate(x, XS_CONNECTING);
	if ((fd = relay_connect_start(sa, len, &inprogress)) == -1) {
		*err = errno;
		return STEP_AGAIN;
	}
	if (worker_fd_watch(x->w, fd, FD_SERVER, x->idx) == -1) {
		*err = errno;
		close(fd);
		return STEP_AGAIN;
	}
	x->sfd = fd;
	x->reused = false;
	if (!inprogress)
		return STEP_AGAIN;
	x->phase = XP_CONNECT;
	x->sev = 0;
	timer_set(&x->w->timers, &x->tm, x->w->now +
	    (int64_t)x->w->svc->connect_timeout * 1000, on_timer);
	return STEP_WAIT;
}

/* the sorry server (redirect), once, when no real server could take it */
static enum step
connect_sorry(struct exchange *x)
{
	const struct service *svc = x->w->svc;
	int err;

	if (!svc->has_redirect || x->sorry_tried)
		return finish(x, x->timedout ? 504 : x->nosrv);
	x->sorry_tried = x->sorry = true;
	if (connect_to(x, (const struct sockaddr *)&svc->redirect,
	    svc->redirectlen, &err) == STEP_WAIT)
		return STEP_WAIT;
	return err != 0 ? connect_failed(x, err) : connected(x);
}

/*
 * Schedule and get a connection: a kept one (unless x->fresh), else a new
 * one; after a failed connect another server the scheduler picks, at most
 * retries more and never the same one twice; then the sorry server; then
 * 503 (504 when the last try timed out).
 */
static enum step
connect_next(struct exchange *x)
{
	const struct service *svc = x->w->svc;
	const struct realserver *rs;
	int i, fd, err;

	while (x->tries <= svc->retries && x->tries < svc->nrs) {
		xstate(x, XS_SCHEDULING);
		if ((i = choose_server(x)) < 0)
			break;
		x->tries++;
		rs = &svc->rs[i];
		hold_server(x, i);
		/* a kept connection carries another client's PROXY header */
		if (!x->fresh && rs->send_proxy == PROXY_SEND_NONE &&
		    (fd = upstream_take(x->w, i)) != -1) {
			worker_fd_own(x->w, fd, FD_SERVER, x->idx);
			x->sfd = fd;
			x->reused = true;
			return connected(x);
		}
		if (connect_to(x, (const struct sockaddr *)&rs->addr,
		    rs->addrlen, &err) == STEP_WAIT)
			return STEP_WAIT;
		if (err == 0)
			return connected(x);
		note_connect_failure(x, rs, err);
		release_server(x);
		x->exclude |= (uint64_t)1 << i;
		x->rsi = -1;
		x->timedout = false;
		if (worker_stop_now())
			return finish(x, 503);
	}
	return connect_sorry(x);
}

/* the connect in progress failed (err), or timed out (ETIMEDOUT) */
static enum step
connect_failed(struct exchange *x, int err)
{
	timer_del(&x->w->timers, &x->tm);
	close_server(x);
	x->timedout = err == ETIMEDOUT;
	if (x->sorry) {
		errno = err;
		log_warn("sorry server %s: connect", x->w->svc->redirect_name);
		x->sorry = false;
		return finish(x, x->timedout ? 504 : 503);
	}
	note_connect_failure(x, &x->w->svc->rs[x->rsi], err);
	release_server(x);
	x->exclude |= (uint64_t)1 << x->rsi;
	x->rsi = -1;
	return connect_next(x);
}

static enum step
step_connect(struct exchange *x)
{
	int err;

	if ((x->sev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
		return STEP_WAIT;
	x->sev = 0;
	if ((err = relay_connect_result(x->sfd)) != 0)
		return connect_failed(x, err);
	return connected(x);
}

/*
 * Relaying.
 */

static enum step
start_relay(struct exchange *x)
{
	x->phase = XP_RELAY;
	xstate(x, XS_RELAYING);
	x->upoff = 0;
	x->slen = 0;
	x->sparse = false;
	x->ooff = x->olen = 0;
	x->started = x->reusable = x->swfail = x->fq_on = false;
	x->head_phase = true;
	x->relaying = true;
	x->term = TERM_NONE;
	memset(&x->fq, 0, sizeof(x->fq));
	memset(&x->fs, 0, sizeof(x->fs));
	/* edge-triggered: what the server sends from now on is reported */
	x->srd = false;
	x->progress = x->w->now;
	timer_set(&x->w->timers, &x->tm, x->w->now +
	    (int64_t)x->w->svc->read_timeout * 1000, on_timer);
	return STEP_AGAIN;
}

static bool
splice_ok(struct exchange *x)
{
	return x->w->svc->splice && relay_pipes(&x->relay) == 0;
}

/* the head went: the request body follows it */
static void
head_sent(struct exchange *x)
{
	const struct service *svc = x->w->svc;

	x->to_server += x->uplen;
	x->t_sent = util_now_us();
	/* the body starts after the head, which stays for a retry */
	flow_init(&x->fq, x->c.cfd, x->sfd, splice_ok(x), x->relay.pipe_cs,
	    &x->relay.in_cs, x->head + x->req.head_len,
	    x->headcap - x->req.head_len, 0, x->headlen - x->req.head_len,
	    flow_mode_of(x->reqbody), x->req.content_length);
	x->fq.limit = svc->max_body_size;
	x->fq.lowat = &x->c.lowat;
	x->fq_on = true;
}

/* may a request whose server failed before any byte of an answer be
   sent again: a kept connection once on a new one, then once to
   another server (HAProxy's retry-on conn-failure empty-response) */
static bool
may_retry(const struct exchange *x)
{
	if (!x->retry_ok || x->sorry || x->slen > 0 || x->started ||
	    (x->fq_on && x->fq.bytes > 0))
		return false;
	return x->reused ? !x->fresh : !x->retried;
}

static enum step
retry(struct exchange *x)
{
	const struct realserver *rs = &x->w->svc->rs[x->rsi];

	if (x->reused) {
		log_debug("server %s: kept connection closed, reconnecting",
		    rs->name);
		x->fresh = true;
	} else {
		log_debug("server %s: failed before answering, the request "
		    "sent to another server", rs->name);
		x->retried = true;
		x->exclude |= (uint64_t)1 << x->rsi;
		x->nosrv = 502;		/* none left: what it failed with */
	}
	timer_del(&x->w->timers, &x->tl);
	close_server(x);
	release_server(x);
	x->rsi = -1;
	x->to_server = x->to_client = 0;
	x->relaying = false;
	x->tries = 0;
	x->t_conn = util_now_us();
	return connect_next(x);
}

/* the Connection field for the response head, or NULL for none */
static const char *
response_connection(const struct exchange *x, enum http_body body)
{
	if (body == HTTP_BODY_TUNNEL)
		return x->resp.status == 101 ? "upgrade" : NULL;
	if (!x->keep)
		return "close";
	return x->req.minor == 0 ? "keep-alive" : NULL;
}

/* an interim head goes to an HTTP/1.1 client (olen set); the next is
   awaited; 0 or XFER_ABORT */
static int
interim_head(struct exchange *x)
{
	size_t rest;
	long n;

	if (x->req.minor == 1) {
		n = http_build_response(&x->resp, x->sbuf, NULL, NULL,
		    x->obuf, x->ocap);
		if (n < 0)
			return XFER_ABORT;
		x->ooff = 0;
		x->olen = (size_t)n;
		x->to_client += (uint64_t)n;
	}
	rest = x->slen - x->resp.head_len;
	memmove(x->sbuf, x->sbuf + x->resp.head_len, rest);
	x->slen = rest;
	x->sparse = rest > 0;
	return 0;
}

/*
 * A complete final response head is in sbuf: it goes out rewritten, with
 * the body bytes that came with it, as the first bytes of the response
 * flow.  0, or a status.
 */
static int
final_head(struct exchange *x, enum http_body body)
{
	const struct service *svc = x->w->svc;
	size_t rest;
	long n;

	if (body == HTTP_BODY_CLOSE || body == HTTP_BODY_TUNNEL)
		x->keep = false;
	n = http_build_response(&x->resp, x->sbuf, response_connection(x,
	    body), x->setcookie[0] != '\0' ? x->setcookie : NULL, x->obuf,
	    x->ocap);
	if (n >= 0)
		n = route_response(&x->route, x->obuf, (size_t)n, x->ocap);
	rest = x->slen - x->resp.head_len;
	if (n < 0 || (size_t)n + rest > x->ocap) {
		x->term = TERM_LIMIT_RESP_HEAD;
		return 502;
	}
	memcpy(x->obuf + n, x->sbuf + x->resp.head_len, rest);
	x->started = true;
	if (x->rsi >= 0 && x->resp.status >= 100 && x->resp.status < 600)
		atomic_fetch_add_explicit(&sb_server(x->w->sb,
		    (unsigned)svc->rs[x->rsi].sb_index)->responses[
		    x->resp.status / 100 - 1], 1, memory_order_relaxed);
	x->reusable = http_response_keepalive(&x->resp, body) &&
	    !x->sorry && x->rsi >= 0 && svc->server_keepalive > 0;
	flow_init(&x->fs, x->sfd, x->c.cfd, splice_ok(x), x->relay.pipe_sc,
	    &x->relay.in_sc, x->obuf, x->ocap, (size_t)n, (size_t)n + rest,
	    flow_mode_of(body), x->resp.content_length);
	x->fs.lowat = &x->slowat;
	if (body == HTTP_BODY_TUNNEL) {
		/* what the client sent after its head goes first */
		rest = x->fq.done ? flow_rest(&x->fq) : 0;
		flow_init(&x->fq, x->c.cfd, x->sfd, x->fs.splice,
		    x->relay.pipe_cs, &x->relay.in_cs,
		    x->head + x->req.head_len, x->headcap - x->req.head_len,
		    0, rest, FLOW_TUNNEL, 0);
		x->swfail = false;
	}
	x->head_phase = false;
	x->t_resp = util_now_us() - x->t_sent;
	return 0;
}

/* parse what sbuf holds: 0 final head out, 1 more needed, or a status */
static int
parse_response(struct exchange *x)
{
	enum http_body body;
	enum http_result hr;
	const char *who = x->rsi >= 0 ? x->w->svc->rs[x->rsi].name : "sorry";

	x->sparse = false;
	hr = http_parse_response(x->sbuf, x->slen, &x->w->rlim, &x->resp);
	if (hr == HTTP_AGAIN && x->slen == x->scap)
		x->term = TERM_LIMIT_RESP_HEAD;
	if (hr == HTTP_AGAIN)
		return x->slen == x->scap ? 502 : 1;
	if (hr == HTTP_ERROR) {
		log_warn("server %s: invalid response: %s at byte %zu", who,
		    x->resp.reason ? x->resp.reason : "?", x->resp.err_off);
		x->term = TERM_FRAMING_RESP_HEAD;
		return 502;
	}
	body = http_response_body(&x->req, NULL, &x->resp);
	if (body == HTTP_BODY_INVALID) {
		log_warn("server %s: unrequested 101 response", who);
		x->term = TERM_FRAMING_RESP_HEAD;
		return 502;
	}
	if (body == HTTP_BODY_NONE && x->resp.status < 200)
		return interim_head(x) == 0 ? 1 : XFER_ABORT;
	return final_head(x, body);
}

/* the response head: 0 when it is out, 1 to wait, or a status /
   XFER_ABORT / XFER_RETRY */
static int
read_response(struct exchange *x)
{
	size_t want;
	ssize_t n;
	int rc;

	for (;;) {
		while (x->ooff < x->olen) {
			n = send(x->c.cfd, x->obuf + x->ooff,
			    x->olen - x->ooff, MSG_NOSIGNAL);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return 1;
			if (n <= 0)
				return XFER_ABORT;
			x->ooff += (size_t)n;
		}
		if (x->sparse && (rc = parse_response(x)) != 1)
			return rc;
		if (x->sparse || x->ooff < x->olen)
			continue;
		if (!x->srd)
			return 1;
		want = x->scap - x->slen;
		if (want > X_RESP_READ)
			want = X_RESP_READ;
		n = recv(x->sfd, x->sbuf + x->slen, want, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			x->srd = false;
			return 1;
		}
		if (n <= 0) {
			if (may_retry(x))
				return XFER_RETRY;
			log_warn("server %s: closed before a complete response "
			    "head", x->rsi >= 0 ? x->w->svc->rs[x->rsi].name :
			    "sorry");
			return 502;
		}
		x->slen += (size_t)n;
		x->sparse = true;
	}
}

/* why a flow failed, for the log */
static void
log_flow(const struct exchange *x, const char *what, const struct flow *f)
{
	if (f->errnum != 0) {
		errno = f->errnum;
		log_debug("client %s: %s: %s: %s", x->c.clientstr, what,
		    flow_error_str(f->err), strerror(f->errnum));
	} else
		log_debug("client %s: %s: %s", x->c.clientstr, what,
		    flow_error_str(f->err));
}

/* a failure of the request body: what to answer */
static int
request_flow_failed(struct exchange *x)
{
	log_flow(x, "request body", &x->fq);
	x->reusable = false;
	x->keep = false;
	if (x->started)
		return XFER_ABORT;
	switch (x->fq.err) {
	case FLOW_EFRAMING:
		return 400;
	case FLOW_ELIMIT:
		return 413;
	case FLOW_OK:
	case FLOW_ESRC:
	case FLOW_EDST:
		break;
	}
	return XFER_ABORT;
}

/* the response has ended: what follows the request is the next one */
static enum step
relay_done(struct exchange *x)
{
	if (x->fs.r > x->fs.c || x->fs.mode == FLOW_CLOSE)
		x->reusable = false;	/* bytes past the response */
	if (!x->fq.done) {
		/* answered before the whole body came: nothing to reuse */
		x->reusable = false;
		x->keep = false;
	} else if (x->fs.mode != FLOW_TUNNEL) {
		/* moved to the front once the request is logged */
		x->headlen = flow_rest(&x->fq);
		x->restoff = (size_t)(x->fq.buf - x->head);
	}
	return finish(x, XFER_DONE);
}

/* send what is left of the head; false when the server failed */
static bool
send_head(struct exchange *x, bool *progress)
{
	ssize_t n;

	while (x->upoff < x->uplen) {
		n = send(x->sfd, x->up + x->upoff, x->uplen - x->upoff,
		    MSG_NOSIGNAL);
		if (n > 0) {
			x->upoff += (size_t)n;
			*progress = true;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return true;
		return false;
	}
	if (!x->fq_on)
		head_sent(x);
	return true;
}

static void	on_lowat(struct timer *);

/* one pass over everything that can move; STEP_AGAIN: moved */
static int
relay_pass(struct exchange *x, bool *progress)
{
	int rc;

	if (!send_head(x, progress))
		return may_retry(x) ? XFER_RETRY : 502;
	if (x->fq_on && !x->fq.done && x->fq.err == FLOW_OK && !x->swfail) {
		*progress |= flow_step(&x->fq);
		if (x->fq.err == FLOW_EDST) {
			/* the server stopped reading: its answer may still
			   come */
			x->swfail = true;
			x->reusable = false;
			x->keep = false;
		} else if (x->fq.err != FLOW_OK)
			return request_flow_failed(x);
	}
	if (x->head_phase && x->fq_on) {
		rc = read_response(x);
		if (rc == 0)
			*progress = true;
		else if (rc != 1)
			return rc;
	}
	if (!x->head_phase) {
		*progress |= flow_step(&x->fs);
		if (x->fs.err != FLOW_OK) {
			log_flow(x, "response", &x->fs);
			return XFER_ABORT;
		}
		if (x->fs.done && (x->fs.mode != FLOW_TUNNEL ||
		    x->fq.done || x->fq.err != FLOW_OK))
			return XFER_DONE;
	}
	return 1;
}

static enum step
step_relay(struct exchange *x)
{
	bool progress, lowat;
	int rc;

	do {
		progress = false;
		rc = relay_pass(x, &progress);
		if (progress)
			x->progress = x->w->now;
		if (rc == XFER_DONE)
			return relay_done(x);
		if (rc == XFER_RETRY)
			return retry(x);
		if (rc != 1)
			return finish(x, rc);
	} while (progress);
	if (worker_stop_now())
		return finish(x, XFER_ABORT);
	lowat = (x->fq_on && flow_lowat_waiting(&x->fq)) ||
	    (!x->head_phase && flow_lowat_waiting(&x->fs));
	/* FLOW_LOWAT_WAIT_MS without a wake-up: the source is slow */
	if (lowat)
		timer_set(&x->w->timers, &x->tl, util_now_ms() +
		    FLOW_LOWAT_WAIT_MS, on_lowat);
	else
		timer_del(&x->w->timers, &x->tl);
	return STEP_WAIT;
}

/* no progress for read_timeout? (the timer is moved lazily) */
static enum step
relay_timer(struct exchange *x)
{
	int64_t due = x->progress + (int64_t)x->w->svc->read_timeout * 1000;

	if (x->w->now < due) {
		timer_set(&x->w->timers, &x->tm, due, on_timer);
		return STEP_WAIT;
	}
	log_debug("client %s: no progress for %us", x->c.clientstr,
	    x->w->svc->read_timeout);
	x->term = term_timeout(&x->fq, &x->fs, x->started);
	return finish(x, x->started ? XFER_ABORT : 504);
}

/*
 * The end of an exchange.
 */

/* what the access log says of the exchange */
static void
note_xfer(struct exchange *x)
{
	const struct service *svc = x->w->svc;

	x->rec.server = x->rsi >= 0 ? svc->rs[x->rsi].name :
	    x->sorry ? svc->redirect_name : NULL;
	x->rec.tc = x->rsi >= 0 || x->sorry ? x->t_conn : -1;
	x->rec.tr = x->started ? x->t_resp : -1;
	x->rec.status = x->started ? x->resp.status : 0;
	x->rec.bytes = x->to_client;
	x->rec.term = x->term;
}

/* one line per request (alog_write) */
static void
access_log(struct exchange *x)
{
	struct worker *w = x->w;

	if (w->a->alog == -1)
		return;
	x->rec.client = &x->c.client;
	x->rec.wall_ms = x->wall_first;
	x->rec.head = x->head;
	x->rec.headlen = x->headlen;
	x->rec.req = x->head_ok ? &x->req : NULL;
	x->rec.ident = w->svc->ident;
	x->rec.tq = x->t_head >= x->t_first ? x->t_head - x->t_first : -1;
	x->rec.tt = util_now_us() - x->t_first;
	alog_write(w->a->alog, w->svc->accesslog_format, &x->rec);
}

/*
 * The one place that decides, as the exchange ends (rc), whether the
 * client connection carries another request (*keep) and whether the
 * server connection is kept for a later one (*reuse).
 */
static void
decide(const struct exchange *x, int rc, bool *keep, bool *reuse)
{
	bool clean = rc == XFER_DONE && x->fq_on && x->fq.done &&
	    !x->swfail;

	*keep = clean && x->keep && x->fs.mode != FLOW_TUNNEL;
	*reuse = clean && x->reusable && x->rsi >= 0 && !x->sorry &&
	    x->sfd != -1 && x->slowat <= 1 &&
	    x->w->svc->rs[x->rsi].send_proxy == PROXY_SEND_NONE;
}

/*
 * Every exchange ends here (rc: XFER_DONE, XFER_ABORT or a status to
 * answer): counted, the server connection kept or closed and its count
 * given back, then an error reply, the next request, a park or a close.
 */
static enum step	next_request(struct exchange *, bool keep);

static enum step
finish(struct exchange *x, int rc)
{
	struct worker *w = x->w;
	bool keep, reuse;

	timer_del(&w->timers, &x->tm);
	timer_del(&w->timers, &x->tl);
	/* what went out, whole or cut, is counted and logged */
	x->to_server += x->fq.bytes;
	x->to_client += x->fs.bytes;
	if (x->term == TERM_NONE)
		x->term = x->relaying ? term_exchange(&x->fq, &x->fs, rc,
		    x->started, worker_stop_now()) : term_refused(rc);
	x->c.in += x->to_server;
	x->c.out += x->to_client;
	count_request(x);
	note_xfer(x);
	/* the receive low-water marks a body raised go back to 1 */
	flow_set_lowat(x->c.cfd, &x->c.lowat, 1);
	if (x->sfd != -1)
		flow_set_lowat(x->sfd, &x->slowat, 1);
	decide(x, rc, &keep, &reuse);
	if (reuse) {
		upstream_put(w, x->rsi, x->sfd);
		x->sfd = -1;
	} else
		close_server(x);
	release_server(x);
	/* a relay cut short leaves bytes in the pipes */
	relay_reset_pipes(&x->relay);
	if (rc > 0 && x->started)
		rc = XFER_ABORT;
	if (rc > 0)
		return reply(x, rc, true);
	access_log(x);
	return next_request(x, keep);
}

/* the client connection carries another request (keep), or closes */
static enum step
next_request(struct exchange *x, bool keep)
{
	struct worker *w = x->w;

	if (x->restoff > 0) {
		memmove(x->head, x->head + x->restoff, x->headlen);
		x->restoff = 0;
	}
	if (!keep)
		return close_client(x);
	if (x->headlen == 0)
		return park_client(x, w->now +
		    (int64_t)w->svc->keepalive_timeout * 1000);
	/* pipelined: the next request is buffered already */
	begin_head(x);
	if (++x->run < X_RUN_MAX)
		return STEP_AGAIN;
	/* the others' turn; this one goes on at the next round */
	timer_set(&w->timers, &x->tl, w->now, on_lowat);
	return STEP_WAIT;
}

/*
 * An error reply, written within X_REPLY_MS; then, since the client may
 * still be sending (the rest of an over-large head, a body refused),
 * closing with unread bytes would send a reset that can destroy the
 * reply before the client reads it: half-close and drain for a bounded
 * time and size first (lingering close, as nginx and HAProxy do).
 */
static enum step
reply(struct exchange *x, int status, bool logged)
{
	struct worker *w = x->w;

	x->ooff = 0;
	x->olen = http_error_reply(status, x->obuf, x->ocap);
	x->linger = true;
	x->answered = false;
	x->c.out += x->olen;
	atomic_fetch_add_explicit(&w->ss->errors, 1, memory_order_relaxed);
	log_debug("client %s: %d %s", x->c.clientstr, status,
	    http_status_text(status));
	if (logged) {
		x->rec.status = status;
		x->rec.bytes += x->olen;
		access_log(x);
	}
	x->phase = XP_REPLY;
	xstate(x, XS_CLOSING);
	timer_set(&w->timers, &x->tm, w->now + X_REPLY_MS, on_timer);
	return STEP_AGAIN;
}

static enum step
step_reply(struct exchange *x)
{
	ssize_t n;

	while (x->ooff < x->olen) {
		n = send(x->c.cfd, x->obuf + x->ooff, x->olen - x->ooff,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return STEP_WAIT;
		if (n <= 0)
			return close_client(x);
		x->ooff += (size_t)n;
	}
	if (x->answered && x->keep) {
		x->answered = false;
		timer_del(&x->w->timers, &x->tm);
		return next_request(x, true);
	}
	x->answered = false;
	if (!x->linger || shutdown(x->c.cfd, SHUT_WR) == -1)
		return close_client(x);
	x->phase = XP_LINGER;
	x->lingered = 0;
	timer_set(&x->w->timers, &x->tm, x->w->now + X_LINGER_MS, on_timer);
	return STEP_AGAIN;
}

static enum step
step_linger(struct exchange *x)
{
	ssize_t n;

	while (x->lingered < X_LINGER_BYTES && !worker_stop_now()) {
		n = recv(x->c.cfd, x->head, x->headcap, 0);
		if (n > 0) {
			x->lingered += (size_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return STEP_WAIT;
		break;
	}
	return close_client(x);
}

/*
 * Running.
 */

static enum step
step(struct exchange *x)
{
	switch (x->phase) {
	case XP_FREE:
		return STEP_WAIT;
	case XP_HEAD:
		return step_head(x);
	case XP_CONNECT:
		return step_connect(x);
	case XP_RELAY:
		return step_relay(x);
	case XP_REPLY:
		return step_reply(x);
	case XP_LINGER:
		return step_linger(x);
	}
	return STEP_WAIT;
}

static void
run(struct exchange *x)
{
	while (step(x) == STEP_AGAIN)
		;
}

void
exchange_event(struct worker *w, uint32_t i, bool server, uint32_t events)
{
	struct exchange *x;

	if (i >= w->nx || (x = &w->x[i])->phase == XP_FREE)
		return;
	x->run = 0;
	if (server) {
		x->sev |= events;
		if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			x->srd = true;
	}
	run(x);
}

static void
on_timer(struct timer *t)
{
	struct exchange *x = X_OF(t, tm);
	enum step s = STEP_WAIT;

	switch (x->phase) {
	case XP_FREE:
		return;
	case XP_HEAD:
		s = head_timer(x);
		break;
	case XP_CONNECT:
		s = connect_failed(x, ETIMEDOUT);
		break;
	case XP_RELAY:
		s = relay_timer(x);
		break;
	case XP_REPLY:
	case XP_LINGER:
		s = close_client(x);
		break;
	}
	if (s == STEP_AGAIN)
		run(x);
}

/* a raised low-water mark waited long enough: a slow source, wake at
   every segment from now; or a turn given away comes back */
static void
on_lowat(struct timer *t)
{
	struct exchange *x = X_OF(t, tl);

	if (x->phase == XP_RELAY) {
		if (x->fq_on)
			flow_lowat_off(&x->fq);
		if (!x->head_phase)
			flow_lowat_off(&x->fs);
	}
	x->run = 0;
	run(x);
}
