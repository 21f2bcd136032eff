/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Reopening the error and access logs, for logrotate, without a reload.
 * The master (SIGUSR2, tcpvsadm --reopen-logs) opens each file again
 * onto the descriptor it holds, so later forks inherit the new file, and
 * gives a new file to the user the workers run as (nginx does the same),
 * then bumps logs_epoch in the scoreboard.  Every child calls
 * reopen_follow() once a turn of its loop and reopens its own
 * descriptors by path when the epoch moved.  The epoch a child has seen
 * is inherited from the master at fork.  Nothing but descriptors of log
 * files changes: no generation, no scoreboard state.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

#include "log.h"
#include "reopen.h"
#include "scoreboard.h"

static uint32_t seen;		/* logs_epoch this process has followed */

int
reopen_fd(int fd, const char *path, uid_t uid)
{
	int nfd, saved;

	if ((nfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	if ((uid != (uid_t)-1 && fchown(nfd, uid, (gid_t)-1) == -1) ||
	    dup3(nfd, fd, O_CLOEXEC) == -1) {
		saved = errno;
		close(nfd);
		errno = saved;
		return -1;
	}
	close(nfd);
	return 0;
}

int
reopen_errorlog(uid_t uid)
{
	const char *path = log_file();
	int fd;

	if (path != NULL && uid != (uid_t)-1 && (fd = open(path,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) != -1) {
		if (fchown(fd, uid, (gid_t)-1) == -1)
			log_warn("errorlog %s: chown", path);
		close(fd);
	}
	return log_reopen();
}

void
reopen_announce(struct sb *sb)
{
	seen = atomic_fetch_add(&sb->hdr->logs_epoch, 1) + 1;
}

void
reopen_follow(const struct sb *sb, int alog, const char *alogpath)
{
	uint32_t e = atomic_load_explicit(&sb->hdr->logs_epoch,
	    memory_order_acquire);

	if (e == seen)
		return;
	seen = e;
	if (log_reopen() == -1)
		log_warn("errorlog %s: reopen", log_file());
	if (alog != -1 && alogpath != NULL &&
	    reopen_fd(alog, alogpath, (uid_t)-1) == -1)
		log_warn("accesslog %s: reopen", alogpath);
}
