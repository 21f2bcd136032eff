/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The pidfile (master.h): opened and locked by tcpvsd before it binds or
 * daemonizes, so a second tcpvsd with the same pidfile is refused and
 * names the holder's pid; written once the master has detached.  The
 * master removes it as it stops.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master.h"

#define MASTER_PIDFILE_WAITS	40	/* of 50 ms: a starting holder's pid */

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
