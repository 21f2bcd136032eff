/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What exchange.c, exchange_head.c, exchange_connect.c and
 * exchange_relay.c share, and nothing else includes:
 * the exchange itself, its phases, and the functions one file calls in
 * the other.  The worker sees only exchange.h.
 */
#ifndef TCPVS_EXCHANGE_PRIV_H
#define TCPVS_EXCHANGE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alog.h"
#include "conn.h"
#include "flow.h"
#include "http.h"
#include "relay.h"
#include "route.h"
#include "scoreboard-t.h"
#include "term.h"
#include "timer.h"

struct worker;

#define X_CLIENT_BUF	16384	/* for the body, past the largest head */
#define X_RESP_HEAD_MAX	65536	/* largest response head */
#define X_RESP_READ	16384	/* read per recv while the response head
				   is incomplete: body bytes read with it
				   are copied, the rest of the body spliced */
#define X_REPLY_MS	1000	/* to write an error reply */
#define X_LINGER_MS	2000	/* drain after an error reply */
#define X_LINGER_BYTES	(1024 * 1024)
#define X_RUN_MAX	16	/* pipelined requests in a row, then the
				   others get their turn */

/* how an exchange ends, besides a status to answer (> 0) */
#define XFER_DONE	0
#define XFER_ABORT	(-1)	/* close the client connection, no reply */
#define XFER_RETRY	(-2)	/* the server failed before answering */

enum xphase { XP_FREE, XP_HEAD, XP_CONNECT, XP_RELAY, XP_REPLY, XP_LINGER };

/* what a step did: moved to another phase (go on), or wait */
enum step { STEP_AGAIN, STEP_WAIT };

struct exchange {
	struct worker		*w;
	uint32_t		 idx;
	enum xphase		 phase;
	struct sb_exchange	*xs;
	struct exchange		*next;		/* free stack */
	struct conn		 c;
	/* the client's bytes: head, then body or pipelined requests */
	char			*head;
	size_t			 headcap, headlen, restoff;
	int64_t			 head_start;	/* ms: request_min_rate from */
	int64_t			 head_deadline;
	struct http_req		 req;
	struct route		 route;		/* the request's rule (route.c) */
	bool			 head_ok;
	bool			 answered;	/* a rule's answer being sent */
	unsigned		 run;		/* requests in this run */
	/* the way to the server */
	char			*up;		/* head sent upstream */
	size_t			 upcap, uplen, upoff;
	char			*sbuf;		/* bytes from the server */
	size_t			 scap, slen;
	bool			 sparse;	/* sbuf holds unparsed bytes */
	char			*obuf;		/* head sent to the client */
	size_t			 ocap, ooff, olen; /* an interim head or an
						   error reply, being sent */
	struct http_resp	 resp;
	struct relay		 relay;
	enum http_body		 reqbody;
	bool			 keep;		/* client: another request */
	bool			 retry_ok;	/* may be sent again */
	bool			 retried;	/* sent again to another */
	bool			 fresh;		/* no kept connection */
	bool			 sorry_tried;
	bool			 timedout;	/* the last connect */
	int			 nosrv;		/* status when no server is left:
						   503, 502 after a retry */
	unsigned		 tries;
	uint64_t		 exclude;	/* servers failed */
	struct xconn		 sx;		/* to the server; sx.fd -1:
						   none */
	bool			 shaking;	/* the server's TLS handshake
						   in progress (CONNECT) */
	int			 rsi;		/* index into svc->rs, -1 */
	bool			 sorry;		/* connected to the redirect */
	bool			 reused;	/* a kept connection */
	bool			 reusable;	/* may be kept afterwards */
	bool			 started;	/* the final response head went
						   to the client */
	bool			 srd;		/* the server may have bytes */
	bool			 swfail;	/* the server stopped reading */
	bool			 fq_on;		/* the head went: fq runs */
	bool			 relaying;	/* the exchange proper began:
						   its end is term_exchange's */
	enum term		 term;		/* how it ended, for the log */
	bool			 head_phase;	/* awaiting the response head */
	uint32_t		 sev;		/* server events not looked at */
	bool			 cunread;	/* the client's socket may hold
						   bytes no event will announce
						   again: read before parking */
	int			 slowat;	/* SO_RCVLOWAT of sx, 0: never */
	struct flow		 fq, fs;
	struct alog_rec		 rec;
	int64_t			 t_first;	/* us: the request's first byte */
	int64_t			 t_head;	/* us: its head complete */
	int64_t			 wall_first;	/* ms, wall clock, for the log */
	int64_t			 t_conn;	/* us to get a connection, -1 */
	int64_t			 t_sent;	/* us: head sent */
	int64_t			 t_resp;	/* us from sent to response head */
	char			 setcookie[128]; /* chttp: a field for the
						   response, or "" */
	uint64_t		 to_server;
	uint64_t		 to_client;
	struct timer		 tm;		/* the phase's deadline */
	struct timer		 tl;		/* a raised low-water mark's
						   wait; a turn given away */
	int64_t			 progress;	/* ms: RELAY moved last */
	size_t			 lingered;
	bool			 linger;	/* drain after the reply */
};

/* exchange.c */
void		 exchange_xstate(struct exchange *, enum xs_state);
enum step	 exchange_close_client(struct exchange *);
/* nothing to read: parked until deadline (ms), the place is free */
enum step	 exchange_park_client(struct exchange *, int64_t deadline);
void		 exchange_count_request(struct exchange *);
/* a head is in x->req: check it, rewrite it, choose a server */
enum step	 exchange_on_head(struct exchange *);
void		 exchange_access_log(struct exchange *);
/* an error reply (logged: the access log has its line), then linger */
enum step	 exchange_reply(struct exchange *, int status, bool logged);
enum step	 exchange_finish(struct exchange *, int rc);
enum step	 exchange_connect_next(struct exchange *);
void		 exchange_close_server(struct exchange *);
void		 exchange_release_server(struct exchange *);
void		 exchange_on_timer(struct timer *);
void		 exchange_on_lowat(struct timer *);
/* exchange_head.c */
void		 exchange_begin_head(struct exchange *);
enum step	 exchange_step_head(struct exchange *);
enum step	 exchange_head_timer(struct exchange *);
/* a head cut by the client or a stop (term): logged if something came */
enum step	 exchange_head_cut(struct exchange *, enum term);
/* exchange_connect.c */
enum step	 exchange_step_connect(struct exchange *);
enum step	 exchange_connect_failed(struct exchange *, int err);
/* exchange_tls.c */
/* the client's handshake ended with r (0, or XPRT_FAIL): counted */
void		 exchange_tls_handshake(struct exchange *, int r);
enum step	 exchange_tls_connect(struct exchange *);
enum step	 exchange_tls_step(struct exchange *);
/* exchange_connect.c: the server connection is ready for the head */
enum step	 exchange_connected(struct exchange *);
/* exchange_relay.c */
enum step	 exchange_start_relay(struct exchange *);
enum step	 exchange_step_relay(struct exchange *);
enum step	 exchange_relay_timer(struct exchange *);

#endif /* TCPVS_EXCHANGE_PRIV_H */
