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

#include <stdbool.h>
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
/*
 * A handshake on a tls_listen address failed with XPRT_FAIL_NOT_TLS
 * (plain HTTP, or other bytes, on a TLS port): log it, as a warning
 * naming the service, the client and where, once per client address per
 * TLS_NOT_TLS_INTERVAL_MS in the pool, with how many were not logged
 * since.  Returns true when it logged.
 */
#define TLS_NOT_TLS_INTERVAL_MS	60000
/* the master, before forking: share the table behind it with the pool
   (0, or -1 with errno) */
int	tls_stat_share(void);
bool	tls_note_not_tls(const char *ident, const char *where,
	    const struct sockaddr_storage *client, int64_t now_ms);

/* t from the client connection c: on, version, cipher, SNI, subject;
   c NULL or not TLS: t->on false */
void	tls_log_fields(struct alog_tls *t, const struct xconn *c);

#endif /* TCPVS_TLS_STAT_H */
