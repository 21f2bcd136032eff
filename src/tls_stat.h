/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * What a TLS client connection leaves behind: its handshake counted in
 * the service's scoreboard counters (exported by /metrics, status.c), its
 * facts for the access log (struct alog_tls), and plain HTTP sent to a
 * TLS port logged once per source per interval (ratelim.c).  The exchange
 * calls these; none allocates.
 */
#ifndef TCPVS_TLS_STAT_H
#define TCPVS_TLS_STAT_H

#include <stdint.h>

struct alog_tls;
struct sb_service;
struct sockaddr_storage;
struct xconn;

/*
 * A handshake on a tls_listen address has ended: result is what
 * c->ops->handshake returned, 0 (done: counted, and as resumed when the
 * session was) or XPRT_FAIL (counted by c->fail); XPRT_WANT_* is not an
 * end and counts nothing.
 */
void	tls_count_handshake(struct sb_service *, const struct xconn *c,
	    int result);
/* t from the client connection c: on, version, cipher, SNI, subject;
   c NULL or not TLS: t->on false */
void	tls_log_fields(struct alog_tls *t, const struct xconn *c);

#endif /* TCPVS_TLS_STAT_H */
