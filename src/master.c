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
 * it retires one worker a second that holds no client connection, and it
 * never exceeds maxclients.  It forks the health checker when a
 * generation checks any server, again for each new generation, and on
 * the next tick after it died.  Signal handlers do not exist here:
 * signals are blocked and read in the loop, beside the control socket
 * (control.c), whose structural changes come back through apply_change()
 * and switch generations as SIGUSR1 does.  Forking, stopping and reaping
 * the children is master_child.c's; the pidfile is master_pidfile.c's.
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

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
#include "control.h"
#include "health.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "master.h"
#include "master_priv.h"
#include "reopen.h"
#include "sched.h"
#include "scoreboard.h"
#include "status.h"
#include "tls.h"
#include "util.h"
#include "worker.h"

#define MASTER_FULL_TICKS	3	/* at_maxclients() with maxinflight > 1 */
#define MASTER_MAX_SPAWN_RATE	32	/* forks per second per service */
#define MASTER_STOP_WAIT_MS	10000	/* SIGTERM to SIGKILL */
#define MASTER_OLD_GRACE_MS	1500	/* a third generation: the oldest
					   finishes in this time, or is stopped */

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

/* the current generation's workers of svc */
struct sb_census
master_count_workers(const struct master *m, const struct service *svc)
{
	return sb_census(m->sb, svc->sb_index, m->cur.gen->id, NULL,
	    svc->maxinflight);
}

/*
 * Spare capacity in workers: with maxinflight 1 (prefork) the idle ones;
 * else the free exchange slots of its workers, in whole workers' worth;
 * less the requests queued in workers for a place, which the idle ones
 * take by handoff within CONN_HANDOFF_MS (Apache's idle children take
 * what waits in the listen queue at once, so an idle one there is
 * spare).  Counted spare, a worker that had just finished while others
 * had requests queued stopped the pool's growth: t_pool, 100 requests
 * of 3 s, stayed at 18 - 20 workers of 24 for seconds in 4 runs of 12.
 */
static unsigned
spare(const struct sb_census *c, const struct service *svc)
{
	unsigned n = svc->maxinflight <= 1 ? c->idle : c->free;

	n = n > c->waiting ? n - c->waiting : 0;
	return svc->maxinflight <= 1 ? n : n / svc->maxinflight;
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

/*
 * Retire one worker of svc's current generation that holds no client
 * connection: it exits (SIGUSR1).  One whose kept-alive clients are idle
 * is busy, as a child in keep-alive is in Apache prefork: retired, it
 * would close them, and the pool shrinks as they close instead.  When
 * the first worker to wake retired (Apache's pipe of death;
 * EPOLLEXCLUSIVE: the oldest), every idle connection it held went with
 * it: the pool the defaults had grown for a burst closed 4,998 of
 * bench/run's 10,000 idle connections when it shrank after it, and the
 * worker holding the fewest still 3,320.
 */
static void
retire_one(struct master *m, const struct service *svc)
{
	int slot = sb_retiree(m->sb, svc->sb_index, m->cur.gen->id);
	struct sb_worker *ws;
	pid_t pid;

	if (slot < 0)
		return;
	ws = sb_worker(m->sb, (unsigned)slot);
	pid = atomic_load(&ws->pid);
	if (pid <= 0)
		return;
	atomic_store(&ws->retiring, 1);
	if (kill(pid, SIGUSR1) == -1 && errno != ESRCH)
		log_warn("virtual %s: retiring worker %ld", svc->ident,
		    (long)pid);
}

/* Apache prefork's perform_idle_server_maintenance, per service */
static void
maintain(struct master *m, const struct service *svc)
{
	struct pool *p = &m->cur.pool[svc->index];
	struct sb_census c;
	unsigned want;

	if (!conf_listening(svc))
		return;		/* stopped, or no listen address yet */
	c = master_count_workers(m, svc);
	if (c.free > 0 || c.total < svc->maxclients)
		p->full_ticks = 0;
	if (spare(&c, svc) > svc->maxspareservers) {
		retire_one(m, svc);	/* one a second */
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
		if (master_spawn(m, svc) == -1)
			break;
	if (p->spawn_rate < MASTER_MAX_SPAWN_RATE)
		p->spawn_rate *= 2;
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
	master_stop_health(m);
	master_stop_status(m);
	master_signal_workers(m, 0, SIGTERM);
	master_wait_children(m, MASTER_STOP_WAIT_MS);
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
	master_stop_health(m);
	master_stop_status(m);
	listener_close(m->cur.gen);
	listener_close(m->old.gen);
	master_signal_workers(m, 0, SIGUSR1);
	master_wait_children(m, (int64_t)m->cur.gen->graceful_timeout * 1000);
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
			if (master_spawn(m, svc) == -1)
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
		master_drain_signals(m);
		master_reap(m);
		(void)poll(NULL, 0, 20);
	}
	if (m->old.gen == NULL)
		return;
	deadline = util_now_ms() + 2000;
	master_signal_workers(m, m->old.gen->id, SIGTERM);
	while (m->old.gen != NULL && util_now_ms() < deadline) {
		master_drain_signals(m);
		master_reap(m);
		(void)poll(NULL, 0, 20);
	}
	if (m->old.gen != NULL)
		master_signal_workers(m, m->old.gen->id, SIGKILL);
	for (int i = 0; i < 250 && m->old.gen != NULL; i++) {
		master_drain_signals(m);
		master_reap(m);
		(void)poll(NULL, 0, 20);
	}
	if (m->old.gen != NULL) {
		/* unkillable (D state): forget it; master_reap() still
		   cleans up */
		log_warnx("generation %u: workers survive SIGKILL",
		    m->old.gen->id);
		master_close_pools(&m->old, m->sb);
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
	master_stop_health(m);
	master_start_health(m);
	/* the status server shows the new generation */
	master_stop_status(m);
	master_start_status(m);
	master_signal_workers(m, m->old.gen->id, graceful ? SIGUSR1 : SIGTERM);
	log_info("generation %u serving", gen->id);
	master_retire_old(m);
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
	    "finishing", m->cur.gen->id, master_count_gen(m, m->cur.gen->id),
	    m->old.gen != NULL ? master_count_gen(m, m->old.gen->id) : 0);
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
		master_reap(m);
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
	master_start_health(&m);
	master_start_status(&m);
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
			master_reap(&m);
			if (m.health_restart)
				master_start_health(&m);
			if (m.status_restart)
				master_start_status(&m);
			for (unsigned i = 0; i < m.cur.gen->nsvc; i++)
				maintain(&m, &m.cur.gen->svc[i]);
			control_tick(m.ctl);
			notify_workers(&m, "");
			tls_ticket_tick(m.cur.gen, util_now_ms());
			next = util_now_ms() + MASTER_TICK_MS;
		}
	}
}
