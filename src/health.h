/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The health checker: one process, forked by the master for the current
 * generation, that probes every real server whose check is not "none"
 * and publishes health, last result, latency and counters in the
 * scoreboard.  The rise/fall state machine and the slowstart ramp are
 * pure functions here, for the unit tests.
 */
#ifndef TCPVS_HEALTH_H
#define TCPVS_HEALTH_H

#include <stdint.h>
#include <stdnoreturn.h>

#include "scoreboard-t.h"

struct generation;
struct sb;

/* what the master hands the checker it forks */
struct health_args {
	const struct generation	*gen;
	struct sb		*sb;
};

/* exits on SIGTERM and when the master is gone */
noreturn void	health_main(const struct health_args *);
/* does gen check any server (else the master forks no checker) */
int		health_needed(const struct generation *);

/* a real server's health and its consecutive check results */
struct health_state {
	enum rs_health	 health;
	unsigned	 oks;		/* consecutive successes */
	unsigned	 fails;		/* consecutive failures */
};

/*
 * One check result.  A success resets the failures, a failure the
 * successes; rise consecutive successes make a server that is not UP
 * (DOWN, or UNKNOWN at start) UP, fall consecutive failures make one that
 * is not DOWN DOWN.  Returns 1 when health changed.
 */
int		health_step(struct health_state *, int ok, unsigned rise,
		    unsigned fall);
/*
 * The weight a server that came up elapsed_ms ago gets with slowstart
 * seconds: weight/slowstart (at least 1) at first, rising linearly to
 * weight at slowstart seconds; weight itself without slowstart.
 */
unsigned	health_slowstart_weight(unsigned weight, unsigned slowstart,
		    int64_t elapsed_ms);

#endif /* TCPVS_HEALTH_H */
