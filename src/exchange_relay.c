/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The RELAY phase of an exchange (exchange.c): the rewritten head sent,
 * the request body and the response relayed by their framing (flow.c),
 * the response head read, checked and rewritten on the way; interim 1xx
 * heads passed to HTTP/1.1 clients; read_timeout as the longest time
 * without progress; a request whose server failed before any byte of an
 * answer sent again (may_retry, retry).  Nothing here blocks: a pass
 * moves what it can, and the exchange resumes on readiness.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "conf-t.h"
#include "exchange_priv.h"
#include "flow.h"
#include "http.h"
#include "log.h"
#include "relay.h"
#include "route.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

enum step
exchange_start_relay(struct exchange *x)
{
	x->phase = XP_RELAY;
	exchange_xstate(x, XS_RELAYING);
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
	/* edge-triggered: what the server sends from now on is reported
	   (TLS may hold some already, the socket drained) */
	x->srd = x->sx.ops->pending(&x->sx) > 0;
	x->progress = x->w->now;
	timer_set(&x->w->timers, &x->tm, x->w->now +
	    (int64_t)x->w->svc->read_timeout * 1000, exchange_on_timer);
	return STEP_AGAIN;
}

/* both sides' kernels move the bytes (plain; not TLS), through pipe p */
static bool
splice_ok(struct exchange *x, int p[2])
{
	return x->w->svc->splice && x->c.x.ops->splice &&
	    x->sx.ops->splice && relay_pipe(p) == 0;
}

/* the head went: the request body follows it */
static void
head_sent(struct exchange *x)
{
	const struct service *svc = x->w->svc;

	x->to_server += x->uplen;
	x->t_sent = util_now_us();
	/* the body starts after the head, which stays for a retry */
	flow_init(&x->fq, &x->c.x, &x->sx, x->reqbody != HTTP_BODY_NONE &&
	    splice_ok(x, x->relay.pipe_cs), x->relay.pipe_cs,
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
	exchange_close_server(x);
	exchange_release_server(x);
	x->rsi = -1;
	x->to_server = x->to_client = 0;
	x->relaying = false;
	x->tries = 0;
	x->t_conn = util_now_us();
	return exchange_connect_next(x);
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
	flow_init(&x->fs, &x->sx, &x->c.x, body != HTTP_BODY_NONE &&
	    splice_ok(x, x->relay.pipe_sc), x->relay.pipe_sc,
	    &x->relay.in_sc, x->obuf, x->ocap, (size_t)n, (size_t)n + rest,
	    flow_mode_of(body), x->resp.content_length);
	x->fs.lowat = &x->slowat;
	if (body == HTTP_BODY_TUNNEL) {
		/* what the client sent after its head goes first */
		rest = x->fq.done ? flow_rest(&x->fq) : 0;
		flow_init(&x->fq, &x->c.x, &x->sx, x->fs.splice &&
		    splice_ok(x, x->relay.pipe_cs), x->relay.pipe_cs,
		    &x->relay.in_cs,
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
			n = x->c.x.ops->send(&x->c.x, x->obuf + x->ooff,
			    x->olen - x->ooff);
			if (n == XPRT_WANT_READ || n == XPRT_WANT_WRITE)
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
		n = x->sx.ops->recv(&x->sx, x->sbuf + x->slen, want);
		if (n == XPRT_WANT_READ) {
			x->srd = false;
			return 1;
		}
		if (n == XPRT_WANT_WRITE)
			return 1;	/* TLS: again once writable */
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
		/* a body read to its end, not to EAGAIN (spliced, or to its
		   length): what the client sent after it is unannounced */
		if (x->fq.mode != FLOW_NONE)
			x->cunread = true;
	}
	return exchange_finish(x, XFER_DONE);
}

/* send what is left of the head; false when the server failed */
static bool
send_head(struct exchange *x, bool *progress)
{
	ssize_t n;

	while (x->upoff < x->uplen) {
		n = x->sx.ops->send(&x->sx, x->up + x->upoff,
		    x->uplen - x->upoff);
		if (n > 0) {
			x->upoff += (size_t)n;
			*progress = true;
			continue;
		}
		if (n == XPRT_WANT_READ || n == XPRT_WANT_WRITE)
			return true;
		return false;
	}
	if (!x->fq_on)
		head_sent(x);
	return true;
}


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

enum step
exchange_step_relay(struct exchange *x)
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
			return exchange_finish(x, rc);
	} while (progress);
	if (worker_stop_now())
		return exchange_finish(x, XFER_ABORT);
	lowat = (x->fq_on && flow_lowat_waiting(&x->fq)) ||
	    (!x->head_phase && flow_lowat_waiting(&x->fs));
	/* FLOW_LOWAT_WAIT_MS without a wake-up: relay what came, and see
	   whether the source is slow */
	if (lowat)
		timer_set(&x->w->timers, &x->tl, util_now_ms() +
		    FLOW_LOWAT_WAIT_MS, exchange_on_lowat);
	else
		timer_del(&x->w->timers, &x->tl);
	return STEP_WAIT;
}

/* no progress for read_timeout? (the timer is moved lazily) */
enum step
exchange_relay_timer(struct exchange *x)
{
	int64_t due = x->progress + (int64_t)x->w->svc->read_timeout * 1000;

	if (x->w->now < due) {
		timer_set(&x->w->timers, &x->tm, due, exchange_on_timer);
		return STEP_WAIT;
	}
	log_debug("client %s: no progress for %us", x->c.clientstr,
	    x->w->svc->read_timeout);
	x->term = term_timeout(&x->fq, &x->fs, x->started);
	return exchange_finish(x, x->started ? XFER_ABORT : 504);
}

