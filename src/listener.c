/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * The listening sockets of the services, bound by the master and kept
 * across generations by address (listener.h).  A socket is never closed
 * and bound again for an address that stays: connections arriving during
 * a graceful restart wait in its backlog for the new generation's workers
 * (the backlog itself is the new generation's).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf-t.h"
#include "conf.h"
#include "listener.h"
#include "log.h"
#include "tls_conf.h"

unsigned
listener_count(const struct service *svc)
{
	return svc->nlisten + (svc->tls != NULL ? svc->tls->nlisten : 0);
}

const struct conf_listen *
listener_get(const struct service *svc, unsigned k)
{
	if (k < svc->nlisten)
		return &svc->listen[k];
	return &svc->tls->listen[k - svc->nlisten];
}

struct conf_listen *
listener_mut(struct service *svc, unsigned k)
{
	if (k < svc->nlisten)
		return &svc->listen[k];
	return &svc->tls->listen[k - svc->nlisten];
}

const struct tls_service *
listener_tls(const struct service *svc, unsigned k)
{
	return k < svc->nlisten ? NULL : svc->tls;
}

/* the option that wrote the k-th address */
static const char *
kind_str(const struct service *svc, unsigned k)
{
	return k < svc->nlisten ? "listen" : "tls_listen";
}

static int
bind_one(struct service *svc, unsigned k)
{
	struct conf_listen *l = listener_mut(svc, k);
	int fd, one = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("virtual %s: %s %s: socket", svc->ident,
		    kind_str(svc, k), l->name);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->addr.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&l->addr, l->addrlen) == -1 ||
	    listen(fd, (int)svc->backlog) == -1) {
		int e = errno;

		log_warn("virtual %s: %s %s: bind", svc->ident,
		    kind_str(svc, k), l->name);
		close(fd);
		errno = e;
		return -1;
	}
	/*
	 * A worker wakes only when request bytes have arrived.  The kernel
	 * counts the value in SYN-ACK retransmissions (after 1, 3, 7, 15 ...
	 * s), and request_timeout runs from accept: the least, one second,
	 * so that a connection that sends nothing is handed over after 1 s
	 * and closed within request_timeout (the worker counts that second),
	 * not 2^n - 1 s after request_timeout.
	 */
	if (svc->defer_accept) {
		int secs = CONF_DEFER_ACCEPT_SECS;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		    sizeof(secs));
	}
	l->fd = fd;
	return 0;
}

int
listener_bind(struct generation *gen)
{
	for (unsigned i = 0; i < gen->nsvc; i++) {
		struct service *svc = &gen->svc[i];

		for (unsigned k = 0; conf_listening(svc) &&
		    k < listener_count(svc); k++)
			if (bind_one(svc, k) == -1)
				return -1;
	}
	return 0;
}

/* does svc listen on descriptor fd */
static bool
listen_of(const struct service *svc, int fd)
{
	for (unsigned k = 0; k < listener_count(svc); k++)
		if (listener_get(svc, k)->fd == fd)
			return true;
	return false;
}

static bool
is_listener(const struct generation *gen, int fd)
{
	for (unsigned i = 0; gen != NULL && i < gen->nsvc; i++)
		if (listen_of(&gen->svc[i], fd))
			return true;
	return false;
}

/* a listening socket of gen with this address, or -1 */
static int
find_listener(const struct generation *gen, const struct conf_listen *l)
{
	for (unsigned i = 0; gen != NULL && i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];

		for (unsigned k = 0; k < listener_count(svc); k++) {
			const struct conf_listen *o = listener_get(svc, k);

			if (o->fd != -1 && o->addrlen == l->addrlen &&
			    memcmp(&o->addr, &l->addr, l->addrlen) == 0)
				return o->fd;
		}
	}
	return -1;
}

/* close the sockets of gen that cur does not own; gen forgets them all */
static void
forget(struct generation *gen, const struct generation *cur)
{
	for (unsigned i = 0; i < gen->nsvc; i++) {
		struct service *svc = &gen->svc[i];

		for (unsigned k = 0; k < listener_count(svc); k++) {
			struct conf_listen *l = listener_mut(svc, k);

			if (l->fd != -1 && !is_listener(cur, l->fd))
				close(l->fd);
			l->fd = -1;
		}
	}
}

void
listener_drop_new(const struct generation *cur, struct generation *gen)
{
	forget(gen, cur);
}

void
listener_release(struct generation *old, const struct generation *gen)
{
	/* the reload stands: listen() again gives a kept socket this
	   generation's backlog (Linux updates it in place) */
	for (unsigned i = 0; i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];

		for (unsigned k = 0; conf_listening(svc) &&
		    k < listener_count(svc); k++) {
			const struct conf_listen *l = listener_get(svc, k);

			if (l->fd != -1 && listen(l->fd, (int)svc->backlog) ==
			    -1)
				log_warn("virtual %s: %s: listen (backlog %u)",
				    svc->ident, l->name, svc->backlog);
		}
	}
	forget(old, gen);
}

int
listener_take(const struct generation *cur, struct generation *gen,
    char *err, size_t errlen)
{
	for (unsigned i = 0; i < gen->nsvc; i++) {
		struct service *svc = &gen->svc[i];

		for (unsigned k = 0; conf_listening(svc) &&
		    k < listener_count(svc); k++) {
			struct conf_listen *l = listener_mut(svc, k);

			if ((l->fd = find_listener(cur, l)) != -1)
				continue;
			if (bind_one(svc, k) == -1) {
				snprintf(err, errlen, "virtual %s: cannot "
				    "listen on %s%s: %s", svc->ident, l->name,
				    k < svc->nlisten ? "" : " (tls_listen)",
				    strerror(errno));
				listener_drop_new(cur, gen);
				return -1;
			}
		}
	}
	return 0;
}

void
listener_close(const struct generation *gen)
{
	for (unsigned i = 0; gen != NULL && i < gen->nsvc; i++) {
		const struct service *svc = &gen->svc[i];

		for (unsigned k = 0; k < listener_count(svc); k++)
			if (listener_get(svc, k)->fd != -1)
				close(listener_get(svc, k)->fd);
	}
}

void
listener_close_child(const struct service *svc, const struct service *mine)
{
	for (unsigned k = 0; k < listener_count(svc); k++) {
		int fd = listener_get(svc, k)->fd;

		if (fd != -1 && (mine == NULL || !listen_of(mine, fd)))
			close(fd);
	}
}
