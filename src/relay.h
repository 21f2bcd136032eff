/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes for an exchange: the pipes it splices through (each made
 * when a body first goes its way, kept for its later requests), and a
 * non-blocking connect to a real server.  Nothing here waits: the
 * exchange resumes on readiness.  Bodies move in flow.c.
 */
#ifndef TCPVS_RELAY_H
#define TCPVS_RELAY_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

/* an exchange's pipes */
struct relay {
	int		 pipe_cs[2];	/* client -> server */
	int		 pipe_sc[2];	/* server -> client */
	size_t		 in_cs;		/* bytes sitting in each pipe */
	size_t		 in_sc;
};

/*
 * The pipes' size.  RELAY_PIPE_MAX halves the system calls of a 1 MiB
 * response against the kernel's default 64 KiB, and its CPU is no higher
 * (docs/prefork-vs-event.md).  But past fs.pipe-user-pages-soft pages a
 * user's new pipes get two pages each (unless the process has
 * CAP_SYS_RESOURCE), so the pipes the configuration may make (npipes)
 * must fit in it: the size halves, down to RELAY_PIPE_MIN, until they do
 * (soft_pages 0: no limit).
 */
#define RELAY_PIPE_MIN		(64 * 1024)
#define RELAY_PIPE_MAX		(256 * 1024)
unsigned long	 relay_pipe_size(unsigned long npipes,
		    unsigned long soft_pages, unsigned long page);
/* set the size of the pipes made from now on, from the host's limit
   (none with CAP_SYS_RESOURCE or CAP_SYS_ADMIN) */
void		 relay_size(unsigned long npipes);

/* no pipes yet */
void		 relay_init(struct relay *);
/* one of its pipes, made now if it is not yet; 0, or -1 with errno */
int		 relay_pipe(int p[2]);
void		 relay_free(struct relay *);
/* after a relay cut short: replace a pipe that still holds bytes */
void		 relay_reset_pipes(struct relay *);

/*
 * Start connecting a non-blocking socket to addr.  Returns the descriptor
 * (*inprogress says whether the connection is still being made: wait for
 * it to be writable, then relay_connect_result), or -1 with errno.
 */
int		 relay_connect_start(const struct sockaddr *, socklen_t,
		    bool *inprogress);
/* 0 when the connect in progress succeeded, else its errno */
int		 relay_connect_result(int fd);

#endif /* TCPVS_RELAY_H */
