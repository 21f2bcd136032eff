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
 * back in exchange_release_server(), nowhere else.  The HEAD phase is in
 * exchange_head.c, CONNECT in exchange_connect.c, RELAY in
 * exchange_relay.c; they share exchange_priv.h.
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
#include "exchange_priv.h"
#include "flow.h"
#include "http.h"
#include "log.h"
#include "proxy_conn.h"
#include "relay.h"
#include "route.h"
#include "sched.h"
#include "scoreboard.h"
#include "tls_stat.h"
#include "util.h"
#include "worker.h"

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
		xprt_plain_init(&x->sx, -1);
		xprt_plain_init(&x->c.x, -1);
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

/*
 * x waits on its server alone: connecting, or its request sent whole
 * (head and body) and the response head awaited, nothing owed to the
 * client.  What the client sends meanwhile stays in its socket; the
 * event that says so is taken later (cunread).
 */
static bool
server_only(const struct exchange *x)
{
	switch (x->phase) {
	case XP_CONNECT:
		return true;
	case XP_RELAY:
		return x->head_phase && x->ooff >= x->olen &&
		    (!x->fq_on || x->fq.done);
	case XP_FREE:
	case XP_HEAD:
	case XP_REPLY:
	case XP_LINGER:
		break;
	}
	return false;
}

bool
exchange_need_clients(const struct worker *w)
{
	for (unsigned i = 0; i < w->nx; i++)
		if (w->x[i].phase != XP_FREE && !server_only(&w->x[i]))
			return true;
	return false;
}

/* the exchange's state, for the scoreboard (and the worker's, at 1) */
void
exchange_xstate(struct exchange *x, enum xs_state s)
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
	xprt_plain_init(&x->c.x, -1);
	sb_exchange_end(w->sb, w->ws, x->xs);
	x->next = w->xfree;
	w->xfree = x;
	w->inflight--;
	if (was_full)
		conn_set_full(w, false);
}

/* the client connection closes; the place is free */
enum step
exchange_close_client(struct exchange *x)
{
	conn_close(x->w, &x->c);
	put_back(x);
	return STEP_WAIT;
}

/* nothing to read: the connection waits parked, the place is free */
enum step
exchange_park_client(struct exchange *x, int64_t deadline)
{
	struct conn c = x->c;

	put_back(x);
	(void)conn_park(x->w, &c, deadline);
	return STEP_WAIT;
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
	worker_fd_own(w, c->x.fd, FD_CLIENT, x->idx);
	sb_exchange_begin(w->ws, x->xs, &c->client);
	memcpy(&w->ws->client, &c->client, sizeof(c->client));
	x->headlen = 0;
	x->restoff = 0;
	x->run = 0;
	x->cunread = false;
	exchange_begin_head(x);
	run(x);
	return true;
}

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
			(void)exchange_head_cut(x, TERM_KILLED_HEAD);
			continue;
		}
		if (x->phase == XP_RELAY) {
			(void)exchange_finish(x, XFER_ABORT);
			continue;
		}
		exchange_close_server(x);
		sb_exchange_release(w->sb, x->xs);
		(void)exchange_close_client(x);
	}
}

void
exchange_count_request(struct exchange *x)
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
		return exchange_finish(x, 500);
	x->c.out += (uint64_t)n;
	exchange_count_request(x);
	x->rec.status = x->route.rule->ret;
	x->rec.bytes = (uint64_t)n;
	exchange_access_log(x);
	/* what follows the head: the next request's start */
	x->headlen -= x->req.head_len;
	x->restoff = x->req.head_len;
	x->ooff = 0;
	x->olen = (size_t)n;
	x->linger = !x->keep;
	x->answered = true;
	x->phase = XP_REPLY;
	exchange_xstate(x, XS_CLOSING);
	timer_set(&w->timers, &x->tm, w->now +
	    (int64_t)w->svc->read_timeout * 1000, exchange_on_timer);
	return STEP_AGAIN;
}

/* a head is in x->req: check it, rewrite it, choose a server */
enum step
exchange_on_head(struct exchange *x)
{
	long n;
	int rc;

	note_request(x);
	x->reqbody = http_request_body(&x->req);
	if ((rc = check_body_limit(x)) != 0 ||
	    (x->reqbody == HTTP_BODY_CHUNKED &&
	    (rc = check_buffered_chunks(x)) != 0))
		return exchange_finish(x, rc);
	x->keep = client_keepalive(x);
	route_request(&x->route, x->w->svc, &x->req, x->head,
	    (const struct sockaddr *)&x->c.client);
	x->route.https = x->c.tls;
	if (route_answers(&x->route))
		return answer_itself(x);
	if ((n = upstream_head(x)) < 0)
		return exchange_finish(x, 431);
	x->uplen = (size_t)n;
	x->retry_ok = idempotent(x) && x->reqbody == HTTP_BODY_NONE;
	x->retried = x->fresh = x->sorry_tried = x->timedout = false;
	x->tries = 0;
	x->exclude = 0;
	x->nosrv = 503;
	x->started = false;
	x->t_conn = util_now_us();
	return exchange_connect_next(x);
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
void
exchange_access_log(struct exchange *x)
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
	    x->sx.fd != -1 && x->slowat <= 1 &&
	    x->sx.ops->pending(&x->sx) == 0 &&
	    x->w->svc->rs[x->rsi].send_proxy == PROXY_SEND_NONE;
}

/*
 * Every exchange ends here (rc: XFER_DONE, XFER_ABORT or a status to
 * answer): counted, the server connection kept or closed and its count
 * given back, then an error reply, the next request, a park or a close.
 */
static enum step	next_request(struct exchange *, bool keep);

enum step
exchange_finish(struct exchange *x, int rc)
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
	exchange_count_request(x);
	note_xfer(x);
	/* the receive low-water marks a body raised go back to 1 */
	flow_set_lowat(x->c.x.fd, &x->c.lowat, 1);
	if (x->sx.fd != -1)
		flow_set_lowat(x->sx.fd, &x->slowat, 1);
	decide(x, rc, &keep, &reuse);
	if (reuse) {
		upstream_put(w, x->rsi, &x->sx);
		xprt_plain_init(&x->sx, -1);
	} else
		exchange_close_server(x);
	exchange_release_server(x);
	/* a relay cut short leaves bytes in the pipes */
	relay_reset_pipes(&x->relay);
	if (rc > 0 && x->started)
		rc = XFER_ABORT;
	if (rc > 0)
		return exchange_reply(x, rc, true);
	exchange_access_log(x);
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
		return exchange_close_client(x);
	/* TLS may hold the next request's bytes with the socket drained;
	   a request pipelined while this one was at the server was
	   announced once, to this exchange: read it, or park if the read
	   finds nothing */
	if (x->headlen == 0 && x->c.x.ops->pending(&x->c.x) == 0) {
		x->c.idle_until = w->now +
		    (int64_t)w->svc->keepalive_timeout * 1000;
		if (!x->cunread)
			return exchange_park_client(x, x->c.idle_until);
	}
	/* pipelined: the next request is buffered already */
	exchange_begin_head(x);
	if (++x->run < X_RUN_MAX)
		return STEP_AGAIN;
	/* the others' turn; this one goes on at the next round */
	timer_set(&w->timers, &x->tl, w->now, exchange_on_lowat);
	return STEP_WAIT;
}

/*
 * An error reply, written within X_REPLY_MS; then, since the client may
 * still be sending (the rest of an over-large head, a body refused),
 * closing with unread bytes would send a reset that can destroy the
 * reply before the client reads it: half-close and drain for a bounded
 * time and size first (lingering close, as nginx and HAProxy do).
 */
enum step
exchange_reply(struct exchange *x, int status, bool logged)
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
		exchange_access_log(x);
	}
	x->phase = XP_REPLY;
	exchange_xstate(x, XS_CLOSING);
	timer_set(&w->timers, &x->tm, w->now + X_REPLY_MS,
	    exchange_on_timer);
	return STEP_AGAIN;
}

static enum step
step_reply(struct exchange *x)
{
	ssize_t n;

	while (x->ooff < x->olen) {
		n = x->c.x.ops->send(&x->c.x, x->obuf + x->ooff,
		    x->olen - x->ooff);
		if (n == XPRT_WANT_READ || n == XPRT_WANT_WRITE)
			return STEP_WAIT;
		if (n <= 0)
			return exchange_close_client(x);
		x->ooff += (size_t)n;
	}
	if (x->answered && x->keep) {
		x->answered = false;
		timer_del(&x->w->timers, &x->tm);
		return next_request(x, true);
	}
	x->answered = false;
	if (!x->linger || x->c.x.ops->shutdown(&x->c.x) != 0)
		return exchange_close_client(x);
	x->phase = XP_LINGER;
	x->lingered = 0;
	timer_set(&x->w->timers, &x->tm, x->w->now + X_LINGER_MS,
	    exchange_on_timer);
	return STEP_AGAIN;
}

static enum step
step_linger(struct exchange *x)
{
	ssize_t n;

	while (x->lingered < X_LINGER_BYTES && !worker_stop_now()) {
		n = x->c.x.ops->recv(&x->c.x, x->head, x->headcap);
		if (n > 0) {
			x->lingered += (size_t)n;
			continue;
		}
		if (n == XPRT_WANT_READ || n == XPRT_WANT_WRITE)
			return STEP_WAIT;
		break;
	}
	return exchange_close_client(x);
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
		return exchange_step_head(x);
	case XP_CONNECT:
		return exchange_step_connect(x);
	case XP_RELAY:
		return exchange_step_relay(x);
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
	} else if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		x->cunread = true;	/* edge-triggered: said once (a head
					   read to EAGAIN clears it) */
	run(x);
}

void
exchange_on_timer(struct timer *t)
{
	struct exchange *x = X_OF(t, tm);
	enum step s = STEP_WAIT;

	switch (x->phase) {
	case XP_FREE:
		return;
	case XP_HEAD:
		s = exchange_head_timer(x);
		break;
	case XP_CONNECT:
		s = exchange_connect_failed(x, ETIMEDOUT);
		break;
	case XP_RELAY:
		s = exchange_relay_timer(x);
		break;
	case XP_REPLY:
	case XP_LINGER:
		s = exchange_close_client(x);
		break;
	}
	if (s == STEP_AGAIN)
		run(x);
}

/* a raised low-water mark waited long enough: what came is relayed, and
   a slow source wakes us at every segment from now; or a turn given
   away comes back */
void
exchange_on_lowat(struct timer *t)
{
	struct exchange *x = X_OF(t, tl);

	if (x->phase == XP_RELAY) {
		if (x->fq_on)
			flow_lowat_timeout(&x->fq);
		if (!x->head_phase)
			flow_lowat_timeout(&x->fs);
	}
	x->run = 0;
	run(x);
}
