/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The worker process: belongs to one virtual service, handles one client
 * connection at a time: accept, read and parse the request head, schedule,
 * connect, forward the head and relay with splice.
 */
#ifndef TCPVS_WORKER_H
#define TCPVS_WORKER_H

#include <stdnoreturn.h>

struct generation;
struct sb;
struct service;

/* what the master hands a worker it forks */
struct worker_args {
	const struct generation	*gen;
	const struct service	*svc;
	struct sb		*sb;
	int			 slot;		/* its scoreboard slot */
	int			 pod;		/* read end of the pipe of death */
	int			 handoff[2];	/* [0] send, [1] take parked
						   connections (worker.c) */
	int			 alog;		/* access log, or -1 */
};

noreturn void	worker_main(const struct worker_args *);

#endif /* TCPVS_WORKER_H */
