/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * systemd notification (Type=notify): the sd_notify datagram protocol in
 * a few lines, so tcpvsd needs no libsystemd.  The master tells systemd
 * READY=1 once every service listens, RELOADING=1 and READY=1 around a
 * reload, STOPPING=1, and STATUS= with its generation and workers.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "notify.h"

#define NOTIFY_MSG_MAX	512

static int			 notify_fd = -1;
static struct sockaddr_un	 notify_addr;
static socklen_t		 notify_len;
static char			 notify_last[NOTIFY_MSG_MAX];	/* STATUS= */

int
notify_init(void)
{
	const char *e = getenv("NOTIFY_SOCKET");
	size_t n;

	if (e == NULL || *e == '\0')
		return 0;
	n = strlen(e);
	if ((e[0] != '/' && e[0] != '@') ||
	    n >= sizeof(notify_addr.sun_path)) {
		log_warnx("NOTIFY_SOCKET %s: expected an absolute path or "
		    "@name, shorter than %zu bytes", e,
		    sizeof(notify_addr.sun_path));
		(void)unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, e, n);
	if (e[0] == '@')
		notify_addr.sun_path[0] = '\0';
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		log_warn("NOTIFY_SOCKET %s: socket", e);
	else
		log_debug("NOTIFY_SOCKET %s: systemd is told of readiness", e);
	(void)unsetenv("NOTIFY_SOCKET");
	return notify_fd == -1 ? -1 : 0;
}

static void
notify_send(const char *msg, size_t len)
{
	if (sendto(notify_fd, msg, len, MSG_NOSIGNAL,
	    (const struct sockaddr *)&notify_addr, notify_len) == -1)
		log_warn("NOTIFY_SOCKET: send \"%.*s\"", (int)strcspn(msg,
		    "\n"), msg);
}

static void
notify_vsend(const char *fmt, va_list ap)
{
	char msg[NOTIFY_MSG_MAX];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	notify_send(msg, (size_t)n < sizeof(msg) ? (size_t)n :
	    sizeof(msg) - 1);
}

void
notify(const char *fmt, ...)
{
	va_list ap;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	notify_vsend(fmt, ap);
	va_end(ap);
}

void
notify_reloading(void)
{
	struct timespec ts;

	if (notify_fd == -1)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	notify("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
}

void
notify_status(const char *event, const char *fmt, ...)
{
	char status[NOTIFY_MSG_MAX];
	va_list ap;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	if (*event == '\0' && strcmp(status, notify_last) == 0)
		return;
	memcpy(notify_last, status, sizeof(status));
	notify("%sSTATUS=%s", event, status);
}
