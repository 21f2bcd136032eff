/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Reopening the log files after logrotate (SIGUSR2, tcpvsadm
 * --reopen-logs): the master reopens them and counts the event in the
 * scoreboard; each child follows from its loop.  Nothing else changes.
 */
#ifndef TCPVS_REOPEN_H
#define TCPVS_REOPEN_H

#include <sys/types.h>

struct sb;

/*
 * Master: open path again onto fd (same number, O_APPEND, created 0640),
 * owned by uid unless that is (uid_t)-1.  0, or -1 with errno (fd is
 * unchanged).
 */
int	reopen_fd(int fd, const char *path, uid_t uid);
/* master: the error log, owned by uid unless (uid_t)-1; 0 or -1 */
int	reopen_errorlog(uid_t uid);
/* master, after reopening every file: tell the children */
void	reopen_announce(struct sb *);
/*
 * Children, once a turn of their loop: when the master has reopened the
 * logs since, reopen the error log and the access log alog (-1: none)
 * from alogpath.  Cheap when nothing happened: one atomic load.
 */
void	reopen_follow(const struct sb *, int alog, const char *alogpath);

#endif /* TCPVS_REOPEN_H */
