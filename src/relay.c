/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes in an exchange (relay.h): its two pipes (one per
 * direction), each made when a body first goes its way and kept for the
 * exchange's later requests, and connecting to a real server without
 * waiting.  The bodies themselves move in flow.c.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "relay.h"
#include "util.h"

static int pipe_size = RELAY_PIPE_MIN;	/* relay_size() */

unsigned long
relay_pipe_size(unsigned long npipes, unsigned long soft_pages,
    unsigned long page)
{
	unsigned long size = RELAY_PIPE_MAX;

	if (soft_pages == 0 || npipes == 0)
		return size;
	while (size > RELAY_PIPE_MIN &&
	    npipes > soft_pages / ((size + page - 1) / page))
		size /= 2;
	return size;
}

/*
 * CAP_SYS_RESOURCE or CAP_SYS_ADMIN in the effective set: the kernel's
 * pipe limits do not apply (workers running as root without user)
 */
static bool
pipe_limits_exempt(void)
{
	char line[128];
	unsigned long long eff = 0;
	FILE *f;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff & (1ULL << 24 | 1ULL << 21)) != 0;
}

void
relay_size(unsigned long npipes)
{
	long soft = pipe_limits_exempt() ? 0 :
	    util_proc_long("/proc/sys/fs/pipe-user-pages-soft");
	long page = sysconf(_SC_PAGESIZE);

	pipe_size = (int)relay_pipe_size(npipes, soft > 0 ?
	    (unsigned long)soft : 0,
	    page > 0 ? (unsigned long)page : 4096);
}

static int
make_pipe(int p[2])
{
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	(void)fcntl(p[1], F_SETPIPE_SZ, pipe_size);
	return 0;
}

void
relay_init(struct relay *r)
{
	memset(r, 0, sizeof(*r));
	r->pipe_cs[0] = r->pipe_cs[1] = r->pipe_sc[0] = r->pipe_sc[1] = -1;
}

static void
close_pipe(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

int
relay_pipe(int p[2])
{
	return p[0] != -1 ? 0 : make_pipe(p);
}

void
relay_free(struct relay *r)
{
	close_pipe(r->pipe_cs);
	close_pipe(r->pipe_sc);
}

/* a pipe left with bytes after an aborted relay is replaced */
static void
reset_pipe(int p[2], size_t *inpipe)
{
	if (*inpipe == 0)
		return;
	close_pipe(p);
	*inpipe = 0;
	if (make_pipe(p) == -1)
		log_warn("pipe");	/* made again when next needed */
}

void
relay_reset_pipes(struct relay *r)
{
	reset_pipe(r->pipe_cs, &r->in_cs);
	reset_pipe(r->pipe_sc, &r->in_sc);
}

int
relay_connect_start(const struct sockaddr *sa, socklen_t len,
    bool *inprogress)
{
	int fd, err;

	*inprogress = false;
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (connect(fd, sa, len) == 0)
		return fd;
	if (errno == EINPROGRESS) {
		*inprogress = true;
		return fd;
	}
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
relay_connect_result(int fd)
{
	socklen_t elen = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1)
		return errno;
	return err;
}
