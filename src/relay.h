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

#include <poll.h>

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
	/* relay_poll calls on_wake(wake_arg) once when wake_at (ms,
	   util_now_ms) comes during a wait, then waits on; 0: never */
	int64_t		 wake_at;
	void		(*on_wake)(void *);
	void		*wake_arg;
};

int		 relay_init(struct relay *, volatile const int *stop);
void		 relay_free(struct relay *);
/* after a relay cut short: replace a pipe that still holds bytes */
void		 relay_reset_pipes(struct relay *);

/* poll(2), with r->on_wake called when r->wake_at comes first */
int		 relay_poll(struct relay *, struct pollfd *, nfds_t,
		    int timeout_ms);
/*
 * Connect a non-blocking socket to addr within timeout_ms.  Returns the
 * descriptor, or -1 with errno (ETIMEDOUT when the time ran out).
 */
int		 relay_connect(struct relay *, const struct sockaddr *,
		    socklen_t, int timeout_ms);
/* write all of buf within timeout_ms of no progress, until r->stop is
   set; 0 or -1 with errno */
int		 relay_write_all(struct relay *, int fd, const void *buf,
		    size_t len, int timeout_ms);

#endif /* TCPVS_RELAY_H */
