/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The scoreboard API.  The master creates the mapping (sb_create) and
 * assigns slots; workers hold a server's active count between
 * sb_server_hold() and sb_server_release(), or per in-flight exchange
 * between sb_exchange_hold() and sb_exchange_release(); the master gives
 * back what a dead worker and its exchanges held (sb_worker_repair); workers report failed connects
 * (sb_server_report_fail), the health checker publishes what it probes.
 */
#ifndef TCPVS_SCOREBOARD_H
#define TCPVS_SCOREBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "scoreboard-t.h"

struct generation;

/* process-local view of the mapping: pointers into it, never stored in it */
struct sb {
	struct sb_header	*hdr;
	struct sb_worker	*workers;
	struct sb_service	*services;
	struct sb_server	*servers;
	unsigned char		*sched;
	struct sb_persist	*persist;	/* SB_PERSIST_ENTRIES a service */
	struct sb_exchange	*exchanges;	/* hdr->inflight a worker slot */
	size_t			 size;
};

/* bytes needed for these limits; asserts the carving */
size_t		 sb_size(unsigned nworkers, unsigned inflight,
		    unsigned nservices, unsigned nservers, unsigned sched_bytes);
/*
 * Master, before the first fork; NULL with errno on failure.  With file
 * non-NULL the mapping is that file (created 0600, truncated), so tools
 * can read it (Apache's ScoreBoardFile); else it is anonymous.  inflight
 * is the exchange slots per worker slot (inflightlimit).  The mapping is
 * fresh, hence zero, and only touched where used: exchange slots cost
 * memory only once a worker uses them.
 */
struct sb	*sb_create(unsigned nworkers, unsigned inflight,
		    unsigned sched_bytes, const char *file);
/* a read-only view of a scoreboard file; NULL with errno */
struct sb	*sb_open_readonly(const char *file);
/* a view that may write the runtime fields (tools); NULL with errno */
struct sb	*sb_open_file(const char *file, int writable);
void		 sb_destroy(struct sb *);

static inline struct sb_worker *
sb_worker(const struct sb *sb, unsigned i)
{
	return &sb->workers[i];
}

static inline struct sb_service *
sb_service(const struct sb *sb, unsigned i)
{
	return &sb->services[i];
}

static inline struct sb_server *
sb_server(const struct sb *sb, unsigned i)
{
	return &sb->servers[i];
}

/* exchange slot i (< hdr->inflight) of worker slot worker */
static inline struct sb_exchange *
sb_exchange(const struct sb *sb, unsigned worker, unsigned i)
{
	return &sb->exchanges[(size_t)worker * sb->hdr->inflight + i];
}

/* the scheduler's shared bytes of a service slot */
static inline void *
sb_sched(const struct sb *sb, unsigned service)
{
	return sb->sched + (size_t)service * sb->hdr->sched_bytes;
}

/*
 * Master: give every service and real server of gen a slot (found by ident
 * and by "ident/addr:port", or newly allocated and initialised with the
 * configured weight), writing svc->sb_index and rs->sb_index.  Returns 0,
 * or -1 with a message when the table is full.
 */
int		 sb_attach(struct sb *, struct generation *, char *err,
		    size_t errlen);
/* master: free the slots of gen that the other generation does not use */
void		 sb_detach(struct sb *, const struct generation *gone,
		    const struct generation *kept);

/* master: a free worker slot, or -1 */
int		 sb_worker_alloc(struct sb *);
/* master: a worker died or exited; give back what it held, free the slot */
void		 sb_worker_repair(struct sb *, unsigned slot);

/*
 * Master: the exchange slots a live worker has free, of maxinflight: those
 * its exchanges in flight leave.  A worker in a busy state that counts no
 * exchange runs one request at a time without exchange slots (prefork):
 * it has none free.  Parked connections take no slot.
 */
unsigned	 sb_worker_free(const struct sb_worker *, unsigned maxinflight);

/* what the scoreboard says of one service's live workers */
struct sb_census {
	unsigned	 total;
	unsigned	 idle;		/* starting or idle */
	unsigned	 free;		/* exchange slots (sb_worker_free) */
	unsigned	 least;		/* the fewest client connections, in
					   flight and parked, of one that is
					   not closing; UINT_MAX: none */
	unsigned	 waiting;	/* requests queued in them for an
					   exchange place */
};
/*
 * Master or worker: the live workers of service (its sb_index) in
 * generation gen (0: any), leaving out skip (NULL: none), each with
 * maxinflight exchange slots.
 */
struct sb_census sb_census(const struct sb *, int service, unsigned gen,
		    const struct sb_worker *skip, unsigned maxinflight);
/*
 * Master: the slot of a live worker of service in generation gen, not
 * closing, that holds no client connection (in flight or parked), or -1:
 * one to retire when the pool shrinks.  -1 too while one told to retire
 * is still alive.
 */
int		 sb_retiree(const struct sb *, int service, unsigned gen);
/*
 * Worker: the free exchange slots of the live workers of service (any
 * generation) that are not closing and hold fewer than below client
 * connections, in flight and parked, leaving out skip: those that would
 * accept a new one.
 */
unsigned	 sb_room(const struct sb *, int service,
		    const struct sb_worker *skip, unsigned maxinflight,
		    unsigned below);
/*
 * Worker: of the live workers of service in generation gen that are not
 * closing and at most half busy, half their free slots (rounded up: an
 * idle worker at maxinflight = 1 has one), leaving out skip: where
 * waiting requests may go (handoff).
 */
unsigned	 sb_spare(const struct sb *, int service, unsigned gen,
		    const struct sb_worker *skip, unsigned maxinflight);

/* worker: state change (release), stamped with the time */
void		 sb_worker_state(struct sb_worker *, enum ws_state);

/*
 * worker: count one in-flight request on a server / give it back.  With
 * kept connections a server's active count is its requests in flight.
 */
void		 sb_server_hold(struct sb *, struct sb_worker *, int server);
void		 sb_server_release(struct sb *, struct sb_worker *);
/*
 * Worker: an exchange's life in its slot x (one of its own worker slot
 * ws's).  begin: FREE -> READING, with the client; state: a change,
 * stamped with the time; request: the start of the request line (not
 * NUL-terminated, cut to fit).  The worker slot's xstates count them.
 */
void		 sb_exchange_begin(struct sb_worker *, struct sb_exchange *,
		    const struct sockaddr_storage *client);
void		 sb_exchange_state(struct sb_worker *, struct sb_exchange *,
		    enum xs_state);
void		 sb_exchange_request(struct sb_exchange *, const char *line,
		    size_t len);
/*
 * Worker: the exchange counts one request in flight on server (taking
 * one active count, giving back the one it held before, if any) / gives
 * it back (idempotent).  end: release, then FREE, and counted out.
 */
void		 sb_exchange_hold(struct sb *, struct sb_exchange *,
		    int server);
void		 sb_exchange_release(struct sb *, struct sb_exchange *);
void		 sb_exchange_end(struct sb *, struct sb_worker *,
		    struct sb_exchange *);
/*
 * Worker: one more (delta +1) or one fewer (-1) kept connection to server
 * idle in its origin pool: the server's inactive count, IPVS's InActConn.
 * Recorded in the worker's slot too, so the master gives it back if the
 * worker dies.
 */
void		 sb_server_idle(struct sb *, struct sb_worker *, int server,
		    int delta);
/* worker: a new connection to the server was made */
void		 sb_server_connected(struct sb *, int server);

/*
 * Worker: passive health.  A connect to server (a scoreboard server slot)
 * failed, refused or timed out: one more consecutive failure.  At fall of
 * them (0: never) a server that is actively checked is marked DOWN; only
 * the health checker brings it back UP, after rise successful checks.  A
 * server that is not checked is never marked DOWN, as nothing would bring
 * it back.  Returns the consecutive failures, this one included (1: the
 * first of a run, to log once per change).  No system call but the clock.
 */
unsigned	 sb_server_report_fail(struct sb *, int server, unsigned fall);
/*
 * Worker: a connect to server succeeded; ends a run of failures.  Returns
 * the length of the run it ended, 0 if none (then nothing was written).
 */
unsigned	 sb_server_report_ok(struct sb *, int server);

/* a server slot's "addr:port" (its key after the ident), or "-" */
const char	*sb_server_addr(const struct sb *, int server);
/* is the server eligible for a new connection (weight, health, admin) */
int		 sb_server_available(const struct sb_server *);

const char	*sb_ws_state_str(enum ws_state);
char		 sb_ws_state_char(enum ws_state);	/* Apache-style key */
const char	*sb_xs_state_str(enum xs_state);
char		 sb_xs_state_char(enum xs_state);	/* the same key */
/*
 * The key of those characters, "S starting,_ idle,R reading,...,. open
 * slot", for tcpvsadm --workers and /status alike; returns buf.
 */
const char	*sb_state_key(char *buf, size_t len);
const char	*sb_health_str(enum rs_health);
const char	*sb_admin_str(enum rs_admin);
const char	*sb_probe_result_str(enum probe_result);	/* "ok", ... */

#endif /* TCPVS_SCOREBOARD_H */
