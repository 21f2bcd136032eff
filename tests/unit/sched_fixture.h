/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Test fixture for the scheduler suites: one service with n real servers
 * of given weights (and, for content schedulers, compiled rules), attached
 * to a real scoreboard (sb_create + sb_attach: MAP_SHARED, so processes
 * forked by a test share it), plus setters for the runtime fields
 * schedulers read, a request to pass them, and a driver that makes
 * decisions from several processes at once.
 */
#ifndef TCPVS_SCHED_FIXTURE_H
#define TCPVS_SCHED_FIXTURE_H

#include <netinet/in.h>

#include <stdint.h>

#include "conf-t.h"
#include "http.h"
#include "sched.h"
#include "scoreboard.h"

#define FIXTURE_MAX_RULES	8
#define FIXTURE_MAX_PROCS	16

/* a rule as a test writes it */
struct fixture_rule {
	const char	*pattern;
	uint64_t	 servers;	/* mask of server indices */
	unsigned	 match;		/* match group, 0 = whole */
};

struct fixture {
	struct generation	 gen;
	struct service		*svc;
	struct sb		*sb;
	const struct sched_ops	*ops;
	char			 head[1024];
	struct http_req		 http;
	struct sched_req	 req;	/* what fixture_pick() passes */
	struct sockaddr_in	 client;
};

/*
 * The scheduler called name, over n servers with these configured weights;
 * rules may be NULL.  Runs init_service and fails the test if it fails.
 */
struct fixture	*fixture_new(const char *name, const unsigned *weights,
		    unsigned n, const struct fixture_rule *rules,
		    unsigned nrules);
/* the same with rule_scheduler set (NULL: the default) */
struct fixture	*fixture_new_rule_sched(const char *name,
		    const char *rule_sched, const unsigned *weights,
		    unsigned n, const struct fixture_rule *rules,
		    unsigned nrules);
void		 fixture_free(struct fixture *);

/* the scoreboard slot of server i, and setters for its runtime fields */
struct sb_server *fixture_server(const struct fixture *, unsigned i);
void		 fixture_set_weight(struct fixture *, unsigned i, uint32_t);
void		 fixture_set_health(struct fixture *, unsigned i,
		    enum rs_health);
void		 fixture_set_admin(struct fixture *, unsigned i,
		    enum rs_admin);
void		 fixture_set_active(struct fixture *, unsigned i, uint32_t);

/* make fx->req carry a parsed "GET target HTTP/1.1" request */
void		 fixture_request(struct fixture *, const char *target);

/* make fx->req carry head (a whole request head), parsed */
void		 fixture_request_head(struct fixture *, const char *head);
/* make fx->req come from this IPv4 address */
void		 fixture_client(struct fixture *, uint32_t ipv4);

/* one scheduling decision with fx->req */
int		 fixture_pick(struct fixture *);
/*
 * npicks decisions, counted per server in counts[0..n); returns how many
 * returned -1.
 */
unsigned	 fixture_count(struct fixture *, unsigned npicks,
		    unsigned *counts);

/*
 * The same from nproc forked processes sharing the scoreboard, each making
 * npicks decisions once all have started; the counts are summed into
 * counts[0..n).  Returns how many returned -1.
 */
unsigned	 fixture_fork_count(struct fixture *, unsigned nproc,
		    unsigned npicks, unsigned *counts);

#endif /* TCPVS_SCHED_FIXTURE_H */
