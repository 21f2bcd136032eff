/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Schedulers.  Each sched_<name>.c exports one const struct sched_ops,
 * members named after KTCPVS's; sched.c holds the only list and looks a
 * scheduler up by name.  A scheduler chooses among a service's real
 * servers, reading runtime weight, health, admin state and active counts
 * from the scoreboard; state it shares between worker processes lives in
 * the scoreboard bytes its shm_size() reserved (sb_sched()).
 */
#ifndef TCPVS_SCHED_H
#define TCPVS_SCHED_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

struct http_req;
struct sb;
struct service;

#define SCHED_F_HTTP	0x01	/* needs the parsed request head */
#define SCHED_F_SHM	0x02	/* keeps state in the scoreboard */
#define SCHED_F_COOKIE	0x04	/* the response names the server in a
				   cookie (chttp) */

/* what a scheduler may look at for one request */
struct sched_req {
	const struct sockaddr	*client;
	const struct http_req	*http;	/* NULL if not parsed */
	const char		*head;	/* buffer the http spans point into */
	uint64_t		 exclude; /* servers not to pick (failed) */
	uint64_t		 only;	/* if not 0: the servers allowed (a
					   content rule's, for rule_scheduler) */
};

struct sched_ops {
	const char	*name;
	unsigned	 flags;
	/* scoreboard bytes per service (0: none); at most sched_bytes */
	size_t		(*shm_size)(const struct service *);
	/* at load, in the master; 0, or -1 with a reason in err */
	int		(*init_service)(struct service *, char *err, size_t);
	void		(*done_service)(struct service *);
	/*
	 * Index into svc->rs of the chosen server, or -1 when none is
	 * available (every candidate down, quiescent, drained or excluded).
	 */
	int		(*schedule)(const struct service *, struct sb *,
			    const struct sched_req *);
};

/* the registered schedulers, one per sched_<name>.c */
extern const struct sched_ops sched_chttp;
extern const struct sched_ops sched_dh;
extern const struct sched_ops sched_hhttp;
extern const struct sched_ops sched_lblc;
extern const struct sched_ops sched_lblcr;
extern const struct sched_ops sched_mh;
extern const struct sched_ops sched_nq;
extern const struct sched_ops sched_sed;
extern const struct sched_ops sched_sh;
extern const struct sched_ops sched_http;
extern const struct sched_ops sched_lc;
extern const struct sched_ops sched_phttp;
extern const struct sched_ops sched_rr;
extern const struct sched_ops sched_wlc;
extern const struct sched_ops sched_wrr;

/* NULL if no scheduler has that name */
const struct sched_ops	*sched_lookup(const char *);
/* the registered names, NULL-terminated, for help and man-page tests */
const char * const	*sched_names(void);

/* svc->rs[i] is eligible: scoreboard says available, not excluded */
int	sched_available(const struct service *, const struct sb *,
	    const struct sched_req *, unsigned i);
/*
 * Weighted least-connection over the servers in mask (KTCPVS wlc: least
 * active/weight, compared as active_a * weight_b < active_b * weight_a);
 * ties go to the first.  -1 when none is eligible.  Used by wlc and by the
 * content-rule schedulers for a rule naming several servers.
 */
int	sched_pick_wlc(const struct service *, const struct sb *,
	    const struct sched_req *, uint64_t mask);
/*
 * chttp: the index of the server the request's cookie names (the
 * service's cookie, a server id), or -1.
 */
int	sched_cookie_server(const struct service *, const struct http_req *,
	    const char *head);
/*
 * Shortest expected delay over mask (IPVS sed): least (active + 1) /
 * weight, cross-multiplied; ties go to the first.  -1 when none.
 */
int	sched_pick_sed(const struct service *, const struct sb *,
	    const struct sched_req *, uint64_t mask);
/* 64-bit hash of p[0..n) (FNV-1a, then a finaliser), seeded */
uint64_t sched_hash(const void *p, size_t n, uint64_t seed);
/*
 * Weighted rendezvous hashing over mask: every server scores
 * weight / -ln(u), u from the hash of key and the server's id, and the
 * best available one wins.  The same key gives the same server in every
 * process and on every director with the same configuration, whatever
 * the order of the servers; a server that is unavailable only sends its
 * own keys to their next best (deterministic fallback).  Configured
 * weights, so runtime changes do not move keys.  -1 when none.
 */
int	sched_pick_hash(const struct service *, const struct sb *,
	    const struct sched_req *, uint64_t mask, uint64_t key);
/* the request's Host, lower case, port and trailing dot removed, into
   buf; its length (0 without Host) */
size_t	sched_host(const struct sched_req *, char *buf, size_t len);
/* the client's address bytes (not the port) hashed */
uint64_t sched_client_key(const struct sched_req *);
/* mh, for tests: the server index of table slot c, or -1 */
int	sched_mh_entry(const struct service *, uint32_t c);
/* lblc and lblcr, for tests: the clock (unix seconds), NULL for time() */
extern uint32_t (*sched_lblc_now)(void);

/*
 * The first rule whose conditions hold for the request (rule.c), or -1
 * (none, or a rule that answers itself); its match group's span in
 * req->head through mstart and mlen when not NULL.
 */
int	sched_rule(const struct service *, const struct sched_req *,
	    size_t *mstart, size_t *mlen);
/* init_service of the content-rule schedulers: rules must name servers */
int	sched_init_rules(struct service *, char *err, size_t);
/*
 * Among a matching rule's servers, the service's rule_scheduler chooses
 * (any non-content scheduler; wlc when not set).
 */
int	sched_pick_rule(const struct service *, struct sb *,
	    const struct sched_req *, uint64_t servers);
/* all servers of a service, as a mask */
uint64_t sched_all(const struct service *);

/*
 * No-op members for schedulers that keep no shared state or need no set-up,
 * so every member of every sched_ops is set and callers never test for NULL.
 */
size_t	sched_shm_none(const struct service *);
int	sched_init_none(struct service *, char *err, size_t);
void	sched_done_none(struct service *);

#endif /* TCPVS_SCHED_H */
