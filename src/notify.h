/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * systemd's readiness protocol (sd_notify(3)), written directly: one
 * datagram of KEY=value lines to the AF_UNIX socket NOTIFY_SOCKET names
 * ("/path", or "@name" in the abstract namespace).  No libsystemd.
 * Without NOTIFY_SOCKET every call does nothing.
 */
#ifndef TCPVS_NOTIFY_H
#define TCPVS_NOTIFY_H

/* read NOTIFY_SOCKET and take it out of the environment, so that no
   child thinks it is the service; 0, or -1 after logging why */
int	 notify_init(void);

/* send one datagram, "READY=1", "STOPPING=1" ... (lines joined by \n) */
void	 notify(const char *, ...) __attribute__((format(printf, 1, 2)));

/* RELOADING=1 with MONOTONIC_USEC, the time of the reload */
void	 notify_reloading(void);

/* event lines ("READY=1\n", or "") then STATUS=; with no event, sent
   only when STATUS= differs from the last one sent */
void	 notify_status(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
