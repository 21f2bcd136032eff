/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The prologue every child of the master runs after fork (proc.h).  The
 * master blocks its signals and reads them from a signalfd; a child
 * inherits that mask and must not keep it.
 */
#include "config.h"

#include <sys/prctl.h>

#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "scoreboard.h"

bool
proc_child_init(const char *name, const struct proc_sig *h, unsigned n,
    const sigset_t *block, int deathsig, const struct sb *sb)
{
	static const int ignored[] = {
		SIGPIPE, SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGWINCH
	};
	struct sigaction sa;
	sigset_t none;

	if (name != NULL)
		(void)prctl(PR_SET_NAME, name);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		(void)sigaction(ignored[i], &sa, NULL);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGCHLD, &sa, NULL);
	for (unsigned i = 0; i < n; i++) {
		sa.sa_handler = h[i].handler;	/* no SA_RESTART */
		(void)sigaction(h[i].sig, &sa, NULL);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, block != NULL ? block : &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, deathsig);
	return getppid() == atomic_load(&sb->hdr->master_pid);
}
