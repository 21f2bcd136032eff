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
 * and it never exceeds maxclients.  It forks the health checker when a
 * generation checks any server, again for each new generation, and on
 * the next tick after it died.  Signal handlers do not exist here:
 * signals are blocked and read in the loop, beside the control socket
 * (control.c), whose structural changes come back through apply_change()
 * and switch generations as SIGUSR1 does.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "conf.h"
#include "control.h"
#include "health.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "master.h"
#include "reopen.h"
#include "sched.h"
#include "scoreboard.h"
#include "status.h"
#include "tls.h"
#include "util.h"
#include "worker.h"

#define MASTER_TICK_MS		1000
#define MASTER_FULL_TICKS	3	/* at_maxclients() with maxinflight > 1 */
#define MASTER_PIDFILE_WAITS	40	/* of 50 ms: a starting holder's pid */
#define MASTER_MAX_SPAWN_RATE	32	/* forks per second per service */
#define MASTER_STOP_WAIT_MS	10000	/* SIGTERM to SIGKILL */
#define MASTER_HEALTH_WAIT_MS	2000	/* the checker: SIGTERM to SIGKILL */
#define MASTER_OLD_GRACE_MS	1500	/* a third generation: the oldest
					   finishes in this time, or is stopped */

/* per-service pool state of the master */
struct pool {
	int		 pod[2];	/* pipe of death: [0] workers read */
	int		 handoff[2];	/* workers pass idle connections:
					   [0] sends, [1] receives */
	int		 alog;		/* access log (O_APPEND), or -1 */
	int64_t		 last_respawn;	/* ms: a crashed worker replaced */
	unsigned	 spawn_rate;	/* 1, 2, 4 ... while short of spares */
	int		 at_max;	/* maxclients reached, logged */
	unsigned	 full_ticks;	/* ticks in a row at maxclients with
					   every exchange slot busy */
};

/* a live configuration generation and its pools */
struct genstate {
	struct generation	*gen;		/* NULL: none */
	struct pool		 pool[CONF_MAX_SERVICES];
	int64_t			 deadline;	/* draining: SIGTERM after */
};

struct master {
	const char		*path;		/* config file, for reloads */
	struct sb		*sb;
	int			 sigfd;
	int			 pidfd;
	int			 stopping;
	int			 at_limit;	/* serverlimit reached, logged */
	pid_t			 health_pid;	/* the health checker, 0: none */
	int			 health_restart; /* fork it on the next tick */
	int			 status_fd;	/* status_listen socket, -1 */
	pid_t			 status_pid;	/* the status server, 0: none */
	int			 status_restart;
	struct genstate		 cur;		/* serving */
	struct genstate		 old;		/* draining, at most one */
	struct control		*ctl;		/* the control socket */
	unsigned		 changed;	/* first generation tcpvsadm
						   made since the file was
						   read, 0: none */
};

static const int master_signals[] = {
	SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD
};

/* the status server's socket; kept for the master's life */
static int
bind_status(struct generation *gen)
{
	int fd, one = 1;

	if (gen->status_addrlen == 0)
		return 0;
	fd = socket(gen->status_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, (struct sockaddr *)&gen->status_addr,
	    gen->status_addrlen) == -1 || listen(fd, 64) == -1) {
		log_warn("status_listen %s", gen->status_name);
		if (fd != -1)
			close(fd);
		return -1;
	}
	gen->status_fd = fd;
	return 0;
}

int
master_bind(struct generation *gen)
{
	if (listener_bind(gen) == -1)
		return -1;
	return bind_status(gen);
}

int
master_lock_pidfile(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_warnx("pidfile %s: %s; the pidfile option wants a "
		    "writable path in an existing directory", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			/* the holder writes its pid once it has bound its
			   sockets (and detached): wait for it, a little */
			for (int i = 0; i < MASTER_PIDFILE_WAITS; i++) {
				n = pread(fd, buf, sizeof(buf) - 1, 0);
				if (n > 0 && memchr(buf, '\n', (size_t)n))
					break;
				(void)poll(NULL, 0, 50);
			}
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
close_gen(const struct genstate *gs, const struct service *mine)
{
	const struct generation *gen = gs->gen;

	if (gen == NULL)
		return;
	for (unsigned i = 0; i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];

		close(gs->pool[i].pod[1]);
		if (svc == mine)
			continue;
		close(gs->pool[i].pod[0]);
		close(gs->pool[i].handoff[0]);
		close(gs->pool[i].handoff[1]);
		if (gs->pool[i].alog != -1)
			close(gs->pool[i].alog);
		listener_close_child(svc, mine);
	}
}

static void
child_close(struct master *m, const struct service *mine)
{
	if (m->status_fd != -1 && m->status_pid != -1)
		close(m->status_fd);
	close(m->sigfd);
	if (m->pidfd != -1)
		close(m->pidfd);
	control_close_child(m->ctl);
	close_gen(&m->cur, mine);
	close_gen(&m->old, mine);
}

/*
 * In a child started as root with a user configured: become that user,
 * with only its group, before touching a client.  Failure is fatal for
 * the child: it must never serve as root by accident.
 */
static void
drop_privileges(const struct generation *gen)
{
	if (gen->user == NULL || geteuid() != 0)
		return;
	if (setgroups(1, &gen->gid) == -1 || setgid(gen->gid) == -1 ||
	    setuid(gen->uid) == -1)
		fatal("cannot run as user %s", gen->user);
	/* user = "root" is a choice (warned at start); anyone else must not
	   get root back */
	if (gen->uid != 0 && setuid(0) != -1)
		fatalx("user %s: root privileges could be regained",
		    gen->user);
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
			    "slot for virtual %s", m->sb->hdr->nworkers,
			    svc->ident);
		m->at_limit = 1;
		return -1;
	}
	m->at_limit = 0;
	ws = sb_worker(m->sb, (unsigned)slot);
	atomic_store(&ws->service, svc->sb_index);
	atomic_store(&ws->generation, m->cur.gen->id);
	if ((pid = fork()) == -1) {
		log_warn("virtual %s: fork", svc->ident);
		sb_worker_repair(m->sb, (unsigned)slot);
		return -1;
	}
	if (pid == 0) {
		child_close(m, svc);
		drop_privileges(m->cur.gen);
		a.gen = m->cur.gen;
		a.svc = svc;
		a.sb = m->sb;
		a.slot = slot;
		a.pod = m->cur.pool[svc->index].pod[0];
		a.handoff[0] = m->cur.pool[svc->index].handoff[0];
		a.handoff[1] = m->cur.pool[svc->index].handoff[1];
		a.alog = m->cur.pool[svc->index].alog;
		worker_main(&a);
	}
	atomic_store(&ws->pid, pid);
	return 0;
}

/* the health checker, for the current generation, if it checks anything */
static void
start_health(struct master *m)
{
	struct health_args a;
	pid_t pid;

	m->health_restart = 0;
	if (m->health_pid != 0 || !health_needed(m->cur.gen))
		return;
	if ((pid = fork()) == -1) {
		log_warn("health checker: fork");
		m->health_restart = 1;
		return;
	}
	if (pid == 0) {
		child_close(m, NULL);
		drop_privileges(m->cur.gen);
		a.gen = m->cur.gen;
		a.sb = m->sb;
		health_main(&a);
	}
	m->health_pid = pid;
	log_info("health checker started, pid %ld", (long)pid);
}

/* SIGTERM, reaped here (not by reap()), SIGKILL after a bound */
static void
stop_health(struct master *m)
{
	int64_t deadline = util_now_ms() + MASTER_HEALTH_WAIT_MS;
	pid_t pid = m->health_pid;
	int status;

	m->health_restart = 0;
	if (pid == 0)
		return;
	m->health_pid = 0;
	(void)kill(pid, SIGTERM);
	while (util_now_ms() < deadline) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		(void)poll(NULL, 0, 10);
	}
	log_warnx("health checker %ld still running: killing it", (long)pid);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

/* the checker died unasked: logged, forked again on the next tick */
static void
health_died(struct master *m, pid_t pid, int status)
{
	m->health_pid = 0;
	if (m->stopping)
		return;
	if (WIFSIGNALED(status))
		log_warnx("health checker %ld killed by signal %d: restarting "
		    "it", (long)pid, WTERMSIG(status));
	else
		log_warnx("health checker %ld exited with status %d: "
		    "restarting it", (long)pid, WEXITSTATUS(status));
	m->health_restart = 1;
}

/* the status server, for the current generation, if status_listen */
static void
start_status(struct master *m)
{
	struct status_args a;
	pid_t pid;

	m->status_restart = 0;
	if (m->status_pid != 0 || m->status_fd == -1)
		return;
	if ((pid = fork()) == -1) {
		log_warn("status server: fork");
		m->status_restart = 1;
		return;
	}
	if (pid == 0) {
		m->status_pid = -1;	/* child_close keeps the socket */
		child_close(m, NULL);
		drop_privileges(m->cur.gen);
		a.gen = m->cur.gen;
		a.sb = m->sb;
		a.fd = m->status_fd;
		status_main(&a);
	}
	m->status_pid = pid;
}

static void
stop_status(struct master *m)
{
	pid_t pid = m->status_pid;
	int64_t deadline = util_now_ms() + MASTER_HEALTH_WAIT_MS;
	int status;

	m->status_restart = 0;
	if (pid <= 0)
		return;
	m->status_pid = 0;
	(void)kill(pid, SIGTERM);
	while (util_now_ms() < deadline) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		(void)poll(NULL, 0, 10);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

/* the current generation's workers of svc */
static struct sb_census
count_workers(const struct master *m, const struct service *svc)
{
	return sb_census(m->sb, svc->sb_index, m->cur.gen->id, NULL,
	    svc->maxinflight);
}

/*
 * Spare capacity in workers: with maxinflight 1 (prefork) the idle ones;
 * else the free exchange slots of its workers, in whole workers' worth.
 */
static unsigned
spare(const struct sb_census *c, const struct service *svc)
{
	if (svc->maxinflight <= 1)
		return c->idle;
	return c->free / svc->maxinflight;
}

/*
 * At maxclients, below minspareservers.  Only a pool with no free slot at
 * all is full (Apache's worker MPM once said "reached MaxClients" with
 * idle threads left): said once a generation, as Apache says it once.
 * With several exchanges a worker, every slot busy for a moment is normal
 * under load (requests wait for a slot in the worker, not in the
 * backlog); only MASTER_FULL_TICKS ticks in a row are worth a warning.
 */
static void
at_maxclients(struct pool *p, const struct service *svc,
    const struct sb_census *c)
{
	if (p->at_max || (svc->maxinflight <= 1 ? c->idle : c->free) > 0)
		return;
	if (svc->maxinflight > 1 && ++p->full_ticks < MASTER_FULL_TICKS)
		return;
	log_warnx("virtual %s: reached maxclients (%u), every exchange slot "
	    "busy (maxinflight %u); consider raising maxclients", svc->ident,
	    svc->maxclients, svc->maxinflight);
	p->at_max = 1;
}

/* Apache prefork's perform_idle_server_maintenance, per service */
static void
maintain(struct master *m, const struct service *svc)
{
	struct pool *p = &m->cur.pool[svc->index];
	struct sb_census c;
	unsigned want;
	char b = 'x';

	if (!conf_listening(svc))
		return;		/* stopped, or no listen address yet */
	c = count_workers(m, svc);
	if (c.free > 0 || c.total < svc->maxclients)
		p->full_ticks = 0;
	if (spare(&c, svc) > svc->maxspareservers) {
		/* one a second; an idle worker takes it between requests */
		if (write(p->pod[1], &b, 1) == -1 && errno != EAGAIN)
			log_warn("virtual %s: pipe of death", svc->ident);
		p->spawn_rate = 1;
		return;
	}
	if (spare(&c, svc) >= svc->minspareservers) {
		p->spawn_rate = 1;
		return;
	}
	if (c.total >= svc->maxclients) {
		at_maxclients(p, svc, &c);
		p->spawn_rate = 1;
		return;
	}
	/* Apache forks the whole rate, however few spares are missing */
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
service_of(const struct genstate *gs, int sb_index)
{
	if (gs->gen == NULL)
		return NULL;
	for (unsigned i = 0; i < gs->gen->nsvc; i++)
		if (gs->gen->svc[i].sb_index == sb_index)
			return &gs->gen->svc[i];
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

static void
log_death(const char *ident, pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		log_warnx("virtual %s: worker %ld killed by signal %d", ident,
		    (long)pid, WTERMSIG(status));
	else
		log_warnx("virtual %s: worker %ld exited with status %d",
		    ident, (long)pid, WEXITSTATUS(status));
}

/* one dead child: repair its slot, replace it if it crashed */
static void
reaped(struct master *m, pid_t pid, int status)
{
	const struct service *svc = NULL;
	struct sb_worker *ws;
	int slot, crashed, current;

	if (pid == m->status_pid) {
		m->status_pid = 0;
		if (!m->stopping) {
			log_warnx("status server %ld died: restarting it",
			    (long)pid);
			m->status_restart = 1;
		}
		return;
	}
	if (pid == m->health_pid) {
		health_died(m, pid, status);
		return;
	}
	if ((slot = find_slot(m, pid)) == -1)
		return;
	ws = sb_worker(m->sb, (unsigned)slot);
	current = atomic_load(&ws->generation) == m->cur.gen->id;
	svc = service_of(current ? &m->cur : &m->old,
	    atomic_load(&ws->service));
	crashed = WIFSIGNALED(status) || (WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0);
	if (crashed && !m->stopping && current)
		log_death(svc ? svc->ident : "?", pid, status);
	sb_worker_repair(m->sb, (unsigned)slot);
	/*
	 * A crash is replaced at once, but at most once a tick a service:
	 * workers that die as they start (a bad user, a full disk) are
	 * then forked at maintain()'s pace, not in a tight loop.
	 */
	if (crashed && !m->stopping && current && svc != NULL &&
	    count_workers(m, svc).total < svc->maxclients &&
	    util_now_ms() - m->cur.pool[svc->index].last_respawn >=
	    MASTER_TICK_MS) {
		m->cur.pool[svc->index].last_respawn = util_now_ms();
		(void)spawn(m, svc);
	}
}

static unsigned
count_gen(const struct master *m, unsigned id)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->sb->hdr->nworkers; i++) {
		const struct sb_worker *ws = sb_worker(m->sb, i);

		if (atomic_load(&ws->pid) != 0 &&
		    atomic_load(&ws->generation) == id)
			n++;
	}
	return n;
}

static void
close_pools(struct genstate *gs)
{
	for (unsigned i = 0; gs->gen != NULL && i < gs->gen->nsvc; i++) {
		close(gs->pool[i].pod[0]);
		close(gs->pool[i].pod[1]);
		close(gs->pool[i].handoff[0]);
		close(gs->pool[i].handoff[1]);
		if (gs->pool[i].alog != -1)
			close(gs->pool[i].alog);
	}
}

/* the draining generation's last worker is gone: free it */
static void
retire_old(struct master *m)
{
	if (m->old.gen == NULL || count_gen(m, m->old.gen->id) > 0)
		return;
	log_info("generation %u retired", m->old.gen->id);
	sb_detach(m->sb, m->old.gen, m->cur.gen);
	close_pools(&m->old);
	conf_free(m->old.gen);
	memset(&m->old, 0, sizeof(m->old));
}

static void
reap(struct master *m)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		reaped(m, pid, status);
	retire_old(m);
}

/* signal the workers of generation id (0: all); returns how many */
static unsigned
signal_workers(struct master *m, unsigned id, int sig)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->sb->hdr->nworkers; i++) {
		struct sb_worker *ws = sb_worker(m->sb, i);
		pid_t pid = atomic_load(&ws->pid);

		if (pid <= 0 || (id != 0 &&
		    atomic_load(&ws->generation) != id))
			continue;
		if (kill(pid, sig) == 0)
			n++;
	}
	return n;
}

static void
drain_signals(struct master *m)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
		;
}

/* wait for every child to exit, SIGKILL after wait_ms */
static void
wait_children(struct master *m, int64_t wait_ms)
{
	int64_t deadline = util_now_ms() + wait_ms;
	struct pollfd pfd = { .fd = m->sigfd, .events = POLLIN };

	while (util_now_ms() < deadline) {
		drain_signals(m);
		reap(m);
		if (signal_workers(m, 0, 0) == 0)
			return;
		(void)poll(&pfd, 1, 100);
	}
	log_warnx("workers still running after %lld ms: killing them",
	    (long long)wait_ms);
	signal_workers(m, 0, SIGKILL);
	for (int i = 0; i < 50 && signal_workers(m, 0, 0) > 0; i++) {
		reap(m);
		(void)poll(NULL, 0, 20);
	}
	reap(m);
}

static noreturn void
exit_master(struct master *m)
{
	if (m->cur.gen->pidfile != NULL)
		(void)unlink(m->cur.gen->pidfile);
	control_close(m->ctl);
	log_info("stopped");
	exit(0);
}

/* SIGTERM, SIGINT: close connections and stop now */
static noreturn void
stop_now(struct master *m, int sig)
{
	log_info("%s: stopping", strsignal(sig));
	notify("STOPPING=1");
	m->stopping = 1;
	stop_health(m);
	stop_status(m);
	signal_workers(m, 0, SIGTERM);
	wait_children(m, MASTER_STOP_WAIT_MS);
	exit_master(m);
}

/* SIGWINCH: stop accepting, let requests in flight finish, then stop */
static noreturn void
stop_graceful(struct master *m)
{
	log_info("graceful stop: waiting up to %u s for requests in flight",
	    m->cur.gen->graceful_timeout);
	notify("STOPPING=1");
	m->stopping = 1;
	stop_health(m);
	stop_status(m);
	listener_close(m->cur.gen);
	listener_close(m->old.gen);
	signal_workers(m, 0, SIGUSR1);
	wait_children(m, (int64_t)m->cur.gen->graceful_timeout * 1000);
	exit_master(m);
}

/*
 * The access log is opened here, by the master, once a generation (so a
 * graceful restart reopens it after logrotate), and inherited by the
 * service's workers, which may not be allowed to open it themselves.
 */
static int
open_alog(const struct service *svc)
{
	int fd;

	if (svc->accesslog == NULL)
		return -1;
	fd = open(svc->accesslog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (fd == -1)
		log_warn("virtual %s: accesslog %s: cannot open, no access "
		    "log", svc->ident, svc->accesslog);
	return fd;
}

static void
open_pools(struct genstate *gs)
{
	for (unsigned i = 0; i < gs->gen->nsvc; i++) {
		struct pool *p = &gs->pool[i];

		if (pipe2(p->pod, O_NONBLOCK | O_CLOEXEC) == -1)
			fatal("pipe of death");
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, p->handoff) == -1)
			fatal("virtual %s: handoff socket", gs->gen->svc[i].ident);
		p->spawn_rate = 1;
		p->at_max = 0;
		p->alog = open_alog(&gs->gen->svc[i]);
	}
}

static void
start_pools(struct master *m)
{
	for (unsigned i = 0; i < m->cur.gen->nsvc; i++) {
		const struct service *svc = &m->cur.gen->svc[i];

		if (!conf_listening(svc)) {
			log_info("virtual %s: not listening (%s)", svc->ident,
			    svc->stopped ? "stopped" : "no listen address");
			continue;
		}
		for (unsigned n = 0; n < svc->startservers; n++)
			if (spawn(m, svc) == -1)
				break;
		log_info("virtual %s: %u workers, scheduler %s, %u servers",
		    svc->ident, svc->startservers, svc->sched->name,
		    svc->nrs);
	}
}

/* load the file again; NULL after logging every error */
static struct generation *
load(struct master *m)
{
	struct generation *gen;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *errf;

	if ((errf = open_memstream(&buf, &len)) == NULL) {
		log_warn("reload: open_memstream");
		return NULL;
	}
	gen = conf_load(m->path, errf);
	fclose(errf);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (gen == NULL)
			log_errorx("%s", line);
		else
			log_warnx("%s", line);
	free(buf);
	return gen;
}

/* a generation still draining when the next reload comes: it has
   MASTER_OLD_GRACE_MS to finish, then it is stopped */
static void
stop_old(struct master *m)
{
	int64_t grace = util_now_ms() + MASTER_OLD_GRACE_MS, deadline;

	if (m->old.gen == NULL)
		return;
	/* told to finish (SIGUSR1) already: a last moment for the requests
	   in hand and the kept connections' next ones (worker.c) */
	while (m->old.gen != NULL && util_now_ms() < grace) {
		drain_signals(m);
		reap(m);
		(void)poll(NULL, 0, 20);
	}
	if (m->old.gen == NULL)
		return;
	deadline = util_now_ms() + 2000;
	signal_workers(m, m->old.gen->id, SIGTERM);
	while (m->old.gen != NULL && util_now_ms() < deadline) {
		drain_signals(m);
		reap(m);
		(void)poll(NULL, 0, 20);
	}
	if (m->old.gen != NULL)
		signal_workers(m, m->old.gen->id, SIGKILL);
	for (int i = 0; i < 250 && m->old.gen != NULL; i++) {
		drain_signals(m);
		reap(m);
		(void)poll(NULL, 0, 20);
	}
	if (m->old.gen != NULL) {
		/* unkillable (D state): forget it; reap() still cleans up */
		log_warnx("generation %u: workers survive SIGKILL",
		    m->old.gen->id);
		close_pools(&m->old);
		memset(&m->old, 0, sizeof(m->old));
	}
}

/*
 * Switch to gen: the running generation's workers are told to finish
 * (SIGUSR1 when graceful: the request in hand first) and the new
 * generation's pools start.  Takes gen: returns 0, or -1 with the reason
 * in err after freeing it, the running generation still serving.
 */
static int
switch_gen(struct master *m, struct generation *gen, int graceful, char *err,
    size_t errlen)
{
	stop_old(m);
	if (listener_take(m->cur.gen, gen, err, errlen) == -1) {
		conf_free(gen);
		return -1;
	}
	if (sb_attach(m->sb, gen, err, errlen) == -1) {
		listener_drop_new(m->cur.gen, gen);
		conf_free(gen);
		return -1;
	}
	gen->id = m->cur.gen->id + 1;
	listener_release(m->cur.gen, gen);
	m->old = m->cur;
	m->old.deadline = 0;
	memset(&m->cur, 0, sizeof(m->cur));
	m->cur.gen = gen;
	open_pools(&m->cur);
	atomic_store(&m->sb->hdr->generation, gen->id);
	start_pools(m);
	/* the checker of the new generation; health lives in the scoreboard */
	stop_health(m);
	start_health(m);
	/* the status server shows the new generation */
	stop_status(m);
	start_status(m);
	signal_workers(m, m->old.gen->id, graceful ? SIGUSR1 : SIGTERM);
	log_info("generation %u serving", gen->id);
	retire_old(m);
	return 0;
}

/*
 * SIGHUP (graceful = 0): new generation, old workers terminated at once.
 * SIGUSR1 (graceful = 1): new generation, old workers finish the request
 * they are serving, then exit; log files are reopened.  An invalid
 * configuration is rejected and the running generation keeps serving.
 * Weights and admin states set with tcpvsadm stay (scoreboard.c); services,
 * servers and rules come from the file, replacing tcpvsadm's changes,
 * with a warning.
 */
static void
reload(struct master *m, int graceful)
{
	struct generation *gen;
	char err[512];

	/* first, so that this restart is logged in the new file */
	if (graceful && log_reopen() == -1)
		log_warn("errorlog: reopen");
	log_info("%s: reloading %s", graceful ? "graceful restart" :
	    "restart", m->path);
	if ((gen = load(m)) == NULL) {
		log_errorx("reload rejected: generation %u keeps serving",
		    m->cur.gen->id);
		return;
	}
	if ((gen->status_name == NULL) != (m->cur.gen->status_name == NULL) ||
	    (gen->status_name != NULL && strcmp(gen->status_name,
	    m->cur.gen->status_name) != 0))
		log_warnx("status_listen: a change takes effect at the next "
		    "start, not on reload");
	if (switch_gen(m, gen, graceful, err, sizeof(err)) == -1) {
		log_errorx("reload rejected: %s; generation %u keeps serving",
		    err, m->cur.gen->id);
		return;
	}
	if (m->changed != 0)
		log_warnx("reload: %s replaced the configuration changed with "
		    "tcpvsadm since generation %u", m->path, m->changed);
	m->changed = 0;
}

/* control_ops: a tcpvsadm structural change, applied as SIGUSR1 would */
static int
apply_change(void *arg, struct generation *gen, char *err, size_t errlen)
{
	struct master *m = arg;

	log_info("control: switching to a changed configuration");
	if (switch_gen(m, gen, 1, err, errlen) == -1) {
		log_warnx("change rejected: %s; generation %u keeps serving",
		    err, m->cur.gen->id);
		return -1;
	}
	/* once until the next reload: a repeating condition */
	if (m->changed == 0) {
		m->changed = m->cur.gen->id;
		log_warnx("control: generation %u differs from %s: a reload "
		    "reads the file again and replaces it (tcpvsadm -S writes "
		    "it out)", m->cur.gen->id, m->path);
	}
	return 0;
}

/* SIGUSR2, tcpvsadm --reopen-logs: the log files, and nothing else */
static int
reopen_logs(void *arg, char *err, size_t errlen)
{
	struct master *m = arg;
	struct genstate *gs[2] = { &m->cur, &m->old };
	const struct generation *gen = m->cur.gen;
	uid_t uid = gen->user != NULL && geteuid() == 0 ? gen->uid :
	    (uid_t)-1;
	int rc = 0;

	if (reopen_errorlog(uid) == -1) {
		snprintf(err, errlen, "errorlog %s: %s", log_file(),
		    strerror(errno));
		rc = -1;
	}
	for (unsigned g = 0; g < 2; g++)
		for (unsigned i = 0; gs[g]->gen != NULL &&
		    i < gs[g]->gen->nsvc; i++) {
			const struct service *svc = &gs[g]->gen->svc[i];

			if (gs[g]->pool[i].alog != -1 && reopen_fd(
			    gs[g]->pool[i].alog, svc->accesslog, uid) == -1) {
				snprintf(err, errlen, "virtual %s: accesslog "
				    "%s: %s", svc->ident, svc->accesslog,
				    strerror(errno));
				rc = -1;
			}
		}
	reopen_announce(m->sb);
	if (rc == -1)
		log_warnx("reopening logs: %s", err);
	else
		log_info("logs reopened");
	return rc;
}

static const struct generation *
current_gen(void *arg)
{
	const struct master *m = arg;

	return m->cur.gen;
}

static const char *
conf_path(void *arg)
{
	const struct master *m = arg;

	return m->path;
}

static const struct control_ops master_control_ops = {
	.current = current_gen,
	.apply = apply_change,
	.reopen_logs = reopen_logs,
	.conf_path = conf_path,
};

/* systemd's STATUS= (notify.c), after the event lines given */
static void
notify_workers(struct master *m, const char *event)
{
	notify_status(event, "generation %u serving, %u workers; %u "
	    "finishing", m->cur.gen->id, count_gen(m, m->cur.gen->id),
	    m->old.gen != NULL ? count_gen(m, m->old.gen->id) : 0);
}

/* a reload, told to systemd: READY=1 once a generation serves again,
   the new one or, if it was rejected, the running one */
static void
notified_reload(struct master *m, int graceful)
{
	notify_reloading();
	reload(m, graceful);
	notify_workers(m, "READY=1\n");
}

/* handle one signal read from the signalfd */
static void
on_signal(struct master *m, int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		stop_now(m, sig);
	case SIGWINCH:
		stop_graceful(m);
	case SIGHUP:
		notified_reload(m, 0);
		break;
	case SIGUSR1:
		notified_reload(m, 1);
		break;
	case SIGUSR2: {
		char err[512];

		(void)reopen_logs(m, err, sizeof(err));
		break;
	}
	case SIGCHLD:
		reap(m);
		break;
	default:
		break;
	}
}

static void
master_init(struct master *m, struct generation *gen, const char *path,
    int pidfd, int ctlfd)
{
	char err[256];

	m->path = path;
	m->pidfd = pidfd;
	m->status_fd = gen->status_fd;
	m->cur.gen = gen;
	gen->id = 1;
	if ((m->sigfd = setup_signals()) == -1)
		fatal("signalfd");
	/* room for any scheduler, so that a reload may switch to any */
	m->sb = sb_create(gen->serverlimit, gen->inflightlimit,
	    (unsigned)sched_shm_max(), gen->scoreboardfile);
	if (m->sb == NULL)
		fatal("scoreboard %s", gen->scoreboardfile ?
		    gen->scoreboardfile : "(anonymous)");
	if (sb_attach(m->sb, gen, err, sizeof(err)) == -1)
		fatalx("%s", err);
	atomic_store(&m->sb->hdr->generation, gen->id);
	open_pools(&m->cur);
	m->ctl = control_init(ctlfd, m->sb, &master_control_ops, m);
}

void
master_main(struct generation *gen, const char *path, int pidfd, int ctlfd)
{
	static struct master m;
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	int64_t next = util_now_ms() + MASTER_TICK_MS, now;

	master_init(&m, gen, path, pidfd, ctlfd);
	start_pools(&m);
	start_health(&m);
	start_status(&m);
	notify_workers(&m, "READY=1\n");
	pfd[0].fd = m.sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = control_fd(m.ctl);
	pfd[1].events = POLLIN;
	for (;;) {
		now = util_now_ms();
		if (poll(pfd, 2, next > now ? (int)(next - now) : 0) == -1 &&
		    errno != EINTR)
			fatal("poll");
		while (read(m.sigfd, &si, sizeof(si)) == sizeof(si))
			on_signal(&m, (int)si.ssi_signo);
		if (pfd[1].revents & POLLIN)
			control_handle(m.ctl);
		if (util_now_ms() >= next) {
			reap(&m);
			if (m.health_restart)
				start_health(&m);
			if (m.status_restart)
				start_status(&m);
			for (unsigned i = 0; i < m.cur.gen->nsvc; i++)
				maintain(&m, &m.cur.gen->svc[i]);
			control_tick(m.ctl);
			notify_workers(&m, "");
			tls_ticket_tick(m.cur.gen, util_now_ms());
			next = util_now_ms() + MASTER_TICK_MS;
		}
	}
}
