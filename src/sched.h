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

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-t.h"

struct http_req;
struct sb;
struct service;

/*
 * The scheduler tries the service's rules and lets rule_scheduler choose
 * among the matching rule's servers (http, phttp, chttp).
 */
#define SCHED_F_RULES	0x01

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
	/* scoreboard bytes per service (0: none): sched_shared() */
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
	/*
	 * Header fields (each ending in CRLF) the response to req gets once
	 * server i was chosen, written into buf; their length, 0 for none
	 * (chttp: Set-Cookie naming the server).
	 */
	size_t		(*response_fields)(const struct service *,
			    const struct sched_req *, int i, char *buf,
			    size_t len);
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
/* the registered schedulers, NULL-terminated (tests iterate them) */
const struct sched_ops * const *sched_all_ops(void);
/* the registered names, NULL-terminated, for help and man-page tests */
const char * const	*sched_names(void);
/* ops may be a rule_scheduler: it does not try the rules itself */
int	sched_rule_capable(const struct sched_ops *);
/*
 * At load, in the master: init_service of svc->sched and, for a scheduler
 * that lets rule_scheduler choose (SCHED_F_RULES), of svc->rule_sched
 * (NULL: wlc), and svc->sched_shm.  0, or -1 with the reason in err and
 * *opt the option at fault ("scheduler" or "rule_scheduler").
 */
int	sched_init(struct service *, char *err, size_t, const char **opt);
void	sched_done(struct service *);
/* the largest shm_size any scheduler asks for: the scoreboard's room */
size_t	sched_shm_max(void);

/*
 * The one entry point of workers: the server for one request, index into
 * svc->rs, or -1.  With persistent = SECONDS a client whose template
 * names a server still reachable for it (sched_sticky) goes there, else
 * the scheduler chooses; the template is written (or renewed) either way.
 */
int	sched_choose(const struct service *, struct sb *,
	    const struct sched_req *);
/* the response's header fields for server i (ops->response_fields) */
size_t	sched_response_fields(const struct service *,
	    const struct sched_req *, int i, char *buf, size_t len);

/*
 * svc->rs[i] may take a new session: scoreboard says available (weight,
 * health, admin active), not excluded, in req->only.
 */
int	sched_available(const struct service *, const struct sb *,
	    const struct sched_req *, unsigned i);
/*
 * svc->rs[i] may keep an existing session (a persistence template, a
 * cookie): up, not disabled, not excluded, in req->only.  A drained or
 * quiescent (weight 0) server keeps its sessions, as in IPVS and HAProxy.
 */
int	sched_sticky(const struct service *, const struct sb *,
	    const struct sched_req *, unsigned i);

/*
 * Least load over the servers in mask, ties taken in turn (sched_least.c).
 * WLC: least active/weight (KTCPVS wlc); SED: least (active+1)/weight
 * (IPVS sed); LC: least active, weights ignored (IPVS lc).  Servers of
 * equal load are taken by smooth weighted round robin among themselves
 * (LC: weight 1 each, evenly in turn) with the cursor in ties, shared by
 * every worker; ties NULL: the first.  -1 when none is eligible.
 */
enum sched_load {
	SCHED_LOAD_WLC,
	SCHED_LOAD_SED,
	SCHED_LOAD_LC
};
struct sched_ties {
	_Atomic int64_t	 cur[CONF_MAX_SERVERS];	/* smooth wrr's current */
};
int	sched_pick_least(const struct service *, const struct sb *,
	    const struct sched_req *, uint64_t mask, enum sched_load,
	    struct sched_ties *);
/*
 * Whose state the service's scheduler bytes hold: "wlc", or for a
 * scheduler of rules its rule_scheduler's too ("http/lblc"); when it
 * changes, the master clears them.
 */
void	sched_state_name(const struct service *, char *buf, size_t len);
/* the scoreboard bytes of svc's scheduler, or NULL without a slot */
void	*sched_shared(const struct service *, const struct sb *);
/*
 * chttp: the index of the server the request's cookie names (the
 * service's cookie, a server id), or -1.
 */
int	sched_cookie_server(const struct service *, const struct http_req *,
	    const char *head);
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
 * The index of the first rule matching the request's target, or -1;
 * match group offset and length in *ms, *ml when not NULL.
 */
int	sched_rule(const struct service *, const struct sched_req *,
	    size_t *ms, size_t *ml);
/*
 * Among a rule's servers, the service's rule_scheduler chooses (any
 * scheduler sched_rule_capable() accepts; wlc when not set).
 */
int	sched_pick_rule(const struct service *, struct sb *,
	    const struct sched_req *, uint64_t servers);
/* all servers of a service, as a mask */
uint64_t sched_all(const struct service *);

/*
 * Persistence templates (persistent = SECONDS, ipvsadm -p), in the
 * scoreboard: sched_persist.c.  The key of a client: its IPv4 address
 * under persistent_netmask, kept readable, or a hash of its IPv6 address.
 */
uint64_t sched_persist_key(const struct service *, const struct sockaddr *);
/* the server slot of key's template that has not expired by now, or -1 */
int	sched_persist_get(const struct sb *, unsigned service, uint64_t key,
	    uint32_t now);
void	sched_persist_put(struct sb *, unsigned service, uint64_t key,
	    int server, uint32_t expires);
/*
 * A template for listings: the client (the address for IPv4, else
 * "key:HEX") into buf; 0 and the server slot and expiry in *server,
 * *expires, or -1 for an empty or expired entry.
 */
int	sched_persist_entry(const struct sb *, unsigned service, unsigned e,
	    uint32_t now, char *buf, size_t len, int *server,
	    uint32_t *expires);

/*
 * No-op members for schedulers that keep no shared state or need no set-up,
 * so every member of every sched_ops is set and callers never test for NULL.
 */
size_t	sched_shm_none(const struct service *);
int	sched_init_none(struct service *, char *err, size_t);
void	sched_done_none(struct service *);
size_t	sched_fields_none(const struct service *, const struct sched_req *,
	    int i, char *buf, size_t len);

#endif /* TCPVS_SCHED_H */
