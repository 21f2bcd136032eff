/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The status server process: /metrics (Prometheus) and /status (HTML)
 * read from the scoreboard, on status_listen.  See status.c.
 */
#ifndef TCPVS_STATUS_H
#define TCPVS_STATUS_H

#include <stdnoreturn.h>

struct generation;
struct sb;

struct status_args {
	const struct generation	*gen;
	struct sb		*sb;
	int			 fd;	/* the listening socket */
};

noreturn void	status_main(const struct status_args *);

#endif /* TCPVS_STATUS_H */
