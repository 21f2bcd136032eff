/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * How an exchange ended, for the access log: HAProxy's "session state at
 * disconnection" in two characters.  The first says what ended it:
 *   -  nothing went wrong          C  the client closed or reset
 *   S  the server closed, reset or refused, or no server could be had
 *   c  the client timed out        s  the server timed out
 *   P  tcpvsd refused it by a limit
 *   F  a framing error: an invalid head or chunked body
 *   K  tcpvsd was stopped (SIGTERM) meanwhile
 *   I  an internal error
 * the second in which phase:
 *   R  reading the request head    C  getting a server connection
 *   B  relaying the request body   H  waiting for the response head
 *   D  relaying the response (body, or a tunnel)
 *   -  the exchange completed
 * The worker sets one at each place an exchange ends; the classifiers
 * below turn what the flows, the parser and the status say into one.
 */
#ifndef TCPVS_TERM_H
#define TCPVS_TERM_H

#include <stdbool.h>

struct flow;

enum term {
	TERM_NONE,			/* not recorded */
	TERM_DONE,			/* -- */
	TERM_CLIENT_ABORT_HEAD,		/* CR */
	TERM_CLIENT_TIMEOUT_HEAD,	/* cR */
	TERM_LIMIT_HEAD,		/* PR */
	TERM_FRAMING_HEAD,		/* FR */
	TERM_KILLED_HEAD,		/* KR */
	TERM_SERVER_REFUSED,		/* SC */
	TERM_SERVER_TIMEOUT_CONNECT,	/* sC */
	TERM_CLIENT_ABORT_BODY,		/* CB */
	TERM_CLIENT_TIMEOUT_BODY,	/* cB */
	TERM_LIMIT_BODY,		/* PB */
	TERM_FRAMING_BODY,		/* FB */
	TERM_CLIENT_ABORT_WAIT,		/* CH */
	TERM_SERVER_ABORT_HEAD,		/* SH */
	TERM_SERVER_TIMEOUT_HEAD,	/* sH */
	TERM_LIMIT_RESP_HEAD,		/* PH */
	TERM_FRAMING_RESP_HEAD,		/* FH */
	TERM_KILLED_WAIT,		/* KH */
	TERM_CLIENT_ABORT_DATA,		/* CD */
	TERM_CLIENT_TIMEOUT_DATA,	/* cD */
	TERM_SERVER_ABORT_DATA,		/* SD */
	TERM_SERVER_TIMEOUT_DATA,	/* sD */
	TERM_FRAMING_DATA,		/* FD */
	TERM_KILLED_DATA,		/* KD */
	TERM_INTERNAL			/* I- */
};

/* the two characters, "??" for TERM_NONE */
const char	*term_code(enum term);
/* what it means, in the error log's words */
const char	*term_str(enum term);

/* a request head refused with status (408, 400, 414, 431, 501) */
enum term	 term_head(int status);
/* refused with status after the head, before the exchange: the body's
   limit or framing, a head too large to forward, no server */
enum term	 term_refused(int status);
/* no progress for read_timeout: who was waited for */
enum term	 term_timeout(const struct flow *req, const struct flow *resp,
		    bool started);
/*
 * The exchange ended with status (> 0: answered by tcpvsd, 0: complete,
 * < 0: cut) and nothing more precise was recorded: what the flows say.
 */
enum term	 term_exchange(const struct flow *req, const struct flow *resp,
		    int status, bool started, bool killed);

#endif /* TCPVS_TERM_H */
