/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The master's children (master.c): a worker forked into a free
 * scoreboard slot (master_spawn), the health checker and the status
 * server started and stopped, each child closing what only the master
 * needs and dropping privileges first; dead children reaped, their slots
 * repaired and a crashed worker replaced; a draining generation retired
 * with its last worker; workers signalled and waited for at a stop.  When
 * to fork or retire a worker is master.c's (maintain()).
 */
#include "config.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "conf.h"
#include "control.h"
#include "health.h"
#include "listener.h"
#include "log.h"
#include "master_priv.h"
#include "scoreboard.h"
#include "status.h"
#include "util.h"
#include "worker.h"

#define MASTER_HEALTH_WAIT_MS	2000	/* stop_child: SIGTERM to SIGKILL */

/* in the child: close what only the master needs */
static void
close_gen(const struct genstate *gs, const struct service *mine)
{
	const struct generation *gen = gs->gen;

	if (gen == NULL)
		return;
	for (unsigned i = 0; i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];

		if (svc == mine)
			continue;
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

int
master_spawn(struct master *m, const struct service *svc)
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
		a.handoff[0] = m->cur.pool[svc->index].handoff[0];
		a.handoff[1] = m->cur.pool[svc->index].handoff[1];
		a.alog = m->cur.pool[svc->index].alog;
		worker_main(&a);
	}
	atomic_store(&ws->pid, pid);
	return 0;
}

/* the health checker, for the current generation, if it checks anything */
void
master_start_health(struct master *m)
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

/*
 * SIGTERM to the checker or the status server, reaped here (not by
 * master_reap()), SIGKILL after MASTER_HEALTH_WAIT_MS; what: named in
 * the log line when it comes to that, or NULL for none
 */
static void
stop_child(pid_t pid, const char *what)
{
	int64_t deadline = util_now_ms() + MASTER_HEALTH_WAIT_MS;
	int status;

	(void)kill(pid, SIGTERM);
	while (util_now_ms() < deadline) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		(void)poll(NULL, 0, 10);
	}
	if (what != NULL)
		log_warnx("%s %ld still running: killing it", what,
		    (long)pid);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

void
master_stop_health(struct master *m)
{
	pid_t pid = m->health_pid;

	m->health_restart = 0;
	if (pid == 0)
		return;
	m->health_pid = 0;
	stop_child(pid, "health checker");
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
void
master_start_status(struct master *m)
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

void
master_stop_status(struct master *m)
{
	pid_t pid = m->status_pid;

	m->status_restart = 0;
	if (pid <= 0)
		return;
	m->status_pid = 0;
	stop_child(pid, NULL);
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
	    master_count_workers(m, svc).total < svc->maxclients &&
	    util_now_ms() - m->cur.pool[svc->index].last_respawn >=
	    MASTER_TICK_MS) {
		m->cur.pool[svc->index].last_respawn = util_now_ms();
		(void)master_spawn(m, svc);
	}
}

unsigned
master_count_gen(const struct master *m, unsigned id)
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

/*
 * What is left in a generation's handoff socket when its last worker is
 * gone (killed, or one that finished took back less than there was):
 * closed, and taken off the service's count of it, which workers of the
 * next generation read (conn_handed_waiting).
 */
static void
drain_handoff(struct sb *sb, const struct service *svc, int sock)
{
	struct sb_service *ss;
	char buf[512];
	int fd;

	if (svc->sb_index < 0)
		return;
	ss = sb_service(sb, (unsigned)svc->sb_index);
	for (unsigned n = 0; n < 1000000; n++) {
		if (util_recv_fd(sock, buf, sizeof(buf), &fd,
		    MSG_DONTWAIT | MSG_TRUNC) == -1)
			break;
		if (fd != -1)
			close(fd);
		if (atomic_fetch_sub(&ss->handed, 1) <= 0)
			atomic_fetch_add(&ss->handed, 1);
	}
}

void
master_close_pools(struct genstate *gs, struct sb *sb)
{
	for (unsigned i = 0; gs->gen != NULL && i < gs->gen->nsvc; i++) {
		drain_handoff(sb, &gs->gen->svc[i], gs->pool[i].handoff[1]);
		close(gs->pool[i].handoff[0]);
		close(gs->pool[i].handoff[1]);
		if (gs->pool[i].alog != -1)
			close(gs->pool[i].alog);
	}
}

/* the draining generation's last worker is gone: free it */
void
master_retire_old(struct master *m)
{
	if (m->old.gen == NULL || master_count_gen(m, m->old.gen->id) > 0)
		return;
	log_info("generation %u retired", m->old.gen->id);
	master_close_pools(&m->old, m->sb);
	sb_detach(m->sb, m->old.gen, m->cur.gen);
	conf_free(m->old.gen);
	memset(&m->old, 0, sizeof(m->old));
}

void
master_reap(struct master *m)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		reaped(m, pid, status);
	master_retire_old(m);
}

/* signal the workers of generation id (0: all); returns how many */
unsigned
master_signal_workers(struct master *m, unsigned id, int sig)
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

void
master_drain_signals(struct master *m)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
		;
}

/* wait for every child to exit, SIGKILL after wait_ms */
void
master_wait_children(struct master *m, int64_t wait_ms)
{
	int64_t deadline = util_now_ms() + wait_ms;
	struct pollfd pfd = { .fd = m->sigfd, .events = POLLIN };

	while (util_now_ms() < deadline) {
		master_drain_signals(m);
		master_reap(m);
		if (master_signal_workers(m, 0, 0) == 0)
			return;
		(void)poll(&pfd, 1, 100);
	}
	log_warnx("workers still running after %lld ms: killing them",
	    (long long)wait_ms);
	master_signal_workers(m, 0, SIGKILL);
	for (int i = 0; i < 50 && master_signal_workers(m, 0, 0) > 0; i++) {
		master_reap(m);
		(void)poll(NULL, 0, 20);
	}
	master_reap(m);
}
