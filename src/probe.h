/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * Health-check probes.  Each probe_<name>.c exports one const struct
 * probe_ops; probe.c holds the only list and looks a probe up by the name
 * written as "check = NAME".  health.c owns the socket, the non-blocking
 * connect, the timeout and the epoll set; a probe only says what to do
 * once the connection is up and ends in one enum probe_result, named in
 * logs and in the scoreboard.
 */
#ifndef TCPVS_PROBE_H
#define TCPVS_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "scoreboard-t.h"
#include "xprt.h"

struct conf_check;

#define PROBE_BUF	1024	/* request out, then the status line in */

/* one probe in flight; health.c sets fd, x, chk, and the times */
struct probe {
	int			 fd;		/* -1: idle */
	int			 connected;
	int			 started;	/* transport up (TLS handshake
						   done), probe started */
	struct xconn		 x;		/* the probe's transport: plain,
						   or TLS for "tls = true" */
	int			 proxied;	/* the PROXY header went out in
						   clear before the handshake */
	const struct conf_check	*chk;
	int64_t			 start_us;	/* monotonic */
	int64_t			 deadline_ms;	/* monotonic */
	uint32_t		 events;	/* epoll events the probe waits
						   for (EPOLLIN, EPOLLOUT) */
	int			 code;		/* result detail: HTTP status,
						   or errno for PROBE_ERROR */
	size_t			 off;		/* bytes of buf sent or read */
	size_t			 len;		/* request bytes in buf */
	char			 buf[PROBE_BUF];
};

struct probe_ops {
	const char	*name;
	/*
	 * The connection is up: PROBE_OK or another result when done,
	 * PROBE_PENDING with p->events set to wait for more.
	 */
	enum probe_result (*start)(struct probe *);
	/* p->fd is ready (epoll events): as start */
	enum probe_result (*io)(struct probe *, uint32_t events);
};

/* the registered probes, one per probe_<name>.c */
extern const struct probe_ops probe_http;
extern const struct probe_ops probe_tcp;

/* NULL if no probe has that name ("none" is not a probe) */
const struct probe_ops	*probe_lookup(const char *);
/* "none, tcp or http", for configuration errors */
const char		*probe_choices(void);

/*
 * probe_tls.c: the transport of a probe to rs on fd (TLS when the server
 * has "tls = true"); 0, or -1 with errno.  Then health.c calls probe_step
 * each time the connection is up or ready: the TLS handshake first (its
 * failure is PROBE_TLS), then the probe's start and io.
 */
struct realserver;
int			 probe_transport(struct probe *,
			    const struct realserver *, int fd);
enum probe_result	 probe_step(struct probe *, uint32_t events);

/* the result as the state-change log says it: "http status 500" ... */
void	probe_describe(enum probe_result, int code, char *buf, size_t len);
/* PROBE_TLS's part of it (probe_tls.c) */
void	probe_tls_describe(int code, char *buf, size_t len);

#endif /* TCPVS_PROBE_H */
