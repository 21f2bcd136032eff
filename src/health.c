/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The health checker process.  The master forks one for the current
 * generation (again after a reload, and when it dies); it probes every
 * real server whose check is not "none", each every check_interval, many
 * at once: one epoll set, non-blocking connects, and each probe its own
 * deadline, so a server that never answers delays no other's check.  The
 * probes (probe_tcp.c, probe_http.c) only speak once connected; this file
 * owns timing, the rise/fall state machine and publishing: health, last
 * result, latency and counters go to the scoreboard, which outlives this
 * process, and every change of health is logged.  It also ramps the
 * weight of a server that came back up over slowstart seconds.  Workers
 * may mark a checked server DOWN from failed connects; only this process
 * brings one back UP.  It exits on SIGTERM and when the master is gone.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf-t.h"
#include "health.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "reopen.h"
#include "scoreboard.h"
#include "util.h"

#define HEALTH_TICK_MS		1000	/* is the master alive? this often */
#define HEALTH_RAMP_MS		250	/* slowstart weight steps */
#define HEALTH_RETRY_MS		100	/* out of descriptors: try again */
#define HEALTH_MAX_EVENTS	64

/* one checked real server */
struct target {
	const struct service	*svc;
	const struct realserver	*rs;
	struct sb_server	*s;
	struct probe		 p;
	uint32_t		 registered;	/* epoll events of p.fd */
	int64_t			 next_ms;	/* monotonic: next check */
	int32_t			 seen;		/* health as last seen here */
};

struct checker {
	struct sb		*sb;
	pid_t			 master;
	struct target		*t;
	unsigned		 nt;
	int			 epfd;
	int			 sigfd;
	int			 short_fds;	/* out of descriptors or ports, logged */
};

int
health_step(struct health_state *st, int ok, unsigned rise, unsigned fall)
{
	if (ok) {
		st->fails = 0;
		if (st->oks < UINT32_MAX)
			st->oks++;
		if (st->health != RS_HEALTH_UP && st->oks >= rise) {
			st->health = RS_HEALTH_UP;
			return 1;
		}
		return 0;
	}
	st->oks = 0;
	if (st->fails < UINT32_MAX)
		st->fails++;
	if (st->health != RS_HEALTH_DOWN && st->fails >= fall) {
		st->health = RS_HEALTH_DOWN;
		return 1;
	}
	return 0;
}

unsigned
health_slowstart_weight(unsigned weight, unsigned slowstart,
    int64_t elapsed_ms)
{
	uint64_t span = (uint64_t)slowstart * 1000, w, least;

	if (weight == 0 || slowstart == 0 || elapsed_ms >= (int64_t)span)
		return weight;
	if (elapsed_ms < 0)
		elapsed_ms = 0;
	w = (uint64_t)weight * (uint64_t)elapsed_ms / span;
	least = weight / slowstart > 0 ? weight / slowstart : 1;
	return (unsigned)(w > least ? w : least);
}

int
health_needed(const struct generation *gen)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		for (unsigned j = 0; j < gen->svc[i].nrs; j++)
			if (gen->svc[i].rs[j].check.probe != NULL)
				return 1;
	return 0;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* a worker marked the server DOWN (passive) since we last looked */
static void
notice_passive(struct target *t)
{
	int32_t h = atomic_load(&t->s->health);

	if (h == t->seen)
		return;
	t->seen = h;
	if (h != RS_HEALTH_DOWN)
		return;
	atomic_store(&t->s->check_oks, 0);
	atomic_store(&t->s->ramp_ms, 0);
	log_warnx("%s: server %s is DOWN (%u consecutive failed connects "
	    "reported by workers)", t->svc->ident, t->rs->name,
	    atomic_load(&t->s->fails));
}

static void
went_up(struct target *t, int32_t from, const struct health_state *st)
{
	struct sb_server *s = t->s;
	unsigned n = t->svc->slowstart;

	/* a fresh run: the workers' failures before it do not count */
	atomic_store(&s->fails, 0);
	if (from == RS_HEALTH_DOWN && n > 0) {
		atomic_store(&s->weight, health_slowstart_weight(
		    atomic_load(&s->conf_weight), n, 0));
		atomic_store(&s->ramp_ms, util_wall_ms());
	}
	if (from == RS_HEALTH_DOWN)
		log_notice("%s: server %s is UP (%u consecutive successes)",
		    t->svc->ident, t->rs->name, st->oks);
	else
		log_debug("%s: server %s is up (%u consecutive successes)",
		    t->svc->ident, t->rs->name, st->oks);
}

static void
change_health(struct target *t, const struct health_state *st,
    enum probe_result r, int code)
{
	int32_t from = t->seen;
	char why[128];

	/* a worker may have marked it DOWN meanwhile: theirs stands */
	if (!atomic_compare_exchange_strong(&t->s->health, &from,
	    (int32_t)st->health)) {
		notice_passive(t);
		return;
	}
	t->seen = (int32_t)st->health;
	atomic_store(&t->s->change_ms, util_wall_ms());
	if (st->health == RS_HEALTH_UP) {
		went_up(t, from, st);
		return;
	}
	atomic_store(&t->s->ramp_ms, 0);
	probe_describe(r, code, why, sizeof(why));
	log_warnx("%s: server %s is DOWN (%s, %u consecutive failures)",
	    t->svc->ident, t->rs->name, why, st->fails);
}

static void
publish(struct target *t, enum probe_result r, int code, int64_t latency)
{
	const struct conf_check *chk = &t->rs->check;
	struct sb_server *s = t->s;
	struct health_state st;
	char why[128];
	int changed;

	notice_passive(t);
	st.health = (enum rs_health)t->seen;
	st.oks = atomic_load(&s->check_oks);
	st.fails = atomic_load(&s->check_fails);
	changed = health_step(&st, r == PROBE_OK, chk->rise, chk->fall);
	atomic_store(&s->check_result, (int32_t)r);
	atomic_store(&s->check_code, code);
	atomic_store(&s->check_latency_us, latency > UINT32_MAX ?
	    UINT32_MAX : (uint32_t)latency);
	atomic_store(&s->check_oks, st.oks);
	atomic_store(&s->check_fails, st.fails);
	atomic_store(&s->check_ms, util_wall_ms());
	if (r != PROBE_OK) {
		probe_describe(r, code, why, sizeof(why));
		log_debug("%s: server %s: check failed: %s", t->svc->ident,
		    t->rs->name, why);
	}
	if (changed)
		change_health(t, &st, r, code);
}

/* the probe is over: close it, publish the result */
static void
finish(struct target *t, enum probe_result r)
{
	struct probe *p = &t->p;
	int64_t latency = now_us() - p->start_us;

	if (p->fd != -1)
		p->x.ops->close(&p->x);	/* leaves the epoll set with it */
	p->fd = -1;
	t->registered = 0;
	publish(t, r, p->code, latency);
}

/* after a probe step: wait for what it asks, or finish */
static void
step(struct checker *c, struct target *t, enum probe_result r)
{
	struct epoll_event ev;
	int op;

	if (r != PROBE_PENDING) {
		finish(t, r);
		return;
	}
	if (t->p.events == t->registered)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = t->p.events;
	ev.data.ptr = t;
	op = t->registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(c->epfd, op, t->p.fd, &ev) == -1) {
		t->p.code = errno;
		finish(t, PROBE_ERROR);
		return;
	}
	t->registered = t->p.events;
}

static enum probe_result
connect_failed(struct probe *p, int err)
{
	p->code = err;
	return err == ECONNREFUSED ? PROBE_REFUSED : PROBE_ERROR;
}

/* our shortage, not the server's failure (util_local_shortage): try
   again in HEALTH_RETRY_MS, said once until a connect starts again */
static void
shortage(struct checker *c, struct target *t, int64_t now, int err)
{
	if (!c->short_fds) {
		errno = err;
		log_warn("cannot check server %s", t->rs->name);
	}
	c->short_fds = 1;
	t->next_ms = now + HEALTH_RETRY_MS;
}

/* begin a check of t: a non-blocking connect */
static void
start_probe(struct checker *c, struct target *t, int64_t now)
{
	const struct conf_check *chk = &t->rs->check;
	struct probe *p = &t->p;
	int fd;

	t->next_ms = now + chk->interval_ms;
	if (atomic_load(&t->s->admin) == RS_ADMIN_DISABLED)
		return;
	memset(p, 0, offsetof(struct probe, buf));
	p->fd = -1;
	p->chk = chk;
	p->start_us = now_us();
	p->deadline_ms = now + chk->timeout_ms;
	fd = socket(chk->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1 && util_local_shortage(errno)) {
		shortage(c, t, now, errno);
		return;
	}
	if (fd == -1) {
		step(c, t, connect_failed(p, errno));
		return;
	}
	p->fd = fd;
	if (probe_transport(p, t->rs, fd) == -1) {
		step(c, t, connect_failed(p, errno));
		return;
	}
	if (connect(fd, (const struct sockaddr *)&chk->addr,
	    chk->addrlen) == 0) {
		c->short_fds = 0;
		p->connected = 1;
		step(c, t, probe_step(p, EPOLLOUT));
	} else if (errno == EINPROGRESS) {
		c->short_fds = 0;
		p->events = EPOLLOUT;
		step(c, t, PROBE_PENDING);
	} else if (util_local_shortage(errno)) {
		int err = errno;

		p->x.ops->close(&p->x);
		p->fd = -1;
		shortage(c, t, now, err);
	} else
		step(c, t, connect_failed(p, errno));
}

/* epoll says t's socket is ready */
static void
ready(struct checker *c, struct target *t, uint32_t events)
{
	struct probe *p = &t->p;
	socklen_t len = sizeof(int);
	int err = 0;

	if (p->fd == -1)
		return;		/* finished earlier in this batch */
	if (p->connected) {
		step(c, t, probe_step(p, events));
		return;
	}
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		step(c, t, connect_failed(p, err));
		return;
	}
	if (!(events & EPOLLOUT)) {
		if (events & (EPOLLERR | EPOLLHUP))
			step(c, t, connect_failed(p, ECONNRESET));
		return;		/* else not connected yet */
	}
	p->connected = 1;
	step(c, t, probe_step(p, events));
}

/* slowstart: the weight of servers that came up, step by step */
static int
ramp(struct checker *c)
{
	int64_t wall = util_wall_ms();
	int any = 0;

	for (unsigned i = 0; i < c->nt; i++) {
		struct target *t = &c->t[i];
		struct sb_server *s = t->s;
		int64_t since = atomic_load(&s->ramp_ms);
		unsigned n = t->svc->slowstart, conf, w;

		if (since == 0)
			continue;
		conf = atomic_load(&s->conf_weight);
		if (t->seen != RS_HEALTH_UP || n == 0 ||
		    wall - since >= (int64_t)n * 1000) {
			atomic_store(&s->weight, conf);
			atomic_store(&s->ramp_ms, 0);
			continue;
		}
		any = 1;
		w = health_slowstart_weight(conf, n, wall - since);
		if (w != atomic_load(&s->weight))
			atomic_store(&s->weight, w);
	}
	return any;
}

/*
 * Time out probes past their deadline, start those that are due, step
 * slowstart ramps; returns how long epoll may wait.
 */
static int
plan(struct checker *c)
{
	int64_t now = util_now_ms(), wake = now + HEALTH_TICK_MS;

	for (unsigned i = 0; i < c->nt; i++) {
		struct target *t = &c->t[i];

		if (t->p.fd != -1 && now >= t->p.deadline_ms)
			finish(t, PROBE_TIMEOUT);
		if (t->p.fd == -1 && now >= t->next_ms)
			start_probe(c, t, now);
		if (t->p.fd != -1 && t->p.deadline_ms < wake)
			wake = t->p.deadline_ms;
		if (t->p.fd == -1 && t->next_ms < wake)
			wake = t->next_ms;
	}
	if (ramp(c) && now + HEALTH_RAMP_MS < wake)
		wake = now + HEALTH_RAMP_MS;
	return wake > now ? (int)(wake - now) : 0;
}

static noreturn void
quit(struct checker *c)
{
	for (unsigned i = 0; i < c->nt; i++)
		if (c->t[i].p.fd != -1)
			c->t[i].p.x.ops->close(&c->t[i].p.x);
	free(c->t);
	close(c->epfd);
	close(c->sigfd);
	exit(0);
}

static void
loop(struct checker *c)
{
	struct epoll_event ev[HEALTH_MAX_EVENTS];
	int n;

	for (;;) {
		reopen_follow(c->sb, -1, NULL);
		n = epoll_wait(c->epfd, ev, HEALTH_MAX_EVENTS, plan(c));
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				quit(c);	/* SIGTERM, or no master */
			ready(c, ev[i].data.ptr, ev[i].events);
		}
		if (getppid() != c->master)
			quit(c);
	}
}

/* the checked servers of gen, each with its state as the scoreboard has it */
static void
targets(struct checker *c, const struct generation *gen)
{
	c->t = xcalloc((size_t)gen->nsvc * CONF_MAX_SERVERS + 1,
	    sizeof(*c->t));
	for (unsigned i = 0; i < gen->nsvc; i++)
		for (unsigned j = 0; j < gen->svc[i].nrs; j++) {
			const struct realserver *rs = &gen->svc[i].rs[j];
			struct target *t = &c->t[c->nt];

			if (rs->check.probe == NULL || rs->sb_index < 0)
				continue;
			t->svc = &gen->svc[i];
			t->rs = rs;
			t->s = sb_server(c->sb, (unsigned)rs->sb_index);
			t->p.fd = -1;
			t->next_ms = util_now_ms();
			t->seen = atomic_load(&t->s->health);
			c->nt++;
		}
}

/*
 * SIGTERM (also sent when the master dies) is read from a signalfd in the
 * epoll set; everything else is as every child has it (proc.c).
 */
static int
setup_signals(const struct sb *sb)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (!proc_child_init("tcpvsd-health", NULL, 0, &set, SIGTERM, sb))
		exit(0);	/* the master died before PDEATHSIG was set */
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void
health_main(const struct health_args *a)
{
	static struct checker c;
	struct epoll_event ev;

	log_set_tag("health");
	c.sb = a->sb;
	if ((c.sigfd = setup_signals(c.sb)) == -1)
		fatal("signalfd");
	c.master = getppid();
	if ((c.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(c.epfd, EPOLL_CTL_ADD, c.sigfd, &ev) == -1)
		fatal("epoll_ctl signalfd");
	targets(&c, a->gen);
	log_debug("checking %u servers", c.nt);
	loop(&c);
	quit(&c);
}
