/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The status server (status_listen): one process, forked by the master
 * beside the workers and the health checker, that reads the scoreboard
 * and answers GET /metrics (Prometheus text exposition format 0.0.4) and
 * GET /status (an HTML page, like Apache's mod_status) on its own
 * listening socket, so a scrape never takes a traffic worker.  One
 * connection at a time, every read and write bounded in time and size;
 * it exits when the master dies or on SIGTERM, and the master forks it
 * again for each generation.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf-t.h"
#include "log.h"
#include "proc.h"
#include "sched.h"
#include "scoreboard.h"
#include "status.h"
#include "util.h"
#include "xprt.h"

#define STATUS_TIMEOUT_MS	2000	/* to read a request, to write */
#define STATUS_REQ_MAX		4096
#define STATUS_OUT_MAX		(4 * 1024 * 1024)

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* a growing output buffer; fails closed (truncates) at STATUS_OUT_MAX */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

__attribute__((format(printf, 2, 3)))
static void
out(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np;

		if (b->cap * 2 > STATUS_OUT_MAX ||
		    (np = realloc(b->p, b->cap * 2)) == NULL)
			return;
		b->p = np;
		b->cap *= 2;
	}
}

/* a label value: backslash, quote and newline escaped (exposition 0.0.4) */
static const char *
label(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 2 < len; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			buf[o++] = '\\';
			buf[o++] = *s == '\n' ? 'n' : *s;
		} else
			buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

static uint64_t
ld(const _Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

struct pool_count {
	unsigned	busy;
	unsigned	idle;
	unsigned	xs[XS__COUNT];	/* exchanges by state */
	unsigned	parked;		/* idle kept-alive connections */
};

/* its exchanges and parked connections, into the service's count */
static void
count_exchanges(const struct sb_worker *w, struct pool_count *pc)
{
	for (int st = XS_FREE + 1; st < XS__COUNT; st++)
		pc->xs[st] += atomic_load(&w->xstates[st]);
	pc->parked += atomic_load(&w->parked);
}

static void
count_workers(const struct status_args *a, struct pool_count *pc)
{
	const struct sb_worker *w;
	int svc, st;

	memset(pc, 0, sizeof(*pc) * CONF_MAX_SERVICES);
	for (unsigned i = 0; i < a->sb->hdr->nworkers; i++) {
		w = sb_worker(a->sb, i);
		if (atomic_load(&w->pid) == 0)
			continue;
		svc = atomic_load(&w->service);
		st = atomic_load(&w->state);
		for (unsigned s = 0; s < a->gen->nsvc; s++) {
			if (a->gen->svc[s].sb_index != svc)
				continue;
			if (st == WS_IDLE || st == WS_STARTING)
				pc[s].idle++;
			else if (st != WS_DEAD)
				pc[s].busy++;
			count_exchanges(w, &pc[s]);
		}
	}
}

static unsigned
inflight(const struct pool_count *pc)
{
	unsigned n = 0;

	for (int st = XS_FREE + 1; st < XS__COUNT; st++)
		n += pc->xs[st];
	return n;
}

/* one family: its HELP and TYPE, then a sample per service or server */
static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	out(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* failed handshakes, by reason (enum xprt_fail) */
static void
tls_failed_family(const struct status_args *a, struct buf *b)
{
	char v[2 * CONF_IDENT_MAX];

	family(b, "tcpvs_service_tls_failed_handshakes_total", "counter",
	    "TLS handshakes that failed, by reason.");
	for (unsigned i = 0; i < a->gen->nsvc; i++) {
		const struct sb_service *ss = sb_service(a->sb,
		    (unsigned)a->gen->svc[i].sb_index);

		label(a->gen->svc[i].ident, v, sizeof(v));
		for (int f = XPRT_FAIL_NONE + 1; f <= XPRT_FAIL_OTHER; f++)
			out(b, "tcpvs_service_tls_failed_handshakes_total{"
			    "virtual=\"%s\",reason=\"%s\"} %" PRIu64 "\n", v,
			    xprt_fail_str((enum xprt_fail)f),
			    ld(&ss->tls_failed[f]));
	}
}

static void
metrics(const struct status_args *a, struct buf *b)
{
	const struct generation *gen = a->gen;
	struct pool_count pc[CONF_MAX_SERVICES];
	char v[2 * CONF_IDENT_MAX], s[2 * CONF_NAME_MAX];
	static const char *const classes[] = { "1xx", "2xx", "3xx", "4xx",
	    "5xx" };

	count_workers(a, pc);
#define SVC_FAMILY(fname, type, help, field)				\
	family(b, fname, type, help);					\
	for (unsigned i = 0; i < gen->nsvc; i++)			\
		out(b, fname "{virtual=\"%s\"} %" PRIu64 "\n",		\
		    label(gen->svc[i].ident, v, sizeof(v)),		\
		    ld(&sb_service(a->sb,				\
		    (unsigned)gen->svc[i].sb_index)->field));
	SVC_FAMILY("tcpvs_service_connections_total", "counter",
	    "Client connections accepted.", conns)
	SVC_FAMILY("tcpvs_service_requests_total", "counter",
	    "Requests read.", requests)
	SVC_FAMILY("tcpvs_service_received_bytes_total", "counter",
	    "Bytes received from clients.", bytes_in)
	SVC_FAMILY("tcpvs_service_sent_bytes_total", "counter",
	    "Bytes sent to clients.", bytes_out)
	SVC_FAMILY("tcpvs_service_error_replies_total", "counter",
	    "Error replies tcpvsd answered itself.", errors)
	SVC_FAMILY("tcpvs_service_tls_handshakes_total", "counter",
	    "TLS handshakes completed on tls_listen addresses.",
	    tls_handshakes)
	SVC_FAMILY("tcpvs_service_tls_resumed_handshakes_total", "counter",
	    "Of the TLS handshakes completed, those that resumed a session.",
	    tls_resumed)
#undef SVC_FAMILY
	tls_failed_family(a, b);
	family(b, "tcpvs_pool_workers", "gauge",
	    "Worker processes of the service's pool, by state.");
	for (unsigned i = 0; i < gen->nsvc; i++) {
		label(gen->svc[i].ident, v, sizeof(v));
		out(b, "tcpvs_pool_workers{virtual=\"%s\",state=\"busy\"} %u\n"
		    "tcpvs_pool_workers{virtual=\"%s\",state=\"idle\"} %u\n",
		    v, pc[i].busy, v, pc[i].idle);
	}
	family(b, "tcpvs_pool_exchanges", "gauge",
	    "Exchanges in flight in the service's workers, by state.");
	for (unsigned i = 0; i < gen->nsvc; i++) {
		label(gen->svc[i].ident, v, sizeof(v));
		for (int st = XS_FREE + 1; st < XS__COUNT; st++)
			out(b, "tcpvs_pool_exchanges{virtual=\"%s\","
			    "state=\"%s\"} %u\n", v, sb_xs_state_str(
			    (enum xs_state)st), pc[i].xs[st]);
	}
	family(b, "tcpvs_pool_parked_connections", "gauge",
	    "Idle kept-alive client connections the service's workers hold.");
	for (unsigned i = 0; i < gen->nsvc; i++)
		out(b, "tcpvs_pool_parked_connections{virtual=\"%s\"} %u\n",
		    label(gen->svc[i].ident, v, sizeof(v)), pc[i].parked);
#define SRV_LOOP(body)							\
	for (unsigned i = 0; i < gen->nsvc; i++)			\
		for (unsigned j = 0; j < gen->svc[i].nrs; j++) {	\
			const struct sb_server *sv = sb_server(a->sb,	\
			    (unsigned)gen->svc[i].rs[j].sb_index);	\
			label(gen->svc[i].ident, v, sizeof(v));		\
			label(gen->svc[i].rs[j].name, s, sizeof(s));	\
			body;						\
		}
#define SRV_FAMILY(fname, type, help, expr, fmt)			\
	family(b, fname, type, help);					\
	SRV_LOOP(out(b, fname "{virtual=\"%s\",server=\"%s\"} " fmt "\n",\
	    v, s, expr))
	SRV_FAMILY("tcpvs_server_active_requests", "gauge",
	    "Requests in flight to the server.",
	    atomic_load(&sv->active), "%u")
	SRV_FAMILY("tcpvs_server_connections_total", "counter",
	    "Connections made to the server.", ld(&sv->conns), "%" PRIu64)
	SRV_FAMILY("tcpvs_server_requests_total", "counter",
	    "Requests sent to the server.", ld(&sv->requests), "%" PRIu64)
	SRV_FAMILY("tcpvs_server_received_bytes_total", "counter",
	    "Bytes received from the server.", ld(&sv->bytes_in),
	    "%" PRIu64)
	SRV_FAMILY("tcpvs_server_sent_bytes_total", "counter",
	    "Bytes sent to the server.", ld(&sv->bytes_out), "%" PRIu64)
	SRV_FAMILY("tcpvs_server_connect_errors_total", "counter",
	    "Failed connects to the server.", ld(&sv->connect_errors),
	    "%" PRIu64)
	SRV_FAMILY("tcpvs_server_weight", "gauge",
	    "Effective weight (0: quiescent).", atomic_load(&sv->weight),
	    "%u")
	SRV_FAMILY("tcpvs_server_up", "gauge",
	    "1 unless the server is down (health) or drained/disabled.",
	    sb_server_available(sv) ? 1 : 0, "%d")
	SRV_FAMILY("tcpvs_server_check_latency_seconds", "gauge",
	    "Latency of the last health check.",
	    atomic_load(&sv->check_latency_us) / 1e6, "%.6f")
	family(b, "tcpvs_server_responses_total", "counter",
	    "Final responses relayed from the server, by status class.");
	SRV_LOOP(for (int c = 0; c < 5; c++)
		out(b, "tcpvs_server_responses_total{virtual=\"%s\","
		    "server=\"%s\",code=\"%s\"} %" PRIu64 "\n", v, s,
		    classes[c], ld(&sv->responses[c])))
	family(b, "tcpvs_server_health", "gauge",
	    "Health state: 1 up, 0 down, -1 not checked yet.");
	SRV_LOOP(out(b, "tcpvs_server_health{virtual=\"%s\",server=\"%s\"} "
	    "%d\n", v, s, atomic_load(&sv->health) == RS_HEALTH_UP ? 1 :
	    atomic_load(&sv->health) == RS_HEALTH_DOWN ? 0 : -1))
#undef SRV_FAMILY
#undef SRV_LOOP
}

/* HTML text: & < > " escaped */
static void
html(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': out(b, "&amp;"); break;
		case '<': out(b, "&lt;"); break;
		case '>': out(b, "&gt;"); break;
		case '"': out(b, "&quot;"); break;
		default: out(b, "%c", *s);
		}
}

/* Apache's scoreboard line and its key, shared with tcpvsadm --workers */
static void
status_scoreboard(const struct status_args *a, struct buf *b)
{
	const struct sb_worker *w;
	char key[512], *save = NULL, *k;

	out(b, "<h2>Workers</h2>\n<pre>");
	for (unsigned i = 0; i < a->sb->hdr->nworkers; i++) {
		w = sb_worker(a->sb, i);
		out(b, "%c", atomic_load(&w->pid) == 0 ? '.' :
		    sb_ws_state_char((enum ws_state)atomic_load(&w->state)));
		if (i % 64 == 63)
			out(b, "\n");
	}
	out(b, "</pre>\n<p>Key:");
	(void)sb_state_key(key, sizeof(key));
	for (k = strtok_r(key, ",", &save); k != NULL;
	    k = strtok_r(NULL, ",", &save)) {
		out(b, " <code>%c</code> ", k[0]);
		html(b, k + 2);
	}
	out(b, "</p>\n");
}

/* client, real server, request and seconds: the end of a row */
static void
status_what(const struct status_args *a, struct buf *b,
    const struct sockaddr_storage *client, int srv, const char *request,
    size_t reqlen, int64_t secs)
{
	char host[UTIL_ADDRSTRLEN], req[128];

	util_addr_host((const struct sockaddr *)client, host, sizeof(host));
	if (reqlen > sizeof(req))
		reqlen = sizeof(req);
	memcpy(req, request, reqlen);	/* racy by design */
	req[reqlen - 1] = '\0';
	out(b, "<td>%s</td><td>", host);
	html(b, sb_server_addr(a->sb, srv));
	out(b, "</td><td>");
	html(b, req);
	out(b, "</td><td>%" PRId64 "</td></tr>\n", secs);
}

/* a worker's exchanges in flight, under it; "slot-index" as Apache's Srv */
static void
status_exchanges(const struct status_args *a, struct buf *b, unsigned i,
    int64_t now)
{
	for (unsigned j = 0; j < a->sb->hdr->inflight; j++) {
		const struct sb_exchange *x = sb_exchange(a->sb, i, j);
		int st = atomic_load(&x->state);

		if (st == XS_FREE)
			continue;
		out(b, "<tr><td>%u-%u</td><td></td><td>%s</td><td colspan="
		    "\"%d\"></td>", i, j, sb_xs_state_str((enum xs_state)st),
		    XS__COUNT);
		status_what(a, b, &x->client, atomic_load(&x->server),
		    x->request, sizeof(x->request), (now -
		    atomic_load(&x->state_ms)) / 1000);
	}
}

/* each busy worker, its exchanges by state, then each exchange */
static void
status_workers(const struct status_args *a, struct buf *b, int64_t now)
{
	status_scoreboard(a, b);
	out(b, "<table border=\"1\"><tr><th>slot</th><th>pid</th>"
	    "<th>state</th>");
	for (int st = XS_FREE + 1; st < XS__COUNT; st++)
		out(b, "<th title=\"%s\">%c</th>", sb_xs_state_str(
		    (enum xs_state)st), sb_xs_state_char((enum xs_state)st));
	out(b, "<th>parked</th><th>client</th><th>server</th><th>request</th>"
	    "<th>seconds</th></tr>\n");
	for (unsigned i = 0; i < a->sb->hdr->nworkers; i++) {
		const struct sb_worker *w = sb_worker(a->sb, i);
		int st = atomic_load(&w->state);
		struct pool_count pc;

		memset(&pc, 0, sizeof(pc));
		if (atomic_load(&w->pid) == 0)
			continue;
		count_exchanges(w, &pc);
		if ((st == WS_IDLE || st == WS_DEAD || st == WS_STARTING) &&
		    pc.parked == 0 && !inflight(&pc))
			continue;
		out(b, "<tr><td>%u</td><td>%ld</td><td>%s</td>", i,
		    (long)atomic_load(&w->pid), sb_ws_state_str(
		    (enum ws_state)st));
		for (int x = XS_FREE + 1; x < XS__COUNT; x++)
			out(b, "<td>%u</td>", pc.xs[x]);
		out(b, "<td>%u</td>", pc.parked);
		status_what(a, b, &w->client, atomic_load(&w->server),
		    w->request, sizeof(w->request), (now -
		    atomic_load(&w->state_ms)) / 1000);
		if (inflight(&pc))
			status_exchanges(a, b, i, now);
	}
	out(b, "</table>\n");
}

static void
status_page(const struct status_args *a, struct buf *b)
{
	const struct generation *gen = a->gen;
	int64_t now = util_wall_ms();

	out(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>tcpvsd status</title></head><body>\n"
	    "<h1>tcpvsd %s</h1>\n<p>Generation %u, %u worker slots, up "
	    "%" PRId64 " s.</p>\n", PACKAGE_VERSION,
	    atomic_load(&a->sb->hdr->generation), a->sb->hdr->nworkers,
	    (now - atomic_load(&a->sb->hdr->start_ms)) / 1000);
	for (unsigned i = 0; i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];
		const struct sb_service *ss = sb_service(a->sb,
		    (unsigned)svc->sb_index);

		out(b, "<h2>virtual ");
		html(b, svc->ident);
		out(b, " (%s)</h2>\n<p>%" PRIu64 " connections, %" PRIu64
		    " requests, %" PRIu64 " bytes in, %" PRIu64 " bytes out, %"
		    PRIu64 " error replies.</p>\n<table border=\"1\"><tr><th>"
		    "server</th><th>weight</th><th>active</th><th>requests</th>"
		    "<th>health</th><th>admin</th><th>last check</th></tr>\n",
		    svc->sched->name, ld(&ss->conns), ld(&ss->requests),
		    ld(&ss->bytes_in), ld(&ss->bytes_out), ld(&ss->errors));
		for (unsigned j = 0; j < svc->nrs; j++) {
			const struct sb_server *sv = sb_server(a->sb,
			    (unsigned)svc->rs[j].sb_index);

			out(b, "<tr><td>");
			html(b, svc->rs[j].name);
			out(b, "</td><td>%u</td><td>%u</td><td>%" PRIu64
			    "</td><td>%s</td><td>%s</td><td>%u us</td></tr>\n",
			    atomic_load(&sv->weight), atomic_load(&sv->active),
			    ld(&sv->requests), sb_health_str((enum rs_health)
			    atomic_load(&sv->health)), sb_admin_str(
			    (enum rs_admin)atomic_load(&sv->admin)),
			    atomic_load(&sv->check_latency_us));
		}
		out(b, "</table>\n");
	}
	status_workers(a, b, now);
	out(b, "</body></html>\n");
}

/* write all of p within the timeout; -1 if the client is too slow */
static int
send_all(int fd, const char *p, size_t len)
{
	int64_t deadline = util_now_ms() + STATUS_TIMEOUT_MS;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (util_now_ms() >= deadline || poll(&pfd, 1,
		    (int)(deadline - util_now_ms())) == 0)
			return -1;
	}
	return 0;
}

static void
reply(int fd, int code, const char *type, const struct buf *body)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s"
	    "\r\nContent-Length: %zu\r\nCache-Control: no-cache\r\n"
	    "Connection: close\r\n\r\n", code, code == 200 ? "OK" :
	    code == 404 ? "Not Found" : code == 405 ? "Method Not Allowed" :
	    "Bad Request", type, body->len);
	if (send_all(fd, head, (size_t)n) == 0)
		(void)send_all(fd, body->p, body->len);
}

/* one connection: read a request line within the timeout, answer */
static void
serve(const struct status_args *a, int fd)
{
	char req[STATUS_REQ_MAX], *sp;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t deadline = util_now_ms() + STATUS_TIMEOUT_MS;
	struct buf b = { xmalloc(65536), 0, 65536 };
	size_t len = 0;
	ssize_t n;
	int head = 0;

	req[0] = '\0';
	while (len < sizeof(req) - 1 && !strstr(req, "\r\n\r\n") &&
	    !strstr(req, "\n\n")) {
		if (poll(&pfd, 1, (int)(deadline - util_now_ms())) <= 0)
			goto done;
		n = recv(fd, req + len, sizeof(req) - 1 - len, MSG_DONTWAIT);
		if (n <= 0 && !(n == -1 && (errno == EAGAIN ||
		    errno == EINTR)))
			goto done;
		if (n > 0)
			len += (size_t)n;
		req[len] = '\0';
	}
	req[len] = '\0';
	if ((strncmp(req, "GET ", 4) != 0 && !(head = strncmp(req, "HEAD ",
	    5) == 0)) || (sp = strchr(req + 4 + head, ' ')) == NULL) {
		out(&b, "GET /metrics or /status\n");
		reply(fd, strncmp(req, "GET", 3) == 0 ? 400 : 405,
		    "text/plain", &b);
		goto done;
	}
	*sp = '\0';
	sp = req + 4 + head;
	if (strcmp(sp, "/metrics") == 0) {
		metrics(a, &b);
		reply(fd, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
	} else if (strcmp(sp, "/status") == 0 || strcmp(sp, "/") == 0) {
		status_page(a, &b);
		reply(fd, 200, "text/html; charset=utf-8", &b);
	} else {
		out(&b, "not found: GET /metrics or /status\n");
		reply(fd, 404, "text/plain", &b);
	}
done:
	free(b.p);
}

void
status_main(const struct status_args *a)
{
	static const struct proc_sig sigs[] = {
		{ SIGTERM, on_term }, { SIGINT, on_term }
	};
	struct pollfd pfd = { .fd = a->fd, .events = POLLIN };
	pid_t master = getppid();
	int fd;

	log_set_tag("status");
	if (!proc_child_init("tcpvsd-status", sigs, 2, NULL, SIGTERM, a->sb))
		exit(0);
	while (!stop && getppid() == master) {
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		fd = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd == -1)
			continue;
		serve(a, fd);
		close(fd);
	}
	exit(0);
}
