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
#include <stddef.h>

#include "conf-t.h"

struct service;

/* accept_proxy: may client send a PROXY header (trusted_proxies)?
   false is logged: close the connection */
bool	proxy_trusted(const struct service *,
	    const struct sockaddr_storage *client);
/*
 * accept_proxy: the PROXY header at the start of buf[0..*len), what a
 * connection from peer sent so far: 1 when more bytes are needed; 0 when
 * it was whole, taken off the front of buf (*len less) and its address
 * put in *client (kept for LOCAL and UNKNOWN); -1, logged: close the
 * connection.  Never reads a socket.
 */
int	proxy_take(char *buf, size_t *len, struct sockaddr_storage *client,
	    const char *peer);
/*
 * send_proxy: write the header for a connection from client, accepted on
 * the client socket cfd (its local address is the destination), on the
 * new server connection sfd; client NULL: v2 LOCAL, v1 UNKNOWN (health
 * checks).  0, or -1 (errno set).  Nothing to do for PROXY_SEND_NONE.
 */
int	proxy_send(int sfd, enum proxy_send, const struct sockaddr *client,
	    int cfd, int timeout_ms);

#endif /* TCPVS_PROXY_CONN_H */
