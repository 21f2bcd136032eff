/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes for a worker: the pipes it splices through, connecting to
 * a real server with a timeout, writing a buffer with a timeout.  Sockets
 * are non-blocking; every wait is a poll with a deadline.  Bodies move in
 * flow.c.
 */
#ifndef TCPVS_RELAY_H
#define TCPVS_RELAY_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* per-worker relay resources, made once when the worker starts */
struct relay {
	int		 pipe_cs[2];	/* client -> server */
	int		 pipe_sc[2];	/* server -> client */
	size_t		 in_cs;		/* bytes sitting in each pipe */
	size_t		 in_sc;
	volatile const int *stop;	/* set by a signal handler */
};

int		 relay_init(struct relay *, volatile const int *stop);
void		 relay_free(struct relay *);
/* after a relay cut short: replace a pipe that still holds bytes */
void		 relay_reset_pipes(struct relay *);

/*
 * Connect a non-blocking socket to addr within timeout_ms.  Returns the
 * descriptor, or -1 with errno (ETIMEDOUT when the time ran out).
 */
int		 relay_connect(const struct sockaddr *, socklen_t,
		    int timeout_ms);
/* write all of buf within timeout_ms of no progress; 0 or -1 with errno */
int		 relay_write_all(int fd, const void *buf, size_t len,
		    int timeout_ms, volatile const int *stop);

#endif /* TCPVS_RELAY_H */
