/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The HEAD phase of an exchange (exchange.c): the client's request head
 * read and parsed within request_timeout and over request_min_rate, a
 * PROXY header taken first where accept_proxy is set (on a tls_listen
 * address from the socket itself, before the handshake), a TLS
 * listener's handshake, and a head refused (408, 431, 503) or cut.  A
 * complete head goes on to exchange_on_head(); a connection with nothing
 * to read is parked.  It shares exchange_priv.h with the other phases.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "alog.h"
#include "conf-t.h"
#include "exchange_priv.h"
#include "http.h"
#include "log.h"
#include "proxy_conn.h"
#include "scoreboard.h"
#include "tls_stat.h"
#include "util.h"
#include "worker.h"

void
exchange_begin_head(struct exchange *x)
{
	struct worker *w = x->w;

	x->phase = XP_HEAD;
	exchange_xstate(x, XS_READING);
	x->t_first = util_now_us();
	x->wall_first = util_wall_ms();
	x->head_start = w->now;
	/* a request that waited for a place (queued, conn.c) has what is
	   left of its request_timeout, as with nginx's
	   client_header_timeout or HAProxy's "timeout http-request": a
	   stalled client that waited behind others held a place for
	   another whole request_timeout, and good requests queued behind
	   such ones were closed unanswered (t_tls_client's stalled TLS
	   hellos at maxinflight = 1).  But a TLS client whose whole hello
	   waited here has a whole one: the handshake's round trips are
	   still to come, and the wait was this side's */
	x->head_deadline = (x->c.since > 0 && x->c.since < w->now &&
	    !conn_hello_sent(x->c.x.fd, x->c.handshake, x->c.proxy) ?
	    x->c.since : w->now) + (int64_t)w->svc->request_timeout * 1000;
	x->c.since = 0;
	/* after its handshake, a TLS client's request may come a moment
	   later: not closed for idling (exchange_step_head) before its
	   head is due, however long it waited for its place */
	if (x->c.handshake && x->c.idle_until < x->head_deadline)
		x->c.idle_until = x->head_deadline;
	x->head_ok = false;
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


/* the head's deadline, or a look at its rate once a second */
static void
arm_head(struct exchange *x)
{
	int64_t when = x->head_deadline;

	if (x->w->svc->request_min_rate > 0 && x->headlen > 0 &&
	    when > x->w->now + 1000)
		when = x->w->now + 1000;
	timer_set(&x->w->timers, &x->tm, when, exchange_on_timer);
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
	if (x->c.tls)
		tls_log_fields(&x->rec.tls, &x->c.x);
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
		exchange_count_request(x);
		return exchange_reply(x, rc, true);
	}
	return exchange_on_head(x);
}


/* a head cut by the client or a stop is logged when something came */
enum step
exchange_head_cut(struct exchange *x, enum term term)
{
	if (alog_head_seen(x->head, x->headlen)) {
		memset(&x->rec, 0, sizeof(x->rec));
		x->rec.tc = x->rec.tr = -1;
		if (x->c.tls)
			tls_log_fields(&x->rec.tls, &x->c.x);
		x->rec.term = term;
		x->head_ok = false;
		x->t_head = -1;
		exchange_access_log(x);
	}
	return exchange_close_client(x);
}

/* more is needed before the head: wait for it until the head's deadline */
static int
wait_head(struct exchange *x)
{
	timer_set(&x->w->timers, &x->tm, x->head_deadline, exchange_on_timer);
	return 1;
}

/*
 * A connection from a TLS listener shakes hands first, within the first
 * request's request_timeout (a client that stalls is closed by
 * exchange_head_timer, as one that sends nothing): 0 done, 1 wait, -1 failed.
 */
static int
tls_accepting(struct exchange *x)
{
	struct conn *c = &x->c;
	int r;

	if (!c->handshake)
		return 0;
	r = c->x.ops->handshake(&c->x);
	if (r == XPRT_WANT_READ || r == XPRT_WANT_WRITE)
		return wait_head(x);
	c->handshake = false;
	exchange_tls_handshake(x, r);
	return r == 0 ? 0 : -1;
}

static enum step	head_late(struct exchange *, const char *why);

#define HEAD_CLOSE	(-1)	/* parse_first: a bad PROXY header */
#define HEAD_REFUSE	(-2)	/* parse_first: over maxconnperip */

/* accept_proxy: the PROXY header first; 0 taken, 1 more needed, -1 */
static int
take_proxy(struct exchange *x)
{
	struct worker *w = x->w;
	int rc;

	rc = proxy_take(x->head, &x->headlen, &x->c.client, x->c.clientstr);
	if (rc != 0)
		return rc;
	x->c.proxy = false;
	util_addr_host((const struct sockaddr *)&x->c.client,
	    x->c.clientstr, sizeof(x->c.clientstr));
	memcpy(&x->xs->client, &x->c.client, sizeof(x->xs->client));
	memcpy(&w->ws->client, &x->c.client, sizeof(w->ws->client));
	if (conn_over_limit(w, &x->c)) {
		log_debug("client %s: over maxconnperip (%u)",
		    x->c.clientstr, w->svc->maxconnperip);
		x->c.refuse = true;
	}
	return 0;
}

/* what came so far: 0 a head, 1 more needed, a status, HEAD_CLOSE or
   HEAD_REFUSE */
static int
parse_first(struct exchange *x)
{
	int rc;

	if (x->c.proxy) {
		if ((rc = take_proxy(x)) != 0)
			return rc == 1 ? 1 : HEAD_CLOSE;
		if (x->c.refuse)
			return HEAD_REFUSE;
		if (x->headlen == 0)
			return 1;
	}
	return parse_head(x);
}

/*
 * accept_proxy on a tls_listen address: the PROXY header comes before the
 * ClientHello, in plain bytes, so it is read from the socket itself, and
 * only it: peeked, parsed, then exactly its bytes taken off, leaving the
 * TLS records for the handshake.  0 taken (or none expected), 1 more
 * needed, -1 close.
 */
static int
tls_proxy_first(struct exchange *x)
{
	ssize_t n;
	size_t before, take;
	int rc;

	if (!x->c.proxy || !x->c.handshake)
		return 0;
	n = recv(x->c.x.fd, x->head, x->headcap, MSG_PEEK);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n == -1)
		return wait_head(x);
	x->headlen = before = (size_t)n;
	rc = take_proxy(x);
	if (rc == 1 && before < x->headcap) {
		x->headlen = 0;
		return wait_head(x);
	}
	if (rc != 0)
		return -1;
	/* peeked, so there: the header's bytes, no more */
	take = before - x->headlen;
	x->headlen = 0;
	n = recv(x->c.x.fd, x->head, take, 0);
	return n == (ssize_t)take ? 0 : -1;
}

static enum step
head_parsed(struct exchange *x, int rc)
{
	if (rc == HEAD_CLOSE)
		return exchange_close_client(x);
	if (rc == HEAD_REFUSE)
		return STEP_AGAIN;
	return head_done(x, rc);
}

enum step
exchange_step_head(struct exchange *x)
{
	ssize_t n;
	int rc;

	if ((rc = tls_proxy_first(x)) != 0 || (rc = tls_accepting(x)) != 0)
		return rc > 0 ? STEP_WAIT : exchange_close_client(x);
	if (x->c.refuse) {
		/* over maxconnperip: 503 and close, no drain (a place held
		   for its linger is what the limit is there to prevent) */
		x->c.refuse = false;
		x->keep = false;
		exchange_count_request(x);
		exchange_reply(x, 503, false);
		x->linger = false;
		return STEP_AGAIN;
	}
	if (x->headlen > 0 && (rc = parse_first(x)) != 1)
		return head_parsed(x, rc);
	for (;;) {
		n = x->c.x.ops->recv(&x->c.x, x->head + x->headlen,
		    x->headcap - x->headlen);
		if (n > 0) {
			/* a full buffer, or a TLS read (a record at a
			   time): more may wait, unannounced */
			if ((size_t)n == x->headcap - x->headlen || x->c.tls)
				x->cunread = true;
			x->headlen += (size_t)n;
			if ((rc = parse_first(x)) != 1)
				return head_parsed(x, rc);
			continue;
		}
		if (n == 0 || n == XPRT_FAIL)
			return exchange_head_cut(x, TERM_CLIENT_ABORT_HEAD);
		if (n == XPRT_WANT_READ)
			x->cunread = false;	/* drained */
		break;
	}
	/* a TLS read that waits to write: not an idle connection */
	if (x->headlen == 0 && n != XPRT_WANT_WRITE) {
		/* nothing came (yet): it waits without a place */
		if (x->c.idle_until <= x->w->now || worker_stop_now())
			return exchange_close_client(x);
		return exchange_park_client(x, x->c.idle_until);
	}
	if (too_slow(x))
		return head_late(x, "at request_min_rate");
	arm_head(x);
	return STEP_WAIT;
}

/* too late or too slow: 408, or a close for a PROXY header (what is
   on the other side is no HTTP client) */
static enum step
head_late(struct exchange *x, const char *why)
{
	if (!x->c.proxy)
		return head_done(x, 408);
	log_warnx("client %s: no complete PROXY header %s, closing",
	    x->c.clientstr, why);
	return exchange_close_client(x);
}

enum step
exchange_head_timer(struct exchange *x)
{
	if (x->w->now >= x->head_deadline)
		return x->headlen == 0 ? exchange_close_client(x) :
		    head_late(x, "within request_timeout");
	if (too_slow(x))
		return head_late(x, "at request_min_rate");
	arm_head(x);
	return STEP_WAIT;
}
