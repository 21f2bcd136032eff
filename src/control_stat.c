/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What the control socket reports, in the master: tcpvsadm -L (services,
 * real servers with the scoreboard's counts, health and admin state,
 * rules), --stats and --rate, --workers (the scoreboard line, the busy
 * workers with their exchanges by state and parked connections, and each
 * exchange in flight), and -Z.  Rates are per second over the last few seconds,
 * from counters sampled once a second (control_tick) into a small ring
 * per scoreboard slot.  Reads the running generation and the scoreboard;
 * writes only counters (-Z).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cidr.h"
#include "conf.h"
#include "control.h"
#include "ctl.h"
#include "listener.h"
#include "probe.h"
#include "sched.h"
#include "scoreboard.h"
#include "util.h"

#define RATE_SAMPLES	6	/* rates over the last 5 seconds */
#define RATE_COUNTERS	4	/* conns, requests, bytes in, bytes out */

struct ring {
	int64_t		 t[RATE_SAMPLES];
	uint64_t	 v[RATE_SAMPLES][RATE_COUNTERS];
	unsigned	 n;		/* samples held */
	unsigned	 head;		/* next to write */
};

/* one ring per scoreboard service slot and per in-use server slot */
struct control_rates {
	unsigned	 nservices;
	unsigned	 nservers;
	struct ring	*svc;
	struct ring	**srv;
};

#define LOAD(x)	atomic_load_explicit(&(x), memory_order_relaxed)

/* rates */

struct control_rates *
control_rates_new(const struct sb *sb)
{
	struct control_rates *r = xcalloc(1, sizeof(*r));

	r->nservices = sb->hdr->nservices;
	r->nservers = sb->hdr->nservers;
	r->svc = xcalloc(r->nservices, sizeof(*r->svc));
	r->srv = xcalloc(r->nservers, sizeof(*r->srv));
	return r;
}

void
control_rates_free(struct control_rates *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < r->nservers; i++)
		free(r->srv[i]);
	free(r->srv);
	free(r->svc);
	free(r);
}

static void
ring_push(struct ring *g, int64_t now, const uint64_t v[RATE_COUNTERS])
{
	unsigned last = (g->head + RATE_SAMPLES - 1) % RATE_SAMPLES;

	/* counters zeroed (tcpvsadm -Z) or the slot reused: start again */
	for (unsigned k = 0; g->n > 0 && k < RATE_COUNTERS; k++)
		if (v[k] < g->v[last][k])
			g->n = 0;
	g->t[g->head] = now;
	memcpy(g->v[g->head], v, sizeof(g->v[0]));
	g->head = (g->head + 1) % RATE_SAMPLES;
	if (g->n < RATE_SAMPLES)
		g->n++;
}

/* per second over the samples held; 0 before two samples */
static uint64_t
ring_rate(const struct ring *g, unsigned k)
{
	unsigned last, first;
	int64_t ms;

	if (g == NULL || g->n < 2)
		return 0;
	last = (g->head + RATE_SAMPLES - 1) % RATE_SAMPLES;
	first = (g->head + RATE_SAMPLES - g->n) % RATE_SAMPLES;
	if ((ms = g->t[last] - g->t[first]) <= 0)
		return 0;
	return (g->v[last][k] - g->v[first][k]) * 1000 / (uint64_t)ms;
}

void
control_sample(struct control *c)
{
	struct control_rates *r = control_rates(c);
	const struct sb *sb = control_sb(c);
	int64_t now = util_now_ms();
	/* past the high-water marks no slot was ever used: left untouched */
	unsigned nsvc = LOAD(sb->hdr->services_used),
	    nsrv = LOAD(sb->hdr->servers_used);

	for (unsigned i = 0; i < r->nservices && i < nsvc; i++) {
		const struct sb_service *ss = sb_service(sb, i);
		uint64_t v[RATE_COUNTERS] = { LOAD(ss->conns),
		    LOAD(ss->requests), LOAD(ss->bytes_in),
		    LOAD(ss->bytes_out) };

		if (LOAD(ss->in_use))
			ring_push(&r->svc[i], now, v);
		else
			r->svc[i].n = 0;
	}
	for (unsigned i = 0; i < r->nservers && i < nsrv; i++) {
		const struct sb_server *s = sb_server(sb, i);
		/* in: towards the server, as for the service */
		uint64_t v[RATE_COUNTERS] = { LOAD(s->conns),
		    LOAD(s->requests), LOAD(s->bytes_out),
		    LOAD(s->bytes_in) };

		if (!LOAD(s->in_use)) {
			free(r->srv[i]);
			r->srv[i] = NULL;
			continue;
		}
		if (r->srv[i] == NULL)
			r->srv[i] = xcalloc(1, sizeof(*r->srv[i]));
		ring_push(r->srv[i], now, v);
	}
}

/* counters and listings */

static void
zero_service(struct control *c, const struct service *svc)
{
	struct sb *sb = control_sb(c);
	struct control_rates *r = control_rates(c);
	struct sb_service *ss;

	if (svc->sb_index < 0)
		return;
	ss = sb_service(sb, (unsigned)svc->sb_index);
	atomic_store(&ss->conns, 0);
	atomic_store(&ss->requests, 0);
	atomic_store(&ss->bytes_in, 0);
	atomic_store(&ss->bytes_out, 0);
	atomic_store(&ss->errors, 0);
	r->svc[svc->sb_index].n = 0;
	for (unsigned i = 0; i < svc->nrs; i++) {
		struct sb_server *s;
		int k = svc->rs[i].sb_index;

		if (k < 0)
			continue;
		s = sb_server(sb, (unsigned)k);
		atomic_store(&s->conns, 0);
		atomic_store(&s->requests, 0);
		atomic_store(&s->bytes_in, 0);
		atomic_store(&s->bytes_out, 0);
		atomic_store(&s->connect_errors, 0);
		if (r->srv[k] != NULL)
			r->srv[k]->n = 0;
	}
}

int
control_zero(struct control *c, const struct ctl_line *l, char *err,
    size_t errlen)
{
	const struct generation *gen = control_gen(c);
	const struct service *svc = NULL;

	if (ctl_get(l, "ident") != NULL &&
	    (svc = control_need_service(gen, l, err, errlen)) == NULL)
		return -1;
	for (unsigned i = 0; i < gen->nsvc; i++)
		if (svc == NULL || svc == &gen->svc[i])
			zero_service(c, &gen->svc[i]);
	return 0;
}

/* listings */

static void
put_counters(FILE *out, const struct ring *g, uint64_t conns,
    uint64_t requests, uint64_t in, uint64_t out_)
{
	ctl_putu(out, "conns", conns);
	ctl_putu(out, "requests", requests);
	ctl_putu(out, "inbytes", in);
	ctl_putu(out, "outbytes", out_);
	ctl_putu(out, "cps", ring_rate(g, 0));
	ctl_putu(out, "rps", ring_rate(g, 1));
	ctl_putu(out, "inbps", ring_rate(g, 2));
	ctl_putu(out, "outbps", ring_rate(g, 3));
}

static const char *
svc_state(const struct service *svc)
{
	if (svc->stopped)
		return "stopped";
	return listener_count(svc) > 0 ? "listening" : "no-listen";
}

/* persistent, persistent_netmask, and chttp's cookie name */
static void
put_persistence(FILE *out, const struct service *svc)
{
	struct in_addr a = { .s_addr = svc->persistent_mask };
	char mask[INET_ADDRSTRLEN];

	ctl_putu(out, "persistent", svc->persistent);
	if (inet_ntop(AF_INET, &a, mask, sizeof(mask)) != NULL)
		ctl_put(out, "persistent_netmask", mask);
	ctl_put(out, "cookie", svc->cookie);
}

/* the service's listen (tls: tls_listen) addresses, comma-separated */
static const char *
listen_addrs(const struct service *svc, bool tls, char *buf, size_t len)
{
	char a[UTIL_ADDRSTRLEN];
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < listener_count(svc) && off < len; k++)
		if ((listener_tls(svc, k) != NULL) == tls)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off ? "," : "", util_addr_str((const struct
			    sockaddr *)&listener_get(svc, k)->addr, a,
			    sizeof(a)));
	return buf;
}

static void
list_service(struct control *c, const struct service *svc, FILE *out)
{
	const struct sb *sb = control_sb(c);
	const struct control_rates *r = control_rates(c);
	char addrs[CONF_MAX_LISTEN * UTIL_ADDRSTRLEN];

	fputs("service", out);
	ctl_put(out, "ident", svc->ident);
	ctl_put(out, "listen", listen_addrs(svc, false, addrs, sizeof(addrs)));
	ctl_put(out, "tls_listen", listen_addrs(svc, true, addrs,
	    sizeof(addrs)));
	ctl_put(out, "sched", svc->sched ? svc->sched->name : "-");
	ctl_put(out, "state", svc_state(svc));
	put_persistence(out, svc);
	if (svc->sb_index >= 0) {
		const struct sb_service *ss = sb_service(sb,
		    (unsigned)svc->sb_index);

		ctl_putu(out, "errors", LOAD(ss->errors));
		put_counters(out, &r->svc[svc->sb_index], LOAD(ss->conns),
		    LOAD(ss->requests), LOAD(ss->bytes_in),
		    LOAD(ss->bytes_out));
	}
	fputc('\n', out);
}

/* why a server is down, when its last check says (tcpvsadm -L) */
static void
put_down_reason(FILE *out, const struct sb_server *s)
{
	enum probe_result r = (enum probe_result)LOAD(s->check_result);
	char why[160];

	if (LOAD(s->health) != RS_HEALTH_DOWN || r == PROBE_NONE ||
	    r == PROBE_OK || r == PROBE_PENDING)
		return;
	probe_describe(r, LOAD(s->check_code), why, sizeof(why));
	ctl_put(out, "check", why);
}

static void
list_server(struct control *c, const struct service *svc,
    const struct realserver *rs, FILE *out)
{
	const struct sb_server *s;
	const struct control_rates *r = control_rates(c);

	fputs("server", out);
	ctl_put(out, "ident", svc->ident);
	ctl_put(out, "addr", rs->addrstr);
	ctl_put(out, "name", rs->name);
	ctl_put(out, "id", rs->id);
	if (rs->sb_index >= 0) {
		s = sb_server(control_sb(c), (unsigned)rs->sb_index);
		ctl_putu(out, "weight", LOAD(s->weight));
		ctl_putu(out, "active", LOAD(s->active));
		ctl_putu(out, "inactive", LOAD(s->inactive));
		ctl_put(out, "health", sb_health_str((enum rs_health)
		    LOAD(s->health)));
		ctl_put(out, "admin", sb_admin_str((enum rs_admin)
		    LOAD(s->admin)));
		/* set with tcpvsadm, kept across reloads: "1" */
		ctl_putu(out, "weight_set", (LOAD(s->overrides) &
		    RS_OVR_WEIGHT) != 0);
		ctl_putu(out, "admin_set", (LOAD(s->overrides) &
		    RS_OVR_ADMIN) != 0);
		ctl_putu(out, "conf_weight", rs->weight);
		ctl_putu(out, "connect_errors", LOAD(s->connect_errors));
		put_down_reason(out, s);
		put_counters(out, r->srv[rs->sb_index], LOAD(s->conns),
		    LOAD(s->requests), LOAD(s->bytes_out), LOAD(s->bytes_in));
	}
	fputc('\n', out);
}

/* a rule's list of hosts, methods or sources, comma-separated */
static void
rule_list(const struct rule *r, const char *what, char *buf, size_t len)
{
	size_t off = 0;
	unsigned n = strcmp(what, "host") == 0 ? r->nhosts :
	    strcmp(what, "method") == 0 ? r->nmethods : r->nsources;
	char c[64];

	buf[0] = '\0';
	for (unsigned i = 0; i < n && off < len; i++) {
		const char *v = c;

		if (strcmp(what, "host") == 0)
			snprintf(c, sizeof(c), "%s%s", r->hosts[i].kind ==
			    RULE_HOST_REGEX ? "~" : r->hosts[i].kind ==
			    RULE_HOST_WILDCARD ? "*" : "", r->hosts[i].name);
		else if (strcmp(what, "method") == 0)
			v = r->methods[i];
		else
			cidr_format(&r->sources[i], c, sizeof(c));
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? "," : "", v);
	}
}

static void
list_rule(const struct service *svc, const struct rule *rule, FILE *out)
{
	char servers[CONF_MAX_SERVERS * CONF_NAME_MAX], buf[4096];
	size_t off = 0;

	servers[0] = '\0';
	for (unsigned i = 0; i < svc->nrs && off < sizeof(servers); i++)
		if ((rule->servers >> i) & 1)
			off += (size_t)snprintf(servers + off,
			    sizeof(servers) - off, "%s%s", off ? "," : "",
			    svc->rs[i].addrstr);
	fputs("rule", out);
	ctl_put(out, "ident", svc->ident);
	ctl_put(out, "pattern", rule->pattern);
	ctl_putu(out, "match", rule->match);
	ctl_put(out, "servers", servers);
	for (const char *const *w = (const char *const[]){ "host", "method",
	    "source", NULL }; *w != NULL; w++) {
		rule_list(rule, *w, buf, sizeof(buf));
		ctl_put(out, *w, buf[0] != '\0' ? buf : NULL);
	}
	if (rule->nheaders > 0) {
		snprintf(buf, sizeof(buf), "%s: %s", rule->headers[0].name,
		    rule->headers[0].regex);
		ctl_put(out, "header", buf);
	}
	if (rule->ret != 0)
		ctl_putu(out, "return", (unsigned long long)rule->ret);
	ctl_put(out, "location", rule->location);
	fputc('\n', out);
}

int
control_list(struct control *c, const struct ctl_line *l, FILE *out,
    char *err, size_t errlen)
{
	const struct generation *gen = control_gen(c);
	const struct sb *sb = control_sb(c);
	const struct service *only = NULL;

	if (ctl_get(l, "ident") != NULL &&
	    (only = control_need_service(gen, l, err, errlen)) == NULL)
		return -1;
	fputs("info", out);
	ctl_put(out, "version", PACKAGE_VERSION);
	ctl_putu(out, "pid", (unsigned long long)getpid());
	ctl_putu(out, "generation", gen->id);
	ctl_putu(out, "uptime", (unsigned long long)((util_wall_ms() -
	    LOAD(sb->hdr->start_ms)) / 1000));
	fputc('\n', out);
	for (unsigned i = 0; i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];

		if (only != NULL && svc != only)
			continue;
		list_service(c, svc, out);
		for (unsigned j = 0; j < svc->nrs; j++)
			list_server(c, svc, &svc->rs[j], out);
		for (unsigned j = 0; j < svc->nrules; j++)
			list_rule(svc, &svc->rules[j], out);
	}
	return 0;
}

/* the address of the server of svc in scoreboard slot, or "-" */
static const char *
slot_addr(const struct service *svc, int slot)
{
	for (unsigned i = 0; i < svc->nrs; i++)
		if (svc->rs[i].sb_index == slot)
			return svc->rs[i].addrstr;
	return "-";
}

/* ipvsadm -L -c: the persistence templates that have not expired */
int
control_templates(struct control *c, const struct ctl_line *l, FILE *out,
    char *err, size_t errlen)
{
	const struct generation *gen = control_gen(c);
	const struct sb *sb = control_sb(c);
	const struct service *only = NULL, *svc;
	uint32_t now = (uint32_t)time(NULL), expires;
	char client[64];
	int slot;

	if (ctl_get(l, "ident") != NULL &&
	    (only = control_need_service(gen, l, err, errlen)) == NULL)
		return -1;
	for (unsigned i = 0; i < gen->nsvc; i++) {
		svc = &gen->svc[i];
		if ((only != NULL && svc != only) || svc->sb_index < 0)
			continue;
		for (unsigned e = 0; e < SB_PERSIST_ENTRIES; e++) {
			if (sched_persist_entry(sb, (unsigned)svc->sb_index, e,
			    now, client, sizeof(client), &slot, &expires) == -1)
				continue;
			fputs("template", out);
			ctl_put(out, "ident", svc->ident);
			ctl_put(out, "client", client);
			ctl_put(out, "server", slot_addr(svc, slot));
			ctl_putu(out, "expires", expires - now);
			fputc('\n', out);
		}
	}
	return 0;
}

static bool
busy(enum ws_state st)
{
	switch (st) {
	case WS_DEAD:
	case WS_STARTING:
	case WS_IDLE:
	case WS__COUNT:
		return false;
	case WS_READING:
	case WS_SCHEDULING:
	case WS_CONNECTING:
	case WS_RELAYING:
	case WS_KEEPALIVE:
	case WS_CLOSING:
		return true;
	}
	return false;
}

/* its exchanges in flight, from the counts by state */
static unsigned
inflight(const struct sb_worker *ws)
{
	unsigned n = 0;

	for (int st = XS_FREE + 1; st < XS__COUNT; st++)
		n += LOAD(ws->xstates[st]);
	return n;
}

/* client, server and request of a worker or an exchange: racy by design */
static void
put_what(const struct sb *sb, FILE *out, const struct sockaddr_storage *ss,
    int srv, const char *request, size_t reqlen)
{
	char client[UTIL_ADDRSTRLEN], req[128];

	util_addr_host((const struct sockaddr *)ss, client, sizeof(client));
	if (reqlen > sizeof(req))
		reqlen = sizeof(req);
	memcpy(req, request, reqlen);
	req[reqlen - 1] = '\0';
	ctl_put(out, "client", client);
	ctl_put(out, "server", sb_server_addr(sb, srv));
	ctl_put(out, "request", req);
}

static void
list_worker(const struct sb *sb, unsigned i, int64_t now, FILE *out)
{
	const struct sb_worker *ws = sb_worker(sb, i);
	int svc = LOAD(ws->service);

	fputs("worker", out);
	ctl_putu(out, "slot", i);
	ctl_putu(out, "pid", (unsigned long long)LOAD(ws->pid));
	ctl_put(out, "ident", svc >= 0 && (unsigned)svc < sb->hdr->nservices ?
	    sb_service(sb, (unsigned)svc)->ident : "-");
	ctl_putu(out, "generation", LOAD(ws->generation));
	ctl_put(out, "state", sb_ws_state_str((enum ws_state)
	    LOAD(ws->state)));
	ctl_putu(out, "secs", (unsigned long long)((now -
	    LOAD(ws->state_ms)) / 1000));
	ctl_putu(out, "requests", LOAD(ws->requests));
	/* its exchanges by state, named as the key names them */
	for (int st = XS_FREE + 1; st < XS__COUNT; st++)
		ctl_putu(out, sb_xs_state_str((enum xs_state)st),
		    LOAD(ws->xstates[st]));
	ctl_putu(out, "parked", LOAD(ws->parked));
	put_what(sb, out, &ws->client, LOAD(ws->last_server), ws->request,
	    sizeof(ws->request));
	fputc('\n', out);
}

/* each exchange in flight in worker slot i */
static void
list_exchanges(const struct sb *sb, unsigned i, int64_t now, FILE *out)
{
	for (unsigned j = 0; j < sb->hdr->inflight; j++) {
		const struct sb_exchange *x = sb_exchange(sb, i, j);
		int st = LOAD(x->state);

		if (st == XS_FREE)
			continue;
		fputs("exchange", out);
		ctl_putu(out, "slot", i);
		ctl_putu(out, "index", j);
		ctl_put(out, "state", sb_xs_state_str((enum xs_state)st));
		ctl_putu(out, "secs", (unsigned long long)((now -
		    LOAD(x->state_ms)) / 1000));
		put_what(sb, out, &x->client, LOAD(x->server), x->request,
		    sizeof(x->request));
		fputc('\n', out);
	}
}

/* exchange states in key order: the count fields of a worker record */
static const char *
xstate_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int st = XS_FREE + 1; st < XS__COUNT && off < len; st++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? "," : "", sb_xs_state_str((enum xs_state)st));
	return buf;
}

int
control_workers(struct control *c, FILE *out)
{
	char key[512], names[128];
	const struct sb *sb = control_sb(c);
	unsigned n = sb->hdr->nworkers;
	int64_t now = util_wall_ms();
	char *states = xmalloc(n + 1);

	for (unsigned i = 0; i < n; i++)
		states[i] = sb_ws_state_char((enum ws_state)
		    LOAD(sb_worker(sb, i)->state));
	states[n] = '\0';
	fputs("scoreboard", out);
	ctl_putu(out, "slots", n);
	ctl_putu(out, "inflight", sb->hdr->inflight);
	ctl_put(out, "states", states);
	ctl_put(out, "key", sb_state_key(key, sizeof(key)));
	ctl_put(out, "xstates", xstate_names(names, sizeof(names)));
	fputc('\n', out);
	free(states);
	for (unsigned i = 0; i < n; i++) {
		const struct sb_worker *ws = sb_worker(sb, i);
		unsigned x;

		if (LOAD(ws->pid) == 0)
			continue;
		/* untouched slots stay untouched: look only where counted */
		x = inflight(ws);
		if (!busy((enum ws_state)LOAD(ws->state)) && x == 0 &&
		    LOAD(ws->parked) == 0)
			continue;
		list_worker(sb, i, now, out);
		if (x > 0)
			list_exchanges(sb, i, now, out);
	}
	return 0;
}
