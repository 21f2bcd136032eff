/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What master.c and master_child.c share, and nothing else includes: the
 * master's state (its generations and their pools) and the functions
 * one file calls in the other.  Others see only master.h.
 */
#ifndef TCPVS_MASTER_PRIV_H
#define TCPVS_MASTER_PRIV_H

#include <sys/types.h>

#include <stdint.h>

#include "conf-t.h"
#include "scoreboard.h"

#define MASTER_TICK_MS		1000

/* per-service pool state of the master */
struct pool {
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

/* master.c */
/* the current generation's workers of svc */
struct sb_census master_count_workers(const struct master *,
		    const struct service *);

/* master_child.c */
/* fork a worker of svc in the current generation: 0, or -1 logged */
int		 master_spawn(struct master *, const struct service *);
/* the health checker, for the current generation, if it checks anything */
void		 master_start_health(struct master *);
/* SIGTERM, reaped there (not by master_reap()), SIGKILL after a bound */
void		 master_stop_health(struct master *);
/* the status server, for the current generation, if status_listen */
void		 master_start_status(struct master *);
void		 master_stop_status(struct master *);
/* the live workers of generation id */
unsigned	 master_count_gen(const struct master *, unsigned id);
void		 master_close_pools(struct genstate *, struct sb *);
/* the draining generation's last worker is gone: free it */
void		 master_retire_old(struct master *);
/* every dead child: its slot repaired, a crashed worker replaced */
void		 master_reap(struct master *);
/* signal the workers of generation id (0: all); returns how many */
unsigned	 master_signal_workers(struct master *, unsigned id, int sig);
void		 master_drain_signals(struct master *);
/* wait for every child to exit, SIGKILL after wait_ms */
void		 master_wait_children(struct master *, int64_t wait_ms);

#endif /* TCPVS_MASTER_PRIV_H */
