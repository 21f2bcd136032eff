/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * TLS handshake counters and access-log facts (tls_stat.h).  The counters
 * are the service's in the scoreboard, added to atomically by any worker;
 * the status server reads them for /metrics.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "alog.h"
#include "log.h"
#include "ratelim.h"
#include "scoreboard.h"
#include "tls_stat.h"
#include "util.h"
#include "xprt.h"

_Static_assert(XPRT_FAIL_OTHER < SB_TLS_FAILS,
    "sb_service.tls_failed has a place for every enum xprt_fail");

static void
add(_Atomic uint64_t *v)
{
	atomic_fetch_add_explicit(v, 1, memory_order_relaxed);
}

void
tls_count_handshake(struct sb_service *ss, const struct xconn *c, int result)
{
	if (ss == NULL)
		return;
	if (result == 0) {
		add(&ss->tls_handshakes);
		if (xprt_tls_resumed(c))
			add(&ss->tls_resumed);
	} else if (result == XPRT_FAIL)
		add(&ss->tls_failed[c->fail <= XPRT_FAIL_OTHER ? c->fail :
		    XPRT_FAIL_OTHER]);
}

/* "-" is how the xprt_tls_* say "none" */
static const char *
fact(const char *s)
{
	return s == NULL || strcmp(s, "-") == 0 ? NULL : s;
}

void
tls_log_fields(struct alog_tls *t, const struct xconn *c)
{
	t->on = c != NULL && c->ssl != NULL;
	t->subject[0] = '\0';
	if (!t->on) {
		t->version = t->cipher = t->sni = NULL;
		return;
	}
	t->version = fact(xprt_tls_version(c));
	t->cipher = fact(xprt_tls_cipher(c));
	t->sni = fact(xprt_tls_sni(c));
	if (xprt_tls_peer_subject(c, t->subject, sizeof(t->subject)) == NULL)
		t->subject[0] = '\0';
}

/* the worker's (one process, one thread): sources it spoke of lately */
/*
 * One table for the whole pool: mapped shared by the master
 * (tls_stat_share, before it forks) so that a source is logged once an
 * interval whichever worker it reaches; without it (unit tests), one a
 * process.  Workers update it without a lock: two racing may both log
 * the same source once, never more often than that.
 */
static struct ratelim *not_tls;
static struct ratelim not_tls_own;

int
tls_stat_share(void)
{
	void *p;

	if (not_tls != NULL && not_tls != &not_tls_own)
		return 0;
	p = mmap(NULL, sizeof(*not_tls), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	not_tls = p;
	ratelim_init(not_tls, TLS_NOT_TLS_INTERVAL_MS);
	return 0;
}

bool
tls_note_not_tls(const char *ident, const char *where,
    const struct sockaddr_storage *client, int64_t now_ms)
{
	char host[UTIL_ADDRSTRLEN], more[64] = "";
	const char *h;
	uint32_t held;

	if (not_tls == NULL) {
		not_tls = &not_tls_own;
		ratelim_init(not_tls, TLS_NOT_TLS_INTERVAL_MS);
	}
	if (!ratelim_allow(not_tls, (const struct sockaddr *)client, now_ms,
	    &held))
		return false;
	if (held > 0)
		snprintf(more, sizeof(more), " (%u more since the last such "
		    "line)", held);
	h = util_addr_host((const struct sockaddr *)client, host,
	    sizeof(host));
	/* a worker's lines already begin "virtual IDENT: " (its tag) */
	(void)ident;
	log_warnx("client %s: not TLS on tls_listen %s, closed%s",
	    h != NULL ? h : "?", where, more);
	return true;
}
