/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What every child of the master does first after fork (worker, health
 * checker, status server): name itself, put back the signal dispositions
 * and mask the master changed, ask for a signal when the master dies, and
 * make sure the master did not die before that request was made.
 */
#ifndef TCPVS_PROC_H
#define TCPVS_PROC_H

#include <signal.h>
#include <stdbool.h>

struct sb;

/* a signal the child handles itself (a handler only sets a flag) */
struct proc_sig {
	int		  sig;
	void		(*handler)(int);
};

/*
 * The child's prologue.  name (may be NULL) becomes the process name;
 * SIGPIPE, SIGHUP, SIGINT, SIGUSR1, SIGUSR2 and SIGWINCH are ignored and
 * SIGTERM and SIGCHLD set to their default, then each of the n handlers
 * is installed (without SA_RESTART: a blocking call returns EINTR); the
 * mask becomes block (NULL: nothing blocked); deathsig comes when the
 * master dies.  Returns false when the master is already gone (it died
 * before deathsig was asked for): the child should exit.
 */
bool		 proc_child_init(const char *name, const struct proc_sig *,
		    unsigned n, const sigset_t *block, int deathsig,
		    const struct sb *);

#endif /* TCPVS_PROC_H */
