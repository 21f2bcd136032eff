/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The master process: binds the listening sockets, owns the scoreboard and
 * the configuration generation, forks and supervises the worker pools,
 * and reads signals from a signalfd in its one poll loop.  It never
 * touches client traffic.
 */
#ifndef TCPVS_MASTER_H
#define TCPVS_MASTER_H

#include <stdbool.h>
#include <stdnoreturn.h>

struct generation;

/*
 * Bind every listening socket of gen (fd stored in svc->listen[i].fd).
 * Returns 0, or -1 after logging "virtual IDENT: listen ADDR: reason".
 */
int		master_bind(struct generation *);
/*
 * Open and lock the pidfile before anything else; a second tcpvsd with
 * the same pidfile is refused.  Returns the descriptor or -1 after
 * logging.
 */
int		master_lock_pidfile(const char *path);
/* write our pid into the locked pidfile (after daemonizing) */
int		master_write_pidfile(int fd, const char *path);

/*
 * path: the configuration file, read again on SIGHUP and SIGUSR1; ctlfd:
 * the control socket from control_listen(), or -1
 */
noreturn void	master_main(struct generation *, const char *path, int pidfd,
		    int ctlfd);

#endif /* TCPVS_MASTER_H */
