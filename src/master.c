/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The master process.  It binds the listening sockets and locks the
 * pidfile before it daemonizes, creates the scoreboard, preforks each
 * service's pool and then runs one poll loop over a signalfd with a
 * one-second tick: it reaps children (giving back what a dead worker held
 * and replacing a crashed one), and performs Apache prefork's idle-server
 * maintenance per service from the scoreboard alone: below
 * minspareservers it forks 1, 2, 4 ... 32 a second, above maxspareservers
 * it retires one idle worker a second through the service's pipe of death,
 * and it never exceeds maxclients.  Signal handlers do not exist here:
 * signals are blocked and read in the loop.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "conf.h"
#include "log.h"
#include "master.h"
#include "sched.h"
#include "scoreboard.h"
#include "util.h"
#include "worker.h"

#define MASTER_TICK_MS		1000
#define MASTER_MAX_SPAWN_RATE	32	/* forks per second per service */
#define MASTER_STOP_WAIT_MS	10000	/* SIGTERM to SIGKILL */

/* per-service pool state of the master */
struct pool {
	int		 pod[2];	/* pipe of death: [0] workers read */
	unsigned	 spawn_rate;	/* 1, 2, 4 ... while short of spares */
	int		 at_max;	/* maxclients reached, logged */
};

struct master {
	struct generation	*gen;
	struct sb		*sb;
	int			 sigfd;
	int			 pidfd;
	int			 stopping;
	int			 at_limit;	/* serverlimit reached, logged */
	struct pool		 pool[CONF_MAX_SERVICES];
};

static const int master_signals[] = {
	SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD
};

static int
bind_one(const struct service *svc, struct conf_listen *l)
{
	int fd, one = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("virtual %s: listen %s: socket", svc->ident, l->name);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->addr.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&l->addr, l->addrlen) == -1) {
		log_warn("virtual %s: listen %s: bind", svc->ident, l->name);
		close(fd);
		return -1;
	}
	if (listen(fd, (int)svc->backlog) == -1) {
		log_warn("virtual %s: listen %s: listen", svc->ident, l->name);
		close(fd);
		return -1;
	}
	l->fd = fd;
	return 0;
}

int
master_bind(struct generation *gen)
{
	for (unsigned i = 0; i < gen->nsvc; i++)
		for (unsigned j = 0; j < gen->svc[i].nlisten; j++)
			if (bind_one(&gen->svc[i], &gen->svc[i].listen[j]) == -1)
				return -1;
	return 0;
}

int
master_lock_pidfile(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_warn("pidfile %s: open", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			log_warnx("pidfile %s is locked: tcpvsd is already "
			    "running as pid %s", path, *buf ? buf : "?");
		} else
			log_warn("pidfile %s: lock", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
master_write_pidfile(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		log_warn("pidfile %s: write", path);
		return -1;
	}
	return 0;
}

static int
setup_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(master_signals) /
	    sizeof(master_signals[0]); i++)
		sigaddset(&set, master_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* in the child: close what only the master needs */
static void
child_close(struct master *m, const struct service *mine)
{
	close(m->sigfd);
	if (m->pidfd != -1)
		close(m->pidfd);
	for (unsigned i = 0; i < m->gen->nsvc; i++) {
		const struct service *svc = &m->gen->svc[i];

		close(m->pool[i].pod[1]);
		if (svc == mine)
			continue;
		close(m->pool[i].pod[0]);
		for (unsigned j = 0; j < svc->nlisten; j++)
			close(svc->listen[j].fd);
	}
}

static int
spawn(struct master *m, const struct service *svc)
{
	struct worker_args a;
	struct sb_worker *ws;
	int slot;
	pid_t pid;

	if ((slot = sb_worker_alloc(m->sb)) == -1) {
		if (!m->at_limit)
			log_warnx("serverlimit (%u) reached: no free worker "
			    "slot for virtual %s", m->gen->serverlimit,
			    svc->ident);
		m->at_limit = 1;
		return -1;
	}
	m->at_limit = 0;
	ws = sb_worker(m->sb, (unsigned)slot);
	atomic_store(&ws->service, svc->sb_index);
	atomic_store(&ws->generation, m->gen->id);
	if ((pid = fork()) == -1) {
		log_warn("virtual %s: fork", svc->ident);
		sb_worker_repair(m->sb, (unsigned)slot);
		return -1;
	}
	if (pid == 0) {
		child_close(m, svc);
		a.gen = m->gen;
		a.svc = svc;
		a.sb = m->sb;
		a.slot = slot;
		a.pod = m->pool[svc->index].pod[0];
		worker_main(&a);
	}
	atomic_store(&ws->pid, pid);
	return 0;
}

struct census {
	unsigned	total;
	unsigned	idle;
};

static struct census
count_workers(const struct master *m, const struct service *svc)
{
	struct census c = { 0, 0 };

	for (unsigned i = 0; i < m->sb->hdr->nworkers; i++) {
		const struct sb_worker *ws = sb_worker(m->sb, i);
		int st;

		if (atomic_load(&ws->pid) == 0 ||
		    atomic_load(&ws->service) != svc->sb_index)
			continue;
		c.total++;
		st = atomic_load_explicit(&ws->state, memory_order_acquire);
		if (st == WS_STARTING || st == WS_IDLE)
			c.idle++;
	}
	return c;
}

/* Apache prefork's perform_idle_server_maintenance, per service */
static void
maintain(struct master *m, const struct service *svc)
{
	struct pool *p = &m->pool[svc->index];
	struct census c = count_workers(m, svc);
	unsigned want;
	char b = 'x';

	if (c.idle > svc->maxspareservers) {
		/* one a second; an idle worker takes it between requests */
		if (write(p->pod[1], &b, 1) == -1 && errno != EAGAIN)
			log_warn("virtual %s: pipe of death", svc->ident);
		p->spawn_rate = 1;
		return;
	}
	if (c.idle >= svc->minspareservers) {
		p->spawn_rate = 1;
		p->at_max = 0;
		return;
	}
	if (c.total >= svc->maxclients) {
		if (!p->at_max)
			log_warnx("virtual %s: reached maxclients (%u), "
			    "consider raising it", svc->ident,
			    svc->maxclients);
		p->at_max = 1;
		return;
	}
	want = svc->minspareservers - c.idle;
	if (want > p->spawn_rate)
		want = p->spawn_rate;
	if (want > svc->maxclients - c.total)
		want = svc->maxclients - c.total;
	for (unsigned i = 0; i < want; i++)
		if (spawn(m, svc) == -1)
			break;
	if (p->spawn_rate < MASTER_MAX_SPAWN_RATE)
		p->spawn_rate *= 2;
}

static const struct service *
service_of_slot(const struct master *m, int sb_index)
{
	for (unsigned i = 0; i < m->gen->nsvc; i++)
		if (m->gen->svc[i].sb_index == sb_index)
			return &m->gen->svc[i];
	return NULL;
}

static int
find_slot(const struct master *m, pid_t pid)
{
	for (unsigned i = 0; i < m->sb->hdr->nworkers; i++)
		if (atomic_load(&sb_worker(m->sb, i)->pid) == pid)
			return (int)i;
	return -1;
}

/* one dead child: repair its slot, replace it if it crashed */
static void
reaped(struct master *m, pid_t pid, int status)
{
	const struct service *svc;
	int slot, crashed;

	if ((slot = find_slot(m, pid)) == -1)
		return;
	svc = service_of_slot(m, atomic_load(&sb_worker(m->sb,
	    (unsigned)slot)->service));
	crashed = WIFSIGNALED(status) || (WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0);
	if (crashed && !m->stopping) {
		if (WIFSIGNALED(status))
			log_warnx("virtual %s: worker %ld killed by signal %d",
			    svc ? svc->ident : "?", (long)pid,
			    WTERMSIG(status));
		else
			log_warnx("virtual %s: worker %ld exited with status "
			    "%d", svc ? svc->ident : "?", (long)pid,
			    WEXITSTATUS(status));
	}
	sb_worker_repair(m->sb, (unsigned)slot);
	if (crashed && !m->stopping && svc != NULL &&
	    count_workers(m, svc).total < svc->maxclients)
		(void)spawn(m, svc);
}

static void
reap(struct master *m)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		reaped(m, pid, status);
}

static unsigned
signal_children(struct master *m, int sig)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->sb->hdr->nworkers; i++) {
		pid_t pid = atomic_load(&sb_worker(m->sb, i)->pid);

		if (pid > 0 && kill(pid, sig) == 0)
			n++;
	}
	return n;
}

/* SIGTERM to every child, SIGKILL to what is left after a bound */
static void
stop_children(struct master *m)
{
	int64_t deadline = util_now_ms() + MASTER_STOP_WAIT_MS;
	struct pollfd pfd = { .fd = m->sigfd, .events = POLLIN };
	struct signalfd_siginfo si;

	m->stopping = 1;
	if (signal_children(m, SIGTERM) == 0)
		return;
	while (util_now_ms() < deadline) {
		while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
			;
		reap(m);
		if (signal_children(m, 0) == 0)
			return;
		(void)poll(&pfd, 1, 100);
	}
	log_warnx("children still running after %d ms: killing them",
	    MASTER_STOP_WAIT_MS);
	signal_children(m, SIGKILL);
	for (int i = 0; i < 50 && signal_children(m, 0) > 0; i++) {
		reap(m);
		(void)poll(NULL, 0, 20);
	}
	reap(m);
}

static void
shutdown_master(struct master *m, int sig)
{
	log_info("%s: stopping", strsignal(sig));
	stop_children(m);
	if (m->gen->pidfile != NULL)
		(void)unlink(m->gen->pidfile);
	log_info("stopped");
	exit(0);
}

/* handle one signal read from the signalfd */
static void
on_signal(struct master *m, int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		shutdown_master(m, sig);
		break;
	case SIGCHLD:
		reap(m);
		break;
	default:
		log_notice("%s ignored: configuration reload and graceful "
		    "stop are not implemented yet", strsignal(sig));
		break;
	}
}

static void
open_pools(struct master *m)
{
	for (unsigned i = 0; i < m->gen->nsvc; i++) {
		struct pool *p = &m->pool[i];

		if (pipe2(p->pod, O_NONBLOCK | O_CLOEXEC) == -1)
			fatal("pipe of death");
		p->spawn_rate = 1;
	}
}

static void
start_pools(struct master *m)
{
	for (unsigned i = 0; i < m->gen->nsvc; i++) {
		const struct service *svc = &m->gen->svc[i];

		for (unsigned n = 0; n < svc->startservers; n++)
			if (spawn(m, svc) == -1)
				break;
		log_info("virtual %s: %u workers, scheduler %s, %u servers",
		    svc->ident, svc->startservers, svc->sched->name,
		    svc->nrs);
	}
}

static size_t
sched_bytes(const struct generation *gen)
{
	size_t n = SB_SCHED_MIN;

	for (unsigned i = 0; i < gen->nsvc; i++)
		if (gen->svc[i].sched_shm > n)
			n = gen->svc[i].sched_shm;
	return n;
}

void
master_main(struct generation *gen, int pidfd)
{
	static struct master m;
	struct signalfd_siginfo si;
	struct pollfd pfd;
	int64_t next = util_now_ms() + MASTER_TICK_MS, now;
	char err[256];

	m.gen = gen;
	m.pidfd = pidfd;
	gen->id = 1;
	if ((m.sigfd = setup_signals()) == -1)
		fatal("signalfd");
	m.sb = sb_create(gen->serverlimit, (unsigned)sched_bytes(gen),
	    gen->scoreboardfile);
	if (m.sb == NULL)
		fatal("scoreboard %s", gen->scoreboardfile ?
		    gen->scoreboardfile : "(anonymous)");
	if (sb_attach(m.sb, gen, err, sizeof(err)) == -1)
		fatalx("%s", err);
	atomic_store(&m.sb->hdr->generation, gen->id);
	open_pools(&m);
	start_pools(&m);
	pfd.fd = m.sigfd;
	pfd.events = POLLIN;
	for (;;) {
		now = util_now_ms();
		if (poll(&pfd, 1, next > now ? (int)(next - now) : 0) == -1 &&
		    errno != EINTR)
			fatal("poll");
		while (read(m.sigfd, &si, sizeof(si)) == sizeof(si))
			on_signal(&m, (int)si.ssi_signo);
		if (util_now_ms() >= next) {
			reap(&m);
			for (unsigned i = 0; i < gen->nsvc; i++)
				maintain(&m, &gen->svc[i]);
			next = util_now_ms() + MASTER_TICK_MS;
		}
	}
}
