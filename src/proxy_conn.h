/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The tcpvs developers */
/*
 * PROXY protocol on connections: the header read from a new client
 * connection (accept_proxy) and the one written to a new server
 * connection (send_proxy).  Each is one call from the worker.
 */
#ifndef TCPVS_PROXY_CONN_H
#define TCPVS_PROXY_CONN_H

#include <sys/socket.h>

#include <stdbool.h>

#include "conf-t.h"

struct service;

/*
 * accept_proxy: read the PROXY header that begins the non-blocking
 * connection fd, within svc->request_timeout and without reading a byte
 * past it, from a peer (*client) in svc->trusted; *client becomes the
 * address it carries (kept for LOCAL and UNKNOWN).  false, logged: close
 * the connection.  Returns true at once when svc does not accept_proxy.
 */
bool	proxy_accept(const struct service *, int fd,
	    struct sockaddr_storage *client);
/*
 * send_proxy: write the header for a connection from client, accepted on
 * the client socket cfd (its local address is the destination), on the
 * new server connection sfd; client NULL: v2 LOCAL, v1 UNKNOWN (health
 * checks).  0, or -1 (errno set).  Nothing to do for PROXY_SEND_NONE.
 */
int	proxy_send(int sfd, enum proxy_send, const struct sockaddr *client,
	    int cfd, int timeout_ms);

#endif /* TCPVS_PROXY_CONN_H */
