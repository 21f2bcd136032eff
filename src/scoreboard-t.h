/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Layout of the scoreboard: the one MAP_SHARED mapping that the master
 * creates before the first fork and that workers, the health checker and
 * the master share.  Fixed arrays sized at start from the limits, like
 * Apache's ServerLimit; no pointers, only indices.  Each field names its
 * one writer.  Counters are C11 atomics: relaxed for statistics,
 * release/acquire for states.
 *
 * Types and constants only.
 */
#ifndef TCPVS_SCOREBOARD_T_H
#define TCPVS_SCOREBOARD_T_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>

#include "conf-t.h"

#define SB_MAGIC		0x74637673u	/* "tcvs" */
#define SB_VERSION		7
#define SB_TLS_FAILS		8	/* > the last enum xprt_fail */
#define SB_CACHELINE		64
#define SB_SCHED_MIN		256	/* scheduler bytes per service slot */
#define SB_PERSIST_ENTRIES	4096	/* persistence templates per service */
#define SB_PERSIST_PROBE	8	/* slots looked at per client */
#define SB_MAX_SERVICES		CONF_MAX_SERVICES
/* server slots: two generations' worth during a reload */
#define SB_MAX_SERVERS		(2 * CONF_MAX_SERVICES * CONF_MAX_SERVERS)

enum ws_state {
	WS_DEAD,		/* free slot */
	WS_STARTING,		/* forked, not yet accepting */
	WS_IDLE,		/* waiting in accept */
	WS_READING,		/* reading a request head */
	WS_SCHEDULING,		/* choosing a real server */
	WS_CONNECTING,		/* connecting to it */
	WS_RELAYING,		/* relaying request and response */
	WS_KEEPALIVE,		/* waiting for the next request */
	WS_CLOSING,		/* closing, retiring */
	WS__COUNT
};

/*
 * One in-flight exchange (a request's way through a worker, DESIGN.md).
 * A worker runs up to maxinflight of them; the scoreboard has inflight
 * slots per worker slot (inflightlimit, fixed at start like Apache's
 * ThreadLimit).
 */
enum xs_state {
	XS_FREE,		/* no exchange in this slot */
	XS_READING,		/* reading a request head */
	XS_SCHEDULING,		/* choosing a real server */
	XS_CONNECTING,		/* connecting to it */
	XS_RELAYING,		/* relaying request and response */
	XS_CLOSING,		/* ending: lingering close, keep-alive */
	XS__COUNT
};

enum rs_health {
	RS_HEALTH_UNKNOWN,	/* not checked yet: treated as up */
	RS_HEALTH_UP,
	RS_HEALTH_DOWN
};

/* the last active check of a real server (probe.h) */
enum probe_result {
	PROBE_NONE,		/* not checked yet */
	PROBE_PENDING,		/* in flight; never published */
	PROBE_OK,
	PROBE_REFUSED,		/* connection refused */
	PROBE_TIMEOUT,		/* not done within check_timeout */
	PROBE_ERROR,		/* another socket error; code: errno */
	PROBE_HTTP_STATUS,	/* a status check_expect does not accept;
				   code: the status */
	PROBE_INVALID,		/* not an HTTP/1.x status line */
	PROBE_TLS,		/* TLS handshake failed; code: X509
				   verification result, or -enum xprt_fail */
	PROBE__COUNT
};

enum rs_admin {
	RS_ADMIN_ACTIVE,	/* takes new connections */
	RS_ADMIN_DRAIN,		/* no new connections, existing finish */
	RS_ADMIN_DISABLED	/* no new connections, not checked */
};

/* what tcpvsadm set on a server, kept across reloads (sb_server.overrides) */
enum rs_override {
	RS_OVR_WEIGHT = 1 << 0,	/* weight differs from the configured one */
	RS_OVR_ADMIN = 1 << 1	/* admin state differs from the configured */
};

struct sb_header {
	uint32_t		 magic;		/* master, at creation */
	uint32_t		 version;
	uint32_t		 nworkers;	/* worker slots (serverlimit) */
	uint32_t		 nservices;
	uint32_t		 nservers;
	uint32_t		 sched_bytes;	/* per service slot */
	uint64_t		 size;		/* whole mapping */
	uint64_t		 off_workers;
	uint64_t		 off_services;
	uint64_t		 off_servers;
	uint64_t		 off_sched;
	uint64_t		 off_persist;
	uint32_t		 inflight;	/* exchange slots per worker
						   slot (inflightlimit) */
	uint64_t		 off_exchanges;
	/* master: one past the highest service / server slot ever used;
	   scans stop there, so pages past it are never touched */
	_Atomic uint32_t	 services_used;
	_Atomic uint32_t	 servers_used;
	_Atomic int64_t		 start_ms;	/* master: wall time of start */
	_Atomic uint32_t	 generation;	/* master: current generation */
	_Atomic pid_t		 master_pid;	/* master */
	_Atomic uint32_t	 logs_epoch;	/* master: +1 when the logs are
						   reopened (logreopen.c) */
} __attribute__((aligned(SB_CACHELINE)));

/* one per worker process; the owning worker writes, the master repairs */
struct sb_worker {
	_Atomic pid_t		 pid;		/* master: set at fork, cleared
						   at reap */
	_Atomic uint32_t	 generation;	/* master */
	_Atomic int32_t		 service;	/* master: service slot */
	_Atomic int32_t		 state;		/* worker: enum ws_state */
	_Atomic int64_t		 state_ms;	/* worker: wall ms of last change */
	_Atomic int32_t		 server;	/* worker: server slot whose active
						   count this worker holds, -1 */
	_Atomic uint32_t	 retiring;	/* master: 1 when told to exit */
	/* worker: its idle kept connections per server slot (n 0: free),
	   which the master gives back from InActConn if it dies */
	struct {
		_Atomic int32_t	 server;
		_Atomic uint32_t n;
	}			 idle[CONF_MAX_SERVERS];
	_Atomic uint64_t	 conns;		/* worker: accepted connections */
	_Atomic uint64_t	 requests;	/* worker */
	_Atomic uint64_t	 bytes_in;	/* worker: from clients */
	_Atomic uint64_t	 bytes_out;	/* worker: to clients */
	/* worker, informative only (read racily by tcpvsadm --workers) */
	struct sockaddr_storage	 client;
	char			 request[96];	/* start of the request line */
	_Atomic int32_t		 last_server;	/* server slot its last request
						   went to, -1: none yet */
	_Atomic uint32_t	 xstates[XS__COUNT]; /* worker: its exchanges
						   by state; [XS_FREE] unused;
						   master zeroes at repair */
	_Atomic uint32_t	 parked;	/* worker: idle kept-alive client
						   connections it holds */
	_Atomic uint32_t	 queued;	/* worker: of those, the ones
						   whose request came and waits
						   for an exchange place, that
						   could be handed off */
} __attribute__((aligned(SB_CACHELINE)));

/*
 * One per in-flight exchange, inflight of them per worker slot (worker i's
 * are i * inflight ...).  The owning worker writes; the master repairs a
 * dead worker's.  A FREE slot holds no server count.
 */
struct sb_exchange {
	_Atomic int32_t		 state;		/* enum xs_state */
	_Atomic int64_t		 state_ms;	/* wall ms of the last change */
	_Atomic int32_t		 server;	/* server slot whose active count
						   this exchange holds, or -1 */
	/* informative, read racily */
	struct sockaddr_storage	 client;
	char			 request[96];	/* start of the request line */
} __attribute__((aligned(SB_CACHELINE)));

/* per virtual service */
struct sb_service {
	char			 ident[CONF_IDENT_MAX];	/* master */
	char			 sched[16];	/* master: whose state sched
						   bytes hold */
	_Atomic uint32_t	 in_use;	/* master */
	_Atomic uint64_t	 conns;		/* any, atomically */
	_Atomic uint64_t	 requests;	/* any, atomically */
	_Atomic uint64_t	 bytes_in;	/* any, atomically */
	_Atomic uint64_t	 bytes_out;	/* any, atomically */
	_Atomic uint64_t	 errors;	/* any: error replies sent */
	/* TLS handshakes on its tls_listen addresses (tls_stat.c) */
	_Atomic uint64_t	 tls_handshakes;	/* any: completed */
	_Atomic uint64_t	 tls_resumed;		/* any: of those, resumed */
	_Atomic uint64_t	 tls_failed[SB_TLS_FAILS];	/* any: by enum
							   xprt_fail */
	/* workers: connections put into its handoff sockets and not taken
	   out yet, counted before they go in, and when the last went in
	   (util_now_ms; conn_handoff.c) */
	_Atomic int32_t		 handed;
	_Atomic int64_t		 handed_ms;
} __attribute__((aligned(SB_CACHELINE)));

/*
 * Per real server, found by the stable key "ident/addr:port" so counters,
 * health and runtime weight survive reloads.
 */
struct sb_server {
	char			 key[CONF_IDENT_MAX + CONF_NAME_MAX]; /* master */
	_Atomic uint32_t	 in_use;	/* master */
	_Atomic uint32_t	 weight;	/* master/control; health during
						   slowstart: effective weight */
	_Atomic uint32_t	 conf_weight;	/* master/control: the weight
						   slowstart ramps up to */
	_Atomic int32_t		 admin;		/* master/control: enum rs_admin */
	_Atomic uint32_t	 overrides;	/* master/control: enum
						   rs_override bits */
	_Atomic uint32_t	 checked;	/* master: 1 if actively checked */
	_Atomic int32_t		 health;	/* health checker; workers mark DOWN
						   (passive); master resets an
						   unchecked one: enum rs_health */
	_Atomic uint32_t	 fails;		/* any: consecutive failed
						   connects (passive) */
	/* the health checker's, for tcpvsadm and sbdump */
	_Atomic int32_t		 check_result;	/* enum probe_result */
	_Atomic int32_t		 check_code;	/* HTTP status, or errno */
	_Atomic uint32_t	 check_latency_us;
	_Atomic uint32_t	 check_oks;	/* consecutive successful checks */
	_Atomic uint32_t	 check_fails;	/* consecutive failed checks */
	_Atomic int64_t		 check_ms;	/* wall ms of the last check */
	_Atomic int64_t		 change_ms;	/* health, workers: wall ms of the
						   last change of health */
	_Atomic int64_t		 ramp_ms;	/* health: wall ms slowstart began,
						   0 when not ramping */
	_Atomic uint32_t	 active;	/* any, atomically: requests in
						   flight (lc, wlc read it) */
	_Atomic uint32_t	 inactive;	/* workers (sb_server_idle): kept
						   connections idle in their
						   origin pools (InActConn) */
	_Atomic uint64_t	 conns;		/* any, atomically: totals;
						   connections made to it */
	_Atomic uint64_t	 requests;
	_Atomic uint64_t	 bytes_in;	/* from the server */
	_Atomic uint64_t	 bytes_out;	/* to the server */
	_Atomic uint64_t	 connect_errors;
	_Atomic uint64_t	 responses[5];	/* workers: final responses
						   relayed, by class 1xx..5xx */
} __attribute__((aligned(SB_CACHELINE)));

/*
 * A persistence template (ipvsadm -p): a client (its masked address,
 * hashed; 0 = empty) keeps a server until expires.  Any worker writes,
 * word by word: a torn pair at worst sends one client to another server
 * once, which persistence allows.
 */
struct sb_persist {
	_Atomic uint64_t	 key;
	_Atomic uint64_t	 val;	/* expires (unix s) << 32 | server slot */
};

#endif /* TCPVS_SCOREBOARD_T_H */
