/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Moving bytes for a worker: connect to a real server with a timeout,
 * write a buffer with a timeout, and relay both directions between client
 * and server with splice(2) through pipes (bytes never enter user space)
 * or, when splice is off, through a buffer.  Sockets are non-blocking;
 * every wait is a poll with a deadline.
 */
#ifndef TCPVS_RELAY_H
#define TCPVS_RELAY_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum relay_result {
	RELAY_DONE,		/* the server finished its response */
	RELAY_CLIENT_GONE,	/* the client closed or reset */
	RELAY_SERVER_ERROR,	/* the server reset or failed */
	RELAY_TIMEOUT,		/* no progress for the read timeout */
	RELAY_INTERRUPTED	/* a signal asked the worker to stop */
};

/* per-worker relay resources, made once when the worker starts */
struct relay {
	int		 pipe_cs[2];	/* client -> server */
	int		 pipe_sc[2];	/* server -> client */
	size_t		 in_cs;		/* bytes sitting in each pipe */
	size_t		 in_sc;
	char		*buf;		/* copy mode */
	size_t		 buflen;
	bool		 splice;
	volatile const int *stop;	/* set by a signal handler */
};

struct relay_stats {
	uint64_t	 to_server;	/* bytes client -> server */
	uint64_t	 to_client;	/* bytes server -> client */
};

int		 relay_init(struct relay *, bool splice,
		    volatile const int *stop);
void		 relay_free(struct relay *);

/*
 * Connect a non-blocking socket to addr within timeout_ms.  Returns the
 * descriptor, or -1 with errno (ETIMEDOUT when the time ran out).
 */
int		 relay_connect(const struct sockaddr *, socklen_t,
		    int timeout_ms);
/* write all of buf within timeout_ms of no progress; 0 or -1 with errno */
int		 relay_write_all(int fd, const void *buf, size_t len,
		    int timeout_ms, volatile const int *stop);
/*
 * Relay both directions until the server has finished (EOF after its
 * response), either side fails, or timeout_ms pass with no progress.  At
 * most cs_limit bytes go from client to server (the rest of the request
 * body; UINT64_MAX for "until the client closes"); what the client sends
 * past it is never forwarded.
 */
enum relay_result relay_run(struct relay *, int cfd, int sfd,
		    int timeout_ms, uint64_t cs_limit, struct relay_stats *);
const char	*relay_result_str(enum relay_result);

#endif /* TCPVS_RELAY_H */
