/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes for an exchange: the pipes it splices through (made when
 * it first needs them, kept for its later requests), and a non-blocking
 * connect to a real server.  Nothing here waits: the exchange resumes
 * on readiness.  Bodies move in flow.c.
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

/* no pipes yet */
void		 relay_init(struct relay *);
/* the pipes, made now if they are not yet; 0, or -1 with errno */
int		 relay_pipes(struct relay *);
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
