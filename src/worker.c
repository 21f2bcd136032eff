/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The worker process.  Forked by the master for one virtual service, it
 * runs up to maxinflight exchanges (exchange.c) at once in one epoll
 * loop: the service's listening sockets and handoff socket (EPOLLEXCLUSIVE,
 * so one worker with room wakes per connection; conn_accept.c), and every
 * client and server connection it holds, registered once, edge-triggered.
 * Every deadline is in one timer heap (timer.c); epoll_wait sleeps until
 * the nearest.  maxinflight = 1 is Apache prefork: one request per
 * process, and, as a prefork worker polls only its request's connections,
 * a full worker whose exchanges wait on their servers alone sleeps on its
 * server connections alone: a parked connection's next request, which it
 * could not serve yet, does not wake it (wait_set).  It exits when told
 * to (SIGUSR1: the master retires it, reloads or stops gracefully;
 * SIGTERM), after maxrequestsperchild connections, or when the master is
 * gone (SIGUSR1 again, its parent-death signal), once its exchanges are
 * done.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "exchange.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "relay.h"
#include "reopen.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define WORKER_MAX_EVENTS	64
#define WORKER_TICK_MS		1000	/* check the master is alive */
#define WORKER_FD_MAX		(1 << 20)	/* descriptors tracked */

static volatile sig_atomic_t stop_now;		/* SIGTERM: close and exit */
static volatile sig_atomic_t stop_graceful;	/* SIGUSR1: finish, exit */

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

/* handlers set flags; the master gone: finish the requests, then exit */
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

bool
worker_stop_now(void)
{
	return stop_now;
}

bool
worker_told_to_stop(void)
{
	return stop_now || stop_graceful;
}

bool
worker_should_finish(const struct worker *w)
{
	if (stop_now || stop_graceful || w->orphaned)
		return true;
	return w->svc->maxrequestsperchild > 0 &&
	    w->served >= w->svc->maxrequestsperchild;
}

void
worker_fd_own(struct worker *w, int fd, enum fd_kind kind, uint32_t i)
{
	if (fd < 0 || (unsigned)fd >= w->nfd)
		return;
	w->fdk[fd] = (uint8_t)kind;
	w->fdi[fd] = i;
}

int
worker_fd_watch(struct worker *w, int fd, enum fd_kind kind, uint32_t i)
{
	struct epoll_event ev;

	if (fd < 0 || (unsigned)fd >= w->nfd) {
		errno = EMFILE;
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = (uint64_t)fd;
	if (epoll_ctl(kind == FD_CLIENT || kind == FD_PARKED ? w->epc :
	    w->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	worker_fd_own(w, fd, kind, i);
	return 0;
}

void
worker_fd_close(struct worker *w, int fd)
{
	if (fd < 0)
		return;
	worker_fd_own(w, fd, FD_NONE, 0);
	close(fd);
}

/* the service's listening sockets, plain and TLS (listener.c) */
static void
listener_table(struct worker *w)
{
	w->nlisteners = listener_count(w->svc);
	w->listeners = xcalloc(w->nlisteners + 1, sizeof(*w->listeners));
	for (unsigned k = 0; k < w->nlisteners; k++) {
		w->listeners[k].fd = listener_get(w->svc, k)->fd;
		w->listeners[k].name = listener_get(w->svc, k)->name;
		w->listeners[k].tls = listener_tls(w->svc, k);
	}
}

/* who owns which descriptor: as many as the open-files limit allows */
static void
fd_table(struct worker *w)
{
	struct rlimit rl;

	w->nfd = WORKER_FD_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < WORKER_FD_MAX)
		w->nfd = (unsigned)rl.rlim_cur;
	w->fdk = xcalloc(w->nfd, sizeof(*w->fdk));
	w->fdi = xcalloc(w->nfd, sizeof(*w->fdi));
}

/* the pipes this generation's workers may make: two an exchange */
static unsigned long
gen_pipes(const struct generation *gen, unsigned slots)
{
	unsigned long n = 0;
	unsigned nx;

	for (unsigned i = 0; i < gen->nsvc; i++) {
		nx = gen->svc[i].maxinflight > 0 ? gen->svc[i].maxinflight : 1;
		n += 2UL * gen->svc[i].maxclients * (nx < slots ? nx : slots);
	}
	return n;
}

static void
worker_init(struct worker *w, const struct worker_args *a)
{
	struct epoll_event ev;
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
	w->now = util_now_ms();
	w->nx = w->svc->maxinflight > 0 ? w->svc->maxinflight : 1;
	if (w->nx > w->sb->hdr->inflight)
		w->nx = w->sb->hdr->inflight;	/* the slots there are */
	fd_table(w);
	listener_table(w);
	/* two generations' worth: a graceful reload runs both */
	relay_size(2 * gen_pipes(a->gen, w->sb->hdr->inflight));
	/* an exchange needs up to six descriptors (client, server, pipes):
	   under a small open-files limit fewer run, so parking and accept
	   keep room */
	if (w->nfd > 128 && w->nx > (w->nfd - 128) / 16)
		w->nx = (w->nfd - 128) / 16 > 0 ? (w->nfd - 128) / 16 : 1;
	w->lim.max_request_line = w->svc->max_request_line;
	w->lim.max_header_size = w->svc->max_header_size;
	w->lim.max_headers = w->svc->max_headers;
	w->rlim.max_request_line = 65536;
	w->rlim.max_header_size = 65536;
	w->rlim.max_headers = HTTP_MAX_HEADERS;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->epc = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->epa = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->epl = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->epls = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->eplc = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->eph = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = WORKER_TAG_CONNS;
	if (epoll_ctl(w->epl, EPOLL_CTL_ADD, w->epfd, &ev) == -1 ||
	    epoll_ctl(w->epa, EPOLL_CTL_ADD, w->epfd, &ev) == -1 ||
	    epoll_ctl(w->epls, EPOLL_CTL_ADD, w->epfd, &ev) == -1 ||
	    epoll_ctl(w->eplc, EPOLL_CTL_ADD, w->epfd, &ev) == -1 ||
	    epoll_ctl(w->eph, EPOLL_CTL_ADD, w->epfd, &ev) == -1)
		fatal("epoll_ctl connections");
	ev.data.u64 = WORKER_TAG_CLIENTS;
	if (epoll_ctl(w->epl, EPOLL_CTL_ADD, w->epc, &ev) == -1 ||
	    epoll_ctl(w->epa, EPOLL_CTL_ADD, w->epc, &ev) == -1 ||
	    epoll_ctl(w->eplc, EPOLL_CTL_ADD, w->epc, &ev) == -1 ||
	    epoll_ctl(w->eph, EPOLL_CTL_ADD, w->epc, &ev) == -1)
		fatal("epoll_ctl clients");
	timers_init(&w->timers, 4 * w->nx + 256);
	exchange_init(w);
	upstream_init(w);
	conn_init(w);
}

static void	dispatch(struct worker *, const struct epoll_event *);

/* the events of a set of connections (epfd, epc), a set of sets (epl,
   epa) having said there are some */
static void
set_ready(struct worker *w, int set)
{
	struct epoll_event ev[WORKER_MAX_EVENTS];
	int n;

	n = epoll_wait(set, ev, WORKER_MAX_EVENTS, 0);
	for (int i = 0; i < n && !stop_now; i++)
		dispatch(w, &ev[i]);
}

void
worker_take_client_events(struct worker *w)
{
	set_ready(w, w->epc);
}

static void
dispatch(struct worker *w, const struct epoll_event *ev)
{
	uint64_t d = ev->data.u64;
	int fd;

	if (d & WORKER_TAG_LISTEN) {
		conn_accept(w, (unsigned)(d & 0xffffffffU));
		return;
	}
	if (d == WORKER_TAG_HANDOFF) {
		conn_take_handoff(w);
		return;
	}
	if (d == WORKER_TAG_CONNS) {
		set_ready(w, w->epfd);
		return;
	}
	if (d == WORKER_TAG_CLIENTS) {
		set_ready(w, w->epc);
		return;
	}
	fd = (int)d;
	if (fd < 0 || (unsigned)fd >= w->nfd)
		return;
	switch ((enum fd_kind)w->fdk[fd]) {
	case FD_NONE:
		break;
	case FD_PARKED:
		conn_parked_event(w, w->fdi[fd], ev->events);
		break;
	case FD_CLIENT:
		exchange_event(w, w->fdi[fd], false, ev->events);
		break;
	case FD_SERVER:
		exchange_event(w, w->fdi[fd], true, ev->events);
		break;
	case FD_POOL:
		upstream_event(w, w->fdi[fd], ev->events);
		break;
	}
}

/*
 * The worker's state for the scoreboard between rounds: idle (or
 * closing) with no exchange, else its furthest exchange's (relaying
 * before connecting before scheduling before reading), as Apache's
 * scoreboard shows a busy process.  Written only when it changes, so
 * its time in the state counts up.
 */
static void
note_state(struct worker *w)
{
	static const struct { enum xs_state x; enum ws_state w; } order[] = {
		{ XS_RELAYING, WS_RELAYING },
		{ XS_CONNECTING, WS_CONNECTING },
		{ XS_SCHEDULING, WS_SCHEDULING },
		{ XS_READING, WS_READING },
		{ XS_CLOSING, WS_CLOSING },
	};
	enum ws_state st = w->finishing ? WS_CLOSING : WS_IDLE;

	for (size_t i = 0; w->inflight > 0 && i < sizeof(order) / sizeof(order[0]); i++)
		if (atomic_load_explicit(&w->ws->xstates[order[i].x],
		    memory_order_relaxed) > 0) {
			st = order[i].w;
			break;
		}
	if (atomic_load_explicit(&w->ws->state, memory_order_relaxed) !=
	    (int32_t)st)
		sb_worker_state(w->ws, st);
}

/*
 * What to sleep on: the listeners when accepting (conn_accept.c), the
 * handoff socket with a free place only, accepting or not (full, the
 * worker could not take what it brings, and the level-triggered socket
 * would wake it at once, again and again; over its share, it is the
 * worker a request was handed off to), and the connections; of those
 * the server connections alone when every place is taken and every
 * exchange waits on its server (maxinflight = 1: most of an exchange's
 * life).  A parked connection's request that comes meanwhile waits in
 * the kernel, announced once the worker has room, or handed off when it
 * stays full (conn_handoff.c).
 */
static int
wait_set(struct worker *w, bool accepting)
{
	bool room = exchange_room(w);
	bool clients = room || exchange_need_clients(w);

	if (accepting)
		return room ? w->epl : clients ? w->eplc : w->epls;
	if (room)
		return w->eph;	/* handed-off requests are meant for it */
	return clients ? w->epa : w->epfd;
}

void
worker_main(const struct worker_args *a)
{
	struct epoll_event ev[WORKER_MAX_EVENTS];
	struct worker w;
	bool accepting;
	int n, tmo;

	worker_init(&w, a);
	while (!stop_now) {
		reopen_follow(a->sb, a->alog, a->svc->accesslog);
		/* the parent-death signal (SIGUSR1) says it at once; this,
		   a tick at most after, should it ever not */
		if (w.now >= w.master_check) {
			w.master_check = w.now + WORKER_TICK_MS;
			w.orphaned = getppid() != w.master;
		}
		if (!w.finishing && worker_should_finish(&w))
			conn_begin_finish(&w);
		if (w.finishing && w.inflight == 0 && conn_parked(&w) == 0)
			break;
		note_state(&w);
		/* with room, wait for connections to accept as well;
		   full, on the connections alone for a while
		   (conn_accept.c) */
		w.now = util_now_ms();
		accepting = conn_want_accept(&w);
		tmo = conn_wait_ms(&w, timers_wait(&w.timers, w.now,
		    WORKER_TICK_MS));
		n = epoll_wait(wait_set(&w, accepting), ev,
		    WORKER_MAX_EVENTS, tmo);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		w.now = util_now_ms();
		for (int i = 0; i < n && !stop_now; i++)
			dispatch(&w, &ev[i]);
		w.now = util_now_ms();
		timers_run(&w.timers, w.now);
		conn_run_queue(&w);
	}
	/* idle kept connections may be closed at any time (RFC 9112 9.5) */
	exchange_close_all(&w);
	conn_close_all(&w);
	sb_worker_state(w.ws, WS_CLOSING);
	upstream_close_all(&w);
	exit(0);
}
